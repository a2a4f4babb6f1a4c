"""`bgsearch serve`: the real server (uvicorn, in a subprocess, on a free loopback port) over an
index of the seed articles and some made-up news, asked over HTTP as any client would."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

httpx = pytest.importorskip("httpx", reason="the server tests need httpx (pip install -e '.[test]')")
pytest.importorskip("fastapi", reason="bgsearch serve needs its extra (pip install -e '.[server]')")
pytest.importorskip("uvicorn", reason="bgsearch serve needs its extra (pip install -e '.[server]')")

from bgsearch import Index, load_path  # noqa: E402
from bgsearch.server import ServerConfig, ServerConfigError, check_listen, is_loopback  # noqa: E402
from bgsearch.server.page import marked  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
KEY = "test-key-1234"
SCRIPT_TITLE = "<script>alert(1)</script> Хакерска атака"
IMG_TITLE = '"><img src=x onerror=alert(1)> Хакерски пробив'
SOURCES = ["БТА", "Ройтерс", "ДПА"]


def news(count: int = 24) -> list[dict[str, Any]]:
    """Made-up Bulgarian news about Беларус: enough for three pages, from three sources and two years."""
    topics = ["санкциите", "посолството", "изборите", "икономиката", "границата", "затворниците"]
    return [
        {"id": f"n{number:02d}", "title": f"Беларус и {topics[number % len(topics)]}: новина {number}",
         "body": f"Беларус обсъжда {topics[number % len(topics)]} с европейските страни. Президентът Лукашенко "
                 f"говори за {topics[(number + 1) % len(topics)]} в Минск. Новина номер {number}.",
         "date": f"{2024 + number % 2}-0{1 + number % 9}-1{number % 10}", "source": SOURCES[number % 3],
         "url": f"https://news.example/{number}"}
        for number in range(count)
    ]


def hostile() -> list[dict[str, Any]]:
    return [
        {"id": "xss1", "title": SCRIPT_TITLE, "body": f'Хакерска атака срещу сайта. {IMG_TITLE} <b>край</b>',
         "url": "javascript:alert(1)", "source": "<i>БТА</i>", "date": "2025-01-02"},
        {"id": "xss2", "title": IMG_TITLE, "body": f"Хакерски пробив: {SCRIPT_TITLE} и още."},
    ]


def build_index(path: Path) -> Path:
    with Index.create(path) as ix:
        result = ix.add_documents([*load_path(SEEDS), *news(), *hostile()])
        assert result.rejected == [] and result.added == 2 + 24 + 2
    return path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Server:
    def __init__(self, base: str, process: subprocess.Popen[bytes], log: Path) -> None:
        self.base, self.process, self.log = base, process, log

    def client(self, **kwargs: Any) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=30, **kwargs)


@contextmanager
def serve(index: Path, *options: str, env: dict[str, str] | None = None, log_dir: Path) -> Iterator[Server]:
    """`python -m bgsearch.server` on a free port, until the block ends."""
    port = free_port()
    log = log_dir / f"server-{port}.log"
    environment = {key: value for key, value in os.environ.items() if key != "BGSEARCH_API_KEY"}
    environment.update(env or {})
    with open(log, "wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "bgsearch.server", "--index", str(index), "--port", str(port),
                                    "--log-level", "warning", *options], stdout=out, stderr=subprocess.STDOUT,
                                   env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the server exited with {process.returncode}: {log.read_text()}")
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the server did not answer in 60 s: {log.read_text()}")
            time.sleep(0.1)
        yield Server(base, process, log)
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_index(tmp_path_factory.mktemp("served") / "index")


@pytest.fixture(scope="module")
def server(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The server with an API key, writes waiting at most half a second for the lock."""
    with serve(index_dir, "--lock-timeout", "0.5", env={"BGSEARCH_API_KEY": KEY},
               log_dir=tmp_path_factory.mktemp("logs")) as running:
        yield running


@pytest.fixture(scope="module")
def api(server: Server) -> Iterator[httpx.Client]:
    with server.client() as client:
        yield client


