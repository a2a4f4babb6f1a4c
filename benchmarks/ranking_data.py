"""Data, query variants and metrics for the ranking harness (``benchmarks/ranking.py``).

Nothing here imports Whoosh or bgsearch, so the tests can check it cheaply.

* :func:`load_laws` / :func:`strip_title`: each law of ``corpora/laws.jsonl.gz`` as one document whose
  body is the text without its title heading; :func:`law_queries` makes one known-item query per law whose
  title is unique in the corpus (a repeated title cannot name one law, so those queries are dropped and
  counted; the laws stay in the index as distractors).
* :func:`load_news` / :func:`news_queries`: the news articles of ``corpora/fakenews-validation.jsonl.gz``,
  each body without the heading that repeats its title, and one known-item query per distinct title
  (relevant: every article with that title, and every exact copy of their text); very short titles dropped.
* :func:`load_exams`: EXAMS questions and their deduplicated Wikipedia paragraphs.
* :func:`split_of`: the dev/test half of a query, by a hash of its id.
* Variants of a query: :func:`inflect_variant` (each word replaced by another form of its lemma, from
  the gold lemma lists), :func:`typo_variant` (one random edit per word of 5+ letters),
  :func:`mixed_variant` (a random half of the Cyrillic words in Latin, the rest left as they are),
  :func:`latin_fallback` (a small Cyrillic→Latin table, used only if ``bgsearch.analysis.translit`` is missing).
* Metrics: :func:`first_rank`, :func:`summarize`.
"""

from __future__ import annotations

import difflib
import gzip
import hashlib
import json
import random
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "LAWS_FILE", "NEWS_FILE", "EXAMS_FILE", "LEMMA_FILES", "HarnessError", "Query", "Morphology",
    "plain_query", "title_span", "strip_title", "para_id", "load_laws", "law_queries", "load_news", "news_queries",
    "load_exams", "split_of", "inflect_variant", "typo_variant", "mixed_variant", "latin_fallback", "first_rank", "summarize", "read_stopwords",
]

LAWS_FILE = "corpora/laws.jsonl.gz"
NEWS_FILE = "corpora/fakenews-validation.jsonl.gz"
EXAMS_FILE = "eval/exams-dev-bg-with-para.jsonl.gz"
LEMMA_FILES = ("morph/lemmatization-bg.tsv", "morph/unimorph-bul.tsv")
# Savoy's stop list as bgsearch ships it: what picks the harnesses' query words, the same whatever
# bgsearch's own stop list (analyzer 4.10 adds the other forms of its pronouns and numerals).
SAVOY_STOPWORDS = Path(__file__).resolve().parents[1] / "src" / "bgsearch" / "analysis" / "data" / "stopwords-bg.txt"

CYRILLIC_LOWER = "абвгдежзийклмнопрстуфхцчшщъьюя"
LATIN_LOWER = "abcdefghijklmnopqrstuvwxyz"
_WORD = re.compile(r"[^\W_]+")  # letters and digits
_LETTERS = re.compile(r"[^\W\d_]+")  # letters only
_QUERY_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")  # keeps a hyphen inside a word (по-голям)
_KEYWORDS = {"AND", "OR", "NOT"}


class HarnessError(Exception):
    """A problem the user can fix (missing data); reported as one line, exit status 2."""


@dataclass
class Query:
    qid: str
    text: str
    relevant: frozenset[str]
    meta: dict[str, Any] = field(default_factory=dict)


# ------------------------------------------------------------------------------------------ queries


def plain_query(text: str) -> str:
    """Only the words of ``text``: no quotes, brackets, colons, asterisks or leading minus signs.

    A hyphen inside a word stays (по-голям), and the operator words AND/OR/NOT are lowercased so
    that they are searched for as words.
    """
    words = _QUERY_WORD.findall(text)
    return " ".join(w.lower() if w in _KEYWORDS else w for w in words)


def split_of(qid: str) -> str:
    """``dev`` or ``test``: a fixed half of the queries, by a hash of the query id."""
    return "dev" if hashlib.sha1(qid.encode("utf-8")).digest()[0] % 2 == 0 else "test"


# --------------------------------------------------------------------------------------------- laws

