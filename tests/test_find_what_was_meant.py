"""Latin-script queries, typos and "did you mean", on the seed articles and real headlines."""

from __future__ import annotations

import pytest

from bgsearch import Index

from conftest import DECEMBER, OCTOBER


def ids(results) -> list[str]:
    return [hit.id for hit in results.hits]


def highlighted(results) -> set[str]:
    return {hit.snippet[s:e] for hit in results.hits for s, e in hit.highlights}


@pytest.mark.parametrize(
    ("query", "expected", "word"),
    [
        ("Lukashenko", {OCTOBER, DECEMBER}, "Лукашенко"),  # official transliteration
        ("Tramp", {OCTOBER, DECEMBER}, "Тръмп"),  # ъ written a
        ("Trump", {OCTOBER, DECEMBER}, "Тръмп"),  # the English spelling
        ("sanktsiite", {OCTOBER, DECEMBER}, "санкции"),  # with the same morphology as Cyrillic
        ("pristanishta", {OCTOBER}, "пристанища"),
        ("posolstvo", {DECEMBER}, "посолството"),
    ],
)
def test_official_latin_queries(seed_index: Index, query: str, expected: set[str], word: str) -> None:
    results = seed_index.search(query)
    assert set(ids(results)) == expected
    assert word in highlighted(results)


@pytest.mark.parametrize(
    ("query", "expected", "word"),
    [
        ("sankcii", {OCTOBER, DECEMBER}, "санкции"),  # c = ц
        ("zatvornici", {OCTOBER, DECEMBER}, "затворници"),
        ("pristani6ta", {OCTOBER}, "пристанища"),  # 6t = щ
        ("Trymp", {OCTOBER, DECEMBER}, "Тръмп"),  # y = ъ
        ("4asti4no", {DECEMBER}, "частично"),  # 4 = ч
    ],
)
def test_informal_latin_queries(seed_index: Index, query: str, expected: set[str], word: str) -> None:
    results = seed_index.search(query)
    assert set(ids(results)) == expected
    assert word in highlighted(results)


def test_latin_stop_words_are_dropped(seed_index: Index) -> None:
    assert set(ids(seed_index.search("sanktsii za Minsk"))) == set(ids(seed_index.search("санкции Минск")))


def test_transliteration_can_be_switched_off(seed_index: Index) -> None:
    assert ids(seed_index.search("Lukashenko", transliterate=False)) == []


def test_direct_latin_match_ranks_above_transliterated_ones(empty_index: Index) -> None:
    empty_index.add_documents([
        {"id": "cyrillic", "body": "Ройтерс съобщи, че агенция Ройтерс е получила писмото. Ройтерс."},
        {"id": "latin", "body": "Агенцията Reuters съобщи за преговорите."},
    ])
    results = empty_index.search("Reuters")
    assert ids(results)[0] == "latin"
    assert "Reuters" in {results.hits[0].snippet[s:e] for s, e in results.hits[0].highlights}


def test_a_typo_still_finds_the_document_and_suggests_the_word(seed_index: Index) -> None:
    results = seed_index.search("посолсвото")  # a dropped т
    assert ids(results) == [DECEMBER]
    assert results.suggestions == {"посолсвото": "посолството"}
    assert results.did_you_mean == "посолството"
    assert any("did you mean" in notice for notice in results.notices)


@pytest.mark.parametrize(("typo", "word"), [("войнаат", "войната"), ("Беларускаат", "беларуската"), ("Аресттие", "арестите")])
def test_a_typo_in_the_ending_finds_the_word(seed_index: Index, typo: str, word: str) -> None:
    # The stemmer cannot read the garbled ending (войнаат → войнаам), so the word is found through
    # the dictionary form one swap away.
    results = seed_index.search(typo)
    assert set(ids(results)) == set(ids(seed_index.search(word)))
    assert results.suggestions == {typo: word}


def test_a_typo_written_twice_is_corrected_in_both_places(seed_index: Index) -> None:
    results = seed_index.search("посолсвото Посолсвото")
    assert results.did_you_mean == "посолството Посолството"
    assert ids(results) == [DECEMBER]


def test_adjacent_swap_counts_as_one_edit(seed_index: Index) -> None:
    results = seed_index.search("Лукашенок")  # к and о swapped
    assert set(ids(results)) == {OCTOBER, DECEMBER}
    assert results.did_you_mean == "Лукашенко"


def test_short_words_are_not_corrected(seed_index: Index) -> None:
    results = seed_index.search("Минкс")  # 5 letters: one edit allowed → Минск
    assert set(ids(results)) == {OCTOBER, DECEMBER}
    assert seed_index.search("Мнск").hits == []  # 4 letters: no edits forgiven


