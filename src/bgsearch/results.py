"""What a search returns: ranked hits with their stored fields and snippets, and what the search
did (fallback, spelling suggestions, notices)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from .documents import Rejected
from .highlight import Snippet

__all__ = ["Hit", "SearchResults", "AddResult", "MAX_LIMIT", "FALLBACK_NOTICE"]

MAX_LIMIT = 1000  # hits a search may return in one page
FALLBACK_NOTICE = "no document has all the words; showing documents with some of them"


@dataclass(frozen=True)
class Hit:
    """One result. `snippet` is the best passage of the body (the schema's main text field) and
    `highlights` the [start, end) offsets of matched words in it, in code points (Python string
    indexes; `snippets[name].highlights_utf16` gives UTF-16 units, as JavaScript counts).
    `fields`: every stored field but the id; `snippets`: a snippet of each text field a query word
    matched in. `title`, `date`, `source` and `url` are those fields' values, where the schema has them."""

    id: str
    score: float
    title: str | None
    date: str | None
    source: str | None
    url: str | None
    snippet: str
    highlights: list[tuple[int, int]]
    fields: dict[str, Any] = field(default_factory=dict)
    snippets: dict[str, Snippet] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """As plain JSON values; each snippet with its text, highlights (code points and UTF-16) and
        its HTML form (`formatted`, escaped, matches in <mark>)."""
        return {
            "id": self.id, "score": self.score, "title": self.title, "date": self.date, "source": self.source,
            "url": self.url, "snippet": self.snippet, "highlights": [list(span) for span in self.highlights],
            "fields": self.fields, "snippets": {name: snippet.to_dict() for name, snippet in self.snippets.items()},
        }


@dataclass
class SearchResults:
    query: str
    hits: list[Hit]
    offset: int = 0
    fallback: bool = False  # True: no document had every word; ranked by any word instead
    suggestions: dict[str, str] = field(default_factory=dict)  # unknown query word → indexed word
    did_you_mean: str | None = None  # the query with `suggestions` applied
    notices: list[str] = field(default_factory=list)
    facets: dict[str, dict[str, int]] = field(default_factory=dict)  # field → value → matches, most first
    seconds: float = 0.0
    _total: int = field(default=0, repr=False)
    _count: Callable[[], int] | None = field(default=None, repr=False, compare=False)

    @property
    def total(self) -> int:
        """How many documents match, of which `hits` is the page [offset, offset + limit).

        Counted on first use, while the index is open: it costs a pass over every match, which a
        page of hits does not. Raises IndexClosedError once the index is closed.
        """
        if self._count is not None:
            self._total = self._count()
            self._count = None
        return self._total

    def summary(self) -> dict[str, Any]:
        """What a program needs besides the hits, as plain JSON values (`"type": "summary"`, as
        ripgrep marks its last line): total (counted now), the page, fallback, "did you mean",
        suggestions, notices and facets."""
        return {
            "type": "summary",
            "query": self.query,
            "total": self.total,
            "offset": self.offset,
            "hits": len(self.hits),
            "fallback": self.fallback,
            "did_you_mean": self.did_you_mean,
            "suggestions": self.suggestions,
            "notices": self.notices,
            "facets": self.facets,
            "seconds": round(self.seconds, 6),
        }

    def __len__(self) -> int:
        return len(self.hits)

    def __iter__(self) -> Iterator[Hit]:
        return iter(self.hits)


@dataclass
class AddResult:
    """What `Index.add_documents` did."""

    added: int = 0
    replaced: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)  # ids given twice; the last one was kept
    ignored: dict[str, int] = field(default_factory=dict)  # keys the schema does not name → documents with them
    seconds: float = 0.0

    @property
    def indexed(self) -> int:
        return self.added + self.replaced
