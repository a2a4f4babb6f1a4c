"""Measure how well ``bgsearch.analysis.translit.cyrillic_candidates`` recovers Bulgarian words from Latin.

Run ``python tools/eval_translit.py`` from the repository root.  It takes the most frequent
Cyrillic words of wordfreq-bg (``--top``, default 20,000), keeps those in the held-out 20%
(``build_translit_model.held_out``), writes each in Latin letters with ``to_latin`` (official and
informal style), and reports how often the original word is candidate #1 and within the top 8,
plus the time per word.  A third row, ``mixed``, spells each letter at random (but reproducibly)
by one table or the other, as people do within one message.  The n-gram model used here is built in memory from every wordfreq word
*except* the held-out ones, so no test word was seen in training (the shipped model, built from
all words, would score higher).

``--split dev`` evaluates on a second 10% slice instead (model built without test and dev words):
tune costs on that, report the test figures.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent / "src"))

from build_translit_model import ORDER, count_ngrams, held_out, read_words, split_bucket  # noqa: E402

from bgsearch.analysis.translit import INFORMAL, OFFICIAL, CharNgramModel, LatinDecoder, to_latin  # noqa: E402

LIMIT = 8


def mixed_latin(word: str) -> str:
    """A word spelled with official and chat spellings mixed letter by letter (stable choice)."""
    return "".join(
        (INFORMAL if split_bucket(word + str(i)) % 2 else OFFICIAL)[c] for i, c in enumerate(word)
    )


def spell(word: str, style: str) -> str:
    return mixed_latin(word) if style == "mixed" else to_latin(word, style)  # type: ignore[arg-type]


def evaluate(
    words: list[str], decoder: LatinDecoder, style: str, show: int
) -> tuple[float, float, float, list[tuple[str, str, list[str]]]]:
    """(top-1 share, top-8 share, microseconds per word, some misses)."""
    top1 = top8 = 0
    misses: list[tuple[str, str, list[str]]] = []
    elapsed = 0.0
    for word in words:
        latin = spell(word, style)
        start = time.perf_counter()
        found = decoder.candidates(latin, LIMIT)
        elapsed += time.perf_counter() - start
        if found[:1] == [word]:
            top1 += 1
        elif len(misses) < show:
            misses.append((word, latin, found[:3]))
        if word in found:
            top8 += 1
    n = len(words)
    return top1 / n, top8 / n, elapsed / n * 1e6, misses


def _not_held_out(word: str) -> bool:
    return not held_out(word)


def _dev(word: str) -> bool:
    return split_bucket(word) == 2


def _dev_training(word: str) -> bool:
    return split_bucket(word) > 2


#: split name → (is an evaluation word, is a training word)
SPLITS: dict[str, tuple[Callable[[str], bool], Callable[[str], bool]]] = {
    "test": (held_out, _not_held_out),
    "dev": (_dev, _dev_training),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--top", type=int, default=20_000)
    parser.add_argument("--order", type=int, default=ORDER)
    parser.add_argument("--split", choices=("test", "dev"), default="test")
    parser.add_argument("--show", type=int, default=0, help="print this many top-1 misses per style")
    args = parser.parse_args(argv)

    all_words = read_words()
    is_eval, in_training = SPLITS[args.split]
    training = [w for w in all_words if in_training(w)]
    model = CharNgramModel(count_ngrams(training, args.order), args.order)
    decoder = LatinDecoder(model)
    words = [w for w in all_words[: args.top] if is_eval(w)]
    print(f"{args.split}: {len(words)} held-out words of the top {args.top}; order-{args.order} model")
    decoder.candidates("zagrqvane", LIMIT)  # warm the model's memo a little, as a running server has
    for style in ("official", "informal", "mixed"):
        top1, top8, micro, misses = evaluate(words, decoder, style, args.show)
        print(f"{style:9} top-1 {top1:6.1%}  top-{LIMIT} {top8:6.1%}  {micro:7.0f} µs/word")
        for word, latin, found in misses:
            print(f"    {latin:20} {word:20} got {' '.join(found)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
