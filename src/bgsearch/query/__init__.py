"""Queries: the syntax (a string → a syntax tree), the plan (what to look for, engine-neutral), and
the expansion between them (analysis, transliteration, typos, the all-words policy, boosts).
Nothing here knows a search engine."""

from .syntax import (
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_PHRASE_WORDS,
    And,
    FieldValue,
    Node,
    Not,
    Or,
    ParsedQuery,
    Phrase,
    Word,
    parse_query,
)

__all__ = [
    "And", "FieldValue", "Node", "Not", "Or", "ParsedQuery", "Phrase", "Word", "parse_query",
    "MAX_CLAUSES", "MAX_DEPTH", "MAX_PHRASE_WORDS",
]
