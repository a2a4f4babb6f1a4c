"""Bulgarian stop words: Jacques Savoy's list (BSD), the one Lucene and Elasticsearch use.

Savoy's 190 words are function words (prepositions, pronouns, particles, auxiliaries) and a few
very frequent verbs. Broader lists (stopwords-iso, spaCy) also drop content words a searcher
wants (време, година, нов), so they are not the default.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files

__all__ = ["bulgarian_stop_words"]


@cache
def bulgarian_stop_words() -> frozenset[str]:
    """The default stop list (Savoy), as normalized lowercase words."""
    text = files("bgsearch.analysis").joinpath("data/stopwords-bg.txt").read_text("utf-8")
    return frozenset(_parse(text.splitlines()))


def _parse(lines: Iterable[str]) -> Iterable[str]:
    from .normalizer import normalize_word

    for line in lines:
        word = line.split("#", 1)[0].strip()
        if word:
            yield normalize_word(word)
