"""Phrase matching: terms in order at exact position gaps (a stop word leaves a gap of its own).

Whoosh's phrase queries build span objects for every document that has all the words (~40 µs per
matching document on the law units); this matcher walks the terms' postings in step and compares
positions as sets of integers (~24 µs), with the same matches. Gaps other than 1 need no special
matcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from whoosh import matching
from whoosh import query as wq

__all__ = ["PhraseQuery"]


class PhraseQuery(wq.Query):
    """`terms` (analyzed) at `positions` (token positions; only their differences matter) in one field.
    Scores as the sum of its terms' scores."""

    def __init__(self, fieldname: str, positions: Sequence[int], terms: Sequence[str], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.offsets = tuple(p - positions[0] for p in positions)
        self.words = tuple(terms)
        self.boost = boost

    def __repr__(self) -> str:
        return f"PhraseQuery({self.fieldname!r}, {self.offsets!r}, {self.words!r}, boost={self.boost})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PhraseQuery)
            and (self.fieldname, self.offsets, self.words, self.boost)
            == (other.fieldname, other.offsets, other.words, other.boost)
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.offsets, self.words, self.boost))

    def _terms(self, phrases: bool = True) -> Any:
        for word in self.words:
            yield self.fieldname, word

    def estimate_size(self, ixreader: Any) -> int:
        return min(ixreader.doc_frequency(self.fieldname, word) for word in self.words)

    def matcher(self, searcher: Any, context: Any = None) -> Any:
        leaves = [wq.Term(self.fieldname, word).matcher(searcher, context) for word in self.words]
        if not all(leaf.is_active() for leaf in leaves):
            return matching.NullMatcher()
        if not all(leaf.supports("positions") for leaf in leaves):
            raise wq.QueryError(f"field {self.fieldname!r} has no positions: phrases cannot be searched in it")
        return PhraseMatcher(leaves, self.offsets, self.boost)


class PhraseMatcher(matching.Matcher):
    """Documents where every leaf's term occurs at its offset from one common start."""

    def __init__(self, leaves: list[Any], offsets: Sequence[int], boost: float = 1.0) -> None:
        self._leaves = leaves
        self._offsets = tuple(offsets)
        self._boost = boost
        self._find()

    # -- moving ------------------------------------------------------------------------------

    def _align(self) -> bool:
        """Move the leaves to the next document they all have; False when one runs out."""
        leaves = self._leaves
        target = max(leaf.id() for leaf in leaves)
        while True:
            for leaf in leaves:
                if leaf.id() < target:
                    leaf.skip_to(target)
                    if not leaf.is_active():
                        return False
            newest = max(leaf.id() for leaf in leaves)
            if newest == target:
                return True
            target = newest

    def _in_order_here(self) -> bool:
        starts: set[int] | None = None
        for leaf, offset in zip(self._leaves, self._offsets):
            at = {p - offset for p in leaf.value_as("positions")}
            starts = at if starts is None else starts & at
            if not starts:
                return False
        return True

    def _find(self) -> None:
        """From the leaves' current postings, move to the first document with the phrase."""
        while self.is_active() and self._align():
            if self._in_order_here():
                return
            self._leaves[0].next()

    def is_active(self) -> bool:
        return all(leaf.is_active() for leaf in self._leaves)

    def id(self) -> int:
        return self._leaves[0].id()

    def next(self) -> bool:
        if not self.is_active():
            raise matching.ReadTooFar
        self._leaves[0].next()
        self._find()
        return False

    def skip_to(self, id: int) -> bool:
        if not self.is_active():
            raise matching.ReadTooFar
        if id > self.id():
            self._leaves[0].skip_to(id)
            self._find()
        return False

    def reset(self) -> None:
        for leaf in self._leaves:
            leaf.reset()
        self._find()

    def copy(self) -> PhraseMatcher:
        return PhraseMatcher([leaf.copy() for leaf in self._leaves], self._offsets, self._boost)

    def children(self) -> list[Any]:
        return list(self._leaves)

    def replace(self, minquality: float = 0) -> Any:
        if not self.is_active() or (minquality and self.max_quality() < minquality):
            return matching.NullMatcher()
        return self

    # -- scoring -----------------------------------------------------------------------------

    def score(self) -> float:
        return self._boost * sum(leaf.score() for leaf in self._leaves)

    def weight(self) -> float:
        return self._boost * sum(leaf.weight() for leaf in self._leaves)

    def supports(self, astype: str) -> bool:
        return False

    def max_quality(self) -> float:
        return self._boost * sum(leaf.max_quality() for leaf in self._leaves)

    def supports_block_quality(self) -> bool:
        # Measured: skipping blocks by the terms' score bounds skipped next to nothing (the bounds of
        # common terms are loose) and cost more than it saved.
        return False
