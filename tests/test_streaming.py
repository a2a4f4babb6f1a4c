"""Streaming imports, the worker cap and merging (issue 17).

An import is read one commit's worth at a time: a stream commits as it goes (a second reader sees
each chunk as it is committed, and a pipe into `bgsearch index -` commits before it is closed),
memory holds one chunk (not the whole import), and ids given twice are found across chunks too.
`--workers 100` runs no more processes than the cores. After every commit a log-structured merge
policy keeps the number of segments bounded; `optimize` merges them into one without changing a
single answer, and a kill during it leaves the index whole.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bgsearch import Index, load_path
from bgsearch.engine.workers import (CAN_FORK, MERGE_FACTOR, WORKER_NICENESS, SegmentWorkers, max_workers,
                                     workers_for)
from conftest import SEEDS, SHARED
from robustness_helpers import (bgsearch_command, child_env, make_documents, marker, reap, run_bgsearch, stored_ids,
                                write_jsonl)

OWNER_FILE = "bgsearch-writer.json"
QUERIES = ["Лукашенко", "политически затворници", "санкции срещу Беларус", '"Европейския съюз"', "Тръмп OR калий",
           "закон", "министър на финансите", "съд OR прокуратура", '"държавен орган"', "данък добавена стойност",
           "общински съвет", "наказание лишаване от свобода", "пристанище"]


def _ranking(ix: Index) -> list[list[tuple[float, str]]]:
    """Every hit of each query, best first, with its score (ties by id: segment order decides them)."""
    return [sorted((-h.score, h.id) for h in ix.search(q, limit=1000, snippets=False).hits) for q in QUERIES]


def _same_ranking(before: list[list[tuple[float, str]]], after: list[list[tuple[float, str]]]) -> None:
    """The same hits with the same scores (to 9 decimals: sums in another order may differ in the last bits)."""
    for query, old, new in zip(QUERIES, before, after):
        assert sorted(i for _, i in old) == sorted(i for _, i in new), query
        scores = {doc_id: score for score, doc_id in old}
        for score, doc_id in new:
            assert abs(score - scores[doc_id]) <= 1e-9, (query, doc_id, score, scores[doc_id])


# -- streaming ---------------------------------------------------------------------------------


def test_a_stream_is_committed_chunk_by_chunk(tmp_path: Path) -> None:
    """While a generator is still being read, a second reader already sees every finished chunk."""
    docs = make_documents(450, seed=71)
    seen: list[tuple[int, int]] = []
    with Index.create(tmp_path / "index") as ix, Index.open(tmp_path / "index") as reader:

        def stream() -> Iterator[dict[str, str]]:
            for number, doc in enumerate(docs):
                if number % 100 == 0:  # asked for the first document of a chunk: the one before is committed
                    seen.append((number, len(reader)))
                yield doc

        result = ix.add_documents(stream(), commit_every=100, workers=1)
        assert (result.added, result.replaced, result.duplicates) == (450, 0, [])
        assert seen == [(0, 0), (100, 100), (200, 200), (300, 300), (400, 400)]
        assert len(reader) == 450


def test_a_pipe_is_committed_before_it_is_closed(tmp_path: Path) -> None:
    """`producer | bgsearch index -`: the documents written so far are committed while the pipe is open."""
    docs = make_documents(250, seed=72)
    index_dir = tmp_path / "index"
    Index.create(index_dir).close()
    proc = subprocess.Popen(bgsearch_command("index", "-", "--index", str(index_dir), "--commit-every", "100",
                                             "--workers", "1"),
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env())
    try:
        assert proc.stdin is not None
        for doc in docs:
            proc.stdin.write((json.dumps(doc, ensure_ascii=False) + "\n").encode("utf-8"))
        proc.stdin.flush()
        deadline = time.monotonic() + 120
        with Index.open(index_dir) as reader:
            while len(reader) < 200:  # two chunks of 100: committed with the pipe still open
                assert proc.poll() is None and time.monotonic() < deadline, "nothing was committed before the end"
                time.sleep(0.05)
            assert len(reader) == 200
        proc.stdin.close()
        assert proc.wait(timeout=120) == 0
    finally:
        reap(proc)
    with Index.open(index_dir) as ix:
        assert sorted(stored_ids(ix)) == sorted(d["id"] for d in docs)


def test_a_streamed_import_holds_one_chunk_in_memory(tmp_path: Path) -> None:
    """3,000 documents of 20 KB each (60 MB of text) stream through an import with a traced peak
    of a fraction of that (~12 MB: a chunk, and Whoosh's buffer of its stored fields); holding them
    all, as the import did before, took 134 MB."""
    count, size, every = 3_000, 10_000, 200  # 10,000 Cyrillic letters: 20 KB a document in Python

    def stream() -> Iterator[dict[str, str]]:
        for number in range(count):
            yield {"id": f"d{number}", "body": f"Запис {marker(number)}.", "blob": str(number) + "ж" * size}

    schema = {"body": {"type": "text"}, "blob": {"type": "stored"}}
    with Index.create(tmp_path / "index", schema=schema, durable=False) as ix:
        ix.add_documents([{"id": "d0", "body": "Запис.", "blob": "ж"}])  # loads what any import loads once
        gc.collect()
        tracemalloc.start()
        try:
            result = ix.add_documents(stream(), commit_every=every, workers=1)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert (result.added, result.replaced) == (count - 1, 1) and len(ix) == count
        assert ix.get("d2999").fields["blob"].startswith("2999жж")  # type: ignore[union-attr]
    everything = count * 2 * size
    print(f"\nstreamed {count:,} documents ({everything / 1e6:.0f} MB of text), commit every {every}: "
          f"traced peak {peak / 1e6:.1f} MB")
    assert peak < everything / 3


def test_opening_an_index_reads_its_segments_in_place(tmp_path: Path) -> None:
    # Whoosh read each file of a mapped segment through BytesIO(view), a copy of the whole file:
    # opening a million-document index copied its 2 GB of terms and postings into memory.
    with Index.create(tmp_path / "index", durable=False) as ix:
        ix.add_documents(make_documents(3_000, seed=80), workers=1)
    on_disk = sum(path.stat().st_size for path in (tmp_path / "index").glob("*.seg"))
    with Index.open(tmp_path / "index") as ix:  # what any search loads once (the analyzer's data)
        assert ix.search("Запис", limit=1).total == 3_000
    gc.collect()
    tracemalloc.start()
    try:
        with Index.open(tmp_path / "index") as ix:
            assert ix.search("Запис", limit=1).total == 3_000
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    print(f"\nsegments {on_disk / 1e6:.1f} MB, traced peak while opening and searching {peak / 1e6:.1f} MB")
    assert peak < on_disk / 4


def test_ids_given_twice_are_found_across_chunks(tmp_path: Path) -> None:
    docs = make_documents(30, seed=73)
    again = [{**doc, "body": doc["body"] + " Втори вариант."} for doc in docs[:3]]
    # chunks of 10: ids 0-2 again in the third chunk, id 5 twice in the first chunk
    items = [*docs[:6], docs[5], *docs[6:25], *again, *docs[25:]]
    with Index.create(tmp_path / "index") as ix:
        result = ix.add_documents(items, commit_every=10, workers=1)
        assert (result.added, result.replaced) == (30, 0)
        assert sorted(result.duplicates) == sorted([docs[5]["id"], *(d["id"] for d in again)])
        assert len(ix) == 30 and sorted(stored_ids(ix)) == sorted(d["id"] for d in docs)
        for doc in again:  # the last one given wins
            assert ix.get(doc["id"]).fields["body"].endswith("Втори вариант.")  # type: ignore[union-attr]
        # The same import again: each id is replaced once, however often the import gives it.
        result = ix.add_documents(items, commit_every=10, workers=1)
        assert (result.added, result.replaced, len(result.duplicates)) == (0, 30, 4)
        assert len(ix) == 30


def test_replaced_ids_are_found_whether_a_segment_is_asked_id_by_id_or_read_whole(tmp_path: Path) -> None:
    # A segment is read whole into IndexedIds once an import has asked it about an eighth as many
    # ids as it holds: 10 ids of a 1,000-document segment are looked up one by one, 300 read it.
    docs = make_documents(1_000, seed=75)
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(docs, workers=1)
        few = [{**doc, "body": doc["body"] + " Поправка."} for doc in docs[100:110]]
        result = ix.add_documents([*few, *make_documents(5, seed=76, prefix="new")], workers=1)
        assert (result.added, result.replaced) == (5, 10)
        many = [{**doc, "body": doc["body"] + " Поправка."} for doc in docs[500:800]]
        result = ix.add_documents([*many, *make_documents(40, seed=78, prefix="more")], commit_every=85,
                                  workers=1)
        assert (result.added, result.replaced) == (40, 300)
        assert len(ix) == 1_045
        assert ix.search("поправка", limit=1).total == 310
        # Deleting goes the same way: an id deleted once is not found again.
        assert ix.delete([docs[0]["id"], docs[0]["id"] + "x"]) == [docs[0]["id"] + "x"]
        assert len(ix) == 1_044 and ix.get(docs[0]["id"]) is None


@pytest.mark.skipif(not CAN_FORK, reason="the workers are forked")
def test_a_stream_that_fails_while_its_next_chunk_is_read_ahead_keeps_the_chunks_before(tmp_path: Path) -> None:
    # With workers, the next chunk is read while they write the current one: an error reading it
    # is raised after the current commit, as without them.
    docs = make_documents(2_500, seed=79)

    def stream() -> Iterator[dict[str, str]]:
        yield from docs
        raise RuntimeError("the source broke after 2,500 documents")

    with Index.create(tmp_path / "index") as ix:
        with pytest.raises(RuntimeError, match="source broke"):
            ix.add_documents(stream(), commit_every=1_000, workers=2)
        assert len(ix) == 2_000 and ix.stats().segments >= 2
        assert sorted(stored_ids(ix)) == sorted(doc["id"] for doc in docs[:2_000])


def test_progress_without_a_known_total(tmp_path: Path) -> None:
    calls: list[tuple[int, int | None]] = []
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(iter(make_documents(250, seed=74)), commit_every=100, workers=1,
                         progress=lambda done, total: calls.append((done, total)))
    assert calls[0] == (100, None)  # the total is unknown while the stream is read...
    assert calls[-1] == (250, 250)  # ...and known with its last chunk
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


# -- workers -----------------------------------------------------------------------------------


@pytest.mark.skipif(not CAN_FORK, reason="the workers are forked")
def test_import_workers_run_at_a_lower_priority_than_searches() -> None:
    # So that a search on the same machine (a web service, say) answers while an import runs.
    with SegmentWorkers(2) as pool:
        niceness = list(pool.start(os.nice, [0, 0])())
    assert niceness == [min(19, os.nice(0) + WORKER_NICENESS)] * 2


def test_workers_never_exceed_the_cores() -> None:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    assert max_workers() == (max(2, cores) if CAN_FORK else 1)
    assert workers_for(100, 761) <= max_workers()
    assert workers_for(100, 15) == 1  # at least 10 documents a requested worker
    assert workers_for(None, 761) == 1  # by default at least 1,000 documents a worker
    assert workers_for(None, 25_000) == (min(cores, 25) if CAN_FORK else 1)
    assert workers_for(None, 25_000, threads=2) == 1


@pytest.mark.skipif(not CAN_FORK, reason="parallel indexing needs fork()")
def test_workers_100_write_at_most_a_segment_per_core(tmp_path: Path) -> None:
    corpus = write_jsonl(tmp_path / "docs.jsonl", make_documents(761, seed=75))
    done = run_bgsearch("index", str(corpus), "--index", str(tmp_path / "index"), "--workers", "100")
    assert done.returncode == 0, done.stderr
    with Index.open(tmp_path / "index") as ix:
        assert len(ix) == 761
        assert 1 <= ix.stats().segments <= max(2, os.cpu_count() or 1)


# -- merging -----------------------------------------------------------------------------------


def test_segments_stay_bounded_over_many_small_commits(tmp_path: Path) -> None:
    """60 commits of 10 documents leave a handful of segments, not 60: at most 9 a tier (tiers of
    <100, <1,000 documents here) and the last commit's."""
    docs = make_documents(600, seed=76)
    counts = []
    with Index.create(tmp_path / "index", durable=False) as ix:
        for start in range(0, 600, 10):
            ix.add_documents(docs[start:start + 10], workers=1)
            counts.append(ix.stats().segments)
        assert max(counts) <= 2 * (MERGE_FACTOR - 1) + 1
        assert len(ix) == 600 and sorted(stored_ids(ix)) == sorted(d["id"] for d in docs)
        assert len(list((tmp_path / "index").glob("*.seg"))) == counts[-1]  # merged segments' files are gone
        if CAN_FORK:  # worker-written segments are merged too
            for start in range(0, 200, 40):
                ix.add_documents(docs[start:start + 40], workers=2)
                counts.append(ix.stats().segments)
            assert max(counts) <= 2 * (MERGE_FACTOR - 1) + 1
            assert len(ix) == 600
        # Replacing every document leaves no segment of deleted ones behind.
        ix.add_documents(docs, workers=1)
        assert ix.stats().segments <= 2 * (MERGE_FACTOR - 1) + 1 and len(ix) == 600
        assert ix.searcher().doc_count_all() < 2 * 600
    print(f"\nsegments after each of 60 commits of 10 documents: {counts[:60]}")


def _laws(count: int) -> list[dict[str, Any]]:
    if not (SHARED / "data" / "corpora" / "laws.jsonl.gz").exists():
        return make_documents(count, seed=77)
    sys.path.insert(0, str(Path(__file__).parent))
    from golden import law_documents

    return law_documents()[:count]


def test_optimize_merges_into_one_segment_with_the_same_answers(tmp_path: Path) -> None:
    items: list[Any] = [*load_path(SEEDS), *_laws(1_000)]
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(items, commit_every=125, workers=1)
        segments = ix.stats().segments
        assert segments > 1
        before = _ranking(ix)
        assert sum(map(len, before)) > 100
        ix.optimize()
        assert ix.stats().segments == 1 and len(ix) == len(items)
        _same_ranking(before, _ranking(ix))
        assert ix.check() == []
        ix.optimize()  # nothing to do: still one segment
        assert ix.stats().segments == 1
        # Deleted documents are dropped by the merge.
        gone = [d["id"] for d in items[2:12]]
        assert ix.delete(gone) == []
        ix.optimize()
        assert ix.stats().segments == 1 and len(ix) == len(items) - 10
        assert ix.searcher().doc_count_all() == len(items) - 10
    with Index.open(tmp_path / "index") as reopened:
        assert len(reopened) == len(items) - 10
    print(f"\noptimize: {segments} segments -> 1; {len(QUERIES)} queries, {sum(map(len, before))} hits, same scores")


def test_bgsearch_optimize(tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    with Index.create(index_dir) as ix:
        for start in range(0, 60, 20):
            ix.add_documents(make_documents(60, seed=78)[start:start + 20], workers=1)
        assert ix.stats().segments == 3
    done = run_bgsearch("optimize", "--index", str(index_dir))
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip().endswith("1 segment(s), 3 before")
    with Index.open(index_dir) as ix:
        assert ix.stats().segments == 1 and len(ix) == 60
    missing = run_bgsearch("optimize", "--index", str(tmp_path / "nothing"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


def _lock_holder(index_dir: Path) -> int | None:
    """The process that wrote the note of who holds the write lock (a killed writer's note stays)."""
    try:
        return int(json.loads((index_dir / OWNER_FILE).read_text("utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def test_a_kill_during_optimize_leaves_every_document(tmp_path: Path) -> None:
    """SIGKILL `bgsearch optimize` while it merges: the index opens with every document, whole, and
    the next optimize completes."""
    docs = make_documents(3_000, seed=79)
    ids = sorted(d["id"] for d in docs)
    index_dir = tmp_path / "index"
    with Index.create(index_dir, durable=False) as ix:
        ix.add_documents(docs, commit_every=350, workers=1)  # 9 segments
        segments = ix.stats().segments
        assert segments > 1
    killed = []
    for delay in (0.01, 0.05, 0.2):  # a merge of 3,000 documents takes ~0.1-0.3 s
        proc = subprocess.Popen(bgsearch_command("optimize", "--index", str(index_dir)),
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=child_env())
        try:
            deadline = time.monotonic() + 60
            while _lock_holder(index_dir) != proc.pid and proc.poll() is None:  # it holds the lock: merging
                assert time.monotonic() < deadline
                time.sleep(0.005)
            time.sleep(delay)
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                killed.append(delay)
            proc.wait(timeout=60)
        finally:
            reap(proc)
        with Index.open(index_dir) as ix:
            assert len(ix) == 3_000 and sorted(stored_ids(ix)) == ids
            assert [h.id for h in ix.search(marker(1234), fuzzy=False).hits] == ["doc-01234"]
            assert ix.check() == []
            if proc.returncode == 0:  # it finished before the kill
                assert ix.stats().segments == 1
                break
            assert proc.returncode == -signal.SIGKILL
            # killed mid-merge: the commit before; or after its commit, on its way out: merged
            assert ix.stats().segments in (segments, 1)
    assert killed, "every optimize finished before its kill"
    with Index.open(index_dir) as ix:
        ix.lock_timeout = 5.0  # a killed writer leaves no stale lock
        ix.optimize()
        assert ix.stats().segments == 1 and len(ix) == 3_000 and sorted(stored_ids(ix)) == ids
        assert len(list(index_dir.glob("*.seg"))) == 1  # the killed merges' files are gone
    print(f"\noptimize of {segments} segments killed after {killed} s: every document there each time")
