"""bgsearch on a real OpenSearch cluster (bgsearch.cluster): two OpenSearch 2.19.6 nodes on
127.0.0.1, started from Maven Central's jars with the bgsearch plugin built from lucene/, an index of
the seed articles with 2 shards and 1 replica, searched through opensearch-py with bgsearch's own
query understanding and snippets.

Skips with one line when java or mvn is missing, or opensearch-py is not installed. Every node the
tests start is stopped when they end (and dies with the test process if it is killed).
"""

from __future__ import annotations

import io
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bgsearch import Index, analyze_tokens, load_path
from bgsearch.cluster.nodes import Cluster, cluster_up, missing_tools, start_cluster
from conftest import DECEMBER, OCTOBER, SEEDS

ROOT = Path(__file__).resolve().parents[1]
_MISSING = missing_tools()
if _MISSING:
    pytest.skip(f"{' and '.join(_MISSING)} not found: the OpenSearch cluster tests are skipped", allow_module_level=True)
pytest.importorskip("opensearchpy", reason="opensearch-py is not installed (pip install -e '.[cluster]'): the "
                                           "OpenSearch cluster tests are skipped")


def _children(pid: int) -> set[int]:
    """The processes whose parent is `pid`."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- before the shared cluster starts (never more than two nodes at a time) -------------------------


def test_cluster_up_without_java_or_maven_says_so_in_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    out, err = io.StringIO(), io.StringIO()
    assert cluster_up(2, 9200, out=out, err=err) == 2
    assert out.getvalue() == ""
    assert err.getvalue() == "bgsearch: java and mvn not found: a local OpenSearch cluster needs Java 17 and Maven\n"


def test_cluster_up_on_a_taken_port_says_so_in_one_line() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        out, err = io.StringIO(), io.StringIO()
        assert cluster_up(2, port, out=out, err=err) == 2
    assert out.getvalue() == ""
    assert err.getvalue() == f"bgsearch: port {port} on 127.0.0.1 is taken: choose another with --port\n"


def test_cluster_up_prints_the_url_last_and_stops_every_node_on_sigterm() -> None:
    """What `bgsearch cluster up --nodes 1` runs: the URL is the last line once the cluster answers;
    SIGTERM stops the node, leaving no process behind."""
    code = "import sys; from bgsearch.cluster.nodes import cluster_up; sys.exit(cluster_up(1, None))"
    with subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True, cwd=ROOT) as process:
        _check_cluster_up(process)


def _check_cluster_up(process: subprocess.Popen[str]) -> None:
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()  # blocks until the cluster answers
        assert line.startswith("http://127.0.0.1:"), process.stderr.read() if process.stderr else line
        from bgsearch.cluster.client import client

        assert client(line).cluster.health()["number_of_nodes"] == 1
        nodes = _children(process.pid)
        assert nodes, "no node process found"
        process.send_signal(signal.SIGTERM)
        assert process.wait(60) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in nodes) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not any(_alive(pid) for pid in nodes), "a node outlived `cluster up`"
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


# -- a two-node cluster, an index with 2 shards and 1 replica ---------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    started = start_cluster(2)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="module")
def seeds(cluster: Cluster) -> Any:
    from bgsearch.cluster.index import ClusterIndex

    # check_version=False: the version check has a test of its own, the rest should run regardless
    index = ClusterIndex.create(cluster.urls, "seeds", shards=2, replicas=1, check_version=False)
    result = index.add_documents(load_path(SEEDS))
    assert (result.added, result.replaced, result.rejected) == (2, 0, [])
    index.client.cluster.health(index="seeds", wait_for_status="green", request_timeout=120)
    return index


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Index]:
    with Index.create(tmp_path_factory.mktemp("embedded") / "index") as ix:
        ix.add_documents(load_path(SEEDS), workers=1)
        yield ix


def _highlighted(hit: Any) -> list[str]:
    return [hit.snippet[start:end] for start, end in hit.highlights]


def test_the_plugin_is_of_this_analyzer_version(seeds: Any) -> None:
    seeds.check_plugin()  # raises a one-line ClusterError naming the versions


def test_пристанище_finds_only_the_october_article_with_пристанища_highlighted(seeds: Any) -> None:
    results = seeds.search("пристанище")
    assert [hit.id for hit in results.hits] == [OCTOBER]
    assert results.total == 1
    assert "пристанища" in _highlighted(results.hits[0])
    assert results.hits[0].date == "2025-10-17" and results.hits[0].title


def test_посолства_санкция_and_a_date_filter(seeds: Any) -> None:
    assert [hit.id for hit in seeds.search("посолства").hits] == [DECEMBER]
    assert {hit.id for hit in seeds.search("санкция").hits} == {OCTOBER, DECEMBER}
    december = seeds.search("санкция", date_from="2025-12-01")
    assert [hit.id for hit in december.hits] == [DECEMBER]
    assert december.total == 1


def test_a_stop_word_inside_a_phrase_keeps_its_place(cluster: Cluster) -> None:
    from bgsearch.cluster.index import ClusterIndex

    index = ClusterIndex.create(cluster.urls, "phrases", shards=2, replicas=0, check_version=False)
    try:
        result = index.add_documents([
            {"id": "gap", "body": "Министър на финансите Асен Василев представи бюджета."},
            {"id": "nogap", "body": "Министър финансите и други неща."},
            {"id": "two", "body": "министърът и на финансите"},
        ])
        assert (result.added, result.rejected) == (3, [])
        assert [hit.id for hit in index.search('"министър на финансите"').hits] == ["gap"]
        assert [hit.id for hit in index.search('"министър финансите"').hits] == ["nogap"]
        assert [hit.id for hit in index.search('"министрите на финансите"').hits] == ["gap"]  # every form meets
        assert _highlighted(index.search('"министър на финансите"').hits[0]) == ["Министър", "финансите"]
    finally:
        index.delete_index()


def test_every_seed_query_finds_what_the_embedded_index_finds(seeds: Any, embedded: Index) -> None:
    """The recorded seed queries of tests/golden.py (words, phrases, OR/NOT, fields, prefixes, dates,
    Latin script, typos, long queries, bad input): the same hits, totals, fallbacks, suggestions,
    notices, snippets and highlights, or the same error. Scores differ (BM25 against BM25F), so the
    order of equal hit sets may too."""
    _same_answers_as_embedded(seeds, embedded)


def _same_answers_as_embedded(cluster_index: Any, embedded: Index) -> None:
    import json

    import golden

    compared = 0
    for record in golden.read_golden("seeds"):
        query, options = record["query"], record["options"]
        outcomes: list[Any] = []
        for ix in (embedded, cluster_index):
            try:
                found = ix.search(query, **options)
            except Exception as exc:  # the same one-line error from both
                outcomes.append((type(exc).__name__, str(exc)))
                continue
            outcomes.append((
                sorted((hit.id, hit.title, hit.date, hit.source, hit.url, hit.snippet, tuple(hit.highlights),
                        json.dumps(hit.to_dict()["fields"], sort_keys=True),
                        json.dumps(hit.to_dict()["snippets"], sort_keys=True)) for hit in found.hits),
                found.total, found.fallback, found.suggestions, found.did_you_mean, found.notices,
            ))
        assert outcomes[0] == outcomes[1], f"{query!r} {options}"
        compared += 1
    assert compared >= 40


# -- a cluster without the plugin: bgsearch sends its own terms -------------------------------------


@pytest.fixture(scope="module")
def plain_cluster() -> Iterator[Cluster]:
    started = start_cluster(1, with_plugin=False)  # plain OpenSearch, as a hosted cluster
    try:
        yield started
    finally:
        started.stop()


def test_a_cluster_without_the_plugin_gets_bgsearchs_own_terms(plain_cluster: Cluster, embedded: Index) -> None:
    from bgsearch.cluster.errors import ClusterError
    from bgsearch.cluster.index import PRE_ANALYZED, ClusterIndex

    with pytest.raises(ClusterError, match=r"has no bgsearch-analysis plugin: .* analysis=\"pre-analyzed\""):
        ClusterIndex.create(plain_cluster.urls, "refused", analysis="plugin")
    index = ClusterIndex.create(plain_cluster.urls, "seeds")  # analysis="auto": pre-analyzed here
    assert index.analysis == PRE_ANALYZED
    assert ClusterIndex.open(plain_cluster.urls, "seeds").analysis == PRE_ANALYZED  # recorded in the mapping
    result = index.add_documents(load_path(SEEDS))
    assert (result.added, result.rejected) == (2, [])
    _same_answers_as_embedded(index, embedded)
    # The text comes back as written (the terms beside it are not returned).
    assert index.get(DECEMBER).body == embedded.get(DECEMBER).body


def test_without_the_plugin_phrases_keep_stop_word_gaps_and_filters_facets_work(plain_cluster: Cluster) -> None:
    from bgsearch.cluster.index import ClusterIndex

    schema = {"title": {"type": "text", "boost": 2}, "body": {"type": "text"},
              "kind": {"type": "keyword", "facet": True}, "year": {"type": "number", "sortable": True}}
    index = ClusterIndex.create(plain_cluster.urls, "phrases", schema=schema, analysis="pre-analyzed")
    documents = [
        {"id": "gap", "title": "Бюджетът", "body": "Министър на финансите Асен Василев представи бюджета.",
         "kind": "Новини", "year": 2024},
        {"id": "nogap", "body": "Министър финансите и други неща.", "kind": "Новини", "year": 2023},
        {"id": "two", "body": "министърът и на финансите", "kind": "Блог", "year": 2025},
    ]
    assert index.add_documents(documents).added == 3
    assert [hit.id for hit in index.search('"министър на финансите"').hits] == ["gap"]
    assert [hit.id for hit in index.search('"министър финансите"').hits] == ["nogap"]
    assert [hit.id for hit in index.search('"министрите на финансите"').hits] == ["gap"]  # every form meets
    assert _highlighted(index.search('"министър на финансите"').hits[0]) == ["Министър", "финансите"]
    found = index.search("финансите", filters={"kind": "новини"}, facets=["kind"], sort="-year")
    assert [hit.id for hit in found.hits] == ["gap", "nogap"] and found.facets == {"kind": {"Новини": 2}}
    assert [hit.id for hit in index.search("бюджет").hits] == ["gap"]  # title and body, every form
    assert [hit.id for hit in index.search("финанс*", sort="year").hits] == ["nogap", "gap", "two"]


def test_the_plugin_analyzes_the_seeds_as_bgsearch_does(seeds: Any) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        text = path.read_text("utf-8-sig")
        expected = [(t.term, t.position, t.start, t.end) for t in analyze_tokens(text) if t.term is not None]
        assert all(ord(c) < 0x10000 for c in text)  # UTF-16 offsets are code-point offsets
        got = [(t["token"], t["position"], t["start_offset"], t["end_offset"]) for t in seeds.analyze(text)]
        assert got == expected, f"{path.name}: the plugin's terms differ from bgsearch analyze"


def test_bulk_rejections_are_reported_per_document_and_ids_replace(seeds: Any) -> None:
    result = seeds.add_documents([
        *load_path(SEEDS),
        {"id": "no-body"},
        {"id": "bad-date", "body": "текст", "date": "2025-13-45"},
    ])
    assert (result.added, result.replaced) == (0, 2)
    assert [str(r) for r in result.rejected] == [
        "document 3 (id 'no-body'): missing field 'body'",
        "document 4 (id 'bad-date'): field 'date': impossible date '2025-13-45'",
    ]
    assert len(seeds) == 2


def test_open_or_create_get_and_delete(cluster: Cluster) -> None:
    from bgsearch.cluster.errors import ClusterError
    from bgsearch.cluster.index import ClusterIndex

    index = ClusterIndex(cluster.urls, "small")
    assert not index.exists()
    try:
        with pytest.raises(ClusterError, match="^no index 'small' on http://127.0.0.1:"):
            index.search("санкция")
        index = ClusterIndex.open_or_create(cluster.urls, "small") if _plugin_current(index) else \
            ClusterIndex.create(cluster.urls, "small", check_version=False)
        index.add_documents([{"id": "a", "body": "Санкциите срещу Беларус", "source": "БТА", "url": "https://x"}])
        document = index.get("a")
        assert document is not None and (document.body, document.source, document.url) == (
            "Санкциите срещу Беларус", "БТА", "https://x")
        assert index.get("b") is None
        assert [hit.url for hit in index.search("source:бта санкция").hits] == ["https://x"]
        assert index.delete(["a", "b"]) == ["b"]
        assert len(index) == 0
    finally:
        index.delete_index()


def _plugin_current(index: Any) -> bool:
    from bgsearch.cluster.errors import ClusterError

    try:
        index.check_plugin()
    except ClusterError:
        return False
    return True


def test_a_cluster_that_does_not_answer_is_one_line_naming_its_url() -> None:
    from bgsearch.cluster.errors import ClusterUnavailableError
    from bgsearch.cluster.index import ClusterIndex
    from bgsearch.cluster.nodes import _free_port

    url = f"http://127.0.0.1:{_free_port()}"
    with pytest.raises(ClusterUnavailableError, match=f"^no OpenSearch node answers at {url}$"):
        ClusterIndex(url, "seeds", timeout=2).search("санкция")


def test_a_node_that_takes_the_connection_but_never_answers_is_one_line_naming_the_call() -> None:
    """A write held by a cluster without a manager node looks like this to the client: the socket
    is taken, no answer comes. The error says what timed out, where, and what to do."""
    from bgsearch.cluster.errors import ClusterUnavailableError
    from bgsearch.cluster.index import ClusterIndex

    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)  # the kernel completes connections; nothing ever reads or answers them
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with pytest.raises(ClusterUnavailableError) as raised:
            ClusterIndex(url, "seeds", timeout=1).search("санкция")
    message = str(raised.value)
    assert re.match(rf"^[a-z ]+ on {url}: no answer within 1 s; ", message), message
    assert "\n" not in message and "health" in message


def _law_answer(ix: Any, query: str, options: dict[str, Any]) -> tuple[Any, ...]:
    try:
        found = ix.search(query, **options)
    except Exception as exc:  # the same one-line error from both
        return (type(exc).__name__, str(exc), None, None, None, [])
    return (found.total, found.fallback, sorted(found.suggestions),
            [notice for notice in found.notices if not notice.startswith("did you mean")],
            {hit.id for hit in found.hits} if found.total <= 1000 else None, [hit.id for hit in found.hits[:10]])


def test_352_law_queries_find_the_hit_sets_of_the_embedded_index(cluster: Cluster, tmp_path: Path) -> None:
    """The recorded law queries of tests/golden.py over the seeds and 3,000 law units (needs
    ../shared): the same totals, fallbacks, misspelled words and hit sets (up to 1,000 hits) as the
    embedded index. Known differences: a very short prefix (`по*`) matches more here (the embedded
    engine takes its 256 most frequent terms); "did you mean" may spell the same term in another
    form (its first spelling in the first documents found, which come in another order); a page
    past the first holds other hits (another ranking)."""
    _law_queries_find_the_embedded_hit_sets(cluster, "plugin", 1, tmp_path)


def test_352_law_queries_without_the_plugin_find_the_same_hit_sets(plain_cluster: Cluster, tmp_path: Path) -> None:
    """The same on a cluster that takes no plugin: bgsearch sends its own terms (pre-analyzed)."""
    _law_queries_find_the_embedded_hit_sets(plain_cluster, "pre-analyzed", 0, tmp_path)


def _law_queries_find_the_embedded_hit_sets(cluster: Cluster, analysis: str, replicas: int, tmp_path: Path) -> None:
    import golden
    from bgsearch.cluster.index import ClusterIndex
    from conftest import shared_file

    shared_file("corpora/laws.jsonl.gz")
    documents = [*golden.law_documents(), *load_path(SEEDS)]
    index = ClusterIndex.create(cluster.urls, "laws", shards=2, replicas=replicas, check_version=False,
                                analysis=analysis)
    try:
        assert index.add_documents(documents).rejected == []
        with Index.create(tmp_path / "index") as embedded_laws:
            embedded_laws.add_documents(documents, workers=1)
            overlaps, compared = [], 0
            for record in golden.read_golden("laws"):
                query, options = record["query"], dict(record["options"])
                if query == "по*" or options.get("offset"):
                    continue
                options.update(limit=1000, snippets=False)  # snippets are compared on the seeds
                mine, theirs = (_law_answer(ix, query, options) for ix in (embedded_laws, index))
                assert mine[:5] == theirs[:5], f"{query!r} {options}"
                if mine[5]:
                    overlaps.append(len(set(mine[5]) & set(theirs[5])) / len(mine[5]))
                compared += 1
        assert compared >= 300
        overlap = sum(overlaps) / len(overlaps)
        print(f"\n{compared} law queries ({analysis}): the same hit sets; top-10 overlap with the embedded index "
              f"{overlap:.3f}")
        assert overlap > 0.8
    finally:
        index.delete_index()


# -- an index of its own fields: law units with a kind, tags, a year, a date and a flag ---------------

LAW_SCHEMA: dict[str, Any] = {
    "title": {"type": "text", "boost": 2},
    "body": {"type": "text", "required": True},
    "kind": {"type": "keyword", "facet": True, "sortable": True},
    "tags": {"type": "keyword", "multi": True, "facet": True},
    "year": {"type": "number", "facet": True, "sortable": True},
    "date": {"type": "date", "facet": True, "sortable": True},
    "source": {"type": "keyword", "facet": True},
    "amending": {"type": "boolean", "facet": True, "sortable": True},
    "url": {"type": "stored"},
    "law": {"type": "stored"},
}
LAW_FACETS: dict[str, Any] = {"kind": 20, "tags": 20, "year": 10, "date": "year", "amending": None, "source": None}
LAW_RANGES: dict[str, Any] = {"year": [(None, 2005), (2005, 2010), (2010, 2015), (2015, None)], "date": "month"}
# Words, phrases, prefixes, filters alone, filters in OR and under NOT, dates by year and month.
LAW_QUERIES = [
    "закон", "данък", "съд", "кодекс", '"държавен бюджет"', "изменение допълнение", "данъ*", "kind:кодекс",
    "year:2010..2012", "tags:член", "tags:допълнение", "amending:true", "съд OR kind:ратифициране",
    "закон NOT kind:изменение", "date:2015", "date:2015-03", "date:2016-02", "санкции date:..2005-12-31", "тайна NOT tags:член",
    "(year:..2003 OR year:2020..) закон", "id:8678-0",
]


def _law_kind(title: str, number: int) -> str:
    """The law's kind from its title; a code's kind is written two ways (facets label a value as the
    first document with it writes it)."""
    lowered = title.lower().split(" — ")[0]
    if "ратифициране" in lowered:
        return "ратифициране"
    if "изменение" in lowered or "допълнение" in lowered:
        return "изменение"
    if "кодекс" in lowered:
        return "Кодекс" if number % 2 else "кодекс"
    return "закон"


def _law_fields(units: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Law units with fields of their own: kind (keyword), tags (several keywords, or none), year
    (number; missing in some), date (missing in some), amending (boolean), law (a stored object), and
    a key the schema does not name in every 97th."""
    docs = []
    for number, unit in enumerate(units):
        title = unit.get("title") or ""
        lowered = title.lower()
        law, part = unit["id"].rsplit("-", 1)
        doc: dict[str, Any] = {"id": unit["id"], "title": title, "body": unit["body"], "source": unit.get("source"),
                               "url": unit.get("url"), "kind": _law_kind(title, number),
                               "law": {"number": law, "unit": int(part)}, "amending": "изменение" in lowered}
        tags = [tag for word, tag in (("изменение", "изменение"), ("допълнение", "Допълнение"), (" — чл.", "член"),
                                      ("ратифициране", "ратифициране")) if word in lowered]
        if tags:
            doc["tags"] = tags
        if unit.get("date") and number % 53:
            doc["date"] = unit["date"]
            if number % 37:
                doc["year"] = int(unit["date"][:4])
        if number % 97 == 0:
            doc["notes"] = "не е в схемата"
        docs.append(doc)
    return docs


