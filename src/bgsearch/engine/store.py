"""An index directory on disk: bgsearch's `bgsearch.json` (format, analyzer version, and which Whoosh
index in the directory is the current one), Whoosh's files of that index, and its write lock with
a note of who holds it.

A rebuild writes a new Whoosh index under a name of its own beside the current one, and switches
to it by replacing `bgsearch.json` (write a temporary file, rename it over the old one) under the
current index's write lock: readers see the old index until the new one is complete, and a rebuild
that fails or is killed leaves the old index as it was. Only files whose names Whoosh gives to
the indexes the directory's `bgsearch.json` names, or gave to a rebuild's, are ever deleted.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import secrets
import socket
import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from whoosh import index as whoosh_index
from whoosh.analysis import IDAnalyzer, LowercaseFilter, RegexTokenizer
from whoosh.fields import ID, STORED, TEXT, FieldType, Schema
from whoosh.filedb import compound as whoosh_compound
from whoosh.filedb.structfile import BufferFile
from whoosh.util.filelock import try_for

from ..analysis.analyzer import BulgarianAnalyzer
from ..analysis.pipeline import ANALYZER_NAME, ANALYZER_VERSION
from ..errors import IndexAccessError, IndexExistsError, IndexLockedError, IndexNotFoundError, IndexVersionError, describe
from ..errors import SchemaError
from ..fields import DEFAULT_SCHEMA, Field
from ..fields import Schema as FieldTable
from . import checksums, durable

__all__ = ["META_FILE", "OWNER_FILE", "INDEX_NAME", "DEFAULT_LOCK_TIMEOUT", "Store", "exists", "locked_message",
           "owner_info", "worker_index"]

META_FILE = "bgsearch.json"
OWNER_FILE = "bgsearch-writer.json"  # who holds the write lock (the lock itself is Whoosh's flock)
REBUILD_LOCK = "bgsearch-rebuild.lock"  # held by a rebuild from start to switch
INDEX_NAME = "MAIN"  # the Whoosh index of a directory that was never rebuilt
FORMAT = 1
META_LIMIT = 1 << 20  # bytes of bgsearch.json read: a schema of 256 fields fits many times over
DEFAULT_LOCK_TIMEOUT = 10.0
T = TypeVar("T")
_REBUILT_NAME = re.compile(r"R[0-9a-f]{12}")


def open_storage(path: Path, durable_writes: bool = True) -> Any:
    """The Whoosh storage of an index directory: fsyncs what a commit wrote before the commit
    returns (unless `durable_writes` is False), never follows a symlink. Every storage the engine
    opens, in this process and in its worker processes, comes from here (tests that emulate a
    power cut replace this function)."""
    return durable.storage(path, durable=durable_writes)


def worker_index(path: Path, name: str) -> Any:
    """The Whoosh index `name` of a directory, as a worker process opens it to write files of a
    commit to come: without fsyncs, since the process that commits fsyncs what it commits."""
    return whoosh_index.FileIndex(open_storage(path, durable_writes=False), indexname=name)


# The values of a multi-valued keyword reach Whoosh as one string, kept apart by this character
# (documents.py turns control characters in keywords into spaces).
VALUE_SEPARATOR = "\x1f"


def whoosh_schema(fields: FieldTable, analyzer: BulgarianAnalyzer) -> Schema:
    return Schema(**{spec.name: whoosh_field(spec, analyzer) for spec in fields})


def whoosh_field(spec: Field, analyzer: BulgarianAnalyzer) -> FieldType:
    """The Whoosh field of a schema field. Keywords, numbers, dates and booleans are single terms
    (a number as its shortest decimal, a date as ISO, a boolean as true/false), read back per document
    for filters, facets and sorting (`engine/columns.py`)."""
    if spec.kind == "id":
        return ID(stored=True, unique=True)
    if spec.kind == "text":
        return TEXT(analyzer=analyzer, stored=spec.stored, phrase=True)
    if spec.kind == "keyword" and spec.multi:
        tokenizer = RegexTokenizer(f"[^{VALUE_SEPARATOR}]+")
        return ID(stored=spec.stored, analyzer=tokenizer if spec.case_sensitive else tokenizer | LowercaseFilter())
    if spec.kind == "keyword":
        return ID(stored=spec.stored, analyzer=IDAnalyzer(lowercase=not spec.case_sensitive))
    if spec.kind in ("number", "date", "boolean"):
        return ID(stored=spec.stored)
    return STORED()


def exists(path: Path) -> bool:
    """True if `path` holds an index (of any version, damaged or not): its meta, or a table of
    contents of Whoosh's (an index whose creation was cut short)."""
    try:
        return (path / META_FILE).exists() or checksums.latest_generation(path, INDEX_NAME) is not None
    except (NotADirectoryError, FileNotFoundError):
        return False


