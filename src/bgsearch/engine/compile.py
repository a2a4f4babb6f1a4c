"""A query plan (`bgsearch.query.plan`) as a Whoosh query.

Words are ranked from whole postings where that is exact and faster (`postings.py`): the words of
a query, each a term or any of its readings, become one `AllWordsQuery` or `AnyTermQuery`;
everything else is Whoosh's own query objects, with two bounded replacements (`_Or`,
`BoundedPrefix`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from whoosh import query as wq
from whoosh.matching import ListMatcher, Matcher, NullMatcher
from whoosh.matching.wrappers import WrappingMatcher

from ..fields import Schema
from ..query import plan
from .columns import ColumnQuery
from .phrase import AnyFieldPhraseQuery, PhraseQuery
from .postings import AllWordsQuery, AnyTermQuery, Leaf, SegmentQuery

__all__ = ["compile_plan", "BoundedPrefix", "MAX_PREFIX_TERMS", "MAX_PREFIX_POSTINGS"]

MAX_PREFIX_TERMS = 256
MAX_PREFIX_POSTINGS = 200_000


def compile_plan(node: plan.Node, schema: Schema, index_key: str) -> wq.Query:
    """The Whoosh query of a plan node (and its children), for an index of `schema` (`index_key`
    names it, for the per-segment values filters read)."""
    leaves: list[Leaf] = []
    if isinstance(node, plan.AnyOf) and _add_term_leaves(node, 1.0, leaves):
        # A query of one word (in several fields, or with its readings): ranked from whole postings,
        # and its matches read as an array. Only as the whole query: inside Whoosh's And and Not,
        # an array matcher's per-document block quality made the top-k collector skip a match.
        return AnyTermQuery(leaves)
    return _Compiler(schema, index_key).compile(node)


class _Compiler:
    def __init__(self, schema: Schema, index_key: str) -> None:
        self.schema = schema
        self.index_key = index_key

    def compile(self, node: plan.Node) -> wq.Query:
        if isinstance(node, (plan.Values, plan.Range)):
            return ColumnQuery(node, self.schema.field(node.field), self.index_key, boost=node.boost)
        if isinstance(node, plan.Not):
            return wq.Not(_inner(self.compile(node.child)), boost=node.boost)
        if isinstance(node, plan.AnyOf):
            if all(isinstance(child, plan.Phrase) for child in node.children):  # a phrase in each default field
                return AnyFieldPhraseQuery([PhraseQuery(child.field, child.positions, child.terms, boost=child.boost)
                                            for child in node.children if isinstance(child, plan.Phrase)],
                                           boost=node.boost)
            return _Or([_inner(self.compile(child)) for child in node.children], boost=node.boost)
        if isinstance(node, plan.AllOf):
            return wq.And([_inner(self.compile(child)) for child in node.children], boost=node.boost)
        if isinstance(node, plan.AnyWords):
            return _any_words(node, self.compile)
        if isinstance(node, plan.AllWords):
            return _all_words(node, self.compile)
        return _leaf(node)


def _leaf(node: plan.Node) -> wq.Query:
    if isinstance(node, plan.Term):
        return wq.Term(node.field, node.text, boost=node.boost)
    if isinstance(node, plan.Phrase):
        return PhraseQuery(node.field, node.positions, node.terms, boost=node.boost)
    if isinstance(node, plan.Prefix):
        return BoundedPrefix(node.field, node.prefix, boost=node.boost)
    assert isinstance(node, plan.Everything), node
    return wq.Every(boost=node.boost)


Compile = Callable[[plan.Node], wq.Query]


def _any_words(node: plan.AnyWords, compile_node: Compile) -> wq.Query:
    """Documents with any of the words, summing their scores. Words that are terms (or any of
    several terms) are ranked from whole postings: such queries visit many documents; the rest
    (phrases, prefixes) are added to them by Whoosh's Or."""
    leaves: list[Leaf] = []
    others: list[wq.Query] = []
    for word in node.words:
        kept = len(leaves)
        if not _add_term_leaves(word, node.boost, leaves):
            del leaves[kept:]
            others.append(_inner(compile_node(plan.boosted(word, node.boost))))
    if not leaves:
        return _Or(others)
    words = AnyTermQuery(leaves)
    return _Or([_inner(words), *others]) if others else words