_HOMOGLYPHS = str.maketrans({
    "a": "а", "e": "е", "o": "о", "p": "р", "c": "с", "x": "х", "y": "у", "k": "к", "m": "м",
    "t": "т", "h": "н", "b": "в", "i": "і",
})


def _title_words(text: str) -> list[str]:
    # Roman numerals and mixed-script slips (Законa with a Latin a, ХІ with a Ukrainian І) compare equal.
    return [w.lower().translate(_HOMOGLYPHS) for w in _WORD.findall(text)]


def title_span(text: str, title: str, window: int = 80) -> tuple[int, int] | None:
    """Where the heading that repeats the law's title is in ``text``: [start, end), or None.

    The texts start "ЗАКОН\\n<title>\\n(обн., ...)" (the title sometimes spelt slightly differently,
    sometimes on the same line as the promulgation note, sometimes after a few lines of web-page
    debris). The title's words are aligned with the first ``len(title) + window`` words of the text;
    the longest run of matches at most 4 words apart, if it covers at least 60 % of the title's
    words, is the heading. A few texts are only the debris of a web page (no law at all): None.
    """
    title_words = _title_words(title)
    if not title_words:
        return None
    spans = [(m.start(), m.end()) for _, m in zip(range(len(title_words) + window), _WORD.finditer(text))]
    text_words = [_title_words(text[s:e])[0] for s, e in spans]
    matcher = difflib.SequenceMatcher(None, title_words, text_words, autojunk=False)
    clusters: list[list[int]] = []  # [first text word, last text word, matched words]
    last_a = last_b = 0
    for a, b, size in matcher.get_matching_blocks():
        if size == 0:
            continue
        if clusters and a - last_a <= 4 and b - last_b <= 4:
            clusters[-1][1] = b + size - 1
            clusters[-1][2] += size
        else:
            clusters.append([b, b + size - 1, size])
        last_a, last_b = a + size, b + size
    if not clusters:
        return None
    first, last, matched = max(clusters, key=lambda c: c[2])
    if matched < 0.6 * len(title_words):
        return None
    start, end = spans[first][0], spans[last][1]
    # The heading's own closing punctuation goes too (a full stop, a closing quote or bracket).
    while end < len(text) and text[end] in ".,;:”“\"'»)":
        end += 1
    return start, end


def strip_title(text: str, title: str) -> str:
    """The law's text without the heading that repeats its title (what came before it stays)."""
    span = title_span(text, title)
    if span is None:
        return text.strip()
    before, after = text[: span[0]].rstrip(), text[span[1] :].lstrip()
    return f"{before}\n{after}".strip() if before else after


