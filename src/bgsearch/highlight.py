"""Snippets: the best passages of a document's original text, with the matched words marked.

A word is highlighted when its term is one of the query's terms, so `пристанище` in the query
highlights `пристанища` in the text, in the text's own spelling. Every occurrence inside the
passages shown is marked. A text is analyzed again with the index's pipeline (the same tokens at
the same positions as in the index), any text field alike (a title: `make_snippet(title, ...)`);
a hit's long body, or the body of a hit that may lack some words, is cut where the index says the
terms stand instead (their positions, as Lucene's highlighters read offsets from postings), no
word of it analyzed (`document_snippet`).

A `Snippet` gives its offsets in code points (Python) and in UTF-16 units (JavaScript), and an
HTML-escaped form with the matched words wrapped in markers (`formatted`).
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass

from .analysis.normalizer import normalize_word
from .analysis.pipeline import HasPipeline, Pipeline
from .analysis.tokenize import INNER_MARKS, TOKEN_PATTERN, spans, token_end, token_starts
from .caching import BoundedCache

__all__ = ["Snippet", "make_snippet", "document_snippet", "NO_SNIPPET", "SNIPPET_WIDTH", "SCAN_FIRST"]

SNIPPET_WIDTH = 240
ELLIPSIS = "…"
_JOIN = f" {ELLIPSIS} "  # between two passages of one snippet
# A snippet must stay cheap however long the document. Matches are looked for in the first
# SCAN_FIRST characters, and only if there are none, further up to _SCAN_LIMIT; the best passage is
# sought at most _LOOK_AHEAD characters past the first match (per passage asked for).
SCAN_FIRST = 10_000
_SCAN_LIMIT = 200_000
_LOOK_AHEAD = 1_000
# A body cut by the index's positions: its words are counted (numpy, ~10 ns a character) as far as
# the look-ahead and a passage reach, first guessing _CHARACTERS_PER_WORD characters a word (real
# text has about 7), counting further where that falls short. A first match further in than
# _MAX_FIRST_TOKEN words is not shown.
_CHARACTERS_PER_WORD = 4
_MAX_FIRST_TOKEN = 20_000
_SENTENCE_ENDS = ".!?…"
_WHITESPACE = re.compile(r"\s+")
_ASTRAL = re.compile("[\U00010000-\U0010ffff]")  # two UTF-16 code units each
_TRIM = f" \t\n\r\f\v{ELLIPSIS}"  # dropped where two passages are joined
_STRETCH = 300  # characters a scan reads at a time (about a snippet's passage: a scan reads little past it)
_BREAK = re.compile(rf"[^\w{INNER_MARKS}.,]")  # a character no token holds: a stretch ends there
_INNER_MARK = re.compile(rf"[{INNER_MARKS}]")
_LETTER = re.compile(r"[^\W\d_]")  # as the tokenizer's pattern has them
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Snippet:
    """A passage of a text on one line (or up to N passages joined by " … "), and its matched words.

    `highlights`: [start, end) offsets of the matched words in `text`, in code points (Python string
    indexes), in order and not overlapping. `highlights_utf16` gives the same in UTF-16 code units
    (JavaScript string indexes), `formatted()` the text for a web page.
    """

    text: str
    highlights: list[tuple[int, int]]  # [start, end) character offsets into `text`

    @property
    def highlights_utf16(self) -> list[tuple[int, int]]:
        """The highlights in UTF-16 code units: a character outside the Basic Multilingual Plane (an
        emoji such as 😀) counts 2, every other (Cyrillic too) 1."""
        astral = [m.start() for m in _ASTRAL.finditer(self.text)]
        if not astral:
            return list(self.highlights)
        return [(s + bisect_left(astral, s), e + bisect_left(astral, e)) for s, e in self.highlights]

    def formatted(self, before: str = "<mark>", after: str = "</mark>", escape: bool = True) -> str:
        """The text with every highlight wrapped in `before` … `after` (a span that overlaps an
        earlier one or lies outside the text is left unmarked). With `escape`, all of the text
        (inside the highlights too) is HTML-escaped (`html.escape`, quotes included); the markers
        are put in as given, never escaped."""
        text = self.text
        esc: Callable[[str], str] = _html_escape if escape else str
        out: list[str] = []
        pos = 0
        for start, end in sorted((int(start), int(end)) for start, end in self.highlights):
            if start < pos or end <= start or end > len(text):  # overlapping or outside: not marked
                continue
            out += (esc(text[pos:start]), before, esc(text[start:end]), after)
            pos = end
        out.append(esc(text[pos:]))
        return "".join(out)

    def to_dict(self) -> dict[str, str | list[list[int]]]:
        """The snippet as plain JSON values: {"text": str, "highlights": [[start, end], ...] (code
        points), "highlights_utf16": [[start, end], ...] (UTF-16 units), "formatted": str (escaped,
        with <mark>…</mark>)}. The offsets are lists, not tuples, so the dict equals what a JSON
        round trip of it gives back."""
        return {
            "text": self.text,
            "highlights": [[s, e] for s, e in self.highlights],
            "highlights_utf16": [[s, e] for s, e in self.highlights_utf16],
            "formatted": self.formatted(),
        }


def _html_escape(text: str) -> str:
    return html.escape(text, quote=True)


NO_SNIPPET = Snippet("", [])

# Where the given terms stand in a hit's body: each term it has → its positions (ascending), at
# least those up to the given number of words past the first position of any of them.
Locate = Callable[[Collection[str], int], dict[str, list[int]]]
Match = tuple[int, int, str]  # a matched word: start, end, its term


def document_snippet(
    text: str,
    terms: Collection[str],
    prefixes: tuple[str, ...],
    pipeline: Pipeline,
    some_words: bool,
    locate: Locate,
    *,
    fragments: int = 1,
) -> Snippet:
    """The snippet of a hit's body, the one `make_snippet` gives: `terms` and `prefixes` are what
    the query matches, `some_words` says the hit may have only some of the terms, and `locate` asks
    the index where the terms stand in it.

    A short body of a hit with every word is analyzed again (the words of a query's hits are
    analyzed once for all of them, and it has a match near its start); a long one, or one that may
    lack some words, is cut where the index's positions say the terms stand, no word analyzed. A
    prefix query's words are found by analysis: the index has the stems the prefix matched."""
    assert fragments >= 1, fragments
    if prefixes or (len(text) <= SCAN_FIRST and not some_words):
        return make_snippet(text, terms, pipeline, prefixes=prefixes, fragments=fragments)
    read = _LOOK_AHEAD * fragments + SNIPPET_WIDTH  # characters past the first match the scan may read
    reach = read // _CHARACTERS_PER_WORD
    while True:
        located = locate(terms, reach)
        first = min((positions[0] for positions in located.values() if positions), default=None)
        if first is None or first > _MAX_FIRST_TOKEN:  # only another field matched, or nothing near the start
            return _leading(text, SNIPPET_WIDTH)
        starts = token_starts(text, first + reach + 1)
        if len(starts) <= first:  # not the text the index has (never, short of a bug)
            return _leading(text, SNIPPET_WIDTH)
        if len(starts) <= first + reach or starts[-1] >= starts[first] + read:
            break  # the words counted reach past what the scan would read, or the text ends
        reach *= 2
    term_at: dict[int, str] = {}
    for term in sorted(located):  # a word indexed with two of the terms is one match
        for position in located[term]:
            if position >= len(starts):
                break
            term_at.setdefault(position, term)
    matches = [(starts[position], token_end(text, starts[position]), term) for position, term in sorted(term_at.items())]
    return _cut(text, _Listed(matches), len(terms), SNIPPET_WIDTH, fragments)