@pytest.fixture(scope="module")
def writer(server: Server) -> Iterator[httpx.Client]:
    with server.client(headers={"Authorization": f"Bearer {KEY}"}) as client:
        yield client


def error_of(response: httpx.Response, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"] and isinstance(body["error"], str)
    assert "\n" not in body["error"] and body["error"]
    return str(body["error"])


# -- reading -------------------------------------------------------------------------------------


def test_health_stats_analyze(api: httpx.Client) -> None:
    health = api.get("/health").json()
    assert health["status"] == "ok" and health["documents"] == 28
    stats = api.get("/stats").json()
    assert stats["documents"] == 28 and stats["analyzer"] == "bgsearch-bulgarian" and "path" not in stats
    analyzed = api.get("/analyze", params={"text": "Санкциите срещу Беларус"}).json()
    assert analyzed["terms"] == ["санкци", "беларус"]
    assert [token["token"] for token in analyzed["tokens"]] == ["Санкциите", "срещу", "Беларус"]
    assert analyzed["tokens"][1]["term"] is None  # a stop word
    error_of(api.get("/analyze"), 400)
    error_of(api.get("/analyze", params={"text": "дума " * 500}), 400)


def test_search_answers_with_hits_and_summary(api: httpx.Client) -> None:
    answer = api.get("/search", params={"q": "посолството", "limit": 3}).json()
    assert set(answer) >= {"query", "total", "offset", "limit", "hits", "facets", "did_you_mean", "fallback", "notices"}
    assert answer["total"] >= 4 and len(answer["hits"]) == 3 and answer["fallback"] is False
    hit = answer["hits"][0]
    assert set(hit) >= {"id", "score", "title", "date", "source", "url", "snippet", "highlights"}
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower().startswith("посолств")
    page2 = api.get("/search", params={"q": "Беларус", "limit": 10, "offset": 10}).json()
    page1 = api.get("/search", params={"q": "Беларус", "limit": 10}).json()
    assert page1["total"] == page2["total"] >= 26 and page2["offset"] == 10
    assert not {h["id"] for h in page1["hits"]} & {h["id"] for h in page2["hits"]}


def test_search_options(api: httpx.Client) -> None:
    latin = api.get("/search", params={"q": "Lukashenko"}).json()
    assert latin["total"] >= 20
    assert api.get("/search", params={"q": "Lukashenko", "transliterate": "false"}).json()["total"] == 0
    typo = api.get("/search", params={"q": "посолсвото"}).json()
    assert typo["did_you_mean"] == "посолството" and typo["hits"]
    assert api.get("/search", params={"q": "посолсвото", "fuzzy": "false"}).json()["total"] == 0
    dated = api.get("/search", params={"q": "Беларус", "date_from": "2025-12-01", "limit": 50}).json()
    assert dated["hits"] and all(hit["date"] >= "2025-12-01" for hit in dated["hits"])
    bare = api.get("/search", params={"q": "Беларус", "snippets": "false"}).json()
    assert bare["hits"][0]["snippet"] == ""
    fallback = api.get("/search", params={"q": "Беларус хакерска"}).json()
    assert fallback["fallback"] is True and fallback["notices"]


def test_bad_queries_are_400(api: httpx.Client) -> None:
    assert "nested too deeply" in error_of(api.get("/search", params={"q": "(" * 40 + "a" + ")" * 40}), 400)
    error_of(api.get("/search", params={"q": "Беларус", "date_from": "вчера"}), 400)
    error_of(api.get("/search", params={"q": "a", "limit": 0}), 400)
    assert "limit" in error_of(api.get("/search", params={"q": "a", "limit": "много"}), 400)
    error_of(api.get("/search", params={"q": "a", "offset": -1}), 400)
    error_of(api.get("/search", params={"q": "дума " * 401}), 400)  # 2,005 characters: over the limit
    error_of(api.get("/search", params={"q": "a", "filter": "без двоеточие"}), 400)


def test_filters_facets_sort_fragments(api: httpx.Client) -> None:
    only_bta = api.get("/search", params={"q": "Беларус", "filter": "source:БТА", "limit": 50}).json()
    assert only_bta["hits"] and {hit["source"] for hit in only_bta["hits"]} == {"БТА"}
    either = api.get("/search", params=[("q", "Беларус"), ("filter", "source:БТА"), ("filter", "source:ДПА"),
                                        ("limit", "50")]).json()
    assert {hit["source"] for hit in either["hits"]} == {"БТА", "ДПА"}
    year = api.get("/search", params={"q": "Беларус", "filter": "date:2024", "limit": 50}).json()
    assert year["hits"] and all(hit["date"].startswith("2024") for hit in year["hits"])
    ranged = api.get("/search", params={"q": "Беларус", "filter": "date:2024-03..2024-12", "limit": 50}).json()
    assert all("2024-03" <= hit["date"] <= "2024-12-31" for hit in ranged["hits"])
    faceted = api.get("/search", params=[("q", "Беларус"), ("facet", "source"), ("facet", "date:year")]).json()
    assert faceted["facets"]["source"]["БТА"] >= 8 and set(faceted["facets"]["date"]) >= {"2024", "2025"}
    newest = api.get("/search", params={"q": "Беларус", "sort": "-date", "limit": 20}).json()
    dates = [hit["date"] for hit in newest["hits"] if hit["date"]]
    assert dates == sorted(dates, reverse=True)
    assert api.get("/search", params={"q": "Беларус", "fragments": 2}).status_code == 200
    error_of(api.get("/search", params={"q": "Беларус", "fragments": 11}), 400)
    assert api.get("/search", params={"q": "Беларус хакерска"}).json()["fallback"] is True
    strict = api.get("/search", params={"q": "Беларус хакерска", "every_word": "true"}).json()
    assert strict["total"] == 0 and strict["fallback"] is False
    hit = api.get("/search", params={"q": "хакерска атака"}).json()["hits"][0]
    body = hit["snippets"]["body"]
    assert body["formatted"].startswith("<mark>Хакерска</mark> <mark>атака</mark>") and "&lt;" in body["formatted"]
    assert body["highlights_utf16"] == body["highlights"] and hit["fields"]["title"] == hit["title"]
    error_of(api.get("/search", params={"q": "Беларус", "filter": "nosuchfield:x"}), 400)
    error_of(api.get("/search", params={"q": "Беларус", "sort": "title"}), 400)  # not sortable
    error_of(api.get("/search", params={"q": "Беларус", "facet": "body"}), 400)  # not a facet


def test_get_document(api: httpx.Client) -> None:
    document = api.get("/documents/n03").json()
    assert document["id"] == "n03" and document["source"] == "БТА" and "Беларус" in document["body"]
    assert "no document" in error_of(api.get("/documents/nosuch"), 404)
    assert "no document" in error_of(api.get("/documents/a/b/c"), 404)  # an id is never a path
    assert error_of(api.get("/nosuch"), 404)
    error_of(api.put("/documents/n03"), 405)


def test_openapi_describes_the_api(api: httpx.Client) -> None:
    spec = api.get("/openapi.json").json()
    assert {"/search", "/documents", "/documents/{doc_id}", "/stats", "/analyze", "/health"} <= set(spec["paths"])
    assert {"get", "delete"} <= set(spec["paths"]["/documents/{doc_id}"])
    assert "post" in spec["paths"]["/documents"]
    assert api.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN


# -- writing -------------------------------------------------------------------------------------


def test_writes_need_the_key(api: httpx.Client, writer: httpx.Client) -> None:
    doc = [{"id": "k1", "body": "Ключова дума"}]
    assert "Authorization: Bearer" in error_of(api.post("/documents", json=doc), 401)
    assert api.post("/documents", json=doc).headers["www-authenticate"].startswith("Bearer")
    assert error_of(api.post("/documents", json=doc, headers={"Authorization": "Bearer wrong"}), 401) == "wrong API key"
    error_of(api.post("/documents", json=doc, headers={"Authorization": f"Basic {KEY}"}), 401)
    error_of(api.delete("/documents/n01"), 401)
    assert api.get("/documents/n01").status_code == 200  # still there
    assert writer.post("/documents", json=doc).json()["added"] == 1
    assert writer.delete("/documents/k1").json() == {"deleted": "k1"}


def test_add_replace_reject_then_search_sees_it(writer: httpx.Client) -> None:
    answer = writer.post("/documents", json=[
        {"id": "w1", "title": "Зоопаркът в Пловдив", "body": "Жирафите в зоопарка получиха нов дом.", "date": "2026-01-05"},
        {"id": "w2", "body": "Кенгуру"},
        {"id": "w3", "title": "без тяло"},
        {"id": "w4", "body": "дата", "date": "2026-02-31"},
        "не е обект",
    ]).json()
    assert (answer["added"], answer["replaced"]) == (2, 0)
    reasons = {item["origin"]: item["reason"] for item in answer["rejected"]}
    assert len(reasons) == 3 and any("body" in reason for reason in reasons.values())
    assert "expected a JSON object" in reasons["document 5"]
    hits = writer.get("/search", params={"q": "жирафи"}).json()["hits"]
    assert [hit["id"] for hit in hits] == ["w1"]

    lines = "\n".join(json.dumps(doc, ensure_ascii=False) for doc in [
        {"id": "w1", "title": "Зоопаркът в Пловдив", "body": "Слоновете в зоопарка получиха нов дом."},
        {"id": "w5", "body": "Щраусите тичат."},
    ]) + "\n{not json\n"
    answer = writer.post("/documents", content=lines.encode(), headers={"Content-Type": "application/x-ndjson"}).json()
    assert (answer["added"], answer["replaced"]) == (1, 1)
    assert [item["origin"] for item in answer["rejected"]] == ["line:3"]
    assert "malformed JSON" in answer["rejected"][0]["reason"]
    assert writer.get("/search", params={"q": "жирафи", "fuzzy": "false"}).json()["total"] == 0
    assert writer.get("/search", params={"q": "слонове"}).json()["hits"][0]["id"] == "w1"
    for doc_id in ("w1", "w2", "w5"):
        assert writer.delete(f"/documents/{doc_id}").status_code == 200
    assert "no document" in error_of(writer.delete("/documents/w1"), 404)
    error_of(writer.get("/documents/w1"), 404)


def test_bad_bodies(writer: httpx.Client) -> None:
    assert "Content-Type" in error_of(writer.post("/documents", content=b'[{"id": "x", "body": "y"}]'), 415)
    error_of(writer.post("/documents", content=b'{"id": "x"}', headers={"Content-Type": "text/plain"}), 415)
    error_of(writer.post("/documents", content=b"  \n", headers={"Content-Type": "application/json"}), 400)
    assert "malformed JSON" in error_of(
        writer.post("/documents", content=b'[{"id": "x",', headers={"Content-Type": "application/json"}), 400)
    error_of(writer.post("/documents", content=b"[" * 100_000, headers={"Content-Type": "application/json"}), 400)
    answer = writer.post("/documents", content=b'{"id": "x", "body": "\xff\xfe"}\n',
                         headers={"Content-Type": "application/x-ndjson"}).json()
    assert answer["added"] == 0 and "UTF-8" in answer["rejected"][0]["reason"]


def test_writes_wait_for_the_lock_then_503(server: Server, writer: httpx.Client, index_dir: Path) -> None:
    with Index.open(index_dir) as other:
        other.lock_timeout = 5
        with other.write_lock():
            started = time.monotonic()
            response = writer.post("/documents", json=[{"id": "locked", "body": "заключено"}])
            message = error_of(response, 503)
            assert "another writer" in message and str(index_dir) not in message and "process" not in message
            assert response.headers["retry-after"] == "1"
            assert time.monotonic() - started < 10
            assert writer.get("/search", params={"q": "Беларус"}).status_code == 200  # reads go on
        # another process's commit: the server's next search sees it
        other.add_documents([{"id": "other", "title": "Друг процес", "body": "Пингвините пристигнаха."}], workers=1)
    assert [hit["id"] for hit in writer.get("/search", params={"q": "пингвини"}).json()["hits"]] == ["other"]
    assert writer.delete("/documents/other").status_code == 200


# -- the page ------------------------------------------------------------------------------------


def test_page(api: httpx.Client) -> None:
    response = api.get("/", params={"q": "Беларус"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    csp = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([\w-]+)'", csp)
    assert nonce and "default-src 'none'" in csp and "script-src 'nonce-" in csp
    page = response.text
    assert '<html lang="bg">' in page and "Търси" in page and "Резултати 1–10 от" in page
    assert page.count('<li class="hit">') == 10 and "<mark>Беларус</mark>" in page
    assert 'rel="next"' in page and "Следваща" in page
    assert re.findall(r"<script[^>]*>", page) == [f'<script nonce="{nonce[1]}">']
    assert not re.search(r"""(src|href)=["']?(https?:)?//(?!news\.example)""", page)  # nothing from outside
    assert "<link" not in page
    second = api.get("/", params={"q": "Беларус", "page": 2}).text
    assert "Резултати 11–20 от" in second and 'rel="prev"' in second
    typo = api.get("/", params={"q": "посолсвото"}).text
    assert 'Може би търсихте: <a href="/?q=%D0%BF' in typo
    assert "Думите на латиница са търсени и на кирилица: Lukashenko → лукашенко" in api.get(
        "/", params={"q": "Lukashenko"}).text
    assert "Няма документ с всички думи" in api.get("/", params={"q": "Беларус хакерска"}).text
    assert "Няма намерени документи" in api.get("/", params={"q": "несъществуващодума", "filter": "x"}).text
    assert "Заявката не може да бъде изпълнена" in api.get("/", params={"q": "(" * 40 + "a"}).text
    assert "Индексът съдържа" in api.get("/").text
    assert '<section class="facet-group" data-field="source"><h3>Източник</h3>' in page
    assert 'href="/?q=%D0%91%D0%B5%D0%BB%D0%B0%D1%80%D1%83%D1%81&amp;filter=source%3A%D0%91%D0%A2%D0%90"' in page
    filtered = api.get("/", params={"q": "Беларус", "filter": "source:БТА"}).text
    assert '<p id="filters">Филтри: <a class="chip"' in filtered and "✓ БТА" in filtered
    assert "Резултати 1–9 от 9" in filtered  # 8 made-up news and one seed article from БТА
    fragment = api.get("/", params={"q": "Беларус", "view": "results"}).text
    assert fragment.startswith('<main id="results"') and "<style" not in fragment and "<script" not in fragment


def test_page_escapes_every_document_text(api: httpx.Client) -> None:
    for query in ("хакерска", "хакерски", "alert", "img onerror"):
        page = api.get("/", params={"q": query}).text
        assert "<script>alert" not in page and "<img" not in page and "<i>" not in page and "<b>" not in page
        assert "javascript:" not in page
    page = api.get("/", params={"q": "хакерска атака"}).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert api.get("/documents/xss1").json()["title"] == SCRIPT_TITLE  # the API gives the text as it is
    reflected = api.get("/", params={"q": '"><script>alert(2)</script>'}).text
    assert "<script>alert(2)" not in reflected and 'value="&quot;&gt;&lt;script&gt;' in reflected


def test_marked_escapes_around_the_highlights() -> None:
    assert marked("<b>Беларус</b> & Русия", [(3, 10)]) == "&lt;b&gt;<mark>Беларус</mark>&lt;/b&gt; &amp; Русия"
    assert marked("абв", [(0, 1), (0, 2), (5, 9)]) == "<mark>а</mark>бв"


# -- how it may be started ----------------------------------------------------------------------


def test_refuses_a_public_address_without_a_key(index_dir: Path, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from bgsearch.cli import main as bgsearch_main
    from bgsearch.server.cli import main as serve_main

    monkeypatch.delenv("BGSEARCH_API_KEY", raising=False)
    assert serve_main(["--index", str(index_dir), "--host", "0.0.0.0"]) == 2
    assert "refusing to listen on 0.0.0.0" in capsys.readouterr().err
    assert "serve" in _bgsearch_commands()
    assert bgsearch_main(["serve", "--index", str(index_dir), "--host", "0.0.0.0"]) == 2
    assert "--api-key" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # a usage error: argparse exits, in one line
        bgsearch_main(["serve", "--index", str(index_dir), "--port", "x"])
    assert usage.value.code == 2 and "is not a port number" in capsys.readouterr().err
    with pytest.raises(ServerConfigError):
        check_listen("192.168.1.5", ServerConfig())
    with pytest.raises(ServerConfigError):
        check_listen("::", ServerConfig())
    assert check_listen("0.0.0.0", ServerConfig(api_key="k")).allowed_hosts is None
    assert check_listen("0.0.0.0", ServerConfig(writes=False)).writes is False
    assert check_listen("127.0.0.1", ServerConfig()).allowed_hosts == ("127.0.0.1", "localhost", "::1")
    assert check_listen("::1", ServerConfig(allowed_hosts=("search.example",))).allowed_hosts == (
        "127.0.0.1", "localhost", "::1", "search.example")
    assert check_listen("10.0.0.1", ServerConfig(api_key="k", allowed_hosts=("a.example",))).allowed_hosts == ("a.example",)
    assert is_loopback("::1") and is_loopback("localhost") and is_loopback("127.0.0.2")
    assert not is_loopback("0.0.0.0") and not is_loopback("example.org")
    with pytest.raises(ServerConfigError):
        ServerConfig(api_key=" ")
    with pytest.raises(ServerConfigError):
        ServerConfig(cors_origins=("example.org",))


def _bgsearch_commands() -> set[str]:
    import argparse

    from bgsearch import cli

    parser = cli._parser()
    actions = [action for action in parser._actions if isinstance(action, argparse._SubParsersAction)]
    return set(actions[0].choices) if actions else set()


def test_keyless_loopback_server(index_dir: Path, tmp_path: Path) -> None:
    """Without a key, writes are allowed on loopback, but not from another site's page, nor through
    a DNS name that points at 127.0.0.1; bodies over --max-body are 413."""
    with serve(index_dir, "--max-body", "2000", "--allow-host", "search.example", log_dir=tmp_path) as running, \
            running.client() as client:
        assert client.post("/documents", json=[{"id": "open", "body": "отворено"}]).json()["added"] == 1
        assert "may not write" in error_of(client.delete("/documents/open", headers={"Origin": "https://evil.example"}), 403)
        assert client.delete("/documents/open", headers={"Origin": running.base}).status_code == 200
        error_of(client.get("/health", headers={"Host": "evil.example"}), 400)
        assert client.get("/health", headers={"Host": "localhost"}).status_code == 200
        assert client.get("/health", headers={"Host": "search.example:443"}).status_code == 200
        big = [{"id": "big", "body": "дума " * 1000}]
        assert "limit" in error_of(client.post("/documents", json=big), 413)
        chunks = (b"x" * 1000 for _ in range(5))  # no Content-Length: refused while it streams
        error_of(client.post("/documents", content=chunks, headers={"Content-Type": "application/x-ndjson"}), 413)
        assert "access-control-allow-origin" not in client.get("/health", headers={"Origin": "https://a.example"}).headers


def test_read_only_server_with_cors(index_dir: Path, tmp_path: Path) -> None:
    with serve(index_dir, "--read-only", "--cors-origin", "https://app.example", log_dir=tmp_path) as running, \
            running.client() as client:
        assert "read-only" in error_of(client.post("/documents", json=[{"id": "r", "body": "р"}]), 403)
        answer = client.get("/search", params={"q": "Беларус"}, headers={"Origin": "https://app.example"})
        assert answer.headers["access-control-allow-origin"] == "https://app.example"
        preflight = client.options("/documents", headers={"Origin": "https://app.example",
                                                          "Access-Control-Request-Method": "POST",
                                                          "Access-Control-Request-Headers": "authorization,content-type"})
        assert preflight.status_code == 200 and "POST" in preflight.headers["access-control-allow-methods"]
        other = client.get("/search", params={"q": "Беларус"}, headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
