"""The search page at `/`: a plain HTML form, rendered on the server, in Bulgarian.

Everything from the index or the request is escaped (`html.escape`, quotes too) before it is put
into the page; the only markup around document text is the `<mark>` of a highlighted word, which
the library's `Snippet.formatted()` puts at the snippet's offsets around escaped text. Nothing is
fetched from outside: the style and the few lines of script (search as you type: fetch the results
alone, `?view=results`, and swap them in) are inline, allowed by the Content-Security-Policy's
per-answer nonce, and nothing else may run. Without script the form works the same, by submitting.
"""

from __future__ import annotations

import html
import math
import re
import secrets
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from fastapi.responses import HTMLResponse
from starlette.datastructures import QueryParams

from ..errors import BgsearchError
from ..highlight import Snippet
from ..results import FALLBACK_NOTICE, Hit, SearchResults
from .params import filter_param

if TYPE_CHECKING:
    from .service import Service

__all__ = ["respond", "marked", "PAGE_SIZE"]

PAGE_SIZE = 10
MAX_PAGE = 100
_LABELS = {"source": "Източник", "date": "Година", "category": "Категория", "tags": "Етикети",
           "published": "Година", "author": "Автор", "language": "Език", "type": "Вид"}
_LATIN = re.compile(r"[A-Za-z46][A-Za-z46']*")
_WORDS_NOT_TRANSLITERATED = {"OR", "AND", "NOT"}
# The library's notices, said in Bulgarian (\1, \2: the notice's numbers); "" leaves one out.
_NOTICES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(re.escape(FALLBACK_NOTICE)), "Няма документ с всички думи: показани са документи с някои от тях."),
    (re.compile(r"the query is empty"), "Напишете думи, които да бъдат потърсени."),
    (re.compile(r"the query has only stop words"),
     "Заявката има само служебни думи (като „и“, „на“, „за“), които не се търсят: добавете дума със смисъл."),
    (re.compile(r"the query has (\d+) words: searched by the first (\d+)"), r"Заявката има \1 думи: търсено е по първите \2."),
    (re.compile(r"did you mean"), ""),  # shown as a link instead
]


def marked(text: str, highlights: list[tuple[int, int]] | list[list[int]]) -> str:
    """`text` HTML-escaped, with each [start, end) code-point range in `<mark>`."""
    return Snippet(text, [(int(start), int(end)) for start, end in highlights]).formatted()


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _url(q: str, filters: list[str], page: int = 1) -> str:
    params: list[tuple[str, str]] = [("q", q)] + [("filter", item) for item in filters]
    if page > 1:
        params.append(("page", str(page)))
    return "/?" + urlencode(params)


def _date(value: object) -> str:
    text = str(value)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return f"{text[8:10]}.{text[5:7]}.{text[:4]} г."
    return text


def _notices(results: SearchResults) -> list[str]:
    said = []
    for notice in results.notices:
        for pattern, say in _NOTICES:
            match = pattern.search(notice)
            if match:
                text = match.expand(say)
                if text:
                    said.append(text)
                break
        else:
            said.append(notice)
    return said


def _transliterated(q: str) -> list[tuple[str, str]]:
    """The query's Latin-script words and how they were read in Cyrillic."""
    from ..analysis.translit import cyrillic_candidates

    readings = []
    for match in _LATIN.finditer(q):
        word = match.group()
        if word in _WORDS_NOT_TRANSLITERATED or q[match.end():match.end() + 1] == ":":
            continue
        reading = cyrillic_candidates(word, 1)
        if reading and (word, reading[0]) not in readings:
            readings.append((word, reading[0]))
    return readings[:8]


