"""Running a query plan on the latest commit: the page of hits (ranked, or in the order asked), the
count of all matches, and facet counts.

Filters limit the search to the documents that pass them (a mask from the fields' values, never a
"no filter" when none passes). A page by relevance is cut from every segment's scored arrays at
once (`top_k`), or by Whoosh's top-k search for other queries; a sorted page, the count and the
facets read every match as an array of document numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh import query as wq
from whoosh.reading import ReaderClosed

from ..errors import IndexClosedError
from ..fields import ID_FIELD
from ..query.plan import QueryPlan, SortKey
from .columns import AllowedQuery, per_segment
from .compile import compile_plan
from .postings import ArrayMatcher, live_rows
from .reader import Snapshot
from .top_k import top_k

__all__ = ["Matches", "execute", "matching_ids"]


@dataclass
class Matches:
    """A page of documents: (document number, score, stored fields), in the order asked."""

    page: list[tuple[int, float, dict[str, Any]]]
    scored: int  # matches ranked (at least the page's end, when there are that many)
    count: Callable[[], int] | None  # counts every match, when more may match than were ranked
    fallback: bool  # the plan's fallback found these: no document matched the query itself
    facets: dict[str, dict[str, int]] = field(default_factory=dict)


def matching_ids(snapshot: Snapshot, query_plan: QueryPlan) -> list[str]:
    """The ids of every document `query_plan.query` matches (never its fallback) that passes its
    filters; the caller holds the snapshot's lock."""
    if query_plan.query is None:
        return []
    allowed = _allowed(snapshot, query_plan)
    if allowed is not None and not allowed.any():
        return []
    query = compile_plan(query_plan.query, snapshot.schema, snapshot.index_key)
    docs = _matching_docs(snapshot, query, allowed)
    return [snapshot.searcher.stored_fields(int(docnum))[ID_FIELD] for docnum in docs]


def execute(snapshot: Snapshot, query_plan: QueryPlan, offset: int, limit: int) -> Matches:
    """The hits [offset, offset + limit) of `query_plan` (which must have a query), and its facets;
    the caller holds the snapshot's lock."""
    assert query_plan.query is not None
    allowed = _allowed(snapshot, query_plan)
    if allowed is not None and not allowed.any():  # nothing passes the filters: no hits, never "no filter"
        return Matches([], 0, None, False, _facets(snapshot, query_plan, np.zeros(0, dtype=np.int64)))
    query = compile_plan(query_plan.query, snapshot.schema, snapshot.index_key)
    fallback = False
    sort = query_plan.sort
    if sort or query_plan.facets:
        docs = _matching_docs(snapshot, query, allowed)
        if not len(docs) and query_plan.fallback is not None:
            fallback_query = compile_plan(query_plan.fallback, snapshot.schema, snapshot.index_key)
            docs = _matching_docs(snapshot, fallback_query, allowed)
            query, fallback = fallback_query, len(docs) > 0
        facets = _facets(snapshot, query_plan, docs)
        if sort:
            page = _sorted_page(snapshot, query, docs, sort, offset, limit, query_plan.scored)
            return Matches(page, len(docs), None, fallback, facets)
    else:
        docs, facets = None, {}
    searcher = snapshot.searcher
    segments = None if allowed is None else per_segment(searcher, allowed)
    ranked = _ranked(searcher, query, segments, offset + limit)
    if not ranked and query_plan.fallback is not None and not fallback:
        query = compile_plan(query_plan.fallback, snapshot.schema, snapshot.index_key)
        ranked = _ranked(searcher, query, segments, offset + limit)
        fallback = bool(ranked)
    page = [(docnum, score, searcher.stored_fields(docnum)) for docnum, score in ranked[offset : offset + limit]]
    if docs is not None:
        return Matches(page, len(docs), None, fallback, facets)
    scored = len(ranked)

    def count() -> int:
        # Not len(hits): Whoosh's top-k collector counts only what it collected once it has swapped
        # in a matcher without block quality (a prefix's), though it skipped blocks before.
        try:
            with snapshot:
                return len(_matching_docs(snapshot, query, allowed))
        except ReaderClosed:
            raise IndexClosedError(
                "the index was closed before the matches were counted: read `total` before closing it"
            ) from None

    return Matches(page, scored, count if scored >= offset + limit else None, fallback, facets)


def _ranked(searcher: Any, query: wq.Query, segments: dict[int, np.ndarray] | None, k: int) -> list[tuple[int, float]]:
    """The first `k` (document, score) of `query` by relevance (ties by document) among the
    documents `segments` allows: from its scored arrays (`top_k`), or by Whoosh's top-k search."""
    found = top_k(searcher, query, segments, k)
    if found is not None:
        return found
    hits = searcher.search(query if segments is None else AllowedQuery(query, segments), limit=k, terms=False)
    return [(hit.docnum, hit.score) for hit in hits]