def _all_words(node: plan.AllWords, compile_node: Compile) -> wq.Query:
    """Documents with every one of the words: for words that are all terms, ranked from whole
    postings too."""
    leaves: list[Leaf] = []
    words: list[int] = []
    for number, word in enumerate(node.words):
        if not _add_term_leaves(word, node.boost, leaves):
            return wq.And([_inner(compile_node(word)) for word in node.words], boost=node.boost)
        words += [number] * (len(leaves) - len(words))
    return AllWordsQuery(leaves, words)


def _add_term_leaves(node: plan.Node, boost: float, leaves: list[Leaf]) -> bool:
    """Adds the (field, term, boost) leaves of a term or an AnyOf of terms; False for any other node."""
    if isinstance(node, plan.Term):
        leaves.append((node.field, node.text, boost * node.boost))
        return True
    if isinstance(node, plan.AnyOf):
        return all(_add_term_leaves(child, boost * node.boost, leaves) for child in node.children)
    return False


def _inner(query: wq.Query) -> wq.Query:
    """A query ranked from whole postings, as a part of Whoosh's And, Or or Not: without block
    quality. Its matcher's block quality is each document's own score, which the top-k collector may
    use to skip documents when the matcher is the whole query; Whoosh's And and Or skip one part's
    documents by the other part's current block quality, which for such a part says nothing of its
    next documents, and so skipped matches that belonged in the top k ("срок (мерки OR закон)")."""
    return _WithoutQuality(query) if isinstance(query, SegmentQuery) else query


class _WithoutQuality(SegmentQuery):
    def __init__(self, child: wq.Query) -> None:
        self.child = child
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _WithoutQuality) and self.child == other.child

    def __hash__(self) -> int:
        return hash((type(self), self.child))

    def estimate_size(self, ixreader: Any) -> int:
        return int(self.child.estimate_size(ixreader))

    def _terms(self, phrases: bool = True) -> Any:
        return self.child._terms(phrases)

    def segment_matcher(self, searcher: Any, context: Any) -> Matcher:
        return _NoQualityMatcher(self.child.matcher(searcher, context))


class _NoQualityMatcher(WrappingMatcher):
    def _replacement(self, newchild: Matcher) -> Matcher:
        return _NoQualityMatcher(newchild)

    def supports_block_quality(self) -> bool:
        return False


class BoundedPrefix(wq.Prefix):
    """A prefix query that expands to its most frequent terms, at most MAX_PREFIX_TERMS of them
    and MAX_PREFIX_POSTINGS postings in all, so a short prefix (по*) costs a bounded time however
    large the index."""

    def _btexts(self, ixreader: Any) -> list[bytes]:
        terms = list(ixreader.expand_prefix(self.fieldname, self.text))
        frequency = {t: ixreader.doc_frequency(self.fieldname, t) for t in terms}
        if len(terms) <= MAX_PREFIX_TERMS and sum(frequency.values()) <= MAX_PREFIX_POSTINGS:
            return terms
        kept: list[bytes] = []
        postings = 0
        for term in sorted(terms, key=frequency.__getitem__, reverse=True)[:MAX_PREFIX_TERMS]:
            postings += frequency[term]
            if kept and postings > MAX_PREFIX_POSTINGS:
                break
            kept.append(term)
        return sorted(kept)

    def matcher(self, searcher: Any, context: Any = None) -> Matcher:
        # One flat list of documents with a constant score: Whoosh's own union of hundreds of
        # term matchers spends seconds on score-bound bookkeeping that a constant score never needs.
        reader = searcher.reader()
        docs: set[int] = set()
        for btext in self._btexts(reader):
            docs.update(reader.postings(self.fieldname, btext).all_ids())
        return ListMatcher(sorted(docs), all_weights=self.boost) if docs else NullMatcher()


class _Or(wq.Or):
    """Whoosh's Or, always as a tree of union matchers. Whoosh otherwise pre-loads and scores every
    match of an Or in segments under 5,000 documents, which is what a parallel import writes."""

    matcher_type = wq.Or.DEFAULT_MATCHER
