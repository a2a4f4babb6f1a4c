"""Typo tolerance: the indexed terms a query word that the index does not know may have meant.

Candidates come from two places and are ranked together, nearest first, then most frequent:

* dictionary forms near the word as typed, by their term: a typo in an ending can send the
  stemmer's guess far from the right stem (заокна → заокам, while закона is one swap away);
* when no dictionary form is one edit away, the words one edit away whose terms the index has:
  the index's own vocabulary, for words no dictionary knows (термоядренеа → термоядрена, whose
  term is three edits from the typo's);
* indexed terms near the word's term: names and words that no dictionary knows.
"""

from __future__ import annotations

from ..analysis.normalizer import normalize_word
from ..analysis.pipeline import Pipeline
from ..analysis.stemmer import ALPHABET, BulgarianStemmer
from ..analysis.tokenize import spans
from ..edits import one_edit_variants
from .statistics import Statistics

__all__ = ["near_misses", "typo_budget"]

# Dictionary forms looked at per misspelled word (several forms can share a term).
_DICTIONARY_FORMS = 10
# Documents, and characters of each, scanned for the spelling of a term ("did you mean").
_SURFACE_DOCUMENTS = 5
_SURFACE_SCAN = 5_000


def typo_budget(word: str) -> int:
    """Edits forgiven in a word: one from 5 letters, two from 9 (an adjacent swap is one edit)."""
    return 2 if len(word) >= 9 else 1 if len(word) >= 5 else 0


def near_misses(
    statistics: Statistics, pipeline: Pipeline, word: str, term: str, limit: int
) -> tuple[list[str], int, str | None]:
    """Up to `limit` indexed terms that `word` (as typed; `term` is its analyzed term, which the
    index does not have) may have meant, best first; the edits between them and the word (all are
    equally near); and how to spell the best one (for "did you mean"; None when no spelling is
    found)."""
    typed = normalize_word(word)
    budget = typo_budget(typed)
    if not budget:
        return [], 0, None
    found: dict[str, tuple[int, int]] = {}  # term → (edits, -document frequency)
    spelling: dict[str, str] = {}  # term → the dictionary form it was reached from
    for distance, form in BulgarianStemmer().known_near(typed, budget, limit=_DICTIONARY_FORMS):
        other = pipeline.term(form)
        if other and other != term and other not in found and (frequency := statistics.doc_frequency(other)):
            found[other] = (distance, -frequency)
            spelling[other] = form
    if not any(distance == 1 for distance, _ in found.values()):
        forms: dict[str, str] = {}  # term → the first variant (in order) that gives it
        for form in sorted(one_edit_variants(typed, ALPHABET)):
            other = pipeline.term(form)
            if other and other != term and other not in found:
                forms.setdefault(other, form)
        statistics.prefetch(forms)
        for other, form in forms.items():
            if frequency := statistics.doc_frequency(other):
                found[other] = (1, -frequency)
                spelling[other] = form
    for distance, other in statistics.similar_terms(term, budget, limit=limit):
        if other not in found:
            found[other] = (distance, -statistics.doc_frequency(other))
    best = sorted(found, key=found.__getitem__)[:limit]
    if not best:
        return [], 0, None
    # A farther candidate is only a guess beside a nearer one: keep the nearest.
    best = [other for other in best if found[other][0] == found[best[0]][0]]
    return best, found[best[0]][0], _clearly_better(typed, budget, spelling.get(best[0]) or _surface_form(statistics, pipeline, best[0]))


def _clearly_better(typed: str, budget: int, spelling: str | None) -> str | None:
    """`spelling` as a "did you mean", if it is itself within the typo budget of the word as typed.
    Candidates are found by their terms (stems), which can be near while the words are not: the term
    of Holmes is one edit from that of Hold, and an unknown Лукашенко's from Тукашна's; suggesting
    them would mislead."""
    if spelling is None:
        return None
    from rapidfuzz.distance import OSA

    return spelling if OSA.distance(typed, normalize_word(spelling), score_cutoff=budget) <= budget else None


def _surface_form(statistics: Statistics, pipeline: Pipeline, term: str) -> str | None:
    """A word as written in some document whose analyzed term is `term`: its first spelling in
    the first documents that have it."""
    for text in statistics.texts_with(term, _SURFACE_DOCUMENTS):
        for start, end in spans(text, 0, _SURFACE_SCAN):
            if pipeline.term(text[start:end]) == term:
                return normalize_word(text[start:end])
    return None
