"""What the endpoints do with the one open index, without HTTP: a search with the parameters as a
request gives them, and writes one at a time (the API and the page both use it)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import IndexLockedError, QuerySyntaxError
from ..index import Index
from ..results import AddResult, SearchResults
from .params import parse_facets, parse_filters, parse_sort
from .security import MAX_QUERY_CHARS, ServerConfig

__all__ = ["Service", "check_length"]


class Service:
    """The one open index, shared by every request, and what the endpoints do with it; the
    endpoints only translate HTTP."""

    def __init__(self, index: Index, config: ServerConfig) -> None:
        self.index = index
        self.config = config
        if config.lock_timeout is not None:
            index.lock_timeout = config.lock_timeout
        self._writing = threading.Lock()  # one write at a time from this process

    # -- reading ---------------------------------------------------------------------------------

    def search(self, q: str, *, limit: int = 10, offset: int = 0, filters: list[str] | None = None,
               facets: list[str] | dict[str, Any] | None = None, sort: list[str] | None = None,
               fragments: int = 1, transliterate: bool = True, fuzzy: bool = True, every_word: bool = False,
               date_from: str | None = None, date_to: str | None = None, snippets: bool = True) -> SearchResults:
        """`Index.search` with the parameters as a request gives them (see `params`)."""
        check_length("q", q)
        schema = self.index.schema
        return self.index.search(
            q, limit=limit, offset=offset,
            filters=parse_filters(schema, filters) if filters else None,
            facets=(parse_facets(schema, facets) if isinstance(facets, list) else facets) if facets else None,
            sort=parse_sort(sort) if sort else None,
            fragments=fragments, date_from=date_from or None, date_to=date_to or None,
            transliterate=transliterate, fuzzy=fuzzy, every_word=every_word, snippets=snippets)

    def facet_fields(self) -> list[str]:
        """The index's facet fields."""
        return [spec.name for spec in self.index.schema if spec.facet]

    # -- writing ---------------------------------------------------------------------------------

    @contextmanager
    def writing(self) -> Iterator[None]:
        """One write at a time from this server; another waits at most the lock timeout (then
        IndexLockedError: 503), as it then waits for the index's own lock (another process's)."""
        timeout = self.index.lock_timeout
        if not self._writing.acquire(timeout=timeout):
            raise IndexLockedError(f"another write held the index for more than {timeout:g} s")
        try:
            yield
        finally:
            self._writing.release()

    def add(self, items: list[Any]) -> AddResult:
        with self.writing():
            # workers=1: a server runs threads, and forking worker processes from one is unsafe
            return self.index.add_documents(items, workers=1)

    def delete(self, doc_id: str) -> bool:
        """Whether the document was there (and is now deleted)."""
        with self.writing():
            return not self.index.delete([doc_id])


def check_length(name: str, value: str) -> None:
    """QuerySyntaxError (400) for a query or text longer than MAX_QUERY_CHARS."""
    if len(value) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(f"{name} is {len(value):,} characters long; the limit is {MAX_QUERY_CHARS:,}")
