"""Query understanding: a syntax tree becomes a query plan.

Words are analyzed with the index's own pipeline, so every inflected form of a query word meets
every form in the documents; a Latin-script word is also read in Cyrillic (Lukashenko →
лукашенк), a word the index does not know is also taken for its nearest indexed words, and each
expansion weighs less than an exact match. Up to three plain words must all match (a fallback
ranks documents by any of them, when none has all); a longer query (a title, a question) ranks
documents by the words they have.

Expansion asks the index only what `Statistics` offers, so it is the same for any engine.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from collections.abc import Callable, Iterable

from ..analysis.normalizer import normalize_word
from ..analysis.pipeline import Pipeline
from ..analysis.tokenize import MAX_TOKEN_LENGTH
from ..analysis.translit import cyrillic_candidates, is_latin_word
from ..dates import parse_date
from ..errors import QuerySyntaxError
from ..fields import DEFAULT_FIELDS
from ..fields import field as field_spec
from . import plan, syntax
from .spelling import near_misses
from .statistics import Statistics

__all__ = ["expand", "ALL_WORDS_UP_TO", "MAX_RANKED_WORDS", "MAX_GROUPED_WORDS", "MAX_PREFIXES", "MAX_NEGATIONS"]

# Queries of up to this many words must match them all (then fall back to any word); longer ones
# rank documents by the words they have (BM25: more and rarer words score higher).
ALL_WORDS_UP_TO = 3
# Expansions of a query word are weaker than the word itself, so exact matches rank first.
TRANSLIT_BOOST = 0.8  # a Cyrillic reading of a Latin word that is not in the index itself
TRANSLIT_BESIDE_DIRECT_BOOST = 0.3  # ...of a Latin word that is (Reuters, NATO): direct matches lead
FUZZY_BOOST = 0.5
# Bounds on the work one query can ask for.
MAX_RANKED_WORDS = 64  # words of a long query beyond these are not searched (a notice says so)
MAX_CORRECTED_WORDS = 32  # distinct unknown words looked up for typos
# Different words, phrases and prefixes in OR, NOT and parentheses (each counted once however often
# it is written). Beyond these the query is refused, as Lucene refuses a query of too many clauses:
# searching only part of an OR or of the NOTs would give wrong answers without saying so. (A long
# list of plain words is searched by its first MAX_RANKED_WORDS instead: it ranks by any word.)
# 32 of the commonest words of 54k law units OR-ed take about a second, reading their postings.
MAX_GROUPED_WORDS = 32
# Different prefixes (word*) in a query: a short one expands to up to 256 terms (the engine bounds
# one prefix, not a query of several); two of the shortest take well under a second on 54k units.
MAX_PREFIXES = 2
# Negations that cannot be made one (NOT a NOT b is NOT (a OR b); a NOT nested in another, or in an
# OR, stays apart): the engine walks every document for each, ~0.1 s apiece on 54k law units.
MAX_NEGATIONS = 4
_TRANSLIT_TERMS = 3
_FUZZY_TERMS = 3


def expand(
    parsed: syntax.ParsedQuery,
    query: str,
    pipeline: Pipeline,
    statistics: Statistics,
    *,
    transliterate: bool = True,
    fuzzy: bool = True,
    date_from: str | None = None,
    date_to: str | None = None,
) -> plan.QueryPlan:
    """The plan of `parsed` (the parse of `query`), with the date limits of the query and of
    `date_from`/`date_to`. Raises QuerySyntaxError for a malformed or reversed date limit."""
    root, date_ranges = _pull_date_ranges(parsed.root)
    dates, no_date_matches = _date_limits(date_from, date_to, date_ranges)
    expander = _Expander(pipeline, statistics, transliterate, fuzzy)
    if root is None and date_ranges:
        compiled: plan.Node | None = plan.Everything()  # date:... alone: every document in the range
    else:
        compiled = expander.compile(root) if root is not None else None
    notices = list(parsed.notices)
    if compiled is None:
        if parsed.root is None:
            notices.append("the query is empty: type some words to search for")
        else:
            notices.append("the query has only stop words (such as и, на, за), which are not indexed: add a word that carries meaning")
        return plan.QueryPlan(None, notices=notices)
    _check_negations(compiled)
    notices += expander.notices
    did_you_mean = None
    if expander.corrections:
        did_you_mean = _corrected(query, expander.corrections)
        notices.append(f"did you mean: {did_you_mean}? (showing matches for it too)")
    return plan.QueryPlan(
        compiled,
        fallback=expander.fallback,
        dates=dates,
        no_date_matches=no_date_matches,
        any_word=expander.any_word,
        highlight_terms=frozenset(expander.highlight_terms),
        highlight_prefixes=tuple(expander.highlight_prefixes),
        suggestions=dict(expander.corrections),
        did_you_mean=did_you_mean,
        notices=notices,
    )


def _corrected(query: str, corrections: dict[str, str]) -> str:
    for word, correction in corrections.items():
        if word[:1].isupper():
            correction = correction[:1].upper() + correction[1:]
        query = re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", correction, query)
    return query


def _pull_date_ranges(root: syntax.Node | None) -> tuple[syntax.Node | None, list[syntax.DateRange]]:
    """Top-level date:... clauses become the date filter (documents in date order, two binary
    searches) instead of a query over every date term in the range, which is slow for long ranges."""
    if isinstance(root, syntax.DateRange):
        return None, [root]
    if isinstance(root, syntax.And):
        ranges = [child for child in root.children if isinstance(child, syntax.DateRange)]
        rest = tuple(child for child in root.children if not isinstance(child, syntax.DateRange))
        if ranges:
            return (None if not rest else rest[0] if len(rest) == 1 else syntax.And(rest)), ranges
    return root, []


def _date_limits(
    date_from: str | None, date_to: str | None, ranges: list[syntax.DateRange]
) -> tuple[plan.DateRange | None, bool]:
    """The one range within every given limit (None: no limit), and whether the limits exclude
    each other (then nothing can match)."""
    try:
        starts = [parse_date(date_from)] if date_from else []
        ends = [parse_date(date_to)] if date_to else []
    except ValueError as exc:
        raise QuerySyntaxError(f"date filter: {exc}") from None
    starts += [r.start for r in ranges if r.start]
    ends += [r.end for r in ranges if r.end]
    if not (starts or ends or ranges):
        return None, False
    start, end = max(starts, default=None), min(ends, default=None)
    if start and end and start > end:
        if date_from and date_to and date_from > date_to:
            raise QuerySyntaxError(f"date filter: the start {start} is after the end {end}")
        return plan.DateRange(start, end), True
    return plan.DateRange(start, end), False


class _Expander:
    """Syntax tree → plan nodes. Collects the terms to highlight, the any-word fallback, and the
    spelling corrections it made."""

    def __init__(self, pipeline: Pipeline, statistics: Statistics, transliterate: bool, fuzzy: bool) -> None:
        self.pipeline = pipeline
        self.statistics = statistics
        self.transliterate = transliterate
        self.fuzzy = fuzzy
        self.highlight_terms: set[str] = set()
        self.highlight_prefixes: set[str] = set()
        self.fallback: plan.Node | None = None
        self.any_word = False  # True: ranks documents by any of the words (a long query)
        self.corrections: dict[str, str] = {}  # query word → the indexed word it was taken for
        self.notices: list[str] = []
        self.fuzzy_budget = MAX_CORRECTED_WORDS
        self._near_misses_of: dict[str, tuple[list[str], str | None]] = {}  # a term is looked up once
        self._grouped: set[syntax.Node] = set()  # words, phrases, dates searched in OR, NOT, groups
        self._prefixes: set[str] = set()

    def compile(self, root: syntax.Node) -> plan.Node | None:
        if not isinstance(root, syntax.And):
            self._count_grouped([root])
            return self._node(root, positive=True)
        children = list(root.children)
        plain_nodes = [child for child in children if isinstance(child, (syntax.Word, syntax.Phrase))]
        if len(plain_nodes) > MAX_RANKED_WORDS:  # bounds the cost of a pasted paragraph
            dropped = {id(child) for child in plain_nodes[MAX_RANKED_WORDS:]}
            children = [child for child in children if id(child) not in dropped]
            self.notices.append(f"the query has {len(plain_nodes)} words: searched by the first {MAX_RANKED_WORDS}")
        # A word typed n times is searched once with n times the weight: the same scores, one matcher.
        repeats = Counter(children)
        self._count_grouped(child for child in repeats if not isinstance(child, (syntax.Word, syntax.Phrase)))
        parts = [(child, self._node(child, positive=True)) for child in repeats]
        kept = [(child, node if repeats[child] == 1 else plan.boosted(node, repeats[child]))
                for child, node in parts if node is not None]
        if not kept:
            return None
        words = [node for child, node in kept if isinstance(child, (syntax.Word, syntax.Phrase))]
        rest = [node for child, node in kept if not isinstance(child, (syntax.Word, syntax.Phrase))]
        if len(words) > ALL_WORDS_UP_TO:
            # A long query (a title, a question) rarely has every word in the document sought:
            # rank by the words each document has, more of them scoring higher.
            self.any_word = True
            return _all_of([plan.AnyWords(tuple(words)), *rest])
        if len(words) >= 2:
            self.fallback = _all_of([plan.AnyWords(tuple(words)), *rest])
            return _all_of([plan.AllWords(tuple(words)), *rest])
        return _all_of([node for _, node in kept])

    def _node(self, node: syntax.Node, positive: bool) -> plan.Node | None:
        if isinstance(node, syntax.Word):
            return self._word(node, positive)
        if isinstance(node, syntax.Phrase):
            exact = _exact_value(node.text, node.field)
            return exact if exact is not None else self._text(node.text, node.field, positive)
        if isinstance(node, syntax.DateRange):
            return plan.DateRange(node.start, node.end)
        if isinstance(node, syntax.Not):
            child = self._node(node.child, positive=False)
            return None if child is None else plan.Not(child)
        # An alternative or a part written n times is expanded once, with n times the weight (the
        # scores of n identical parts add up): `за* OR за* OR ...` costs one prefix.
        repeats = Counter(node.children)
        expanded = [(self._node(child, positive), count) for child, count in repeats.items()]
        children = _merged([child if count == 1 else plan.boosted(child, count)
                            for child, count in expanded if child is not None])
        if not children:
            return None
        if isinstance(node, syntax.Or):
            if len(children) > 1 and all(isinstance(child, (syntax.Word, syntax.Phrase)) for child in repeats):
                # An OR of words scores as a long query does (each word's score added up): the
                # engine ranks it from whole postings, not by a union of a matcher per term.
                return plan.AnyWords(tuple(children))
            return plan.any_of(children)
        return _all_of(children)

    def _count_grouped(self, nodes: Iterable[syntax.Node]) -> None:
        """Counts the words, phrases, prefixes and dates inside `nodes` (OR, NOT, groups) against the
        bounds of one query; raises QuerySyntaxError beyond them."""
        stack = list(nodes)
        while stack:  # a loop, not recursion
            node = stack.pop()
            if isinstance(node, (syntax.And, syntax.Or)):
                stack.extend(node.children)
            elif isinstance(node, syntax.Not):
                stack.append(node.child)
            elif isinstance(node, (syntax.Word, syntax.Phrase, syntax.DateRange)):  # a date: one range each
                self._grouped.add(node)
                if isinstance(node, syntax.Word) and node.prefix:
                    self._count_prefix(node)
        if len(self._grouped) > MAX_GROUPED_WORDS:
            raise QuerySyntaxError(
                f"the query has {len(self._grouped)} different words (or dates) in OR, NOT and parentheses; "
                f"at most {MAX_GROUPED_WORDS}: search for fewer at a time"
            )

    def _count_prefix(self, word: syntax.Word) -> None:
        self._prefixes.add(normalize_word(word.text))
        if len(self._prefixes) > MAX_PREFIXES:
            raise QuerySyntaxError(
                f"the query has more than {MAX_PREFIXES} different prefixes (word*); at most {MAX_PREFIXES}: "
                "a short prefix stands for hundreds of words"
            )

    def _word(self, word: syntax.Word, positive: bool) -> plan.Node | None:
        exact = _exact_value(word.text, word.field)
        if exact is not None:
            return exact
        if word.prefix:
            self._count_prefix(word)
            prefix = normalize_word(word.text)
            if positive:
                self.highlight_prefixes.add(prefix)
            return self._fields(word.field, lambda f, boost: plan.Prefix(f, prefix, boost=boost))
        if self.transliterate and len(word.text) <= MAX_TOKEN_LENGTH and is_latin_word(word.text):
            return self._latin_word(word, positive)
        return self._text(word.text, word.field, positive)

    def _text(self, text: str, field_name: str | None, positive: bool) -> plan.Node | None:
        """A word or phrase: its terms at their positions (one word may give several: COVID-19)."""
        tokens = self.pipeline.positioned_terms(text)
        if not tokens:
            return None
        if positive:
            self.highlight_terms.update(term for _, term in tokens)
        if len(tokens) > 1:
            positions = tuple(position for position, _ in tokens)
            terms = tuple(term for _, term in tokens)
            return self._fields(field_name, lambda f, boost: plan.Phrase(f, terms, positions, boost=boost))
        term = tokens[0][1]
        variants = [(term, 1.0)]
        if self.fuzzy and positive and self.statistics.doc_frequency(term) == 0:
            variants += self._near_misses(text, term)
        return self._terms(field_name, variants, positive)

    def _latin_word(self, word: syntax.Word, positive: bool) -> plan.Node | None:
        """A word in Latin letters: itself (Reuters, NATO) or its Cyrillic readings (Lukashenko)."""
        direct = self.pipeline.terms(word.text)
        direct_found = len(direct) == 1 and self.statistics.doc_frequency(direct[0]) > 0
        readings: list[str] = []
        for candidate in cyrillic_candidates(word.text):
            terms = self.pipeline.terms(candidate)
            if not terms and not readings:
                return None  # a Bulgarian stop word typed in Latin letters: za, na, i
            if len(terms) == 1 and terms[0] not in readings and self.statistics.doc_frequency(terms[0]) > 0:
                readings.append(terms[0])
                if len(readings) == _TRANSLIT_TERMS:
                    break
        if not readings:
            return self._text(word.text, word.field, positive)
        boost = TRANSLIT_BESIDE_DIRECT_BOOST if direct_found else TRANSLIT_BOOST
        variants = [(term, boost) for term in readings]
        if direct_found:
            variants.insert(0, (direct[0], 1.0))
        return self._terms(word.field, variants, positive)

    def _near_misses(self, word: str, term: str) -> list[tuple[str, float]]:
        """Indexed terms a misspelled word (unknown to the index) may have meant."""
        if term not in self._near_misses_of:
            if not self.fuzzy_budget:
                return []
            self.fuzzy_budget -= 1
            self._near_misses_of[term] = near_misses(self.statistics, self.pipeline, word, term, limit=_FUZZY_TERMS)
        similar, spelling = self._near_misses_of[term]
        if spelling:
            self.corrections[word] = spelling
        return [(other, FUZZY_BOOST) for other in similar]

    def _terms(self, field_name: str | None, variants: list[tuple[str, float]], positive: bool) -> plan.Node:
        if positive:
            self.highlight_terms.update(term for term, _ in variants)

        def make(f: str, boost: float) -> plan.Node:
            return plan.any_of([plan.Term(f, term, boost=boost * weight) for term, weight in variants])

        return self._fields(field_name, make)

    def _fields(self, field_name: str | None, make: Callable[[str, float], plan.Node]) -> plan.Node:
        """`make` for the named field, or for every default field with its boost."""
        if field_name is not None:
            return make(field_name, 1.0)
        return plan.AnyOf(tuple(make(spec.name, spec.boost) for spec in DEFAULT_FIELDS))


def _check_negations(root: plan.Node) -> None:
    """Raises QuerySyntaxError when the plan holds more than MAX_NEGATIONS separate negations."""
    negations, stack = 0, [root]
    while stack:  # a loop, not recursion
        node = stack.pop()
        if isinstance(node, plan.Not):
            negations += 1
            stack.append(node.child)
        elif isinstance(node, (plan.AnyOf, plan.AllOf)):
            stack.extend(node.children)
        elif isinstance(node, (plan.AllWords, plan.AnyWords)):
            stack.extend(node.words)
    if negations > MAX_NEGATIONS:
        raise QuerySyntaxError(
            f"the query has {negations} separate negations (NOT inside NOT or OR); at most {MAX_NEGATIONS}: "
            "put the words to exclude side by side (NOT a NOT b)"
        )


def _exact_value(text: str, field_name: str | None) -> plan.Node | None:
    """The term of a word or quoted value in an id field (exact) or a keyword field (exact but for
    case, as the index holds it); None for any other field. `id:"a b"`, `source:"Дневник Online"`."""
    if field_name is None:
        return None
    kind = field_spec(field_name).kind
    if kind == "id":
        return plan.Term(field_name, text)
    if kind == "keyword":
        return plan.Term(field_name, text.lower())
    return None


def _merged(nodes: list[plan.Node]) -> list[plan.Node]:
    """`nodes` with equal ones (but for their boost) made one, their boosts added: different words
    that expand to the same terms (санкции OR санкция) are searched once, scoring as before."""
    boosts: dict[plan.Node, float] = {}
    for node in nodes:
        key = dataclasses.replace(node, boost=0.0)
        boosts[key] = boosts.get(key, 0.0) + node.boost
    if len(boosts) == len(nodes):
        return nodes
    return [dataclasses.replace(key, boost=boost) for key, boost in boosts.items()]


def _all_of(children: list[plan.Node]) -> plan.Node:
    """Documents that match every child; negations become one (NOT a NOT b = NOT (a OR b)), so a
    thousand of them are one union, not a chain of a thousand intersections that the engine
    walks by recursion."""
    negated = [child for child in children if isinstance(child, plan.Not)]
    if len(negated) < 2:
        return plan.all_of(children)
    alternatives = _merged([child.child for child in negated])
    merged = plan.Not(plan.AnyWords(tuple(alternatives)) if len(alternatives) > 1 else alternatives[0])
    first = children.index(negated[0])
    rest = [child for child in children if not isinstance(child, plan.Not)]
    return plan.all_of([*rest[:first], merged, *rest[first:]])

