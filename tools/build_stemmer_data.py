"""Build the data files of bgsearch's Bulgarian stemmer (``bgsearch.analysis.stemmer``).

Run ``python tools/build_stemmer_data.py`` from the repository root.  It reads

* simplemma 2.0.0's Bulgarian dictionary (form -> lemma, loaded through simplemma's own
  dictionary factory; MIT code, data from Měchura's lemmatization lists (ODbL), Wiktionary/Kaikki
  (CC BY-SA), UniMorph (CC BY-SA) and others),
* UniMorph Bulgarian (``../shared/data/morph/unimorph-bul.tsv``, CC BY-SA 3.0) for parts of speech,
* Měchura's lemmatization list (``../shared/data/morph/lemmatization-bg.tsv``, ODbL) and UniMorph
  for the other readings of homographs,
* wordfreq-bg (``../shared/data/corpora/wordfreq-bg.tsv``, CC BY-SA 4.0) to rank homographs,

and writes ``src/bgsearch/analysis/data/``:

* ``stemmer-rules.tsv.gz`` – learned suffix rules plus the dictionary exceptions (forms whose key
  the rules do not predict).  This is all ``stem()`` needs.
* ``stemmer-known.txt.gz`` – every dictionary form, for ``is_known()`` (loaded only when asked).

Design (see docs/stemmer.md): every dictionary form maps to the *key* of its lemma.  The key of a
verb is its lemma (1st person singular present: чета, давам); the key of any other word is the
lemma without a final vowel or й (книга -> книг, море -> мор, герой -> геро, български ->
българск), so that masculine/feminine/neuter forms need no gender guess.  Suffix rules
``form suffix -> (letters to strip, letters to add)`` are learned from all (form, key) pairs,
the longest supported suffix wins; only forms the rules get wrong are stored as exceptions, so a
known form and an unknown form of the same word get the same term by construction.

Before keying, the dictionary's paradigms are cleaned up (``merge_surnames``, ``merge_strays``,
``resolve_homographs``, ``regroup``, ``join_participles``, ``shared_present_to_imperfective``,
``nia_plurals_to_nouns``, ``closed_class_paradigms``): reflexive marks are dropped from lemmas, a feminine surname lemma joins the
masculine (Петрова -> Петров), stray verb-form "lemmas" (изглежда), -о adverbs (малко) and plural
"lemmas" (първи) join their word, a form several lemmas claim (Měchura's list, UniMorph) goes to the
candidate whose own forms are most frequent, verbal nouns (четене) get a lemma of their own, every
verb gets the past participles its -х/-л forms imply (чул, даден), a form two aspect partners share
goes to the imperfective (приема -> приемам), every -ния plural goes to its noun (допълнения ->
допълнение), every pronoun and numeral form goes to its own lemma (``pronouns.tsv``: неговата -> негов,
not мой; ``numerals.tsv``: петата -> пети, not пея), and masculine nouns get their missing definite form (града/градът).  Then the checks of
``run_checks`` run over the whole dictionary and stop the build on a violation.

``--check N`` reports the N worst paradigm splits left (lemmas of Měchura's list / UniMorph whose
known forms get several terms); ``--holdout`` measures the rule fallback on held-out lemmas.
Keys that collide are kept apart (политик / политика, дам / дама).

No evaluation-only data (UD-BTB, the BTB morphological corpus) is read here.
"""

from __future__ import annotations

import argparse
import gzip
import io
import re
import sys
import zlib
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from bgsearch.analysis.stemmer import KNOWN_FILE, RULES_FILE, Rule, StemmerData, rule_stem  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"
OUT = ROOT / "src" / "bgsearch" / "analysis" / "data"

CYR = re.compile("^[а-я]+$")
VOWEL_STRIP = "аяоеий"  # final letters removed from a non-verb lemma to make its key
MIN_KEY = 2  # a key is never shorter than this (after stripping)
MAX_SUFFIX = 9  # longest suffix a rule may condition on
MIN_COUNT = 3  # a rule needs this many dictionary forms behind it


def norm(word: str) -> str:
    return word.lower().replace("ѝ", "и").replace("ѐ", "е")


# simplemma gives some reflexive-only verbs (надявам се) the lemma "се": drop those entries.
BAD_LEMMAS = frozenset({"се", "си"})


def clean_lemma(lemma: str) -> str:
    """Lowercase; drop reflexive/clitic marks (дам-(се), надявам-се -> дам, надявам), hyphens and dots."""
    lemma = re.sub(r"-\(?(се|си)\)?$", "", norm(lemma))
    return lemma.replace("-", "").rstrip(".")


PROPER_NAMES: set[str] = set()  # lemmas simplemma writes with a capital (filled by load_simplemma)


def load_simplemma() -> dict[str, str]:
    """Return simplemma's Bulgarian dictionary as lowercase Cyrillic form -> lemma (and note the
    lemmas it writes with a capital in PROPER_NAMES)."""
    from simplemma.strategies.dictionaries import DefaultDictionaryFactory

    raw = DefaultDictionaryFactory().get_dictionary("bg")
    lower: dict[str, str] = {}
    upper: dict[str, str] = {}
    for k, v in raw.items():
        form = k if isinstance(k, str) else k.decode()
        lemma = v if isinstance(v, str) else v.decode()
        f, l_ = norm(form), clean_lemma(lemma)
        if not (CYR.match(f) and CYR.match(l_)) or l_ in BAD_LEMMAS:
            continue
        if lemma[:1].isupper() or form[:1].isupper():
            PROPER_NAMES.add(l_)
        (lower if form == f else upper).setdefault(f, l_)
    for f, l_ in upper.items():  # proper names: lowercase entries win
        lower.setdefault(f, l_)
    return lower


def load_unimorph_pos() -> dict[str, str]:
    pos: dict[str, str] = {}
    path = SHARED / "morph" / "unimorph-bul.tsv"
    if not path.exists():
        return pos
    for line in path.open(encoding="utf8"):
        p = line.rstrip("\n").split("\t")
        if len(p) < 3 or " " in p[0]:
            continue
        tag = p[2].split(";")[0]
        pos.setdefault(norm(p[0]), "V" if tag.startswith("V") else tag)
    return pos


# Endings of verb forms (aorist/imperfect -х/-ха/-хме/-хте/-ше, participles -л/-щ, gerund -йки,
# present -ш/-ат/-ят/-ете/-ите/-им/-ем).  A lemma whose other forms show >= VERB_EVIDENCE of them is a verb.
VERB_MARKERS = ("х", "ха", "хме", "хте", "ше", "йки", "щ", "ш", "л", "ла", "ло", "ли", "ат", "ят",
                "ете", "ите", "им", "ем")
