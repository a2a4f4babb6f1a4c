"""One Index shared by threads while other processes write (issue 14; the web service relies on it):
every search answers from one whole commit — never ReaderClosed, never a mix of two commits — while
another process commits and then rebuilds the index."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

from bgsearch import Index
from robustness_helpers import child_env, make_documents, reap, write_jsonl

WRITER = r"""
import json, sys, time
from bgsearch import Index, load_path
path, extra, rebuild_from = sys.argv[1:4]
docs = [json.loads(line) for line in open(extra, encoding="utf-8")]
with Index.open(path) as ix:
    for start in range(0, len(docs), 10):  # many small commits
        ix.add_documents(docs[start : start + 10], workers=1)
        time.sleep(0.02)
with Index.rebuild(path) as new:  # then the index is replaced under the readers
    new.add_documents(load_path(rebuild_from), workers=1)
print("done", flush=True)
"""

THREADS = 4


def test_threads_search_one_index_while_another_process_commits_and_rebuilds(tmp_path: Path) -> None:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.add_documents(make_documents(200, seed=11), workers=1)
    extra = write_jsonl(tmp_path / "extra.jsonl", make_documents(300, seed=12, prefix="new"))
    rebuild_from = write_jsonl(tmp_path / "rebuilt.jsonl", make_documents(50, seed=13, prefix="rebuilt"))
    shared = Index.open(path)
    errors: list[str] = []
    searches = [0] * THREADS
    seen_sizes: set[int] = set()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(extra), str(rebuild_from)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=child_env())

    def search_until_the_writer_is_done(number: int) -> None:
        queries = ["Беларус", "санкции Лукашенко", '"калиеви торове"', "посолство OR пристанище",
                   "санкц*", "Беларус date:2025-06..2025-12"]
        while writer.poll() is None or searches[number] < 20:
            query = queries[searches[number] % len(queries)]
            try:
                results = shared.search(query, limit=20)
                total = results.total  # counted later, from the same commit
                if total < len(results.hits) or any(not hit.snippet for hit in results.hits):
                    errors.append(f"{query}: {total} total, {len(results.hits)} hits")
                seen_sizes.add(len(shared))
                shared.get("doc-00001")
            except Exception as exc:  # every kind counts as a failure here
                errors.append(f"{query}: {type(exc).__name__}: {exc}")
            searches[number] += 1

    threads = [threading.Thread(target=search_until_the_writer_is_done, args=(n,)) for n in range(THREADS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
        out, err = writer.communicate(timeout=300)
    finally:
        reap(writer)
        shared.close()
    assert writer.returncode == 0 and out.strip() == "done", err
    assert errors == [], f"{len(errors)} of {sum(searches)} searches failed; first: {errors[:3]}"
    assert sum(searches) >= THREADS * 20
    assert len(seen_sizes) > 2  # the readers saw commits come in, and the rebuilt index
    with Index.open(path) as ix:
        assert len(ix) == 50 and ix.search("Беларус").total > 0