def _records(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def _need(data: Path, relative: str) -> Path:
    path = data / relative
    if not path.is_file():
        raise HarnessError(f"data file not found: {path}")
    return path


def load_laws(data: Path) -> list[dict[str, Any]]:
    """``[{id, title, date, body}]``: every law, its body the text without the title heading."""
    laws = []
    for rec in _records(_need(data, LAWS_FILE)):
        title = (rec.get("title") or "").strip()
        text = rec.get("text") or ""
        span = title_span(text, title)
        laws.append({
            "id": str(rec["id"]),
            "title": title,
            "date": rec.get("date") or "",
            "body": strip_title(text, title),
            "title_found": span is not None,
        })
    return laws


def law_queries(laws: Sequence[Mapping[str, Any]]) -> tuple[list[Query], dict[str, int]]:
    """One query per law whose title is unique (the title; relevant: that law), and why others were dropped.

    Dropped: ``repeated_title`` (several laws share it, e.g. the 20 amendments of the Labour Code, so
    it cannot name one), and ``no_law_text`` (the scraped text is only web-page debris: the title's
    heading is not in it). All laws stay in the index.
    """
    by_title: dict[str, int] = defaultdict(int)
    for law in laws:
        by_title[" ".join(law["title"].lower().split())] += 1
    queries: list[Query] = []
    dropped = {"repeated_title": 0, "no_law_text": 0}
    for law in laws:
        if by_title[" ".join(law["title"].lower().split())] > 1:
            dropped["repeated_title"] += 1
        elif not law.get("title_found", True) or not law["body"]:
            dropped["no_law_text"] += 1
        else:
            queries.append(Query(law["id"], law["title"], frozenset({law["id"]}), {"date": law["date"]}))
    return queries, dropped


# --------------------------------------------------------------------------------------------- news


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def load_news(data: Path) -> list[dict[str, Any]]:
    """``[{id, title, body, title_found, text_key}]``: every news article with a text, its body the text
    without the heading that repeats its title (found at the start of about one article in seven; the
    others' texts start with the story). ``id`` is ``news-<id>``, as ``benchmarks/corpora.py`` names it;
    ``text_key`` is the whole text, lowercased with its white space collapsed (to find exact copies)."""
    articles = []
    for number, rec in enumerate(_records(_need(data, NEWS_FILE))):
        text = (rec.get("content") or "").strip()
        if not text:
            continue
        title = " ".join((rec.get("title") or "").split())
        articles.append({
            "id": f"news-{rec.get('id', number)}",
            "title": title,
            "body": strip_title(text, title) if title else text,
            "title_found": bool(title) and title_span(text, title) is not None,
            "text_key": _key(text),
        })
    return articles


def news_queries(articles: Sequence[Mapping[str, Any]], stop_words: frozenset[str] = frozenset(),
                 min_words: int = 3) -> tuple[list[Query], dict[str, int]]:
    """One query per distinct title (the title, as written on its first article; qid: that article's id).

    Relevant: every article with the same title (case and spacing aside: the same story republished by
    several sites, or the posts of one forum thread) and every article whose whole text is an exact copy
    of one of theirs. Dropped and counted: ``short_title`` (fewer than ``min_words`` words of letters that
    are not stop words: "Ядреният Великден", "Парламентарни избори 2017" name nothing), and
    ``repeated_title`` (the articles whose title an earlier article already has: merged into its query).
    """
    by_title: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    by_text: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        by_title[_key(article["title"])].append(article)
        by_text[article["text_key"]].add(article["id"])
    queries: list[Query] = []
    dropped = {"short_title": 0, "repeated_title": 0}
    for key, group in by_title.items():
        dropped["repeated_title"] += len(group) - 1
        first = group[0]
        words = [w for w in _LETTERS.findall(first["title"]) if w.lower() not in stop_words]
        if len(words) < min_words:
            dropped["short_title"] += 1
            continue
        relevant = set()
        for article in group:
            relevant |= by_text[article["text_key"]]
        queries.append(Query(first["id"], first["title"], frozenset(relevant), {"articles": len(group)}))
    return queries, dropped


# -------------------------------------------------------------------------------------------- exams


def para_id(text: str) -> str:
    return "p" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def load_exams(data: Path) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """(paragraph id → text, questions). A question: ``{qid, stem, answer, relevant, subject}``.

    Identical paragraphs (several choices often share one) are indexed once. A question whose correct
    choice has no paragraph is left out.
    """
    paragraphs: dict[str, str] = {}
    questions = []
    for rec in _records(_need(data, EXAMS_FILE)):
        question = rec["question"]
        correct = None
        for choice in question["choices"]:
            para = (choice.get("para") or "").strip()
            if para:
                paragraphs.setdefault(para_id(para), para)
            if choice.get("label") == rec.get("answerKey"):
                correct = choice
        if correct is None or not (correct.get("para") or "").strip():
            continue
        questions.append({
            "qid": str(rec["id"]),
            "stem": question["stem"],
            "answer": correct.get("text") or "",
            "relevant": frozenset({para_id(correct["para"].strip())}),
            "subject": (rec.get("info") or {}).get("subject", ""),
        })
    return paragraphs, questions


# ----------------------------------------------------------------------------------------- variants


def read_stopwords(path: Path) -> frozenset[str]:
    words = set()
    for line in path.read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            words.add(line.lower())
    return frozenset(words)


class Morphology:
    """Gold lemma ↔ form tables; :meth:`alternatives` gives the other forms of a word's lemma(s)."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self.form_lemmas: dict[str, set[str]] = defaultdict(set)
        self.lemma_forms: dict[str, set[str]] = defaultdict(set)
        for lemma, form in pairs:
            lemma, form = lemma.strip().lower(), form.strip().lower()
            if not lemma or not form:
                continue
            for f in (form, lemma):  # the lemma is a form of itself (Měchura's list omits it)
                if _LETTERS.fullmatch(f):
                    self.form_lemmas[f].add(lemma)
                    self.lemma_forms[lemma].add(f)

    @classmethod
    def load(cls, data: Path) -> Morphology:
        def pairs() -> Iterator[tuple[str, str]]:
            for relative in LEMMA_FILES:
                with _need(data, relative).open(encoding="utf-8") as lines:
                    for line in lines:
                        cols = line.rstrip("\n").split("\t")
                        if len(cols) >= 2:
                            yield cols[0], cols[1]
        return cls(pairs())

    def alternatives(self, word: str) -> list[str]:
        """Other forms of the lemma(s) of ``word`` (lowercase), sorted; [] if it is unknown."""
        word = word.lower()
        forms: set[str] = set()
        for lemma in self.form_lemmas.get(word, ()):
            forms |= self.lemma_forms[lemma]
        forms.discard(word)
        return sorted(forms)


def _same_case(model: str, word: str) -> str:
    if model.isupper() and len(model) > 1:
        return word.upper()
    if model[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def inflect_variant(text: str, morph: Morphology, rng: random.Random, stop_words: frozenset[str] = frozenset()) -> str:
    """Each word (not a stop word) replaced by another form of its lemma, chosen with ``rng``.

    Words the tables do not know, or whose lemma has no other form, stay as they are.
    """
    def replace(match: re.Match[str]) -> str:
        word = match.group()
        if word.lower() in stop_words:
            return word
        options = morph.alternatives(word)
        return _same_case(word, rng.choice(options)) if options else word

    return _LETTERS.sub(replace, text)


def _alphabet(word: str) -> str:
    return CYRILLIC_LOWER if any("а" <= c <= "я" for c in word.lower()) else LATIN_LOWER


def typo(word: str, rng: random.Random) -> str:
    """One random edit of ``word``: substitution, deletion, insertion or adjacent swap (always a change)."""
    alphabet = _alphabet(word)
    for _ in range(100):
        op = rng.choice(("substitute", "delete", "insert", "swap"))
        i = rng.randrange(len(word))
        if op == "substitute":
            out = word[:i] + rng.choice([c for c in alphabet if c != word[i].lower()]) + word[i + 1:]
        elif op == "delete":
            out = word[:i] + word[i + 1:]
        elif op == "insert":
            i = rng.randrange(len(word) + 1)
            out = word[:i] + rng.choice(alphabet) + word[i:]
        else:
            i = rng.randrange(len(word) - 1)
            out = word[:i] + word[i + 1] + word[i] + word[i + 2:]
        if out.lower() != word.lower():
            return out
    return word  # only for degenerate words (all one letter); not reached for real text


def typo_variant(text: str, rng: random.Random, min_letters: int = 5) -> str:
    """One random edit in every word of at least ``min_letters`` letters."""
    return _LETTERS.sub(lambda m: typo(m.group(), rng) if len(m.group()) >= min_letters else m.group(), text)


_CYRILLIC_WORD = re.compile(r"[^\W_]*[а-яА-ЯѐѝЀЍ][^\W_]*(?:-[^\W_]+)*")  # hyphenated words stay whole


def mixed_variant(text: str, to_latin: Callable[[str, str], str], rng: random.Random) -> str:
    """A random half of the words with Cyrillic letters in Latin, the rest as they are (as people paste
    a title typed half in one script): of n such words, ceil(n / 2) go to Latin, but at least one stays
    Cyrillic when n >= 2. One style for the whole query, chosen with ``rng`` from ``official`` and
    ``informal``; ``to_latin(text, style)`` transliterates a word. Words already in Latin and numbers stay.
    """
    matches = list(_CYRILLIC_WORD.finditer(text))
    n = len(matches)
    style = rng.choice(("official", "informal"))
    count = min(n - 1, (n + 1) // 2) if n >= 2 else n
    chosen = set(rng.sample(range(n), count))
    parts, last = [], 0
    for i, match in enumerate(matches):
        parts.append(text[last : match.start()])
        parts.append(to_latin(match.group(), style) if i in chosen else match.group())
        last = match.end()
    parts.append(text[last:])
    return "".join(parts)


def layout_variant(text: str, layouts: Mapping[str, Mapping[str, str]], rng: random.Random) -> str:
    """The words of ``text`` (``plain_query``) typed with the Latin keyboard layout on, on the keys of
    one Bulgarian layout chosen with ``rng``: ``layouts`` maps each layout's keys to the letters they
    give there (``bgsearch.query.layouts.LAYOUTS``). A letter the layout has no key for stays."""
    keys = {letter: key for key, letter in layouts[rng.choice(sorted(layouts))].items()}
    return "".join(keys.get(char, char) for char in plain_query(text))


# A stand-in for bgsearch.analysis.translit.to_latin when that module is missing (harness only).
_OFFICIAL = dict(zip(
    "абвгдежзийклмнопрстуфхцчшщъьюяѝ",
    ["a", "b", "v", "g", "d", "e", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r", "s", "t",
     "u", "f", "h", "ts", "ch", "sh", "sht", "a", "y", "yu", "ya", "i"],
))
_INFORMAL = {**_OFFICIAL, "ж": "j", "ц": "c", "ч": "4", "ш": "6", "щ": "6t", "ъ": "y", "ю": "iu", "я": "q"}


def latin_fallback(text: str, style: str = "official") -> str:
    table = _OFFICIAL if style == "official" else _INFORMAL

    def word(match: re.Match[str]) -> str:
        w = match.group()
        lower = w.lower()
        parts = [table.get(c, c) for c in lower]
        if style == "official" and lower.endswith("ия"):
            parts[-1] = "a"
        out = "".join(parts)
        return _same_case(w, out)

    return re.sub(r"[а-яА-ЯѝЍ]+", word, text)


# ------------------------------------------------------------------------------------------ metrics


def first_rank(ranked: Sequence[str], relevant: Iterable[str], k: int = 10) -> int | None:
    """1-based rank of the first relevant id among the top ``k``, or None."""
    relevant = set(relevant)
    for rank, doc_id in enumerate(ranked[:k], 1):
        if doc_id in relevant:
            return rank
    return None


def reciprocal_ranks(results: Sequence[tuple[Sequence[str], Iterable[str]]], k: int = 10) -> list[float]:
    """Per (ranking, relevant) pair: 1 / the rank of the first relevant id in the top k, or 0."""
    return [1 / rank if (rank := first_rank(ranked, relevant, k)) else 0.0 for ranked, relevant in results]


def paired_p_value(ours: Sequence[float], theirs: Sequence[float], rounds: int = 10_000, seed: int = 0) -> float:
    """Two-sided paired randomization test of the mean difference (per-query scores of two systems
    on the same queries): the share of random sign flips of the differences whose mean is at
    least as far from zero as the observed one. Small: the difference is unlikely to be chance."""
    import random

    differences = [a - b for a, b in zip(ours, theirs, strict=True)]
    if not differences:
        return 1.0
    observed = abs(sum(differences))
    rng = random.Random(seed)
    extreme = sum(
        abs(sum(d if rng.random() < 0.5 else -d for d in differences)) >= observed - 1e-12 for _ in range(rounds)
    )
    return extreme / rounds


def summarize(results: Sequence[tuple[Sequence[str], Iterable[str]]], k: int = 10) -> dict[str, float | int]:
    """MRR@k, S@1, S@k and R@k (mean share of the relevant ids in the top k) over (ranking, relevant) pairs."""
    n = len(results)
    if n == 0:
        return {"queries": 0, "mrr": 0.0, "s1": 0.0, f"s{k}": 0.0, f"r{k}": 0.0}
    rr = s1 = sk = rk = 0.0
    for ranked, relevant in results:
        relevant = set(relevant)
        rank = first_rank(ranked, relevant, k)
        if rank is not None:
            rr += 1 / rank
            s1 += rank == 1
            sk += 1
        rk += len(relevant & set(ranked[:k])) / len(relevant) if relevant else 0.0
    return {"queries": n, "mrr": rr / n, "s1": s1 / n, f"s{k}": sk / n, f"r{k}": rk / n}
