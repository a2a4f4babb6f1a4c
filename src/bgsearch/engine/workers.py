"""Parallel indexing: worker processes that each analyze a share of a batch and write it as one
Whoosh segment, which the index's single writer then commits together with its own changes.

Whoosh's own `MpWriter` forks its workers while the index's write lock is held, so an orphaned worker
of a killed import keeps holding the lock. Here the workers are forked before the lock is taken, they
never commit (only the lock holder writes the table of contents), and each exits when its parent
dies. Files of a segment that was never committed are deleted by the next commit.

However many workers are asked for, an import never runs more than the usable cores (at least 2,
so that a one-core machine still writes in parallel when told to: `max_workers`), nor more than
one per 10 documents of a commit; by default it uses one per core and only for commits of at least
`MIN_DOCS_PER_WORKER` documents a worker.

Every commit ends with the merge policy (`merge_policy`): log-structured, as Lucene's tiered policy,
so that the number of segments stays logarithmic in the index's size whatever the commits look
like. It runs inside the commit, under the write lock, and is crash-safe like every commit: merged
segments are written as a new segment, and the old ones are deleted only after the new table of
contents is in place. A large merge's postings are merged by the workers, in ranges of terms at once
(`bulk.merge_segments`), while the writer copies the stored fields.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from .bulk import merge_segments, write_segment

__all__ = ["CAN_FORK", "SegmentWorkers", "WORKER_NICENESS", "default_workers", "max_workers", "commit_with_segments",
           "merge_policy", "MERGE_FACTOR", "MERGE_FLOOR_DOCS"]

CAN_FORK = "fork" in multiprocessing.get_all_start_methods()

MIN_DOCS_PER_WORKER = 1_000  # below this a worker's start-up and extra segment cost more than they save
MIN_DOCS_PER_REQUESTED_WORKER = 10  # `workers=N` asked for: never a segment of a handful of documents
WORKER_NICENESS = 10  # added to the workers' niceness: an idle machine runs them as fast as ever

_progress_queue: Any = None  # set in each worker by _start_worker


def default_workers() -> int:
    """The processes an import uses by default: one per usable core, when this platform can fork."""
    if not CAN_FORK:
        return 1
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def max_workers() -> int:
    """The most processes an import runs, whatever it asks for: one per usable core (each is busy
    analyzing; more only share the cores and write more segments), and 2 on a one-core machine."""
    return max(2, default_workers()) if CAN_FORK else 1


def workers_for(requested: int | None, chunk: int, threads: int = 1) -> int:
    """How many processes write a commit of `chunk` documents when `requested` were asked for (None:
    the default, one per core for commits of at least MIN_DOCS_PER_WORKER documents a worker).
    `threads`: the threads the calling process runs (forking a process with other threads can
    deadlock the child, so the default is then 1)."""
    if not CAN_FORK:
        return 1
    if requested is not None:
        return max(1, min(requested, max_workers(), chunk // MIN_DOCS_PER_REQUESTED_WORKER))
    if threads > 1:
        return 1
    return max(1, min(default_workers(), chunk // MIN_DOCS_PER_WORKER))


class SegmentWorkers:
    """A pool of forked workers; create it before taking the write lock (so no worker inherits it)
    and close it when the import is done."""

    def __init__(self, workers: int) -> None:
        context = multiprocessing.get_context("fork")
        self.workers = workers
        self._progress: Any = context.SimpleQueue()
        # The workers never collect the objects they inherit, so the pages holding them stay shared
        # with this process instead of being copied into each worker by its garbage collector.
        gc.freeze()
        try:
            self._pool = context.Pool(workers, initializer=_start_worker, initargs=(self._progress,))
        finally:
            gc.unfreeze()

    def build(
        self,
        index_dir: str,
        index_name: str,
        rows: Sequence[Mapping[str, Any]],
        progress: Callable[[int], None] | None = None,
        workers: int | None = None,
    ) -> list[Any]:
        """Write `rows` (Whoosh field dicts) as one segment per worker (`workers` of the pool's, None:
        all), in order; returns the uncommitted segments. `progress` is called with the number of rows
        written since its last call."""
        share = -(-len(rows) // max(1, min(workers or self.workers, self.workers)))
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

    def start(self, function: Callable[[Any], Any], jobs: Sequence[Any]) -> Callable[[], Iterator[Any]]:
        """Run `function` on each of `jobs` in the workers, each job to the first worker free; returns
        a call that yields the results in order, each as soon as it is there (and re-raises a
        worker's error)."""
        pending = [self._pool.apply_async(function, (job,)) for job in jobs]
        return lambda: (result.get() for result in pending)

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


def commit_with_segments(writer: Any, segments: Sequence[Any], optimize: bool = False,
                         pool: SegmentWorkers | None = None) -> None:
    """Commit a Whoosh `SegmentWriter`'s deletions together with `segments` (written by
    `bulk.write_segment`, here or in workers), in one new table of contents, after the merge policy
    has merged what it chose (`optimize`: every segment, into one), with `pool`'s workers if given."""
    merge = _merge_all if optimize else merge_policy
    final = merge(writer, [*writer.segments, *segments], pool)
    writer._close_segment()  # the writer's own segment stays empty: documents come as segments
    writer._commit_toc(final)
    writer._finish()


# -- merging ---------------------------------------------------------------------------------------

MERGE_FACTOR = 10  # segments of one tier that are merged into one (Lucene's segmentsPerTier)
MERGE_FLOOR_DOCS = 10  # smaller segments are all of the lowest tier (Lucene's floor segment size)


def _tier(documents: int) -> int:
    """A segment's tier by its live documents: 0 below 100, 1 below 1,000, 2 below 10,000, ..."""
    return int(math.log(max(documents, MERGE_FLOOR_DOCS) / MERGE_FLOOR_DOCS, MERGE_FACTOR) + 1e-9)


def merge_policy(writer: Any, segments: Sequence[Any], pool: SegmentWorkers | None = None) -> list[Any]:
    """A Whoosh merge policy (`mergetype`): log-structured, as Lucene's tiered policy. Segments
    fall into tiers by their live documents (below 100: tier 0, below 1,000: tier 1, ...); a tier
    that holds MERGE_FACTOR (10) segments is merged into one segment (of the tier above, usually),
    and a merge that fills the tier above takes that tier along, so no tier keeps 10 segments: an
    index of N documents has at most 9 segments a tier in log10(N) tiers, plus the new segment of
    the last commit (an index of a million documents: at most 55, and far fewer in practice). Segments
    whose documents are all deleted are dropped, and one with more than half deleted is rewritten
    with the next merge. Each document is thus rewritten about once per tier: a logarithmic cost.

    Returns the segments that stay as they are, in their order, then the one the chosen ones were
    merged into (`bulk.merge_segments`)."""
    live = [seg for seg in segments if seg.doc_count() > 0]
    tiers: dict[int, list[Any]] = {}
    for seg in live:
        tiers.setdefault(_tier(seg.doc_count()), []).append(seg)
    chosen: list[Any] = []
    merged = 0  # live documents of the segment the chosen ones become
    tier, top = 0, max(tiers, default=0)
    while tier <= top or (merged and _tier(merged) >= tier):
        members = tiers.get(tier, [])
        if len(members) + (1 if merged and _tier(merged) == tier else 0) >= MERGE_FACTOR:
            chosen += members
            merged += sum(seg.doc_count() for seg in members)
        tier += 1
    if chosen:  # a merge rewrites documents anyway: take along segments that are mostly deletions
        taken = {id(seg) for seg in chosen}
        chosen += [seg for seg in live if id(seg) not in taken and 2 * seg.deleted_count() > seg.doc_count_all()]
    return _merge(writer, live, chosen, pool)


def _merge_all(writer: Any, segments: Sequence[Any], pool: SegmentWorkers | None = None) -> list[Any]:
    """Every segment into one (unless the index is one segment without deletions already)."""
    live = [seg for seg in segments if seg.doc_count() > 0]
    if len(live) == 1 and not live[0].has_deletions():
        return live
    return _merge(writer, live, live, pool)


def _merge(writer: Any, segments: Sequence[Any], chosen: Sequence[Any], pool: SegmentWorkers | None) -> list[Any]:
    """The `segments` that are not `chosen`, in their order, then one new segment of the chosen
    ones' live documents (in their order)."""
    if not chosen:
        return list(segments)
    chosen_ids = {id(seg) for seg in chosen}
    kept = [seg for seg in segments if id(seg) not in chosen_ids]
    merged = merge_segments(writer.storage, writer.schema, writer.indexname,
                            [seg for seg in segments if id(seg) in chosen_ids],
                            None if pool is None else (pool.start, pool.workers))
    return [*kept, merged]


def _start_worker(progress: Any) -> None:
    global _progress_queue
    _progress_queue = progress
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()
    try:  # a bulk import yields the cores to searches (a web service on the same machine, say)
        os.nice(WORKER_NICENESS)
    except OSError:
        pass


def _exit_with_parent(parent: int) -> None:
    # A killed import must not leave workers behind (their segments are never committed anyway).
    while os.getppid() == parent:
        time.sleep(0.5)
    os._exit(1)


def _build_segment(index_dir: str, index_name: str, rows: list[Any]) -> Any:
    from pathlib import Path

    from .store import worker_index

    ix = worker_index(Path(index_dir), index_name)
    try:
        return write_segment(ix.storage, ix.schema, index_name, rows, _progress_queue.put)
    finally:
        ix.close()
