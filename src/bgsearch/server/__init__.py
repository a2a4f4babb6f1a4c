"""`bgsearch serve`: an index behind HTTP — a JSON API and a search page, on FastAPI and uvicorn.

    pip install "bgsearch[server]"
    bgsearch serve --index myindex --port 8080

or from Python, the ASGI application for any ASGI server:

    from bgsearch import Index
    from bgsearch.server import ServerConfig, create_app

    app = create_app(Index.open("myindex"), ServerConfig(api_key="..."))

Every endpoint is a thin layer over the library (`Index.search`, `get`, `add_documents`, `delete`,
`stats`, `analyze`); see the README's "Web service". The library itself imports nothing from here,
and `import bgsearch.server` needs only the standard library: FastAPI loads with `create_app`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .security import ServerConfig, ServerConfigError, check_listen, is_loopback

if TYPE_CHECKING:
    from .app import create_app as create_app

__all__ = ["ServerConfig", "ServerConfigError", "check_listen", "create_app", "is_loopback"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from .app import create_app

        return create_app
    raise AttributeError(f"module 'bgsearch.server' has no attribute {name!r}")
