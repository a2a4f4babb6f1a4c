"""The fields of an index: one table, read by every stage that needs to know them (document checks,
loaders, the query syntax, query expansion, the engine's schema, the command line).

Kinds:
- `id`: the document's unique key, matched exactly (`id:...`);
- `text`: Bulgarian text, analyzed (every inflected form meets), with positions for phrases; the
  ones searched `by_default` are what a word without a field name is looked for in, each match
  weighted by `boost`;
- `keyword`: an exact value, case-folded (`source:БТА`);
- `date`: an ISO date (`date:2025-12`, ranges);
- `stored`: returned with each hit, never searched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Field", "FieldKind", "FIELDS", "FIELD_NAMES", "DEFAULT_FIELDS", "SEARCHABLE", "BODY", "ID_FIELD", "DATE_FIELD",
           "field"]

FieldKind = Literal["id", "text", "keyword", "date", "stored"]


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    by_default: bool = False  # searched by a word that names no field
    boost: float = 1.0  # weight of a match in this field, for words searched by default
    required: bool = False

    @property
    def searchable(self) -> bool:
        return self.kind != "stored"


FIELDS: tuple[Field, ...] = (
    Field("title", "text", by_default=True, boost=2.0),  # short and telling: a match weighs double
    Field("body", "text", by_default=True, required=True),
    Field("source", "keyword"),
    Field("id", "id", required=True),
    Field("date", "date"),
    Field("url", "stored"),
)
FIELD_NAMES: tuple[str, ...] = tuple(f.name for f in FIELDS)
DEFAULT_FIELDS: tuple[Field, ...] = tuple(f for f in FIELDS if f.by_default)
SEARCHABLE: tuple[str, ...] = tuple(f.name for f in FIELDS if f.searchable)
BODY = "body"  # the text snippets are cut from, and where "did you mean" finds a word's spelling
ID_FIELD = next(f.name for f in FIELDS if f.kind == "id")
DATE_FIELD = next(f.name for f in FIELDS if f.kind == "date")  # what date:... and date filters look at

_BY_NAME = {f.name: f for f in FIELDS}


def field(name: str) -> Field:
    """The field called `name` (KeyError if there is none)."""
    return _BY_NAME[name]
