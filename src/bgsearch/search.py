"""Searching: turns a parsed query into Whoosh queries, ranks with BM25F, builds snippets.

Words are analyzed with the index's own analyzer, so every inflected form of a query word meets
every form in the documents. Plain words must all match; when no document has them all, the
search falls back to ranking documents by any of the words, and says so.
"""

from __future__ import annotations

import re
import time
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh.reading import ReaderClosed

from .analysis.normalizer import normalize_word
from .analysis.tokenizer import MAX_TOKEN_LENGTH
from .documents import DocumentError, parse_date
from .errors import BgsearchError, QuerySyntaxError
from .highlight import SCAN_FIRST, Snippet, make_snippet
from .phrase import PhraseQuery
from .postings import AllWordsQuery, AnyTermQuery, first_position
from .query import And, DateRange, Node, Not, Or, Phrase, Word, parse_query
from .spelling import near_misses
from .translit import cyrillic_candidates, is_latin_word

if TYPE_CHECKING:
    from .index import Index

__all__ = ["Hit", "SearchResults", "search"]

TITLE_BOOST = 2.0
_MAX_LIMIT = 1000


@dataclass(frozen=True)
class Hit:
    """One ranked result. `highlights` are [start, end) offsets of matched words in `snippet`."""

    id: str
    score: float
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    snippet: str
    highlights: list[tuple[int, int]]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    offset: int = 0
    fallback: bool = False  # True: no document had every word; ranked by any word instead
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown query word → indexed word
    did_you_mean: str | None = None  # the query with `suggestions` applied
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _total: int = field(default=0, repr=False)
    _count: Callable[[], int] | None = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> int:
        """How many documents match, of which `hits` is the page [offset, offset + limit).

        Counted on first use, while the index is open: it costs a pass over every match, which a
        page of hits does not.
        """
        if self._count is not None:
            try:
                self._total = self._count()
            except ReaderClosed:
                raise BgsearchError(
                    "the index was closed before the matches were counted: read `total` before closing it"
                ) from None
            self._count = None
        return self._total

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)


