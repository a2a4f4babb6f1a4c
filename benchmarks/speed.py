"""Speed benchmark: bgsearch's indexing, analyzer, queries and CLI, against stock Whoosh, tantivy and
SQLite FTS5 on the same real Bulgarian documents and the same query strings.

Run from the repository root::

    python benchmarks/speed.py [--corpus laws|news|blurbs] [--docs N] [--runs R] [--json out.json]
                               [--peers whoosh,tantivy,sqlite,sqlite-bg] [--scaling]
    python benchmarks/speed.py --analyzer-only          # analyzer throughput alone, ~30 s
    python benchmarks/speed.py --scaling-only           # the laws scaling table alone

See ``benchmarks/README.md`` for what each measure means. In short:

* indexing: each engine builds the index in a fresh subprocess (so peak RSS is its own), ``--runs``
  times; medians of build time (from before the engine is imported to its commit; wall and CPU),
  docs/s, MB/s (UTF-8 body text), time to the first searchable commit, time to the first query
  answered, index size, peak RSS;
* analyzer: tokens/s of ``BulgarianAnalyzer()`` and Whoosh's ``StemmingAnalyzer()`` on the same
  bodies;
* queries: p50/p95/p99 latency per class of a seeded query mix (see :func:`query_mix`), after one
  untimed warm-up pass; per-run percentiles, median over the runs; for bgsearch also the first
  time each query runs (the process warmed on a mix of another seed);
* CLI: wall time of ``bgsearch query Q --index DIR`` to its first output line and to its exit, for a
  word, three words and a phrase of the mix;
* incremental update: 100 documents added to the built bgsearch index, against their analysis.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
# Make `benchmarks.*` and the working-tree `bgsearch` importable when run as a plain script.
for _path in (REPO_ROOT / "src", REPO_ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks import corpora  # noqa: E402  (needs the sys.path set-up above; imports no bgsearch)

EXIT_ERROR = 2
DEFAULT_SEED = 20240607
DEFAULT_PER_CLASS = 50
ANALYZER_ONLY_DOCS = 12_000
SCALING_SIZES = (5_000, 10_000, 20_000, 40_000)
INCREMENTAL_DOCS = 100  # added to the built index, one commit
ENGINES = ("bgsearch", "whoosh", "tantivy", "sqlite", "sqlite-bg")
DEFAULT_PEERS = ("whoosh", "tantivy", "sqlite", "sqlite-bg")
QUERY_CLASSES = ("1-word", "2-word", "3-word", "phrase", "date", "latin", "misspelled")
WORD_CLASSES = ("1-word", "2-word", "3-word")
LIMIT = 10

# ------------------------------------------------------------------------------------ query mix

# Bands of the query-word list (Cyrillic, 3+ letters, no stop words), by frequency rank.
BANDS = (("high", 0, 1_000), ("mid", 1_000, 5_000), ("low", 5_000, 15_000), ("rare", 15_000, None))
_QUERY_WORD = re.compile(r"[а-я]{3,}")
_TEXT_WORD = re.compile(r"[А-Яа-я]+")
_ALPHABET = "абвгдежзийклмнопрстуфхцчшщъьюя"

# The official Bulgarian transliteration (Transliteration Act 2009, the "streamlined system").
_TRANSLIT = dict(zip(
    "абвгдежзийклмнопрстуфхцчшщъьюя",
    ["a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "h", "ts", "ch", "sh", "sht", "a", "y", "yu", "ya"],
))


def transliterate(word: str) -> str:
    """Official Latin spelling of a lowercase Bulgarian word: ``щастие`` → ``shtastie``.

    A final ``-ия`` is written ``-ia`` (``история`` → ``istoria``), as the Act prescribes.
    """
    word = word.lower()
    tail = ""
    if word.endswith("ия"):
        word, tail = word[:-2], "ia"
    return "".join(_TRANSLIT.get(ch, ch) for ch in word) + tail


@dataclass(frozen=True)
class BenchQuery:
    """One query of the mix. ``text`` is what bgsearch and Whoosh are given; ``parts`` the same
    query as a list of (words, is_phrase), for the engines that take analyzed terms."""

    cls: str
    text: str
    parts: tuple[tuple[str, bool], ...]
    date_from: str | None = None
    date_to: str | None = None
    band: str | None = None


def query_words(wordfreq: Iterable[tuple[str, float]], stop_words: Iterable[str]) -> dict[str, list[str]]:
    """Query words by frequency band: lowercase Cyrillic words of 3+ letters, stop words left out."""
    stops = frozenset(stop_words)
    words = [w for w, _ in wordfreq if _QUERY_WORD.fullmatch(w) and w not in stops]
    return {name: words[lo:hi] for name, lo, hi in BANDS if words[lo:hi]}


def misspell(word: str, rng: random.Random) -> str:
    """One edit (substitution, deletion, insertion or swap of neighbours), never on the first letter."""
    for _ in range(20):
        i = rng.randrange(1, len(word))
        kind = rng.choice(("sub", "del", "ins", "swap"))
        if kind == "sub":
            out = word[:i] + rng.choice(_ALPHABET.replace(word[i], "")) + word[i + 1 :]
        elif kind == "del":
            out = word[:i] + word[i + 1 :]
        elif kind == "ins":
            out = word[:i] + rng.choice(_ALPHABET) + word[i:]
        else:
            if i + 1 >= len(word) or word[i] == word[i + 1]:
                continue
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        if out != word:
            return out
    return word[:-1]


def _phrases(docs: Sequence[dict[str, Any]], stops: frozenset[str], rng: random.Random, count: int) -> list[str]:
    """``count`` phrases of 2-3 consecutive words (no stop words, only spaces between them) from document bodies."""
    found: list[str] = []
    attempts = 0
    while len(found) < count and attempts < count * 50 and docs:
        attempts += 1
        body = docs[rng.randrange(len(docs))]["body"]
        size = rng.choice((2, 3))
        words = [(m.group().lower(), m.start(), m.end()) for m in _TEXT_WORD.finditer(body)]
        runs = []
        for i in range(len(words) - size + 1):
            window = words[i : i + size]
            if all(len(w) >= 3 and w not in stops for w, _, _ in window) and all(
                body[a[2] : b[1]] == " " for a, b in zip(window, window[1:])
            ):
                runs.append(" ".join(w for w, _, _ in window))
        if runs:
            found.append(rng.choice(runs))
    return found


def _date_windows(docs: Sequence[dict[str, Any]], rng: random.Random, count: int) -> list[tuple[str, str]]:
    years = sorted({int(d["date"][:4]) for d in docs if d.get("date")})
    windows = []
    for _ in range(count):
        if not years:  # a corpus without dates: the filter still runs (and matches nothing)
            windows.append(("2000-01-01", "2004-12-31"))
            continue
        start = rng.choice(years)
        windows.append((f"{start}-01-01", f"{start + rng.randrange(0, 5)}-12-31"))
    return windows


def query_mix(
    words: dict[str, list[str]],
    docs: Sequence[dict[str, Any]],
    stop_words: Iterable[str],
    seed: int = DEFAULT_SEED,
    per_class: int = DEFAULT_PER_CLASS,
) -> list[BenchQuery]:
    """The fixed query mix: ``per_class`` queries of each class in :data:`QUERY_CLASSES`.

    * 1-/2-/3-word: words from the frequency bands of :func:`query_words`, word ``j`` of query ``i``
      from band ``(i + j) mod bands``;
    * phrase: 2-3 consecutive words of a document's text, quoted;
    * date: a 1-word query (high/mid bands) within a 1-5-year window starting at a year some document has;
    * latin: a 1-word query (high/mid) in the official transliteration;
    * misspelled: a 6+ letter word (high/mid/low) with one edit.

    Deterministic for a given seed, word list and documents.
    """
    rng = random.Random(seed)
    stops = frozenset(stop_words)
    bands = list(words)
    common = [w for b in ("high", "mid") if b in words for w in words[b]] or [w for b in bands for w in words[b]]
    long_words = [w for b in ("high", "mid", "low") if b in words for w in words[b] if len(w) >= 6]
    mix: list[BenchQuery] = []
    for size, cls in ((1, "1-word"), (2, "2-word"), (3, "3-word")):
        for i in range(per_class):
            picked = []
            for j in range(size):
                band = bands[(i + j) % len(bands)]
                picked.append(rng.choice(words[band]))
            band = bands[i % len(bands)] if size == 1 else "mixed"
            mix.append(BenchQuery(cls, " ".join(picked), tuple((w, False) for w in picked), band=band))
    for phrase in _phrases(docs, stops, rng, per_class):
        mix.append(BenchQuery("phrase", f'"{phrase}"', ((phrase, True),)))
    for start, end in _date_windows(docs, rng, per_class):
        word = rng.choice(common)
        mix.append(BenchQuery("date", word, ((word, False),), date_from=start, date_to=end))
    for _ in range(per_class):
        word = transliterate(rng.choice(common))
        mix.append(BenchQuery("latin", word, ((word, False),)))
    for _ in range(per_class):
        word = misspell(rng.choice(long_words or common), rng)
        mix.append(BenchQuery("misspelled", word, ((word, False),)))
    return mix


# ------------------------------------------------------------------------------------ engines


def _dir_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


class Engine:
    """An engine under test: builds an index of the documents, then answers the query mix."""

    name = ""
    description = ""

    @staticmethod
    def missing() -> str | None:
        """Why the engine cannot run here, or None."""
        return None

    def build(self, path: Path, docs: Sequence[dict[str, Any]]) -> dict[str, float]:
        """Index ``docs`` into ``path`` and commit; returns extra timings (seconds)."""
        raise NotImplementedError

    def open(self, path: Path) -> None:
        raise NotImplementedError

    def query(self, q: BenchQuery) -> int:
        """Run one query: top 10 with snippets; returns the number of hits shown."""
        raise NotImplementedError

    def close(self) -> None:
        pass


class BgsearchEngine(Engine):
    name = "bgsearch"
    description = "bgsearch: Index.add_documents; ix.search(q, limit=10) with its snippets"

    def build(self, path: Path, docs: Sequence[dict[str, Any]]) -> dict[str, float]:
        from bgsearch import Index

        watcher = _FirstCommitWatcher(path)
        with Index.create(path, overwrite=True) as ix:
            result = ix.add_documents(docs, progress=watcher)
        if result.rejected:
            print(f"bgsearch rejected {len(result.rejected)} documents, e.g. {result.rejected[0]}", file=sys.stderr)
        return {"first_commit_at": watcher.seen} if watcher.seen else {}

    def open(self, path: Path) -> None:
        from bgsearch import Index

        self.ix = Index.open(path)

    def query(self, q: BenchQuery) -> int:
        return len(self.ix.search(q.text, limit=LIMIT, date_from=q.date_from, date_to=q.date_to).hits)

    def close(self) -> None:
        self.ix.close()


class _FirstCommitWatcher:
    """Notes when the first commit after creation lands in a Whoosh index directory.

    bgsearch commits every ``COMMIT_EVERY`` documents, so its documents become searchable before a
    big batch is done. A Whoosh commit writes a new table of contents, ``_<index>_<generation>.toc``
    (creation writes generation 0). The check runs from bgsearch's progress callback (several times a
    second), not from a thread: bgsearch writes with forked workers only when no other thread runs."""

    _TOC = re.compile(r"_.+_(\d+)\.toc")

    def __init__(self, path: Path) -> None:
        self.path = path
        self.seen: float | None = None

    def __call__(self, done: int, total: int | None) -> None:
        if self.seen is None and any((m := self._TOC.fullmatch(n)) and int(m.group(1)) >= 1
                                     for n in os.listdir(self.path)):
            self.seen = time.perf_counter()


class WhooshEngine(Engine):
    name = "whoosh"
    description = ("stock Whoosh: TEXT(stored=True) StandardAnalyzer, single writer; "
                   "MultifieldParser(title, body), AND; hit.highlights('body')")

    def build(self, path: Path, docs: Sequence[dict[str, Any]]) -> dict[str, float]:
        from whoosh import index
        from whoosh.fields import ID, STORED, TEXT, Schema

        schema = Schema(id=ID(stored=True, unique=True), title=TEXT(stored=True), body=TEXT(stored=True),
                        date=ID(stored=True), url=STORED())
        path.mkdir(parents=True, exist_ok=True)
        ix = index.create_in(str(path), schema)
        writer = ix.writer()
        for doc in docs:
            writer.add_document(**{k: doc[k] for k in ("id", "title", "body", "date", "url") if doc.get(k)})
        writer.commit()
        ix.close()
        return {}

    def open(self, path: Path) -> None:
        from whoosh import index
        from whoosh.qparser import MultifieldParser
        from whoosh.query import TermRange

        self.ix = index.open_dir(str(path))
        self.searcher = self.ix.searcher()
        self.parser = MultifieldParser(["title", "body"], self.ix.schema)  # AndGroup is the default
        self.term_range = TermRange

    def query(self, q: BenchQuery) -> int:
        parsed = self.parser.parse(q.text)
        date_filter = self.term_range("date", q.date_from, q.date_to) if q.date_from or q.date_to else None
        results = self.searcher.search(parsed, limit=LIMIT, filter=date_filter)
        for hit in results:
            hit.highlights("body")
        return len(results)

    def close(self) -> None:
        self.searcher.close()
        self.ix.close()


class _TermsMixin:
    """For engines fed bgsearch's terms: analyze text and queries with bgsearch; snippets by bgsearch."""

    def _setup_analysis(self) -> None:
        from bgsearch.analysis.analyzer import BulgarianAnalyzer
        from bgsearch.highlight import make_snippet

        self.analyzer = BulgarianAnalyzer()
        self.make_snippet = make_snippet

    def terms(self, text: str | None) -> str:
        return " ".join(t.text for t in self.analyzer(text)) if text else ""

    def query_terms(self, q: BenchQuery) -> tuple[list[list[str]], set[str]]:
        """Each part's terms (a phrase when more than one), and all terms (for the snippet)."""
        parts, every = [], set()
        for text, _ in q.parts:
            terms = [t.text for t in self.analyzer(text)]
            if terms:
                parts.append(terms)
                every.update(terms)
        return parts, every


