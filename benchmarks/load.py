"""Load on `bgsearch serve`: N concurrent clients on loopback, for a fixed time, against an index of
the ~54k law units, without and then with a concurrent import; requests/s, p50/p95/p99 latency and
errors (any answer other than 200, or a failed connection).

    python benchmarks/load.py                       # 8 clients, 30 s per phase, the 54k law units
    python benchmarks/load.py --clients 16 --duration 60 --json load.json
    python benchmarks/load.py --index-dir /tmp/laws --keep   # build once, reuse it next time

The server is the real one (`python -m bgsearch.server`, uvicorn, one process) on a free loopback
port; the clients are asyncio tasks on one `httpx.AsyncClient` in this process, each sending its
next query as soon as the last answer is read (a closed loop: requests/s is what the server gives
N such clients). Both share the machine's cores: on a small machine the clients' own cost is part
of the figures. The queries are a fixed mix of 20 (one word, two and three words, phrases, Latin-script
words, a typo, a prefix, a date range, OR, NOT), each asked with `limit=10` and snippets and its
total, as a search page does; one of them, `zakon`, matches every law unit (about 1 s alone).

The import phase adds `--import-docs` law units again, under fresh ids (`import-...`), to the same index from another
process while the clients run, committing every `--commit-every` documents, as `bgsearch index`
would: the server must keep answering, and see each commit (its document count is read at the end).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
for _path in (REPO_ROOT / "src", REPO_ROOT):  # the working tree's bgsearch and benchmarks, as a plain script
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks import corpora  # noqa: E402

QUERIES = [
    "данък", "съд", "договор", "министър", "наказание", "пенсия", "земеделски земи",
    "обществени поръчки", "търговско дружество", "държавна собственост", "данък върху добавената стойност",
    '"Министерският съвет"', '"административно нарушение"', "zakon", "obshtina", "министерсво",
    "концес*", "съд date:2000..2010", "лиценз OR разрешение", "социално осигуряване -пенсия",
]


@dataclass
class Phase:
    name: str
    clients: int
    seconds: float
    requests: int = 0
    errors: int = 0
    error_kinds: dict[str, int] = field(default_factory=dict)
    requests_per_second: float = 0.0
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    documents_before: int = 0
    documents_after: int = 0
    commits_seen: int = 0  # distinct document counts the server reported during the phase, less one
    imported: int = 0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def note(text: str) -> None:
    print(f"[load] {text}", file=sys.stderr, flush=True)


def build_index(path: Path, data: Path, docs: int | None, overwrite: bool = False) -> int:
    """The law units (the first `docs`, or all) in a new index at `path`; how many."""
    from bgsearch import Index

    units = corpora.load_corpus("laws", data, docs)
    note(f"indexing {len(units):,} law units into {path} ...")
    started = time.perf_counter()
    with Index.create(path, durable=False, overwrite=overwrite) as ix:
        result = ix.add_documents(units)
    note(f"indexed {result.added:,} in {time.perf_counter() - started:.0f} s")
    return result.added


async def run_load(base: str, clients: int, seconds: float,
                   counts: list[int] | None = None) -> tuple[list[float], Counter[str]]:
    """N clients for `seconds`: each answer's latency, and the errors by kind. With `counts`, the
    server's document count is also read once a second (what commits it has seen)."""
    import httpx

    latencies: list[float] = []
    errors: Counter[str] = Counter()
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:

        async def one_client(number: int) -> None:
            turn = number
            while time.perf_counter() < deadline:
                query = QUERIES[turn % len(QUERIES)]
                turn += clients
                started = time.perf_counter()
                try:
                    response = await client.get("/search", params={"q": query, "limit": 10})
                    await response.aread()
                    if response.status_code != 200:
                        errors[f"HTTP {response.status_code}"] += 1
                        continue
                except httpx.HTTPError as exc:
                    errors[type(exc).__name__] += 1
                    continue
                latencies.append(time.perf_counter() - started)

        async def watch() -> None:
            while counts is not None and time.perf_counter() < deadline:
                try:
                    answer = await client.get("/health")
                    counts.append(int(answer.json()["documents"]))
                except httpx.HTTPError as exc:
                    errors[f"health: {type(exc).__name__}"] += 1
                await asyncio.sleep(1)

        await asyncio.gather(watch(), *(one_client(number) for number in range(clients)))
    return latencies, errors


def summarize(phase: Phase, latencies: list[float], errors: Counter[str]) -> Phase:
    phase.requests = len(latencies) + sum(errors.values())
    phase.errors = sum(errors.values())
    phase.error_kinds = dict(errors)
    phase.requests_per_second = round(phase.requests / phase.seconds, 1)
    if len(latencies) >= 2:
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        phase.p50_ms, phase.p95_ms, phase.p99_ms = (round(cuts[i - 1] * 1000, 1) for i in (50, 95, 99))
        phase.max_ms = round(max(latencies) * 1000, 1)
    return phase


IMPORTER = """
import sys, time
sys.path[:0] = [{src!r}, {root!r}]
from benchmarks import corpora
from bgsearch import Index
units = corpora.load_corpus("laws", __import__("pathlib").Path({data!r}), {count})
docs = [{{**unit, "id": "import-" + str(unit["id"])}} for unit in units]
with Index.open({index!r}) as ix:
    ix.lock_timeout = 60
    started = time.perf_counter()
    result = ix.add_documents(docs, commit_every={commit_every}, workers=1)
print(result.added + result.replaced, round(time.perf_counter() - started, 1), flush=True)
"""


