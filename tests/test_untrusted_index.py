"""Opening or searching an index never runs code from it (issue 14, security).

Planted pickles that would run a command (os.system, posix.system, subprocess, eval, exec, a
`copyreg._reconstructor` gadget...) in the table of contents (schema or segment list) or in a
segment's stored fields are refused with `UntrustedPickleError`, and their marker file is never
created; each payload is first shown to work with a plain `pickle.loads`, so the test can fail.
Indexes written by bgsearch (in process and by worker processes, with deletions) and by Whoosh with
the allowed classes still open and search.
"""

from __future__ import annotations

import _codecs
import builtins
import collections
import copyreg
import importlib
import io
import os
import pickle
import pkgutil
import posix
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import pytest
import whoosh
import whoosh.index
from whoosh.fields import ID, STORED, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import TOC

from bgsearch import Index, IndexVersionError
from bgsearch.analysis.analyzer import BulgarianAnalyzer
from bgsearch.engine import untrusted
from bgsearch.engine.untrusted import UntrustedPickleError, safe_loads

try:
    from bgsearch.parallel import CAN_FORK
except ImportError:  # pragma: no cover - the module moves in the engine refactor
    from bgsearch.engine.workers import CAN_FORK  # type: ignore[no-redef]


@pytest.fixture
def safe() -> Any:
    untrusted.install()
    yield untrusted
    untrusted.uninstall()


class Payload:
    """An object whose pickle calls `func(*args)` when loaded."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args


def _payloads(marker: Path) -> dict[str, Payload]:
    touch = f"__import__('pathlib').Path({str(marker)!r}).touch()"
    return {
        "os.system": Payload(os.system, f"touch {marker}"),
        "posix.system": Payload(posix.system, f"touch {marker}"),
        "subprocess.check_call": Payload(subprocess.check_call, ["touch", str(marker)]),
        "builtins.eval": Payload(builtins.eval, touch),
        "builtins.exec": Payload(builtins.exec, touch),
        # copyreg._reconstructor(cls, base, state) calls base.__init__(obj, state): a Popen.
        "copyreg._reconstructor": Payload(copyreg._reconstructor, subprocess.Popen, subprocess.Popen, ["touch", str(marker)]),
    }


def _fired(marker: Path, wait: float = 0.2) -> bool:
    """Whether the payload ran (a Popen runs in the background: give it `wait` seconds)."""
    deadline = time.monotonic() + wait
    while not marker.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _bgsearch_index(directory: Path, workers: int = 1) -> Path:
    with Index.create(directory) as ix:
        ix.add_documents(
            [{"id": f"d{i}", "title": f"Заглавие {i}", "body": f"Санкции срещу Беларус, пристанище {i}", "url": "u"}
             for i in range(40)],
            workers=1,
        )
        ix.delete(["d3"])
        if workers > 1:
            ix.add_documents(
                [{"id": f"w{i}", "body": f"Корабът влезе в пристанището {i}"} for i in range(60)], workers=workers
            )
    return directory


def _plant_toc(directory: Path, *, schema: Any = None, segments: Any = None) -> Path:
    """Write the next table of contents of the index in `directory` with Whoosh's own TOC writer."""
    ix = whoosh.index.FileIndex(FileStorage(str(directory)), indexname="MAIN")
    toc = ix._read_toc()
    ix.close()
    planted = TOC(schema if schema is not None else toc.schema, segments if segments is not None else toc.segments,
                  toc.generation + 1)
    planted.write(FileStorage(str(directory)), "MAIN")
    return directory / f"_MAIN_{toc.generation + 1}.toc"