class TantivyEngine(_TermsMixin, Engine):
    name = "tantivy"
    description = ("tantivy (PyPI) fed bgsearch terms: whitespace tokenizer, 1 writer thread; "
                   "queries analyzed by bgsearch, AND, title boost 2; snippets by bgsearch")

    @staticmethod
    def missing() -> str | None:
        if importlib.util.find_spec("tantivy") is None:
            return "not installed (pip install tantivy, or pip install -e '.[bench]')"
        return None

    def build(self, path: Path, docs: Sequence[dict[str, Any]]) -> dict[str, float]:
        import tantivy

        self._setup_analysis()
        builder = tantivy.SchemaBuilder()
        builder.add_text_field("id", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="whitespace")
        builder.add_text_field("body", tokenizer_name="whitespace")
        builder.add_bytes_field("raw", stored=True, indexed=False)  # the original body, for snippets
        builder.add_integer_field("date", stored=True, indexed=True, fast=True)
        path.mkdir(parents=True, exist_ok=True)
        index = tantivy.Index(builder.build(), path=str(path))
        writer = index.writer(256_000_000, 1)
        analyze = 0.0
        for doc in docs:
            started = time.perf_counter()
            title, body = self.terms(doc.get("title")), self.terms(doc["body"])
            analyze += time.perf_counter() - started
            fields: dict[str, Any] = {"id": doc["id"], "title": title, "body": body, "raw": doc["body"].encode()}
            if doc.get("date"):
                fields["date"] = int(doc["date"].replace("-", ""))
            writer.add_document(tantivy.Document(**fields))
        writer.commit()
        writer.wait_merging_threads()
        return {"analyze_s": analyze}

    def open(self, path: Path) -> None:
        import tantivy

        self._setup_analysis()
        self.index = tantivy.Index.open(str(path))
        self.index.reload()
        self.searcher = self.index.searcher()

    def query(self, q: BenchQuery) -> int:
        parts, every = self.query_terms(q)
        if not parts:
            return 0
        clauses = [f'+"{" ".join(terms)}"' for terms in parts]
        if q.date_from or q.date_to:
            lo = (q.date_from or "0000-01-01").replace("-", "")
            hi = (q.date_to or "9999-12-31").replace("-", "")
            clauses.append(f"+date:[{lo} TO {hi}]")
        parsed = self.index.parse_query(" ".join(clauses), ["title", "body"], field_boosts={"title": 2.0},
                                        conjunction_by_default=True)
        result = self.searcher.search(parsed, LIMIT)
        for _, address in result.hits:
            stored = self.searcher.doc(address)
            self.make_snippet(bytes(stored["raw"][0]).decode(), every, self.analyzer)
        return len(result.hits)


