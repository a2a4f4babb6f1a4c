"""Torn pages (issue 14): a 4 KiB block of a committed file overwritten, as a crash or a bad disk
leaves it. Every commit records its files' sizes and CRC32s; opening checks the sizes and the small
files' sums, so each torn block of such a file is a one-line "damaged" error at open, never a
traceback or a wrong answer; `bgsearch check` / `Index.check()` read every file, however large;
and bytes Whoosh cannot decode at query time are the same one-line error."""

from __future__ import annotations

import os
import random
import shutil
from pathlib import Path

import pytest

from bgsearch import Index, IndexVersionError
from robustness_helpers import make_documents, one_line, run_bgsearch

QUERIES = ["Беларус", "санкции Лукашенко", '"калиеви торове"', "посолство OR пристанище", "санкц*"]
TORN_CASES = 60
BLOCK = 4096


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[tuple[str, float]]]]:
    path = tmp_path_factory.mktemp("pristine") / "index"
    with Index.create(path) as ix:
        ix.add_documents(make_documents(150, seed=31), workers=1)
        ix.add_documents(make_documents(40, seed=32, prefix="more"), workers=1)  # two segments
        answers = [[(h.id, h.score) for h in ix.search(q, limit=50).hits] for q in QUERIES]
    return path, answers


def _tear(path: Path, rng: random.Random) -> str:
    """Overwrite a random 4 KiB-aligned block of a random file of the commit with random bytes."""
    files = sorted(p for p in path.iterdir() if p.suffix in (".seg", ".toc"))
    file = rng.choice(files)
    size = file.stat().st_size
    block = rng.randrange(max(1, -(-size // BLOCK)))
    with open(file, "r+b") as data:
        data.seek(block * BLOCK)
        data.write(rng.randbytes(min(BLOCK, size - block * BLOCK)))
    return f"{file.name} block {block}"


def test_every_torn_block_is_found_at_open(pristine: tuple[Path, list[list[tuple[str, float]]]],
                                           tmp_path: Path) -> None:
    source, _ = pristine
    rng = random.Random(33)
    for case in range(TORN_CASES):
        path = tmp_path / f"torn{case}"
        shutil.copytree(source, path)
        where = _tear(path, rng)
        with pytest.raises(IndexVersionError) as caught:
            with Index.open(path) as ix:
                ix.search("Беларус")
        message = str(caught.value)
        assert one_line(message) and "damaged" in message and "--rebuild" in message, (where, message)
        shutil.rmtree(path)


def test_check_reads_every_file_however_large(pristine: tuple[Path, list[list[tuple[str, float]]]],
                                              tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from bgsearch.engine import checksums

    source, answers = pristine
    path = tmp_path / "index"
    shutil.copytree(source, path)
    assert run_bgsearch("check", "--index", str(path)).returncode == 0
    segment = max(path.glob("*.seg"), key=lambda p: p.stat().st_size)
    with open(segment, "r+b") as data:  # one byte of stored text, which no search reads
        data.seek(segment.stat().st_size // 2)
        byte = data.read(1)
        data.seek(-1, os.SEEK_CUR)
        data.write(bytes([byte[0] ^ 0x01]))
    monkeypatch.setattr(checksums, "SMALL_FILE", 0)  # as if every file were too large to sum at open
    with Index.open(path) as ix:
        problems = ix.check()
    assert len(problems) == 1 and segment.name in problems[0] and "checksum differs" in problems[0]
    run = run_bgsearch("check", "--index", str(path))
    assert run.returncode == 2 and segment.name in run.stderr and one_line(run.stderr), run.stderr


def test_undecodable_bytes_at_query_time_are_one_line(pristine: tuple[Path, list[list[tuple[str, float]]]],
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the sums at open turned off, the torn blocks reach Whoosh: each search answers as before,
    or fails with the one-line damaged error — never a traceback of another kind."""
    from bgsearch.engine import checksums

    monkeypatch.setattr(checksums, "SMALL_FILE", 0)
    source, answers = pristine
    rng = random.Random(34)
    failures = 0
    for case in range(TORN_CASES):
        path = tmp_path / f"torn{case}"
        shutil.copytree(source, path)
        for torn in (path / "_MAIN_2.sums",):  # the sizes still match: opening goes on
            assert torn.exists()
        segment = rng.choice(sorted(path.glob("*.seg")))
        size = segment.stat().st_size
        with open(segment, "r+b") as data:
            block = rng.randrange(-(-size // BLOCK))
            data.seek(block * BLOCK)
            data.write(rng.randbytes(min(BLOCK, size - block * BLOCK)))
        try:
            with Index.open(path) as ix:
                for query in QUERIES:
                    ix.search(query, limit=50).total
        except IndexVersionError as exc:
            assert one_line(str(exc)) and "damaged" in str(exc), str(exc)
            failures += 1
        shutil.rmtree(path)
    assert failures > 0  # the torn blocks were read