VERB_EVIDENCE = 3


def is_verb(lemma: str, forms: set[str], upos: dict[str, str]) -> bool:
    """Decide whether a lemma is a verb: UniMorph's word if it has one, else its paradigm."""
    if lemma in upos:
        return upos[lemma] == "V"
    if not lemma.endswith(("а", "я", "м")):
        return False
    head = lemma[: min(3, len(lemma) - 1)]  # мия: мие, мих (not "мия")
    seen = {m for m in VERB_MARKERS for f in forms
            if f != lemma and f.endswith(m) and f.startswith(head)}
    if len(seen) >= VERB_EVIDENCE:
        return True
    # A verb the dictionaries list with few forms (заловя: заловен, заловена, залови; допълня,
    # обединя, укажа): an -а/-я lemma with a form that only a verb has after its stem (a
    # participle, the 3rd plural, an aorist) and none that a noun in -а/-я has (-та, -ите).
    stem = lemma[:-1]
    endings = {f[len(stem):] for f in forms if f != lemma and f.startswith(stem)}
    return (len(lemma) >= 4 and lemma[-1] in "ая" and bool(endings & THIN_VERB_ENDINGS)
            and not endings & NOUN_ENDINGS and lemma + "та" not in forms)


THIN_VERB_ENDINGS = frozenset({"ен", "ена", "ено", "ени", "еният", "ан", "ана", "ано", "ани", "ат", "ят",
                               "ил", "ила", "ило", "или", "ал", "ала", "али", "ях", "их", "ах", "иш", "ете",
                               "им", "ем", "ех", "еше", "ише", "иха", "аха", "яха"})
NOUN_ENDINGS = frozenset({"та", "ата", "ята", "ите", "ове", "овете"})


def lemma_key(lemma: str, verb: bool) -> str:
    if verb:
        return lemma
    if lemma[-1] in VOWEL_STRIP and len(lemma) - 1 >= MIN_KEY:
        return lemma[:-1]
    return lemma


def transformation(form: str, key: str) -> tuple[int, str]:
    n = 0
    for a, b in zip(form, key):
        if a != b:
            break
        n += 1
    return len(form) - n, key[n:]


def learn_rules(pairs: dict[str, str], min_count: int = MIN_COUNT, generated: dict[str, str] | None = None,
                generated_min_suffix: int = 0) -> dict[str, Rule]:
    """Learn longest-suffix rules from form -> key pairs.

    Every suffix (up to MAX_SUFFIX letters) seen under >= min_count forms gets the transformation
    most of them need.  A suffix is kept only when its transformation differs from that of its
    longest kept proper suffix, so the table stays small and lookups stay exact.  `generated` forms
    (tools/verb_paradigms.py) vote as the dictionary's do, but only for suffixes of at least
    `generated_min_suffix` letters.
    """
    counts: dict[str, Counter[Rule]] = defaultdict(Counter)
    for voters, shortest in ((pairs, 0), (generated or {}, generated_min_suffix)):
        for form, key in voters.items():
            t = transformation(form, key)
            for length in range(max(min(t[0], len(form)), shortest), min(len(form), MAX_SUFFIX) + 1):
                counts[form[len(form) - length:]][t] += 1
    decided = {suf: c.most_common(1)[0][0] for suf, c in counts.items()
               if sum(c.values()) >= min_count}
    rules: dict[str, Rule] = {}
    for suf in sorted(decided, key=len):
        parent = next((decided[suf[len(suf) - n:]] for n in range(len(suf) - 1, -1, -1)
                       if suf[len(suf) - n:] in decided), None)
        if parent != decided[suf]:
            rules[suf] = decided[suf]
    return rules


def load_wordfreq() -> dict[str, float]:
    freq: dict[str, float] = {}
    path = SHARED / "corpora" / "wordfreq-bg.tsv"
    for line in path.open(encoding="utf8"):
        p = line.rstrip("\n").split("\t")
        if len(p) == 2 and not line.startswith("#"):
            freq[p[0]] = float(p[1])
    return freq


def assign_keys(forms_of: dict[str, set[str]], verbs: set[str],
                freq: dict[str, float]) -> dict[str, str]:
    """Key every lemma; when keys collide, give all but one lemma their full lemma as key.

    The lemma that already equals the key keeps it (политик keeps политик, so политика becomes
    политика; the verb дам keeps дам, so дама stays дама); otherwise the most frequent lemma
    (wordfreq summed over its forms) keeps it.
    """
    keys = {l_: lemma_key(l_, l_ in verbs) for l_ in forms_of}
    by_key: dict[str, list[str]] = defaultdict(list)
    for l_, k in keys.items():
        by_key[k].append(l_)
    for k, lemmas in by_key.items():
        if len(lemmas) < 2:
            continue
        lemmas.sort(key=lambda l_: (l_ != k, -sum(freq.get(f, 0.0) for f in forms_of[l_]), l_))
        for l_ in lemmas[1:]:
            keys[l_] = l_
    return keys


MASDAR_ENDINGS = ("нетата", "нията", "нето", "нета", "не")
PARTICIPLE_FINALS = ("н", "т", "л", "щ")
ADJ_ENDINGS = ("а", "о", "и", "ия", "ият", "ата", "ото", "ите")


REGROUP = {"masdar": 1, "participle": 1, "adverb": 1, "homographs": 1, "strays": 1, "participles": 1,
           "aspect": 1, "nia": 1}


