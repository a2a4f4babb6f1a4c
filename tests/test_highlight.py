"""Snippets: the best passage, on one line, with matched words marked in their own spelling."""

from __future__ import annotations

import html
import json

from bgsearch import BulgarianAnalyzer, analyze, analyze_tokens
from bgsearch.highlight import ELLIPSIS, NO_SNIPPET, Snippet, document_snippet, make_snippet

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


# -- every occurrence, fragments, and snippets for a web page --------------------------------------

SANCTIONS = (
    "Европейският съюз удължи санкциите срещу Беларус с още шест месеца. Новите санкции засягат "
    "калиевите торове и петролните продукти, а всяка следваща санкция ще бъде обсъждана поотделно."
)


def _every_matching_word(snippet: Snippet, terms: set[str]) -> list[tuple[int, int]]:
    """Where the snippet's own words with one of `terms` stand: what must all be highlighted."""
    return [(t.start, t.end) for t in analyze_tokens(snippet.text, ANALYZER) if t.term in terms]


def test_a_best_window_as_wide_as_the_snippet_keeps_its_first_and_last_word() -> None:
    """The window with the most words can span the whole width; the passage grown from it must not
    start past its first word nor end before its last (it used to begin at the word after)."""
    from bgsearch.highlight import SNIPPET_WIDTH

    neutral = "се изнася през пристанището на Клайпеда въпреки забраната и протестите на опозицията".split()
    middle = ""
    while len(middle) + len(neutral[0]) + 1 < SNIPPET_WIDTH - len("калият  торовете") - 8:
        middle += neutral[0] + " "
        neutral.append(neutral.pop(0))
    for span in range(SNIPPET_WIDTH - 3, SNIPPET_WIDTH + 1):  # the window's own width: no room around it
        window = "калият " + middle.ljust(span - len("калият  торовете")) + " торовете"
        assert len(window) == span
        text = "Доклад: " + window + ". Още текст за друго." * 20
        snippet = make_snippet(text, set(analyze("калий торове")), ANALYZER)
        assert marked(snippet) == ["калият", "торовете"], (span, snippet.text)


def test_every_occurrence_in_every_form_is_marked() -> None:
    terms = set(analyze("санкция"))
    snippet = make_snippet(SANCTIONS, terms, ANALYZER)
    assert snippet.text == SANCTIONS  # short: whole
    assert marked(snippet) == ["санкциите", "санкции", "санкция"]


def test_a_title_has_every_occurrence_marked_in_its_own_spelling() -> None:
    title = "Санкциите срещу Беларус: нови САНКЦИИ и още една санкция"
    snippet = make_snippet(title, set(analyze("санкция")), ANALYZER, width=80)
    assert snippet.text == title
    assert marked(snippet) == ["Санкциите", "САНКЦИИ", "санкция"]


def test_a_short_text_is_whole_even_when_the_match_is_near_its_end() -> None:
    text = ("Беларус е близо до сключването на споразумение със САЩ за освобождаване на политически "
            "затворници, каза представител на опозицията в Литва. Според него санкциите могат да отпаднат.")
    assert len(text) <= 240
    snippet = make_snippet(text, set(analyze("санкция")), ANALYZER)
    assert snippet.text == text
    assert marked(snippet) == ["санкциите"]


def test_later_occurrences_in_the_passage_of_a_long_text_are_marked() -> None:
    # The scan stops at the first window with every word; the words after it in the passage count too.
    for query in ("Лукашенко", "Беларус", "Тръмп", "Путин Украйна", "санкция Лукашенко"):
        terms = set(analyze(query))
        snippet = make_snippet(DECEMBER_TEXT, terms, ANALYZER)
        assert snippet.highlights == _every_matching_word(snippet, terms), query
    snippet = make_snippet(DECEMBER_TEXT, set(analyze("Тръмп")), ANALYZER)
    assert marked(snippet) == ["Тръмп", "Тръмп"]