@pytest.fixture(scope="module")
def laws(cluster: Cluster, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Index, list[dict[str, Any]]]]:
    """1,000 law units with LAW_SCHEMA, in the cluster (2 shards, 1 replica) and in an embedded index."""
    import golden
    from bgsearch.cluster.index import ClusterIndex
    from conftest import shared_file

    shared_file("corpora/laws.jsonl.gz")
    documents = _law_fields(golden.law_documents()[::3])
    index = ClusterIndex.create(cluster.urls, "fields", schema=LAW_SCHEMA, shards=2, replicas=1, check_version=False)
    try:
        added = index.add_documents(documents)
        with Index.create(tmp_path_factory.mktemp("fields") / "index", schema=LAW_SCHEMA) as embedded_laws:
            expected = embedded_laws.add_documents(documents, workers=1)  # one segment: index order is input order
            assert (added.added, added.rejected, added.ignored) == (expected.added, [], expected.ignored)
            assert added.ignored == {"notes": 11}
            yield index, embedded_laws, documents
    finally:
        index.delete_index()


def _both(laws: tuple[Any, Index, list[dict[str, Any]]], query: str, **options: Any) -> tuple[Any, Any]:
    cluster_index, embedded_index, _ = laws
    return embedded_index.search(query, **options), cluster_index.search(query, **options)


