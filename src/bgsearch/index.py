"""The on-disk index: create, open, add, replace, delete, count. Whoosh stays behind this module
(and `search.py`), so the engine could be swapped or vendored without touching the rest."""

from __future__ import annotations

import gc
import json
import os
import socket
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from whoosh import index as whoosh_index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.analysis import IDAnalyzer
from whoosh.filedb.filestore import FileStorage
from whoosh.index import LockError
from whoosh.reading import TermNotFound
from whoosh.util.filelock import try_for
from whoosh.scoring import BM25F

from .analysis.analyzer import ANALYZER_NAME, ANALYZER_VERSION, BulgarianAnalyzer
from .documents import Document, DocumentError, Rejected, to_document
from .errors import IndexExistsError, IndexLockedError, IndexNotFoundError, IndexVersionError
from .parallel import CAN_FORK, MIN_DOCS_PER_WORKER, SegmentWorkers, commit_with_segments, default_workers

if TYPE_CHECKING:
    from whoosh.searching import Searcher

    from .search import SearchResults

__all__ = ["Index", "AddResult", "IndexStats", "META_FILE", "COMMIT_EVERY"]

META_FILE = "bgsearch.json"
OWNER_FILE = "bgsearch-writer.json"  # who holds the write lock (the lock itself is Whoosh's flock)
COMMIT_EVERY = 25_000  # ~15 s of work on two cores: what an interrupted import can lose
_PER_COMMIT_LIMIT = 256
_TERM_INFO_LIMIT = 100_000  # cached term entries per segment
_INDEX_NAME = "MAIN"
_WRITE_LOCK = f"{_INDEX_NAME}_WRITELOCK"  # the file Whoosh flocks for its writer
_FORMAT = 1
DEFAULT_LOCK_TIMEOUT = 10.0
# BM25F; titles are short, so their length matters less (smaller B).
_WEIGHTING = BM25F(B=0.75, K1=1.2, title_B=0.5)


@dataclass
class AddResult:
    """What `Index.add_documents` did."""

    added: int = 0
    replaced: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # ids given twice; the last one was kept
    seconds: float = 0.0

    @property
    def indexed(self) -> int:
        return self.added + self.replaced


@dataclass(frozen=True)
class IndexStats:
    path: str
    documents: int
    segments: int
    size_bytes: int
    analyzer: str
    analyzer_version: str
    last_modified: str | None


def _schema(analyzer: BulgarianAnalyzer) -> Schema:
    return Schema(
        id=ID(stored=True, unique=True),
        title=TEXT(analyzer=analyzer, stored=True, phrase=True),
        body=TEXT(analyzer=analyzer, stored=True, phrase=True),
        date=ID(stored=True),  # ISO dates sort and range-compare as strings
        source=ID(stored=True, analyzer=IDAnalyzer(lowercase=True)),
        url=STORED(),
    )


class _TermInfoCache:
    """A segment's term table that reads each term's entry from disk once per commit.

    A query looks a term up in every segment several times (its size to order a matcher tree,
    its statistics, its postings), each a hash-table probe in Python; a cached entry is a dict hit.
    Wraps Whoosh's term reader (a private attribute of its segment reader).
    """

    def __init__(self, terms: Any) -> None:
        self._wrapped = terms
        self._infos: dict[tuple[str, bytes], Any] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self._wrapped, name)

    def _info(self, fieldname: str, tbytes: bytes) -> Any:
        """The term's entry, or None when the segment does not have the term."""
        key = (fieldname, tbytes)
        try:
            return self._infos[key]
        except KeyError:
            pass
        try:
            info = self._wrapped.term_info(fieldname, tbytes)
        except TermNotFound:
            info = None
        if len(self._infos) >= _TERM_INFO_LIMIT:
            self._infos.clear()
        self._infos[key] = info
        return info

    def __contains__(self, term: tuple[str, bytes]) -> bool:
        return self._info(*term) is not None

    def term_info(self, fieldname: str, tbytes: bytes) -> Any:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise TermNotFound(f"{fieldname}:{tbytes!r}")
        return info

    def _present(self, fieldname: str, tbytes: bytes) -> Any:
        info = self._info(fieldname, tbytes)
        if info is None:
            raise KeyError(tbytes)  # what the wrapped table raises; the reader turns it into 0
        return info

    def doc_frequency(self, fieldname: str, tbytes: bytes) -> int:
        return self._present(fieldname, tbytes).doc_frequency()

    def frequency(self, fieldname: str, tbytes: bytes) -> float:
        return self._present(fieldname, tbytes).weight()

    def matcher(self, fieldname: str, tbytes: bytes, format_: Any, scorer: Any = None) -> Any:
        terms = self._wrapped
        return terms._codec.postings_reader(
            terms._postfile, self.term_info(fieldname, tbytes), format_, term=(fieldname, tbytes), scorer=scorer
        )


