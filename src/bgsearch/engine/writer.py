"""Writing: the index's single writer under its lock, adding, replacing and deleting documents,
commits every so many documents, with worker processes that analyze and write in parallel."""

from __future__ import annotations

import gc
import json
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import numpy as np
from whoosh.index import LockError

from ..analysis.analyzer import BulgarianAnalyzer
from ..documents import Chunk, Document
from ..errors import IndexAccessError, IndexLockedError, InvalidArgumentError
from ..fields import ID_FIELD, Schema, index_term
from . import checksums, durable
from .bulk import PARALLEL_MERGE_DOCS, write_segment
from .store import OWNER_FILE, VALUE_SEPARATOR, Store, locked_message, owner_info, whoosh_field
from .workers import SegmentWorkers, commit_with_segments, workers_for

__all__ = ["Written", "writing", "write", "optimize", "delete", "whoosh_fields", "add_fields"]


@dataclass
class Written:
    added: int = 0
    replaced: int = 0


@contextmanager
def writing(store: Store, lock_timeout: float, segments: Sequence[Any] = (), commit: bool = True,
            optimize: bool = False, pool: SegmentWorkers | None = None) -> Iterator[Any]:
    """The index's single writer: waits up to `lock_timeout` seconds for another writer to finish,
    commits on success (with any `segments` workers wrote meanwhile, then the merge policy, whose
    merges `pool`'s workers help with; `optimize`: every segment merged into one; `commit=False`:
    never commits), and
    leaves the index as it was and the lock free on any error. A full disk or a refused write
    is an IndexAccessError."""
    writer = _locked_writer(store, lock_timeout)
    try:
        durable.write_file(store.path, OWNER_FILE, json.dumps(owner_info()).encode("utf-8"), durable=False)
        yield writer
        if commit:
            commit_with_segments(writer, segments, optimize, pool)
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
        # Whoosh's readers of the segments this commit replaced sit in reference cycles, and each
        # keeps its segment's file mapped until a full collection frees it: in a long import the
        # maps of deleted segments piled up in memory (a third of a million-document index).
        gc.collect()