def test_two_fragments_are_joined_by_an_ellipsis_with_offsets_into_the_joined_text() -> None:
    terms = set(analyze("Лукашенко"))
    one = make_snippet(DECEMBER_TEXT, terms, ANALYZER)
    two = make_snippet(DECEMBER_TEXT, terms, ANALYZER, fragments=2)
    assert two.text.count(f" {ELLIPSIS} ") == 1
    first, second = two.text.split(f" {ELLIPSIS} ")
    assert first == one.text.rstrip(ELLIPSIS)  # the best passage, then the next best
    assert f"{ELLIPSIS} {ELLIPSIS}" not in two.text and ELLIPSIS * 2 not in two.text
    folded = " ".join(DECEMBER_TEXT.split())
    assert folded.index(first.strip(ELLIPSIS)) < folded.index(second.strip(ELLIPSIS))  # in the text's order
    assert marked(two) == ["Лукашенко", "Лукашенко"]
    assert two.highlights == _every_matching_word(two, terms)
    assert two.highlights[0][1] < len(first) < two.highlights[1][0]


def test_fragments_give_distinct_words_first_and_every_highlight_is_a_matching_word() -> None:
    terms = set(analyze("Путин Украйна санкция"))
    for fragments in (1, 2, 3, 5):
        snippet = make_snippet(DECEMBER_TEXT, terms, ANALYZER, fragments=fragments)
        assert snippet.text.count(f" {ELLIPSIS} ") <= fragments - 1
        assert snippet.highlights == _every_matching_word(snippet, terms)
        for start, end in snippet.highlights:
            assert analyze(snippet.text[start:end], ANALYZER)[0] in terms
    assert make_snippet(DECEMBER_TEXT, terms, ANALYZER, fragments=1) == make_snippet(DECEMBER_TEXT, terms, ANALYZER)


def test_fewer_fragments_when_the_text_has_fewer_places_with_matches() -> None:
    text = ("Преди години Беларус подписа договор за доставки на газ. " + "Пазарът на зърно остана спокоен. " * 30
            + "Цените на горивата се повишиха през зимата.")
    snippet = make_snippet(text, set(analyze("Беларус")), ANALYZER, fragments=3)
    assert f" {ELLIPSIS} " not in snippet.text and marked(snippet) == ["Беларус"]
    short = make_snippet(SANCTIONS, set(analyze("санкция")), ANALYZER, fragments=3)
    assert short == make_snippet(SANCTIONS, set(analyze("санкция")), ANALYZER)


def _locate(text: str):  # type: ignore[no-untyped-def]
    """A `Locate` for `text` that reads the positions off the analyzer (as the cluster does)."""
    def locate(terms, reach):  # type: ignore[no-untyped-def]
        found: dict[str, list[int]] = {}
        for position, term in ANALYZER.pipeline.positioned_terms(text):
            if term in terms:
                found.setdefault(term, []).append(position)
        return found
    return locate


def test_a_body_cut_from_positions_is_the_snippet_its_analysis_gives() -> None:
    """The index's positions name the same words as analyzing the text again: the same passages and
    marks, for one passage and several, on real articles."""
    texts = [DECEMBER_TEXT, *((SEEDS / name).read_text("utf-8") for name in sorted(p.name for p in SEEDS.iterdir())[:6])]
    long_text = " ".join(texts)  # past the look-ahead: where the words are counted further
    compared = 0
    for text in [*texts, long_text]:
        tokens = ANALYZER.pipeline.terms(text)
        for terms in (set(tokens[5:6]), set(tokens[10:13]), set(tokens[40:42]) | {"санкция", "калий"},
                      set(analyze("Лукашенко")), set(tokens[-30::9])):
            for fragments in (1, 2, 3):
                from_positions = document_snippet(text, terms, (), ANALYZER.pipeline, True, _locate(text), fragments=fragments)
                assert from_positions == make_snippet(text, terms, ANALYZER, fragments=fragments), (terms, fragments)
                compared += bool(from_positions.highlights)
    assert compared > 50


def test_a_body_cut_from_positions_marks_every_matching_word_it_shows() -> None:
    """Past the analysis's look-ahead (the index's positions reach further): every word of the
    snippet whose term is a query term is marked, and nothing else; the passage has all the words."""
    text = _long_document(400, "Износът на калий през Клайпеда спря, калиевите торове чакат. ") + _long_document(300, "")
    terms = set(analyze("калий Клайпеда торове"))
    snippet = document_snippet(text, terms, (), ANALYZER.pipeline, True, _locate(text))
    assert snippet.highlights == _every_matching_word(snippet, terms)
    assert {ANALYZER.pipeline.term(word) for word in marked(snippet)} == terms
    assert "Клайпеда" in snippet.text and snippet.text.startswith(ELLIPSIS)


