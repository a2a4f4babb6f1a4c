"""The scaling harness (issue #17): bgsearch at 10k, 100k, 300k (and, opt-in, 1M) documents made
from the real law units, streamed through ``bgsearch index -``, with tantivy beside it.

Run from the repository root::

    python benchmarks/scale.py                                   # 10k, 100k, 300k
    python benchmarks/scale.py --sizes 10000,100000,300000,1000000 --json scale.json
    python benchmarks/scale.py --sizes 1000000 --no-tantivy      # the 1M row alone
    python benchmarks/scale.py --generate 1000 > docs.jsonl      # the synthetic documents alone

The documents (:class:`Generator`): each is one real law unit (``corpora.load_corpus("laws")``) with
its title, date and kind; its body starts with the unit's first paragraph, and with probability 0.8
the rest is recombined from the paragraphs of that unit and 1-2 others (of the same law with
probability 0.7, else any law), taken in turn until the body is as long as the unit's own. So the
lengths are the real units' lengths, the words and term statistics those of real Bulgarian legal
text; ids are ``d0000000``, ``d0000001`` ...; seeded, and the first N documents are the same for
every larger N. They are written once per size as JSON Lines under the work directory (never held
in memory) and fed to ``bgsearch index - --schema`` on its standard input, so the harness does no
work while the indexer runs.

Per size:

* indexing (a fresh index): wall time, docs/s, CPU time of the process and its workers, peak memory
  of the whole process tree (PSS summed over the processes, from ``/proc/PID/smaps_rollup``, and RSS
  summed; polled every 0.2 s), index size on disk, segments, commits (and the longest gap between
  two commits);
* tantivy fed bgsearch's terms (``speed.TantivyEngine``, one writer thread, in a subprocess of its
  own reading the same file): wall time, docs/s, index size, peak memory;
* queries, in a fresh process: 1-, 2-, 3-word queries and phrases of ``speed.query_mix`` over the
  corpus's own word list (its high and mid bands), each ``ix.search(q, limit=10)`` with its snippets; *first* = the first
  time the process runs that query (it was warmed on a mix of another seed), *repeated* = two more
  passes; p50/p95. The filter classes: a 1-3-word query with a date range (``filters={"date": ...}``,
  a 1-5-year window) and with ``kind = X``; p95 of the repeated passes;
* adding 100 documents (fresh ids) to the built index with ``Index.add_documents``: median of 3;
* searching during an import: ``bgsearch index -`` adds ``--import-docs`` more documents (fresh
  ids, ``--import-commit-every``) while another process runs the word and phrase queries in a loop;
  p50/p95, and the document counts it saw (each commit it saw).

Findings: throughput at the largest size within 20% of that at 100k, the memory bound (peak PSS of
the tree under 1.5 GB) at every size, the query bounds (p50 ≤ 10 ms, p95 ≤ 50 ms), adding 100
documents ≤ 1 s. Every figure is wall-clock on a shared machine: see benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
for _path in (REPO_ROOT / "src", REPO_ROOT):  # the working-tree bgsearch and `benchmarks.*`
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from benchmarks import corpora, fields, speed  # noqa: E402  (needs the sys.path set-up above; no bgsearch import)

EXIT_ERROR = 2
DEFAULT_SEED = 17
DEFAULT_SIZES = (10_000, 100_000, 300_000)
DEFAULT_QUERIES = 30  # per class
DEFAULT_IMPORT_DOCS = 50_000
DEFAULT_IMPORT_COMMIT_EVERY = 10_000
ADD_DOCS = 100
ADD_RUNS = 3
POLL_SECONDS = 0.2
MEMORY_BOUND_MB = 1500.0
LINEARITY = 0.20  # throughput at the largest size within 20% of that at 100k
P50_MS, P95_MS = 10.0, 50.0
ADD_BOUND_S = 1.0
WORD_CLASSES = ("1-word", "2-word", "3-word", "phrase")
FILTER_CLASSES = ("date", "kind")
SCHEMA = {name: spec for name, spec in fields.SCHEMA.items()}  # title, body, kind, year, date
RECOMBINED = 0.8  # the share of documents whose body is recombined (the rest: a unit's body as it is)
SAME_LAW = 0.7  # a donor unit is of the same law with this probability
MB = 1_000_000

# ------------------------------------------------------------------------------------ the documents

# A sentence ends at ". ", "; " or ": " before a capital letter or an opening bracket or quote (so a
# reference, "чл. 5, ал. 2", stays whole; a heading, "Чл. 1.", is a piece of its own).
_SENTENCE = re.compile(r"(?<=[.;:])\s+(?=[А-ЯA-Z(„“\"])")


def pieces(text: str) -> list[str]:
    """A body's paragraphs (non-blank lines); a body of fewer than 3 is cut at its sentences too (see
    :data:`_SENTENCE`)."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if len(lines) >= 3:
        return lines
    return [s for line in lines for s in _SENTENCE.split(line) if s]


