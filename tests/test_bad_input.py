"""Bad input (issue 6): every kind of bad file, line or field is reported with its file, line and
reason, never stops the rest of the batch, and is counted in the CLI's summary (exit status 1).

Each entry of JSONL_LINES and FILES is one distinct bad input; BAD_INPUTS_TRIED counts them
(docs/robustness.md reports the figure).
"""

from __future__ import annotations

import codecs
import gzip
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from bgsearch import Index, analyze, load_path
from bgsearch.documents import MAX_BODY_CHARS, Rejected, collect
from robustness_helpers import one_line, run_bgsearch

GOOD_BEFORE = {"id": "good-before", "body": "Президентът подписа указа за пристанището."}
GOOD_AFTER = {"id": "good-after", "body": "Министърът на финансите представи бюджета."}


def _line(obj: object) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode("utf-8")


@dataclass(frozen=True)
class BadLine:
    """Line 2 of a JSONL file between two good documents. `reason`: a pattern the rejection reason
    must match, or None when the line must be accepted (`kept`: the id it is stored under)."""

    name: str
    line: bytes
    reason: str | None
    kept: str | None = None


JSONL_LINES = [
    BadLine("invalid UTF-8", b'{"id": "x", "body": "\xff\xfe \xd0 \xe2\x82"}', r"invalid UTF-8 at byte \d+"),
    BadLine("overlong UTF-8 encoding", b'{"id": "x", "body": "\xc0\xaf"}', r"invalid UTF-8"),
    BadLine("UTF-16 text inside a UTF-8 file", '{"id": "x", "body": "да"}'.encode("utf-16-le"), r"invalid UTF-8|malformed JSON"),
    BadLine("binary junk", bytes(random.Random(6).randrange(256) for _ in range(300)).replace(b"\n", b"!"),
            r"invalid UTF-8|malformed JSON"),
    BadLine("truncated object", b'{"id": "x", "body": "\xd1\x82\xd0\xb5\xd0\xba\xd1\x81\xd1\x82"', r"malformed JSON .* at column \d+"),
    BadLine("trailing comma", b'{"id": "x", "body": "y",}', r"malformed JSON"),
    BadLine("single quotes", b"{'id': 'x', 'body': 'y'}", r"malformed JSON"),
    BadLine("plain text line", "просто текст".encode(), r"malformed JSON"),
    BadLine("JSON array", b'["x", "y"]', r"expected a JSON object, got list"),
    BadLine("JSON string", b'"x"', r"expected a JSON object, got str"),
    BadLine("JSON null", b"null", r"expected a JSON object, got NoneType"),
    BadLine("JSON number", b"42", r"expected a JSON object, got int"),
    BadLine("two objects on one line", b'{"id": "x", "body": "y"} {"id": "z", "body": "w"}', r"malformed JSON \(Extra data"),
    BadLine("missing id", _line({"body": "текст"}), r"missing field 'id'"),
    BadLine("missing body", _line({"id": "x", "text": "текст"}), r"missing field 'body' \(map another key to it.*--field"),
    BadLine("null body", _line({"id": "x", "body": None}), r"missing field 'body'"),
    BadLine("empty id", _line({"id": "", "body": "текст"}), r"field 'id' is empty"),
    BadLine("blank id", _line({"id": "  \t", "body": "текст"}), r"field 'id' is empty"),
    BadLine("blank body", _line({"id": "x", "body": " \n\t "}), r"field 'body' is empty"),
    BadLine("numeric body", _line({"id": "x", "body": 42}), r"field 'body' must be a string, not int"),
    BadLine("list body", _line({"id": "x", "body": ["a", "b"]}), r"field 'body' must be a string, not list"),
    BadLine("object title", _line({"id": "x", "body": "текст", "title": {"a": 1}}), r"field 'title' must be a string, not dict"),
    BadLine("boolean source", _line({"id": "x", "body": "текст", "source": True}), r"field 'source' must be a string, not bool"),
    BadLine("a list in a single-valued keyword", _line({"id": "x", "body": "текст", "source": ["БТА", "БНР"]}),
            r"field 'source' holds one value, not a list"),
    BadLine("a number for a title", _line({"id": "x", "body": "текст", "title": 3.5}), r"field 'title' must be a string, not float"),
    BadLine("list id", _line({"id": ["x"], "body": "текст"}), r"field 'id' must be a string, not list"),
    BadLine("boolean id", _line({"id": True, "body": "текст"}), r"field 'id' must be a string, not bool"),
    BadLine("float id", _line({"id": 1.5, "body": "текст"}), r"field 'id' must be a string, not float"),
    BadLine("NaN body", b'{"id": "x", "body": NaN}', r"field 'body' must be a string, not float"),
    BadLine("id over 512 characters", _line({"id": "я" * 513, "body": "текст"}), r"field 'id' is 513 characters long; the limit is 512"),
    BadLine("numeric date", _line({"id": "x", "body": "текст", "date": 20250101}), r"field 'date' must be a string, not int"),
    BadLine("invalid date (a word)", _line({"id": "x", "body": "текст", "date": "вчера"}), r"invalid date 'вчера': use YYYY-MM-DD"),
    BadLine("invalid date (slashes, year first)", _line({"id": "x", "body": "текст", "date": "2025/01/02"}), r"invalid date"),
    BadLine("impossible date 30 February", _line({"id": "x", "body": "текст", "date": "2025-02-30"}), r"impossible date '2025-02-30'"),
    BadLine("impossible date month 13", _line({"id": "x", "body": "текст", "date": "2025-13-01"}), r"impossible date"),
    BadLine("impossible date 31 April (DD.MM.YYYY)", _line({"id": "x", "body": "текст", "date": "31.04.2025"}), r"impossible date"),
    BadLine("impossible date year 0", _line({"id": "x", "body": "текст", "date": "0000-01-01"}), r"impossible date"),
    # Python refuses to read an integer of over 4,300 digits (int_max_str_digits): the line only.
    BadLine("a 5,000-digit integer id", b'{"id": ' + b"7" * 5_000 + ', "body": "текст"}'.encode(),
            r"malformed JSON \(a number too long to read: Exceeds the limit \(4300 digits\)"),
    BadLine("a 5,000-digit integer in an ignored key", '{"id": "x", "body": "текст", "n": '.encode() + b"9" * 5_000 + b"}",
            r"a number too long to read"),
    BadLine("a 600-digit integer id", b'{"id": ' + b"1" * 600 + ', "body": "текст"}'.encode(), r"field 'id' is 600 characters long; the limit is 512"),
    BadLine("title over 10,000 characters", _line({"id": "x", "body": "текст", "title": "заглавие " * 1_200}),
            r"field 'title' is 10,800 characters long; the limit is 10,000"),
    BadLine("source over 256 characters", _line({"id": "x", "body": "текст", "source": "БТА" * 100}),
            r"field 'source' is 300 characters long; the limit is 256"),
    BadLine("url over 8,192 characters", _line({"id": "x", "body": "текст", "url": "https://a.bg/" + "я" * 9_000}),
            r"field 'url' is 9,013 characters long; the limit is 8,192"),
    BadLine("date over 64 characters", _line({"id": "x", "body": "текст", "date": "2025-01-01" + " " * 100}),
            r"field 'date' is 110 characters long; the limit is 64"),
    # Accepted, as documented:
    BadLine("title of 10,000 characters", _line({"id": "x", "body": "текст", "title": "я" * 10_000}), None, kept="x"),
    BadLine("integer id (accepted as text)", _line({"id": 123, "body": "текст"}), None, kept="123"),
    BadLine("unknown keys (ignored)", _line({"id": "x", "body": "текст", "lang": "bg", "tags": [1]}), None, kept="x"),
    BadLine("control characters (replaced by spaces)",
            _line({"id": "x", "body": "текст\x00с\x07контролни\x1bзнаци\x7fтук", "title": "за\x0cглавие"}), None, kept="x"),
    BadLine("CRLF line ending", _line({"id": "x", "body": "текст"}) + b"\r", None, kept="x"),
    BadLine("date with a time", _line({"id": "x", "body": "текст", "date": "2025-12-19T10:30:00Z"}), None, kept="x"),
    BadLine("date DD/MM/YYYY", _line({"id": "x", "body": "текст", "date": "19/12/2025"}), None, kept="x"),
]