def documents(base: str) -> int:
    import httpx

    return int(httpx.get(base + "/health", timeout=30).json()["documents"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients (default 8)")
    parser.add_argument("--duration", type=float, default=30, help="seconds per phase (default 30)")
    parser.add_argument("--docs", type=int, default=None, help="index the first N law units (default: all, ~54k)")
    parser.add_argument("--import-docs", type=int, default=5000,
                        help="law units the concurrent import adds (default 5000)")
    parser.add_argument("--commit-every", type=int, default=1000, help="the import's commit size (default 1000)")
    parser.add_argument("--data-dir", type=Path, default=None, help="shared data (default: ../shared/data)")
    parser.add_argument("--index-dir", type=Path, default=None,
                        help="the index to serve: reused when it exists, else built there (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the index (with --index-dir, it is always kept)")
    parser.add_argument("--skip", choices=["none", "import", "plain"], default="none",
                        help="leave out one phase")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)

    data = corpora.data_dir(args.data_dir)
    work = Path(tempfile.mkdtemp(prefix="bgsearch-load-"))
    index_dir = args.index_dir or work / "laws"
    try:
        from bgsearch import BgsearchError, Index

        from bgsearch.errors import IndexVersionError

        try:
            with Index.open(index_dir) as ix:
                indexed = len(ix)
            note(f"serving the existing index {index_dir} ({indexed:,} documents)")
        except IndexVersionError as exc:  # built by another analyzer version: build it anew
            note(str(exc))
            indexed = build_index(index_dir, data, args.docs, overwrite=True)
        except BgsearchError:  # none there yet
            indexed = build_index(index_dir, data, args.docs)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = open(work / "server.log", "wb")
        server = subprocess.Popen([sys.executable, "-m", "bgsearch.server", "--index", str(index_dir), "--port", str(port),
                                   "--log-level", "warning", "--read-only"],
                                  stdout=log, stderr=subprocess.STDOUT,
                                  env={**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO_ROOT / "src"),
                                                                                     os.environ.get("PYTHONPATH", "")])})
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    documents(base)
                    break
                except Exception:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(f"the server did not start: {(work / 'server.log').read_text()}") from None
                    time.sleep(0.2)
            asyncio.run(run_load(base, args.clients, 3))  # warm up: caches, the translit model, the typo index
            phases: list[Phase] = []
            if args.skip != "plain":
                phase = Phase("search only", args.clients, args.duration, documents_before=documents(base))
                note(f"{args.clients} clients for {args.duration:g} s ...")
                phases.append(summarize(phase, *asyncio.run(run_load(base, args.clients, args.duration))))
                phase.documents_after = documents(base)
            if args.skip != "import":
                phase = Phase("search during an import", args.clients, args.duration, documents_before=documents(base))
                code = IMPORTER.format(src=str(REPO_ROOT / "src"), root=str(REPO_ROOT), data=str(data),
                                       count=args.import_docs, index=str(index_dir), commit_every=args.commit_every)
                note(f"{args.clients} clients for {args.duration:g} s, while another process imports "
                     f"{args.import_docs:,} law units (a commit every {args.commit_every:,}) ...")
                importer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
                counts: list[int] = []
                phases.append(summarize(phase, *asyncio.run(run_load(base, args.clients, args.duration, counts))))
                phase.commits_seen = len(set(counts)) - 1
                phase.documents_after = documents(base)
                out, _ = importer.communicate(timeout=3600)
                phase.imported = int(out.split()[0]) if out.strip() else 0
                note(f"the import wrote {phase.imported:,} documents ({out.strip().split()[-1] if out.strip() else '?'} s); "
                     f"the server counted {phase.documents_before:,} → {phase.documents_after:,} by the end of the phase "
                     f"({phase.commits_seen} new commits seen while the clients ran) and {documents(base):,} now")
        finally:
            server.terminate()
            server.wait(30)
            log.close()
            if args.skip != "import":  # the imported copies go again: the next run serves the same documents
                ids = [f"import-{unit['id']}" for unit in corpora.load_corpus("laws", data, args.import_docs)]
                with Index.open(index_dir) as ix:
                    ix.lock_timeout = 600
                    ix.delete(ids)
    finally:
        if args.index_dir is None and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        elif args.index_dir is None:
            note(f"kept {work}")

    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"bgsearch serve on {indexed:,} law units; {args.clients} clients on loopback; {machine}")
    print(f"{'phase':<26}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}{'requests':>10}{'errors':>8}")
    for phase in phases:
        print(f"{phase.name:<26}{phase.requests_per_second:>8}{phase.p50_ms:>9}{phase.p95_ms:>9}{phase.p99_ms:>9}"
              f"{phase.max_ms:>9}{phase.requests:>10}{phase.errors:>8}")
    if args.json:
        args.json.write_text(json.dumps({"documents": indexed, "clients": args.clients, "machine": machine,
                                         "phases": [asdict(phase) for phase in phases]}, ensure_ascii=False, indent=2))
    return 0 if all(phase.errors == 0 for phase in phases) else 1


if __name__ == "__main__":
    sys.exit(main())
