"""The search page in a real browser: Debian's Chromium, headless, driven by Playwright against the
real server on a free loopback port. Playwright never downloads a browser here: it is pointed at
/usr/bin/chromium (`.ci/run` installs it with apt-get); without it these tests skip.

A screenshot of each step is saved in the test's temporary directory, and also in
$BGSEARCH_TEST_ARTIFACTS when that names a directory (the test artifacts; never committed)."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM}: install it with `apt-get install chromium` (.ci/run does)",
                allow_module_level=True)
httpx = pytest.importorskip("httpx", reason="the browser tests need httpx (pip install -e '.[test]')")
pytest.importorskip("fastapi", reason="bgsearch serve needs its extra (pip install -e '.[server]')")
sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need playwright (pip install -e '.[test]')")

from bgsearch import Index, load_path  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SCRIPT_TITLE = "<script>alert(1)</script> Хакерска атака"
IMG_TITLE = '"><img src=x onerror=alert(1)> Хакерски пробив'
SOURCES = ["БТА", "Ройтерс", "ДПА"]


def documents() -> list[dict[str, Any]]:
    topics = ["санкциите", "посолството", "изборите", "икономиката"]
    made_up = [
        {"id": f"n{n:02d}", "title": f"Беларус и {topics[n % 4]}: новина {n}",
         "body": f"Беларус обсъжда {topics[n % 4]} с европейските страни. Лукашенко говори в Минск. Новина {n}.",
         "date": f"{2024 + n % 2}-0{1 + n % 9}-1{n % 10}", "source": SOURCES[n % 3]}
        for n in range(24)
    ]
    hostile = [
        {"id": "xss1", "title": SCRIPT_TITLE, "body": f"Хакерска атака срещу сайта. {IMG_TITLE}", "source": "<i>x</i>"},
        {"id": "xss2", "title": IMG_TITLE, "body": f"Хакерска атака: {SCRIPT_TITLE} и още."},
    ]
    return [*load_path(ROOT / "seeds"), *made_up, *hostile]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("browser")
    with Index.create(folder / "index") as ix:
        assert ix.add_documents(documents()).rejected == []
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    environment = {key: value for key, value in os.environ.items() if key != "BGSEARCH_API_KEY"}
    with open(folder / "server.log", "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "bgsearch.server", "--index", str(folder / "index"),
                                    "--port", str(port), "--read-only", "--log-level", "warning"],
                                   stdout=log, stderr=subprocess.STDOUT, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (folder / "server.log").read_text()
            try:
                if httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, (folder / "server.log").read_text()
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(15)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        yield launched
        launched.close()


class Watched:
    """A page, with every dialog (an alert would be an XSS) and console error noted."""

    def __init__(self, page: Any, shots: Path) -> None:
        self.page, self.shots = page, shots
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda dialog: (self.dialogs.append(dialog.message), dialog.dismiss()))
        page.on("console", lambda message: self.errors.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.set_default_timeout(15_000)

    def shot(self, name: str) -> Path:
        path = self.shots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        keep = os.environ.get("BGSEARCH_TEST_ARTIFACTS")
        if keep and Path(keep).is_dir():
            shutil.copy(path, Path(keep) / path.name)
        return path

    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.page.url).query)


@pytest.fixture
def watched(browser: Any, tmp_path: Path) -> Iterator[Watched]:
    context = browser.new_context(locale="bg-BG", viewport={"width": 1200, "height": 900})
    page = Watched(context.new_page(), tmp_path)
    yield page
    context.close()
    assert page.dialogs == [], f"a document's text ran as script: {page.dialogs}"
    assert not [error for error in page.errors if "Content Security Policy" in error], page.errors


def summary(page: Any) -> str:
    return str(page.locator("#summary").inner_text())


def test_type_search_page_forward_and_facets(watched: Watched, base_url: str) -> None:
    page = watched.page
    page.goto(base_url + "/")
    assert page.locator("label[for=q]").inner_text() == "Търсене в документите"
    page.locator("#q").fill("Беларус")
    page.locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"q=%D0%91"))
    assert summary(page).startswith("Резултати 1–10 от")
    assert page.locator("#hits li.hit").count() == 10
    marks = page.locator("#hits mark").all_inner_texts()
    assert marks and {mark.lower() for mark in marks} == {"беларус"}
    assert page.locator("#hits time").first.inner_text().endswith(" г.")
    watched.shot("1-search")

    page.locator("#next").click()
    page.wait_for_url(re.compile(r"page=2"))
    assert summary(page).startswith("Резултати 11–20 от")
    assert page.locator("#prev").is_visible()
    watched.shot("2-page-2")

    source = page.locator('#facets [data-field="source"] a.facet').first
    chosen = source.inner_text().rsplit(" (", 1)[0]
    source.click()
    page.wait_for_url(re.compile(r"filter=source"))
    assert watched.query()["filter"] == [f"source:{chosen}"] and "page" not in watched.query()
    sources = [meta.split(" · ")[-1] for meta in page.locator("#hits .meta").all_inner_texts()]
    assert sources and set(sources) == {chosen}
    assert page.locator("#filters a.chip").count() == 1
    watched.shot("3-facet")
    page.locator("#filters a.chip").click()  # remove the filter again
    page.wait_for_url(lambda url: "filter=" not in url)


def test_search_as_you_type_and_did_you_mean(watched: Watched, base_url: str) -> None:
    page = watched.page
    page.goto(base_url + "/")
    page.locator("#q").press_sequentially("посолсвото", delay=20)  # a typo; no Enter: the page's script searches
    page.wait_for_selector("#did-you-mean a")
    assert watched.query()["q"] == ["посолсвото"]  # the address follows the typing
    link = page.locator("#did-you-mean a")
    assert link.inner_text() == "посолството"
    watched.shot("4-did-you-mean")
    link.click()
    page.wait_for_url(re.compile(r"q=%D0%BF%D0%BE%D1%81%D0%BE%D0%BB%D1%81%D1%82"))
    assert page.locator("#q").input_value() == "посолството"
    assert page.locator("#did-you-mean").count() == 0
    assert [mark.lower() for mark in page.locator("#hits mark").all_inner_texts()][0].startswith("посолств")
    page.goto(base_url + "/?q=Lukashenko")
    assert "Думите на латиница са търсени и на кирилица" in page.locator("#translit").inner_text()
    assert page.locator("#hits mark").first.inner_text() == "Лукашенко"


def test_document_text_never_becomes_markup(watched: Watched, base_url: str) -> None:
    page = watched.page
    for query in ("хакерска атака", "хакерски пробив", "alert", '"><img src=x onerror=alert(3)>'):
        page.goto(base_url + "/")
        page.locator("#q").fill(query)
        page.locator("#q").press("Enter")
        page.wait_for_load_state("load")
        page.wait_for_selector("#summary")
        found = page.evaluate("""() => ({
            scripts: Array.from(document.scripts).filter(s => !s.nonce).length,
            inResults: document.querySelectorAll('#results script, #results img, #results i, #results [onerror]').length,
            handlers: Array.from(document.querySelectorAll('*')).filter(e =>
                Array.from(e.attributes).some(a => a.name.startsWith('on'))).length,
            titles: Array.from(document.querySelectorAll('#hits h2')).map(h => h.textContent),
        })""")
        assert found["scripts"] == 0 and found["inResults"] == 0 and found["handlers"] == 0, found
        if query == "хакерска атака":
            assert SCRIPT_TITLE in found["titles"] and IMG_TITLE in found["titles"]
            watched.shot("5-hostile-documents")
    assert page.locator("#q").input_value() == '"><img src=x onerror=alert(3)>'