def _refused(excinfo: pytest.ExceptionInfo[BaseException]) -> bool:
    exc: BaseException | None = excinfo.value
    while exc is not None:
        if isinstance(exc, UntrustedPickleError) or "UntrustedPickleError" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _open_both(directory: Path) -> None:
    """Open with Whoosh and with bgsearch; each must raise."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        with pytest.raises(UntrustedPickleError):
            whoosh.index.open_dir(str(directory), indexname="MAIN")
        with pytest.raises(Exception) as excinfo:
            Index.open(directory).close()
        assert _refused(excinfo), excinfo.value
        import gc

        gc.collect()


@pytest.mark.parametrize("kind", list(_payloads(Path("m"))))
def test_a_planted_schema_never_runs(tmp_path: Path, safe: Any, kind: str) -> None:
    marker = tmp_path / "marker"
    payload = _payloads(marker)[kind]
    # The payload is real: a plain unpickling runs it.
    untrusted.uninstall()
    result = pickle.loads(pickle.dumps(payload, 2))
    if isinstance(result, subprocess.Popen):
        result.wait()
    assert _fired(marker, wait=5), f"{kind}: the payload does not work, the test proves nothing"
    marker.unlink()
    untrusted.install()

    directory = _bgsearch_index(tmp_path / "index")
    schema = whoosh.index.open_dir(str(directory), indexname="MAIN").schema
    schema["body"].payload = payload  # pickled inside the field's state
    _plant_toc(directory, schema=schema)
    _open_both(directory)
    assert not _fired(marker)


@pytest.mark.parametrize("kind", list(_payloads(Path("m"))))
def test_a_planted_segment_list_never_runs(tmp_path: Path, safe: Any, kind: str) -> None:
    marker = tmp_path / "marker"
    directory = _bgsearch_index(tmp_path / "index")
    _plant_toc(directory, segments=[_payloads(marker)[kind]])
    _open_both(directory)
    assert not _fired(marker)


def test_planted_stored_fields_never_run(tmp_path: Path, safe: Any) -> None:
    marker = tmp_path / "marker"
    directory = _bgsearch_index(tmp_path / "index")
    # Whoosh itself pickles the payload into the segment's stored-fields column.
    writer = whoosh.index.open_dir(str(directory), indexname="MAIN").writer()
    writer.add_document(id="evil", body="отровен документ", url=_payloads(marker)["os.system"])
    writer.commit()
    with Index.open(directory) as ix:  # the schema and segment list are clean: it opens
        with pytest.raises(Exception) as excinfo:  # the engine may wrap it in its one-line error
            ix.search("отровен")
        assert _refused(excinfo), excinfo.value
        assert ix.search("Беларус").total == 39  # the honest documents are still readable
    with whoosh.index.open_dir(str(directory), indexname="MAIN").searcher() as searcher:
        with pytest.raises(UntrustedPickleError):
            list(searcher.all_stored_fields())
    assert not _fired(marker)


class _Harmless:
    """A REDUCE target, to build pickles that misuse allowed names."""

    def __init__(self, func: Any, *args: Any) -> None:
        self.func, self.args = func, args

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return self.func, self.args


@pytest.mark.parametrize(
    "obj",
    [
        _Harmless(BulgarianAnalyzer, ()),  # calling an allowed class (its constructor)
        _Harmless(TEXT),
        _Harmless(collections.defaultdict, os.getcwd),  # defaultdict with another factory
        _Harmless(_codecs.encode, "abc", "rot13"),  # a codec other than Latin-1
        _Harmless(copyreg._reconstructor, TEXT, object, None),
        # Hand-written: TEXT.__new__(TEXT, "argument") (NEWOBJ with arguments)
        b"\x80\x02cwhoosh.fields\nTEXT\nX\x08\x00\x00\x00argument\x85\x81.",
        # TEXT() given the state {"__class__": 1} (BUILD with a dunder key)
        b"\x80\x02cwhoosh.fields\nTEXT\n)\x81}X\x09\x00\x00\x00__class__K\x01sb.",
        # the opcodes of protocols 0/1 that call a class: INST and OBJ
        b"(iwhoosh.fields\nTEXT\n.",
        b"\x80\x02(cwhoosh.fields\nTEXT\no.",
    ],
    ids=["call-analyzer", "call-field", "defaultdict-factory", "codec", "reconstructor", "newobj-args",
         "dunder-state", "inst", "obj"],
)
def test_allowed_names_cannot_be_misused(obj: Any) -> None:
    data = obj if isinstance(obj, bytes) else pickle.dumps([obj], 2)
    with pytest.raises(UntrustedPickleError):
        safe_loads(data)
    assert isinstance(pickle.loads(data), (list, TEXT, BulgarianAnalyzer))  # a plain pickle accepts it


def test_a_segment_id_that_is_a_path_is_refused(tmp_path: Path, safe: Any) -> None:
    directory = _bgsearch_index(tmp_path / "index")
    segments = whoosh.index.open_dir(str(directory), indexname="MAIN")._segments()
    segments[0].segid = "../../../etc/passwd"
    _plant_toc(directory, segments=segments)
    _open_both(directory)


@pytest.mark.parametrize("workers", [1, 2] if CAN_FORK else [1])
def test_indexes_bgsearch_writes_still_open_and_search(tmp_path: Path, safe: Any, workers: int) -> None:
    directory = _bgsearch_index(tmp_path / "index", workers)
    with Index.open(directory) as ix:
        assert len(ix) == 39 + (60 if workers > 1 else 0)
        results = ix.search("пристанище")
        assert results.total == len(ix)
        assert results.hits[0].title is not None or results.hits[0].id.startswith("w")
        assert ix.get("d5").url == "u"
    # The TOC was read by the strict unpickler (the schema names classes): the real classes came back.
    ix = whoosh.index.open_dir(str(directory), indexname="MAIN")
    assert isinstance(ix.schema["body"].analyzer, BulgarianAnalyzer)
    ix.close()


def test_an_index_whoosh_writes_with_the_allowed_classes_opens(tmp_path: Path, safe: Any) -> None:
    directory = tmp_path / "plain"
    directory.mkdir()
    schema = Schema(id=ID(stored=True, unique=True), body=TEXT(stored=True, analyzer=BulgarianAnalyzer()),
                    url=STORED())
    ix = whoosh.index.create_in(str(directory), schema)
    with ix.writer() as writer:
        for i in range(30):
            writer.add_document(id=f"p{i}", body=f"алфа бета {i}", url=f"https://x/{i}")
    with ix.writer() as writer:
        writer.delete_by_term("id", "p0")
        writer.add_document(id="bytes", body="алфа", url=b"\x00\xffraw bytes")  # protocol 2 bytes
    ix.close()
    ix = whoosh.index.open_dir(str(directory))
    with ix.searcher() as searcher:
        from whoosh.qparser import QueryParser

        hits = searcher.search(QueryParser("body", ix.schema).parse("алфа"), limit=None)
        assert len(hits) == 30
        assert searcher.document(id="bytes")["url"] == b"\x00\xffraw bytes"
    ix.close()


def test_every_whoosh_module_reads_pickles_only_through_the_allow_list(safe: Any) -> None:
    for module in pkgutil.walk_packages(whoosh.__path__, "whoosh."):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                importlib.import_module(module.name)
        except Exception:  # modules Whoosh 2.7.5 itself cannot import (legacy codecs)
            continue
    untrusted.install()  # the modules imported since were swept too
    assert untrusted.audit() == []
    assert whoosh.columns.loads is safe_loads
    assert whoosh.filedb.structfile.load_pickle is untrusted.safe_load
    assert whoosh.index.pickle.loads is safe_loads and whoosh.index.toc_loaders == {}
    assert sys.modules["whoosh.codec.whoosh3"].loads is safe_loads


def test_data_pickles_take_the_fast_path() -> None:
    for protocol in (2, 5):
        value = ({"id": "x", "n": 1.5, "b": b"\x00\xff"}, [1, 2, 3], (None, True))
        value += ({4, 5}, frozenset({6})) if protocol >= 4 else ()  # (protocol 2 names set())
        data = pickle.dumps(value, protocol)
        assert untrusted._DataUnpickler(io.BytesIO(data)).load() == value
        assert safe_loads(data) == value
    stream = io.BytesIO(pickle.dumps(1, 2) + pickle.dumps(ID(stored=True), 2) + pickle.dumps("after", 2))
    assert untrusted.safe_load(stream) == 1
    assert isinstance(untrusted.safe_load(stream), ID)  # fell back to the strict unpickler
    assert untrusted.safe_load(stream) == "after"  # and read exactly one pickle


# -- symlinks and other planted files in the index directory (bgsearch.engine.durable) ---------------

from bgsearch.engine import durable  # noqa: E402
from bgsearch.engine.durable import UnsafeFileError  # noqa: E402


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A directory outside the index with files a planted link points to."""
    directory = tmp_path / "victim"
    directory.mkdir()
    (directory / "precious.txt").write_text("keep me")
    (directory / "notes.txt").write_text("keep me too")
    return directory


