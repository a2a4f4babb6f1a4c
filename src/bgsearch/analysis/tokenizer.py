"""`BulgarianTokenizer`: the tokenizer of `bgsearch.analysis.tokenize` as a Whoosh tokenizer.

Existing indexes pickle this class under this name: it stays here.
"""

from __future__ import annotations

from collections.abc import Iterator

from whoosh.analysis import Token, Tokenizer

from .tokenize import MAX_TOKEN_LENGTH, TOKEN_PATTERN, spans

__all__ = ["BulgarianTokenizer", "MAX_TOKEN_LENGTH", "TOKEN_PATTERN"]


class BulgarianTokenizer(Tokenizer):
    """A Whoosh tokenizer for Bulgarian (and any other alphabetic) text."""

    def __eq__(self, other: object) -> bool:
        return other.__class__ is self.__class__

    def __call__(
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
        for pos, (start, end) in enumerate(spans(value), start_pos):
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
            yield token
