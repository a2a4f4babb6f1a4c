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

__all__ = ["INNER_MARKS", "HYPHENS", "spans", "words", "token_starts", "token_end", "MAX_TOKEN_LENGTH", "TOKEN_PATTERN"]

# Marks that may sit inside a word (stress, soft hyphen, zero-width), as a regex class body.
INNER_MARKS = "\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff"
# Unrolled (letters, then runs of inner marks each followed by letters): faster than alternating
# per character, same tokens.
TOKEN_PATTERN = re.compile(rf"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[{INNER_MARKS}]+[^\W\d_]*)*")
HYPHENS = "-\u2010\u2011"  # split a word into parts
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
    hyphens, longest = HYPHENS, MAX_TOKEN_LENGTH  # locals: this loop runs once per word
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


def token_starts(text: str, count: int) -> list[int]:
    """Where the text's first `count` tokens start (all of them, when it has fewer): the n-th is
    where the token at position n starts. (A snippet marks the words whose positions the index
    gives.)"""
    found = _counted_starts(text, count) if count >= _COUNTED_FROM else None
    if found is None:  # a few words, or a text the count does not cover: word by word
        found = [start for start, _ in islice(spans(text), count)]
    return found


# The classes of characters TOKEN_PATTERN and `spans` tell apart, one per character of the Basic
# Multilingual Plane, and what each class after each class means: whether a token starts there
# follows from a character and the one before it, so numpy finds them all at once (~10x faster
# than `spans` a token at a time). A few places need a look further back (_CHECK), and a mark not
# after a letter is left to `spans` (_UNSURE: a letter after it may or may not start a word).
_OTHER, _LETTER, _DIGIT, _MARK, _SEPARATOR, _HYPHEN = range(6)
_NO, _STARTS, _CHECK, _UNSURE = range(4)
_COUNTED_FROM = 100  # tokens: fewer are found faster one at a time


@cache
def _classes() -> Any:
    import numpy as np

    plane = "".join(map(chr, range(0x10000)))
    classes = np.full(0x10000, _OTHER, dtype=np.uint8)
    for kind, pattern in ((_LETTER, r"[^\W\d_]+"), (_DIGIT, r"\d+"), (_MARK, f"[{INNER_MARKS}]+"), (_SEPARATOR, "[.,]"),
                          (_HYPHEN, f"[{HYPHENS}]")):
        for found in re.finditer(pattern, plane):
            classes[found.start() : found.end()] = kind
    return classes


@cache
def _rules() -> Any:
    """What a character of a class means after one of a class: `rules[previous * 6 + class]`."""
    import numpy as np

    rules = np.full((6, 6), _NO, dtype=np.uint8)
    for previous in range(6):
        in_word = previous in (_LETTER, _MARK)
        # A letter goes on a word; after a hyphen it may be an ending glued to a number or an acronym.
        rules[previous, _LETTER] = _NO if in_word else _CHECK if previous == _HYPHEN else _STARTS
        # A digit goes on a number; after a . or , it does if a digit stands before that (1.000).
        rules[previous, _DIGIT] = _NO if previous == _DIGIT else _CHECK if previous == _SEPARATOR else _STARTS
        rules[previous, _MARK] = _NO if in_word else _UNSURE
    return rules.ravel()


def _counted_starts(text: str, count: int) -> list[int] | None:
    """`token_starts` by numpy, or None where it might not be `spans`'s: a character outside the
    Basic Multilingual Plane, or a mark not after a letter."""
    import numpy as np

    if count <= 0 or not text:
        return []
    rules = _rules()
    limit = min(len(text), 8 * count + 256)
    while True:
        codes = np.frombuffer(text[:limit].encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        if codes.max() > 0xFFFF:
            return None
        kinds = _classes().take(codes)
        first = rules[_OTHER * 6 + int(kinds[0])]
        meaning = rules.take(kinds[:-1] * 6 + kinds[1:])  # of each character after the first
        starts = np.flatnonzero(meaning != _NO)
        marked = meaning.take(starts)
        starts += 1
        if first == _UNSURE or marked.max(initial=_NO) == _UNSURE:
            return None
        if first == _STARTS:
            starts = np.concatenate(([0], starts))
            marked = np.concatenate(([_STARTS], marked))
        keep = marked != _CHECK
        checked = np.flatnonzero(~keep)
        if len(checked):
            keep[checked] = _new_tokens(text, kinds, starts.take(checked))
            starts = starts[keep]
        # `spans` skips a token longer than MAX_TOKEN_LENGTH: one lies where the next start is further.
        gaps = np.empty_like(starts)
        gaps[:-1] = starts[1:] - starts[:-1]
        gaps[-1:] = limit - starts[-1:]
        overlong = [row for row in np.flatnonzero(gaps > MAX_TOKEN_LENGTH).tolist()
                    if token_end(text, int(starts[row])) - int(starts[row]) > MAX_TOKEN_LENGTH]
        if overlong:
            starts = np.delete(starts, overlong)
        # Done when the last token asked for lies whole before the limit, or the text has ended.
        if limit == len(text) or (len(starts) >= count and starts[count - 1] + MAX_TOKEN_LENGTH < limit):
            break
        limit = min(len(text), 2 * limit)
    result: list[int] = starts[:count].tolist()
    return result


def _new_tokens(text: str, kinds: Any, checks: Any) -> Any:
    """Which of the letters and digits at `checks` (after a hyphen, or after a . or ,) start a
    token, as a mask: not the digits after a number's separator (1.000), nor an ending glued with a
    hyphen to a number or an acronym (`_is_glued_suffix`: 123-мата, САЩ-ската)."""
    import numpy as np

    two_back = checks - 2  # asked where checks >= 2: at 1, nothing stands before the hyphen or separator
    digit = kinds.take(checks) == _DIGIT
    starts = ~(digit & (kinds.take(two_back) == _DIGIT) & (checks >= 2))
    for row in np.flatnonzero(~digit).tolist():
        at = int(checks[row])
        starts[row] = not _is_glued_suffix(text, at, token_end(text, at))
    return starts


def token_end(text: str, start: int) -> int:
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
