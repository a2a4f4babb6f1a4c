"""Fast checks of the scaling harness (benchmarks/scale.py); no timing bounds."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import corpora, scale  # noqa: E402

FAKE_UNITS = [
    {"id": f"{law}-{n}", "title": f"Закон за изменение на закона {law} — Чл. {n}", "date": f"20{law:02d}-01-0{n % 9 + 1}",
     "body": f"Чл. {n}. Първо изречение на закон {law}.\n(2) Втора алинея за данъка.\n(3) Трета алинея {n}."}
    for law in range(1, 6) for n in range(1, 8)
]


@pytest.fixture(scope="module")
def units() -> list[dict[str, Any]]:
    try:
        return corpora.load_corpus("laws", corpora.data_dir())
    except corpora.DataMissingError:
        pytest.skip("shared data not available")


def test_generator_is_deterministic_and_a_prefix_for_any_count() -> None:
    gen = scale.Generator(FAKE_UNITS, seed=3)
    first = list(gen.documents(200))
    assert first == list(scale.Generator(FAKE_UNITS, seed=3).documents(200))
    assert first[:50] == list(gen.documents(50))  # the first N are the same for every larger count
    assert first != list(scale.Generator(FAKE_UNITS, seed=4).documents(200))
    assert len({d["id"] for d in first}) == 200
    other = list(gen.documents(200, prefix="add", seed=9))
    assert not {d["id"] for d in first} & {d["id"] for d in other}


def test_generated_documents_have_the_schema_fields() -> None:
    for doc in scale.Generator(FAKE_UNITS).documents(50):
        assert set(doc) <= set(scale.SCHEMA) | {"id"}
        assert doc["body"] and doc["title"] and doc["kind"] == "изменение"
        assert doc["year"] == int(doc["date"][:4])


def test_pieces_cut_short_bodies_at_sentences() -> None:
    assert scale.pieces("a\nb\n\nc\n") == ["a", "b", "c"]
    assert scale.pieces("Чл. 1. Едно съгласно чл. 5, ал. 2. Две; Три.") == [
        "Чл. 1.", "Едно съгласно чл. 5, ал. 2.", "Две;", "Три."]  # a reference stays whole


def test_generated_lengths_follow_the_real_units(units: list[dict[str, Any]]) -> None:
    docs = list(scale.Generator(units, seed=1).documents(4000))
    assert len({d["id"] for d in docs}) == len(docs)
    made = sorted(len(d["body"]) for d in docs)
    real = sorted(len(u["body"]) for u in units)

    def quantile(values: list[int], q: float) -> int:
        return values[int(q * (len(values) - 1))]

    for q in (0.25, 0.5, 0.75, 0.9):
        assert 0.75 <= quantile(made, q) / quantile(real, q) <= 1.3, q
    assert 0.8 <= statistics.mean(made) / statistics.mean(real) <= 1.25
    # most bodies are recombined, not copies of one unit
    bodies = {u["body"] for u in units}
    assert sum(d["body"] in bodies for d in docs) < 0.5 * len(docs)


def test_memory_of_a_process_tree_counts_the_children() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import subprocess, sys, time; "
                              "p = subprocess.Popen([sys.executable, '-c', 'import time; x = bytearray(50_000_000); "
                              "time.sleep(3)']); time.sleep(3); p.wait()"])
    try:
        time.sleep(1.0)
        tree = scale.process_tree(child.pid)
        assert len(tree) == 2
        poller = scale.TreeMemory(child.pid, interval=0.05)
        time.sleep(0.3)
        poller.stop()
        assert poller.peak_processes == 2
        assert poller.peak_rss >= 50_000_000 and poller.peak_pss >= 40_000_000
    finally:
        child.wait()
    assert scale.memory_of(child.pid) == (0, 0)


def test_a_tiny_run_end_to_end(units: list[dict[str, Any]], tmp_path: Path) -> None:
    gen = scale.Generator(units, seed=5)
    docs = gen.write(tmp_path / "docs.jsonl", 500)
    schema = tmp_path / "schema.json"
    schema.write_text(json.dumps(scale.SCHEMA, ensure_ascii=False), "utf-8")
    index = tmp_path / "ix"
    run = scale.index_bgsearch(docs, index, schema, commit_every=200)
    assert run["peak_pss_mb"] > 0 and run["peak_rss_mb"] >= run["peak_pss_mb"] * 0.9
    assert run["cpu_seconds"] > 0 and len(run["commit_times"]) >= 1
    stats = scale.index_stats(index)
    assert stats["documents"] == 500 and stats["segments"] >= 1 and stats["size_mb"] > 0
    queries = scale.query_sets(units[:3000], gen, seed=5, per_class=3)
    result = scale.run_worker("queries", {"index": str(index), **queries})
    assert set(result["first"]) == set(scale.WORD_CLASSES) | set(scale.FILTER_CLASSES)
    assert all(s["p50_ms"] > 0 for s in result["repeated"].values())
    add_file = gen.write(tmp_path / "add.jsonl", 20, prefix="add", seed=6)
    added = scale.run_worker("add", {"index": str(index), "docs": str(add_file), "runs": 1})
    assert added["median_seconds"] > 0
    assert scale.index_stats(index)["documents"] == 500 + min(20, scale.ADD_DOCS)


def test_generate_writes_json_lines(units: list[dict[str, Any]]) -> None:
    out = subprocess.run([sys.executable, str(REPO_ROOT / "benchmarks" / "scale.py"), "--generate", "5"],
                         capture_output=True, text=True, check=True, env={**os.environ, "PYTHONPATH": str(REPO_ROOT)})
    lines = [json.loads(line) for line in out.stdout.splitlines()]
    assert [d["id"] for d in lines] == [f"d{i:07d}" for i in range(5)]
