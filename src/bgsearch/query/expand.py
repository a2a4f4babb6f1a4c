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
import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable

from ..analysis.english_spelling import is_dictionary_word, latin_spellings
from ..analysis.normalizer import is_cyrillic_word, normalize_word
from ..analysis.pipeline import Pipeline
from ..analysis.tokenize import HYPHENS, MAX_TOKEN_LENGTH, words
from ..analysis.translit import cyrillic_candidates, is_latin_word, latin_parts
from collections.abc import Mapping, Sequence
from typing import Any

from ..dates import parse_date
from ..errors import QuerySyntaxError
from ..fields import DEFAULT_SCHEMA, Schema
from . import filters as filtering
from . import layouts, plan, syntax
from .acronyms import acronyms_for
from .spelling import near_misses
from .statistics import Statistics

__all__ = ["expand", "ALL_WORDS_UP_TO", "MAX_RANKED_WORDS", "MAX_GROUPED_WORDS", "MAX_PREFIXES", "MAX_NEGATIONS"]

# Queries of up to this many words must match them all (then fall back to any word); longer ones
# rank documents by the words they have (BM25: more and rarer words score higher).
ALL_WORDS_UP_TO = 3
# Expansions of a query word are weaker than the word itself, so exact matches rank first.
TRANSLIT_BOOST = 0.8  # a reading of a word in the other script (Lukashenko → лукашенк, Самсунг → samsung)
# A word found in the index as typed and in its other-script reading: the two readings compete by
# their document frequencies (see `_compete`); the one with less evidence falls to this weight.
TRANSLIT_BESIDE_DIRECT_BOOST = 0.3
# A typo candidate weighs as much as its spelling is like the word typed (Lucene's FuzzyQuery):
# 1 - edits / letters, so one edit in a long word costs less than in a short one.
ACRONYM_BOOST = 0.7  # an acronym's expansion (САЩ → "Съединените щати"), and an expansion's acronym
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
# Readings of a hyphenated Latin word tried: combinations of its parts' spellings, best parts first.
_HYPHENATED_READINGS = 9
# A Latin word in capitals of this many letters may be an acronym typed in Latin (ES → ЕС).
_LATIN_ACRONYM = (2, 6)
# Latin spellings looked up for a Cyrillic word (Самсунг → samsung, Майкрософт → microsoft): more for
# a word the Bulgarian dictionary does not know (a name, a brand); for an ordinary word (интернет,
# Путин) few and only cheap ones, near its plain transliteration (not интернет → internat, the stem of
# "international").
# (On the news corpus nearly every Latin term found is among a word's first 24 spellings.)
_LATIN_SPELLINGS = 24
_LATIN_COST = 3.5
_LATIN_SPELLINGS_OF_KNOWN = 8
_LATIN_COST_OF_KNOWN = 1.0
_LATIN_TERMS = 2
_MIN_LATIN_READING = 3  # letters: shorter Cyrillic words are not looked up in Latin
# A Latin reading guessed for a Cyrillic word the index has too weighs at most this (as much as
# the Cyrillic word's documents, the fewer the less), at least _LATIN_READING_FLOOR.
LATIN_READING_BOOST = 0.5
_LATIN_READING_FLOOR = 0.05
_FUZZY_TERMS = 3


