"""The analyzer pipeline on real Bulgarian text: normalization, tokenization, stop words, terms."""

from __future__ import annotations

import pickle

import pytest
from whoosh.fields import TEXT, Schema

from bgsearch import ANALYZER_VERSION, BulgarianAnalyzer, analyze, analyze_tokens
from bgsearch.analysis import normalize_word
from bgsearch.analysis.stopwords import bulgarian_stop_words

from conftest import tool_module


def same_terms(a: str, b: str) -> bool:
    return analyze(a) == analyze(b) != []


# -- normalizer: one example per rule --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        ("Ка́кво", "какво"),  # combining acute (stress mark) removed
        ("ка̀кво", "какво"),  # combining grave removed
        ("ѝ", "и"),  # ѝ "her" is written и as often as ѝ
        ("Ѝ", "и"),
        ("ѐ", "е"),
        ("кoмпютрите", "компютрите"),  # a Latin o inside a Cyrillic word
        ("КОМПЮTЪР", "компютър"),  # a Latin T in an upper-case word
        ("Rеuters", "reuters"),  # a Cyrillic е inside a Latin word
        ("социал\u00adно", "социално"),  # soft hyphen
        ("САЩ", "сащ"),
        ("градъ", "град"),  # pre-1945: silent final ъ
        ("мѫжъ", "мъж"),  # pre-1945: ѫ → ъ
        ("бѣлъ", "бял"),  # pre-1945: ѣ → я before a back vowel or at the end
        ("врѣме", "време"),  # ...and → е before a front vowel
        ("и\u0306", "й"),  # decomposed й is composed, never turned into и
    ],
)
def test_normalize_word(raw: str, normalized: str) -> None:
    assert normalize_word(raw) == normalized


def test_normalization_is_idempotent_on_real_words() -> None:
    for word in ["Ка́кво", "кoмпютрите", "бѣлъ", "Rеuters", "ѝ", "Лукашенко"]:
        once = normalize_word(word)
        assert normalize_word(once) == once


# -- tokenizer -------------------------------------------------------------------------------------


def test_stress_marks_do_not_split_words() -> None:
    assert same_terms("ка́квото", "каквото")
    assert [t.text for t in analyze_tokens("ка́кво")] == ["ка́кво"]


def test_hyphenated_words_are_split_and_comparatives_meet_the_base() -> None:
    # по- and най- are stop words, so по-добре meets добре, най-големият meets големият.
    assert analyze("по-добре") == analyze("добре")
    assert analyze("най-големият") == analyze("големият")
    assert analyze("социално-икономически") == analyze("социално икономически")
    assert analyze("по\u2011добре") == analyze("добре")  # non-breaking hyphen


def test_typographic_quotes_are_not_part_of_words() -> None:
    assert analyze("„Орешник“") == analyze("Орешник") == analyze('"Орешник"')


def test_numbers_keep_their_separators_and_drop_numeral_endings() -> None:
    assert analyze("123-мата затворници") == ["123", *analyze("затворници")]
    assert analyze("5-ти") == ["5"]
    assert analyze("3,5 милиона")[0] == "3,5"
    assert analyze("33-годишен")[0] == "33" and len(analyze("33-годишен")) == 2


def test_abbreviations() -> None:
    # т.н. ("etc.") is two stop letters; ЕС and САЩ are lowercased and kept.
    assert analyze("т.н.") == []
    assert analyze("ЕС и САЩ") == ["ес", "сащ"]


def test_case_is_folded() -> None:
    assert analyze("БЕЛАРУС") == analyze("Беларус") == analyze("беларус")


def test_offsets_point_into_the_original_text() -> None:
    text = "Президентът Александър Лукашенко, дългогодишен съюзник"
    for token in analyze_tokens(text):
        assert text[token.start : token.end] == token.text


def test_overlong_tokens_are_skipped() -> None:
    assert analyze("а" * 500 + " Беларус") == analyze("Беларус")


# -- stop words ------------------------------------------------------------------------------------


