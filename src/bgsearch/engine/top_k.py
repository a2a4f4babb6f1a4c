"""The first k matches of a query by score, ties by document, from every segment's arrays at once.

bgsearch's word and phrase queries score a segment's matches as arrays (`postings`, `phrase`).
Whoosh's top-k collector would walk them segment by segment through a matcher, a Python call or
more a document; here they are joined over the segments and cut once. The page is the one
Whoosh's collector gives: the highest scores first, ties by document number (its heap keeps the
earlier document), and never a document scoring 0 (it skips what cannot score above 0).

A phrase's candidates are scored before their positions are checked (`phrase`): they are checked
from the highest score down, until k are certain (the collector checks them in document order,
most of them early on, when little is collected).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

from .phrase import AnyFieldPhraseQuery, PhraseQuery
from .postings import AnyTermQuery

__all__ = ["top_k"]

Exact = Callable[[int], "float | None"]  # a candidate's score once checked (None: not a match)


def top_k(searcher: Any, query: Any, allowed: dict[int, Any] | None, k: int) -> list[tuple[int, float]] | None:
    """The first `k` (document, score) of `query` by score, ties by document, among the documents
    `allowed` allows (a mask per segment reader); None for a query not scored as arrays."""
    if not isinstance(query, (AnyTermQuery, PhraseQuery, AnyFieldPhraseQuery)):
        return None
    context = searcher.context()
    docs, bounds, rows, owners = [], [], [], []
    checks: list[Exact | None] = []
    for leaf, offset in searcher.leaf_searchers():
        found = _candidates(query, leaf, context)
        if found is None:
            continue
        mask = None if allowed is None else allowed.get(id(leaf.reader()))
        kept = found[1] > 0
        if mask is not None:
            kept &= np.take(mask, found[0])
        kept_rows = np.flatnonzero(kept)
        docs.append(found[0][kept_rows].astype(np.int64) + offset)
        bounds.append(found[1][kept_rows])
        rows.append(kept_rows)
        owners.append(np.full(len(kept_rows), len(checks)))
        checks.append(found[2])
    if not docs:
        return []
    all_docs, all_bounds = np.concatenate(docs), np.concatenate(bounds)
    if all(check is None for check in checks):
        return _best(all_docs, all_bounds, k)
    owner, row = np.concatenate(owners), np.concatenate(rows)

    def exact(i: int) -> float | None:
        check = checks[int(owner[i])]
        return float(all_bounds[i]) if check is None else check(int(row[i]))

    return _best_checked(all_docs, all_bounds, exact, k)


def _candidates(query: Any, leaf: Any, context: Any) -> tuple[Any, Any, Exact | None] | None:
    """A query's candidates in a segment: documents, their scores (bounds until checked), and the
    check that gives a candidate's exact score (None: the scores are exact)."""
    if isinstance(query, AnyTermQuery):
        scored = query.scored(leaf, context)
        return None if scored is None else (*scored, None)
    if isinstance(query, AnyFieldPhraseQuery):
        return query.candidates(leaf, context)
    found = query.candidates(leaf, context)
    if found is None:
        return None
    docs, scores, in_order = found
    return docs, scores, lambda i: float(scores[i]) if in_order(i) else None


def _best(docs: Any, scores: Any, k: int) -> list[tuple[int, float]]:
    """The first k of documents with exact scores: by score, ties by document."""
    part = np.arange(len(docs))
    if len(docs) > k:
        part = np.flatnonzero(scores >= np.partition(scores, len(scores) - k)[len(scores) - k])
    chosen = part[np.lexsort((docs[part], -scores[part]))][:k]
    return list(zip(docs[chosen].tolist(), scores[chosen].tolist()))


def _best_checked(docs: Any, bounds: Any, exact: Exact, k: int) -> list[tuple[int, float]]:
    """The first k of the candidates by exact score (ties by document), checking them from the
    highest bound down: a checked one is certain once no unchecked bound ranks before it."""
    checked: list[tuple[float, int]] = []  # (-exact score, document), a heap
    best: list[tuple[int, float]] = []
    following = _by_bound(docs, bounds, k)
    candidate = next(following, None)
    while len(best) < k:
        key = None if candidate is None else (-float(bounds[candidate]), int(docs[candidate]))
        if checked and (key is None or checked[0] < key):
            negated, doc = heapq.heappop(checked)
            best.append((doc, -negated))
        elif candidate is None or key is None:
            break
        else:
            score = exact(candidate)
            if score is not None:
                heapq.heappush(checked, (-score, key[1]))
            candidate = next(following, None)
    return best


def _by_bound(docs: Any, bounds: Any, k: int) -> Iterator[int]:
    """The candidates' indexes from the highest bound down, ties by document: sorted a slice at a
    time (all bounds at least the 8k-th highest, then eight times as many), as few are checked."""
    size = 8 * max(k, 8)
    above = np.inf  # the slices so far took every bound at or above this
    while True:
        rest = np.flatnonzero(bounds < above)
        if not len(rest):
            return
        cut = np.partition(bounds[rest], len(rest) - size)[len(rest) - size] if len(rest) > size else -np.inf
        part = rest[bounds[rest] >= cut]
        yield from part[np.lexsort((docs[part], -bounds[part]))].tolist()
        above, size = cut, size * 8
