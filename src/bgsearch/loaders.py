"""Loaders: turn files into documents, reporting each bad one with its file and line.

Formats:
- seed `.txt` files (the sample corpus): an optional ` date YYYY-MM-DD ` header, then the
  article. The title is the first sentence; a trailing `(БТА)` names the source. A `.txt` file
  without the header is indexed as plain text.
- JSON Lines (`.jsonl`, `.jsonl.gz`, or `-` for standard input): one object a line with the
  document fields; `fields` maps a document field to another key (`{"body": "text"}`).
A directory is read recursively, files in name order.

A loader reads files; it does not know the index. It yields each document as a `Record` (its values
and its `file:line`), which the index checks against its schema (a bad value is rejected there,
naming the line; keys the schema does not name are counted once per import and ignored), and a
`Rejected` record for what cannot be read at all (malformed JSON, bad UTF-8, an overlong line).
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any, BinaryIO, cast

from .documents import MAX_BODY_CHARS, Record, Rejected
from .errors import DocumentError, InvalidArgumentError
from .fields import Schema

__all__ = ["load_paths", "load_path", "load_jsonl", "check_field_keys", "LoadedItem", "TEXT_SUFFIXES", "JSONL_SUFFIXES"]

LoadedItem = Record | Rejected
TEXT_SUFFIXES = (".txt",)
JSONL_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson")
_TITLE_LIMIT = 120
_SEED_HEADER = re.compile(r"\s*date\s+(\S+)\s")
_SOURCE = re.compile(r"\((\w[\w\s.-]{0,30})\)\s*$")
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"“”»']?\s")
# The longest JSON line read: a body at its limit written with \uXXXX escapes (6 bytes a
# character, as json.dumps writes Cyrillic by default), and 4 MiB for the other fields and keys.
# A longer line is rejected without being held in memory: it is read and dropped in pieces.
MAX_LINE_BYTES = 6 * MAX_BODY_CHARS + (4 << 20)
_SKIP_CHUNK = 1 << 20


def check_field_keys(fields: Mapping[str, str] | None, schema: Schema | None = None) -> None:
    """Raise InvalidArgumentError unless `fields` maps field names (of `schema`, when given) to
    non-empty keys."""
    for name, key in (fields or {}).items():
        if not key or not isinstance(name, str) or not name or (schema is not None and name not in schema):
            known = f" ({', '.join(schema.names)})" if schema is not None else ""
            raise InvalidArgumentError(f"fields: map a document field{known} to a JSON key, not {name!r} to {key!r}")


def load_paths(paths: Iterable[str | Path], fields: Mapping[str, str] | None = None) -> Iterator[LoadedItem]:
    """Documents from every path in turn (see `load_path`)."""
    check_field_keys(fields)
    for path in paths:
        yield from load_path(path, fields)


def load_path(path: str | Path, fields: Mapping[str, str] | None = None) -> Iterator[LoadedItem]:
    """Documents (or rejections) from a file, a directory, or `-` (JSON Lines on stdin).
    Raises InvalidArgumentError at once for a `fields` mapping that names no document field."""
    check_field_keys(fields)
    yield from _load(path, fields)


def _load(path: str | Path, fields: Mapping[str, str] | None) -> Iterator[LoadedItem]:
    if str(path) == "-":
        yield from load_jsonl(sys.stdin.buffer, "<stdin>", fields)
        return
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and _is_loadable(p))
        if not files:
            yield Rejected(str(path), "no .txt or .jsonl files in this directory")
        for file in files:
            yield from _load_file(file, file.relative_to(path), fields)
    elif path.is_file():
        yield from _load_file(path, Path(path.name), fields)
    else:
        yield Rejected(str(path), "no such file or directory")


def _is_loadable(path: Path) -> bool:
    return path.name.endswith(TEXT_SUFFIXES + JSONL_SUFFIXES)


def _load_file(path: Path, relative: Path, fields: Mapping[str, str] | None) -> Iterator[LoadedItem]:
    name = path.name
    if name.endswith(JSONL_SUFFIXES):
        try:
            with gzip.open(path, "rb") if name.endswith(".gz") else open(path, "rb") as stream:
                yield from load_jsonl(cast(BinaryIO, stream), str(path), fields)
        except (OSError, EOFError, zlib.error) as exc:
            yield Rejected(str(path), f"cannot read the file ({exc}); the documents after this point were not loaded")
    elif name.endswith(TEXT_SUFFIXES):
        doc_id = relative.with_suffix("").as_posix()
        try:
            yield _seed_document(str(path), doc_id, _decode(path.read_bytes()))
        except (DocumentError, OSError) as exc:
            yield Rejected(str(path), str(exc))
    else:
        yield Rejected(str(path), "unknown file type: use .txt, .jsonl or .jsonl.gz")


def _decode(data: bytes) -> str:
    """Text of a file: UTF-8 (with or without BOM) or UTF-16 with a BOM."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise DocumentError(f"invalid UTF-16 at byte {exc.start}") from None
    if b"\x00" in data:
        raise DocumentError("binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DocumentError(f"invalid UTF-8 on line {line} (byte {exc.start}): save the file as UTF-8") from None


def _seed_document(origin: str, doc_id: str, text: str) -> Record:
    date = None
    header = _SEED_HEADER.match(text)
    if header:
        date, text = header[1], text[header.end():]
    body = text.strip()
    source = _SOURCE.search(body)
    values = {"id": doc_id, "body": body, "title": make_title(body), "date": date, "source": source and source[1]}
    return Record(origin, {key: value for key, value in values.items() if value is not None})


def make_title(body: str) -> str:
    """The first sentence of `body`, cut at a word boundary to at most 120 characters."""
    first_line = body.strip().split("\n", 1)[0]
    end = _SENTENCE_END.search(first_line)
    sentence = first_line[: end.start()] if end else first_line
    if len(sentence) <= _TITLE_LIMIT:
        return sentence.strip()
    cut = sentence.rfind(" ", 0, _TITLE_LIMIT)
    return sentence[: cut if cut > 0 else _TITLE_LIMIT].rstrip(" ,;:–-") + "…"


def load_jsonl(stream: BinaryIO, origin: str, fields: Mapping[str, str] | None = None) -> Iterator[LoadedItem]:
    """Records (or rejections) from a binary stream of JSON Lines; `origin` names it in each
    record's `origin:line`."""
    renamed = {key: name for name, key in (fields or {}).items()}  # JSON key → field name
    shadowed = set(fields or {}) - set(renamed)  # a mapped field's own key gives way to the mapped one
    for lineno, line in _jsonl_lines(stream):
        where = f"{origin}:{lineno}"
        if isinstance(line, UnicodeDecodeError):
            yield Rejected(where, f"invalid UTF-8 at byte {line.start} of the line: save the file as UTF-8")
            continue
        if isinstance(line, _LongLine):
            yield Rejected(where, f"the line is {line.size:,} {line.unit} long; the limit is {line.limit:,}: "
                                  f"one document a line, each body at most {MAX_BODY_CHARS / 1e6:g} million characters")
            continue
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Rejected(where, f"malformed JSON ({exc.msg} at column {exc.colno})")
            continue
        except RecursionError:
            yield Rejected(where, "malformed JSON (nested too deeply)")
            continue
        except ValueError as exc:  # an integer of over 4,300 digits (Python's int max_str_digits)
            yield Rejected(where, f"malformed JSON (a number too long to read: {str(exc).split(';')[0]})")
            continue
        if not isinstance(record, dict):
            yield Rejected(where, f"expected a JSON object, got {type(record).__name__}")
            continue
        if renamed:
            record = {renamed.get(key, key): value for key, value in record.items() if key not in shadowed}
        yield Record(where, record)


class _LongLine:
    """A line over the limit, read and dropped: its length (bytes, or characters in UTF-16)."""

    def __init__(self, size: int, limit: int, unit: str) -> None:
        self.size, self.limit, self.unit = size, limit, unit


def _jsonl_lines(stream: BinaryIO) -> Iterator[tuple[int, str | UnicodeDecodeError | _LongLine]]:
    """Numbered lines of a JSON Lines stream: UTF-8 (BOM allowed), or UTF-16 with a BOM. A line over
    MAX_LINE_BYTES (in UTF-16: characters) is given as a _LongLine, never held whole in memory."""
    head = stream.read(2)
    if head in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text = io.TextIOWrapper(io.BufferedReader(_Prefixed(head, stream)), encoding="utf-16", errors="replace")
        for lineno, line in enumerate(_bounded_lines(text.readline, MAX_LINE_BYTES, "\n"), 1):
            yield lineno, line if isinstance(line, str) else _LongLine(line, MAX_LINE_BYTES, "characters")
        return
    binary = io.BufferedReader(_Prefixed(head, stream), buffer_size=1 << 16)
    for lineno, raw in enumerate(_bounded_lines(binary.readline, MAX_LINE_BYTES, b"\n"), 1):
        if isinstance(raw, int):
            yield lineno, _LongLine(raw, MAX_LINE_BYTES, "bytes")
            continue
        if lineno == 1:
            raw = raw.removeprefix(codecs.BOM_UTF8)
        try:
            yield lineno, raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield lineno, exc


def _bounded_lines(readline: Any, limit: int, newline: Any) -> Iterator[Any]:
    """The lines `readline` gives (bytes or text), each of at most `limit` units besides its line
    ending; for a longer line, its length instead (the line is read in pieces and dropped)."""
    while True:
        line = readline(limit + 2)  # room for a "\r\n" after `limit` units
        if not line:
            return
        if _content_length(line, newline) <= limit:
            yield line
            continue
        size, last = len(line), line
        while not last.endswith(newline):
            piece = readline(_SKIP_CHUNK)
            if not piece:
                break
            size += len(piece)
            last = last[-1:] + piece  # a "\r" at the end of one piece belongs to the line ending
        yield size - (len(last) - _content_length(last, newline))


def _content_length(line: Any, newline: Any) -> int:
    """The length of `line` without its line ending (\n or \r\n)."""
    if not line.endswith(newline):
        return len(line)
    carriage_return = b"\r" if isinstance(line, bytes) else "\r"
    return len(line) - (2 if line[-2:-1] == carriage_return else 1)


class _Prefixed(io.RawIOBase):
    """A binary stream with some already-read bytes put back in front."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head, self._rest = head, rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._head or self._rest.read(len(buffer))
        self._head = b""
        buffer[: len(data)] = data
        return len(data)
