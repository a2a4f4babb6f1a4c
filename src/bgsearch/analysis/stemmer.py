"""Bulgarian stemmer: maps every inflected form of a word to one index term.

The term of a word is the *key* of its lemma:

* verbs keep their lemma (1st person singular present): чета, пиша, давам;
* every other word is keyed by its lemma without a final vowel or й:
  книга → книг, море → мор, герой → геро, красив → красив, български → българск;
  where two lemmas would share a key, the less frequent one keeps its full lemma
  (политик / политика, дам / дама, знам / знаме).

A form is stemmed by learned suffix rules (``form suffix → letters to strip, letters to add``;
the longest listed suffix of the form wins, unless it leads to no dictionary key and a shorter one
leads to a longer dictionary key, or one as long when the longest left the word unchanged).  The rules were learned from a dictionary of
~200k forms (see ``tools/build_stemmer_data.py``); the dictionary forms whose key the rules get
wrong are stored as *exceptions* and looked up first.  So a form that no dictionary knows is
stemmed exactly as a known form with the same ending would be, and the term of a known form and
the term of an unknown form of the same word agree by construction.

For unknown words one derivational step follows: a possessive adjective of a name that the
dictionary does not know, in a form only the adjective has (тръмповата, тръмпово), is reduced to
the name (тръмп); -ов/-ова/-ови forms are also surnames' (Кирилов, Йотова) and keep -ов, and so does
the adjective of a known word (бадемовата: бадемов).

Data loads lazily on first use, once per process, and is shared by all instances (the forms
list behind :meth:`BulgarianStemmer.is_known` and :meth:`BulgarianStemmer.known_near` only when
one of those is first called).  ``stem``
memoizes its results in a module-level cache of ``CACHE_SIZE`` entries (emptied when full).
"""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass
from importlib import resources
from typing import Final

from ..caching import BoundedCache
from ..edits import nearest, one_edit_variants

__all__ = ["STEMMER_VERSION", "STEM_CACHE", "BulgarianStemmer", "StemmerData", "load_data", "rule_stem"]

#: Bump whenever any output of :meth:`BulgarianStemmer.stem` changes (indexes record it).
STEMMER_VERSION: Final = "5"

RULES_FILE: Final = "stemmer-rules.tsv.gz"
KNOWN_FILE: Final = "stemmer-known.txt.gz"

#: Unknown words this short are returned unchanged: stemming them costs more precision than it buys.
MIN_RULE_LEN: Final = 4
#: A rule never leaves fewer letters than this before adding its replacement.
MIN_STEM: Final = 2
#: Possessive adjective suffixes removed from a predicted key no dictionary word has (тръмповата ->
#: тръмп), when the word has an ending only the adjective has (the neuter or the article) and the
#: name left is no dictionary key either.  The other forms (-ов, -ова, -ови) are also a surname's
#: (Кирилов, Йотова, Петрови), which keeps -ов: a surname made from a first name is not that name;
#: and the -ов adjective of a known word is a word of its own (бадемовата: бадемов, not бадем).
_DERIVATIONAL: Final = ("ов", "ев")
_POSSESSIVE_ONLY: Final = frozenset({"о", "ия", "ият", "ата", "ото", "ите"})
_MIN_DERIVED_BASE: Final = 3
#: Memo cache bound: when full, the cache is cleared (cheap, and steady state refills it fast).
CACHE_SIZE: Final = 200_000

Rule = tuple[int, str]
"""A transformation: (letters to strip from the end, letters to add)."""


@dataclass(frozen=True)
class StemmerData:
    """Everything :func:`rule_stem` needs."""

    rules: dict[str, Rule]
    exceptions: dict[str, str]
    keys: frozenset[str]
    max_suffix: int


def rule_stem(word: str, data: StemmerData) -> str:
    """Stem ``word`` by the rules alone (no exception lookup, no memo).

    The longest suffix of ``word`` that has a rule gives the key, unless that key is not a
    dictionary key and a shorter suffix's rule gives a longer dictionary key, or one as long when
    the longest rule left the word as it is: then that one (дебата: "-ата" of feminine nouns gives
    деб, "-а" of masculine ones the known дебат; екстремна: "-мна" of verbs takes the word for a
    lemma, "-на" of adjectives gives the known екстремен).  An equal-length key is not taken from
    a rule that changed the word: a participle of an unknown verb would reach the verb's known
    verbal noun (запалваният: запалвам, not запалван(е)).  So an unknown form of a known
    word meets it, while a rule never strips more to reach some unrelated dictionary key.  A key
    that no dictionary word has then loses a possessive -ов/-ев when the word's ending is one only
    the possessive adjective has and the name left is not a dictionary key (тръмповата -> тръмпов ->
    тръмп; not the surnames Кирилов, Йотова, nor бадемовата, the adjective of бадем).
    """
    n = len(word)
    if n < MIN_RULE_LEN:
        return word
    rules, keys = data.rules, data.keys
    key = None
    for length in range(min(n, data.max_suffix), -1, -1):
        rule = rules.get(word[n - length :])
        if rule is None or n - rule[0] < MIN_STEM:
            continue
        guess = (word[: n - rule[0]] if rule[0] else word) + rule[1]
        if key is None:
            key = guess
            if guess in keys:
                break
        elif (len(guess) > len(key) or (key == word and len(guess) == n)) and guess in keys:
            return guess  # (key is not a dictionary key here)
    if key is None:
        key = word
    if key not in keys and word[len(key) :] in _POSSESSIVE_ONLY:
        for suffix in _DERIVATIONAL:
            base = key[: -len(suffix)]
            if key.endswith(suffix) and len(base) >= _MIN_DERIVED_BASE and base not in keys:
                return base
    return key