def _jsonl_file(tmp_path: Path, case: BadLine) -> Path:
    path = tmp_path / "case.jsonl"
    path.write_bytes(b"\n".join([_line(GOOD_BEFORE), case.line, _line(GOOD_AFTER)]) + b"\n")
    return path


@pytest.mark.parametrize("case", JSONL_LINES, ids=[c.name for c in JSONL_LINES])
def test_a_bad_jsonl_line_is_reported_with_file_line_and_reason(case: BadLine, tmp_path: Path) -> None:
    path = _jsonl_file(tmp_path, case)
    with Index.create(tmp_path / "index") as ix:
        result = ix.add_documents(load_path(path))
        ids = {fields["id"] for fields in ix.searcher().all_stored_fields()}
        if case.reason is None:
            assert result.rejected == []
            assert ids == {GOOD_BEFORE["id"], GOOD_AFTER["id"], case.kept}
        else:
            assert len(result.rejected) == 1, result.rejected
            rejected = result.rejected[0]
            assert rejected.origin == f"{path}:2"
            assert re.search(case.reason, rejected.reason), rejected.reason
            assert one_line(str(rejected))
            assert ids == {GOOD_BEFORE["id"], GOOD_AFTER["id"]}  # the rest of the batch is indexed
        assert ix.search("пристанище").total == 1 and ix.search("бюджет").total == 1