@pytest.mark.parametrize(("typed", "word", "weight"), [("Минкс", "Минск", 0.8), ("посолсвото", "посолството", 0.9)])
def test_a_corrected_word_weighs_as_much_as_it_is_like_the_word_typed(seed_index: Index, typed: str, word: str,
                                                                     weight: float) -> None:
    # One edit in five letters leaves 4/5 of the word, in ten 9/10 (Lucene's FuzzyQuery weighs so):
    # a long word's correction is surer, and weighs nearly as much as the word itself.
    exact, corrected = seed_index.search(word), seed_index.search(typed)
    assert ids(corrected) == ids(exact)
    assert [hit.score for hit in corrected.hits] == pytest.approx([weight * hit.score for hit in exact.hits])


def test_exact_matches_are_never_pushed_down_by_fuzzy_ones(empty_index: Index) -> None:
    empty_index.add_documents([
        {"id": "exact", "body": "Пристанищата на Варна."},
        {"id": "near", "body": "Пристанищана на Бургас. Пристанищана. Пристанищана."},
    ])
    # "пристанищата" is indexed: no fuzzy expansion happens, only the exact document matches.
    results = empty_index.search("пристанищата")
    assert ids(results) == ["exact"]
    assert results.suggestions == {}


@pytest.mark.parametrize(("typed", "word"), [("термоядренеа", "термоядрена"), ("кибератакаат", "кибератаката")])
def test_a_typo_of_a_word_no_dictionary_knows_finds_it_by_the_indexs_own_words(empty_index: Index, typed: str,
                                                                               word: str) -> None:
    # No dictionary form is one edit from the typo, and the typo's term is far from the word's
    # (термоядрене against термоядря): the words one edit away whose terms the index has find it.
    empty_index.add_documents([{"id": "war", "body": "Как да оцелеем при термоядрена война и кибератаката."},
                               {"id": "other", "body": "Ядрена енергия и атаки в мрежата."}])
    results = empty_index.search(typed)
    assert ids(results) == ["war"]
    assert results.suggestions == {typed: word}


def test_typo_tolerance_can_be_switched_off(seed_index: Index) -> None:
    results = seed_index.search("посолсвото", fuzzy=False)
    assert results.hits == [] and results.did_you_mean is None


def test_every_misspelled_word_of_a_long_query_is_corrected(seed_index: Index) -> None:
    # A pasted title with ten typos (adjacent letters swapped): each word is looked up, not the
    # first few only.
    words = ("дипломатически покани европейските страни затоплянето отношенията Вашингтон "
             "политиката президента съобщават").split()
    misspelled = [word[:3] + word[4] + word[3] + word[5:] for word in words]
    results = seed_index.search(" ".join(misspelled))
    assert results.suggestions == {typo: word.lower() for typo, word in zip(misspelled, words)}
    assert ids(results)[0] == OCTOBER


def test_a_repeated_word_weighs_as_often_as_it_is_typed(seed_index: Index) -> None:
    once = seed_index.search("санкции").hits[0]
    four_times = seed_index.search("санкции санкции санкции санкции").hits[0]
    assert four_times.id == once.id
    assert four_times.score == pytest.approx(4 * once.score, rel=1e-3)


@pytest.mark.parametrize(("typed", "text"), [("Лукашенко", "Тукашна музика и тукашни хора."),
                                             ("Holmes", "Hold the line, said the captain.")])
def test_did_you_mean_suggests_only_a_clearly_better_word(empty_index: Index, typed: str, text: str) -> None:
    # The candidates' terms are near (лукашенк ~ тукашн, holm ~ hold), the words are not: no suggestion.
    empty_index.add_documents([{"id": "x", "body": text}])
    results = empty_index.search(typed)
    assert results.did_you_mean is None and results.suggestions == {}
    assert not any("did you mean" in notice for notice in results.notices)


def test_a_censored_word_finds_the_word_it_hides(empty_index: Index) -> None:
    empty_index.add_documents([{"id": "x", "body": "Бандити изнасилват природата край Варна."},
                               {"id": "y", "body": "Нещо друго за времето край Бургас."}])
    for query in ("ИЗН*СИЛВАТ", "изн?силват природата"):
        results = empty_index.search(query)
        assert ids(results) == ["x"], query
        assert results.did_you_mean is not None and "*" not in results.did_you_mean and "?" not in results.did_you_mean


ACRONYM_DOCS = [
    {"id": "full", "body": "Съединените американски щати наложиха санкции на Беларус."},
    {"id": "short", "body": "САЩ наложиха нови мита върху стоманата."},
    {"id": "union", "body": "Европейският съюз прие решение за помощта."},
    {"id": "eu", "body": "ЕС прие решение за санкциите."},
    {"id": "bank", "body": "Управителният съвет на Българската народна банка реши."},
]