def _intact(victim: Path) -> bool:
    return sorted(p.name for p in victim.iterdir()) == ["notes.txt", "precious.txt"] and all(
        p.read_text().startswith("keep me") for p in victim.iterdir()
    )


def test_a_symlinked_temp_dir_never_has_its_target_emptied(tmp_path: Path, victim: Path) -> None:
    directory = _bgsearch_index(tmp_path / "index")
    (directory / "MAIN.tmp").symlink_to(victim, target_is_directory=True)
    # Today's Whoosh storage: a writer that is merely cancelled empties the victim directory.
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "precious.txt").write_text("keep me")
    copy = _bgsearch_index(tmp_path / "index2")
    (copy / "MAIN.tmp").symlink_to(plain, target_is_directory=True)
    writer = whoosh.index.open_dir(str(copy), indexname="MAIN").writer()
    with pytest.raises(NotADirectoryError):  # it empties the target, then fails to rmdir the link
        writer.cancel()
    writer.writelock.release()
    assert list(plain.iterdir()) == [], "Whoosh no longer follows the link: the test proves nothing"
    # The durable storage refuses the link and touches nothing.
    ix = whoosh.index.FileIndex(durable.storage(directory), indexname="MAIN")
    with pytest.raises(UnsafeFileError):
        ix.writer()
    assert _intact(victim)
    with pytest.raises(UnsafeFileError):
        durable.check_no_links(directory)
    durable.remove_temp_dir(directory)  # removes the link alone
    assert not (directory / "MAIN.tmp").exists() and _intact(victim)
    with ix.writer() as writer:  # the directory is usable again
        writer.add_document(id="new", body="нов документ")
    assert _intact(victim)


