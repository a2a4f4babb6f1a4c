"""A query plan (`bgsearch.query.plan`) as OpenSearch query DSL: the query, its filters, its sort
order and its facets (aggregations), for an index of a given schema (`bgsearch.fields.Schema`).

The plan names index terms (bgsearch's analysis, which the cluster's `bgsearch_bulgarian` analyzer
reproduces exactly), so words are `term` queries on the text fields, never analyzed again. A phrase
is a `match_phrase` over its terms analyzed by `bgsearch_terms` (whitespace, with `_` standing for
each stop word the phrase skips and removed by a stop filter that keeps its position): Lucene then
builds a phrase query with the plan's exact positions, so `"министър на финансите"` needs the gap
and does not match `министър финансите`.

Scores add up as in the plan (bool `should`/`must` sum their clauses) and every node carries its
boost; the ranking function is OpenSearch's BM25, not Whoosh's BM25F, so the order of hits can
differ from the embedded index while the hit sets are the same.

Filters (`Values`, `Range`) are exact and score nothing, as in the embedded engine: the plan's
top-level filters are `bool.filter` clauses, and one inside the query tree (in an OR, under a NOT)
is a `constant_score` of boost 0. A keyword's values are sent as the plan folded them; the keyword
field's `bgsearch_lowercase` normalizer folds them again, which changes nothing.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Any

from ..fields import Field, Schema, index_term
from ..query import plan

__all__ = [
    "compile_plan", "filter_clause", "sort_clauses", "facet_aggregations", "facet_counts",
    "ORDER_FIELD", "TERMS_ANALYZER", "GAP", "DATE_FORMAT", "PERIOD_FORMATS",
]

TERMS_ANALYZER = "bgsearch_terms"
GAP = "_"  # a stop word's place in a phrase (no bgsearch term is "_": the tokenizer never yields it)
# Each document's place in the order it was added (nanoseconds: one add_documents call's start plus
# the document's number in it): the embedded engine breaks ties by index order, and so does this.
# Its name cannot be a schema field's (a field name has no double underscore).
ORDER_FIELD = "bgsearch__order"
DATE_FORMAT = "yyyy-MM-dd"
PERIOD_FORMATS = {"year": "yyyy", "month": "yyyy-MM", "day": "yyyy-MM-dd"}
_FACET = "facet:"  # aggregation names: the prefix, then the field

Query = dict[str, Any]


def compile_plan(node: plan.Node) -> Query:
    """The OpenSearch query of a plan node (and its children)."""
    if isinstance(node, plan.Term):
        return {"term": {node.field: {"value": node.text, "boost": node.boost}}}
    if isinstance(node, plan.Phrase):
        return {"match_phrase": {node.field: {"query": phrase_text(node), "analyzer": TERMS_ANALYZER,
                                              "slop": 0, "boost": node.boost}}}
    if isinstance(node, plan.Prefix):
        # A constant score per match, as the embedded engine (OpenSearch's default rewrite). Unlike
        # the embedded engine it is not bounded to the 256 most frequent terms: a very short prefix
        # can match more documents here.
        return {"prefix": {node.field: {"value": node.prefix, "boost": node.boost}}}
    if isinstance(node, (plan.Values, plan.Range)):
        return {"constant_score": {"filter": filter_clause(node), "boost": 0.0}}  # scores nothing
    if isinstance(node, plan.Everything):
        return {"match_all": {"boost": node.boost}}
    if isinstance(node, plan.Not):
        return {"bool": {"must": [{"match_all": {}}], "must_not": [compile_plan(node.child)], "boost": node.boost}}
    if isinstance(node, (plan.AnyOf, plan.AnyWords)):
        children = node.children if isinstance(node, plan.AnyOf) else node.words
        return {"bool": {"should": [compile_plan(child) for child in children], "minimum_should_match": 1,
                         "boost": node.boost}}
    children = node.children if isinstance(node, plan.AllOf) else node.words
    must = [compile_plan(child) for child in children if not isinstance(child, plan.Not)]
    must_not = [compile_plan(child.child) for child in children if isinstance(child, plan.Not)]
    query: Query = {"bool": {"must": must or [{"match_all": {}}], "boost": node.boost}}
    if must_not:
        query["bool"]["must_not"] = must_not
    return query


def phrase_text(node: plan.Phrase) -> str:
    """The phrase's terms, separated by one GAP for each position a stop word holds."""
    words: list[str] = []
    for i, (term, position) in enumerate(zip(node.terms, node.positions)):
        if i:
            words += [GAP] * max(0, position - node.positions[i - 1] - 1)
        words.append(term)
    return " ".join(words)


# -- filters ---------------------------------------------------------------------------------------


