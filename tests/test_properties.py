"""Property-based tests (issue 6): the analyzer, the normalizer, the query parser, the search and
the snippets hold their contracts for any input hypothesis can think of. Bounded `max_examples`
keep them to a few seconds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bgsearch import Index, QuerySyntaxError, analyze, analyze_tokens
from bgsearch.analysis import BulgarianAnalyzer, normalize_word
from bgsearch.highlight import make_snippet
from bgsearch.query import parse_query

# Text that exercises the analyzer and the query syntax far more often than uniform Unicode would:
# Bulgarian and pre-1945 letters, Latin look-alikes, stress marks, soft hyphens, zero-width
# characters, digits and number suffixes, hyphens, quotes, parentheses, query operators.
_SPECIAL = list(
    "абвгдежзийклмнопрстуфхцчшщъьюяАБВГДЖЗИЙЪЮЯѝѐѣѫѭіaeopcyxkmhtbiIİßﬁ"
    "\u0300\u0301\u0306\u0340\u00ad\u200b\u200c\u200d\u2060\ufeff"
    "0123456789-\u2010\u2011–—.,;:!?…\"'«»„“()*  \t\n\x00\x07\x1b"
) + ["по-", "-мата", "-те", " OR ", " AND ", " NOT ", "-", "title:", "body:", "id:", "source:", "date:",
     "date:2025-12", "..", "санкц*", "Лукашенко", "Беларус", "на", "и"]
_ALPHABET = st.one_of(st.sampled_from(_SPECIAL), st.characters())
TEXT = st.lists(_ALPHABET, max_size=60).map("".join)
ANY_TEXT = st.one_of(TEXT, st.text())

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEARCH = settings(max_examples=80, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


@FAST
@given(ANY_TEXT)
def test_any_text_is_analyzed_with_offsets_inside_the_text(text: str) -> None:
    terms = analyze(text)
    tokens = analyze_tokens(text)
    assert [t.term for t in tokens if t.term is not None] == terms
    positions = [t.position for t in tokens]
    assert positions == sorted(positions) and len(set(positions)) == len(positions)
    for token in tokens:
        assert 0 <= token.start < token.end <= len(text)
        assert text[token.start : token.end] == token.text
        assert token.term is None or token.term  # a term is never empty


@FAST
@given(ANY_TEXT)
def test_normalize_word_is_idempotent(word: str) -> None:
    once = normalize_word(word)
    assert normalize_word(once) == once


@FAST
@given(st.text(alphabet="абвгдежзийклмнопрстуфхцчшщъьюя", min_size=1))
def test_a_word_of_the_modern_alphabet_is_kept_as_the_shortcut_assumes(word: str) -> None:
    """`normalize_word` returns such a word (not ending in ъ) without the tables: they must keep it."""
    from bgsearch.analysis.normalizer import _folded

    if not word.endswith("ъ"):
        assert _folded(word) == word == normalize_word(word)
    assert normalize_word(word.upper()) == normalize_word(word)


@FAST
@given(ANY_TEXT)
def test_normalizing_the_tokens_of_any_text_is_idempotent(text: str) -> None:
    for token in analyze_tokens(text):
        once = normalize_word(token.text)
        assert normalize_word(once) == once


@FAST
@given(ANY_TEXT)
def test_parsing_any_string_returns_or_raises_query_syntax_error(query: str) -> None:
    try:
        parsed = parse_query(query)
    except QuerySyntaxError as exc:
        assert str(exc) and "\n" not in str(exc)
    else:
        assert all(notice and "\n" not in notice for notice in parsed.notices)


@SEARCH
@given(query=ANY_TEXT, limit=st.integers(1, 30), offset=st.integers(0, 5))
def test_searching_any_string_returns_or_raises_query_syntax_error(query: str, limit: int, offset: int,
                                                                   seed_index: Index) -> None:
    try:
        results = seed_index.search(query, limit=limit, offset=offset)
    except QuerySyntaxError as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    assert len(results.hits) <= limit and results.total >= len(results.hits)
    assert results.total <= len(seed_index)
    for hit in results.hits:
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.snippet)


_ANALYZER = BulgarianAnalyzer()


@FAST
@given(text=ANY_TEXT, picks=st.lists(st.integers(0, 1000), max_size=4), extra=TEXT,
       width=st.integers(10, 300))
def test_highlights_lie_inside_the_snippet_and_cover_query_terms(text: str, picks: list[int], extra: str,
                                                                 width: int) -> None:
    tokens = [t for t in analyze_tokens(text) if t.term]
    words = [tokens[i % len(tokens)].text for i in picks] if tokens else []
    terms = set(analyze(" ".join(words) + " " + extra))
    snippet = make_snippet(text, terms, _ANALYZER, width=width)
    previous_end = 0
    for start, end in snippet.highlights:
        assert 0 <= start < end <= len(snippet.text)
        assert start >= previous_end  # in order, not overlapping
        previous_end = end
        covered = analyze_tokens(snippet.text[start:end])
        assert len(covered) == 1 and covered[0].text == snippet.text[start:end]
        assert covered[0].term in terms
