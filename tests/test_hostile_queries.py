"""Hostile queries (issue 6): each gives a clear one-line QuerySyntaxError or a sensible result,
never another exception, on the seed index and on an index of ~3,000 law units (when
../shared/data/corpora/laws.jsonl.gz is there). Query times are measured and printed, never
asserted: `pytest tests/test_hostile_queries.py -s` shows the slowest."""

from __future__ import annotations

import json
import random
import re
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import pytest

from bgsearch import Index
from bgsearch.errors import InvalidArgumentError, QuerySyntaxError
from bgsearch.query import MAX_CLAUSES, MAX_DEPTH
from bgsearch.query.expand import MAX_GROUPED_WORDS, MAX_NEGATIONS, MAX_PREFIXES
from conftest import shared_file
from robustness_helpers import ROOT, one_line, run_bgsearch, seed_sentences

LAW_UNITS = 3000
TIMES: dict[str, float] = {}

_words = " ".join(seed_sentences()).replace('"', "")
REAL_TEXT_10K = (_words * (10_000 // len(_words) + 1))[:10_000]


@dataclass(frozen=True)
class Hostile:
    name: str
    query: str
    expect: str  # "ok": a result; "syntax": QuerySyntaxError; "argument": InvalidArgumentError; "either"
    options: dict[str, Any] = field(default_factory=dict)
    message: str = ""  # a pattern the error message or a notice must match


HOSTILE = [
    Hostile("empty", "", "ok", message="the query is empty"),
    Hostile("white space only", " \t\n\r ", "ok", message="the query is empty"),
    Hostile("only stop words", "и на за от по", "ok", message="only stop words"),
    Hostile("only punctuation", "!!! ... ,,, ??? — «» „“ ; : / \\ & | ~ ^", "ok"),
    Hostile("empty parentheses", "()", "syntax", message="empty parentheses"),
    Hostile("reversed parentheses", ")(", "syntax", message="unbalanced parenthesis"),
    Hostile("10,000 letters in one word", "а" * 10_000, "ok"),
    Hostile("10,000 Latin letters", "ab" * 5_000, "ok"),
    Hostile("10,000 characters of words", REAL_TEXT_10K, "syntax", message=f"at most {MAX_CLAUSES} words"),
    Hostile("10,000 NUL bytes", "\x00" * 10_000, "ok"),
    Hostile("10,000 parentheses", "(" * 5_000 + "санкции" + ")" * 5_000, "syntax", message="nested too deeply"),
    Hostile("nesting at the limit", "(" * MAX_DEPTH + "санкции" + ")" * MAX_DEPTH, "ok"),
    Hostile("nesting one over the limit", "(" * (MAX_DEPTH + 1) + "санкции" + ")" * (MAX_DEPTH + 1), "syntax"),
    Hostile("unclosed parenthesis", "((санкции Лукашенко", "syntax", message="never closed"),
    Hostile("unopened parenthesis", "санкции))", "syntax", message="no matching"),
    Hostile("unbalanced quote", '"политически затворници', "ok"),
    Hostile("a lone quote", '"', "ok"),
    Hostile("many quotes", '""""""" "" "', "ok"),
    Hostile("quotes inside a word", 'сан"кц"ии"', "ok"),
    Hostile("star alone", "*", "syntax", message="wildcard"),
    Hostile("stars alone", "** ***", "syntax", message="wildcard"),
    Hostile("leading wildcard", "*ция", "syntax", message="wildcard"),
    Hostile("inner wildcard", "санк*ции", "ok", message="hidden letter"),
    Hostile("one-letter prefix", "с*", "syntax", message="at least 2 letters"),
    Hostile("double trailing star", "санкц**", "ok"),
    Hostile("question mark", "?ция санкци?", "ok"),
    Hostile("unknown field", "foo:bar", "ok", message="there is no field 'foo'"),
    Hostile("unknown Cyrillic field", "автор:Иван", "ok", message="there is no field 'автор'"),
    Hostile("field with nothing after it", "title:", "ok"),
    Hostile("colon alone", ": :: title::x", "ok"),
    Hostile("field with parenthesis", "title:(Беларус)", "either"),
    Hostile("id that looks like a path", "id:../../etc/passwd", "ok"),
    Hostile("date 0000-01-01", "date:0000-01-01", "syntax", message=r"date:0000-01-01: use date:YYYY-MM-DD"),
    Hostile("date 9999-12-31", "date:9999-12-31", "ok"),
    Hostile("month 13", "date:2025-13", "syntax"),
    Hostile("30 February", "date:2025-02-30", "syntax"),
    Hostile("a word as date", "date:вчера", "syntax"),
    Hostile("open range on both sides", "date:..", "either"),
    Hostile("reversed range", "date:2025-12-31..2025-01-01", "ok"),
    Hostile("huge year", "date:99999999-01-01", "syntax"),
    Hostile("--from month 13", "санкции", "syntax", {"date_from": "2025-13-01"}, message="impossible date"),
    Hostile("--to year 0", "санкции", "syntax", {"date_to": "0000-00-00"}, message="date filter"),
    Hostile("--from after --to", "санкции", "syntax", {"date_from": "2025-12-31", "date_to": "2025-01-01"},
            message="is after the end"),
    Hostile("--from a word", "санкции", "syntax", {"date_from": "вчера"}, message="invalid date"),
    Hostile("--from 9999-12-31", "санкции", "ok", {"date_from": "9999-12-31"}),
    Hostile("NUL inside words", "санкции\x00Лукашенко\x00", "ok"),
    Hostile("NUL in a field", "id:\x00 title:\x00x", "ok"),
    Hostile("terminal escapes", "\x1b[31mсанкции\x1b[0m \x07\x08\x7f", "ok"),
    Hostile("bidi override and zero-width", "\u202eсанкции\u202c \u200bЛукашенко\ufeff", "ok"),
    Hostile("lone surrogates", "\ud800 санкции \udfff id:\ud800 source:\udc00", "ok"),
    Hostile("emoji", "🙂🙂 санкции 👍", "ok"),
    Hostile("NOT alone", "NOT", "syntax"),
    Hostile("OR alone", "OR", "syntax"),
    Hostile("AND alone", "AND", "syntax"),
    Hostile("dangling OR", "санкции OR", "syntax"),
    Hostile("dangling NOT", "санкции NOT", "syntax"),
    Hostile("only a negation", "NOT санкции", "ok"),
    Hostile("minus alone", "- -- ---", "ok"),
    Hostile("words at the limit", " ".join(["санкции"] * MAX_CLAUSES), "ok"),
    Hostile("one word over the limit", " ".join(["санкции"] * (MAX_CLAUSES + 1)), "syntax", message="too long"),
    # real law titles run to 212 words: a pasted one is searched, by its first words
    Hostile("300 words of real text", " ".join(REAL_TEXT_10K.split()[:300]), "ok", message="searched by the first 64"),
    Hostile("63 ORs", " OR ".join(["санкции", "Лукашенко", "Беларус"] * 21), "ok"),
    Hostile("limit 0", "санкции", "argument", {"limit": 0}, message="limit must be between 1 and 1000"),
    Hostile("negative limit", "санкции", "argument", {"limit": -5}),
    Hostile("huge limit", "санкции", "argument", {"limit": 10**9}),
    Hostile("limit at the maximum", "санкции", "ok", {"limit": 1000}),
    Hostile("negative offset", "санкции", "argument", {"offset": -1}, message="offset must be 0 or more"),
    Hostile("huge offset", "санкции", "ok", {"offset": 10**12}),
    Hostile("no translit, no fuzzy", "Lukashenko sankcii", "ok", {"transliterate": False, "fuzzy": False}),
    Hostile("64 long Latin words", " ".join(
        "".join(random.Random(i).choice("abcdefghijklmnopqrstuvwxyz") for _ in range(60)) for i in range(64)), "ok"),
    Hostile("64 misspelled words", " ".join(["законодателствя", "министерствя", "правителствя", "администрацея"] * 16),
            "ok"),
    # 64 different misspelled words of the seed articles (adjacent letters swapped): every lookup differs.
    Hostile("64 distinct misspelled words", " ".join(
        w[:2] + w[3] + w[2] + w[4:] for w in sorted({w for w in _words.lower().split() if len(w) >= 6 and w.isalpha()})[:64]),
        "ok"),
]

# Issue 14: bounded work. The commonest words of the law units (one each of 33 stems): the costliest
# OR chain and list of negations the bounds let through, and one word over them.
COMMON = ["думите", "закона", "заменят", "следните", "създава", "правят", "изменя", "срок", "добавя", "реда",
          "европейския", "други", "регламент", "република", "изменения", "комисията", "информация", "съгласно",
          "размер", "съответно", "решение", "сила", "община", "агенция", "лице", "област", "изискванията", "член",
          "извършва", "условията", "орган", "държава", "министерството"]
COMMON_64 = COMMON + ["относно", "дейност", "изречение", "услуги", "министъра", "съвет", "включително", "територията",
                      "народното", "случаите", "съответствие", "българия", "алинея", "изпълнение", "глава", "управление",
                      "става", "средства", "определени", "данни", "разходи", "право", "извършване", "свързани",
                      "разпоредби", "защита", "производство", "националната", "раздел", "предоставя", "датата"]
_DISTINCT = [f"дума{chr(ord('а') + i // 26)}{chr(ord('а') + i % 26)}" for i in range(1024)]
assert len(COMMON) == MAX_GROUPED_WORDS + 1
HOSTILE += [
    Hostile("40,000 trailing spaces", "санкции" + " " * 40_000, "ok"),
    Hostile("40,000 leading spaces", " " * 40_000 + "санкции", "ok"),
    Hostile("40,000 white space characters between words", "санкции" + "\t\n \u00a0" * 10_000 + "Беларус", "ok"),
    Hostile("40,000 spaces only", " " * 40_000, "ok", message="the query is empty"),
    Hostile("40,000 colons", ":" * 40_000, "ok"),
    Hostile("40,000 hyphens", "-" * 40_000, "ok"),
    Hostile("20,000 quotes and spaces", '" ' * 20_000, "syntax", message="too long"),
    Hostile("за* OR-ed 16 times", " OR ".join(["за*"] * 16), "ok"),
    Hostile("по* OR-ed 512 times", " OR ".join(["по*"] * 512), "ok"),
    Hostile("the same word OR-ed 1,024 times", " OR ".join(["санкции"] * 1024), "ok"),
    Hostile("two short prefixes", "за* по*", "ok"),
    Hostile("two short prefixes OR-ed", "за* OR по*", "ok"),
    Hostile("16 different prefixes OR-ed", " OR ".join(f"{a}{b}*" for a in "зпнс" for b in "аоре"), "syntax",
            message=f"at most {MAX_PREFIXES}"),
    Hostile("one prefix over the limit", " ".join(["за*", "по*", "пр*"][: MAX_PREFIXES + 1]), "syntax",
            message="prefixes"),
    Hostile("1,024 different words OR-ed", " OR ".join(_DISTINCT), "syntax", message=f"at most {MAX_GROUPED_WORDS}"),
    Hostile("32 common words OR-ed", " OR ".join(COMMON[:MAX_GROUPED_WORDS]), "ok"),
    Hostile("33 common words OR-ed", " OR ".join(COMMON), "syntax", message=f"at most {MAX_GROUPED_WORDS}"),
    Hostile("16 groups of two common words", " ".join(f"({a} OR {b})" for a, b in zip(COMMON[:32:2], COMMON[1:32:2])),
            "ok"),
    Hostile("a word and 31 common words negated", "закон " + " ".join(f"-{w}" for w in COMMON[1:MAX_GROUPED_WORDS]), "ok"),
    Hostile("32 common words negated in one NOT", "NOT (" + " OR ".join(COMMON[:MAX_GROUPED_WORDS]) + ")", "ok"),
    Hostile("1,000 NOTs of different words", " ".join(f"NOT {w}" for w in _DISTINCT[:1000]), "syntax",
            message=f"at most {MAX_GROUPED_WORDS}"),
    Hostile("1,000 minus words", " ".join(f"-{w}" for w in _DISTINCT[:1000]), "syntax"),
    Hostile("a word and 1,000 minus words", "санкции " + " ".join(f"-{w}" for w in _DISTINCT[:1000]), "syntax"),
    Hostile("1,000 minus words in 30 parentheses", "(" * 30 + " ".join(f"-{w}" for w in _DISTINCT[:1000]) + ")" * 30,
            "syntax"),
    Hostile("1,000 different dates in a group", "закон OR (" + " ".join(
        f"date:{2000 + i // 365}-{1 + i % 365 // 31:02d}-{1 + i % 31 % 28:02d}" for i in range(1000)) + ")", "syntax",
        message=f"at most {MAX_GROUPED_WORDS}"),
    Hostile("31 dates excluded in a group", "закон (" + " ".join(f"-date:2020-01-{d:02d}" for d in range(1, 32)) + ")",
            "ok"),
    Hostile("500 NOTs OR-ed", " OR ".join(f"NOT {w}" for w in _DISTINCT[:500]), "syntax"),
    Hostile("NOT nested 31 deep", "".join(f"NOT ({w} " for w in COMMON[:31]) + "x" + ")" * 31, "syntax",
            message=f"separate negations .*; at most {MAX_NEGATIONS}"),
    Hostile("NOT nested at the limit", "".join(f"NOT ({w} " for w in COMMON[:MAX_NEGATIONS]) + "x" + ")" * MAX_NEGATIONS,
            "ok"),
    Hostile("negations nested in 31 groups", "закон " + "".join(f"(-{w} " for w in COMMON[:31]) + ")" * 31, "syntax"),
    Hostile("negations nested in groups at the limit",
            "закон " + "".join(f"(-{w} " for w in COMMON[:MAX_NEGATIONS]) + ")" * MAX_NEGATIONS, "ok"),
    Hostile("NOT inside ORs at the limit",
            " ".join(f"({a} OR NOT {b})" for a, b in zip(COMMON[:2 * MAX_NEGATIONS:2], COMMON[1:2 * MAX_NEGATIONS:2])), "ok"),
    Hostile("negations side by side in groups",
            "закон " + " ".join(f"(-{a} -{b})" for a, b in zip(COMMON[:2 * MAX_NEGATIONS:2], COMMON[1:2 * MAX_NEGATIONS:2])), "ok"),
    # Not bounded by issue 14's caps: a long plain query is searched by its first 64 words (as before).
    Hostile("64 common law words", " ".join(COMMON_64), "ok"),
    Hostile("quoted id", 'id:"x"', "ok"),
    Hostile("quoted id with a space", 'id:"a b"', "ok"),
    Hostile("quoted source with a space", 'source:"Дневник Online"', "ok"),
    Hostile("quoted empty id", 'id:""', "ok"),
    Hostile("10,000-character quoted id", 'id:"' + "я" * 10_000 + '"', "ok"),
]

PREFIXES = ["по*", "пр*", "за*", "на*", "чл*", "ал*"]


def _run(ix: Index, case: Hostile, corpus: str) -> None:
    started = time.perf_counter()
    try:
        results = ix.search(case.query, **case.options)
    except (QuerySyntaxError, InvalidArgumentError) as exc:
        TIMES[f"{corpus}: {case.name}"] = time.perf_counter() - started
        message = str(exc)
        kind = "syntax" if isinstance(exc, QuerySyntaxError) else "argument"
        assert case.expect in (kind, "either"), f"unexpected {type(exc).__name__}: {message}"
        assert one_line(message) and len(message) < 300, message
        assert re.search(case.message, message), message
        return
    TIMES[f"{corpus}: {case.name}"] = time.perf_counter() - started
    assert case.expect in ("ok", "either"), "expected a QuerySyntaxError"
    limit = case.options.get("limit", 10)
    assert len(results.hits) <= limit and results.total >= len(results.hits)
    offset = case.options.get("offset", 0)
    if offset >= results.total:
        assert results.hits == []
    for notice in results.notices:
        assert one_line(notice), notice
    if case.message:
        assert any(re.search(case.message, n) for n in results.notices), results.notices
    for hit in results.hits:
        for start, end in hit.highlights:
            assert 0 <= start < end <= len(hit.snippet)
    json.dumps([hit.to_dict() for hit in results.hits], ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_query_on_the_seed_index(case: Hostile, seed_index: Index) -> None:
    _run(seed_index, case, "seeds")


@pytest.fixture(scope="module")
def laws_index(tmp_path_factory: pytest.TempPathFactory) -> Index:
    """The first ~3,000 law units, built once."""
    data = shared_file("corpora/laws.jsonl.gz").parents[1]
    if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
        sys.path.insert(0, str(ROOT))
    from benchmarks.corpora import load_corpus

    docs = load_corpus("laws", data, limit=LAW_UNITS)
    ix = Index.create(tmp_path_factory.mktemp("laws") / "index")
    result = ix.add_documents(docs)
    assert result.indexed == len(docs) and not result.rejected
    yield ix
    ix.close()


@pytest.mark.parametrize("case", HOSTILE, ids=[c.name for c in HOSTILE])
def test_hostile_query_on_the_laws_index(case: Hostile, laws_index: Index) -> None:
    _run(laws_index, case, "laws")


@pytest.mark.parametrize("prefix", PREFIXES)
def test_short_prefix_expansion_is_bounded_on_the_laws_index(prefix: str, laws_index: Index) -> None:
    from bgsearch.engine.compile import MAX_PREFIX_POSTINGS, MAX_PREFIX_TERMS, BoundedPrefix

    reader = laws_index.searcher().reader()
    stem = prefix.rstrip("*")
    started = time.perf_counter()
    results = laws_index.search(prefix)
    TIMES[f"laws: prefix {prefix}"] = time.perf_counter() - started
    assert results.total > 0 and len(results.hits) == 10
    available = sum(1 for _ in reader.expand_prefix("body", stem))
    used = BoundedPrefix("body", stem)._btexts(reader)
    assert 1 <= len(used) <= min(available, MAX_PREFIX_TERMS)
    postings = sum(reader.doc_frequency("body", term) for term in used)
    assert len(used) == 1 or postings <= MAX_PREFIX_POSTINGS
    for hit in results.hits:
        for start, end in hit.highlights:
            assert hit.snippet[start:end].lower().startswith(stem)
    if prefix == "по*":
        assert available > MAX_PREFIX_TERMS  # the cap is really exercised


@pytest.mark.parametrize("args", [
    ["*"], ["(((("], ["date:0000-01-01"], ["санкции", "--from", "2025-13-01"], ["санкции", "--limit", "0"],
    ["санкции", "--offset", "-1"], ["NOT"],
], ids=lambda a: " ".join(a))
def test_cli_gives_exit_2_and_one_line_for_a_bad_query(args: list[str], seed_index: Index) -> None:
    run = run_bgsearch("query", *args, "--index", str(seed_index.path))
    assert run.returncode == 2 and run.stdout == ""
    assert len(run.stderr.splitlines()) == 1 and one_line(run.stderr), run.stderr


@pytest.mark.parametrize("query", ["", "и на за", "\x01 санкции\x1b[0m", "foo:bar Беларус", "date:9999-12-31"])
def test_cli_gives_a_sensible_answer_to_an_odd_query(query: str, seed_index: Index) -> None:
    run = run_bgsearch("query", query, "--json", "--index", str(seed_index.path))
    assert run.returncode in (0, 1), run.stderr
    assert "Traceback" not in run.stderr
    for line in run.stdout.splitlines():
        json.loads(line)


# -- regressions: these once raised RecursionError -------------------------------------------------


@pytest.mark.parametrize("query", ["NOT " * 5_000 + "санкции", "NOT (" * 20 + "NOT " * 3_000 + "x" + ")" * 20],
                         ids=["5,000 NOTs", "3,000 NOTs inside parentheses"])
def test_a_long_chain_of_not_is_answered(query: str, seed_index: Index) -> None:
    # An even number of NOTs cancels out; the chain is read in a loop, not by recursion.
    if query.startswith("NOT NOT"):
        assert len(seed_index.search(query).hits) == 2
    try:
        seed_index.search(query)
    except QuerySyntaxError as exc:
        assert one_line(str(exc))


@pytest.mark.parametrize("query", [
    '"' + " ".join(["Беларус на"] * 1_000)[:9_998] + '"',
    f'"{REAL_TEXT_10K[:9_998]}"',  # 10,000 characters of the seed articles as one phrase
], ids=["repeated words", "seed text"])
def test_a_10000_character_phrase_with_stop_words_is_answered(query: str, seed_index: Index) -> None:
    try:
        results = seed_index.search(query)
    except QuerySyntaxError as exc:
        assert one_line(str(exc))
    else:
        assert results.total <= 2


def test_report_the_slowest_queries() -> None:
    """Prints the slowest query times measured above (nothing is asserted about them)."""
    slowest = sorted(TIMES.items(), key=lambda item: -item[1])[:8]
    print()
    for name, seconds in slowest:
        print(f"slowest query: {seconds * 1000:8.1f} ms  {name}")
