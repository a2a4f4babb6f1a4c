"""Concurrent writers and readers (issue 6).

* Several processes add and delete their own documents at the same time: none fails, every
  acknowledged write is there afterwards and every acknowledged delete is gone.
* A writer that cannot get the lock in `lock_timeout` fails with IndexLockedError, one line that
  names the process holding the lock; the CLI exits 2 with one line on stderr.
* A reader searching in a loop during the writes always sees a committed state.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bgsearch import Index
from bgsearch.errors import IndexLockedError
from robustness_helpers import child_env, make_documents, one_line, reap, run_bgsearch, stored_ids, write_jsonl

WRITERS = 4
BATCHES = 6
PER_BATCH = 5
COMMON = "Конкурентен"  # every document has it: a search for it counts the committed documents
TIMEOUT = 600.0  # bounds against hangs only

_WRITER = r"""
import json, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[6])
from robustness_helpers import make_documents
from bgsearch import Index

index_dir, writer, batches, per, go = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
deletes = sys.argv[7] == "1"
while not go.exists():
    time.sleep(0.002)
ix = Index.open(index_dir)
ix.lock_timeout = 300
for batch in range(batches):
    docs = make_documents(per, seed=writer * 1000 + batch, prefix=f"w{writer}-b{batch}", common="COMMON")
    result = ix.add_documents(docs)
    assert (result.added, result.replaced, result.rejected) == (per, 0, []), result
    print(json.dumps({"op": "add", "ids": [d["id"] for d in docs]}), flush=True)
    if deletes and batch % 2 == 1:
        gone = [f"w{writer}-b{batch - 1}-00000", f"w{writer}-b{batch}-00001"]
        missing = ix.delete(gone)
        assert missing == [], missing
        print(json.dumps({"op": "delete", "ids": gone}), flush=True)
ix.close()
""".replace("COMMON", COMMON)

_READER = r"""
import json, sys, time
from pathlib import Path
from bgsearch import Index

index_dir, stop, word = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
ix = Index.open(index_dir)
print("ready", flush=True)
rounds = 0
while not stop.exists():
    before = len(ix)
    total = ix.search(word, limit=1, fuzzy=False).total
    after = len(ix)
    print(json.dumps([before, total, after]), flush=True)
    rounds += 1
# one last look after every writer has finished
before = len(ix); total = ix.search(word, limit=1, fuzzy=False).total; after = len(ix)
print(json.dumps([before, total, after]), flush=True)
"""

TESTS = str(Path(__file__).resolve().parent)


def _start_writers(index_dir: Path, go: Path, deletes: bool, writers: int = WRITERS,
                   batches: int = BATCHES) -> list[subprocess.Popen[str]]:
    return [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(index_dir), str(w), str(batches), str(PER_BATCH), str(go), TESTS,
             "1" if deletes else "0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env(),
        )
        for w in range(writers)
    ]


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str, str]]:
    outcomes = []
    for proc in procs:
        try:
            out, err = proc.communicate(timeout=TIMEOUT)
        finally:
            reap(proc)
        outcomes.append((proc.returncode, out, err))
    return outcomes


def _acknowledged(outcomes: list[tuple[int, str, str]]) -> tuple[set[str], set[str], int]:
    added: set[str] = set()
    deleted: set[str] = set()
    operations = 0
    for _, out, _ in outcomes:
        for line in out.splitlines():
            ack = json.loads(line)
            operations += 1
            (added if ack["op"] == "add" else deleted).update(ack["ids"])
    return added, deleted, operations


@pytest.mark.parametrize("writers, batches", [
    (WRITERS, BATCHES),
    pytest.param(8, 25, marks=pytest.mark.slow, id="stress"),
])
def test_concurrent_writers_adding_and_deleting(tmp_path: Path, writers: int, batches: int) -> None:
    index_dir = tmp_path / "index"
    Index.create(index_dir).close()
    go = tmp_path / "go"
    procs = _start_writers(index_dir, go, deletes=True, writers=writers, batches=batches)
    go.touch()
    outcomes = _finish(procs)
    for code, _, err in outcomes:
        assert code == 0, err
        assert "LockError" not in err and "Traceback" not in err
    added, deleted, operations = _acknowledged(outcomes)
    assert len(added) == writers * batches * PER_BATCH
    assert len(deleted) == writers * (batches // 2) * 2
    with Index.open(index_dir) as ix:
        found = stored_ids(ix)
        assert len(found) == len(set(found))
        assert set(found) == added - deleted
        assert len(ix) == len(added) - len(deleted)
        for doc_id in sorted(deleted)[:5]:
            assert ix.search(f"id:{doc_id}").total == 0
    print(json.dumps({"writers": writers, "operations": operations, "documents_added": len(added),
                      "documents_deleted": len(deleted), "documents_lost": 0}))


def test_a_reader_during_concurrent_adds_sees_only_committed_states(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    Index.create(index_dir).close()
    go, stop = tmp_path / "go", tmp_path / "stop"
    reader = subprocess.Popen([sys.executable, "-c", _READER, str(index_dir), str(stop), COMMON],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    try:
        assert reader.stdout.readline().strip() == "ready"
        writers = _start_writers(index_dir, go, deletes=False)
        go.touch()
        outcomes = _finish(writers)
        stop.touch()
        out, err = reader.communicate(timeout=TIMEOUT)
    finally:
        stop.touch()
        reap(reader)
    for code, _, werr in outcomes:
        assert code == 0, werr
    assert reader.returncode == 0, err
    final = WRITERS * BATCHES * PER_BATCH
    observations = [json.loads(line) for line in out.splitlines()]
    assert len(observations) >= 2
    previous = 0
    for before, total, after in observations:
        # Each commit adds a whole batch; a reader never sees part of one.
        assert before % PER_BATCH == 0 and total % PER_BATCH == 0 and after % PER_BATCH == 0
        assert previous <= before <= total <= after <= final  # never fewer documents than before
        previous = after
    assert observations[-1] == [final, final, final]
    print(json.dumps({"reader_rounds": len(observations),
                      "distinct_states_seen": len({o[1] for o in observations})}))


_HOLDER = r"""
import sys, time
from bgsearch import Index
ix = Index.open(sys.argv[1])
with ix.write_lock():
    print("holding", flush=True)
    sys.stdin.read()  # until the test closes our stdin
