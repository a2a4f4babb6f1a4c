"""Rebuilds never lose the old index (issue 14): a rebuild is built beside the index and replaces it
atomically; one that fails, finds no documents or is killed leaves the old index whole, and readers
meanwhile see the old index. An index is never created in someone else's directory, and only files
the index wrote are ever deleted. An open Index follows a rebuild."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from bgsearch import Index, IndexExistsError, load_path
from conftest import DECEMBER, OCTOBER, SEEDS
from robustness_helpers import bgsearch_command, child_env, make_documents, one_line, reap, run_bgsearch, write_jsonl


@pytest.fixture
def laws_like(tmp_path: Path) -> Path:
    """An index of 60 generated documents (ids doc-00000...), not the seeds."""
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.add_documents(make_documents(60, seed=1), workers=1)
    return path


def test_rebuild_replaces_the_index_when_complete(laws_like: Path) -> None:
    with Index.open(laws_like) as reader:
        with Index.rebuild(laws_like) as new:
            assert new.add_documents(load_path(SEEDS), workers=1).added == 2
            # Until the new index is complete, readers see the old one.
            assert len(reader) == 60 and reader.search("Беларус").total > 2
        # An open Index follows the rebuild: the next search sees the new index.
        assert {hit.id for hit in reader.search("Беларус").hits} == {OCTOBER, DECEMBER}
        assert reader.get("doc-00001") is None
    with Index.open(laws_like) as ix:
        assert len(ix) == 2
    assert not [p for p in laws_like.iterdir() if p.name.startswith(("MAIN_", "_MAIN_")) and "WRITELOCK" not in p.name]


def test_a_failed_rebuild_leaves_the_old_index(laws_like: Path) -> None:
    def files() -> list[str]:
        return sorted(p.name for p in laws_like.iterdir() if p.name != "bgsearch-rebuild.lock")

    before = files()
    with pytest.raises(RuntimeError):
        with Index.rebuild(laws_like) as new:
            new.add_documents(load_path(SEEDS), workers=1)
            raise RuntimeError("the application gave up")
    assert files() == before
    with Index.open(laws_like) as ix:
        assert len(ix) == 60


def test_cli_rebuild_from_a_mistyped_path_keeps_the_index(laws_like: Path) -> None:
    run = run_bgsearch("index", "--rebuild", "no/such/dir", "--index", str(laws_like))
    assert run.returncode == 2
    lines = run.stderr.splitlines()
    assert "no such file or directory" in lines[0] and one_line(lines[-1]), run.stderr
    assert "keeps the index it had" in lines[-1]
    with Index.open(laws_like) as ix:
        assert len(ix) == 60


def test_cli_rebuild_needs_its_sources_named(laws_like: Path) -> None:
    run = run_bgsearch("index", "--rebuild", "--index", str(laws_like))  # once, this rebuilt from seeds/
    assert run.returncode == 2 and one_line(run.stderr), run.stderr
    with Index.open(laws_like) as ix:
        assert len(ix) == 60


def test_a_killed_rebuild_leaves_the_old_index_and_its_files_go_next_time(laws_like: Path, tmp_path: Path) -> None:
    # Enough documents, committed in small steps, that the rebuild is far from done when it is killed.
    source = write_jsonl(tmp_path / "big.jsonl", make_documents(8_000, seed=2, prefix="big"))
    proc = subprocess.Popen(bgsearch_command("index", "--rebuild", str(source), "--index", str(laws_like),
                                             "--workers", "1", "--commit-every", "100"),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=child_env())
    try:
        deadline = time.monotonic() + 120
        while not list(laws_like.glob("R*.seg")) and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)  # until the new index has a commit
        assert proc.poll() is None, f"the rebuild ended before it was killed: {proc.stderr.read()!r}"
        assert list(laws_like.glob("R*.seg")), "the rebuild never committed"
        with Index.open(laws_like) as ix:  # meanwhile: the old index
            assert len(ix) == 60
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        reap(proc)
    with Index.open(laws_like) as ix:
        assert len(ix) == 60 and ix.search("id:doc-00007").total == 1
    # The next rebuild removes what the killed one left.
    with Index.rebuild(laws_like) as new:
        new.add_documents(load_path(SEEDS), workers=1)
    import json
    import re

    current = json.loads((laws_like / "bgsearch.json").read_text("utf-8"))["index"]
    names = {m[1] for p in laws_like.iterdir() if (m := re.match(r"_?(R[0-9a-f]{12})[_.]", p.name))}
    assert names == {current}


def test_no_index_in_a_directory_that_holds_other_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "MAIN_notes.txt").write_text("мои бележки", "utf-8")
    for attempt in (lambda: Index.create(home), lambda: Index.create(home, overwrite=True),
                    lambda: Index.open_or_create(home)):
        with pytest.raises(IndexExistsError, match="not empty and holds no bgsearch index") as caught:
            attempt()
        assert one_line(str(caught.value))
    run = run_bgsearch("index", str(SEEDS), "--index", str(home))
    assert run.returncode == 2 and one_line(run.stderr), run.stderr
    assert sorted(p.name for p in home.iterdir()) == ["MAIN_notes.txt"]
    assert (home / "MAIN_notes.txt").read_text("utf-8") == "мои бележки"
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / ".gitkeep").write_text("")
    Index.create(tmp_path / "empty").close()  # hidden files such as .gitkeep are no obstacle


def test_a_rebuild_deletes_only_the_files_the_index_wrote(laws_like: Path) -> None:
    (laws_like / "MAIN_notes.txt").write_text("мои бележки", "utf-8")  # a name like Whoosh's, not Whoosh's
    (laws_like / "README").write_text("бележка", "utf-8")
    with Index.open(laws_like) as ix:  # a commit: Whoosh deletes the files of segments it no longer needs
        ix.delete(["doc-00003"])
    assert (laws_like / "MAIN_notes.txt").exists()
    with Index.rebuild(laws_like) as new:
        new.add_documents(load_path(SEEDS), workers=1)
    assert (laws_like / "MAIN_notes.txt").read_text("utf-8") == "мои бележки"
    assert (laws_like / "README").exists()
    with Index.create(laws_like, overwrite=True) as ix:
        assert len(ix) == 0
    assert (laws_like / "MAIN_notes.txt").exists() and (laws_like / "README").exists()


def test_the_table_of_contents_a_killed_commit_was_writing_goes_with_its_index(laws_like: Path) -> None:
    # Whoosh writes a table of contents under a temporary name (`_NAME_GEN.toc.<time>`) and renames
    # it: a kill in between leaves that file, which the index's cleanup must know as its own.
    leftover = laws_like / "_MAIN_9.toc.1765000000.123456"  # an index never rebuilt is called MAIN
    leftover.write_bytes(b"half a table of contents")
    with Index.rebuild(laws_like) as new:
        new.add_documents(load_path(SEEDS), workers=1)
    assert not leftover.exists()
