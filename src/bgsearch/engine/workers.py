"""Parallel indexing: worker processes that each analyze a share of a batch and write it as one
Whoosh segment, which the index's single writer then commits together with its own changes.

Whoosh's own `MpWriter` forks its workers while the index's write lock is held, so an orphaned worker
of a killed import keeps holding the lock. Here the workers are forked before the lock is taken, they
never commit (only the lock holder writes the table of contents), and each exits when its parent
dies. Files of a segment that was never committed are deleted by the next commit.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = ["CAN_FORK", "SegmentWorkers", "default_workers", "commit_with_segments"]

CAN_FORK = "fork" in multiprocessing.get_all_start_methods()

MIN_DOCS_PER_WORKER = 1_000  # below this a worker's start-up and extra segment cost more than they save
_PROGRESS_EVERY = 100
_LIMIT_MB = 256  # each worker's posting buffer before it spills sorted runs to disk

_progress_queue: Any = None  # set in each worker by _start_worker


def default_workers() -> int:
    """The processes an import uses by default: one per usable core, when this platform can fork."""
    if not CAN_FORK:
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


class SegmentWorkers:
    """A pool of forked workers; create it before taking the write lock (so no worker inherits it)
    and close it when the import is done."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.workers = workers
        self._progress: Any = context.SimpleQueue()
        self._pool = context.Pool(workers, initializer=_start_worker, initargs=(self._progress,))

    def build(
        self,
        index_dir: str,
        index_name: str,
        rows: Sequence[Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
    ) -> list[Any]:
        """Write `rows` (Whoosh field dicts) as one segment per worker, in order; returns the
        uncommitted segments. `progress` is called with the number of rows written since its last call."""
        share = -(-len(rows) // self.workers)
        pending = [
            self._pool.apply_async(_build_segment, (index_dir, index_name, rows[start : start + share]))
            for start in range(0, len(rows), share)
        ]
        for result in pending:
            while not result.ready():
                result.wait(0.1)
                self._drain(progress)
        self._drain(progress)
        return [result.get() for result in pending]  # re-raises a worker's error

    def _drain(self, progress: Callable[[int], None] | None) -> None:
        written = 0
        while not self._progress.empty():
            written += self._progress.get()
        if written and progress:
            progress(written)

    def close(self) -> None:
        self._pool.terminate()
        self._pool.join()

    def __enter__(self) -> SegmentWorkers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def commit_with_segments(writer: Any, segments: Sequence[Any]) -> None:
    """Commit a Whoosh `SegmentWriter` (its deletions, merges and own documents) together with
    segments written by workers, in one new table of contents."""
    final = writer._merge_segments(None, None, None)
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc([*final, *segments])
    writer._finish()


def _start_worker(progress: Any) -> None:
    global _progress_queue
    _progress_queue = progress
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    # A killed import must not leave workers behind (their segments are never committed anyway).
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _build_segment(index_dir: str, index_name: str, rows: Sequence[Mapping[str, Any]]) -> Any:
    from pathlib import Path

    from whoosh import index as whoosh_index
    from whoosh.writing import SegmentWriter

    from .store import open_storage

    # The parent fsyncs the segment before it commits: a worker's own writes need no fsync.
    ix = whoosh_index.FileIndex(open_storage(Path(index_dir), durable_writes=False), indexname=index_name)
    writer = SegmentWriter(ix, _lk=False, limitmb=_LIMIT_MB)  # the parent holds the lock
    try:
        for number, fields in enumerate(rows, 1):
            writer.add_document(**fields)
            if number % _PROGRESS_EVERY == 0:
                _progress_queue.put(_PROGRESS_EVERY)
        _progress_queue.put(len(rows) % _PROGRESS_EVERY)
        # Not writer.commit(): the parent commits. Not writer._finish(): it would delete the
        # temporary directory the other workers share.
        return writer._finalize_segment()
    except BaseException:
        writer._close_segment()
        raise
    finally:
        ix.close()
