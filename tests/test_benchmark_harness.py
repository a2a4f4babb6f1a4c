"""Fast checks of the speed benchmark harness (benchmarks/speed.py, benchmarks/corpora.py); no timing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(REPO_ROOT))

from benchmarks import corpora, speed  # noqa: E402

LAW = """ЗАКОН
за тестовите данни
(обн., ДВ, бр. 1 от 2000 г.)
Глава първа
ОБЩИ ПОЛОЖЕНИЯ
Чл. 1. (1) Този закон урежда тестовете.
(2) Съгласно чл. 5, ал. 2 тестовете са бързи.
Чл. 2а. Създава се нов текст:
“Чл. 7. Цитиран член, който не е заглавие.”
Чл. 3
Заглавие без точка, на отделен ред.
Чл. 5, ал. 2 се отменя.
§ 1. Законът влиза в сила от деня на обнародването.
§ 2а
Преходна разпоредба.
"""


def test_split_units_at_article_headings() -> None:
    units = corpora.split_units(LAW)
    assert [u.heading for u in units] == ["", "Чл. 1", "Чл. 2а", "Чл. 3", "§ 1", "§ 2а"]
    assert [u.number for u in units] == [0, 1, 2, 3, 4, 5]
    assert units[0].text.startswith("ЗАКОН") and units[0].text.endswith("ОБЩИ ПОЛОЖЕНИЯ")
    assert "Съгласно чл. 5, ал. 2" in units[1].text  # a reference inside a line is no heading
    assert "“Чл. 7." in units[2].text  # quoted amendment text stays in the unit that amends it
    assert units[3].text.endswith("Чл. 5, ал. 2 се отменя.")  # "Чл. 5," at a line start is a reference
    assert units[5].text == "§ 2а\nПреходна разпоредба."


def test_split_units_without_headings_and_without_preamble() -> None:
    assert [(u.heading, u.text) for u in corpora.split_units("Само текст.\n")] == [("", "Само текст.")]
    assert [u.heading for u in corpora.split_units("Чл. 1. Първи.\nЧл. 2. Втори.")] == ["Чл. 1", "Чл. 2"]
    assert corpora.split_units("  \n") == []


def test_law_units_make_documents() -> None:
    law = {"id": "42", "title": "Закон за тестовете", "date": "16/02/2006", "url": "https://x/42", "text": LAW}
    docs = list(corpora.law_units(law))
    assert [d["id"] for d in docs] == ["42-0", "42-1", "42-2", "42-3", "42-4", "42-5"]
    assert docs[0]["title"] == "Закон за тестовете"
    assert docs[1]["title"] == "Закон за тестовете — Чл. 1"
    assert {d["date"] for d in docs} == {"2006-02-16"}
    assert all(d["body"] and d["url"] == "https://x/42" for d in docs)


def test_iso_date() -> None:
    assert corpora.iso_date("16/02/2006") == "2006-02-16"
    assert corpora.iso_date("2017-05-17 09:57:00") == "2017-05-17"
    assert corpora.iso_date("") is None
    assert corpora.iso_date("вчера") is None


def test_transliteration_and_misspelling() -> None:
    assert speed.transliterate("щастие") == "shtastie"
    assert speed.transliterate("история") == "istoria"  # final -ия is -ia
    assert speed.transliterate("юнак") == "yunak"
    rng = speed.random.Random(1)
    for word in ("министерство", "законите", "република"):
        wrong = speed.misspell(word, rng)
        assert wrong != word and wrong[0] == word[0] and abs(len(wrong) - len(word)) <= 1


def _synthetic_inputs() -> tuple[dict[str, list[str]], list[dict[str, str]]]:
    letters = "абвгдежзийклмнопрстуфхцчшщъьюя"
    vocab = [f"дума{letters[i % 30]}{letters[i // 30 % 30]}{letters[i // 900 % 30]}" for i in range(20_000)]
    wordfreq = [(w, 1.0 / (rank + 1)) for rank, w in enumerate(["на", "и", "закон", *vocab])]
    words = speed.query_words(wordfreq, {"на", "и"})
    docs = [
        {"id": str(i), "body": f"Министерството на финансите утвърждава годишния бюджет {i}. Съдът решава спора.",
         "date": f"{2000 + i % 10}-01-0{1 + i % 9}"}
        for i in range(50)
    ]
    return words, docs


def test_query_mix_is_deterministic_for_a_seed() -> None:
    words, docs = _synthetic_inputs()
    assert "на" not in words["high"] and words["high"][0] == "закон"
    first = speed.query_mix(words, docs, {"на", "и"}, seed=7, per_class=12)
    again = speed.query_mix(words, docs, {"на", "и"}, seed=7, per_class=12)
    other = speed.query_mix(words, docs, {"на", "и"}, seed=8, per_class=12)
    assert first == again
    assert first != other
    assert {q.cls for q in first} == set(speed.QUERY_CLASSES)
    assert all(sum(q.cls == cls for q in first) == 12 for cls in speed.QUERY_CLASSES)
    for q in first:
        if q.cls == "phrase":
            assert q.text.startswith('"') and q.text.strip('"') in docs[0]["body"].lower().replace(".", "")
            assert 2 <= len(q.text.split()) <= 3 and " на " not in q.text
        elif q.cls == "date":
            assert q.date_from is not None and q.date_to is not None and q.date_from <= q.date_to
        elif q.cls == "latin":
            assert q.text.isascii()
        elif q.cls == "misspelled":
            assert len(q.text) >= 5
        else:
            assert len(q.text.split()) == int(q.cls[0])


def test_percentile() -> None:
    assert speed.percentile([3.0, 1.0, 2.0], 50) == 2.0
    assert speed.percentile([1.0, 2.0], 95) == pytest.approx(1.95)
    assert speed.percentile([5.0], 99) == 5.0


def test_query_mix_on_shared_data_is_deterministic() -> None:
    try:
        data = corpora.data_dir()
        docs = corpora.load_corpus("laws", data, 200)
        wordfreq = corpora.load_wordfreq(data)
    except corpora.DataMissingError:
        pytest.skip("shared data not available")
    stops = speed.mix_stop_words()
    words = speed.query_words(wordfreq, stops)
    assert set(words) == {"high", "mid", "low", "rare"}
    mix = speed.query_mix(words, docs, stops, seed=3, per_class=5)
    assert mix == speed.query_mix(words, docs, stops, seed=3, per_class=5)
    assert len(mix) == 5 * len(speed.QUERY_CLASSES)


def test_missing_data_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert speed.main(["--data-dir", str(tmp_path / "absent"), "--analyzer-only"]) == speed.EXIT_ERROR
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "shared data not found" in err and "Traceback" not in err


def test_first_time_queries_and_incremental_update_on_a_small_index(tmp_path: Path) -> None:
    """The bgsearch-only measures run on a real index: every query of the mix is timed once
    after another mix warmed the process, and 3 documents are added to the index per run."""
    law = {"id": "42", "title": "Закон за тестовете", "date": "16/02/2006", "url": "https://x/42", "text": LAW}
    docs = list(corpora.law_units(law))
    speed.BgsearchEngine().build(tmp_path / "ix", docs)
    words, _ = _synthetic_inputs()
    mix = speed.query_mix(words, docs, {"на", "и"}, seed=1, per_class=4)
    warm = speed.query_mix(words, docs, {"на", "и"}, seed=2, per_class=4)
    first = speed.bench_first_time(tmp_path / "ix", warm, mix)
    assert first["all"]["n"] == len(mix) and set(first) == {*speed.QUERY_CLASSES, "all"}
    assert all(first[cls]["p50_ms"] <= first[cls]["p95_ms"] for cls in first)
    added = speed.bench_incremental(tmp_path / "ix", docs, 3, runs=2)
    assert added["count"] == 3 and added["index_docs"] == len(docs) + 6  # two runs, new ids each
    assert added["add_s"] > 0 and added["analysis_s"] > 0