@pytest.mark.parametrize(("query", "literal", "expanded"), [
    ("САЩ", "short", "full"), ("сащ", "short", "full"),           # an acronym of 3 letters in any case
    ("ЕС", "eu", "union"),                                         # of 2 letters: in capitals
    ("Европейския съюз", "union", "eu"), ("Съединените щати", "full", "short"),  # a name finds its acronym
    ("БНБ", None, "bank"),
])
def test_acronyms_and_what_they_stand_for_find_each_other(empty_index: Index, query: str, literal: str | None,
                                                          expanded: str) -> None:
    empty_index.add_documents(ACRONYM_DOCS)
    found = ids(empty_index.search(query))
    assert expanded in found
    if literal is not None:
        assert found[0] == literal  # the literal match ranks first
    assert expanded not in ids(empty_index.search(query, expand=False))


def test_a_two_letter_acronym_in_lower_case_is_a_word(empty_index: Index) -> None:
    empty_index.add_documents(ACRONYM_DOCS)
    assert "union" not in ids(empty_index.search("ес"))


def test_the_acronym_table_reads_whole() -> None:
    from bgsearch.analysis.pipeline import default_pipeline
    from bgsearch.query.acronyms import acronyms_for

    table = acronyms_for(default_pipeline())
    assert len(table.expansions) >= 39  # of 40: ВАС is also the stop word вас
    assert all(len(terms) >= 2 for entries in table.expansions.values() for _, terms in entries)
    assert table.acronym_of[tuple(default_pipeline().terms("Народното събрание"))] == "нс"


def test_a_word_with_an_acronyms_term_is_not_the_acronym(empty_index: Index) -> None:
    # The stemmer may give another word the term of an acronym (неговия → мо, as МО): only the
    # acronym itself, as written, is expanded.
    from bgsearch.analysis.pipeline import default_pipeline
    from bgsearch.query.acronyms import acronyms_for

    table = acronyms_for(default_pipeline())
    term = default_pipeline().term("МО")
    assert table.expand("МО", term) and not table.expand("Мо" * 3, term)
    empty_index.add_documents([{"id": "mod", "body": "Министерството на отбраната обяви търг."},
                               {"id": "his", "body": "Неговия доклад обсъдиха вчера."}])
    for word in ("неговия", "негов", "нейния"):
        if default_pipeline().term(word) == term:
            assert "mod" not in ids(empty_index.search(word)), word


LAYOUT_DOCS = [
    {"id": "shelters", "body": "Тайните скривалища на световния елит са в океана."},
    {"id": "law", "body": "Законът за туризма урежда правата на туристите."},
    {"id": "site", "body": "Новини от Pan.bg за времето и пътищата."},
]


@pytest.mark.parametrize(("typed", "meant", "layout", "found"), [
    ("Pdufk", "Закон", "BDS", "law"),  # every key on the BDS layout
    # ] is щ on the phonetic layout; elita, which reads as елита in Latin letters, stays as typed
    ("skriwali]a na elita", "скривалища на elita", "phonetic", "shelters"),
    ("SKRIWALI}A", "СКРИВАЛИЩА", "phonetic", "shelters"),  # shifted: a capital
    ("skrivali]a", "скривалища", "new phonetic", "shelters"),  # v is в there, ж on the older one
])
def test_a_query_typed_with_the_latin_layout_on_is_read_on_a_bulgarian_one(
        empty_index: Index, typed: str, meant: str, layout: str, found: str) -> None:
    empty_index.add_documents(LAYOUT_DOCS)
    results = empty_index.search(typed)
    assert ids(results) == [found]
    assert results.did_you_mean == meant
    assert any(f"Bulgarian {layout} keyboard layout" in notice for notice in results.notices)


def test_a_word_the_index_has_in_latin_stays_as_typed_beside_a_retyped_one(empty_index: Index) -> None:
    empty_index.add_documents(LAYOUT_DOCS)
    results = empty_index.search("Pan.bg l,e;ejf")  # "времето" on BDS keys, beside a site name typed in Latin
    assert results.did_you_mean == "Pan.bg времето"
    assert ids(results) == ["site"]


@pytest.mark.parametrize("query", ["zakon za turizma", "zakonyt", "Pan.bg", "qwerty", "zakon edin"])
def test_latin_spellings_and_unknown_latin_words_are_not_retyped(empty_index: Index, query: str) -> None:
    # zakon reads as закон by transliteration, not as "юьндх" on the BDS layout; qwerty reads as
    # nothing the index has on any layout; edin is the stop word един in Latin letters, not a word
    # the index lacks.
    empty_index.add_documents(LAYOUT_DOCS)
    results = empty_index.search(query)
    assert not any("keyboard layout" in notice for notice in results.notices), query


def test_every_layout_gives_each_letter_of_the_alphabet() -> None:
    from bgsearch.query.layouts import LAYOUTS

    alphabet = set("абвгдежзийклмнопрстуфхцчшщъьюя")
    for name, table in LAYOUTS.items():
        letters = [letter for letter in table.values() if letter.islower()]
        assert alphabet <= set(letters) and len(letters) == len(set(letters)), name