def _facet_items(results: Any) -> list[tuple[str, list[tuple[str, int]]]]:
    return [(name, list(counts.items())) for name, counts in results.facets.items()]


def test_the_schema_is_recorded_in_the_mapping_and_only_added_to(cluster: Cluster) -> None:
    from bgsearch.cluster.index import ClusterIndex
    from bgsearch.errors import SchemaError
    from bgsearch.fields import Schema

    schema = {"name": {"type": "text"}, "shop": {"type": "keyword", "facet": True},
              "code": {"type": "keyword", "case_sensitive": True}, "price": {"type": "number", "sortable": True},
              "new": {"type": "boolean"}, "on": {"type": "date"}, "extra": {"type": "stored"},
              "secret": {"type": "text", "stored": False}}
    index = ClusterIndex.create(cluster.urls, "schemas", schema=schema, check_version=False)
    try:
        opened = ClusterIndex.open(cluster.urls, "schemas")
        assert list(opened.schema.to_dict().items()) == list(Schema.from_dict(schema).to_dict().items())
        assert opened.schema.body == "name"
        mapping = index.client.indices.get_mapping(index="schemas")["schemas"]["mappings"]["properties"]
        assert mapping["name"] == {"type": "text", "analyzer": "bgsearch_bulgarian"}
        assert mapping["shop"] == {"type": "keyword", "normalizer": "bgsearch_lowercase"}
        assert mapping["code"] == {"type": "keyword"}
        assert mapping["price"] == {"type": "double"}
        assert mapping["new"] == {"type": "boolean"}
        assert mapping["on"] == {"type": "date", "format": "yyyy-MM-dd"}
        assert mapping["extra"] == {"type": "object", "enabled": False}
        result = index.add_documents([
            {"id": "a", "name": "Зелена ябълка", "shop": "Пазар", "code": "AB-1", "price": 2.5, "new": True,
             "on": "2024-05-01", "extra": {"kg": [1, 2]}, "secret": "таен текст", "colour": "зелен"},
            {"id": "b", "name": "Червена ябълка", "shop": "пазар", "code": "ab-1", "price": 3, "extra": "нищо"},
            {"id": "c", "name": "Круша", "price": "евтина"},
        ])
        assert (result.added, result.ignored) == (2, {"colour": 1})
        assert [str(r) for r in result.rejected] == ["document 3 (id 'c'): field 'price' must be a number, not 'евтина'"]
        apple = index.get("a")
        assert apple is not None and apple.fields == {"name": "Зелена ябълка", "shop": "Пазар", "code": "AB-1",
                                                      "price": 2.5, "new": True, "on": "2024-05-01",
                                                      "extra": {"kg": [1, 2]}}  # "secret" is not stored
        assert [hit.id for hit in index.search("таен").hits] == ["a"]  # searched, not returned
        assert [hit.id for hit in index.search("ябълка code:AB-1").hits] == ["a"]  # case-sensitive
        assert sorted(hit.id for hit in index.search("ябълка shop:ПАЗАР").hits) == ["a", "b"]  # folded
        found = index.search("ябълка", facets=["shop"], sort="-price")
        assert [hit.id for hit in found.hits] == ["b", "a"] and found.facets == {"shop": {"Пазар": 2}}
        with pytest.raises(SchemaError, match="^the index 'schemas' on .* has field 'price' as "):
            ClusterIndex.open(cluster.urls, "schemas", schema={**schema, "price": {"type": "keyword"}})
        with pytest.raises(SchemaError, match="has field 'extra' as .* the schema given has no such field"):
            ClusterIndex.open(cluster.urls, "schemas", schema={k: v for k, v in schema.items() if k != "extra"})
        wider = {**schema, "colour": {"type": "keyword", "facet": True}}
        ClusterIndex.open(cluster.urls, "schemas", schema=wider)  # adding a field is allowed
        again = ClusterIndex(cluster.urls, "schemas")
        assert again.schema == Schema.from_dict(wider)
        assert again.add_documents([{"id": "d", "name": "Зелена круша", "colour": "зелен"}]).ignored == {}
        assert again.search("зелен*", facets=["colour"]).facets == {"colour": {"зелен": 1}}
        assert again.delete_by_query("ябълка shop:пазар") == 2 and len(again) == 1
    finally:
        index.delete_index()


