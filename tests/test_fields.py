"""An application's own fields (issue 15): schemas, validation, filters, facets, sorting, stored
fields on hits, and snippets ready for a page — on real Bulgarian documents with their own fields:
law units (from ../shared) with the law's kind, year, date, topics and whether it amends another
law, and the seed news articles with their source and date."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from bgsearch import Index, QuerySyntaxError, load_path
from bgsearch.errors import SchemaError
from bgsearch.fields import DEFAULT_SCHEMA, Schema
from conftest import DECEMBER, OCTOBER, SEEDS, SHARED
from robustness_helpers import one_line, run_bgsearch

LAW_SCHEMA = {
    "title": {"type": "text", "boost": 2},
    "body": {"type": "text"},
    "kind": {"type": "keyword", "facet": True, "sortable": True},
    "topics": {"type": "keyword", "multi": True, "facet": True},
    "year": {"type": "number", "sortable": True, "facet": True},
    "published": {"type": "date", "sortable": True, "facet": True},
    "amends": {"type": "boolean", "facet": True},
    "url": {"type": "stored"},
}
# The kind of a law, from its title (first rule that applies), and its topics (every one that applies).
KINDS = [("ратифиц", "Ратификация"), ("изменение", "Изменение"), ("допълнение", "Изменение"), ("бюджет", "Бюджет"),
         ("кодекс", "Кодекс")]
TOPICS = [("данъ", "данъци"), ("труд", "труд"), ("здрав", "здраве"), ("образов", "образование"), ("земед", "земеделие"),
          ("бюджет", "бюджет"), ("енерг", "енергетика"), ("съд", "съдебна власт")]


def law_unit(unit: dict[str, Any]) -> dict[str, Any]:
    title = unit["title"].lower()
    return {
        "id": unit["id"], "title": unit["title"], "body": unit["body"], "url": unit.get("url"),
        "kind": next((kind for stem, kind in KINDS if stem in title), "Закон"),
        "topics": [topic for stem, topic in TOPICS if stem in title],
        "year": int(unit["date"][:4]),
        "published": unit["date"],
        "amends": "изменение" in title,
    }


@pytest.fixture(scope="module")
def laws() -> list[dict[str, Any]]:
    if not (SHARED / "data" / "corpora" / "laws.jsonl.gz").exists():
        pytest.skip("../shared/data/corpora/laws.jsonl.gz is not available")
    import golden

    return [law_unit(unit) for unit in golden.law_documents()[::3]]  # 1,000 units over the whole corpus


@pytest.fixture(scope="module")
def law_index(laws: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Index:
    ix = Index.create(tmp_path_factory.mktemp("laws") / "index", schema=LAW_SCHEMA)
    result = ix.add_documents(laws, workers=1)
    assert (result.added, result.rejected, result.ignored) == (len(laws), [], {})
    yield ix
    ix.close()


def every_hit(ix: Index, query: str, **options: Any) -> list[Any]:
    results = ix.search(query, limit=1000, **options)
    assert results.total == len(results.hits) <= 1000
    return results.hits


# -- the schema -------------------------------------------------------------------------------------


def test_a_schema_from_a_dict_and_from_a_json_file_is_the_same(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(LAW_SCHEMA, ensure_ascii=False), "utf-8")
    assert Schema.from_json(path) == Schema.from_dict(LAW_SCHEMA)
    assert Schema.from_dict(Schema.from_dict(LAW_SCHEMA).to_dict()) == Schema.from_dict(LAW_SCHEMA)
    assert Schema.from_dict(LAW_SCHEMA).names[0] == "id"  # always there


@pytest.mark.parametrize(("schema", "message"), [
    ({"body": {"type": "txt"}}, "type 'txt' is not one of id, text, keyword"),
    ({"body": {"type": "text"}, "price": {"type": "number", "multi": True}}, "option 'multi' does not apply to type 'number'"),
    ({"body": {"type": "text"}, "tags": {"type": "keyword", "multi": True, "sortable": True}}, "cannot be sortable"),
    ({"body": {"type": "text", "boost": 0}}, "boost must be a number above 0"),
    ({"price": {"type": "number"}}, "no text field"),
    ({"body": {"type": "text"}, "цена на едро": {"type": "number"}}, "field name 'цена на едро'"),
    ({"id": {"type": "keyword"}, "body": {"type": "text"}}, "always the document's id"),
    ([1, 2], "a schema is an object of fields"),
])
def test_a_bad_schema_is_one_line_naming_the_field(schema: Any, message: str, tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match=re.escape(message)) as error:
        Index.create(tmp_path / "index", schema=schema)
    assert one_line(str(error.value))
    assert not (tmp_path / "index").exists()


def test_a_bad_schema_file_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_text('{"body": {"type": "text"},\n "year": {"type": number}}', "utf-8")
    with pytest.raises(SchemaError, match=rf"{re.escape(str(path))}:2: not valid JSON"):
        Schema.from_json(path)


def test_the_schema_is_recorded_and_shown(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        assert ix.stats().schema == Schema.from_dict(LAW_SCHEMA).to_dict()
    with Index.open(tmp_path / "index") as ix:  # no schema given: the recorded one
        assert ix.schema == Schema.from_dict(LAW_SCHEMA)
    run = run_bgsearch("stats", "--index", str(tmp_path / "index"))
    assert "schema: id (id), title (text), body (text), kind (keyword), topics (keyword)" in run.stdout
    run = run_bgsearch("stats", "--json", "--index", str(tmp_path / "index"))
    assert json.loads(run.stdout)["schema"]["topics"] == {"type": "keyword", "facet": True, "multi": True}


def test_opening_with_another_schema_is_an_error_and_adding_a_field_is_allowed(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        ix.add_documents([{"id": "a", "title": "Закон за пристанищата", "body": "Пристанищата се управляват.", "year": 2004}])
    changed = {**LAW_SCHEMA, "year": {"type": "date"}}
    with pytest.raises(SchemaError, match=r"has field 'year' as \{\"type\": \"number\".*may only add fields") as error:
        Index.open(tmp_path / "index", schema=changed)
    assert one_line(str(error.value))
    grown = {**LAW_SCHEMA, "region": {"type": "keyword", "facet": True}}
    with Index.open(tmp_path / "index", schema=grown) as ix:
        assert "region" in ix.schema
        ix.add_documents([{"id": "b", "title": "Закон за морските пространства", "body": "Морските пристанища.",
                           "year": 2000, "region": "Варна"}])
        assert ix.search("пристанище", facets=["region"]).facets == {"region": {"Варна": 1}}
        assert ix.search("пристанище", filters={"region": "варна"}).total == 1
        assert {hit.id for hit in ix.search("пристанище").hits} == {"a", "b"}  # "a" simply lacks it
    with Index.open(tmp_path / "index") as ix:
        assert ix.schema == Schema.from_dict(grown)


def test_an_index_from_before_schemas_opens_and_answers_as_before(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents(load_path(SEEDS))
        before = [(hit.id, hit.score, hit.snippet) for hit in ix.search("Беларус санкции").hits]
    meta_path = tmp_path / "index" / "bgsearch.json"
    meta = json.loads(meta_path.read_text("utf-8"))
    del meta["schema"]  # what an index written before schemas records
    meta_path.write_text(json.dumps(meta), "utf-8")
    with Index.open(tmp_path / "index") as ix:
        assert ix.schema == DEFAULT_SCHEMA
        assert [(hit.id, hit.score, hit.snippet) for hit in ix.search("Беларус санкции").hits] == before
        assert ix.search("source:бта").total == 1


# -- documents against the schema ---------------------------------------------------------------------


def test_bad_values_are_rejected_with_file_line_field_and_reason(tmp_path: Path) -> None:
    path = tmp_path / "laws.jsonl"
    rows = [
        {"id": "1", "title": "Закон за пристанищата", "body": "Пристанищата.", "year": 2004, "views": 10},
        {"id": "2", "title": "Закон за водите", "body": "Водите.", "year": "abc"},
        {"id": "3", "title": "Закон за горите", "body": "Горите.", "published": "2024-02-30"},
        {"id": "4", "title": "Закон за лова", "body": "Ловът.", "kind": ["Закон", "Кодекс"]},
        {"id": "5", "title": "Закон за рибарството", "body": "Рибарството.", "amends": "може би"},
        {"id": "6", "title": "Закон за туризма", "body": "Туризмът.", "topics": "туризъм", "views": 3, "lang": "bg"},
    ]
    path.write_text("\n".join(json.dumps(row, ensure_ascii=False) for row in rows) + "\n", "utf-8")
    with Index.create(tmp_path / "index", schema=LAW_SCHEMA) as ix:
        result = ix.add_documents(load_path(path))
        reasons = {r.origin: r.reason for r in result.rejected}
        assert reasons == {
            f"{path}:2": "field 'year' must be a number, not 'abc'",
            f"{path}:3": "field 'published': impossible date '2024-02-30'",
            f"{path}:4": 'field \'kind\' holds one value, not a list (declare it "multi": true for lists)',
            f"{path}:5": "field 'amends' must be true or false, not 'може би'",
        }
        assert result.added == 2
        assert result.ignored == {"views": 2, "lang": 1}  # counted once per import, not per document
        assert ix.get("6").fields["topics"] == ["туризъм"]  # one value of a multi-valued field: a list of one
    run = run_bgsearch("index", str(path), "--index", str(tmp_path / "cli"), "--schema", str(_schema_file(tmp_path)))
    assert run.returncode == 1 and "Traceback" not in run.stderr
    ignored = [line for line in run.stderr.splitlines() if "ignored" in line]
    assert ignored == ["bgsearch: ignored key(s) the index's schema does not name: 'lang' (1 document(s)), "
                       "'views' (2 document(s))"]
    assert f"bgsearch: rejected {path}:2: field 'year' must be a number, not 'abc'" in run.stderr


def _schema_file(tmp_path: Path) -> Path:
    path = tmp_path / "schema.json"
    path.write_text(json.dumps(LAW_SCHEMA, ensure_ascii=False), "utf-8")
    return path


# -- filters ---------------------------------------------------------------------------------------


def test_filters_keep_exactly_the_documents_that_pass(law_index: Index, laws: list[dict[str, Any]]) -> None:
    by_id = {law["id"]: law for law in laws}
    unfiltered = every_hit(law_index, "договор")
    assert len(unfiltered) > 50
    cases = [
        ({"kind": "изменение"}, lambda law: law["kind"] == "Изменение"),  # keywords are case-folded
        ({"kind": ["Бюджет", "Ратификация"]}, lambda law: law["kind"] in ("Бюджет", "Ратификация")),
        ({"year": (2010, 2015)}, lambda law: 2010 <= law["year"] <= 2015),
        ({"year": (None, 2012)}, lambda law: law["year"] <= 2012),
        ({"published": ("2018-06", None)}, lambda law: law["published"] >= "2018-06-01"),
        ({"published": "2020"}, lambda law: law["published"].startswith("2020")),
        ({"amends": False}, lambda law: not law["amends"]),
        ({"topics": ["данъци", "труд"]}, lambda law: bool({"данъци", "труд"} & set(law["topics"]))),
        ({"kind": "Изменение", "year": (2016, None)}, lambda law: law["kind"] == "Изменение" and law["year"] >= 2016),
    ]
    for filters, passes in cases:
        expected = {hit.id for hit in unfiltered if passes(by_id[hit.id])}
        found = every_hit(law_index, "договор", filters=filters)
        assert {hit.id for hit in found} == expected, filters
        # A filter never changes a score.
        scores = {hit.id: hit.score for hit in unfiltered}
        assert all(hit.score == pytest.approx(scores[hit.id]) for hit in found)


def test_the_query_syntax_and_the_command_line_filter_alike(law_index: Index) -> None:
    by_dict = {hit.id for hit in every_hit(law_index, "договор", filters={"kind": "Изменение", "year": (2010, 2015)})}
    by_syntax = {hit.id for hit in every_hit(law_index, "договор kind:изменение year:2010..2015")}
    assert by_syntax == by_dict and by_dict
    assert {hit.id for hit in every_hit(law_index, "договор published:2020")} == \
        {hit.id for hit in every_hit(law_index, "договор", filters={"published": "2020"})}
    run = run_bgsearch("query", "договор", "--index", str(law_index.path), "--filter", "kind=Изменение",
                       "--filter", "year=2010..2015", "--limit", "1000", "--json")
    assert {json.loads(line)["id"] for line in run.stdout.splitlines()} == by_dict


def test_a_filter_that_matches_nothing_gives_no_hits(law_index: Index) -> None:
    for options in ({"filters": {"kind": "няма такъв"}}, {"filters": {"year": (2030, None)}},
                    {"filters": {"topics": []}}, {"date_from": "2030-01-01"}):
        results = law_index.search("договор", **options)
        assert (results.total, results.hits) == (0, []), options
        assert law_index.search("kind:изменение", **options).total == 0
    assert law_index.search("договор published:..1990").total == 0
    assert law_index.search("year:2030..").total == 0


def test_a_filter_inside_or_and_not(law_index: Index, laws: list[dict[str, Any]]) -> None:
    by_id = {law["id"]: law for law in laws}
    hits = every_hit(law_index, "договор -kind:изменение")
    assert hits and all(by_id[hit.id]["kind"] != "Изменение" for hit in hits)
    either = every_hit(law_index, "kind:кодекс OR year:2025")
    assert {hit.id for hit in either} == {law["id"] for law in laws if law["kind"] == "Кодекс" or law["year"] == 2025}


@pytest.mark.parametrize(("options", "message"), [
    ({"filters": {"body": "x"}}, "cannot filter 'body' (a text field)"),
    ({"filters": {"colour": "x"}}, "cannot filter 'colour' (no such field)"),
    ({"filters": {"year": "много"}}, "'много' is not a number"),
    ({"filters": {"kind": ("а", "я")}}, "a range applies to number and date fields"),
    ({"sort": "title"}, "cannot sort by 'title'"),
    ({"sort": "amends"}, "field 'amends' is not sortable"),
    ({"facets": ["url"]}, "cannot count 'url'"),
    ({"facets": {"published": "week"}}, "count by year, month, day, not 'week'"),
])
def test_bad_filters_sorts_and_facets_are_one_line_errors(law_index: Index, options: dict[str, Any], message: str) -> None:
    with pytest.raises(QuerySyntaxError, match=re.escape(message)) as error:
        law_index.search("договор", **options)
    assert one_line(str(error.value))


# -- facets -----------------------------------------------------------------------------------------


def test_facet_counts_are_those_of_the_matching_documents(law_index: Index, laws: list[dict[str, Any]]) -> None:
    by_id = {law["id"]: law for law in laws}
    results = law_index.search("договор", limit=1000, facets=["kind", "topics", "year", "amends", "published"])
    matched = [by_id[hit.id] for hit in results.hits]
    assert results.total == len(matched)
    assert results.facets["kind"] == dict(Counter(law["kind"] for law in matched).most_common())
    assert results.facets["topics"] == dict(Counter(t for law in matched for t in law["topics"]).most_common())
    assert results.facets["amends"] == dict(Counter(str(law["amends"]).lower() for law in matched).most_common())
    assert results.facets["published"] == dict(Counter(law["published"][:4] for law in matched).most_common())
    assert sum(results.facets["year"].values()) == len(matched)
    # most first; a tie in value order
    counts = list(results.facets["kind"].values())
    assert counts == sorted(counts, reverse=True)


def test_facets_over_every_document_by_month_and_by_ranges(law_index: Index, laws: list[dict[str, Any]]) -> None:
    results = law_index.search("year:1900..", facets={"published": "month", "year": [(None, 2010), (2010, 2020), (2020, None)],
                                                       "kind": 2})
    assert results.total == len(laws)
    months = Counter(law["published"][:7] for law in laws)
    assert results.facets["published"] == dict(sorted(months.items(), key=lambda item: (-item[1], item[0]))[:1000])
    assert results.facets["year"] == {
        "..2010": sum(law["year"] < 2010 for law in laws),
        "2010..2020": sum(2010 <= law["year"] < 2020 for law in laws),
        "2020..": sum(law["year"] >= 2020 for law in laws),
    }
    assert list(results.facets["kind"]) == [kind for kind, _ in Counter(law["kind"] for law in laws).most_common(2)]


def test_a_facet_value_clicked_as_a_filter_finds_its_count(law_index: Index) -> None:
    results = law_index.search("договор", facets=["kind", "topics"])
    for field, counts in results.facets.items():
        for value, count in counts.items():
            assert law_index.search("договор", filters={field: value}).total == count


# -- sorting ----------------------------------------------------------------------------------------


def test_sorting_by_a_field_with_ties_by_relevance(law_index: Index, laws: list[dict[str, Any]]) -> None:
    by_id = {law["id"]: law for law in laws}
    scores = {hit.id: hit.score for hit in every_hit(law_index, "договор")}
    for sort in ("-year", "year", ["kind", "-published"]):
        hits = every_hit(law_index, "договор", sort=sort)
        keys = [sort] if isinstance(sort, str) else sort

        def key(hit: Any) -> tuple[Any, ...]:
            parts: list[Any] = []
            for name in keys:
                value = by_id[hit.id][name.lstrip("-")]
                if name.startswith("-"):
                    value = -value if isinstance(value, int) else tuple(-ord(ch) for ch in value)
                elif isinstance(value, str):
                    value = value.lower()
                parts.append(value)
            return (*parts, -scores[hit.id])

        assert [key(hit) for hit in hits] == sorted(key(hit) for hit in hits), sort
        assert {hit.id for hit in hits} == set(scores)
        assert all(hit.score == pytest.approx(scores[hit.id]) for hit in hits)


def test_paging_through_a_sorted_result_gives_each_hit_once(law_index: Index) -> None:
    whole = [hit.id for hit in every_hit(law_index, "закон", sort="kind")]
    paged = [hit.id for offset in range(0, len(whole), 7)
             for hit in law_index.search("закон", sort="kind", limit=7, offset=offset).hits]
    assert paged == whole


def test_a_query_that_scores_nothing_is_newest_first(law_index: Index) -> None:
    for query in ("kind:изменение", "догов*", "year:2010..2015"):
        hits = law_index.search(query, limit=50).hits
        dates = [hit.fields["published"] for hit in hits]
        assert dates == sorted(dates, reverse=True) and len(set(dates)) > 1, query


def test_the_seed_news_sort_by_date_and_filter_by_source(seed_index: Index) -> None:
    assert [hit.id for hit in seed_index.search("Беларус", sort="-date").hits] == [DECEMBER, OCTOBER]
    assert [hit.id for hit in seed_index.search("Беларус", sort="date").hits] == [OCTOBER, DECEMBER]
    assert [hit.id for hit in seed_index.search('source:"БТА"').hits] == [DECEMBER]
    assert seed_index.search("Беларус", facets=["source", "date"]).facets == {"source": {"БТА": 1}, "date": {"2025": 2}}


# -- hits: stored fields and snippets ------------------------------------------------------------


def test_hits_carry_every_stored_field(law_index: Index, laws: list[dict[str, Any]]) -> None:
    by_id = {law["id"]: law for law in laws}
    hit = law_index.search("договор").hits[0]
    law = by_id[hit.id]
    assert hit.fields == {name: law[name] for name in LAW_SCHEMA if law.get(name) not in (None, [])}
    assert isinstance(hit.fields["year"], int) and isinstance(hit.fields["amends"], bool)
    run = run_bgsearch("query", "договор", "--index", str(law_index.path), "--json", "--limit", "1")
    line = json.loads(run.stdout.splitlines()[0])
    assert line["fields"]["kind"] == law["kind"] and line["id"] == hit.id
    assert set(line) >= {"id", "score", "title", "date", "source", "url", "snippet", "highlights", "fields", "snippets"}


def test_every_occurrence_is_highlighted_in_titles_too(law_index: Index) -> None:
    hit = law_index.search("договор").hits[0]
    title = hit.snippets.get("title")
    body = hit.snippets["body"]
    assert body.text == hit.snippet and body.highlights == hit.highlights
    for snippet in filter(None, (title, body)):
        for start, end in snippet.highlights:
            assert snippet.text[start:end].lower().startswith("договор")
    marked = sum(1 for start, end in body.highlights)
    assert marked == len(re.findall(r"(?i)\bдоговор\w*", body.text))


def test_html_in_documents_is_escaped_in_formatted_snippets(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents([{"id": "x", "title": '"><img src=x onerror=alert(1)> санкции',
                           "body": "<script>alert(1)</script> Санкциите срещу Беларус & <b>Минск</b>."}])
        hit = ix.search("санкции").hits[0]
        body = hit.snippets["body"].to_dict()
        assert "<script>" not in body["formatted"] and "&lt;script&gt;" in body["formatted"]
        assert "<mark>Санкциите</mark>" in body["formatted"] and "&amp;" in body["formatted"]
        title = hit.snippets["title"].formatted()
        assert "<img" not in title and "&lt;img" in title and "<mark>санкции</mark>" in title
        assert hit.snippets["title"].formatted("[", "]").endswith("[санкции]")


def test_offsets_in_utf16_units_for_javascript(tmp_path: Path) -> None:
    with Index.create(tmp_path / "index") as ix:
        ix.add_documents([{"id": "x", "body": "Емоджи 😀 преди думата санкции."}])
        snippet = ix.search("санкции").hits[0].snippets["body"]
        (start, end), = snippet.highlights
        (start16, end16), = snippet.highlights_utf16
        assert snippet.text[start:end] == "санкции"
        assert (start16, end16) == (start + 1, end + 1)  # the emoji is two UTF-16 units
        assert snippet.text.encode("utf-16-le")[2 * start16 : 2 * end16].decode("utf-16-le") == "санкции"


def test_fragments_give_several_passages(law_index: Index) -> None:
    long_hit = next(hit for hit in law_index.search("договор", limit=50, fragments=3).hits
                    if hit.snippet.count(" … ") >= 1)
    assert len(long_hit.highlights) >= 2
    for start, end in long_hit.highlights:
        assert long_hit.snippet[start:end].lower().startswith("договор")


# -- multi-valued keywords, deletion by a filter ----------------------------------------------------


def test_multi_valued_keywords_match_any_of_their_values(tmp_path: Path) -> None:
    schema = {"title": {"type": "text"}, "tags": {"type": "keyword", "multi": True, "facet": True}}
    with Index.create(tmp_path / "index", schema=schema) as ix:
        ix.add_documents([
            {"id": "1", "title": "Под игото", "tags": ["Роман", "класика"]},
            {"id": "2", "title": "Бай Ганьо", "tags": ["фейлетони", "Класика"]},
            {"id": "3", "title": "Тютюн", "tags": ["роман"]},
        ])
        assert {h.id for h in ix.search("tags:класика").hits} == {"1", "2"}
        assert {h.id for h in ix.search("tags:роман").hits} == {"1", "3"}
        assert ix.search("tags:роман", facets=["tags"]).facets == {"tags": {"Роман": 2, "класика": 1}}
        assert ix.get("2").fields["tags"] == ["фейлетони", "Класика"]
        assert ix.delete_by_query("tags:фейлетони") == 1
        assert len(ix) == 2


def test_every_word_requires_each_word_however_long_the_query(law_index: Index) -> None:
    words = ["договор", "срок", "министър", "закон"]
    each = [{hit.id for hit in every_hit(law_index, word)} for word in words]
    strict = every_hit(law_index, " ".join(words), every_word=True)
    assert {hit.id for hit in strict} == set.intersection(*each) and strict
    assert not law_index.search(" ".join(words), every_word=True).fallback
    assert law_index.search("договор кашалот", every_word=True).total == 0  # no any-word fallback
    assert law_index.search("договор кашалот", fuzzy=False).fallback  # the default falls back


def test_facet_ties_come_in_value_order_and_capitalised_fields_are_named_as_written(tmp_path: Path) -> None:
    schema = {"Заглавие": {"type": "text"}, "Брой": {"type": "number", "facet": True}}
    with Index.create(tmp_path / "index", schema=schema) as ix:
        ix.add_documents([{"id": str(n), "Заглавие": "Под игото", "Брой": n} for n in (10, 9, 100, 9.5)])
        assert list(ix.search("игото", facets=["Брой"]).facets["Брой"]) == ["9", "9.5", "10", "100"]
        assert {hit.id for hit in ix.search("Брой:9..10 игото").hits} == {"10", "9", "9.5"}
        assert {hit.id for hit in ix.search("Заглавие:игото").hits} == {"10", "9", "100", "9.5"}


def test_the_command_line_sorts_descending_and_shows_facets(seed_index: Index) -> None:
    # `--sort -date`: a value that starts with "-" is the option's, not a negated query word.
    run = run_bgsearch("query", "Беларус", "--index", str(seed_index.path), "--sort", "-date", "--json")
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [DECEMBER, OCTOBER]
    run = run_bgsearch("query", "Беларус", "--index", str(seed_index.path), "--sort", "date", "--facet", "source",
                       "--facet", "date:month")
    assert run.returncode == 0 and "source: БТА (1)" in run.stdout and "date: 2025-10 (1), 2025-12 (1)" in run.stdout
    run = run_bgsearch("query", "-Москва", "--index", str(seed_index.path), "--sort", "-date", "--json")
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [DECEMBER]  # October names Москва
    run = run_bgsearch("query", "Беларус", "--index", str(seed_index.path), "--filter", "date=2025-12", "--json")
    assert [json.loads(line)["id"] for line in run.stdout.splitlines()] == [DECEMBER]
