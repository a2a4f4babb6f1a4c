"""Filters, sorting and facets: what a search asks of the keyword, number, date and boolean fields,
read from the query (`category:книги price:10..20`), from `filters=`, `sort=` and `facets=`, and
checked against the schema. Every mistake is a QuerySyntaxError naming the field and what to write.

    filters={"category": "книги"}             the value (a keyword as the index folds it)
    filters={"tags": ["роман", "класика"]}    any of the values
    filters={"price": (10, 20)}                an inclusive range; None: open (10, None)
    filters={"published": "2024"}             a day, a month or a year; ranges of them
    filters={"in_stock": True}
    category:книги  price:10..20  price:..20  published:2024-01..2024-06  in_stock:true
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Any

from ..dates import period
from ..errors import QuerySyntaxError
from ..fields import Field, Schema, index_term
from . import plan

__all__ = ["filter_node", "filters_from", "sort_keys", "facet_requests", "MAX_FILTER_VALUES", "MAX_FACET_VALUES"]

MAX_FILTER_VALUES = 1024  # values of one "any of" filter, as the query syntax's clause bound
MAX_FACET_VALUES = 1000  # values a facet may return
_PERIODS = ("year", "month", "day")


def filters_from(schema: Schema, filters: Mapping[str, Any] | None) -> list[plan.Filter]:
    """The plan filters of a `filters=` mapping (every one must hold)."""
    found: list[plan.Filter] = []
    for name, value in (filters or {}).items():
        spec = _filter_field(schema, name, "filter")
        found.append(_value_filter(spec, value))
    return found


def filter_node(schema: Schema, name: str, text: str) -> plan.Filter:
    """The plan filter of `name:text` in a query (a value, or a range `a..b`, `a..`, `..b`)."""
    spec = _filter_field(schema, name, "filter")
    start, sep, end = text.partition("..") if spec.kind in ("number", "date") else (text, "", "")
    if not sep:
        if spec.kind in ("number", "date"):
            low, high = _bound(spec, text, "start"), _bound(spec, text, "end")
            return plan.Range(spec.name, low, high)
        return plan.Values(spec.name, (_term(spec, text),))
    if not start and not end:
        raise QuerySyntaxError(f"{name}:.. needs a start or an end: {name}:FROM.. or {name}:..TO")
    return _range(spec, start or None, end or None)


def sort_keys(schema: Schema, sort: str | Sequence[str] | None) -> tuple[plan.SortKey, ...]:
    """`"-price"` or `["category", "-published"]` as sort keys; a field must be declared sortable."""
    if sort is None:
        return ()
    names = [sort] if isinstance(sort, str) else list(sort)
    keys = []
    for written in names:
        if not isinstance(written, str) or not written.strip("-+ "):
            raise QuerySyntaxError(f"sort: {written!r}: name a field, with a leading - to sort descending (-published)")
        text = written.strip()
        descending = text.startswith("-")
        spec = _filter_field(schema, text.lstrip("-+"), "sort by")
        if not spec.sortable:
            raise QuerySyntaxError(f"sort: field {spec.name!r} is not sortable: declare it \"sortable\": true in the schema")
        keys.append(plan.SortKey(spec.name, descending))
    return tuple(keys)


def facet_requests(schema: Schema, facets: Sequence[str] | Mapping[str, Any] | None) -> tuple[plan.FacetRequest, ...]:
    """`["category", "tags"]`, or `{"category": 20, "published": "month", "price": [(0, 10), (10, None)]}`."""
    if facets is None:
        return ()
    if isinstance(facets, str):
        facets = [facets]
    items = facets.items() if isinstance(facets, Mapping) else ((name, None) for name in facets)
    requests = []
    for name, option in items:
        spec = _filter_field(schema, name, "count")
        if not spec.facet:
            raise QuerySyntaxError(f"facets: field {spec.name!r} is not a facet: declare it \"facet\": true in the schema")
        requests.append(_facet(spec, option))
    return tuple(requests)


def _facet(spec: Field, option: Any) -> plan.FacetRequest:
    if option is None:
        return plan.FacetRequest(spec.name, period="year" if spec.kind == "date" else None)
    if isinstance(option, int) and not isinstance(option, bool):
        if not 1 <= option <= MAX_FACET_VALUES:
            raise QuerySyntaxError(f"facets: {spec.name}: give between 1 and {MAX_FACET_VALUES} values, not {option}")
        return plan.FacetRequest(spec.name, top=option, period="year" if spec.kind == "date" else None)
    if isinstance(option, str) and spec.kind == "date":
        if option not in _PERIODS:
            raise QuerySyntaxError(f"facets: {spec.name}: count by {', '.join(_PERIODS)}, not {option!r}")
        return plan.FacetRequest(spec.name, top=MAX_FACET_VALUES, period=option)
    if isinstance(option, Sequence) and not isinstance(option, str) and spec.kind == "number":
        ranges = []
        for item in option:
            if not isinstance(item, Sequence) or isinstance(item, str) or len(item) != 2:
                raise QuerySyntaxError(f"facets: {spec.name}: give ranges as (low, high) pairs, not {item!r}")
            low, high = (None if bound is None else _number(spec, bound) for bound in item)
            ranges.append((low, high))
        return plan.FacetRequest(spec.name, ranges=tuple(ranges))
    raise QuerySyntaxError(f"facets: {spec.name}: {option!r} is not a count of values"
                           f"{', a period (year, month, day)' if spec.kind == 'date' else ''}"
                           f"{' or a list of (low, high) ranges' if spec.kind == 'number' else ''}")


def _filter_field(schema: Schema, name: object, verb: str) -> Field:
    spec = schema.get(name) if isinstance(name, str) else None
    usable = [spec.name for spec in schema if spec.is_filter]
    if spec is None or not spec.is_filter:
        what = "no such field" if spec is None else f"a {spec.kind} field"
        raise QuerySyntaxError(f"cannot {verb} {name!r} ({what}); the keyword, number, date and boolean fields are: "
                               f"{', '.join(usable) or 'none'}")
    return spec


def _value_filter(spec: Field, value: Any) -> plan.Filter:
    if isinstance(value, tuple):
        if len(value) != 2:
            raise QuerySyntaxError(f"filter {spec.name}: a range is a (low, high) pair; None leaves an end open")
        if spec.kind not in ("number", "date"):
            raise QuerySyntaxError(f"filter {spec.name}: a range applies to number and date fields; {spec.name} is a {spec.kind}")
        low, high = value
        if low is None and high is None:
            raise QuerySyntaxError(f"filter {spec.name}: (None, None) limits nothing: give a start or an end")
        return _range(spec, _written(low), _written(high))
    if isinstance(value, (list, set, frozenset)):
        values = list(value)
        if not values:
            return plan.Values(spec.name, ())  # any of nothing: no document
        if len(values) > MAX_FILTER_VALUES:
            raise QuerySyntaxError(f"filter {spec.name}: {len(values)} values; at most {MAX_FILTER_VALUES}")
        if spec.kind in ("number", "date"):
            raise QuerySyntaxError(f"filter {spec.name}: give one value or a (low, high) range")
        return plan.Values(spec.name, tuple(dict.fromkeys(_term(spec, item) for item in values)))
    if spec.kind in ("number", "date"):
        text = _written(value)
        assert text is not None
        return plan.Range(spec.name, _bound(spec, text, "start"), _bound(spec, text, "end"))
    return plan.Values(spec.name, (_term(spec, value),))


def _written(value: Any) -> Any:
    """A filter value as the query syntax would write it (dates as ISO text)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _range(spec: Field, start: Any, end: Any) -> plan.Range:
    low = None if start is None else _bound(spec, start, "start")
    high = None if end is None else _bound(spec, end, "end")
    return plan.Range(spec.name, low, high)


