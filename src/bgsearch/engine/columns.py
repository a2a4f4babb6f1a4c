"""Per-document values of the keyword, number, date and boolean fields: what filters, facet counts
and sorting read.

Such a field's terms are its values (`fields.index_term`). A segment's terms and their postings are
read once into arrays, kept per segment (a segment never changes once written; deleted documents
never match, so their values are harmless), and a commit's column joins its segments' arrays at
each segment's first document number. Filtering, counting and sorting are then numpy over every
document, not a Python call per document.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from whoosh import matching

from ..caching import BoundedCache
from ..fields import Field
from ..query import plan
from .postings import ArrayMatcher, Postings, SegmentQuery, live_rows

__all__ = ["Column", "ColumnQuery", "column_of"]

_SEGMENT_COLUMNS: BoundedCache[tuple[str, str, str], Column] = BoundedCache(512)
_LOCK = threading.Lock()
_MISSING = np.inf  # a sort key of a document without the value: last, ascending or descending


class Column:
    """One field's values over the documents of a commit (global document numbers): `terms` (sorted)
    and (document, term ordinal) pairs, one per value a document has."""

    def __init__(self, spec: Field, terms: list[str], docs: np.ndarray, ords: np.ndarray, doc_count: int,
                 stored: Callable[[int], dict[str, Any]] | None = None) -> None:
        self.spec = spec
        self._stored = stored  # a document's stored fields: a folded keyword's label is as written
        self.terms = terms
        self.docs = docs
        self.ords = ords
        self.doc_count = doc_count
        self.ordinal = {term: i for i, term in enumerate(terms)}
        self.values = _term_values(spec, terms)  # what ranges compare and sorting orders by, per term
        self._per_doc: np.ndarray | None = None
        self._buckets: dict[str, tuple[list[str], np.ndarray]] = {}
        self._labels: dict[int, str] = {}

    # -- filters -----------------------------------------------------------------------------------

    def passes(self, node: plan.Filter) -> np.ndarray:
        """A mask over the documents: those that pass `node`."""
        wanted = self._term_mask(node)
        mask = np.zeros(self.doc_count, dtype=bool)
        mask[self.docs[wanted[self.ords]]] = True
        return mask

    def _term_mask(self, node: plan.Filter) -> np.ndarray:
        mask = np.zeros(len(self.terms), dtype=bool)
        if isinstance(node, plan.Values):
            found = [self.ordinal[value] for value in node.values if value in self.ordinal]
            mask[found] = True
            return mask
        mask[:] = True
        if node.start is not None:
            mask &= self.values >= _value(self.spec, node.start)
        if node.end is not None:
            mask &= self.values <= _value(self.spec, node.end)
        return mask

    # -- facets ------------------------------------------------------------------------------------

    def counts(self, matching_docs: np.ndarray, request: plan.FacetRequest) -> dict[str, int]:
        """How many of `matching_docs` have each value (or fall in each date period or number range),
        most first (ties in value order); at most `request.top` values."""
        selected = np.zeros(self.doc_count, dtype=bool)
        selected[matching_docs] = True
        ords = self.ords[selected[self.docs]]
        if request.ranges:
            values = self.values[ords]
            counted = {}
            for low, high in request.ranges:
                inside = np.ones(len(values), dtype=bool)
                if low is not None:
                    inside &= values >= low
                if high is not None:
                    inside &= values < high
                counted[plan.range_label(low, high)] = int(np.count_nonzero(inside))
            return counted
        labels, bucket_of = self._bucketing(request.period)
        per_bucket = np.bincount(bucket_of[ords], minlength=len(labels))
        # Most first; a tie in value order (numbers by value, dates and keywords as they sort).
        order = np.lexsort((self.values if request.period is None else np.arange(len(labels)), -per_bucket))
        if request.period is None:
            return {self.label(int(i)): int(per_bucket[i]) for i in order[: request.top] if per_bucket[i]}
        return {labels[i]: int(per_bucket[i]) for i in order[: request.top] if per_bucket[i]}

    def label(self, ordinal: int) -> str:
        """A value as documents write it: a case-folded keyword as the first document that has it
        spells it (`БТА`, not `бта`), anything else as its term."""
        term = self.terms[ordinal]
        if self.spec.kind != "keyword" or self.spec.case_sensitive or self._stored is None or not self.spec.stored:
            return term
        if ordinal not in self._labels:
            doc = int(self.docs[np.argmax(self.ords == ordinal)])
            value = self._stored(doc).get(self.spec.name)
            written = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and v.lower() == term]
            self._labels[ordinal] = written[0] if written else term
        return self._labels[ordinal]

    def _bucketing(self, period: str | None) -> tuple[list[str], np.ndarray]:
        """Labels of the facet's values, and each term's label number: the values themselves (as
        written in the index: a keyword folded, true/false, a number's decimal), or a date's year,
        month or day."""
        key = period or ""
        if key not in self._buckets:
            if period is None or period == "day":
                self._buckets[key] = (self.terms, np.arange(len(self.terms)))
            else:
                width = 4 if period == "year" else 7
                labels = sorted({term[:width] for term in self.terms})
                index = {label: i for i, label in enumerate(labels)}
                self._buckets[key] = (labels, np.array([index[t[:width]] for t in self.terms], dtype=np.int64))
        return self._buckets[key]

    # -- sorting -----------------------------------------------------------------------------------

    def sort_key(self, descending: bool) -> np.ndarray:
        """Each document's key, ascending in the order asked; documents without a value last."""
        if self._per_doc is None:
            per_doc = np.full(self.doc_count, len(self.terms), dtype=np.int64)  # len(terms): no value
            per_doc[self.docs] = self.ords
            self._per_doc = per_doc
        values = np.append(self.values.astype(np.float64), _MISSING)
        key = values[self._per_doc]
        if descending:
            key = np.where(key == _MISSING, _MISSING, -key)
        return key


def column_of(searcher: Any, spec: Field, index_key: str) -> Column:
    """The column of `spec` over `searcher`'s commit (`index_key` names the index, for the
    per-segment cache)."""
    terms_per_leaf: list[list[str]] = []
    pairs: list[tuple[np.ndarray, np.ndarray, int]] = []
    for leaf, offset in searcher.leaf_searchers():
        segment = segment_column(leaf.reader(), spec, index_key)
        terms_per_leaf.append(segment.terms)
        pairs.append((segment.docs, segment.ords, offset))
    every = sorted(set().union(*terms_per_leaf)) if terms_per_leaf else []
    position = {term: i for i, term in enumerate(every)}
    all_docs, all_ords = [], []
    for terms, (docs, ords, offset) in zip(terms_per_leaf, pairs):
        remap = np.array([position[term] for term in terms], dtype=np.int64)
        all_docs.append(docs + offset)
        all_ords.append(remap[ords] if len(terms) else ords)
    joined_docs = np.concatenate(all_docs) if all_docs else np.zeros(0, dtype=np.int64)
    joined_ords = np.concatenate(all_ords) if all_ords else np.zeros(0, dtype=np.int64)
    return Column(spec, every, joined_docs, joined_ords, searcher.doc_count_all(), searcher.stored_fields)


def segment_column(reader: Any, spec: Field, index_key: str) -> Column:
    """A segment's column of a field (its own document numbers), read once and kept (a segment
    never changes once written)."""
    segment = reader.segment() if hasattr(reader, "segment") else None
    key = (index_key, segment.segment_id() if segment is not None else "", spec.name)
    with _LOCK:
        found = _SEGMENT_COLUMNS.get(key) if segment is not None else None
    if found is not None:
        return found
    terms: list[str] = []
    docs: list[np.ndarray] = []
    ords: list[np.ndarray] = []
    if segment is not None and spec.name in reader.schema:
        for number, btext in enumerate(reader.lexicon(spec.name)):
            ids = Postings(reader, spec.name, btext).ids.astype(np.int64)  # kept as int32
            terms.append(btext.decode("utf-8"))
            docs.append(ids)
            ords.append(np.full(len(ids), number, dtype=np.int64))
    column = Column(spec, terms, np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
                    np.concatenate(ords) if ords else np.zeros(0, dtype=np.int64), reader.doc_count_all())
    if segment is not None:
        with _LOCK:
            _SEGMENT_COLUMNS.put(key, column)
    return column


def _term_values(spec: Field, terms: list[str]) -> np.ndarray:
    if spec.kind == "number":
        return np.array([float(term) for term in terms], dtype=np.float64)
    if spec.kind == "date":
        return np.array(terms, dtype="datetime64[D]").astype(np.int64) if terms else np.zeros(0, dtype=np.int64)
    return np.arange(len(terms), dtype=np.int64)  # sorted terms: their order is the values' order


def _value(spec: Field, bound: float | str) -> float:
    if spec.kind == "date":
        return float(np.datetime64(str(bound), "D").astype(np.int64))
    return float(bound)


class ColumnQuery(SegmentQuery):
    """Documents that pass a filter (inside an OR or a NOT; a top-level filter limits the search
    instead). Scores nothing."""

    def __init__(self, node: plan.Filter, spec: Field, index_key: str, boost: float = 1.0) -> None:
        self.node = node
        self.spec = spec
        self.index_key = index_key
        self.boost = boost

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.node!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ColumnQuery) and (self.node, self.index_key) == (other.node, other.index_key)

    def __hash__(self) -> int:
        return hash((self.node, self.index_key))

    def estimate_size(self, ixreader: Any) -> int:
        return int(ixreader.doc_count_all())

    def segment_matcher(self, searcher: Any, context: Any) -> Any:
        reader = searcher.reader()
        found = np.flatnonzero(segment_column(reader, self.spec, self.index_key).passes(self.node))
        kept = live_rows(reader, found)
        if kept is not None:
            found = found[kept]
        if not len(found):
            return matching.NullMatcher()
        return ArrayMatcher(found, np.zeros(len(found)))



