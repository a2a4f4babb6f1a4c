"""Every recorded answer still comes back term for term and score for score (tests/golden.py):
ids, scores to 9 decimals, stored fields, snippets, highlights, totals, fallbacks, suggestions and
notices of ~400 queries of every kind. An index built by the release before the package's redesign
(tests/data/index-0.1.0-seeds, committed) still opens and answers as an index built today."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import golden
from bgsearch import Index
from conftest import DECEMBER, OCTOBER, SHARED

OLD_INDEX = Path(__file__).parent / "data" / "index-0.1.0-seeds"


@pytest.mark.parametrize("name", ["seeds", "laws"])
def test_answers_equal_the_recorded_ones(name: str, tmp_path: Path) -> None:
    with_laws = name == "laws"
    if with_laws and not (SHARED / "data" / "corpora" / "laws.jsonl.gz").exists():
        pytest.skip("../shared/data/corpora/laws.jsonl.gz is not available")
    recorded = golden.read_golden(name)
    assert len(recorded) >= (350 if with_laws else 40)
    with golden.build_index(tmp_path / "index", with_laws) as ix:
        found = golden.differences(ix, name)
    assert not found, f"{len(found)} of {len(recorded)} answers differ; first: {found[0]}"


def test_an_index_of_the_previous_release_opens_and_answers(tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(OLD_INDEX, copy)
    with Index.open(copy) as old, golden.build_index(tmp_path / "new", with_laws=False) as new:
        assert len(old) == 2
        for query, options in golden.SEED_QUERIES:
            assert golden.answer(old, query, options) == golden.answer(new, query, options), query
        hits = old.search("пристанище").hits
        assert [hit.id for hit in hits] == [OCTOBER]
        assert {hit.id for hit in old.search("Беларус").hits} == {OCTOBER, DECEMBER}
