"""Bulgarian stop words: Jacques Savoy's list (BSD), the one Lucene and Elasticsearch use, with the
other forms of its pronouns and numerals.

Savoy's 190 words are function words (prepositions, pronouns, particles, auxiliaries) and a few
very frequent verbs. Broader lists (stopwords-iso, spaCy) also drop content words a searcher
wants (време, година, нов), so they are not the default. Savoy's list names some forms of a
pronoun and not others (кой but not коя, всяка but not всяко, един but not една); its other forms
(`stopwords-bg-forms.txt`, 64, written by tools/build_stop_forms.py) are stop words too.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files

__all__ = ["bulgarian_stop_words"]

_FILES = ("stopwords-bg.txt", "stopwords-bg-forms.txt")  # in analysis/data


@cache
def bulgarian_stop_words() -> frozenset[str]:
    """The default stop list (Savoy's, and the other forms of its pronouns and numerals), as
    normalized lowercase words."""
    data = files("bgsearch.analysis").joinpath("data")
    lines = [line for name in _FILES for line in data.joinpath(name).read_text("utf-8").splitlines()]
    return frozenset(_parse(lines))


def _parse(lines: Iterable[str]) -> Iterable[str]:
    from .normalizer import normalize_word

    for line in lines:
        word = line.split("#", 1)[0].strip()
        if word:
            yield normalize_word(word)
