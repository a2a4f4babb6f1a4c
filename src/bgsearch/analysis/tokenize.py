"""Tokenizing: where the words and numbers of a text are, by character offsets.

A word is a run of letters; stress marks, soft hyphens and zero-width characters inside it stay
part of the token (the normalizer removes them), so `ка́кво` is one token, not `ка` + `кво`.
Hyphens split (`по-добре` → `по`, `добре`), as do digits (`2022г` → `2022`, `г`). A number
keeps its inner separators (`3,5`, `1.000`). A short suffix glued to a number with a hyphen
(`123-мата`, `20-те`) belongs to the number and is not a word of its own; so does an ending glued
with a hyphen to an acronym in capitals (`САЩ-ската`, `НАТО-вските`, `ЕС-то`): it is not a word
(`ската` would be read as "the slope"), while a word after an acronym stays (`ДНК-анализ`). A run of
more than 64 letters is not a word (base64, hashes, glued-together junk) and is skipped.

Every stage that looks at words of a text (indexing, snippets, "did you mean") goes through
`spans`, so they all see the same words at the same positions.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from itertools import islice
from typing import Any

__all__ = ["INNER_MARKS", "spans", "words", "token_start", "MAX_TOKEN_LENGTH", "TOKEN_PATTERN"]

# Marks that may sit inside a word (stress, soft hyphen, zero-width), as a regex class body.
INNER_MARKS = "\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff"
# Unrolled (letters, then runs of inner marks each followed by letters): faster than alternating
# per character, same tokens.
TOKEN_PATTERN = re.compile(rf"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[{INNER_MARKS}]+[^\W\d_]*)*")
_HYPHENS = "-\u2010\u2011"
# Endings written after a numeral: 5-ти, 1-ви, 2-ри, 7-ми, 3-ма, 123-мата, 20-те, 5-тия.
_NUMBER_SUFFIX = re.compile(r"(?:ма|мина)(?:та)?|(?:ви|ри|ми|ти)(?:я|ят|те)?|т[аое]|ия|ият|[аия]", re.I)
# Endings written after an acronym: the -ски adjective (САЩ-ската, НАТО-вските, ЕС-овски), the
# article and the plural (ЕС-то, ДПС-а, ЧЕЗ-ът, ВиК-ове), -ец / -ци (ДПС-ци).
_ACRONYM_SUFFIX = re.compile(r"(?:[оеи]?в)?(?:ск|шк)(?:и|а|о|ите|ата|ото|ия|ият)|(?:ов|ев)(?:е|ете)?|"
                             r"т[аое]|ът|ите|ове|овете|[аия]|ят|ият|ец|ци|ците", re.I)
_BEFORE_HYPHEN = re.compile(r"(.)[-\u2010\u2011]", re.S)
_MAX_ACRONYM = 6
MAX_TOKEN_LENGTH = 64


def spans(text: str, begin: int = 0, end: int | None = None) -> Iterator[tuple[int, int]]:
    """The (start, end) offsets of the tokens of `text[begin:end]`, in order; the n-th span is the
    token at position n (counted from `begin`)."""
    hyphens, longest = _HYPHENS, MAX_TOKEN_LENGTH  # locals: this loop runs once per word
    for match in TOKEN_PATTERN.finditer(text, begin, len(text) if end is None else end):
        start, stop = match.span()
        if stop - start > longest or (start and text[start - 1] in hyphens and _is_glued_suffix(text, start, stop)):
            continue
        yield start, stop


def words(text: str) -> list[str]:
    """The tokens of `text` as strings, as `spans` finds them: the n-th is the token at position n.
    A text where no hyphen follows a digit or a capital (so no ending can be glued on) is cut in one
    regex call, not word by word."""
    if ("-" in text or "\u2010" in text or "\u2011" in text) and any(
            c.isdigit() or c.isupper() for c in _BEFORE_HYPHEN.findall(text)):
        return [text[start:stop] for start, stop in spans(text)]
    found = TOKEN_PATTERN.findall(text)
    if found and len(max(found, key=len)) > MAX_TOKEN_LENGTH:
        return [word for word in found if len(word) <= MAX_TOKEN_LENGTH]
    return found


def token_start(text: str, position: int) -> int:
    """Where the token at `position` (from 0) starts; 0 if the text has fewer tokens. (A snippet
    of a long document starts near its first match, whose position the index gives.)"""
    found = _counted_start(text, position) if position >= _COUNTED_FROM else None
    if found is None:  # near the start, or a text the count does not cover: word by word
        span = next(islice(spans(text), position, None), None)
        found = span[0] if span else 0
    return found


# The classes of characters TOKEN_PATTERN and `spans` tell apart, as bit flags of a table of the
# Basic Multilingual Plane: where tokens start follows from each character and the two before it,
# so numpy finds them all at once (~8x faster than `spans` a token at a time).
_LETTER, _DIGIT, _MARK, _SEPARATOR, _GLUE, _HYPHEN = 1, 2, 4, 8, 16, 32  # _GLUE: isdigit or isupper
_COUNTED_FROM = 100  # tokens: fewer are found faster one at a time


@cache
def _flags() -> Any:
    import numpy as np

    plane = "".join(map(chr, range(0x10000)))
    flags = np.zeros(0x10000, dtype=np.uint8)
    for flag, pattern in ((_LETTER, r"[^\W\d_]+"), (_DIGIT, r"\d+"), (_MARK, f"[{INNER_MARKS}]+"), (_SEPARATOR, "[.,]"),
                          (_HYPHEN, f"[{_HYPHENS}]")):
        for found in re.finditer(pattern, plane):
            flags[found.start() : found.end()] |= flag
    flags[[i for i, c in enumerate(plane) if c.isdigit() or c.isupper()]] |= _GLUE
    return flags


def _counted_start(text: str, position: int) -> int | None:
    """`token_start` by numpy, or None where it might not be `spans`'s: a character outside the
    Basic Multilingual Plane, a mark not after a letter (a letter after it may start a word), or a
    run of token characters longer than MAX_TOKEN_LENGTH."""
    import numpy as np

    limit = min(len(text), 8 * position + 256)
    while True:
        codes = np.frombuffer(text[:limit].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if codes.max(initial=0) > 0xFFFF:
            return None
        flags = _flags()[codes]
        before = np.concatenate(([0], flags[:-1]))  # each character's previous one's flags
        word, digit = (flags & (_LETTER | _MARK)) != 0, (flags & _DIGIT) != 0
        in_word = (before & (_LETTER | _MARK)) != 0
        if (word & ~in_word & ((flags & _MARK) != 0)).any():
            return None
        # A letter starts a token unless a letter or mark is just before it; a digit, unless a
        # digit, or a . or , after a digit, is.
        after_digit = (before & _DIGIT) != 0
        in_number = np.zeros(len(flags), dtype=bool)  # a . or , between two digits
        in_number[1:-1] = ((flags[1:-1] & _SEPARATOR) != 0) & digit[:-2] & digit[2:]
        after_digit[1:] |= in_number[:-1]
        starts = np.flatnonzero((word & ~in_word) | (digit & ~after_digit))
        # Not words of their own: endings glued on with a hyphen after a digit or a capital
        # (`_is_glued_suffix`, asked of each word so placed; an ending is letters, never a number).
        later = starts[starts >= 2]
        hyphenated = later[((flags[later] & _LETTER) != 0) & ((before[later] & _HYPHEN) != 0)
                           & ((flags[later - 2] & _GLUE) != 0)]
        glued = [at for at in hyphenated.tolist() if _is_glued_suffix(text, at, _token_end(text, at))]
        if glued:
            starts = starts[~np.isin(starts, glued)]
        if len(starts) > position and (limit == len(text) or starts[position] + MAX_TOKEN_LENGTH < limit):
            start = int(starts[position])
            break
        if limit == len(text):
            start = 0  # fewer tokens than that
            break
        limit = min(len(text), 2 * limit)
    # What `spans` also skips: an over-long token (checked as: no run of token characters is).
    breaks = np.flatnonzero(~(word | digit | in_number))
    if not len(breaks):
        return None if len(flags) > MAX_TOKEN_LENGTH else start
    if max(int(breaks[0]), len(flags) - 1 - int(breaks[-1]), int(np.diff(breaks).max(initial=1)) - 1) > MAX_TOKEN_LENGTH:
        return None
    return start


def _token_end(text: str, start: int) -> int:
    """Where the token TOKEN_PATTERN finds at `start` ends."""
    found = TOKEN_PATTERN.match(text, start)
    return found.end() if found else start


def _is_glued_suffix(text: str, start: int, end: int) -> bool:
    """An ending hyphenated to the number (123-мата) or acronym (САЩ-ската) just before it."""
    if start < 2:
        return False
    if text[start - 2].isdigit():
        return _NUMBER_SUFFIX.fullmatch(text, start, end) is not None
    if not text[start - 2].isupper():
        return False
    head = start - 1
    while head and text[head - 1].isalpha():
        head -= 1
    acronym = text[head : start - 1]
    return (2 <= len(acronym) <= _MAX_ACRONYM and sum(c.isupper() for c in acronym) >= 2
            and _ACRONYM_SUFFIX.fullmatch(text, start, end) is not None)
