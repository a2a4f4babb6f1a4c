"""Write the other forms of the pronouns and numerals in Savoy's stop list (``stopwords-bg-forms.txt``).

Savoy's list names some forms of a word and not others: кой but not коя, кое, кои; всеки and всяка but
not всяко; един but not една, едно. A query's коя then searches for the pronoun while its кой is
dropped, and a question (Коя от следните ...) ranks by the question word. The rule: when Savoy's list
holds a pronoun's or a numeral's lemma (tools/pronouns.tsv, tools/numerals.tsv: the grammar's closed
paradigms), every form of that word is a stop word. Only the lemma counts, so само ("only") and
първо ("firstly"), adverbs Savoy lists, do not bring сам (alone) and пръв (first) with them.

Run ``python tools/build_stop_forms.py`` from the repository root; ``--check`` exits 1 when the
shipped file differs from what the rule gives.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "bgsearch" / "analysis" / "data"
SAVOY = DATA / "stopwords-bg.txt"
FORMS = DATA / "stopwords-bg-forms.txt"
PARADIGMS = (ROOT / "tools" / "pronouns.tsv", ROOT / "tools" / "numerals.tsv")

HEADER = """\
# The other forms of the pronouns and numerals whose lemma Savoy's list (stopwords-bg.txt) holds:
# кой brings коя, кое, кои; един brings една, едно. Written by tools/build_stop_forms.py from the
# grammar's paradigms (tools/pronouns.tsv, tools/numerals.tsv; MIT, bgsearch); do not edit by hand.
# Lines starting with # are comments. Each line: a form, then # and its lemma.
"""


def words(path: Path) -> list[str]:
    return [word for line in path.read_text("utf-8").splitlines() if (word := line.split("#", 1)[0].strip())]


def paradigms() -> Iterator[tuple[str, list[str]]]:
    """(lemma, forms) of every pronoun and numeral."""
    for path in PARADIGMS:
        for line in path.read_text("utf-8").splitlines():
            if line and not line.startswith("#"):
                lemma, _kind, forms = line.split("\t")
                yield lemma, forms.split()


def other_forms(savoy: set[str]) -> list[tuple[str, str]]:
    """(form, lemma) for each form not in `savoy` of a word whose lemma is in it, in the tables' order;
    a form that the analyzer's normalization makes a listed one (азъ → аз) is left out."""
    from bgsearch.analysis.normalizer import normalize_word

    seen = {normalize_word(word) for word in savoy}
    found = []
    for lemma, forms in paradigms():
        if lemma not in savoy:
            continue
        for form in forms:
            if normalize_word(form) not in seen:
                seen.add(normalize_word(form))
                found.append((form, lemma))
    return found


def render() -> str:
    return HEADER + "".join(f"{form}  # {lemma}\n" for form, lemma in other_forms(set(words(SAVOY))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the shipped file differs")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        if FORMS.read_text("utf-8") != text:
            print(f"{FORMS.relative_to(ROOT)} is out of date: run python tools/build_stop_forms.py", file=sys.stderr)
            return 1
        return 0
    FORMS.write_text(text, "utf-8")
    print(f"wrote {FORMS.relative_to(ROOT)}: {text.count(chr(10)) - HEADER.count(chr(10))} forms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
