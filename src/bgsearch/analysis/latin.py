"""Latin-script words (names, brands, English terms in Bulgarian text): Snowball English stems.

No Snowball algorithm covers Bulgarian; Latin tokens inside Bulgarian text are mostly English or
international words (Reuters, NATO, iPhone), so the English Snowball stemmer (PyStemmer, C) serves.
"""

from __future__ import annotations

from functools import cache

import Stemmer

__all__ = ["stem_latin"]


@cache
def _english() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def stem_latin(word: str) -> str:
    """Stem a lowercase ASCII word: `sanctions` → `sanction`."""
    return _english().stemWord(word)
