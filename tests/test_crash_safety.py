"""Crash safety (issue 6): `bgsearch index` killed with SIGKILL at random moments never loses or
corrupts the index, and running the same import again completes it without duplicates.

The import commits every 250 documents, written in this process or by two worker processes (each
writing half of every commit as a segment of its own; they must exit when the import is killed). A kill lands at a random moment of a run: while the
documents are read and checked, while a chunk is written, or inside a commit. After every kill the
index opens, holds exactly the documents of the last finished commit (a prefix of the file, in
file order), searches correctly, and the next writer is not blocked by a stale lock.

Default run: 4 kills on a file of 1,500 documents. `pytest -m slow tests/test_crash_safety.py`: 25 kills
on 3,000 documents, in 5 rounds that each end with the completing run.
"""

from __future__ import annotations

import json
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from bgsearch import Index
from robustness_helpers import (bgsearch_command, child_env, make_documents, marker, reap, run_bgsearch, stored_ids,
                                write_jsonl)

COMMIT_EVERY = 250
SEED = 20251219
OWNER_FILE = "bgsearch-writer.json"
# Bounds against hangs only; nothing asserts how fast anything is.
RUN_TIMEOUT = 600.0


def _generation(index_dir: Path) -> int:
    """The newest table-of-contents generation of the directory's current Whoosh index (-1: none
    yet); the index bgsearch.json names (a new name after each Index.create(overwrite=True))."""
    try:
        name = json.loads((index_dir / "bgsearch.json").read_text("utf-8")).get("index", "MAIN")
    except (OSError, ValueError):
        name = "MAIN"
    gens = [int(p.name.split("_")[-1].split(".")[0]) for p in index_dir.glob(f"_{name}_*.toc")]
    return max(gens, default=-1)