def test_an_index_created_before_schemas_opens_and_answers_as_before(cluster: Cluster) -> None:
    """An index made by the bgsearch before #15 (the six fields' mapping, no `_meta`, no order field):
    read as the default schema; documents added to it get the order field put into its mapping."""
    from bgsearch.cluster.index import ClusterIndex
    from bgsearch.documents import Record
    from bgsearch.fields import DEFAULT_SCHEMA

    text = {"type": "text", "analyzer": "bgsearch_bulgarian"}
    old = {
        "settings": {"index": {"number_of_shards": 2, "number_of_replicas": 0}, "analysis": {
            "analyzer": {"bgsearch_terms": {"type": "custom", "tokenizer": "whitespace", "filter": ["bgsearch_gap"]}},
            "filter": {"bgsearch_gap": {"type": "stop", "stopwords": ["_"], "ignore_case": False}},
            "normalizer": {"bgsearch_lowercase": {"type": "custom", "filter": ["lowercase"]}}}},
        "mappings": {"dynamic": "strict", "properties": {
            "id": {"type": "keyword"}, "title": text, "body": text,
            "source": {"type": "keyword", "normalizer": "bgsearch_lowercase"},
            "date": {"type": "date", "format": "yyyy-MM-dd"},
            "url": {"type": "keyword", "index": False, "doc_values": False}}},
    }
    index = ClusterIndex(cluster.urls, "before")
    index.client.indices.create(index="before", body=old)
    try:
        for doc in load_path(SEEDS):
            assert isinstance(doc, Record)
            source = {**doc.values, "url": f"https://example.bg/{doc.values['id']}"}
            index.client.index(index="before", id=source["id"], body=source)
        index.refresh()
        assert ClusterIndex.open(cluster.urls, "before", schema=DEFAULT_SCHEMA).schema == DEFAULT_SCHEMA
        found = index.search("пристанище", facets=["source", "date"])
        assert [hit.id for hit in found.hits] == [OCTOBER] and found.hits[0].url == f"https://example.bg/{OCTOBER}"
        assert found.facets == {"source": {}, "date": {"2025": 1}}
        assert index.search("посолства", facets=["source"]).facets == {"source": {"БТА": 1}}  # as written
        result = index.add_documents([{"id": "new", "body": "Пристанище за лодки.", "date": "2026-01-02", "tag": "x"}])
        assert (result.added, result.rejected, result.ignored) == (1, [], {"tag": 1})
        assert [hit.id for hit in index.search("пристанище", sort="-date").hits] == ["new", OCTOBER]
        assert [hit.id for hit in index.search("date:2025..2026").hits][:1] == ["new"]  # newest first
    finally:
        index.delete_index()


