"""Parallel indexing: worker processes each write a share of a commit as a segment of its own.

An index written by workers must be the one a single process writes: the same documents, the same
hits in the same order with the same scores, replacements and rejections counted alike, progress
reported up to the total, and a failing worker leaves the index as it was. (Documents of equal
score may come in another order: ties go by document number, which depends on the segments.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from bgsearch import Index
from bgsearch.engine.workers import CAN_FORK
from robustness_helpers import make_documents, stored_ids

pytestmark = pytest.mark.skipif(not CAN_FORK, reason="parallel indexing needs fork()")

QUERIES = ["Лукашенко", "политически затворници", "санкции срещу Беларус", '"Европейския съюз"', "Тръмп OR калий"]


def _ranking(ix: Index) -> list[list[tuple[float, str]]]:
    """Every hit of each query with its score, best first (ties, which segment order decides, by id)."""
    return [sorted((-h.score, h.id) for h in ix.search(q, limit=1000, snippets=False).hits) for q in QUERIES]


def test_workers_write_the_index_one_process_writes(tmp_path: Path) -> None:
    docs = make_documents(600, seed=3)
    with Index.create(tmp_path / "one") as one, Index.create(tmp_path / "two") as two:
        single = one.add_documents(docs, workers=1, commit_every=250)
        calls: list[tuple[int, int]] = []
        parallel = two.add_documents(docs, workers=2, commit_every=250, progress=lambda d, t: calls.append((d, t)))
        assert (single.added, parallel.added) == (600, 600)
        assert two.stats().segments > one.stats().segments  # the workers really wrote segments of their own
        assert sorted(stored_ids(two)) == sorted(stored_ids(one))
        assert _ranking(two) == _ranking(one)
        assert calls[-1] == (600, 600)
        assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_workers_replace_documents_and_count_rejections(tmp_path: Path) -> None:
    docs = make_documents(300, seed=4)
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(docs, workers=2)
        changed = [{**d, "body": d["body"] + " Допълнение за калий."} for d in docs[:100]]
        result = ix.add_documents([*changed, {"id": "bad", "body": "   "}], workers=2)
        assert (result.added, result.replaced, len(result.rejected)) == (0, 100, 1)
        assert len(ix) == 300
        assert {h.id for h in ix.search("калий", limit=200, snippets=False).hits} >= {d["id"] for d in docs[:100]}


def test_a_failing_worker_leaves_the_index_as_it_was(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(make_documents(50, seed=5), workers=1)
        # A field no schema has: the worker's Whoosh writer raises, as on a full disk.
        import bgsearch.engine.writer as writer_module

        real_fields = writer_module.whoosh_fields
        monkeypatch.setattr(writer_module, "whoosh_fields", lambda doc, schema: {**real_fields(doc, schema), "nonsense": "x"})
        with pytest.raises(Exception, match="nonsense"):
            ix.add_documents(make_documents(40, seed=6, prefix="new"), workers=2)
        assert len(ix) == 50
        assert not any(i.startswith("new") for i in stored_ids(ix))
    monkeypatch.undo()
    with Index.open(tmp_path / "index") as ix:  # the next writer gets in, and the failed segments are deleted
        assert ix.add_documents(make_documents(40, seed=6, prefix="new"), workers=2).added == 40
        assert len(ix) == 90
        assert len(list((tmp_path / "index").glob("*.seg"))) == ix.stats().segments


def test_workers_must_be_at_least_one(empty_index: Index) -> None:
    with pytest.raises(ValueError, match="at least 1"):
        empty_index.add_documents(make_documents(3, seed=7), workers=0)
