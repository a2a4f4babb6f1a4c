"""A hit from a matched document's stored fields: its snippets and its fields, the same for every
engine (the embedded index and a cluster)."""

from __future__ import annotations

from typing import Any

from .analysis.pipeline import Pipeline
from .fields import ID_FIELD, Schema
from .highlight import NO_SNIPPET, Locate, Snippet, document_snippet, make_snippet
from .query.plan import QueryPlan
from .results import Hit

__all__ = ["make_hit", "HIT_ATTRIBUTES"]

HIT_ATTRIBUTES = ("title", "date", "source", "url")  # the fields Hit names, where the schema has them


def make_hit(
    schema: Schema,
    pipeline: Pipeline,
    plan: QueryPlan,
    stored: dict[str, Any],
    score: float,
    *,
    snippets: bool,
    fragments: int,
    fallback: bool,
    locate: Locate,
) -> Hit:
    """The hit of a document (`stored`: its stored fields) with the snippets of its text fields: the
    body's always, another's where a query word matched in it. `locate` tells where the query's terms
    stand in the body (from the engine), for long texts and hits that may lack some words."""
    made: dict[str, Snippet] = {}
    if snippets:
        some_words = fallback or plan.any_word  # a hit may lack some of the words
        for spec in schema.text_fields:
            text = stored.get(spec.name)
            if not isinstance(text, str):
                continue
            if spec.name == schema.body:
                made[spec.name] = document_snippet(text, plan.highlight_terms, plan.highlight_prefixes, pipeline,
                                                   some_words, locate, fragments=fragments)
                continue
            snippet = make_snippet(text, plan.highlight_terms, pipeline, prefixes=plan.highlight_prefixes,
                                   fragments=fragments)
            if snippet.highlights:
                made[spec.name] = snippet
    body = made.get(schema.body, NO_SNIPPET)
    fields = {name: value for name, value in stored.items() if name != ID_FIELD}
    named = {name: fields.get(name) if name in schema else None for name in HIT_ATTRIBUTES}
    return Hit(id=str(stored[ID_FIELD]), score=score, **named, snippet=body.text, highlights=body.highlights,
               fields=fields, snippets=made)
