"""Checksums of what a commit wrote, as Lucene keeps a CRC32 per file: after each commit, a small
manifest `_<index>_<generation>.sums` records the size and CRC32 of the table of contents and of
every segment file it names. Opening an index checks every file's size and the checksums of the
small ones; `verify` (`bgsearch check`, `Index.check`) reads everything.

An index written before manifests existed, or a commit whose manifest a crash prevented, has none
for its generation: it is opened unverified, and `verify` says so.
"""

from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .durable import write_file

__all__ = ["write_manifest", "verify", "latest_generation", "Verification", "SMALL_FILE"]

SMALL_FILE = 1 << 20  # files up to this size are checked on every open (~1 ms a MB)
_CHUNK = 1 << 20


@dataclass
class Verification:
    files: int = 0
    bytes: int = 0
    problems: list[str] | None = None  # None: the commit has no manifest (it cannot be verified)


def _manifest_name(index_name: str, generation: int) -> str:
    return f"_{index_name}_{generation}.sums"


def _crc32(path: Path) -> int:
    crc = 0
    with open(path, "rb") as data:
        while chunk := data.read(_CHUNK):
            crc = zlib.crc32(chunk, crc)
    return crc


def _commit_files(whoosh_ix: Any) -> tuple[int, list[str]]:
    """The generation of the index's latest commit and the files it consists of."""
    toc = whoosh_ix._read_toc()
    storage_files = set(whoosh_ix.storage.list())
    names = [f"_{whoosh_ix.indexname}_{toc.generation}.toc"]
    for segment in toc.segments:
        prefix = f"{segment.segment_id()}."  # the index name and the segment's id
        names += sorted(name for name in storage_files if name.startswith(prefix))
    return toc.generation, names


def write_manifest(path: Path, whoosh_ix: Any) -> None:
    """Record the sizes and checksums of the latest commit's files (reusing those of files an
    earlier manifest already has: segment files never change), and delete older manifests."""
    generation, names = _commit_files(whoosh_ix)
    known: dict[str, dict[str, int]] = {}
    pattern = re.compile(rf"_{re.escape(whoosh_ix.indexname)}_(\d+)\.sums")
    old = [entry for entry in path.iterdir() if pattern.fullmatch(entry.name)]
    for manifest in old:
        try:
            known.update(json.loads(manifest.read_text("utf-8"))["files"])
        except (OSError, ValueError, KeyError, TypeError):
            continue
    files = {}
    for name in names:
        size = (path / name).stat().st_size
        entry = known.get(name)
        if entry is None or entry.get("size") != size or name.endswith(".toc"):
            entry = {"size": size, "crc32": _crc32(path / name)}
        files[name] = entry
    target = path / _manifest_name(whoosh_ix.indexname, generation)
    manifest_bytes = json.dumps({"generation": generation, "files": files}).encode("utf-8")
    write_file(path, target.name, manifest_bytes, durable=getattr(whoosh_ix.storage, "durable", True))
    for manifest in old:
        if manifest.name != target.name:
            manifest.unlink(missing_ok=True)


def verify(path: Path, index_name: str, everything: bool) -> Verification:
    """Check the files of the index's latest commit (the newest table of contents in `path`) against
    its manifest: sizes always, checksums of the small files, or of every file with `everything`.
    Reads no file with Whoosh, so nothing damaged is decoded before it is found out. A writer may
    commit meanwhile (and delete the files of the commit being checked): then the newer commit is
    checked instead."""
    result = Verification()
    for _ in range(5):
        generation = latest_generation(path, index_name)
        if generation is None:
            return Verification()
        result = _verify_generation(path, index_name, generation, everything)
        if not result.problems or latest_generation(path, index_name) == generation:
            return result
    return result


def latest_generation(path: Path, index_name: str) -> int | None:
    """The newest table-of-contents generation of the Whoosh index `index_name` in `path` (None: none)."""
    tocs = [int(match[1]) for name in os.listdir(path)
            if (match := re.fullmatch(rf"_{re.escape(index_name)}_(\d+)\.toc", name))]
    return max(tocs, default=None)


def _verify_generation(path: Path, index_name: str, generation: int, everything: bool) -> Verification:
    manifest_name = _manifest_name(index_name, generation)
    try:
        recorded: dict[str, dict[str, int]] = json.loads((path / manifest_name).read_text("utf-8"))["files"]
    except FileNotFoundError:
        return Verification()
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return Verification(0, 0, [f"{manifest_name}: unreadable ({exc})"])
    result = Verification(problems=[])
    assert result.problems is not None
    for name, entry in recorded.items():
        try:
            size = (path / name).stat().st_size
        except OSError as exc:
            result.problems.append(f"{name}: {exc.strerror}")
            continue
        if size != entry.get("size"):
            result.problems.append(f"{name}: {size:,} bytes, the commit wrote {entry.get('size'):,}")
            continue
        result.files += 1
        if everything or size <= SMALL_FILE:
            result.bytes += size
            try:
                matches = _crc32(path / name) == entry.get("crc32")
            except FileNotFoundError as exc:  # deleted by a commit since
                result.problems.append(f"{name}: {exc.strerror}")
                continue
            if not matches:
                result.problems.append(f"{name}: its checksum differs from the one its commit recorded")
    return result
