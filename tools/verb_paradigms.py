"""Complete paradigms of Bulgarian verbs, by the conjugation classes of the grammar (build-time only).

A verb is given by its lemma (1st person singular present: чета, говоря, давам) and, when the
dictionary has them, some of its forms; ``paradigm(lemma, known)`` returns every synthetic form,
slot by slot:

* present (1-3 sg/pl), aorist and imperfect (1-3 sg/pl), imperative (2 sg/pl);
* past active aorist participle (-л: чел, чела, чело, чели, челия, челият, челата, челото, челите),
  past active imperfect participle (четял, четяла, четяло, четели), past passive participle (-н/-т:
  четен ... четените; мит, чут, взет; тръгнат), present active participle (-щ: четящ ... четящите),
  each with its gender, number and definite forms;
* verbal noun (-не, -нето, -ния, -нията) and adverbial participle (-йки).

Classes (the grammar's three conjugations):

* **I** (3rd sg in -е: чета/чете, пиша/пише, мия/мие, тръгна/тръгне);
* **II** (3rd sg in -и: говоря/говори, видя/види, стоя/стои);
* **III** (-ам/-ям: давам/дава, стрелям/стреля).

The class comes from the dictionary's 3rd singular (or 2nd singular, 1st plural) when it has one, else
from the lemma's ending (-ам/-ям: III; -я after a consonant, -оя: II; the rest: I).  The aorist stem
comes from the dictionary's aorist or -л participle when it has one, else from the class and the
stem's last letter (чета: четох, чел; пиша: писах; кажа: казах; мия: мих, мит; пея: пях; тръгна:
тръгнах, тръгнат; говоря: говорих, говорен; давам: давах, даван).  Where stress decides between
-я- and -е- (четях / пишех, четящ / пишещ) the dictionary's form decides, else the class: stressed
for the -ох aorists of the I conjugation (четях, печах), -е- for the others.

The paradigms are what the rule fallback of the stemmer meets for verbs no dictionary knows: the
conflation harness (``benchmarks/conflation.py --verbs``) stems the forms of verbs held out by lemma
with the rules alone, and ``python tools/verb_paradigms.py --check`` scores the generator against
UniMorph's paradigms (the slots both have).

The stemmer's suffix rules are learned from them too: ``python tools/verb_paradigms.py --build`` runs the
steps and checks of ``tools/build_stemmer_data.py`` with the generated forms the dictionary lacks among
the rules' training pairs (``make_data``: a form of a slot that nouns share, a participle spelled as an
-ния plural, and suffixes shorter than 3 letters are left to the dictionary), and writes the data.
``--holdout`` measures the rule fallback on held-out verbs with rules relearned without them, with and
without the generated paradigms.  The paradigms themselves are not shipped.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"

VOWELS = "аеиоуъюя"
ADJ_ENDINGS = ("", "а", "о", "и", "ия", "ият", "ата", "ото", "ите")
#: The slots of a participle with gender, number and definite forms, in ``ADJ_ENDINGS`` order.
ADJ_SLOTS = ("m", "f", "n", "pl", "m.def.short", "m.def.full", "f.def", "n.def", "pl.def")
PARTICIPLES = ("aor.ptcp", "impf.ptcp", "pass.ptcp", "prs.ptcp")
#: Slot names whose form is a verbal noun (a noun of its own for the stemmer, not a verb form).
VERBAL_NOUN_SLOTS = ("vn", "vn.def", "vn.pl", "vn.pl.def")
#: Slots whose ending a noun or an adjective has as well (the present 3rd sg and 2nd pl, the aorist 2nd
#: and 3rd sg, the imperative: говори, говорите, чете, писа, пиши): their generated forms do not vote
#: for the suffix rules, or they would outvote the plurals of nouns and adjectives (сухопътни,
#: ресурсите: imperatives of -на verbs and 2nd plurals of the II conjugation are rare in texts).
NOMINAL_LOOKING_SLOTS = ("prs.3sg", "prs.2pl", "aor.2sg", "aor.3sg", "imp.2sg", "imp.2pl")

#: Nor do the short definite forms of -н participles in -ения/-ания/-яния (заловения, давания): they
#: are spelled as the -ние/-не nouns' plurals, which the build lets vote only when a text has them
#: (``rule_training``), and texts use the nouns.
_NIA = re.compile("[еяа]ния(та)?$")
_ALTERNATION = {"ш": "с", "ж": "з", "ч": "к"}  # пиша: писах, кажа: казах, плача: плаках
_PALATAL = {"к": "ч", "г": "ж"}  # пека: печен, стрига: стрижен


def conjugation(lemma: str, known: Iterable[str] = ()) -> str:
    """The conjugation class, "I", "II" or "III"."""
    if lemma.endswith(("ам", "ям")):
        return "III"
    stem = lemma[:-1]
    known = set(known)
    votes = Counter()
    for ending, cls in (("е", "I"), ("еш", "I"), ("ем", "I"), ("и", "II"), ("иш", "II"), ("им", "II")):
        if stem + ending in known:
            votes[cls] += 1
    if votes:
        return votes.most_common(1)[0][0]
    if lemma.endswith("оя") or (lemma.endswith("я") and stem[-1:] not in VOWELS):
        return "II"
    return "I"


def present_stem(lemma: str, cls: str) -> str:
    """чета: чет; говоря: говор; мия: ми; давам: дава."""
    return lemma[:-1]


def _default_aorist(lemma: str, cls: str) -> str:
    """The aorist stem the class and the stem's last letter give (no dictionary forms)."""
    stem = lemma[:-1]
    if cls == "III":
        return stem
    if cls == "II":
        return stem + "и" if stem[-1] not in VOWELS else lemma  # стоя: стоях
    last = stem[-1]
    if last in "ие" and stem[-2:] != "ее":
        return stem[:-1] + "я" if last == "е" else stem  # пея: пях; мия: мих
    if last in "уъая":
        return stem  # чуя: чух; играя: играх
    if last in _ALTERNATION:
        return stem[:-1] + _ALTERNATION[last] + "а"
    if lemma.endswith("на") or last in "лрмв":
        return lemma  # тръгна: тръгнах; бера -> бра(х) is irregular, the lemma is the nearer guess
    return stem + "о"  # чета: четох; донеса: донесох; пека: пекох


