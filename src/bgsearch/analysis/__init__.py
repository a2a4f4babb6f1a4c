"""Bulgarian text analysis: normalizer, tokenizer, stop words and stemmer, composed into a
Whoosh analyzer (`BulgarianAnalyzer`)."""

from .analyzer import (
    ANALYZER_NAME,
    ANALYZER_VERSION,
    AnalyzedToken,
    BulgarianAnalyzer,
    BulgarianFilter,
    analyze,
    analyze_tokens,
)
from .normalizer import normalize_word
from .tokenizer import BulgarianTokenizer

__all__ = [
    "ANALYZER_NAME",
    "ANALYZER_VERSION",
    "AnalyzedToken",
    "BulgarianAnalyzer",
    "BulgarianFilter",
    "BulgarianTokenizer",
    "analyze",
    "analyze_tokens",
    "normalize_word",
]
