"""Tests of the Bulgarian stemmer (bgsearch.analysis.stemmer) on real Bulgarian words."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

from bgsearch.analysis import stemmer as stemmer_module
from bgsearch.analysis.stemmer import STEMMER_VERSION, BulgarianStemmer, load_data, rule_stem

from conftest import tool_module

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def stemmer() -> BulgarianStemmer:
    return BulgarianStemmer()


def terms(stemmer: BulgarianStemmer, words: str) -> set[str]:
    return {stemmer.stem(w) for w in words.split()}


@pytest.mark.parametrize(
    "group",
    [
        "санкция санкции санкциите",
        "пристанище пристанища пристанищата",
        "посолство посолства посолството",
        "затворник затворници затворниците",
        "лукашенко лукашенка",
        "тръмп тръмпа тръмповата тръмпово тръмповия",
        "чета чете четат четох чел четящ",
        "пиша пише писах писал",
        "красив красива красивото красивите",
        # more nouns, adjectives and verbs from everyday text
        "град града градът градове градовете",
        "министър министри министрите министъра",
        "държава държави държавата държавите",
        "българин българи българите",
        "български българска българското българските",
        "работя работим работят работих работил работещ",  # (работи is also "jobs")
        "давам дава дават давах давал давайки",
        "мир мира мирът",
    ],
)
def test_inflected_forms_meet(stemmer: BulgarianStemmer, group: str) -> None:
    assert len(terms(stemmer, group)) == 1, {w: stemmer.stem(w) for w in group.split()}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("град", "градина"),  # town / garden
        ("пес", "песен"),  # dog / song
        ("политик", "политика"),  # politician / politics
        ("знаме", "знам"),  # flag / I know
        ("дама", "дам"),  # lady / I give
        ("стол", "столица"),  # chair / capital
        ("кола", "кол"),  # car / stake
        ("вода", "водя"),  # water / I lead
        ("четене", "чета"),  # verbal noun "reading" is a noun of its own
    ],
)
def test_unrelated_words_stay_apart(stemmer: BulgarianStemmer, a: str, b: str) -> None:
    assert stemmer.stem(a) != stemmer.stem(b)


@pytest.mark.parametrize(
    "group",
    [
        # an adjective whose plural a homograph noun (главня "firebrand") used to take
        "главен главна главно главния главни главните",
        "равен равна равни",
        "западен западна западни",
        # the -о adverb and the plural of малък (the adverb малко used to take малки)
        "малък малка малкият малки малките малко",
        # the noun право with its article form (the adjective прав keeps прав)
        "право правото",
        # past active and passive participles join their verb, for every verb
        "чуя чух чу чул чула чули чут",
        "дам даде дал дала даден дадена дадени",
        "обявя обяви обявиха обявил обявен обявени обявената",
        "разделих раздели разделен разделени",  # (разделя is also "he divides": разделям)
        # ... also where a masculine noun shares the spelling, when texts use the participle more
        "кажа казан казана казано",  # (казан: also "cauldron")
        "чакам чакал чакала",  # (чакал: also "jackal")
        # a noun keeps its forms, its short article form joining it (the dictionary made провала
        # a lemma of its own)
        "печат печата печатът печати печатите",
        "провал провала провалът",
        # so does a feminine or neuter noun, every form (stemmer 10)
        "дата датата дати датите",
        "правило правилото правила правилата",
        "смяна смяната",
        "мито митото митата",
        # plurals of verbal nouns, which the dictionaries list only as definite participles
        "изменение изменения измененията",
        "нарушение нарушения нарушенията",
        "предаване предавания предаванията",
        # 3rd person "lemmas" of the dictionary join their verb
        "изглеждам изглежда изглеждат",
        # verb readings of -и homographs, when the verb is the more frequent word
        "обявя обяви",
        "усетя усети усетил",
        "подготвих подготви подготвил подготвиха",
        # приема is "I accept" (perfective) and "he accepts" (приемам): the commoner reading wins
        "приемам приема приемаме приемаше приемал",
        "поставям поставя поставяше",
        "вземам взема вземаше",
        # ... also when the dictionaries list few of the imperfective's forms (предоставям: 3)
        "предоставям предоставя предоставяме предоставяше",
        "справям справя справяме",
        "отделям отделя отделяше",
        # verbs the dictionaries list with few forms are verbs all the same: their known forms
        # (заловен, обедини) meet the unknown ones the rules stem (залових, обединиха)
        "заловя заловен заловена залових заловиха",
        "обединя обедини обединена обединих обединиха",
        "повредя повредени повредиха",
        "сглобя сглобени сглобих",
        # a plural the dictionary made a lemma of its own joins its word
        "пръв първи първа първата първите първото първия първият",
        "дребен дребни дребна",
        "звезда звезди звездите",
        "преговор преговори преговорите",
    ],
)
def test_paradigms_are_not_split(stemmer: BulgarianStemmer, group: str) -> None:
    assert len(terms(stemmer, group)) == 1, {w: stemmer.stem(w) for w in group.split()}


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("право", "прав"),  # right, law / straight
        ("мил", "мия"),  # dear / wash: a lexicalised adjective is not made a participle
        ("ранна", "ранена"),  # early / wounded: -ен adjectives drop the е, participles keep it
        ("лична", "лича"),  # personal / be visible
        ("решения", "реша"),  # decisions / decided (definite participle)
        ("изменения", "изменя"),  # amendments / amended
        ("плащания", "плащам"),  # payments / pay
        ("сложна", "сложа"),  # complex / put
        ("главни", "главня"),  # main / firebrand
        ("пиша", "пишам"),  # write / a verb wordfreq never saw: пиша stays "I write"
        ("прие", "приемам"),  # aspect partners stay apart, as in UD and BTB
        # masculine nouns the participle step took for a verb's participles (stemmer 9)
        ("печат печата печати", "пека"),  # seal / bake
        ("провал провала", "проваля"),  # failure / fail
        ("завет завета", "заведа"),  # testament / lead
        ("кран крана", "крада"),  # tap / steal
        ("похват похвати", "похваля"),  # technique / praise
        ("дует", "дуя"),  # duet / blow
        # feminine and neuter nouns it took for a verb's participles (stemmer 10)
        ("дата датата дати датите", "дам"),  # date / give
        ("правило правилото правила правилата", "правя"),  # rule / do
        ("смяна смяната", "смея"),  # change / dare
        ("крило крилото", "крия"),  # wing / hide
        ("мито митото митата", "мия"),  # customs duty / wash
        ("чело челото", "чета"),  # forehead / read
    ],
)
def test_homographs_and_lookalikes_stay_apart(stemmer: BulgarianStemmer, a: str, b: str) -> None:
    assert stemmer.stem(b) not in terms(stemmer, a)


def test_lucene_light_failures_are_fixed(stemmer: BulgarianStemmer) -> None:
    # Lucene's light stemmer: санкция→санкц but санкции→санкци; пристанище→пристанищ but
    # пристанища→пристан.
    assert stemmer.stem("санкция") == stemmer.stem("санкции")
    assert stemmer.stem("пристанище") == stemmer.stem("пристанища")


@pytest.mark.parametrize(
    "group",
    [
        # an unknown verb of the -вам class
        "блогвам блогва блогват блогвах блогвал блогвали блогващ",
        # unknown masculine nouns and names with the article and the possessive adjective
        "ковид ковида ковидът",
        "путин путина",
        # the -ов adjective of a known word is a word of its own, in all its forms
        "бадемов бадемова бадемови бадемовата бадемово",
        "зеленски зеленска зеленския",
    ],
)
def test_unknown_words_meet_by_rules(stemmer: BulgarianStemmer, group: str) -> None:
    assert len(terms(stemmer, group)) == 1, {w: stemmer.stem(w) for w in group.split()}


# The -ния plural of every -ние noun meets the noun, whatever lemma the dictionaries give it (the
# verb, as for допълнения -> допълня, or the participle, as for разрешения -> разрешен), and also
# when the noun is missing from the dictionaries (произведение, дарение, указание).
NIA_NOUNS = ("допълнение разрешение изключение съоръжение удостоверение образование обезщетение "
             "съхранение произведение дарение определение указание предупреждение влияние "
             "състояние заявление изображение название съвещание местоположение").split()


@pytest.mark.parametrize("noun", NIA_NOUNS)
def test_nia_plural_meets_its_nie_noun(stemmer: BulgarianStemmer, noun: str) -> None:
    forms = [noun, noun + "то", noun[:-1] + "я", noun[:-1] + "ята"]
    assert len({stemmer.stem(f) for f in forms}) == 1, {f: stemmer.stem(f) for f in forms}


@pytest.mark.parametrize(
    ("plural", "noun"),
    [
        ("плащания", "плащане"),  # the -не verbal noun, when that is the noun the plural belongs to
        ("формулирания", "формулиране"),
        ("търсения", "търсене"),
        ("изисквания", "изискване"),
    ],
)
def test_nia_plural_meets_its_ne_noun(stemmer: BulgarianStemmer, plural: str, noun: str) -> None:
    assert stemmer.stem(plural) == stemmer.stem(noun)


def test_unknown_nia_plural_meets_its_unknown_noun(stemmer: BulgarianStemmer) -> None:
    # neither word is in the dictionary: the rules read -ения as the plural of -ение, and -иране
    # verbal nouns (the -ания plurals texts use most) keep their plural
    for singular, plural in (("евроинтегрирение", "евроинтегрирения"), ("дигитализиране", "дигитализирания"),
                             ("дигитализиране", "дигитализиранията")):
        assert not stemmer.is_known(plural)
        assert stemmer.stem(plural) == stemmer.stem(singular), (plural, singular)


def test_nia_lemmas_keep_their_forms(stemmer: BulgarianStemmer) -> None:
    # a noun that itself ends in -ния is not a plural of some -ние word
    assert stemmer.stem("кампания") == stemmer.stem("кампании") == stemmer.stem("кампанията")
    assert stemmer.stem("армения") != stemmer.stem("арменец")


@pytest.mark.parametrize(
    "group",
    [
        "петров петрова петрови",  # the dictionary lists Петрова as a lemma of its own
        "радев радева радеви",
        "иванов иванова иванови",
        "йотов йотова",  # unknown: the rules give the masculine surname
        "кирилов кирилова кирилови",
        "нинов нинова",
        "георгиев георгиева",
    ],
)
def test_surnames_meet_their_gender_and_plural_forms(stemmer: BulgarianStemmer, group: str) -> None:
    assert len(terms(stemmer, group)) == 1, {w: stemmer.stem(w) for w in group.split()}


@pytest.mark.parametrize(
    ("surname", "other"),
    [
        ("кирилов", "кирил"),  # a surname made from a first name is not the name
        ("кирилова", "кирил"),
        ("йотова", "йота"),  # a feminine surname is not over-stemmed (йота: iota)
        ("петрова", "петър"),
        ("иванова", "иван"),
    ],
)
def test_surnames_stay_apart_from_first_names(stemmer: BulgarianStemmer, surname: str, other: str) -> None:
    assert stemmer.stem(surname) != stemmer.stem(other)


@pytest.mark.parametrize(("table", "lemmas", "forms"), [("pronouns.tsv", 38, 200), ("numerals.tsv", 87, 400)])
def test_each_pronoun_and_numeral_keeps_its_own_term_in_every_form(stemmer: BulgarianStemmer, table: str,
                                                                    lemmas: int, forms: int) -> None:
    # The closed classes' paradigms, which the build gives their own keys: the dictionaries list
    # неговата and моята under мой, тяхната under наш, онази under този, нещо under някой; the
    # dictionaries and rules read пет and петата as forms of пея, десетия as десет.
    tool = tool_module("build_stemmer_data")
    paradigms = tool.load_paradigms(tool.PRONOUNS.parent / table)
    keys: dict[str, set[str]] = {}
    for form, lemma in paradigms.items():
        keys.setdefault(lemma, set()).add(stemmer.stem(form))
    assert {lemma: key for lemma, key in keys.items() if len(key) != 1} == {}
    assert len({key for (key,) in keys.values()}) == len(keys)  # no two lemmas share a term
    assert len(keys) >= lemmas and len(paradigms) >= forms


@pytest.mark.parametrize(
    ("same", "apart"),
    [
        ("негов неговата неговите неговия", "моята"),  # his / my
        ("техен тяхната техните", "нашата"),  # their / our
        ("нейна нейната нейните", "неговата"),  # her / his
        ("мой моето моите", "твоите"),  # my / your
        ("онзи онази онова онези", "тоя"),  # that / this
        ("нещо неща нещата", "някоя"),  # thing(s) / some
        ("нищо", "никоя"),  # nothing / nobody
        ("пет петте", "пее"),  # five / sings
        ("пети петата петия петите", "пея"),  # fifth / sing
        ("пети петата", "пет"),  # fifth / five, as third / three
        ("десети десетата десетия", "десет"),  # tenth / ten
        ("хиляден хилядна хилядната", "хиляда"),  # thousandth / thousand
    ],
)
def test_different_pronouns_and_numerals_stay_apart(stemmer: BulgarianStemmer, same: str, apart: str) -> None:
    assert len(terms(stemmer, same)) == 1, {w: stemmer.stem(w) for w in same.split()}
    assert stemmer.stem(apart) not in terms(stemmer, same)


def test_unknown_form_of_known_word_meets_known_forms(stemmer: BulgarianStemmer) -> None:
    # "дипломатите" is not in the dictionary; "дипломат" is.
    assert not stemmer.is_known("дипломатите")
    assert stemmer.is_known("дипломат")
    assert stemmer.stem("дипломатите") == stemmer.stem("дипломат")


@pytest.mark.parametrize(
    ("unknown", "known"),
    [
        ("дебата", "дебат"),  # not the feminine -ата of книгата
        ("замества", "замествам"),  # not a noun in -а
        ("поддържахте", "поддържам"),
        ("екстремна", "екстремен"),
    ],
)
def test_unknown_form_reaches_the_longer_known_key(stemmer: BulgarianStemmer, unknown: str, known: str) -> None:
    assert not stemmer.is_known(unknown)
    assert stemmer.stem(unknown) == stemmer.stem(known)


def test_known_and_rule_terms_agree_for_every_non_exception() -> None:
    """By construction: a dictionary form not stored as an exception is stemmed right by rules."""
    data = load_data()
    assert data.exceptions, "the data file has exceptions"
    assert len(data.exceptions) < 60_000
    for form, key in list(data.exceptions.items())[:2000]:
        assert rule_stem(form, data) != key  # exceptions are exactly the rule failures


@pytest.mark.parametrize("word", ["а", "и", "в", "да", "ще", "се", "то", "ли", "той", "със", "бор", "дол"])
def test_short_words(stemmer: BulgarianStemmer, word: str) -> None:
    term = stemmer.stem(word)
    assert term and len(term) >= min(len(word), 2)


def test_short_unknown_words_are_left_alone(stemmer: BulgarianStemmer) -> None:
    for word in ("гхж", "бжк", "жзщ"):
        assert not stemmer.is_known(word)
        assert stemmer.stem(word) == word


def test_output_is_nonempty_cyrillic_and_deterministic(stemmer: BulgarianStemmer) -> None:
    words = "законът законите член алинея параграф министерството съветът решение решенията".split()
    first = [stemmer.stem(w) for w in words]
    stemmer_module.STEM_CACHE.clear()
    assert [BulgarianStemmer().stem(w) for w in words] == first
    assert all(re.fullmatch("[а-я]+", t) for t in first)


def test_is_known(stemmer: BulgarianStemmer) -> None:
    assert stemmer.is_known("книгата")
    assert stemmer.is_known("четох")
    assert not stemmer.is_known("тръмповата")
    assert not stemmer.is_known("блогвахме")


def test_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from bgsearch.caching import BoundedCache

    monkeypatch.setattr(stemmer_module, "STEM_CACHE", BoundedCache(100))
    for i in range(1000):
        BulgarianStemmer().stem("думата" + "а" * (i % 300) + "б")
    assert 0 < len(stemmer_module.STEM_CACHE) <= 100


def test_data_is_shared_and_loaded_once() -> None:
    assert load_data() is load_data()
    assert BulgarianStemmer().stem("книгата") == BulgarianStemmer().stem("книги")


def test_version_is_a_string() -> None:
    assert isinstance(STEMMER_VERSION, str) and STEMMER_VERSION


def test_data_files_are_small() -> None:
    data_dir = Path(stemmer_module.__file__).parent / "data"
    for name in (stemmer_module.RULES_FILE, stemmer_module.KNOWN_FILE):
        path = data_dir / name
        assert path.stat().st_size < 3_000_000
        with gzip.open(path, "rt", encoding="utf8") as fh:
            assert fh.readline()


@pytest.mark.skipif(not (SHARED / "morph" / "unimorph-bul.tsv").exists(), reason="shared data absent")
def test_unimorph_noun_paradigms_conflate(stemmer: BulgarianStemmer) -> None:
    """Most UniMorph noun/adjective paradigms map to a single term."""
    groups: dict[str, set[str]] = {}
    with (SHARED / "morph" / "unimorph-bul.tsv").open(encoding="utf8") as fh:
        for line in fh:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3 or not cols[2].startswith(("N;", "ADJ;")):
                continue
            form = cols[1].lower()
            if re.fullmatch("[а-я]+", form):
                groups.setdefault(cols[0], set()).add(form)
    whole = sum(1 for forms in groups.values() if len({stemmer.stem(f) for f in forms}) == 1)
    assert whole / len(groups) > 0.9


@pytest.mark.parametrize(
    ("typed", "max_distance", "nearest"),
    [
        ("заокна", 1, (1, "закона")),  # adjacent letters swapped: one edit
        ("бългаиря", 1, (1, "българия")),
        ("законодателствя", 2, (1, "законодателство")),
        ("адмнистрацея", 2, (2, "администрация")),  # a letter dropped and one wrong
    ],
)
def test_known_near_finds_the_dictionary_form_meant(
    stemmer: BulgarianStemmer, typed: str, max_distance: int, nearest: tuple[int, str]
) -> None:
    near = stemmer.known_near(typed, max_distance)
    assert near[0] == nearest
    assert all(distance <= max_distance for distance, _ in near)
    assert near == sorted(near)


def test_known_near_leaves_out_the_word_itself(stemmer: BulgarianStemmer) -> None:
    assert "закона" not in {form for _, form in stemmer.known_near("закона", 1)}
    assert stemmer.known_near("щщщщщщщ", 1) == []


def test_build_checks_catch_the_classes_they_are_for() -> None:
    build = tool_module("build_stemmer_data")
    # an -ния plural keyed apart from its -ние noun (the rule for -пълнения landed on допълн)
    pairs = {"допълнение": "допълнени", "допълнения": "допълн", "допълненията": "допълнени"}
    f2l = {"допълнение": "допълнение", "допълнения": "допълня", "допълненията": "допълнение"}
    checked, bad = build.check_nia(pairs, f2l)
    assert checked == 2 and len(bad) == 1 and bad[0].startswith("допълнения")
    # corrupted lemmas: a letter none of the forms has (предупруждуние, надявамсе)
    pairs = {"предупреждения": "предупруждуни", "надявам": "надявамс", "надяваш": "надявамс",
             "смени": "смян"}
    f2l = {"предупреждения": "предупруждуние", "надявам": "надявамсе", "надяваш": "надявамсе",
           "смени": "смяна"}
    found = build.check_letters(pairs, f2l)
    assert [line.split(" <- ")[0] for line in found] == ["надявамс", "предупруждуни", "смян"]
    assert found[2].endswith("(я/е alternation)") and not found[0].endswith("alternation)")
    # the reflexive mark is not part of the lemma
    assert build.clean_lemma("надявам-се") == build.clean_lemma("надявам-(се)") == "надявам"


def test_masculine_nouns_are_told_from_participles_by_the_endings_only_each_has() -> None:
    build = tool_module("build_stemmer_data")
    forms_of = {"печат": {"печат", "печата", "печатът", "печати"}, "провала": {"провала", "провали"},
                "провал": {"провал", "провалът"}, "казан": {"казан", "казана", "казанът"},
                "изпит": {"изпит", "изпити"}}
    freq = {"печатът": 2e-6, "казанът": 1e-7, "казано": 8e-5, "провалът": 2e-6}
    assert build._masculine_noun("печат", forms_of, freq) == "печат"  # -ът, and no participle-only form
    assert build._masculine_noun("провала", forms_of, freq) == "провал"  # a short article form's noun
    assert build._masculine_noun("казан", forms_of, freq) is None  # казано: the participle is commoner
    assert build._masculine_noun("изпит", forms_of, freq) is None  # nothing says it takes -ът


def test_feminine_and_neuter_nouns_are_told_from_participles_by_their_article() -> None:
    build = tool_module("build_stemmer_data")
    forms_of = {"дата": {"дата", "датата", "дати", "датите"}, "правило": {"правило", "правилото", "правила"},
                "писана": {"писана", "писано"}, "определено": {"определено"}, "правил": {"правил", "правилата"}}
    assert build._feminine_or_neuter_noun("дата", forms_of)  # a vowel, and the definite датата
    assert build._feminine_or_neuter_noun("правило", forms_of)
    assert not build._feminine_or_neuter_noun("писана", forms_of)  # a participle listed on its own
    assert not build._feminine_or_neuter_noun("определено", forms_of)
    assert not build._feminine_or_neuter_noun("правил", forms_of)  # a participle's lemma is masculine


def test_thin_verbs_are_verbs() -> None:
    build = tool_module("build_stemmer_data")
    assert build.is_verb("заловя", {"заловя", "заловен", "заловена", "залови"}, {})
    assert not build.is_verb("стрела", {"стрела", "стрели", "стрелата", "стрелите"}, {})


# Stemmer 6: the suffix rules are learned from complete generated paradigms of the dictionary's
# verbs as well (tools/verb_paradigms.py), so the forms of verbs no dictionary knows in full meet
# their verb. Every pair: an unknown form, and a known form of its verb.
@pytest.mark.parametrize(
    ("unknown", "known"),
    [
        # past passive participles, with their gender, number and definite forms (-н/-т)
        ("квалифицирани", "квалифицирам"),  # was квалифициран, the key of the -не noun
        ("възстановената", "възстановя"),  # was възстановен
        ("изчислена", "изчисля"),
        ("удължен", "удължа"),
        ("обхванати", "обхвана"),  # -нат of an -на verb
        # aorist and imperfect
        ("запознахме", "запозная"),  # was запозна
        ("подготвях", "подготвям"),  # was подготвя
        ("удържах", "удържам"),
        ("оттегляха", "оттеглям"),
        # past active participles (-л), aorist and imperfect
        ("запознал", "запозная"),
        ("подготвял", "подготвям"),
        ("издържал", "издържам"),
        # present active participles (-щ) and the adverbial participle (-йки)
        ("запомнящи", "запомням"),  # was запомня
        ("отменяща", "отменям"),
        ("хванейки", "хвана"),  # was хваня
        ("установейки", "установя"),  # was установа
    ],
)
def test_unknown_verb_forms_meet_their_verb(stemmer: BulgarianStemmer, unknown: str, known: str) -> None:
    assert not stemmer.is_known(unknown) and stemmer.is_known(known)
    assert stemmer.stem(unknown) == stemmer.stem(known) == known


@pytest.mark.parametrize(
    ("unknown", "known"),
    [
        # the generated forms vote only for suffixes of 3+ letters: the short fallbacks stay the nouns'
        # and adjectives' (-на: the -ана participles would make it -м; -т: the 3rd plurals would)
        ("великолепна", "великолепен"),
        ("космонавт", "космонавта"),  # not космонавм, as if a 3rd plural (дават: давам)
        # nominal-looking slots (imperative, 2nd plural -ите, 3rd singular) do not vote: сухопътни is not
        # an imperative of an -на verb, ресурсите no 2nd plural
        ("сухопътни", "сухопътен"),
        # nor do the participles' -ения/-ания forms, spelled as the -ние nouns' plurals
        ("изобретения", "изобретение"),
        # a noun in -ал keeps its plural (was либерам: the -алите of participles)
        ("либералите", "либерал"),
    ],
)
def test_generated_verb_forms_leave_nouns_alone(stemmer: BulgarianStemmer, unknown: str, known: str) -> None:
    assert not stemmer.is_known(unknown)
    assert stemmer.stem(unknown) == stemmer.stem(known) and not stemmer.stem(unknown).endswith("м")


@pytest.mark.parametrize(
    ("lemma", "slots"),
    [
        ("чета", {"prs.2sg": "четеш", "aor.1sg": "четох", "aor.3sg": "чете", "impf.1sg": "четях",
                  "impf.3sg": "четеше", "imp.2sg": "чети", "aor.ptcp.m": "чел", "aor.ptcp.f.def": "челата",
                  "impf.ptcp.m": "четял", "impf.ptcp.pl": "четели", "pass.ptcp.m": "четен",
                  "pass.ptcp.m.def.full": "четеният", "prs.ptcp.m": "четящ", "vn": "четене", "cvb": "четейки"}),
        ("пиша", {"prs.3sg": "пише", "aor.1sg": "писах", "impf.1sg": "пишех", "aor.ptcp.m": "писал",
                  "pass.ptcp.f": "писана", "prs.ptcp.pl.def": "пишещите"}),
        ("говоря", {"prs.2sg": "говориш", "prs.3pl": "говорят", "aor.1sg": "говорих", "impf.1sg": "говорех",
                    "aor.ptcp.pl": "говорили", "pass.ptcp.m": "говорен", "pass.ptcp.pl": "говорени",
                    "imp.2pl": "говорете", "prs.ptcp.m": "говорещ"}),
        ("давам", {"prs.2sg": "даваш", "prs.1pl": "даваме", "aor.1sg": "давах", "impf.3sg": "даваше",
                   "imp.2sg": "давай", "pass.ptcp.m.def.full": "даваният", "prs.ptcp.f.def": "даващата",
                   "vn": "даване", "cvb": "давайки"}),
        ("мия", {"prs.3sg": "мие", "aor.1sg": "мих", "aor.ptcp.m": "мил", "pass.ptcp.m": "мит", "imp.2sg": "мий"}),
        ("пека", {"prs.2sg": "печеш", "prs.3pl": "пекат", "aor.1sg": "пекох", "aor.ptcp.m": "пекъл",
                  "aor.ptcp.f": "пекла", "pass.ptcp.m": "печен", "impf.1sg": "печах"}),
        ("тръгна", {"aor.1sg": "тръгнах", "aor.ptcp.m": "тръгнал", "pass.ptcp.m": "тръгнат", "prs.3sg": "тръгне"}),
        ("видя", {"prs.3sg": "види", "aor.ptcp.m": "видял", "aor.ptcp.pl": "видели", "pass.ptcp.m": "видян",
                  "pass.ptcp.pl": "видени"}),
    ],
)
def test_verb_paradigms_by_conjugation_class(lemma: str, slots: dict[str, str]) -> None:
    tool = tool_module("verb_paradigms")
    known = {"видях", "видяха", "видял"} if lemma == "видя" else set()  # the dictionary's aorist decides
    made = tool.paradigm(lemma, known)
    assert {slot: made[slot] for slot in slots} == slots


def test_verb_paradigm_generator_against_unimorph() -> None:
    if not (SHARED / "morph" / "unimorph-bul.tsv").is_file():
        pytest.skip("shared data folder not available")
    overall, by_group, verbs = tool_module("verb_paradigms").check_against_unimorph()
    assert verbs > 600
    assert overall > 0.88  # 0.899 from the lemma alone; the build also uses the dictionary's forms
