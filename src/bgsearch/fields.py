"""The fields of an index: its schema, one table read by every stage that needs to know the fields
(document checks, loaders, the query syntax, query expansion, the engine, the command line).

Kinds (`type` in a schema dict or JSON file):
- `id`: the document's unique key, matched exactly (`id:...`); every schema has it, named `id`;
- `text`: Bulgarian text, analyzed (every inflected form meets), with positions for phrases, and
  highlighted in snippets; a word that names no field is looked for in every text field, a match
  weighted by the field's `boost`;
- `keyword`: an exact value (`category:книги`), case-folded unless `case_sensitive`; `multi`: a
  list of values (tags);
- `number`: an int or a float (`price:10..20`);
- `date`: an ISO date `YYYY-MM-DD` (`published:2024`, `published:2024-01..2024-06`);
- `boolean`: true or false (`in_stock:true`);
- `stored`: any JSON value, returned with each hit, never searched.

`keyword`, `number`, `date` and `boolean` fields are filters: they never change a score. They can
be `facet` (counted per value over all matches) and `sortable` (single-valued ones).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field as dataclass_field
from typing import Any, Literal

from .errors import SchemaError

__all__ = ["Field", "FieldKind", "Schema", "DEFAULT_SCHEMA", "ID_FIELD", "FILTER_KINDS", "KINDS", "index_term", "number_text"]

FieldKind = Literal["id", "text", "keyword", "number", "date", "boolean", "stored"]
KINDS: tuple[str, ...] = ("id", "text", "keyword", "number", "date", "boolean", "stored")
FILTER_KINDS: frozenset[str] = frozenset({"keyword", "number", "date", "boolean"})  # filter, facet, sort
ID_FIELD = "id"
# The options of each kind, beside "type"; anything else in a schema is a mistake worth a message.
_OPTIONS: dict[str, frozenset[str]] = {
    "id": frozenset(),
    "text": frozenset({"boost", "stored", "required"}),
    "keyword": frozenset({"multi", "case_sensitive", "facet", "sortable", "stored", "required"}),
    "number": frozenset({"facet", "sortable", "stored", "required"}),
    "date": frozenset({"facet", "sortable", "stored", "required"}),
    "boolean": frozenset({"facet", "sortable", "stored", "required"}),
    "stored": frozenset({"required"}),
}
# Field names a query can write before a colon (the query syntax's own rule for `name:`).
_NAME = re.compile(r"[^\W\d_][^\W_]*(?:_[^\W_]+)*")
MAX_FIELDS = 256


@dataclass(frozen=True)
class Field:
    name: str
    kind: FieldKind
    boost: float = 1.0  # text: weight of a match in this field
    stored: bool = True  # returned with hits (`hit.fields`)
    multi: bool = False  # keyword: a list of values
    case_sensitive: bool = False  # keyword: matched as written, not case-folded
    facet: bool = False
    sortable: bool = False
    required: bool = False  # a document without it is rejected

    @property
    def searchable(self) -> bool:
        """Named in a query (`name:value`)."""
        return self.kind != "stored"

    @property
    def is_filter(self) -> bool:
        return self.kind in FILTER_KINDS

    def to_dict(self) -> dict[str, Any]:
        """The field as a schema entry: its type and the options that differ from their default."""
        entry: dict[str, Any] = {"type": self.kind}
        default = Field(self.name, self.kind)
        for option in sorted(_OPTIONS[self.kind]):
            value = getattr(self, option)
            if value != getattr(default, option):
                entry[option] = value
        return entry


@dataclass(frozen=True)
class Schema:
    """The fields of an index, in the order given; `id` is always there (first)."""

    fields: tuple[Field, ...]
    _by_name: dict[str, Field] = dataclass_field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {spec.name: spec for spec in self.fields})

    # -- making one --------------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, entries: Mapping[str, Any], origin: str = "schema") -> Schema:
        """A schema from `{"name": {"type": "text", ...}, ...}`; raises SchemaError naming the field
        and what is wrong. `id` may be left out (it is always there)."""
        if not isinstance(entries, Mapping):
            raise SchemaError(f"{origin}: a schema is an object of fields, not {type(entries).__name__}")
        if len(entries) > MAX_FIELDS:
            raise SchemaError(f"{origin}: {len(entries)} fields; at most {MAX_FIELDS}")
        fields = [Field(ID_FIELD, "id", required=True)]
        for name, entry in entries.items():
            spec = _field(name, entry, origin)
            if spec.kind == "id":
                if name != ID_FIELD:
                    raise SchemaError(f"{origin}: field {name!r}: only the field named 'id' is the id")
                continue
            if name == ID_FIELD:
                raise SchemaError(f"{origin}: field 'id' is always the document's id; leave it out or give it type \"id\"")
            fields.append(spec)
        if not any(spec.kind == "text" for spec in fields):
            raise SchemaError(f"{origin}: no text field: a schema needs at least one field of type \"text\" to search")
        return cls(tuple(fields))

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> Schema:
        """A schema from a JSON file; raises SchemaError naming the file and line on a mistake."""
        try:
            with open(path, encoding="utf-8") as file:
                text = file.read(1 << 20)
        except OSError as exc:
            raise SchemaError(f"{path}: cannot read the schema: {exc.strerror}") from None
        except UnicodeDecodeError:
            raise SchemaError(f"{path}: a schema file is UTF-8 JSON") from None
        try:
            entries = json.loads(text)
        except ValueError as exc:
            line = getattr(exc, "lineno", None)
            raise SchemaError(f"{path}{f':{line}' if line else ''}: not valid JSON ({exc}): write the schema as a JSON object") from None
        return cls.from_dict(entries, str(path))

    @classmethod
    def of(cls, schema: Schema | Mapping[str, Any] | str | os.PathLike[str] | None) -> Schema:
        """A schema given as a Schema, a dict, or a path to a JSON file; None: the default one."""
        if schema is None:
            return DEFAULT_SCHEMA
        if isinstance(schema, Schema):
            return schema
        if isinstance(schema, (str, os.PathLike)):
            return cls.from_json(schema)
        return cls.from_dict(schema)

    def to_dict(self) -> dict[str, dict[str, Any]]:
        """The schema as its JSON object (`id` included)."""
        return {spec.name: spec.to_dict() for spec in self.fields}

    # -- asking it ---------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Field]:
        return iter(self.fields)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def field(self, name: str) -> Field:
        """The field called `name` (KeyError if there is none)."""
        return self._by_name[name]

    def get(self, name: str) -> Field | None:
        return self._by_name.get(name)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    @property
    def text_fields(self) -> tuple[Field, ...]:
        """Where a word that names no field is looked for."""
        return tuple(spec for spec in self.fields if spec.kind == "text")

    @property
    def searchable(self) -> tuple[str, ...]:
        return tuple(spec.name for spec in self.fields if spec.searchable)

    @property
    def body(self) -> str:
        """The text field snippets are cut from, and where "did you mean" finds a word's spelling:
        `body` if the schema has such a text field, else the first text field of no boost (the
        longer text, as a title is boosted), else the first."""
        texts = self.text_fields
        named = self.get("body")
        if named is not None and named.kind == "text":
            return named.name
        plain = [spec for spec in texts if spec.boost == 1.0]
        return (plain or list(texts))[0].name

    @property
    def date_field(self) -> str | None:
        """The date that orders documents newest first when a query scores nothing (a filter or a
        prefix alone), and that `--from`/`--to` limit: the first sortable date field, else the first."""
        dates = [spec for spec in self.fields if spec.kind == "date"]
        sortable = [spec for spec in dates if spec.sortable]
        return (sortable or dates)[0].name if dates else None

    def extends(self, older: Schema) -> bool:
        """True if this schema has every field of `older`, unchanged (it may add fields)."""
        return all(self._by_name.get(spec.name) == spec for spec in older.fields)

    def check_extends(self, recorded: Schema, index: str, remedy: str) -> None:
        """Raise SchemaError (one line: the first field that differs, both ways it is written, and
        `remedy`) unless this schema is `recorded` or adds fields to it; `index` names the index."""
        if self.extends(recorded):
            return
        changed = next(spec for spec in recorded if self.get(spec.name) != spec)
        given = self.get(changed.name)
        raise SchemaError(
            f"{index} has field {changed.name!r} as {json.dumps(changed.to_dict(), ensure_ascii=False)}, the schema "
            f"given has {json.dumps(given.to_dict(), ensure_ascii=False) if given else 'no such field'}: a schema may "
            f"only add fields; to change one, {remedy}")

    def describe(self) -> str:
        """One line: each field's name and type."""
        return ", ".join(f"{spec.name} ({spec.kind})" for spec in self.fields)