def filter_clause(node: plan.Filter) -> Query:
    """The documents that pass one filter: any of a keyword's or boolean's values (none given: no
    document), or a number or date within an inclusive range."""
    if isinstance(node, plan.Values):
        if not node.values:
            return {"match_none": {}}
        return {"terms": {node.field: list(node.values)}}
    bounds: dict[str, Any] = {}
    is_date = isinstance(node.start, str) or isinstance(node.end, str)
    if node.start is not None:
        bounds["gte"] = _day(node.start, last=False) if is_date else node.start
    if node.end is not None:
        bounds["lte"] = _day(node.end, last=True) if is_date else node.end
    if not bounds:
        return {"exists": {"field": node.field}}
    if is_date:
        bounds["format"] = DATE_FORMAT
    return {"range": {node.field: bounds}}


def _day(value: float | str, last: bool) -> str:
    """An ISO day for a date bound; OpenSearch parses dates, so a bound past a month's end
    ("2024-02-31", which compares right as a string) is the month's last day."""
    text = str(value)
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        year, month, day = (int(part) for part in text.split("-"))
        days = calendar.monthrange(year, month)[1]
        return dt.date(year, month, min(day, days) if last else max(1, min(day, days))).isoformat()


# -- sorting ---------------------------------------------------------------------------------------


def sort_clauses(keys: tuple[plan.SortKey, ...], scored: bool) -> list[Any]:
    """The sort of a page: the keys (documents without a value last, in either direction), then
    relevance (when the query scores), then the order the documents were added, as the embedded
    engine breaks ties (relevance, then index order)."""
    clauses: list[Any] = [{key.field: {"order": "desc" if key.descending else "asc", "missing": "_last"}}
                          for key in keys]
    if scored:
        clauses.append({"_score": {"order": "desc"}})
    clauses.append({ORDER_FIELD: {"order": "asc", "missing": "_last", "unmapped_type": "long"}})
    return clauses


# -- facets ----------------------------------------------------------------------------------------


def facet_aggregations(requests: tuple[plan.FacetRequest, ...], schema: Schema) -> dict[str, Any]:
    """The aggregations of the facets asked for, one per field: the `top` most frequent values
    (most first, ties in value order), a date histogram by year, month or day, or number ranges
    (low inclusive, high exclusive)."""
    aggregations: dict[str, Any] = {}
    for request in requests:
        spec = schema.field(request.field)
        name = _FACET + request.field
        if request.ranges:
            ranges = []
            for low, high in request.ranges:
                bucket: dict[str, Any] = {"key": plan.range_label(low, high)}
                if low is not None:
                    bucket["from"] = low
                if high is not None:
                    bucket["to"] = high
                ranges.append(bucket)
            aggregations[name] = {"range": {"field": request.field, "ranges": ranges, "keyed": False}}
        elif spec.kind == "date" and request.period is not None:
            aggregations[name] = {"date_histogram": {
                "field": request.field, "calendar_interval": request.period, "min_doc_count": 1,
                "format": PERIOD_FORMATS[request.period],
            }}
        else:
            # Each shard sends its top values; with more distinct values than `shard_size` on a shard
            # a count can fall short (OpenSearch's doc_count_error_upper_bound): the sizes below make
            # every count exact up to 4 x top (+100) distinct values per shard.
            size = request.top
            aggregations[name] = {"terms": {
                "field": request.field, "size": size, "shard_size": 4 * size + 100, "min_doc_count": 1,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            }}
    return aggregations


def facet_counts(answer: Any, requests: tuple[plan.FacetRequest, ...], schema: Schema) -> dict[str, dict[str, int]]:
    """The facet counts of a search answer: per field, value → matches (keywords as the index
    folds them: `labels` writes them as documents do)."""
    found = answer.get("aggregations", {})
    counts: dict[str, dict[str, int]] = {}
    for request in requests:
        spec = schema.field(request.field)
        buckets = found.get(_FACET + request.field, {}).get("buckets", [])
        if request.ranges:
            counts[request.field] = {bucket["key"]: int(bucket["doc_count"]) for bucket in buckets}
            continue
        pairs = [(_bucket_label(spec, bucket), int(bucket["doc_count"])) for bucket in buckets if bucket["doc_count"]]
        # Most first, ties in value order (numbers by value), as the embedded engine orders them.
        pairs.sort(key=lambda pair: (-pair[1], float(pair[0]) if spec.kind == "number" else pair[0]))
        counts[request.field] = dict(pairs[: request.top])
    return counts


def _bucket_label(spec: Field, bucket: dict[str, Any]) -> str:
    if spec.kind == "date":
        return str(bucket["key_as_string"])
    if spec.kind == "boolean":
        return "true" if bucket["key"] in (1, True, "true") else "false"
    if spec.kind == "number":
        return index_term(spec, bucket["key"])
    return str(bucket["key"])


