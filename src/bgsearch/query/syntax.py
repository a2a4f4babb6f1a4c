"""Query syntax: parses a query string into a syntax tree, independent of the search engine.

    санкции Лукашенко          all words must match (each in any inflected form)
    "политически затворници"   a phrase
    Тръмп OR Путин             either
    NOT Москва, -Москва        must not match
    title:Беларус              a word in one text field (or an exact id: id:8678-3)
    санкци*                    a prefix (at least 2 letters)
    ИЗН*СИЛВАТ, изн?силват     a * or ? between letters stands for a hidden letter (censored words):
                               the word is searched without it, and typo tolerance finds it
    source:БТА  date:2025-12  date:2025-10-01..2025-12-31  price:10..20  in_stock:true
                               a value of a keyword, date, number or boolean field (a filter)
    (A OR B) C                 grouping

Which names are fields, and of what kind, is the index's schema (`bgsearch.fields`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..errors import QuerySyntaxError
from ..fields import DEFAULT_SCHEMA, Schema

__all__ = [
    "Node", "Word", "Phrase", "FieldValue", "And", "Or", "Not", "ParsedQuery", "parse_query",
    "MAX_DEPTH", "MAX_CLAUSES", "MAX_PHRASE_WORDS",
]

MAX_DEPTH = 32
MAX_CLAUSES = 1024  # as Lucene's BooleanQuery long had; only the first 64 words are ranked (expand.py)
MAX_PHRASE_WORDS = 32
MIN_PREFIX = 2
# A * or ? between two letters: a hidden letter, as in censored headlines (ИЗН*СИЛВАТ).
_HIDDEN_LETTER = re.compile(r"(?<=[^\W\d_])[*?]+(?=[^\W\d_])")


@dataclass(frozen=True)
class Word:
    text: str
    field: str | None = None  # None: the default fields (title and body)
    prefix: bool = False


@dataclass(frozen=True)
class Phrase:
    text: str
    field: str | None = None


@dataclass(frozen=True)
class FieldValue:
    """`name:value` for a keyword, number, date or boolean field: a value or a range (`a..b`), as
    written; `query.filters` reads it by the field's kind."""

    field: str
    value: str


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Word | Phrase | FieldValue | Not | And | Or


@dataclass
class ParsedQuery:
    root: Node | None  # None: nothing to search for (empty query)
    notices: list[str] = field(default_factory=list)


# One token at a time from where the last one ended, white space skipped by a match of its own: a
# pattern that starts with \s* and is searched for (finditer) retries at every space of a long run
# of spaces, each time over the whole run (quadratic: 40,000 trailing spaces took a minute).
_NOT_SPACE = re.compile(r"\S")
_TOKEN = re.compile(
    r"""(?:
        (?P<open>\()|(?P<close>\))
      | (?P<field>[^\W\d_][^\W_]*(?:_[^\W_]+)*):(?=["„«\S])
      | "(?P<phrase>[^"]*)"?
      | „(?P<low_quoted>[^“”"]*)[“”"]?   # Bulgarian quotation marks: „...“
      | «(?P<angle_quoted>[^»]*)»?       # and «...»
      | (?P<minus>-)(?=[^\s\-])
      | (?P<word>[^\s()"„“”«»]+)
    )""",
    re.VERBOSE,
)
# Every kind of quotation marks makes a phrase.
_PHRASE_KINDS = {"low_quoted": "phrase", "angle_quoted": "phrase"}
_KEYWORDS = {"OR", "AND", "NOT"}


def parse_query(text: str, schema: Schema = DEFAULT_SCHEMA) -> ParsedQuery:
    """Parse `text` for an index of `schema`; raises QuerySyntaxError with a one-line explanation
    when it cannot."""
    parser = _Parser(text, schema)
    root = parser.parse()
    return ParsedQuery(root, parser.notices)