def make_snippet(
    text: str,
    terms: Collection[str],
    analyzer: Pipeline | HasPipeline,
    width: int = SNIPPET_WIDTH,
    prefixes: tuple[str, ...] = (),
    *,
    fragments: int = 1,
) -> Snippet:
    """The passage of at most about `width` characters with the most distinct query terms
    (and terms that start with one of `prefixes`, for prefix queries), then the most matches; every
    matched word in it is highlighted. A text of at most `width` characters is shown whole.

    `fragments`: up to that many such passages (≥ 1), chosen one after another from the matches not
    shown yet, not overlapping, in the order of the text and joined by " … " (the highlights are
    offsets into the joined text); fewer when the text has fewer places with matches (within the
    scan limits above).
    """
    assert fragments >= 1, fragments
    if not (terms or prefixes):
        return _leading(text, width)
    pipeline = analyzer if isinstance(analyzer, Pipeline) else analyzer.pipeline
    return _cut(text, _Scan(text, terms, pipeline, prefixes), len(terms) if not prefixes else -1, width, fragments)


def _cut(text: str, found: _Listed, every: int, width: int, fragments: int) -> Snippet:
    """The snippet of the matches `found` gives (`every`: how many distinct terms a window can have
    at most, -1: unknown)."""
    matches = _matches(found, len(text), every, width, fragments)
    if len(text) <= width:
        passages = [(0, len(text))]
    elif matches:
        passages = _passages(text, matches, width, fragments)
    else:
        return _leading(text, width)
    # The matches stopped once there were enough to choose: read on to the end of what is shown, so
    # every matched word in it is marked (a bounded read: at most about `width` characters more).
    last = passages[-1][1] - 1
    while (match := found.next_match(last)) is not None:
        matches.append(match)
    marks = []
    k = 0
    for start, end, _ in matches:
        while k < len(passages) and passages[k][1] < end:
            k += 1
        if k == len(passages):
            break
        if passages[k][0] <= start:
            marks.append((start, end))
    return _render(text, _joined(text, passages), marks)