class SqliteEngine(Engine):
    name = "sqlite"
    description = ("SQLite FTS5 (stdlib): unicode61 remove_diacritics 2; words ANDed; "
                   "ORDER BY bm25 (title weight 2); snippet()")
    tokenize = "unicode61 remove_diacritics 2"

    def build(self, path: Path, docs: Sequence[dict[str, Any]]) -> dict[str, float]:
        import sqlite3

        path.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path / "fts.db")
        db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, date UNINDEXED, url UNINDEXED, "
                   f"title, body, tokenize = '{self.tokenize}')")
        with db:
            db.executemany("INSERT INTO docs (id, date, url, title, body) VALUES (?, ?, ?, ?, ?)",
                           ((d["id"], d.get("date"), d.get("url"), d.get("title") or "", d["body"]) for d in docs))
        db.close()
        return {}

    def open(self, path: Path) -> None:
        import sqlite3

        self.db = sqlite3.connect(path / "fts.db")

    @staticmethod
    def _quote(text: str) -> str:
        return '"' + text.replace('"', '""') + '"'

    @staticmethod
    def _with_dates(sql: str, args: list[Any], q: BenchQuery) -> tuple[str, list[Any]]:
        """The query's date range as SQL conditions."""
        if q.date_from:
            sql += " AND date >= ?"
            args.append(q.date_from)
        if q.date_to:
            sql += " AND date <= ?"
            args.append(q.date_to)
        return sql, args

    def query(self, q: BenchQuery) -> int:
        match = " ".join(self._quote(text) for text, _ in q.parts)
        sql = ("SELECT id, title, date, url, snippet(docs, 4, '[', ']', '…', 24) FROM docs "
               "WHERE docs MATCH ?")
        args: list[Any] = [match]
        sql, args = self._with_dates(sql, args, q)
        sql += " ORDER BY bm25(docs, 0, 0, 0, 2.0, 1.0) LIMIT ?"
        args.append(LIMIT)
        return len(self.db.execute(sql, args).fetchall())

    def close(self) -> None:
        self.db.close()


class SqliteTermsEngine(_TermsMixin, SqliteEngine):
    name = "sqlite-bg"
    description = ("SQLite FTS5 fed bgsearch terms (unicode61, digits' . and , kept); queries analyzed by "
                   "bgsearch; ORDER BY bm25; snippets by bgsearch")
    tokenize = "unicode61 remove_diacritics 0 tokenchars ''.,''"

    def build(self, path: Path, docs: Sequence[dict[str, Any]]) -> dict[str, float]:
        import sqlite3

        self._setup_analysis()
        path.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(path / "fts.db")
        db.execute(f"CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, date UNINDEXED, url UNINDEXED, "
                   f"raw UNINDEXED, title, body, tokenize = '{self.tokenize}')")
        timing = {"analyze_s": 0.0}

        def rows() -> Iterable[tuple[Any, ...]]:
            for d in docs:
                started = time.perf_counter()
                title, body = self.terms(d.get("title")), self.terms(d["body"])
                timing["analyze_s"] += time.perf_counter() - started
                yield d["id"], d.get("date"), d.get("url"), d["body"], title, body

        with db:
            db.executemany("INSERT INTO docs (id, date, url, raw, title, body) VALUES (?, ?, ?, ?, ?, ?)", rows())
        db.close()
        return timing

    def open(self, path: Path) -> None:
        super().open(path)
        self._setup_analysis()

    def query(self, q: BenchQuery) -> int:
        parts, every = self.query_terms(q)
        if not parts:
            return 0
        match = " ".join(self._quote(" ".join(terms)) for terms in parts)
        sql = "SELECT id, title, date, url, raw FROM docs WHERE docs MATCH ?"
        args: list[Any] = [match]
        sql, args = self._with_dates(sql, args, q)
        sql += " ORDER BY bm25(docs, 0, 0, 0, 0, 2.0, 1.0) LIMIT ?"
        args.append(LIMIT)
        rows = self.db.execute(sql, args).fetchall()
        for row in rows:
            self.make_snippet(row[4], every, self.analyzer)
        return len(rows)


