"""A re-implementation of Lucene's Bulgarian light stemmer (Savoy 2007), for the evaluation harness only.

Written from the rule table in ``shared/research/bulgarian-analysis.md`` (section 1), not from Lucene's
code. It is a *peer* the product is measured against and must never be imported by ``bgsearch`` itself.

The input is a lowercased token. Lengths are counted in characters (Lucene counts UTF-16 units, which is the
same thing for Bulgarian letters). Within each step the first matching rule wins.
"""

from __future__ import annotations

__all__ = ["stem"]


def _remove_article(word: str) -> str:
    """Step 2: drop a definite article (-ият, -ът/-то/-те/-та/-ия, -ят)."""
    n = len(word)
    if n > 6 and word.endswith("ият"):
        return word[:-3]
    if n > 5 and word.endswith(("ът", "то", "те", "та", "ия")):
        return word[:-2]
    if n > 4 and word.endswith("ят"):
        return word[:-2]
    return word


def _remove_plural(word: str) -> str:
    """Step 3: undo a plural ending, with the consonant alternations к/ц, г/з, х/с and я/е."""
    n = len(word)
    if n > 6:
        if word.endswith("овци"):
            return word[:-3]  # keeps the "о": дядовци -> дядо (step 4 then drops it)
        if word.endswith("ове"):
            return word[:-3]
        if word.endswith("еве"):
            return word[:-3] + "й"  # строеве -> строй
    if n > 5:
        if word.endswith("ища"):
            return word[:-3]
        if word.endswith("та"):
            return word[:-2]
        if word.endswith("ци"):
            return word[:-2] + "к"
        if word.endswith("зи"):
            return word[:-2] + "г"
        if word[-3] == "е" and word[-1] == "и":
            # промени -> промян: the plural's е alternates with the singular's я.
            return word[:-3] + "я" + word[-2]
    if n > 4:
        if word.endswith("си"):
            return word[:-2] + "х"
        if word.endswith("и"):
            return word[:-1]
    return word


def _remove_final_vowels(word: str) -> str:
    """Step 4: strip a final -я, then (independently) a final -а/-о/-е."""
    if len(word) > 3:
        if word.endswith("я"):
            word = word[:-1]
        if word.endswith(("а", "о", "е")):
            word = word[:-1]
    return word


def stem(word: str) -> str:
    """Return the light stem of a lowercased Bulgarian ``word``."""
    if len(word) < 4:
        return word
    if len(word) > 5 and word.endswith("ища"):
        return word[:-3]
    word = _remove_plural(_remove_article(word))
    word = _remove_final_vowels(word)
    if len(word) > 4 and word.endswith("ен"):
        word = word[:-2] + "н"  # песен -> песн, so it meets песни -> песн
    if len(word) > 5 and word[-2] == "ъ":
        word = word[:-2] + word[-1]  # център -> центр, so it meets центрове -> центр
    return word
