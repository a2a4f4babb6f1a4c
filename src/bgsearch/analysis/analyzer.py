"""The Bulgarian analyzer: tokenizer → normalizer → stop words → stemmer, as a Whoosh analyzer.

`BulgarianAnalyzer()` drops into any Whoosh schema (`TEXT(analyzer=BulgarianAnalyzer())`). The
per-token work (normalize, stop-check, stem) is fused into one cached step: a text repeats its
words, so most tokens cost one dictionary lookup.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache

from whoosh.analysis import CompositeAnalyzer, Filter, Token

from .latin import stem_latin
from .normalizer import is_cyrillic_word, normalize_word
from .stemmer import STEMMER_VERSION, BulgarianStemmer
from .stopwords import bulgarian_stop_words
from .tokenizer import BulgarianTokenizer

__all__ = [
    "ANALYZER_NAME",
    "ANALYZER_VERSION",
    "AnalyzedToken",
    "BulgarianAnalyzer",
    "BulgarianFilter",
    "KNOWN_ACRONYMS",
    "analyze",
    "analyze_tokens",
]

ANALYZER_NAME = "bgsearch-bulgarian"
# Bump _PIPELINE_VERSION whenever tokenization, normalization or stop words change what terms a
# text becomes; the stemmer versions itself. Indexes record the result and refuse a mismatch.
_PIPELINE_VERSION = "3"
ANALYZER_VERSION = f"{_PIPELINE_VERSION}.{STEMMER_VERSION}"

_STOPPED = ""  # cache value for a stop word (no real term is empty)
# An acronym written in capitals is not stemmed (НАТО, ОССЕ, НЗОК; the rules would read НАТО as a
# noun in -о, нат).  A token in capitals is an acronym when it has at most this many letters and
# is not an ordinary word: not a dictionary form once lowercased, or of at most
# _SHORT_ACRONYM letters (ДВ, ПИ, БТА: a 2-3 letter word in capitals is nearly always an
# abbreviation; a 3-letter word is not stemmed anyway, unless the dictionary knows it).
# A word a shouting headline writes in capitals (ТЪМНИ СИЛИ) is a dictionary form and is stemmed.
_MAX_ACRONYM = 5
_SHORT_ACRONYM = 3
#: Acronyms that are also dictionary forms (the dictionaries list them as words), never stemmed,
#: in capitals or not.  Users may add to it.
KNOWN_ACRONYMS = frozenset({"нато", "юнеско", "уефа", "фифа", "уницеф", "опек", "бта", "оссе"})
_CACHE_LIMIT = 200_000


class BulgarianFilter(Filter):
    """Turns raw tokens into index terms: normalize, drop stop words, stem.

    Stop words are removed but keep their position, so a phrase query still requires the gap a
    stop word leaves ("министър на финансите" does not match "министър финансите").
    """

    def __init__(self, stop_words: Iterable[str] | None = None, stem: bool = True) -> None:
        self.stop_words = bulgarian_stop_words() if stop_words is None else frozenset(
            normalize_word(w) for w in stop_words
        )
        self.stem = stem
        self._cache: dict[str, str] = {}

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BulgarianFilter)
            and self.stop_words == other.stop_words
            and self.stem == other.stem
        )

    def __getstate__(self) -> dict[str, object]:
        # Whoosh pickles the schema, analyzer included, into the index: keep the cache out.
        return {"stop_words": self.stop_words, "stem": self.stem}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self._cache = {}

    def term(self, raw: str) -> str | None:
        """The index term for one raw token, or None for a stop word."""
        term = self._cache.get(raw)
        if term is None:
            term = self._compute(raw)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[raw] = term
        return term or None

    def _compute(self, raw: str) -> str:
        word = normalize_word(raw)
        if word in self.stop_words:
            return _STOPPED
        if not self.stem:
            return word
        if is_cyrillic_word(word):
            if word in KNOWN_ACRONYMS or (raw.isupper() and _is_acronym(word)):
                return word
            return _stemmer().stem(word)
        if word.isascii() and word.isalpha():
            return stem_latin(word)
        return word

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        cache = self._cache
        for token in tokens:
            term = cache.get(token.text)
            if term is None:
                term = self.term(token.text) or _STOPPED
            if term:
                token.text = term
                yield token
            elif not token.removestops:
                token.stopped = True
                yield token


@cache
def _stemmer() -> BulgarianStemmer:
    return BulgarianStemmer()


def _is_acronym(word: str) -> bool:
    """Whether ``word``, written in capitals in the text, is an acronym (see ``_MAX_ACRONYM``)."""
    return 2 <= len(word) <= _MAX_ACRONYM and (len(word) <= _SHORT_ACRONYM or not _stemmer().is_known(word))


class BulgarianAnalyzer(CompositeAnalyzer):
    """Whoosh analyzer for Bulgarian text.

    :param stop_words: words to drop (default: Savoy's Bulgarian list); pass `()` to keep all.
    :param stem: reduce words to their stem (default True).
    """

    def __init__(self, stop_words: Iterable[str] | None = None, stem: bool = True) -> None:
        super().__init__(BulgarianTokenizer(), BulgarianFilter(stop_words, stem))

    @property
    def filter(self) -> BulgarianFilter:
        return self.items[-1]


@dataclass(frozen=True, slots=True)
class AnalyzedToken:
    """One token of a text: its original spelling and place, and the term it becomes."""

    text: str
    term: str | None  # None: a stop word
    start: int
    end: int
    position: int


@cache
def default_analyzer() -> BulgarianAnalyzer:
    return BulgarianAnalyzer()


def analyze_tokens(text: str, analyzer: BulgarianAnalyzer | None = None) -> list[AnalyzedToken]:
    """Every token of `text` with its offsets and the term it becomes (None for stop words)."""
    analyzer = analyzer or default_analyzer()
    tokenizer, term_filter = analyzer.items[0], analyzer.filter
    return [
        AnalyzedToken(t.text, term_filter.term(t.text), t.startchar, t.endchar, t.pos)
        for t in tokenizer(text, positions=True, chars=True)
    ]


def analyze(text: str, analyzer: BulgarianAnalyzer | None = None) -> list[str]:
    """The index terms of `text`, in order (stop words removed)."""
    analyzer = analyzer or default_analyzer()
    return [token.text for token in analyzer(text)]