"""


@pytest.fixture
def held_index(tmp_path: Path):  # type: ignore[no-untyped-def]
    """An index whose writer lock another process holds; yields (index dir, holder pid)."""
    index_dir = tmp_path / "index"
    Index.create(index_dir).close()
    holder = subprocess.Popen([sys.executable, "-c", _HOLDER, str(index_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    try:
        assert holder.stdout.readline().strip() == "holding", holder.stderr.read()
        yield index_dir, holder.pid
    finally:
        holder.stdin.close()
        try:
            holder.wait(timeout=60)
        finally:
            reap(holder)
    assert holder.returncode == 0


def test_a_blocked_writer_fails_with_one_line_naming_the_holder(held_index: tuple[Path, int], tmp_path: Path) -> None:
    index_dir, pid = held_index
    corpus = write_jsonl(tmp_path / "docs.jsonl", make_documents(3, seed=1))
    # The CLI as `bgsearch index` runs it, with the lock timeout cut from 10 s to 0.5 s to keep the test short.
    cli_code = ("import sys, bgsearch.index\nbgsearch.index.DEFAULT_LOCK_TIMEOUT = 0.5\n"
                "from bgsearch.cli import main\nsys.exit(main(sys.argv[1:]))")
    cli = subprocess.Popen([sys.executable, "-c", cli_code, "index", str(corpus), "--index", str(index_dir)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())
    try:
        with Index.open(index_dir) as ix:
            ix.lock_timeout = 0.5
            for attempt in (lambda: ix.add_documents(make_documents(2, seed=2)), lambda: ix.delete(["x"])):
                with pytest.raises(IndexLockedError) as caught:
                    attempt()
                message = str(caught.value)
                assert one_line(message)
                assert f"process {pid} " in message and str(index_dir) in message
                assert "try again" in message
            assert len(ix) == 0
        out, err = cli.communicate(timeout=TIMEOUT)
    finally:
        reap(cli)
    assert cli.returncode == 2
    assert out == ""
    assert len(err.splitlines()) == 1 and one_line(err), err
    assert err.startswith("bgsearch: ") and f"process {pid} " in err


def test_the_writer_gets_in_once_the_holder_is_done(tmp_path: Path) -> None:
    """With a lock_timeout longer than the holder's work, the second writer waits and succeeds."""
    index_dir = tmp_path / "index"
    Index.create(index_dir).close()
    code = (
        "import sys, time\nfrom bgsearch import Index\nix = Index.open(sys.argv[1])\n"
        "with ix.write_lock():\n    print('holding', flush=True)\n    time.sleep(1.0)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(index_dir)], stdout=subprocess.PIPE, text=True,
                              env=child_env())
    try:
        assert holder.stdout.readline().strip() == "holding"
        with Index.open(index_dir) as ix:
            ix.lock_timeout = 120
            assert ix.add_documents(make_documents(2, seed=3)).added == 2
        assert holder.wait(timeout=TIMEOUT) == 0
    finally:
        reap(holder)
    run = run_bgsearch("stats", "--json", "--index", str(index_dir))
    assert run.returncode == 0 and json.loads(run.stdout)["documents"] == 2
