"""Field benchmark (issue #15, "Speed"): filters, facet counts and sorting on the law units, bgsearch
against tantivy and SQLite FTS5 in the same run, on the same documents and the same query strings.

Run from the repository root::

    python benchmarks/fields.py [--docs N] [--runs R] [--queries N] [--json out.json] [--data-dir DIR]

Each law unit (``corpora.load_corpus("laws")``) gets three fields of its own besides its title and
body: ``kind`` (the law's kind, from the leading words of its title: see :data:`KIND_TABLE`), ``year``
(a number, from its date) and ``date`` (ISO). Every engine indexes the same documents; every query
returns the top 10 with their snippets and the number of matches, and then:

* ``words``: nothing more (the baseline: the same word queries the other classes use);
* ``filter-kind`` / ``filter-year`` / ``filter-date``: the words and kind = X, a 1-3-year range, a
  30-730-day date range;
* ``facet-common``: a very common word, counts by kind and by year over all its matches;
* ``facet-words``: the ordinary word queries, counts by kind and by year;
* ``sort-date``: the words, newest first (``-date``); ``sort-year``: by year, oldest first, then
  relevance.

The words are 1-3-word queries drawn by ``speed.query_mix`` from the corpus's own word list. Per
class, p50/p95/p99 for each timed pass, the median over the passes. The engines' answers (number of
matches, facet counts, the sort keys of the top 10) are compared query by query. Targets (issue #15,
for bgsearch on all 54k units): filtered p95 ≤ 15 ms, facet counts over 50,000 matches ≤ 50 ms,
sorted p95 ≤ 20 ms. These are benchmark figures, never timed tests.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from datetime import date as Date
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
for _path in (REPO_ROOT / "src", REPO_ROOT):  # the working-tree bgsearch and `benchmarks.*`
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks import corpora, speed  # noqa: E402  (needs the sys.path set-up above)

EXIT_ERROR = 2
LIMIT = speed.LIMIT  # 10 hits per query, with snippets
DEFAULT_QUERIES = 50
COMMON_MATCHES = 50_000  # "facet counts over 50,000 matches" (issue #15), on all 54,130 units
COMMON_WORDS = 10  # at most this many distinct very common words for facet-common
COMMON_SHARE = 0.7  # facet-common: the words in at least this share of the units (at least one word)
# The query words: the high and mid bands of speed.query_words (the corpus's 5,000 most frequent
# words but stop words). With the low and rare bands too, most 3-word queries match nothing.
WORD_BANDS = ("high", "mid")
ENGINES = ("bgsearch", "tantivy", "sqlite")
CLASSES = ("words", "filter-kind", "filter-year", "filter-date", "facet-common", "facet-words", "sort-date",
           "sort-year")
TARGETS_MS = {  # issue #15, bgsearch on the 54k law units: (percentile, ms)
    "filter-kind": ("p95", 15.0), "filter-year": ("p95", 15.0), "filter-date": ("p95", 15.0),
    "facet-common": ("p95", 50.0), "sort-date": ("p95", 20.0), "sort-year": ("p95", 20.0),
}
FACET_FIELDS = ("kind", "year")
FACET_SIZE = 100  # more than the kinds and years there are: every facet count is exact
SCHEMA: dict[str, dict[str, Any]] = {
    "title": {"type": "text", "boost": 2},
    "body": {"type": "text"},
    "kind": {"type": "keyword", "facet": True},
    "year": {"type": "number", "sortable": True, "facet": True},
    "date": {"type": "date", "sortable": True, "facet": True},
}

# ------------------------------------------------------------------------------------ the documents

KIND_OTHER = "друг"
# A law's kind from the leading words of its title. All but ten of the 1,989 laws begin with
# "Закон" ("Закон за ..."), so the kind is read from the words after "Закон за": first match wins.
# A law that is a code ("Изборен кодекс") is "кодекс"; a title that is not a law's ("30/09/2015")
# is "друг"; any other "Закон за X" is "закон" (a law of its own, not amending or ratifying one).
KIND_TABLE: tuple[tuple[str, str], ...] = (
    ("изменение и допълнение", "изменение и допълнение"),
    ("допълнение и изменение", "изменение и допълнение"),
    ("изменение", "изменение"),
    ("именение", "изменение"),  # a typo in one title
    ("допълнение", "допълнение"),
    ("денонсиране", "денонсиране"),
    ("бюджета", "бюджет"),
    ("държавния бюджет", "бюджет"),
    ("ратифициране", "ратифициране"),  # refined by what is ratified: RATIFIED
)
# What a ratification law ratifies: the first of these stems among the four words after "ратифициране".
RATIFIED: tuple[tuple[str, str], ...] = (
    ("споразум", "ратифициране на споразумение"),
    ("спогодб", "ратифициране на спогодба"),
    ("меморандум", "ратифициране на меморандум"),
    ("конвенци", "ратифициране на конвенция"),
    ("протокол", "ратифициране на протокол"),
    ("договор", "ратифициране на договор"),
    ("измене", "ратифициране на изменение"),
)
_LAW_WORD = re.compile(r"закон[а-я]*")


def law_kind(title: str | None) -> str:
    """The kind of a law from its title (a unit's title is the law's, then " — Чл. N")."""
    words = (title or "").split(" — ")[0].lower().replace(",", " ").split()
    if not words:
        return KIND_OTHER
    if "кодекс" in words[:2]:
        return "кодекс"
    if not _LAW_WORD.fullmatch(words[0]):
        return KIND_OTHER
    rest = words[2:] if len(words) > 1 and words[1] == "за" else words[1:]
    text = " ".join(rest)
    for lead, kind in KIND_TABLE:
        if text == lead or text.startswith(lead + " "):
            if kind != "ратифициране":
                return kind
            following = [w for w in rest[1:6] if w != "на"][:4]
            for stem, ratified in RATIFIED:
                if any(w.startswith(stem) for w in following):
                    return ratified
            return "ратифициране на друго"
    return "закон"


def field_documents(units: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Law units as documents of :data:`SCHEMA`: id, title, body, kind, and year and date where dated."""
    docs = []
    for unit in units:
        doc: dict[str, Any] = {"id": unit["id"], "title": unit.get("title") or "", "body": unit["body"],
                               "kind": law_kind(unit.get("title"))}
        if unit.get("date"):
            doc["date"] = unit["date"]
            doc["year"] = int(unit["date"][:4])
        docs.append(doc)
    return docs


