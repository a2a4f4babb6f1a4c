"""A search, stage by stage: parse the query → expand it into a plan → run the plan on the index →
cut a snippet from each hit. Each stage lives in its own room (`query/`, `engine/`, `highlight`);
this module only passes the results along."""

from __future__ import annotations

import time
from functools import partial

from .engine.execute import execute, matching_ids
from .engine.reader import Reader
from .errors import InvalidArgumentError
from .fields import BODY, FIELDS, ID_FIELD
from .highlight import NO_SNIPPET, document_snippet
from .query.expand import expand
from .query.syntax import parse_query
from .results import FALLBACK_NOTICE, MAX_LIMIT, Hit, SearchResults

__all__ = ["search", "matching"]
_HIT_FIELDS = tuple(spec.name for spec in FIELDS if spec.name not in (ID_FIELD, BODY))  # as Hit has them


def search(
    reader: Reader,
    query: str,
    *,
    limit: int = 10,
    offset: int = 0,
    date_from: str | None = None,
    date_to: str | None = None,
    transliterate: bool = True,
    fuzzy: bool = True,
    snippets: bool = True,
) -> SearchResults:
    """Search the latest commit of `reader` for `query`; see `Index.search`."""
    started = time.perf_counter()
    if not 1 <= limit <= MAX_LIMIT:
        raise InvalidArgumentError(f"limit must be between 1 and {MAX_LIMIT}, not {limit}")
    if offset < 0:
        raise InvalidArgumentError(f"offset must be 0 or more, not {offset}")
    syntax = parse_query(query)
    with reader.snapshot() as snapshot:  # one commit from the first look-up to the last snippet
        pipeline = snapshot.analyzer.pipeline  # the index's own analysis, for the query and the snippets
        plan = expand(syntax, query, pipeline, snapshot, transliterate=transliterate, fuzzy=fuzzy,
                      date_from=date_from, date_to=date_to)
        results = SearchResults(query, [], offset, suggestions=plan.suggestions, did_you_mean=plan.did_you_mean,
                                notices=plan.notices)
        if plan.query is None:
            return results
        matches = execute(snapshot, plan, offset, limit)
        if matches.fallback:
            results.fallback = True
            results.notices.append(FALLBACK_NOTICE)
        results._total, results._count = matches.scored, matches.count
        some_words = results.fallback or plan.any_word  # a hit may lack some of the words
        for docnum, score, stored in matches.page:
            snippet = (
                document_snippet(stored[BODY], plan.highlight_terms, plan.highlight_prefixes, pipeline, some_words,
                                 partial(snapshot.body_terms, docnum))
                if snippets
                else NO_SNIPPET
            )
            results.hits.append(Hit(id=stored[ID_FIELD], score=score, **{name: stored.get(name) for name in _HIT_FIELDS},
                                    snippet=snippet.text, highlights=snippet.highlights))
    results.seconds = time.perf_counter() - started
    return results


def matching(reader: Reader, query: str) -> list[str]:
    """The ids of every document `query` matches as written (no typo guesses, never the any-word
    fallback): what a deletion by query deletes."""
    syntax = parse_query(query)
    with reader.snapshot() as snapshot:
        plan = expand(syntax, query, snapshot.analyzer.pipeline, snapshot, fuzzy=False)
        return matching_ids(snapshot, plan)
