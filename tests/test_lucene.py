"""The Lucene port of the analysis (lucene/) gives exactly Python's terms, offsets and positions.

Python writes test vectors (tools/write_analysis_vectors.py: every dictionary form, ~70,000 unknown
corpus words, the normalization cases, synthetic English words, every code point, whole documents),
then `mvn test` in lucene/ compiles the Lucene components and the OpenSearch plugin and compares;
any difference fails. Skips with one line when Java or Maven is missing.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LUCENE = ROOT / "lucene"


def _missing_tools() -> list[str]:
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def test_lucene_analysis_equals_python(tmp_path: Path) -> None:
    missing = _missing_tools()
    if missing:
        pytest.skip(f"{' and '.join(missing)} not found: the Lucene analysis module is not tested")
    vectors = tmp_path / "vectors"
    writer = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "write_analysis_vectors.py"), str(vectors)],
        capture_output=True, text=True, timeout=600,
    )
    assert writer.returncode == 0, writer.stderr[-3000:]
    mvn = subprocess.run(
        ["mvn", "-q", "-B", "-f", str(LUCENE / "pom.xml"), "test", f"-Dvectors={vectors}"],
        capture_output=True, text=True, timeout=1800, cwd=LUCENE,
    )
    output = mvn.stdout + mvn.stderr
    assert mvn.returncode == 0, "Java analysis differs from Python or fails to build:\n" + output[-6000:]
    # The vector tests ran (not skipped) and compared every class.
    for needle in ("words/dictionary:", "words/corpus:" if "corpora=yes" in output else "words/",
                   "chars:", "documents/analyzer:"):
        assert needle in output, f"{needle!r} missing from the Java test output:\n{output[-3000:]}"
