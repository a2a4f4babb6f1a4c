"""The package passes mypy (strict for the public API: see [tool.mypy] in pyproject.toml), and an
application's own code that uses the public API passes `mypy --strict`."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
mypy_api = pytest.importorskip("mypy.api", reason="mypy is not installed (pip install -e '.[test]')")

APPLICATION = '''
from pathlib import Path

from bgsearch import AddResult, BgsearchError, Hit, Index, SearchResults, analyze, load_path


def build(path: Path) -> AddResult:
    with Index.create(path) as ix:
        return ix.add_documents(load_path("seeds"), commit_every=100, workers=1)


def titles(path: Path, query: str) -> list[str]:
    try:
        with Index.open(path) as ix:
            results: SearchResults = ix.search(query, limit=5, date_from="2025-01-01", fuzzy=False)
            hits: list[Hit] = results.hits
            return [hit.title or hit.id for hit in hits] + [str(results.total)]
    except BgsearchError as exc:
        return [str(exc)]


terms: list[str] = analyze("Санкциите срещу Беларус")
'''


def _mypy(*args: str) -> tuple[str, int]:
    out, err, status = mypy_api.run([*args, "--no-incremental", "--cache-dir", "/dev/null"])
    return out + err, status


def test_the_package_passes_mypy() -> None:
    report, status = _mypy("--config-file", str(ROOT / "pyproject.toml"))
    assert status == 0, report


def test_an_application_passes_mypy_strict(tmp_path: Path) -> None:
    program = tmp_path / "app.py"
    program.write_text(APPLICATION, "utf-8")
    (tmp_path / "none.ini").write_text("[mypy]\n", "utf-8")  # not the project's settings: only --strict
    report, status = _mypy("--strict", "--config-file", str(tmp_path / "none.ini"), str(program))
    assert status == 0, report
