"""The query plan: what to look for, in which fields, with what weight — plain data that any engine
can compile (Whoosh locally: `bgsearch.engine.compile`; a cluster engine likewise).

A plan node names index terms (already analyzed), never query text, and says how documents that
match its parts are scored: the parts' scores add up, each multiplied by its `boost`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import TypeVar

from ..fields import number_text

__all__ = [
    "Node", "Term", "Phrase", "Prefix", "Values", "Range", "AnyOf", "AllOf", "Not", "Everything",
    "AllWords", "AnyWords", "Filter", "SortKey", "FacetRequest", "QueryPlan", "any_of", "all_of", "boosted",
    "range_label",
]


@dataclass(frozen=True)
class Term:
    """Documents with `text` (an index term, or an exact value of an id or keyword field) in `field`."""

    field: str
    text: str
    boost: float = 1.0


@dataclass(frozen=True)
class Phrase:
    """Documents with `terms` in `field` at `positions` (token positions; only their differences
    matter: a stop word leaves a gap)."""

    field: str
    terms: tuple[str, ...]
    positions: tuple[int, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Prefix:
    """Documents with a term of `field` that starts with `prefix` (normalized, not stemmed); each
    match scores `boost`. An engine bounds how many terms it expands to."""

    field: str
    prefix: str
    boost: float = 1.0


@dataclass(frozen=True)
class Values:
    """Documents whose `field` (a keyword or a boolean) holds any of `values` (index terms: as the
    index folds them, `fields.index_term`). Scores nothing: a filter."""

    field: str
    values: tuple[str, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Range:
    """Documents whose `field` (a number, or a date as ISO text) is within [start, end] (inclusive;
    None: open). Scores nothing: a filter."""

    field: str
    start: float | str | None
    end: float | str | None
    boost: float = 1.0


@dataclass(frozen=True)
class AnyOf:
    """Documents that match any child (an OR, a word's readings, a word's fields)."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AllOf:
    """Documents that match every child."""

    children: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class Not:
    """Documents that do not match `child` (only ever inside an AllOf)."""

    child: Node
    boost: float = 1.0


@dataclass(frozen=True)
class Everything:
    boost: float = 1.0


@dataclass(frozen=True)
class AllWords:
    """The words of a short query: a document must have every one. Each word is a Term, a Phrase or
    an AnyOf of its readings; an engine may rank them together, from whole postings."""

    words: tuple[Node, ...]
    boost: float = 1.0


@dataclass(frozen=True)
class AnyWords:
    """The words of a long query (or a short one's fallback, or an OR of words): a document needs
    any of them, and scores higher the more (and rarer) words it has (their scores add up)."""

    words: tuple[Node, ...]
    boost: float = 1.0


Node = Term | Phrase | Prefix | Values | Range | AnyOf | AllOf | Not | Everything | AllWords | AnyWords
Filter = Values | Range


@dataclass(frozen=True)
class SortKey:
    """Order by `field` (a sortable keyword, number, date or boolean); documents without it come last."""

    field: str
    descending: bool = False


@dataclass(frozen=True)
class FacetRequest:
    """Count the matches per value of `field`: the `top` most frequent values (keywords, booleans,
    numbers without ranges), or per `period` of a date ("year", "month", "day"), or per range of a
    number (`ranges`: inclusive low, exclusive high; None: open)."""

    field: str
    top: int = 20
    period: str | None = None
    ranges: tuple[tuple[float | None, float | None], ...] = ()


def range_label(low: float | None, high: float | None) -> str:
    """A number range's facet label, the same from every engine: "10..20", "..10", "20.."."""
    return f"{'' if low is None else number_text(low)}..{'' if high is None else number_text(high)}"
N = TypeVar("N", bound=Node)


def boosted(node: N, factor: float) -> N:
    """`node` with its boost multiplied by `factor`."""
    return dataclasses.replace(node, boost=node.boost * factor)


def any_of(children: list[Node]) -> Node:
    return children[0] if len(children) == 1 else AnyOf(tuple(children))


def all_of(children: list[Node]) -> Node:
    if all(isinstance(child, Not) for child in children):
        children = [Everything(), *children]  # "NOT x" alone means: everything but x
    return children[0] if len(children) == 1 else AllOf(tuple(children))


@dataclass
class QueryPlan:
    """Everything a search needs from the query: what to match, what to fall back to, what to
    filter by, what to highlight, and what to tell the user."""

    query: Node | None  # None: nothing to search for (an empty query, only stop words)
    fallback: Node | None = None  # searched when `query` finds nothing: any word instead of all
    filters: tuple[Filter, ...] = ()  # only documents that pass every one
    sort: tuple[SortKey, ...] = ()  # empty: by relevance (a query that scores nothing: newest first, if dated)
    facets: tuple[FacetRequest, ...] = ()
    scored: bool = True  # False: every match scores the same (a filter or a prefix alone)
    any_word: bool = False  # ranked by any of the words: a hit may lack some
    highlight_terms: frozenset[str] = frozenset()
    highlight_prefixes: tuple[str, ...] = ()
    suggestions: dict[str, str] = field(default_factory=dict)  # misspelled word → indexed word
    did_you_mean: str | None = None
    notices: list[str] = field(default_factory=list)
