"""Writing: the index's single writer under its lock, adding, replacing and deleting documents,
commits every so many documents, with worker processes that analyze and write in parallel."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from whoosh.index import LockError

from ..documents import Document
from ..errors import IndexAccessError, IndexLockedError, InvalidArgumentError
from ..fields import FIELDS, ID_FIELD
from . import checksums, durable
from .store import OWNER_FILE, Store, locked_message, owner_info
from .workers import CAN_FORK, MIN_DOCS_PER_WORKER, SegmentWorkers, commit_with_segments, default_workers

__all__ = ["Written", "writing", "write", "delete", "whoosh_fields"]

_WRITER_MEMORY_MB = 256


@dataclass
class Written:
    added: int = 0
    replaced: int = 0


@contextmanager
def writing(store: Store, lock_timeout: float, segments: Sequence[Any] = (), commit: bool = True) -> Iterator[Any]:
    """The index's single writer: waits up to `lock_timeout` seconds for another writer to finish,
    commits on success (with any `segments` workers wrote meanwhile; `commit=False`: never), and
    leaves the index as it was and the lock free on any error. A full disk or a refused write
    is an IndexAccessError."""
    writer = _locked_writer(store, lock_timeout)
    try:
        durable.write_file(store.path, OWNER_FILE, json.dumps(owner_info()).encode("utf-8"), durable=False)
        yield writer
        if commit:
            commit_with_segments(writer, segments)
            checksums.write_manifest(store.path, store.whoosh_index)
        else:
            writer.cancel()
    except BaseException as exc:
        _cancel(writer)
        if isinstance(exc, OSError):
            raise IndexAccessError(
                f"could not write {store.path}: {exc.strerror or exc}: the index is as its last commit left it; "
                "free space or fix the permissions, then run the import again") from None
        raise
    finally:
        durable.remove_file(store.path, OWNER_FILE)


def _locked_writer(store: Store, lock_timeout: float) -> Any:
    """A Whoosh writer of the directory's current index, holding its write lock."""
    while True:
        try:
            writer = store.whoosh_index.writer(timeout=lock_timeout, limitmb=_WRITER_MEMORY_MB)
        except LockError:
            raise IndexLockedError(locked_message(store.path, lock_timeout)) from None
        if not store.replaced():
            return writer
        writer.cancel()  # a rebuild switched to a new index while we waited: write to that one
        store.reopen()


def _cancel(writer: Any) -> None:
    """Give the lock back whatever state the writer is in (a failed commit may leave it half-closed)."""
    try:
        if not writer.is_closed:
            writer.cancel()
    except Exception:
        pass
    finally:
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            try:
                lock.release()
            except Exception:
                pass


def write(
    store: Store,
    documents: list[Document],
    *,
    commit_every: int,
    workers: int | None,
    lock_timeout: float,
    progress: Callable[[int, int], None] | None = None,
) -> Written:
    """Add `documents` (unique ids), replacing those already indexed, one commit every
    `commit_every` documents; by `workers` processes (None: one per core for a large batch)."""
    written = Written()
    step = max(1, commit_every)
    processes = _workers(workers, min(step, len(documents)))
    done = 0

    def report(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if progress and (before // 100 != done // 100 or done == len(documents)):
            progress(done, len(documents))

    # Workers are forked before the write lock is taken, so none of them inherits it.
    with SegmentWorkers(processes) if processes > 1 else nullcontext() as pool:
        for start in range(0, len(documents), step):
            chunk = documents[start : start + step]
            segments: list[Any] = []
            with writing(store, lock_timeout, segments) as writer, writer.searcher() as committed:
                for doc in chunk:
                    if committed.document_number(**{ID_FIELD: doc.id}) is None:
                        written.added += 1
                    else:
                        writer.delete_by_term(ID_FIELD, doc.id)
                        written.replaced += 1
                rows = [whoosh_fields(doc) for doc in chunk]
                if pool is not None:
                    segments += pool.build(str(store.path), store.name, rows, report)
                else:
                    for fields in rows:
                        writer.add_document(**fields)
                        report(1)
    if progress and not documents:
        progress(0, 0)
    return written


def delete(store: Store, ids: Iterable[str], lock_timeout: float) -> list[str]:
    """Delete documents by id in one commit; returns the ids that were not in the index."""
    missing = []
    with writing(store, lock_timeout) as writer, writer.searcher() as committed:
        for doc_id in ids:
            if committed.document_number(**{ID_FIELD: doc_id}) is None:
                missing.append(doc_id)
            else:
                writer.delete_by_term(ID_FIELD, doc_id)
    return missing


def whoosh_fields(doc: Document) -> dict[str, str]:
    """The Whoosh fields of a document (those it has)."""
    values = {spec.name: getattr(doc, spec.name) for spec in FIELDS}
    return {name: value for name, value in values.items() if value is not None}


def _workers(requested: int | None, chunk: int) -> int:
    """How many processes write a commit of `chunk` documents."""
    if requested is not None:
        if requested < 1:
            raise InvalidArgumentError(f"workers must be at least 1, got {requested}")
        return min(requested, chunk) if CAN_FORK else 1
    # Forking a process that runs other threads can deadlock the child.
    if threading.active_count() > 1:
        return 1
    return min(default_workers(), chunk // MIN_DOCS_PER_WORKER)