def test_law_documents_are_checked_against_the_schema_as_the_embedded_index_checks_them(laws: Any) -> None:
    cluster_index, embedded_index, _ = laws
    bad = [{"id": "bad-year", "body": "текст", "year": "две хиляди"}, {"id": "bad-kind", "body": "текст", "kind": ["a"]},
           {"id": "bad-flag", "body": "текст", "amending": "може би"}, {"id": "bad-date", "body": "т", "date": "2024-02-30"}]
    mine, theirs = (ix.add_documents(bad) for ix in (embedded_index, cluster_index))
    assert [str(r) for r in theirs.rejected] == [str(r) for r in mine.rejected]
    assert (theirs.added, len(theirs.rejected)) == (0, 4)
    assert "field 'kind' holds one value, not a list" in str(theirs.rejected[1])


def test_filters_and_facet_counts_equal_the_embedded_index(laws: Any) -> None:
    """The same totals, hit sets and facet counts (values, counts and their order) for words, phrases,
    prefixes, filters alone, filters inside OR and NOT, and filters= of every kind."""
    compared = nonzero = 0
    for query in LAW_QUERIES:
        for facets in (LAW_FACETS, LAW_RANGES):
            mine, theirs = _both(laws, query, limit=1000, facets=facets, snippets=False)
            assert theirs.total == mine.total, query
            assert {hit.id for hit in theirs.hits} == {hit.id for hit in mine.hits}, query
            assert _facet_items(theirs) == _facet_items(mine), f"{query!r} {facets}"
            compared += 1
    for filters in ({"kind": "изменение"}, {"kind": "КОДЕКС"}, {"tags": ["член", "ратифициране"]}, {"year": (2010, 2012)},
                    {"date": ("2015-01-01", None)}, {"amending": False}, {"year": (None, 2008), "amending": True},
                    {"date": "2016"}):
        for query in ("закон", "", "данъ*"):
            mine, theirs = _both(laws, query, limit=1000, filters=filters, facets=LAW_FACETS, snippets=False)
            assert theirs.total == mine.total, f"{query!r} {filters}"
            nonzero += mine.total > 0
            assert {hit.id for hit in theirs.hits} == {hit.id for hit in mine.hits}, f"{query!r} {filters}"
            assert _facet_items(theirs) == _facet_items(mine), f"{query!r} {filters}"
            compared += 1
    for query, options in (("изменение закон данък съд държавен", {"every_word": True}), ("закон съд", {"every_word": True}),
                           ("САЩ", {"expand": False}), ("САЩ", {}), ("данък", {"fuzzy": False, "transliterate": False})):
        mine, theirs = _both(laws, query, limit=1000, facets=LAW_FACETS, snippets=False, **options)
        assert (theirs.total, theirs.fallback, theirs.notices) == (mine.total, mine.fallback, mine.notices), query
        assert {hit.id for hit in theirs.hits} == {hit.id for hit in mine.hits}, query
        assert _facet_items(theirs) == _facet_items(mine), query
        compared += 1
    assert compared == 2 * len(LAW_QUERIES) + 29 and nonzero >= 20