def _leading(text: str, width: int) -> Snippet:
    """The start of the text, nothing marked."""
    return _render(text, [(0, _word_end(text, min(len(text), width)))], [])


class _Listed:
    """Matches in order, given one at a time up to a bound: all known beforehand (from the index's
    positions), or found as they are asked for (`_Scan`, which reads on in `_more`)."""

    __slots__ = ("_found", "_given")

    def __init__(self, matches: list[Match]) -> None:
        self._found = matches  # the matches known so far, in order
        self._given = 0  # how many of them next_match has given

    def next_match(self, last: int) -> Match | None:
        """The next match that starts at or before `last`, or None: then the first match past
        `last` is kept for the next call."""
        while self._given == len(self._found):
            if not self._more(last):
                return None
        match = self._found[self._given]
        if match[0] > last:
            return None
        self._given += 1
        return match

    def _more(self, last: int) -> bool:
        """Find more matches, if there may be some that start at or before `last`."""
        return False


def _render(text: str, passages: list[tuple[int, int]], marks: list[tuple[int, int]]) -> Snippet:
    """The passages of text on one line, joined by " … " (each run of white space becomes one space),
    with the marks (in order, each inside a passage) moved along."""
    first, last = passages[0][0], passages[-1][1]
    out = [ELLIPSIS] if first > 0 and text[first : first + 1] != ELLIPSIS else []
    length = len(out)
    moved: list[tuple[int, int]] = []
    fold = _WHITESPACE.sub
    k = 0
    for start, end in passages:
        if start != first:
            out.append(_JOIN)
            length += len(_JOIN)
        pos = start
        # A mark is one word, with no white space in it: the text between marks is folded whole.
        while k < len(marks) and marks[k][1] <= end:
            mark_start, mark_end = marks[k]
            piece = fold(" ", text[pos:mark_start])
            length += len(piece)
            out += (piece, text[mark_start:mark_end])
            moved.append((length, length + mark_end - mark_start))
            length += mark_end - mark_start
            pos = mark_end
            k += 1
        piece = fold(" ", text[pos:end])
        out.append(piece)
        length += len(piece)
    if last < len(text) and text[last - 1 : last] != ELLIPSIS:
        out.append(ELLIPSIS)
    return Snippet("".join(out), moved)


