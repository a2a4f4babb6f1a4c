"""The Bulgarian analysis pipeline: tokenizer → normalizer → stop words → stemmer, as plain Python.

`Pipeline` turns text into index terms without any search engine; `BulgarianAnalyzer`
(`analysis/analyzer.py`) is the same pipeline wrapped for Whoosh. The per-token work (normalize,
stop-check, stem) is fused into one cached step: a text repeats its words, so most tokens cost one
dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from ..caching import BoundedCache
from .latin import stem_latin
from .normalizer import is_cyrillic_word, normalize_word
from .stemmer import STEMMER_VERSION, BulgarianStemmer
from .stopwords import bulgarian_stop_words
from .tokenize import spans, words

__all__ = [
    "ANALYZER_NAME",
    "ANALYZER_VERSION",
    "AnalyzedToken",
    "Pipeline",
    "HasPipeline",
    "analyze",
    "analyze_tokens",
    "default_pipeline",
    "KNOWN_ACRONYMS",
]

ANALYZER_NAME = "bgsearch-bulgarian"
# Bump _PIPELINE_VERSION whenever tokenization, normalization or stop words change what terms a
# text becomes; the stemmer versions itself. Indexes record the result and refuse a mismatch.
_PIPELINE_VERSION = "4"  # 4: the other forms of Savoy's pronouns and numerals are stop words
ANALYZER_VERSION = f"{_PIPELINE_VERSION}.{STEMMER_VERSION}"

STOPPED = ""  # the cached term of a stop word (no real term is empty)
# An acronym written in capitals is not stemmed (НАТО, ОССЕ, НЗОК; the rules would read НАТО as a
# noun in -о, нат).  A token in capitals is an acronym when it has at most this many letters and
# is not an ordinary word: not a dictionary form once lowercased, or of at most
# _SHORT_ACRONYM letters (ДВ, ПИ, БТА: a 2-3 letter word in capitals is nearly always an
# abbreviation; a 3-letter word is not stemmed anyway, unless the dictionary knows it).
# A word a shouting headline writes in capitals (ТЪМНИ СИЛИ) is a dictionary form and is stemmed.
_MAX_ACRONYM = 5
_SHORT_ACRONYM = 3
#: Acronyms that are also dictionary forms (the dictionaries list them as words), never stemmed,
#: in capitals or not.
KNOWN_ACRONYMS = frozenset({"нато", "юнеско", "уефа", "фифа", "уницеф", "опек", "бта", "оссе"})
_CACHE_LIMIT = 200_000


@dataclass(frozen=True, slots=True)
class AnalyzedToken:
    """One token of a text: its original spelling and place, and the term it becomes."""

    text: str
    term: str | None  # None: a stop word
    start: int
    end: int
    position: int


class Pipeline:
    """Bulgarian text to index terms.

    :param stop_words: words to drop (default: Savoy's Bulgarian list); pass `()` to keep all. A
        stop word keeps its position, so a phrase still requires the gap it leaves ("министър на
        финансите" does not match "министър финансите").
    :param stem: reduce words to their stem (default True).
    """

    def __init__(self, stop_words: Iterable[str] | None = None, stem: bool = True) -> None:
        self.stop_words = bulgarian_stop_words() if stop_words is None else frozenset(
            normalize_word(w) for w in stop_words
        )
        self.stem = stem
        self.cache: BoundedCache[str, str] = BoundedCache(_CACHE_LIMIT)  # raw token → term, STOPPED

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Pipeline) and (self.stop_words, self.stem) == (other.stop_words, other.stem)

    def __hash__(self) -> int:
        return hash((self.stop_words, self.stem))

    def term(self, raw: str) -> str | None:
        """The index term of one raw token, or None for a stop word."""
        term = self.cache.get(raw)
        if term is None:
            term = self.cache.put(raw, self._compute(raw))
        return term or None

    def _compute(self, raw: str) -> str:
        word = normalize_word(raw)
        if word in self.stop_words:
            return STOPPED
        if not self.stem:
            return word
        if is_cyrillic_word(word):
            if word in KNOWN_ACRONYMS or (raw.isupper() and _is_acronym(word)):
                return word
            return _stemmer().stem(word)
        if word.isascii() and word.isalpha():
            return stem_latin(word)
        return word

    def tokens(self, text: str) -> list[AnalyzedToken]:
        """Every token of `text` with its offsets and position, and the term it becomes."""
        term = self.term
        return [AnalyzedToken(text[s:e], term(text[s:e]), s, e, pos) for pos, (s, e) in enumerate(spans(text))]

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order (stop words removed)."""
        term = self.term
        return [t for s, e in spans(text) if (t := term(text[s:e])) is not None]

    def positioned_terms(self, text: str) -> list[tuple[int, str]]:
        """(position, term) of each term of `text`: the gaps are where stop words stood. (Indexing
        runs this on every text: the tokens are looked up in the cache all at once.)"""
        found = words(text)
        terms = list(map(self.cache.get, found))
        if None in terms:
            put, compute = self.cache.put, self._compute
            terms = [put(word, compute(word)) if t is None else t for word, t in zip(found, terms)]
        return [(pos, t) for pos, t in enumerate(terms) if t]


@cache
def _stemmer() -> BulgarianStemmer:
    return BulgarianStemmer()


def _is_acronym(word: str) -> bool:
    """Whether ``word``, written in capitals in the text, is an acronym (see ``_MAX_ACRONYM``)."""
    return 2 <= len(word) <= _MAX_ACRONYM and (len(word) <= _SHORT_ACRONYM or not _stemmer().is_known(word))


class HasPipeline(Protocol):
    """Anything that carries a pipeline (a `BulgarianAnalyzer`)."""

    @property
    def pipeline(self) -> Pipeline: ...


@cache
def default_pipeline() -> Pipeline:
    return Pipeline()


def _pipeline_of(analyzer: Pipeline | HasPipeline | None) -> Pipeline:
    if analyzer is None:
        return default_pipeline()
    return analyzer if isinstance(analyzer, Pipeline) else analyzer.pipeline


def analyze_tokens(text: str, analyzer: Pipeline | HasPipeline | None = None) -> list[AnalyzedToken]:
    """Every token of `text` with its offsets and the term it becomes (None for stop words)."""
    return _pipeline_of(analyzer).tokens(text)


def analyze(text: str, analyzer: Pipeline | HasPipeline | None = None) -> list[str]:
    """The index terms of `text`, in order (stop words removed)."""
    return _pipeline_of(analyzer).terms(text)
