"""What the server allows, decided before it listens: the API key, whether writes are on, the
origins allowed to call it from a browser, the hosts it answers to, and the size limits. No web
framework is imported here, so the command line can refuse a bad setup without FastAPI."""

from __future__ import annotations

import hmac
import ipaddress
from dataclasses import dataclass

from ..errors import BgsearchError

__all__ = [
    "ServerConfig", "ServerConfigError", "check_listen", "is_loopback", "key_matches",
    "MAX_BODY_BYTES", "MAX_QUERY_CHARS", "MAX_PARAMS", "LOOPBACK_HOSTS",
]

# A request body (POST /documents) larger than this is refused with 413 before it is read whole.
MAX_BODY_BYTES = 32 << 20
# The longest query (`q`) or `text` to analyze, in characters. The query parser's own bounds
# (query/syntax.py: MAX_CLAUSES words and phrases, MAX_DEPTH parentheses; query/expand.py ranks the
# first 64 words) still apply inside it; this one keeps a request line small: 2,000 Cyrillic
# characters, percent-encoded, fit in the 64 KiB request line the server accepts.
MAX_QUERY_CHARS = 2_000
# Values of one repeatable parameter (filter, facet, sort).
MAX_PARAMS = 64
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


class ServerConfigError(BgsearchError):
    """A server setup that would be unsafe, or cannot work (writes on a public address without a
    key, an empty key, a bad origin)."""


@dataclass(frozen=True)
class ServerConfig:
    """How the server guards the index.

    api_key: writes (POST and DELETE /documents) need `Authorization: Bearer KEY`; None: no key.
    writes: False answers every write with 403 (a read-only server).
    cors_origins: origins a browser may call the API from (none: no CORS headers at all).
    allowed_hosts: the Host names the server answers to (None: any). A server on a loopback address
        answers only to 127.0.0.1, localhost and ::1 and these, so a web page cannot reach it through
        a DNS name of its own that points at 127.0.0.1 (DNS rebinding).
    max_body_bytes: the largest request body.
    lock_timeout: seconds a write waits for the index's write lock before answering 503 (None: the
        index's own `lock_timeout`).
    """

    api_key: str | None = None
    writes: bool = True
    cors_origins: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] | None = None
    max_body_bytes: int = MAX_BODY_BYTES
    lock_timeout: float | None = None

    def __post_init__(self) -> None:
        if self.api_key is not None and (not self.api_key.strip() or not self.api_key.isprintable()
                                         or not self.api_key.isascii()):
            raise ServerConfigError("the API key must be printable ASCII text, not empty")
        for origin in self.cors_origins:
            if origin != "*" and (not origin.startswith(("http://", "https://")) or origin.endswith("/")):
                raise ServerConfigError(f"--cors-origin {origin!r}: give an origin as a browser sends it, "
                                        "such as https://example.org (scheme and host, no path)")
        if self.max_body_bytes < 1:
            raise ServerConfigError("the body limit must be at least 1 byte")


def is_loopback(host: str) -> bool:
    """True for an address only this machine can reach (127.0.0.0/8, ::1, localhost)."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_listen(host: str, config: ServerConfig) -> ServerConfig:
    """Refuse to listen on an address other machines can reach with writes on and no API key; the
    config to serve with (on loopback, answering only to the loopback host names)."""
    if not is_loopback(host):
        if config.writes and config.api_key is None:
            raise ServerConfigError(
                f"refusing to listen on {host} with writes enabled and no API key: anyone who can reach it could "
                "change the index. Give --api-key KEY (or BGSEARCH_API_KEY), or --read-only")
        return config
    extra = tuple(host for host in config.allowed_hosts or () if host not in LOOPBACK_HOSTS)
    return ServerConfig(config.api_key, config.writes, config.cors_origins, LOOPBACK_HOSTS + extra,
                        config.max_body_bytes, config.lock_timeout)


def key_matches(authorization: str | None, api_key: str) -> bool:
    """Whether an `Authorization` header carries `Bearer api_key` (compared in constant time)."""
    if not authorization:
        return False
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(token.strip().encode("utf-8", "replace"), api_key.encode("utf-8"))
