"""Tokenizer: splits raw text into words and numbers, keeping their character offsets.

A word is a run of letters; stress marks, soft hyphens and zero-width characters inside it stay
part of the token (the normalizer removes them), so `ка́кво` is one token, not `ка` + `кво`.
Hyphens split (`по-добре` → `по`, `добре`), as do digits (`2022г` → `2022`, `г`). A number
keeps its inner separators (`3,5`, `1.000`). A short suffix glued to a number with a hyphen
(`123-мата`, `20-те`) belongs to the number and is not a word of its own; so does an ending glued
with a hyphen to an acronym in capitals (`САЩ-ската`, `НАТО-вските`, `ЕС-то`): it is not a word
(`ската` would be read as "the slope"), while a word after an acronym stays (`ДНК-анализ`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

__all__ = ["BulgarianTokenizer", "MAX_TOKEN_LENGTH", "TOKEN_PATTERN"]

# Marks that may sit inside a word (stress, soft hyphen, zero-width), as a regex class body.
_INNER = "\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff"
# Unrolled (letters, then runs of inner marks each followed by letters): faster than alternating
# per character, same tokens.
TOKEN_PATTERN = re.compile(rf"\d+(?:[.,]\d+)*|[^\W\d_]+(?:[{_INNER}]+[^\W\d_]*)*")
_HYPHENS = "-\u2010\u2011"
# Endings written after a numeral: 5-ти, 1-ви, 2-ри, 7-ми, 3-ма, 123-мата, 20-те, 5-тия.
_NUMBER_SUFFIX = re.compile(r"(?:ма|мина)(?:та)?|(?:ви|ри|ми|ти)(?:я|ят|те)?|т[аое]|ия|ият|[аия]", re.I)
# Endings written after an acronym: the -ски adjective (САЩ-ската, НАТО-вските, ЕС-овски), the
# article and the plural (ЕС-то, ДПС-а, ЧЕЗ-ът, ВиК-ове), -ец / -ци (ДПС-ци).
_ACRONYM_SUFFIX = re.compile(r"(?:[оеи]?в)?(?:ск|шк)(?:и|а|о|ите|ата|ото|ия|ият)|(?:ов|ев)(?:е|ете)?|"
                             r"т[аое]|ът|ите|ове|овете|[аия]|ят|ият|ец|ци|ците", re.I)
# Longer runs of letters are not words (base64, hashes, glued-together junk); they are skipped
# rather than indexed as giant terms.
MAX_TOKEN_LENGTH = 64


class BulgarianTokenizer(Tokenizer):
    """A Whoosh tokenizer for Bulgarian (and any other alphabetic) text."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(  # type: ignore[override]
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not tokenize:
            token.original = token.text = value
            token.boost = 1.0
            token.stopped = False
            token.pos = start_pos
            token.startchar, token.endchar = start_char, start_char + len(value)
            yield token
            return
        pos = start_pos
        hyphens, longest = _HYPHENS, MAX_TOKEN_LENGTH  # locals: this loop runs once per word
        for match in TOKEN_PATTERN.finditer(value):
            start, end = match.span()
            if end - start > longest or (
                start and value[start - 1] in hyphens and _is_glued_suffix(value, start, end)
            ):
                continue
            token.text = value[start:end]
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = token.text
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            pos += 1
            yield token


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


_MAX_ACRONYM = 6
