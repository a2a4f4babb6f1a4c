"""Issue #16, both scripts: a Cyrillic query finds the Latin spelling of a name or brand in the text
(Самсунг → Samsung), a Latin name typed the English way finds its Bulgarian spelling (Trump → Тръмп,
Zelenskyy → Зеленски), and a Latin word that also occurs literally somewhere (a site name) does not
decide the ranking alone."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pytest

from bgsearch import Index
from bgsearch.analysis.english_spelling import BULGARIAN_TO_ENGLISH, ENGLISH_TO_BULGARIAN, latin_spellings
from bgsearch.analysis.pipeline import Pipeline
from bgsearch.query import plan
from bgsearch.query.expand import expand
from bgsearch.query.syntax import parse_query

from conftest import shared_file

NEWS = [
    ("samsung", "Samsung показа новия си сгъваем телефон",
     "Южнокорейската компания Samsung представи в Барселона новия си сгъваем смартфон. Продажбите в "
     "България започват през март, а цената ще бъде около 2000 лева."),
    ("microsoft", "Microsoft поправи пробив в Windows",
     "От Microsoft пуснаха спешно обновление, което затваря пробив в сигурността на операционната "
     "система. Експертите съветват потребителите да го инсталират веднага."),
    ("facebook", "Facebook изтри стотици фалшиви профила",
     "Социалната мрежа Facebook блокира стотици фалшиви профили, разпространявали дезинформация "
     "преди изборите, съобщиха от компанията."),
    ("trump", "Тръмп заплаши с нови мита вноса от Европа",
     "Президентът на САЩ Доналд Тръмп заяви, че ще наложи мита от 25 процента върху стоманата и "
     "алуминия от Европейския съюз."),
    ("zelensky", "Зеленски поиска още системи за ПВО",
     "Украинският президент Володимир Зеленски призова западните партньори да ускорят доставките на "
     "системи за противовъздушна отбрана."),
    ("gugal", "Гугъл плати глоба в Брюксел",
     "Европейската комисия наложи глоба на Гугъл заради търсачката, която поставяла собствените "
     "услуги на компанията пред тези на конкурентите."),
    # Sofia in Latin letters only as the name of an English-language site.
    ("globe", "Коментар в Sofia Globe за бюджета",
     "Англоезичното издание Sofia Globe коментира проектобюджета и данъчните промени."),
    ("budget", "Общинският съвет прие бюджета на София",
     "Столичният общински съвет прие бюджета на София за следващата година след дълго заседание."),
    ("metro", "Нова линия на метрото в София",
     "В София започва строителството на нова линия на метрото, съобщи кметът."),
    ("traffic", "Задръствания в София заради ремонти",
     "Ремонтите на булеварди в София предизвикаха задръствания в час пик."),
    ("airport", "Летище София отчете ръст на пътниците",
     "Летище София е обслужило рекорден брой пътници през лятото."),
    ("weather", "Времето: слънчево и топло в цялата страна",
     "Утре ще бъде слънчево, с температури до 30 градуса в цялата страна."),
]


@pytest.fixture(scope="module")
def news(tmp_path_factory: pytest.TempPathFactory) -> Index:
    ix = Index.create(tmp_path_factory.mktemp("both") / "index")
    result = ix.add_documents([{"id": i, "title": t, "body": b} for i, t, b in NEWS])
    assert result.added == len(NEWS)
    yield ix
    ix.close()


def ids(ix: Index, query: str) -> list[str]:
    return [hit.id for hit in ix.search(query, snippets=False).hits]


# ------------------------------------------------------------------- Cyrillic query, Latin text


@pytest.mark.parametrize(("query", "doc"), [
    ("Самсунг", "samsung"),
    ("Майкрософт", "microsoft"),
    ("Фейсбук", "facebook"),
    ("телефон Самсунг", "samsung"),
    ("Фейсбук профили", "facebook"),
])
def test_cyrillic_query_finds_latin_spelling(news: Index, query: str, doc: str) -> None:
    assert ids(news, query)[:1] == [doc]


def test_latin_spelling_is_highlighted(news: Index) -> None:
    hit = news.search("Самсунг").hits[0]
    assert "Samsung" in [hit.snippet[start:end] for start, end in hit.highlights]


class _Index:
    """The statistics of an index that has these terms (one document each)."""

    def __init__(self, *terms: str) -> None:
        self.terms = set(terms)

    def prefetch(self, terms: Iterable[str]) -> None:
        pass

    def doc_frequency(self, term: str) -> int:
        return int(term in self.terms)

    def similar_terms(self, term: str, max_distance: int, limit: int) -> list[tuple[int, str]]:
        return []

    def texts_with(self, term: str, limit: int) -> list[str]:
        return []


def plan_terms(query: str, statistics: _Index) -> set[str]:
    planned = expand(parse_query(query), query, Pipeline(), statistics).query
    return {term for term, _ in _weights(planned)}


def _weights(node: object) -> list[tuple[str, float]]:
    found, stack = [], [node]
    while stack:
        node = stack.pop()
        if isinstance(node, plan.Term):
            found.append((node.text, node.boost))
        for name in ("children", "words"):
            stack.extend(getattr(node, name, ()))
    return found


def test_latin_reading_joins_the_word_with_a_lower_weight() -> None:
    weights = dict(_weights(expand(parse_query("Самсунг"), "Самсунг", Pipeline(),
                                   _Index("самсунг", "samsung")).query))
    assert set(weights) == {"самсунг", "samsung"}
    # Both readings equally attested: the Cyrillic word as typed leads.
    assert weights["самсунг"] > weights["samsung"] > 0


def test_cyrillic_word_without_latin_counterpart_adds_nothing(news: Index) -> None:
    # An index with Latin words, none of them a spelling of these words.
    latin = _Index("бюджет", "ремонт", "слънчев", "samsung", "budget", "repair", "sunny", "remonti")
    assert plan_terms("бюджет", latin) == {"бюджет"}
    assert plan_terms("слънчево", latin) == {"слънчев"}
    assert plan_terms("ремонти", latin) == {"ремонт", "remonti"}  # a Latin spelling the index has
    for query in ("бюджет", "ремонти", "слънчево"):
        found = ids(news, query)
        assert all(doc not in found for doc in ("samsung", "microsoft", "facebook")), query
    assert ids(news, "ремонти") == ["traffic"]


# ------------------------------------------------------------------- names in both scripts


@pytest.mark.parametrize(("query", "doc"), [
    ("Тръмп", "trump"),
    ("Trump", "trump"),
    ("Tramp", "trump"),
    ("Зеленски", "zelensky"),
    ("Zelensky", "zelensky"),
    ("Zelenskyy", "zelensky"),
    ("Zelenskiy", "zelensky"),
    ("Google", "gugal"),
    ("Trump мита", "trump"),
])
def test_name_in_either_script_finds_the_bulgarian_spelling(news: Index, query: str, doc: str) -> None:
    assert ids(news, query)[:1] == [doc]


# ------------------------------------------------------------------- a literal Latin site name


def test_site_name_does_not_outrank_the_transliterated_reading(news: Index) -> None:
    # "Sofia" is written so in one document (a site's name) and София in five: the query means the city.
    found = ids(news, "Sofia бюджет")
    assert found.index("budget") < found.index("globe")


def test_a_literal_latin_word_with_no_cyrillic_reading_still_leads(news: Index) -> None:
    assert ids(news, "Windows")[:1] == ["microsoft"]


# ------------------------------------------------------------------- the rule tables


def test_every_rule_has_an_example() -> None:
    for rule in (*BULGARIAN_TO_ENGLISH, *ENGLISH_TO_BULGARIAN):
        assert "→" in rule.example and rule.cost >= 0, rule


@pytest.mark.parametrize(("cyrillic", "latin"), sorted(
    {tuple(part.strip() for part in pair.split("→")) for rule in BULGARIAN_TO_ENGLISH for pair in rule.example.split(",")}))
def test_every_bulgarian_to_english_rule_spells_its_example(cyrillic: str, latin: str) -> None:
    assert latin.lower() in [spelling for spelling, _ in latin_spellings(cyrillic, 48)]


@pytest.mark.parametrize(("cyrillic", "latin"), [
    ("Самсунг", "samsung"),
    ("Майкрософт", "microsoft"),
    ("Фейсбук", "facebook"),
    ("Тръмп", "trump"),
    ("Зеленски", "zelensky"),
    ("Зеленски", "zelenskyy"),
    ("Гугъл", "google"),
    ("Нетфликс", "netflix"),
    ("Брекзит", "brexit"),
    ("Джеймс", "james"),
    ("Пфайзер", "pfizer"),
    ("Макрон", "macron"),
    ("Инстаграм", "instagram"),
])
def test_latin_spellings_contain_the_english_one(cyrillic: str, latin: str) -> None:
    assert latin in [spelling for spelling, _ in latin_spellings(cyrillic, 48)]


def test_latin_spellings_cheapest_first_and_bounded() -> None:
    spellings = latin_spellings("Самсунг", 10)
    assert spellings[0] == ("samsung", 0.0)
    costs = [cost for _, cost in spellings]
    assert costs == sorted(costs) and len(spellings) <= 10
    assert latin_spellings("Samsung") == [] and latin_spellings("") == []
    assert len(latin_spellings("щъ" * 100, 5)) <= 5


# ------------------------------------------------------------------- real news


def test_real_news_brands_found_from_cyrillic(tmp_path: Path) -> None:
    """On the real news corpus: Фейсбук also finds the articles that write Facebook in Latin only."""
    import gzip
    import json

    path = shared_file("corpora/fakenews-validation.jsonl.gz")
    docs = []
    with gzip.open(path, "rt", encoding="utf8") as fh:
        for n, line in enumerate(fh):
            article = json.loads(line)
            docs.append({"id": str(n), "title": article.get("title") or "", "body": article.get("content") or ""})
    latin_only = {d["id"] for d in docs
                  if "facebook" in (d["title"] + d["body"]).lower() and "фейсбук" not in (d["title"] + d["body"]).lower()}
    assert latin_only
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(docs)
        found = {hit.id for hit in ix.search("Фейсбук", limit=1000, snippets=False).hits}
    assert latin_only <= found


# ------------------------------------------------------------------- Latin headlines (issue #16)
# A hyphenated Latin word is read part by part, as the Cyrillic hyphenated word is analyzed; a Latin
# word in capitals that reads as a known acronym is that acronym; a Latin word in capitals meets
# the Cyrillic word both in capitals (a shouting headline's word, left unstemmed) and in lower case.

HEADLINES = [
    ("scary", "Най-страховитото пророчество за Европа",
     "Астролози предупреждават, че следващата година ще донесе природни катаклизми и атентати."),
    ("tweet", "Поредният Тръмп-туит разтърси борсите",
     "Акциите на автомобилните компании поевтиняха след нов коментар на американския президент."),
    ("january", "ЦЕЛИЯТ СВЯТ ОЧАКВА 20-ТИ ЯНУАРИ",
     "Встъпването в длъжност на новия президент ще бъде проследено от милиони зрители."),
    ("union", "Европейският съюз прие нови правила за храните",
     "Министрите на земеделието одобриха по-строг контрол върху вноса на плодове и зеленчуци."),
    ("states", "Съединените щати наложиха нови санкции",
     "Вашингтон обяви мерки срещу банки и енергийни компании."),
    ("vanga-caps", "ВАНГА ПРЕДСКАЗА ГОЛЯМА БЕДА",
     "Пророчицата от Петрич говорела за трудни времена и за глад в цялата страна."),
    ("vanga", "Рецептата на баба Ванга за здрав сън",
     "Баба Ванга съветвала болните да пият билков чай преди лягане."),
    ("retro", "РЕТРО: Как живееше София през 1970 година",
     "Снимки от архива показват трамваите и магазините в центъра на столицата."),
    ("war", "Дугин: Трета световна война е неизбежна",
     "Руският философ даде интервю за държавната телевизия."),
    ("mail", "Пишете ни на e-mail",
     "Изпратете ни e-mail с въпросите си и ще отговорим до три работни дни."),
    ("covid", "Нови случаи на COVID-19 в Пловдив",
     "Здравните власти съобщиха за десет нови случая на заразата за едно денонощие."),
    ("kovid", "КОВИД-19 затвори училищата в Благоевград",
     "Учениците преминават на дистанционно обучение до края на месеца."),
]


def planned_terms(query: str, statistics: _Index) -> set[str]:
    """Every term of the plan of `query`, in terms and phrases."""
    found, stack = set(), [expand(parse_query(query), query, Pipeline(), statistics).query]
    while stack:
        node = stack.pop()
        if isinstance(node, plan.Term):
            found.add(node.text)
        elif isinstance(node, plan.Phrase):
            found.update(node.terms)
        for name in ("children", "words"):
            stack.extend(getattr(node, name, ()))
    return found


@pytest.fixture(scope="module")
def headlines(tmp_path_factory: pytest.TempPathFactory) -> Index:
    ix = Index.create(tmp_path_factory.mktemp("headlines") / "index")
    ix.add_documents([{"id": i, "title": t, "body": b} for i, t, b in HEADLINES])
    yield ix
    ix.close()


@pytest.mark.parametrize(("query", "doc"), [
    ("Nay-strahovitoto", "scary"),  # най-страховитото: най is a stop word, страховитото the word
    ("Nay-strahovitoto prorochestvo", "scary"),
    ("Tramp-tuit", "tweet"),  # тръмп-туит: a phrase of two words
    ("Tramp-tuit borsite", "tweet"),
])
def test_hyphenated_latin_word_is_read_part_by_part(headlines: Index, query: str, doc: str) -> None:
    assert ids(headlines, query)[:1] == [doc]


def test_hyphenated_latin_word_is_analyzed_as_the_cyrillic_word(headlines: Index) -> None:
    # The index's statistics; the Latin word gives the very terms the Cyrillic word gives.
    statistics = _Index("страховит", "тръмп", "туит", "20", "януар")
    assert planned_terms("Nay-strahovitoto", statistics) == planned_terms("Най-страховитото", statistics) == {"страховит"}
    assert planned_terms("Tramp-tuit", statistics) == {"тръмп", "туит"}
    # 20-TI is 20-ти: the ending is glued to the number, not a word (ти).
    assert planned_terms("20-TI", statistics) == planned_terms("20-ти", statistics) == {"20"}
    # So is an ending glued to an acronym: NATO-vskite → НАТО-вските (нато), not a word вските.
    assert planned_terms("NATO-vskite", _Index("нато")) == planned_terms("НАТО-вските", _Index("нато")) == {"нато"}
    assert ids(headlines, "20-TI yanuari") == ["january"]
    planned = expand(parse_query("20-TI yanuari"), "20-TI yanuari", Pipeline(), statistics)
    assert isinstance(planned.query, plan.AllWords)  # both words found: no any-word fallback needed


def test_hyphenated_english_word_still_found_as_typed(headlines: Index) -> None:
    assert ids(headlines, "e-mail") == ["mail"]
    # No Cyrillic reading of mail in the index: the word as typed only, a phrase, as before.
    planned = expand(parse_query("e-mail"), "e-mail", Pipeline(), _Index("e", "mail", "поща")).query
    assert isinstance(planned, plan.AnyOf)
    assert all(isinstance(node, plan.Phrase) and node.terms == ("e", "mail") for node in planned.children)
    # COVID-19 leads, and finds КОВИД-19 too (below it: the word as typed weighs more).
    assert ids(headlines, "COVID-19") == ["covid", "kovid"]
    assert ids(headlines, "КОВИД-19") == ["kovid"]


@pytest.mark.parametrize(("query", "doc"), [
    ("ES", "union"),  # ЕС: Европейски съюз
    ("SASHT", "states"),  # САЩ, though it reads first as същ
    ("ES pravila", "union"),
])
def test_latin_acronym_in_capitals_is_the_acronym(headlines: Index, query: str, doc: str) -> None:
    assert ids(headlines, query)[:1] == [doc]


def test_latin_acronym_plans_as_the_cyrillic_acronym() -> None:
    statistics = _Index("ес", "сащ", "европейск", "съюз", "съединен", "щат", "същ")
    for latin, cyrillic in (("ES", "ЕС"), ("SASHT", "САЩ"), ("NATO", "НАТО")):
        assert expand(parse_query(latin), latin, Pipeline(), statistics).query == \
            expand(parse_query(cyrillic), cyrillic, Pipeline(), statistics, transliterate=False).query, latin


def test_not_every_latin_word_in_capitals_is_an_acronym(headlines: Index) -> None:
    statistics = _Index("ес", "европейск", "съюз", "войн", "трет")
    assert planned_terms("VOYNA", statistics) == {"войн"}  # capitals, but no acronym: a word
    assert planned_terms("es", statistics) == {"ес"}  # two letters in lower case: not the acronym
    assert planned_terms("Es", statistics) == {"ес"}
    assert ids(headlines, "TRETA SVETOVNA VOYNA") == ["war"]


@pytest.mark.parametrize(("query", "docs"), [
    # ВАНГА in a title is left unstemmed (ванга), Ванга in a text is stemmed (ванг): VANGA meets both.
    ("VANGA", {"vanga-caps", "vanga"}),
    ("ВАНГА", {"vanga-caps"}),
    ("Vanga", {"vanga"}),
    ("RETRO", {"retro"}),  # РЕТРО (ретро), not ретро in lower case (ретър) alone
    ("RETRO Sofia", {"retro"}),
])
def test_latin_word_in_capitals_meets_the_cyrillic_capitals(headlines: Index, query: str, docs: set[str]) -> None:
    assert set(ids(headlines, query)) == docs