HOSTILE = ('Санкциите <script>alert(1)</script> срещу Беларус "><img src=x onerror=alert(1)> & още '
           "една санкция 'тук'")


def test_formatted_escapes_the_text_and_keeps_the_markers() -> None:
    snippet = make_snippet(HOSTILE, set(analyze("санкция")), ANALYZER)
    page = snippet.formatted()
    assert "<script>" not in page and "<img" not in page and '">' not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert "&amp; още" in page and "&#x27;тук&#x27;" in page
    assert page.startswith("<mark>Санкциите</mark> ") and "една <mark>санкция</mark>" in page
    assert page.count("<mark>") == page.count("</mark>") == 2
    assert html.unescape(page.replace("<mark>", "").replace("</mark>", "")) == snippet.text


def test_formatted_with_custom_markers_and_without_escaping() -> None:
    snippet = make_snippet(HOSTILE, set(analyze("санкция")), ANALYZER)
    assert snippet.formatted("[[", "]]", escape=False) == HOSTILE.replace("Санкциите", "[[Санкциите]]").replace(
        "една санкция", "една [[санкция]]")
    custom = snippet.formatted('<b class="hit">', "</b>")
    assert custom.startswith('<b class="hit">Санкциите</b> &lt;script&gt;')
    assert NO_SNIPPET.formatted() == "" and Snippet("a<b", []).formatted() == "a&lt;b"


def test_highlights_in_utf16_units_count_an_emoji_twice() -> None:
    text = "😀 Новите санкции срещу Беларус"
    snippet = make_snippet(text, set(analyze("санкция Беларус")), ANALYZER)
    assert marked(snippet) == ["санкции", "Беларус"]
    utf16 = text.encode("utf-16-le")
    for (start, end), (start16, end16) in zip(snippet.highlights, snippet.highlights_utf16):
        assert (start16, end16) == (start + 1, end + 1)
        word = snippet.text[start:end].encode("utf-16-le")
        assert utf16.index(word) // 2 == start16 and (utf16.index(word) + len(word)) // 2 == end16
    cyrillic = make_snippet(SANCTIONS, set(analyze("санкция")), ANALYZER)
    assert cyrillic.highlights_utf16 == cyrillic.highlights


def test_to_dict_is_plain_json() -> None:
    snippet = make_snippet("😀 <b>Санкциите</b> & санкция", set(analyze("санкция")), ANALYZER)
    as_dict = snippet.to_dict()
    assert json.loads(json.dumps(as_dict)) == as_dict
    assert as_dict == {
        "text": "😀 <b>Санкциите</b> & санкция",
        "highlights": [[5, 14], [21, 28]],
        "highlights_utf16": [[6, 15], [22, 29]],
        "formatted": "😀 &lt;b&gt;<mark>Санкциите</mark>&lt;/b&gt; &amp; <mark>санкция</mark>",
    }
    assert NO_SNIPPET.to_dict() == {"text": "", "highlights": [], "highlights_utf16": [], "formatted": ""}


# Words a scan must see as the tokenizer does, not as a search for their spelling would: a word
# inside a longer word, digits inside a number (1.000, 2022г), an ending glued to a number or an
# acronym, stress marks and soft hyphens inside a word, a run too long to be a word.
TRICKY = ("Законът и закона: за\u00adкона, зако\u0301на, беззакония; закон. 2022г. и 2022 г., 1.000 лв и 1,5 %, 1.2.3, "
          "5 от 000, НАТО-вските и САЩ-ската политика, 123-мата година и 20-те години, " + "закон" * 20 + " закон_ закон2 2закон")


def _words_of(text: str, terms: set[str]) -> list[tuple[int, int, str]]:
    """What a scan must find: each word `spans` gives whose term is one of `terms`, in order."""
    from bgsearch.analysis.tokenize import spans

    pipeline = ANALYZER.pipeline
    return [(s, e, term) for s, e in spans(text) if (term := pipeline.term(text[s:e])) in terms]


