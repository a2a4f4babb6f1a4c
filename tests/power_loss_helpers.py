"""Emulated power loss: record what a storage does, then rebuild what a disk could hold after a cut.

`TracingStorage` is `bgsearch.engine.durable.DurableStorage` with its durability primitives
recorded, in every process that writes (the parent and forked workers append to one log with
O_APPEND; a file's content is copied aside when it is fsynced, and files are identified by inode,
so a worker's file fsynced by the parent is the same file).

`cuts()` replays the log under this model of a disk after a power cut (the POSIX guarantees,
nothing more; ext4 with delayed allocation comes close to it):

* a file's content is what it held at its last fsync; a file never fsynced is empty;
* a directory operation (create, rename, unlink) is durable once the directory is fsynced after
  it; operations not yet made durable may have reached the disk or not, in order: every prefix
  of them is a possible disk (none of them, the first, the first two, ..., all); and, for file
  systems that reorder metadata, one more disk where the pending renames and unlinks reached
  it but no pending creation did;
* the files present before the recording started are durable.

A cut is taken after every recorded event (every create, fsync of a file, directory fsync,
rename, unlink, in any process), and each prefix of the operations not yet durable gives one disk
image to check.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bgsearch.engine.durable import DurableStorage

_counter = itertools.count()


class TracingStorage(DurableStorage):
    def __init__(self, path: str | os.PathLike[str], log: Path, durable: bool = True, **kwargs: Any) -> None:
        super().__init__(path, durable=durable, **kwargs)
        self.log = Path(log)
        self.blobs = self.log.parent / "blobs"
        self.blobs.mkdir(exist_ok=True)

    def _log(self, event: dict[str, Any]) -> None:
        append(self.log, event)

    def _on_create(self, fd: int, name: str) -> None:
        self._log({"op": "create", "name": name, "ino": os.fstat(fd).st_ino, "pid": os.getpid()})

    def _sync_file(self, fd: int, name: str) -> None:
        size = os.fstat(fd).st_size
        content = os.pread(fd, size, 0)
        os.fsync(fd)
        blob = self.blobs / f"{os.getpid()}-{next(_counter)}"
        blob.write_bytes(content)
        self._log({"op": "fsync", "name": name, "ino": os.fstat(fd).st_ino, "blob": str(blob)})

    def _sync_dir(self, dir_fd: int) -> None:
        if not self.durable:
            return
        before = self.log.stat().st_size if self.log.exists() else 0
        os.fsync(dir_fd)
        self._log({"op": "fsync_dir", "before": before})

    def _do_unlink(self, dir_fd: int, name: str) -> None:
        super()._do_unlink(dir_fd, name)
        self._log({"op": "unlink", "name": name})

    def _do_rename(self, dir_fd: int, old: str, new: str) -> None:
        super()._do_rename(dir_fd, old, new)
        self._log({"op": "rename", "old": old, "new": new})


def append(log: Path, event: dict[str, Any]) -> None:
    """One event, one write(2) on an O_APPEND descriptor: lines of several processes never mix."""
    fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(event) + "\n").encode())
    finally:
        os.close(fd)


def snapshot(directory: Path) -> dict[str, bytes]:
    """The regular files of `directory` (taken as durable when the recording starts)."""
    return {p.name: p.read_bytes() for p in directory.iterdir() if p.is_file() and not p.is_symlink()}


@dataclass
class Cut:
    number: int  # events replayed
    event: dict[str, Any]  # the last one
    acknowledged: int  # the last commit that returned before the cut
    in_progress: int | None  # the commit running at the cut, if any
    images: list[dict[str, bytes]]  # the possible disks


def _apply(entries: dict[str, Any], op: tuple[Any, ...]) -> None:
    kind = op[0]
    if kind == "link":
        entries[op[1]] = op[2]
    elif kind == "unlink":
        entries.pop(op[1], None)
    elif kind == "rename":  # ("rename", old, new, the inode old named when it was renamed)
        entries.pop(op[1], None)
        entries[op[2]] = op[3]


def cuts(log: Path, initial: dict[str, bytes]) -> Iterator[Cut]:
    """Every cut of the recorded run, with its possible disk images (see the module docstring)."""
    content: dict[Any, bytes] = {("initial", name): data for name, data in initial.items()}
    entries: dict[str, Any] = {name: ("initial", name) for name in initial}
    pending: list[tuple[int, tuple[Any, ...]]] = []  # (log offset, operation)
    acknowledged, in_progress = 0, None
    offset = 0
    generation: dict[int, int] = {}  # inode numbers are reused once a file is gone
    live = dict(entries)  # what the directory holds at this point of the run
    raw = log.read_bytes()
    for number, line in enumerate(raw.splitlines(keepends=True), 1):
        event = json.loads(line)
        here, offset = offset, offset + len(line)
        op = event["op"]
        if op == "begin":
            in_progress = event["k"]
            continue
        if op == "ack":
            acknowledged, in_progress = event["k"], None
            continue
        if op == "create":
            generation[event["ino"]] = generation.get(event["ino"], 0) + 1
            pending.append((here, ("link", event["name"], ("ino", event["ino"], generation[event["ino"]]))))
        elif op == "unlink":
            pending.append((here, ("unlink", event["name"])))
        elif op == "rename":
            pending.append((here, ("rename", event["old"], event["new"], live.get(event["old"]))))
        elif op == "fsync":
            ino = event["ino"]
            key = ("ino", ino, generation[ino]) if ino in generation else ("initial", event["name"])
            content[key] = Path(event["blob"]).read_bytes()
        elif op == "fsync_dir":
            done = [o for at, o in pending if at < event["before"]]
            pending = [(at, o) for at, o in pending if at >= event["before"]]
            for o in done:
                _apply(entries, o)
        if op in ("create", "unlink", "rename"):
            _apply(live, pending[-1][1])
        disks = []
        for size in range(len(pending) + 1):
            disk = dict(entries)
            for _, o in pending[:size]:
                _apply(disk, o)
            disks.append(disk)
        # A file system that reorders metadata could persist the renames and unlinks but none of
        # the creations: the disk a missing directory fsync before a rename would expose.
        reordered = dict(entries)
        for _, o in pending:
            if o[0] != "link":
                _apply(reordered, o)
        disks.append(reordered)
        images = [{name: content.get(ino, b"") for name, ino in disk.items() if ino is not None} for disk in disks]
        yield Cut(number, event, acknowledged, in_progress, images)


def image_key(image: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(image):
        digest.update(name.encode() + b"\0" + hashlib.sha256(image[name]).digest())
    return digest.hexdigest()


def materialize(image: dict[str, bytes], directory: Path) -> Path:
    directory.mkdir(parents=True)
    for name, data in image.items():
        (directory / name).write_bytes(data)
    return directory