def test_facet_counts_are_the_counts_of_the_documents_themselves(laws: Any) -> None:
    from collections import Counter

    cluster_index, _, documents = laws
    every = cluster_index.search("", filters={"source": "parliament.bg"}, facets={**LAW_FACETS, "tags": 10, "year": 100})
    assert every.total == len(documents)
    assert every.facets["tags"] == dict(Counter(tag for doc in documents for tag in doc.get("tags", ())).most_common())
    assert {k.lower(): n for k, n in every.facets["kind"].items()} == dict(Counter(d["kind"].lower() for d in documents))
    first_code = next(doc["kind"] for doc in documents if doc["kind"].lower() == "кодекс")
    assert first_code in every.facets["kind"]  # as the first document with it writes it
    assert every.facets["year"] == {str(y): n for y, n in Counter(d["year"] for d in documents if "year" in d).items()}
    assert sum(every.facets["year"].values()) < len(documents)  # some have no year
    assert every.facets["amending"] == dict(Counter(str(d["amending"]).lower() for d in documents))
    february = cluster_index.search("date:2016-02", limit=100)  # a month's end is its last day, not the 31st
    assert {hit.id for hit in february.hits} == {d["id"] for d in documents if d.get("date", "").startswith("2016-02")}
    ranges = cluster_index.search("", filters={"amending": True}, facets=LAW_RANGES).facets["year"]
    amending_years = [d["year"] for d in documents if d["amending"] and "year" in d]
    assert ranges == {"..2005": sum(y < 2005 for y in amending_years), "2005..2010": sum(2005 <= y < 2010 for y in amending_years),
                      "2010..2015": sum(2010 <= y < 2015 for y in amending_years), "2015..": sum(y >= 2015 for y in amending_years)}


