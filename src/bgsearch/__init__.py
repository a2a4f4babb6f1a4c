"""bgsearch: full-text search for Bulgarian.

    >>> import bgsearch
    >>> bgsearch.analyze("Санкциите срещу Беларус")
    ['санкци', 'беларус']

Heavy modules (Whoosh, the stemmer's dictionary) load on first use, so `import bgsearch` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .analysis import ANALYZER_VERSION, BulgarianAnalyzer, Pipeline, analyze, analyze_tokens
    from .documents import Document, Rejected
    from .errors import (
        BgsearchError,
        DocumentError,
        IndexClosedError,
        IndexExistsError,
        IndexLockedError,
        IndexNotFoundError,
        IndexVersionError,
        InvalidArgumentError,
        QuerySyntaxError,
    )
    from .index import AddResult, Index, IndexStats
    from .loaders import load_path, load_paths
    from .results import Hit, SearchResults

_EXPORTS = {
    "analyze": "analysis",
    "analyze_tokens": "analysis",
    "BulgarianAnalyzer": "analysis",
    "Pipeline": "analysis",
    "ANALYZER_VERSION": "analysis",
    "Document": "documents",
    "Rejected": "documents",
    "BgsearchError": "errors",
    "DocumentError": "errors",
    "QuerySyntaxError": "errors",
    "InvalidArgumentError": "errors",
    "IndexNotFoundError": "errors",
    "IndexExistsError": "errors",
    "IndexVersionError": "errors",
    "IndexLockedError": "errors",
    "IndexClosedError": "errors",
    "Index": "index",
    "AddResult": "index",
    "IndexStats": "index",
    "load_path": "loaders",
    "load_paths": "loaders",
    "Hit": "results",
    "SearchResults": "results",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'bgsearch' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