def test_control_characters_become_spaces_and_the_document_is_kept(tmp_path: Path) -> None:
    body = "текст\x00с\x07контролни\x1bзнаци\x7fтук\tи\nтам"
    path = tmp_path / "c.jsonl"
    path.write_bytes(_line({"id": "c", "body": body, "title": "за\x0cглавие"}) + b"\n")
    with Index.create(tmp_path / "index") as ix:
        assert ix.add_documents(load_path(path)).rejected == []
        doc = ix.get("c")
        assert doc.body == "текст с контролни знаци тук\tи\nтам"  # same length: offsets stay valid
        assert doc.title == "за главие"
        assert [h.id for h in ix.search("контролни знаци").hits] == ["c"]


def test_extremely_long_words_are_skipped_as_tokens_and_the_document_kept(tmp_path: Path) -> None:
    long_word = "а" * 100_000
    base64ish = "QUJD" * 5_000
    docs = [{"id": "long", "body": f"Начало {long_word} пристанище {base64ish} край."}]
    with Index.create(tmp_path / "index") as ix:
        result = ix.add_documents(docs)
        assert (result.added, result.rejected) == (1, [])
        assert analyze(long_word) == [] and analyze(base64ish) == []
        hits = ix.search("пристанище край")
        assert [h.id for h in hits.hits] == ["long"]
        assert ix.get("long").body == docs[0]["body"]
        assert ix.search("а" * 65).total == 0


def test_duplicate_ids_in_one_batch_last_wins_and_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "dups.jsonl"
    path.write_bytes(b"\n".join([
        _line({"id": "d", "body": "първа версия за пристанището"}),
        _line(GOOD_AFTER),
        _line({"id": "d", "body": "втора версия за бюджета"}),
    ]) + b"\n")
    with Index.create(tmp_path / "index") as ix:
        result = ix.add_documents(load_path(path))
        assert result.duplicates == ["d"] and result.added == 2 and result.rejected == []
        assert ix.get("d").body == "втора версия за бюджета"
        assert len(ix) == 2
    run = run_bgsearch("index", str(path), "--index", str(tmp_path / "cli"))
    assert run.returncode == 0
    assert "id 'd' was given more than once; the last one was kept" in run.stderr


# -- whole files ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BadFile:
    """A file (or path) given to the loader. `reason`: the pattern of its one rejection, or None
    when it must be accepted with `kept` ids."""

    name: str
    filename: str
    data: bytes | None  # None: make nothing (a missing path); b"<dir>": an empty directory
    reason: str | None
    kept: tuple[str, ...] = ()


_ARTICLE = " date 2025-12-19 Беларус е близо до сделка за освобождаване на затворници, съобщи БТА.\n\nВтори абзац. (БТА)"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


