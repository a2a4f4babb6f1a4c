"""Tests for the ranking harness (benchmarks/ranking.py, benchmarks/ranking_data.py): metrics, query
variants, title stripping, and one tiny end-to-end run on synthetic data."""

from __future__ import annotations

import gzip
import json
import random
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
if str(REPO_ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import ranking, ranking_data as rd  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (an adjacent swap is one edit)."""
    d = [[max(i, j) if min(i, j) == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[-1][-1]


# ------------------------------------------------------------------------------------------ metrics


def test_metrics_on_a_hand_made_ranking() -> None:
    results = [
        (["a", "b", "c"], {"b"}),  # rank 2
        (["x", "z"], {"y"}),  # missed
        (["r", "s"], {"r"}),  # rank 1
        ([f"d{i}" for i in range(10)] + ["hit"], {"hit"}),  # rank 11: outside the top 10
    ]
    m = rd.summarize(results, k=10)
    assert m["queries"] == 4
    assert m["mrr"] == pytest.approx((1 / 2 + 1) / 4)
    assert m["s1"] == pytest.approx(1 / 4)
    assert m["s10"] == pytest.approx(2 / 4)
    assert m["r10"] == pytest.approx(2 / 4)
    assert rd.first_rank(["a", "b", "c"], {"c", "b"}) == 2
    assert rd.first_rank(results[3][0], {"hit"}) is None
    assert rd.first_rank(results[3][0], {"hit"}, k=11) == 11


def test_paired_p_value_separates_a_real_gap_from_chance() -> None:
    results = [(["a", "b"], {"b"}), (["x"], {"y"}), (["r"], {"r"})]
    assert rd.reciprocal_ranks(results) == [0.5, 0.0, 1.0]
    rng = random.Random(3)
    noise = [rng.random() for _ in range(200)]
    shuffled = noise[1:] + noise[:1]
    assert rd.paired_p_value(noise, shuffled) > 0.2  # the same scores in another order: chance
    better = [min(1.0, x + 0.2) for x in noise]
    assert rd.paired_p_value(better, noise) < 0.01  # better on nearly every query
    assert rd.paired_p_value(noise, noise) == 1.0  # no difference at all
    assert rd.paired_p_value([], []) == 1.0


def test_recall_counts_each_relevant_document() -> None:
    m = rd.summarize([(["a", "b", "c"], {"a", "q"})], k=10)
    assert m["r10"] == pytest.approx(0.5)
    assert m["s10"] == 1.0 and m["mrr"] == 1.0
    assert rd.summarize([], k=10)["queries"] == 0


# ------------------------------------------------------------------------------------------ queries


def test_plain_query_keeps_only_words() -> None:
    assert rd.plain_query('"Закон за водите" (изм.) title:данък санкц* -Москва') == "Закон за водите изм title данък санкц Москва"
    assert rd.plain_query("по-голям AND NOT OR") == "по-голям and not or"
    assert rd.plain_query("ЕСПОН 2013 – „Оперативна програма“") == "ЕСПОН 2013 Оперативна програма"
    assert rd.plain_query("***") == ""


def test_split_is_a_stable_half() -> None:
    splits = [rd.split_of(str(i)) for i in range(2000)]
    assert splits == [rd.split_of(str(i)) for i in range(2000)]
    assert set(splits) == {"dev", "test"}
    assert 0.45 < splits.count("test") / len(splits) < 0.55


# ----------------------------------------------------------------------------------------- variants

TITLE = "Закон за изменение и допълнение на Закона за защита на потребителите при пътувания"


def test_typo_variant_edits_each_long_word_once_and_is_deterministic() -> None:
    out = rd.typo_variant(TITLE, random.Random("seed-1"))
    assert out == rd.typo_variant(TITLE, random.Random("seed-1"))
    assert out != rd.typo_variant(TITLE, random.Random("seed-2"))
    before, after = TITLE.split(), out.split()
    assert len(before) == len(after)  # edits never touch the spaces
    for word, edited in zip(before, after):
        if len(word) >= 5:
            assert edit_distance(word, edited) == 1, (word, edited)
        else:
            assert word == edited


def test_typo_uses_all_four_edits_and_the_words_alphabet() -> None:
    rng = random.Random(7)
    lengths = {len(rd.typo("законодателство", rng)) - len("законодателство") for _ in range(200)}
    assert lengths == {-1, 0, 1}  # deletion, substitution or swap, insertion
    latin = [rd.typo("zakonodatelstvo", rng) for _ in range(50)]
    assert all(c.isascii() for w in latin for c in w)


MORPH = rd.Morphology([
    ("закон", "закона"), ("закон", "законът"), ("закон", "закони"), ("закон", "законите"),
    ("изменение", "изменения"), ("изменение", "изменението"),
    ("защита", "защитата"), ("защита", "защити"),
    ("потребител", "потребителя"), ("потребител", "потребители"), ("потребител", "потребителите"),
    ("на", "на"),  # a stop word with an entry: must stay
])


def test_inflect_variant_replaces_known_words_by_other_forms() -> None:
    stops = frozenset({"за", "и", "на", "при"})
    out = rd.inflect_variant(TITLE, MORPH, random.Random("s"), stops)
    assert out == rd.inflect_variant(TITLE, MORPH, random.Random("s"), stops)
    for word, new in zip(TITLE.split(), out.split()):
        lower = word.lower()
        if lower in stops or not MORPH.alternatives(lower):
            assert new == word  # stop words and unknown words (допълнение, пътувания) stay
        else:
            assert new.lower() != lower
            assert new.lower() in MORPH.alternatives(lower)
            assert new[0].isupper() == word[0].isupper()  # "Закон" keeps its capital
    assert MORPH.alternatives("Закона") == ["закон", "закони", "законите", "законът"]
    assert MORPH.alternatives("непознато") == []


def test_latin_fallback_tables() -> None:
    assert rd.latin_fallback("Щерев от София") == "Shterev ot Sofia"
    assert rd.latin_fallback("Щастие, чаша, ябълка, път, жена, улица, юни", "informal") == (
        "6tastie, 4a6a, qbylka, pyt, jena, ulica, iuni"
    )


def _scripts(text: str) -> set[str]:
    return {"cyrillic" if "\u0400" <= c <= "\u04ff" else "latin" for c in text if c.isalpha()}


NEWS_TITLE = "Баба Ванга с неочаквано предсказание за Тръмп и Illuminati | Vchas.net"


def test_mixed_variant_puts_half_the_cyrillic_words_in_latin() -> None:
    out = rd.mixed_variant(NEWS_TITLE, rd.latin_fallback, random.Random("m-1"))
    assert out == rd.mixed_variant(NEWS_TITLE, rd.latin_fallback, random.Random("m-1"))
    before, after = NEWS_TITLE.split(), out.split()
    assert len(before) == len(after)
    cyrillic = [(b, a) for b, a in zip(before, after) if "cyrillic" in _scripts(b)]
    assert len(cyrillic) == 8
    changed = [(b, a) for b, a in cyrillic if a != b]
    assert len(changed) == 4  # half of 8
    styles = {"official", "informal"}
    for b, a in changed:
        assert _scripts(a) <= {"latin"} and a in {rd.latin_fallback(b, style) for style in styles}
    for b, a in zip(before, after):  # Latin words, numbers and punctuation are left alone
        if "cyrillic" not in _scripts(b):
            assert a == b
    assert _scripts(out) == {"cyrillic", "latin"}
    outs = {rd.mixed_variant(NEWS_TITLE, rd.latin_fallback, random.Random(f"m-{i}")) for i in range(20)}
    assert len(outs) > 5  # the seed chooses the words (and the style)


def test_mixed_variant_keeps_a_cyrillic_word_and_hyphenated_words_whole() -> None:
    for i in range(30):
        out = rd.mixed_variant("НАЙ-СТРАШНОТО пророчество", rd.latin_fallback, random.Random(i))
        assert out in {"NAY-STRASHNOTO пророчество", "NAY-STRA6NOTO пророчество",
                       "НАЙ-СТРАШНОТО prorochestvo", "НАЙ-СТРАШНОТО proro4estvo"}, out
    for i in range(10):  # of 3 words, 2 go to Latin
        out = rd.mixed_variant("Баба Ванга предсказа", rd.latin_fallback, random.Random(i))
        assert [_scripts(w) for w in out.split()].count({"latin"}) == 2, out
    assert rd.mixed_variant("Ванга", rd.latin_fallback, random.Random(0)) == "Vanga"  # nothing to mix with
    assert rd.mixed_variant("Times 2017", rd.latin_fallback, random.Random(0)) == "Times 2017"


def test_layout_variant_types_the_words_on_a_bulgarian_layouts_keys() -> None:
    from bgsearch.query.layouts import LAYOUTS

    bds = {"BDS": LAYOUTS["BDS"]}
    assert rd.layout_variant("Закон за туризма!", bds, random.Random(0)) == "Pdufk pd jw,rp;d"
    assert rd.layout_variant("Щастие", {"phonetic": LAYOUTS["phonetic"]}, random.Random(0)) == "}astie"  # a capital: the shifted key
    assert rd.layout_variant("Тръмп и Pan.bg", {"phonetic": LAYOUTS["phonetic"]}, random.Random(0)) == "Trymp i Pan bg"
    chosen = {rd.layout_variant("живот", LAYOUTS, random.Random(i)) for i in range(30)}
    assert chosen == {"grlfj", "viwot", "xivot"}  # BDS, phonetic, new phonetic: each layout its keys


def _article(aid: str, title: str, text: str) -> dict[str, object]:
    return {"id": aid, "title": title, "body": text, "title_found": False, "text_key": " ".join(text.lower().split())}


def test_news_queries_merge_repeated_titles_add_copies_and_drop_short_titles() -> None:
    articles = [
        _article("news-0", "Баба Ванга с неочаквано предсказание за Тръмп", "Текст едно."),
        _article("news-1", "баба  ванга с неочаквано предсказание за тръмп", "Друг текст."),  # same title
        _article("news-2", "Пророчицата предсказа нещо за Тръмп", "Текст  едно."),  # a copy of news-0's text
        _article("news-3", "Аз обичам България", "Трети текст."),  # two words once "аз" is a stop word
        _article("news-4", "Парламентарни избори 2017", "Четвърти текст."),  # numbers are not words
    ]
    queries, dropped = rd.news_queries(articles, frozenset({"аз", "с", "за"}))
    assert [(q.qid, q.text) for q in queries] == [
        ("news-0", "Баба Ванга с неочаквано предсказание за Тръмп"),
        ("news-2", "Пророчицата предсказа нещо за Тръмп"),
    ]
    assert queries[0].relevant == {"news-0", "news-1", "news-2"}
    assert queries[1].relevant == {"news-2", "news-0"}
    assert dropped == {"short_title": 2, "repeated_title": 1}


def test_news_targets_say_met_or_missed() -> None:
    rows = [
        {"system": "bgsearch", "variant": "exact", "mrr": 0.5, "ratio": 1.0},
        {"system": "bgsearch", "variant": "latin-official", "mrr": 0.49, "ratio": 0.98},
        {"system": "bgsearch", "variant": "typo", "mrr": 0.4, "ratio": 0.8},
        {"system": "whoosh-lucene-light", "variant": "exact", "mrr": 0.6, "ratio": 1.0},
    ]
    lines = ranking.news_targets(rows)
    assert lines[0].startswith("news target exact >= best peer: MISSED") and "whoosh-lucene-light 0.600" in lines[0]
    assert any(line.startswith("news target latin-official >= 0.95 x exact: met") for line in lines)
    assert any(line.startswith("news target typo >= 0.9 x exact: MISSED") for line in lines)
    rows[3]["mrr"] = 0.5
    assert ranking.news_targets(rows)[0].startswith("news target exact >= best peer: met")


# -------------------------------------------------------------------------------------------- laws

SYNTHETIC_LAW = (
    "ЗАКОН\nза изменение на Закона за водите\n(обн., ДВ, бр. 67 от 1999 г.; изм., бр. 81 от 2000 г.)\n"
    "§ 1. В чл. 2 от Закона за водите думите „води“ се заменят с „водни обекти“.\n"
)


def test_strip_title_removes_the_heading_only() -> None:
    body = rd.strip_title(SYNTHETIC_LAW, "Закон за изменение на Закона за водите")
    assert body.startswith("(обн., ДВ, бр. 67")
    assert "§ 1. В чл. 2 от Закона за водите" in body  # the title's words inside the text stay


def test_strip_title_tolerates_spelling_slips_and_a_note_on_the_same_line() -> None:
    text = "ЗАКОН\nза изменение нa Законa за ХІ конгрес (обн., ДВ, бр. 5 от 2001 г.)\nЧлен единствен. Текст."
    body = rd.strip_title(text, "Закон за изменение на Закона за XI конгрес")
    assert body == "(обн., ДВ, бр. 5 от 2001 г.)\nЧлен единствен. Текст."


def test_strip_title_keeps_debris_before_the_heading_and_texts_without_it() -> None:
    text = "Меню\nНачало\nИЗБОРЕН КОДЕКС\nЧл. 1. Този кодекс урежда изборите."
    assert rd.strip_title(text, "Изборен кодекс") == "Меню\nНачало\nЧл. 1. Този кодекс урежда изборите."
    debris = "Пленарни заседания\nДокументи за пленарна зала\nВидео архив"
    assert rd.title_span(debris, "Закон за държавния бюджет на Република България за 2010 г.") is None
    assert rd.strip_title(debris, "Закон за държавния бюджет на Република България за 2010 г.") == debris


def test_law_queries_drop_repeated_titles_and_debris() -> None:
    laws = [
        {"id": "1", "title": "Закон за водите", "date": "", "body": "текст", "title_found": True},
        {"id": "2", "title": "Закон за горите", "date": "", "body": "текст", "title_found": True},
        {"id": "3", "title": "Закон за горите", "date": "", "body": "текст", "title_found": True},
        {"id": "4", "title": "Закон за лова", "date": "", "body": "Меню", "title_found": False},
    ]
    queries, dropped = rd.law_queries(laws)
    assert [(q.qid, q.text, q.relevant) for q in queries] == [("1", "Закон за водите", frozenset({"1"}))]
    assert dropped == {"repeated_title": 2, "no_law_text": 1}


# ---------------------------------------------------------------------------------------------- CLI


def test_missing_data_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert ranking.main(["--data-dir", str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "shared data folder not found" in err


def _write_synthetic_data(root: Path) -> None:
    (root / "corpora").mkdir(parents=True)
    (root / "eval").mkdir()
    (root / "morph").mkdir()
    laws = [
        ("1", "Закон за водите", "Чл. 1. Водите са национално богатство. Водоемите се опазват."),
        ("2", "Закон за горите", "Чл. 1. Горите в Република България са национално богатство."),
        ("3", "Закон за лова и опазване на дивеча", "Чл. 1. Ловът и дивечът се уреждат тук."),
        ("4", "Закон за изменение на Закона за горите", "§ 1. В чл. 1 думата горите се заменя."),
    ]
    with gzip.open(root / "corpora" / "laws.jsonl.gz", "wt", encoding="utf-8") as fh:
        for law_id, title, body in laws:
            text = "ЗАКОН\n" + title[len("Закон "):] + "\n" + body
            fh.write(json.dumps({"id": law_id, "title": title, "date": "01/02/2003", "url": "", "text": text}) + "\n")
    paras = ["Фотосинтезата протича в хлоропластите на растенията.", "Столицата на Франция е Париж."]
    questions = [
        {"id": f"q{i}", "answerKey": "A", "info": {"subject": "Biology"},
         "question": {"stem": stem, "choices": [{"label": "A", "text": answer, "para": paras[i]},
                                                {"label": "B", "text": "друго", "para": paras[1 - i]}]}}
        for i, (stem, answer) in enumerate([("Къде протича фотосинтезата?", "в хлоропластите"),
                                            ("Коя е столицата на Франция?", "Париж")])
    ]
    with gzip.open(root / "eval" / "exams-dev-bg-with-para.jsonl.gz", "wt", encoding="utf-8") as fh:
        for q in questions:
            fh.write(json.dumps(q, ensure_ascii=False) + "\n")
    news = [
        (0, "Баба Ванга с неочаквано предсказание за Тръмп",
         "Баба Ванга с неочаквано предсказание за Тръмп\nВанга говорила за Тръмп, американския президент."),
        (1, "Баба Ванга с неочаквано предсказание за Тръмп", "Сайтът препубликува: Ванга и президентът Тръмп."),
        (2, "Водите на Черно море ще стигнат до Сливен", "Нов потоп: морето заливало равнината чак до Сливен."),
        (3, "Ядреният Великден", "Кратък текст без значение."),
    ]
    with gzip.open(root / "corpora" / "fakenews-validation.jsonl.gz", "wt", encoding="utf-8") as fh:
        for news_id, title, content in news:
            fh.write(json.dumps({"id": news_id, "title": title, "url": "", "published": "2017-05-17 09:57:00",
                                 "content": content}, ensure_ascii=False) + "\n")
    (root / "morph" / "lemmatization-bg.tsv").write_text("вода\tводите\nвода\tводата\nгора\tгорите\n", "utf-8")
    (root / "morph" / "unimorph-bul.tsv").write_text("лов\tлова\tN;SG;DEF\nлов\tловът\tN;SG;DEF\n", "utf-8")


def test_end_to_end_on_synthetic_data(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "data"
    _write_synthetic_data(data)
    out = tmp_path / "out.json"
    assert ranking.main(["--data-dir", str(data), "--split", "all", "--jobs", "1", "--json", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "== laws" in printed and "== news" in printed and "== exams" in printed and "timings" in printed
    assert "news target exact >= best peer" in printed
    report = json.loads(out.read_text("utf-8"))
    laws = report["tasks"]["laws"]
    assert laws["documents"] == 4 and laws["queries_all_splits"] == 4
    rows = laws["tables"]["all"]
    assert {r["system"] for r in rows} == set(ranking.SYSTEMS)
    assert {r["variant"] for r in rows} == set(ranking.LAW_VARIANTS)
    exact = next(r for r in rows if r["system"] == "bgsearch" and r["variant"] == "exact")
    assert exact["queries"] == 4 and exact["mrr"] > 0.5 and exact["ratio"] == 1.0
    per_query = laws["per_query"]["bgsearch"]["inflected"]
    assert {q["qid"] for q in per_query} == {"1", "2", "3", "4"}
    assert any("вод" in q["query"] and "водите" not in q["query"] for q in per_query)
    news = report["tasks"]["news"]
    assert news["documents"] == 4 and news["queries_all_splits"] == 2
    assert news["dropped"] == {"short_title": 1, "repeated_title": 1} and news["title_heading_stripped"] == 1
    rows = news["tables"]["all"]
    assert {r["variant"] for r in rows} == set(ranking.NEWS_VARIANTS)
    exact = next(r for r in rows if r["system"] == "bgsearch" and r["variant"] == "exact")
    assert exact["queries"] == 2 and exact["mrr"] > 0.5
    trump = next(q for q in news["per_query"]["bgsearch"]["exact"] if q["qid"] == "news-0")
    assert trump["relevant"] == ["news-0", "news-1"]
    mixed = {q["qid"]: q["query"] for q in news["per_query"]["bgsearch"]["mixed"]}
    assert all(_scripts(text) == {"cyrillic", "latin"} for text in mixed.values())
    exams = report["tasks"]["exams"]
    assert exams["documents"] == 2
    qa = next(r for r in exams["tables"]["all"] if r["system"] == "bgsearch" and r["variant"] == "question+answer")
    assert qa["queries"] == 2 and qa["r10"] == 1.0


# ------------------------------------------------------------------------------ the real shared data


def test_real_lemma_tables_and_law_headings() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared data folder not available")
    morph = rd.Morphology.load(SHARED_DATA)
    assert "закон" in morph.alternatives("закона")
    with gzip.open(SHARED_DATA / rd.LAWS_FILE, "rt", encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    body = rd.strip_title(first["text"], first["title"])
    assert not body.startswith("ЗАКОН") and first["title"][6:] not in body[:300]


def test_real_news_titles_and_variants() -> None:
    if not SHARED_DATA.is_dir():
        pytest.skip("shared data folder not available")
    articles = rd.load_news(SHARED_DATA)
    assert len(articles) == 761 and len({a["id"] for a in articles}) == 761
    stops = rd.read_stopwords(rd.SAVOY_STOPWORDS)
    queries, dropped = rd.news_queries(articles, stops)
    assert 600 < len(queries) < 700 and dropped["repeated_title"] > 50 and 0 < dropped["short_title"] < 30
    by_id = {a["id"]: a for a in articles}
    for q in queries:
        assert q.qid in q.relevant and all(" ".join(by_id[r]["title"].lower().split()) == " ".join(q.text.lower().split())
                                           or by_id[r]["text_key"] == by_id[q.qid]["text_key"] for r in q.relevant)
    stripped = [a for a in articles if a["title_found"]]
    assert 50 < len(stripped) < 200
    heading = next(a for a in stripped if a["title"].startswith("Светът бил на ръба на Трета световна война"))
    assert not heading["body"].startswith("Светът бил") and heading["body"].startswith("25.01.2017")
    latin_brands = [q for q in queries if "latin" in _scripts(q.text)]
    assert len(latin_brands) > 20  # site names and brands stay in the queries as they are
    mixed_both = typo_changed = 0
    for q in queries[:200]:
        mixed = rd.mixed_variant(q.text, rd.latin_fallback, random.Random(f"0/mixed/{q.qid}"))
        assert mixed == rd.mixed_variant(q.text, rd.latin_fallback, random.Random(f"0/mixed/{q.qid}"))
        cyrillic_words = [w for w in rd.plain_query(q.text).split() if "cyrillic" in _scripts(w)]
        if len(cyrillic_words) >= 2:
            assert _scripts(mixed) == {"cyrillic", "latin"}, (q.text, mixed)
            mixed_both += 1
        typo = rd.typo_variant(q.text, random.Random(f"0/typo/{q.qid}"))
        long_words = [w for w in q.text.split() if any(len(x) >= 5 for x in rd._LETTERS.findall(w))]
        if long_words:
            assert typo != q.text and len(typo.split()) == len(q.text.split())
            typo_changed += 1
    assert mixed_both > 180 and typo_changed > 180


def test_harness_latin_makes_the_latin_queries_without_bgsearch(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _write_synthetic_data(data)
    out = tmp_path / "out.json"
    argv = ["--data-dir", str(data), "--task", "news", "--split", "all", "--systems", "bgsearch", "--jobs", "1"]
    try:
        assert ranking.main([*argv, "--harness-latin", "--json", str(out)]) == 0
    finally:
        ranking._HARNESS_LATIN = False
    report = json.loads(out.read_text("utf-8"))
    assert report["settings"]["harness_latin"] is True
    per_query = report["tasks"]["news"]["per_query"]["bgsearch"]
    titles = {q["qid"]: q["query"] for q in per_query["exact"]}
    for style in ("official", "informal"):
        for q in per_query[f"latin-{style}"]:
            assert q["query"] == rd.plain_query(rd.latin_fallback(titles[q["qid"]], style))
