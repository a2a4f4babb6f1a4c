"""Writing: the index's single writer under its lock, adding, replacing and deleting documents,
commits every so many documents, with worker processes that analyze and write in parallel."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh.index import LockError

from ..documents import Document
from ..errors import IndexLockedError, InvalidArgumentError
from ..fields import FIELDS, ID_FIELD
from .store import INDEX_NAME, OWNER_FILE, locked_message, owner_info
from .workers import CAN_FORK, MIN_DOCS_PER_WORKER, SegmentWorkers, commit_with_segments, default_workers

__all__ = ["Written", "writing", "write", "delete", "whoosh_fields"]

_WRITER_MEMORY_MB = 256


@dataclass
class Written:
    added: int = 0
    replaced: int = 0


@contextmanager
def writing(
    whoosh_ix: Any, path: Path, lock_timeout: float, segments: Sequence[Any] = (), commit: bool = True
) -> Iterator[Any]:
    """The index's single writer: waits up to `lock_timeout` seconds for another writer to finish,
    commits on success (with any `segments` workers wrote meanwhile; `commit=False`: never), and
    leaves the index as it was on any error."""
    try:
        writer = whoosh_ix.writer(timeout=lock_timeout, limitmb=_WRITER_MEMORY_MB)
    except LockError:
        raise IndexLockedError(locked_message(path, lock_timeout)) from None
    owner = path / OWNER_FILE
    owner.write_text(json.dumps(owner_info()), "utf-8")
    try:
        yield writer
    except BaseException:
        writer.cancel()
        raise
    else:
        if commit:
            commit_with_segments(writer, segments)
        else:
            writer.cancel()
    finally:
        owner.unlink(missing_ok=True)


def write(
    whoosh_ix: Any,
    path: Path,
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
            with writing(whoosh_ix, path, lock_timeout, segments) as writer, writer.searcher() as committed:
                for doc in chunk:
                    if committed.document_number(**{ID_FIELD: doc.id}) is None:
                        written.added += 1
                    else:
                        writer.delete_by_term(ID_FIELD, doc.id)
                        written.replaced += 1
                rows = [whoosh_fields(doc) for doc in chunk]
                if pool is not None:
                    segments += pool.build(str(path), INDEX_NAME, rows, report)
                else:
                    for fields in rows:
                        writer.add_document(**fields)
                        report(1)
    if progress and not documents:
        progress(0, 0)
    return written


def delete(whoosh_ix: Any, path: Path, ids: Iterable[str], lock_timeout: float) -> list[str]:
    """Delete documents by id in one commit; returns the ids that were not in the index."""
    missing = []
    with writing(whoosh_ix, path, lock_timeout) as writer, writer.searcher() as committed:
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
