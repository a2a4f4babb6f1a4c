"""Conflation evaluation harness: how well stemmers and lemmatizers group the inflected forms of one lemma.

Run from the repository root::

    python benchmarks/conflation.py [--gold ud,btb,...] [--systems none,lucene-light,...] [--json PATH]

Method (this is exactly what reproduces the curator's anchor figures on ``morph/bg_btb-ud-dev.conllu`` in
``shared/data/SOURCES.md`` to within 0.0005; see ``tests/test_conflation_harness.py``):

* Rows are (form, lemma, POS). A form is kept when, lowercased, it is made only of Bulgarian lowercase
  Cyrillic letters (``а``-``я``, ``ѝ``): anything with digits, Latin letters, punctuation, spaces or a
  hyphen is skipped. POS must be NOUN, ADJ, VERB or ADV.
* Lemmas are lowercased and lose their clitic decorations ``-(се)``, ``-(си)``, ``-се``, ``-си``, ``-ми``.
  (Stripping only ``-(се)``/``-се`` gives the same UD figures.)
* Classes: NOUN+ADJ together, VERB, ADV. In a class, the items are the **distinct forms**; each form carries
  the **set** of lemmas it occurs with (UD's "такси", under такса and under такси, is one item in
  both groups; keeping only its most frequent lemma, or counting each (form, lemma) as its own item, misses
  the anchors by up to 0.005).
* "all" pools every class. A form is identified **by the form alone**, and its labels are the set of
  (class, lemma) pairs it occurs with; so "бързо" (ADJ бърз, ADV бързо) or "работи" (NOUN работа,
  VERB работя) is one item, and groups never cross classes. Identifying forms by (class, form) instead misses the anchors by
  0.01-0.02.
* Pairwise metrics over the distinct forms of a scope: a gold pair is two forms sharing at least one
  label (counted once even if they share two); a system pair is two forms with the same term.
  recall = |gold ∩ system| / |gold|, precision = |gold ∩ system| / |system|, F1 their harmonic mean.
  A vacuous ratio (no pairs at all) is 1.0, so "none" (lowercase) has recall 0 and precision 1.
* BulStem uses ``min_freq=2, left_context=2``: left_context 1 and 2 give identical UD figures (both match),
  3 misses VERB by 0.003.

Gold sets (``--gold``):

* ``ud``: UD Bulgarian-BTB dev (CoNLL-U, UPOS and lemma columns; multiword ranges and empty nodes skipped).
* ``unimorph``: UniMorph ``lemma<TAB>form<TAB>features``. First feature: N → NOUN, ADJ → ADJ, V, V.PTCP,
  V.MSDR, V.CVB → VERB (participles, verbal nouns and gerunds are listed under the verb lemma), ADV → ADV
  (there is none); multi-word forms are skipped. simplemma's data includes UniMorph, so it scores near 1 here.
* ``btb``: BulTreeBank morphodata dev + test (``FORM<TAB>LEMMA<TAB>tag``). Mapped as UD-BTB maps the same
  tags, so it stays comparable with ``ud``: Nc → NOUN, A → ADJ, V → VERB except Vx/Vy (съм, бъда: AUX in
  UD), D → ADV. Np (proper nouns) and H (family names such as Иванов/Иванова) are PROPN in UD and skipped.
* ``btb-train``: the same corpus's training part, read the same way: 4x larger, a check that a change
  made while looking at ``ud`` and ``btb`` generalises.
* ``lemmatization``: Měchura's ``lemma<TAB>form`` list; no POS, so there is one class, "all". The list
  omits the lemma itself as a form, so each lemma is added as a form of itself. simplemma's Bulgarian data
  was built partly from this list, so its figure here is optimistic.

Systems (``--systems``): ``none``, ``lucene-light`` (``benchmarks/lucene_light.py``), ``bulstem-c1``,
``bulstem-c2``, ``simplemma`` (the ``eval`` extras) and ``bgsearch`` (``BulgarianStemmer().stem``). A
system that cannot be loaded is left out with a one-line note. When ``BulgarianStemmer`` has
``is_known(word)``, an extra row "bgsearch (unknown)" scores it on the forms it does not know only (every
scope restricted to those forms, so only pairs of two unknown forms count), which shows how its rule
fallback generalises.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from itertools import combinations
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data"

# Make `benchmarks.*` and the working-tree `bgsearch` importable when run as a plain script.
for _path in (REPO_ROOT / "src", REPO_ROOT):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks import lucene_light  # noqa: E402  (needs the sys.path set-up above)

Term = Callable[[str], str]
Labels = Mapping[str, frozenset[str]]
"""A scope of a gold set: distinct form -> the labels (lemmas) it occurs with."""

NOMINAL, VERBAL, ADVERBIAL, ALL = "NOUN+ADJ", "VERB", "ADV", "all"
CLASS_OF_POS = {"NOUN": NOMINAL, "ADJ": NOMINAL, "VERB": VERBAL, "ADV": ADVERBIAL}
SHOWN_SCOPES = (NOMINAL, VERBAL, ALL)

_WORD = re.compile(r"[а-яѝ]+")
_LEMMA_DECORATION = re.compile(r"-(?:\((?:се|си)\)|се|си|ми)$")

GOLD_FILES: dict[str, tuple[str, ...]] = {
    "ud": ("morph/bg_btb-ud-dev.conllu",),
    "unimorph": ("morph/unimorph-bul.tsv",),
    "btb": ("morph/btb-morphodata-dev.tsv", "morph/btb-morphodata-test.tsv"),
    "btb-train": ("morph/btb-morphodata-train.tsv",),
    "lemmatization": ("morph/lemmatization-bg.tsv",),
}
SYSTEM_NAMES = ("none", "lucene-light", "bulstem-c1", "bulstem-c2", "simplemma", "bgsearch")


class HarnessError(Exception):
    """A problem the user can fix (missing data); reported as one line, exit status 2."""


# --------------------------------------------------------------------------------------------------
# Gold readers: each yields (form, lemma, POS) with POS in CLASS_OF_POS, or None for POS-less golds.

Row = tuple[str, str, str | None]


def read_conllu(path: Path) -> Iterator[Row]:
    """UD CoNLL-U: the FORM, LEMMA and UPOS columns of every syntactic word."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if "-" in cols[0] or "." in cols[0]:  # multiword token range / empty node
                continue
            yield cols[1], cols[2], cols[3]


