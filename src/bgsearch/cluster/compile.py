"""A query plan (`bgsearch.query.plan`) as OpenSearch query DSL.

The plan names index terms (bgsearch's analysis, which the cluster's `bgsearch_bulgarian` analyzer
reproduces exactly), so words are `term` queries on the text fields, never analyzed again. A phrase
is a `match_phrase` over its terms analyzed by `bgsearch_terms` (whitespace, with `_` standing for
each stop word the phrase skips and removed by a stop filter that keeps its position): Lucene then
builds a phrase query with the plan's exact positions, so `"министър на финансите"` needs the gap
and does not match `министър финансите`.

Scores add up as in the plan (bool `should`/`must` sum their clauses) and every node carries its
boost; the ranking function is OpenSearch's BM25, not Whoosh's BM25F, so the order of hits can
differ from the embedded index while the hit sets are the same.
"""

from __future__ import annotations

from typing import Any

from ..fields import DATE_FIELD
from ..query import plan

__all__ = ["compile_plan", "date_filter", "TERMS_ANALYZER", "GAP"]

TERMS_ANALYZER = "bgsearch_terms"
GAP = "_"  # a stop word's place in a phrase (no bgsearch term is "_": the tokenizer never yields it)

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
    if isinstance(node, plan.DateRange):
        return {"constant_score": {"filter": date_filter(node), "boost": node.boost}}
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


def date_filter(dates: plan.DateRange) -> Query:
    """Documents dated within the range (inclusive)."""
    bounds: dict[str, str] = {"format": "yyyy-MM-dd"}
    if dates.start:
        bounds["gte"] = dates.start
    if dates.end:
        bounds["lte"] = dates.end
    return {"range": {DATE_FIELD: bounds}}
