"""Search over the two seed articles (BTA news, October and December 2025)."""

from __future__ import annotations

import pytest

from bgsearch import Index

from conftest import DECEMBER, OCTOBER


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def highlighted(hit) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.highlights]


def test_singular_finds_plural_and_highlights_the_texts_form(seed_index: Index) -> None:
    # Only the October article has пристанища (and no пристанище).
    results = seed_index.search("пристанище")
    assert ids(results) == [OCTOBER]
    assert highlighted(results.hits[0]) == ["пристанища"]


def test_plural_finds_definite_singular(seed_index: Index) -> None:
    results = seed_index.search("посолства")
    assert ids(results) == [DECEMBER]
    assert "посолството" in highlighted(results.hits[0])


def test_singular_finds_both_plural_forms(seed_index: Index) -> None:
    # October: санкциите; December: санкции.
    results = seed_index.search("санкция")
    assert sorted(ids(results)) == sorted([OCTOBER, DECEMBER])
    assert "санкциите" in highlighted(results.hits[ids(results).index(OCTOBER)])
    assert "санкции" in highlighted(results.hits[ids(results).index(DECEMBER)])


def test_names_rank_both_articles(seed_index: Index) -> None:
    results = seed_index.search("Лукашенко Тръмп")
    assert sorted(ids(results)) == sorted([OCTOBER, DECEMBER])
    # The December article is about the two of them: it mentions both far more often.
    assert ids(results)[0] == DECEMBER
    assert results.hits[0].score > results.hits[1].score > 0
    assert not results.fallback


def test_date_filter_keeps_only_december(seed_index: Index) -> None:
    assert ids(seed_index.search("санкция", date_from="2025-12-01")) == [DECEMBER]
    assert ids(seed_index.search("санкция", date_to="2025-11-30")) == [OCTOBER]
    assert ids(seed_index.search("санкция date:2025-12")) == [DECEMBER]


@pytest.mark.parametrize(
    ("query", "options"),
    [("Беларус date:..2025-06-30", {}), ("Беларус", {"date_from": "2026-01-01"}),
     ("Беларус date:2024", {}), ("Беларус date:2025-12 date:2025-10", {}), ("date:2030", {})],
)
def test_a_date_filter_no_document_passes_finds_nothing(seed_index: Index, query: str, options: dict) -> None:
    # Whoosh reads an empty set of allowed documents as "no filter": every document came back.
    results = seed_index.search(query, **options)
    assert (results.hits, results.total) == ([], 0)


def test_only_stop_words_says_so(seed_index: Index) -> None:
    results = seed_index.search("и на за")
    assert results.hits == []
    assert any("stop words" in notice for notice in results.notices)


def test_phrase_matches_words_in_order_only(seed_index: Index) -> None:
    assert sorted(ids(seed_index.search('"политически затворници"'))) == sorted([OCTOBER, DECEMBER])
    assert ids(seed_index.search('"затворници политически"')) == []


def test_stop_word_inside_a_phrase_keeps_its_place(seed_index: Index) -> None:
    # "заместник-министър на външните работи" is in the October article.
    assert ids(seed_index.search('"министър на външните работи"')) == [OCTOBER]
    assert ids(seed_index.search('"министър външните работи"')) == []


def test_not_and_or(seed_index: Index) -> None:
    assert ids(seed_index.search("Беларус -посолство")) == [OCTOBER]
    assert ids(seed_index.search("Беларус NOT посолство")) == [OCTOBER]
    assert sorted(ids(seed_index.search("пристанище OR посолство"))) == sorted([OCTOBER, DECEMBER])


def test_field_and_prefix(seed_index: Index) -> None:
    assert ids(seed_index.search("source:БТА")) == [DECEMBER]
    assert ids(seed_index.search(f"id:{OCTOBER}")) == [OCTOBER]
    assert ids(seed_index.search("title:сигнали")) == [OCTOBER]
    prefixed = seed_index.search("пристан*")
    assert ids(prefixed) == [OCTOBER]
    assert highlighted(prefixed.hits[0]) == ["пристанища"]


def test_any_word_fallback_when_no_document_has_all(seed_index: Index) -> None:
    results = seed_index.search("пристанище посолство")
    assert results.fallback
    assert sorted(ids(results)) == sorted([OCTOBER, DECEMBER])
    assert any("some of them" in notice for notice in results.notices)


def test_title_match_outranks_body_match(seed_index: Index) -> None:
    # "споразумение" is in the December title; "сигнали" only in the October title.
    assert ids(seed_index.search("сигнали"))[0] == OCTOBER


def test_paging(seed_index: Index) -> None:
    first = seed_index.search("Лукашенко", limit=1)
    second = seed_index.search("Лукашенко", limit=1, offset=1)
    assert first.total == second.total == 2
    assert ids(first) + ids(second) == ids(seed_index.search("Лукашенко"))


@pytest.mark.parametrize(
    "query",
    ["(санкции", "санкции)", "*", "санкции OR", "date:вчера", '"', "NOT", "-", "а" * 10_000, "(" * 100 + "а" + ")" * 100],
)
def test_malformed_or_odd_queries_give_a_message_not_a_traceback(seed_index: Index, query: str) -> None:
    from bgsearch import QuerySyntaxError

    try:
        results = seed_index.search(query)
    except QuerySyntaxError as exc:
        message = str(exc)
        assert message and "\n" not in message
    else:
        assert results.hits == [] or results.total >= 1


def test_bad_date_filter_is_a_query_error(seed_index: Index) -> None:
    from bgsearch import QuerySyntaxError

    with pytest.raises(QuerySyntaxError, match="date"):
        seed_index.search("санкции", date_from="2025-13-45")


def test_a_long_query_ranks_by_the_words_each_document_has(seed_index: Index) -> None:
    # No article has all four words; a long query is ranked by the words each one has, at once.
    results = seed_index.search("Лукашенко Тръмп пристанище посолство")
    assert sorted(ids(results)) == sorted([OCTOBER, DECEMBER])
    assert not results.fallback and results.notices == []
    # Short queries still need every word.
    assert ids(seed_index.search("Лукашенко пристанище")) == [OCTOBER]


def test_a_hyphenated_word_of_a_long_query_counts_as_its_parts(empty_index: Index) -> None:
    # A title pasted with a dash that lost its spaces: the article has "Фатима", never followed by
    # "мистериозната"; as a phrase the word would give it nothing, and the other article would win.
    empty_index.add_documents([
        {"id": "fatima", "body": "Днес във Фатима се стичат милиони хора. Пророчицата Лусия разказва своята история."},
        {"id": "other", "body": "Известната история на един град и неговите известни хора, история след история."},
    ])
    query = "Пророчествата на Фатима-Мистериозната история на известната пророчица"
    assert ids(empty_index.search(query)) == ["fatima", "other"]
    # Every word required: the hyphenated word stays a phrase, and the any-word fallback takes its parts.
    assert ids(empty_index.search("Фатима-Мистериозната", every_word=True)) == []
    fallback = empty_index.search("Фатима-Мистериозната пророчица")
    assert fallback.fallback and ids(fallback) == ["fatima"]


def test_bulgarian_quotation_marks_search_the_phrase(seed_index: Index) -> None:
    straight = ids(seed_index.search('"политически затворници"'))
    assert straight and ids(seed_index.search("„политически затворници“")) == straight
    assert ids(seed_index.search("«политически затворници»")) == straight
    assert ids(seed_index.search("„затворници политически“")) == []  # the order counts, as in a phrase