def regroup(f2l: dict[str, str], verbs: set[str]) -> dict[str, str]:
    """Fix paradigm boundaries of the dictionary (form -> lemma), returning a new mapping.

    * Verbal nouns (четене, плащането) are split from their verb into a lemma of their own (the -не
      form), as every Bulgarian grammar and treebank has them.  Their plurals in -ния are left to
      ``nia_plurals_to_nouns``, the last step.
    * Participial adjectives (определен, открит, следващ, свързан) join their verb: the
      dictionary splits such paradigms between the verb and an adjective lemma at random.
    * Adverbs in -о that are the neuter of an adjective (малко, главно, известно) join the
      adjective.
    """
    out = dict(f2l)
    for f, v in f2l.items():
        if not REGROUP["masdar"] or v not in verbs or f[:3] != v[:3]:
            continue
        if f.endswith("ния"):
            continue  # the plurals of verbal nouns: see nia_plurals_to_nouns, the last step
        for end in MASDAR_ENDINGS:
            if f.endswith(end):
                base = f[: len(f) - len(end)] + "не"
                if base[-3:-2] in ("а", "я", "е") and base != v[:-1] + "е":
                    out[f] = base
                break
    merge: dict[str, str] = {}
    lemmas = set(out.values())
    fleeting = {f for f, l_ in out.items() if l_.endswith("ен") and f[:-1] == l_[:-2] + "н"}
    for lemma in lemmas:
        if lemma in verbs or len(lemma) < 4:
            continue
        if lemma.endswith(PARTICIPLE_FINALS) and REGROUP["participle"]:
            if lemma.endswith("ен") and {lemma[:-2] + "на", lemma[:-2] + "ни"} & fleeting:
                continue  # ранна, лична: an adjective in -ен (participles keep the е: ранена)
            stems = [lemma]
            if lemma.endswith("ен"):
                stems.append(lemma[:-2] + "н")
            for st in stems:
                hits = ({out.get(st + e) for e in ADJ_ENDINGS} if REGROUP["participle"] == 2
                        else set()) | {f2l.get(lemma)}
                hits = {h for h in hits if h in verbs and h[:3] == lemma[:3]}
                if len(hits) == 1:
                    merge[lemma] = hits.pop()
                    break
        elif lemma.endswith("о") and REGROUP["adverb"]:
            a, i = out.get(lemma[:-1] + "а"), out.get(lemma[:-1] + "и")
            if a is not None and a == i and a != lemma and a not in verbs:
                merge[lemma] = a
    return {f: merge.get(l_, l_) for f, l_ in out.items()}


def load_alternatives() -> tuple[dict[str, set[str]], set[str]]:
    """Readings of forms in Měchura's list and UniMorph: (form -> lemmas, the set of their lemmas)."""
    alt: dict[str, set[str]] = defaultdict(set)
    lemmas: set[str] = set()
    path = SHARED / "morph" / "lemmatization-bg.tsv"
    for line in path.open(encoding="utf-8-sig"):
        p = line.rstrip("\n").split("\t")
        if len(p) == 2:
            alt[norm(p[1])].add(clean_lemma(p[0]))
            lemmas.add(clean_lemma(p[0]))
    path = SHARED / "morph" / "unimorph-bul.tsv"
    for line in path.open(encoding="utf8"):
        p = line.rstrip("\n").split("\t")
        if len(p) >= 3:
            alt[norm(p[1])].add(clean_lemma(p[0]))
            lemmas.add(clean_lemma(p[0]))
    return alt, lemmas


def invert(f2l: dict[str, str]) -> dict[str, set[str]]:
    forms_of: dict[str, set[str]] = defaultdict(set)
    for f, l_ in f2l.items():
        forms_of[l_].add(f)
    return forms_of


def merge_strays(f2l: dict[str, str], verbs: set[str], alt: dict[str, set[str]],
                 alt_lemmas: set[str]) -> dict[str, str]:
    """Join lemmas that are really forms of another word, before homographs are weighed.

    * A non-verb "lemma" that Měchura's list and UniMorph never use as a lemma and know only as a
      form of one verb (изглежда, трябва, става: 3rd person forms of изглеждам, трябвам, ставам;
      даден, обявен: participles of дам, обявя) is that verb's: its forms the other lists give to
      the verb, or do not know, move to the verb.
    * An -о adverb "lemma" whose -а and -и forms belong to one adjective joins it (малко, малките ->
      малък; главно -> главен).
    * A plural "lemma" in -и that Měchura's list / UniMorph give to one noun or adjective, as all of
      its forms they know, joins it (първи, първите -> пръв; дребни -> дребен; звезди -> звезда).
    """
    forms_of = invert(f2l)
    merge: dict[str, str] = {}
    whole: set[str] = set()  # lemmas all of whose forms move
    for lemma, fs in forms_of.items():
        if lemma in verbs:
            continue
        if lemma.endswith("и") and lemma in fs:
            # a plural made a lemma of its own (първи: пръв; дребни: дребен; звезди: звезда)
            cands = [b for b in alt.get(lemma, ()) if b != lemma and b in forms_of and b not in verbs
                     and lemma in plural_shapes(b) and all(b in alt[f] for f in fs if f in alt)
                     and all(f[0] == b[0] for f in fs)]
            if len(cands) == 1:
                merge[lemma] = cands[0]
                whole.add(lemma)
                continue
        if lemma in alt_lemmas:
            continue
        readings = alt.get(lemma, set()) - {lemma}
        if len(readings) == 1 and (v := next(iter(readings))) in verbs and v in forms_of:
            merge[lemma] = v
        elif lemma.endswith("о"):
            a, i = f2l.get(lemma[:-1] + "а"), f2l.get(lemma[:-1] + "и")
            if a is not None and a == i and a != lemma and a not in verbs:
                merge[lemma] = a
    out = dict(f2l)
    for lemma, target in merge.items():
        for f in forms_of[lemma]:
            if f == lemma or lemma in whole or target in alt.get(f, ()):
                out[f] = target
    return out


def plural_shapes(lemma: str) -> set[str]:
    """The shapes the plural in -и of a noun or adjective ``lemma`` can have: звезда -> звезди,
    преговор -> преговори, дребен -> дребни (a fleeting vowel), пръв -> първи (ъ moves)."""
    out = {lemma + "и"}
    if lemma[-1] in VOWEL_STRIP:
        out.add(lemma[:-1] + "и")
    if len(lemma) > 3 and lemma[-2] in "ъе":
        out.add(lemma[:-2] + lemma[-1] + "и")
    for a, b in (("ръ", "ър"), ("лъ", "ъл")):
        if a in lemma:
            out.add(lemma.replace(a, b, 1) + "и")
    return out