def number_text(value: float) -> str:
    """A number as its shortest decimal: 10, 12.5 (an integral float is written as an integer)."""
    number = float(value)
    return str(int(number)) if number.is_integer() and abs(number) < 2 ** 53 else repr(number)


def index_term(spec: Field, value: Any) -> str:
    """The index term of one checked value of a keyword, number, date or boolean field: a keyword as
    the index folds it, a number as its shortest decimal (10, 12.5), a date as ISO, true/false."""
    if spec.kind == "boolean":
        return "true" if value else "false"
    if spec.kind == "number":
        return number_text(value)
    if spec.kind == "keyword" and not spec.case_sensitive:
        return str(value).lower()
    return str(value)


def _field(name: object, entry: object, origin: str) -> Field:
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise SchemaError(f"{origin}: field name {name!r}: use letters, digits and single underscores, starting "
                          "with a letter (a query writes it as name:value)")
    if isinstance(entry, str):
        entry = {"type": entry}
    if not isinstance(entry, Mapping):
        raise SchemaError(f"{origin}: field {name!r}: give an object such as {{\"type\": \"keyword\"}}")
    kind = entry.get("type")
    if kind not in KINDS:
        raise SchemaError(f"{origin}: field {name!r}: type {kind!r} is not one of {', '.join(KINDS)}")
    unknown = sorted(set(entry) - {"type"} - _OPTIONS[kind])
    if unknown:
        allowed = ", ".join(sorted(_OPTIONS[kind])) or "none"
        raise SchemaError(f"{origin}: field {name!r}: option {unknown[0]!r} does not apply to type {kind!r} "
                          f"(its options: {allowed})")
    options: dict[str, Any] = {}
    for option in _OPTIONS[kind]:
        if option not in entry:
            continue
        value = entry[option]
        if option == "boost":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= 1000:
                raise SchemaError(f"{origin}: field {name!r}: boost must be a number above 0 (at most 1000), not {value!r}")
            value = float(value)
        elif not isinstance(value, bool):
            raise SchemaError(f"{origin}: field {name!r}: {option} must be true or false, not {value!r}")
        options[option] = value
    if options.get("multi") and options.get("sortable"):
        raise SchemaError(f"{origin}: field {name!r}: a multi-valued field cannot be sortable (which value would it sort by?)")
    return Field(name, kind, **options)


DEFAULT_SCHEMA = Schema((
    Field(ID_FIELD, "id", required=True),
    Field("title", "text", boost=2.0),  # short and telling: a match weighs double
    Field("body", "text", required=True),
    Field("source", "keyword", facet=True),
    Field("date", "date", facet=True, sortable=True),
    Field("url", "stored"),
))
