"""Safety (issue 6): a new index directory is private to its owner, and document ids are opaque
strings: an id that looks like a path is stored as it is and never touches the file system."""

from __future__ import annotations

import json
import os
import stat
import uuid
from pathlib import Path

import pytest

from bgsearch import Index
from robustness_helpers import SEEDS, run_bgsearch, stored_ids, write_jsonl


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


@pytest.fixture
def permissive_umask():  # type: ignore[no-untyped-def]
    """The worst case: a umask that would let everyone read and write new files."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def test_a_new_index_directory_is_private(tmp_path: Path, permissive_umask: None) -> None:
    for path in (tmp_path / "index", tmp_path / "deep" / "er" / "index"):
        Index.create(path).close()
        assert path.is_dir() and _private(path), oct(path.stat().st_mode)


def test_a_new_index_directory_made_by_the_cli_is_private(tmp_path: Path) -> None:
    path = tmp_path / "cli-index"
    run = run_bgsearch("index", str(SEEDS), "--index", str(path))
    assert run.returncode == 0, run.stderr
    assert _private(path), oct(path.stat().st_mode)


PATH_LIKE_IDS = [
    "../../etc/passwd",
    "../../../../../../../../tmp/{unique}-relative",
    "/tmp/{unique}-absolute",
    "{sandbox}/outside-{unique}",
    "~/{unique}",
    "..",
    ".",
    "/",
    "C:\\Windows\\{unique}",
    "\\\\server\\share\\{unique}",
    "file:///tmp/{unique}",
    "index/../../{unique}",
    "bgsearch.json",
    "_MAIN_1.toc",
    "MAIN_WRITELOCK",
    "a/b/c/{unique}",
    "-rf",
    "$(touch {unique})",
    "; rm -rf / ;",
    "name\x00with-nul",
    "\u202e{unique}.txt",
]


def _snapshot(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def test_path_like_ids_are_stored_as_plain_ids(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    unique = f"bgsearch-safety-{uuid.uuid4().hex}"
    sandbox = tmp_path / "sandbox"
    work = sandbox / "work" / "dir"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    ids = [i.format(unique=unique, sandbox=sandbox) for i in PATH_LIKE_IDS]
    docs = [{"id": doc_id, "body": f"Документ номер {n} за пристанището.", "title": doc_id} for n, doc_id in
            enumerate(ids)]
    corpus = write_jsonl(tmp_path / "ids.jsonl", docs)
    before = _snapshot(sandbox)

    index_dir = work / "index"
    with Index.create(index_dir) as ix:
        result = ix.add_documents(docs)
        assert (result.added, result.rejected) == (len(ids), [])
        assert sorted(stored_ids(ix)) == sorted(ids)
        for doc_id in ids:
            assert ix.get(doc_id).id == doc_id
        assert ix.delete(ids[:3]) == []
        assert len(ix) == len(ids) - 3
    run = run_bgsearch("index", str(corpus), "--index", str(work / "cli-index"), cwd=work)
    assert run.returncode == 0, run.stderr
    run = run_bgsearch("delete", ids[0], ids[2], "--index", str(work / "cli-index"), cwd=work)
    assert run.returncode == 0, run.stderr
    run = run_bgsearch("query", "пристанище", "--limit", "100", "--json", "--index", str(work / "cli-index"), cwd=work)
    assert run.returncode == 0
    assert {json.loads(line)["id"] for line in run.stdout.splitlines()} == set(ids) - {ids[0], ids[2]}

    created = _snapshot(sandbox) - before
    assert all(p.startswith(("work/dir/index", "work/dir/cli-index")) for p in created), sorted(created)
    for path in (Path("/tmp") / f"{unique}-relative", Path("/tmp") / f"{unique}-absolute", Path.home() / unique,
                 sandbox / f"outside-{unique}", work / unique):
        assert not path.exists()
    assert not any(unique in p.name for p in Path("/tmp").iterdir())
    assert not any(unique in p for p in _snapshot(work / "index"))  # ids never become file names