def _index_files(path: Path, name: str) -> list[Path]:
    """The files Whoosh writes for the index `name`: its tables of contents (and the temporary name
    a table of contents is written under, `.toc.<time>`, which a killed commit leaves), its segments'
    files, its lock, and its writers' temporary directory."""
    own = re.compile(rf"_{re.escape(name)}_\d+\.(?:toc|toc\.[0-9.]+|sums|sums\.tmp)|{_segment_file(name)}"
                     rf"|{re.escape(name)}_WRITELOCK|{re.escape(name)}\.tmp")
    try:
        return [entry for entry in path.iterdir() if own.fullmatch(entry.name)]
    except FileNotFoundError:
        return []


def _segment_file(name: str) -> str:
    """The names Whoosh gives a segment's files: the index name, a 16-character id, an extension."""
    return rf"({re.escape(name)}_[0-9a-z]{{16}})[.][A-Za-z0-9_.]+"


# Whoosh deletes, after each commit, every file whose name merely looks like a segment's of its
# index (MAIN_notes.txt); it is told the exact shape of the names it gives.
whoosh_index.TOC._segment_pattern = classmethod(lambda cls, name: re.compile(_segment_file(name)))


class _View(io.RawIOBase):
    """A read-only file over a buffer, without copying it."""

    def __init__(self, view: memoryview) -> None:
        super().__init__()
        self._view = view
        self._position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._position, io.SEEK_END: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def read(self, size: int | None = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(len(self._view), self._position + size)
        data = bytes(self._view[self._position : end])
        self._position = max(self._position, end)
        return data

    def readinto(self, buffer: Any) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class _MappedFile(BufferFile):
    """A file of a mapped compound segment. Whoosh's BufferFile reads it through BytesIO(view),
    which copies it whole: opening a million-document index copied its 2 GB of terms and postings
    into memory (4 s), and every writer's lookup of ids did so again."""

    def __init__(self, buf: memoryview, name: str | None = None, onclose: Any = None) -> None:
        super().__init__(b"", name=name, onclose=onclose)
        self._buf = buf
        self.file = _View(buf)


whoosh_compound.BufferFile = _MappedFile


def _remove(files: list[Path]) -> None:
    """Delete an index's files (and its writers' temporary directory), never through a link."""
    for file in files:
        if file.name.endswith(".tmp") and file.is_dir():
            durable.remove_temp_dir(file.parent, file.name)
        else:
            durable.remove_file(file.parent, file.name)


@dataclass(frozen=True)
class _Identity:
    """What changes when `bgsearch.json` is replaced (a rebuild, a new index)."""

    inode: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> _Identity | None:
        try:
            stat = (path / META_FILE).stat()
        except OSError:
            return None
        return cls(stat.st_ino, stat.st_mtime_ns)


class Store:
    """An open index directory: its meta and its current Whoosh index."""

    def __init__(self, path: Path, whoosh_ix: Any, meta: dict[str, Any], identity: _Identity | None,
                 pending: bool = False) -> None:
        self.path = path
        self.durable = True  # fsync what each commit wrote (False: faster, for loads that are re-run)
        self.whoosh_index = whoosh_ix
        self.meta = meta
        self._identity = identity
        self.pending = pending  # a rebuild's index, not yet the directory's current one

    @property
    def name(self) -> str:
        """The name of the current Whoosh index in the directory."""
        return str(self.meta.get("index", INDEX_NAME))

    @property
    def schema(self) -> FieldTable:
        """The fields the index was created with (an index from before schemas: the default six)."""
        return _schema_of(self.meta, self.path)

    def record_schema(self, fields: FieldTable) -> None:
        """Record `fields` as the index's schema (after its new fields were committed to Whoosh's)."""
        self.meta = {**self.meta, "schema": fields.to_dict()}
        _write_meta(self.path, self.meta)
        self._identity = _Identity.of(self.path)

    # -- opening ---------------------------------------------------------------------------------

    @classmethod
    def open(cls, path: Path, first_use: Callable[[Store], T], durable_writes: bool = True) -> tuple[Store, T]:
        """The index in `path`, and `first_use(store)` of it; fails clearly if the index is missing,
        damaged or from another analyzer. `first_use` should open a searcher: that reads every
        segment file, so a missing or truncated one fails here, as a damaged index."""
        if not exists(path):
            raise IndexNotFoundError(f"no index in {path}: build one with `bgsearch index --index {path} PATH...`")
        for attempt in range(3):  # a rebuild may switch (and delete the old files) meanwhile
            identity = _Identity.of(path)
            meta = _read_meta(path)
            try:
                name = str(meta.get("index", INDEX_NAME))
                _check_links(path, name)
                problems = checksums.verify(path, name, everything=False).problems
                if problems:
                    raise IndexVersionError(f"{path} is damaged ({problems[0]}): {rebuild_advice(path)}")
                store = cls(path, _open_whoosh(path, name, durable_writes), meta, identity)
                store.durable = durable_writes
                return store, _first_use(store, first_use)
            except IndexVersionError:
                if attempt == 2 or _Identity.of(path) == identity:
                    raise
        raise AssertionError("unreachable")

    def replaced(self) -> bool:
        """True when the directory's index was replaced since this store read it (a rebuild)."""
        return not self.pending and _Identity.of(self.path) != self._identity

    def reopen(self) -> None:
        """Follow a replacement: read the meta again and open the index it names."""
        fresh, _ = Store.open(self.path, lambda store: None, self.durable)
        self.whoosh_index, self.meta, self._identity = fresh.whoosh_index, fresh.meta, fresh._identity

    def set_durable(self, durable_writes: bool) -> None:
        """Whether commits from now on are fsynced before they return."""
        self.durable = durable_writes
        self.whoosh_index.storage.durable = durable_writes

    # -- creating and replacing ------------------------------------------------------------------

    @classmethod
    def create(cls, path: Path, analyzer: BulgarianAnalyzer, fields: FieldTable, *, replace: bool = False,
               durable_writes: bool = True) -> Store:
        """A new empty index in `path` (created if missing, readable by its owner only). An existing
        index is an error unless `replace` (then the new one takes its place at once, atomically); a
        directory holding other files is always an error."""
        if exists(path):
            if not replace:
                raise IndexExistsError(
                    f"{path} already holds an index: open it, or rebuild it with `bgsearch index --rebuild`")
            with Store.rebuilding(path, analyzer, fields, durable_writes=durable_writes) as (new, commit):
                commit()
            return new
        _refuse_foreign_directory(path)
        durable.make_index_dir(path, 0o700)
        whoosh_ix = whoosh_index.FileIndex.create(open_storage(path, durable_writes), whoosh_schema(fields, analyzer),
                                                  INDEX_NAME)
        checksums.write_manifest(path, whoosh_ix)
        meta = _new_meta(INDEX_NAME, fields)
        _write_meta(path, meta)
        store = cls(path, whoosh_ix, meta, _Identity.of(path))
        store.durable = durable_writes
        return store

    @classmethod
    @contextmanager
    def rebuilding(cls, path: Path, analyzer: BulgarianAnalyzer, fields: FieldTable | None = None,
                   lock_timeout: float | None = None,
                   durable_writes: bool = True) -> Iterator[tuple[Store, Callable[[], None]]]:
        """A new empty index beside the current one in `path`, invisible to readers, and the call
        that makes it the current one (atomically, under the current index's write lock). Leaving
        the block without that call (or with an error) deletes the new index's files. `fields`: the
        new index's schema (None: the current index's, where it can be read, else the default)."""
        with _rebuild_lock(path):
            if fields is None:
                fields = current_schema(path)
            _remove_leftovers(path, keep=_current_name(path))
            name = "R" + secrets.token_hex(6)
            whoosh_ix = whoosh_index.FileIndex.create(open_storage(path, durable_writes),
                                                      whoosh_schema(fields, analyzer), name)
            checksums.write_manifest(path, whoosh_ix)
            new = cls(path, whoosh_ix, _new_meta(name, fields), None, pending=True)
            new.durable = durable_writes
            switched = False

            def switch() -> None:
                nonlocal switched
                _switch(path, new.meta, DEFAULT_LOCK_TIMEOUT if lock_timeout is None else lock_timeout)
                new._identity, new.pending = _Identity.of(path), False
                switched = True

            try:
                yield new, switch
            finally:
                if not switched:
                    whoosh_ix.close()
                    _remove(_index_files(path, name))


def _first_use(store: Store, first_use: Callable[[Store], T]) -> T:
    # Whoosh drops the handles of files it opened before failing on a damaged segment; they are
    # closed here, quietly, instead of warning at some later garbage collection.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return first_use(store)
        except Exception as exc:  # Whoosh raises many types for a damaged index
            failure = describe(exc)
        store.whoosh_index.close()
        import gc

        gc.collect()
    raise IndexVersionError(f"{store.path} is damaged ({failure}): {rebuild_advice(store.path)}")


def _open_whoosh(path: Path, name: str, durable_writes: bool) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return whoosh_index.FileIndex(open_storage(path, durable_writes), indexname=name)
        except Exception as exc:  # Whoosh raises many types for a damaged index
            failure = describe(exc)
    raise IndexVersionError(f"{path} is damaged ({failure}): {rebuild_advice(path)}")


def rebuild_advice(path: Path) -> str:
    return f"rebuild it with `bgsearch index --rebuild --index {path} PATH...` (from your documents)"


def _check_links(path: Path, name: str) -> None:
    """An index whose own files are symbolic links (or not files) was tampered with: refuse it."""
    try:
        durable.check_no_links(path, index_name=name)
        durable.check_no_links(path, [META_FILE, OWNER_FILE, REBUILD_LOCK])
    except durable.UnsafeFileError as exc:
        raise IndexVersionError(f"{exc}: bgsearch never follows links in an index; remove it, or rebuild it "
                                f"with `bgsearch index --rebuild --index {path} PATH...`") from None


def _load_meta(path: Path) -> Any:
    """`bgsearch.json` as JSON values, read without following a link (OSError, ValueError)."""
    return json.loads(durable.read_file(path, META_FILE, limit=META_LIMIT).decode("utf-8"))


def _read_meta(path: Path) -> dict[str, Any]:
    """The index's meta, checked against this bgsearch's analyzer."""
    try:
        meta = _load_meta(path)
        found = (meta.get("analyzer"), meta.get("analyzer_version"))
        name = meta.get("index", INDEX_NAME)
    except PermissionError as exc:
        raise IndexAccessError(f"cannot read {path / META_FILE}: {exc.strerror}: check the permissions") from None
    except durable.UnsafeFileError as exc:
        raise IndexVersionError(f"{exc}: bgsearch never follows links in an index") from None
    except (ValueError, AttributeError, FileNotFoundError, IsADirectoryError, NotADirectoryError):
        raise IndexVersionError(
            f"{path} is not a bgsearch index or its {META_FILE} is damaged: {rebuild_advice(path)}") from None
    if not isinstance(name, str) or not (name == INDEX_NAME or _REBUILT_NAME.fullmatch(name)):
        raise IndexVersionError(f"{path}/{META_FILE} names no index of this directory: {rebuild_advice(path)}")
    if found != (ANALYZER_NAME, ANALYZER_VERSION):
        raise IndexVersionError(
            f"{path} was built with analyzer {found[0]} {found[1]}, this bgsearch uses "
            f"{ANALYZER_NAME} {ANALYZER_VERSION}: {rebuild_advice(path)}"
        )
    return dict(meta)


def _current_name(path: Path) -> str:
    """The name of the directory's current Whoosh index, as far as its meta can be read (a damaged
    index or one of another version can be rebuilt too)."""
    try:
        name = _load_meta(path).get("index", INDEX_NAME)
    except (OSError, ValueError, AttributeError):
        return INDEX_NAME
    return name if isinstance(name, str) and _REBUILT_NAME.fullmatch(name) else INDEX_NAME


def _new_meta(name: str, fields: FieldTable) -> dict[str, Any]:
    meta: dict[str, Any] = {"format": FORMAT, "analyzer": ANALYZER_NAME, "analyzer_version": ANALYZER_VERSION,
                            "schema": fields.to_dict()}
    if name != INDEX_NAME:
        meta["index"] = name
    return meta


def _schema_of(meta: dict[str, Any], path: Path) -> FieldTable:
    recorded = meta.get("schema")
    if recorded is None:
        return DEFAULT_SCHEMA  # an index from before schemas
    try:
        return FieldTable.from_dict(recorded, f"{path / META_FILE}")
    except SchemaError as exc:
        raise IndexVersionError(f"{path}/{META_FILE} records a schema this bgsearch cannot read ({exc}): "
                                f"{rebuild_advice(path)}") from None


def current_schema(path: Path) -> FieldTable:
    """The schema of the index in `path`, as far as its meta can be read (else the default)."""
    try:
        meta = _load_meta(path)
        return _schema_of(meta, path) if isinstance(meta, dict) else DEFAULT_SCHEMA
    except (OSError, ValueError, AttributeError, IndexVersionError):
        return DEFAULT_SCHEMA


def _write_meta(path: Path, meta: dict[str, Any]) -> None:
    """Replace `bgsearch.json` atomically and durably: a reader sees the old one or the new one."""
    durable.write_file(path, META_FILE, (json.dumps(meta, indent=2) + "\n").encode("utf-8"))


def _switch(path: Path, meta: dict[str, Any], lock_timeout: float) -> None:
    """Make the index `meta` names the current one, under the current index's write lock (so no
    writer is half-way through a commit to the index being replaced), then delete the old one."""
    old = _current_name(path)
    lock = open_storage(path).lock(f"{old}_WRITELOCK")
    if not try_for(lock.acquire, timeout=lock_timeout, delay=0.1):
        raise IndexLockedError(locked_message(path, lock_timeout))
    try:
        _write_meta(path, meta)
    finally:
        lock.release()
    _remove([file for file in _index_files(path, old) if not file.name.endswith("_WRITELOCK")])


@contextmanager
def _rebuild_lock(path: Path) -> Iterator[None]:
    """One rebuild of a directory at a time (a second one waits)."""
    _refuse_foreign_directory(path)
    durable.make_index_dir(path, 0o700)
    _check_links(path, _current_name(path))
    fd = os.open(path / REBUILD_LOCK, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _remove_leftovers(path: Path, keep: str) -> None:
    """The files of rebuilds killed before they switched (no other rebuild runs: we hold its lock)."""
    names = {match[1] for entry in path.iterdir()
             if (match := re.fullmatch(rf"_?({_REBUILT_NAME.pattern})[_.].*", entry.name))}
    for name in names - {keep}:
        _remove(_index_files(path, name))


def _refuse_foreign_directory(path: Path) -> None:
    """A directory that holds files but no index is someone else's: never write or delete there."""
    if path.is_dir() and not exists(path):
        # Hidden files (.gitkeep) are allowed, hidden directories (.git) are not.
        foreign = [entry.name for entry in path.iterdir()
                   if entry.name not in (REBUILD_LOCK, f"{INDEX_NAME}_WRITELOCK")
                   and not (entry.name.startswith(".") and entry.is_file() and not entry.is_symlink())]
        if foreign:
            raise IndexExistsError(
                f"{path} is not empty and holds no bgsearch index (it has {foreign[0]!r}"
                f"{f' and {len(foreign) - 1} more' if len(foreign) > 1 else ''}): "
                "name a new or empty directory for the index")
    elif path.exists() and not path.is_dir():
        raise IndexExistsError(f"{path} is a file, not a directory: name a directory for the index")


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
