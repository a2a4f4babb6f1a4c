"""An index directory on disk: Whoosh's files (index name `MAIN`), bgsearch's `bgsearch.json`
(format and analyzer version), and the write lock with a note of who holds it."""

from __future__ import annotations

import gc
import json
import os
import socket
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.analysis import IDAnalyzer
from whoosh.fields import ID, STORED, TEXT, FieldType, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.util.filelock import try_for

from ..analysis.analyzer import BulgarianAnalyzer
from ..analysis.pipeline import ANALYZER_NAME, ANALYZER_VERSION
from ..errors import IndexExistsError, IndexLockedError, IndexNotFoundError, IndexVersionError
from ..fields import FIELDS, Field

__all__ = ["META_FILE", "OWNER_FILE", "INDEX_NAME", "DEFAULT_LOCK_TIMEOUT", "exists", "create", "open_index",
           "locked_message"]

META_FILE = "bgsearch.json"
OWNER_FILE = "bgsearch-writer.json"  # who holds the write lock (the lock itself is Whoosh's flock)
INDEX_NAME = "MAIN"
WRITE_LOCK = f"{INDEX_NAME}_WRITELOCK"  # the file Whoosh flocks for its writer
FORMAT = 1
DEFAULT_LOCK_TIMEOUT = 10.0
T = TypeVar("T")


def whoosh_schema(analyzer: BulgarianAnalyzer) -> Schema:
    return Schema(**{spec.name: _whoosh_field(spec, analyzer) for spec in FIELDS})


def _whoosh_field(spec: Field, analyzer: BulgarianAnalyzer) -> FieldType:
    if spec.kind == "id":
        return ID(stored=True, unique=True)
    if spec.kind == "text":
        return TEXT(analyzer=analyzer, stored=True, phrase=True)
    if spec.kind == "keyword":
        return ID(stored=True, analyzer=IDAnalyzer(lowercase=True))
    if spec.kind == "date":
        return ID(stored=True)  # ISO dates sort and range-compare as strings
    return STORED()


def exists(path: Path) -> bool:
    """True if `path` holds an index (of any version)."""
    return (path / META_FILE).exists() or whoosh_index.exists_in(str(path), INDEX_NAME)


def create(path: Path, overwrite: bool, analyzer: BulgarianAnalyzer) -> tuple[Any, dict[str, Any]]:
    """A new empty index in `path` (created if missing, owner-only): the Whoosh index and its meta.
    Refuses to replace an existing index unless `overwrite`."""
    existing = exists(path)
    if existing and not overwrite:
        raise IndexExistsError(f"{path} already holds an index: open it, or rebuild it with `bgsearch index --rebuild`")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # Replacing an index takes its write lock first, so a running writer is never cut short.
    lock = FileStorage(str(path)).lock(WRITE_LOCK)
    if not try_for(lock.acquire, timeout=DEFAULT_LOCK_TIMEOUT if existing else 0.0, delay=0.1):
        raise IndexLockedError(locked_message(path, DEFAULT_LOCK_TIMEOUT))
    try:
        for stale in [path / META_FILE, *path.glob(f"_{INDEX_NAME}_*"), *path.glob(f"{INDEX_NAME}_*")]:
            if stale.name != WRITE_LOCK:
                stale.unlink(missing_ok=True)
        whoosh_ix = whoosh_index.create_in(str(path), whoosh_schema(analyzer), indexname=INDEX_NAME)
        meta = {"format": FORMAT, "analyzer": ANALYZER_NAME, "analyzer_version": ANALYZER_VERSION}
        tmp = path / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
        tmp.replace(path / META_FILE)
    finally:
        lock.release()
    return whoosh_ix, meta


def open_index(path: Path, first_use: Callable[[Any], T]) -> tuple[T, dict[str, Any]]:
    """`first_use(whoosh_index)` of the index in `path`, and the index's meta; fails clearly if the
    index is missing, damaged or from another analyzer. `first_use` should open a searcher: that
    reads every segment file, so a missing or truncated one fails here, as a damaged index."""
    rebuild = f"rebuild it with `bgsearch index --rebuild --index {path}`"
    if not exists(path):
        raise IndexNotFoundError(f"no index in {path}: build one with `bgsearch index --index {path} PATH...`")
    try:
        meta = json.loads((path / META_FILE).read_text("utf-8"))
        found = (meta.get("analyzer"), meta.get("analyzer_version"))
    except (OSError, ValueError, AttributeError):
        raise IndexVersionError(f"{path} is not a bgsearch index or its {META_FILE} is damaged: {rebuild}") from None
    if found != (ANALYZER_NAME, ANALYZER_VERSION):
        raise IndexVersionError(
            f"{path} was built with analyzer {found[0]} {found[1]}, this bgsearch uses "
            f"{ANALYZER_NAME} {ANALYZER_VERSION}: {rebuild}"
        )
    # Whoosh drops the handles of files it opened before failing on a damaged segment; they are
    # closed here, quietly, instead of warning at some later garbage collection.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        whoosh_ix = None
        try:
            whoosh_ix = whoosh_index.open_dir(str(path), indexname=INDEX_NAME)
            return first_use(whoosh_ix), meta
        except Exception as exc:  # Whoosh raises many types for a damaged index
            failure = f"{type(exc).__name__}: {exc}"
        if whoosh_ix is not None:
            whoosh_ix.close()
        gc.collect()
    raise IndexVersionError(f"{path} is damaged ({failure}): {rebuild}")


def owner_info() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join(sys.argv)[:200],
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def locked_message(path: Path, waited: float) -> str:
    return f"{path} is being written by {_read_owner(path)}; waited {waited:g} s: try again when it is done"


def _read_owner(path: Path) -> str:
    """Who holds the write lock, as a phrase for an error message."""
    try:
        owner = json.loads((path / OWNER_FILE).read_text("utf-8"))
        return f"process {owner['pid']} on {owner['host']} ({owner['command']}, since {owner['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"