def aorist_stem(lemma: str, cls: str, known: set[str]) -> str:
    """The stem of the 1st sg aorist (without -х): чето, писа, говори, видя, дава, ми, взе.

    The dictionary's forms decide when they show an aorist (X-х with X-ха or X-хме): the class's
    default first, then the others; the imperfect's -ех (and -ях when another aorist is there) is
    not an aorist."""
    default = _default_aorist(lemma, cls)
    if default + "х" in known:
        return default
    stem = lemma[:-1]
    head = lemma[: max(2, min(len(lemma) - 2, 4))]
    candidates = []
    for f in known:
        if (f.startswith(head) and f.endswith("х") and f != stem + "ех"
                and (f + "а" in known or f + "ме" in known)):
            x = f[:-1]
            candidates.append((x[-1:] != "я" or x == lemma, x[-1:] in "оаи", len(x), x))
    return max(candidates)[3] if candidates else default


def paradigm(lemma: str, known: Iterable[str] = ()) -> dict[str, str]:
    """Every synthetic form of the verb ``lemma`` by slot (see the module docstring)."""
    known = set(known)
    cls = conjugation(lemma, known)
    p = present_stem(lemma, cls)
    a = aorist_stem(lemma, cls, known)
    out: dict[str, str] = {}
    vowel_stem = p[-1:] in VOWELS
    # I with a -к/-г stem softens it before е/я: пека, печеш, пече, печах, печене; the 3rd plural,
    # the imperative and the aorist keep it (пекат, пеки, пекох)
    pe = p[:-1] + _PALATAL[p[-1]] if cls == "I" and p[-1:] in _PALATAL else p

    # present
    if cls == "III":
        out.update({"prs.1sg": lemma, "prs.2sg": p + "ш", "prs.3sg": p, "prs.1pl": p + "ме",
                    "prs.2pl": p + "те", "prs.3pl": p + "т"})
    else:
        v = "е" if cls == "I" else "и"
        q = pe if cls == "I" else p
        out.update({"prs.1sg": lemma, "prs.2sg": q + v + "ш", "prs.3sg": q + v, "prs.1pl": q + v + "м",
                    "prs.2pl": q + v + "те", "prs.3pl": lemma + "т"})
    # aorist
    a23 = a[:-1] + "е" if a.endswith("о") else a
    out.update({"aor.1sg": a + "х", "aor.2sg": a23, "aor.3sg": a23, "aor.1pl": a + "хме",
                "aor.2pl": a + "хте", "aor.3pl": a + "ха"})
    # imperfect: I/II -ях (stressed) or -ех; III as the aorist
    if cls == "III":
        im, im23, impf_pl = p, p + "ше", p
    else:
        # stressed -ях (-ах after ж, ш, ч, щ) when the dictionary has it, or for the -ох aorists
        # (четох: четях, пекох: печах); else -ех (пишех, говорех)
        soft = "а" if pe[-1] in "жшчщ" else "я"
        if pe + soft + "х" in known and pe + soft + "х" != a + "х":
            stressed = True
        elif pe + "ех" in known or pe + "еше" in known and pe + "ели" in known:
            stressed = False
        else:
            stressed = a.endswith("о") and cls == "I"
        im = pe + (soft if stressed else "е")
        im23, impf_pl = pe + "еше", pe + "е"
    out.update({"impf.1sg": im + "х", "impf.2sg": im23, "impf.3sg": im23, "impf.1pl": im + "хме",
                "impf.2pl": im + "хте", "impf.3pl": im + "ха"})
    # imperative
    if cls == "III" or vowel_stem:
        out.update({"imp.2sg": p + "й", "imp.2pl": p + "йте"})
    else:
        out.update({"imp.2sg": p + "и", "imp.2pl": p + "ете"})

    def adjective(slot: str, masc: str, stem: str, plural_stem: str | None = None) -> None:
        """A participle's nine forms: masculine ``masc``, the others on ``stem`` (я -> е before и)."""
        pl = plural_stem or stem
        for name, ending in zip(ADJ_SLOTS, ADJ_ENDINGS):
            if not ending:
                out[f"{slot}.{name}"] = masc
            else:
                out[f"{slot}.{name}"] = (pl if ending.startswith("и") else stem) + ending

    def ye(stem: str) -> str:
        return stem[:-1] + "е" if stem.endswith("я") else stem

    # past active aorist participle
    if a.endswith("о") and cls == "I":
        base = p[:-1] if p[-1] in "тд" else p
        lstem = base + "л"
        adjective("aor.ptcp", lstem if p[-1] in "тд" else p + "ъл", lstem)
    else:
        adjective("aor.ptcp", a + "л", a + "л", (ye(a) if cls != "III" else a) + "л")
    # past active imperfect participle: masculine, feminine, neuter, plural
    out.update({"impf.ptcp.m": im + "л", "impf.ptcp.f": im + "ла", "impf.ptcp.n": im + "ло",
                "impf.ptcp.pl": impf_pl[:-1] + "ели" if cls != "III" else p + "ли"})
    # past passive participle
    if a.endswith("о"):
        last = p[-1]
        n = p[:-1] + _PALATAL[last] + "ен" if last in _PALATAL else p + "ен"
    elif a.endswith("и") and (cls == "II" or len(a) > 2 and a[-2] not in VOWELS and cls != "I"):
        n = a[:-1] + "ен"
    elif a.endswith(("а", "я")):
        n = a + ("т" if cls == "I" and a.endswith("на") else "н")
    else:
        n = a + "т"  # мит, чут, взет
    if p + "ен" in known and n != p + "ен" and cls != "III":
        n = p + "ен"
    adjective("pass.ptcp", n, n, ye(n[:-1]) + n[-1])
    # present active participle
    if cls == "III":
        pr = p + "щ"
    else:
        soft = "а" if pe[-1] in "жшчщ" else "я"
        if pe + soft + "щ" in known or pe + soft + "ща" in known:
            stressed = True
        elif pe + "ещ" in known or pe + "еща" in known:
            stressed = False
        pr = pe + (soft + "щ" if stressed else "ещ")  # четящ, печащ; пишещ, говорещ
    adjective("prs.ptcp", pr, pr)
    # verbal noun, adverbial participle
    vn = p + "не" if cls == "III" else pe + "ене"
    out.update({"vn": vn, "vn.def": vn + "то", "vn.pl": vn[:-1] + "ия", "vn.pl.def": vn[:-1] + "ията"})
    out["cvb"] = p + "йки" if cls == "III" else pe + "ейки"
    return out


