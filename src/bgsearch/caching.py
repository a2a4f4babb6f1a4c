"""The one bounded cache of bgsearch: a dict that empties itself when full.

Every cache here memoizes a pure function of its key (a token's term, a stem, a term's entry in a
segment), and a working set refills in moments, so clearing all at once costs less than the
bookkeeping of least-recently-used order on every hit, and `get` stays a C-level dict lookup.
"""

from __future__ import annotations

from typing import TypeVar

__all__ = ["BoundedCache"]

K = TypeVar("K")
V = TypeVar("V")


class BoundedCache(dict[K, V]):
    """A dict of at most `limit` entries: `put` clears it when it is full."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit

    def put(self, key: K, value: V) -> V:
        """Store `value` under `key` (emptying the cache first if it is full); returns `value`."""
        if len(self) >= self.limit:
            self.clear()
        self[key] = value
        return value
