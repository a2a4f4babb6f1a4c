"""Write test vectors of bgsearch's Bulgarian analysis, for the Lucene port (lucene/) to check against.

    python tools/write_analysis_vectors.py OUT_DIR [--corpora DIR] [--unknown N] [--english N]
                                                   [--fuzz N] [--documents N]

Takes ~10 s. Deterministic: the same package and data give the same files.

Python is the reference: every vector is what the Python package outputs today, and the Java tests
(`mvn -B test -Dvectors=OUT_DIR` in lucene/) fail on any difference. Files written (UTF-8; fields
separated by tabs, with `\\`, tab, newline and carriage return escaped as `\\\\`, `\\t`, `\\n`, `\\r`):

* `meta.tsv` — `key<TAB>value`: `analyzer_version` (bgsearch.analysis.ANALYZER_VERSION, which the
  Java side must report too), the Python and Unicode versions, the number of vectors of each class.
* `words.tsv.gz` — `class<TAB>input<TAB>normalized<TAB>term<TAB>stem`, one word a line, for the
  classes `dictionary` (every dictionary form, stemmer-known.txt.gz), `corpus` (words of the shared
  corpora that no dictionary knows), `normalization` (the cases of tests/test_analysis.py and edge
  cases), `acronym` (words in capitals, known acronyms, possessives and surnames) and `english` (synthetic Latin-script words for Snowball English). `term` is the word's index term (empty: a stop word; `\\0`: the input is not one token);
  `stem` is BulgarianStemmer().stem(normalized) when `normalized` is of the letters а-я, else empty.
* `chars.tsv.gz` — `code point (hex)<TAB>category<TAB>flags<TAB>normalized<TAB>sigma` for every
  assigned code point: flags `L` (a letter to the tokenizer: `[^\\W\\d_]`), `D` (`\\d`), `G`
  (`str.isdigit()`); sigma: whether `str.lower()` makes Σ final (1) in `A·Σ`, `·Σ`, `AΣ·a`, `AΣ·`.
* `documents.tsv.gz` — (seeds, edge cases, acronyms and endings glued to them, random texts over the characters the rules look at,
  corpus documents) `D<TAB>name<TAB>text`, then one `T<TAB>text<TAB>term<TAB>start<TAB>end<TAB>position`
  line per token of bgsearch.analysis.analyze_tokens(text) (stop words included, with an empty term).
  Offsets count code points (Python string indexes), not UTF-16 units.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path

from bgsearch.analysis import ANALYZER_VERSION, analyze_tokens, normalize_word
from bgsearch.analysis.stemmer import BulgarianStemmer

REPO = Path(__file__).resolve().parent.parent
DEFAULT_CORPORA = REPO.parent / "shared" / "data" / "corpora"
NOT_ONE_TOKEN = "\0"

_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_ESCAPE = re.compile(r"[\\\t\n\r]")
_PLAIN_CYRILLIC = re.compile("[а-я]+")
_LETTER = re.compile(r"[^\W\d_]")
_DIGIT = re.compile(r"\d")

# The normalization cases of tests/test_analysis.py, then edge cases of each rule.
NORMALIZATION_CASES = [
    "Ка́кво", "ка̀кво", "ѝ", "Ѝ", "ѐ", "кoмпютрите", "КОМПЮTЪР", "Rеuters", "социал\u00adно", "САЩ",
    "градъ", "мѫжъ", "бѣлъ", "врѣме", "и\u0306", "Лукашенко",
    # stress marks of every kind, precomposed and decomposed, and marks the normalizer keeps
    "ка\u0301кво", "ка\u0300кво", "ка\u0341кво", "ка\u0340кво", "и\u0301\u0306", "и\u0306\u0301",
    "И\u0306", "е\u0308", "Ё", "ё", "а\u0302", "á", "cafe\u0301", "naïve", "и\u0300", "Ѐ", "Ѝ",
    # soft hyphens and zero-width characters
    "со\u00adци\u00adал\u00adно", "по\u200bдобре", "по\u200cдобре", "по\u200dдобре",
    "по\u2060добре", "\ufeffдобре", "добре\u00ad", "\u00adдобре",
    # Latin look-alikes in Cyrillic words and the reverse, ties, upper case
    "кoмпютър", "кoмпютъp", "Kомпютър", "TOPOBE", "ТОРОВЕ", "тoпoвe", "MOCKBA", "МОСКВА", "Mосква",
    "Reuтers", "Rеutеrs", "ceтe", "ао", "ao", "аo", "oа", "iPhone", "iРhone", "МТЕЛ", "MTEЛ",
    "хyx", "bмв", "bmв", "yбв", "y\u0306", "у\u0306",
    # pre-1945 letters
    "бѣли", "мѣсто", "вѣра", "бѣ", "мѣстото", "прѣдъ", "Ѣ", "ѣѣ", "ѫгълъ", "ѭ", "Ѫ", "Ѭ", "іюль",
    "І", "градъ", "ъ", "аъ", "бъ", "абъ", "раъ", "Ъ", "ГРАДЪ", "пѣтьлъ", "свѣтъ", "ѣдъ",
    "\U0001d400ъ", "\U0001d400бъ", "бѣ\n", "ѣ\u2028",
    # Unicode case mapping and other scripts
    "İstanbul", "İ", "ΣΟΦΟΣ", "ΟΔΟΣ.", "Σ", "ßtraße", "ǅ", "ǈ", "Ω", "K", "ﬁ", "ŉ", "ΐ",
    "\U00010400\U00010428", "\U0001d400\U0001d41a", "𝒜", "Ǆemal", "ᲀᲁᲂ", "ꙋ",
    # digits and numbers of other scripts
    "١٢٣", "१२३", "൬", "\U0001d7d8", "²", "½", "Ⅻ", "①", "〇", "五",
    # not words at all
    "", " ", "-", "\t", "a\tb", "12,5", "т.н.",
]

# Acronyms in capitals (not stemmed unless a dictionary word of 4-5 letters: ТЪМНИ СИЛИ in a
# headline; never the known acronyms), and the stemmer's possessive and equal-length key rules.
ACRONYM_CASES = [
    "НАТО", "Нато", "нато", "ОССЕ", "оссе", "НЗОК", "Нзок", "нзок", "ТЪМНИ", "СИЛИ", "тъмни", "сили", "САЩ",
    "ДНК", "ДВ", "ТВ", "БТА", "бта", "ЮНЕСКО", "юнеско", "УЕФА", "ФИФА", "УНИЦЕФ", "ОПЕК", "ХЮГО", "КОНАН",
    "ЕРИХ", "ДИСКА", "ВДНХ", "МТЕЛ", "ДПС", "ВиК", "ЧЕЗ", "ГЕРБ", "БСП", "ОКО", "ИМА", "КОЙ", "АБВГДЕ",
    "А", "Я", "ÀБВ", "НAТО", "HATO", "НА́ТО", "НЗ­ОК", "ΣΟΦΟΣ", "ǅЗОК", "ⅫНЗОК", "ЗАПАЛВАНИЯТ",
    "Петрова", "Петров", "Кирилов", "Йотова", "Петрови", "тръмповата", "тръмпово", "тръмпов", "тръмповите",
    "бадемовата", "екстремна", "запалваният", "дебата", "ПЕТРОВА", "ТРЪМПОВАТА",
]
# Endings glued to acronyms with a hyphen (skipped) and words after one (kept).
ACRONYM_DOCUMENTS = [
    "НАТО, ОССЕ и НЗОК: ТЪМНИ СИЛИ! САЩ-ската политика, НАТО-вските сили, ЕС-то, ЕС-овски, ДПС-ци, ДПС-а,"
    " ЧЕЗ-ът, ВиК-ове, ВиК-овете, ДНК-анализ, ЕС-ът, ЕС-а, САЩ-ките, АБВГДЕ-то, АБВГДЕЖ-то, Аб-то, аБ-то,"
    " АБ-ТО, НАТО-ВСКИТЕ, ЕС‑то, ЕС‐то, ЕС—то, ЕС -то, ЕС-то́, ЕС-тo, 𝐀𝐁-то, ÀБ-то, ǅЗ-то, ⅫЖ-то,"
    " САЩ-ЕС-то, 5-ЕС-то, ЕС-5-то, ЕС-ската-то, ТВ-то, НЗОК-овски, DNA-то, ΣΟΦΟΣ-то",
    "Петрова и Кирилов, Йотова и Петрови, тръмповата политика и тръмпово, бадемовата торта, екстремна "
    "жега, запалваният огън, дебата. ЗАПАЛВАНИЯТ ОГЪН, ХЮГО, КОНАН, ЕРИХ, ДИСКА, ВДНХ, ТВ, БГ, ОКО, ИМА.",
    "ЮНЕСКО и юнеско, УЕФА и ФИФА, УНИЦЕФ, ОПЕК, БТА и бта, Нато и нато, НА́ТО, НAТО, HATO, НЗ­ОК",
]

# Whole texts for the tokenizer's rules (hyphens, numbers, long tokens, astral characters).
EDGE_DOCUMENTS = [
    "по-добре, най-големият, социално-икономически, по\u2011добре, по\u2010добре",
    "123-мата затворници, 5-ти, 1-ви, 2-ри, 7-ми, 3-ма, 20-те, 5-тия, 5-ТИЯ, 21-вият, 2022г., 33-годишен",
    "3,5 милиона; 1.000.000; 1,2,3; 1.; ,5; 5,; 12.05.2024 г.; 5-мина; 5-минута; 5—ма; 5 -ма; -ма",
    "x²-ма ²-ма 5²-ма ①-ви ٣-ти 5-ᲄа 5-тᲂ 5-МАТА 5\u2011ма 5-\u0301ма",
    "Ка́кво ка̀кво кoмпютрите КОМПЮTЪР Rеuters социал\u00adно ѝ бѣлъ врѣме мѫжъ градъ",
    "а" * 64 + " " + "б" * 65 + " " + "в" * 63 + "\u0301" + " " + "\U0001d41a" * 64 + " " + "\U0001d41a" * 65,
    "\U0001d400\U0001d401 пред 𝒜бв \U0001f600 усмивка \U00020000\U00020001 текст \U00010400\U00010428 край",
    "١٢٣ ١٫٢ १२३ ൬ \U0001d7d8\U0001d7d9 ² ½ Ⅻ ① 〇 五 _под_черта_ a_b",
    "İstanbul ΣΟΦΟΣ ΟΔΟΣ. Straße ﬁnal ǅemal",
    "\u00adдобре добре\u00ad \u0301ударение \u200bнулев \ufeffBOM кра\u0301й и\u0306 й",
    "Президентът Александър Лукашенко, дългогодишен съюзник на Владимир Путин, получи похвали от "
    "Тръмп. Ка́кво по-добре: кoмпютрите, 123-мата затворници, т.н., ЕС и САЩ; Reuters sanctions; "
    "пристанищата на бѣлия градъ; четохме, писала, красивите, посолството, санкциите, изменения.",
    "и на за да, министър на финансите, в и с от",
    "",
    "   \n\t  ",
    "Reuters sanctions running runs ran generously dying lying skies news bus gas gases "
    "communism communication universal university agreed feed",
]


def escape(value: str) -> str:
    return _ESCAPE.sub(lambda m: _ESCAPES[m.group()], value)


def row(*fields: object) -> str:
    return "\t".join(escape(str(f)) for f in fields) + "\n"


class Vectors:
    """Computes each vector with the public Python API."""

    def __init__(self) -> None:
        self.stemmer = BulgarianStemmer()

    def term(self, raw: str) -> str:
        tokens = analyze_tokens(raw)
        if len(tokens) != 1 or tokens[0].start != 0 or tokens[0].end != len(raw):
            return NOT_ONE_TOKEN
        return tokens[0].term or ""

    def word_row(self, kind: str, raw: str) -> str:
        normalized = normalize_word(raw)
        stem = self.stemmer.stem(normalized) if _PLAIN_CYRILLIC.fullmatch(normalized) else ""
        return row(kind, raw, normalized, self.term(raw), stem)


# Latin-script words get Snowball English: every suffix and prefix its rules name, on random stems.
_ENGLISH_SUFFIXES = (
    "", "s", "es", "ss", "sses", "us", "ies", "ied", "ed", "ing", "ingly", "edly", "eed", "eedly", "ly", "y",
    "ying", "ness", "ful", "fulness", "ation", "ational", "tional", "ization", "izer", "alism", "aliti",
    "alli", "ousli", "ousness", "iveness", "iviti", "biliti", "bli", "ogist", "ogi", "logi", "fulli",
    "lessli", "li", "cli", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ism",
    "ate", "iti", "ous", "ive", "ize", "ion", "sion", "tion", "al", "e", "l", "ll", "ative", "icate",
    "iciti", "ical", "alize", "enci", "anci", "abli", "entli", "ator", "at", "bl", "iz", "bb", "dd", "tt",
)
_ENGLISH_PREFIXES = ("", "", "", "gener", "commun", "arsen", "past", "univers", "later", "emerg", "organ",
                     "inter", "proc", "exc", "succ", "inn", "out", "cann", "herr", "earr", "even", "sk", "y")


def english_words(count: int, seed: int = 19) -> list[str]:
    import random

    rng = random.Random(seed)
    letters = "abcdefghijklmnopqrstuvwxyz" + "aeiouy" * 3 + "lnrst"
    words: dict[str, None] = dict.fromkeys(
        ["skis", "skies", "sky", "idly", "gently", "ugly", "early", "only", "singly", "news", "howe", "atlas",
         "cosmos", "bias", "andes", "dying", "lying", "tying", "vying", "eying", "inning", "outing", "canning",
         "herring", "earring", "evening", "proceed", "exceed", "succeed", "added", "egged", "offed", "hoped",
         "hopped", "geologist", "geology", "university", "universe", "international", "pasted", "pasting"])
    while len(words) < count:
        stem = "".join(rng.choice(letters) for _ in range(rng.randint(0, 6)))
        word = rng.choice(_ENGLISH_PREFIXES) + stem + rng.choice(_ENGLISH_SUFFIXES)
        if word:
            words[word] = None
    return list(words)


# Random texts over the characters every rule looks at: a differential fuzz of the whole pipeline.
_FUZZ_ALPHABET = (
    "абвгдежзийклмнопрстуфхцчшщъьюяАБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЬЮЯѝЍѐѣѢѫѪѭіІёЁўЎ"
    "aeopcyxkmhtbiAEOPCYXKMHTBIqwzZ" + "0123456789٣५" + " \n\t.,;:!?-\u2010\u2011—„“\"'()_"
    + "\u0300\u0301\u0306\u0308\u0340\u0341\u00ad\u200b\u200c\u200d\u2060\ufeff"
    + "²①ⅫİΣσςß\U0001d400\U0001d41a\U0001f600\U00020000\U00010400"
)


def fuzz_documents(count: int, seed: int = 1919) -> list[tuple[str, str]]:
    import random

    rng = random.Random(seed)
    alphabet = _FUZZ_ALPHABET
    # Real words between the noise, so stems and stop words come up too.
    words = ["на", "по-добре", "123-мата", "5-ти", "бѣлъ", "кoмпютрите", "Reuters", "ка́кво", "градъ", "и\u0306",
             "НАТО", "НЗОК", "СИЛИ", "САЩ-ската", "ДНК-анализ", "ЕС-то", "ВиК-ове", "тръмповата", "Петрова"]
    docs = []
    for i in range(count):
        parts = []
        for _ in range(rng.randint(1, 12)):
            if rng.random() < 0.3:
                parts.append(rng.choice(words))
            else:
                parts.append("".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))))
        docs.append((f"fuzz:{i}", rng.choice(["", " ", "-"]).join(parts)))
    return docs


def dictionary_forms() -> list[str]:
    ref = resources.files("bgsearch.analysis").joinpath("data").joinpath("stemmer-known.txt.gz")
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf8") as fh:
        return [w for w in fh.read().split("\n") if w]


def corpus_texts(corpora: Path) -> Iterator[tuple[str, str]]:
    """(name, text) of the shared corpora: the wordfreq list first, then documents."""
    wordfreq = corpora / "wordfreq-bg.tsv"
    if wordfreq.exists():
        with wordfreq.open(encoding="utf8") as fh:
            for line in fh:
                if not line.startswith("#"):
                    yield "wordfreq", line.split("\t", 1)[0]
    for name, field in (("chitanka-annotations", "text"), ("fakenews-validation", "content"), ("laws", "text")):
        path = corpora / f"{name}.jsonl.gz"
        if not path.exists():
            continue
        with gzip.open(path, "rt", encoding="utf8") as fh:
            for i, line in enumerate(fh):
                doc = json.loads(line)
                for key in ("title", field):
                    if isinstance(doc.get(key), str):
                        yield f"{name}:{i}:{key}", doc[key]


# Candidate words: runs of letters with inner marks, as the tokenizer finds them (the vectors then
# record whatever the real tokenizer makes of each: one token or not).
_WORD = re.compile(r"[^\W\d_]+(?:[\u0300-\u036f\u00ad\u200b-\u200d\u2060\ufeff]+[^\W\d_]*)*")


def unknown_words(corpora: Path, known: set[str], limit: int) -> list[str]:
    """Distinct words of the corpora whose normalized form no dictionary has."""
    found: dict[str, None] = {}
    seen: set[str] = set()
    if limit <= 0:
        return []
    for _, text in corpus_texts(corpora):
        for match in _WORD.finditer(text):
            raw = match.group()
            if raw in seen:
                continue
            seen.add(raw)
            if normalize_word(raw) not in known:
                found[raw] = None
                if len(found) >= limit:
                    return list(found)
    return list(found)


def corpus_documents(corpora: Path, per_corpus: int, max_chars: int = 20_000) -> list[tuple[str, str]]:
    docs: list[tuple[str, str]] = []
    counts: dict[str, int] = {}
    for name, text in corpus_texts(corpora):
        corpus = name.split(":", 1)[0]
        if corpus == "wordfreq" or not name.endswith(("text", "content")):
            continue
        if counts.get(corpus, 0) >= per_corpus:
            continue
        counts[corpus] = counts.get(corpus, 0) + 1
        docs.append((name, text[:max_chars]))
        if len(counts) == 3 and all(c >= per_corpus for c in counts.values()):
            break
    return docs


def char_rows(vectors: Vectors) -> Iterable[str]:
    for cp in range(0x110000):
        ch = chr(cp)
        category = unicodedata.category(ch)
        if category in ("Cn", "Cs"):
            continue
        flags = ("L" if _LETTER.match(ch) else "") + ("D" if _DIGIT.match(ch) else "") + ("G" if ch.isdigit() else "")
        # Python lowers Σ to ς by the Final_Sigma rule (cased and case-ignorable characters around
        # it): how this character acts as its neighbour, in four probes.
        sigma = "".join(
            "1" if probe == "ς" else "0"
            for probe in (("A" + ch + "Σ").lower()[-1], (ch + "Σ").lower()[-1],
                          ("AΣ" + ch + "a").lower()[1], ("AΣ" + ch).lower()[1])
        )
        yield row(f"{cp:X}", category, flags, normalize_word(ch), sigma)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("out", type=Path, help="directory to write the vectors into")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA,
                        help="the shared corpora (default ../shared/data/corpora; skipped when absent)")
    parser.add_argument("--unknown", type=int, default=70_000, help="unknown corpus words (default 70,000)")
    parser.add_argument("--english", type=int, default=30_000, help="synthetic Latin-script words (default 30,000)")
    parser.add_argument("--fuzz", type=int, default=3000, help="random texts (default 3,000)")
    parser.add_argument("--documents", type=int, default=20, help="documents of each corpus (default 20)")
    args = parser.parse_args(argv)
    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    vectors = Vectors()
    counts: dict[str, int] = {}

    forms = dictionary_forms()
    known = set(forms)
    corpora = args.corpora if args.corpora.is_dir() else None
    unknown = unknown_words(corpora, known, args.unknown) if corpora else []
    cases = list(dict.fromkeys(NORMALIZATION_CASES))
    acronyms = list(dict.fromkeys(ACRONYM_CASES))
    english = english_words(args.english)
    with gzip.open(out / "words.tsv.gz", "wt", encoding="utf8", compresslevel=6) as fh:
        for kind, words in (("dictionary", forms), ("corpus", unknown), ("normalization", cases),
                            ("acronym", acronyms), ("english", english)):
            for word in words:
                fh.write(vectors.word_row(kind, word))
            counts[kind] = len(words)
    counts["corpus_ascii"] = sum(1 for w in unknown if w.isascii() and w.isalpha())

    with gzip.open(out / "chars.tsv.gz", "wt", encoding="utf8", compresslevel=6) as fh:
        n = 0
        for line in char_rows(vectors):
            fh.write(line)
            n += 1
        counts["chars"] = n

    documents = [(p.name, p.read_text("utf-8")) for p in sorted((REPO / "seeds").glob("*.txt"))]
    documents += [(f"edge:{i}", text) for i, text in enumerate(EDGE_DOCUMENTS)]
    documents += [(f"acronym:{i}", text) for i, text in enumerate(ACRONYM_DOCUMENTS)]
    documents += [(f"acronym-case:{i}", f"„{case}“ и {case}-то ({case}), {case}-ската {case}-анализ {case.upper()}")
                  for i, case in enumerate(acronyms)]
    documents += [(f"case:{i}", f"„{case}“ и {case}-то ({case})") for i, case in enumerate(cases)]
    documents += fuzz_documents(args.fuzz)
    if corpora:
        documents += corpus_documents(corpora, args.documents)
    tokens = 0
    with gzip.open(out / "documents.tsv.gz", "wt", encoding="utf8", compresslevel=6) as fh:
        for name, text in documents:
            fh.write(row("D", name, text))
            for t in analyze_tokens(text):
                fh.write(row("T", t.text, t.term or "", t.start, t.end, t.position))
                tokens += 1
    counts["documents"] = len(documents)
    counts["document_tokens"] = tokens

    meta = {
        "analyzer_version": ANALYZER_VERSION,
        "python": sys.version.split()[0],
        "unicode": unicodedata.unidata_version,
        "corpora": "yes" if corpora else "absent",
        **{f"count_{k}": v for k, v in counts.items()},
    }
    with (out / "meta.tsv").open("w", encoding="utf8") as fh:
        for key, value in meta.items():
            fh.write(row(key, value))
    print(" ".join(f"{k}={v}" for k, v in meta.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