def expand(
    parsed: syntax.ParsedQuery,
    query: str,
    pipeline: Pipeline,
    statistics: Statistics,
    *,
    schema: Schema = DEFAULT_SCHEMA,
    transliterate: bool = True,
    fuzzy: bool = True,
    date_from: str | None = None,
    date_to: str | None = None,
    filters: Mapping[str, Any] | None = None,
    sort: str | Sequence[str] | None = None,
    facets: Sequence[str] | Mapping[str, Any] | None = None,
    every_word: bool = False,
    expand_acronyms: bool = True,
) -> plan.QueryPlan:
    """The plan of `parsed` (the parse of `query` for an index of `schema`), with the filters of the
    query (its top-level `field:value` clauses), of `filters` and of `date_from`/`date_to` (on the
    schema's date field), the sort order and the facets asked for. Raises QuerySyntaxError for a
    malformed filter, a reversed date limit, or a field that cannot be filtered, sorted or counted.
    `every_word`: a document must have every word however long the query, with no any-word fallback
    (the boolean AND of other search frameworks). `expand_acronyms`: an acronym also finds what it
    stands for, and a query that is such a name also finds its acronym (`acronyms.py`)."""
    root, pulled = _pull_filters(parsed.root)
    limits = [filtering.filter_node(schema, value.field, value.value) for value in pulled]
    limits += filtering.filters_from(schema, filters)
    limits += _date_limits(schema, date_from, date_to)
    sort_keys = filtering.sort_keys(schema, sort)
    facet_requests = filtering.facet_requests(schema, facets)
    expander = _Expander(pipeline, statistics, schema, transliterate, fuzzy, every_word, expand_acronyms)
    switched = _other_layout(query, expander) if transliterate and root is not None else None
    if switched is not None:  # gibberish in Latin letters that reads as words on a Bulgarian layout
        layout, text = switched
        retyped_plan = expand(syntax.parse_query(text, schema), text, pipeline, statistics, schema=schema,
                              transliterate=transliterate, fuzzy=fuzzy, date_from=date_from, date_to=date_to,
                              filters=filters, sort=sort, facets=facets, every_word=every_word,
                              expand_acronyms=expand_acronyms)
        retyped_plan.notices.insert(0, f"showing matches for {text}: the query's keys on the Bulgarian {layout} "
                                       "keyboard layout (it was typed with the Latin layout on)")
        return dataclasses.replace(retyped_plan, did_you_mean=text)
    if root is None and limits:
        compiled: plan.Node | None = plan.Everything()  # filters alone: every document that passes them
    else:
        compiled = expander.compile(root) if root is not None else None
        if compiled is not None and root is not None and expand_acronyms:
            compiled = expander.with_acronym(root, compiled)
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
        if did_you_mean == query:  # the words corrected are not written as such in the query
            did_you_mean = None
        else:
            notices.append(f"did you mean: {did_you_mean}? (showing matches for it too)")
    scored = _scores_words(compiled, schema)
    return plan.QueryPlan(
        compiled,
        fallback=expander.fallback,
        filters=tuple(limits),
        sort=sort_keys or (() if scored else _newest_first(schema)),
        facets=facet_requests,
        scored=scored,
        any_word=expander.any_word,
        highlight_terms=frozenset(expander.highlight_terms),
        highlight_prefixes=tuple(expander.highlight_prefixes),
        suggestions=dict(expander.corrections),
        did_you_mean=did_you_mean,
        notices=notices,
    )


def _other_layout(query: str, expander: _Expander) -> tuple[str, str] | None:
    """(layout, the query retyped) when it was typed with the Latin keyboard layout on while a
    Bulgarian one was meant, or None (always for a query with Cyrillic letters).

    Each part of the query between spaces is read as its keys on a Bulgarian layout where the index
    has every word of the reading but stop words, and then only: if it has a word the index lacks
    as typed (nor has read in Cyrillic; of three letters or more, as a stray letter is in some
    document), which must read so; if a key that gives a letter on Bulgarian layouts touches a
    letter (skrivali]a: скривалища); or if it has short words only. Other parts stay as typed (a
    site or brand name typed in Latin on purpose). A query that is mostly words the index has is a
    Latin spelling with a word it lacks, not another layout, unless such a key says otherwise. Of
    the layouts that read so, the one whose readings have the most words; the first of
    `layouts.LAYOUTS` on a tie."""
    if not layouts.typed_in_latin(query):
        return None
    parts = query.split()
    long_words = [[word for word in words(part) if len(word) >= 3 and is_latin_word(word)] for part in parts]
    lacking = [any(not expander.known_as_typed(word) for word in part_words) for part_words in long_words]
    keyed = [layouts.has_letter_keys(part) for part in parts]
    if not any(lacking) and not any(keyed):
        return None
    mostly_lacking = 2 * sum(lacking) >= sum(map(bool, long_words))
    frequency = expander.statistics.doc_frequency

    def found(reading: str | None) -> int | None:
        """The words of a part's reading, if the index has them all (stop words aside)."""
        if reading is None:
            return None
        terms = [term for term in map(expander.pipeline.term, words(reading)) if term]
        return len(terms) if all(frequency(term) for term in terms) else None

    best: tuple[int, str, str] | None = None
    for layout in layouts.LAYOUTS:
        readings, total, by_key = [], 0, False
        for part, part_words, lacks, keys in zip(parts, long_words, lacking, keyed):
            reading = layouts.retyped(part, layout) if lacks or keys or not part_words else None
            count = found(reading)
            if lacks and count is None:
                break
            by_key = by_key or (keys and count is not None)
            readings.append(part if count is None or reading is None else reading)
            total += count or 0
        else:
            text = " ".join(readings)
            if (mostly_lacking or by_key) and text != " ".join(parts) and (best is None or total > best[0]):
                try:
                    syntax.parse_query(text, expander.schema)
                except QuerySyntaxError:
                    continue
                best = (total, layout, text)
    return None if best is None else (best[1], best[2])


