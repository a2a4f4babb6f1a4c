"""Searching: turns a parsed query into Whoosh queries, ranks with BM25F, builds snippets.

Words are analyzed with the index's own analyzer, so every inflected form of a query word meets
every form in the documents. Plain words must all match; when no document has them all, the
search falls back to ranking documents by any of the words, and says so.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from whoosh import query as wq
from whoosh.query.spans import SpanNear

from .analysis.normalizer import normalize_word
from .documents import DocumentError, parse_date
from .errors import QuerySyntaxError
from .highlight import make_snippet
from .query import TEXT_FIELDS, And, DateRange, Node, Not, Or, Phrase, Word, parse_query

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
    total: int  # documents that match, of which `hits` is the page [offset, offset+limit)
    offset: int = 0
    fallback: bool = False  # True: no document had every word; ranked by any word instead
    notices: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.hits)


def search(
    index: Index,
    query: str,
    limit: int = 10,
    offset: int = 0,
    date_from: str | None = None,
    date_to: str | None = None,
) -> SearchResults:
    """Search `index` for `query` (see `bgsearch.query` for the syntax).

    :param limit: hits to return (1-1000). :param offset: hits to skip, for paging.
    :param date_from, date_to: keep documents dated within [date_from, date_to] (ISO dates).
    Raises QuerySyntaxError for a malformed query or date.
    """
    started = time.perf_counter()
    if not 1 <= limit <= _MAX_LIMIT:
        raise QuerySyntaxError(f"limit must be between 1 and {_MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise QuerySyntaxError(f"offset must be 0 or more, not {offset}")
    parsed = parse_query(query)
    compiler = _Compiler(index)
    compiled = compiler.compile(parsed.root) if parsed.root is not None else None
    results = SearchResults(query, [], 0, offset, notices=list(parsed.notices))
    if compiled is None:
        if parsed.root is None:
            results.notices.append("the query is empty: type some words to search for")
        else:
            results.notices.append("the query has only stop words (such as и, на, за), which are not indexed: add a word that carries meaning")
        return results
    date_filter = _date_filter(date_from, date_to)
    searcher = index.searcher()
    hits = searcher.search(compiled, limit=offset + limit, filter=date_filter, terms=False)
    if hits.is_empty() and compiler.fallback is not None:
        hits = searcher.search(compiler.fallback, limit=offset + limit, filter=date_filter)
        if not hits.is_empty():
            results.fallback = True
            results.notices.append("no document has all the words; showing documents with some of them")
    results.total = len(hits)
    analyzer = index.analyzer
    for hit in hits[offset : offset + limit]:
        stored = hit.fields()
        snippet = make_snippet(stored["body"], compiler.highlight_terms, analyzer)
        results.hits.append(
            Hit(
                id=stored["id"],
                score=round(hit.score, 4),
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


def _date_filter(date_from: str | None, date_to: str | None) -> wq.Query | None:
    if date_from is None and date_to is None:
        return None
    try:
        start = parse_date(date_from) if date_from else None
        end = parse_date(date_to) if date_to else None
    except DocumentError as exc:
        raise QuerySyntaxError(f"date filter: {exc}") from None
    if start and end and start > end:
        raise QuerySyntaxError(f"date filter: the start {start} is after the end {end}")
    return wq.TermRange("date", start, end)


class _Compiler:
    """AST → Whoosh query. Collects the terms to highlight and the any-word fallback query."""

    def __init__(self, index: Index) -> None:
        self.analyzer = index.analyzer
        self.highlight_terms: set[str] = set()
        self.fallback: wq.Query | None = None

    def compile(self, root: Node) -> wq.Query | None:
        query = self._node(root, positive=True)
        if isinstance(root, And) and query is not None:
            plain = [self._node(c, positive=False) for c in root.children if isinstance(c, (Word, Phrase))]
            rest = [self._node(c, positive=False) for c in root.children if not isinstance(c, (Word, Phrase))]
            plain = [q for q in plain if q is not None]
            if len(plain) >= 2:
                self.fallback = _and([wq.Or(plain), *[q for q in rest if q is not None]])
        return query

    def _node(self, node: Node, positive: bool) -> wq.Query | None:
        if isinstance(node, Word):
            return self._word(node, positive)
        if isinstance(node, Phrase):
            return self._phrase(node.text, node.field, positive)
        if isinstance(node, DateRange):
            return wq.TermRange("date", node.start, node.end)
        if isinstance(node, Not):
            child = self._node(node.child, positive=False)
            return None if child is None else wq.Not(child)
        children = [q for q in (self._node(c, positive) for c in node.children) if q is not None]
        if not children:
            return None
        if isinstance(node, Or):
            return children[0] if len(children) == 1 else wq.Or(children)
        return _and(children)

    def _word(self, word: Word, positive: bool) -> wq.Query | None:
        if word.field == "id":
            return wq.Term("id", word.text)
        if word.field == "source":
            return wq.Term("source", word.text.lower())
        if word.prefix:
            prefix = normalize_word(word.text)
            return self._fields(word.field, lambda f: wq.Prefix(f, prefix))
        return self._phrase(word.text, word.field, positive)

    def _phrase(self, text: str, field_name: str | None, positive: bool) -> wq.Query | None:
        """A word or phrase: its terms at their positions (a word may yield several: COVID-19)."""
        tokens = [(t.pos, t.text) for t in self.analyzer(text, positions=True)]
        if not tokens:
            return None
        if positive:
            self.highlight_terms.update(term for _, term in tokens)
        if len(tokens) == 1:
            return self._fields(field_name, lambda f: wq.Term(f, tokens[0][1]))
        return self._fields(field_name, lambda f: _positional(f, tokens))

    def _fields(self, field_name: str | None, make: Any) -> wq.Query:
        if field_name is not None:
            return make(field_name)
        title, body = (make(f) for f in TEXT_FIELDS)
        title.boost = TITLE_BOOST
        return wq.Or([title, body])


def _positional(field_name: str, tokens: list[tuple[int, str]]) -> wq.Query:
    """Terms in order at exactly the given position gaps (a stop word leaves a gap)."""
    if all(b[0] - a[0] == 1 for a, b in zip(tokens, tokens[1:])):
        return wq.Phrase(field_name, [term for _, term in tokens])
    query: wq.Query = wq.Term(field_name, tokens[0][1])
    for (prev, _), (pos, term) in zip(tokens, tokens[1:]):
        gap = pos - prev
        query = _SpanAt(query, wq.Term(field_name, term), slop=gap, mindist=gap)
    return query


class _SpanAt(SpanNear):
    """SpanNear that can sit inside Or/And (Whoosh's lacks the size estimate they ask for)."""

    def estimate_size(self, ixreader: Any) -> int:
        return min(self.a.estimate_size(ixreader), self.b.estimate_size(ixreader))


def _and(children: list[wq.Query]) -> wq.Query:
    if all(isinstance(c, wq.Not) for c in children):
        children = [wq.Every(), *children]  # "NOT x" alone means: everything but x
    return children[0] if len(children) == 1 else wq.And(children)