_UNIMORPH_POS = {"N": "NOUN", "ADJ": "ADJ", "V": "VERB", "V.PTCP": "VERB", "V.MSDR": "VERB",
                 "V.CVB": "VERB", "ADV": "ADV"}


def read_unimorph(path: Path) -> Iterator[Row]:
    """UniMorph ``lemma<TAB>form<TAB>features``; multi-word entries are skipped."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3 or " " in cols[0] or " " in cols[1]:
                continue
            pos = _UNIMORPH_POS.get(cols[2].split(";")[0])
            if pos is not None:
                yield cols[1], cols[0], pos


def btb_pos(tag: str) -> str | None:
    """Map a BTB tag to UPOS the way UD-BTB does, for the four classes we score (None = skip)."""
    first, second = tag[:1], tag[1:2]
    if first == "N":
        return "NOUN" if second == "c" else None  # Np: proper nouns (PROPN)
    if first == "A":
        return "ADJ"
    if first == "V":
        return None if second in ("x", "y") else "VERB"  # Vx съм, Vy бъда: auxiliaries
    if first == "D":
        return "ADV"
    return None  # H (family names) and the closed classes


def read_btb(path: Path) -> Iterator[Row]:
    """BTB morphodata ``FORM<TAB>LEMMA<TAB>tag``, blank lines between sentences, ``#`` comments."""
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 3 or line.startswith("#"):
                continue
            pos = btb_pos(cols[2])
            if pos is not None:
                yield cols[0], cols[1], pos