class Generator:
    """Synthetic documents from the law units, deterministic for a seed (see the module's docstring)."""

    def __init__(self, units: Sequence[dict[str, Any]], seed: int = DEFAULT_SEED) -> None:
        if not units:
            raise ValueError("no units to generate documents from")
        self.units = units
        self.seed = seed
        by_law: dict[str, list[int]] = defaultdict(list)
        self.law_of: list[str] = []
        for i, unit in enumerate(units):
            law = unit["id"].rsplit("-", 1)[0]
            by_law[law].append(i)
            self.law_of.append(law)
        self.by_law = dict(by_law)
        self.kinds: dict[str, str] = {}
        for i, unit in enumerate(units):
            law = self.law_of[i]
            if law not in self.kinds:
                self.kinds[law] = fields.law_kind(unit.get("title"))

    def body(self, base: int, rng: random.Random) -> str:
        text = self.units[base]["body"]
        if rng.random() >= RECOMBINED:
            return text
        donors = [base] + [self._donor(base, rng) for _ in range(rng.choice((1, 2)))]
        sources = [pieces(self.units[d]["body"]) for d in donors]
        out = [sources[0].pop(0)] if sources[0] else []
        length, target = len(out[0]) if out else 0, len(text)
        while length < target:
            live = [s for s in sources if s]
            if not live:
                break
            piece = rng.choice(live).pop(0)
            out.append(piece)
            length += len(piece) + 1
        return "\n".join(out)

    def _donor(self, base: int, rng: random.Random) -> int:
        if rng.random() < SAME_LAW:
            return rng.choice(self.by_law[self.law_of[base]])
        return rng.randrange(len(self.units))

    def documents(self, count: int, prefix: str = "d", seed: int | None = None) -> Iterator[dict[str, Any]]:
        """``count`` documents, ids ``{prefix}0000000`` on; the first N the same for every count ≥ N."""
        rng = random.Random(f"scale-{self.seed if seed is None else seed}")
        for i in range(count):
            base = rng.randrange(len(self.units))
            unit = self.units[base]
            doc: dict[str, Any] = {"id": f"{prefix}{i:07d}", "title": unit.get("title") or "",
                                   "body": self.body(base, rng), "kind": self.kinds[self.law_of[base]]}
            if unit.get("date"):
                doc["date"] = unit["date"]
                doc["year"] = int(unit["date"][:4])
            yield doc

    def write(self, path: Path, count: int, prefix: str = "d", seed: int | None = None) -> Path:
        """The documents as JSON Lines in ``path`` (written beside it, then renamed: a file there is whole)."""
        if path.is_file():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        with open(part, "w", encoding="utf-8") as fh:
            for doc in self.documents(count, prefix, seed):
                fh.write(json.dumps(doc, ensure_ascii=False))
                fh.write("\n")
        part.rename(path)
        return path


# ------------------------------------------------------------------------------------ memory of a process tree


_TOC = re.compile(r"_.+_(\d+)\.toc")


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = defaultdict(list)
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                data = fh.read()
        except OSError:
            continue
        ppid = int(data.rsplit(b")", 1)[1].split()[1])
        kids[ppid].append(int(entry.name))
    return kids


def process_tree(pid: int) -> list[int]:
    """``pid`` and all its descendants alive now."""
    kids = _children()
    tree, todo = [], [pid]
    while todo:
        p = todo.pop()
        tree.append(p)
        todo.extend(kids.get(p, ()))
    return tree


