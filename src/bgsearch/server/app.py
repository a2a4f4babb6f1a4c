"""The ASGI application: one open `Index`, shared by every request, behind a JSON API and a page.

Searches run in the server's thread pool, all on the one `Index` (its reader gives each search one
commit's snapshot, and follows each new commit, also another process's); writes go one at a time
through the index's write lock, waiting at most the lock timeout (then 503). Every error is
`{"error": "one line"}` with its status: 400 a bad query or parameter, 401 a missing or wrong API
key, 403 writes refused, 404 no such document, 413 a body too large, 415 a body that is not JSON,
503 the index locked past the timeout.
"""

from __future__ import annotations

import dataclasses
import io
import json
import logging
from typing import Any

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import __version__
from ..analysis import analyze_tokens
from ..documents import Document, Rejected
from ..errors import BgsearchError, IndexLockedError
from ..index import Index
from ..loaders import load_jsonl
from ..results import AddResult, SearchResults
from . import page
from .security import MAX_QUERY_CHARS, ServerConfig, key_matches
from .service import Service

__all__ = ["create_app", "ApiError", "JSON_TYPES", "Service"]

log = logging.getLogger("bgsearch.server")

# Content types POST /documents reads. Anything else (a form's, text/plain) is refused: those are
# the types a web page on another site may send without the browser asking the server first.
JSON_TYPES = ("application/json", "application/x-ndjson", "application/jsonl", "application/json-lines",
              "application/x-jsonlines")
_API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
_SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class ApiError(Exception):
    """An answer other than 200, with its one-line message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    line = " ".join("".join(ch if ch.isprintable() else " " for ch in message).split())
    return JSONResponse({"error": line}, status_code=status, headers=headers)


def status_of(error: BgsearchError) -> int:
    """The HTTP status of a library error: what the caller gave is 400, a locked index 503."""
    if isinstance(error, IndexLockedError):
        return 503
    if isinstance(error, ValueError):  # QuerySyntaxError, InvalidArgumentError, DocumentError, SchemaError
        return 400
    return 500


def results_json(results: SearchResults, limit: int) -> dict[str, Any]:
    """A search's answer: the hits as `Hit.to_dict()` gives them, and what `summary()` says."""
    summary = results.summary()
    return {
        "query": results.query,
        "total": summary["total"],
        "offset": results.offset,
        "limit": limit,
        "hits": [hit.to_dict() for hit in results.hits],
        "facets": results.facets,
        "did_you_mean": results.did_you_mean,
        "suggestions": results.suggestions,
        "fallback": results.fallback,
        "notices": results.notices,
        "seconds": summary["seconds"],
    }


def document_json(document: Document) -> dict[str, Any]:
    """A stored document as one flat object, as POST /documents takes it."""
    return {"id": document.id, **document.fields}


def add_result_json(result: AddResult) -> dict[str, Any]:
    return {
        "added": result.added,
        "replaced": result.replaced,
        "rejected": [{"origin": item.origin, "reason": item.reason} for item in result.rejected],
        "duplicates": result.duplicates,
        "ignored": result.ignored,
        "seconds": round(result.seconds, 6),
    }


def parse_documents(body: bytes) -> list[Any]:
    """The documents of a request body: a JSON array of objects, or JSON Lines (one object a line,
    read by the library's own JSON Lines loader, with its per-line rejections)."""
    start = body.lstrip(b" \t\r\n\xef\xbb\xbf")
    if not start:
        raise ApiError(400, "the body is empty: send a JSON array of documents or JSON Lines")
    if not start.startswith(b"["):
        return list(load_jsonl(io.BytesIO(body), "line"))
    try:
        parsed = json.loads(body.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ApiError(400, f"the body is not UTF-8 (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise ApiError(400, f"malformed JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except (RecursionError, ValueError):
        raise ApiError(400, "malformed JSON (nested too deeply, or a number too long to read)") from None
    if not isinstance(parsed, list):
        raise ApiError(400, "send a JSON array of documents, or JSON Lines")
    return [item if isinstance(item, dict) else Rejected(f"document {number}", f"expected a JSON object, got "
                                                                                f"{type(item).__name__}")
            for number, item in enumerate(parsed, 1)]


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it passes `limit` bytes (never read whole)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"the body is {int(declared):,} bytes; the limit is {limit:,}: send fewer documents at a time")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"the body is over {limit:,} bytes, the limit: send fewer documents at a time")
        chunks.append(chunk)
    return b"".join(chunks)


