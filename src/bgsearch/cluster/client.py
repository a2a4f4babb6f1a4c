"""The official `opensearch-py` client (the optional extra `bgsearch[cluster]`), imported on first use."""

from __future__ import annotations

import importlib
from typing import Any

from .errors import ClusterError

__all__ = ["client", "opensearchpy"]


def opensearchpy() -> Any:
    """The `opensearchpy` module; ClusterError (one line) when it is not installed."""
    try:
        return importlib.import_module("opensearchpy")
    except ImportError:
        raise ClusterError("opensearch-py is not installed: pip install 'bgsearch[cluster]'") from None


def client(urls: str | list[str], timeout: float = 30.0) -> Any:
    """An `opensearchpy.OpenSearch` client for `urls` (one or several nodes of a cluster): retries
    on another node when one does not answer."""
    module = opensearchpy()
    hosts = [urls] if isinstance(urls, str) else list(urls)
    return module.OpenSearch(hosts=hosts, timeout=timeout, max_retries=2, retry_on_timeout=True,
                             http_compress=False)
