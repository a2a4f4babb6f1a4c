"""Request parameters as the library takes them: `filter=category:книги` → `filters={"category": "книги"}`.

    filter=category:книги                 filters={"category": "книги"}
    filter=tags:роман&filter=tags:класика  filters={"tags": ["роман", "класика"]}  (repeated: any of)
    filter=price:10..20, price:10..         filters={"price": ("10", "20")}, ("10", None)  (number, date fields)
    filter=published:2024-05                filters={"published": "2024-05"}  (a day, month or year)
    facet=category, category:20             facets={"category": None}, {"category": 20}
    facet=published:month                   facets={"published": "month"}
    facet=price:0..10,10..20,20..           facets={"price": [("0", "10"), ("10", "20"), ("20", None)]}
    sort=-price&sort=category, sort=-price,category   sort=["-price", "category"]

Only the shape is read here; the values are checked by the library against the index's schema
(`bgsearch.query.filters`), whose one-line QuerySyntaxError becomes the 400 answer.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..errors import QuerySyntaxError
from .security import MAX_PARAMS

if TYPE_CHECKING:
    from ..fields import Schema

__all__ = ["parse_filters", "parse_facets", "parse_sort", "filter_param"]

_RANGE_KINDS = ("number", "date")


def _kind(schema: Schema | None, name: str) -> str | None:
    spec = schema.get(name) if schema is not None else None
    return spec.kind if spec is not None else None


def _count(values: Sequence[str], what: str) -> None:
    if len(values) > MAX_PARAMS:
        raise QuerySyntaxError(f"{len(values)} {what} parameters; at most {MAX_PARAMS}")


def parse_filters(schema: Schema | None, values: Sequence[str]) -> dict[str, Any]:
    """`filter=FIELD:VALUE` parameters as `Index.search(filters=...)` takes them."""
    _count(values, "filter")
    found: dict[str, Any] = {}
    for item in values:
        name, sep, value = item.partition(":")
        name = name.strip()
        if not sep or not name:
            raise QuerySyntaxError(f"filter={item!r}: write filter=FIELD:VALUE (category:книги, price:10..20, "
                                   "published:2024-01..2024-06)")
        parsed: Any = value
        if _kind(schema, name) in _RANGE_KINDS and ".." in value:
            start, _, end = value.partition("..")
            parsed = (start.strip() or None, end.strip() or None)
        if name not in found:
            found[name] = parsed
        elif isinstance(found[name], list):
            found[name].append(parsed)
        else:
            found[name] = [found[name], parsed]
    return found


def filter_param(name: str, value: str) -> str:
    """The `filter=` value that keeps documents whose `name` is `value`."""
    return f"{name}:{value}"


def parse_facets(schema: Schema | None, values: Sequence[str]) -> dict[str, Any]:
    """`facet=FIELD[:OPTION]` parameters as `Index.search(facets=...)` takes them."""
    _count(values, "facet")
    found: dict[str, Any] = {}
    for item in values:
        name, sep, option = item.partition(":")
        name, option = name.strip(), option.strip()
        if not name or (sep and not option):
            raise QuerySyntaxError(f"facet={item!r}: write facet=FIELD, facet=FIELD:N (top N values), "
                                   "facet=DATEFIELD:year|month|day or facet=NUMBERFIELD:0..10,10..20,20..")
        parsed: Any = None
        if option.isdigit():
            parsed = int(option)
        elif option and _kind(schema, name) == "number" and ".." in option:
            parsed = []
            for written in option.split(","):
                low, dots, high = written.strip().partition("..")
                if not dots:
                    raise QuerySyntaxError(f"facet={item!r}: give number ranges as LOW..HIGH, separated by commas")
                parsed.append((low.strip() or None, high.strip() or None))
        elif option:
            parsed = option
        found[name] = parsed
    return found


def parse_sort(values: Sequence[str]) -> list[str]:
    """`sort=-price&sort=category` or `sort=-price,category` as `Index.search(sort=...)` takes it."""
    keys = [key.strip() for value in values for key in value.split(",") if key.strip()]
    _count(keys, "sort")
    return keys
