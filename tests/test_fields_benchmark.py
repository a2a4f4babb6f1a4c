"""Fast checks of the field benchmark harness (benchmarks/fields.py): the law kinds, the query
classes, and a whole run on 300 law units with every engine agreeing; no timing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import corpora, fields  # noqa: E402


@pytest.mark.parametrize(("title", "kind"), [
    ("Закон за изменение и допълнение на Закона за водите — Чл. 3", "изменение и допълнение"),
    ("Закон за изменение на Закона за водите", "изменение"),
    ("Закон за допълнение на Кодекса на труда", "допълнение"),
    ("Закон за ратифициране на Споразумението между Република България и Япония", "ратифициране на споразумение"),
    ("Закон за ратифициране на Конвенцията на Съвета на Европа", "ратифициране на конвенция"),
    ("Закон за ратифициране Изменението на Устава", "ратифициране на изменение"),
    ("Закон за ратифициране на Устава на Международната организация", "ратифициране на друго"),
    ("Закон за денонсиране на Споразумението", "денонсиране"),
    ("Закон за държавния бюджет на Република България за 2010 г.", "бюджет"),
    ("Закон за бюджета на Националната здравноосигурителна каса за 2011 г.", "бюджет"),
    ("Изборен кодекс — Чл. 1", "кодекс"),
    ("Кодекс за застраховането", "кодекс"),
    ("Законт за горите", "закон"),  # a typo in "Закон" is still a law
    ("Закон за горите", "закон"),
    ("30/09/2015", fields.KIND_OTHER),
    ("", fields.KIND_OTHER),
    (None, fields.KIND_OTHER),
])
def test_law_kind(title: str | None, kind: str) -> None:
    assert fields.law_kind(title) == kind


def test_field_documents_and_query_classes() -> None:
    units = [{"id": f"7-{i}", "title": "Закон за горите — Чл. 1", "body": f"Горите се стопанисват {i}.",
              "date": f"20{10 + i % 3}-0{1 + i % 9}-15", "source": "parliament.bg"} for i in range(30)]
    units.append({"id": "8-0", "title": "Закон за ратифициране на Договора", "body": "Ратифицира договора."})
    docs = fields.field_documents(units)
    assert set(docs[0]) == {"id", "title", "body", "kind", "year", "date"}  # no keys the schema lacks
    assert docs[0]["year"] == 2010 and docs[0]["kind"] == "закон"
    assert "year" not in docs[-1] and docs[-1]["kind"] == "ратифициране на договор"
    assert fields.kind_distribution(docs) == [{"kind": "закон", "units": 30, "laws": 1},
                                              {"kind": "ратифициране на договор", "units": 1, "laws": 1}]
    words = [fields.speed.BenchQuery("1-word", "горите", (("горите", False),))]
    queries = fields.field_queries(docs, words, [("горите", 30)], seed=1)
    assert [q.cls for q in queries] == list(fields.CLASSES)
    assert fields.field_queries(docs, words, [("горите", 30)], seed=1) == queries  # seeded
    by_cls = {q.cls: q for q in queries}
    assert by_cls["filter-kind"].kind in {"закон", "ратифициране на договор"}
    lo, hi = by_cls["filter-year"].years or (0, 0)
    assert 2010 <= lo <= hi <= lo + 2
    start, end = by_cls["filter-date"].dates or ("", "")
    assert start < end
    assert by_cls["facet-words"].facets and by_cls["facet-common"].facets
    assert (by_cls["sort-date"].sort, by_cls["sort-year"].sort) == ("-date", "year")


def test_missing_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fields.main(["--data-dir", str(tmp_path / "absent")]) == fields.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "shared data not found" in err and "Traceback" not in err


def test_a_small_run_with_every_engine_agreeing(tmp_path: Path) -> None:
    """300 law units, 3 queries per class, one timed pass: every class measured for every engine,
    and the engines' counts, facet counts and sort keys compared."""
    pytest.importorskip("tantivy")
    try:
        corpora.corpus_path("laws", corpora.data_dir())
    except corpora.DataMissingError:
        pytest.skip("shared data not available")
    if fields.BgsearchEngine.missing():
        pytest.skip(str(fields.BgsearchEngine.missing()))
    out = tmp_path / "out.json"
    code = fields.main(["--docs", "300", "--runs", "1", "--queries", "3", "--json", str(out),
                        "--work-dir", str(tmp_path / "work"), "--quiet"])
    assert code == 0
    res = json.loads(out.read_text("utf-8"))
    assert set(res["latency"]) == set(fields.ENGINES)
    for name in fields.ENGINES:
        assert set(res["latency"][name]) == set(fields.CLASSES)
        assert all(c["p50_ms"] <= c["p99_ms"] for c in res["latency"][name].values())
    assert sum(k["units"] for k in res["kinds"]) == 300
    assert res["common_words"] and res["common_words"][0]["units"] > 250
    agree = res["agreement"]
    assert agree["equal"]  # most queries: the same counts, facet counts and sort keys everywhere
    for record in agree["differences"]:
        # the peers, fed the same terms, always agree; bgsearch may only find more (an expansion
        # such as an acronym's), never miss a document a filter keeps
        for what in record["differ"]:
            assert record[what]["tantivy"] == record[what]["sqlite"], record
        assert record["total"]["bgsearch"] > record["total"]["tantivy"], record
    for record in agree["bgsearch_reread"]:  # what bgsearch reads as written, the peers count too
        assert set(record["total"].values()) - {record["total"]["bgsearch"]} == {record["bgsearch_literal_total"]}
    assert not (tmp_path / "work").exists()  # no --keep: the indexes are removed


