"""Snippets: the best passage of a document's original text, with the matched words marked.

The text is analyzed again with the index's pipeline (the same tokens at the same positions as in
the index); a word is highlighted when its term is one of the query's terms, so `пристанище` in the
query highlights `пристанища` in the text, in the text's own spelling.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from .analysis.normalizer import normalize_word
from .analysis.pipeline import HasPipeline, Pipeline
from .analysis.tokenize import spans, token_start

__all__ = ["Snippet", "make_snippet", "document_snippet", "NO_SNIPPET", "SNIPPET_WIDTH", "SCAN_FIRST"]

SNIPPET_WIDTH = 240
ELLIPSIS = "…"
# Matches are looked for in the first SCAN_FIRST characters (from `from_token`), and only if there
# are none, further up to _SCAN_LIMIT; the best passage is sought at most _LOOK_AHEAD characters past
# the first match. A snippet must stay cheap however long the document (~0.1 µs a character).
SCAN_FIRST = 10_000
_SCAN_LIMIT = 200_000
_LOOK_AHEAD = 1_000
_LEAD_TOKENS = 10  # start scanning this many words before `from_token`
# Finding the n-th word of a text costs ~0.5 µs a word; a first match further in is not shown.
_MAX_FIRST_TOKEN = 20_000
_SENTENCE_ENDS = ".!?…"
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Snippet:
    text: str
    highlights: list[tuple[int, int]]  # [start, end) character offsets into `text`


NO_SNIPPET = Snippet("", [])

# Which of the given terms a document's text has, and the position of the first of them (None: none).
Locate = Callable[[Collection[str]], tuple[int | None, set[str]]]


def document_snippet(
    text: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    pipeline: Pipeline,
    some_words: bool,
    locate: Locate,
) -> Snippet:
    """The snippet of a hit: `terms` and `prefixes` are what the query matches, `some_words` says the
    hit may have only some of the terms, and `locate` asks the index where the terms stand."""
    if prefixes or (len(text) <= SCAN_FIRST and not some_words):
        return make_snippet(text, terms, pipeline, prefixes=prefixes)
    # A long document, or one that may have only some of the words: from the index, which query
    # terms it has and where the first stands, so the scan for the best passage starts there and
    # stops once it has seen them all.
    first, present = locate(terms)
    if first is None or first > _MAX_FIRST_TOKEN:  # only the title matched, or no word is near the start
        return make_snippet(text, (), pipeline)
    return make_snippet(text, present, pipeline, from_token=first)


def make_snippet(
    text: str,
    terms: Collection[str],
    analyzer: Pipeline | HasPipeline,
    width: int = SNIPPET_WIDTH,
    prefixes: tuple[str, ...] = (),
    from_token: int = 0,
) -> Snippet:
    """The passage of at most about `width` characters with the most distinct query terms
    (and terms that start with one of `prefixes`, for prefix queries).

    `from_token`: the position of the first match, when the caller knows it (from the index), so a
    long document is not scanned from its start.
    """
    pipeline = analyzer if isinstance(analyzer, Pipeline) else analyzer.pipeline
    begin = token_start(text, from_token - _LEAD_TOKENS) if from_token > _LEAD_TOKENS else 0
    matches = _matches(text, terms, pipeline, prefixes, begin, width) if terms or prefixes else []
    if matches:
        first, last = _best_window(matches, width)
        start, end = _expand(text, matches[first][0], matches[last][1], width)
    else:
        start, end = 0, _word_end(text, min(len(text), width))
    inside = [(s, e) for s, e, _ in matches if start <= s and e <= end]
    return _render(text, start, end, inside)


def _render(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> Snippet:
    """text[start:end] on one line (each run of white space becomes one space), with the spans moved along."""
    out = [ELLIPSIS] if start > 0 else []
    length = len(out)
    shift: list[tuple[int, int]] = []  # (offset in text, its offset in the snippet), ascending
    pos = start
    for gap in _WHITESPACE.finditer(text, start, end):
        out.append(text[pos : gap.start()])
        shift.append((pos, length))
        length += gap.start() - pos
        out.append(" ")
        length += 1
        pos = gap.end()
    out.append(text[pos:end])
    shift.append((pos, length))
    if end < len(text):
        out.append(ELLIPSIS)

    starts = [at for at, _ in shift]

    def moved(offset: int) -> int:
        base, to = shift[max(0, bisect_right(starts, offset) - 1)]
        return to + offset - base

    return Snippet("".join(out), [(moved(s), moved(e - 1) + 1) for s, e in spans])


def _matches(
    text: str,
    terms: Collection[str],
    pipeline: Pipeline,
    prefixes: tuple[str, ...] = (),
    begin: int = 0,
    width: int = SNIPPET_WIDTH,
) -> list[tuple[int, int, str]]:
    """Matched words from `begin`, in order: (start, end, term). Scanning stops _LOOK_AHEAD characters
    past the first match, or sooner, at the first window of `width` characters that has every one
    of `terms`: no later window can show more."""
    term_of = pipeline.term
    wanted: dict[str, str | None] = {}  # spelling → its term if it matches, else None
    found: list[tuple[int, int, str]] = []
    last_start: dict[str, int] = {}  # term → where it last occurred
    every = len(terms) if not prefixes else -1
    stop = _SCAN_LIMIT + len(text)  # becomes _LOOK_AHEAD past the first match
    start = begin
    for limit in (begin + SCAN_FIRST, begin + _SCAN_LIMIT):
        for word_start, word_end in spans(text, start, limit):
            if word_start > stop:
                return found
            word = text[word_start:word_end]
            if word in wanted:
                term = wanted[word]
            else:
                term = term_of(word)
                if term is not None and not (term in terms or (prefixes and _starts_with(term, word, prefixes))):
                    term = None
                wanted[word] = term
            if term is not None:
                if not found:
                    stop = word_start + _LOOK_AHEAD
                found.append((word_start, word_end, term))
                last_start[term] = word_start
                if len(last_start) == every and word_end - min(last_start.values()) <= width:
                    return found
        if found or limit >= len(text):
            break
        start = limit
    return found


def _starts_with(term: str, word: str, prefixes: tuple[str, ...]) -> bool:
    # A prefix query matches index terms (stems); a word is marked only if it, as written,
    # starts with the prefix too.
    return term.startswith(prefixes) and normalize_word(word).startswith(prefixes)


def _best_window(matches: list[tuple[int, int, str]], width: int) -> tuple[int, int]:
    """Indexes of the first and last match of the window with the most distinct terms, then most matches."""
    best = (0, 0, 0, 0)  # distinct, count, first, last
    counts: Counter[str] = Counter()
    lo = 0
    for hi, (_, end, term) in enumerate(matches):
        counts[term] += 1
        while lo < hi and end - matches[lo][0] > width:
            counts[matches[lo][2]] -= 1
            if not counts[matches[lo][2]]:
                del counts[matches[lo][2]]
            lo += 1
        candidate = (len(counts), hi - lo + 1, lo, hi)
        if candidate[:2] > best[:2]:
            best = candidate
    return best[2], best[3]


def _expand(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """Grow [start, end) to about `width` characters, starting at a sentence if one begins nearby."""
    room = max(0, width - (end - start))
    lead = room // 3
    sentence = max(text.rfind(mark + " ", max(0, start - lead), start) for mark in _SENTENCE_ENDS)
    if sentence >= 0:
        new_start = sentence + 2
    else:
        new_start = _word_start(text, max(0, start - lead))
    new_end = _word_end(text, min(len(text), max(end, new_start + width)))
    return new_start, new_end


def _word_start(text: str, i: int) -> int:
    if i <= 0:
        return 0
    space = text.find(" ", i)
    return space + 1 if 0 <= space < i + 20 else i


def _word_end(text: str, i: int) -> int:
    if i >= len(text):
        return len(text)
    space = text.rfind(" ", max(0, i - 20), i)
    return space if space > 0 else i