# ---------------------------------------------------------------------------------------------------
# The verbs of the project's dictionary


def dictionary_verbs(f2l: Mapping[str, str], pairs: Mapping[str, str], verbs: set[str] | None = None) -> dict[str, set[str]]:
    """The verb lemmas of the stemmer's dictionary with their known forms: a lemma is a verb when its
    key is itself and ``verbs`` (the build's verb set) has it, or when it ends in -ам/-ям, has at
    least 5 letters and no form with a noun's ending after it (-и, -а, -ът, -ове: балсами, волфрама)."""
    forms_of: dict[str, set[str]] = defaultdict(set)
    for f, l_ in f2l.items():
        forms_of[l_].add(f)
    out = {}
    for lemma, forms in forms_of.items():
        if pairs.get(lemma, lemma) != lemma and lemma in forms:
            continue
        if verbs is not None and lemma in verbs:
            out[lemma] = forms
        elif (len(lemma) >= 5 and lemma.endswith(("ам", "ям"))
              and not any(lemma + e in forms for e in ("и", "а", "ът", "ове", "ите"))):
            out[lemma] = forms
    return out


def _build_tool():  # tools/build_stemmer_data.py, imported from beside this file
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    import build_stemmer_data

    return build_stemmer_data


def build_verbs(pairs: Mapping[str, str], f2l: Mapping[str, str]) -> dict[str, set[str]]:
    """The dictionary's verbs (the build's verb test on the final paradigms, plus -ам/-ям lemmas
    with no noun forms) with their known forms."""
    build = _build_tool()
    upos = build.load_unimorph_pos()
    forms_of = build.invert(dict(f2l))
    verbs = {l_ for l_, fs in forms_of.items() if build.is_verb(l_, fs, upos)}
    return dictionary_verbs(f2l, pairs, verbs)