def _corrected(query: str, corrections: dict[str, str]) -> str:
    for word, correction in corrections.items():
        if word[:1].isupper():
            correction = correction[:1].upper() + correction[1:]
        # The word as written: a hidden letter (* or ?) may stand between any two of its letters.
        written = "[*?]*".join(re.escape(letter) for letter in word)
        query = re.sub(rf"(?<![\w*?]){written}(?![\w*?])", correction, query)
    return query


def _pull_filters(root: syntax.Node | None) -> tuple[syntax.Node | None, list[syntax.FieldValue]]:
    """Top-level `field:value` clauses become filters (read from per-document values, never
    scored); the rest stays the query."""
    if isinstance(root, syntax.FieldValue):
        return None, [root]
    if isinstance(root, syntax.And):
        values = [child for child in root.children if isinstance(child, syntax.FieldValue)]
        rest = tuple(child for child in root.children if not isinstance(child, syntax.FieldValue))
        if values:
            return (None if not rest else rest[0] if len(rest) == 1 else syntax.And(rest)), values
    return root, []


def _date_limits(schema: Schema, date_from: str | None, date_to: str | None) -> list[plan.Filter]:
    """`date_from`/`date_to` as a range of the schema's date field."""
    if not date_from and not date_to:
        return []
    if schema.date_field is None:
        raise QuerySyntaxError("date filter: the index has no date field")
    try:
        start = parse_date(date_from) if date_from else None
        end = parse_date(date_to) if date_to else None
    except ValueError as exc:
        raise QuerySyntaxError(f"date filter: {exc}") from None
    if start and end and start > end:
        raise QuerySyntaxError(f"date filter: the start {start} is after the end {end}")
    return [plan.Range(schema.date_field, start, end)]


def _newest_first(schema: Schema) -> tuple[plan.SortKey, ...]:
    """The order of a query that scores nothing (a filter or a prefix alone, where every match scores
    the same): newest first, where the schema has a sortable date; else index order."""
    date = schema.date_field
    return (plan.SortKey(date, descending=True),) if date is not None and schema.field(date).sortable else ()


def _scores_words(root: plan.Node | None, schema: Schema) -> bool:
    """True if `root` ranks documents by words (a term of a text field, a phrase); False if every
    match scores the same (filters, prefixes, everything)."""
    text_fields = {spec.name for spec in schema.text_fields}
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, plan.Phrase) or (isinstance(node, plan.Term) and node.field in text_fields):
            return True
        if isinstance(node, (plan.AnyOf, plan.AllOf)):
            stack.extend(node.children)
        elif isinstance(node, (plan.AllWords, plan.AnyWords)):
            stack.extend(node.words)
        elif isinstance(node, plan.Not):
            pass  # what a document lacks does not rank it
    return False


