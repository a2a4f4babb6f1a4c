"""Conflation evaluation harness: how well stemmers and lemmatizers group the inflected forms of one lemma.

Run from the repository root::

    python benchmarks/conflation.py [--gold ud,btb,...] [--systems none,lucene-light,...] [--json PATH]
                                    [--weighted] [--verbs [--seed N]]

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

Two variants, both reported beside the figures above:

* ``--weighted`` (real text as well as distinct forms): every row again, marked "[by frequency]", with each
  form weighted by how often it occurs in the shared corpora (``corpora/laws.jsonl.gz``,
  ``fakenews-validation.jsonl.gz``, ``chitanka-annotations.jsonl.gz``: lowercased ``[а-яѝ]+`` words of
  their title and text fields; a missing corpus is skipped). A pair of two forms counts w(a)·w(b)
  instead of 1, so the figures are over pairs of *tokens* with different spellings, what a search meets;
  a form the corpora never use counts nothing.
* ``--verbs`` (the rule fallback on verbs no dictionary knows): the verbs of bgsearch's shipped dictionary
  (keys that are their own known form, end in -а/-я/-м and have two kinds of verb endings among their
  known forms) get complete paradigms from ``tools/verb_paradigms.py``; 20% of them, drawn with a fixed
  seed (``--seed``, default 16), are held out. Their generated forms (verbal nouns left out: nouns of
  their own; forms the dictionary gives to another word left out: homographs) are stemmed by the rules
  alone (``rule_stem``), with the held-out verbs' dictionary entries removed: their keys and their
  verbal nouns' keys (the exceptions are not used at all). Reported: the share of the verbs whose forms
  all meet on one term, of the forms on their verb's commonest term and on the verb's own key, pairwise
  P/R/F1 (a pair: two forms of one verb; with ``--weighted`` also by frequency), and the share on the
  verb's key by slot. The shipped rules are not relearned, so the figure is an upper bound when a
  verb's own forms were among their training pairs; ``python tools/verb_paradigms.py --holdout``
  relearns them without the held-out verbs.
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
    gold_pairs: float  # whole numbers unless pairs are weighted by frequency
    system_pairs: float
    true_pairs: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 1.0  # vacuous: nothing claimed, nothing wrong


Weights = Mapping[str, float]
"""Form -> weight (its frequency in running text); a pair of two forms weighs their product."""


def _group_pairs(members: Iterable[str], weights: Weights | None) -> float:
    """Pairs of distinct forms among ``members``: n(n-1)/2, or with weights the sum of w(a)w(b)."""
    if weights is None:
        return _pairs(sum(1 for _ in members))
    ws = [weights.get(f, 0.0) for f in members]
    total = sum(ws)
    return (total * total - sum(w * w for w in ws)) / 2


def pair_scores(labels: Labels, term: Term, weights: Weights | None = None) -> PairScores:
    """Pairwise precision/recall/F1 of ``term`` against the gold ``labels`` (form -> lemmas).

    Gold pairs are pairs of distinct forms sharing at least one label; a pair sharing several labels is
    counted once, in the group of its smallest shared label. Pairs of single-label forms (nearly all) are
    counted from term histograms; only pairs involving a multi-label form are enumerated.

    With ``weights`` (form -> frequency in running text) a pair of forms counts w(a)·w(b) instead of 1:
    the figures are then over pairs of *tokens* with different spellings, so a form weighs what a search
    meets it, and a form never seen in the text counts nothing.
    """
    terms = {form: term(form) for form in labels}

    def w(form: str) -> float:
        return 1 if weights is None else weights.get(form, 0.0)

    by_term: dict[str, list[str]] = defaultdict(list)
    for form, t in terms.items():
        by_term[t].append(form)
    system_pairs = sum(_group_pairs(members, weights) for members in by_term.values())

    groups: dict[str, list[str]] = defaultdict(list)
    for form, form_labels in labels.items():
        for label in form_labels:
            groups[label].append(form)

    gold_pairs: float = 0
    true_pairs: float = 0
    for label, members in groups.items():
        single = [f for f in members if len(labels[f]) == 1]
        multi = [f for f in members if len(labels[f]) > 1]
        gold_pairs += _group_pairs(single, weights)
        single_by_term: dict[str, list[str]] = defaultdict(list)
        for f in single:
            single_by_term[terms[f]].append(f)
        true_pairs += sum(_group_pairs(fs, weights) for fs in single_by_term.values())
        single_weight = sum(w(f) for f in single)
        for m in multi:  # a single-label partner can only share this label
            gold_pairs += w(m) * single_weight
            true_pairs += w(m) * sum(w(f) for f in single_by_term.get(terms[m], ()))
        for a, b in combinations(multi, 2):
            if min(labels[a] & labels[b]) == label:
                gold_pairs += w(a) * w(b)
                true_pairs += w(a) * w(b) if terms[a] == terms[b] else 0

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
# Frequencies in running text (the --weighted variant)

CORPUS_FILES: dict[str, tuple[str, ...]] = {
    "corpora/laws.jsonl.gz": ("title", "text"),
    "corpora/fakenews-validation.jsonl.gz": ("title", "content"),
    "corpora/chitanka-annotations.jsonl.gz": ("text",),
}


def corpus_frequencies(data_dir: Path) -> Counter[str]:
    """How often each lowercased Bulgarian word occurs in the shared corpora (laws, news, book blurbs):
    what a search meets. A corpus file that is missing is skipped."""
    import gzip

    counts: Counter[str] = Counter()
    for rel, fields in CORPUS_FILES.items():
        path = data_dir / rel
        if not path.is_file():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as lines:
            for line in lines:
                record = json.loads(line)
                for name in fields:
                    text = record.get(name)
                    if isinstance(text, str):
                        counts.update(_WORD.findall(text.lower()))
    if not counts:
        raise HarnessError(f"no corpus found under {data_dir / 'corpora'} for --weighted")
    return counts


# --------------------------------------------------------------------------------------------------
# Evaluation


@dataclass
class GoldReport:
    gold: str
    files: list[str]
    forms: dict[str, int]
    scores: dict[str, dict[str, PairScores]]  # row name -> scope -> scores
    unknown_forms: dict[str, int] = field(default_factory=dict)  # scope -> forms bgsearch does not know
    tokens: dict[str, int] = field(default_factory=dict)  # scope -> corpus tokens of its forms (--weighted)


def evaluate_system(
    scopes: Mapping[str, Labels], system: Term, weights: Weights | None = None
) -> dict[str, PairScores]:
    """Scores of one system in every scope of a gold set (pairs weighted by ``weights`` if given)."""
    return {scope: pair_scores(labels, system, weights) for scope, labels in scopes.items()}


def unknown_only(scopes: Mapping[str, Labels], is_known: Callable[[str], bool]) -> dict[str, Labels]:
    """The scopes restricted to forms ``is_known`` rejects."""
    return {scope: {f: ls for f, ls in labels.items() if not is_known(f)} for scope, labels in scopes.items()}


WEIGHTED = " [by frequency]"
"""Suffix of a row whose pairs are weighted by corpus frequency (``--weighted``)."""


def evaluate_gold(
    name: str, scopes: Mapping[str, Labels], systems: list[System], notes: list[str],
    weights: Weights | None = None,
) -> GoldReport:
    """Score every system on one gold set (plus bgsearch on its unknown forms, when it can tell); with
    ``weights``, every row again with pairs weighted by corpus frequency."""
    report = GoldReport(name, list(GOLD_FILES[name]), {s: len(labels) for s, labels in scopes.items()}, {})
    if weights is not None:
        report.tokens = {s: int(sum(weights.get(f, 0) for f in labels)) for s, labels in scopes.items()}
    for system in systems:
        try:
            report.scores[system.name] = evaluate_system(scopes, system)
            if system.is_known is not None:
                unknown = unknown_only(scopes, system.is_known)
                report.unknown_forms = {s: len(labels) for s, labels in unknown.items()}
                report.scores[f"{system.name} (unknown)"] = evaluate_system(unknown, system)
            if weights is not None:
                report.scores[system.name + WEIGHTED] = evaluate_system(scopes, system, weights)
                if system.is_known is not None:
                    report.scores[f"{system.name} (unknown){WEIGHTED}"] = evaluate_system(unknown, system, weights)
        except Exception as exc:  # a peer failing on one word should not lose the other rows
            notes.append(f"{system.name}: failed on gold {name} ({type(exc).__name__}: {exc})")
    return report


# --------------------------------------------------------------------------------------------------
# Verbs no dictionary knows (the --verbs variant)

VERB_SEED = 16
VERB_HELDOUT = 0.2
_VERB_MARKERS = ("еш", "иш", "ш", "ех", "ях", "их", "ох", "ах", "ал", "ял", "ил", "ел", "ен", "ан", "ян",
                 "ещ", "ящ", "ащ", "щ", "ейки", "йки", "ете", "ите", "ем", "им", "ме")
_VERB_MARKERS_III = ("ш", "ме", "те", "т", "х", "ха", "л", "ла", "ли", "н", "на", "ни", "щ", "ща", "щи", "йки", "й")


@dataclass
class VerbReport:
    """The rule fallback on complete paradigms of verbs held out by lemma."""

    seed: int
    verbs: int  # verbs of the dictionary
    heldout: int  # verbs held out
    forms: int  # distinct generated forms of the held-out verbs (verbal nouns and other words' forms left out)
    known_share: float  # share of those forms the dictionary knows
    lemmas_whole: float  # share of held-out verbs whose forms all get one term
    main_term: float  # share of forms on their verb's commonest term
    exact: float  # share of forms whose term is the verb's own key
    scores: PairScores
    weighted: PairScores | None
    by_slot: dict[str, float]  # slot group -> share of its forms on the verb's own key
    worst: list[str]


def dictionary_verbs(data: object, known: Iterable[str]) -> dict[str, set[str]]:
    """The verbs of the stemmer's shipped dictionary with their known forms: keys that are their own
    known form, end in -а/-я/-м (a verb's key is its lemma) and have at least two kinds of verb
    endings among the known forms with that key (чета: четеш, четох, чел; давам: даваш, давал)."""
    from bgsearch.analysis.stemmer import rule_stem

    exceptions = getattr(data, "exceptions")
    forms_of: dict[str, set[str]] = defaultdict(set)
    for form in known:
        forms_of[exceptions.get(form) or rule_stem(form, data)].add(form)  # type: ignore[arg-type]
    verbs = {}
    for key, forms in forms_of.items():
        if key not in forms or not key.endswith(("а", "я", "м")) or len(key) < 3:
            continue
        base = key[:-1]
        markers = _VERB_MARKERS_III if key.endswith("м") else _VERB_MARKERS
        if sum(base + marker in forms for marker in markers) + (key.endswith("м") and base in forms) >= 2:
            verbs[key] = forms
    return verbs


def verb_holdout(data_dir: Path, weights: Weights | None = None, seed: int = VERB_SEED,
                 share: float = VERB_HELDOUT) -> VerbReport:
    """Complete paradigms (``tools/verb_paradigms.py``) of the dictionary's verbs; a share of the verbs,
    drawn with a fixed seed, is held out: their forms are stemmed by the rules alone, with the verbs'
    dictionary entries (exceptions and keys) removed. A pair is two forms of one verb. A generated form
    the dictionary gives to another word (работи: работа) is a homograph, not counted; verbal nouns are
    nouns of their own."""
    import random
    import gzip
    from importlib import resources

    from bgsearch.analysis.stemmer import KNOWN_FILE, StemmerData, load_data, rule_stem

    tools = REPO_ROOT / "tools"
    if str(tools) not in sys.path:
        sys.path.insert(0, str(tools))
    import verb_paradigms

    data = load_data()
    ref = resources.files("bgsearch.analysis").joinpath("data").joinpath(KNOWN_FILE)
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf8") as fh:
        known = {w for w in fh.read().split("\n") if w}
    verbs = dictionary_verbs(data, known)
    heldout = sorted(random.Random(seed).sample(sorted(verbs), round(len(verbs) * share)))
    # the verbs' entries: their keys, and the keys of their verbal nouns (a noun of its own, but made
    # from the verb: with the verb held out, a participle must not reach the known -не noun's key)
    removed = set(heldout)
    for lemma in heldout:
        for slot, form in verb_paradigms.paradigm(lemma, verbs[lemma]).items():
            if slot in verb_paradigms.VERBAL_NOUN_SLOTS and form in known:
                removed.add(data.exceptions.get(form) or rule_stem(form, data))
    stripped = StemmerData(data.rules, {}, data.keys - removed, data.max_suffix)

    labels: dict[str, set[str]] = defaultdict(set)
    slot_of: dict[tuple[str, str], str] = {}
    for lemma in heldout:
        for slot, form in verb_paradigms.paradigm(lemma, verbs[lemma]).items():
            if slot in verb_paradigms.VERBAL_NOUN_SLOTS:
                continue  # a noun of its own, for the stemmer as for the grammars
            if form in known and (data.exceptions.get(form) or rule_stem(form, data)) != lemma:
                continue  # the dictionary's form of another word (работи: работа; над): a homograph
            labels[form].add(lemma)
            slot_of[(lemma, form)] = ".".join(slot.split(".")[:2]) if slot.startswith(verb_paradigms.PARTICIPLES) else slot.split(".")[0]
    frozen = {f: frozenset(ls) for f, ls in labels.items()}
    terms = {f: rule_stem(f, stripped) for f in frozen}

    by_lemma: dict[str, list[str]] = defaultdict(list)
    for f, ls in frozen.items():
        for lemma in ls:
            by_lemma[lemma].append(f)
    whole = on_main = exact = items = 0
    slot_right: Counter[str] = Counter()
    slot_all: Counter[str] = Counter()
    worst = []
    for lemma, forms in by_lemma.items():
        counts = Counter(terms[f] for f in forms)
        whole += len(counts) == 1
        on_main += counts.most_common(1)[0][1]
        exact += counts[lemma]
        items += len(forms)
        for f in forms:
            slot_all[slot_of[(lemma, f)]] += 1
            slot_right[slot_of[(lemma, f)]] += terms[f] == lemma
        worst.append((counts[lemma] / len(forms), lemma, counts))
    worst.sort()
    return VerbReport(
        seed, len(verbs), len(heldout), len(frozen), sum(f in known for f in frozen) / len(frozen),
        whole / len(by_lemma), on_main / items, exact / items,
        pair_scores(frozen, terms.__getitem__),
        pair_scores(frozen, terms.__getitem__, weights) if weights is not None else None,
        {g: slot_right[g] / slot_all[g] for g in sorted(slot_all)},
        [f"{lemma}: " + ", ".join(f"{t} {n}" for t, n in counts.most_common(4)) for _, lemma, counts in worst[:10]],
    )


def format_verbs(report: VerbReport) -> str:
    def cells(sc: PairScores) -> str:
        return f"P {sc.precision:.3f}  R {sc.recall:.3f}  F1 {sc.f1:.3f}"

    lines = [
        f"== verbs held out by lemma (seed {report.seed}): {report.heldout} of {report.verbs} dictionary verbs, "
        f"{report.forms} distinct generated forms ({report.known_share:.0%} known to the dictionary); "
        "rules alone, the verbs' dictionary entries removed",
        f"   verbs whose forms all meet on one term: {report.lemmas_whole:.3f}; forms on their verb's "
        f"commonest term: {report.main_term:.3f}; on the verb's own key: {report.exact:.3f}",
        f"   pairwise (two forms of one verb): {cells(report.scores)}",
    ]
    if report.weighted is not None:
        lines.append(f"   pairwise{WEIGHTED}: {cells(report.weighted)}")
    lines.append("   on the verb's key by slot: " + ", ".join(f"{g} {v:.3f}" for g, v in report.by_slot.items()))
    lines.append("   worst: " + "; ".join(report.worst[:5]))
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------
# Output


def format_report(report: GoldReport) -> str:
    """A plain-text table: one row per system, P/R/F1 for NOUN+ADJ, VERB and all."""
    scopes = [s for s in SHOWN_SCOPES if s in report.forms]
    name_width = max([len("system")] + [len(row) for row in report.scores])
    head = f"== {report.gold}: " + " + ".join(report.files) + "   distinct forms: " + ", ".join(
        f"{s} {report.forms[s]}" for s in scopes
    )
    if report.tokens:
        head += "\n   corpus tokens of these forms (rows" + WEIGHTED + "): " + ", ".join(
            f"{s} {report.tokens.get(s, 0)}" for s in scopes
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


def report_json(reports: list[GoldReport], notes: list[str], seconds: float,
                verbs: VerbReport | None = None) -> dict[str, object]:
    out: dict[str, object] = {
        "method": "pairwise over distinct forms; see benchmarks/conflation.py docstring",
        "gold": {
            r.gold: {
                "files": r.files,
                "forms": r.forms,
                "unknown_forms": r.unknown_forms,
                "corpus_tokens": r.tokens,
                "systems": {
                    row: {s: asdict(sc) for s, sc in by_scope.items()} for row, by_scope in r.scores.items()
                },
            }
            for r in reports
        },
        "notes": notes,
        "seconds": round(seconds, 2),
    }
    if verbs is not None:
        out["verbs_heldout"] = asdict(verbs)
    return out


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
    parser.add_argument(
        "--weighted",
        action="store_true",
        help="also score every row with each form weighted by its frequency in the shared corpora "
        "(laws, news, book blurbs): the rows marked" + WEIGHTED,
    )
    parser.add_argument(
        "--verbs",
        action="store_true",
        help="also measure bgsearch's rule fallback on complete generated paradigms of the dictionary's "
        "verbs held out by lemma (tools/verb_paradigms.py)",
    )
    parser.add_argument("--seed", type=int, default=VERB_SEED, help=f"seed of the --verbs split (default {VERB_SEED})")
    return parser.parse_args(argv)


def run(gold_names: list[str], system_names: list[str], data_dir: Path,
        weights: Weights | None = None) -> tuple[list[GoldReport], list[str]]:
    """Evaluate every system on every gold set; returns the reports and the notes."""
    if not data_dir.is_dir():
        raise HarnessError(f"shared data folder not found: {data_dir} (expected beside the repository)")
    notes: list[str] = []
    systems = load_systems(system_names, notes)
    reports = [evaluate_gold(name, load_gold(name, data_dir), systems, notes, weights) for name in gold_names]
    return reports, notes


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    verbs = None
    try:
        if not args.data_dir.is_dir():
            raise HarnessError(f"shared data folder not found: {args.data_dir} (expected beside the repository)")
        weights = corpus_frequencies(args.data_dir) if args.weighted else None
        reports, notes = run(args.gold, args.systems, args.data_dir, weights)
        if args.verbs:
            verbs = verb_holdout(args.data_dir, weights, args.seed)
    except HarnessError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    seconds = time.perf_counter() - started
    for note in notes:
        print(f"note: {note}")
    for report in reports:
        print()
        print(format_report(report))
    if verbs is not None:
        print()
        print(format_verbs(verbs))
    print(f"\n{seconds:.1f} s")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        figures = report_json(reports, notes, seconds, verbs)
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