def memory_of(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of one process in bytes; (0, 0) once it is gone."""
    pss = rss = 0
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    pss = int(line.split()[1]) * 1024
                elif line.startswith(b"Rss:"):
                    rss = int(line.split()[1]) * 1024
    except OSError:  # gone, or no smaps_rollup (an old kernel): RSS from status
        try:
            with open(f"/proc/{pid}/status", "rb") as fh:
                for line in fh:
                    if line.startswith(b"VmRSS:"):
                        rss = pss = int(line.split()[1]) * 1024
        except OSError:
            pass
    return pss, rss


class TreeMemory:
    """Polls the memory of a process and all its descendants together every ``interval`` seconds,
    in a thread, until ``stop()``; keeps the peak sums. With ``index_dir``, also notes when each
    commit lands (the index's ``bgsearch.json`` or current-segment list changing)."""

    def __init__(self, pid: int, interval: float = POLL_SECONDS, index_dir: Path | None = None) -> None:
        self.pid = pid
        self.interval = interval
        self.index_dir = index_dir
        self.peak_pss = self.peak_rss = 0
        self.peak_processes = 0
        self.samples = 0
        self.peak_segment_files = 0
        self.commits: list[float] = []  # seconds from the start at which a commit was seen
        self._stop = threading.Event()
        self._started = time.perf_counter()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _commit_mark(self) -> tuple[int, int]:
        """(the newest commit's generation, the segment files there now): a commit writes a new
        table of contents ``_<index>_<generation>.toc``."""
        if self.index_dir is None:
            return (-1, 0)
        generation, segments = -1, 0
        try:
            for entry in os.scandir(self.index_dir):
                if entry.name.endswith(".seg"):
                    segments += 1
                else:
                    m = _TOC.fullmatch(entry.name)
                    if m:
                        generation = max(generation, int(m.group(1)))
        except OSError:
            pass
        return generation, segments

    def _run(self) -> None:
        generation = self._commit_mark()[0]
        while not self._stop.is_set():
            self.sample()
            if self.index_dir is not None:
                now, segments = self._commit_mark()
                self.peak_segment_files = max(self.peak_segment_files, segments)
                if now > generation and now > 0:
                    self.commits.append(time.perf_counter() - self._started)
                generation = max(generation, now)
            self._stop.wait(self.interval)

    def sample(self) -> None:
        tree = process_tree(self.pid)
        pss = rss = 0
        for p in tree:
            a, b = memory_of(p)
            pss += a
            rss += b
        self.samples += 1
        self.peak_pss = max(self.peak_pss, pss)
        self.peak_rss = max(self.peak_rss, rss)
        self.peak_processes = max(self.peak_processes, len(tree))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        if self.index_dir is not None and self._commit_mark()[0] > 0 and not self.commits:
            self.commits.append(time.perf_counter() - self._started)  # one commit, just before the end


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def dir_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.exists() else 0


@dataclass
class Run:
    """A subprocess run to its end, with the memory of its tree."""

    seconds: float
    cpu_seconds: float
    peak_pss_mb: float
    peak_rss_mb: float
    peak_processes: int
    returncode: int
    stdout: str
    stderr: str
    commits: list[float] = field(default_factory=list)
    peak_segment_files: int = 0


def run_measured(cmd: Sequence[str], stdin_path: Path | None = None, index_dir: Path | None = None,
                 env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` (stdin from ``stdin_path``), polling the memory of its whole tree; CPU time of
    the tree from the rusage of the reaped children (the workers are reaped by the command)."""
    cpu0 = _children_cpu()
    started = time.perf_counter()
    with open(stdin_path, "rb") if stdin_path else open(os.devnull, "rb") as stdin, \
            tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(list(cmd), stdin=stdin, stdout=out, stderr=err, env=env)
        poller = TreeMemory(proc.pid, index_dir=index_dir)
        code = proc.wait()
        seconds = time.perf_counter() - started
        poller.stop()
        out.seek(0)
        err.seek(0)
        return Run(seconds, _children_cpu() - cpu0, poller.peak_pss / MB, poller.peak_rss / MB, poller.peak_processes,
                   code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"),
                   poller.commits, poller.peak_segment_files)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO_ROOT / "src"), str(REPO_ROOT), env.get("PYTHONPATH", "")])
    env.setdefault("COLUMNS", "200")
    return env


def bgsearch_cmd() -> list[str]:
    return [sys.executable, "-m", "bgsearch"]


def worker_cmd(role: str, payload: dict[str, Any]) -> list[str]:
    return [sys.executable, str(Path(__file__).resolve()), "--worker", role, json.dumps(payload, ensure_ascii=False)]


def _last_json(text: str) -> dict[str, Any]:
    for line in reversed(text.strip().splitlines()):
        if line.startswith("{"):
            return dict(json.loads(line))
    raise RuntimeError(f"no result from the worker: {text[-500:]!r}")


# ------------------------------------------------------------------------------------ indexing


def index_bgsearch(docs_file: Path, index_dir: Path, schema_file: Path, commit_every: int | None = None,
                   extra: Sequence[str] = ()) -> dict[str, Any]:
    """``bgsearch index - --index DIR --schema FILE`` fed ``docs_file``; figures of the run."""
    cmd = bgsearch_cmd() + ["index", "-", "--index", str(index_dir), "--schema", str(schema_file), *extra]
    if commit_every:
        cmd += ["--commit-every", str(commit_every)]
    run = run_measured(cmd, docs_file, index_dir, _env())
    if run.returncode != 0:
        raise RuntimeError(f"bgsearch index failed ({run.returncode}): {run.stderr[-2000:]}")
    return {"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "peak_pss_mb": run.peak_pss_mb,
            "peak_rss_mb": run.peak_rss_mb, "peak_processes": run.peak_processes, "commit_times": run.commits,
            "peak_segment_files": run.peak_segment_files,
            "stderr_tail": run.stderr.strip().splitlines()[-3:]}


def index_stats(index_dir: Path) -> dict[str, Any]:
    from bgsearch import Index

    with Index.open(index_dir) as ix:
        stats = ix.stats()
    return {"documents": stats.documents, "segments": stats.segments, "size_mb": dir_size(index_dir) / MB}


def index_tantivy(docs_file: Path, index_dir: Path) -> dict[str, Any]:
    run = run_measured(worker_cmd("tantivy", {"docs": str(docs_file), "index": str(index_dir)}), env=_env())
    if run.returncode != 0:
        raise RuntimeError(f"tantivy failed ({run.returncode}): {run.stderr[-2000:]}")
    inner = _last_json(run.stdout)
    return {"seconds": run.seconds, "cpu_seconds": run.cpu_seconds, "peak_pss_mb": run.peak_pss_mb,
            "peak_rss_mb": run.peak_rss_mb, "size_mb": dir_size(index_dir) / MB, **inner}


def _read_docs(path: Path) -> Iterator[dict[str, Any]]:
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            yield json.loads(line)


def worker_tantivy(payload: dict[str, Any]) -> dict[str, Any]:
    engine = speed.TantivyEngine()
    started = time.perf_counter()
    # build() only iterates its documents once: a stream from the file, never a list of them all
    timing = engine.build(Path(payload["index"]), _read_docs(Path(payload["docs"])))  # type: ignore[arg-type]
    return {"build_seconds": time.perf_counter() - started, **timing}


# ------------------------------------------------------------------------------------ queries


def query_sets(units: Sequence[dict[str, Any]], gen: Generator, seed: int, per_class: int
               ) -> dict[str, list[dict[str, Any]]]:
    """The timed mix and the warm-up mix (another seed) as plain dicts: ``cls``, ``text``, ``filters``.

    The words are those of ``speed.query_mix`` over the corpus's own word list, its high and mid
    bands (its 5,000 most frequent words but stop words, as ``fields.py``): with the rarer bands
    too, most 2- and 3-word queries match nothing at all and time only the look-up of their terms."""
    stops = speed.mix_stop_words()
    bands = speed.query_words(fields.corpus_wordfreq(units), stops)
    words = {band: bands[band] for band in fields.WORD_BANDS if band in bands} or bands
    kinds = [gen.kinds[law] for law in gen.law_of]

    def one(s: int) -> list[dict[str, Any]]:
        rng = random.Random(s)
        mix = speed.query_mix(words, units, stops, seed=s, per_class=per_class)
        out: list[dict[str, Any]] = [{"cls": q.cls, "text": q.text, "filters": None} for q in mix
                                     if q.cls in WORD_CLASSES]
        common = [q for q in mix if q.cls in ("1-word", "2-word", "3-word")]
        for q in mix:
            if q.cls == "date":  # a common word (high/mid bands) in a 1-5-year window
                out.append({"cls": "date", "text": q.text, "filters": {"date": [q.date_from, q.date_to]}})
        for i in range(per_class):
            q = common[(i * 7) % len(common)]
            out.append({"cls": "kind", "text": q.text, "filters": {"kind": rng.choice(kinds)}})
        return out

    return {"timed": one(seed), "warm": one(seed + 1)}


def _summary(latencies: Sequence[float], cpu: Sequence[float] = ()) -> dict[str, float]:
    """Wall-clock p50/p95/max in ms; with ``cpu`` (the process's CPU time of each query, which other
    processes on the same cores disturb less), its p50/p95 too."""
    out = {"n": len(latencies), "p50_ms": speed.percentile(latencies, 50) * 1000, "p95_ms": speed.percentile(latencies, 95) * 1000,
           "max_ms": max(latencies) * 1000 if latencies else float("nan")}
    if cpu:
        out.update(cpu_p50_ms=speed.percentile(cpu, 50) * 1000, cpu_p95_ms=speed.percentile(cpu, 95) * 1000)
    return out


def _search(ix: Any, q: dict[str, Any]) -> int:
    filters = None
    if q["filters"]:
        filters = {k: tuple(v) if isinstance(v, list) else v for k, v in q["filters"].items()}
    res = ix.search(q["text"], limit=10, filters=filters)
    return sum(1 for hit in res.hits if hit.snippet is not None)


def worker_queries(payload: dict[str, Any]) -> dict[str, Any]:
    started = time.perf_counter()
    if payload.get("src"):  # another source tree's bgsearch (`--compare-trees`)
        sys.path.insert(0, payload["src"])
    import bgsearch
    from bgsearch import Index

    if payload.get("src") and not bgsearch.__file__.startswith(payload["src"]):
        raise RuntimeError(f"bgsearch came from {bgsearch.__file__}, not {payload['src']}")

    ix = Index.open(payload["index"])
    open_s = time.perf_counter() - started
    for q in payload["warm"]:
        _search(ix, q)
    passes: list[dict[str, list[float]]] = []
    cpu: list[dict[str, list[float]]] = []
    shown: dict[str, int] = defaultdict(int)
    for _ in range(3):  # the first pass: queries this process has not run; then two repeated
        times: dict[str, list[float]] = defaultdict(list)
        cpu_times: dict[str, list[float]] = defaultdict(list)
        for q in payload["timed"]:
            c0, t0 = time.process_time(), time.perf_counter()
            n = _search(ix, q)
            times[q["cls"]].append(time.perf_counter() - t0)
            cpu_times[q["cls"]].append(time.process_time() - c0)
            if not passes:
                shown[q["cls"]] += n
        passes.append(times)
        cpu.append(cpu_times)
    ix.close()
    classes = sorted(passes[0])
    return {"open_seconds": open_s,
            "mean_hits_shown": {c: shown[c] / len(passes[0][c]) for c in classes},
            "first": {c: _summary(passes[0][c], cpu[0][c]) for c in classes},
            "repeated": {c: _summary(passes[1][c] + passes[2][c], cpu[1][c] + cpu[2][c]) for c in classes},
            }


def worker_add(payload: dict[str, Any]) -> dict[str, Any]:
    from bgsearch import Index

    runs = []
    docs_all = list(_read_docs(Path(payload["docs"])))
    for r in range(payload["runs"]):
        docs = docs_all[r * ADD_DOCS:(r + 1) * ADD_DOCS]
        with Index.open(payload["index"]) as ix:
            t0 = time.perf_counter()
            result = ix.add_documents(docs)
            runs.append(time.perf_counter() - t0)
            assert result.added == len(docs), result
    return {"runs": runs, "median_seconds": statistics.median(runs)}


def worker_during(payload: dict[str, Any]) -> dict[str, Any]:
    """Runs the queries in a loop until the stop file exists; latencies, and the document counts seen."""
    from bgsearch import Index

    stop = Path(payload["stop"])
    ix = Index.open(payload["index"])
    queries = payload["timed"]
    latencies: list[float] = []
    counts: list[int] = []
    i = 0
    Path(payload["ready"]).touch()
    while not stop.exists():
        q = queries[i % len(queries)]
        i += 1
        t0 = time.perf_counter()
        _search(ix, q)
        latencies.append(time.perf_counter() - t0)
        if i % 10 == 0:
            n = len(ix)
            if not counts or counts[-1] != n:
                counts.append(n)
    ix.close()
    return {**_summary(latencies), "counts_seen": counts}


WORKERS = {"tantivy": worker_tantivy, "queries": worker_queries, "add": worker_add, "during": worker_during}


def run_worker(role: str, payload: dict[str, Any]) -> dict[str, Any]:
    proc = subprocess.run(worker_cmd(role, payload), capture_output=True, text=True, env=_env())
    if proc.returncode != 0:
        raise RuntimeError(f"worker {role} failed: {proc.stderr[-2000:]}")
    return _last_json(proc.stdout)


def search_during_import(index_dir: Path, docs_file: Path, timed: list[dict[str, Any]], work: Path,
                         commit_every: int) -> dict[str, Any]:
    stop, ready = work / "during.stop", work / "during.ready"
    for p in (stop, ready):
        p.unlink(missing_ok=True)
    queries = [q for q in timed if q["cls"] in WORD_CLASSES]
    searcher = subprocess.Popen(worker_cmd("during", {"index": str(index_dir), "timed": queries, "stop": str(stop),
                                                      "ready": str(ready)}),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    while not ready.exists() and searcher.poll() is None:
        time.sleep(0.05)
    try:
        imported = index_bgsearch(docs_file, index_dir, work / "schema.json", commit_every)
    finally:
        stop.touch()
        out, err = searcher.communicate()
    if searcher.returncode != 0:
        raise RuntimeError(f"worker during failed: {err[-2000:]}")
    return {"import": imported, "search": _last_json(out)}


# ------------------------------------------------------------------------------------ the run


class Notes:
    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.started = time.perf_counter()

    def __call__(self, text: str) -> None:
        if not self.quiet:
            print(f"[scale {time.perf_counter() - self.started:7.0f}s] {text}", file=sys.stderr, flush=True)


def _tree_state() -> dict[str, Any]:
    """The commit the working tree is at, and whether its engine has changes not committed (others may
    be editing it while a long run goes on)."""
    def git(*args: str) -> str:
        try:
            return subprocess.run(["git", *args], cwd=REPO_ROOT, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""
    import hashlib

    digest = hashlib.sha1()
    for path in sorted((REPO_ROOT / "src" / "bgsearch").rglob("*.py")):
        digest.update(str(path.relative_to(REPO_ROOT)).encode() + b"\0" + path.read_bytes())
    return {"head": git("rev-parse", "--short", "HEAD"), "src_sha1": digest.hexdigest()[:12],
            "src_changes": git("status", "--porcelain", "src").splitlines()}


def run_size(n: int, gen: Generator, queries: dict[str, list[dict[str, Any]]], work: Path, args: argparse.Namespace,
             note: Notes) -> dict[str, Any]:
    size_started = time.perf_counter()
    row: dict[str, Any] = {"documents": n, "tree": _tree_state()}
    docs_file = work / f"docs-{args.seed}-{n}.jsonl"
    t0 = time.perf_counter()
    gen.write(docs_file, n)
    row["generate_seconds"] = time.perf_counter() - t0
    row["input_mb"] = docs_file.stat().st_size / MB
    index_dir = work / f"bg-{n}"
    if index_dir.exists():
        import shutil

        shutil.rmtree(index_dir)
    note(f"{n:,}: indexing with bgsearch index - ({row['input_mb']:.0f} MB of JSON Lines)")
    row["bgsearch"] = index_bgsearch(docs_file, index_dir, work / "schema.json", args.commit_every)
    row["bgsearch"].update(index_stats(index_dir))
    b = row["bgsearch"]
    b["docs_per_second"] = n / b["seconds"]
    gaps = [y - x for x, y in zip([0.0, *b["commit_times"]], b["commit_times"])]
    b["commits_seen"] = len(b["commit_times"])
    b["longest_commit_gap_s"] = max(gaps) if gaps else None
    b["median_commit_gap_s"] = statistics.median(gaps) if gaps else None
    note(f"{n:,}: bgsearch {b['seconds']:.0f} s, {b['docs_per_second']:.0f} docs/s, peak PSS {b['peak_pss_mb']:.0f} MB, "
         f"{b['size_mb']:.0f} MB, {b['segments']} segments")
    if args.tantivy and n <= args.tantivy_max:
        note(f"{n:,}: indexing with tantivy (bgsearch terms)")
        tdir = work / f"tantivy-{n}"
        if tdir.exists():
            import shutil

            shutil.rmtree(tdir)
        row["tantivy"] = index_tantivy(docs_file, tdir)
        row["tantivy"]["docs_per_second"] = n / row["tantivy"]["seconds"]
        note(f"{n:,}: tantivy {row['tantivy']['seconds']:.0f} s, {row['tantivy']['size_mb']:.0f} MB")
        if not args.keep:
            import shutil

            shutil.rmtree(tdir)
    note(f"{n:,}: queries in a fresh process")
    row["queries"] = run_worker("queries", {"index": str(index_dir), **queries})
    try:
        _later_phases(n, row, gen, queries, index_dir, work, args, note)
    except RuntimeError as exc:  # e.g. the engine changed under a long run: keep what was measured
        row["error"] = str(exc)[-3000:]
        note(f"{n:,}: failed: {str(exc)[-300:]}")
    if not args.keep:
        import shutil

        shutil.rmtree(index_dir, ignore_errors=True)
        if n > 100_000:
            docs_file.unlink()
    row["size_seconds"] = time.perf_counter() - size_started
    row["tree_after"] = _tree_state()
    if row["tree_after"]["src_sha1"] != row["tree"]["src_sha1"]:
        note(f"{n:,}: the working tree's src/ changed during this size: its figures mix two versions")
    note(f"{n:,}: done in {row['size_seconds']:.0f} s")
    return row


def _later_phases(n: int, row: dict[str, Any], gen: Generator, queries: dict[str, list[dict[str, Any]]],
                  index_dir: Path, work: Path, args: argparse.Namespace, note: Notes) -> None:
    """Adding 100 documents, and searching during an import: both change the built index."""
    note(f"{n:,}: adding {ADD_DOCS} documents, {ADD_RUNS} runs")
    add_file = gen.write(work / f"add-{args.seed}.jsonl", ADD_DOCS * ADD_RUNS, prefix="add", seed=args.seed + 101)
    row["add"] = run_worker("add", {"index": str(index_dir), "docs": str(add_file), "runs": ADD_RUNS})
    if args.import_docs:
        m = args.import_docs
        imp_file = work / f"import-{args.seed}-{m}.jsonl"
        gen.write(imp_file, m, prefix="imp", seed=args.seed + 202)
        note(f"{n:,}: searching during an import of {m:,} more documents")
        row["import_docs"] = m
        row["during_import"] = search_during_import(index_dir, imp_file, queries["timed"], work, args.import_commit_every)


def _f(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    return f"{value:,.{digits}f}"


def _indexed(lines: Sequence[str]) -> int:
    """The documents `bgsearch index` says it indexed, from the last lines of its output."""
    for line in lines:
        m = re.search(r"indexed (\d+) document", line)
        if m:
            return int(m.group(1))
    return 0


def tables(rows: Sequence[dict[str, Any]]) -> str:
    out = ["### Indexing (`bgsearch index -`, a fresh index; tantivy fed bgsearch's terms, 1 writer thread)", "",
           "| docs | bgsearch s | docs/s | CPU s | peak PSS MB | peak RSS MB | index MB | segments | commits | "
           "commit gap s median / max | "
           "tantivy s | tantivy docs/s | tantivy MB | tantivy peak RSS MB | size run s |",
           "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        b, t = r["bgsearch"], r.get("tantivy") or {}
        out.append(f"| {r['documents']:,} | {_f(b['seconds'])} | {_f(b['docs_per_second'])} | {_f(b['cpu_seconds'])} | "
                   f"{_f(b['peak_pss_mb'])} | {_f(b['peak_rss_mb'])} | {_f(b['size_mb'])} | {b['segments']} | "
                   f"{b['commits_seen']} | {_f(b['median_commit_gap_s'])} / {_f(b['longest_commit_gap_s'])} | "
                   f"{_f(t.get('seconds'))} | {_f(t.get('docs_per_second'))} | "
                   f"{_f(t.get('size_mb'))} | {_f(t.get('peak_rss_mb'))} | {_f(r.get('size_seconds'))} |")
    out += ["", "### Queries (limit 10, with snippets; ms, p50 / p95; first = first time in the process)", "",
            "| docs | " + " | ".join(f"{c} first | {c} repeated" for c in WORD_CLASSES)
            + " | date filter p95 | kind filter p95 | add 100 s | during import p50 / p95 |",
            "|---:|" + "---:|" * (2 * len(WORD_CLASSES) + 4)]
    for r in rows:
        q = r["queries"]
        cells = []
        for c in WORD_CLASSES:
            for kind in ("first", "repeated"):
                s = q[kind].get(c)
                cells.append(f"{_f(s['p50_ms'], 1)} / {_f(s['p95_ms'], 1)}" if s else "–")
        filt = [_f(q["repeated"][c]["p95_ms"], 1) if c in q["repeated"] else "–" for c in FILTER_CLASSES]
        d = (r.get("during_import") or {}).get("search")
        during = f"{_f(d['p50_ms'], 1)} / {_f(d['p95_ms'], 1)}" if d else "–"
        out.append(f"| {r['documents']:,} | " + " | ".join(cells + filt) +
                   f" | {_f((r.get('add') or {}).get('median_seconds'), 2)} | {during} |")
    if any("cpu_p50_ms" in s for r in rows for s in r["queries"]["first"].values()):
        out += ["", "### Queries, CPU time of the searching process (ms, p50 / p95: what other processes on the "
                "cores disturb less)", "",
                "| docs | " + " | ".join(f"{c} first | {c} repeated" for c in WORD_CLASSES)
                + " | date filter | kind filter |", "|---:|" + "---:|" * (2 * len(WORD_CLASSES) + 2)]
        for r in rows:
            q = r["queries"]
            cells = [f"{_f(s['cpu_p50_ms'], 1)} / {_f(s['cpu_p95_ms'], 1)}" if s and "cpu_p50_ms" in s else "–"
                     for c in WORD_CLASSES for s in (q["first"].get(c), q["repeated"].get(c))]
            cells += [f"{_f(s['cpu_p50_ms'], 1)} / {_f(s['cpu_p95_ms'], 1)}" if s and "cpu_p50_ms" in s else "–"
                      for s in (q["repeated"].get(c) for c in FILTER_CLASSES)]
            out.append(f"| {r['documents']:,} | " + " | ".join(cells) + " |")
    imports = [r for r in rows if r.get("during_import")]
    if imports:
        out += ["", "### The import searched during (`bgsearch index -` into the built index)", "",
                "| docs before | imported | s | docs/s | peak PSS MB | peak RSS MB | commits seen at (s) | "
                "searches | p50 / p95 / max ms | document counts the searcher saw |",
                "|---:|---:|---:|---:|---:|---:|---|---:|---:|---|"]
        for r in imports:
            i, d = r["during_import"]["import"], r["during_import"]["search"]
            m = r.get("import_docs") or _indexed(i.get("stderr_tail") or [])
            out.append(f"| {r['documents']:,} | {m:,} | {_f(i['seconds'])} | {_f(m / i['seconds'] if m else None)} | "
                       f"{_f(i['peak_pss_mb'])} | {_f(i['peak_rss_mb'])} | "
                       f"{', '.join(f'{t:.0f}' for t in i['commit_times'])} | {d['n']:,} | "
                       f"{_f(d['p50_ms'], 1)} / {_f(d['p95_ms'], 1)} / {_f(d['max_ms'])} | "
                       f"{', '.join(f'{c:,}' for c in d['counts_seen'])} |")
    return "\n".join(out)


def findings(rows: Sequence[dict[str, Any]]) -> list[str]:
    lines = []
    by_n = {r["documents"]: r for r in rows}
    largest = max(by_n)
    if 100_000 in by_n and largest > 100_000:
        base, top = by_n[100_000]["bgsearch"]["docs_per_second"], by_n[largest]["bgsearch"]["docs_per_second"]
        ok = top >= (1 - LINEARITY) * base
        lines.append(f"{'met' if ok else 'missed'}: throughput at {largest:,} is {top / base:.0%} of that at 100,000 "
                     f"({top:,.0f} vs {base:,.0f} docs/s; bound: within {LINEARITY:.0%})")
    else:
        lines.append("not checked: throughput linearity needs 100,000 and a larger size")
    worst = max(rows, key=lambda r: r["bgsearch"]["peak_pss_mb"])
    peak = worst["bgsearch"]["peak_pss_mb"]
    lines.append(f"{'met' if peak < MEMORY_BOUND_MB else 'missed'}: peak memory of the indexing process tree "
                 f"(PSS sum) ≤ {peak:,.0f} MB at every size (at {worst['documents']:,}; bound {MEMORY_BOUND_MB:,.0f} MB; "
                 f"RSS sum {worst['bgsearch']['peak_rss_mb']:,.0f} MB)")
    imports = [r for r in rows if r.get("during_import")]
    if imports:
        worst = max(imports, key=lambda r: r["during_import"]["import"]["peak_pss_mb"])
        peak = worst["during_import"]["import"]["peak_pss_mb"]
        lines.append(f"{'met' if peak < MEMORY_BOUND_MB else 'missed'}: peak memory of the import into a built index "
                     f"(PSS sum) ≤ {peak:,.0f} MB (into {worst['documents']:,}; RSS sum "
                     f"{worst['during_import']['import']['peak_rss_mb']:,.0f} MB)")
    for r in rows:
        q, n = r["queries"], r["documents"]
        bad = [f"{c} {kind} {s['p50_ms']:.1f}/{s['p95_ms']:.1f} ms" for kind in ("first", "repeated")
               for c, s in q[kind].items() if c in WORD_CLASSES and (s["p50_ms"] > P50_MS or s["p95_ms"] > P95_MS)]
        bad += [f"{c} p95 {q['repeated'][c]['p95_ms']:.1f} ms" for c in FILTER_CLASSES
                if c in q["repeated"] and q["repeated"][c]["p95_ms"] > P95_MS]
        lines.append(f"{'met' if not bad else 'missed'}: queries at {n:,} (p50 ≤ {P50_MS:.0f} ms, p95 ≤ {P95_MS:.0f} ms)"
                     + (": " + "; ".join(bad) if bad else ""))
        if "error" in r:
            lines.append(f"failed at {n:,}: {r['error'].strip().splitlines()[-1][:200]}")
        if "add" not in r:
            continue
        add = r["add"]["median_seconds"]
        lines.append(f"{'met' if add <= ADD_BOUND_S else 'missed'}: adding {ADD_DOCS} documents at {n:,}: {add:.2f} s "
                     f"(bound {ADD_BOUND_S:.0f} s)")
        d = (r.get("during_import") or {}).get("search")
        if d:
            ok = d["p50_ms"] <= P50_MS and d["p95_ms"] <= P95_MS
            lines.append(f"{'met' if ok else 'missed'}: search during an import at {n:,}: p50 {d['p50_ms']:.1f} ms, "
                         f"p95 {d['p95_ms']:.1f} ms over {d['n']} queries, document counts seen {d['counts_seen']}")
    return lines


def compare_trees(index: Path, trees: Sequence[Path], rounds: int, queries: dict[str, list[dict[str, Any]]]) -> str:
    """The query mix's latencies on `index` with each source tree's bgsearch: a fresh process per
    tree and round, the trees alternating (first one, then the other first). Per class, the median
    over the rounds of each run's p50 and p95, first time and repeated, and the ratio of the second
    tree's p50 to the first's."""
    runs: dict[int, list[dict[str, Any]]] = {0: [], 1: []}
    for number in range(rounds):
        for which in ((0, 1) if number % 2 == 0 else (1, 0)):
            payload = {"index": str(index), "src": str(trees[which].resolve() / "src"), **queries}
            done = subprocess.run(worker_cmd("queries", payload), capture_output=True, text=True, env=_env())
            if done.returncode:
                raise RuntimeError(f"{trees[which]}: {done.stderr.strip().splitlines()[-1:]}")
            runs[which].append(_last_json(done.stdout))
    lines = [f"{rounds} rounds, {trees[0]} → {trees[1]} (ms, median over the rounds of each run's p50 / p95)"]
    for cls in sorted(runs[0][0]["first"]):
        cells = []
        for kind in ("first", "repeated"):
            old, new = ([statistics.median(run[kind][cls][key] for run in runs[which]) for key in ("p50_ms", "p95_ms")]
                        for which in (0, 1))
            cells.append(f"{kind} {old[0]:.1f} / {old[1]:.1f} → {new[0]:.1f} / {new[1]:.1f} ({new[0] / old[0]:.2f}x)")
        lines.append(f"{cls:8} " + "   ".join(cells))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(str(s) for s in DEFAULT_SIZES),
                        help="comma-separated document counts (default 10000,100000,300000; add 1000000 for the "
                             "1M row: about 16 min more on 2 cores, and 5 min of tantivy with --tantivy-max 1000000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--queries", type=int, default=DEFAULT_QUERIES, help="queries per class")
    parser.add_argument("--commit-every", type=int, default=None, help="passed to bgsearch index (default: its own)")
    parser.add_argument("--no-tantivy", dest="tantivy", action="store_false")
    parser.add_argument("--tantivy-max", type=int, default=300_000, help="tantivy only up to this size (default 300000)")
    parser.add_argument("--import-docs", type=int, default=DEFAULT_IMPORT_DOCS,
                        help="documents imported while searching (0: skip; default 50000)")
    parser.add_argument("--import-commit-every", type=int, default=DEFAULT_IMPORT_COMMIT_EVERY)
    parser.add_argument("--work-dir", type=Path, default=None, help="where the files go (default a temporary directory)")
    parser.add_argument("--keep", action="store_true", help="keep the indexes and document files")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--quiet", action="store_true")
    parser.add_argument("--report", type=Path, default=None, metavar="JSON",
                        help="print the tables and findings of an earlier run's --json file and stop")
    parser.add_argument("--generate", type=int, default=None, metavar="N", help="write N documents to stdout and stop")
    parser.add_argument("--compare-trees", nargs=2, type=Path, metavar=("OLD", "NEW"), default=None,
                        help="time the query mix on --index with each source tree's bgsearch (a git worktree, "
                             "say), --rounds times each, alternating, and stop")
    parser.add_argument("--index", type=Path, default=None, help="the index --compare-trees searches")
    parser.add_argument("--rounds", type=int, default=4, help="runs of each tree (--compare-trees)")
    parser.add_argument("--worker", nargs=2, metavar=("ROLE", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        role, payload = args.worker
        print(json.dumps(WORKERS[role](json.loads(payload))))
        return 0
    if args.report:
        saved = json.loads(args.report.read_text("utf-8"))
        print(tables(saved["rows"]))
        print()
        for line in findings(saved["rows"]):
            print(f"* {line}")
        return 0
    note = Notes(args.quiet)
    try:
        data = corpora.data_dir(args.data_dir)
        units = corpora.load_corpus("laws", data)
    except corpora.DataMissingError as exc:
        print(f"scale.py: {exc}", file=sys.stderr)
        return EXIT_ERROR
    gen = Generator(units, args.seed)
    if args.compare_trees:
        if args.index is None:
            parser.error("--compare-trees needs --index (an index the harness built: --keep)")
        print(compare_trees(args.index, args.compare_trees, args.rounds, query_sets(units, gen, args.seed, args.queries)))
        return 0
    if args.generate is not None:
        for doc in gen.documents(args.generate):
            sys.stdout.write(json.dumps(doc, ensure_ascii=False) + "\n")
        return 0
    sizes = sorted(int(s) for s in args.sizes.split(",") if s.strip())
    work = args.work_dir or Path(tempfile.mkdtemp(prefix="bgsearch-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    (work / "schema.json").write_text(json.dumps(SCHEMA, ensure_ascii=False), "utf-8")
    note(f"{len(units):,} law units; sizes {sizes}; work directory {work}")
    queries = query_sets(units, gen, args.seed, args.queries)
    results: dict[str, Any] = {
        "machine": {"python": sys.version.split()[0], "platform": platform.platform(), "cpus": os.cpu_count(),
                    "load_average_at_start": os.getloadavg()},
        "seed": args.seed, "sizes": sizes, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "rows": [],
    }
    for n in sizes:
        results["rows"].append(run_size(n, gen, queries, work, args, note))
        if args.json:  # written after every size: a long run keeps what it has
            args.json.write_text(json.dumps({**results, "findings": findings(results["rows"])}, indent=1,
                                            ensure_ascii=False), "utf-8")
    results["findings"] = findings(results["rows"])
    results["load_average_at_end"] = os.getloadavg()
    print(tables(results["rows"]))
    print()
    for line in results["findings"]:
        print(f"* {line}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False), "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
