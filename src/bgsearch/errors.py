"""Errors bgsearch raises. Each message is one line that says what happened and what to do."""

from __future__ import annotations

__all__ = [
    "BgsearchError",
    "IndexExistsError",
    "IndexNotFoundError",
    "IndexVersionError",
    "IndexLockedError",
    "QuerySyntaxError",
]


class BgsearchError(Exception):
    """Base class: the CLI prints these as one line and exits with status 2."""


class IndexNotFoundError(BgsearchError):
    pass


class IndexExistsError(BgsearchError):
    pass


class IndexVersionError(BgsearchError):
    """The index was built by another analyzer version or is damaged."""


class IndexLockedError(BgsearchError):
    pass


class QuerySyntaxError(BgsearchError):
    pass
