"""A search, stage by stage: parse the query → expand it into a plan → run the plan on the index →
cut a snippet from each hit. Each stage lives in its own room (`query/`, `engine/`, `highlight`);
this module only passes the results along."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

from .engine.execute import execute, matching_ids
from .engine.reader import Reader, Snapshot
from .errors import InvalidArgumentError
from .hits import make_hit
from .query.expand import expand as expand_query
from .query.plan import QueryPlan
from .query.syntax import parse_query
from .results import FALLBACK_NOTICE, MAX_LIMIT, Hit, SearchResults

__all__ = ["search", "matching", "check_page", "Filters", "Facets", "Sort", "MAX_FRAGMENTS"]

Filters = Mapping[str, Any]  # field → a value, a list of values (any of), or a (low, high) range
Facets = Sequence[str] | Mapping[str, Any]  # fields, or field → top N / "year" | "month" | "day" / ranges
Sort = str | Sequence[str]  # "-price", ["category", "-published"]
MAX_FRAGMENTS = 10


def check_page(limit: int, offset: int, fragments: int) -> None:
    """InvalidArgumentError for a page a search cannot give (every engine's search checks the same)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidArgumentError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise InvalidArgumentError(f"offset must be 0 or more, not {offset}")
    if not 1 <= fragments <= MAX_FRAGMENTS:
        raise InvalidArgumentError(f"fragments must be between 1 and {MAX_FRAGMENTS}, not {fragments}")


def search(
    reader: Reader,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    filters: Filters | None = None,
    facets: Facets | None = None,
    sort: Sort | None = None,
    fragments: int = 1,
    date_from: str | None = None,
    date_to: str | None = None,
    transliterate: bool = True,
    fuzzy: bool = True,
    snippets: bool = True,
    every_word: bool = False,
    expand: bool = True,
) -> SearchResults:
    """Search the latest commit of `reader` for `query`; see `Index.search`."""
    started = time.perf_counter()
    check_page(limit, offset, fragments)
    with reader.snapshot() as snapshot:  # one commit from the first look-up to the last snippet
        syntax = parse_query(query, snapshot.schema)
        pipeline = snapshot.analyzer.pipeline  # the index's own analysis, for the query and the snippets
        plan = expand_query(syntax, query, pipeline, snapshot, schema=snapshot.schema, transliterate=transliterate,
                      fuzzy=fuzzy, date_from=date_from, date_to=date_to, filters=filters, sort=sort, facets=facets,
                      every_word=every_word, expand_acronyms=expand)
        results = SearchResults(query, [], offset, suggestions=plan.suggestions, did_you_mean=plan.did_you_mean,
                                notices=plan.notices)
        if plan.query is None:
            return results
        matches = execute(snapshot, plan, offset, limit)
        if matches.fallback:
            results.fallback = True
            results.notices.append(FALLBACK_NOTICE)
        results._total, results._count = matches.scored, matches.count
        results.facets = matches.facets
        for docnum, score, stored in matches.page:
            results.hits.append(_hit(snapshot, plan, docnum, score, stored, snippets, fragments, results.fallback))
    results.seconds = time.perf_counter() - started
    return results


def _hit(snapshot: Snapshot, plan: QueryPlan, docnum: int, score: float, stored: dict[str, Any], snippets: bool,
         fragments: int, fallback: bool) -> Hit:
    return make_hit(snapshot.schema, snapshot.analyzer.pipeline, plan, stored, score, snippets=snippets,
                    fragments=fragments, fallback=fallback, locate=partial(snapshot.body_positions, docnum))


def matching(reader: Reader, query: str) -> list[str]:
    """The ids of every document `query` matches as written (no typo guesses, never the any-word
    fallback): what a deletion by query deletes."""
    with reader.snapshot() as snapshot:
        syntax = parse_query(query, snapshot.schema)
        plan = expand_query(syntax, query, snapshot.analyzer.pipeline, snapshot, schema=snapshot.schema, fuzzy=False,
                            expand_acronyms=False)
        return matching_ids(snapshot, plan)
