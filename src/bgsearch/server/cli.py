"""`bgsearch serve`: the command line of the web service.

`add_parser(subparsers)` adds the command to `bgsearch`'s own parser; `python -m bgsearch.server`
runs the same command alone. FastAPI and uvicorn load only when the server starts.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import BgsearchError
from .security import MAX_BODY_BYTES, ServerConfig, ServerConfigError, check_listen

__all__ = ["add_parser", "run", "main", "API_KEY_ENV", "DEFAULT_PORT"]

API_KEY_ENV = "BGSEARCH_API_KEY"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
HELP = "serve an index over HTTP: a JSON API and a search page (pip install \"bgsearch[server]\")"
# The longest request line and headers uvicorn reads (h11): room for a query at the server's limit.
MAX_REQUEST_HEAD = 64 << 10


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0-65535)")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds between 0 and 3600")
    return value


def _bytes(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of bytes of at least 1")
    return int(text)


def configure(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    parser.add_argument("--index", type=Path, default=Path("index"), metavar="DIR",
                        help="index directory (default: index/)")
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default {DEFAULT_HOST}: this machine only)")
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument("--api-key", metavar="KEY", default=None,
                        help=f"writes need 'Authorization: Bearer KEY' (default: ${API_KEY_ENV}; without a key, "
                             "writes are allowed on a loopback address only)")
    parser.add_argument("--read-only", action="store_true", help="refuse every write (POST/DELETE /documents)")
    parser.add_argument("--cors-origin", action="append", default=[], metavar="ORIGIN",
                        help="let web pages at ORIGIN (https://example.org) call the API; repeatable "
                             "(default: no CORS)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer to this Host name (a reverse proxy's); repeatable. On a loopback "
                             "address the server answers to 127.0.0.1, localhost and ::1 only; elsewhere, "
                             "without it, to any")
    parser.add_argument("--max-body", type=_bytes, default=MAX_BODY_BYTES, metavar="BYTES",
                        help=f"largest request body (default {MAX_BODY_BYTES:,})")
    parser.add_argument("--lock-timeout", type=_seconds, default=None, metavar="SECONDS",
                        help="how long a write waits for another writer before answering 503 (default: the index's)")
    parser.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    return parser


def add_parser(subparsers: Any, **kwargs: Any) -> argparse.ArgumentParser:
    """Add `serve` to a parser's subcommands (`bgsearch serve ...`); the handler is `run`."""
    parser: argparse.ArgumentParser = subparsers.add_parser("serve", help=HELP, description=HELP, **kwargs)
    configure(parser)
    parser.set_defaults(run=run)
    return parser


def config_from(args: argparse.Namespace) -> ServerConfig:
    """The server's config from the options, and refuse an unsafe setup (before any index is opened)."""
    api_key = args.api_key if args.api_key is not None else os.environ.get(API_KEY_ENV) or None
    config = ServerConfig(api_key=api_key, writes=not args.read_only, cors_origins=tuple(args.cors_origin),
                          allowed_hosts=tuple(args.allow_host) or None, max_body_bytes=args.max_body,
                          lock_timeout=args.lock_timeout)
    return check_listen(args.host, config)


def run(args: argparse.Namespace) -> int:
    """Serve until interrupted; 0 after a clean stop. Raises BgsearchError (one line) for a setup
    that is refused, a missing index, or a missing extra."""
    config = config_from(args)
    try:
        import uvicorn

        from .app import create_app
    except ImportError as exc:
        if (exc.name or "").split(".")[0] not in ("uvicorn", "fastapi", "starlette", "pydantic", "anyio", "h11"):
            raise
        raise ServerConfigError(f"the web service needs its extra: pip install \"bgsearch[server]\" ({exc.name} "
                                "is missing)") from None
    from ..index import Index

    with Index.open(args.index) as index:
        app = create_app(index, config)
        server = uvicorn.Server(uvicorn.Config(
            app, host=args.host, port=args.port, log_level=args.log_level, server_header=False,
            h11_max_incomplete_event_size=MAX_REQUEST_HEAD, timeout_graceful_shutdown=10,
        ))
        server.run()
        if not server.started:  # the port was taken, say: uvicorn has logged why
            raise BgsearchError(f"the server could not start on {args.host}:{args.port}")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = configure(argparse.ArgumentParser(prog="python -m bgsearch.server", description=HELP))
    args = parser.parse_args(argv)
    try:
        return run(args)
    except BgsearchError as exc:
        print(f"bgsearch: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