def resolve_homographs(f2l: dict[str, str], freq: dict[str, float], alt: dict[str, set[str]],
                       verbs: set[str]) -> dict[str, str]:
    """Give a form that several lemmas claim to the reading whose own forms are most frequent.

    simplemma keeps one lemma per form, often the rarer one (обяви -> обява, not обявя; главни ->
    главня, not главен).  The other readings come from Měchura's list and UniMorph.  Each candidate
    lemma is weighed by the wordfreq mass of its paradigm (simplemma's forms plus the forms the
    other lists give it) without the forms its rivals share (so главня cannot win on главните and
    малко not on малките).  A candidate's own dictionary form, and that form with the article
    -то/-та/-те, stay with it (политика, видим, право/правото);
    forms that are participles of a candidate verb (мила: мил "dear" or мия "wash") are left to
    ``join_participles``: the adjective/participle homography is not a matter of frequency.
    """
    forms_of = invert(f2l)
    paradigm: dict[str, set[str]] = defaultdict(set)
    for f, ls in alt.items():
        if f in f2l:
            for l_ in ls:
                paradigm[l_].add(f)
    for l_, fs in forms_of.items():
        paradigm[l_] |= fs
    cache: dict[str, set[str]] = {}

    def participles(lemma: str) -> set[str]:
        if lemma not in cache:
            cache[lemma] = {g for base in participle_bases(paradigm[lemma])
                            for g in participle_forms(base)} if lemma in verbs else set()
        return cache[lemma]

    out = dict(f2l)
    for f, l0 in f2l.items():
        cands = {l0} | {m for m in alt.get(f, ()) if m in forms_of}
        if len(cands) < 2 or f in cands:
            continue
        if f[-2:] in ("то", "та", "те") and f[:-2] in cands:  # правото: the article form of право
            out[f] = f[:-2]
            continue
        if any(f in participles(m) for m in cands):
            continue

        def mass(l_: str) -> float:
            rivals = set().union(*(paradigm[m] for m in cands if m != l_))
            return sum(freq.get(g, 0.0) for g in paradigm[l_] - rivals)

        out[f] = max(sorted(cands), key=lambda l_: (mass(l_), l_ == l0))
    return out


# Auxiliaries whose forms are not participles to hand out (бил, бях, щял).
NO_PARTICIPLES = frozenset({"съм", "бъда", "ща"})
PARTICIPLE_ENDINGS = ("", "а", "о", "и", "ия", "ият", "ата", "ото", "ите")


def participle_bases(verb_forms: set[str]) -> set[str]:
    """The participle stems a verb's -х/-ха/-хме/-хте (aorist, imperfect) and -л forms imply.

    Past active: обявих -> обявил, писах -> писал, чух -> чул, четях -> четял.  Past passive:
    обявих -> обявен, дадох -> даден, писах -> писан, чух -> чут, открих -> открит, взех -> взет.
    """
    bases: set[str] = set()
    stems = set()
    for f in verb_forms:
        for end in ("х", "ха", "хме", "хте", "л", "ла", "ло", "ли"):
            if f.endswith(end) and len(f) > len(end) + 1:
                stems.add(f[: -len(end)])
                break
    for x in stems:
        last = x[-1]
        if last in "аяиеуъ":
            bases.add(x + "л")
        if last in "ио":
            bases.add(x[:-1] + "ен")
        if last in "аяеуи":
            bases.add(x + "т")
        if last in "ая":
            bases.add(x + "н")
    return bases


def participle_forms(base: str) -> list[str]:
    forms = [base + e for e in PARTICIPLE_ENDINGS]
    if base.endswith("ял"):  # видял, видели
        forms += [base[:-2] + "ели", base[:-2] + "елите"]
    return forms


def join_participles(f2l: dict[str, str], verbs: set[str], freq: dict[str, float],
                     alt: dict[str, set[str]]) -> dict[str, str]:
    """Give every verb the participle forms its -х forms imply (чул -> чуя, дадена -> дам).

    simplemma lists a verb's participles sometimes under the verb and sometimes as adjective
    lemmas of their own (чул, даден, обявен), so one paradigm is split between two terms.  A
    dictionary form that is a participle of exactly one verb and belongs to a non-verb lemma that
    is itself that verb's participle (not решения, the plural of решение) moves to the verb, unless
    the adjective reading is lexicalised: when the forms that would move are more frequent
    (wordfreq) than PARTICIPLE_RATIO times the verb's other forms (мил "dear" vs мия "wash").

    Nor does a masculine noun (`_masculine_noun`: it takes the article -ът, which no participle
    takes; печатът "the seal", not a form of пека "bake"; провалът, заветът): it keeps its forms,
    and its short article form joins it where the dictionary lists that as a lemma of its own
    (провала). Its forms the dictionary also lists under the verb (провали "failures" / "he
    failed") move as before: with their lemma, if it moves (отдели, "departments", stay with отдел).
    Nor, with every form, does a feminine or neuter noun (`_feminine_or_neuter_noun`: дата, not a
    form of дам "give"; правило "rule", not of правя "do"; смяна, крило, мито).
    """
    forms_of = invert(f2l)
    alt_forms: dict[str, set[str]] = defaultdict(set)
    for f, ls in alt.items():
        for l_ in ls:
            alt_forms[l_].add(f)
    owner: dict[str, set[str]] = defaultdict(set)
    for v in verbs:
        if v in NO_PARTICIPLES:
            continue
        for base in participle_bases(forms_of.get(v, set()) | alt_forms.get(v, set())):
            for f in participle_forms(base):
                if f in f2l:
                    owner[f].add(v)
    moves: dict[tuple[str, str], list[str]] = defaultdict(list)
    for f, vs in owner.items():
        cur = f2l[f]
        if len(vs) == 1 and cur not in verbs and cur in owner and owner[cur] == vs:
            if cur.endswith("ен") and (cur[:-2] + "на" in forms_of[cur] or cur[:-2] + "ни" in forms_of[cur]):
                continue  # лична, ранна: an adjective in -ен (participles keep the е: ранена)
            moves[cur, next(iter(vs))].append(f)
    out = dict(f2l)
    for (cur, v), fs in sorted(moves.items()):
        moved = sum(freq.get(f, 0.0) for f in fs)
        verb_mass = sum(freq.get(f, 0.0) for f in forms_of[v] if f not in owner)
        to_verb = moved <= PARTICIPLE_RATIO * verb_mass
        noun = _masculine_noun(cur, forms_of, freq)
        if noun is None and _feminine_or_neuter_noun(cur, forms_of):
            continue
        for f in fs:
            if noun is not None and not (to_verb and v in alt.get(f, ())):
                out[f] = noun
            elif to_verb:
                out[f] = v
    return out


