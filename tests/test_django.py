"""bgsearch.contrib.haystack in a real Django project (tests/django_site: SQLite, two models with
Bulgarian text, haystack SearchIndex classes): the index built by `rebuild_index`, searched through
`SearchQuerySet`, one object updated (`update_index`) and objects deleted (haystack's signal
processor, `update_index --remove`), as the site sees them."""

from __future__ import annotations

import datetime
import os
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import importlib.util

import pytest

pytest.importorskip("django", reason="Django is not installed (pip install 'bgsearch[django]')")
if importlib.util.find_spec("haystack") is None:  # importing it needs Django's settings: only look for it
    pytest.skip("django-haystack is not installed (pip install 'bgsearch[django]')", allow_module_level=True)

from bgsearch import load_path  # noqa: E402

SITE = Path(__file__).resolve().parent / "django_site"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
OCTOBER = "000_86c0b70c7c47bfc2"  # Беларус отправя дипломатически сигнали... (санкциите, Москва)
DECEMBER = "002_963fcec7b18ad73a"  # Беларус е близо до сключването... (санкции, no Москва)

PORT_BODY = (
    "Пристанище Варна отчете рекорден оборот през третото тримесечие. През пристанището са минали "
    "над два милиона тона товари, а корабите с контейнери са с една трета повече от миналата година. "
    "Ръководството очаква нови инвестиции в терминалите."
)
GALLERY_BODY = (
    "Националната галерия открива изложба с картини на Владимир Димитров – Майстора. Изложбата "
    "ще продължи до края на годината, а входът за ученици е безплатен."
)
CUSTOMS_BODY = (
    "Агенция „Митници“ наложи санкция на вносител на цигари без бандерол. Проверките по "
    "границата с Турция продължават."
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Django set up with tests/django_site, its tables made, objects created and the index built by
    `rebuild_index`. Yields the objects by short name."""
    tmp = tmp_path_factory.mktemp("django_site")
    os.environ["BGSEARCH_DJANGO_TMP"] = str(tmp)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bgsite.settings"
    sys.path.insert(0, str(SITE))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", run_syncdb=True, verbosity=0)
    from news.models import Article, Book

    seeds = {}
    for doc in load_path(SEEDS):  # dicts, or records holding them
        values = doc if isinstance(doc, dict) else getattr(doc, "values", None)
        if isinstance(values, dict):
            seeds[values["id"]] = values
    objects: dict[str, Any] = {
        "october": Article.objects.create(
            title="Беларус търси сближаване с Европа", body=seeds[OCTOBER]["body"], category="Политика",
            published=datetime.date(2025, 10, 17), rating=4, tags="Беларус, дипломация"),
        "december": Article.objects.create(
            title="Лукашенко очаква голяма сделка със САЩ", body=seeds[DECEMBER]["body"], category="Политика",
            published=datetime.date(2025, 12, 19), rating=5, tags="Беларус, САЩ"),
        "port": Article.objects.create(
            title="Рекорден оборот на пристанище Варна", body=PORT_BODY, category="Икономика",
            published=datetime.date(2025, 11, 3), rating=3, tags="Варна, пристанища"),
        "gallery": Article.objects.create(
            title="Изложба в Националната галерия", body=GALLERY_BODY, category="Култура",
            published=datetime.date(2025, 9, 12), rating=2, tags="изкуство"),
        "customs": Article.objects.create(
            title="Митниците санкционираха вносител", body=CUSTOMS_BODY, category="Икономика",
            published=datetime.date(2024, 6, 30), rating=1, tags="митници"),
        "yoke": Book.objects.create(
            title="Под игото", author="Иван Вазов",
            annotation="Роман за живота в българското село Бяла черква преди Априлското въстание."),
        "tobacco": Book.objects.create(
            title="Тютюн", author="Димитър Димов",
            annotation="Роман за съдбата на тютюноработниците и за властта на парите."),
        "ganyo": Book.objects.create(
            title="Бай Ганьо", author="Алеко Константинов",
            annotation="Невероятни разкази за един съвременен българин, който пътува из Европа."),
    }
    call_command("rebuild_index", interactive=False, verbosity=0)
    yield objects
    from haystack import connections

    connections["default"].get_backend().close()


def ids(results: Any) -> set[str]:
    return {f"{result.model_name}.{result.pk}" for result in results}


def key(obj: Any) -> str:
    return f"{obj._meta.model_name}.{obj.pk}"


def test_rebuild_index_indexes_every_object(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet

    assert SearchQuerySet().count() == len(site)
    assert ids(SearchQuerySet().all()[:100]) == {key(obj) for obj in site.values()}


def test_the_schema_follows_the_search_indexes(site: dict[str, Any]) -> None:
    from haystack import connections

    backend = connections["default"].get_backend()
    schema = backend.index().schema.to_dict()
    assert backend.content_field_name == "text"
    assert schema["text"]["type"] == "text"
    assert schema["title"] == {"type": "text", "boost": 2.0}
    assert schema["category"]["type"] == "text" and schema["category_exact"]["type"] == "keyword"
    assert schema["rating"]["type"] == "number" and schema["published"]["type"] == "date"
    assert schema["tags"]["multi"] is True and schema["django_ct"]["type"] == "keyword"


def test_every_inflected_form_matches(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet

    found = ids(SearchQuerySet().filter(content="санкция"))
    # санкциите (October), санкции (December), санкция (customs; and санкционираха is another word)
    assert {key(site["october"]), key(site["december"]), key(site["customs"])} <= found
    assert key(site["port"]) not in found
    # пристанище (the port's title), пристанището (its body), пристанища (October's body)
    assert ids(SearchQuerySet().filter(content="пристанищата")) == {key(site["port"]), key(site["october"])}


def test_result_fields_come_back_typed(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet

    [result] = SearchQuerySet().filter(content="терминал")
    assert (result.app_label, result.model_name, result.pk) == ("news", "article", str(site["port"].pk))
    assert result.score > 0
    assert result.title == "Рекорден оборот на пристанище Варна"
    assert result.published == datetime.date(2025, 11, 3)
    assert result.rating == 3 and result.tags == ["Варна", "пристанища"]
    assert result.object == site["port"]


def test_auto_query_with_a_phrase_and_a_negation(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet

    both = ids(SearchQuerySet().auto_query('"политически затворници"'))
    assert both == {key(site["october"]), key(site["december"])}
    assert ids(SearchQuerySet().auto_query('"политически затворници" -Москва')) == {key(site["december"])}
    # Bulgarian quotation marks make a phrase too
    assert ids(SearchQuerySet().auto_query("„политически затворници“ -Москва")) == {key(site["december"])}


def test_every_word_must_match(site: dict[str, Any]) -> None:
    """Haystack's filters are strict: no any-word fallback, however many words."""
    from haystack.query import SearchQuerySet

    assert ids(SearchQuerySet().filter(content="санкции Москва")) == {key(site["october"])}
    assert SearchQuerySet().filter(content="пристанище галерия").count() == 0
    assert SearchQuerySet().filter(content="пристанище кораби товари галерия").count() == 0
    assert ids(SearchQuerySet().filter(content="пристанище кораби товари тримесечие")) == {key(site["port"])}


def test_strict_false_is_bgsearchs_own_policy(site: dict[str, Any]) -> None:
    """STRICT=False: a query of four or more words ranks documents by the words they have."""
    from haystack import connections
    from haystack.query import SearchQuerySet

    backend = connections["default"].get_backend()
    backend.strict = False
    try:
        found = list(SearchQuerySet().filter(content="пристанище кораби товари галерия"))
    finally:
        backend.strict = True
    assert found[0].pk == str(site["port"].pk)
    assert {result.pk for result in found} >= {str(site["port"].pk), str(site["gallery"].pk)}


def test_typos_only_when_asked(site: dict[str, Any]) -> None:
    """A word the index does not know matches only itself (haystack's filters are exact), unless the
    filter is `__fuzzy` (or the connection has FUZZY); "did you mean" comes from bgsearch."""
    from haystack.query import SearchQuerySet

    assert SearchQuerySet().filter(content="корабте").count() == 0
    assert ids(SearchQuerySet().filter(content__fuzzy="корабте")) == {key(site["port"])}
    suggestion = SearchQuerySet().auto_query("корабте").spelling_suggestion("корабте")
    assert suggestion and suggestion != "корабте"
    assert ids(SearchQuerySet().filter(content=suggestion)) == {key(site["port"])}


def test_models(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet
    from news.models import Article, Book

    assert ids(SearchQuerySet().filter(content="Европа")) >= {key(site["october"]), key(site["ganyo"])}
    assert ids(SearchQuerySet().filter(content="Европа").models(Book)) == {key(site["ganyo"])}
    assert key(site["ganyo"]) not in ids(SearchQuerySet().filter(content="Европа").models(Article))
    assert SearchQuerySet().models(Book).count() == Book.objects.count()


def test_order_by(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet
    from news.models import Article

    newest_first = [int(result.pk) for result in SearchQuerySet().models(Article).order_by("-published")]
    assert newest_first == list(Article.objects.order_by("-published").values_list("pk", flat=True))
    by_rating = [result.rating for result in SearchQuerySet().models(Article).order_by("rating")]
    assert by_rating == sorted(Article.objects.values_list("rating", flat=True))


def test_facets_count_what_the_database_holds(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet
    from news.models import Article

    counts = SearchQuerySet().models(Article).facet("category").facet("tags").facet_counts()
    assert dict(counts["fields"]["category"]) == dict(Counter(Article.objects.values_list("category", flat=True)))
    expected_tags = Counter(tag for article in Article.objects.all() for tag in article.tag_list())
    assert dict(counts["fields"]["tags"]) == dict(expected_tags)
    # the counts of one search's matches
    narrowed = SearchQuerySet().filter(content="Беларус").facet("category").facet_counts()
    assert dict(narrowed["fields"]["category"]) == {"Политика": 2}


def test_date_facets(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet
    from news.models import Article

    counts = SearchQuerySet().models(Article).date_facet(
        "published", start_date=datetime.date(2024, 1, 1), end_date=datetime.date(2026, 1, 1), gap_by="year"
    ).facet_counts()
    expected = Counter(published.year for published in Article.objects.values_list("published", flat=True))
    assert {when.year: count for when, count in counts["dates"]["published"]} == dict(expected)


def test_highlight(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet

    [result] = SearchQuerySet().filter(content="кораб").highlight()
    [snippet] = result.highlighted["text"]
    assert "<mark>корабите</mark>" in snippet
    [result] = SearchQuerySet().filter(content="кораб").highlight(pre_tags=["<em>"], post_tags=["</em>"])
    assert "<em>" in result.highlighted["text"][0] and "<mark>" not in result.highlighted["text"][0]


def test_filters_on_numbers_keywords_and_text(site: dict[str, Any]) -> None:
    from haystack.query import SQ, SearchQuerySet
    from news.models import Article

    def expect(sqs: Any, queryset: Any) -> None:
        assert ids(sqs) == {key(obj) for obj in queryset}

    articles = SearchQuerySet().models(Article)
    expect(articles.filter(rating__gte=3), Article.objects.filter(rating__gte=3))
    expect(articles.filter(rating__gt=3), Article.objects.filter(rating__gt=3))
    expect(articles.filter(rating__lt=3), Article.objects.filter(rating__lt=3))
    expect(articles.filter(rating__range=(2, 4)), Article.objects.filter(rating__range=(2, 4)))
    expect(articles.filter(category_exact="Икономика"), Article.objects.filter(category="Икономика"))
    expect(articles.filter(category="Икономика"), Article.objects.filter(category="Икономика"))  # the text field
    expect(articles.filter(category_exact__in=["Култура", "Икономика"]),
           Article.objects.filter(category__in=["Култура", "Икономика"]))
    expect(articles.filter(published__gte=datetime.date(2025, 11, 1)),
           Article.objects.filter(published__gte=datetime.date(2025, 11, 1)))
    expect(articles.filter(tags_exact="Беларус"), Article.objects.filter(tags__contains="Беларус"))
    expect(articles.exclude(category_exact="Политика"), Article.objects.exclude(category="Политика"))
    expect(articles.filter(SQ(rating=5) | SQ(category_exact="Култура")),
           Article.objects.filter(rating=5) | Article.objects.filter(category="Култура"))
    expect(articles.filter(content="санкция", rating__gte=4), [site["october"], site["december"]])
    expect(articles.filter(title="Варна"), [site["port"]])
    expect(articles.filter(content="Беларус").narrow('category_exact:"Политика"'), [site["october"], site["december"]])
    expect(articles.filter(content="санкция").exclude(category="Икономика"), [site["october"], site["december"]])


def test_update_one_object_and_update_index(site: dict[str, Any]) -> None:
    from django.core.management import call_command
    from haystack.query import SearchQuerySet

    gallery = site["gallery"]
    assert SearchQuerySet().filter(content="скулптури").count() == 0
    gallery.body += " В съседната зала са изложени и скулптури на Андрей Николов."
    gallery.save()
    call_command("update_index", verbosity=0)
    assert ids(SearchQuerySet().filter(content="скулптура")) == {key(gallery)}


def test_delete_objects(site: dict[str, Any]) -> None:
    from django.core.management import call_command
    from haystack import connection_router, connections
    from haystack.query import SearchQuerySet
    from haystack.signals import RealtimeSignalProcessor
    from news.models import Book

    customs = site["customs"]
    customs_key = key(customs)
    processor = RealtimeSignalProcessor(connections, connection_router)  # haystack's own, on delete
    try:
        customs.delete()
    finally:
        processor.teardown()
    assert customs_key not in ids(SearchQuerySet().filter(content="санкция"))

    tobacco_key = key(site["tobacco"])
    Book.objects.filter(pk=site["tobacco"].pk).delete()
    assert ids(SearchQuerySet().filter(content="тютюн")) == {tobacco_key}
    call_command("update_index", remove=True, verbosity=0)  # objects gone from the database leave the index
    assert SearchQuerySet().filter(content="тютюн").count() == 0
    assert SearchQuerySet().models(Book).count() == Book.objects.count()


def test_more_like_this_says_it_is_not_supported(site: dict[str, Any]) -> None:
    from haystack.query import SearchQuerySet

    with pytest.raises(NotImplementedError, match="more like this"):
        list(SearchQuerySet().more_like_this(site["port"]))


def test_clear_one_model_then_update_index_for_it(site: dict[str, Any]) -> None:
    from django.core.management import call_command
    from haystack import connections
    from haystack.query import SearchQuerySet
    from news.models import Article, Book

    connections["default"].get_backend().clear(models=[Book])
    assert SearchQuerySet().models(Book).count() == 0
    assert SearchQuerySet().models(Article).count() == Article.objects.count()
    call_command("update_index", "news.Book", verbosity=0)
    assert SearchQuerySet().models(Book).count() == Book.objects.count()


def test_an_index_of_other_fields_says_to_rebuild(site: dict[str, Any], tmp_path: Path) -> None:
    from haystack.exceptions import SearchBackendError

    from bgsearch import Index
    from bgsearch.contrib.haystack import BgsearchSearchBackend

    Index.create(tmp_path / "old", schema={"text": {"type": "text"}, "rating": {"type": "keyword"}}).close()
    backend = BgsearchSearchBackend("default", PATH=tmp_path / "old")
    with pytest.raises(SearchBackendError, match="rebuild_index"):
        backend.index()