FILES = [
    BadFile("invalid UTF-8 .txt", "bad-utf8.txt", "ред едно\nред две ".encode() + b"\xff\xfe", r"invalid UTF-8 on line 2 \(byte \d+\): save the file as UTF-8"),
    BadFile("UTF-16 LE .txt with BOM (accepted)", "u16le.txt", codecs.BOM_UTF16_LE + _ARTICLE.encode("utf-16-le"), None, ("u16le",)),
    BadFile("UTF-16 BE .txt with BOM (accepted)", "u16be.txt", codecs.BOM_UTF16_BE + _ARTICLE.encode("utf-16-be"), None, ("u16be",)),
    BadFile("UTF-8 .txt with BOM (accepted)", "bom.txt", codecs.BOM_UTF8 + _ARTICLE.encode(), None, ("bom",)),
    BadFile("UTF-8 .jsonl with BOM (accepted)", "bom.jsonl", codecs.BOM_UTF8 + _line({"id": "bomj", "body": "текст"}) + b"\n", None, ("bomj",)),
    BadFile("invalid UTF-16 .txt (odd length)", "bad-u16.txt", codecs.BOM_UTF16_LE + "текст".encode("utf-16-le") + b"\x00\xd8", r"invalid UTF-16"),
    BadFile("binary .txt (NUL bytes)", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), r"binary file \(contains NUL bytes\), not text"),
    BadFile("empty .txt", "empty.txt", b"", r"field 'body' is empty"),
    BadFile("blank .txt", "blank.txt", b" \n\t\n ", r"field 'body' is empty"),
    BadFile("seed header only", "header.txt", b" date 2025-12-19 ", r"field 'body' is empty"),
    BadFile("seed header with impossible date", "baddate.txt", " date 2025-02-30 Текст на статията.".encode(), r"impossible date '2025-02-30'"),
    BadFile("seed header with invalid date", "worddate.txt", " date вчера Текст на статията.".encode(), r"invalid date 'вчера'"),
    BadFile("empty .jsonl (no documents, no error)", "empty.jsonl", b"", None, ()),
    BadFile("blank lines only .jsonl", "blank.jsonl", b"\n\n  \n\t\n", None, ()),
    BadFile(".jsonl.gz that is not gzip", "fake.jsonl.gz", _line({"id": "f", "body": "текст"}) + b"\n", r"cannot read the file .*not loaded"),
    BadFile("truncated .jsonl.gz (keeps what was read)", "cut.jsonl.gz",
            _gzip(b"\n".join(_line({"id": f"g{i}", "body": f"документ номер {i} " * 20}) for i in range(200)))[:-200],
            r"cannot read the file .*the documents after this point were not loaded"),
    BadFile("unknown file type", "data.bin", b"\x00\x01", r"unknown file type: use .txt, .jsonl or .jsonl.gz"),
    BadFile("missing path", "no-such-file.jsonl", None, r"no such file or directory"),
    BadFile("empty directory", "emptydir", b"<dir>", r"no .txt or .jsonl files in this directory"),
]


def _make(tmp_path: Path, case: BadFile) -> Path:
    path = tmp_path / case.filename
    if case.data == b"<dir>":
        path.mkdir()
    elif case.data is not None:
        path.write_bytes(case.data)
    return path


@pytest.mark.parametrize("case", FILES, ids=[c.name for c in FILES])
def test_a_bad_file_is_reported_with_its_reason(case: BadFile, tmp_path: Path) -> None:
    path = _make(tmp_path, case)
    batch = collect(load_path(path))  # read, then checked against the (default) schema
    rejected = batch.rejected
    kept = [doc.id for doc in batch.documents]
    if case.reason is None:
        assert rejected == [] and kept == list(case.kept)
    else:
        assert len(rejected) == 1, rejected
        assert rejected[0].origin == str(path)
        assert re.search(case.reason, rejected[0].reason), rejected[0].reason
        assert one_line(str(rejected[0]))
    if case.name.startswith("truncated"):
        assert 0 < len(kept) < 200 and kept == [f"g{i}" for i in range(len(kept))]
    if kept:
        with Index.create(tmp_path / "index") as ix:
            assert ix.add_documents(load_path(path)).indexed == len(set(kept))
            if case.filename.endswith(".txt"):
                doc = ix.get(kept[0])
                assert (doc.date, doc.source) == ("2025-12-19", "БТА")
                assert ix.search("затворници").total == 1