def _masculine_noun(lemma: str, forms_of: dict[str, set[str]], freq: dict[str, float]) -> str | None:
    """The masculine noun `lemma` is (itself, or the noun whose short article form it is: провала
    -> провал), if the dictionary or the texts have it with the full article -ът, and texts use
    the forms only a noun has at least as often as those only a participle has; else None."""
    noun = lemma[:-1] if lemma.endswith("а") and lemma[:-1] in forms_of else lemma
    if noun + "ът" not in forms_of.get(noun, ()) and not freq.get(noun + "ът", 0.0):
        return None
    as_noun = sum(freq.get(noun + end, 0.0) for end in NOUN_ONLY_ENDINGS)
    as_participle = sum(freq.get(noun + end, 0.0) for end in PARTICIPLE_ONLY_ENDINGS)
    return noun if as_noun >= as_participle else None


def _feminine_or_neuter_noun(lemma: str, forms_of: dict[str, set[str]]) -> bool:
    """Whether `lemma` is a feminine or neuter noun, not a participle: it ends in a vowel, as no
    participle's lemma does (the dictionary lists participles under the masculine form: писан,
    правил), and the dictionary gives it a form with the definite article (датата, правилото,
    вените), which a participle has only under its masculine lemma (писаната under писан). Its
    participle readings (тя е правила, "she did") are the rare ones: every form stays with it."""
    return lemma[-1] in NOUN_LEMMA_ENDS and any(
        form != lemma and form.endswith(DEFINITE_ENDINGS) for form in forms_of.get(lemma, ()))


NOUN_LEMMA_ENDS = "аяое"  # feminine (дата, смяна) and neuter (правило, море) nouns
DEFINITE_ENDINGS = ("та", "то", "те")  # датата, правилото, вените


# A masculine noun and a participle share the bare form, -а (the noun's short article, the
# participle's feminine), -и and -ите; each has endings of its own.
NOUN_ONLY_ENDINGS = ("ът", "ове", "овете")
PARTICIPLE_ONLY_ENDINGS = ("ия", "ият", "ата", "о", "ото")


PARTICIPLE_RATIO = 3.0


def shared_present_to_imperfective(f2l: dict[str, str], verbs: set[str], freq: dict[str, float]) -> dict[str, str]:
    """Give the lemma of a perfective verb that is also its imperfective partner's 3rd person
    singular present (приема: "I accept", perfective, and "he accepts" of приемам; поставя,
    определя) to the imperfective.  The 3rd person singular is the commonest verb form in running
    text, while a perfective's present tense occurs only after да, ще, ако and the like; so even
    where the perfective is the commoner verb (взема / вземам) the form is mostly the
    imperfective's.  Not when wordfreq has none of the imperfective's own forms (пиша "write" /
    пишам).
    """
    forms_of = invert(f2l)
    out = dict(f2l)
    for v in verbs:
        partner = v + "м"
        if v[-1] in "ая" and partner in forms_of and f2l.get(v) == v:
            # the imperfective's own forms, listed or regular (the dictionaries list only 3 forms of
            # предоставям), without the 3rd plural the two verbs share
            own = (forms_of[partner] | {v + e for e in IMPERFECTIVE_ENDINGS}) - {v, v + "т"}
            if any(freq.get(f, 0.0) for f in own):
                out[v] = partner
    return out


# Regular endings of a 3rd-conjugation (-ам/-ям) verb after its stem-final а/я: present, aorist
# and imperfect, participles, gerund, verbal noun.
IMPERFECTIVE_ENDINGS = ("ме", "ш", "те", "х", "ха", "хме", "хте", "ше", "л", "ла", "ло", "ли", "щ", "ща", "що",
                        "щи", "йки", "не", "нето")


NIA_PLURAL = re.compile("[еая]ния$")
# -ения/-яния plurals the rules learn from attested forms only (see rule_training)
NIA_PLURAL_FORMS = re.compile("[ея]ния(та)?$")


def nia_noun(f: str, f2l: dict[str, str], lemmas: set[str], freq: dict[str, float]) -> str | None:
    """The noun whose plural the -ения/-ания/-яния form ``f`` is, or None (a participle's form).

    Two nouns can have this plural: the -ние noun (разрешение, указание, влияние) and the -не
    verbal noun (плащане, четене, поставяне).  Each counts when it is a lemma of the dictionary or
    wordfreq attests its singular or articled forms (X-ние, X-нието, X-нията); when both do, the one
    wordfreq has more of (писания: писане / писание).
    """
    cands = []
    for noun in (f[:-1] + "е", f[:-3] + "не"):
        forms = (noun, noun + "то", f + "та")
        mass = sum(freq.get(g, 0.0) for g in forms)
        if mass or noun in lemmas:
            cands.append((mass, noun in lemmas, noun))
    return max(cands)[2] if cands else None


def nia_plurals_to_nouns(f2l: dict[str, str], freq: dict[str, float]) -> dict[str, str]:
    """Give every plural in -ения/-ания/-яния its noun (допълнения -> допълнение, разрешения ->
    разрешение, указания -> указание, формулирания -> формулиране), whatever lemma the earlier
    steps left it with.

    The dictionaries list many of these plurals under the verb (допълня, укажа) or the past passive
    participle (разрешен: "the permitted one"), which is then joined to its verb; the noun itself
    is often missing (произведение, дарение, указание).  Which noun it is, see :func:`nia_noun`;
    the noun's missing singular and articled forms are added when wordfreq has them.  With no noun
    attested the participle reading stays (отрязания, заловения), and so do lemmas in -ния
    (кампания, Армения), unless the -ние noun is a lemma (заявления -> заявление).
    """
    lemmas = set(f2l.values())
    out = dict(f2l)
    for f, l_ in f2l.items():
        if not NIA_PLURAL.search(f) or len(f) < 6:
            continue
        noun = nia_noun(f, f2l, lemmas, freq)
        if noun is None or (l_ == f and noun not in lemmas):
            continue
        out[f] = noun
        if f + "та" in f2l:  # the definite plural, whatever lemma it had (теченията: тека)
            out[f + "та"] = noun
        for g in (noun, noun + "то", f + "та"):
            # the noun's forms that are missing (if attested) or under the same lemma as the plural
            if out.get(g) == l_ or (g not in out and freq.get(g, 0.0)):
                out[g] = noun
    return out


def add_attested_nie_nouns(f2l: dict[str, str], freq: dict[str, float]) -> dict[str, str]:
    """Add the -ние nouns the dictionaries lack but wordfreq has with their plural or article form
    (съхранение, изображение, название, съвещание: 33 nouns), with those of their forms wordfreq has.
    A word in -ние with such a form is a noun: no other kind of word ends so."""
    out = dict(f2l)
    for w in freq:
        if w.endswith("ние") and len(w) >= 6 and w not in f2l and CYR.match(w):
            forms = [w + "то", w[:-1] + "я", w[:-1] + "ята"]
            if any(freq.get(g, 0.0) for g in forms):
                out[w] = w
                for g in forms:
                    if g not in out and freq.get(g, 0.0):
                        out[g] = w
    return out


