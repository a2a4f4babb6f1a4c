"""Documents: what an index holds, and the checks a document must pass before it is added."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .dates import parse_date
from .errors import DocumentError
from .fields import FIELD_NAMES, FIELDS

__all__ = ["Document", "Rejected", "DocumentError", "Batch", "collect", "to_document", "MAX_BODY_CHARS", "MAX_CHARS"]

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
    id: str
    body: str
    title: str | None = None
    date: str | None = None  # ISO YYYY-MM-DD
    source: str | None = None
    url: str | None = None


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
# The id is checked first, then the other required fields, so a reason names the most basic fault.
_CHECK_ORDER = sorted(FIELDS, key=lambda spec: (spec.kind != "id", not spec.required))


def to_document(raw: Mapping[str, object] | Document) -> Document:
    """Check a document dict and return it as a Document; raises DocumentError with the reason."""
    if isinstance(raw, Document):
        return raw
    if not isinstance(raw, Mapping):
        raise DocumentError(f"a document must be a dict, not {type(raw).__name__}")
    unknown = set(raw) - set(FIELD_NAMES)
    if unknown:
        raise DocumentError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
                            f"known fields: {', '.join(FIELD_NAMES)}")
    values: dict[str, Any] = {}
    for spec in _CHECK_ORDER:
        text = _text(raw, spec.name) if spec.required else _optional_text(raw, spec.name)
        if text is None:
            continue
        _check_length(spec.name, text)
        if spec.kind == "id":
            values[spec.name] = _id(text)
        elif spec.kind == "date":
            try:
                values[spec.name] = parse_date(text) if text else None
            except ValueError as exc:
                raise DocumentError(str(exc)) from None
        elif spec.required:
            values[spec.name] = _required_text(spec.name, text)
        else:
            values[spec.name] = _CONTROL.sub(" ", text).strip() or None if text else None
    return Document(**values)


def _check_length(name: str, text: str) -> None:
    limit = MAX_CHARS.get(name, MAX_BODY_CHARS)
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


def _required_text(name: str, text: str) -> str:
    if not text.strip():
        raise DocumentError(f"field {name!r} is empty")
    return _CONTROL.sub(" ", text)


def _text(raw: Mapping[str, object], name: str) -> str:
    if name not in raw or raw[name] is None:
        raise DocumentError(f"missing field {name!r}")
    value = raw[name]
    if isinstance(value, int) and not isinstance(value, bool) and name == "id":
        if value.bit_length() > 4 * MAX_ID_CHARS:  # str() of a huge int is slow, then refused by Python
            raise DocumentError(f"field 'id' is a number of more than {MAX_ID_CHARS} digits; the limit is {MAX_ID_CHARS}")
        return str(value)
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


def _optional_text(raw: Mapping[str, object], name: str) -> str | None:
    return _text(raw, name) if raw.get(name) is not None else None


@dataclass
class Batch:
    """The documents of one `add_documents` call that passed their checks, one per id (the last
    one given wins), with the rejected ones and the ids given more than once."""

    documents: list[Document] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)


def collect(items: Iterable[Mapping[str, Any] | Document | Rejected]) -> Batch:
    """Check every item (dicts, Documents, or Rejected records from a loader, which are kept as
    they are) into a Batch."""
    batch = Batch()
    by_id: dict[str, Document] = {}
    for number, item in enumerate(items, 1):
        if isinstance(item, Rejected):
            batch.rejected.append(item)
            continue
        try:
            doc = to_document(item)
        except DocumentError as exc:
            batch.rejected.append(Rejected(_describe(item, number), str(exc)))
            continue
        if doc.id in by_id:
            batch.duplicates.append(doc.id)
        by_id[doc.id] = doc
    batch.documents = list(by_id.values())
    return batch


def _describe(item: object, number: int) -> str:
    doc_id = item.get("id") if isinstance(item, Mapping) else None
    return f"document {number}" + (f" (id {doc_id!r})" if isinstance(doc_id, str) else "")