def read_lemmatization(path: Path) -> Iterator[Row]:
    """Měchura's ``lemma<TAB>form`` list (no POS); each lemma is also yielded as a form of itself."""
    lemmas: set[str] = set()
    with path.open(encoding="utf-8-sig") as lines:
        for line in lines:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            lemmas.add(cols[0])
            yield cols[1], cols[0], None
    for lemma in sorted(lemmas):
        yield lemma, lemma, None


READERS: dict[str, Callable[[Path], Iterator[Row]]] = {
    "ud": read_conllu,
    "unimorph": read_unimorph,
    "btb": read_btb,
    "btb-train": read_btb,
    "lemmatization": read_lemmatization,
}


# --------------------------------------------------------------------------------------------------
# Building the scopes of a gold set


def normalize_form(form: str) -> str | None:
    """The lowercased form, or None when it is not a plain Bulgarian word."""
    form = form.lower()
    return form if _WORD.fullmatch(form) else None


def normalize_lemma(lemma: str) -> str:
    """Lowercase and drop clitic decorations: ``наям-(се)`` -> ``наям``, ``омръзне-ми`` -> ``омръзне``."""
    return _LEMMA_DECORATION.sub("", lemma.lower())


def build_scopes(rows: Iterable[Row]) -> dict[str, dict[str, frozenset[str]]]:
    """Group rows into scopes (one per class, plus "all"): form -> set of labels.

    Per class the labels are lemmas; in "all" they are ``class:lemma`` so that groups never cross
    classes while a form is still one item. POS-less rows only feed "all".
    """
    labels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for raw_form, raw_lemma, pos in rows:
        form = normalize_form(raw_form)
        if form is None:
            continue
        lemma = normalize_lemma(raw_lemma)
        if pos is None:
            labels[ALL][form].add(lemma)
            continue
        cls = CLASS_OF_POS.get(pos)
        if cls is None:
            continue
        labels[cls][form].add(lemma)
        labels[ALL][form].add(f"{cls}:{lemma}")
    return {scope: {form: frozenset(ls) for form, ls in forms.items()} for scope, forms in labels.items()}


def load_gold(name: str, data_dir: Path) -> dict[str, dict[str, frozenset[str]]]:
    """Read one named gold set from ``data_dir`` and build its scopes."""
    paths = [data_dir / rel for rel in GOLD_FILES[name]]
    for path in paths:
        if not path.is_file():
            raise HarnessError(f"gold file not found: {path}")
    reader = READERS[name]
    return build_scopes(row for path in paths for row in reader(path))


# --------------------------------------------------------------------------------------------------
# Pairwise metric


@dataclass(frozen=True)
class PairScores:
    precision: float
    recall: float
    f1: float
    forms: int
    gold_pairs: int
    system_pairs: int
    true_pairs: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0  # vacuous: nothing claimed, nothing wrong


def pair_scores(labels: Labels, term: Term) -> PairScores:
    """Pairwise precision/recall/F1 of ``term`` against the gold ``labels`` (form -> lemmas).

    Gold pairs are pairs of distinct forms sharing at least one label; a pair sharing several labels is
    counted once, in the group of its smallest shared label. Pairs of single-label forms (nearly all) are
    counted from term histograms; only pairs involving a multi-label form are enumerated.
    """
    terms = {form: term(form) for form in labels}
    system_pairs = sum(_pairs(n) for n in Counter(terms.values()).values())

    groups: dict[str, list[str]] = defaultdict(list)
    for form, form_labels in labels.items():
        for label in form_labels:
            groups[label].append(form)

    gold_pairs = true_pairs = 0
    for label, members in groups.items():
        single = [f for f in members if len(labels[f]) == 1]
        multi = [f for f in members if len(labels[f]) > 1]
        gold_pairs += _pairs(len(single))
        true_pairs += sum(_pairs(n) for n in Counter(terms[f] for f in single).values())
        for m in multi:  # a single-label partner can only share this label
            gold_pairs += len(single)
            true_pairs += sum(terms[f] == terms[m] for f in single)
        for a, b in combinations(multi, 2):
            if min(labels[a] & labels[b]) == label:
                gold_pairs += 1
                true_pairs += terms[a] == terms[b]

    precision = _ratio(true_pairs, system_pairs)
    recall = _ratio(true_pairs, gold_pairs)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairScores(precision, recall, f1, len(labels), gold_pairs, system_pairs, true_pairs)


