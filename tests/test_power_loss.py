"""Emulated power loss during commits (issue 14): after a cut at any step of a commit, the index
opens at the last acknowledged commit or at the one in progress, with exactly its documents.

How (see tests/power_loss_helpers.py): the index is written through `TracingStorage`, the durable
storage of `bgsearch.engine.durable` with every durability primitive recorded (creates, fsyncs of
files with their content at that moment, directory fsyncs, renames, unlinks), in the parent and in
forked worker processes. Replaying the record, a cut after each event gives the disks a power cut
could leave: file contents as of their last fsync (never fsynced: empty), directory operations
durable once the directory was fsynced after them, and any prefix of the operations not yet
durable (plus, for file systems that reorder metadata, the pending renames and unlinks without
the pending creations). Each such disk is written to a fresh directory and opened with Whoosh and
with `bgsearch.Index.open`, and must hold exactly the documents of the last acknowledged commit or
of the one in progress.

The test injects it through `bgsearch.engine.store.open_storage`, the hook through which the engine
opens every storage (in this process and in its forked worker processes), for the index under test
only.

The same run with `durable=False` (what plain Whoosh FileStorage does: no fsync at all) must
produce an unreadable disk: proof that the harness detects the bug of issue 14; so must a storage
that fsyncs every file but renames the TOC before fsyncing the directory.
"""

from __future__ import annotations

import gc
import json
import os
import stat
import warnings
from pathlib import Path
from typing import Any

import pytest
import whoosh.index
from whoosh.filedb.filestore import FileStorage

from bgsearch import Index
from power_loss_helpers import TracingStorage, append, cuts, image_key, materialize, snapshot

import bgsearch.engine.store as store_module
from bgsearch.engine.workers import CAN_FORK

WORD = "пристанище"


def _doc(number: int, text: str = "") -> dict[str, str]:
    return {
        "id": f"n{number}",
        "title": f"Новина {number}",
        "body": f"Корабът влезе в {WORD}то номер {number}. {text}",
    }


def _run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable: bool) -> tuple[Path, dict[str, bytes], list[set[str]]]:
    """Create an index, then make several commits through TracingStorage; returns the log, the
    files before the first traced commit, and the documents of each commit (0 = before)."""
    directory = tmp_path / "index"
    log = tmp_path / "trace" / "log.jsonl"
    log.parent.mkdir()
    Index.create(directory).close()
    initial = snapshot(directory)

    original = store_module.open_storage

    def open_storage(path: Path, durable_writes: bool = True) -> Any:
        if Path(path).resolve() != directory.resolve():
            return original(path, durable_writes)
        return TracingStorage(str(path), log, durable=durable)

    # The engine's one hook for every storage it opens, in this process and in its forked workers.
    monkeypatch.setattr(store_module, "open_storage", open_storage)

    states: list[set[str]] = [set()]
    commits = [
        ("add", [_doc(i) for i in range(12)], 1),
        ("add", [_doc(i, "обновена") for i in range(9, 16)], 1),  # 3 replaced: deletions + adds
        ("delete", ["n2", "n5"], None),
        ("add", [_doc(i) for i in range(20, 40)], 2 if CAN_FORK else 1),  # worker-written segments
        ("add", [_doc(i) for i in range(40, 45)], 1),  # a fifth small segment (the optimize merges them all)
        ("delete", ["n20", "n41"], None),
        ("optimize", None, None),  # every segment merged into one (issue 17)
    ]
    with Index.open(directory) as ix:
        for k, (kind, payload, workers) in enumerate(commits, 1):
            append(log, {"op": "begin", "k": k})
            if kind == "add":
                ix.add_documents(payload, workers=workers)
                states.append(states[-1] | {d["id"] for d in payload})
            elif kind == "optimize":
                ix.optimize()
                states.append(states[-1])
            else:
                ix.delete(payload)
                states.append(states[-1] - set(payload))
            append(log, {"op": "ack", "k": k})
        assert {d["id"] for d in ix.searcher().all_stored_fields()} == states[-1]
    return log, initial, states


