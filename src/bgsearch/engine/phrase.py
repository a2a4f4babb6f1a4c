"""Phrase matching: terms in order at exact position gaps (a stop word leaves a gap of its own).

A phrase scores as the sum of its terms' BM25F scores, which does not depend on where the terms
stand. So a segment's candidates are the documents in the terms' postings read whole
(bgsearch.postings), all scored at once, and positions are checked only for the candidates that
could enter the top k: `top_k.top_k` checks them from the highest score down across the segments
(Whoosh's top-k collector, which the matchers here also serve, checks them in document order, most
of them early on). A common phrase ("правят следните изменения": 11,205 of 54,130 law units) no
longer costs a walk over every match (~24 µs a document in Python).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from whoosh import matching
from whoosh import query as wq

from .postings import ArrayMatcher, SegmentQuery, intersect, live_rows, positions, scored_term, union_rows

__all__ = ["PhraseQuery", "AnyFieldPhraseQuery"]

Candidates = tuple[Any, Any, Any]  # documents (ascending), their scores, check(i): is the phrase in document i


class PhraseQuery(SegmentQuery):
    """`terms` (analyzed) at `positions` (token positions; only their differences matter) in one field.
    Scores as the sum of its terms' scores."""

    def __init__(self, fieldname: str, positions: Sequence[int], terms: Sequence[str], boost: float = 1.0) -> None:
        self.fieldname = fieldname
        self.offsets = tuple(p - positions[0] for p in positions)
        self.words = tuple(terms)
        self.boost = boost

    def __repr__(self) -> str:
        return f"PhraseQuery({self.fieldname!r}, {self.offsets!r}, {self.words!r}, boost={self.boost})"

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PhraseQuery)
            and (self.fieldname, self.offsets, self.words, self.boost)
            == (other.fieldname, other.offsets, other.words, other.boost)
        )

    def __hash__(self) -> int:
        return hash((self.fieldname, self.offsets, self.words, self.boost))

    def _terms(self, phrases: bool = True) -> Any:
        for word in self.words:
            yield self.fieldname, word

    def estimate_size(self, ixreader: Any) -> int:
        return min(ixreader.doc_frequency(self.fieldname, word) for word in self.words)

    def segment_matcher(self, searcher: Any, context: Any) -> Any:
        found = self.candidates(searcher, context)
        if found is None:
            return matching.NullMatcher()
        return ArrayMatcher(*found)

    def candidates(self, searcher: Any, context: Any) -> Candidates | None:
        """The segment's documents that have every term, their scores, and the check of the
        positions of document i (None: no document has them all)."""
        import numpy as np

        if self.fieldname not in searcher.schema:
            return None
        field_format = searcher.schema[self.fieldname].format
        if not field_format.supports("positions"):
            raise wq.QueryError(f"field {self.fieldname!r} has no positions: phrases cannot be searched in it")
        terms = []
        for word in self.words:
            found = scored_term(searcher, context, self.fieldname, word)
            if found is None:
                return None
            terms.append(found)
        # The rarest term's documents first, each other term looked up at those that are left (a
        # common word's postings searched, not joined whole).
        order = sorted(range(len(terms)), key=lambda n: len(terms[n].ids))
        docs = terms[order[0]].ids
        rows_of = {order[0]: np.arange(len(docs))}  # each term's row of each document
        size = searcher.reader().doc_count_all()
        for n in order[1:]:
            docs, here, there = intersect(docs, terms[n].ids, size)
            rows_of = {m: row[here] for m, row in rows_of.items()}
            rows_of[n] = there
        rows = [rows_of[n] for n in range(len(terms))]
        kept = live_rows(searcher.reader(), docs)
        if kept is not None:
            docs, rows = docs[kept], [row[kept] for row in rows]
        if not len(docs):
            return None
        # Every posting of each term scored and kept: a phrase's candidates are checked from the
        # highest score down, and a phrase asked again is answered from what is kept.
        scores = sum(np.take(term.scores(), row) for term, row in zip(terms, rows)) * self.boost
        decode = field_format.decoder("positions")

        def in_order(i: int) -> bool:
            starts: set[int] | None = None
            for term, row, offset in zip(terms, rows, self.offsets):
                at = {p - offset for p in positions(term.postings.value(row[i]), decode)}
                starts = at if starts is None else starts & at
                if not starts:
                    return False
            return True

        return docs, scores, in_order


class AnyFieldPhraseQuery(SegmentQuery):
    """A phrase in any of several fields (the title and the body), scoring the sum of the fields it
    is in: one array of candidates, each scored at most the sum of its fields' scores until its
    positions are checked, so Whoosh's top-k collector skips, by those bounds, what cannot enter the
    top k (Whoosh's own union of the fields' matchers would skip unsoundly, or not at all)."""

    def __init__(self, phrases: Sequence[PhraseQuery], boost: float = 1.0) -> None:
        self.phrases = tuple(phrases)
        self.boost = boost

    def __repr__(self) -> str:
        return f"AnyFieldPhraseQuery({self.phrases!r}, boost={self.boost})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, AnyFieldPhraseQuery) and (self.phrases, self.boost) == (other.phrases, other.boost)

    def __hash__(self) -> int:
        return hash((self.phrases, self.boost))

    def _terms(self, phrases: bool = True) -> Any:
        for phrase in self.phrases:
            yield from phrase._terms(phrases)

    def estimate_size(self, ixreader: Any) -> int:
        return sum(phrase.estimate_size(ixreader) for phrase in self.phrases)

    def segment_matcher(self, searcher: Any, context: Any) -> Any:
        found = self.candidates(searcher, context)
        if found is None:
            return matching.NullMatcher()
        docs, bounds, exact = found
        scores = bounds.copy()

        def in_some_field(i: int) -> bool:
            # The exact score replaces the bound once the positions are known (before it is read).
            score = exact(i)
            scores[i] = 0.0 if score is None else score
            return score is not None

        return ArrayMatcher(docs, scores, check=in_some_field)

    def candidates(self, searcher: Any, context: Any) -> tuple[Any, Any, Callable[[int], float | None]] | None:
        """The segment's documents that have every term in some field, a bound on each one's score
        (the sum of its fields' scores), and its exact score once the positions are checked (None:
        the phrase is in none of its fields)."""
        import numpy as np

        found = [c for c in (phrase.candidates(searcher, context) for phrase in self.phrases) if c is not None]
        if not found:
            return None
        size = searcher.reader().doc_count_all()
        docs, where = union_rows([fdocs for fdocs, _, _ in found], size)
        present = [at >= 0 for at in where]
        bounds = sum(np.where(has, np.take(fscores, np.maximum(at, 0)), 0.0)
                     for has, at, (_, fscores, _) in zip(present, where, found)) * self.boost

        def exact(i: int) -> float | None:
            total, matched = 0.0, False
            for has, at, (_, fscores, check) in zip(present, where, found):
                if has[i] and check(int(at[i])):
                    total += float(fscores[at[i]])
                    matched = True
            return total * self.boost if matched else None

        return docs, np.array(bounds, dtype=np.float64), exact