def parse_data(lines: list[str]) -> StemmerData:
    """Parse the rules file (``R suffix strip add`` / ``X form key`` / ``K key`` lines)."""
    rules: dict[str, Rule] = {}
    exceptions: dict[str, str] = {}
    keys: set[str] = set()
    for line in lines:
        if not line or line[0] == "#":
            continue
        parts = line.rstrip("\n").split("\t")
        kind = parts[0]
        if kind == "R":
            rules[parts[1]] = (int(parts[2]), parts[3])
        elif kind == "X":
            exceptions[parts[1]] = parts[2]
        elif kind == "K":
            keys.add(parts[1])
    return StemmerData(rules, exceptions, frozenset(keys), max((len(s) for s in rules), default=0))


_lock = threading.Lock()
_data: StemmerData | None = None
_known: frozenset[str] | None = None


def _read_lines(name: str) -> list[str]:
    ref = resources.files("bgsearch.analysis").joinpath("data").joinpath(name)
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf8") as fh:
        return fh.read().split("\n")


def load_data() -> StemmerData:
    """Load (once per process) and return the stemmer data."""
    global _data
    if _data is None:
        with _lock:
            if _data is None:
                _data = parse_data(_read_lines(RULES_FILE))
    return _data


def _load_known() -> frozenset[str]:
    global _known
    if _known is None:
        with _lock:
            if _known is None:
                _known = frozenset(w for w in _read_lines(KNOWN_FILE) if w)
    return _known


_ALPHABET: Final = "абвгдежзийклмнопрстуфхцчшщъьюя"
_known_by_shape: dict[tuple[int, str], list[str]] | None = None


def _known_forms_by_shape() -> dict[tuple[int, str], list[str]]:
    """The known forms by (length, first letter): the candidates a two-edit search scans."""
    global _known_by_shape
    if _known_by_shape is None:
        with _lock:
            if _known_by_shape is None:
                by_shape: dict[tuple[int, str], list[str]] = {}
                for form in _load_known():
                    by_shape.setdefault((len(form), form[0]), []).append(form)
                for forms in by_shape.values():
                    forms.sort()  # the same candidates in every process
                _known_by_shape = by_shape
    return _known_by_shape


#: The memo of :meth:`BulgarianStemmer.stem`, shared by all instances (a benchmark clears it to time
#: a cold start; a test swaps in a small one).
STEM_CACHE: BoundedCache[str, str] = BoundedCache(CACHE_SIZE)


class BulgarianStemmer:
    """Bulgarian inflectional stemmer (dictionary exceptions + learned suffix rules).

    Input: one lowercase token of the 30 basic Cyrillic letters а–я.  Output: its index term.
    """

    def stem(self, word: str) -> str:
        term = STEM_CACHE.get(word)
        if term is not None:
            return term
        data = _data if _data is not None else load_data()
        term = data.exceptions.get(word)
        if term is None:
            term = rule_stem(word, data)
        return STEM_CACHE.put(word, term)

    def is_known(self, word: str) -> bool:
        """True when ``word`` is a dictionary form (its term does not come from a guess)."""
        return word in _load_known()

    def known_near(self, word: str, max_distance: int, limit: int = 10) -> list[tuple[int, str]]:
        """Dictionary forms within ``max_distance`` (1 or 2) edits of ``word``, an adjacent swap
        counting as one, as (distance, form), nearest first; ``word`` itself is left out.

        One edit: every variant of ``word`` is looked up (~0.3 ms).  Two edits: the forms of about
        the same length that start with the same letter are scanned (a full scan takes ~10 ms).
        """
        known = _load_known()
        found = [(1, form) for form in sorted(one_edit_variants(word, _ALPHABET) & known)]
        if max_distance >= 2 and word:
            shapes = _known_forms_by_shape()
            for length in range(len(word) - 2, len(word) + 3):
                found += [(2, form) for distance, form in nearest(word, shapes.get((length, word[0]), ()), 2, limit)
                          if distance == 2]
        return sorted(found)[:limit]