def _joined(text: str, passages: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Passages with only white space between them become one; where two are joined by " … ",
    white space and ellipses at their edges are dropped (no "… …")."""
    out = [passages[0]]
    for start, end in passages[1:]:
        previous_start, previous_end = out[-1]
        if not text[previous_end:start].strip():
            out[-1] = (previous_start, end)
            continue
        while previous_end > previous_start and text[previous_end - 1] in _TRIM:
            previous_end -= 1
        while start < end and text[start] in _TRIM:
            start += 1
        out[-1] = (previous_start, previous_end)
        out.append((start, end))
    return out


class _Vocabulary:
    """Which spellings match a query's terms (and prefixes): each spelling is analyzed once for all
    the snippets of the query's hits, which share most of their words."""

    __slots__ = ("seen", "matching", "_terms", "_term_of", "_cached", "_prefixes")

    def __init__(self, terms: Collection[str], pipeline: Pipeline, prefixes: tuple[str, ...]) -> None:
        self.seen: set[str] = set()
        self.matching: dict[str, str] = {}  # spelling → its term, for the spellings that match
        self._terms = terms
        self._term_of = pipeline.term
        self._cached = pipeline.cache.get  # spelling → term, or STOPPED ("")
        self._prefixes = prefixes

    def learn(self, spellings: set[str]) -> None:
        """Analyze `spellings` (none seen yet). A vocabulary only grows, so a scan in another thread
        never finds a spelling seen but its match gone."""
        terms, prefixes, term_of = self._terms, self._prefixes, self._term_of
        # Most spellings were analyzed before (for an earlier query or snippet): their terms
        # are looked up in the pipeline's cache all at once.
        for word, term in zip(spellings, map(self._cached, spellings)):
            if term is None:
                term = term_of(word)
            if term and (term in terms or (prefixes and _starts_with(term, word, prefixes))):
                self.matching[word] = term
        self.seen |= spellings


# The vocabularies of the last queries (a query's hits share most words; a query run again finds
# its own), each replaced by a new one once it holds more than _VOCABULARY_LIMIT spellings: a few
# megabytes in all.
_VOCABULARIES: BoundedCache[tuple[frozenset[str], tuple[str, ...], Pipeline], _Vocabulary] = BoundedCache(32)
_VOCABULARY_LIMIT = 10_000


def _vocabulary(terms: Collection[str], pipeline: Pipeline, prefixes: tuple[str, ...]) -> _Vocabulary:
    """The query's vocabulary: a new one when it has none, or when its own has grown too large."""
    key = (frozenset(terms), prefixes, pipeline)
    found = _VOCABULARIES.get(key)
    if found is None or len(found.seen) > _VOCABULARY_LIMIT:
        found = _VOCABULARIES.put(key, _Vocabulary(key[0], pipeline, prefixes))
    return found


class _Scan(_Listed):
    """The matched words of a text, read from its start as they are asked for: a scan stops at a
    bound and goes on from the same word later.

    The words are the tokenizer's (`spans`). The text is read a stretch at a time: its distinct
    words are found by one regex call, those the query's vocabulary has not seen are analyzed, and
    only the words that match are then found by their spelling and checked to stand where `spans`
    has a word (not inside another word, not a glued suffix such as `-мата`, not an over-long run):
    no Python step for each word of the text.
    """

    __slots__ = ("_text", "_vocabulary", "_pos")

    def __init__(self, text: str, terms: Collection[str], pipeline: Pipeline, prefixes: tuple[str, ...]) -> None:
        super().__init__([])
        self._text = text
        self._vocabulary = _vocabulary(terms, pipeline, prefixes)
        self._pos = 0  # where the text not read yet starts (never inside a word)

    def _more(self, last: int) -> bool:
        if self._pos > last or self._pos >= len(self._text):
            return False
        self._read()
        return True

    def _read(self) -> None:
        """Read the next stretch of about _STRETCH characters (to a character no word holds)."""
        text, start, vocabulary = self._text, self._pos, self._vocabulary
        cut = _BREAK.search(text, start + _STRETCH)
        end = cut.start() if cut is not None else len(text)
        self._pos = end
        spellings = set(TOKEN_PATTERN.findall(text, start, end))
        new = spellings.difference(vocabulary.seen)
        if new:
            vocabulary.learn(new)
        found = []
        for word in spellings.intersection(vocabulary.matching):
            term = vocabulary.matching[word]
            at = text.find(word, start, end)
            while at >= 0:
                word_end = at + len(word)
                if _word_at(text, at, word_end):
                    found.append((at, word_end, term))
                    at = text.find(word, word_end, end)
                else:  # inside a longer word, say: the next one may start within it
                    at = text.find(word, at + 1, end)
        found.sort()
        self._found += found


def _word_at(text: str, start: int, end: int) -> bool:
    """Whether `spans` has a word exactly at [start, end) of `text`: no token goes on into `start`,
    and the first word `spans` gives from there is this one (a longer token, a glued ending or an
    over-long run is not)."""
    return not (start and _inside_token(text, start)) and next(spans(text, start), None) == (start, end)


def _inside_token(text: str, start: int) -> bool:
    """Whether a token that starts before `start` goes on there: a number after a digit (or a digit
    and a `.` or `,`: 1.000), a word after a letter (or a letter and inner marks: ка́кво)."""
    if _DIGIT.match(text, start):
        before = text[start - 1]
        return _DIGIT.match(before) is not None or (
            before in ".," and start > 1 and _DIGIT.match(text, start - 2) is not None)
    at = start - 1
    while at >= 0 and _INNER_MARK.match(text, at):
        at -= 1
    return at >= 0 and _LETTER.match(text, at) is not None


def _matches(source: _Listed, length: int, every: int, width: int, fragments: int) -> list[Match]:
    """Matched words, in order. Reading stops _LOOK_AHEAD characters (per fragment) past the
    first match, or sooner, once it has seen `fragments` windows of `width` characters one
    after another that have all `every` terms (-1: no such stop): no later window can show more."""
    found: list[Match] = []
    last_start: dict[str, int] = {}  # term → where it last occurred, in the window being filled
    windows = 0
    fresh = 0  # matches from here on count toward the next window
    stop = length  # becomes _LOOK_AHEAD past the first match
    for limit in (SCAN_FIRST, _SCAN_LIMIT):
        while (match := source.next_match(min(limit - 1, stop))) is not None:
            word_start, word_end, term = match
            if not found:
                stop = word_start + _LOOK_AHEAD * fragments
            found.append(match)
            if word_start >= fresh:
                last_start[term] = word_start
                if len(last_start) == every and word_end - (first := min(last_start.values())) <= width:
                    windows += 1
                    if windows == fragments:
                        return found
                    last_start.clear()
                    fresh = first + width
        if found or limit >= length:
            break
    return found


def _starts_with(term: str, word: str, prefixes: tuple[str, ...]) -> bool:
    # A prefix query matches index terms (stems); a word is marked only if it, as written,
    # starts with the prefix too.
    return term.startswith(prefixes) and normalize_word(word).startswith(prefixes)


def _passages(text: str, matches: list[Match], width: int, fragments: int) -> list[tuple[int, int]]:
    """Up to `fragments` passages [start, end), in order and not overlapping: one after another the
    best window of the matches between the passages chosen so far, grown to about `width`
    characters within that room."""
    chosen: list[tuple[int, int]] = []
    starts = [m[0] for m in matches]
    # The room between passages: (distinct terms, matches, its window's first and last match, lo, hi)
    # of its best window, or None when it has no match; in the order of the text.
    rooms = [_room(matches, starts, 0, len(text), width)]
    while len(chosen) < fragments:
        best = max(range(len(rooms)), key=lambda i: (rooms[i] or (-1, -1))[:2] + (-i,))
        room = rooms[best]
        if room is None:
            break
        _, _, first, last, lo, hi = room
        start, end = _expand(text, matches[first][0], matches[last][1], width)
        if start < lo:
            start = min(_word_start(text, lo), matches[first][0])
        end = min(end, hi)
        chosen.append((start, end))
        rooms[best : best + 1] = [_room(matches, starts, lo, start, width), _room(matches, starts, end, hi, width)]
    return sorted(chosen)


def _room(matches: list[Match], starts: list[int], lo: int, hi: int,
          width: int) -> tuple[int, int, int, int, int, int] | None:
    """The best window of the matches that lie within [lo, hi), or None (see `_passages`)."""
    first = bisect_left(starts, lo)
    end = bisect_left(starts, hi)
    while end > first and matches[end - 1][1] > hi:
        end -= 1
    if end == first:
        return None
    distinct, count, window_first, window_last = _best_window(matches[first:end], width)
    return distinct, count, first + window_first, first + window_last, lo, hi


def _best_window(matches: list[Match], width: int) -> tuple[int, int, int, int]:
    """The window with the most distinct terms, then most matches: (distinct terms, matches, index of
    its first match, index of its last)."""
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
    return best


def _expand(text: str, start: int, end: int, width: int) -> tuple[int, int]:
    """Grow [start, end) to about `width` characters, starting at a sentence if one begins nearby.
    It never shrinks: a window as wide as `width` keeps its first and last word."""
    room = max(0, width - (end - start))
    lead = room // 3
    sentence = max(text.rfind(mark + " ", max(0, start - lead), start) for mark in _SENTENCE_ENDS)
    if sentence >= 0:
        new_start = sentence + 2
    else:
        new_start = min(start, _word_start(text, max(0, start - lead)))
    new_end = max(end, _word_end(text, min(len(text), max(end, new_start + width))))
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