def search(
    index: Index,
    query: str,
    limit: int = 10,
    offset: int = 0,
    date_from: str | None = None,
    date_to: str | None = None,
    transliterate: bool = True,
    fuzzy: bool = True,
    snippets: bool = True,
) -> SearchResults:
    """Search `index` for `query` (see `bgsearch.query` for the syntax).

    :param limit: hits to return (1-1000). :param offset: hits to skip, for paging.
    :param date_from, date_to: keep documents dated within [date_from, date_to] (ISO dates).
    :param transliterate: read Latin-script words as Bulgarian too (Lukashenko → Лукашенко).
    :param fuzzy: forgive typos in words the index does not know, and suggest the indexed word.
    :param snippets: make each hit's snippet and highlights (False: empty, and faster).
    Raises QuerySyntaxError for a malformed query or date.
    """
    started = time.perf_counter()
    if not 1 <= limit <= _MAX_LIMIT:
        raise QuerySyntaxError(f"limit must be between 1 and {_MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise QuerySyntaxError(f"offset must be 0 or more, not {offset}")
    parsed = parse_query(query)
    root, date_ranges = _pull_date_ranges(parsed.root)
    date_filter = _date_filter(index, date_from, date_to, date_ranges)
    compiler = _Compiler(index, transliterate, fuzzy)
    if root is None and date_ranges:
        compiled: wq.Query | None = wq.Every()  # date:... alone: every document in the range
    else:
        compiled = compiler.compile(root) if root is not None else None
    results = SearchResults(query, [], offset, notices=list(parsed.notices))
    if compiled is None:
        if parsed.root is None:
            results.notices.append("the query is empty: type some words to search for")
        else:
            results.notices.append("the query has only stop words (such as и, на, за), which are not indexed: add a word that carries meaning")
        return results
    results.notices += compiler.notices
    if compiler.corrections:
        results.suggestions = dict(compiler.corrections)
        results.did_you_mean = _corrected(query, compiler.corrections)
        results.notices.append(f"did you mean: {results.did_you_mean}? (showing matches for it too)")
    if date_filter is not None and not date_filter:  # Whoosh takes an empty filter for no filter
        results.seconds = time.perf_counter() - started
        return results
    searcher = index.searcher()
    hits = searcher.search(compiled, limit=offset + limit, filter=date_filter, terms=False)
    if hits.is_empty() and compiler.fallback is not None:
        hits = searcher.search(compiler.fallback, limit=offset + limit, filter=date_filter)
        if not hits.is_empty():
            results.fallback = True
            results.notices.append("no document has all the words; showing documents with some of them")
    results._total = hits.scored_length()
    if results._total >= offset + limit:  # more may match than were ranked: count them lazily
        results._count = hits.__len__
    analyzer = index.analyzer
    some_words = results.fallback or compiler.any_word  # a hit may lack some of the words
    for hit in hits[offset : offset + limit]:
        stored = hit.fields()
        snippet = (
            _snippet(searcher, hit.docnum, stored["body"], compiler, analyzer, some_words)
            if snippets
            else _NO_SNIPPET
        )
        results.hits.append(
            Hit(
                id=stored["id"],
                score=hit.score,
                title=stored.get("title"),
                date=stored.get("date"),
                source=stored.get("source"),
                url=stored.get("url"),
                snippet=snippet.text,
                highlights=snippet.highlights,
            )
        )
    results.seconds = time.perf_counter() - started
    return results


_NO_SNIPPET = Snippet("", [])


def _snippet(
    searcher: Any, docnum: int, body: str, compiler: _Compiler, analyzer: Any, some_words: bool
) -> Snippet:
    terms, prefixes = compiler.highlight_terms, tuple(compiler.highlight_prefixes)
    if prefixes or (len(body) <= SCAN_FIRST and not some_words):
        return make_snippet(body, terms, analyzer, prefixes=prefixes)
    # A long document, or one that may have only some of the words: from the index, which query
    # terms its body has and where the first stands, so the scan for the best passage starts
    # there and stops once it has seen them all.
    first, present = _body_terms(searcher, docnum, terms)
    if first is None or first > _SNIPPET_MAX_TOKEN:  # only the title matched, or no word is near the start
        return make_snippet(body, (), analyzer)
    return make_snippet(body, present, analyzer, from_token=first)


# Finding the n-th word of a text costs ~0.25 µs a word; a match further in is not shown.
_SNIPPET_MAX_TOKEN = 20_000


def _body_terms(searcher: Any, docnum: int, terms: Collection[str]) -> tuple[int | None, set[str]]:
    """The body position of the first of `terms` in document `docnum` (None: none is in its body),
    and which of `terms` its body has."""
    # Read from the document's own segment: the whole index's postings would skip through every
    # segment before it, block by block.
    leaves = searcher.leaf_searchers()
    leaf, offset = leaves[bisect_right([offset for _, offset in leaves], docnum) - 1]
    reader, docnum = leaf.reader(), docnum - offset
    first, present = None, set()
    for term in terms:
        position = first_position(reader, "body", term, docnum)
        if position is not None:
            first = position if first is None else min(first, position)
            present.add(term)
    return first, present


def _corrected(query: str, corrections: dict[str, str]) -> str:
    for word, correction in corrections.items():
        if word[:1].isupper():
            correction = correction[:1].upper() + correction[1:]
        query = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", correction, query)
    return query


def _pull_date_ranges(root: Node | None) -> tuple[Node | None, list[DateRange]]:
    """Top-level date:... clauses become the date filter (a cached set of documents) instead of
    a query over every date term in the range, which is slow for long ranges."""
    if isinstance(root, DateRange):
        return None, [root]
    if isinstance(root, And):
        ranges = [child for child in root.children if isinstance(child, DateRange)]
        rest = tuple(child for child in root.children if not isinstance(child, DateRange))
        if ranges:
            return (None if not rest else rest[0] if len(rest) == 1 else And(rest)), ranges
    return root, []


def _date_filter(
    index: Index, date_from: str | None, date_to: str | None, ranges: list[DateRange]
) -> set[int] | None:
    """The documents dated within every given range, as a set of document numbers cached per
    commit (a query over the date terms would walk every date's postings on every query)."""
    try:
        starts = [parse_date(date_from)] if date_from else []
        ends = [parse_date(date_to)] if date_to else []
    except DocumentError as exc:
        raise QuerySyntaxError(f"date filter: {exc}") from None
    starts += [r.start for r in ranges if r.start]
    ends += [r.end for r in ranges if r.end]
    if not (starts or ends or ranges):
        return None
    start, end = max(starts, default=None), min(ends, default=None)
    if start and end and start > end:
        if date_from and date_to and date_from > date_to:
            raise QuerySyntaxError(f"date filter: the start {start} is after the end {end}")
        return set()  # ranges that do not overlap: nothing can match
    cache = index.per_commit_cache()
    key = ("dates", start, end)
    if key not in cache:
        dates, docnums = _documents_by_date(index, cache)
        low = bisect_left(dates, start) if start else 0
        high = bisect_right(dates, end) if end else len(dates)
        cache[key] = set(docnums[low:high])
    return cache[key]


def _documents_by_date(index: Index, cache: dict[Any, Any]) -> tuple[list[str], list[int]]:
    """Every dated document's number, in date order, beside its date: read once per commit (one
    pass over the date terms, ~0.1 s for 54,000 documents); then any range is two binary searches.
    `cache`: the index's per-commit cache."""
    if "by date" not in cache:
        reader = index.searcher().reader()
        dates: list[str] = []
        docnums: list[int] = []
        for date in reader.lexicon("date"):  # in date order: ISO dates sort as strings
            found = list(reader.postings("date", date).all_ids())
            dates += [date.decode("utf-8")] * len(found)
            docnums += found
        cache["by date"] = (dates, docnums)
    return cache["by date"]


# Queries of up to this many words must match them all (then fall back to any word); longer ones
# rank documents by the words they have (BM25: more and rarer words score higher).
ALL_WORDS_UP_TO = 3
# Expansions of a query word are weaker than the word itself, so exact matches rank first.
TRANSLIT_BOOST = 0.8  # a Cyrillic reading of a Latin word that is not in the index itself
TRANSLIT_BESIDE_DIRECT_BOOST = 0.3  # ...of a Latin word that is (Reuters, NATO): direct matches lead
FUZZY_BOOST = 0.5
# Bounds on the work one query can ask for.
MAX_RANKED_WORDS = 64  # words of a long query beyond these are not searched (a notice says so)
MAX_CORRECTED_WORDS = 32  # distinct unknown words looked up for typos
_TRANSLIT_TERMS = 3
MAX_PREFIX_TERMS = 256
MAX_PREFIX_POSTINGS = 200_000
_FUZZY_TERMS = 3


class _Compiler:
    """AST → Whoosh query. Collects the terms to highlight, the any-word fallback query, and the
    spelling corrections it made."""

    def __init__(self, index: Index, transliterate: bool, fuzzy: bool) -> None:
        self.index = index
        self.analyzer = index.analyzer
        self.transliterate = transliterate
        self.fuzzy = fuzzy
        self.highlight_terms: set[str] = set()
        self.highlight_prefixes: set[str] = set()
        self.fallback: wq.Query | None = None
        self.any_word = False  # True: ranks documents by any of the words (a long query)
        self.corrections: dict[str, str] = {}  # query word → the indexed word it was taken for
        self.notices: list[str] = []
        self.fuzzy_budget = MAX_CORRECTED_WORDS
        self._near_misses_of: dict[str, tuple[list[str], str | None]] = {}  # a term is looked up once

    def compile(self, root: Node) -> wq.Query | None:
        if not isinstance(root, And):
            return self._node(root, positive=True)
        children = list(root.children)
        plain_nodes = [child for child in children if isinstance(child, (Word, Phrase))]
        if len(plain_nodes) > MAX_RANKED_WORDS:  # bounds the cost of a pasted paragraph
            dropped = {id(child) for child in plain_nodes[MAX_RANKED_WORDS:]}
            children = [child for child in children if id(child) not in dropped]
            self.notices.append(f"the query has {len(plain_nodes)} words: searched by the first {MAX_RANKED_WORDS}")
        # A word typed n times is searched once with n times the weight: the same scores, one matcher.
        repeats = Counter(children)
        parts = [(child, self._node(child, positive=True)) for child in repeats]
        kept = [(child, q if repeats[child] == 1 else q.with_boost(q.boost * repeats[child]))
                for child, q in parts if q is not None]
        if not kept:
            return None
        plain = [q for child, q in kept if isinstance(child, (Word, Phrase))]
        rest = [q for child, q in kept if not isinstance(child, (Word, Phrase))]
        if len(plain) > ALL_WORDS_UP_TO:
            # A long query (a title, a question) rarely has every word in the document sought:
            # rank by the words each document has, more of them scoring higher.
            self.any_word = True
            return _and([_any_of(plain), *rest])
        if len(plain) >= 2:
            self.fallback = _and([_any_of(plain), *rest])
            return _and([_all_of(plain), *rest])
        return _and([q for _, q in kept])

    def _node(self, node: Node, positive: bool) -> wq.Query | None:
        if isinstance(node, Word):
            return self._word(node, positive)
        if isinstance(node, Phrase):
            return self._text(node.text, node.field, positive)
        if isinstance(node, DateRange):
            return wq.TermRange("date", node.start, node.end)
        if isinstance(node, Not):
            child = self._node(node.child, positive=False)
            return None if child is None else wq.Not(child)
        children = [q for q in (self._node(c, positive) for c in node.children) if q is not None]
        if not children:
            return None
        if isinstance(node, Or):
            return children[0] if len(children) == 1 else _Or(children)
        return _and(children)

    def _word(self, word: Word, positive: bool) -> wq.Query | None:
        if word.field == "id":
            return wq.Term("id", word.text)
        if word.field == "source":
            return wq.Term("source", word.text.lower())
        if word.prefix:
            prefix = normalize_word(word.text)
            if positive:
                self.highlight_prefixes.add(prefix)
            return self._fields(word.field, lambda f, boost: _BoundedPrefix(f, prefix, boost=boost))
        if self.transliterate and len(word.text) <= MAX_TOKEN_LENGTH and is_latin_word(word.text):
            return self._latin_word(word, positive)
        return self._text(word.text, word.field, positive)

    def _text(self, text: str, field_name: str | None, positive: bool) -> wq.Query | None:
        """A word or phrase: its terms at their positions (one word may give several: COVID-19)."""
        tokens = [(t.pos, t.text) for t in self.analyzer(text, positions=True)]
        if not tokens:
            return None
        if positive:
            self.highlight_terms.update(term for _, term in tokens)
        if len(tokens) > 1:
            positions, terms = zip(*tokens)
            return self._fields(field_name, lambda f, boost: PhraseQuery(f, positions, terms, boost=boost))
        term = tokens[0][1]
        variants = [(term, 1.0)]
        if self.fuzzy and positive and self.index.doc_frequency(term) == 0:
            variants += self._near_misses(text, term)
        return self._terms(field_name, variants, positive)

    def _latin_word(self, word: Word, positive: bool) -> wq.Query | None:
        """A word in Latin letters: itself (Reuters, NATO) or its Cyrillic readings (Lukashenko)."""
        direct = [t.text for t in self.analyzer(word.text)]
        direct_found = len(direct) == 1 and self.index.doc_frequency(direct[0]) > 0
        readings: list[str] = []
        for candidate in cyrillic_candidates(word.text):
            terms = [t.text for t in self.analyzer(candidate)]
            if not terms and not readings:
                return None  # a Bulgarian stop word typed in Latin letters: za, na, i
            if len(terms) == 1 and terms[0] not in readings and self.index.doc_frequency(terms[0]) > 0:
                readings.append(terms[0])
                if len(readings) == _TRANSLIT_TERMS:
                    break
        if not readings:
            return self._text(word.text, word.field, positive)
        boost = TRANSLIT_BESIDE_DIRECT_BOOST if direct_found else TRANSLIT_BOOST
        variants = [(term, boost) for term in readings]
        if direct_found:
            variants.insert(0, (direct[0], 1.0))
        return self._terms(word.field, variants, positive)

    def _near_misses(self, word: str, term: str) -> list[tuple[str, float]]:
        """Indexed terms a misspelled word (unknown to the index) may have meant."""
        if term not in self._near_misses_of:
            if not self.fuzzy_budget:
                return []
            self.fuzzy_budget -= 1
            self._near_misses_of[term] = near_misses(self.index, word, term, limit=_FUZZY_TERMS)
        similar, spelling = self._near_misses_of[term]
        if spelling:
            self.corrections[word] = spelling
        return [(other, FUZZY_BOOST) for other in similar]

    def _terms(self, field_name: str | None, variants: list[tuple[str, float]], positive: bool) -> wq.Query:
        if positive:
            self.highlight_terms.update(term for term, _ in variants)

        def make(f: str, boost: float) -> wq.Query:
            queries = [wq.Term(f, term, boost=boost * weight) for term, weight in variants]
            return queries[0] if len(queries) == 1 else _Or(queries)

        return self._fields(field_name, make)

    def _fields(self, field_name: str | None, make: Any) -> wq.Query:
        if field_name is not None:
            return make(field_name, 1.0)
        return _Or([make("title", TITLE_BOOST), make("body", 1.0)])


class _BoundedPrefix(wq.Prefix):
    """A prefix query that expands to its most frequent terms, at most MAX_PREFIX_TERMS of them
    and MAX_PREFIX_POSTINGS postings in all, so a short prefix (по*) costs a bounded time however
    large the index."""

    def _btexts(self, ixreader: Any) -> list[bytes]:
        terms = list(ixreader.expand_prefix(self.fieldname, self.text))
        frequency = {t: ixreader.doc_frequency(self.fieldname, t) for t in terms}
        if len(terms) <= MAX_PREFIX_TERMS and sum(frequency.values()) <= MAX_PREFIX_POSTINGS:
            return terms
        kept, postings = [], 0
        for term in sorted(terms, key=frequency.__getitem__, reverse=True)[:MAX_PREFIX_TERMS]:
            postings += frequency[term]
            if kept and postings > MAX_PREFIX_POSTINGS:
                break
            kept.append(term)
        return sorted(kept)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        # One flat list of documents with a constant score: Whoosh's own union of hundreds of
        # term matchers spends seconds on score-bound bookkeeping that a constant score never needs.
        from whoosh.matching import ListMatcher, NullMatcher

        reader = searcher.reader()
        docs: set[int] = set()
        for btext in self._btexts(reader):
            docs.update(reader.postings(self.fieldname, btext).all_ids())
        return ListMatcher(sorted(docs), all_weights=self.boost) if docs else NullMatcher()


class _Or(wq.Or):
    """Whoosh's Or, always as a tree of union matchers. Whoosh otherwise pre-loads and scores every
    match of an Or in segments under 5,000 documents, which is what a parallel import writes."""

    matcher_type = wq.Or.DEFAULT_MATCHER


def _any_of(queries: list[wq.Query]) -> wq.Query:
    """Documents with any of `queries`, summing their scores. Words alone (each a term or an Or of
    terms) are ranked from whole postings (bgsearch.postings): such queries visit many documents;
    the rest (phrases, prefixes) are added to them by Whoosh's Or."""
    leaves: list[tuple[str, str, float]] = []
    others: list[wq.Query] = []
    for query in queries:
        kept = len(leaves)
        if not _add_term_leaves(query, 1.0, leaves):
            del leaves[kept:]
            others.append(query)
    if not leaves:
        return _Or(others)
    words = AnyTermQuery(leaves)
    return _Or([words, *others]) if others else words


def _all_of(queries: list[wq.Query]) -> wq.Query:
    """Documents with every one of `queries`: for words alone, ranked from whole postings too."""
    leaves: list[tuple[str, str, float]] = []
    words: list[int] = []
    for number, query in enumerate(queries):
        if not _add_term_leaves(query, 1.0, leaves):
            return wq.And(queries)
        words += [number] * (len(leaves) - len(words))
    return AllWordsQuery(leaves, words)


def _add_term_leaves(query: wq.Query, boost: float, leaves: list[tuple[str, str, float]]) -> bool:
    """Adds the (field, term, boost) leaves of a term or an Or of terms; False for any other query."""
    if isinstance(query, wq.Term):
        leaves.append((query.fieldname, query.text, boost * query.boost))
        return True
    if isinstance(query, wq.Or):
        return all(_add_term_leaves(child, boost * query.boost, leaves) for child in query.subqueries)
    return False


def _and(children: list[wq.Query]) -> wq.Query:
    if all(isinstance(c, wq.Not) for c in children):
        children = [wq.Every(), *children]  # "NOT x" alone means: everything but x
    return children[0] if len(children) == 1 else wq.And(children)
