"""Snippets: the best passage, on one line, with matched words marked in their own spelling."""

from __future__ import annotations

from bgsearch import BulgarianAnalyzer, analyze
from bgsearch.highlight import ELLIPSIS, make_snippet

from conftest import SEEDS

ANALYZER = BulgarianAnalyzer()
DECEMBER_TEXT = (SEEDS / "002_963fcec7b18ad73a.txt").read_text("utf-8")


def marked(snippet) -> list[str]:
    return [snippet.text[s:e] for s, e in snippet.highlights]


def test_marks_every_form_of_the_query_words() -> None:
    terms = set(analyze("санкция Лукашенко"))
    snippet = make_snippet(DECEMBER_TEXT, terms, ANALYZER)
    assert {"санкции", "Лукашенко"} <= set(marked(snippet))
    assert len(snippet.text) <= 260
    assert "\n" not in snippet.text and "  " not in snippet.text


def test_picks_the_passage_with_the_most_distinct_words() -> None:
    terms = set(analyze("посолство Минск"))
    snippet = make_snippet(DECEMBER_TEXT, terms, ANALYZER)
    assert {"посолството", "Минск"} <= set(marked(snippet))
    assert snippet.text.startswith(ELLIPSIS)


def test_without_matches_the_start_of_the_text() -> None:
    snippet = make_snippet(DECEMBER_TEXT, {"несъществуващо"}, ANALYZER)
    assert snippet.highlights == []
    assert DECEMBER_TEXT.strip().startswith(snippet.text.rstrip(ELLIPSIS).strip()[:40])


def test_short_text_is_whole_and_offsets_survive_whitespace_folding() -> None:
    text = "Пет  дни\n\nслед освобождаването на\tзатворниците."
    snippet = make_snippet(text, set(analyze("затворник освобождаване")), ANALYZER)
    assert snippet.text == "Пет дни след освобождаването на затворниците."
    assert marked(snippet) == ["освобождаването", "затворниците"]