def rule_training(pairs: dict[str, str], freq: dict[str, float]) -> dict[str, str]:
    """The (form, key) pairs the suffix rules are learned from: all, except the -ения/-яния forms
    that wordfreq has not seen (a definite plural in -нията counts as seen when its plural is).

    The dictionaries generate such a form for every participle (заловения, the short definite of
    заловен) and every -не verbal noun of the 2nd conjugation (говорения).  Texts use other words:
    of the -ения forms wordfreq has, 113 are plurals of -ение nouns (разрешения, съхранения), 24
    adjectives' or participles' (естествения) and 6 verbal nouns' (четения), while among the ones it
    lacks participles and -ене verbal nouns outnumber -ение nouns 5 to 1.  So the rules for this
    ending are learned from the attested forms, and the others are kept as exceptions where the
    rules disagree.  Not so for -ания: there the generated forms are mostly -ане verbal nouns'
    plurals (плащания, изисквания), as in texts.
    """

    def seen(f: str) -> bool:  # the definite plural counts when its plural is attested
        return bool(freq.get(f, 0.0) or (f.endswith("та") and freq.get(f[:-2], 0.0)))

    return {f: k for f, k in pairs.items() if not NIA_PLURAL_FORMS.search(f) or seen(f)}


def merge_surnames(f2l: dict[str, str]) -> dict[str, str]:
    """A feminine surname the dictionary lists as a lemma of its own (Петрова, Димитрова) joins the
    masculine one (Петров): one surname, one term, as for Иванов / Иванова, which it lists as one."""
    lemmas = set(f2l.values())
    merge = {l_: l_[:-1] for l_ in lemmas
             if l_.endswith(("ова", "ева")) and {l_, l_[:-1]} <= PROPER_NAMES and l_[:-1] in lemmas}
    return {f: merge.get(l_, l_) for f, l_ in f2l.items()}


PRONOUNS = Path(__file__).resolve().parent / "pronouns.tsv"
NUMERALS = Path(__file__).resolve().parent / "numerals.tsv"


def load_paradigms(path: Path) -> dict[str, str]:
    """form -> lemma of a closed class's paradigms (tools/pronouns.tsv, tools/numerals.tsv)."""
    f2l: dict[str, str] = {}
    for line in path.read_text(encoding="utf8").splitlines():
        if line and not line.startswith("#"):
            lemma, _, forms = line.split("\t")
            for form in forms.split():
                if f2l.setdefault(form, lemma) != lemma:
                    raise SystemExit(f"{path}: {form} is a form of both {f2l[form]} and {lemma}")
    return f2l


def closed_class_paradigms(f2l: dict[str, str]) -> dict[str, str]:
    """Every pronoun and numeral form goes to its own lemma (tools/pronouns.tsv, numerals.tsv). The
    dictionaries lump pronouns of different persons and kinds together (неговата and моята under
    мой, тяхната under наш, онази under този, нещо under някой), and the dictionaries and rules
    read numerals as other words (пет and пети as forms of пея), which made a search for one find
    the others."""
    pronouns, numerals = load_paradigms(PRONOUNS), load_paradigms(NUMERALS)
    both = sorted(set(pronouns) & set(numerals))
    if both:
        raise SystemExit(f"{PRONOUNS.name} and {NUMERALS.name} both have {', '.join(both)}")
    return {**f2l, **pronouns, **numerals}


def build_pairs() -> tuple[dict[str, str], dict[str, str]]:
    """Return (form -> key, form -> lemma)."""
    freq = load_wordfreq()
    f2l = merge_surnames(load_simplemma())
    alt, alt_lemmas = load_alternatives()
    upos = load_unimorph_pos()
    alt_forms: dict[str, set[str]] = defaultdict(set)
    for f, ls in alt.items():
        for l_ in ls:
            alt_forms[l_].add(f)
    verbs = {l_ for l_, fs in invert(f2l).items() if is_verb(l_, fs | alt_forms.get(l_, set()), upos)}
    if REGROUP["strays"]:
        f2l = merge_strays(f2l, verbs, alt, alt_lemmas)
    if REGROUP["homographs"]:
        f2l = resolve_homographs(f2l, freq, alt, verbs)
    forms_of = invert(f2l)
    verbs = {l_ for l_, fs in forms_of.items() if is_verb(l_, fs | alt_forms.get(l_, set()), upos)}
    f2l = regroup(f2l, verbs)
    if REGROUP["participles"]:
        f2l = join_participles(f2l, verbs, freq, alt)
    if REGROUP["aspect"]:
        f2l = shared_present_to_imperfective(f2l, verbs, freq)
    if REGROUP["nia"]:
        f2l = nia_plurals_to_nouns(add_attested_nie_nouns(f2l, freq), freq)
    f2l = closed_class_paradigms(f2l)
    for l_, fs in forms_of.items():  # masculine nouns lacking a definite form: градът <-> града
        if l_ not in verbs and l_[-1] not in VOWEL_STRIP:
            for have, add in (("ът", "а"), ("а", "ът")):
                if l_ + have in fs and l_ + add not in f2l:
                    f2l[l_ + add] = l_
    forms_of = invert(f2l)
    keys = assign_keys(forms_of, verbs, freq)
    return {f: keys[l_] for f, l_ in f2l.items()}, f2l


def make_data(pairs: dict[str, str], min_count: int = MIN_COUNT,
              training: dict[str, str] | None = None) -> StemmerData:
    """Learn rules from form -> key pairs (or from ``training``, a subset of them); keep as
    exceptions the forms the rules get wrong."""
    rules = learn_rules(pairs if training is None else training, min_count)
    keys = frozenset(pairs.values())
    data = StemmerData(rules, {}, keys, max((len(s) for s in rules), default=0))
    exceptions = {f: k for f, k in pairs.items() if rule_stem(f, data) != k}
    return StemmerData(rules, exceptions, keys, data.max_suffix)


