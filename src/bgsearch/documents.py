"""Documents: what an index holds, and the checks a document must pass before it is added."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["Document", "Rejected", "DocumentError", "FIELDS", "parse_date", "to_document"]

FIELDS = ("id", "body", "title", "date", "source", "url")
# A larger body is rejected: it is almost surely not one document (a dump, a book, a log), and
# indexing it would hold the writer for minutes. Split it into documents instead.
MAX_BODY_CHARS = 10_000_000
MAX_ID_CHARS = 512
_OPTIONAL_TEXT = ("title", "source", "url")


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


class DocumentError(ValueError):
    pass


# Control characters other than tab and newlines have no business in text; they are replaced by
# a space so offsets into the stored text stay the same as in the input.
_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DATE_FORMATS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?"), (1, 2, 3)),  # ISO, maybe with a time
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), (3, 2, 1)),  # 16/02/2006, 16.02.2006
)


def parse_date(value: str) -> str:
    """Normalize a date to ISO `YYYY-MM-DD`; accepts ISO (with an optional time) and DD/MM/YYYY."""
    text = value.strip()
    for pattern, (y, m, d) in _DATE_FORMATS:
        match = pattern.fullmatch(text)
        if match:
            try:
                return dt.date(int(match[y]), int(match[m]), int(match[d])).isoformat()
            except ValueError:
                raise DocumentError(f"impossible date {value!r}") from None
    raise DocumentError(f"invalid date {value!r}: use YYYY-MM-DD")


def to_document(raw: Mapping[str, object] | Document) -> Document:
    """Check a document dict and return it as a Document; raises DocumentError with the reason."""
    if isinstance(raw, Document):
        return raw
    if not isinstance(raw, Mapping):
        raise DocumentError(f"a document must be a dict, not {type(raw).__name__}")
    unknown = set(raw) - set(FIELDS)
    if unknown:
        raise DocumentError(f"unknown field(s) {', '.join(sorted(map(str, unknown)))}; "
                            f"known fields: {', '.join(FIELDS)}")
    doc_id = _text(raw, "id")
    if not doc_id.strip():
        raise DocumentError("field 'id' is empty")
    if len(doc_id) > MAX_ID_CHARS:
        raise DocumentError(f"field 'id' is {len(doc_id):,} characters long; the limit is {MAX_ID_CHARS}")
    body = _text(raw, "body")
    if not body.strip():
        raise DocumentError("field 'body' is empty")
    if len(body) > MAX_BODY_CHARS:
        raise DocumentError(
            f"field 'body' is {len(body) / 1e6:.1f} million characters; the limit is "
            f"{MAX_BODY_CHARS / 1e6:g} million: split it into several documents"
        )
    optional = {name: _optional_text(raw, name) for name in _OPTIONAL_TEXT}
    date = _optional_text(raw, "date")
    return Document(
        id=doc_id.strip(),
        body=_CONTROL.sub(" ", body),
        date=parse_date(date) if date else None,
        **{name: _CONTROL.sub(" ", v).strip() or None if v else None for name, v in optional.items()},
    )


def _text(raw: Mapping[str, object], name: str) -> str:
    if name not in raw or raw[name] is None:
        raise DocumentError(f"missing field {name!r}")
    value = raw[name]
    if isinstance(value, int) and not isinstance(value, bool) and name == "id":
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