def _read(directory: Path) -> set[str] | str:
    """The ids an index directory holds, read by Whoosh and by bgsearch, or what went wrong."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            ix = whoosh.index.FileIndex(FileStorage(str(directory)), indexname="MAIN")
            try:
                with ix.searcher() as searcher:
                    ids = {fields["id"] for fields in searcher.all_stored_fields()}
            finally:
                ix.close()
            with Index.open(directory) as bg:
                found = bg.search(WORD, limit=1000, snippets=False)
                if len(bg) != len(ids) or {hit.id for hit in found.hits} != ids:
                    return f"bgsearch sees {len(bg)} documents, whoosh {len(ids)}"
            return ids
        except Exception as exc:  # an unreadable index: what the test looks for
            gc.collect()  # Whoosh drops open files of a damaged index: close them here, quietly
            return f"{type(exc).__name__}: {exc}"


def _check_all_cuts(
    tmp_path: Path, log: Path, initial: dict[str, bytes], states: list[set[str]], stop_at_first: bool = False
) -> dict[str, Any]:
    checked: dict[str, set[str] | str] = {}
    figures = {"cuts": 0, "images": 0, "distinct": 0, "bad": 0}
    failures = []
    for cut in cuts(log, initial):
        figures["cuts"] += 1
        allowed = [states[cut.acknowledged]]
        if cut.in_progress is not None:
            allowed.append(states[cut.in_progress])
        for image in cut.images:
            figures["images"] += 1
            key = image_key(image)
            if key not in checked:
                figures["distinct"] += 1
                checked[key] = _read(materialize(image, tmp_path / "images" / str(figures["distinct"])))
            result = checked[key]
            if result not in allowed:
                figures["bad"] += 1
                failures.append((cut.number, cut.event, cut.acknowledged, cut.in_progress, sorted(image), result))
                if stop_at_first:
                    break
        if failures and stop_at_first:
            break
    figures["failures"] = failures
    return figures


def test_every_power_cut_during_commits_leaves_the_last_or_the_new_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log, initial, states = _run(tmp_path, monkeypatch, durable=True)
    figures = _check_all_cuts(tmp_path, log, initial, states)
    failures = figures.pop("failures")
    print(f"\npower cuts emulated: {figures['cuts']} cut points, {figures['images']} disk images "
          f"({figures['distinct']} distinct) over {len(states) - 1} commits; bad: {figures['bad']}")
    assert not failures, failures[:3]
    assert figures["cuts"] > 50  # every step of six commits was cut
    events = [json.loads(line) for line in log.read_text().splitlines()]
    assert sum(e["op"] == "fsync_dir" for e in events) >= 2 * (len(states) - 1)
    synced = {e["name"] for e in events if e["op"] == "fsync"}
    segments = {p.name for p in (tmp_path / "index").iterdir() if p.name.startswith("MAIN_") and "." in p.name}
    assert segments and segments <= synced  # worker-written segments included
    if CAN_FORK:
        creators = {e["pid"] for e in events if e["op"] == "create"}
        assert len(creators) >= 2  # some files were created by worker processes


def test_the_harness_catches_the_lost_commit_of_plain_whoosh_storage(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without fsync (Whoosh's FileStorage, or durable=False) a power cut right after a commit can
    leave a table of contents that is empty (its data never reached the disk) while the previous
    one is gone: the index is unreadable. The harness must see that."""
    log, initial, states = _run(tmp_path, monkeypatch, durable=False)
    figures = _check_all_cuts(tmp_path, log, initial, states, stop_at_first=True)
    assert figures["failures"], "no power cut broke the non-durable index: the harness is blind"
    number, event, acknowledged, in_progress, files, result = figures["failures"][0]
    assert isinstance(result, str), result  # unreadable, not merely an older commit
    print(f"\nwithout fsync, cut {number} ({event['op']}) during commit {in_progress}: {result[:100]}")


def test_the_harness_catches_a_rename_before_the_files_are_durable_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A storage that fsyncs every file but not the directory before the TOC rename (only after):
    on a file system that reorders metadata the new TOC can name segment files whose directory
    entries were lost. The harness must see that too."""

    def rename_without_barrier(self: TracingStorage, oldname: str, newname: str, safe: bool = False) -> None:
        dir_fd = self._open_dir()
        try:
            self._sync_new_files(dir_fd)  # every file fsynced, but not their names
            self._do_rename(dir_fd, oldname, newname)
            self._sync_dir(dir_fd)
        finally:
            os.close(dir_fd)

    monkeypatch.setattr(TracingStorage, "rename_file", rename_without_barrier)
    log, initial, states = _run(tmp_path, monkeypatch, durable=True)
    figures = _check_all_cuts(tmp_path, log, initial, states, stop_at_first=True)
    assert figures["failures"], "the harness does not see a missing directory fsync before the rename"


@pytest.mark.parametrize("durable_mode", [True, False])
def test_durable_storage_fsyncs_files_and_directory_and_durable_false_none(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, durable_mode: bool
) -> None:
    """Counts the real os.fsync calls of one commit (no tracing subclass involved)."""
    from bgsearch.engine import durable

    Index.create(tmp_path / "index").close()
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append("dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(durable.os, "fsync", fsync)
    ix = whoosh.index.FileIndex(durable.storage(tmp_path / "index", durable=durable_mode), indexname="MAIN")
    with ix.writer() as writer:
        writer.add_document(id="a", body="първи документ")
    if not durable_mode:
        assert synced == []
        return
    # The new segment and the new TOC (and the old TOC, never fsynced by this storage yet), all
    # before the directory, which is fsynced before and after the TOC rename.
    files = synced.count("file")
    assert files >= 2 and synced == ["file"] * files + ["dir", "dir"], synced
    with Index.open(tmp_path / "index") as bg:
        assert bg.search("документ").total == 1