def test_multi_valued_keywords_match_any_value_and_count_each(laws: Any) -> None:
    cluster_index, _, documents = laws
    either = cluster_index.search("", filters={"tags": ["член", "ратифициране"]}, limit=1000, snippets=False)
    expected = {d["id"] for d in documents if {"член", "ратифициране"} & set(d.get("tags", ()))}
    assert {hit.id for hit in either.hits} == expected and either.total == len(expected)
    both = cluster_index.search("tags:член tags:допълнение", limit=1000, snippets=False)
    assert {hit.id for hit in both.hits} == {d["id"] for d in documents if {"член", "Допълнение"} <= set(d.get("tags", ()))}
    assert all(isinstance(hit.fields["tags"], list) for hit in both.hits)


def test_a_filter_that_matches_nothing_gives_no_hits(laws: Any) -> None:
    for query, filters in (("закон", {"kind": "няма такъв"}), ("закон", {"tags": []}), ("", {"year": (3000, None)}),
                           ("закон year:..1900", None), ("", {"date": ("2030-01-01", None)}), ("данъ*", {"amending": True, "kind": "закон"})):
        mine, theirs = _both(laws, query, filters=filters, facets=LAW_RANGES)
        assert (theirs.hits, theirs.total, theirs.fallback) == ([], 0, False), f"{query!r} {filters}"
        assert theirs.facets == mine.facets == {"year": {"..2005": 0, "2005..2010": 0, "2010..2015": 0, "2015..": 0},
                                                "date": {}}


def _keys(hit: Any, names: list[str]) -> tuple[Any, ...]:
    values = (hit.fields.get(name) for name in names)
    return tuple(value.lower() if isinstance(value, str) else value for value in values)


def test_sort_order_equals_the_embedded_index(laws: Any) -> None:
    """Sorted by each sortable field (missing values last both ways), ties by relevance: the same
    keys in the same order (scores differ: BM25 against BM25F); a query that scores nothing is in
    the very same order (ties in the order the documents were added) with the same constant scores,
    newest first without a sort."""
    for query in ("закон", "съд", "кодекс OR данък", "данъ*", "kind:изменение", "tags:член", "year:2010..2012",
                  "amending:false"):
        for sort in (None, "-year", "year", ["kind", "-date"], "-amending", "date"):
            names = [name.lstrip("-") for name in ([sort] if isinstance(sort, str) else sort or [])]
            mine, theirs = _both(laws, query, limit=1000, sort=sort, snippets=False)
            assert [_keys(hit, names) for hit in theirs.hits] == [_keys(hit, names) for hit in mine.hits], f"{query!r} {sort}"
            if ":" in query or "*" in query:
                assert [hit.id for hit in theirs.hits] == [hit.id for hit in mine.hits], f"{query!r} {sort}"
                # Every match scores the same per field it matches in (a filter 1; a prefix its field's boost).
                assert [hit.score for hit in theirs.hits] == pytest.approx([hit.score for hit in mine.hits])
            if sort in ("year", "-year"):
                with_year = [hit for hit in theirs.hits if "year" in hit.fields]
                assert theirs.hits[: len(with_year)] == with_year, "documents without a year come last"
    newest = _both(laws, "tags:член", limit=5)
    assert [hit.id for hit in newest[1].hits] == [hit.id for hit in newest[0].hits]
    assert [hit.date for hit in newest[1].hits] == sorted((hit.date for hit in newest[1].hits), reverse=True)
    page = _both(laws, "kind:изменение", sort="-year", offset=100, limit=20)
    assert [hit.id for hit in page[1].hits] == [hit.id for hit in page[0].hits]


