"""The `bgsearch` command, run as a user would: exit codes, JSON output, first-run index build."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import DECEMBER, OCTOBER, SEEDS


def bgsearch(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    return subprocess.run(
        [sys.executable, "-m", "bgsearch", *args], cwd=cwd, input=stdin, capture_output=True,
        text=True, env=env, timeout=120,
    )


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory laid out like a fresh clone: seeds/ and an index/ holding only its placeholder."""
    root = tmp_path_factory.mktemp("clone")
    shutil.copytree(SEEDS, root / "seeds")
    (root / "index").mkdir()
    (root / "index" / ".gitkeep").touch()
    return root


def test_first_query_builds_the_index_from_seeds(checkout: Path) -> None:
    first = bgsearch("query", "политически затворници", cwd=checkout)
    assert first.returncode == 0, first.stderr
    assert "building it from seeds/" in first.stderr
    assert (checkout / "index" / "bgsearch.json").exists()
    assert "Беларус" in first.stdout and "\x1b[" not in first.stdout  # no colour when piped
    again = bgsearch("query", "политически затворници", cwd=checkout)
    assert again.returncode == 0 and "building" not in again.stderr
    assert again.stdout == first.stdout


def test_json_output_one_hit_per_line(checkout: Path) -> None:
    run = bgsearch("query", "санкция", "--json", cwd=checkout)
    assert run.returncode == 0
    hits = [json.loads(line) for line in run.stdout.splitlines()]
    assert {h["id"] for h in hits} == {OCTOBER, DECEMBER}
    for hit in hits:
        assert set(hit) == {"id", "score", "title", "date", "source", "url", "snippet", "highlights", "fields", "snippets"}
        for start, end in hit["highlights"]:
            assert hit["snippet"][start:end].lower().startswith("санкци")


def test_date_options(checkout: Path) -> None:
    run = bgsearch("query", "санкция", "--from", "2025-12-01", "--json", cwd=checkout)
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [DECEMBER]


def test_exit_codes(checkout: Path) -> None:
    assert bgsearch("query", "Лукашенко", cwd=checkout).returncode == 0
    none = bgsearch("query", "ябълка", cwd=checkout)
    assert none.returncode == 1 and none.stdout == ""
    stops = bgsearch("query", "и на", cwd=checkout)
    assert stops.returncode == 1 and "stop words" in stops.stderr
    bad = bgsearch("query", "(санкции", cwd=checkout)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "Traceback" not in bad.stderr
    missing = bgsearch("query", "санкции", "--index", "nowhere", cwd=checkout)
    assert missing.returncode == 2 and "no index in nowhere" in missing.stderr


def test_more_matches_than_a_page_are_counted(tmp_path: Path) -> None:
    """A full page is counted lazily; the CLI counts it before it closes the index."""
    lines = [json.dumps({"id": str(i), "body": f"Санкции срещу Беларус, решение {i}."}, ensure_ascii=False) for i in range(15)]
    (tmp_path / "docs.jsonl").write_text("\n".join(lines) + "\n", "utf-8")
    assert bgsearch("index", "docs.jsonl", "--index", "ix", cwd=tmp_path).returncode == 0
    for query in ("санкция", "санкции Беларус", '"санкции срещу Беларус"'):
        run = bgsearch("query", query, "--index", "ix", cwd=tmp_path)
        assert run.returncode == 0, run.stderr
        assert "15 document(s) match; showing 1-10" in run.stderr and "Traceback" not in run.stderr


def test_index_command_reports_rejections(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "good.txt").write_text("Пристанищата на Варна и Бургас.", "utf-8")
    (tmp_path / "docs" / "bad.jsonl").write_text('{"id": "1", "body": "Посолството"}\n{broken\n', "utf-8")
    run = bgsearch("index", "docs", "--index", "ix", cwd=tmp_path)
    assert run.returncode == 1  # done, but something was rejected
    assert "bad.jsonl:2: malformed JSON" in run.stderr
    assert "2 added, 0 replaced, 1 rejected" in run.stderr
    again = bgsearch("index", "docs/good.txt", "--index", "ix", cwd=tmp_path)
    assert again.returncode == 0 and "0 added, 1 replaced" in again.stderr
    stdin = bgsearch("index", "-", "--index", "ix", cwd=tmp_path, stdin='{"id": "s", "body": "Санкции"}\n')
    assert stdin.returncode == 0 and "1 added" in stdin.stderr
    stats = json.loads(bgsearch("stats", "--index", "ix", "--json", cwd=tmp_path).stdout)
    assert stats["documents"] == 3
    deleted = bgsearch("delete", "s", "nope", "--index", "ix", cwd=tmp_path)
    assert deleted.returncode == 1 and "no document with id 'nope'" in deleted.stderr
    rebuilt = bgsearch("index", "docs/good.txt", "--index", "ix", "--rebuild", cwd=tmp_path)
    assert rebuilt.returncode == 0
    assert json.loads(bgsearch("stats", "--index", "ix", "--json", cwd=tmp_path).stdout)["documents"] == 1