class _Parser:
    def __init__(self, text: str, schema: Schema) -> None:
        self.schema = schema
        self.tokens = _lex(text)
        self.i = 0
        self.notices: list[str] = []
        self.clauses = 0

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self._or(0)
        if self.i < len(self.tokens):  # a stray ")"
            raise QuerySyntaxError("unbalanced parenthesis: a ')' has no matching '('")
        return node

    def _peek(self) -> tuple[str, str] | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def _peek_kind(self) -> str | None:
        token = self._peek()
        return None if token is None else token[0]

    def _or(self, depth: int) -> Node:
        children = [self._and(depth)]
        while self._peek() == ("word", "OR"):
            self.i += 1
            if self._peek_kind() in (None, "close"):
                raise QuerySyntaxError("OR needs a word after it")
            children.append(self._and(depth))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def _and(self, depth: int) -> Node:
        children = [self._unary(depth)]
        while (token := self._peek()) is not None and token[0] != "close" and token != ("word", "OR"):
            if token == ("word", "AND"):
                self.i += 1
                continue
            children.append(self._unary(depth))
        return children[0] if len(children) == 1 else And(tuple(children))

    def _unary(self, depth: int) -> Node:
        token = self._peek()
        negated = False
        while token in (("word", "NOT"), ("minus", "-")):  # a loop, not recursion: NOT NOT ... x
            self.i += 1
            negated = not negated
            token = self._peek()
            if token is None:
                raise QuerySyntaxError("NOT needs a word after it")
        node = self._primary(depth)
        return Not(node) if negated else node

    def _primary(self, depth: int) -> Node:
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind == "open":
            if depth >= MAX_DEPTH:
                raise QuerySyntaxError(f"parentheses nested too deeply (at most {MAX_DEPTH} levels)")
            if self._peek() is None:
                raise QuerySyntaxError("unbalanced parenthesis: a '(' is never closed")
            if self._peek_kind() == "close":
                raise QuerySyntaxError("empty parentheses: put words inside ( )")
            node = self._or(depth + 1)
            if self._peek() is None:
                raise QuerySyntaxError("unbalanced parenthesis: a '(' is never closed")
            self.i += 1
            return node
        if kind == "close":
            raise QuerySyntaxError("unbalanced parenthesis: a ')' has no matching '('")
        if kind == "field":
            return self._field(value if value in self.schema else value.lower())  # Title: as title:
        if kind == "word" and value in _KEYWORDS:
            raise QuerySyntaxError(f"{value} needs a word on both sides (write it in lower case to search for it)")
        return self._leaf(kind, value, None)

    def _field(self, name: str) -> Node:
        kind, value = self.tokens[self.i]
        self.i += 1
        if kind not in ("word", "phrase"):
            raise QuerySyntaxError(f"{name}: must be followed by a word or a \"phrase\"")
        spec = self.schema.get(name)
        if spec is None or not spec.searchable:
            self.notices.append(
                f"there is no field {name!r} (fields: {', '.join(self.schema.searchable)}); searched for the words instead"
            )
            return self._leaf("phrase", f"{name} {value}", None)
        if spec.is_filter:
            self._count_clause()
            return FieldValue(name, value)
        return self._leaf(kind, value, name)

    def _count_clause(self) -> None:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise QuerySyntaxError(f"the query is too long: at most {MAX_CLAUSES} words and phrases")

    def _leaf(self, kind: str, value: str, field_name: str | None) -> Node:
        self._count_clause()
        if kind == "phrase":
            if len(value.split()) > MAX_PHRASE_WORDS:
                raise QuerySyntaxError(f"a phrase may have at most {MAX_PHRASE_WORDS} words: quote a shorter part")
            return Phrase(value, field_name)
        if _HIDDEN_LETTER.search(value):
            shown = value
            value = _HIDDEN_LETTER.sub("", value)
            self.notices.append(f"{shown!r}: a * or ? inside a word is read as a hidden letter: searched for {value!r} "
                                "and the words nearest to it")
        if value.endswith("*"):
            stem = value.rstrip("*")
            if len(stem) < MIN_PREFIX or "*" in stem:
                raise QuerySyntaxError(
                    f"{value!r}: a wildcard goes at the end of a word, after at least {MIN_PREFIX} letters (санкц*)"
                )
            return Word(stem, field_name, prefix=True)
        if "*" in value:
            raise QuerySyntaxError(f"{value!r}: a wildcard goes only at the end of a word (санкц*)")
        return Word(value, field_name)


def _lex(text: str) -> list[tuple[str, str]]:
    """The tokens of `text`, in time linear in its length."""
    tokens: list[tuple[str, str]] = []
    position = 0
    while True:
        start = _NOT_SPACE.search(text, position)  # each space is looked at once
        if start is None:
            return tokens
        position = start.start()
        match = _TOKEN.match(text, position)
        if match is None:  # cannot happen: every character but white space starts a token
            position += 1
            continue
        kind = match.lastgroup
        assert kind is not None
        tokens.append((_PHRASE_KINDS.get(kind, kind), match[kind]))
        position = match.end()
