"""Query cost of two source trees of bgsearch on one index, side by side: did a change slow searches?

    git worktree add /tmp/old <commit>
    python benchmarks/compare_trees.py /tmp/old . [--rounds 3] [--long]

The index is the golden one (tests/golden.py: the seed articles and 3,000 law units; needs
../shared), built by the first tree; both trees must read it (the same analyzer version). Every
recorded golden query is run, each timed best of 5 after a warm-up pass, in a fresh process per
tree and round, the trees alternating; printed: the sum over all queries, the median and the 95th
percentile, per run.

`--long`: long documents instead, the 500 longest law units (6,000 to 440,000 characters), and 50
queries of two words of one unit (5 to 40 words apart, seeded): where a snippet is cut from the
index's positions. Also printed: the median of each query's first run (the warm-up pass).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_RUN = r"""
import gzip, json, statistics, sys, time
tree, index, golden = sys.argv[1:4]
sys.path.insert(0, tree + "/src")
from bgsearch import Index
rows = [json.loads(line) for line in gzip.open(golden, "rt", encoding="utf-8")]
queries = [(r["query"], r["options"]) for r in rows if "error" not in r["answer"]]
ix = Index.open(index)
def run(query, options):
    try:
        ix.search(query, **options).total
    except Exception:
        pass
first = []
for query, options in queries:
    started = time.perf_counter()
    run(query, options)
    first.append(time.perf_counter() - started)
best = []
for query, options in queries:
    times = []
    for _ in range(5):
        started = time.perf_counter()
        run(query, options)
        times.append(time.perf_counter() - started)
    best.append(min(times))
best.sort()
print(json.dumps({"queries": len(best), "sum_ms": sum(best) * 1000, "p50_ms": statistics.median(best) * 1000,
                  "p95_ms": best[int(len(best) * 0.95)] * 1000, "first_p50_ms": statistics.median(first) * 1000}))
"""

_BUILD = r"""
import sys
sys.path.insert(0, sys.argv[1] + "/src")
sys.path.insert(0, sys.argv[2] + "/tests")
sys.path.insert(0, sys.argv[2])
import golden
from pathlib import Path
golden.build_index(Path(sys.argv[3]), with_laws=True).close()
"""

_BUILD_LONG = r"""
import gzip, json, random, sys
sys.path.insert(0, sys.argv[1] + "/src")
sys.path.insert(0, sys.argv[2])
from pathlib import Path
from benchmarks import corpora
from bgsearch import Index
from bgsearch.analysis.tokenize import words
units = sorted(corpora.load_corpus("laws", corpora.data_dir()), key=lambda unit: (-len(unit["body"]), unit["id"]))[:500]
with Index.create(Path(sys.argv[3]), overwrite=True) as ix:
    ix.add_documents(units)
rng = random.Random(7)
with gzip.open(sys.argv[4], "wt", encoding="utf-8") as out:
    for _ in range(50):
        long_words = [word for word in words(rng.choice(units)["body"]) if len(word) > 4]
        at = rng.randrange(len(long_words) - 40)
        query = f"{long_words[at]} {long_words[at + rng.randrange(5, 40)]}"
        out.write(json.dumps({"query": query, "options": {}, "answer": {}}, ensure_ascii=False) + "\n")
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old", type=Path, help="the first source tree (builds the index)")
    parser.add_argument("new", type=Path, help="the second source tree")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--long", action="store_true", help="the 500 longest law units and queries from them")
    args = parser.parse_args()
    env = {"PATH": "/usr/bin:/bin", "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as work:
        index = Path(work) / "index"
        if args.long:
            golden_file = Path(work) / "queries.jsonl.gz"
            subprocess.run([sys.executable, "-c", _BUILD_LONG, str(args.old.resolve()), str(ROOT), str(index),
                            str(golden_file)], check=True, env=env)
        else:
            golden_file = ROOT / "tests" / "data" / "golden" / "laws.jsonl.gz"
            subprocess.run([sys.executable, "-c", _BUILD, str(args.old.resolve()), str(ROOT), str(index)], check=True,
                           env=env)
        for round_number in range(1, args.rounds + 1):
            for tree in (args.old, args.new):
                out = subprocess.run([sys.executable, "-c", _RUN, str(tree.resolve()), str(index), str(golden_file)],
                                     check=True, capture_output=True, text=True, env=env).stdout
                figures = json.loads(out)
                print(f"round {round_number} {str(tree):30} {figures['queries']} queries: sum {figures['sum_ms']:.0f} ms, "
                      f"p50 {figures['p50_ms']:.2f} ms, p95 {figures['p95_ms']:.2f} ms, "
                      f"first-time p50 {figures['first_p50_ms']:.2f} ms", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