def test_savoy_stop_list_is_the_default() -> None:
    stops = bulgarian_stop_words()
    assert len(stops) == 190 + 64  # Savoy's, and the other forms of its pronouns and numerals
    assert {"и", "на", "за", "да", "по", "най", "тн"} <= stops
    assert analyze("и на за да") == []


@pytest.mark.parametrize(
    ("listed", "other_forms"),
    [
        ("кой", "коя кое кои кого"),  # Коя от следните ... : a question word, as кой is
        ("всеки", "всяко всекиго"),  # Savoy lists всеки and всяка
        ("един", "една едно едни единият"),  # a numeral
        ("такъв", "такава такова"),
        ("ваш", "ваше ваши вашият"),
        ("ти", "теб тебе"),
    ],
)
def test_every_form_of_a_listed_pronoun_or_numeral_is_a_stop_word(listed: str, other_forms: str) -> None:
    assert analyze(listed) == analyze(other_forms) == []


def test_a_listed_adverb_does_not_bring_its_homographs_paradigm() -> None:
    # Savoy lists само ("only") and първо ("firstly"); сам (alone) and пръв (first) are words.
    assert analyze("само първо") == []
    assert analyze("сама първата") != []


def test_the_shipped_stop_forms_are_what_the_rule_gives() -> None:
    assert tool_module("build_stop_forms").main(["--check"]) == 0


def test_stop_words_are_configurable() -> None:
    keep_all = BulgarianAnalyzer(stop_words=())
    assert [t.text for t in keep_all("и на")] == ["и", "на"]
    custom = BulgarianAnalyzer(stop_words=["Беларус"])
    assert analyze("Беларус и Русия", custom) == analyze("и Русия", keep_all) == ["и", *analyze("Русия")]


def test_stop_words_leave_a_position_gap() -> None:
    positions = [t.pos for t in BulgarianAnalyzer()("министър на финансите", positions=True)]
    assert positions == [0, 2]


# -- terms -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "forms",
    [
        ("санкция", "санкции", "санкциите"),
        ("пристанище", "пристанища", "пристанищата"),
        ("посолство", "посолства", "посолството"),
        ("затворник", "затворници", "затворниците"),
        ("Лукашенко", "Лукашенка"),
        ("Тръмп", "Тръмпа", "Тръмповата"),
    ],
)
def test_inflected_forms_meet(forms: tuple[str, ...]) -> None:
    terms = {tuple(analyze(form)) for form in forms}
    assert len(terms) == 1, terms


def test_latin_words_are_stemmed_as_english() -> None:
    assert analyze("Reuters sanctions") == ["reuter", "sanction"]
    assert analyze("sanction") == analyze("sanctions")


# -- Whoosh integration ----------------------------------------------------------------------------


def test_usable_in_any_whoosh_schema(tmp_path) -> None:
    from whoosh import index
    from whoosh.qparser import QueryParser

    schema = Schema(text=TEXT(analyzer=BulgarianAnalyzer(), stored=True))
    ix = index.create_in(str(tmp_path), schema)
    with ix.writer() as writer:
        writer.add_document(text="Облекчаване на санкциите срещу авиокомпанията")
    with ix.searcher() as searcher:
        query = QueryParser("text", ix.schema).parse("санкция")
        assert len(searcher.search(query)) == 1


def test_analyzer_pickles_without_its_cache() -> None:
    analyzer = BulgarianAnalyzer()
    analyze("санкциите срещу Беларус", analyzer)
    restored = pickle.loads(pickle.dumps(analyzer))
    assert restored == analyzer
    assert analyze("санкциите", restored) == analyze("санкциите", analyzer)
    assert len(pickle.dumps(analyzer)) < 10_000


