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


def _long_document(words_before: int, tail: str) -> str:
    """Real sentences repeated to about `words_before` words, then `tail`."""
    from robustness_helpers import seed_sentences

    filler = " ".join(s for s in seed_sentences() if "кали" not in s.lower())
    repeated = (filler + " ") * (words_before // len(filler.split()) + 1)
    return " ".join(repeated.split()[:words_before]) + " " + tail


def test_a_match_deep_in_a_long_document_is_found_from_the_index(empty_index) -> None:  # type: ignore[no-untyped-def]
    # Past the first 10,000 characters the snippet starts where the index says the word is.
    body = _long_document(12_000, "Износът на калий през Клайпеда спря.")
    empty_index.add_documents([{"id": "long", "title": "Доклад", "body": body}])
    hit = empty_index.search("калият").hits[0]
    assert [hit.snippet[start:end] for start, end in hit.highlights] == ["калий"]
    assert "Клайпеда" in hit.snippet


def test_a_title_only_match_in_a_long_document_shows_its_start(empty_index) -> None:  # type: ignore[no-untyped-def]
    body = _long_document(3_000, "Край.")
    empty_index.add_documents([{"id": "long", "title": "Калият на Беларус", "body": body}])
    hit = empty_index.search("калий").hits[0]
    assert hit.highlights == []
    assert body.startswith(hit.snippet.split(" ")[0])