def test_a_scan_finds_exactly_the_words_the_tokenizer_gives_whose_term_matches() -> None:
    from bgsearch.highlight import _Scan

    texts = [TRICKY, DECEMBER_TEXT, *((SEEDS / name).read_text("utf-8") for name in sorted(p.name for p in SEEDS.iterdir())[:5])]
    for text in texts:
        tokens = ANALYZER.pipeline.terms(text)
        for terms in ({"закон", "2022", "1.000", "1", "5", "000", "ската", "вските", "мата", "2"}, set(tokens[::7]), set(tokens[3:5])):
            scan = _Scan(text, terms, ANALYZER.pipeline, ())
            found = []
            while (match := scan.next_match(len(text))) is not None:
                found.append(match)
            assert found == _words_of(text, terms)
    # Asked for in pieces, it stops at each bound and goes on from there.
    terms = {"закон"}
    scan = _Scan(TRICKY, terms, ANALYZER.pipeline, ())
    bounds = [40, 41, 200, len(TRICKY)]
    pieces = [[] for _ in bounds]
    for piece, last in zip(pieces, bounds):
        while (match := scan.next_match(last)) is not None:
            piece.append(match)
    expected = _words_of(TRICKY, terms)
    assert [m for piece in pieces for m in piece] == expected
    assert all(m[0] <= last for piece, last in zip(pieces, bounds) for m in piece)
    assert [TRICKY[s:e] for s, e, _ in expected[:5]] == ["Законът", "закона", "за\u00adкона", "зако\u0301на", "закон"]


def test_where_the_nth_word_starts_is_where_spans_has_it() -> None:
    """A snippet deep in a long document starts from the n-th word: `spans`' own count, hyphenated
    endings and over-long runs (which it drops) too."""
    from itertools import islice

    from bgsearch.analysis.tokenize import spans, token_starts

    long_text = " ".join([DECEMBER_TEXT, TRICKY] * 6 + ["ДДС-то и НАТО-вските", "а" * 3000, "край"])
    starts = [s for s, _ in spans(long_text)]
    for count in [*range(0, len(starts), 7), len(starts), len(starts) + 1]:
        assert token_starts(long_text, count) == starts[:count]
    assert next(islice(spans(long_text), 700, None))[0] == token_starts(long_text, 701)[700]


def test_the_nth_word_counted_at_once_is_where_spans_has_it() -> None:
    """From a hundred words on, `token_starts` counts the words of a text at once (numpy over
    character classes) and answers only where that is `spans`' count: hyphenated endings dropped,
    numbers with their separators, marks inside words; anything else goes word by word."""
    import random
    from itertools import islice

    from bgsearch.analysis.tokenize import _counted_starts, spans

    def expected(text: str, count: int) -> list[int]:
        return [start for start, _ in islice(spans(text), count)]

    text = " ".join([DECEMBER_TEXT, "ДДС-то, НАТО-вските, 123-мата, 2019-2020 г., 1.000,50 лв., био\u00adмаса, "
                     "ка\u0301кво, ДНК-анализ, x²"] * 8)
    starts = [s for s, _ in spans(text)]
    for count in [*range(100, len(starts), 13), len(starts) - 1, len(starts), len(starts) + 5]:
        assert _counted_starts(text, count) == expected(text, count)  # never None here
    rng = random.Random(5)
    pieces = ["дума", "Дума", "САЩ", "-", "\u2010", " ", ", ", ".", "1", "23", "4.5", "6,7", "-ската", "-мата", "-те",
              "-то", "ЕС", "a", "Ab", "\u0301", "\u00ad", "_", "²", "½", "\n", "2019-2020", "x" * 30, ".2", "ДПС-ци"]
    answered = 0
    for _ in range(1500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 80)))
        total = len(list(spans(text)))
        for count in {0, 1, total // 2, total - 1, total, total + 1} - {-1}:
            found = _counted_starts(text, count)
            assert found in (None, expected(text, count)), (text, count)
            answered += found is not None
    assert answered > 2500