class _Allowed:
    """A segment's documents a filter allows, as `in` asks (Whoosh's FilterMatcher asks nothing else)."""

    def __init__(self, mask: np.ndarray) -> None:
        self.mask = mask

    def __contains__(self, docnum: object) -> bool:
        return isinstance(docnum, int) and bool(self.mask[docnum])


class AllowedQuery(SegmentQuery):
    """`child` limited to the documents that pass the search's filters (`allowed`: a mask over each
    segment's documents, by its reader). A child ranked from whole postings has its arrays cut at
    once, keeping the exact block qualities the top-k collector skips by; any other is wrapped."""

    def __init__(self, child: Any, allowed: dict[int, np.ndarray]) -> None:
        self.child = child
        self.allowed = allowed  # id(segment reader) → mask over its documents
        self.boost = 1.0

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.child!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AllowedQuery) and self.child == other.child and self.allowed is other.allowed

    def __hash__(self) -> int:
        return hash((self.child, id(self.allowed)))

    def estimate_size(self, ixreader: Any) -> int:
        return int(self.child.estimate_size(ixreader))

    def segment_matcher(self, searcher: Any, context: Any) -> Any:
        from whoosh.matching.wrappers import FilterMatcher

        mask = self.allowed.get(id(searcher.reader()))
        matcher = self.child.matcher(searcher, context)
        if mask is None or not matcher.is_active():
            return matcher
        if isinstance(matcher, ArrayMatcher) and matcher._check is None:
            docs, scores = matcher._docs[matcher._at :], matcher._scores[matcher._at :]
            kept = np.flatnonzero(np.take(mask, docs))
            return ArrayMatcher(docs[kept], scores[kept]) if len(kept) else matching.NullMatcher()
        return FilterMatcher(matcher, _Allowed(mask))


def per_segment(searcher: Any, allowed: np.ndarray) -> dict[int, np.ndarray]:
    """A mask over a commit's documents, cut per segment (by its reader), as AllowedQuery takes it."""
    return {id(leaf.reader()): allowed[offset : offset + leaf.reader().doc_count_all()]
            for leaf, offset in searcher.leaf_searchers()}