def test_field_mapping_option(tmp_path: Path) -> None:
    (tmp_path / "laws.jsonl").write_text('{"id": "1", "text": "Чл. 1. Пристанищата"}\n', "utf-8")
    run = bgsearch("index", "laws.jsonl", "--index", "ix", "--field", "body=text", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    bad = bgsearch("index", "laws.jsonl", "--index", "ix", "--field", "text", cwd=tmp_path)
    assert bad.returncode == 2 and "NAME=KEY" in bad.stderr


def test_analyze_command(tmp_path: Path) -> None:
    run = bgsearch("analyze", "Санкциите и пристанищата", "--json", cwd=tmp_path)
    tokens = [json.loads(line) for line in run.stdout.splitlines()]
    assert [t["token"] for t in tokens] == ["Санкциите", "и", "пристанищата"]
    assert tokens[1]["term"] is None
    plain = bgsearch("analyze", "Санкциите и пристанищата", cwd=tmp_path)
    assert "stop word" in plain.stdout


def test_colour_on_a_terminal_unless_no_color(checkout: Path) -> None:
    code = "import sys; from bgsearch.cli import main; sys.exit(main(['query', 'Минск']))"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"} | {"FORCE_COLOR": "1", "TERM": "xterm"}
    coloured = subprocess.run([sys.executable, "-c", code], cwd=checkout, capture_output=True, text=True, env=env)
    assert "\x1b[" in coloured.stdout
    plain = subprocess.run([sys.executable, "-c", code], cwd=checkout, capture_output=True, text=True,
                           env=env | {"NO_COLOR": "1"})
    assert "\x1b[" not in plain.stdout and "Минск" in plain.stdout


def test_a_negated_word_is_a_query_not_an_option(checkout: Path) -> None:
    run = bgsearch("query", "-Москва", "--json", cwd=checkout)  # no `--` needed
    assert run.returncode in (0, 1), run.stderr
    with_it = {json.loads(line)["id"] for line in bgsearch("query", "Москва", "--json", cwd=checkout).stdout.splitlines()}
    without = {json.loads(line)["id"] for line in run.stdout.splitlines()}
    assert without and not with_it & without


def test_json_summary_is_the_last_line(checkout: Path) -> None:
    run = bgsearch("query", "посолсвото", "--json-summary", "--limit", "1", cwd=checkout)
    lines = [json.loads(line) for line in run.stdout.splitlines()]
    *hits, summary = lines
    assert len(hits) == 1 and "type" not in hits[0]
    assert summary["type"] == "summary" and summary["total"] >= 1 and summary["hits"] == 1
    assert summary["did_you_mean"] and any("did you mean" in n for n in summary["notices"])


def test_delete_by_query(tmp_path: Path) -> None:
    from bgsearch import Index, load_path

    with Index.create(tmp_path / "ix") as ix:
        ix.add_documents(load_path(SEEDS))
    run = bgsearch("delete", "--query", "пристанище", "--index", "ix", cwd=tmp_path)
    assert run.returncode == 0 and "deleted 1 document(s)" in run.stderr, run.stderr
    with Index.open(tmp_path / "ix") as ix:
        assert len(ix) == 1 and ix.get(OCTOBER) is None
        assert ix.delete_by_query("пристанище") == 0
        assert ix.delete_by_query("Беларус date:2025-12") == 1 and len(ix) == 0
    both = bgsearch("delete", "x", "--query", "y", "--index", "ix", cwd=tmp_path)
    assert both.returncode == 2 and "not both" in both.stderr
