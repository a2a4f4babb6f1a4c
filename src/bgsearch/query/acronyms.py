"""Acronyms and what they stand for (`data/acronyms.tsv`): a query for САЩ also finds "Съединените
американски щати", and a query for "Европейския съюз" also finds ЕС, in every inflected form, each
ranked below the literal match (`expand.ACRONYM_BOOST`)."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from importlib import resources

from ..analysis.normalizer import normalize_word
from ..analysis.pipeline import Pipeline

__all__ = ["Acronyms", "acronyms_for"]

_DATA = "acronyms.tsv"
_LOCK = threading.Lock()
_BY_PIPELINE: dict[int, tuple[Pipeline, Acronyms]] = {}
# An acronym of two letters (ЕС, НС, ДВ) is one only in capitals: lower case, it may be a word.
_ANY_CASE_FROM = 3


@dataclass
class Acronyms:
    """The table, as index terms of a pipeline: an acronym's term → the (positions, terms) of each
    expansion, and an expansion's terms → the acronym's term."""

    expansions: dict[str, list[tuple[tuple[int, ...], tuple[str, ...]]]] = field(default_factory=dict)
    acronym_of: dict[tuple[str, ...], str] = field(default_factory=dict)
    written: dict[str, str] = field(default_factory=dict)  # an acronym, normalized → its term

    def expand(self, word: str, term: str) -> list[tuple[tuple[int, ...], tuple[str, ...]]]:
        """The expansions of a query word (as typed) whose term is `term`: only a word that is the
        acronym itself (not another word the stemmer gives the same term: неговия is not МО)."""
        if len(word) < _ANY_CASE_FROM and not word.isupper():
            return []
        if self.written.get(normalize_word(word)) != term:
            return []
        return self.expansions.get(term, [])


def acronyms_for(pipeline: Pipeline) -> Acronyms:
    """The table in the terms of `pipeline` (made once per pipeline)."""
    with _LOCK:
        found = _BY_PIPELINE.get(id(pipeline))
        if found is not None and found[0] is pipeline:
            return found[1]
        table = _build(pipeline, resources.files(__package__).joinpath("data", _DATA).read_text("utf-8"))
        _BY_PIPELINE[id(pipeline)] = (pipeline, table)
        return table


def _build(pipeline: Pipeline, text: str) -> Acronyms:
    table = Acronyms()
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        acronym, _, written = line.partition("\t")
        terms = pipeline.terms(acronym)
        if len(terms) != 1:
            continue
        table.written[normalize_word(acronym)] = terms[0]
        for expansion in written.split("|"):
            positioned = pipeline.positioned_terms(expansion)
            if len(positioned) < 2:
                continue
            entry = (tuple(p for p, _ in positioned), tuple(t for _, t in positioned))
            if entry not in table.expansions.setdefault(terms[0], []):
                table.expansions[terms[0]].append(entry)
            table.acronym_of.setdefault(entry[1], terms[0])
    return table