def test_engines_agree_on_a_few_documents(tmp_path: Path) -> None:
    """The three engines on five documents: filters, facets and both sorts, one document undated
    (last in either order, and on the page only when fewer dated ones match)."""
    pytest.importorskip("tantivy")
    if fields.BgsearchEngine.missing():
        pytest.skip(str(fields.BgsearchEngine.missing()))
    docs = fields.field_documents([
        {"id": "1-1", "title": "Закон за горите — Чл. 1", "body": "Горите и водите се пазят.", "date": "2012-03-01"},
        {"id": "1-2", "title": "Закон за горите — Чл. 2", "body": "Горите се пазят от пожари.", "date": "2012-03-01"},
        {"id": "2-1", "title": "Закон за изменение на Закона за водите", "body": "Водите и горите.", "date": "2015-07-20"},
        {"id": "3-1", "title": "Изборен кодекс", "body": "Горите нямат избори.", "date": "2010-01-05"},
        {"id": "4-0", "title": "30/09/2015", "body": "Горите на страницата без дата."},
    ])
    analysis = fields.Analysis()
    terms = [(analysis.terms(d["title"]), analysis.terms(d["body"])) for d in docs]
    engines = {}
    for name in fields.ENGINES:
        engine = fields.ENGINE_CLASSES[name]()
        engine.build(tmp_path / name, docs, analysis, terms)
        engine.open(tmp_path / name, analysis)
        engines[name] = engine
    parts = (("горите", False),)
    queries = [fields.FieldQuery("words", "горите", parts),
               fields.FieldQuery("filter-kind", "горите", parts, kind="закон"),
               fields.FieldQuery("filter-year", "горите", parts, years=(2011, 2015)),
               fields.FieldQuery("filter-date", "горите", parts, dates=("2012-03-01", "2015-07-19")),
               fields.FieldQuery("facet-words", "горите", parts, facets=True),
               fields.FieldQuery("sort-date", "горите", parts, sort="-date"),
               fields.FieldQuery("sort-year", "горите", parts, sort="year")]
    try:
        answers = {name: [engine.run(q) for q in queries] for name, engine in engines.items()}
    finally:
        for engine in engines.values():
            engine.close()
    assert [a.total for a in answers["bgsearch"]] == [5, 2, 3, 2, 5, 5, 5]
    assert answers["bgsearch"][4].facets == {"kind": {"закон": 2, "изменение": 1, "кодекс": 1, "друг": 1},
                                             "year": {"2012": 2, "2015": 1, "2010": 1}}
    assert answers["bgsearch"][5].keys == ["2015-07-20", "2012-03-01", "2012-03-01", "2010-01-05", "none"]
    assert answers["bgsearch"][6].keys == ["2010", "2012", "2012", "2015", "none"]
    agree = fields.agreement(queries, answers, {})
    assert agree["differences"] == [] and len(agree["equal"]) == len(queries)
