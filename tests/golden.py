"""The golden answers: what bgsearch returns for ~340 queries of every kind, recorded once, so that a
change that must not change a term or a score (a redesign, a speed-up) can be checked against them.

    python tests/golden.py            # compare the working tree against the recorded answers
    python tests/golden.py --write    # record them again (only after a deliberate change of results)

Two sets: the seed articles (always), and the seeds with 3,000 law units spread over the corpus
(needs ../shared). Each record holds a query with its search options and the full answer: every
hit's id, score (9 decimals), stored fields, snippet and highlights, and the total, fallback,
suggestions, "did you mean" and notices. The queries are generated from the documents by a seeded
generator (see `_law_queries`), then stored with the answers: the test replays the stored queries.
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
GOLDEN = ROOT / "tests" / "data" / "golden"
LAW_UNITS = 3_000
_SEED = 20261204
_WORD = re.compile(r"[а-яА-Я]{4,}")


def law_documents() -> list[dict[str, Any]]:
    """3,000 law units spread over the whole corpus (every n-th unit), with the seed articles' shape."""
    sys.path.insert(0, str(ROOT))
    from benchmarks.corpora import data_dir, load_corpus

    units = load_corpus("laws", data_dir(SHARED / "data"))
    step = len(units) // LAW_UNITS
    return units[::step][:LAW_UNITS]


def build_index(path: Path, with_laws: bool) -> Any:
    from bgsearch import Index, load_path

    ix = Index.create(path)
    items: list[Any] = list(load_path(SEEDS))
    if with_laws:
        items += law_documents()
    result = ix.add_documents(items, workers=1)  # one segment, written in order: ties are stable
    assert not result.rejected, result.rejected
    return ix


def answer(ix: Any, query: str, options: dict[str, Any]) -> dict[str, Any]:
    """The full answer to one query, as plain JSON values."""
    from bgsearch import BgsearchError

    try:
        results = ix.search(query, **options)
    except BgsearchError as exc:
        return {"error": str(exc)}
    return {
        "hits": [
            {
                "id": hit.id,
                "score": round(hit.score, 9),
                "title": hit.title,
                "date": hit.date,
                "source": hit.source,
                "url": hit.url,
                "snippet": hit.snippet,
                "highlights": [list(span) for span in hit.highlights],
            }
            for hit in results.hits
        ],
        "total": results.total,
        "fallback": results.fallback,
        "suggestions": results.suggestions,
        "did_you_mean": results.did_you_mean,
        "notices": results.notices,
    }


# -- the queries ---------------------------------------------------------------------------------

SEED_QUERIES: list[tuple[str, dict[str, Any]]] = [
    ("пристанище", {}),
    ("посолства", {}),
    ("санкция", {}),
    ("санкции Лукашенко", {}),
    ("политически затворници", {}),
    ('"политически затворници"', {}),
    ('"министър на финансите"', {}),
    ("Тръмп OR Путин", {}),
    ("(Тръмп OR Путин) санкции", {}),
    ("Беларус NOT Москва", {}),
    ("Беларус -Литва", {}),
    ("NOT Москва", {}),
    ("title:Беларус", {}),
    ("source:БТА", {}),
    ("id:002_963fcec7b18ad73a", {}),
    ('body:"калиеви торове"', {}),
    ("санкц*", {}),
    ("по*", {}),
    ("date:2025-12", {}),
    ("Беларус date:2025-10-01..2025-12-31", {}),
    ("Беларус date:..2025-06-30", {}),
    ("Беларус", {"date_from": "2025-12-01"}),
    ("Беларус", {"date_to": "2025-11-01"}),
    ("Беларус", {"date_from": "2025-10-01", "date_to": "2025-12-31"}),
    ("Lukashenko", {}),
    ("sanktsiite", {}),
    ("Tramp", {}),
    ("pristani6ta", {}),
    ("Lukashenko", {"transliterate": False}),
    ("посолсвото", {}),
    ("посолсвото", {"fuzzy": False}),
    ("Лукашенко освободи затворници", {}),
    ("Беларус Литва балони контрабанда цигари граница", {}),
    ("Беларус", {"snippets": False}),
    ("Беларус", {"limit": 1, "offset": 1}),
    ("", {}),
    ("и на за", {}),
    ("цвят:син", {}),
    ("Ка́кво прави президентът", {}),
    ("Беларус", {"limit": 0}),
    ("Беларус", {"date_from": "2025-13-01"}),
    ('"незатворена фраза', {}),
    ("(Беларус", {}),
]