def respond(service: Service, params: QueryParams) -> HTMLResponse:
    q = params.get("q", "")[:4000]
    filters = [item for item in params.getlist("filter") if ":" in item][:16]
    try:
        page = min(max(int(params.get("page", "1")), 1), MAX_PAGE)
    except ValueError:
        page = 1
    nonce = secrets.token_urlsafe(16)
    body = _results(service, q, filters, page) if q.strip() else _welcome(service)
    if params.get("view") == "results":  # what the search-as-you-type script swaps in: the results alone
        return HTMLResponse(f'<main id="results" aria-live="polite">{body}</main>',
                            headers={"Content-Security-Policy": _FRAGMENT_CSP, "Cache-Control": "no-store"})
    csp = (f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'nonce-{nonce}'; connect-src 'self'; "
           "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
    document = _PAGE.format(
        title=_e(f"{q} – търсене" if q.strip() else "Търсене"),
        q=_e(q),
        hidden="".join(f'<input type="hidden" name="filter" value="{_e(item)}">' for item in filters),
        results=body,
        nonce=nonce,
        style=_STYLE,
        script=_SCRIPT,
    )
    return HTMLResponse(document, headers={"Content-Security-Policy": csp, "Cache-Control": "no-store"})


def _welcome(service: Service) -> str:
    try:
        count = len(service.index)
    except BgsearchError:
        return ""
    return f'<p id="summary">Индексът съдържа {count:,} документа.</p>'.replace(",", "\u00a0")


def _results(service: Service, q: str, filters: list[str], page: int) -> str:
    out: list[str] = []
    if filters:
        chips = []
        for item in filters:
            rest = [other for other in filters if other != item]
            name, _, value = item.partition(":")
            chips.append(f'<a class="chip" href="{_e(_url(q, rest))}" title="Премахни филтъра">'
                         f'{_e(_LABELS.get(name, name))}: {_e(value)} ×</a>')
        out.append(f'<p id="filters">Филтри: {" ".join(chips)}</p>')
    facet_fields = service.facet_fields()
    try:
        results = service.search(q, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE, filters=filters or None,
                                 facets=dict.fromkeys(facet_fields) if facet_fields else None)
        total = results.total
    except BgsearchError as error:
        out.append(f'<p class="error" id="error">Заявката не може да бъде изпълнена: {_e(error)}</p>')
        return "".join(out)

    if results.did_you_mean:
        out.append(f'<p class="notice" id="did-you-mean">Може би търсихте: '
                   f'<a href="{_e(_url(results.did_you_mean, filters))}">{_e(results.did_you_mean)}</a>?</p>')
    for text in _notices(results):
        out.append(f'<p class="notice">{_e(text)}</p>')
    readings = _transliterated(q)
    if readings and results.hits:
        words = ", ".join(f"{_e(word)} → {_e(reading)}" for word, reading in readings)
        out.append(f'<p class="notice" id="translit">Думите на латиница са търсени и на кирилица: {words}.</p>')

    if not results.hits:
        out.append('<p id="summary">Няма намерени документи.</p>')
    else:
        first = results.offset + 1
        last = results.offset + len(results.hits)
        out.append(f'<p id="summary">Резултати {first}–{last} от {total}</p>')
    out.append('<div class="layout">')
    out.append(_facets_html(q, filters, results.facets))
    out.append(f'<ol id="hits" start="{results.offset + 1}">')
    for hit in results.hits:
        out.append(_hit_html(hit))
    out.append("</ol></div>")
    pages = max(1, min(MAX_PAGE, math.ceil(total / PAGE_SIZE)))
    if pages > 1:
        links = []
        if page > 1:
            links.append(f'<a rel="prev" id="prev" href="{_e(_url(q, filters, page - 1))}">← Предишна</a>')
        links.append(f"<span>Страница {page} от {pages}</span>")
        if page < pages:
            links.append(f'<a rel="next" id="next" href="{_e(_url(q, filters, page + 1))}">Следваща →</a>')
        out.append(f'<nav id="pages" aria-label="Страници">{" ".join(links)}</nav>')
    return "".join(out)


def _hit_html(hit: Hit) -> str:
    title_snippet = hit.snippets.get("title")
    title = title_snippet.formatted() if title_snippet is not None else _e(hit.title or hit.id)
    url = hit.url if isinstance(hit.url, str) else ""  # a stored field may hold any JSON value
    if url.startswith(("https://", "http://")):
        title = f'<a href="{_e(url)}" rel="noopener noreferrer nofollow">{title}</a>'
    meta = [f'<time datetime="{_e(hit.date)}">{_e(_date(hit.date))}</time>'] if isinstance(hit.date, str) else []
    if hit.source:
        meta.append(_e(hit.source))
    body = hit.snippets.get("body")
    snippet = body.formatted() if body is not None else marked(hit.snippet, hit.highlights)
    return (f'<li class="hit"><h2>{title}</h2>'
            + (f'<p class="meta">{" · ".join(meta)}</p>' if meta else "")
            + f'<p class="snippet">{snippet}</p></li>')


def _facets_html(q: str, filters: list[str], facets: dict[str, dict[str, int]]) -> str:
    groups = []
    for name, counts in facets.items():
        if not counts:
            continue
        items = []
        for value, count in list(counts.items())[:12]:
            chosen = filter_param(name, str(value))
            if chosen in filters:
                href = _url(q, [item for item in filters if item != chosen])
                items.append(f'<li><a class="facet chosen" href="{_e(href)}">✓ {_e(value)} ({count})</a></li>')
            else:
                href = _url(q, [*filters, chosen])
                items.append(f'<li><a class="facet" href="{_e(href)}">{_e(value)} ({count})</a></li>')
        groups.append(f'<section class="facet-group" data-field="{_e(name)}"><h3>{_e(_LABELS.get(name, name))}</h3>'
                      f'<ul>{"".join(items)}</ul></section>')
    return f'<aside id="facets" aria-label="Филтри">{"".join(groups)}</aside>' if groups else ""


_FRAGMENT_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:60rem;padding:1rem;color:#1d1d1f}
h1{font-size:1.4rem;margin:0 0 .5rem}h1 a{color:inherit;text-decoration:none}
form{display:flex;gap:.5rem;flex-wrap:wrap;align-items:center}
label{width:100%;font-size:.9rem;color:#555}
input[type=search]{flex:1;min-width:12rem;font-size:1.1rem;padding:.4rem .6rem}
button{font-size:1rem;padding:.4rem 1rem}
.layout{display:flex;gap:2rem;align-items:flex-start}
#facets{min-width:11rem;font-size:.9rem}#facets h3{font-size:.95rem;margin:.5rem 0 .2rem}
#facets ul{list-style:none;padding:0;margin:0}.chosen{font-weight:bold}
#hits{flex:1;padding-left:1.5rem}.hit{margin-bottom:1.2rem}.hit h2{font-size:1.1rem;margin:0}
.meta{color:#666;font-size:.85rem;margin:.1rem 0}.snippet{margin:.2rem 0}
mark{background:#ffe58a;padding:0 .1em}
.notice{background:#eef4ff;padding:.4rem .6rem;border-radius:4px}
.error{background:#ffecec;padding:.4rem .6rem;border-radius:4px}
.chip{background:#eee;border-radius:1rem;padding:.1rem .6rem;text-decoration:none;color:inherit}
#pages{display:flex;gap:1rem;margin:1rem 0}
"""

# Search as you type: fetch the results for the typed words (`view=results`: the page's <main> alone)
# and put them in place (the answer is parsed as an inert document: nothing in it runs). Without script, the form works alike.
_SCRIPT = """
(function(){
var form=document.getElementById('search'),box=document.getElementById('q'),timer=0,seq=0;
box.addEventListener('input',function(){clearTimeout(timer);timer=setTimeout(function(){
var url='/?'+new URLSearchParams(new FormData(form)).toString(),mine=++seq;
fetch(url+'&view=results',{headers:{'Accept':'text/html'}}).then(function(r){return r.ok?r.text():null}).then(function(text){
if(text===null||mine!==seq)return;
var fresh=new DOMParser().parseFromString(text,'text/html').getElementById('results');
var here=document.getElementById('results');
if(fresh&&here){here.replaceWith(document.adoptNode(fresh));history.replaceState(null,'',url);}
}).catch(function(){});},250);});
})();
"""

_PAGE = """<!doctype html>
<html lang="bg">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style nonce="{nonce}">{style}</style>
</head>
<body>
<header>
<h1><a href="/">Търсене</a></h1>
<form id="search" method="get" action="/" role="search">
<label for="q">Търсене в документите</label>
<input id="q" name="q" type="search" value="{q}" autocomplete="off" maxlength="2000" autofocus>
{hidden}<button type="submit">Търси</button>
</form>
</header>
<main id="results" aria-live="polite">{results}</main>
<script nonce="{nonce}">{script}</script>
</body>
</html>
"""