def _allowed(snapshot: Snapshot, query_plan: QueryPlan) -> np.ndarray | None:
    """The documents that pass every filter of the plan (a mask), or None when it has none."""
    if not query_plan.filters:
        return None
    key = ("allowed", query_plan.filters)
    cache = snapshot.per_commit
    if key not in cache:
        mask = np.ones(snapshot.searcher.doc_count_all(), dtype=bool)
        for node in query_plan.filters:
            mask &= snapshot.column(node.field).passes(node)
        cache.put(key, mask)
    allowed: np.ndarray = cache[key]
    return allowed


def _matching_docs(snapshot: Snapshot, query: wq.Query, allowed: np.ndarray | None) -> np.ndarray:
    """The numbers of every document `query` matches that `allowed` allows, ascending."""
    searcher = snapshot.searcher
    context = searcher.context()
    parts = []
    for leaf, offset in searcher.leaf_searchers():
        if isinstance(query, wq.Every):  # a filter alone: every live document, without a call each
            ids = np.arange(leaf.reader().doc_count_all(), dtype=np.int64)
            kept = live_rows(leaf.reader(), ids)
            parts.append((ids if kept is None else ids[kept]) + offset)
            continue
        matcher = query.matcher(leaf, context)
        if isinstance(matcher, ArrayMatcher) and matcher._check is None:  # already an array
            ids = matcher._docs[matcher._at :]
        else:
            ids = np.fromiter(matcher.all_ids(), dtype=np.int64) if matcher.is_active() else np.zeros(0, np.int64)
        parts.append(ids.astype(np.int64) + offset)
    docs = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
    return docs[np.flatnonzero(allowed[docs])] if allowed is not None else docs


def _facets(snapshot: Snapshot, query_plan: QueryPlan, docs: np.ndarray) -> dict[str, dict[str, int]]:
    return {request.field: snapshot.column(request.field).counts(docs, request) for request in query_plan.facets}


def _sorted_page(snapshot: Snapshot, query: wq.Query, docs: np.ndarray, sort: tuple[SortKey, ...],
                 offset: int, limit: int, scored: bool) -> list[tuple[int, float, dict[str, Any]]]:
    """The page [offset, offset + limit) of `docs` in the order of `sort`, ties by relevance (then
    index order). Only the documents tied with one on the page are scored."""
    if offset >= len(docs):
        return []
    keys = [snapshot.column(key.field).sort_key(key.descending)[docs] for key in sort]
    order = np.lexsort(keys[::-1])  # np.lexsort sorts by its last key first
    ranked = np.stack([key[order] for key in keys], axis=1)
    group = np.concatenate([[0], np.cumsum(np.any(ranked[1:] != ranked[:-1], axis=1))])
    end = min(offset + limit, len(docs))
    positions = np.flatnonzero((group >= group[offset]) & (group <= group[end - 1]))  # the page's groups, whole
    tied = order[positions]
    first = int(positions[0])  # where the page's groups start in the order
    if scored:
        scores = _scores(snapshot, query, docs[tied])
        chosen = np.lexsort((docs[tied], -scores, group[positions]))[offset - first : end - first]
    else:  # every match scores the same: ties in index order, and only the page is scored (to report it)
        chosen = np.arange(offset - first, end - first)
        scores = np.zeros(len(tied))
        scores[chosen] = _scores(snapshot, query, docs[tied[chosen]])
    searcher = snapshot.searcher
    return [(int(docs[tied[i]]), float(scores[i]), searcher.stored_fields(int(docs[tied[i]]))) for i in chosen]


def _scores(snapshot: Snapshot, query: wq.Query, targets: np.ndarray) -> np.ndarray:
    """The scores of the documents `targets` (each a match of `query`), in their order."""
    searcher = snapshot.searcher
    context = searcher.context()
    scores = np.zeros(len(targets))
    order = np.argsort(targets, kind="stable")
    wanted = targets[order]
    leaves = searcher.leaf_searchers()
    offsets = [offset for _, offset in leaves] + [searcher.doc_count_all()]
    for number, (leaf, offset) in enumerate(leaves):
        low, high = np.searchsorted(wanted, [offset, offsets[number + 1]])
        if low == high:
            continue
        matcher = query.matcher(leaf, context)
        for i in range(low, high):
            local = int(wanted[i]) - offset
            if not matcher.is_active():
                break
            if matcher.id() < local:
                matcher.skip_to(local)
            if matcher.is_active() and matcher.id() == local:
                scores[order[i]] = matcher.score()
    return scores
