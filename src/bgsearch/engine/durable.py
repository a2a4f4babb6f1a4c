"""Index files that survive a power cut, and never follow a symlink planted in the index directory.

`storage(path, durable=True)` is a Whoosh `FileStorage` for an index directory. When durable:

* `rename_file` (Whoosh renames only to install a new TOC) first fsyncs every file of the
  directory it has not fsynced yet: the segment files of the commit, whichever process wrote
  them (worker processes included: fsync acts on the file, not on the descriptor that wrote it),
  and the new TOC under its temporary name; then the directory (so all their names are durable);
  then renames; then fsyncs the directory again (so the new TOC is durable before the commit
  returns). Whoosh commits by `TOC.write` -> `rename_file(temp, toc)` and only then `clean_files`
  deletes the old TOC and the old segments, so a commit's order becomes: segment files and TOC
  written -> all fsynced -> directory fsynced -> renamed -> directory fsynced -> old TOC and
  segments deleted. A power cut at any point leaves the previous commit or the new one, never a
  TOC that names data that is not on disk.
  Files are fsynced at that point, not when closed: the parts of a compound segment (terms,
  postings, columns), written and deleted within the commit, are never fsynced (8 fsyncs per
  small commit become 4).
  Deletions are not fsynced one by one: a lost deletion only leaves an old file that the next
  commit deletes again (the next rename's directory fsync makes them durable).

`durable=False` does none of these fsyncs (for bulk loads that will be re-run); everything else
behaves as below.

Whether durable or not, its own file operations never follow a symlink inside the directory:
files are created fresh (an existing entry is unlinked, then `O_CREAT|O_EXCL|O_NOFOLLOW`, so
neither a symlink nor a hard link planted under a file's name is written through), opened with
`O_NOFOLLOW` and refused unless regular files (a FIFO cannot block a reader), renamed and deleted
relative to a directory descriptor (a rename or unlink acts on the link itself, never its
target), the write lock is opened with `O_NOFOLLOW`, and the temporary directory Whoosh uses
(`MAIN.tmp`) is entered with `O_NOFOLLOW`, so a symlink there is refused instead of having the
files of the directory it points to deleted. File names are checked: a name with a `/` (a segment
id from a planted TOC, say) is refused.

Helpers for the engine's own files: `write_file` (atomic, durable, no-follow), `read_file`,
`remove_file`, `remove_temp_dir`, `check_no_links`, `fsync_dir`, `make_index_dir`.
"""

from __future__ import annotations

import errno
import io
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh.filedb.filestore import FileStorage, ReadOnlyError
from whoosh.filedb.structfile import StructFile
from whoosh.util import random_name
from whoosh.util.filelock import FcntlLock

__all__ = [
    "DurableStorage",
    "UnsafeFileError",
    "storage",
    "write_file",
    "read_file",
    "remove_file",
    "remove_temp_dir",
    "check_no_links",
    "fsync_dir",
    "make_index_dir",
    "index_file_names",
]

_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_O_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_O_BINARY = getattr(os, "O_BINARY", 0)


# What Whoosh names its files: segment files `MAIN_<id>.<ext>`, TOCs `_MAIN_<gen>.toc[.<time>]`
# (not the lock, not bgsearch's own files).
_WHOOSH_FILE = re.compile(r"_?[A-Za-z0-9]+_[0-9a-z]+\.")


class UnsafeFileError(OSError):
    """An index file is a symlink or not a regular file, or a file name is not a plain name."""


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not name or name in (".", "..") or "/" in name or "\0" in name or (
        os.sep != "/" and os.sep in name
    ):
        raise UnsafeFileError(errno.EINVAL, f"not a plain file name: {name!r}")
    return name


def _unsafe(directory: str, name: str, what: str) -> UnsafeFileError:
    return UnsafeFileError(errno.ELOOP, f"{os.path.join(directory, name)} is {what}: refusing to use it")