# --------------------------------------------------------------------------------------------------
# Systems


@dataclass
class System:
    """A word -> term function, memoised per distinct form (forms repeat across scopes and gold sets)."""

    name: str
    function: Term
    is_known: Callable[[str], bool] | None = None
    _cache: dict[str, str] = field(default_factory=dict, repr=False)

    def __call__(self, word: str) -> str:
        term = self._cache.get(word)
        if term is None:
            term = self._cache[word] = self.function(word)
        return term


def _bulstem(context: int) -> Term:
    from bulstem.stem import BulStemmer

    return BulStemmer.from_file(f"stem-context-{context}", min_freq=2, left_context=2).stem


def _simplemma() -> Term:
    import simplemma

    return lambda word: simplemma.lemmatize(word, lang="bg").lower()


def stemmer_system(name: str, stemmer: object) -> System:
    """Wrap any object with ``stem(word)`` (and optionally ``is_known(word)``) as a system."""
    return System(name, getattr(stemmer, "stem"), getattr(stemmer, "is_known", None))


def _bgsearch() -> System:
    from bgsearch.analysis.stemmer import BulgarianStemmer

    return stemmer_system("bgsearch", BulgarianStemmer())


def load_system(name: str) -> System:
    """Build a named system; raises whatever its import or set-up raises."""
    if name == "none":
        return System(name, lambda word: word)
    if name == "lucene-light":
        return System(name, lucene_light.stem)
    if name == "bulstem-c1":
        return System(name, _bulstem(1))
    if name == "bulstem-c2":
        return System(name, _bulstem(2))
    if name == "simplemma":
        return System(name, _simplemma())
    if name == "bgsearch":
        return _bgsearch()
    raise ValueError(f"unknown system {name!r}")


def load_systems(names: Iterable[str], notes: list[str]) -> list[System]:
    """Load the systems that are available; an unavailable one is skipped with a note."""
    systems = []
    for name in names:
        try:
            systems.append(load_system(name))
        except Exception as exc:  # optional peers and the in-progress product must not abort the run
            notes.append(f"{name}: skipped, not available ({type(exc).__name__}: {exc})")
    return systems


# --------------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class GoldReport:
    gold: str
    files: list[str]
    forms: dict[str, int]
    scores: dict[str, dict[str, PairScores]]  # row name -> scope -> scores
    unknown_forms: dict[str, int] = field(default_factory=dict)  # scope -> forms bgsearch does not know


def evaluate_system(scopes: Mapping[str, Labels], system: Term) -> dict[str, PairScores]:
    """Scores of one system in every scope of a gold set."""
    return {scope: pair_scores(labels, system) for scope, labels in scopes.items()}


def unknown_only(scopes: Mapping[str, Labels], is_known: Callable[[str], bool]) -> dict[str, Labels]:
    """The scopes restricted to forms ``is_known`` rejects."""
    return {scope: {f: ls for f, ls in labels.items() if not is_known(f)} for scope, labels in scopes.items()}


def evaluate_gold(
    name: str, scopes: Mapping[str, Labels], systems: list[System], notes: list[str]
) -> GoldReport:
    """Score every system on one gold set (plus bgsearch on its unknown forms, when it can tell)."""
    report = GoldReport(name, list(GOLD_FILES[name]), {s: len(labels) for s, labels in scopes.items()}, {})
    for system in systems:
        try:
            report.scores[system.name] = evaluate_system(scopes, system)
            if system.is_known is not None:
                unknown = unknown_only(scopes, system.is_known)
                report.unknown_forms = {s: len(labels) for s, labels in unknown.items()}
                report.scores[f"{system.name} (unknown)"] = evaluate_system(unknown, system)
        except Exception as exc:  # a peer failing on one word should not lose the other rows
            notes.append(f"{system.name}: failed on gold {name} ({type(exc).__name__}: {exc})")
    return report


