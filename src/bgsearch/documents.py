"""Documents: what an index holds, and the checks a document must pass before it is added."""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from .dates import parse_date
from .errors import DocumentError
from .fields import DEFAULT_SCHEMA, ID_FIELD, Field, Schema

__all__ = ["Document", "Record", "Rejected", "DocumentError", "Batch", "Chunk", "collect", "chunks", "to_document",
           "MAX_BODY_CHARS", "MAX_CHARS"]

# A larger body is rejected: it is almost surely not one document (a dump, a book, a log), and
# indexing it would hold the writer for minutes. Split it into documents instead.
MAX_BODY_CHARS = 10_000_000
MAX_ID_CHARS = 512
# Every other field has a limit of its own: a title of more than 10,000 characters is not a title
# (the longest of 54k law units has 1,840), a source names an agency or a site, an address
# fits in the 8,000 bytes that HTTP servers accept in a request line, and a date is a date.
MAX_TITLE_CHARS = 10_000
MAX_SOURCE_CHARS = 256
MAX_URL_CHARS = 8_192
MAX_DATE_CHARS = 64
MAX_CHARS: dict[str, int] = {
    "id": MAX_ID_CHARS, "body": MAX_BODY_CHARS, "title": MAX_TITLE_CHARS, "source": MAX_SOURCE_CHARS,
    "url": MAX_URL_CHARS, "date": MAX_DATE_CHARS,
}


@dataclass(frozen=True, slots=True)
class Document:
    """A document that passed the checks of a schema: its id, and its other fields' values (text and
    keywords as strings, a multi-valued keyword as a list, numbers, ISO dates, booleans, stored JSON
    values). `doc.title` is `doc.fields.get("title")`, for any field name."""

    id: str
    fields: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.fields.get(name)


@dataclass(frozen=True, slots=True)
class Record:
    """A document as a loader read it, before the checks of an index's schema: its values by key,
    and where it came from (`file:line`), so that a rejection names the line."""

    origin: str
    values: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return self.values.get(name)


@dataclass(frozen=True, slots=True)
class Rejected:
    """A document that was not indexed: where it came from (`file:line`) and why."""

    origin: str
    reason: str

    def __str__(self) -> str:
        return f"{self.origin}: {self.reason}"


# Control characters other than tab and newlines have no business in text; they are replaced by
# a space so offsets into the stored text stay the same as in the input.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# A keyword value: one line of printable text (a list's values are kept apart by a control character
# inside the engine).
_KEYWORD_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
MAX_KEYWORD_CHARS = 512
MAX_VALUES = 1_000  # values of one multi-valued keyword
MAX_STORED_CHARS = 1_000_000  # a stored value, as JSON
_LIMIT_BY_KIND = {"text": MAX_BODY_CHARS, "keyword": MAX_KEYWORD_CHARS, "date": MAX_DATE_CHARS}


def to_document(
    raw: Mapping[str, object] | Document | Record,
    schema: Schema = DEFAULT_SCHEMA,
    ignored: Counter[str] | None = None,
) -> Document:
    """Check a document against `schema` and return it as a Document; raises DocumentError with the
    reason. Keys the schema does not name are left out, and counted in `ignored` when given."""
    if isinstance(raw, Document):
        raw = {ID_FIELD: raw.id, **raw.fields}
    elif isinstance(raw, Record):
        raw = raw.values
    if not isinstance(raw, Mapping):
        raise DocumentError(f"a document must be a dict, not {type(raw).__name__}")
    if ignored is not None:
        ignored.update(str(key) for key in raw if key not in schema)
    doc_id = _id(_text(raw, ID_FIELD))
    values: dict[str, Any] = {}
    for spec in sorted(schema.fields, key=lambda spec: not spec.required):  # the most basic fault first
        if spec.kind == "id":
            continue
        value = raw.get(spec.name)
        if value is None or value == "" or value == []:
            if spec.required:
                if value is None:
                    raise DocumentError(f"missing field {spec.name!r}")
                raise DocumentError(f"field {spec.name!r} is empty")
            continue
        checked = _CHECKS[spec.kind](spec, value)
        if checked is not None:
            values[spec.name] = checked
    return Document(doc_id, values)


def _check_text(spec: Field, value: object) -> str | None:
    text = _string(spec.name, value)
    _check_length(spec.name, text, spec.kind)
    if spec.required:
        if not text.strip():
            raise DocumentError(f"field {spec.name!r} is empty")
        return _CONTROL.sub(" ", text)
    return _CONTROL.sub(" ", text).strip() or None


