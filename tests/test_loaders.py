"""Loading files: the seed format, JSON Lines, and bad input reported with file and line."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from bgsearch import Document, Index, load_path
from bgsearch.documents import Record, collect
from bgsearch.loaders import make_title

from conftest import DECEMBER, OCTOBER, SEEDS


def test_seed_files() -> None:
    docs = {d.id: d for d in load_path(SEEDS)}
    assert set(docs) == {OCTOBER, DECEMBER}
    october, december = docs[OCTOBER], docs[DECEMBER]
    assert october.date == "2025-10-17" and december.date == "2025-12-19"
    assert october.title.startswith("Беларус отправя дипломатически сигнали")
    assert len(october.title) <= 121
    assert december.source == "БТА" and october.source is None
    assert october.body.startswith("Беларус отправя") and not october.body.startswith(" date")


def test_title_is_the_first_sentence() -> None:
    assert make_title("Кратко изречение. Второ изречение.") == "Кратко изречение."
    long = "дума " * 60
    assert make_title(long).endswith("…") and len(make_title(long)) <= 121


def test_bad_files_are_reported_and_good_ones_loaded(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(" date 2025-01-02 Хубав текст за Беларус.", "utf-8")
    (tmp_path / "latin1.txt").write_bytes("Текст".encode("utf-8") + b"\n\xff\xfe broken")
    (tmp_path / "utf16.txt").write_bytes("Текст в UTF-16 за Минск.".encode("utf-16"))
    (tmp_path / "bom.txt").write_bytes(b"\xef\xbb\xbf" + "Текст с BOM за Киев.".encode("utf-8"))
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02\x03")
    (tmp_path / "empty.txt").write_bytes(b"")
    batch = collect(load_path(tmp_path))  # read, then checked against the (default) schema
    docs = {d.id: d for d in batch.documents}
    rejected = {Path(r.origin).name: r.reason for r in batch.rejected}
    assert set(docs) == {"good", "utf16", "bom"}
    assert docs["bom"].body == "Текст с BOM за Киев."
    assert rejected["latin1.txt"].startswith("invalid UTF-8 on line 2")
    assert "binary" in rejected["binary.txt"]
    assert "empty" in rejected["empty.txt"]


def test_jsonl_bad_lines_are_reported_with_their_line(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    lines = [
        json.dumps({"id": "1", "body": "Санкциите срещу Беларус"}, ensure_ascii=False).encode(),
        b'{"id": "2", "body": "malformed',
        json.dumps({"id": "3", "title": "без текст"}, ensure_ascii=False).encode(),
        b'{"id": "4", "body": "\xff\xfe"}',
        b"",
        json.dumps({"id": "5", "body": "Посолството в Минск", "date": "19/12/2025"}, ensure_ascii=False).encode(),
        b"[1, 2]",
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")
    batch = collect(load_path(path))
    docs = batch.documents
    rejected = {r.origin.rsplit(":", 1)[1]: r.reason for r in batch.rejected}
    assert [d.id for d in docs] == ["1", "5"]
    assert docs[1].date == "2025-12-19"
    assert set(rejected) == {"2", "3", "4", "7"}
    assert rejected["2"].startswith("malformed JSON")
    assert rejected["3"].startswith("missing field 'body'")
    assert rejected["4"].startswith("invalid UTF-8")
    assert "JSON object" in rejected["7"]


def test_jsonl_field_mapping_and_gzip(tmp_path: Path) -> None:
    path = tmp_path / "laws.jsonl.gz"
    record = {"id": 8678, "title": "Закон за пристанищата", "text": "Чл. 1. Пристанищата се управляват...", "extra": 1}
    with gzip.open(path, "wt", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    (record,) = load_path(path, fields={"body": "text"})
    assert isinstance(record, Record) and record.origin == f"{path}:1"
    batch = collect([record])
    (doc,) = batch.documents
    assert isinstance(doc, Document) and doc.id == "8678" and doc.body.startswith("Чл. 1.")
    assert batch.ignored == {"extra": 1}  # a key the schema does not name: counted, not indexed
    (rejected,) = collect(load_path(path)).rejected
    assert rejected.origin == f"{path}:1" and "missing field 'body'" in rejected.reason
    assert "--field NAME=KEY" in rejected.reason


def test_the_good_documents_around_bad_input_are_indexed(tmp_path: Path, empty_index: Index) -> None:
    (tmp_path / "a.txt").write_text("Пристанищата на Варна.", "utf-8")
    (tmp_path / "b.txt").write_bytes(b"\xc3\x28 invalid")
    (tmp_path / "c.jsonl").write_text('{"id": "x", "body": "Посолството"}\n{"id": oops}\n{"id": "y"}\n', "utf-8")
    result = empty_index.add_documents(load_path(tmp_path))
    assert result.added == 2
    assert sorted(Path(r.origin).name for r in result.rejected) == ["b.txt", "c.jsonl:2", "c.jsonl:3"]
    assert [h.id for h in empty_index.search("пристанище").hits] == ["a"]
