"""Bulgarian text analysis: text → index terms, in plain Python (tokenize, normalizer, stopwords,
stemmer, latin, pipeline; translit for Latin-script queries), and the same pipeline as a Whoosh
analyzer (`BulgarianAnalyzer`, loaded only when asked for)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .normalizer import normalize_word
from .pipeline import ANALYZER_NAME, ANALYZER_VERSION, AnalyzedToken, Pipeline, analyze, analyze_tokens

if TYPE_CHECKING:
    from .analyzer import BulgarianAnalyzer, BulgarianFilter
    from .tokenizer import BulgarianTokenizer

__all__ = [
    "ANALYZER_NAME",
    "ANALYZER_VERSION",
    "AnalyzedToken",
    "BulgarianAnalyzer",
    "BulgarianFilter",
    "BulgarianTokenizer",
    "Pipeline",
    "analyze",
    "analyze_tokens",
    "normalize_word",
]

_WHOOSH_ADAPTERS = {"BulgarianAnalyzer": "analyzer", "BulgarianFilter": "analyzer", "BulgarianTokenizer": "tokenizer"}


def __getattr__(name: str) -> Any:
    # The Whoosh adapters import Whoosh: only for those who use them.
    module = _WHOOSH_ADAPTERS.get(name)
    if module is None:
        raise AttributeError(f"module 'bgsearch.analysis' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