def _open_nofollow(directory: str, name: str, flags: int, dir_fd: int | None, mode: int = 0o666) -> int:
    """Open `name` in `directory` (relative to `dir_fd` if given, else by path) never following a
    symlink at `name` (O_NOFOLLOW acts on the last component; `name` has no slash)."""
    target = name if dir_fd is not None else os.path.join(directory, name)
    try:
        return os.open(target, flags | _O_NOFOLLOW | _O_CLOEXEC | _O_BINARY, mode, dir_fd=dir_fd)
    except OSError as exc:
        # O_NOFOLLOW on a link fails with ELOOP (EMLINK on FreeBSD; ENOTDIR with O_DIRECTORY).
        if exc.errno in (errno.ELOOP, errno.EMLINK, errno.ENOTDIR):
            try:
                st = os.stat(target, dir_fd=dir_fd, follow_symlinks=False)
            except OSError:
                raise exc from None
            if stat.S_ISLNK(st.st_mode):
                raise _unsafe(directory, name, "a symbolic link") from None
            if exc.errno == errno.ENOTDIR:
                raise _unsafe(directory, name, "not a directory") from None
        raise


def _require_regular(fd: int, directory: str, name: str) -> None:
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise _unsafe(directory, name, "not a regular file")


class DurableStorage(FileStorage):
    """A FileStorage that fsyncs what a commit needs (when `durable`) and never follows a link.

    The `_do_*` / `_on_*` / `_sync_*` methods are the only places that touch the disk's
    durability; the power-loss tests subclass them to record every step."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        durable: bool = True,
        supports_mmap: bool = True,
        readonly: bool = False,
        *,
        _parent: DurableStorage | None = None,
        _name: str | None = None,
    ) -> None:
        super().__init__(os.fspath(path), supports_mmap=supports_mmap, readonly=readonly)
        self.durable = durable
        self._parent = _parent
        self._name = _name
        self._synced: dict[str, tuple[int, int, int]] = {}  # name -> (inode, size, mtime) fsynced

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.folder!r}, durable={self.durable})"

    # -- the primitives -----------------------------------------------------------------------

    def _dir_fd(self) -> int | None:
        """None for the index directory (its files are reached by path, O_NOFOLLOW on the last
        component, which is the file's plain name); a descriptor for a temporary directory, whose
        own name must not be followed either. Close it with `_close`."""
        return None if self._parent is None else self._open_dir()

    @staticmethod
    def _close(dir_fd: int | None) -> None:
        if dir_fd is not None:
            os.close(dir_fd)

    def _target(self, dir_fd: int | None, name: str) -> str:
        return name if dir_fd is not None else os.path.join(self.folder, name)

    def _open_dir(self) -> int:
        """A descriptor of this storage's directory. A temporary storage's directory is entered
        from its parent's with O_NOFOLLOW, so a symlink in its place is refused."""
        flags = os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC
        if self._parent is None:
            return os.open(self.folder, flags)
        parent = self._parent._open_dir()
        try:
            return _open_nofollow(self._parent.folder, self._name or "", flags, parent)
        finally:
            os.close(parent)

    def _sync_file(self, fd: int, name: str) -> None:
        """Make one file's data durable (`fd` is open read-only on it)."""
        os.fsync(fd)

    def _sync_dir(self, dir_fd: int) -> None:
        if self.durable:
            os.fsync(dir_fd)

    def _on_create(self, fd: int, name: str) -> None:
        """Called after a file was created (a hook for the tests)."""

    def _do_unlink(self, dir_fd: int | None, name: str) -> None:
        os.unlink(self._target(dir_fd, name), dir_fd=dir_fd)

    def _do_rename(self, dir_fd: int, old: str, new: str) -> None:
        os.rename(old, new, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)

    # -- FileStorage ----------------------------------------------------------------------------

    def _fpath(self, fname: str) -> str:
        return super()._fpath(_check_name(fname))

    def create(self) -> DurableStorage:
        if self._parent is not None:
            return self
        super().create()
        return self

    def create_file(self, name: str, excl: bool = False, mode: str = "wb", **kwargs: Any) -> StructFile:
        if self.readonly:
            raise ReadOnlyError
        _check_name(name)
        dir_fd = self._dir_fd()
        try:
            if not excl:
                # A fresh inode: never write through a symlink or hard link planted under the name.
                try:
                    self._do_unlink(dir_fd, name)
                except FileNotFoundError:
                    pass
            fd = _open_nofollow(self.folder, name, os.O_RDWR | os.O_CREAT | os.O_EXCL, dir_fd)
        finally:
            self._close(dir_fd)
        try:
            self._on_create(fd, name)
            fileobj = io.BufferedRandom(io.FileIO(fd, "r+", closefd=True))
        except BaseException:
            os.close(fd)
            raise
        return StructFile(fileobj, name=name, **kwargs)

    def open_file(self, name: str, **kwargs: Any) -> StructFile:
        _check_name(name)
        dir_fd = self._dir_fd()
        try:
            fd = _open_nofollow(self.folder, name, os.O_RDONLY | _O_NONBLOCK, dir_fd)
        finally:
            self._close(dir_fd)
        _require_regular(fd, self.folder, name)
        os.set_blocking(fd, True)
        return StructFile(os.fdopen(fd, "rb"), name=name, **kwargs)

    def _lstat(self, name: str) -> os.stat_result:
        _check_name(name)
        dir_fd = self._dir_fd()
        try:
            return os.stat(self._target(dir_fd, name), dir_fd=dir_fd, follow_symlinks=False)
        finally:
            self._close(dir_fd)

    def list(self) -> list[str]:
        try:
            dir_fd = self._dir_fd()
        except OSError:
            return []
        try:
            return os.listdir(self.folder if dir_fd is None else dir_fd)
        except OSError:
            return []
        finally:
            self._close(dir_fd)

    def file_exists(self, name: str) -> bool:
        try:
            self._lstat(name)
        except FileNotFoundError:
            return False
        return True

    def _regular(self, name: str) -> os.stat_result:
        st = self._lstat(name)
        if not stat.S_ISREG(st.st_mode):
            raise _unsafe(self.folder, name, "a symbolic link" if stat.S_ISLNK(st.st_mode) else "not a regular file")
        return st

    def file_modified(self, name: str) -> float:
        return self._regular(name).st_mtime

    def file_length(self, name: str) -> int:
        return self._regular(name).st_size

    def delete_file(self, name: str) -> None:
        if self.readonly:
            raise ReadOnlyError
        _check_name(name)
        dir_fd = self._dir_fd()
        try:
            self._do_unlink(dir_fd, name)  # unlinks a symlink itself, never its target
        finally:
            self._close(dir_fd)

    def rename_file(self, oldname: str, newname: str, safe: bool = False) -> None:
        if self.readonly:
            raise ReadOnlyError
        _check_name(oldname)
        _check_name(newname)
        if safe and self.file_exists(newname):
            raise NameError(f"File {newname!r} exists")
        dir_fd = self._open_dir()
        try:
            # Every file of the directory (the segment files of this commit, whichever process
            # wrote them, and the temporary TOC) is durable, and so is its name, before the renamed
            # file can be; then the rename itself is made durable.
            self._barrier(dir_fd)
            self._do_rename(dir_fd, oldname, newname)
            self._sync_dir(dir_fd)
        finally:
            os.close(dir_fd)

    def _barrier(self, dir_fd: int) -> None:
        """fsync every file of the directory not fsynced yet, then the directory."""
        if self.durable:
            self._sync_new_files(dir_fd)
            self._sync_dir(dir_fd)

    def _sync_new_files(self, dir_fd: int) -> None:
        """fsync every Whoosh file of the directory (segment files, TOCs and their temporary
        names) not yet fsynced by this storage (by inode, size and mtime). Files a commit created and then deleted (the parts of a compound
        segment) are never fsynced; files written by worker processes are."""
        for name in os.listdir(dir_fd):
            if not _WHOOSH_FILE.match(name):
                continue
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            key = (st.st_ino, st.st_size, st.st_mtime_ns)
            if not stat.S_ISREG(st.st_mode) or self._synced.get(name) == key:
                continue
            try:
                fd = os.open(name, os.O_RDONLY | _O_NOFOLLOW | _O_NONBLOCK | _O_CLOEXEC, dir_fd=dir_fd)
            except FileNotFoundError:  # deleted meanwhile (not by a writer: it holds the lock)
                continue
            try:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    continue
                self._sync_file(fd, name)
            finally:
                os.close(fd)
            self._synced[name] = key

    def sync(self) -> None:
        """Make every file of the directory and every create, rename and delete done so far in it
        durable (what a rename does first)."""
        dir_fd = self._open_dir()
        try:
            self._barrier(dir_fd)
        finally:
            os.close(dir_fd)

    def lock(self, name: str) -> Any:
        if fcntl is None:  # pragma: no cover - Windows: Whoosh's own lock
            return super().lock(name)
        return _NoFollowLock(self, _check_name(name))

    def temp_storage(self, name: str | None = None) -> DurableStorage:
        """A subdirectory for scratch files (Whoosh: `MAIN.tmp`), never durable, entered with
        O_NOFOLLOW: a symlink in its place is refused, so destroy() cannot empty another directory."""
        name = _check_name(name or f"{random_name()}.tmp")
        dir_fd = self._open_dir()
        try:
            try:
                os.mkdir(name, 0o700, dir_fd=dir_fd)
            except FileExistsError:
                pass
        finally:
            os.close(dir_fd)
        temp = DurableStorage(
            os.path.join(self.folder, name), durable=False, supports_mmap=self.supports_mmap, _parent=self, _name=name
        )
        os.close(temp._open_dir())  # refuses a symlink now, not at the first file
        return temp

    def clean(self, ignore: bool = False) -> None:
        if self.readonly:
            raise ReadOnlyError
        dir_fd = self._open_dir()
        try:
            for fname in os.listdir(dir_fd):
                try:
                    os.unlink(fname, dir_fd=dir_fd)  # a link is removed, never followed
                except OSError:
                    if not ignore:
                        raise
        finally:
            os.close(dir_fd)

    def destroy(self) -> None:
        try:
            self.clean()
        except FileNotFoundError:
            return
        try:
            if self._parent is None:
                os.rmdir(self.folder)
            else:
                parent = self._parent._open_dir()
                try:
                    os.rmdir(self._name or "", dir_fd=parent)
                finally:
                    os.close(parent)
        except FileNotFoundError:
            pass


try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: Whoosh's own (msvcrt) lock is used
    fcntl = None  # type: ignore[assignment]


class _NoFollowLock(FcntlLock):
    """Whoosh's flock lock, but the lock file is opened relative to the index directory with
    O_NOFOLLOW (Whoosh opens it with O_CREAT and follows a symlink, creating files elsewhere)."""

    def __init__(self, storage: DurableStorage, name: str) -> None:
        super().__init__(os.path.join(storage.folder, name))
        self.fd: int | None = None
        self._storage = storage
        self._name = name

    def acquire(self, blocking: bool = False) -> bool:
        dir_fd = self._storage._open_dir()
        try:
            fd = _open_nofollow(self._storage.folder, self._name, os.O_CREAT | os.O_WRONLY, dir_fd)
        finally:
            os.close(dir_fd)
        _require_regular(fd, self._storage.folder, self._name)
        self.fd = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except OSError as exc:
            os.close(fd)
            self.fd = None
            if exc.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            return False
        self.locked = True
        return True


def storage(path: str | os.PathLike[str], durable: bool = True, readonly: bool = False) -> DurableStorage:
    """The storage of an index directory: `whoosh.index.FileIndex(storage(path), indexname="MAIN")`
    to open, `FileIndex.create(storage(path), schema, "MAIN")` to create."""
    return DurableStorage(path, durable=durable, readonly=readonly)


# -- the engine's own files -------------------------------------------------------------------------


def _dir_fd(directory: str | os.PathLike[str]) -> int:
    return os.open(os.fspath(directory), os.O_RDONLY | _O_DIRECTORY | _O_CLOEXEC)


def fsync_dir(directory: str | os.PathLike[str]) -> None:
    """Make the names created, renamed or deleted in `directory` durable."""
    fd = _dir_fd(directory)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_file(
    directory: str | os.PathLike[str], name: str, data: bytes, *, durable: bool = True, mode: int = 0o600
) -> None:
    """Replace `directory/name` with `data` atomically: written to a fresh temporary name created with
    O_CREAT|O_EXCL|O_NOFOLLOW (a link planted there is never followed), fsynced, renamed over the
    target (a symlink at the target is replaced, not followed), and the directory fsynced.
    The temporary name is `.<name>.<random>.tmp` (Whoosh ignores names that start with a dot)."""
    _check_name(name)
    directory = os.fspath(directory)
    temp = f".{name}.{secrets.token_hex(6)}.tmp"
    dir_fd = _dir_fd(directory)
    try:
        fd = _open_nofollow(directory, temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, dir_fd, mode)
        try:
            with open(fd, "wb", closefd=True) as f:
                f.write(data)
                f.flush()
                if durable:
                    os.fsync(f.fileno())
            os.rename(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
        except BaseException:
            try:
                os.unlink(temp, dir_fd=dir_fd)
            except OSError:
                pass
            raise
        if durable:
            os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def read_file(directory: str | os.PathLike[str], name: str, limit: int = 1 << 20) -> bytes:
    """The content of `directory/name`, a regular file that is not a symlink, at most `limit` bytes
    (a longer file raises ValueError)."""
    _check_name(name)
    directory = os.fspath(directory)
    dir_fd = _dir_fd(directory)
    try:
        fd = _open_nofollow(directory, name, os.O_RDONLY | _O_NONBLOCK, dir_fd)
    finally:
        os.close(dir_fd)
    _require_regular(fd, directory, name)
    os.set_blocking(fd, True)
    with open(fd, "rb", closefd=True) as f:
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{os.path.join(directory, name)} is longer than {limit} bytes")
    return data


def remove_file(directory: str | os.PathLike[str], name: str, *, missing_ok: bool = True) -> None:
    """Unlink `directory/name`; a symlink is removed itself, never its target; a directory is refused."""
    _check_name(name)
    dir_fd = _dir_fd(directory)
    try:
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            if missing_ok:
                return
            raise
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(errno.EISDIR, f"{os.path.join(os.fspath(directory), name)} is a directory")
        os.unlink(name, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def remove_temp_dir(directory: str | os.PathLike[str], name: str = "MAIN.tmp") -> None:
    """Remove Whoosh's scratch directory `directory/name` and the files in it, without following
    any link: if `name` is a symlink, the link alone is removed."""
    _check_name(name)
    dir_fd = _dir_fd(directory)
    try:
        try:
            st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        except FileNotFoundError:
            return
        if not stat.S_ISDIR(st.st_mode):
            os.unlink(name, dir_fd=dir_fd)
            return
        sub = _open_nofollow(os.fspath(directory), name, os.O_RDONLY | _O_DIRECTORY, dir_fd)
        try:
            for entry in os.listdir(sub):
                try:
                    os.unlink(entry, dir_fd=sub)
                except IsADirectoryError:
                    pass  # Whoosh never makes subdirectories; rmdir below then fails loudly
                except FileNotFoundError:
                    pass
        finally:
            os.close(sub)
        os.rmdir(name, dir_fd=dir_fd)
    finally:
        os.close(dir_fd)


def index_file_names(names: Iterable[str], index_name: str = "MAIN") -> list[str]:
    """The names among `names` that belong to a bgsearch index (that it writes or reads): the lock,
    Whoosh's temporary directory, TOCs and their temporary names (and any `_MAIN_<gen>.<ext>`,
    e.g. checksum manifests), segment files, bgsearch.json and its temporary names, the owner file."""
    n = re.escape(index_name)
    pattern = re.compile(
        rf"{n}_WRITELOCK|{n}\.tmp|_{n}_[0-9]+\..+|{n}_[0-9a-z]+\..+"
        r"|bgsearch\.json(\.tmp)?|bgsearch-writer\.json|\.bgsearch.*\.tmp\Z"
    )
    return [name for name in names if pattern.match(name)]


def check_no_links(
    path: str | os.PathLike[str], names: Iterable[str] | None = None, index_name: str = "MAIN"
) -> None:
    """Raise UnsafeFileError if one of the index's own files in `path` is a symlink (or is not a
    regular file; `MAIN.tmp` must be a directory). `names` defaults to every entry of `path` that
    `index_file_names` recognises; names that do not exist are skipped."""
    directory = os.fspath(path)
    dir_fd = _dir_fd(directory)
    try:
        candidates = index_file_names(os.listdir(dir_fd), index_name) if names is None else list(names)
        for name in candidates:
            _check_name(name)
            try:
                st = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
            except FileNotFoundError:
                continue
            if stat.S_ISLNK(st.st_mode):
                raise _unsafe(directory, name, "a symbolic link")
            want_dir = name == f"{index_name}.tmp"
            if (stat.S_ISDIR(st.st_mode) if want_dir else stat.S_ISREG(st.st_mode)) is False:
                raise _unsafe(directory, name, "not a directory" if want_dir else "not a regular file")
    finally:
        os.close(dir_fd)


def make_index_dir(path: str | os.PathLike[str], mode: int = 0o700, *, durable: bool = True) -> Path:
    """Create the index directory with `mode` whatever the umask (missing parents as `mkdir -p`
    does); when
    `durable`, fsync each parent whose entry was created, so the directory survives a power cut."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for directory in reversed(missing):
        final = directory == path
        try:
            os.mkdir(directory, mode if final else 0o777)
        except FileExistsError:
            continue
        if final:
            os.chmod(directory, mode)
        if durable:
            fsync_dir(directory.parent)
    if not path.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, f"{path} is not a directory")
    return path