def test_a_50_mb_document_is_rejected_with_a_clear_reason(tmp_path: Path) -> None:
    words = "пристанище санкции Беларус затворници " * 1_000
    body = words * (50_000_000 // len(words.encode()) + 1)  # a little over 50 MB of UTF-8
    assert len(body.encode()) > 50_000_000 and len(body) > MAX_BODY_CHARS
    jsonl = tmp_path / "big.jsonl"
    with jsonl.open("wb") as out:
        out.write(_line(GOOD_BEFORE) + b"\n")
        out.write(_line({"id": "big", "body": body}) + b"\n")
        out.write(_line(GOOD_AFTER) + b"\n")
    txt_dir = tmp_path / "txt"
    txt_dir.mkdir()
    (txt_dir / "big.txt").write_text(body, "utf-8")
    (txt_dir / "small.txt").write_text("Малък документ за бюджета.", "utf-8")
    del body
    run = run_bgsearch("index", str(jsonl), str(txt_dir), "--index", str(tmp_path / "index"))
    assert run.returncode == 1
    limit = r"field 'body' is \d+\.\d million characters; the limit is 10 million: split it into several documents"
    lines = run.stderr.splitlines()
    assert re.fullmatch(rf"bgsearch: rejected {re.escape(str(jsonl))}:2: {limit}", lines[0]), lines[0]
    assert re.fullmatch(rf"bgsearch: rejected {re.escape(str(txt_dir / 'big.txt'))}: {limit}", lines[1]), lines[1]
    assert re.search(r"indexed 3 document\(s\): 3 added, 0 replaced, 2 rejected", lines[-1])
    assert len(lines) == 3
    # The library refuses one character over the limit too.
    with Index.open(tmp_path / "index") as ix:
        result = ix.add_documents([{"id": "over", "body": "а" * (MAX_BODY_CHARS + 1)}])
        assert result.added == 0 and "the limit is 10 million" in result.rejected[0].reason
        assert len(ix) == 3


def test_library_rejects_non_dict_items_and_counts_unknown_keys(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        result = ix.add_documents(["текст", None, {"id": "u", "body": "текст", "lang": "bg"}, GOOD_AFTER,
                                   {"id": "v", "body": "текст", "lang": "bg"}])
        reasons = [r.reason for r in result.rejected]
        assert reasons == ["a document must be a dict, not str", "a document must be a dict, not NoneType"]
        assert [r.origin for r in result.rejected] == ["document 1", "document 2"]
        # A key the schema does not name: reported once per import with a count, not per document.
        assert result.ignored == {"lang": 2}
        assert result.added == 3 and len(ix) == 3 and "lang" not in ix.get("u").fields


def test_cli_reports_every_bad_input_counts_them_and_indexes_the_rest(tmp_path: Path) -> None:
    """All the bad lines and files in one `bgsearch index` run: each rejection on its own line with
    file, line and reason; the summary counts them; exit status 1; every good document indexed."""
    jsonl = tmp_path / "mixed.jsonl"
    lines = []
    expected_good = set()
    for number, case in enumerate(JSONL_LINES):
        if case.reason is None:
            continue  # the accepted ones are covered above
        lines.append(_line({"id": f"good-{number}", "body": f"Добър документ {number} за пристанището."}))
        lines.append(case.line)
        expected_good.add(f"good-{number}")
    jsonl.write_bytes(b"\n".join(lines) + b"\n")
    bad_lines = {2 * i + 2 for i in range(len(lines) // 2)}
    files_dir = tmp_path / "files"
    files_dir.mkdir()
    paths = [str(jsonl)]
    expected_file_rejections = 0
    for case in FILES:
        if case.data is None or case.data == b"<dir>" or case.filename.endswith(".bin"):
            paths.append(str(_make(tmp_path, case)))  # given by path: missing, empty dir, unknown type
        else:
            _make(files_dir, case)
        expected_file_rejections += case.reason is not None
        expected_good.update(case.kept)
    paths.append(str(files_dir))
    run = run_bgsearch("index", *paths, "--index", str(tmp_path / "index"))
    assert run.returncode == 1
    assert "Traceback" not in run.stderr
    out = run.stderr.splitlines()
    rejections = [line for line in out if line.startswith("bgsearch: rejected ")]
    jsonl_rejections = [line for line in rejections if line.startswith(f"bgsearch: rejected {jsonl}:")]
    assert {int(line.split(":")[2]) for line in jsonl_rejections} == bad_lines
    assert len(rejections) == len(bad_lines) + expected_file_rejections
    summary = out[-1]
    match = re.fullmatch(r"bgsearch: indexed (\d+) document\(s\): (\d+) added, 0 replaced, (\d+) rejected, in [\d.]+ s", summary)
    assert match, summary
    assert int(match[3]) == len(rejections)
    with Index.open(tmp_path / "index") as ix:
        ids = {fields["id"] for fields in ix.searcher().all_stored_fields()}
    assert expected_good <= ids
    assert int(match[1]) == len(ids)
    print(json.dumps({"bad_inputs_tried": BAD_INPUTS_TRIED, "rejections_reported": len(rejections)}))


# -- bugs these tests found (fixed; kept as regression tests) ---------------------------------------


def test_deeply_nested_json_line_is_rejected_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    path.write_bytes(b"\n".join([_line(GOOD_BEFORE), b"[" * 100_000, b'{"a":' * 50_000, _line(GOOD_AFTER)]) + b"\n")
    items = list(load_path(path))
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [r.origin for r in rejected] == [f"{path}:2", f"{path}:3"]
    assert all(one_line(str(r)) for r in rejected)
    assert [i.id for i in items if not isinstance(i, Rejected)] == ["good-before", "good-after"]
    run = run_bgsearch("index", str(path), "--index", str(tmp_path / "index"))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    assert run.stderr.splitlines()[-1].startswith("bgsearch: indexed 2 document(s)")


@pytest.mark.parametrize("field", ["id", "body", "title", "source", "url"])
def test_lone_surrogates_are_rejected_or_replaced_not_a_crash(field: str, tmp_path: Path) -> None:
    """JSON allows escaped lone surrogates ("\\ud800"); Python decodes them into a str that cannot
    be encoded as UTF-8. The document must be rejected (or the surrogate replaced) when it is
    added: the rest of the batch indexed, and nothing stored that breaks a later query's output."""
    doc = {"id": "s", "body": "текст за пристанището", field: "a\ud800b"}
    path = tmp_path / "s.jsonl"
    path.write_bytes(b"\n".join([_line(GOOD_BEFORE), json.dumps(doc).encode(), _line(GOOD_AFTER)]) + b"\n")
    run = run_bgsearch("index", str(path), "--index", str(tmp_path / "index"))
    assert "Traceback" not in run.stderr and run.returncode in (0, 1), run.stderr
    with Index.open(tmp_path / "index") as ix:
        stored = list(ix.searcher().all_stored_fields())
    assert {"good-before", "good-after"} <= {fields["id"] for fields in stored}
    for fields in stored:
        for value in fields.values():
            value.encode("utf-8")  # no lone surrogate was stored
    query = run_bgsearch("query", "пристанище", "--json", "--index", str(tmp_path / "index"))
    assert query.returncode == 0 and "Traceback" not in query.stderr, query.stderr


def test_utf16_jsonl_with_bom_is_accepted(tmp_path: Path) -> None:
    """UTF-16 with a BOM is accepted for .txt files; a JSONL file saved as UTF-16 (with BOM, as
    Windows Notepad does) should be read too, not rejected line by line as invalid UTF-8."""
    text = "\n".join(json.dumps(d, ensure_ascii=False) for d in (GOOD_BEFORE, GOOD_AFTER)) + "\n"
    path = tmp_path / "u16.jsonl"
    path.write_bytes(text.encode("utf-16"))  # with BOM
    items = list(load_path(path))
    assert [getattr(i, "id", i) for i in items] == ["good-before", "good-after"]


BAD_INPUTS_TRIED = (
    len(JSONL_LINES) + len(FILES)
    + 1  # control characters in a body and title
    + 2  # an extremely long word, a long base64-like run
    + 1  # duplicate ids in one batch
    + 2  # a 50 MB document in .jsonl and in .txt
    + 1  # one character over the body limit (library)
    + 3  # non-dict items (str, None), unknown fields (library)
    + 2  # deeply nested JSON arrays, objects
    + 5  # lone surrogates in id, body, title, source, url
    + 1  # UTF-16 JSONL with BOM
    + 4  # tests/test_bounded_input.py: an over-long line in .jsonl.gz and in UTF-16 JSONL, a line one
    #      byte over the bound, an id that is a 10,000-digit integer (library)
)
