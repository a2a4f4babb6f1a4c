"""Running a query plan on the latest commit: the ranked page of hits, and the count of all matches."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from whoosh.reading import ReaderClosed

from ..errors import IndexClosedError
from ..fields import ID_FIELD
from ..query.plan import QueryPlan
from .compile import compile_plan
from .reader import Snapshot

__all__ = ["Matches", "execute", "matching_ids"]


@dataclass
class Matches:
    """A page of ranked documents: (document number, score, stored fields), best first."""

    page: list[tuple[int, float, dict[str, Any]]]
    scored: int  # matches ranked (at least the page's end, when there are that many)
    count: Callable[[], int] | None  # counts every match, when more may match than were ranked
    fallback: bool  # the plan's fallback found these: no document matched the query itself


def matching_ids(snapshot: Snapshot, query_plan: QueryPlan) -> list[str]:
    """The ids of every document `query_plan.query` matches (never its fallback), within its dates;
    the caller holds the snapshot's lock."""
    if query_plan.query is None or query_plan.no_date_matches:
        return []
    allowed = None
    if query_plan.dates is not None:
        allowed = snapshot.dated_within(query_plan.dates.start, query_plan.dates.end)
        if not allowed:
            return []
    searcher = snapshot.searcher
    found = searcher.search(compile_plan(query_plan.query), limit=None, scored=False, filter=allowed)
    return [searcher.stored_fields(docnum)[ID_FIELD] for docnum in found.docs()]


def execute(snapshot: Snapshot, query_plan: QueryPlan, offset: int, limit: int) -> Matches:
    """The hits [offset, offset + limit) of `query_plan` (which must have a query); the caller
    holds the snapshot's lock."""
    assert query_plan.query is not None
    if query_plan.no_date_matches:
        return Matches([], 0, None, False)
    allowed = None
    if query_plan.dates is not None:
        allowed = snapshot.dated_within(query_plan.dates.start, query_plan.dates.end)
        if not allowed:  # Whoosh takes an empty set of allowed documents for no filter
            return Matches([], 0, None, False)
    searcher = snapshot.searcher
    query = compile_plan(query_plan.query)
    hits = searcher.search(query, limit=offset + limit, filter=allowed, terms=False)
    fallback = False
    if hits.is_empty() and query_plan.fallback is not None:
        query = compile_plan(query_plan.fallback)
        hits = searcher.search(query, limit=offset + limit, filter=allowed)
        fallback = not hits.is_empty()
    scored = hits.scored_length()

    def count() -> int:
        # Not len(hits): Whoosh's top-k collector counts only what it collected once it has swapped
        # in a matcher without block quality (a prefix's), though it skipped blocks before.
        try:
            with snapshot:
                return searcher.search(query, limit=None, scored=False, filter=allowed).scored_length()
        except ReaderClosed:
            raise IndexClosedError(
                "the index was closed before the matches were counted: read `total` before closing it"
            ) from None

    page = [(hit.docnum, hit.score, hit.fields()) for hit in hits[offset : offset + limit]]
    return Matches(page, scored, count if scored >= offset + limit else None, fallback)
