"""Bounded work (issue 14): the query lexer is linear and tokenizes as before; OR alternatives are
de-duplicated and OR chains, negations and prefixes bounded, with a one-line QuerySyntaxError
beyond the bounds and never a RecursionError; a quoted id or keyword value is matched exactly; a
JSON Lines line is read with a bound on its length, so one huge line costs neither the import nor
the memory; every text field has a length limit. Times are measured in benchmarks/hostile.py."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import random
import re
import tracemalloc
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from bgsearch import Index, QuerySyntaxError, Rejected, load_path
from bgsearch import loaders
from bgsearch.analysis.pipeline import Pipeline
from bgsearch.documents import MAX_CHARS, to_document
from bgsearch.errors import DocumentError
from bgsearch.query import plan
from bgsearch.query.expand import MAX_GROUPED_WORDS, MAX_NEGATIONS, MAX_PREFIXES, expand
from bgsearch.query.syntax import _lex, parse_query
from conftest import DECEMBER, OCTOBER
from robustness_helpers import one_line

# -- the lexer --------------------------------------------------------------------------------------

# The lexer before issue 14 (a pattern searched with finditer; quadratic on runs of white space),
# with the Bulgarian quotation marks and field names with digits and underscores (in_stock:) added
# since (issue 15): the reference the linear one must agree with, token for token.
_OLD_LEXER = re.compile(
    r"""\s*(?:
        (?P<open>\()|(?P<close>\))
      | (?P<field>[^\W\d_][^\W_]*(?:_[^\W_]+)*):(?=["„«\S])
      | "(?P<phrase>[^"]*)"?
      | „(?P<low_quoted>[^“”"]*)[“”"]?
      | «(?P<angle_quoted>[^»]*)»?
      | (?P<minus>-)(?=[^\s\-])
      | (?P<word>[^\s()"„“”«»]+)
    )""",
    re.VERBOSE,
)
_QUOTED = {"low_quoted": "phrase", "angle_quoted": "phrase"}


def _old_lex(text: str) -> list[tuple[str, str]]:
    return [(_QUOTED.get(m.lastgroup, m.lastgroup), m[m.lastgroup]) for m in _OLD_LEXER.finditer(text) if m.lastgroup]


_PIECES = ['санкции', 'Беларус', ' ', '  ', '\t', '\n', '\u00a0', '\u2003', '(', ')', '"', '-', '--', ':', '*',
           'title:', 'id:', 'date:2025', 'NOT', 'OR', 'AND', 'за*', 'по-добре', '„', '“', '”', '«', '»', '1', '_', '\x00']


def test_the_linear_lexer_gives_exactly_the_tokens_of_the_old_one() -> None:
    rng = random.Random(14)
    for _ in range(20_000):
        text = "".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 12)))
        assert _lex(text) == _old_lex(text), text


@pytest.mark.parametrize("text", [
    "санкции" + " " * 40_000,
    " " * 40_000 + "санкции",
    "санкции" + "\t\n " * 20_000 + "Беларус",
    "санкции" + "\u00a0" * 40_000,
], ids=["trailing spaces", "leading spaces", "white space between words", "no-break spaces"])
def test_long_runs_of_white_space_are_lexed(text: str) -> None:
    assert _lex(text) == [("word", word) for word in text.split()]


# -- OR chains, negations, prefixes -----------------------------------------------------------------


class _Statistics:
    """Every Cyrillic term is in the index once, no Latin one (so no word gets a Latin reading);
    nothing is similar: expansion without typo candidates."""

    def prefetch(self, terms: Iterable[str]) -> None:
        pass

    def doc_frequency(self, term: str) -> int:
        return 0 if term.isascii() else 1

    def similar_terms(self, term: str, max_distance: int, limit: int) -> list[tuple[int, str]]:
        return []

    def texts_with(self, term: str, limit: int) -> list[str]:
        return []


def _plan(query: str) -> plan.Node | None:
    return expand(parse_query(query), query, Pipeline(), _Statistics()).query


def _nodes(node: Any) -> list[Any]:
    found, stack = [], [node]
    while stack:
        node = stack.pop()
        found.append(node)
        for name in ("children", "words"):
            stack.extend(getattr(node, name, ()))
        if isinstance(node, plan.Not):
            stack.append(node.child)
    return found


def test_a_repeated_or_alternative_is_expanded_once_with_its_weight() -> None:
    sixteen = _plan(" OR ".join(["за*"] * 16))
    prefixes = [node for node in _nodes(sixteen) if isinstance(node, plan.Prefix)]
    assert sorted(p.field for p in prefixes) == ["body", "title"]  # one prefix, in the two default fields
    assert sixteen == plan.boosted(_plan("за*"), 16)
    # Different words with the same terms are one alternative too.
    assert _plan("санкции OR санкция OR санкциите") == plan.boosted(_plan("санкции"), 3)


def test_or_of_a_word_with_itself_scores_twice_the_word(seed_index: Index) -> None:
    alone = {hit.id: hit.score for hit in seed_index.search("Беларус").hits}
    twice = {hit.id: hit.score for hit in seed_index.search("Беларус OR Беларус").hits}
    assert set(alone) == set(twice) == {OCTOBER, DECEMBER}
    for doc_id, score in alone.items():
        assert twice[doc_id] == pytest.approx(2 * score, rel=1e-12)
    prefix = seed_index.search("пристан*")
    repeated = seed_index.search(" OR ".join(["пристан*"] * 16))
    assert [h.id for h in repeated.hits] == [h.id for h in prefix.hits] == [OCTOBER]
    assert repeated.hits[0].score == pytest.approx(16 * prefix.hits[0].score)


def test_an_or_of_words_finds_what_each_word_finds(seed_index: Index) -> None:
    results = seed_index.search("пристанище OR споразумение")
    assert {hit.id for hit in results.hits} == {OCTOBER, DECEMBER}
    assert results.total == 2 and not results.fallback
    assert {hit.id for hit in seed_index.search("пристанище OR несъществуващадума").hits} == {OCTOBER}


def _words(count: int) -> list[str]:
    return [f"дума{chr(ord('а') + i // 26)}{chr(ord('а') + i % 26)}" for i in range(count)]


def test_or_chains_are_bounded_with_a_one_line_error() -> None:
    _plan(" OR ".join(_words(MAX_GROUPED_WORDS)))  # at the bound: searched
    for query in [" OR ".join(_words(MAX_GROUPED_WORDS + 1)), " OR ".join(_words(1024)),
                  "(" + " OR ".join(_words(20)) + ") (" + " OR ".join(_words(40)[20:]) + ")"]:
        with pytest.raises(QuerySyntaxError, match=rf"different words \(or dates\) in OR, NOT and parentheses; at most {MAX_GROUPED_WORDS}") as exc:
            _plan(query)
        assert one_line(str(exc.value))
    # Written many times, a word counts once.
    _plan(" OR ".join(_words(MAX_GROUPED_WORDS) * 30))


def test_a_long_plain_query_is_still_searched_by_its_first_words(seed_index: Index) -> None:
    results = seed_index.search(" ".join(_words(300)) + " пристанище")
    assert any("searched by the first 64" in notice for notice in results.notices)


def test_prefixes_are_bounded() -> None:
    prefixes = ["за*", "по*", "пр*", "на*"]
    _plan(" ".join(prefixes[:MAX_PREFIXES]))
    _plan(" OR ".join(prefixes[:MAX_PREFIXES] * 8))
    for query in [" ".join(prefixes[: MAX_PREFIXES + 1]), " OR ".join(prefixes), "санкции (" + " OR ".join(prefixes) + ")"]:
        with pytest.raises(QuerySyntaxError, match=rf"at most {MAX_PREFIXES}"):
            _plan(query)


@pytest.mark.parametrize("query", [
    " ".join(f"NOT {w}" for w in _words(1000)),
    " ".join(f"-{w}" for w in _words(1000)),
    "санкции " + " ".join(f"-{w}" for w in _words(1000)),
    "(" * 30 + " ".join(f"-{w}" for w in _words(1000)) + ")" * 30,
    " OR ".join(f"NOT {w}" for w in _words(500)),
    "санкции " + " ".join(f"(-{w})" for w in _words(1000)),
], ids=["NOT a NOT b ...", "-a -b ...", "a word and 1,000 minus words", "inside 30 parentheses",
        "NOT a OR NOT b ...", "each in parentheses"])
def test_a_thousand_negations_are_a_one_line_error(query: str, seed_index: Index) -> None:
    with pytest.raises(QuerySyntaxError) as exc:
        seed_index.search(query)
    assert one_line(str(exc.value)) and "at most 32" in str(exc.value)


def test_negations_are_one_union_and_mean_what_they_say(seed_index: Index) -> None:
    negations = _plan("санкции " + " ".join(f"-{w}" for w in _words(MAX_GROUPED_WORDS)))
    assert sum(isinstance(node, plan.Not) for node in _nodes(negations)) == 1
    # пристанище is only in the October article, споразумение only in the December one.
    assert [h.id for h in seed_index.search("Беларус -пристанище -несъществуващадума").hits] == [DECEMBER]
    assert seed_index.search("Беларус -пристанище -споразумение").hits == []
    assert [h.id for h in seed_index.search("NOT пристанище NOT несъществуващадума").hits] == [DECEMBER]
    assert seed_index.search("NOT пристанище NOT споразумение").hits == []
    many = "Беларус " + " ".join(f"-{w}" for w in _words(MAX_GROUPED_WORDS - 1)) + " -споразумение"
    assert [h.id for h in seed_index.search(many).hits] == [OCTOBER]


def test_separate_negations_are_bounded(seed_index: Index) -> None:
    nested = "".join(f"NOT ({w} " for w in _words(MAX_NEGATIONS)) + "Беларус" + ")" * MAX_NEGATIONS
    seed_index.search(nested)
    deeper = "".join(f"NOT ({w} " for w in _words(MAX_NEGATIONS + 1)) + "Беларус" + ")" * (MAX_NEGATIONS + 1)
    with pytest.raises(QuerySyntaxError, match=rf"{MAX_NEGATIONS + 1} separate negations .*; at most {MAX_NEGATIONS}"):
        seed_index.search(deeper)
    in_ors = " ".join(f"(Беларус OR NOT {w})" for w in _words(MAX_NEGATIONS + 1))
    with pytest.raises(QuerySyntaxError, match="separate negations"):
        seed_index.search(in_ors)
    # Side by side, any number of them (up to MAX_GROUPED_WORDS words) is one negation.
    seed_index.search("Беларус " + " ".join(f"NOT {w}" for w in _words(MAX_GROUPED_WORDS)))
    # A NOT inside an OR still means what it says.
    assert [h.id for h in seed_index.search("Беларус (пристанище OR NOT споразумение)").hits] == [OCTOBER]


# -- quoted values of id and keyword fields ---------------------------------------------------------


def test_a_quoted_id_or_source_is_matched_exactly(seed_index: Index) -> None:
    assert [h.id for h in seed_index.search(f'id:"{OCTOBER}"').hits] == [OCTOBER]
    assert [h.id for h in seed_index.search('source:"БТА"').hits] == [DECEMBER]
    assert [h.id for h in seed_index.search('source:"бта"').hits] == [DECEMBER]
    assert seed_index.search('id:"x"').hits == [] and seed_index.search('id:"a b"').hits == []


def test_an_id_and_a_source_with_spaces(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents([
            {"id": "a b", "body": "Министърът на финансите представи бюджета.", "source": "Дневник Online"},
            {"id": "a", "body": "Бюджетът беше приет.", "source": "Дневник"},
        ])
        assert [h.id for h in ix.search('id:"a b"').hits] == ["a b"]
        assert [h.id for h in ix.search('id:"a"').hits] == ["a"]
        assert [h.id for h in ix.search('source:"Дневник Online"').hits] == ["a b"]
        assert [h.id for h in ix.search('source:"дневник online" бюджет').hits] == ["a b"]
        assert [h.id for h in ix.search("source:Дневник").hits] == ["a"]
        assert ix.search('id:"A B"').hits == []  # an id is exact, case and all
        assert {h.id for h in ix.search('бюджет -id:"a b"').hits} == {"a"}


# -- JSON Lines read with a bound -------------------------------------------------------------------


def _gzip_stream(lines: list[bytes], long_line_bytes: int) -> bytes:
    """A gzip stream of `lines` with, as line 2, a JSON line of `long_line_bytes` bytes written a
    piece at a time (it is never whole in memory here either)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=1) as gz:
        gz.write(lines[0] + b"\n")
        head = b'{"id": "long", "body": "'
        gz.write(head)
        piece = "пристанище ".encode() * 6_000
        left = long_line_bytes - len(head) - 2
        while left > 0:
            gz.write(piece[:left])
            left -= len(piece)
        gz.write(b'"}\n')
        for line in lines[1:]:
            gz.write(line + b"\n")
    return out.getvalue()


def _jsonl(doc: dict[str, Any]) -> bytes:
    return json.dumps(doc, ensure_ascii=False).encode()


def test_an_over_long_line_is_rejected_and_the_rest_is_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_LINE_BYTES", 100_000)
    monkeypatch.setattr(loaders, "_SKIP_CHUNK", 100_000)
    path = tmp_path / "long.jsonl.gz"
    good = [_jsonl({"id": f"g{i}", "body": f"Документ {i} за бюджета."}) for i in range(3)]
    path.write_bytes(_gzip_stream(good, 8_000_000))
    tracemalloc.start()
    try:
        items = list(load_path(path))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2_000_000, peak  # the 8 MB line was never held whole
    assert [getattr(item, "id", None) for item in items] == ["g0", None, "g1", "g2"]
    rejected = items[1]
    assert isinstance(rejected, Rejected) and rejected.origin == f"{path}:2"
    assert rejected.reason.startswith("the line is 8,000,000 bytes long; the limit is 100,000")
    assert one_line(str(rejected))


@pytest.mark.parametrize("size", [100_000, 100_001])
def test_a_line_at_the_bound_is_read_and_one_byte_more_is_not(size: int, tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_LINE_BYTES", 100_000)
    head, tail = b'{"id": "x", "body": "', b'"}'
    line = head + b"a" * (size - len(head) - len(tail)) + tail
    path = tmp_path / "edge.jsonl"
    path.write_bytes(line + b"\r\n" + _jsonl({"id": "y", "body": "текст"}))  # the last line has no newline
    items = list(load_path(path))
    assert getattr(items[1], "id", None) == "y"
    if size == 100_000:
        assert getattr(items[0], "id", None) == "x"
    else:
        assert isinstance(items[0], Rejected) and "100,001 bytes long" in items[0].reason


def test_an_over_long_utf16_line_is_rejected_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loaders, "MAX_LINE_BYTES", 1_000)
    text = "\n".join([json.dumps({"id": "a", "body": "кратък"}), json.dumps({"id": "b", "body": "я" * 5_000}),
                      json.dumps({"id": "c", "body": "също кратък"})])
    path = tmp_path / "u16.jsonl"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    items = list(load_path(path))
    assert [getattr(item, "id", None) for item in items] == ["a", None, "c"]
    assert isinstance(items[1], Rejected) and items[1].origin == f"{path}:2" and "characters long" in items[1].reason


def test_the_line_bound_leaves_room_for_a_body_at_its_limit_in_escapes() -> None:
    # json.dumps writes Cyrillic as \uXXXX: 6 bytes a character.
    assert loaders.MAX_LINE_BYTES >= 6 * MAX_CHARS["body"] + MAX_CHARS["title"] * 6 + 2 * MAX_CHARS["url"]


def test_a_huge_integer_rejects_its_line_only(tmp_path: Path) -> None:
    path = tmp_path / "numbers.jsonl"
    path.write_bytes(b"\n".join([
        _jsonl({"id": "a", "body": "пристанище"}),
        b'{"id": "b", "body": "x", "views": ' + b"1" * 10_000 + b"}",
        b'{"id": ' + b"2" * 5_000 + b', "body": "x"}',
        _jsonl({"id": "c", "body": "бюджет"}),
    ]))
    items = list(load_path(path))
    assert [getattr(item, "id", None) for item in items] == ["a", None, None, "c"]
    for item in items[1:3]:
        assert isinstance(item, Rejected) and "a number too long to read" in item.reason and one_line(str(item))
    with Index.create(tmp_path / "index") as ix:
        assert ix.add_documents(load_path(path)).added == 2


# -- every text field has a limit -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["title", "source", "url", "date"])
def test_every_field_has_a_length_limit(name: str) -> None:
    limit = MAX_CHARS[name]
    assert limit <= 10_000  # a title of more than 10,000 characters is not a title
    with pytest.raises(DocumentError, match=rf"field '{name}' is {limit + 1:,} characters long; the limit is {limit:,}"):
        to_document({"id": "x", "body": "текст", name: "я" * (limit + 1)})
    if name != "date":
        assert getattr(to_document({"id": "x", "body": "текст", name: "я" * limit}), name) == "я" * limit


def test_a_library_id_that_is_a_huge_integer_is_rejected(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        result = ix.add_documents([{"id": 10 ** 10_000, "body": "текст"}, {"id": 7, "body": "пристанище"}])
        assert result.added == 1 and "more than 512 digits" in result.rejected[0].reason