ENGINE_CLASSES: dict[str, type[Engine]] = {
    cls.name: cls for cls in (BgsearchEngine, WhooshEngine, TantivyEngine, SqliteEngine, SqliteTermsEngine)
}


# ------------------------------------------------------------------------------------ measuring


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100), linear between closest ranks."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def median(values: Iterable[float]) -> float:
    values = [v for v in values if v == v]  # drop NaN
    return statistics.median(values) if values else float("nan")


def _memory_kb() -> dict[str, int]:
    """VmRSS and VmHWM (peak) of this process, in kB."""
    found = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            key, _, value = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                found[key] = int(value.split()[0])
    except OSError:
        import resource

        found["VmHWM"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return found


def _probe_word(docs: Sequence[dict[str, Any]]) -> str:
    for doc in docs:
        for m in _TEXT_WORD.finditer(doc["body"]):
            if len(m.group()) >= 6:
                return m.group().lower()
    return "закон"


def _children_peak_rss_kb() -> int:
    """The largest peak RSS of this process's finished child processes (bgsearch's workers), in kB."""
    try:
        import resource
    except ImportError:  # not Unix
        return 0
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss


def _cpu_seconds() -> float:
    """CPU time of this process and of its finished child processes (an import's workers)."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


def child_index(args: argparse.Namespace) -> int:
    """In a fresh process: load the documents, build one engine's index, print the measures as JSON."""
    docs = corpora.load_corpus(args.corpus, corpora.data_dir(args.data_dir), args.docs)
    baseline = _memory_kb()
    path = Path(args.index_dir)
    started, cpu_started = time.perf_counter(), _cpu_seconds()
    engine = ENGINE_CLASSES[args.child_index]()
    extra = engine.build(path, docs)
    built, cpu_built = time.perf_counter(), _cpu_seconds()
    engine.open(path)
    probe = _probe_word(docs)
    hits = engine.query(BenchQuery("1-word", probe, ((probe, False),)))
    searchable = time.perf_counter()
    engine.close()
    memory = _memory_kb()
    first_commit = min(extra.pop("first_commit_at", built), built)
    print(json.dumps({
        "engine": engine.name,
        "docs": len(docs),
        "body_bytes": sum(len(d["body"].encode()) for d in docs),
        "index_s": built - started,
        "index_cpu_s": cpu_built - cpu_started,  # all threads and worker processes; robust to a busy machine
        "first_commit_s": first_commit - started,  # the first commit on disk (searchable from then on)
        "first_query_s": searchable - started,  # the build, opening a searcher, one query answered
        "probe": probe,
        "probe_hits": hits,
        "size_bytes": _dir_size(path),
        "peak_rss_kb": memory.get("VmHWM", 0),
        "worker_peak_rss_kb": _children_peak_rss_kb(),
        "baseline_rss_kb": baseline.get("VmRSS", 0),
        **extra,
    }, ensure_ascii=False))
    return 0


def run_child(engine: str, corpus: str, docs: int | None, data: Path, index_dir: Path) -> dict[str, Any]:
    if index_dir.exists():
        shutil.rmtree(index_dir)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-index", engine, "--corpus", corpus,
           "--data-dir", str(data), "--index-dir", str(index_dir)]
    if docs is not None:
        cmd += ["--docs", str(docs)]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{engine} indexing failed (exit {proc.returncode}):\n{proc.stderr.strip()[-2000:]}")
    if proc.stderr.strip():
        print(proc.stderr.strip(), file=sys.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def bench_indexing(engine: str, corpus: str, docs: int | None, data: Path, index_dir: Path, runs: int,
                   note: Callable[[str], None]) -> dict[str, Any]:
    samples = []
    for run in range(runs):
        sample = run_child(engine, corpus, docs, data, index_dir)
        note(f"  {engine} indexing run {run + 1}/{runs}: {sample['index_s']:.2f} s")
        samples.append(sample)
    index_s = median(s["index_s"] for s in samples)
    n, body = samples[0]["docs"], samples[0]["body_bytes"]
    summary = {
        "docs": n,
        "body_mb": body / 1e6,
        "index_s": index_s,
        "index_cpu_s": median(s["index_cpu_s"] for s in samples),
        "docs_per_s": n / index_s,
        "mb_per_s": body / 1e6 / index_s,
        "first_commit_s": median(s["first_commit_s"] for s in samples),
        "first_query_s": median(s["first_query_s"] for s in samples),
        "size_mb": median(s["size_bytes"] for s in samples) / 1e6,
        "peak_rss_mb": median(s["peak_rss_kb"] for s in samples) / 1024,
        "rss_over_docs_mb": median(s["peak_rss_kb"] - s["baseline_rss_kb"] for s in samples) / 1024,
        "worker_peak_rss_mb": median(s.get("worker_peak_rss_kb", 0) for s in samples) / 1024,
        "runs": samples,
    }
    if "analyze_s" in samples[0]:
        summary["analyze_s"] = median(s["analyze_s"] for s in samples)
    return summary


def bench_queries(engine: Engine, mix: Sequence[BenchQuery], runs: int) -> dict[str, Any]:
    """One untimed warm-up pass over the mix, then ``runs`` timed passes; per class, the median
    over the runs of each run's p50/p95/p99 (ms). Hit rate: share of queries with a hit.
    ``per_query`` holds each query's hits and median latency, in the order of the mix."""
    hits = [engine.query(q) for q in mix]
    per_run: list[list[float]] = []
    clock = time.perf_counter
    for _ in range(runs):
        times = []
        for q in mix:
            started = clock()
            engine.query(q)
            times.append((clock() - started) * 1000)
        per_run.append(times)
    result: dict[str, Any] = {}
    for cls in (*QUERY_CLASSES, "all"):
        picked = [i for i, q in enumerate(mix) if cls in ("all", q.cls)]
        if not picked:
            continue
        result[cls] = {
            "n": len(picked),
            **{f"p{p}_ms": median(percentile([run[i] for i in picked], p) for run in per_run) for p in (50, 95, 99)},
            "mean_ms": median(statistics.fmean(run[i] for i in picked) for run in per_run),
            "hit_rate": sum(1 for i in picked if hits[i]) / len(picked),
        }
    result["per_query"] = {"hits": hits, "median_ms": [median(run[i] for run in per_run) for i in range(len(mix))]}
    return result


def bench_first_time(path: Path, warm_mix: Sequence[BenchQuery], mix: Sequence[BenchQuery]) -> dict[str, Any]:
    """bgsearch on queries its process has not run before: a fresh process-like engine is warmed on
    another mix (`warm_mix`, other words and phrases), then each query of `mix` is timed once. The
    caches a repeated query meets (term entries, postings read whole) hold only what the other
    mix left in them."""
    engine = BgsearchEngine()
    engine.open(path)
    try:
        for q in warm_mix:
            engine.query(q)
        times, hits = [], []
        for q in mix:
            started = time.perf_counter()
            hits.append(engine.query(q))
            times.append((time.perf_counter() - started) * 1000)
    finally:
        engine.close()
    result: dict[str, Any] = {}
    for cls in (*QUERY_CLASSES, "all"):
        picked = [t for t, q in zip(times, mix) if cls in ("all", q.cls)]
        if picked:
            result[cls] = {"n": len(picked), **{f"p{p}_ms": percentile(picked, p) for p in (50, 95, 99)}}
    return result


def bench_incremental(path: Path, docs: Sequence[dict[str, Any]], count: int, runs: int) -> dict[str, Any]:
    """Adding `count` new documents (copies of the last ones under new ids) to the built bgsearch
    index, one commit, against the time their analysis alone takes; the median over `runs`."""
    from bgsearch import Index

    added, analysis = [], []
    for run in range(runs):
        batch = [{**d, "id": f"incremental-{run}-{i}"} for i, d in enumerate(docs[-count:])]
        with Index.open(path) as ix:
            analyzer = ix.analyzer
            started = time.perf_counter()
            for d in batch:
                for text in (d.get("title") or "", d["body"]):
                    for _token in analyzer(text):
                        pass
            analysis.append(time.perf_counter() - started)
            started = time.perf_counter()
            ix.add_documents(batch)
            added.append(time.perf_counter() - started)
            with_them = len(ix)
    return {"count": count, "index_docs": with_them, "add_s": median(added), "analysis_s": median(analysis)}


def both_found(bg: dict[str, Any], peer: dict[str, Any]) -> tuple[int, float]:
    """Over the queries where both bgsearch and the peer found something: how many, and the
    geometric mean of bgsearch's latency ÷ the peer's (above 1: the peer is faster)."""
    a, b = bg["per_query"], peer["per_query"]
    ratios = [x / y for hx, hy, x, y in zip(a["hits"], b["hits"], a["median_ms"], b["median_ms"])
              if hx and hy and x > 0 and y > 0]
    if not ratios:
        return 0, float("nan")
    return len(ratios), statistics.geometric_mean(ratios)


def bench_analyzers(texts: Sequence[str], runs: int) -> dict[str, Any]:
    """Tokens/s of bgsearch's full analyzer and Whoosh's StemmingAnalyzer on the same texts.

    Each run uses fresh analyzer instances and an empty stemmer memo, as an indexing process starts
    (the stemmer's data is loaded before timing: that one-off cost is `cold_start_s`)."""
    from whoosh.analysis import StemmingAnalyzer

    from bgsearch.analysis import analyzer as bg_analyzer
    from bgsearch.analysis import stemmer as bg_stemmer

    bg_analyzer.BulgarianAnalyzer()("книгите")  # loads the stemmer data
    list(bg_analyzer.BulgarianAnalyzer()("книгите"))

    def fresh_bg() -> Any:
        memo = getattr(bg_stemmer, "STEM_CACHE", None)
        if isinstance(memo, dict):
            memo.clear()
        return bg_analyzer.BulgarianAnalyzer()

    chars = sum(len(t) for t in texts)
    body_mb = sum(len(t.encode()) for t in texts) / 1e6
    out: dict[str, Any] = {"texts": len(texts), "chars": chars, "body_mb": body_mb}
    for name, make in (("bgsearch", fresh_bg), ("whoosh-stemming", StemmingAnalyzer)):
        seconds, tokens = [], 0
        for _ in range(runs):
            analyzer = make()
            started = time.perf_counter()
            count = 0
            for text in texts:
                for _token in analyzer(text):
                    count += 1
            seconds.append(time.perf_counter() - started)
            tokens = count
        s = median(seconds)
        tokenizer = make().items[0]  # untimed: the tokens the analyzer's own tokenizer finds (before stop words)
        tokens_in = sum(1 for text in texts for _token in tokenizer(text))
        out[name] = {"tokens": tokens, "tokens_in": tokens_in, "seconds": s, "tokens_per_s": tokens / s,
                     "tokens_in_per_s": tokens_in / s, "mb_per_s": body_mb / s, "run_seconds": seconds}
    bg, wh = out["bgsearch"], out["whoosh-stemming"]
    out["ratio_tokens_per_s"] = bg["tokens_per_s"] / wh["tokens_per_s"]
    out["ratio_tokens_in_per_s"] = bg["tokens_in_per_s"] / wh["tokens_in_per_s"]
    out["ratio_same_text"] = wh["seconds"] / bg["seconds"]  # >1: bgsearch analyzes the same texts faster
    out["cold_start_s"] = _cold_start()
    out["distinct_words"], out["new_word_us"] = _new_word_cost(texts, runs)
    return out


def _new_word_cost(texts: Sequence[str], runs: int) -> tuple[int, float]:
    """How many distinct words `texts` have, and the µs bgsearch's analysis takes for a word it has
    not seen (each word once, the memos empty; the best of `runs`): what a first-time snippet pays
    for each word of a hit that no query has shown before."""
    from bgsearch.analysis import stemmer as bg_stemmer
    from bgsearch.analysis.pipeline import default_pipeline
    from bgsearch.analysis.tokenize import words

    distinct = list(dict.fromkeys(word for text in texts for word in words(text)))
    pipeline = default_pipeline()
    best = float("inf")
    for _ in range(runs):
        bg_stemmer.STEM_CACHE.clear()
        started = time.perf_counter()
        for word in distinct:
            pipeline._compute(word)
        best = min(best, time.perf_counter() - started)
    return len(distinct), best / max(1, len(distinct)) * 1e6


def _cold_start() -> float | None:
    """Seconds for a fresh process to `import bgsearch` and analyze one word (stemmer data load)."""
    code = ("import time; t = time.perf_counter(); import bgsearch; bgsearch.analyze('книгите'); "
            "print(time.perf_counter() - t)")
    times = []
    for _ in range(3):
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT,
                              env={**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")})
        if proc.returncode != 0:
            return None
        times.append(float(proc.stdout.strip()))
    return median(times)


def _bgsearch_command() -> list[str]:
    script = Path(sys.executable).parent / "bgsearch"
    if script.is_file():
        return [str(script)]
    found = shutil.which("bgsearch")
    if found:
        return [found]
    return [sys.executable, "-c", "import sys; from bgsearch.cli import main; sys.exit(main())"]


def bench_cli(index_dir: Path, word: str, runs: int) -> dict[str, Any]:
    """Wall time of `bgsearch query WORD --index DIR`: to its first line of output, and to its exit."""
    cmd = [*_bgsearch_command(), "query", word, "--index", str(index_dir)]
    first, total, code = [], [], None
    for run in range(runs + 1):  # the first run only warms the OS cache
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, cwd=REPO_ROOT)
        assert proc.stdout is not None
        line = proc.stdout.readline()
        got_line = time.perf_counter()
        proc.stdout.read()
        code = proc.wait()
        ended = time.perf_counter()
        if run:
            first.append(got_line - started if line else float("nan"))
            total.append(ended - started)
    return {"command": " ".join(cmd[-4:]), "word": word, "exit_code": code,
            "first_line_s": median(first), "exit_s": median(total), "runs": runs}


# ------------------------------------------------------------------------------------ reporting


def ratio_text(ratio: float) -> str:
    """A peer's speed ÷ bgsearch's: `9.8x` (faster), `0.45x` (slower)."""
    if ratio != ratio:
        return "-"
    return f"{ratio:.0f}x" if ratio >= 10 else f"{ratio:.1f}x" if ratio >= 1 else f"{ratio:.2f}x"


def ratio_words(ratio: float) -> str:
    """`9.8x faster` / `0.45x as fast` (peer speed ÷ bgsearch speed)."""
    if ratio != ratio:
        return "-"
    return f"{ratio_text(ratio)} faster" if ratio >= 1 else f"{ratio_text(ratio)} as fast"


class Report:
    def __init__(self, quiet: bool = False) -> None:
        from rich.console import Console

        # Wide enough for the tables even when the output is a pipe or a file (rich assumes 80 there).
        width = None if sys.stdout.isatty() else 150
        self.console = Console(stderr=False, highlight=False, width=width)
        self.err = Console(stderr=True, highlight=False)
        self.quiet = quiet

    def note(self, text: str) -> None:
        if not self.quiet:
            self.err.print(f"[dim]{text}[/dim]")

    def table(self, title: str, columns: Sequence[str], rows: Iterable[Sequence[Any] | None],
              caption: str | None = None) -> None:
        """A table; a None row ends a section (a rule under the previous row)."""
        from rich.table import Table

        table = Table(title=title, caption=caption, title_justify="left", caption_justify="left")
        for i, col in enumerate(columns):
            table.add_column(col, justify="left" if i <= 1 else "right", no_wrap=i <= 1)
        for row in rows:
            if row is None:
                table.add_section()
            else:
                table.add_row(*[str(c) for c in row])
        self.console.print(table)


def _fmt(value: float | None, digits: int = 1) -> str:
    if value is None or value != value:
        return "-"
    return f"{value:,.{digits}f}"


def show_analyzer(report: Report, res: dict[str, Any]) -> None:
    rows: list[tuple[str, ...]] = []
    for name in ("bgsearch", "whoosh-stemming"):
        r = res[name]
        rows.append((name if name == "bgsearch" else "Whoosh StemmingAnalyzer", f"{r['tokens_in']:,}", f"{r['tokens']:,}",
                     _fmt(r["seconds"], 2), f"{r['tokens_in_per_s']:,.0f}", f"{r['tokens_per_s']:,.0f}",
                     _fmt(r["mb_per_s"], 2)))
    rows.append(("bgsearch ÷ Whoosh", "", "", "", f"{res['ratio_tokens_in_per_s']:.2f}x", f"{res['ratio_tokens_per_s']:.2f}x",
                 f"{res['ratio_same_text']:.2f}x"))
    report.table(
        f"Analyzer throughput ({res['texts']:,} bodies, {res['body_mb']:.1f} MB; target: bgsearch ≥ Whoosh)",
        ("analyzer", "tokens in", "tokens out", "seconds", "tokens in/s", "tokens out/s", "MB/s"), rows,
        caption=("tokens in: what the analyzer's tokenizer finds; tokens out: the terms it emits (bgsearch drops "
                 "Bulgarian stop words, Whoosh only English ones and 1-letter words). MB/s compares the same texts. "
                 f"Cold start (import bgsearch + stemmer data + first word): {_fmt(res['cold_start_s'], 2)} s. "
                 f"A word bgsearch has not seen: {_fmt(res['new_word_us'], 2)} µs (each of the "
                 f"{res['distinct_words']:,} distinct words once, memos empty, best of the runs)"),
    )


def show_indexing(report: Report, res: dict[str, dict[str, Any]]) -> None:
    bg = res.get("bgsearch")
    rows = []
    for name, r in res.items():
        ratio = r["docs_per_s"] / bg["docs_per_s"] if bg else float("nan")
        analyzed = f" (of which bgsearch analysis {r['analyze_s']:.2f})" if "analyze_s" in r else ""
        rows.append((name, _fmt(r["index_s"], 2) + analyzed, _fmt(r["index_cpu_s"], 2), f"{r['docs_per_s']:,.0f}", _fmt(r["mb_per_s"], 2),
                     _fmt(r["first_commit_s"], 2), _fmt(r["first_query_s"], 2), _fmt(r["size_mb"], 1), _fmt(r["peak_rss_mb"], 0),
                     _fmt(r["rss_over_docs_mb"], 0), _fmt(r["worker_peak_rss_mb"], 0) if r["worker_peak_rss_mb"] else "-", "-" if name == "bgsearch" else ratio_text(ratio)))
    first = next(iter(res.values()))
    report.table(
        f"Indexing ({first['docs']:,} documents, {first['body_mb']:.1f} MB of body text; medians)",
        ("engine", "build s", "CPU s", "docs/s", "MB/s", "first commit s", "first query s", "size MB", "peak RSS MB", "RSS over docs MB",
         "worker peak MB", "speed vs bg"),
        rows,
        caption="first commit: seconds until the first commit is on disk and searchable (bgsearch commits every "
                f"{_commit_every()} documents; the peers once, at the end); first query: the whole build, opening a "
                "searcher and answering one query. "
                "speed vs bg: the engine's docs/s ÷ bgsearch's (above 1: faster). CPU s: the build's CPU time (all "
                "threads and worker processes), steadier than wall time on a busy machine. peak RSS: the indexing "
                "process's VmHWM (the loaded documents included); RSS over docs: peak minus RSS after loading the "
                "documents; worker peak: the largest VmHWM of bgsearch's worker processes (pages shared with the "
                "main process counted again).",
    )


def _commit_every() -> str:
    try:
        from bgsearch.index import COMMIT_EVERY
    except ImportError:
        return "?"
    return f"{COMMIT_EVERY:,}"


def show_queries(report: Report, res: dict[str, dict[str, Any]]) -> None:
    bg = res.get("bgsearch", {})
    rows: list[Sequence[Any] | None] = []
    for cls in (*QUERY_CLASSES, "all"):
        for name, r in res.items():
            if cls not in r:
                continue
            c = r[cls]
            vs = ["-", "-"]
            if name != "bgsearch" and cls in bg:
                vs = [ratio_text(bg[cls][k] / c[k] if c[k] else float("nan")) for k in ("p50_ms", "p95_ms")]
            rows.append((cls if name == next(iter(res)) else "", name, c["n"], _fmt(c["p50_ms"], 2),
                         _fmt(c["p95_ms"], 2), _fmt(c["p99_ms"], 2), _fmt(c["mean_ms"], 2),
                         "" if cls == "all" else f"{c['hit_rate']:.0%}", *vs))
        rows.append(None)
    report.table("Query latency: top 10 with snippets, ms (per-run percentiles, median over the runs)",
                 ("class", "engine", "queries", "p50", "p95", "p99", "mean", "with hits", "p50 speed vs bg",
                  "p95 speed vs bg"), rows[:-1],
                 caption="speed vs bg: bgsearch's latency ÷ the peer's (above 1: the peer is faster). with hits: "
                         "share of queries with at least one hit; engines match differently (stock Whoosh and "
                         "sqlite do not stem; bgsearch falls back to any-word ranking when no document has all "
                         "the words, which the others do not).")


def summary_lines(results: dict[str, Any]) -> list[str]:
    """One sentence per peer: its indexing and query speed as a ratio to bgsearch's."""
    lines = []
    analyzer = results.get("analyzer")
    if analyzer:
        verdict = "meets" if analyzer["ratio_same_text"] >= 1 else "misses"
        lines.append(f"analyzer: bgsearch analyzes the same texts {analyzer['ratio_same_text']:.2f}x as fast as Whoosh's "
                     f"StemmingAnalyzer ({analyzer['ratio_tokens_in_per_s']:.2f}x its tokens in/s, "
                     f"{analyzer['ratio_tokens_per_s']:.2f}x its tokens out/s): {verdict} the target ≥ 1")
    indexing, queries = results.get("indexing", {}), results.get("queries", {})
    bg_ix, bg_q = indexing.get("bgsearch"), queries.get("bgsearch", {}).get("all")
    for name in indexing:
        if name == "bgsearch" or not bg_ix:
            continue
        text = f"{name} indexes {ratio_words(indexing[name]['docs_per_s'] / bg_ix['docs_per_s'])}"
        q = queries.get(name, {}).get("all")
        if q and bg_q:
            text += (f"; answers queries {ratio_words(bg_q['p50_ms'] / q['p50_ms'])} at p50, "
                     f"{ratio_words(bg_q['p95_ms'] / q['p95_ms'])} at p95 (all classes)")
            n, geo = both_found(queries["bgsearch"], queries[name])
            if n:
                text += f"; {ratio_words(geo)} (geometric mean) on the {n} queries both find something for"
        lines.append(text)
    return lines


def show_summary(report: Report, results: dict[str, Any]) -> None:
    lines = summary_lines(results)
    if lines:
        report.console.print("[bold]Summary[/bold] (ratios to bgsearch; above 1: faster than bgsearch)")
        for line in lines:
            report.console.print(f"  {line}")


def show_cli(report: Report, res: list[dict[str, Any]]) -> None:
    report.table("CLI", ("command", "first line s", "exit s", "exit code"),
                 [(f"bgsearch {r['command']}", _fmt(r["first_line_s"], 3), _fmt(r["exit_s"], 3), r["exit_code"]) for r in res])


def show_first_time(report: Report, res: dict[str, Any], repeated: dict[str, Any]) -> None:
    rows = [(cls, res[cls]["n"], _fmt(res[cls]["p50_ms"], 2), _fmt(res[cls]["p95_ms"], 2),
             _fmt(repeated[cls]["p50_ms"], 2), _fmt(repeated[cls]["p95_ms"], 2))
            for cls in (*QUERY_CLASSES, "all") if cls in res]
    report.table("bgsearch: queries not run before vs repeated (the table above), ms",
                 ("class", "queries", "first time p50", "first time p95", "repeated p50", "repeated p95"), rows)


def show_incremental(report: Report, res: dict[str, Any]) -> None:
    report.table("bgsearch: incremental update (one commit, median)",
                 ("documents added", "index then holds", "add_documents s", "their analysis alone s"),
                 [(res["count"], f"{res['index_docs']:,}", _fmt(res["add_s"], 3), _fmt(res["analysis_s"], 3))])


def show_scaling(report: Report, res: list[dict[str, Any]]) -> None:
    rows = [(f"{r['docs']:,}", _fmt(r["body_mb"], 1), _fmt(r["index_s"], 2), _fmt(r["index_cpu_s"], 2),
             _fmt(r["first_commit_s"], 2), f"{r['docs_per_s']:,.0f}",
             _fmt(r["size_mb"], 1), _fmt(r["words_p50_ms"], 2), _fmt(r["words_p95_ms"], 2),
             _fmt(r["phrase_p50_ms"], 2), _fmt(r["phrase_p95_ms"], 2)) for r in res]
    report.table("bgsearch scaling on law units (medians)",
                 ("docs", "body MB", "build s", "CPU s", "first commit s", "docs/s", "size MB", "1-3 words p50 ms", "1-3 words p95 ms",
                  "phrase p50 ms", "phrase p95 ms"), rows)


# ------------------------------------------------------------------------------------ main


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", choices=sorted(corpora.CORPORA), default="laws")
    p.add_argument("--docs", type=int, default=None, metavar="N", help="use the first N documents (default: all)")
    p.add_argument("--runs", type=int, default=3, metavar="R", help="runs per measure; medians are reported (default 3)")
    p.add_argument("--queries", type=int, default=DEFAULT_PER_CLASS, metavar="N",
                   help=f"queries per class (default {DEFAULT_PER_CLASS})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="query-mix seed")
    p.add_argument("--peers", default=",".join(DEFAULT_PEERS),
                   help=f"comma-separated peers: {', '.join(DEFAULT_PEERS)}, or 'none' (default: all)")
    p.add_argument("--json", type=Path, metavar="PATH", help="also write the results as JSON")
    p.add_argument("--data-dir", type=Path, default=None, help="shared data directory (default: ../shared/data)")
    p.add_argument("--work-dir", type=Path, default=None, help="where to build the indexes (default: a temp dir)")
    p.add_argument("--keep", action="store_true", help="keep the built indexes")
    p.add_argument("--analyzer-only", action="store_true",
                   help=f"only the analyzer throughput (default --docs {ANALYZER_ONLY_DOCS:,})")
    p.add_argument("--scaling", action="store_true", help="also the bgsearch scaling table on law units")
    p.add_argument("--scaling-only", action="store_true", help="only the scaling table")
    p.add_argument("--quiet", action="store_true", help="no progress notes")
    p.add_argument("--child-index", choices=ENGINES, help=argparse.SUPPRESS)
    p.add_argument("--index-dir", help=argparse.SUPPRESS)
    return p


def _versions() -> dict[str, str | None]:
    import sqlite3
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version}
    for dist in ("bgsearch", "whoosh-reloaded", "tantivy"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = None
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.child_index:
        return child_index(args)
    try:
        return _main(args)
    except corpora.DataMissingError as exc:
        print(f"speed.py: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("speed.py: interrupted", file=sys.stderr)
        return 130


def _main(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    data = corpora.data_dir(args.data_dir)
    if args.runs < 1 or args.queries < 1 or (args.docs is not None and args.docs < 1):
        print("speed.py: error: --runs, --queries and --docs must be at least 1", file=sys.stderr)
        return EXIT_ERROR
    peers = [] if args.peers.strip().lower() in ("", "none") else [p.strip() for p in args.peers.split(",") if p.strip()]
    unknown = [p for p in peers if p not in ENGINE_CLASSES or p == "bgsearch"]
    if unknown:
        print(f"speed.py: error: unknown peer(s) {', '.join(unknown)}; choose from {', '.join(DEFAULT_PEERS)}",
              file=sys.stderr)
        return EXIT_ERROR
    report = Report(quiet=args.quiet)
    results: dict[str, Any] = {"meta": {
        "corpus": args.corpus, "docs_requested": args.docs, "runs": args.runs, "queries_per_class": args.queries,
        "seed": args.seed, "versions": _versions(), "cpus": os.cpu_count(), "platform": platform.platform(),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S"), "skipped": {},
    }}
    work = Path(args.work_dir) if args.work_dir else Path(tempfile.mkdtemp(prefix="bgsearch-speed-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        if args.analyzer_only:
            docs = corpora.load_corpus(args.corpus, data, args.docs or ANALYZER_ONLY_DOCS)
            report.note(f"analyzer throughput on {len(docs):,} {args.corpus} bodies, {args.runs} runs")
            results["analyzer"] = bench_analyzers([d["body"] for d in docs], args.runs)
            show_analyzer(report, results["analyzer"])
        elif args.scaling_only:
            results["scaling"] = run_scaling(args, data, work, report)
        else:
            run_main(args, data, work, peers, report, results)
            if args.scaling:
                results["scaling"] = run_scaling(args, data, work, report)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    elapsed = time.perf_counter() - started
    results["meta"]["elapsed_s"] = elapsed
    report.console.print(f"[dim]done in {elapsed:.0f} s[/dim]")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", "utf-8")
        report.console.print(f"[dim]results written to {args.json}[/dim]")
    return 0


def mix_stop_words() -> frozenset[str]:
    """Savoy's list, which picks the query mix's words: the mix stays the same when bgsearch's own
    stop list grows (analyzer 4.10), so runs of different versions time the same queries."""
    from benchmarks import ranking_data

    return ranking_data.read_stopwords(ranking_data.SAVOY_STOPWORDS)


def run_main(args: argparse.Namespace, data: Path, work: Path, peers: Sequence[str], report: Report,
             results: dict[str, Any]) -> None:
    docs = corpora.load_corpus(args.corpus, data, args.docs)
    report.note(f"{args.corpus}: {len(docs):,} documents, {sum(len(d['body']) for d in docs) / 1e6:.1f}M characters")
    engines = ["bgsearch"]
    for peer in peers:
        why = ENGINE_CLASSES[peer].missing()
        if why:
            report.console.print(f"{peer}: skipped ({why})")
            results["meta"]["skipped"][peer] = why
        else:
            engines.append(peer)
    results["meta"]["engines"] = {e: ENGINE_CLASSES[e].description for e in engines}

    report.note(f"analyzer throughput, {args.runs} runs")
    results["analyzer"] = bench_analyzers([d["body"] for d in docs], args.runs)
    show_analyzer(report, results["analyzer"])

    results["indexing"] = {}
    for name in engines:
        report.note(f"indexing with {name}")
        results["indexing"][name] = bench_indexing(name, args.corpus, args.docs, data, work / name, args.runs, report.note)
    show_indexing(report, results["indexing"])

    words = query_words(corpora.load_wordfreq(data), mix_stop_words())
    mix = query_mix(words, docs, mix_stop_words(), seed=args.seed, per_class=args.queries)
    results["query_mix"] = [asdict(q) for q in mix]
    results["queries"] = {}
    for name in engines:
        report.note(f"queries with {name}: {len(mix)} queries, warm-up + {args.runs} runs")
        engine = ENGINE_CLASSES[name]()
        engine.open(work / name)
        try:
            results["queries"][name] = bench_queries(engine, mix, args.runs)
        finally:
            engine.close()
    show_queries(report, results["queries"])

    report.note("bgsearch on queries it has not run before (warmed on a mix of another seed)")
    warm_mix = query_mix(words, docs, mix_stop_words(), seed=args.seed + 1, per_class=args.queries)
    results["queries_first_time"] = bench_first_time(work / "bgsearch", warm_mix, mix)
    show_first_time(report, results["queries_first_time"], results["queries"]["bgsearch"])

    commands = []
    for cls in ("1-word", "3-word", "phrase"):  # the last two need numpy and postings read whole
        text = _query_with_hits(work / "bgsearch", mix, cls)
        report.note(f"CLI: bgsearch query {text}")
        commands.append(bench_cli(work / "bgsearch", text, args.runs))
    results["cli"], results["cli_more"] = commands[0], commands[1:]
    show_cli(report, commands)

    report.note(f"adding {INCREMENTAL_DOCS} documents to the built bgsearch index")
    results["incremental"] = bench_incremental(work / "bgsearch", docs, INCREMENTAL_DOCS, args.runs)
    show_incremental(report, results["incremental"])
    results["summary"] = summary_lines(results)
    show_summary(report, results)


def _query_with_hits(path: Path, mix: Sequence[BenchQuery], cls: str) -> str:
    """The first query of class `cls` in the mix that finds something in bgsearch's index."""
    engine = BgsearchEngine()
    engine.open(path)
    try:
        for q in mix:
            if q.cls == cls and not q.date_from and engine.query(q):
                return q.text
    finally:
        engine.close()
    return next((q.text for q in mix if q.cls == cls), "закон")


def run_scaling(args: argparse.Namespace, data: Path, work: Path, report: Report) -> list[dict[str, Any]]:
    """bgsearch on growing prefixes of the law units: build time, and 1-3-word and phrase latency.

    The same query strings at every size (phrases come from the smallest prefix)."""
    every = corpora.load_corpus("laws", data, args.docs)
    sizes = sorted({s for s in SCALING_SIZES if s < len(every)} | {len(every)})
    words = query_words(corpora.load_wordfreq(data), mix_stop_words())
    mix = [q for q in query_mix(words, every[: sizes[0]], mix_stop_words(), seed=args.seed, per_class=args.queries)
           if q.cls in (*WORD_CLASSES, "phrase")]
    rows = []
    for size in sizes:
        report.note(f"scaling: {size:,} law units")
        indexing = bench_indexing("bgsearch", "laws", size, data, work / f"scale-{size}", args.runs, report.note)
        engine = BgsearchEngine()
        engine.open(work / f"scale-{size}")
        try:
            pooled = [replace(q, cls="1-word") if q.cls in WORD_CLASSES else q for q in mix]  # 1-3 words pooled
            lat = bench_queries(engine, pooled, args.runs)
        finally:
            engine.close()
        shutil.rmtree(work / f"scale-{size}", ignore_errors=True)
        rows.append({
            "docs": size, "body_mb": indexing["body_mb"], "index_s": indexing["index_s"],
            "index_cpu_s": indexing["index_cpu_s"], "first_commit_s": indexing["first_commit_s"],
            "docs_per_s": indexing["docs_per_s"], "size_mb": indexing["size_mb"],
            "peak_rss_mb": indexing["peak_rss_mb"],
            "words_p50_ms": lat["1-word"]["p50_ms"], "words_p95_ms": lat["1-word"]["p95_ms"],
            "phrase_p50_ms": lat["phrase"]["p50_ms"], "phrase_p95_ms": lat["phrase"]["p95_ms"],
        })
    show_scaling(report, rows)
    return rows


if __name__ == "__main__":
    sys.exit(main())