def _law_queries(docs: list[dict[str, Any]]) -> list[tuple[str, dict[str, Any]]]:
    """~300 queries of every kind the README lists, made from the documents by a seeded generator."""
    from bgsearch.analysis.translit import to_latin

    rng = random.Random(_SEED)
    bodies = [doc["body"] for doc in docs]
    words_of = [_WORD.findall(body) for body in bodies]
    with_words = [words for words in words_of if len(words) >= 8]

    def word() -> str:
        return rng.choice(rng.choice(with_words))

    def run(n: int) -> list[str]:
        words = rng.choice(with_words)
        start = rng.randrange(len(words) - n)
        return words[start : start + n]

    def typo(text: str) -> str:
        i = rng.randrange(1, len(text) - 2)
        kind = rng.randrange(3)
        if kind == 0:
            return text[:i] + text[i + 1 :]  # a letter dropped
        if kind == 1:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]  # neighbours swapped
        return text[:i] + rng.choice("аеиоруст") + text[i + 1 :]  # a letter replaced

    queries: list[tuple[str, dict[str, Any]]] = []
    queries += [(word(), {}) for _ in range(40)]
    queries += [(" ".join(run(2)), {}) for _ in range(25)]
    queries += [(" ".join(run(3)), {}) for _ in range(25)]
    queries += [(f"{word()} {word()}", {}) for _ in range(10)]  # words rarely together: the fallback
    titles = sorted({doc["title"] for doc in docs if doc.get("title")})
    queries += [(rng.choice(titles), {}) for _ in range(15)]  # long queries: any word
    spans = []
    for _ in range(30):
        body = rng.choice(bodies)
        tokens = body.split()
        if len(tokens) > 6:
            start = rng.randrange(len(tokens) - 4)
            spans.append('"' + " ".join(t.strip(".,;:()„“”\"") for t in tokens[start : start + rng.choice((2, 3, 4))]) + '"')
    queries += [(span, {}) for span in spans]
    queries += [(f"{word()} OR {word()}", {}) for _ in range(8)]
    queries += [(f"({word()} OR {word()}) {word()}", {}) for _ in range(7)]
    queries += [(f"{' '.join(run(2))} -{word()}", {}) for _ in range(8)]
    queries += [(f"{word()} NOT {word()}", {}) for _ in range(7)]
    queries += [(f"title:{word()}", {}) for _ in range(8)]
    queries += [(f"source:parliament.bg {word()}", {}) for _ in range(2)]
    queries += [(f"id:{rng.choice(docs)['id']}", {}) for _ in range(4)]
    queries += [(f'body:"{" ".join(run(2))}"', {}) for _ in range(5)]
    queries += [(word()[:4] + "*", {}) for _ in range(12)]
    queries += [(p, {}) for p in ("по*", "за*", "пре*")]
    years = sorted({doc["date"][:4] for doc in docs if doc.get("date")})
    months = sorted({doc["date"][:7] for doc in docs if doc.get("date")})
    queries += [(f"{word()} date:{rng.choice(years)}", {}) for _ in range(5)]
    queries += [(f"{word()} date:{rng.choice(months)}", {}) for _ in range(4)]
    queries += [(f"date:{rng.choice(years)}", {}) for _ in range(2)]
    for _ in range(5):
        start, end = sorted(rng.sample(years, 2))
        queries.append((f"{word()} date:{start}-01-01..{end}-12-31", {}))
    queries += [(f"{word()} date:..{rng.choice(years)}-06-30", {}) for _ in range(3)]
    for _ in range(8):
        start, end = sorted(rng.sample(years, 2))
        queries.append((" ".join(run(2)), {"date_from": f"{start}-01-01", "date_to": f"{end}-12-31"}))
    queries += [(to_latin(" ".join(run(rng.choice((1, 2))))), {}) for _ in range(20)]
    queries += [(to_latin(" ".join(run(rng.choice((1, 2)))), style="informal"), {}) for _ in range(15)]
    long_words = [w for words in with_words for w in words if len(w) >= 7]
    queries += [(typo(rng.choice(long_words)), {}) for _ in range(15)]
    queries += [(f"{typo(rng.choice(long_words))} {word()}", {}) for _ in range(5)]
    queries += [(" ".join(run(2)), {"offset": 10}) for _ in range(5)]
    queries += [(" ".join(run(2)), {"limit": 3, "offset": 2}) for _ in range(3)]
    queries += [(" ".join(run(2)), {"snippets": False}) for _ in range(3)]
    queries += [(to_latin(word()), {"transliterate": False}) for _ in range(3)]
    queries += [(typo(rng.choice(long_words)), {"fuzzy": False}) for _ in range(3)]
    long_text = " ".join(w for words in rng.sample(with_words, 10) for w in words)[:3000]
    queries += [(long_text, {})]
    return queries


# -- recording and comparing ---------------------------------------------------------------------


def records(ix: Any, queries: list[tuple[str, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    for query, options in queries:
        yield {"query": query, "options": options, "answer": answer(ix, query, options)}


def golden_path(name: str) -> Path:
    return GOLDEN / f"{name}.jsonl.gz"


def read_golden(name: str) -> list[dict[str, Any]]:
    with gzip.open(golden_path(name), "rt", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def write_golden(name: str, rows: Iterator[dict[str, Any]]) -> int:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    count = 0
    # mtime=0: the same answers give the same bytes.
    with open(golden_path(name), "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as fh:
        for row in rows:
            fh.write((json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8"))
            count += 1
    return count


def differences(ix: Any, name: str) -> list[str]:
    """Every recorded query whose answer differs now, as one line each."""
    out = []
    for row in read_golden(name):
        now = answer(ix, row["query"], row["options"])
        if now != row["answer"]:
            out.append(f"{row['query']!r} {row['options']}: was {row['answer']}, now {now}")
    return out


def main() -> int:
    import tempfile

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="record the answers again")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        sets = [("seeds", False)] + ([("laws", True)] if (SHARED / "data").is_dir() else [])
        for name, with_laws in sets:
            with build_index(Path(tmp) / name, with_laws) as ix:
                queries = SEED_QUERIES + (_law_queries(law_documents()) if with_laws else [])
                if args.write:
                    print(f"{name}: {write_golden(name, records(ix, queries))} answers recorded")
                else:
                    found = differences(ix, name)
                    print(f"{name}: {len(found)} answers differ", *found[:5], sep="\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
