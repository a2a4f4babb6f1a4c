"""`Index`: the public face of an index directory — create, open, add, delete, search, stats.

Each call hands over to the stage that does the work (documents → engine writer; search → the
query pipeline in `search.py`); nothing below calls back up here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sized
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from .analysis.analyzer import BulgarianAnalyzer
from .documents import Batch, Document, Record, Rejected, chunks
from .engine import checksums, store, writer
from .engine.reader import Reader, Searcher
from .fields import ID_FIELD, Schema
from .results import AddResult, SearchResults
from .search import Facets, Filters, Sort, matching, search

SchemaLike = Schema | Mapping[str, Any] | str | os.PathLike[str]

__all__ = ["Index", "AddResult", "IndexStats", "COMMIT_EVERY", "SchemaLike"]

COMMIT_EVERY = 50_000  # ~15 s of work on two cores (what an interrupted import can lose): segments of 25,000


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    segments: int
    size_bytes: int
    analyzer: str
    analyzer_version: str
    last_modified: str | None
    schema: dict[str, dict[str, Any]]  # the fields, as a schema JSON file writes them


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
    def schema(self) -> Schema:
        """The index's fields (the default six for an index created without a schema)."""
        return self._store.schema

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
        schema: SchemaLike | None = None,
        overwrite: bool = False,
        analyzer: BulgarianAnalyzer | None = None,
        durable: bool = True,
    ) -> Index:
        """Make a new empty index in `path` (created if missing, readable by its owner only), with the
        fields of `schema` (a `Schema`, a dict as in the README, or a path to a schema JSON file; None:
        id, title, body, date, source, url).

        Refuses to replace an existing index unless `overwrite=True` (then the empty index replaces
        it at once, atomically: to fill a new index before it replaces the old one, use
        `Index.rebuild`), and refuses a directory that holds other files.
        """
        created = store.Store.create(Path(path), analyzer or BulgarianAnalyzer(), Schema.of(schema),
                                     replace=overwrite, durable_writes=durable)
        return cls(created, Reader(created))

    @classmethod
    @contextmanager
    def rebuild(cls, path: str | os.PathLike[str], *, schema: SchemaLike | None = None,
                analyzer: BulgarianAnalyzer | None = None, lock_timeout: float | None = None,
                durable: bool = True) -> Iterator[Index]:
        """A new, empty index beside the one in `path`, to fill inside the `with` block; when the
        block ends without an error it replaces the old index atomically (waiting up to
        `lock_timeout` seconds for a writer of the old one), and is closed. Readers see the old index
        until then; on an error, or if the process dies, the old index stays as it was. `schema`: the
        new index's fields (None: the old index's).

            with Index.rebuild("myindex") as new:
                new.add_documents(load_path("docs/"))
        """
        fields = None if schema is None else Schema.of(schema)
        with store.Store.rebuilding(Path(path), analyzer or BulgarianAnalyzer(), fields, lock_timeout,
                                    durable_writes=durable) as (pending, switch):
            index = cls(pending, Reader(pending))
            try:
                yield index
            finally:
                index.close()
            switch()

    @classmethod
    def open_or_create(cls, path: str | os.PathLike[str], *, schema: SchemaLike | None = None,
                       overwrite: bool = False, durable: bool = True) -> Index:
        """Open the index in `path`, or create one where there is none (`overwrite=True`: always a
        new, empty one); `schema` as for `create` and `open`."""
        if overwrite or not cls.exists(path):
            return cls.create(path, schema=schema, overwrite=overwrite, durable=durable)
        return cls.open(path, schema=schema, durable=durable)

    @classmethod
    def open(cls, path: str | os.PathLike[str], *, schema: SchemaLike | None = None, durable: bool = True) -> Index:
        """Open an existing index; fails clearly if it is missing, damaged, tampered with (a symbolic
        link among its files) or from another analyzer. Nothing in an index is ever run as code.

        `schema`: the fields the caller expects. It must be the index's own, or add fields to it (they
        are added: documents indexed before lack them); anything else is a SchemaError.
        """

        def first_reader(opened: store.Store) -> Reader:
            reader = Reader(opened)
            reader.snapshot()
            return reader

        opened, reader = store.Store.open(Path(path), first_reader, durable)
        index = cls(opened, reader)
        if schema is not None:
            try:
                index._match_schema(Schema.of(schema))
            except BaseException:
                index.close()
                raise
        return index

    def _match_schema(self, expected: Schema) -> None:
        recorded = self.schema
        if expected == recorded:
            return
        expected.check_extends(recorded, str(self.path), "rebuild: `bgsearch index --rebuild --schema FILE "
                               f"--index {self.path} PATH...`")
        writer.add_fields(self._store, expected, self.analyzer, self.lock_timeout)

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
        if not stored:
            return None
        return Document(stored.pop(ID_FIELD), stored)

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
            schema=self.schema.to_dict(),
        )

    def search(
        self,
        query: str,
        *,
        limit: int = 10,
        offset: int = 0,
        filters: Filters | None = None,
        facets: Facets | None = None,
        sort: Sort | None = None,
        fragments: int = 1,
        date_from: str | None = None,
        date_to: str | None = None,
        transliterate: bool = True,
        fuzzy: bool = True,
        snippets: bool = True,
        every_word: bool = False,
        expand: bool = True,
    ) -> SearchResults:
        """Search the index for `query` (words, "phrases", OR, NOT/-word, field:word, prefix*,
        field:value filters such as date:FROM..TO; see the README).

        :param limit: hits to return (1-1000). :param offset: hits to skip, for paging.
        :param filters: keep documents whose fields hold these values: `{"category": "книги"}`, a list
            for any of several values, a `(low, high)` tuple for an inclusive range of a number or a
            date (None: open). Keyword, number, date and boolean fields only.
        :param facets: fields to count the matches of, per value: `["category"]`, or
            `{"category": 20, "published": "month", "price": [(0, 10), (10, None)]}` (top N values;
            a date by year, month or day; a number by ranges). Fields declared `facet` only.
        :param sort: `"-price"` or `["category", "-published"]` (descending with -), ties by
            relevance. Without it: by relevance; a query that ranks nothing (a filter or a prefix
            alone) comes newest first where the schema has a sortable date.
        :param fragments: up to this many passages in each snippet (1-10), joined by " … ".
        :param date_from, date_to: keep documents dated within [date_from, date_to] (ISO dates), by
            the schema's date field.
        :param transliterate: read Latin-script words as Bulgarian too (Lukashenko → Лукашенко).
        :param fuzzy: forgive typos in words the index does not know, and suggest the indexed word.
        :param snippets: make each hit's snippets and highlights (False: empty, and faster).
        :param every_word: a document must have every word, however long the query, and nothing is
            found when none has them all (no any-word fallback): the AND of other search frameworks.
        :param expand: an acronym also finds what it stands for (САЩ → "Съединените щати"), and a
            name also finds its acronym, ranked below the literal match (`bgsearch.query.acronyms`).
        Raises QuerySyntaxError for a malformed query, filter, sort or facet, InvalidArgumentError
        for a `limit`, `offset` or `fragments` out of range.
        """
        return search(self._reader, query, limit=limit, offset=offset, filters=filters, facets=facets, sort=sort,
                      fragments=fragments, date_from=date_from, date_to=date_to, transliterate=transliterate,
                      fuzzy=fuzzy, snippets=snippets, every_word=every_word, expand=expand)

    # -- writing -------------------------------------------------------------------------------

    def add_documents(
        self,
        documents: Iterable[Mapping[str, Any] | Document | Record | Rejected],
        *,
        progress: Callable[[int, int | None], None] | None = None,
        commit_every: int | None = None,
        workers: int | None = None,
    ) -> AddResult:
        """Add documents, replacing any with the same id, committing every `commit_every` documents
        (50,000).

        Items may be dicts, `Document`s, or what a loader yields (`Record`s, and `Rejected` records,
        counted, not indexed). Each is checked against the schema: a bad document is rejected with its
        reason and never stops the others; keys the schema does not name are ignored and counted once
        per call (`AddResult.ignored`).

        The items are read as they come, one commit's worth at a time: memory holds one chunk of
        `commit_every` documents (never the whole import), and a stream (a generator, a pipe) is
        committed chunk by chunk as it goes. An id given twice within the import keeps the last one
        and is reported in `AddResult.duplicates`, also across chunks. If the process dies, the index
        keeps every document of the last finished commit, and adding the same documents again
        completes the job without duplicates.

        Documents are analyzed and written by `workers` processes, each writing its share of a commit
        as one segment. By default a batch uses one per core (at least 1,000 documents each) where the
        platform can fork and the calling process runs no other threads; `workers=1` writes in this
        process; never more than the usable cores, whatever is asked. Segments are merged after
        commits (a log-structured policy), so their number stays bounded; `optimize()` merges them all.

        `progress(done, total)` is called as documents are written; `total` is None until the last
        chunk is read.
        """
        started = time.perf_counter()
        batch = Batch()
        size = max(1, commit_every or COMMIT_EVERY)
        written = writer.write(self._store, chunks(documents, self.schema, batch, size), chunk_size=size,
                               workers=workers, lock_timeout=self.lock_timeout, progress=progress,
                               expected=len(documents) if isinstance(documents, Sized) else None)
        return AddResult(written.added, written.replaced, batch.rejected, batch.duplicates, dict(batch.ignored),
                         time.perf_counter() - started)

    def optimize(self) -> None:
        """Merge every segment into one, dropping deleted documents, in one commit under the write lock
        (waiting up to `lock_timeout` seconds for another writer). Searches go on meanwhile and see the
        index before or after, never in between; a process killed meanwhile leaves the index as it was.
        Takes about as long as writing the index's documents once (without analyzing them)."""
        writer.optimize(self._store, self.lock_timeout)

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
