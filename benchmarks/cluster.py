"""Query latency on an OpenSearch cluster (bgsearch.cluster) beside the embedded index, per query class.

Run from the repository root (needs Java 17, Maven and opensearch-py; starts its own nodes)::

    python benchmarks/cluster.py [--docs N] [--queries N] [--nodes 1|2] [--analysis plugin|pre-analyzed]
                                 [--runs R] [--json out.json] [--data-dir DIR]

The first N law units (default 10,000; `corpora.load_corpus("laws")`) go into an embedded `Index` and
into a `ClusterIndex` (2 shards, 1 replica on 2 nodes) on a cluster of `--nodes` local nodes; then the
query mix of `speed.py` (`query_mix`: 1-3 words, phrases, dates, Latin, misspelled; `--queries` of
each) runs once untimed, then `--runs` times, each query timed end to end as a user calls it
(`search(q, limit=10)`, snippets included). Figures: p50 and p95 per class, the median over runs; and
the analyzers' throughput: the plugin's `bgsearch_bulgarian` beside OpenSearch's built-in `bulgarian`
through `_analyze` on the same text (and bgsearch's own analyzer in this process).
The nodes share the machine with the client: on 2 cores, a cluster answers slower than it would on
its own machines.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora  # noqa: E402
from speed import QUERY_CLASSES, mix_stop_words, median, percentile, query_mix, query_words  # noqa: E402


def timed(search: Any, mix: list[Any], runs: int) -> dict[str, dict[str, float]]:
    for q in mix:  # warm-up: caches, connections
        search(q)
    per_run: dict[str, list[tuple[float, float]]] = {}
    for _ in range(runs):
        times: dict[str, list[float]] = {}
        for q in mix:
            started = time.perf_counter()
            search(q)
            times.setdefault(q.cls, []).append((time.perf_counter() - started) * 1000)
        for cls, values in times.items():
            per_run.setdefault(cls, []).append((percentile(values, 50), percentile(values, 95)))
    return {cls: {"p50": median(p50 for p50, _ in runs_), "p95": median(p95 for _, p95 in runs_)}
            for cls, runs_ in per_run.items()}


def analyzer_throughput(index: Any, docs: list[dict[str, Any]], chunk_chars: int = 400_000,
                        chunks: int = 10) -> dict[str, float]:
    """Tokens a second of the plugin's `bgsearch_bulgarian` and OpenSearch's built-in `bulgarian`
    (Lucene's light stemmer) through `_analyze` on the same law text, in pieces of ~400,000
    characters so that the HTTP round trip is a small part of each call (an index of their own lets
    `_analyze` return that many tokens); beside bgsearch's own analyzer in this process."""
    from bgsearch import analyze

    text = "\n".join(doc["body"] for doc in docs)
    pieces = [text[i : i + chunk_chars] for i in range(0, min(len(text), chunk_chars * chunks), chunk_chars)]
    client = index.client
    client.indices.create(index="analyzers", body={"settings": {
        "index": {"number_of_shards": 1, "number_of_replicas": 0, "analyze.max_token_count": 1_000_000}}})
    found: dict[str, float] = {}
    try:
        for analyzer in ("bgsearch_bulgarian", "bulgarian"):
            client.indices.analyze(index="analyzers", body={"analyzer": analyzer, "text": pieces[0]})  # warm-up
            tokens, started = 0, time.perf_counter()
            for piece in pieces:
                tokens += len(client.indices.analyze(index="analyzers", body={"analyzer": analyzer, "text": piece},
                                                     request_timeout=120)["tokens"])
            found[analyzer] = tokens / (time.perf_counter() - started)
    finally:
        client.indices.delete(index="analyzers")
    analyze(pieces[0])
    tokens, started = 0, time.perf_counter()
    for piece in pieces:
        tokens += len(analyze(piece))
    found["bgsearch (Python, in process)"] = tokens / (time.perf_counter() - started)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=30, help="queries per class (default 30)")
    parser.add_argument("--nodes", type=int, choices=(1, 2), default=2)
    parser.add_argument("--analysis", choices=("plugin", "pre-analyzed"), default="plugin")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--data-dir", type=Path)
    args = parser.parse_args()
    try:
        data = corpora.data_dir(args.data_dir)
    except corpora.DataMissingError as exc:
        print(f"cluster.py: {exc}", file=sys.stderr)
        return 2

    from bgsearch import Index
    from bgsearch.cluster.index import ClusterIndex
    from bgsearch.cluster.nodes import missing_tools, start_cluster

    missing = missing_tools()
    if missing:
        print(f"cluster.py: {' and '.join(missing)} not found: the cluster needs Java 17 and Maven", file=sys.stderr)
        return 2
    docs = corpora.load_corpus("laws", data, args.docs)
    mix = query_mix(query_words(corpora.load_wordfreq(data), mix_stop_words()), docs, mix_stop_words(),
                    per_class=args.queries)

    def run(ix: Any) -> Any:
        return lambda q: ix.search(q.text, limit=10, date_from=q.date_from, date_to=q.date_to)

    results: dict[str, Any] = {"docs": len(docs), "nodes": args.nodes, "analysis": args.analysis,
                               "queries_per_class": args.queries, "runs": args.runs}
    with tempfile.TemporaryDirectory() as tmp:
        print(f"indexing {len(docs):,} law units into the embedded index", file=sys.stderr)
        with Index.create(Path(tmp) / "index") as ix:
            ix.add_documents(docs)
            results["embedded"] = timed(run(ix), mix, args.runs)
        print(f"starting {args.nodes} node(s)", file=sys.stderr)
        cluster = start_cluster(args.nodes, with_plugin=args.analysis == "plugin")
        try:
            index = ClusterIndex.create(cluster.urls, "laws", shards=2, replicas=args.nodes - 1,
                                        analysis=args.analysis)
            started = time.perf_counter()
            index.add_documents(docs)
            results["cluster_indexing_docs_per_s"] = len(docs) / (time.perf_counter() - started)
            results["cluster"] = timed(run(index), mix, args.runs)
            if args.analysis == "plugin":
                results["analyzers"] = analyzer_throughput(index, docs)
        finally:
            cluster.stop()
    print(f"{len(docs):,} law units; {args.nodes} node(s), {args.analysis}; {args.queries} queries a class, "
          f"median of {args.runs} runs; ms")
    print(f"{'class':<12} {'embedded p50':>13} {'p95':>8} {'cluster p50':>12} {'p95':>8}")
    for cls in QUERY_CLASSES:
        e, c = results["embedded"].get(cls), results["cluster"].get(cls)
        if e and c:
            print(f"{cls:<12} {e['p50']:>13.1f} {e['p95']:>8.1f} {c['p50']:>12.1f} {c['p95']:>8.1f}")
    print(f"cluster bulk indexing: {results['cluster_indexing_docs_per_s']:,.0f} docs/s")
    for analyzer, rate in results.get("analyzers", {}).items():
        print(f"analyzer {analyzer}: {rate:,.0f} tokens/s")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