def write_data(data: StemmerData, forms: list[str], out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    lines = ["# bgsearch Bulgarian stemmer data (tools/build_stemmer_data.py); "
             "see README.md for sources and licences"]
    for suf in sorted(data.rules, key=lambda s: (len(s), s)):
        n, add = data.rules[suf]
        lines.append(f"R\t{suf}\t{n}\t{add}")
    lines += [f"X\t{f}\t{k}" for f, k in sorted(data.exceptions.items())]
    lines += [f"K\t{k}" for k in sorted(data.keys)]
    _write_gz(out / RULES_FILE, "\n".join(lines) + "\n")
    _write_gz(out / KNOWN_FILE, "\n".join(sorted(forms)) + "\n")


def _write_gz(path: Path, text: str) -> None:
    """Write gzip with a fixed timestamp, so rebuilds are byte-identical."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=9) as gz:
        gz.write(text.encode("utf8"))
    path.write_bytes(buf.getvalue())


def stem_with(data: StemmerData, word: str) -> str:
    key = data.exceptions.get(word)
    return key if key is not None else rule_stem(word, data)


def paradigm_splits(data: StemmerData, known: set[str]) -> list[tuple[float, str, dict[str, list[str]]]]:
    """Lemmas of Měchura's list and UniMorph whose known forms get more than one term.

    These lists are independent of simplemma's paradigm boundaries, so a split here is either a
    homograph (работи: работа / работя; some split is unavoidable) or a bug (главни apart from
    главен, чул apart from чуя).  Verbal nouns (UniMorph V.MSDR) are left out: they are nouns.
    Returns (wordfreq mass of the forms outside the largest group, lemma, term -> forms), worst first.
    """
    freq = load_wordfreq()
    par: dict[str, set[str]] = defaultdict(set)
    for line in (SHARED / "morph" / "lemmatization-bg.tsv").open(encoding="utf-8-sig"):
        p = line.rstrip("\n").split("\t")
        if len(p) == 2:
            par[clean_lemma(p[0])].add(norm(p[1]))
    for line in (SHARED / "morph" / "unimorph-bul.tsv").open(encoding="utf8"):
        p = line.rstrip("\n").split("\t")
        if len(p) >= 3 and " " not in p[0] + p[1] and not p[2].startswith("V.MSDR"):
            par[clean_lemma(p[0])].add(norm(p[1]))
    out = []
    for lemma, forms in par.items():
        by_term: dict[str, list[str]] = defaultdict(list)
        for f in sorted(forms | {lemma}):
            if f in known:
                by_term[stem_with(data, f)].append(f)
        if len(by_term) > 1:
            main_term = max(by_term, key=lambda t: (len(by_term[t]), t))
            rest = sum(freq.get(f, 0.0) for t, fs in by_term.items() if t != main_term for f in fs)
            out.append((rest, lemma, dict(by_term)))
    out.sort(key=lambda x: (-x[0], x[1]))
    return out


# ---------------------------------------------------------------------------------------------
# Build-time checks over the whole dictionary (run by every build; see docs/stemmer.md)

#: Lemmas whose key uses a letter none of their forms use without a regular alternation to explain
#: it (auxiliary variants, vocatives, derived words the dictionary lists under their base; listed in
#: docs/stemmer.md): the build fails when there are more.
LETTER_EXCEPTIONS = 11
REGULAR_ALTERNATIONS = ("я/е alternation", "fleeting vowel")


def check_nia(pairs: dict[str, str], f2l: dict[str, str]) -> tuple[int, list[str]]:
    """The key of every known X-ния and X-нията equals the key of a known X-ние.  Returns (pairs
    checked, violations).  A stated exception: both -не and -ние nouns are lemmas (писания:
    писане / писание), and the plural goes to the commoner one."""
    checked, bad = 0, []
    for f, k in pairs.items():
        if not NIA_PLURAL.search(f) or (noun := f[:-1] + "е") not in pairs:
            continue
        for form in (f, f + "та"):
            if form not in pairs:
                continue
            checked += 1
            if pairs[form] != pairs[noun] and f2l.get(f[:-3] + "не") != f[:-3] + "не":
                bad.append(f"{form} -> {pairs[form]}, {noun} -> {pairs[noun]}")
    return checked, bad


def check_letters(pairs: dict[str, str], f2l: dict[str, str]) -> list[str]:
    """Lemmas whose key uses a letter more often than any of the lemma's forms does (a corrupted lemma such
    as предупруждуние for предупреждения, or надявамсе from надявам-се; the lemma counts as a form
    when it is a dictionary form), with a reason when the letter is a regular alternation: я/е (смяна, смени) or a fleeting е/ъ of a lemma that is not
    itself among its forms (прохладен, прохладната)."""
    out = []
    for lemma, forms in sorted(invert(f2l).items()):
        key = pairs[next(iter(forms))]
        # the lemma is one of its forms even when that string went to another lemma (the
        # perfective предоставя, whose "lemma" is the imperfective's 3rd person)
        own = {lemma} if f2l.get(lemma) in (lemma, lemma + "м") else set()
        most: Counter[str] = Counter()
        for f in forms | own:
            most |= Counter(f)
        extra = set(Counter(key) - most)  # a letter more often than in any form
        if not extra:
            continue
        if extra <= {"я"} and any("е" in f for f in forms):
            why = "я/е alternation"
        elif extra <= {"е", "ъ"} and lemma not in forms:
            why = "fleeting vowel"
        elif not any(f[:2] == key[:2] for f in forms):
            why = "suppletive or unrelated form"
        else:
            why = "variant form"
        out.append(f"{key} <- {' '.join(sorted(forms)[:4])} ({why})")
    return out


def check_rules(data: StemmerData, pairs: dict[str, str]) -> list[str]:
    """Every dictionary form gets its lemma's key (exceptions plus rules reproduce the pairs), so
    forms of one dictionary lemma always share one key."""
    return [f for f, k in pairs.items() if stem_with(data, f) != k]


def classify_splits(splits: list[tuple[float, str, dict[str, list[str]]]], f2l: dict[str, str],
                    alt: dict[str, set[str]]) -> tuple[Counter[str], list[tuple[float, str, dict[str, list[str]]]]]:
    """Sort the forms that Měchura's list / UniMorph put under one lemma but that get another term
    than the lemma's main one by the stated rule that parts them:

    * verbal noun: the form is a -не/-ние noun's (the lists put -ния plurals under the verb);
    * aspect pair: the form is the shared present of an aspect pair (приема -> приемам);
    * homograph: another lemma of the lists or simplemma claims the form (работи, мили);
    * participle kept apart: a lexicalised -н/-т/-л/-щ adjective (мил, воден);
    * suppletion: the form does not share the lemma's first letter (човек / хора, аз / ме).

    Returns (form counts per reason, the splits with an unexplained form)."""
    reasons: Counter[str] = Counter()
    unexplained = []
    for split in splits:
        _, lemma, groups = split
        main = next((t for t, fs in groups.items() if lemma in fs and f2l.get(lemma) == lemma), None) or max(
            groups, key=lambda t: (len(groups[t]), t))  # the lemma's own term, if it is its own lemma
        bad = False
        for term, forms in groups.items():
            if term == main:
                continue
            for f in forms:
                own = f2l.get(f, "")
                if own.endswith("не") and own != lemma:
                    reasons["verbal noun"] += 1
                elif (own == lemma + "м" and f in (lemma, lemma + "т")) or (
                        own == lemma[:-1] and f in (own, own + "т")):
                    reasons["aspect pair"] += 1
                elif len(alt.get(f, set()) | {own}) > 1:
                    reasons["homograph"] += 1
                elif own.endswith(PARTICIPLE_FINALS):
                    reasons["participle kept apart"] += 1
                elif f[0] != lemma[0]:
                    reasons["suppletion"] += 1
                else:
                    reasons["unexplained"] += 1
                    bad = True
        if bad:
            unexplained.append(split)
    return reasons, unexplained


def run_checks(data: StemmerData, pairs: dict[str, str], f2l: dict[str, str], show: int = 15) -> None:
    """Run the build-time checks, print their counts, and fail loudly (SystemExit) on a violation."""
    failures = []
    wrong = check_rules(data, pairs)
    print(f"check: forms whose term is not their lemma's key: {len(wrong)}")
    if wrong:
        failures.append(f"{len(wrong)} forms do not get their lemma's key, e.g. {wrong[:5]}")
    checked, nia = check_nia(pairs, f2l)
    print(f"check: X-ния / X-нията with the key of X-ние: {checked - len(nia)} of {checked}")
    if nia:
        failures.append(f"{len(nia)} -ния plurals apart from their -ние noun: {nia[:10]}")
    letters = check_letters(pairs, f2l)
    odd = [line for line in letters if not line.endswith(tuple(f"({r})" for r in REGULAR_ALTERNATIONS))]
    print(f"check: keys with a letter more often than any of their lemma's forms: {len(letters)}, "
          f"{len(letters) - len(odd)} of them by a regular alternation; the others "
          f"(stated exceptions: at most {LETTER_EXCEPTIONS}):")
    for line in odd:
        print(f"  {line}")
    if len(odd) > LETTER_EXCEPTIONS:
        failures.append(f"{len(odd)} keys use letters their forms do not (> {LETTER_EXCEPTIONS})")
    alt, _ = load_alternatives()
    splits = paradigm_splits(data, set(pairs))
    reasons, unexplained = classify_splits(splits, f2l, alt)
    print(f"check: lemmas of Měchura's list / UniMorph split between terms: {len(splits)}; their "
          f"forms off the main term by reason: " + ", ".join(f"{r} {n}" for r, n in reasons.most_common()))
    for mass, lemma, groups in unexplained[:show]:
        print(f"  unexplained {mass:.2e} {lemma}: " + "; ".join(f"{t} <- {' '.join(fs)}" for t, fs in groups.items()))
    if failures:
        raise SystemExit("build checks failed:\n  " + "\n  ".join(failures))


def holdout(pairs: dict[str, str], f2l: dict[str, str], folds: int = 10) -> tuple[float, float, float, float]:
    """Rule fallback on unseen words: for each of `folds` folds, the forms of 1/folds of the lemmas
    (by CRC32 of the lemma) are removed, rules are learned from the rest, and the held-out forms are
    stemmed by rules only.  Returns (share of held-out forms given exactly their dictionary term,
    pairwise precision, recall, F1 among held-out forms, a pair being two forms of one lemma)."""
    fold = {l_: zlib.crc32(l_.encode()) % folds for l_ in set(f2l.values())}
    freq = load_wordfreq()
    exact = total = gold = system = true = 0

    def npairs(c: Counter[object]) -> int:
        return sum(n * (n - 1) // 2 for n in c.values())

    for k in range(folds):
        train = {f: key for f, key in pairs.items() if fold[f2l[f]] != k}
        test = [f for f in pairs if fold[f2l[f]] == k]
        rules = learn_rules(rule_training(train, freq))
        data = StemmerData(rules, {}, frozenset(train.values()), max(len(s) for s in rules))
        pred = {f: rule_stem(f, data) for f in test}
        exact += sum(pred[f] == pairs[f] for f in test)
        total += len(test)
        gold += npairs(Counter(f2l[f] for f in test))
        system += npairs(Counter(pred.values()))
        true += npairs(Counter((f2l[f], pred[f]) for f in test))
    p, r = true / system, true / gold
    return exact / total, p, r, 2 * p * r / (p + r)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--check", type=int, metavar="N", default=0,
                    help="also report paradigm splits (Měchura/UniMorph lemmas whose forms get "
                         "several terms), the N worst")
    ap.add_argument("--show", type=int, metavar="N", default=15,
                    help="how many unexplained paradigm splits the checks list (default 15)")
    ap.add_argument("--holdout", action="store_true",
                    help="also measure the rule fallback on held-out lemmas (10-fold; ~30 s)")
    args = ap.parse_args()
    pairs, f2l = build_pairs()
    # The rules learn from the dictionary and from the verb paradigms generated for its verbs (the
    # forms it lacks: participles, aorists, imperfects), tools/verb_paradigms.py.
    import verb_paradigms

    data, _ = verb_paradigms.make_data(pairs, f2l, load_wordfreq())
    print(f"{len(pairs)} forms, {len(data.keys)} keys, {len(data.rules)} rules, "
          f"{len(data.exceptions)} exceptions")
    run_checks(data, pairs, f2l, args.show)
    write_data(data, list(pairs), args.out)
    if args.check:
        splits = paradigm_splits(data, set(pairs))
        print(f"paradigm splits: {len(splits)} lemmas, wordfreq mass outside the main term "
              f"{sum(s[0] for s in splits):.4f}")
        for mass, lemma, groups in splits[: args.check]:
            print(f"  {mass:.2e} {lemma}: " + "; ".join(f"{t} <- {' '.join(fs)}" for t, fs in groups.items()))
    if args.holdout:
        exact, p, r, f1 = holdout(pairs, f2l)
        print(f"held-out lemmas (10-fold, rules only): exact {exact:.3f}, pairwise P {p:.3f} "
              f"R {r:.3f} F1 {f1:.3f}")


if __name__ == "__main__":
    main()