def _children(pid: int) -> list[int]:
    """The processes whose parent is `pid` (Linux /proc)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    """`pid` exists and is not a zombie (an exited orphan nobody reaped yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _wait_gone(pids: list[int], seconds: float) -> list[int]:
    """The `pids` still running after up to `seconds`."""
    deadline = time.monotonic() + seconds
    while pids and time.monotonic() < deadline:
        pids = [pid for pid in pids if _running(pid)]
        time.sleep(0.05)
    return pids


def _kill_at_random_moment(index_dir: Path, corpus: Path, rng: random.Random, commits: int,
                           workers: int) -> dict[str, object]:
    """Start an import and SIGKILL it at a random moment; returns what happened. Its worker
    processes must exit by themselves."""
    start_gen = _generation(index_dir)
    # A random number of this run's commits to let finish, then a random extra delay: the kill lands
    # during loading (0 commits), between commits, or inside one.
    wait_commits = rng.randint(0, commits - 1)
    extra = rng.uniform(0, 1.5) if wait_commits == 0 else rng.uniform(0, 0.5)
    proc = subprocess.Popen(
        bgsearch_command("index", str(corpus), "--index", str(index_dir), "--commit-every", str(COMMIT_EVERY),
                         "--workers", str(workers)),
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env(),
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while _generation(index_dir) < start_gen + wait_commits and proc.poll() is None:
            assert time.monotonic() < deadline, "the import made no progress"
            time.sleep(0.005)
        time.sleep(extra)
        in_writer = (index_dir / OWNER_FILE).exists()
        finished = proc.poll() is not None
        workers_seen = _children(proc.pid)
        if not finished:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert not _wait_gone(workers_seen, 10.0), "worker processes outlived the killed import"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        stderr = proc.stderr.read().decode("utf-8", "replace")
        reap(proc)
    # The import may end between the look and the kill: then it finished, and must have succeeded.
    finished = finished or proc.returncode == 0
    if finished:
        assert proc.returncode == 0, stderr
    else:
        assert proc.returncode == -signal.SIGKILL, stderr
    return {"killed": not finished, "in_writer": in_writer, "after_commits": wait_commits, "extra": round(extra, 3)}


def _check_after_kill(index_dir: Path, ids: list[str], previous: int) -> int:
    """The index holds exactly the first k*250 documents of the file; returns that count."""
    with Index.open(index_dir) as ix:
        count = len(ix)
        assert count % COMMIT_EVERY == 0, f"{count} documents: not a whole number of commits"
        assert count >= previous, f"documents were lost: {previous} before the kill, {count} after"
        found = stored_ids(ix)
        assert len(found) == count and len(set(found)) == count, "duplicate or missing stored documents"
        assert set(found) == set(ids[:count]), "the stored ids are not the file's first documents"
        # The search sees exactly the committed documents.
        if count:
            some = random.Random(count).randrange(count)
            hits = ix.search(marker(some), fuzzy=False)
            assert [h.id for h in hits.hits] == [ids[some]]
            assert ix.search(f"id:{ids[some]}").total == 1
        if count < len(ids):
            assert ix.search(marker(count), fuzzy=False).total == 0
        # No stale lock: the next writer gets in at once (the owner file may remain; it must not block).
        ix.lock_timeout = 5.0
        assert ix.delete([]) == []
    return count


def _crash_and_recover(tmp_path: Path, documents: int, kills: int, rounds: int, seed: int,
                       workers: int) -> dict[str, object]:
    """`rounds` times: a fresh index, `kills` // `rounds` imports killed at random moments (each
    checked), then the same import run to completion (checked)."""
    docs = make_documents(documents, seed)
    ids = [d["id"] for d in docs]
    corpus = write_jsonl(tmp_path / "corpus.jsonl", docs)
    index_dir = tmp_path / "index"
    rng = random.Random(seed)
    commits = -(-documents // COMMIT_EVERY)
    log: list[dict[str, object]] = []
    for round_number in range(rounds):
        Index.create(index_dir, overwrite=True).close()
        count, killed, attempts = 0, 0, 0
        while killed < kills // rounds + (round_number < kills % rounds):
            attempts += 1
            assert attempts < 3 * kills, "the kills keep missing the import"
            entry = _kill_at_random_moment(index_dir, corpus, rng, commits, workers)
            count = _check_after_kill(index_dir, ids, count)
            entry["documents_after"] = count
            entry["round"] = round_number
            log.append(entry)
            killed += bool(entry["killed"])
            if count == documents:  # a run got to the end: start over so kills keep landing mid-import
                Index.create(index_dir, overwrite=True).close()
                count = 0

        # Running the same import again completes it, without duplicates.
        done = run_bgsearch("index", str(corpus), "--index", str(index_dir), "--commit-every", str(COMMIT_EVERY),
                            "--workers", str(workers), timeout=RUN_TIMEOUT)
        assert done.returncode == 0, done.stderr
        with Index.open(index_dir) as ix:
            assert len(ix) == documents
            found = stored_ids(ix)
            assert len(found) == documents and set(found) == set(ids)
            assert [h.id for h in ix.search(marker(documents - 1), fuzzy=False).hits] == [ids[-1]]
    summary = {
        "documents": documents,
        "kills": sum(1 for e in log if e["killed"]),
        "kills_leaving_a_stale_owner_file": sum(1 for e in log if e["killed"] and e["in_writer"]),
        "runs_finished_before_the_kill": sum(1 for e in log if not e["killed"]),
        "completed_reruns": rounds,
        "documents_lost": 0,
        "log": log,
    }
    print(json.dumps(summary, ensure_ascii=False))
    return summary


@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_during_import_never_loses_a_commit(tmp_path: Path, workers: int) -> None:
    summary = _crash_and_recover(tmp_path, documents=1500, kills=4, rounds=1, seed=SEED + workers, workers=workers)
    assert summary["kills"] == 4


@pytest.mark.slow
@pytest.mark.parametrize("workers", [1, 2])
def test_sigkill_during_import_stress(tmp_path: Path, workers: int) -> None:
    summary = _crash_and_recover(tmp_path, documents=3000, kills=25, rounds=5, seed=SEED + 10 + workers,
                                 workers=workers)
    assert summary["kills"] == 25


def test_stale_owner_file_and_lock_file_do_not_block(tmp_path: Path) -> None:
    """A writer killed while it held the lock leaves its owner file (and Whoosh's lock file) behind;
    neither blocks the next writer, because the lock itself is an flock the OS released."""
    index_dir = tmp_path / "index"
    Index.create(index_dir).close()
    code = (
        "import sys, time\n"
        "from bgsearch import Index\n"
        "ix = Index.open(sys.argv[1])\n"
        "with ix.write_lock():\n"
        "    print('holding', flush=True)\n"
        "    time.sleep(600)\n"
    )
    import sys

    holder = subprocess.Popen([sys.executable, "-c", code, str(index_dir)], stdout=subprocess.PIPE,
                              env=child_env(), text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    finally:
        reap(holder)
    owner = json.loads((index_dir / OWNER_FILE).read_text("utf-8"))
    assert owner["pid"] == holder.pid  # left behind by the kill
    with Index.open(index_dir) as ix:
        ix.lock_timeout = 5.0
        result = ix.add_documents(make_documents(3, SEED))
        assert result.added == 3 and len(ix) == 3
    assert not (index_dir / OWNER_FILE).exists()  # the new writer cleaned it up
    run = run_bgsearch("delete", "doc-00000", "--index", str(index_dir))
    assert run.returncode == 0, run.stderr
