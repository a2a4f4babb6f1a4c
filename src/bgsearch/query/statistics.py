"""What query expansion may ask of an index: the narrow interface an engine implements
(`bgsearch.engine.reader.Reader` for Whoosh)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

__all__ = ["Statistics"]


class Statistics(Protocol):
    def prefetch(self, terms: Iterable[str]) -> None:
        """A hint that `doc_frequency` is about to be asked for each of `terms`: an engine whose
        lookups cost a round trip (OpenSearch) answers them in one; a local one does nothing."""

    def doc_frequency(self, term: str) -> int:
        """How many documents have `term` in a default field (an upper bound)."""

    def similar_terms(self, term: str, max_distance: int, limit: int) -> list[tuple[int, str]]:
        """Indexed terms within `max_distance` edits of `term`, as (distance, term), nearest first,
        then most frequent."""

    def texts_with(self, term: str, limit: int) -> Iterable[str]:
        """The body texts of up to `limit` documents whose body has `term`."""