def test_hits_carry_every_stored_field_and_the_snippets_of_the_embedded_index(laws: Any) -> None:
    compared = 0
    for query in ("съд", '"държавен бюджет"', "изменение закон", "данъ*", "съд kind:закон", "Кодекс"):
        mine, theirs = _both(laws, query, limit=50, fragments=2)
        by_id = {hit.id: hit for hit in theirs.hits}
        for hit in mine.hits:
            other = by_id.get(hit.id)
            if other is None:
                continue  # another ranking may put it past the page
            assert other.fields == hit.fields, hit.id
            assert "id" not in other.fields and "notes" not in other.fields and isinstance(other.fields["law"], dict)
            assert other.snippets == hit.snippets, f"{query!r} {hit.id}"
            assert (other.snippet, other.highlights, other.title, other.date, other.source, other.url) == (
                hit.snippet, hit.highlights, hit.title, hit.date, hit.source, hit.url)
            compared += 1
    assert compared > 150
    titled = laws[0].search("Кодекс", limit=3).hits[0]
    assert "title" in titled.snippets and "<mark>" in titled.snippets["title"].formatted()


def test_stopping_one_node_keeps_every_query_answering(cluster: Cluster, seeds: Any) -> None:
    """Last in this module: it stops a node. With 1 replica every shard has a copy on the other node."""
    before = {query: sorted(hit.id for hit in seeds.search(query).hits)
              for query in ("пристанище", "санкция", '"политически затворници"', "Беларус NOT Москва")}
    cluster.stop_node(1)
    assert not cluster.nodes[1].running
    for query, ids in before.items():
        assert sorted(hit.id for hit in seeds.search(query).hits) == ids, query
    assert len(seeds) == 2  # every acknowledged document is still there


def test_a_node_lost_mid_import_then_back_the_import_completes_without_duplicates(cluster: Cluster) -> None:
    """After the test above (one node stopped): the node comes back; an import loses a node half-way
    (it may fail with one line, or finish on the other node); the node comes back again and the same
    import run again leaves every document exactly once (ids are the documents' ids)."""
    import threading

    from bgsearch.cluster.errors import ClusterError
    from bgsearch.cluster.index import ClusterIndex

    cluster.restart_node(1)
    documents = [{"id": f"d{i}", "body": f"Документ номер {i} за санкциите и пристанищата.", "date": "2025-12-01"}
                 for i in range(3000)]
    index = ClusterIndex.create(cluster.urls, "resume", shards=2, replicas=1, check_version=False)
    index.client.cluster.health(index="resume", wait_for_status="green", request_timeout=120)
    outcome: list[object] = []

    def run() -> None:
        try:
            outcome.append(index.add_documents(documents, chunk_size=100))
        except ClusterError as exc:
            outcome.append(exc)

    importer = threading.Thread(target=run)
    importer.start()
    time.sleep(1.5)
    cluster.stop_node(1)
    importer.join(300)
    assert outcome, "the import did not return"
    first = outcome[0]
    print(f"\nan import that lost a node half-way: {first!r:.300}")
    if isinstance(first, ClusterError):
        assert "\n" not in str(first) and "127.0.0.1" in str(first)
    else:
        assert first.rejected == [], first.rejected  # type: ignore[attr-defined]
    cluster.restart_node(1)
    # Run again as a user would: a new process, once the index is whole again. With 2 nodes the
    # stopped one may have been the manager, and its return starts shard recoveries that can hold a
    # write past the client's timeout on a loaded machine.
    index = ClusterIndex.open(cluster.urls, "resume")
    index.client.cluster.health(index="resume", wait_for_status="green", timeout="150s", request_timeout=180)
    if not isinstance(first, ClusterError):  # every acknowledged document is there
        index.refresh()
        assert len(index) == len(documents)
    again = index.add_documents(documents)
    assert again.rejected == [] and again.indexed == len(documents)
    assert len(index) == len(documents)
    assert index.search("санкция").total == len(documents)


def test_the_command_line_indexes_into_and_searches_the_cluster(cluster: Cluster, tmp_path: Path) -> None:
    """`bgsearch index SEEDS --cluster URL --name NAME` and `bgsearch query ... --cluster URL --name NAME`."""
    import json

    from bgsearch.cluster.index import ClusterIndex
    from robustness_helpers import run_bgsearch

    if not _plugin_current(ClusterIndex(cluster.urls, "cli")):
        pytest.skip("the nodes run a plugin of another analyzer version")
    url = ",".join(cluster.urls)
    try:
        built = run_bgsearch("index", str(SEEDS), "--cluster", url, "--name", "cli", "--shards", "2", "--replicas", "1")
        assert built.returncode == 0 and "2 added" in built.stderr, built.stderr
        found = run_bgsearch("query", "пристанище", "--cluster", url, "--name", "cli", "--json")
        assert found.returncode == 0, found.stderr
        assert [json.loads(line)["id"] for line in found.stdout.splitlines()] == [OCTOBER]
        refused = run_bgsearch("index", str(SEEDS), "--cluster", url, "--name", "cli", "--rebuild")
        assert refused.returncode == 2 and "not --cluster" in refused.stderr
        nameless = run_bgsearch("query", "пристанище", "--cluster", url)
        assert nameless.returncode == 2 and "--name" in nameless.stderr
    finally:
        ClusterIndex(cluster.urls, "cli").delete_index()
