"""bgsearch: full-text search for Bulgarian.

    >>> import bgsearch
    >>> bgsearch.analyze("Санкциите срещу Беларус")
    ['санкци', 'беларус']

Heavy modules (Whoosh, the stemmer's dictionary) load on first use, so `import bgsearch` is cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # the names below load on first use (see __getattr__); `X as X` re-exports them for type checkers
    from .analysis import ANALYZER_VERSION as ANALYZER_VERSION
    from .analysis import BulgarianAnalyzer as BulgarianAnalyzer
    from .analysis import Pipeline as Pipeline
    from .analysis import analyze as analyze
    from .analysis import analyze_tokens as analyze_tokens
    from .documents import Document as Document
    from .documents import Record as Record
    from .documents import Rejected as Rejected
    from .errors import BgsearchError as BgsearchError
    from .errors import DocumentError as DocumentError
    from .errors import IndexClosedError as IndexClosedError
    from .errors import IndexExistsError as IndexExistsError
    from .errors import IndexLockedError as IndexLockedError
    from .errors import IndexNotFoundError as IndexNotFoundError
    from .errors import IndexVersionError as IndexVersionError
    from .errors import InvalidArgumentError as InvalidArgumentError
    from .errors import QuerySyntaxError as QuerySyntaxError
    from .errors import SchemaError as SchemaError
    from .fields import Field as Field
    from .fields import Schema as Schema
    from .index import Index as Index
    from .index import IndexStats as IndexStats
    from .loaders import load_path as load_path
    from .loaders import load_paths as load_paths
    from .results import AddResult as AddResult
    from .results import Hit as Hit
    from .results import SearchResults as SearchResults

_EXPORTS = {
    "analyze": "analysis",
    "analyze_tokens": "analysis",
    "BulgarianAnalyzer": "analysis",
    "Pipeline": "analysis",
    "ANALYZER_VERSION": "analysis",
    "Document": "documents",
    "Record": "documents",
    "Schema": "fields",
    "Field": "fields",
    "SchemaError": "errors",
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
    "AddResult": "results",
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