class Index:
    """A bgsearch index in a directory. Use `Index.create` or `Index.open`, ideally with `with`."""

    def __init__(self, path: Path, whoosh_ix: Any, meta: Mapping[str, Any]) -> None:
        self.path = path
        self._ix = whoosh_ix
        self.meta = dict(meta)
        self._searcher: Searcher | None = None
        # Derived from the current commit; both are dropped when a new searcher is opened.
        self._per_commit: dict[Any, Any] = {}
        self._lexicon_by_length: dict[int, list[str]] | None = None
        # The analyzer the index was built with (Whoosh re-reads the schema on every access).
        self.analyzer: BulgarianAnalyzer = whoosh_ix.schema["body"].analyzer
        self.lock_timeout = DEFAULT_LOCK_TIMEOUT

    # -- opening -----------------------------------------------------------------------------

    @staticmethod
    def exists(path: str | os.PathLike[str]) -> bool:
        """True if `path` holds an index (of any version)."""
        path = Path(path)
        return (path / META_FILE).exists() or whoosh_index.exists_in(str(path), _INDEX_NAME)

    @classmethod
    def create(
        cls,
        path: str | os.PathLike[str],
        *,
        overwrite: bool = False,
        analyzer: BulgarianAnalyzer | None = None,
    ) -> Index:
        """Make a new empty index in `path` (created if missing).

        Refuses to replace an existing index unless `overwrite=True`.
        """
        path = Path(path)
        existing = cls.exists(path)
        if existing and not overwrite:
            raise IndexExistsError(f"{path} already holds an index: open it, or rebuild it with `bgsearch index --rebuild`")
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Replacing an index takes its write lock first, so a running writer is never cut short.
        lock = FileStorage(str(path)).lock(_WRITE_LOCK)
        if not try_for(lock.acquire, timeout=DEFAULT_LOCK_TIMEOUT if existing else 0.0, delay=0.1):
            raise IndexLockedError(
                f"{path} is being written by {_read_owner(path)}; waited {DEFAULT_LOCK_TIMEOUT:g} s: "
                "try again when it is done"
            )
        try:
            for stale in [path / META_FILE, *path.glob(f"_{_INDEX_NAME}_*"), *path.glob(f"{_INDEX_NAME}_*")]:
                if stale.name != _WRITE_LOCK:
                    stale.unlink(missing_ok=True)
            analyzer = analyzer or BulgarianAnalyzer()
            whoosh_ix = whoosh_index.create_in(str(path), _schema(analyzer), indexname=_INDEX_NAME)
            meta = {"format": _FORMAT, "analyzer": ANALYZER_NAME, "analyzer_version": ANALYZER_VERSION}
            tmp = path / (META_FILE + ".tmp")
            tmp.write_text(json.dumps(meta, indent=2) + "\n", "utf-8")
            tmp.replace(path / META_FILE)
        finally:
            lock.release()
        return cls(path, whoosh_ix, meta)

    @classmethod
    def open(cls, path: str | os.PathLike[str]) -> Index:
        """Open an existing index; fails clearly if it is missing, damaged or from another analyzer."""
        path = Path(path)
        rebuild = f"rebuild it with `bgsearch index --rebuild --index {path}`"
        if not cls.exists(path):
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
        # Whoosh drops the handles of files it opened before failing on a damaged segment; they
        # are closed here, quietly, instead of warning at some later garbage collection.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            index, failure = None, None
            try:
                index = cls(path, whoosh_index.open_dir(str(path), indexname=_INDEX_NAME), meta)
                index.searcher()  # opens every segment file: a missing or truncated one fails here
            except Exception as exc:  # Whoosh raises many types for a damaged index
                failure = f"{type(exc).__name__}: {exc}"
            if failure is not None:
                if index is not None:
                    index.close()
                gc.collect()
                raise IndexVersionError(f"{path} is damaged ({failure}): {rebuild}")
        return index

    def close(self) -> None:
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._lexicon_by_length = None
        self._ix.close()

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.close()

    # -- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._ix.doc_count()

    def searcher(self) -> Searcher:
        """A Whoosh searcher over the latest commit, reused while the index does not change."""
        if self._searcher is not None and not self._searcher.up_to_date():
            # Not Searcher.refresh(): it fails when the old reader is of an empty index.
            self._searcher.close()
            self._searcher = None
        if self._searcher is None:
            self._searcher = self._ix.searcher(weighting=_WEIGHTING)
            for leaf, _ in self._searcher.leaf_searchers():
                reader = leaf.reader()
                if hasattr(reader, "_terms"):  # a segment (an empty index has none)
                    reader._terms = _TermInfoCache(reader._terms)
            self._per_commit = {}
            self._lexicon_by_length = None
        return self._searcher

    def per_commit_cache(self) -> dict[Any, Any]:
        """A dict for values derived from the current commit; emptied when the index changes."""
        self.searcher()
        if len(self._per_commit) > _PER_COMMIT_LIMIT:
            self._per_commit.clear()
        return self._per_commit

    def get(self, doc_id: str) -> Document | None:
        """The stored document with this id, or None."""
        stored = self.searcher().document(id=doc_id)
        return Document(**stored) if stored else None

    def doc_frequency(self, term: str) -> int:
        """How many documents have `term` (an analyzed term) in their title or body (an upper bound)."""
        searcher = self.searcher()
        return searcher.doc_frequency("body", term) + searcher.doc_frequency("title", term)

    def similar_terms(self, term: str, max_distance: int, limit: int = 5) -> list[tuple[int, str]]:
        """Indexed terms within `max_distance` edits of `term` (an adjacent swap is one edit), as
        (distance, term), nearest first, then most frequent."""
        from rapidfuzz.distance import OSA
        from rapidfuzz.process import extract

        by_length = self._lexicon()
        found: list[tuple[int, int, str]] = []
        for length in range(len(term) - max_distance, len(term) + max_distance + 1):
            choices = by_length.get(length)
            if choices:
                for other, distance, _ in extract(term, choices, scorer=OSA.distance,
                                                  score_cutoff=max_distance, limit=4 * limit):
                    if other != term:
                        found.append((int(distance), -self.doc_frequency(other), other))
        return [(distance, other) for distance, _, other in sorted(found)[:limit]]

    def _lexicon(self) -> dict[int, list[str]]:
        """The alphabetic terms of the title and body fields, by length; cached per commit."""
        reader = self.searcher().reader()
        if self._lexicon_by_length is None:
            by_length: dict[int, list[str]] = {}
            for field_name in ("body", "title"):
                for raw in reader.lexicon(field_name):
                    term = raw.decode("utf-8")
                    if term.isalpha():
                        by_length.setdefault(len(term), []).append(term)
            for length, terms in by_length.items():
                by_length[length] = sorted(set(terms))
            self._lexicon_by_length = by_length
        return self._lexicon_by_length

    def stats(self) -> IndexStats:
        files = [p for p in self.path.iterdir() if p.is_file()]
        modified = max((p.stat().st_mtime for p in files), default=None)
        return IndexStats(
            path=str(self.path),
            documents=len(self),
            segments=len(self._ix._segments()),
            size_bytes=sum(p.stat().st_size for p in files),
            analyzer=self.meta["analyzer"],
            analyzer_version=self.meta["analyzer_version"],
            last_modified=time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(modified)) if modified else None,
        )

    def search(self, query: str, **options: Any) -> SearchResults:
        """Search the index; see `bgsearch.search.search` for the options."""
        from .search import search

        return search(self, query, **options)

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
        result = AddResult()
        documents_by_id: dict[str, Document] = {}
        for number, item in enumerate(documents, 1):
            if isinstance(item, Rejected):
                result.rejected.append(item)
                continue
            try:
                doc = to_document(item)
            except DocumentError as exc:
                result.rejected.append(Rejected(_describe(item, number), str(exc)))
                continue
            if doc.id in documents_by_id:
                result.duplicates.append(doc.id)
            documents_by_id[doc.id] = doc
        batch = list(documents_by_id.values())
        step = max(1, commit_every or COMMIT_EVERY)
        workers = _workers(workers, min(step, len(batch)))
        written = 0

        def report(count: int) -> None:
            nonlocal written
            before, written = written, written + count
            if progress and (before // 100 != written // 100 or written == len(batch)):
                progress(written, len(batch))

        # Workers are forked before the write lock is taken, so none of them inherits it.
        with SegmentWorkers(workers) if workers > 1 else nullcontext() as pool:
            for start in range(0, len(batch), step):
                chunk = batch[start : start + step]
                segments: list[Any] = []
                with self._writing(segments) as writer, writer.searcher() as committed:
                    for doc in chunk:
                        if committed.document_number(id=doc.id) is None:
                            result.added += 1
                        else:
                            writer.delete_by_term("id", doc.id)
                            result.replaced += 1
                    rows = [_fields(doc) for doc in chunk]
                    if pool is not None:
                        segments += pool.build(str(self.path), _INDEX_NAME, rows, report)
                    else:
                        for fields in rows:
                            writer.add_document(**fields)
                            report(1)
        if progress and not batch:
            progress(0, 0)
        result.seconds = time.perf_counter() - started
        return result

    def delete(self, ids: Iterable[str]) -> list[str]:
        """Delete documents by id and commit; returns the ids that were not in the index."""
        missing = []
        with self._writing() as writer, writer.searcher() as committed:
            for doc_id in ids:
                if committed.document_number(id=doc_id) is None:
                    missing.append(doc_id)
                else:
                    writer.delete_by_term("id", doc_id)
        return missing

    @contextmanager
    def _writing(self, segments: Sequence[Any] = ()) -> Iterator[Any]:
        """The index's single writer: waits up to `lock_timeout` seconds for another writer to
        finish, commits on success (with any `segments` workers wrote meanwhile), and leaves the
        index as it was on any error."""
        try:
            writer = self._ix.writer(timeout=self.lock_timeout, limitmb=256)
        except LockError:
            raise IndexLockedError(
                f"{self.path} is being written by {_read_owner(self.path)}; waited "
                f"{self.lock_timeout:g} s: try again when it is done"
            ) from None
        owner = self.path / OWNER_FILE
        owner.write_text(json.dumps(_owner_info()), "utf-8")
        try:
            yield writer
        except BaseException:
            writer.cancel()
            raise
        else:
            commit_with_segments(writer, segments)
        finally:
            owner.unlink(missing_ok=True)


def _owner_info() -> dict[str, Any]:
    return {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "command": " ".join(sys.argv)[:200],
        "since": time.strftime("%Y-%m-%d %H:%M:%S"),
    }


def _read_owner(path: Path) -> str:
    """Who holds the write lock, as a phrase for an error message."""
    try:
        owner = json.loads((path / OWNER_FILE).read_text("utf-8"))
        return f"process {owner['pid']} on {owner['host']} ({owner['command']}, since {owner['since']})"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


def _fields(doc: Document) -> dict[str, str]:
    """The Whoosh fields of a document (those it has)."""
    fields = {"id": doc.id, "body": doc.body, "title": doc.title, "date": doc.date, "source": doc.source,
              "url": doc.url}
    return {name: value for name, value in fields.items() if value is not None}


def _workers(requested: int | None, chunk: int) -> int:
    """How many processes write a commit of `chunk` documents."""
    if requested is not None:
        if requested < 1:
            raise ValueError(f"workers must be at least 1, got {requested}")
        return min(requested, chunk) if CAN_FORK else 1
    # Forking a process that runs other threads can deadlock the child.
    if threading.active_count() > 1:
        return 1
    return min(default_workers(), chunk // MIN_DOCS_PER_WORKER)


def _describe(item: object, number: int) -> str:
    doc_id = item.get("id") if isinstance(item, Mapping) else None
    return f"document {number}" + (f" (id {doc_id!r})" if isinstance(doc_id, str) else "")