# --------------------------------------------------------------------------------------------------
# Output


def format_report(report: GoldReport) -> str:
    """A plain-text table: one row per system, P/R/F1 for NOUN+ADJ, VERB and all."""
    scopes = [s for s in SHOWN_SCOPES if s in report.forms]
    name_width = max([len("system")] + [len(row) for row in report.scores])
    head = f"== {report.gold}: " + " + ".join(report.files) + "   distinct forms: " + ", ".join(
        f"{s} {report.forms[s]}" for s in scopes
    )
    if report.unknown_forms:
        head += "\n   forms bgsearch does not know: " + ", ".join(
            f"{s} {report.unknown_forms.get(s, 0)}" for s in scopes
        )
    cell = 22  # "P      R      F1      ": 7 + 7 + 5, then a 3-space gap between scopes
    line1 = " " * (name_width + 2) + "".join(f"{s:<{cell}}" for s in scopes)
    line2 = f"{'system':<{name_width}}  " + "".join(f"{'P':<7}{'R':<7}{'F1':<8}" for _ in scopes)
    rows = [head, line1.rstrip(), line2.rstrip()]
    for row, by_scope in report.scores.items():
        cells = "".join(
            f"{by_scope[s].precision:<7.3f}{by_scope[s].recall:<7.3f}{by_scope[s].f1:<8.3f}" for s in scopes
        )
        rows.append(f"{row:<{name_width}}  {cells}".rstrip())
    return "\n".join(rows)


def report_json(reports: list[GoldReport], notes: list[str], seconds: float) -> dict[str, object]:
    return {
        "method": "pairwise over distinct forms; see benchmarks/conflation.py docstring",
        "gold": {
            r.gold: {
                "files": r.files,
                "forms": r.forms,
                "unknown_forms": r.unknown_forms,
                "systems": {
                    row: {s: asdict(sc) for s, sc in by_scope.items()} for row, by_scope in r.scores.items()
                },
            }
            for r in reports
        },
        "notes": notes,
        "seconds": round(seconds, 2),
    }


# --------------------------------------------------------------------------------------------------
# Command line


def _choices(value: str, allowed: tuple[str, ...], what: str) -> list[str]:
    names = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [n for n in names if n not in allowed]
    if unknown or not names:
        given = ", ".join(unknown) or "(empty)"
        raise argparse.ArgumentTypeError(f"unknown {what} {given}; choose from {', '.join(allowed)}")
    return names


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Pairwise conflation quality of Bulgarian stemmers and lemmatizers on gold lemma data."
    )
    parser.add_argument(
        "--gold",
        default=",".join(GOLD_FILES),
        type=lambda v: _choices(v, tuple(GOLD_FILES), "gold set"),
        help=f"comma list of gold sets (default: all): {', '.join(GOLD_FILES)}",
    )
    parser.add_argument(
        "--systems",
        default=",".join(SYSTEM_NAMES),
        type=lambda v: _choices(v, SYSTEM_NAMES, "system"),
        help=f"comma list of systems (default: all): {', '.join(SYSTEM_NAMES)}",
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write every figure to this JSON file")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=DEFAULT_DATA_DIR,
        help="the shared data folder (default: ../shared/data beside the repository)",
    )
    return parser.parse_args(argv)


def run(gold_names: list[str], system_names: list[str], data_dir: Path) -> tuple[list[GoldReport], list[str]]:
    """Evaluate every system on every gold set; returns the reports and the notes."""
    if not data_dir.is_dir():
        raise HarnessError(f"shared data folder not found: {data_dir} (expected beside the repository)")
    notes: list[str] = []
    systems = load_systems(system_names, notes)
    reports = [evaluate_gold(name, load_gold(name, data_dir), systems, notes) for name in gold_names]
    return reports, notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    try:
        reports, notes = run(args.gold, args.systems, args.data_dir)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for note in notes:
        print(f"note: {note}")
    for report in reports:
        print()
        print(format_report(report))
    print(f"\n{seconds:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = report_json(reports, notes, seconds)
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
