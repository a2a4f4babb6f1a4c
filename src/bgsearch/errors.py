"""Errors bgsearch raises: one family under `BgsearchError`, each message one line that says what
happened and what to do. The command line prints them as they are and exits with status 2."""

from __future__ import annotations

__all__ = [
    "BgsearchError",
    "DocumentError",
    "QuerySyntaxError",
    "InvalidArgumentError",
    "SchemaError",
    "IndexNotFoundError",
    "IndexExistsError",
    "IndexVersionError",
    "IndexLockedError",
    "IndexClosedError",
    "IndexAccessError",
    "describe",
]


class BgsearchError(Exception):
    """Base class of every error bgsearch raises on purpose."""


def describe(error: BaseException, limit: int = 200) -> str:
    """`Type: message` of an error raised beneath bgsearch, on one line: a message made of damaged
    bytes may hold line breaks and control characters, which become spaces."""
    text = "".join(ch if ch.isprintable() else " " for ch in str(error))
    text = " ".join(text.split())
    return f"{type(error).__name__}: {text[:limit]}{'…' if len(text) > limit else ''}"


# -- what the caller gave ------------------------------------------------------------------------


class DocumentError(BgsearchError, ValueError):
    """A document that cannot be indexed; the message is the reason (an `add_documents` batch
    reports it as a `Rejected` record instead of raising)."""


class QuerySyntaxError(BgsearchError, ValueError):
    """A query string that cannot be parsed, or a malformed date in a query or filter."""


class InvalidArgumentError(BgsearchError, ValueError):
    """An option outside its range (a `limit` of 0, `workers=0`)."""


class SchemaError(BgsearchError, ValueError):
    """A schema that cannot be used (an unknown type, a bad option), or one that does not match
    the schema an index was created with."""


# -- the state of an index -----------------------------------------------------------------------


class IndexNotFoundError(BgsearchError):
    """No index in the directory."""


class IndexExistsError(BgsearchError):
    """`Index.create` on a directory that holds an index already."""


class IndexVersionError(BgsearchError):
    """The index was built by another analyzer version or is damaged: rebuild it."""


class IndexLockedError(BgsearchError):
    """Another writer held the write lock for longer than the index's `lock_timeout`."""


class IndexClosedError(BgsearchError):
    """The index was closed before a lazily computed value (a result's `total`) was read."""


class IndexAccessError(BgsearchError):
    """The operating system refused to read or write the index (permissions, a full disk, a file
    where the directory should be); the index is as its last commit left it."""