def kind_distribution(docs: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Per kind, most units first: units and laws (a unit's id is the law's id, "-", its number)."""
    units = Counter(d["kind"] for d in docs)
    laws = Counter(kind for kind, _ in {(d["kind"], d["id"].rsplit("-", 1)[0]) for d in docs})
    return [{"kind": k, "units": n, "laws": laws[k]} for k, n in units.most_common()]


# ------------------------------------------------------------------------------------ the queries

_WORD = re.compile(r"[а-я]+")


def corpus_wordfreq(docs: Sequence[Mapping[str, Any]]) -> list[tuple[str, float]]:
    """(word, occurrences) of the lowercase words of the titles and bodies, most frequent first:
    the word list ``speed.query_words`` draws the query words from."""
    counts: Counter[str] = Counter()
    for doc in docs:
        counts.update(_WORD.findall(f"{doc.get('title') or ''}\n{doc['body']}".lower()))
    return [(w, float(n)) for w, n in counts.most_common()]


@dataclass(frozen=True)
class FieldQuery:
    """One query: words (``text``; ``parts`` as in ``speed.BenchQuery``, for the engines fed terms)
    and at most one of a filter, facets or a sort."""

    cls: str
    text: str
    parts: tuple[tuple[str, bool], ...]
    kind: str | None = None
    years: tuple[int, int] | None = None
    dates: tuple[str, str] | None = None
    facets: bool = False
    sort: str | None = None  # "-date" (newest first) or "year" (oldest first), ties by relevance

    def describe(self) -> str:
        extra = (f" kind={self.kind}" if self.kind else f" year={self.years[0]}..{self.years[1]}" if self.years
                 else f" date={self.dates[0]}..{self.dates[1]}" if self.dates else " +facets" if self.facets
                 else f" sort={self.sort}" if self.sort else "")
        return self.text + extra


def word_queries(docs: Sequence[dict[str, Any]], stops: Iterable[str], seed: int, count: int
                 ) -> list[speed.BenchQuery]:
    """``count`` 1-3-word queries: the 1-, 2- and 3-word queries of ``speed.query_mix`` over the
    corpus's own word list (its :data:`WORD_BANDS`), interleaved (1, 2, 3, 1, 2, 3, ...)."""
    stops = frozenset(stops)
    bands = speed.query_words(corpus_wordfreq(docs), stops)
    words = {band: bands[band] for band in WORD_BANDS if band in bands} or bands
    per = -(-count // 3)
    mix = speed.query_mix(words, docs, stops, seed=seed, per_class=per)
    by_size = [[q for q in mix if q.cls == cls] for cls in speed.WORD_CLASSES]
    return [by_size[i % 3][i // 3] for i in range(count)]


def common_words(docs: Sequence[Mapping[str, Any]], term_sets: Sequence[set[str]], stops: Iterable[str],
                 analyze: Any, count: int) -> list[tuple[str, int]]:
    """The words whose term is in the most documents (title or body), most first, (surface word,
    documents): up to ``count`` of those in :data:`COMMON_SHARE` of the documents or more (the most
    common one in any case). The surface word is the corpus's most frequent word that analyzes to
    that term alone."""
    df: Counter[str] = Counter()
    for terms in term_sets:
        df.update(terms)
    surface: dict[str, str] = {}
    for word, _ in corpus_wordfreq(docs)[:3000]:
        if word in stops or len(word) < 3:
            continue
        terms = analyze(word)
        if len(terms) == 1 and terms[0] not in surface:
            surface[terms[0]] = word
    ranked = [(surface[t], n) for t, n in df.most_common() if t in surface][:count]
    return [(w, n) for i, (w, n) in enumerate(ranked) if i == 0 or n >= COMMON_SHARE * len(term_sets)]


def field_queries(docs: Sequence[Mapping[str, Any]], words: Sequence[speed.BenchQuery],
                  common: Sequence[tuple[str, int]], seed: int) -> list[FieldQuery]:
    """Every class of :data:`CLASSES` on the same word queries; filter values drawn (seeded) from
    the documents, so a kind, year or date is picked as often as units have it."""
    rng = random.Random(seed)
    dated = [d for d in docs if d.get("date")]
    out: list[FieldQuery] = []
    for cls in CLASSES:
        if cls == "facet-common":
            out.extend(FieldQuery(cls, w, ((w, False),), facets=True) for w, _ in common)
            continue
        for q in words:
            base = FieldQuery(cls, q.text, q.parts)
            if cls == "filter-kind":
                base = FieldQuery(cls, q.text, q.parts, kind=rng.choice(docs)["kind"])
            elif cls == "filter-year":
                start = rng.choice(dated)["year"]
                base = FieldQuery(cls, q.text, q.parts, years=(start, start + rng.randrange(0, 3)))
            elif cls == "filter-date":
                start = Date.fromisoformat(rng.choice(dated)["date"])
                end = start + timedelta(days=rng.choice((30, 90, 365, 730)))
                base = FieldQuery(cls, q.text, q.parts, dates=(start.isoformat(), end.isoformat()))
            elif cls == "facet-words":
                base = FieldQuery(cls, q.text, q.parts, facets=True)
            elif cls == "sort-date":
                base = FieldQuery(cls, q.text, q.parts, sort="-date")
            elif cls == "sort-year":
                base = FieldQuery(cls, q.text, q.parts, sort="year")
            out.append(base)
    return out


# ------------------------------------------------------------------------------------ engines


@dataclass
class Answer:
    """What an engine answered: matches, facet counts (field → value → count), the sort keys of
    the hits shown, the hits shown, and for bgsearch how it read the query ("" = as written)."""

    total: int
    facets: dict[str, dict[str, int]] | None = None
    keys: list[str] | None = None
    shown: int = 0
    reading: str = ""


def _norm_value(value: Any) -> str:
    """A facet value or sort key as text: 2010, 2010.0 and "2010" are all "2010"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).lower()


def _norm_facets(facets: Mapping[str, Mapping[Any, int]]) -> dict[str, dict[str, int]]:
    return {f: {_norm_value(v): int(n) for v, n in facets.get(f, {}).items() if n} for f in FACET_FIELDS}


class Analysis(speed._TermsMixin):
    """bgsearch's analysis, for the engines fed its terms (as speed.py's tantivy and sqlite-bg)."""

    def __init__(self) -> None:
        self._setup_analysis()

    def analyze(self, text: str) -> list[str]:
        return [t.text for t in self.analyzer(text)]


class BgsearchEngine:
    name = "bgsearch"
    description = ("bgsearch: Index.create(schema=...) + add_documents; ix.search(q, limit=10, filters=, facets=, "
                   "sort=) with its snippets; results.total read every time")
    FACETS = {"kind": FACET_SIZE, "year": FACET_SIZE}

    @staticmethod
    def missing() -> str | None:
        import inspect

        from bgsearch import Index

        params = inspect.signature(Index.search).parameters
        if not all(p in params for p in ("filters", "facets", "sort")):
            return "this bgsearch has no filters/facets/sort in Index.search (issue #15 not landed)"
        return None

    def build(self, path: Path, docs: Sequence[dict[str, Any]], analysis: Analysis,
              terms: Sequence[tuple[str, str]]) -> dict[str, Any]:
        from bgsearch import Index

        with Index.create(path, schema=SCHEMA, overwrite=True) as ix:
            result = ix.add_documents(docs)
        if result.rejected:
            print(f"bgsearch rejected {len(result.rejected)} documents, e.g. {result.rejected[0]}", file=sys.stderr)
        return {"rejected": len(result.rejected)}

    def open(self, path: Path, analysis: Analysis) -> None:
        from bgsearch import Index

        self.ix = Index.open(path)

    def _search(self, q: FieldQuery, **options: Any) -> Any:
        filters: dict[str, Any] = {}
        if q.kind is not None:
            filters["kind"] = q.kind
        if q.years is not None:
            filters["year"] = q.years
        if q.dates is not None:
            filters["date"] = q.dates
        sort = None if q.sort is None else q.sort if q.sort.startswith("-") else [q.sort]
        return self.ix.search(q.text, limit=LIMIT, filters=filters or None, facets=self.FACETS if q.facets else None,
                              sort=sort, **options)

    def run(self, q: FieldQuery) -> Answer:
        res = self._search(q)
        answer = Answer(res.total, shown=len(res.hits))
        if q.facets:
            answer.facets = _norm_facets(res.facets)
        if q.sort:
            answer.keys = [_norm_value(h.fields.get(q.sort.lstrip("-"))) for h in res.hits]
        answer.reading = ("fallback" if res.fallback else "typo" if res.suggestions else "")
        return answer

    def literal(self, q: FieldQuery) -> int:
        """The matches of the query read as written: no typo guesses, no transliteration (the any-word
        fallback, when no document has every word, still counts)."""
        res = self._search(q, fuzzy=False, transliterate=False, snippets=False)
        return 0 if res.fallback else res.total

    def close(self) -> None:
        self.ix.close()


def _match_count(result: Any) -> int:
    """How many documents a tantivy search matched (`SearchResult.count`, which tantivy's own stub,
    tantivy.pyi, does not declare)."""
    return int(result.count)


class TantivyEngine:
    name = "tantivy"
    description = ("tantivy (PyPI) fed bgsearch terms (whitespace tokenizer, 1 writer thread); kind a raw fast "
                   "text field, year a fast i64, date a fast date; filters as Must clauses of a BooleanQuery "
                   "(kind a TermQuery, year/date fast-field range queries); facets by searcher.aggregate "
                   "(terms aggregations, one pass); sort by order_by_field, ties by relevance (a second search "
                   "for the tied key); snippets by bgsearch")

    @staticmethod
    def missing() -> str | None:
        return speed.TantivyEngine.missing()

    def build(self, path: Path, docs: Sequence[dict[str, Any]], analysis: Analysis,
              terms: Sequence[tuple[str, str]]) -> dict[str, Any]:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="whitespace")
        builder.add_text_field("body", tokenizer_name="whitespace")
        builder.add_bytes_field("raw", stored=True, indexed=False)  # the original body, for snippets
        builder.add_text_field("kind", stored=True, fast=True, tokenizer_name="raw")
        builder.add_integer_field("year", stored=True, indexed=True, fast=True)
        builder.add_date_field("date", stored=True, indexed=True, fast=True)
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(builder.build(), path=str(path))
        writer = index.writer(256_000_000, 1)
        for doc, (title, body) in zip(docs, terms):
            document = tantivy.Document(id=doc["id"], title=title, body=body, raw=doc["body"].encode(),
                                        kind=doc["kind"])
            if doc.get("date"):
                document.add_integer("year", doc["year"])
                document.add_date("date", _utc(doc["date"]))
            writer.add_document(document)
        writer.commit()
        writer.wait_merging_threads()
        return {}

    def open(self, path: Path, analysis: Analysis) -> None:
        import tantivy

        self.t = tantivy
        self.analysis = analysis
        self.index = tantivy.Index.open(str(path))
        self.index.reload()
        self.searcher = self.index.searcher()
        self.schema = self.index.schema

    def _query(self, q: FieldQuery) -> tuple[Any, set[str]] | None:
        t = self.t
        parts, every = self.analysis.query_terms(q)  # type: ignore[arg-type]  # it reads .parts only
        if not parts:
            return None
        text = " ".join(f'+"{" ".join(terms)}"' for terms in parts)
        words = self.index.parse_query(text, ["title", "body"], field_boosts={"title": 2.0},
                                       conjunction_by_default=True)
        clauses = [(t.Occur.Must, words)]
        if q.kind is not None:
            clauses.append((t.Occur.Must, t.Query.const_score_query(t.Query.term_query(self.schema, "kind", q.kind), 0.0)))
        if q.years is not None:
            clauses.append((t.Occur.Must, t.Query.range_query(self.schema, "year", t.FieldType.Integer, *q.years)))
        if q.dates is not None:
            clauses.append((t.Occur.Must, t.Query.range_query(self.schema, "date", t.FieldType.Date,
                                                              _utc(q.dates[0]), _utc(q.dates[1]))))
        return (words if len(clauses) == 1 else t.Query.boolean_query(clauses)), every

    def _shown(self, addresses: Iterable[Any], every: set[str]) -> list[Any]:
        """The stored documents of the hits shown, each with its snippet made."""
        shown = []
        for address in addresses:
            stored = self.searcher.doc(address)
            self.analysis.make_snippet(bytes(stored["raw"][0]).decode(), every, self.analysis.analyzer)
            shown.append(stored)
        return shown

    def run(self, q: FieldQuery) -> Answer:
        built = self._query(q)
        if built is None:
            return Answer(0, _norm_facets({}) if q.facets else None, [] if q.sort else None)
        query, every = built
        if q.sort:
            return self._sorted(q, query, every)
        result = self.searcher.search(query, LIMIT)
        answer = Answer(_match_count(result), shown=len(self._shown((a for _, a in result.hits), every)))
        if q.facets:
            aggs = self.searcher.aggregate(query, {f: {"terms": {"field": f, "size": FACET_SIZE}} for f in FACET_FIELDS})
            answer.facets = _norm_facets({f: {b["key"]: b["doc_count"] for b in aggs[f]["buckets"]} for f in FACET_FIELDS})
        return answer

    def _sorted(self, q: FieldQuery, query: Any, every: set[str]) -> Answer:
        """The top 10 by the sort field, ties broken by relevance. tantivy-py orders by one fast field
        (ties in index order), so: one search ordered by the field gives the top 10's keys; the hits
        whose key is not the last key shown are all in the top 10, ordered by relevance with a second
        search restricted to them; a third search gives the most relevant hits with the last key."""
        t = self.t
        assert q.sort is not None
        name = q.sort.lstrip("-")
        desc = q.sort.startswith("-")
        first = self.searcher.search(query, LIMIT, order_by_field=name, order=t.Order.Desc if desc else t.Order.Asc)
        if not first.hits:
            return Answer(_match_count(first), keys=[])
        field_type = t.FieldType.Date if name == "date" else t.FieldType.Integer

        def bound(key: Any) -> Any:
            if key is None:  # a match without the field: tantivy puts it last, in either order
                return None
            return datetime.fromtimestamp(key / 1e9, timezone.utc) if name == "date" else key

        def stored(doc: Any) -> Any:
            values = doc.to_dict().get(name) or [None]
            return values[0]

        keys = [bound(key) for key, _ in first.hits]
        last = keys[-1]
        before = sum(1 for key in keys if key != last)  # every match with a better key is on this page
        picked: list[Any] = []
        if before:
            if last is None:  # the keys shown are all the keys there are
                shown = [key for key in keys if key is not None]
                better = t.Query.range_query(self.schema, name, field_type, min(shown), max(shown))
            elif desc:
                better = t.Query.range_query(self.schema, name, field_type, last, None, include_lower=False)
            else:
                better = t.Query.range_query(self.schema, name, field_type, None, last, include_upper=False)
            found = self.searcher.search(t.Query.boolean_query([(t.Occur.Must, query), (t.Occur.Must, better)]),
                                         before, count=False)
            group = self._shown((a for _, a in found.hits), every)
            group.sort(key=stored, reverse=desc)  # by key; stable, so by relevance within a key
            picked.extend(group)
        if last is None:
            tied = t.Query.boolean_query([(t.Occur.Must, query), (t.Occur.MustNot, t.Query.exists_query(name))])
        else:
            tied = t.Query.boolean_query([(t.Occur.Must, query),
                                          (t.Occur.Must, t.Query.range_query(self.schema, name, field_type, last, last))])
        found = self.searcher.search(tied, LIMIT - len(picked), count=False)
        picked.extend(self._shown((a for _, a in found.hits), every))
        return Answer(_match_count(first), keys=[_norm_value(stored(d)) for d in picked], shown=len(picked))

    def close(self) -> None:
        pass


def _utc(iso: str) -> datetime:
    return datetime.fromisoformat(iso).replace(tzinfo=timezone.utc)


class SqliteEngine:
    name = "sqlite"
    layout = 2  # of the database: a --reuse'd index of another layout is built again
    description = ("SQLite FTS5 (stdlib) fed bgsearch terms (as speed.py's sqlite-bg), its rowid the key of a "
                   "units table; kind/year/date ordinary columns of units, each with an index (the bodies for "
                   "the snippets in a table of their own); 64 MB page cache, 256 MB mmap; filters as WHERE, "
                   "facets as one GROUP BY kind, year over the FTS match (which also gives the total), sort as "
                   "ORDER BY field, bm25; the total by count(*), the page by ORDER BY ... LIMIT 10; snippets by "
                   "bgsearch")
    tokenize = speed.SqliteTermsEngine.tokenize

    @staticmethod
    def missing() -> str | None:
        try:
            db = sqlite3.connect(":memory:")
            db.execute("CREATE VIRTUAL TABLE t USING fts5(x)")
            db.close()
        except sqlite3.Error as exc:
            return f"this Python's SQLite has no FTS5 ({exc})"
        return None

    def build(self, path: Path, docs: Sequence[dict[str, Any]], analysis: Analysis,
              terms: Sequence[tuple[str, str]]) -> dict[str, Any]:
        path.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path / "fts.db")
        db.execute("CREATE TABLE units (n INTEGER PRIMARY KEY, id TEXT, kind TEXT, year INTEGER, date TEXT)")
        db.execute("CREATE TABLE bodies (n INTEGER PRIMARY KEY, raw TEXT)")
        db.execute(f"CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize = '{self.tokenize}')")
        with db:
            db.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?)",
                           ((n, d["id"], d["kind"], d.get("year"), d.get("date")) for n, d in enumerate(docs, 1)))
            db.executemany("INSERT INTO bodies VALUES (?, ?)", ((n, d["body"]) for n, d in enumerate(docs, 1)))
            db.executemany("INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
                           ((n, title, body) for n, (title, body) in enumerate(terms, 1)))
            for column in ("kind", "year", "date"):
                db.execute(f"CREATE INDEX units_{column} ON units ({column})")
            db.execute("ANALYZE")
        db.close()
        return {}

    def open(self, path: Path, analysis: Analysis) -> None:
        self.analysis = analysis
        self.db = sqlite3.connect(path / "fts.db")
        self.db.execute("PRAGMA cache_size = -65536")  # 64 MB (the default is 2 MB)
        self.db.execute("PRAGMA mmap_size = 268435456")

    def run(self, q: FieldQuery) -> Answer:
        parts, every = self.analysis.query_terms(q)  # type: ignore[arg-type]  # it reads .parts only
        if not parts:
            return Answer(0, _norm_facets({}) if q.facets else None, [] if q.sort else None)
        match = " ".join(speed.SqliteEngine._quote(" ".join(terms)) for terms in parts)
        where, args = "fts MATCH ?", list[Any]([match])
        if q.kind is not None:
            where += " AND u.kind = ?"
            args.append(q.kind)
        for column, bounds in (("year", q.years), ("date", q.dates)):
            if bounds is not None:
                where += f" AND u.{column} BETWEEN ? AND ?"
                args.extend(bounds)
        joined = f"FROM fts JOIN units u ON u.n = fts.rowid WHERE {where}"
        order = "bm25(fts, 2.0, 1.0)"
        if q.sort:  # a document without the field last, as bgsearch does
            name = q.sort.lstrip("-")
            order = f"u.{name} IS NULL, u.{name}{' DESC' if q.sort.startswith('-') else ''}, {order}"
        answer = Answer(0)
        if q.facets:  # one pass over the matches: counts by (kind, year), summed per field here
            counts: dict[str, Counter[Any]] = {f: Counter() for f in FACET_FIELDS}
            for kind, year, n in self.db.execute(f"SELECT u.kind, u.year, count(*) {joined} GROUP BY u.kind, u.year", args):
                counts["kind"][kind] += n
                if year is not None:
                    counts["year"][year] += n
                answer.total += n
            answer.facets = _norm_facets(counts)
        elif where == "fts MATCH ?":  # no filter: the FTS table alone
            answer.total = self.db.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", args).fetchone()[0]
        else:
            answer.total = self.db.execute(f"SELECT count(*) {joined}", args).fetchone()[0]
        if where == "fts MATCH ?" and not q.sort:  # the page from the FTS table alone
            page = "SELECT rowid, NULL, NULL FROM fts WHERE fts MATCH ? ORDER BY bm25(fts, 2.0, 1.0) LIMIT ?"
        else:
            page = f"SELECT u.n, u.date, u.year {joined} ORDER BY {order} LIMIT ?"
        rows = self.db.execute(page, [*args, LIMIT]).fetchall()
        for n, _, _ in rows:
            raw = self.db.execute("SELECT raw FROM bodies WHERE n = ?", (n,)).fetchone()[0]
            self.analysis.make_snippet(raw, every, self.analysis.analyzer)
        answer.shown = len(rows)
        if q.sort:
            answer.keys = [_norm_value(row[1] if q.sort.lstrip("-") == "date" else row[2]) for row in rows]
        return answer

    def close(self) -> None:
        self.db.close()


ENGINE_CLASSES: dict[str, Any] = {"bgsearch": BgsearchEngine, "tantivy": TantivyEngine, "sqlite": SqliteEngine}


# ------------------------------------------------------------------------------------ measuring


def bench(engines: Mapping[str, Any], queries: Sequence[FieldQuery], runs: int,
          note: Any = lambda text: None) -> tuple[dict[str, list[Answer]], dict[str, list[list[float]]]]:
    """One untimed pass per engine (its answers), then ``runs`` timed passes, the engines taking
    turns pass by pass (so a busy spell of the machine hits them alike). Times in ms."""
    answers = {name: [engine.run(q) for q in queries] for name, engine in engines.items()}
    times: dict[str, list[list[float]]] = {name: [] for name in engines}
    clock = time.perf_counter
    for run in range(runs):
        for name, engine in engines.items():
            note(f"  timed pass {run + 1}/{runs}: {name}")
            run_times = []
            for q in queries:
                started = clock()
                engine.run(q)
                run_times.append((clock() - started) * 1000)
            times[name].append(run_times)
    return answers, times


def latency(queries: Sequence[FieldQuery], answers: Sequence[Answer], times: Sequence[Sequence[float]],
            keep: Iterable[int] | None = None) -> dict[str, Any]:
    """Per class: queries, with matches, median matches, p50/p95/p99/mean (median over the passes);
    over the queries ``keep`` only, if given."""
    out: dict[str, Any] = {}
    kept = set(range(len(queries)) if keep is None else keep)
    for cls in CLASSES:
        picked = [i for i, q in enumerate(queries) if q.cls == cls and i in kept]
        if not picked:
            continue
        totals = [answers[i].total for i in picked]
        out[cls] = {
            "n": len(picked),
            "with_matches": sum(1 for n in totals if n),
            "median_matches": statistics.median(totals),
            "max_matches": max(totals),
            **{f"p{p}_ms": speed.median(speed.percentile([run[i] for i in picked], p) for run in times)
               for p in (50, 95, 99)},
            "mean_ms": speed.median(statistics.fmean(run[i] for i in picked) for run in times),
        }
    return out


def agreement(queries: Sequence[FieldQuery], answers: Mapping[str, Sequence[Answer]],
              literal: Mapping[int, int]) -> dict[str, Any]:
    """The engines' answers compared query by query: the number of matches, the facet counts and the
    sort keys of the hits shown. A bgsearch answer that differs only because bgsearch read the query
    otherwise (a typo guess, or the any-word fallback when no document has every word), while its
    count for the query read as written (``literal``) is the peers', is listed apart. ``equal``:
    the indexes of the queries every engine answered alike."""
    names = list(answers)
    per_class: dict[str, dict[str, int]] = {}
    differences: list[dict[str, Any]] = []
    widened: list[dict[str, Any]] = []
    equal: list[int] = []
    for i, q in enumerate(queries):
        row = per_class.setdefault(q.cls, {"queries": 0, "agree": 0, "bgsearch_reread": 0})
        row["queries"] += 1
        got = {name: answers[name][i] for name in names}
        what: dict[str, dict[str, Any]] = {"total": {n: a.total for n, a in got.items()}}
        if q.facets:
            what["facets"] = {n: a.facets for n, a in got.items()}
        if q.sort:
            what["keys"] = {n: a.keys for n, a in got.items()}
        differ = [k for k, v in what.items() if len({json.dumps(x, sort_keys=True) for x in v.values()}) > 1]
        if not differ:
            row["agree"] += 1
            equal.append(i)
            continue
        record = {"i": i, "cls": q.cls, "query": q.describe(), "differ": differ,
                  **{k: what[k] for k in differ}}
        bg = got.get("bgsearch")
        peers_agree = all(len({json.dumps(v, sort_keys=True) for n, v in what[k].items() if n != "bgsearch"}) <= 1
                          for k in what)
        peer_totals = {v for n, v in what["total"].items() if n != "bgsearch"}
        if bg is not None and bg.reading and peers_agree and i in literal and peer_totals == {literal[i]}:
            record["bgsearch_reading"] = bg.reading
            record["bgsearch_literal_total"] = literal[i]
            row["bgsearch_reread"] += 1
            widened.append(record)
        else:
            differences.append(record)
    return {"per_class": per_class, "differences": differences, "bgsearch_reread": widened, "equal": equal}


def equal_speed(queries: Sequence[FieldQuery], per_query: Mapping[str, Mapping[str, Any]], equal: Sequence[int]
                ) -> dict[str, dict[str, Any]]:
    """Per peer and class, over the queries every engine answered alike (and that match something):
    how many, and the geometric mean of bgsearch's median latency ÷ the peer's (above 1: the peer
    is faster) — like for like, where the any-word fallback or a typo guess changed nothing."""
    out: dict[str, dict[str, Any]] = {}
    bg = per_query.get("bgsearch")
    if bg is None:
        return out
    for name, peer in per_query.items():
        if name == "bgsearch":
            continue
        for cls in CLASSES:
            ratios = [bg["median_ms"][i] / peer["median_ms"][i] for i in equal
                      if queries[i].cls == cls and bg["total"][i] and peer["median_ms"][i] > 0]
            out.setdefault(name, {})[cls] = {"n": len(ratios),
                                             "geomean": statistics.geometric_mean(ratios) if ratios else float("nan")}
    return out


# ------------------------------------------------------------------------------------ reporting


def show_kinds(report: speed.Report, kinds: Sequence[Mapping[str, Any]]) -> None:
    total = sum(k["units"] for k in kinds)
    report.table(f"Kinds of law (the 'kind' field; {len(kinds)} values over {total:,} units)",
                 ("kind", "laws", "units", "share"),
                 [(k["kind"], f"{k['laws']:,}", f"{k['units']:,}", f"{k['units'] / total:.1%}") for k in kinds])


def show_latency(report: speed.Report, res: Mapping[str, Mapping[str, Any]],
                 alike: Mapping[str, Mapping[str, Any]]) -> None:
    bg = res.get("bgsearch", {})
    rows: list[Sequence[Any] | None] = []
    for cls in CLASSES:
        for name, r in res.items():
            if cls not in r:
                continue
            c = r[cls]
            vs = ["-", "-", "-"]
            if not name.startswith("bg") and cls in bg:
                vs = [speed.ratio_text(bg[cls][k] / c[k] if c[k] else float("nan")) for k in ("p50_ms", "p95_ms")]
                same = alike.get(name, {}).get(cls)
                vs.append(f"{speed.ratio_text(same['geomean'])} ({same['n']})" if same and same["n"] else "-")
            target = ""
            if name.startswith("bg") and cls in TARGETS_MS:
                which, limit = TARGETS_MS[cls]
                target = f"≤ {limit:g} {'met' if c[which + '_ms'] <= limit else 'MISSED'}"
            rows.append((cls if name == next(iter(res)) else "", name, c["n"], c["with_matches"],
                         f"{c['median_matches']:,.0f}", speed._fmt(c["p50_ms"], 2), speed._fmt(c["p95_ms"], 2),
                         speed._fmt(c["p99_ms"], 2), *vs, target))
        rows.append(None)
    report.table("Field queries: top 10 with snippets and the number of matches, ms (per-pass percentiles, "
                 "median over the passes)",
                 ("class", "engine", "queries", "with matches", "median matches", "p50", "p95", "p99",
                  "p50 speed vs bg", "p95 speed vs bg", "alike speed vs bg (queries)", "target p95 ms"), rows[:-1],
                 caption="speed vs bg: bgsearch's latency ÷ the engine's (above 1: the engine is faster). alike: the "
                         "geometric mean of that ratio per query, over the queries with matches that every engine "
                         "answered alike (bgsearch's any-word fallback, when no unit has every word, finds matches "
                         "the peers do not look for). bg as written: bgsearch on the queries it answered as written "
                         "(no fallback, no typo guess). The targets are for bgsearch on all 54,130 law units.")


def show_common(report: speed.Report, queries: Sequence[FieldQuery], results: Mapping[str, Any]) -> None:
    """facet-common query by query: its matches and each engine's median latency."""
    per_query = results["per_query"]
    names = list(per_query)
    rows = []
    for i, q in enumerate(queries):
        if q.cls != "facet-common":
            continue
        total = per_query[names[0]]["total"][i]
        target = ""
        if "bgsearch" in per_query and total >= COMMON_MATCHES:
            ms = per_query["bgsearch"]["median_ms"][i]
            target = f"≤ 50 {'met' if ms <= TARGETS_MS['facet-common'][1] else 'MISSED'}"
        rows.append((q.text, f"{total:,}", *(speed._fmt(per_query[n]["median_ms"][i], 2) for n in names), target))
    report.table("facet-common: counts by kind and by year over a very common word's matches (median ms)",
                 ("word", "matches", *names, f"target ms (≥ {COMMON_MATCHES:,} matches)"), rows)


def show_agreement(report: speed.Report, agree: Mapping[str, Any]) -> None:
    rows = [(cls, r["queries"], r["agree"], r["bgsearch_reread"], r["queries"] - r["agree"] - r["bgsearch_reread"])
            for cls, r in agree["per_class"].items()]
    report.table("Do the engines agree? (matches; facet counts; the sort keys of the top 10)",
                 ("class", "queries", "all engines equal", "bgsearch read it otherwise", "differences"), rows,
                 caption="read it otherwise: bgsearch guessed a typo or fell back to any word (its defaults), "
                         "the peers agree with each other; the count bgsearch gives for the literal query is in "
                         "the JSON (bgsearch_literal_total).")
    for record in agree["differences"][:10]:
        shown = {k: _facet_differences(record[k]) if k == "facets" else record[k] for k in record["differ"]}
        report.console.print(f"  difference: [{record['cls']}] {record['query']}: "
                             + "; ".join(f"{k} {json.dumps(v, ensure_ascii=False)}" for k, v in shown.items()),
                             markup=False, highlight=False)
    if len(agree["differences"]) > 10:
        report.console.print(f"  ... and {len(agree['differences']) - 10} more (in the JSON)")


def _facet_differences(by_engine: Mapping[str, Mapping[str, Mapping[str, int]] | None]) -> dict[str, Any]:
    """Only the facet values whose counts differ: field → value → [count per engine]."""
    names = list(by_engine)
    out: dict[str, Any] = {}
    for f in FACET_FIELDS:
        values = sorted({v for facets in by_engine.values() for v in ((facets or {}).get(f) or {})})
        for v in values:
            counts = [((by_engine[n] or {}).get(f) or {}).get(v, 0) for n in names]
            if len(set(counts)) > 1:
                out.setdefault(f, {"engines": names})[v] = counts
    return out


# ------------------------------------------------------------------------------------ main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--docs", type=int, default=None, metavar="N", help="the first N law units (default: all)")
    p.add_argument("--runs", type=int, default=3, metavar="R", help="timed passes; medians are reported (default 3)")
    p.add_argument("--queries", type=int, default=DEFAULT_QUERIES, metavar="N",
                   help=f"queries per class (default {DEFAULT_QUERIES}; facet-common: at most {COMMON_WORDS})")
    p.add_argument("--seed", type=int, default=speed.DEFAULT_SEED, help="query seed")
    p.add_argument("--engines", default=",".join(ENGINES), help=f"comma-separated, of {', '.join(ENGINES)} (default all)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    p.add_argument("--data-dir", type=Path, default=None, help="shared data directory (default: ../shared/data)")
    p.add_argument("--work-dir", type=Path, default=None, help="where to build the indexes (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the built indexes")
    p.add_argument("--reuse", action="store_true",
                   help="use the indexes a --keep run left in --work-dir for the same --docs, instead of building")
    p.add_argument("--quiet", action="store_true", help="no progress notes")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _main(args)
    except corpora.DataMissingError as exc:
        print(f"fields.py: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("fields.py: interrupted", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    data = corpora.data_dir(args.data_dir)
    if args.runs < 1 or args.queries < 1 or (args.docs is not None and args.docs < 1):
        print("fields.py: error: --runs, --queries and --docs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    wanted = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = [e for e in wanted if e not in ENGINE_CLASSES]
    if unknown or not wanted:
        print(f"fields.py: error: unknown engine(s) {', '.join(unknown) or '(none)'}; choose from {', '.join(ENGINES)}",
              file=sys.stderr)
        return EXIT_ERROR
    report = speed.Report(quiet=args.quiet)
    results: dict[str, Any] = {"meta": {
        "docs_requested": args.docs, "runs": args.runs, "queries_per_class": args.queries, "seed": args.seed,
        "versions": speed._versions(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "load_average_at_start": _load(), "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "skipped": {},
        "schema": SCHEMA,
    }}
    engines = []
    for name in wanted:
        why = ENGINE_CLASSES[name].missing()
        if why:
            report.console.print(f"{name}: skipped ({why})")
            results["meta"]["skipped"][name] = why
        else:
            engines.append(name)
    results["meta"]["engines"] = {e: ENGINE_CLASSES[e].description for e in engines}

    docs = field_documents(corpora.load_corpus("laws", data, args.docs))
    report.note(f"laws: {len(docs):,} units, {sum(len(d['body']) for d in docs) / 1e6:.1f}M characters")
    results["kinds"] = kind_distribution(docs)
    show_kinds(report, results["kinds"])

    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="bgsearch-fields-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        run(args, docs, engines, work, report, results)
    finally:
        if not args.keep and not args.reuse:
            shutil.rmtree(work, ignore_errors=True)
    results["meta"]["elapsed_s"] = time.perf_counter() - started
    results["meta"]["load_average_at_end"] = _load()
    report.console.print(f"[dim]done in {results['meta']['elapsed_s']:.0f} s; load average at start "
                         f"{results['meta']['load_average_at_start']}, at end {results['meta']['load_average_at_end']}[/dim]")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
        report.console.print(f"[dim]results written to {args.json}[/dim]")
    return 0


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def run(args: argparse.Namespace, docs: Sequence[dict[str, Any]], engines: Sequence[str], work: Path,
        report: speed.Report, results: dict[str, Any]) -> None:
    stamp = {"docs": len(docs), "first": docs[0]["id"], "last": docs[-1]["id"], "schema": SCHEMA}
    results["build_s"] = {}
    # bgsearch first: it writes with forked workers only while no other thread runs in the process
    # (tantivy starts threads).
    analysis: Analysis | None = None
    terms: list[tuple[str, str]] = []
    for name in engines:
        path = work / name
        marker = work / f"{name}.built.json"
        engine_stamp = {**stamp, "layout": getattr(ENGINE_CLASSES[name], "layout", 1)}
        if args.reuse and marker.is_file() and json.loads(marker.read_text("utf-8")) == engine_stamp:
            report.note(f"{name}: reusing the index in {path}")
            continue
        if name != "bgsearch" and not terms:
            analysis = analysis or Analysis()
            report.note("analyzing titles and bodies with bgsearch (the terms tantivy and SQLite are fed)")
            began = time.perf_counter()
            terms = [(analysis.terms(d["title"]), analysis.terms(d["body"])) for d in docs]
            results["build_s"]["bgsearch analysis for the peers"] = time.perf_counter() - began
        shutil.rmtree(path, ignore_errors=True)
        report.note(f"indexing {len(docs):,} units with {name}")
        began = time.perf_counter()
        ENGINE_CLASSES[name]().build(path, docs, analysis, terms)
        results["build_s"][name] = time.perf_counter() - began
        marker.write_text(json.dumps(engine_stamp, ensure_ascii=False), "utf-8")
        report.note(f"  {name}: {results['build_s'][name]:.1f} s")
    analysis = analysis or Analysis()

    stops = speed.mix_stop_words()
    words = word_queries(docs, stops, args.seed, args.queries)
    term_sets = [set(analysis.analyze(f"{d['title']}\n{d['body']}")) for d in docs] if not terms else \
        [set(f"{title} {body}".split()) for title, body in terms]
    common = common_words(docs, term_sets, stops, analysis.analyze, min(args.queries, COMMON_WORDS))
    results["common_words"] = [{"word": w, "units": n} for w, n in common]
    report.note("very common words (units with the word's term): "
                + ", ".join(f"{w} {n:,}" for w, n in common) + f" (of {len(docs):,})")
    queries = field_queries(docs, words, common, args.seed)
    results["queries"] = [asdict(q) for q in queries]

    opened: dict[str, Any] = {}
    try:
        for name in engines:
            engine = ENGINE_CLASSES[name]()
            engine.open(work / name, analysis)
            opened[name] = engine
        report.note(f"{len(queries)} queries × {len(opened)} engines: one untimed pass, then {args.runs} timed passes")
        answers, times = bench(opened, queries, args.runs, report.note)
        literal = {}
        if "bgsearch" in opened:
            literal = {i: opened["bgsearch"].literal(q) for i, q in enumerate(queries) if answers["bgsearch"][i].reading}
    finally:
        for engine in opened.values():
            engine.close()
    results["latency"] = {name: latency(queries, answers[name], times[name]) for name in opened}
    if "bgsearch" in opened:  # without the queries bgsearch answered by its any-word fallback or a typo guess
        as_written = [i for i, a in enumerate(answers["bgsearch"]) if not a.reading]
        results["latency_as_written"] = {"bgsearch": latency(queries, answers["bgsearch"], times["bgsearch"], as_written)}
    results["per_query"] = {name: {"total": [a.total for a in answers[name]],
                                   "median_ms": [speed.median(run[i] for run in times[name]) for i in range(len(queries))]}
                            for name in opened}
    results["agreement"] = agreement(queries, answers, literal)
    results["alike"] = equal_speed(queries, results["per_query"], results["agreement"]["equal"])
    shown = dict(results["latency"])
    if "latency_as_written" in results:
        shown = {"bgsearch": shown.pop("bgsearch"), "bg as written": results["latency_as_written"]["bgsearch"], **shown}
    show_latency(report, shown, results["alike"])
    show_common(report, queries, results)
    show_agreement(report, results["agreement"])


if __name__ == "__main__":
    sys.exit(main())
