"""The query syntax, parsed into the engine-independent tree."""

from __future__ import annotations

import pytest

from bgsearch.errors import QuerySyntaxError
from bgsearch.fields import DEFAULT_SCHEMA
from bgsearch.query import MAX_CLAUSES, MAX_DEPTH, And, FieldValue, Not, Or, Phrase, Word, parse_query
from bgsearch.query.filters import filter_node
from bgsearch.query.plan import Range, Values


def tree(text: str):
    return parse_query(text).root


def test_words_are_and_by_default() -> None:
    assert tree("санкции Лукашенко") == And((Word("санкции"), Word("Лукашенко")))
    assert tree("санкции AND Лукашенко") == tree("санкции Лукашенко")


def test_or_binds_looser_than_and() -> None:
    assert tree("Тръмп Путин OR Лукашенко") == Or((And((Word("Тръмп"), Word("Путин"))), Word("Лукашенко")))
    assert tree("(Тръмп OR Путин) Лукашенко") == And((Or((Word("Тръмп"), Word("Путин"))), Word("Лукашенко")))


def test_not_and_minus() -> None:
    assert tree("Беларус NOT Москва") == tree("Беларус -Москва") == And((Word("Беларус"), Not(Word("Москва"))))
    assert tree("заместник-министър") == Word("заместник-министър")  # an inner hyphen is not NOT


def test_phrases_fields_prefixes() -> None:
    assert tree('"политически затворници"') == Phrase("политически затворници")
    assert tree("„политически затворници“") == Phrase("политически затворници")  # Bulgarian quotation marks
    assert tree('title:"голяма сделка"') == Phrase("голяма сделка", "title")
    assert tree("title:Беларус") == Word("Беларус", "title")
    assert tree("санкц*") == Word("санкц", prefix=True)


def test_unbalanced_quote_runs_to_the_end() -> None:
    assert tree('"политически затворници') == Phrase("политически затворници")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date:2025-12-19", Range("date", "2025-12-19", "2025-12-19")),
        ("date:2025-12", Range("date", "2025-12-01", "2025-12-31")),
        ("date:2025", Range("date", "2025-01-01", "2025-12-31")),
        ("date:2025-10-01..2025-12-31", Range("date", "2025-10-01", "2025-12-31")),
        ("date:2025-12-01..", Range("date", "2025-12-01", None)),
        ("date:..2025-06", Range("date", None, "2025-06-30")),
        ("source:БТА", Values("source", ("бта",))),
        ('source:"Дневник Online"', Values("source", ("дневник online",))),
    ],
)
def test_field_values_are_filters(text: str, expected: Range | Values) -> None:
    parsed = tree(text)
    assert isinstance(parsed, FieldValue) and parsed.field == expected.field
    assert filter_node(DEFAULT_SCHEMA, parsed.field, parsed.value) == expected


@pytest.mark.parametrize(("text", "message"), [("date:вчера", "date:"), ("date:2025-02-30", "date:"),
                                               ("date:..", "needs a start or an end")])
def test_malformed_field_values_explain_themselves(text: str, message: str) -> None:
    parsed = tree(text)
    with pytest.raises(QuerySyntaxError, match=message):
        filter_node(DEFAULT_SCHEMA, parsed.field, parsed.value)


def test_unknown_field_is_searched_as_words_with_a_notice() -> None:
    parsed = parse_query("автор:Вазов")
    assert parsed.root == Phrase("автор Вазов")
    assert "no field" in parsed.notices[0]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("(санкции", "never closed"),
        ("санкции)", "no matching"),
        ("()", "empty parentheses"),
        ("*", "wildcard"),
        ("*ции", "wildcard"),
        ("с*", "at least 2"),
        ("санкции OR", "OR needs"),
        ("NOT", "NOT needs"),
        ("(" * (MAX_DEPTH + 1) + "а" + ")" * (MAX_DEPTH + 1), "nested too deeply"),
        (" ".join(["дума"] * (MAX_CLAUSES + 1)), "too long"),
    ],
)
def test_malformed_queries_explain_themselves(text: str, message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=message):
        parse_query(text)


def test_empty_query() -> None:
    assert tree("") is None
    assert tree("   ") is None


@pytest.mark.parametrize("quoted", ['"политически затворници"', "„политически затворници“", "«политически затворници»",
                                    "„политически затворници”", "„политически затворници"])
def test_bulgarian_quotation_marks_make_a_phrase(quoted: str) -> None:
    assert parse_query(quoted).root == Phrase("политически затворници")
    assert parse_query(f"title:{quoted}").root == Phrase("политически затворници", "title")
    assert parse_query(f"Беларус {quoted}").root == And((Word("Беларус"), Phrase("политически затворници")))


@pytest.mark.parametrize(("written", "searched"), [("ИЗН*СИЛВАТ", "ИЗНСИЛВАТ"), ("изн?силват", "изнсилват"),
                                                   ("п**ка", "пка")])
def test_a_hidden_letter_inside_a_word_is_not_a_syntax_error(written: str, searched: str) -> None:
    parsed = parse_query(f"{written} природата")
    assert parsed.root == And((Word(searched), Word("природата")))
    assert "hidden letter" in parsed.notices[0]
    assert tree("Какво прави?") == And((Word("Какво"), Word("прави?")))  # a question mark at the end is punctuation