def generated_pairs(pairs: Mapping[str, str], verbs: Mapping[str, set[str]],
                    skip: Iterable[str] = ()) -> dict[str, str]:
    """form -> key for the generated forms of the verbs (but those in ``skip``) that the dictionary
    lacks, but the ``NOMINAL_LOOKING_SLOTS`` and the -ния shapes; verbal nouns are left out (they are
    nouns of their own, and the dictionary has them).  A form two verbs make goes to neither."""
    skip = set(skip)
    out: dict[str, str] = {}
    clash: set[str] = set()
    for lemma in sorted(verbs):
        if lemma in skip:
            continue
        key = pairs.get(lemma, lemma)
        for slot, form in paradigm(lemma, verbs[lemma]).items():
            if (slot in VERBAL_NOUN_SLOTS or slot in NOMINAL_LOOKING_SLOTS or form in pairs or len(form) < 3
                    or _NIA.search(form)):
                continue
            if out.setdefault(form, key) != key:
                clash.add(form)
    return {f: k for f, k in out.items() if f not in clash}


#: Generated forms vote only for suffixes of at least this many letters.  The shorter ones are the
#: fallbacks of every word class (-т, -на, -и), and the dictionary's nouns and adjectives must decide
#: them: with the generated 3rd plurals (дават -> давам) the rule for -т would make every unknown noun
#: in -т a verb (космонавт -> космонавм), with the -ана participles (финансирана) the rule for -на
#: would turn the -на adjectives away from their -ен key (великолепна -> великолепен).
GENERATED_MIN_SUFFIX = 3


def learn_rules(training: Mapping[str, str], generated: Mapping[str, str] = {},
                min_suffix: int = GENERATED_MIN_SUFFIX) -> dict[str, tuple[int, str]]:
    """``build_stemmer_data.learn_rules`` with generated forms: every suffix (up to MAX_SUFFIX
    letters) seen under >= MIN_COUNT forms gets the transformation most of them need, the generated
    forms voting as dictionary forms do but only for suffixes of >= ``min_suffix`` letters; a suffix
    is kept when it differs from its longest kept proper suffix.  Without generated forms this is
    exactly the build's rule learning."""
    build = _build_tool()
    return dict(build.learn_rules(dict(training), build.MIN_COUNT, dict(generated), min_suffix))


