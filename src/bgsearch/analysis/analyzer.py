"""The Bulgarian pipeline (`analysis/pipeline.py`) as a Whoosh analyzer.

`BulgarianAnalyzer()` drops into any Whoosh schema (`TEXT(analyzer=BulgarianAnalyzer())`).
Existing indexes pickle `BulgarianAnalyzer` and `BulgarianFilter` under these names (with the
filter's state `{"stop_words": ..., "stem": ...}`): they stay here, and keep that state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from whoosh.analysis import CompositeAnalyzer, Filter, Token

from .pipeline import STOPPED, Pipeline
from .tokenizer import BulgarianTokenizer

__all__ = ["BulgarianAnalyzer", "BulgarianFilter"]


class BulgarianFilter(Filter):
    """Turns raw tokens into index terms: normalize, drop stop words (keeping their position), stem."""

    def __init__(self, stop_words: Iterable[str] | None = None, stem: bool = True) -> None:
        self.pipeline = Pipeline(stop_words, stem)

    @property
    def stop_words(self) -> frozenset[str]:
        return self.pipeline.stop_words

    @property
    def stem(self) -> bool:
        return self.pipeline.stem

    def __eq__(self, other: object) -> bool:
        return isinstance(other, BulgarianFilter) and self.pipeline == other.pipeline

    def __getstate__(self) -> dict[str, object]:
        # Whoosh pickles the schema, analyzer included, into the index: the settings, not the cache.
        return {"stop_words": self.stop_words, "stem": self.stem}

    def __setstate__(self, state: dict[str, object]) -> None:
        stop_words = state["stop_words"]
        assert isinstance(stop_words, frozenset)
        self.pipeline = Pipeline(stop_words, bool(state["stem"]))

    def term(self, raw: str) -> str | None:
        """The index term for one raw token, or None for a stop word."""
        return self.pipeline.term(raw)

    def __call__(self, tokens: Iterable[Token]) -> Iterator[Token]:
        cache, term_of = self.pipeline.cache, self.pipeline.term
        for token in tokens:
            term = cache.get(token.text)
            if term is None:
                term = term_of(token.text) or STOPPED
            if term:
                token.text = term
                yield token
            elif not token.removestops:
                token.stopped = True
                yield token


class BulgarianAnalyzer(CompositeAnalyzer):
    """Whoosh analyzer for Bulgarian text.

    :param stop_words: words to drop (default: Savoy's Bulgarian list); pass `()` to keep all.
    :param stem: reduce words to their stem (default True).
    """

    def __init__(self, stop_words: Iterable[str] | None = None, stem: bool = True) -> None:
        super().__init__(BulgarianTokenizer(), BulgarianFilter(stop_words, stem))

    @property
    def filter(self) -> BulgarianFilter:
        last = self.items[-1]
        assert isinstance(last, BulgarianFilter)
        return last

    @property
    def pipeline(self) -> Pipeline:
        return self.filter.pipeline
