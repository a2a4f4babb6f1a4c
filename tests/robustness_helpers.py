"""Helpers shared by the robustness tests (issue 6): a synthetic Bulgarian corpus built from the seed
articles, the CLI as a subprocess, and a full scan of the ids an index holds."""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SRC = ROOT / "src"

_SENTENCE = re.compile(r"(?<=[.!?…])[\"“”»']?\s+")
# A number that appears in exactly one generated document: searching for it finds that document.
MARKER_BASE = 7_000_000


def seed_sentences() -> list[str]:
    """Every sentence of the seed articles (without their ` date ... ` header)."""
    sentences: list[str] = []
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8")
        text = re.sub(r"^\s*date\s+\S+\s", "", text)
        for paragraph in text.split("\n"):
            sentences += [s.strip() for s in _SENTENCE.split(paragraph) if len(s.strip()) > 20]
    return sentences


def marker(number: int) -> str:
    return str(MARKER_BASE + number)


def make_documents(count: int, seed: int, prefix: str = "doc", common: str | None = None) -> list[dict[str, str]]:
    """`count` real-looking Bulgarian documents with unique ids `{prefix}-{n:05d}`.

    The body is 3-8 seed sentences in a seeded random order, plus a marker number unique to the
    document (`marker(n)`), and `common` (a word every document has) when given.
    """
    rng = random.Random(seed)
    sentences = seed_sentences()
    docs = []
    for n in range(count):
        picked = rng.sample(sentences, rng.randint(3, 8))
        body = " ".join(picked) + f" Запис {marker(n)}."
        if common:
            body = f"{common} {body}"
        day = rng.randint(1, 28)
        docs.append({
            "id": f"{prefix}-{n:05d}",
            "title": picked[0][:100],
            "body": body,
            "date": f"2025-{rng.randint(1, 12):02d}-{day:02d}",
            "source": "БТА",
        })
    return docs


def write_jsonl(path: Path, docs: Sequence[dict[str, object]]) -> Path:
    with path.open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc, ensure_ascii=False) + "\n")
    return path


def child_env() -> dict[str, str]:
    """The environment for a child Python: no colour, bgsearch importable even if not installed."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(SRC), env.get("PYTHONPATH")) if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def bgsearch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "bgsearch", *args]


def run_bgsearch(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run the CLI to completion (bounded by a generous timeout, only against hangs)."""
    return subprocess.run(bgsearch_command(*args), cwd=cwd, capture_output=True, text=True,
                          env=child_env(), timeout=timeout)


def run_python(code: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=child_env(), timeout=timeout)


def stored_ids(ix: object) -> list[str]:
    """The id of every live document, by a full scan of the stored fields (duplicates kept)."""
    searcher = ix.searcher()  # type: ignore[attr-defined]
    return [fields["id"] for fields in searcher.all_stored_fields()]


def one_line(message: str) -> bool:
    return bool(message.strip()) and "\n" not in message.strip() and "Traceback" not in message


def reap(proc: subprocess.Popen) -> None:  # type: ignore[type-arg]
    """Kill `proc` if it still runs, wait for it, and close its pipes (never leak them)."""
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    for stream in (proc.stdin, proc.stdout, proc.stderr):
        if stream is not None and not stream.closed:
            stream.close()