def _locked_writer(store: Store, lock_timeout: float) -> Any:
    """A Whoosh writer of the directory's current index, holding its write lock."""
    while True:
        try:
            writer = store.whoosh_index.writer(timeout=lock_timeout)
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
    chunks: Iterable[Chunk],
    *,
    chunk_size: int,
    workers: int | None,
    lock_timeout: float,
    progress: Callable[[int, int | None], None] | None = None,
    expected: int | None = None,
) -> Written:
    """Add the documents of each chunk (unique ids within it, at most `chunk_size`), replacing those
    already indexed, one commit a chunk (so a stream commits as it goes); by `workers` processes
    (None: one per core for large chunks), never more than `workers.max_workers()`. `expected`: how
    many documents the input holds, if known (a list): no worker is started for a small one.

    An import holds at most two chunks: with worker processes, the next chunk is read (by a thread)
    while they write the current one, instead of leaving them idle meanwhile; without, one.

    The worker processes are forked before the first document is read (a process forked later would
    keep a copy of the documents read so far) and before the write lock is taken (so none of them
    inherits it); each chunk uses as many of them as its size calls for.

    `progress(done, total)`: documents written so far, and the total once it is known (the last
    chunk is read; None before)."""
    if workers is not None and workers < 1:
        raise InvalidArgumentError(f"workers must be at least 1, got {workers}")
    threads = threading.active_count()
    processes = workers_for(workers, min(chunk_size, expected if expected is not None else chunk_size), threads)
    written = Written()
    done = 0
    total: int | None = None

    def report(count: int) -> None:
        nonlocal done
        before, done = done, done + count
        if progress and (before // 100 != done // 100 or done == total):
            progress(done, total)

    known = IndexedIds()
    with SegmentWorkers(processes) if processes > 1 else nullcontext() as pool:
        pending = iter(chunks)
        chunk = next(pending, None)
        while chunk is not None:
            if chunk.last:
                total = done + len(chunk.documents)
            share = workers_for(workers, len(chunk.documents), threads) if pool is not None else 1
            following = None if chunk.last or pool is None else _read_ahead(pending)
            _commit_chunk(store, chunk, written, pool, share, lock_timeout, report, known)
            last, chunk = chunk.last, None  # let go of it before the next is read (without workers)
            if following is not None:
                chunk = following()  # re-raises what reading it raised, after this commit
            elif not last:
                chunk = next(pending, None)
    if progress and done != total:
        progress(done, done)
    return written


def _read_ahead(chunks: Iterator[Chunk]) -> Callable[[], Chunk | None]:
    """Start reading the next chunk in a thread; returns a call that waits for it (None: there is
    none) or raises what reading it raised. The thread is a daemon: an import that fails meanwhile
    does not wait for a stream that may never end."""
    outcome: list[Any] = []

    def read() -> None:
        try:
            outcome.append(next(chunks, None))
        except BaseException as exc:  # handed to the importing thread
            outcome.append(exc)

    thread = threading.Thread(target=read, name="bgsearch-read-ahead", daemon=True)
    thread.start()

    def result() -> Chunk | None:
        thread.join()
        if isinstance(outcome[0], BaseException):
            raise outcome[0]
        chunk: Chunk | None = outcome[0]
        return chunk

    return result


def _commit_chunk(store: Store, chunk: Chunk, written: Written, pool: SegmentWorkers | None, share: int,
                  lock_timeout: float, report: Callable[[int], None], known: IndexedIds) -> None:
    """One commit: the chunk's documents, replacing those indexed (an id an earlier chunk of the import
    gave replaces that document, and was counted with it), written by `share` of the pool's workers
    (1, or no pool: by this process)."""
    segments: list[Any] = []
    with writing(store, lock_timeout, segments, pool=pool) as writer:
        indexed = known.find(writer, [doc.id for doc in chunk.documents])
        for doc in chunk.documents:
            if doc.id not in indexed:
                written.added += 1
            else:
                for docnum in indexed[doc.id]:
                    writer.delete_document(docnum)
                written.replaced += doc.id not in chunk.repeated
        schema = store.schema  # parsed from its recorded form on each look: once a chunk
        rows = [whoosh_fields(doc, schema) for doc in chunk.documents]
        if pool is not None and share > 1:
            segments += pool.build(str(store.path), store.name, rows, report, share)
        elif rows:
            segments.append(write_segment(writer.storage, writer.schema, writer.indexname, rows, report))


def optimize(store: Store, lock_timeout: float) -> None:
    """Merge every segment into one, in one commit under the write lock (crash-safe as every commit),
    a large index with one worker process a core (forked before the lock is taken)."""
    documents = store.whoosh_index.doc_count_all()
    processes = workers_for(None, documents, threading.active_count()) if documents >= PARALLEL_MERGE_DOCS else 1
    with SegmentWorkers(processes) if processes > 1 else nullcontext() as pool:
        with writing(store, lock_timeout, optimize=True, pool=pool):
            pass


def delete(store: Store, ids: Iterable[str], lock_timeout: float) -> list[str]:
    """Delete documents by id in one commit; returns the ids that were not in the index."""
    with writing(store, lock_timeout) as writer:
        ids = list(ids)
        indexed = IndexedIds().find(writer, ids)
        for docnums in indexed.values():
            for docnum in docnums:
                writer.delete_document(docnum)
    return [doc_id for doc_id in ids if doc_id not in indexed]


class IndexedIds:
    """Which ids the index holds, for the commits of one import.

    Looking an id up in Whoosh's term dictionary costs ~10 us a segment: a 25,000-document commit
    into a million-document index spent seconds on it while the workers waited. So each segment's
    ids are read once (segments never change) into a sorted array of their hashes, and an id is
    looked up in Whoosh only when its hash is in one: in a first import, almost never. A segment is
    read only once the import has asked it about an eighth as many ids as it holds (what reading it
    costs): adding a hundred documents to a large index reads none."""

    def __init__(self) -> None:
        self._hashes: dict[str, np.ndarray] = {}  # segment id -> sorted hashes of its ids
        self._asked: dict[str, int] = {}  # segment id -> ids looked up in it one by one so far

    def find(self, writer: Any, ids: Sequence[str]) -> dict[str, list[int]]:
        """The ids of `ids` the index holds (as of its last commit), each with its document numbers
        in the writer's numbering (for `delete_document`). The searcher is its own (a keyword makes
        Whoosh's writer open a new one, not the one it keeps open to the end of the commit) and
        goes with this call, so that nothing holds its segments' files mapped during the commit."""
        if not ids:
            return {}
        keys = [doc_id.encode("utf-8") for doc_id in ids]
        hashes = np.fromiter(map(hash, keys), dtype=np.int64, count=len(keys))
        found: dict[str, list[int]] = {}
        with writer.searcher(closereader=True) as committed:
            candidates = np.zeros(len(ids), dtype=bool)
            for reader, _ in committed.reader().leaf_readers():
                if reader.doc_count_all():  # (an empty index's reader has no segment)
                    candidates |= self._may_hold(reader, keys, hashes)
            for i in np.flatnonzero(candidates).tolist():
                docnums = list(committed.document_numbers(**{ID_FIELD: ids[i]}))
                if docnums:
                    found[ids[i]] = docnums
        return found

    def _may_hold(self, reader: Any, keys: Sequence[bytes], hashes: np.ndarray) -> np.ndarray:
        """Which of the ids (`keys`, and their `hashes`) the segment of `reader` may hold."""
        segment = reader.segment().segment_id()
        if segment not in self._hashes and 8 * (self._asked.get(segment, 0) + len(keys)) >= reader.doc_count_all():
            self._hashes[segment] = np.sort(np.fromiter(map(hash, reader.lexicon(ID_FIELD)), dtype=np.int64))
        known = self._hashes.get(segment)
        if known is None:
            self._asked[segment] = self._asked.get(segment, 0) + len(keys)
            return np.fromiter(((ID_FIELD, key) in reader for key in keys), dtype=bool, count=len(keys))
        if not len(known):
            return np.zeros(len(keys), dtype=bool)
        return known[np.minimum(np.searchsorted(known, hashes), len(known) - 1)] == hashes


def add_fields(store: Store, fields: Schema, analyzer: BulgarianAnalyzer, lock_timeout: float) -> None:
    """Add the fields of `fields` that the index lacks, in one commit, and record the new schema."""
    with writing(store, lock_timeout) as writer:
        for spec in fields:
            if spec.name not in writer.schema:
                writer.add_field(spec.name, whoosh_field(spec, analyzer))
    store.record_schema(fields)


def whoosh_fields(doc: Document, schema: Schema) -> dict[str, Any]:
    """The Whoosh fields of a document (those it has): text as it is, the other kinds as the terms
    `store.whoosh_field` describes, with their own values stored beside."""
    row: dict[str, Any] = {ID_FIELD: doc.id}
    for name, value in doc.fields.items():
        spec = schema.get(name)
        if spec is None:
            continue
        if spec.kind in ("text", "stored") or (spec.kind in ("keyword", "date") and not spec.multi):
            row[name] = value
            continue
        row[name] = VALUE_SEPARATOR.join(value) if spec.multi else index_term(spec, value)
        if spec.stored:
            row["_stored_" + name] = value
    return row