class _Expander:
    """Syntax tree → plan nodes. Collects the terms to highlight, the any-word fallback, and the
    spelling corrections it made."""

    def __init__(self, pipeline: Pipeline, statistics: Statistics, schema: Schema, transliterate: bool,
                 fuzzy: bool, every_word: bool = False, expand_acronyms: bool = False) -> None:
        self.pipeline = pipeline
        self.schema = schema
        self.every_word = every_word
        self.acronyms = acronyms_for(pipeline) if expand_acronyms else None
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
        self._near_misses_of: dict[str, tuple[list[str], int, str | None]] = {}  # a term is looked up once
        self._spellings_of: dict[str, list[str] | None] = {}  # a Latin word: by the layout check, then its node
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
        if self.every_word and len(words) >= 2:
            return _all_of([plan.AllWords(tuple(words)), *rest])
        if len(words) > ALL_WORDS_UP_TO:
            # A long query (a title, a question) rarely has every word in the document sought:
            # rank by the words each document has, more of them scoring higher.
            self.any_word = True
            return _all_of([plan.AnyWords(self._ranked_words(kept, repeats)), *rest])
        if len(words) >= 2:
            self.fallback = _all_of([plan.AnyWords(self._ranked_words(kept, repeats)), *rest])
            return _all_of([plan.AllWords(tuple(words)), *rest])
        return _all_of([node for _, node in kept])

    def _ranked_words(self, kept: list[tuple[syntax.Node, plan.Node]],
                      repeats: Counter[syntax.Node]) -> tuple[plan.Node, ...]:
        """The words of an any-word query. A hyphenated word counts as its parts, as Lucene's and
        Whoosh's parsers take it in an OR: in a pasted title the hyphen is often a dash without its
        spaces (Фатима-Мистериозната), and as a phrase it would leave a document with only Фатима
        nothing for it. A query of every word keeps the phrase."""
        ranked: list[plan.Node] = []
        for child, node in kept:
            if not isinstance(child, (syntax.Word, syntax.Phrase)):
                continue
            parts = self._hyphenated_parts(child)
            if not parts:
                ranked.append(node)
            else:
                ranked.extend(part if repeats[child] == 1 else plan.boosted(part, repeats[child]) for part in parts)
        return tuple(ranked)

    def _hyphenated_parts(self, node: syntax.Node) -> list[plan.Node]:
        """The parts of a hyphenated word of two or more terms, each a word of its own;
        [] for anything else: a word such as C6H6 stays a phrase, and a Latin hyphenated word has
        its own readings (Nay-strahovitoto)."""
        if not isinstance(node, syntax.Word) or node.prefix or self._exact_value(node.text, node.field) is not None \
                or not any(hyphen in node.text for hyphen in HYPHENS):
            return []
        if self.transliterate and (is_latin_word(node.text) or latin_parts(node.text) is not None):
            return []
        if len(self.pipeline.positioned_terms(node.text)) < 2:
            return []
        parts = (self._word(syntax.Word(part, node.field), positive=True) for part in words(node.text))
        return [part for part in parts if part is not None]

    def with_acronym(self, root: syntax.Node, compiled: plan.Node) -> plan.Node:
        """`compiled`, or also the acronym of the name the whole query is ("Европейския съюз" → ЕС),
        a word or phrase searched in the default fields."""
        assert self.acronyms is not None
        texts = []
        for part in root.children if isinstance(root, syntax.And) else (root,):
            if not isinstance(part, (syntax.Word, syntax.Phrase)) or part.field is not None or \
                    (isinstance(part, syntax.Word) and part.prefix):
                return compiled
            texts.append(part.text)
        terms = tuple(self.pipeline.terms(" ".join(texts)))
        acronym = self.acronyms.acronym_of.get(terms)
        if acronym is None:
            return compiled
        self.highlight_terms.add(acronym)
        alternative = self._fields(None, lambda f, boost: plan.Term(f, acronym, boost=boost * ACRONYM_BOOST))
        if self.fallback is not None:
            self.fallback = plan.AnyOf((self.fallback, alternative))
        return plan.AnyOf((compiled, alternative))

    def _node(self, node: syntax.Node, positive: bool) -> plan.Node | None:
        if isinstance(node, syntax.Word):
            return self._word(node, positive)
        if isinstance(node, syntax.Phrase):
            exact = self._exact_value(node.text, node.field)
            return exact if exact is not None else self._text(node.text, node.field, positive)
        if isinstance(node, syntax.FieldValue):
            return filtering.filter_node(self.schema, node.field, node.value)
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
            elif isinstance(node, (syntax.Word, syntax.Phrase, syntax.FieldValue)):  # a filter: one each
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
        exact = self._exact_value(word.text, word.field)
        if exact is not None:
            return exact
        if word.prefix:
            self._count_prefix(word)
            prefix = normalize_word(word.text)
            if positive:
                self.highlight_prefixes.add(prefix)
            return self._fields(word.field, lambda f, boost: plan.Prefix(f, prefix, boost=boost))
        if self.transliterate and len(word.text) <= MAX_TOKEN_LENGTH:
            if is_latin_word(word.text):
                return self._latin_word(word, positive)
            parts = latin_parts(word.text)
            if parts is not None:
                return self._hyphenated_latin(word, parts, positive)
        return self._text(word.text, word.field, positive, other_script=self.transliterate)

    def _text(self, text: str, field_name: str | None, positive: bool,
              other_script: bool = False) -> plan.Node | None:
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
        expansions = self.acronyms.expand(text, term) if self.acronyms is not None and positive else []
        if expansions:
            return self._acronym(field_name, term, expansions)
        variants = [(term, 1.0)]
        readings = self._latin_readings(text, term) if other_script and positive else []
        if readings:
            variants = self._compete(term, readings, guessed=True)
        elif self.fuzzy and positive and self.statistics.doc_frequency(term) == 0:
            variants += self._near_misses(text, term)
        return self._terms(field_name, variants, positive)

    def _latin_readings(self, text: str, term: str) -> list[str]:
        """The indexed Latin terms a Cyrillic word may transcribe (Самсунг → samsung, Майкрософт →
        microsoft): its English-like spellings (`english_spelling`), analyzed as the index analyzes
        Latin words, that the index has; at most _LATIN_TERMS, the cheapest spellings first. `term`:
        the word's own term."""
        word = normalize_word(text)
        if len(word) < _MIN_LATIN_READING or not is_cyrillic_word(word):
            return []
        if is_dictionary_word(word):
            spellings = latin_spellings(word, _LATIN_SPELLINGS_OF_KNOWN, _LATIN_COST_OF_KNOWN)
        else:
            spellings = latin_spellings(word, _LATIN_SPELLINGS, _LATIN_COST)
        terms: list[str] = []
        for spelling, _ in spellings:  # one Latin token each: its term as the index makes it
            latin = self.pipeline.term(spelling)
            if latin is not None and latin not in terms:
                terms.append(latin)
        if terms:
            self.statistics.prefetch([term, *terms])  # the word's own term too: _compete weighs them by it
        found = [latin for latin in terms if self.statistics.doc_frequency(latin) > 0]
        return found[:_LATIN_TERMS]

    def _compete(self, direct: str, readings: list[str], guessed: bool = False) -> list[tuple[str, float]]:
        """Weights of a word's term as typed and of its readings in the other script, by evidence:
        the documents with the word as typed against those with its readings. The side with more
        of them keeps its full weight (1 as typed, TRANSLIT_BOOST the other script); the other gets
        it times the ratio of their counts, at least TRANSLIT_BESIDE_DIRECT_BOOST. So a Latin word
        that also occurs literally in a few documents (a site name, a brand: Petel.bg, Daily) does
        not push its far commoner Cyrillic reading aside, and a common literal one (Reuters, NATO)
        still leads. `guessed`: the readings are English spellings guessed for a Cyrillic word
        (Самсунг → samsung): the word as typed keeps its weight, and a reading far rarer than it
        (Ванга → Vanga, once) falls to _LATIN_READING_FLOOR, so that its rarity (a high IDF) does not
        make it decide the ranking."""
        frequency = self.statistics.doc_frequency
        direct_count = frequency(direct)
        readings = [term for term in readings if term != direct]
        if not direct_count:
            return [(term, TRANSLIT_BOOST) for term in readings]
        reading_count = sum(frequency(term) for term in readings)
        if not readings or not reading_count:
            return [(direct, 1.0)]
        if guessed:
            direct_weight = 1.0
            reading_weight = max(_LATIN_READING_FLOOR, LATIN_READING_BOOST * min(1.0, reading_count / direct_count))
        else:
            direct_weight, reading_weight = _by_evidence(direct_count, reading_count)
        return [(direct, direct_weight), *((term, reading_weight) for term in readings)]

    def _acronym(self, field_name: str | None, term: str,
                 expansions: list[tuple[tuple[int, ...], tuple[str, ...]]]) -> plan.Node:
        """An acronym: itself, or any of the names it stands for (each a phrase, ranked below it)."""
        self.highlight_terms.add(term)
        for _, terms in expansions:
            self.highlight_terms.update(terms)

        def make(f: str, boost: float) -> plan.Node:
            return plan.AnyOf((plan.Term(f, term, boost=boost), *(
                # A phrase scores the sum of its words: weighed as one word, below the acronym itself.
                plan.Phrase(f, terms, positions, boost=boost * ACRONYM_BOOST / len(terms))
                for positions, terms in expansions)))

        return self._fields(field_name, make)

    def _latin_word(self, word: syntax.Word, positive: bool) -> plan.Node | None:
        """A word in Latin letters: itself (Reuters, NATO) or its Cyrillic readings (Lukashenko); in
        capitals, a known acronym read in Cyrillic is that acronym (ES → ЕС, SASHT → САЩ)."""
        direct = self.pipeline.terms(word.text)
        direct_found = len(direct) == 1 and self.statistics.doc_frequency(direct[0]) > 0
        acronym = self._latin_acronym(word.text)
        if acronym is not None:
            return self._latin_acronym_node(word, acronym, direct[0] if direct_found else None, positive)
        spellings = self._cyrillic_spellings(word.text)
        if spellings is None:
            return None  # a Bulgarian stop word typed in Latin letters: za, na, i
        readings = [self.pipeline.terms(spelling)[0] for spelling in spellings]
        if not readings:
            return self._text(word.text, word.field, positive)
        if not direct_found:
            return self._terms(word.field, [(term, TRANSLIT_BOOST) for term in readings], positive)
        return self._terms(word.field, self._compete(direct[0], readings), positive)

    def known_as_typed(self, word: str) -> bool:
        """True if the index has the word as typed, or (in Latin letters) one of its Cyrillic readings,
        or it is a Bulgarian stop word typed in Latin letters (edin: един)."""
        if any(self.statistics.doc_frequency(term) for term in self.pipeline.terms(word)):
            return True
        if not (self.transliterate and is_latin_word(word)):
            return False
        spellings = self._cyrillic_spellings(word)
        return spellings is None or bool(spellings)

    def _cyrillic_spellings(self, text: str) -> list[str] | None:
        """The Cyrillic spellings of a Latin word whose terms the index has, best first, one per term
        (at most _TRANSLIT_TERMS); None for a Bulgarian stop word typed in Latin letters (za, na, i).
        A word in capitals is read as the Cyrillic word both in capitals and in lower case, as the
        index has either: VANGA → ВАНГА (a shouting headline's word, left unstemmed: ванга) and
        ванга (stemmed: ванг); NATO → НАТО, so that an ending stays glued to it (NATO-vskite)."""
        if text not in self._spellings_of:
            self._spellings_of[text] = self._look_up_spellings(text)
        return self._spellings_of[text]

    def _look_up_spellings(self, text: str) -> list[str] | None:
        capitals = len(text) > 1 and text.isupper()
        spellings: list[str] = []
        found: set[str] = set()
        for candidate in cyrillic_candidates(text):
            terms = self.pipeline.terms(candidate)
            if not terms and not spellings:
                return None
            for spelling in (candidate.upper(), candidate) if capitals else (candidate,):
                terms = self.pipeline.terms(spelling)
                if len(terms) == 1 and terms[0] not in found and self.statistics.doc_frequency(terms[0]) > 0:
                    found.add(terms[0])
                    spellings.append(spelling)
            if len(spellings) >= _TRANSLIT_TERMS:
                break
        return spellings[:_TRANSLIT_TERMS]

    def _latin_acronym(self, text: str) -> str | None:
        """The acronym of the table (`acronyms.tsv`) a Latin word in capitals reads as, in Cyrillic
        capitals (ES → ЕС, SASHT → САЩ though it reads first as същ); None for any other word."""
        low, high = _LATIN_ACRONYM
        if not (low <= len(text) <= high and text.isalpha() and text.isupper()):
            return None
        written = acronyms_for(self.pipeline).written
        return next((candidate.upper() for candidate in cyrillic_candidates(text) if candidate in written), None)

    def _latin_acronym_node(self, word: syntax.Word, acronym: str, direct: str | None,
                            positive: bool) -> plan.Node | None:
        """A Latin word that is `acronym`: searched as the acronym typed in Cyrillic (with what it
        stands for), and as typed too where the index has it (`direct`: NATO), as `_compete` weighs
        the two."""
        node = self._text(acronym, word.field, positive)
        terms = self.pipeline.terms(acronym)
        if node is None or direct is None or terms == [direct]:
            return node
        weights = dict(self._compete(direct, terms))
        return plan.AnyOf((plan.boosted(node, weights.get(terms[0], TRANSLIT_BESIDE_DIRECT_BOOST)),
                           self._terms(word.field, [(direct, weights[direct])], positive)))

    def _hyphenated_latin(self, word: syntax.Word, parts: list[str], positive: bool) -> plan.Node | None:
        """A hyphenated word in Latin letters (`translit.latin_parts`): each part read in Cyrillic as a
        Latin word is, the readings joined with hyphens and analyzed as the Cyrillic hyphenated word
        is (Nay-strahovitoto → най-страховитото: страховит; Tramp-tuit → тръмп-туит: a phrase; 20-TI →
        20-ти: 20, the ending glued to the number), beside the word as typed (e-mail, COVID-19), the
        two weighed as `_compete` weighs a Latin word's readings. A part with no reading in the index:
        the word as typed only, as before."""
        choices: list[list[str]] = []  # each part's spellings in Cyrillic (a number: itself)
        for part in parts:
            before = choices[-1][0] if choices else ""
            if not is_latin_word(part):
                choices.append([part])
            elif before and (glued := [spelling for spelling in cyrillic_candidates(part, _TRANSLIT_TERMS)
                                       if words(f"{before}-{spelling}") == words(before)]):
                # An ending glued to a number or an acronym, not a word: 20-TI → 20-ти, NATO-vskite → НАТО-вските.
                choices[-1] = [f"{spelling}-{glued[0]}" for spelling in choices[-1]]
            else:
                spellings = self._cyrillic_spellings(part)
                if spellings is None:  # a stop word (nay → най): it leaves its gap
                    spellings = cyrillic_candidates(part, 1)
                if not spellings:
                    return self._text(word.text, word.field, positive)
                choices.append(spellings)
        frequency = self.statistics.doc_frequency
        readings: dict[tuple[tuple[int, ...], tuple[str, ...]], int] = {}
        for combination in itertools.islice(itertools.product(*choices), _HYPHENATED_READINGS):
            tokens = self.pipeline.positioned_terms("-".join(combination))
            counts = [frequency(term) for _, term in tokens]
            if tokens and min(counts) > 0:
                readings.setdefault((tuple(p for p, _ in tokens), tuple(t for _, t in tokens)), min(counts))
                if len(readings) == _TRANSLIT_TERMS:
                    break
        if not readings:
            return self._text(word.text, word.field, positive)
        typed = self.pipeline.positioned_terms(word.text)
        typed_count = min((frequency(term) for _, term in typed), default=0)
        variants = [(key, TRANSLIT_BOOST) for key in readings]
        if typed_count:
            typed_weight, reading_weight = _by_evidence(typed_count, sum(readings.values()))
            key = (tuple(p for p, _ in typed), tuple(t for _, t in typed))
            variants = [(key, typed_weight), *((other, reading_weight) for other in readings if other != key)]
        if positive:
            self.highlight_terms.update(term for (_, terms), _ in variants for term in terms)

        def make(f: str, boost: float) -> plan.Node:
            return plan.any_of([plan.Term(f, terms[0], boost=boost * weight) if len(terms) == 1 else
                                plan.Phrase(f, terms, positions, boost=boost * weight)
                                for (positions, terms), weight in variants])

        return self._fields(word.field, make)

    def _near_misses(self, word: str, term: str) -> list[tuple[str, float]]:
        """Indexed terms a misspelled word (unknown to the index) may have meant."""
        if term not in self._near_misses_of:
            if not self.fuzzy_budget:
                return []
            self.fuzzy_budget -= 1
            self._near_misses_of[term] = near_misses(self.statistics, self.pipeline, word, term, limit=_FUZZY_TERMS)
        similar, edits, spelling = self._near_misses_of[term]
        if spelling:
            self.corrections[word] = spelling
        weight = 1 - edits / len(normalize_word(word))
        return [(other, weight) for other in similar]

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
        return plan.any_of([make(spec.name, spec.boost) for spec in self.schema.text_fields])

    def _exact_value(self, text: str, field_name: str | None) -> plan.Node | None:
        """The term of a word or quoted value in the id field (exact: `id:"a b"`); None for a text field."""
        if field_name is not None and self.schema.field(field_name).kind == "id":
            return plan.Term(field_name, text)
        return None


def _by_evidence(direct_count: int, reading_count: int) -> tuple[float, float]:
    """The weights of a word as typed and of its readings in the other script, found in
    `direct_count` and `reading_count` documents: the side with more keeps its full weight (1 as
    typed, TRANSLIT_BOOST the other script), the other that times the ratio of the counts, at least
    TRANSLIT_BESIDE_DIRECT_BOOST (see `_Expander._compete`)."""
    return (max(TRANSLIT_BESIDE_DIRECT_BOOST, min(1.0, direct_count / reading_count)),
            max(TRANSLIT_BESIDE_DIRECT_BOOST, TRANSLIT_BOOST * min(1.0, reading_count / direct_count)))


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