def _check_keyword(spec: Field, value: object) -> str | list[str] | None:
    if isinstance(value, (list, tuple)):
        if not spec.multi:
            raise DocumentError(f"field {spec.name!r} holds one value, not a list (declare it \"multi\": true for lists)")
        if len(value) > MAX_VALUES:
            raise DocumentError(f"field {spec.name!r} has {len(value):,} values; the limit is {MAX_VALUES:,}")
        values = [_keyword(spec.name, item) for item in value]
        unique = list(dict.fromkeys(item for item in values if item))
        return unique or None
    single = _keyword(spec.name, value)
    if not single:
        return None
    return [single] if spec.multi else single


def _keyword(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DocumentError(f"field {name!r} must be a string, not {type(value).__name__}")
    text = _string(name, str(value)).strip()
    _check_length(name, text, "keyword")
    return _KEYWORD_CONTROL.sub(" ", text)


def _check_number(spec: Field, value: object) -> int | float:
    number: object = value
    if isinstance(value, str):
        try:
            number = int(value) if re.fullmatch(r"\s*[-+]?\d{1,18}\s*", value) else float(value)
        except ValueError:
            raise DocumentError(f"field {spec.name!r} must be a number, not {_shown(value)}") from None
    elif isinstance(value, numbers.Real) and not isinstance(value, (bool, int, float)):
        number = float(value)  # Decimal, Fraction, numpy numbers
    if isinstance(number, bool) or not isinstance(number, (int, float)):
        raise DocumentError(f"field {spec.name!r} must be a number, not {type(value).__name__}")
    if isinstance(number, float) and not math.isfinite(number):
        raise DocumentError(f"field {spec.name!r} must be a finite number, not {number}")
    if isinstance(number, int) and abs(number) > 2 ** 53:
        raise DocumentError(f"field {spec.name!r}: {_shown(str(number))} is too large; numbers are exact up to 2^53")
    return number


def _check_date(spec: Field, value: object) -> str:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = _string(spec.name, value)
    _check_length(spec.name, text, "date")
    try:
        return parse_date(text)
    except ValueError as exc:
        raise DocumentError(f"field {spec.name!r}: {exc}") from None


def _check_boolean(spec: Field, value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise DocumentError(f"field {spec.name!r} must be true or false, not {_shown(value)}")


def _check_stored(spec: Field, value: object) -> Any:
    try:
        size = len(value) if isinstance(value, str) else len(json.dumps(value, ensure_ascii=False, allow_nan=False))
    except (TypeError, ValueError, RecursionError):
        raise DocumentError(f"field {spec.name!r} must be a JSON value (text, number, list, object)") from None
    limit = MAX_CHARS.get(spec.name, MAX_STORED_CHARS)
    if size > limit:
        raise DocumentError(f"field {spec.name!r} is {size:,} characters long; the limit is {limit:,}")
    return _string(spec.name, value) if isinstance(value, str) else value


_CHECKS: dict[str, Callable[[Field, object], Any]] = {
    "text": _check_text, "keyword": _check_keyword, "number": _check_number, "date": _check_date,
    "boolean": _check_boolean, "stored": _check_stored,
}


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _check_length(name: str, text: str, kind: str = "text") -> None:
    limit = MAX_CHARS.get(name, _LIMIT_BY_KIND.get(kind, MAX_BODY_CHARS))
    if len(text) <= limit:
        return
    if limit >= 1_000_000:
        raise DocumentError(
            f"field {name!r} is {len(text) / 1e6:.1f} million characters; the limit is "
            f"{limit / 1e6:g} million: split it into several documents"
        )
    raise DocumentError(f"field {name!r} is {len(text):,} characters long; the limit is {limit:,}")


def _id(text: str) -> str:
    if not text.strip():
        raise DocumentError("field 'id' is empty")
    return text.strip()


def _text(raw: Mapping[str, object], name: str) -> str:
    """The id as text (a document may give it as an integer)."""
    if name not in raw or raw[name] is None:
        raise DocumentError(f"missing field {name!r}")
    value = raw[name]
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > 4 * MAX_ID_CHARS:  # str() of a huge int is slow, then refused by Python
            raise DocumentError(f"field 'id' is a number of more than {MAX_ID_CHARS} digits; the limit is {MAX_ID_CHARS}")
        value = str(value)
    text = _string(name, value)
    _check_length(name, text)
    return text


def _string(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise DocumentError(f"field {name!r} must be a string, not {type(value).__name__}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        # Lone surrogates (JSON "\ud800") cannot be stored: an id must be exact, so it is
        # rejected; in text they become U+FFFD, like undecodable bytes in a decoded file.
        if name == "id":
            raise DocumentError("field 'id' contains an unpaired surrogate (not valid Unicode)") from None
        value = _SURROGATE.sub("\ufffd", value)
    return value


@dataclass
class Batch:
    """The documents of one `add_documents` call that passed their checks, one per id (the last
    one given wins), with the rejected ones and the ids given more than once. While an import
    streams (`chunks`), `documents` stays empty: the documents go by chunk."""

    documents: list[Document] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    ignored: Counter[str] = field(default_factory=Counter)  # keys the schema does not name → documents


@dataclass
class Chunk:
    """Up to one commit's documents of a streamed import, one per id (the last one given wins).
    `repeated`: the ids of this chunk that an earlier chunk of the same import gave too (they are
    counted as duplicates already, and replace that earlier document). `last`: the input ended here."""

    documents: list[Document]
    repeated: set[str]
    last: bool


def collect(items: Iterable[Mapping[str, Any] | Document | Record | Rejected], schema: Schema = DEFAULT_SCHEMA) -> Batch:
    """Check every item (dicts, Documents, Records from a loader, or a loader's Rejected records, which
    are kept as they are) against `schema` into a Batch."""
    batch = Batch()
    for chunk in chunks(items, schema, batch, None):
        batch.documents = chunk.documents
    return batch


def chunks(
    items: Iterable[Mapping[str, Any] | Document | Record | Rejected],
    schema: Schema,
    batch: Batch,
    size: int | None,
) -> Iterator[Chunk]:
    """Check the items as `collect` does, reading them as they come and yielding them in chunks of
    `size` documents with distinct ids (None: one chunk of everything), so that an import holds one
    chunk at a time. Rejections, duplicates and ignored keys are added to `batch`.

    An id given again in a later chunk is found by an 8-byte hash of every id seen before (8 MB per
    million ids, never the documents): it is reported as a duplicate, and the chunk says it repeats."""
    seen = _SeenIds()
    by_id: dict[str, Document] = {}
    for number, item in enumerate(items, 1):
        if isinstance(item, Rejected):
            batch.rejected.append(item)
            continue
        try:
            doc = to_document(item, schema, batch.ignored)
        except DocumentError as exc:
            reason = str(exc)
            if isinstance(item, Record) and reason.startswith("missing field"):
                reason += " (map another key to it: fields={...} / --field NAME=KEY)"
            batch.rejected.append(Rejected(item.origin if isinstance(item, Record) else _describe(item, number), reason))
            continue
        if doc.id in by_id:
            batch.duplicates.append(doc.id)
        by_id[doc.id] = doc
        if size is not None and len(by_id) >= size:
            yield seen.chunk(by_id, batch, last=False)
            by_id = {}
    if by_id or size is None:
        yield seen.chunk(by_id, batch, last=True)


class _SeenIds:
    """The ids of the chunks an import has yielded, as a sorted array of their 64-bit hashes (Python's
    own string hash, 64 bits wide on 64-bit platforms: stable within the process, which is as long as
    an import lasts). That two of a million ids share a hash has odds of about 1 in 30 million; the
    later one would then be reported as a duplicate that it is not (it is indexed all the same)."""

    def __init__(self) -> None:
        self._sorted: Any = None  # numpy int64 array, loaded with the second chunk only
        self._pending: list[int] = []  # the hashes of the last chunk yielded

    def chunk(self, by_id: dict[str, Document], batch: Batch, last: bool) -> Chunk:
        repeated: set[str] = set()
        if self._pending:
            import numpy as np

            pending = np.sort(np.array(self._pending, dtype=np.int64))
            self._pending = []
            if self._sorted is None:
                self._sorted = pending
            else:  # two sorted runs: the stable sort (timsort) merges them in linear time
                self._sorted = np.sort(np.concatenate((self._sorted, pending)), kind="stable")
            hashes = np.fromiter((hash(doc_id) for doc_id in by_id), dtype=np.int64, count=len(by_id))
            found = self._sorted[np.minimum(np.searchsorted(self._sorted, hashes), len(self._sorted) - 1)] == hashes
            for doc_id, hit in zip(by_id, found.tolist()):
                if hit:
                    repeated.add(doc_id)
                    batch.duplicates.append(doc_id)
        if not last:
            self._pending = [hash(doc_id) for doc_id in by_id]
        return Chunk(list(by_id.values()), repeated, last)


def _describe(item: object, number: int) -> str:
    doc_id = item.get("id") if isinstance(item, Mapping) else None
    return f"document {number}" + (f" (id {doc_id!r})" if isinstance(doc_id, str) else "")