def test_files_are_created_fresh_never_written_through_a_link(tmp_path: Path, victim: Path) -> None:
    directory = tmp_path / "index"
    directory.mkdir()
    store = durable.storage(directory)
    (directory / "MAIN_abc.seg").symlink_to(victim / "precious.txt")
    os.link(victim / "notes.txt", directory / "MAIN_def.seg")  # a hard link is not written through either
    for name in ("MAIN_abc.seg", "MAIN_def.seg"):
        with store.create_file(name) as f:
            f.write(b"segment data")
        assert not (directory / name).is_symlink() and (directory / name).read_bytes() == b"segment data"
    assert _intact(victim)
    with pytest.raises(FileExistsError):
        store.create_file("MAIN_abc.seg", excl=True)


def test_the_write_lock_is_never_created_through_a_link(tmp_path: Path) -> None:
    directory = tmp_path / "index"
    directory.mkdir()
    outside = tmp_path / "created-elsewhere"
    (directory / "MAIN_WRITELOCK").symlink_to(outside)
    with pytest.raises(UnsafeFileError):
        durable.storage(directory).lock("MAIN_WRITELOCK").acquire()
    assert not outside.exists()
    # Whoosh's own lock follows the link and creates the file elsewhere.
    lock = FileStorage(str(directory)).lock("MAIN_WRITELOCK")
    assert lock.acquire()
    lock.release()
    assert outside.exists()


