"""Build the character n-gram model that ranks transliteration candidates (``bgsearch.analysis.translit``).

Run ``python tools/build_translit_model.py`` from the repository root.  It reads the word list
wordfreq-bg (``../shared/data/corpora/wordfreq-bg.tsv``; wordfreq by Robyn Speer et al., data
CC BY-SA 4.0), keeps the words written in the 30 letters а–я, pads each as ``^^word$`` and counts
every character n-gram of order 1..N (each word counted once, however frequent: the model describes
how Bulgarian words are *spelled*, and letting a few hundred function words dominate the counts
makes it worse at the long content words people search for).

It writes ``src/bgsearch/analysis/data/translit-ngrams.tsv.gz``: comment lines, ``order<TAB>N``, then
``ngram<TAB>count`` lines.  Only these counts are shipped, not the word list.

``--hold-out`` leaves out the evaluation words (see :func:`held_out`) so that
``tools/eval_translit.py`` can measure the model on words it has not seen; the shipped model is
built from all words (the default).
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORDFREQ = ROOT.parent / "shared" / "data" / "corpora" / "wordfreq-bg.tsv"
OUT = ROOT / "src" / "bgsearch" / "analysis" / "data" / "translit-ngrams.tsv.gz"

BOS, EOS = "^", "$"  # must match bgsearch.analysis.translit
ORDER = 4
CYRILLIC = re.compile("[а-я]+")


def read_words(path: Path = WORDFREQ) -> list[str]:
    """The Cyrillic words of wordfreq-bg, most frequent first (ѝ/ѐ folded to и/е, duplicates dropped)."""
    words: dict[str, None] = {}
    with path.open(encoding="utf8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            word = line.split("\t", 1)[0].lower().replace("ѝ", "и").replace("ѐ", "е")
            if CYRILLIC.fullmatch(word):
                words.setdefault(word, None)
    return list(words)


def split_bucket(word: str) -> int:
    """A stable pseudo-random bucket 0..9 of a word (same on every run and machine)."""
    return hashlib.md5(word.encode("utf8")).digest()[0] % 10


def held_out(word: str) -> bool:
    """The 20% of words reserved for the evaluation (buckets 0-1)."""
    return split_bucket(word) < 2


def count_ngrams(words: Iterable[str], order: int = ORDER) -> Counter[str]:
    """Counts of all n-grams of order 1..``order`` predicting a letter (or the end) of a word."""
    counts: Counter[str] = Counter()
    pad = BOS * (order - 1)
    for word in words:
        text = pad + word + EOS
        for i in range(order - 1, len(text)):
            for k in range(1, order + 1):
                counts[text[i - k + 1 : i + 1]] += 1
    return counts


def model_lines(counts: Counter[str], order: int, note: str) -> list[str]:
    header = [
        "# Character n-gram counts of Bulgarian spelling for bgsearch.analysis.translit.",
        "# Derived from wordfreq-bg (wordfreq by Robyn Speer et al., https://github.com/rspeer/wordfreq,",
        "# data licensed CC BY-SA 4.0); this derived table is shared under CC BY-SA 4.0 too.",
        f"# Built by tools/build_translit_model.py: {note}",
        f"order\t{order}",
    ]
    body = [f"{gram}\t{n}" for gram, n in sorted(counts.items())]
    return header + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--order", type=int, default=ORDER)
    parser.add_argument("--hold-out", action="store_true", help="leave out the evaluation words")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    words = read_words()
    if args.hold_out:
        words = [w for w in words if not held_out(w)]
    counts = count_ngrams(words, args.order)
    note = f"{len(words)} words, order {args.order}" + (", evaluation words held out" if args.hold_out else "")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    data = ("\n".join(model_lines(counts, args.order, note)) + "\n").encode("utf8")
    # mtime=0: the same input gives the same bytes.
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as fh:
        fh.write(data)
    print(f"{args.out}: {len(counts)} n-grams from {len(words)} words, {args.out.stat().st_size} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