def _bound(spec: Field, value: Any, side: str) -> float | str:
    """One end of a range: a number, or the first (start) or last (end) day of a date's period."""
    if spec.kind == "number":
        return _number(spec, value)
    text = str(_written(value)).strip()
    try:
        first, last = period(text)
    except ValueError:
        raise QuerySyntaxError(
            f"{spec.name}:{text}: use {spec.name}:YYYY-MM-DD, {spec.name}:YYYY-MM, {spec.name}:YYYY or a range {spec.name}:FROM..TO"
        ) from None
    return first if side == "start" else last


def _number(spec: Field, value: Any) -> float:
    try:
        number = float(value) if not isinstance(value, bool) else math.nan
    except (TypeError, ValueError):
        number = math.nan
    if not math.isfinite(number):
        raise QuerySyntaxError(f"{spec.name}: {value!r} is not a number (write {spec.name}:10, {spec.name}:10..20 or {spec.name}:..20)")
    return number


def _term(spec: Field, value: Any) -> str:
    """The index term of a keyword or boolean value."""
    if spec.kind == "boolean":
        if isinstance(value, bool):
            return index_term(spec, value)
        text = str(value).strip().lower()
        if text not in ("true", "false"):
            raise QuerySyntaxError(f"{spec.name}: {value!r} is not a boolean (write {spec.name}:true or {spec.name}:false)")
        return text
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise QuerySyntaxError(f"filter {spec.name}: {value!r} is not a keyword value (give text)")
    return index_term(spec, str(value).strip())
