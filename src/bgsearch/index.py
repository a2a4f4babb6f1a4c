"""`Index`: the public face of an index directory — create, open, add, delete, search, stats.

Each call hands over to the stage that does the work (documents → engine writer; search → the
query pipeline in `search.py`); nothing below calls back up here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from .analysis.analyzer import BulgarianAnalyzer
from .documents import Document, Rejected, collect
from .engine import checksums, store, writer
from .engine.reader import Reader, Searcher
from .results import AddResult, SearchResults
from .search import matching, search

__all__ = ["Index", "AddResult", "IndexStats", "COMMIT_EVERY"]

COMMIT_EVERY = 25_000  # ~15 s of work on two cores: what an interrupted import can lose


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    segments: int
    size_bytes: int
    analyzer: str
    analyzer_version: str
    last_modified: str | None


class Index:
    """A bgsearch index in a directory. Use `Index.create` or `Index.open`, ideally with `with`."""

    def __init__(self, opened: store.Store, reader: Reader) -> None:
        self._store = opened
        self._reader = reader
        self.lock_timeout = store.DEFAULT_LOCK_TIMEOUT  # seconds a write waits for another writer

    @property
    def path(self) -> Path:
        return self._store.path

    @property
    def durable(self) -> bool:
        """Whether each commit is on disk (fsynced) before it returns, so a power cut loses nothing
        acknowledged (default True). False: faster commits, for a bulk load you would re-run after
        a crash: a power cut may then leave the index unreadable."""
        return self._store.durable

    @durable.setter
    def durable(self, value: bool) -> None:
        self._store.set_durable(value)

    @property
    def meta(self) -> dict[str, Any]:
        """What `bgsearch.json` records: format, analyzer name and version."""
        return self._store.meta

    @property
    def analyzer(self) -> BulgarianAnalyzer:
        """The analyzer the index was built with."""
        return self._reader.snapshot().analyzer

    # -- opening -----------------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """True if `path` holds an index (of any version)."""
        return store.exists(Path(path))

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        analyzer: BulgarianAnalyzer | None = None,
        durable: bool = True,
    ) -> Index:
        """Make a new empty index in `path` (created if missing, readable by its owner only).

        Refuses to replace an existing index unless `overwrite=True` (then the empty index replaces
        it at once, atomically: to fill a new index before it replaces the old one, use
        `Index.rebuild`), and refuses a directory that holds other files.
        """
        created = store.Store.create(Path(path), analyzer or BulgarianAnalyzer(), replace=overwrite,
                                     durable_writes=durable)
        return cls(created, Reader(created))

    @classmethod
    @contextmanager
    def rebuild(cls, path: str | os.PathLike[str], *, analyzer: BulgarianAnalyzer | None = None,
                lock_timeout: float | None = None, durable: bool = True) -> Iterator[Index]:
        """A new, empty index beside the one in `path`, to fill inside the `with` block; when the
        block ends without an error it replaces the old index atomically (waiting up to
        `lock_timeout` seconds for a writer of the old one), and is closed. Readers see the old index
        until then; on an error, or if the process dies, the old index stays as it was.

            with Index.rebuild("myindex") as new:
                new.add_documents(load_path("docs/"))
        """
        with store.Store.rebuilding(Path(path), analyzer or BulgarianAnalyzer(), lock_timeout,
                                    durable_writes=durable) as (pending, switch):
            index = cls(pending, Reader(pending))
            try:
                yield index
            finally:
                index.close()
            switch()

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str], *, overwrite: bool = False, durable: bool = True) -> Index:
        """Open the index in `path`, or create one where there is none (`overwrite=True`: always a
        new, empty one)."""
        if overwrite or not cls.exists(path):
            return cls.create(path, overwrite=overwrite, durable=durable)
        return cls.open(path, durable=durable)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, durable: bool = True) -> Index:
        """Open an existing index; fails clearly if it is missing, damaged, tampered with (a symbolic
        link among its files) or from another analyzer. Nothing in an index is ever run as code."""

        def first_reader(opened: store.Store) -> Reader:
            reader = Reader(opened)
            reader.snapshot()
            return reader

        opened, reader = store.Store.open(Path(path), first_reader, durable)
        return cls(opened, reader)

    def close(self) -> None:
        self._reader.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._reader.doc_count()

    def searcher(self) -> Searcher:
        """A Whoosh searcher over the latest commit, reused while the index does not change."""
        return self._reader.searcher()

    def get(self, doc_id: str) -> Document | None:
        """The stored document with this id, or None."""
        stored = self._reader.snapshot().document(doc_id)
        return Document(**stored) if stored else None

    def check(self) -> list[str]:
        """Read every file of the latest commit and compare it with the sizes and checksums its
        commit recorded; returns what differs, one line each (empty: the index is whole). An index
        committed by a bgsearch before checksums existed has nothing to compare with: one line says so."""
        self._reader.snapshot()  # follows a rebuild first
        verification = checksums.verify(self.path, self._store.name, everything=True)
        if verification.problems is None:
            return [f"{self.path}: its last commit recorded no checksums (commit once to record them)"]
        return verification.problems

    def stats(self) -> IndexStats:
        files = [p for p in self.path.iterdir() if p.is_file()]
        modified = max((p.stat().st_mtime for p in files), default=None)
        return IndexStats(
            path=str(self.path),
            documents=len(self),
            segments=self._reader.segment_count(),
            size_bytes=sum(p.stat().st_size for p in files),
            analyzer=self.meta["analyzer"],
            analyzer_version=self.meta["analyzer_version"],
            last_modified=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(modified)) if modified else None,
        )

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        date_from: str | None = None,
        date_to: str | None = None,
        transliterate: bool = True,
        fuzzy: bool = True,
        snippets: bool = True,
    ) -> SearchResults:
        """Search the index for `query` (words, "phrases", OR, NOT/-word, field:word, prefix*,
        date:FROM..TO; see the README).

        :param limit: hits to return (1-1000). :param offset: hits to skip, for paging.
        :param date_from, date_to: keep documents dated within [date_from, date_to] (ISO dates).
        :param transliterate: read Latin-script words as Bulgarian too (Lukashenko → Лукашенко).
        :param fuzzy: forgive typos in words the index does not know, and suggest the indexed word.
        :param snippets: make each hit's snippet and highlights (False: empty, and faster).
        Raises QuerySyntaxError for a malformed query or date, InvalidArgumentError for a `limit`
        or `offset` out of range.
        """
        return search(self._reader, query, limit=limit, offset=offset, date_from=date_from,
                      date_to=date_to, transliterate=transliterate, fuzzy=fuzzy, snippets=snippets)

    # -- writing -------------------------------------------------------------------------------

    def add_documents(
        self,
        documents: Iterable[Mapping[str, Any] | Document | Rejected],
        *,
        progress: Callable[[int, int], None] | None = None,
        commit_every: int | None = None,
        workers: int | None = None,
    ) -> AddResult:
        """Add documents, replacing any with the same id, committing every `commit_every` documents.

        Items may be dicts, `Document`s, or `Rejected` records from a loader (counted, not indexed).
        A bad document is rejected with its reason; it never stops the others. If the process dies,
        the index keeps every document of the last finished commit, and adding the same documents
        again completes the job without duplicates.

        Documents are analyzed and written by `workers` processes, each writing its share of a commit
        as one segment. By default a batch uses one per core (at least 1,000 documents each) where the
        platform can fork and the calling process runs no other threads; `workers=1` writes in this
        process.
        """
        started = time.perf_counter()
        batch = collect(documents)
        written = writer.write(self._store, batch.documents,
                               commit_every=commit_every or COMMIT_EVERY, workers=workers,
                               lock_timeout=self.lock_timeout, progress=progress)
        return AddResult(written.added, written.replaced, batch.rejected, batch.duplicates,
                         time.perf_counter() - started)

    def delete(self, ids: Iterable[str]) -> list[str]:
        """Delete documents by id and commit; returns the ids that were not in the index."""
        return writer.delete(self._store, ids, self.lock_timeout)

    def delete_by_query(self, query: str) -> int:
        """Delete every document `query` matches as written (no typo guesses, never the any-word
        fallback), in one commit; returns how many were deleted."""
        ids = matching(self._reader, query)
        missing = writer.delete(self._store, ids, self.lock_timeout) if ids else []
        return len(ids) - len(missing)

    @contextmanager
    def write_lock(self) -> Iterator[None]:
        """Hold the index's write lock (waiting up to `lock_timeout` seconds for it): other writers
        wait meanwhile, searches go on. For a consistent copy of the directory, say."""
        with writer.writing(self._store, self.lock_timeout, commit=False):
            yield