class Guard:
    """Outermost layer: answers only to the configured Host names (DNS rebinding), and puts the
    security headers on every answer (a page sets its own Content-Security-Policy)."""

    def __init__(self, app: ASGIApp, allowed_hosts: tuple[str, ...] | None) -> None:
        self.app = app
        self.allowed = None if allowed_hosts is None else {host.strip("[]").lower() for host in allowed_hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.allowed is not None:
            host = _host_name(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
            if host not in self.allowed:
                response = error_response(400, f"this server answers to {', '.join(sorted(self.allowed))} only")
                await response(scope, receive, send)
                return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                headers += [(name, value) for name, value in _SECURITY_HEADERS if name not in names]
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", _API_CSP.encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _host_name(host: str) -> str:
    host = host.strip().lower()
    if host.startswith("["):  # [::1]:8080
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


_bearer = HTTPBearer(auto_error=False, description="The server's API key (`bgsearch serve --api-key KEY`), "
                                                   "needed by POST and DELETE /documents when it has one.")


def create_app(index: Index, config: ServerConfig | None = None) -> FastAPI:
    """The ASGI application serving `index` (opened by the caller, shared by every request, closed by
    the caller after the server stops)."""
    config = config or ServerConfig()
    service = Service(index, config)
    app = FastAPI(
        title="bgsearch",
        version=__version__,
        description="Full-text search for Bulgarian: the bgsearch library behind HTTP. Every error is "
                    '`{"error": "one line"}`.',
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN: nothing here is fetched from outside
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.service = service

    # -- errors ----------------------------------------------------------------------------------

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> Response:
        return error_response(error.status, error.message, error.headers)

    @app.exception_handler(BgsearchError)
    async def library_error(request: Request, error: BgsearchError) -> Response:
        status = status_of(error)
        if status == 400:
            return error_response(400, str(error))
        # The index's state: the library's message names its directory, and for a lock, the process
        # and command line that hold it; those are for the server's log, not for any client.
        log.warning("%s %s: %s", request.method, request.url.path, error)
        if status == 503:
            return error_response(503, f"the index is being written by another writer (waited {index.lock_timeout:g} s): "
                                       "try again later", {"Retry-After": "1"})
        return error_response(status, f"the index cannot be read or written ({type(error).__name__}); "
                                      "the server's log has the details")

    @app.exception_handler(RequestValidationError)
    async def invalid_parameter(request: Request, error: RequestValidationError) -> Response:
        problems = error.errors()
        first = problems[0] if problems else {}
        where = ".".join(str(part) for part in first.get("loc", ())[1:]) or "request"
        return error_response(400, f"{where}: {first.get('msg', 'invalid')}")

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        return error_response(error.status_code, str(error.detail), dict(error.headers or {}) or None)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, error: Exception) -> Response:
        log.exception("%s %s failed", request.method, request.url.path)
        return error_response(500, f"internal error ({type(error).__name__}); the server's log has the details")

    # -- writes: who may ---------------------------------------------------------------------------

    def authorize(request: Request,
                  credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
        if not config.writes:
            raise ApiError(403, "this server is read-only (started with --read-only)")
        if config.api_key is not None and not key_matches(request.headers.get("authorization"), config.api_key):
            raise ApiError(401, "writes need the API key: send the header Authorization: Bearer KEY"
                           if credentials is None else "wrong API key",
                           {"WWW-Authenticate": 'Bearer realm="bgsearch"'})
        origin = request.headers.get("origin")
        if origin is not None and origin not in config.cors_origins and "*" not in config.cors_origins:
            own = f"{request.url.scheme}://{request.headers.get('host', '')}"
            if origin != own:
                raise ApiError(403, f"a web page at {origin} may not write to this index (see --cors-origin)")

    # -- the API (each answer a JSONResponse as it is: no response model to validate it again) ---

    @app.get("/search", summary="Search the index", tags=["search"])
    def search(
        q: str = Query("", description="words, \"phrases\", OR, NOT/-word, field:word, prefix*, date:FROM..TO",
                       max_length=MAX_QUERY_CHARS),
        limit: int = Query(10, ge=1, le=1000, description="hits to return"),
        offset: int = Query(0, ge=0, le=1_000_000, description="hits to skip"),
        filter: list[str] = Query([], description="FIELD:VALUE, repeatable (any of, for one field): category:книги, "
                                                    "price:10..20, published:2024-01..2024-06, in_stock:true"),
        facet: list[str] = Query([], description="FIELD or FIELD:N, DATEFIELD:year|month|day, "
                                                   "NUMBERFIELD:0..10,10..20,20.. (repeatable)"),
        sort: list[str] = Query([], description="FIELD or -FIELD (descending); repeatable or comma-separated"),
        fragments: int = Query(1, ge=1, le=10, description="up to this many passages in each snippet"),
        transliterate: bool = Query(True, description="read Latin-script words as Bulgarian too"),
        fuzzy: bool = Query(True, description="forgive typos, suggest the indexed word"),
        every_word: bool = Query(False, description="every word must match, however long the query; "
                                                    "no any-word fallback"),
        snippets: bool = Query(True, description="false: no snippets (faster)"),
        date_from: str | None = Query(None, max_length=64, description="documents dated on or after (ISO date)"),
        date_to: str | None = Query(None, max_length=64, description="documents dated on or before (ISO date)"),
    ) -> JSONResponse:
        results = service.search(q, limit=limit, offset=offset, filters=filter, facets=facet, sort=sort,
                                 fragments=fragments, transliterate=transliterate, fuzzy=fuzzy, every_word=every_word,
                                 date_from=date_from, date_to=date_to, snippets=snippets)
        return JSONResponse(results_json(results, limit))

    @app.get("/documents/{doc_id:path}", summary="One stored document", tags=["documents"])
    def get_document(doc_id: str) -> JSONResponse:
        document = index.get(doc_id)
        if document is None:
            raise ApiError(404, f"no document with id {doc_id!r}")
        return JSONResponse(document_json(document))

    @app.post("/documents", summary="Add or replace documents", tags=["documents"],
              dependencies=[Depends(authorize)],
              openapi_extra={"requestBody": {"required": True, "content": {
                  "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                  "application/x-ndjson": {"schema": {"type": "string", "description": "JSON Lines"}}}}})
    async def add_documents(request: Request) -> JSONResponse:
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if kind not in JSON_TYPES:
            raise ApiError(415, f"send the documents as Content-Type: application/json (an array) or "
                                f"application/x-ndjson (JSON Lines), not {kind or 'no type'}")
        body = await read_body(request, config.max_body_bytes)
        items = await run_in_threadpool(parse_documents, body)  # parsing 32 MB of JSON takes a while
        result = await run_in_threadpool(service.add, items)
        return JSONResponse(add_result_json(result))

    @app.delete("/documents/{doc_id:path}", summary="Delete a document", tags=["documents"],
                dependencies=[Depends(authorize)])
    def delete_document(doc_id: str) -> JSONResponse:
        if not service.delete(doc_id):
            raise ApiError(404, f"no document with id {doc_id!r}")
        return JSONResponse({"deleted": doc_id})

    @app.get("/stats", summary="What the index holds", tags=["index"])
    def stats() -> JSONResponse:
        stats = dataclasses.asdict(index.stats())
        stats.pop("path", None)  # where the index is on the server's disk is no client's business
        return JSONResponse(stats)

    @app.get("/analyze", summary="Each token of a text and the term it becomes", tags=["index"])
    def analyze(text: str = Query(..., max_length=MAX_QUERY_CHARS)) -> JSONResponse:
        tokens = analyze_tokens(text, index.analyzer)
        return JSONResponse({
            "text": text,
            "tokens": [{"token": token.text, "term": token.term, "start": token.start, "end": token.end,
                        "position": token.position} for token in tokens],
            "terms": [token.term for token in tokens if token.term is not None],
        })

    @app.get("/health", summary="Whether the server answers, and how many documents it serves", tags=["index"])
    def health() -> JSONResponse:
        return JSONResponse({"status": "ok", "documents": len(index), "version": __version__})

    # -- the page --------------------------------------------------------------------------------

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def search_page(request: Request) -> HTMLResponse:
        return page.respond(service, request.query_params)

    if config.cors_origins:
        app.add_middleware(CORSMiddleware, allow_origins=list(config.cors_origins),
                           allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"], max_age=600)
    app.add_middleware(Guard, allowed_hosts=config.allowed_hosts)
    return app