def test_links_fifos_and_paths_are_refused_when_reading(tmp_path: Path, victim: Path) -> None:
    directory = _bgsearch_index(tmp_path / "index")
    store = durable.storage(directory)
    (directory / "_MAIN_9.toc").symlink_to(victim / "precious.txt")
    with pytest.raises(UnsafeFileError):
        store.open_file("_MAIN_9.toc")
    with pytest.raises(UnsafeFileError):
        durable.check_no_links(directory)
    (directory / "_MAIN_9.toc").unlink()
    os.mkfifo(directory / "_MAIN_9.toc")  # opening a FIFO would block a reader forever
    started = time.monotonic()
    with pytest.raises(UnsafeFileError):
        store.open_file("_MAIN_9.toc")
    with pytest.raises(UnsafeFileError):
        durable.check_no_links(directory)
    assert time.monotonic() - started < 1
    (directory / "_MAIN_9.toc").unlink()
    for name in ("../victim/precious.txt", "/etc/passwd", "..", ""):
        with pytest.raises(UnsafeFileError):
            store.open_file(name)
        with pytest.raises(UnsafeFileError):
            store.delete_file(name)
    durable.check_no_links(directory)  # a clean index passes
    # bgsearch's own files
    saved = (directory / "bgsearch.json").read_bytes()
    (directory / "bgsearch.json").unlink()
    (directory / "bgsearch.json").symlink_to(victim / "precious.txt")
    with pytest.raises(UnsafeFileError):
        durable.read_file(directory, "bgsearch.json")
    with pytest.raises(UnsafeFileError):
        durable.check_no_links(directory)
    (directory / "bgsearch.json").unlink()
    (directory / "bgsearch.json").write_bytes(saved)
    (directory / "bgsearch-writer.json").symlink_to(victim / "notes.txt")
    with pytest.raises(UnsafeFileError):
        durable.check_no_links(directory)
    (directory / "bgsearch-writer.json").unlink()
    assert durable.read_file(directory, "bgsearch.json") == saved
    assert _intact(victim)


def test_deleting_and_replacing_never_go_through_a_link(tmp_path: Path, victim: Path) -> None:
    directory = tmp_path / "index"
    directory.mkdir()
    store = durable.storage(directory)
    (directory / "MAIN_old.seg").symlink_to(victim / "precious.txt")
    store.delete_file("MAIN_old.seg")
    (directory / "bgsearch-writer.json").symlink_to(victim / "notes.txt")
    durable.write_file(directory, "bgsearch-writer.json", b'{"pid": 1}')
    assert (directory / "bgsearch-writer.json").read_bytes() == b'{"pid": 1}'
    assert not (directory / "bgsearch-writer.json").is_symlink()
    (directory / "gone").symlink_to(victim / "notes.txt")
    durable.remove_file(directory, "gone")
    assert _intact(victim)
    assert sorted(p.name for p in directory.iterdir()) == ["bgsearch-writer.json"]  # no temporary left


def test_a_planted_link_stops_a_bgsearch_import_and_touches_nothing(
    tmp_path: Path, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through bgsearch.Index: a link planted after the index was opened stops the write (a link
    there before is refused at open)."""
    directory = _bgsearch_index(tmp_path / "index")
    with Index.open(directory) as ix:
        (directory / "MAIN.tmp").symlink_to(victim, target_is_directory=True)
        with pytest.raises(UnsafeFileError):
            ix.add_documents([{"id": "x", "body": "нов документ"}], workers=1)
        assert len(ix) == 39
    assert _intact(victim)
    with pytest.raises(IndexVersionError, match="symbolic link"):
        Index.open(directory)
    assert _intact(victim)


def test_whooshs_own_writer_reads_back_the_postings_it_spilled_to_disk(tmp_path: Path) -> None:
    """bgsearch writes its segments in bulk (`engine/bulk.py`), but Whoosh's own writer — what a
    program that opens the Whoosh index directly gets — writes sorted runs of postings to disk when
    its buffer is full, pickled with protocol 2 (an empty value as a call of bytes()); the strict
    unpickler reads them back."""
    import random

    from bgsearch import analyze, load_path
    from conftest import SEEDS

    words = " ".join(record.body for record in load_path(SEEDS)).split()
    rng = random.Random(7)
    docs = [{"id": str(n), "body": " ".join(rng.choices(words, k=300))} for n in range(1_500)]
    with Index.create(tmp_path / "index") as ix:
        writer = ix._store.whoosh_index.writer(limitmb=1)
        for doc in docs:
            writer.add_document(**doc)
        writer.commit()
    with Index.open(tmp_path / "index") as ix:
        (term,) = analyze("Беларус")
        assert ix.search("Беларус").total == sum(term in analyze(doc["body"]) for doc in docs) > 0