# The terms of this text pin the analyzer's output. If this test fails, the output changed:
# bump the version (analyzer._PIPELINE_VERSION or stemmer.STEMMER_VERSION) and record the new
# fingerprint here, so indexes built by the old analyzer are detected and rebuilt.
FINGERPRINT_TEXT = (
    "Президентът Александър Лукашенко, дългогодишен съюзник на Владимир Путин, получи похвали от "
    "Тръмп. Ка́кво по-добре: кoмпютрите, 123-мата затворници, т.н., ЕС и САЩ; Reuters sanctions; "
    "пристанищата на бѣлия градъ; четохме, писала, красивите, посолството, санкциите, изменения."
)
FINGERPRINTS = {
    # ANALYZER_VERSION: the terms of FINGERPRINT_TEXT
    '2.4': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '3.5': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '3.6': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '3.7': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '3.8': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '3.9': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '3.10': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
    '4.10': ['президент', 'александър', 'лукашенк', 'дългогодишен', 'съюзник', 'владимир', 'путин', 'получа', 'похвал', 'тръмп', 'добр', 'компютър', '123', 'затворник', 'ес', 'сащ', 'reuter', 'sanction', 'пристанищ', 'бял', 'град', 'чета', 'пиша', 'красив', 'посолств', 'санкци', 'изменени'],
}


def test_analyzer_version_pins_its_output() -> None:
    terms = analyze(FINGERPRINT_TEXT)
    assert ANALYZER_VERSION in FINGERPRINTS, (
        f"no fingerprint for analyzer version {ANALYZER_VERSION}: add {ANALYZER_VERSION!r}: {terms!r}"
    )
    assert terms == FINGERPRINTS[ANALYZER_VERSION], "analyzer output changed: bump its version"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("НАТО и ОССЕ", ["нато", "оссе"]),  # the rules would read them as nouns in -о/-е: нат, осс
        ("Заседание на НЗОК", ["заседани", "нзок"]),
        ("ЮНЕСКО", ["юнеско"]),  # a known acronym: the dictionary lists it as a word
        ("нато", ["нато"]),  # ... in any case
        ("САЩ-ската политика", ["сащ", "политика"]),  # an ending after an acronym is not a word (скат)
        ("НАТО-вските сили", ["нато", "сила"]),
        ("ЕС-то и ДПС-ците", ["ес", "дпс"]),
        ("ДНК-анализ", ["днк", "анализ"]),  # a word after an acronym stays a word
    ],
)
def test_acronyms_are_not_stemmed(text: str, expected: list[str]) -> None:
    assert analyze(text) == expected


@pytest.mark.parametrize(
    ("shouted", "normal"),
    [
        ("ТЪМНИ СИЛИ", "тъмните сили"),  # a headline in capitals: dictionary words are stemmed
        ("ОСТАВКАТА НА ПРАВИТЕЛСТВОТО", "оставка на правителство"),
        ("ЗАКОН ЗА ДАНЪЦИТЕ", "закона за данъци"),
    ],
)
def test_words_in_capitals_are_still_words(shouted: str, normal: str) -> None:
    assert analyze(shouted) == analyze(normal)


@pytest.mark.parametrize("text", [
    "САЩ-ската позиция и НАТО-вските учения, ЕС-то и ДНК-анализ",  # endings glued to acronyms; a word after one
    "на 20-те години, 123-мата статия, 5-ти май и 2020-2021 г.",  # endings glued to numbers; a range
    "по-добре е по‐късно, отколкото никога; Чл. 5-7 и A-B",  # plain hyphens, U+2010, capitals before one
    "дума " + "а" * 70 + " дума",  # a run of more than 64 letters is no word
])
def test_words_cut_at_once_are_the_tokens_spans_finds(text: str) -> None:
    from bgsearch.analysis.tokenize import spans, words

    assert words(text) == [text[start:end] for start, end in spans(text)]


def test_words_cut_at_once_match_spans_on_the_seed_articles() -> None:
    from bgsearch.analysis.tokenize import spans, words
    from conftest import SEEDS

    for path in SEEDS.glob("*.txt"):
        for line in path.read_text("utf-8").splitlines():
            assert words(line) == [line[start:end] for start, end in spans(line)]
