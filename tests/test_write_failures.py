"""A write the operating system refuses (a full disk, a file-size limit, no permission) is one line,
exit status 2, the index stays at its last commit, the write lock is free at once, and a retry in
the same process completes the import (issue 14).

The refusal is real: a child process runs with a file-size limit (RLIMIT_FSIZE, SIGXFSZ ignored),
so the kernel fails Whoosh's writes with EFBIG, as a full disk fails them with ENOSPC."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bgsearch import Index
from robustness_helpers import bgsearch_command, child_env, make_documents, one_line, run_python, write_jsonl

LIMIT = 40_000  # bytes a file may grow to: the index's files of 20 documents fit, a batch of 400 does not

RETRY_IN_THE_SAME_PROCESS = r"""
import json, resource, signal, sys
from bgsearch import BgsearchError, Index
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
path, docs_file, limit = sys.argv[1], sys.argv[2], int(sys.argv[3])
docs = [json.loads(line) for line in open(docs_file, encoding="utf-8")]
ix = Index.open(path)
resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))
try:
    ix.add_documents(docs, workers=1)
    print("no error")
except BgsearchError as exc:
    print("error:", exc)
print("after the error:", len(ix))
resource.setrlimit(resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))  # space freed
print("retry added:", ix.add_documents(docs, workers=1).added)
"""


@pytest.fixture
def small_index(tmp_path: Path) -> Path:
    path = tmp_path / "index"
    with Index.create(path) as ix:
        ix.add_documents(make_documents(20, seed=21), workers=1)
    return path


def test_a_refused_write_is_one_line_and_a_retry_in_the_same_process_completes(small_index: Path,
                                                                              tmp_path: Path) -> None:
    docs = write_jsonl(tmp_path / "docs.jsonl", make_documents(400, seed=22, prefix="big"))
    run = run_python(RETRY_IN_THE_SAME_PROCESS, str(small_index), str(docs), str(LIMIT))
    assert run.returncode == 0, run.stderr
    lines = dict(line.split(": ", 1) for line in run.stdout.splitlines())
    assert lines["error"].startswith(f"could not write {small_index}") and "File too large" in lines["error"]
    assert one_line(lines["error"])
    assert lines["after the error"] == "20"  # the last commit, whole
    assert lines["retry added"] == "400"  # the lock was given back at once
    with Index.open(small_index) as ix:
        assert len(ix) == 420


def _limited() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, resource.RLIM_INFINITY))


def test_cli_says_it_in_one_line_with_exit_status_2(small_index: Path, tmp_path: Path) -> None:
    docs = write_jsonl(tmp_path / "docs.jsonl", make_documents(400, seed=23, prefix="big"))
    run = subprocess.run(bgsearch_command("index", str(docs), "--index", str(small_index), "--workers", "1"),
                         capture_output=True, text=True, env=child_env(), preexec_fn=_limited, timeout=300)
    assert run.returncode == 2, run.stderr
    assert one_line(run.stderr) and run.stderr.startswith("bgsearch: could not write"), run.stderr
    with Index.open(small_index) as ix:
        assert len(ix) == 20


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file whatever its permissions")
def test_an_unreadable_index_is_not_called_damaged(small_index: Path) -> None:
    (small_index / "bgsearch.json").chmod(0)
    run = subprocess.run(bgsearch_command("query", "Беларус", "--index", str(small_index)),
                         capture_output=True, text=True, env=child_env(), timeout=300)
    assert run.returncode == 2 and one_line(run.stderr) and "damaged" not in run.stderr, run.stderr


def test_an_index_path_that_is_a_file_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("бележки", "utf-8")
    for command in (["query", "Беларус"], ["stats"], ["index", str(tmp_path / "notes.txt")]):
        run = subprocess.run(bgsearch_command(*command, "--index", str(tmp_path / "notes.txt")),
                             capture_output=True, text=True, env=child_env(), timeout=300)
        assert run.returncode == 2 and one_line(run.stderr), (command, run.stderr)
    assert (tmp_path / "notes.txt").read_text("utf-8") == "бележки"


if sys.platform != "linux":  # RLIMIT_FSIZE and SIGXFSZ as Linux has them
    pytestmark = pytest.mark.skip(reason="needs Linux")