def make_data(pairs: Mapping[str, str], f2l: Mapping[str, str], freq: Mapping[str, float],
              verbs: Mapping[str, set[str]] | None = None) -> tuple[object, int]:
    """The stemmer's data as ``build_stemmer_data.make_data`` makes it, the rules learned from the
    build's own training pairs (``rule_training``) and the generated verb forms the dictionary lacks
    (``learn_rules``).  Returns (data, generated forms)."""
    from bgsearch.analysis.stemmer import StemmerData, rule_stem

    build = _build_tool()
    if verbs is None:
        verbs = build_verbs(pairs, f2l)
    generated = generated_pairs(pairs, verbs)
    rules = learn_rules(build.rule_training(dict(pairs), dict(freq)), generated)
    keys = frozenset(pairs.values())
    data = StemmerData(rules, {}, keys, max((len(x) for x in rules), default=0))
    exceptions = {f: k for f, k in pairs.items() if rule_stem(f, data) != k}
    return StemmerData(rules, exceptions, keys, data.max_suffix), len(generated)


def _verb_scores(data: object, heldout: list[str], verbs: Mapping[str, set[str]]) -> dict[str, object]:
    """Rule fallback on the held-out verbs' generated forms (verbal nouns left out)."""
    from bgsearch.analysis.stemmer import rule_stem

    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    on_main = exact = n = 0
    gold = system = true = 0
    terms_all: Counter[str] = Counter()
    for lemma in heldout:
        forms = {f: s for s, f in paradigm(lemma, verbs[lemma]).items() if s not in VERBAL_NOUN_SLOTS}
        terms = {f: rule_stem(f, data) for f in forms}  # type: ignore[arg-type]
        counts = Counter(terms.values())
        on_main += counts.most_common(1)[0][1]
        exact += counts[lemma]
        n += len(forms)
        gold += len(forms) * (len(forms) - 1) // 2
        true += sum(c * (c - 1) // 2 for c in counts.values())
        terms_all.update(terms.values())
        for f, slot in forms.items():
            group = ".".join(slot.split(".")[:2]) if slot.startswith(PARTICIPLES) else slot.split(".")[0]
            total[group] += 1
            right[group] += terms[f] == lemma
    system = sum(c * (c - 1) // 2 for c in terms_all.values())
    p, r = true / system, true / gold
    return {"exact": exact / n, "main": on_main / n, "P": p, "R": r, "F1": 2 * p * r / (p + r),
            "slots": {g: right[g] / total[g] for g in sorted(total)}}


def holdout(seed: int = 16, share: float = 0.2) -> None:
    """Rules learned without a share of the verbs (their forms, their verbal nouns' forms, their keys),
    with and without the generated paradigms of the other verbs, scored on the held-out verbs'
    generated forms; then the build's 10-fold hold-out over all lemmas, with and without."""
    import random
    import zlib

    from bgsearch.analysis.stemmer import StemmerData, rule_stem

    build = _build_tool()
    pairs, f2l = build.build_pairs()
    freq = build.load_wordfreq()
    verbs = build_verbs(pairs, f2l)
    held = sorted(random.Random(seed).sample(sorted(verbs), round(len(verbs) * share)))
    gone = set(held)
    for lemma in held:  # the held-out verbs' verbal nouns go with them
        for slot, form in paradigm(lemma, verbs[lemma]).items():
            if slot in VERBAL_NOUN_SLOTS and form in f2l:
                gone.add(f2l[form])
    train = {f: k for f, k in pairs.items() if f2l[f] not in gone}
    keys = frozenset(train.values())
    base = build.rule_training(train, freq)
    for name, generated in (("dictionary only", {}), ("+ generated paradigms", generated_pairs(train, verbs, set(held)))):
        rules = learn_rules(base, generated)
        data = StemmerData(rules, {}, keys, max(len(x) for x in rules))
        sc = _verb_scores(data, held, verbs)
        print(f"held-out verbs ({len(held)} of {len(verbs)}, seed {seed}), rules from {name} "
              f"({len(base)} + {len(generated)} pairs, {len(rules)} rules): exact {sc['exact']:.3f}, on the commonest term "
              f"{sc['main']:.3f}, pairwise P {sc['P']:.3f} R {sc['R']:.3f} F1 {sc['F1']:.3f}")
        print("   by slot: " + ", ".join(f"{g} {v:.3f}" for g, v in sc["slots"].items()))  # type: ignore[union-attr]
    # the build's 10-fold hold-out over every lemma (the figure docs/stemmer.md reports), both ways
    folds = 10
    fold = {l_: zlib.crc32(l_.encode()) % folds for l_ in set(f2l.values())}
    for name, extra in (("dictionary only", False), ("+ generated paradigms", True)):
        exact = total = gold = system = true = 0
        for k in range(folds):
            tr = {f: key for f, key in pairs.items() if fold[f2l[f]] != k}
            test = [f for f in pairs if fold[f2l[f]] == k]
            generated = generated_pairs(tr, verbs, {v for v in verbs if fold.get(v) == k}) if extra else {}
            rules = learn_rules(build.rule_training(tr, freq), generated)
            data = StemmerData(rules, {}, frozenset(tr.values()), max(len(x) for x in rules))
            pred = {f: rule_stem(f, data) for f in test}
            exact += sum(pred[f] == pairs[f] for f in test)
            total += len(test)
            gold += sum(c * (c - 1) // 2 for c in Counter(f2l[f] for f in test).values())
            system += sum(c * (c - 1) // 2 for c in Counter(pred.values()).values())
            true += sum(c * (c - 1) // 2 for c in Counter((f2l[f], pred[f]) for f in test).values())
        p, r = true / system, true / gold
        print(f"10-fold hold-out of all lemmas, rules from {name}: exact {exact / total:.3f}, "
              f"pairwise P {p:.3f} R {r:.3f} F1 {2 * p * r / (p + r):.3f}")


def build(out: Path | None = None, check: bool = True) -> None:
    """Build the stemmer's data as ``tools/build_stemmer_data.py`` does, the rules learned with the
    generated verb forms (``make_data``)."""
    b = _build_tool()
    pairs, f2l = b.build_pairs()
    data, generated = make_data(pairs, f2l, b.load_wordfreq())
    print(f"{len(pairs)} forms, {generated} generated verb forms, {len(data.keys)} keys, "  # type: ignore[attr-defined]
          f"{len(data.rules)} rules, {len(data.exceptions)} exceptions")  # type: ignore[attr-defined]
    if check:
        b.run_checks(data, pairs, f2l)
    b.write_data(data, list(pairs), out or b.OUT)


# ---------------------------------------------------------------------------------------------------
# Checking the generator against UniMorph's paradigms

_UNIMORPH_SLOTS = {
    "V;IND;PRS;1;SG": "prs.1sg", "V;IND;PRS;2;SG": "prs.2sg", "V;IND;PRS;3;SG": "prs.3sg",
    "V;IND;PRS;1;PL": "prs.1pl", "V;IND;PRS;2;PL": "prs.2pl", "V;IND;PRS;3;PL": "prs.3pl",
    "V;IND;PST;1;SG": "aor.1sg", "V;IND;PST;2;SG": "aor.2sg", "V;IND;PST;3;SG": "aor.3sg",
    "V;IND;PST;1;PL": "aor.1pl", "V;IND;PST;2;PL": "aor.2pl", "V;IND;PST;3;PL": "aor.3pl",
    "V;IND;PROG;PST;1;SG": "impf.1sg", "V;IND;PROG;PST;2;SG": "impf.2sg", "V;IND;PROG;PST;3;SG": "impf.3sg",
    "V;IND;PROG;PST;1;PL": "impf.1pl", "V;IND;PROG;PST;2;PL": "impf.2pl", "V;IND;PROG;PST;3;PL": "impf.3pl",
    "V;IMP;2;SG": "imp.2sg", "V;IMP;2;PL": "imp.2pl", "V.CVB": "cvb",
    "V.PTCP;ACT;PST;NFH;MASC;SG;INDF": "impf.ptcp.m", "V.PTCP;ACT;PST;NFH;FEM;SG;INDF": "impf.ptcp.f",
    "V.PTCP;ACT;PST;NFH;NEUT;SG;INDF": "impf.ptcp.n", "V.PTCP;ACT;PST;NFH;PL;INDF": "impf.ptcp.pl",
    "V.MSDR;NEUT;SG;INDF": "vn", "V.MSDR;NEUT;SG;DEF": "vn.def",
}
_UNIMORPH_ADJ = {"MASC;SG;INDF": "m", "FEM;SG;INDF": "f", "NEUT;SG;INDF": "n", "PL;INDF": "pl",
                 "MASC;SG;DEF;ACC": "m.def.short", "MASC;SG;DEF;NOM": "m.def.full", "FEM;SG;DEF": "f.def",
                 "NEUT;SG;DEF": "n.def", "PL;DEF": "pl.def"}
_UNIMORPH_PTCP = {"V.PTCP;ACT;PST;": "aor.ptcp", "V.PTCP;PASS;PST;": "pass.ptcp", "V.PTCP;ACT;PRS;": "prs.ptcp"}


def unimorph_paradigms(path: Path) -> dict[str, dict[str, set[str]]]:
    """UniMorph's verbs: lemma -> slot -> forms (the slots ``paradigm`` has)."""
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    with path.open(encoding="utf8") as lines:
        rows = [line.rstrip("\n").split("\t") for line in lines]
    for cols in rows:
        if len(cols) < 3 or not cols[2].startswith("V") or " " in cols[0] + cols[1]:
            continue
        lemma, form, feats = cols[0].lower(), cols[1].lower().replace("ѝ", "и"), cols[2]
        slot = _UNIMORPH_SLOTS.get(feats)
        if slot is None:
            for prefix, name in _UNIMORPH_PTCP.items():
                if feats.startswith(prefix) and "NFH" not in feats:
                    sub = _UNIMORPH_ADJ.get(feats[len(prefix):])
                    slot = f"{name}.{sub}" if sub else None
        if slot is not None and re.fullmatch("[а-я]+", form):
            out[lemma][slot].add(form)
    return out


def check_against_unimorph(known_of: Mapping[str, set[str]] | None = None) -> tuple[float, dict[str, float], int]:
    """Share of UniMorph's (verb, slot) cells the generator fills with one of UniMorph's forms, overall
    and by slot group; with ``known_of`` (lemma -> dictionary forms) the dictionary's forms guide it,
    as in the build, else it works from the lemma alone.  Returns (overall, by group, verbs)."""
    gold = unimorph_paradigms(SHARED / "morph" / "unimorph-bul.tsv")
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for lemma, slots in gold.items():
        known = (known_of or {}).get(lemma, set())
        made = paradigm(lemma, known)
        for slot, forms in slots.items():
            if slot not in made:
                continue
            group = slot.split(".")[0] if not slot.startswith(PARTICIPLES) else ".".join(slot.split(".")[:2])
            total[group] += 1
            right[group] += made[slot] in forms
    overall = sum(right.values()) / max(1, sum(total.values()))
    return overall, {g: right[g] / total[g] for g in sorted(total)}, len(gold)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="score the generator against UniMorph's paradigms")
    ap.add_argument("--build", action="store_true",
                    help="build the stemmer's data with the generated verb forms among the rules' training pairs")
    ap.add_argument("--holdout", action="store_true",
                    help="rule fallback on held-out verbs, rules learned with and without the generated paradigms")
    ap.add_argument("--show", metavar="LEMMA", nargs="*", default=[], help="print the paradigm of these verbs")
    args = ap.parse_args(argv)
    for lemma in args.show:
        for slot, form in paradigm(lemma).items():
            print(f"{lemma}\t{slot}\t{form}")
    if args.build:
        build()
    if args.holdout:
        holdout()
    if args.check:
        overall, groups, n = check_against_unimorph()
        print(f"UniMorph verbs {n}, from the lemma alone: {overall:.3f} of cells right; "
              + ", ".join(f"{g} {v:.3f}" for g, v in groups.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
