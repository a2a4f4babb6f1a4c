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
from conftest import SHARED

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


def test_an_index_of_the_previous_release_is_read_safely_and_reported_for_rebuilding(tmp_path: Path) -> None:
    """The index committed as test data was built by bgsearch 0.1.0 (analyzer 2.4) before the package
    was cut into rooms: its pickled schema names the class paths of that release, which still load
    (through the allow-list); as its analyzer is older, opening it says how to rebuild it, in one line."""
    from whoosh.index import FileIndex

    from bgsearch import ANALYZER_VERSION, BulgarianAnalyzer, IndexVersionError
    from bgsearch.engine.durable import storage

    copy = tmp_path / "old"
    shutil.copytree(OLD_INDEX, copy)
    analyzer = FileIndex(storage(copy), indexname="MAIN").schema["body"].analyzer
    assert isinstance(analyzer, BulgarianAnalyzer)
    assert analyzer.pipeline.terms("Санкциите срещу Беларус") == ["санкци", "беларус"]
    if ANALYZER_VERSION == "2.4":  # the release's own analyzer: it answers as an index built today
        with Index.open(copy) as old, golden.build_index(tmp_path / "new", with_laws=False) as new:
            for query, options in golden.SEED_QUERIES:
                assert golden.answer(old, query, options) == golden.answer(new, query, options), query
        return
    with pytest.raises(IndexVersionError) as caught:
        Index.open(copy)
    message = str(caught.value)
    assert "built with analyzer bgsearch-bulgarian 2.4" in message and "--rebuild" in message
    assert "\n" not in message
