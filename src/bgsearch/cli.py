"""The `bgsearch` command: a thin layer over the library, rendered with rich.

Exit status, as grep: 0 found (or done), 1 nothing found (or some input rejected), 2 error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from . import __version__
from .errors import BgsearchError

if TYPE_CHECKING:
    from rich.console import Console

    from .index import AddResult, Index
    from .results import SearchResults

DEFAULT_INDEX = Path("index")
DEFAULT_SOURCE = Path("seeds")
EXIT_OK, EXIT_NONE, EXIT_ERROR = 0, 1, 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(_negated_words_last(list(sys.argv[1:] if argv is None else argv)))
    try:
        return args.run(args)
    except BgsearchError as exc:
        _say(str(exc))
        return EXIT_ERROR
    except KeyboardInterrupt:
        _say("interrupted")
        return 130
    except BrokenPipeError:  # `bgsearch query ... | head`
        sys.stderr.close()
        return EXIT_OK
    except OSError as exc:  # what the library did not foresee: still one line
        _say(f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc))
        return EXIT_ERROR


# Options of `query` whose value may start with "-" (a descending sort, a negative number).
_VALUE_OPTIONS = frozenset({"--sort", "--filter", "--facet", "--index", "--limit", "--offset", "--from", "--to",
                            "--fragments", "--cluster", "--name"})


def _negated_words_last(argv: list[str]) -> list[str]:
    """`bgsearch query -Москва` is a query (a word NOT to match), not an option: such an argument
    goes after `--`, where argparse takes it for the query. An option's value that starts with "-"
    (`--sort -date`) stays the option's (`--sort=-date`)."""
    if not argv or argv[0] != "query" or "--" in argv:
        return argv
    kept, words = [argv[0]], []
    args = iter(argv[1:])
    for arg in args:
        if arg in _VALUE_OPTIONS:
            value = next(args, None)
            kept.append(arg if value is None else f"{arg}={value}")
        elif arg.startswith("-") and not arg.startswith("--") and arg != "-h" and len(arg) > 1 and not arg[1].isdigit():
            words.append(arg)
        else:
            kept.append(arg)
    return kept + ["--", *words] if words else kept


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors in one line like every other error."""

    def error(self, message: str) -> NoReturn:
        _say(f"{message} (see `{self.prog} --help`)")
        sys.exit(EXIT_ERROR)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="bgsearch", description="Full-text search for Bulgarian.")
    parser.add_argument("--version", action="version", version=f"bgsearch {__version__}")
    commands = parser.add_subparsers(required=True, metavar="COMMAND", parser_class=_Parser)

    def command(name: str, run: Any, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.set_defaults(run=run)
        return sub

    def cluster_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--cluster", metavar="URL[,URL]", help="an OpenSearch cluster instead of a local index "
                                                               "(pip install \"bgsearch[cluster]\")")
        sub.add_argument("--name", metavar="NAME", help="with --cluster: the index name in the cluster")

    def index_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--index", type=Path, default=DEFAULT_INDEX, metavar="DIR",
                         help=f"index directory (default: {DEFAULT_INDEX}/)")

    query = command("query", _query, "search an index; with the default index/, builds it from seeds/ on first use")
    query.add_argument("query", help='words, "phrases", OR, NOT/-word, field:word, prefix*, date:FROM..TO')
    index_option(query)
    query.add_argument("--limit", type=int, default=10, metavar="N", help="hits to show (default 10)")
    query.add_argument("--offset", type=int, default=0, metavar="N", help="hits to skip (default 0)")
    query.add_argument("--from", dest="date_from", metavar="DATE", help="only documents dated on or after DATE")
    query.add_argument("--to", dest="date_to", metavar="DATE", help="only documents dated on or before DATE")
    query.add_argument("--filter", action="append", default=[], metavar="FIELD=VALUE",
                       help="only documents whose FIELD holds VALUE (a..b: a range; a,b: any of); repeatable")
    query.add_argument("--facet", action="append", default=[], metavar="FIELD",
                       help="count the matches per value of FIELD (a date: FIELD:month); repeatable")
    query.add_argument("--sort", action="append", default=[], metavar="[-]FIELD",
                       help="order by FIELD (descending with -), ties by relevance; repeatable")
    query.add_argument("--fragments", type=_positive_int, default=1, metavar="N",
                       help="up to N passages in each snippet (default 1)")
    query.add_argument("--json", action="store_true", help="one JSON object per hit per line")
    query.add_argument("--json-summary", action="store_true",
                       help='--json, and a last line {"type": "summary", "total": ..., "notices": [...], ...}')
    query.add_argument("--no-translit", dest="transliterate", action="store_false",
                       help="do not read Latin-script words as Bulgarian")
    query.add_argument("--no-fuzzy", dest="fuzzy", action="store_false",
                       help="do not forgive typos or suggest corrections")
    query.add_argument("--no-expand", dest="expand", action="store_false",
                       help="do not expand acronyms (САЩ → Съединените щати) or names into acronyms")
    cluster_options(query)

    index = command("index", _index, "build or update an index from .txt / .jsonl(.gz) files, directories or - (stdin)")
    index.add_argument("paths", nargs="*", type=str, metavar="PATH",
                       help=f"default (for the default index only): {DEFAULT_SOURCE}/")
    index_option(index)
    index.add_argument("--rebuild", action="store_true",
                       help="build a new index from PATH beside the old one, and replace the old one when it is "
                            "complete (if this fails or is stopped, the old one stays)")
    index.add_argument("--commit-every", type=_positive_int, metavar="N",
                       help="commit every N documents, so an interrupted run keeps its work (default 50000)")
    index.add_argument("--workers", type=_positive_int, metavar="N",
                       help="processes that analyze and write documents (default: one per core for large imports)")
    index.add_argument("--field", action="append", default=[], metavar="NAME=KEY",
                       help="JSON Lines: read document field NAME from key KEY (e.g. body=text); repeatable")
    index.add_argument("--schema", type=Path, metavar="FILE",
                       help="the fields of a new index, as a JSON file (see the README); an existing index may "
                            "only gain fields")
    cluster_options(index)
    index.add_argument("--shards", type=_positive_int, default=1, metavar="N", help="with --cluster: shards of a new index")
    index.add_argument("--replicas", type=int, default=0, metavar="N", help="with --cluster: replicas of a new index")

    cluster = command("cluster", _cluster, "a local OpenSearch cluster with bgsearch's analysis (needs Java and Maven)")
    cluster.add_argument("action", choices=["up"], help="up: start it, print its URL, run until Ctrl-C")
    cluster.add_argument("--nodes", type=int, choices=[1, 2], default=2)
    cluster.add_argument("--port", type=_positive_int, default=9200, help="the first node's HTTP port (default 9200)")

    analyze = command("analyze", _analyze, "show each token of a text and the term it becomes")
    analyze.add_argument("text")
    analyze.add_argument("--json", action="store_true", help="one JSON object per token per line")

    check = command("check", _check, "read every file of an index and compare it with the checksums its commit "
                                     "recorded")
    index_option(check)

    optimize = command("optimize", _optimize, "merge an index's segments into one (faster searches; takes about "
                                               "as long as writing its documents once)")
    index_option(optimize)

    stats = command("stats", _stats, "show what an index holds")
    index_option(stats)
    stats.add_argument("--json", action="store_true")

    delete = command("delete", _delete, "delete documents by id, or every document a query matches")
    delete.add_argument("ids", nargs="*", metavar="ID")
    delete.add_argument("--query", metavar="QUERY", help="delete every document this query matches")
    index_option(delete)

    from .server.cli import add_parser as add_serve_parser  # standard library only: FastAPI loads on `serve`

    add_serve_parser(commands)
    return parser


# -- commands ------------------------------------------------------------------------------------


def _query(args: argparse.Namespace) -> int:
    # The index stays open while the hits are shown: the count of all matches, shown last, is
    # made after the first hit is on the screen.
    with _cluster_index(args) if args.cluster else _open_for_query(args.index) as ix:
        results = ix.search(args.query, limit=args.limit, offset=args.offset, filters=_filters(args.filter),
                            facets=_facets(args.facet), sort=args.sort or None, fragments=args.fragments,
                            date_from=args.date_from, date_to=args.date_to, transliterate=args.transliterate,
                            fuzzy=args.fuzzy, expand=args.expand)
        for notice in results.notices:
            _say(notice)
        if args.json or args.json_summary:
            for hit in results.hits:
                print(json.dumps(hit.to_dict(), ensure_ascii=False))
            if args.json_summary:
                print(json.dumps(results.summary(), ensure_ascii=False))
        else:
            _render_hits(results)
            _render_facets(results)
    return EXIT_OK if results.hits else EXIT_NONE


def _filters(specs: list[str]) -> dict[str, Any] | None:
    """`--filter FIELD=VALUE` as `filters=`: a..b a range, a,b any of (the query syntax reads a range
    the same way)."""
    filters: dict[str, Any] = {}
    for spec in specs:
        name, sep, value = spec.partition("=")
        if not sep or not name or not value:
            raise BgsearchError(f"--filter {spec!r}: write FIELD=VALUE (price=10..20, category=книги, tags=a,b)")
        if name in filters:
            raise BgsearchError(f"--filter {name}= is given twice: give several values as {name}=a,b")
        if ".." in value:
            start, _, end = value.partition("..")
            filters[name] = (start or None, end or None)
        elif "," in value:
            filters[name] = [item for item in value.split(",") if item]
        else:
            filters[name] = value
    return filters or None


def _facets(specs: list[str]) -> dict[str, Any] | None:
    """`--facet FIELD` or `--facet FIELD:month` (a date's period) as `facets=`."""
    facets: dict[str, Any] = {}
    for spec in specs:
        name, _, period = spec.partition(":")
        facets[name] = period or None
    return facets or None

def _open_for_query(path: Path) -> Index:
    from .index import Index

    if Index.exists(path) or path != DEFAULT_INDEX or not DEFAULT_SOURCE.is_dir():
        return Index.open(path)
    _say(f"no index in {path}/ yet: building it from {DEFAULT_SOURCE}/ (once)")
    from .loaders import load_path

    ix = Index.create(path)
    _report(ix.add_documents(load_path(DEFAULT_SOURCE)), quiet=True)
    return ix


def _index(args: argparse.Namespace) -> int:
    from .index import Index
    from .loaders import check_field_keys, load_paths

    fields = dict(_field_mapping(spec) for spec in args.field)
    schema = _schema(args.schema) if args.schema else None
    if not args.paths and args.index != DEFAULT_INDEX:
        raise BgsearchError(f"name the files or directories to index into {args.index} (or - for standard input)")
    paths = args.paths or [str(DEFAULT_SOURCE)]

    def add(ix: Index) -> AddResult:
        check_field_keys(fields, ix.schema)
        with _progress() as progress:
            return ix.add_documents(load_paths(paths, fields), progress=progress, commit_every=args.commit_every,
                                    workers=args.workers)

    if args.cluster:
        if args.rebuild or args.commit_every or args.workers:
            raise BgsearchError("--rebuild, --commit-every and --workers are for a local index, not --cluster")
        from .cluster.index import ClusterIndex

        with _progress() as progress:
            cluster_index = ClusterIndex.open_or_create(_cluster_urls(args), _cluster_name(args), schema=schema,
                                                        shards=args.shards, replicas=args.replicas)
            check_field_keys(fields, cluster_index.schema)
            result = cluster_index.add_documents(load_paths(paths, fields), progress=progress)
        _report(result)
    elif args.rebuild:  # the old index serves until the new one is complete, and stays if this fails
        with Index.rebuild(args.index, schema=schema) as ix:
            result = add(ix)
            _report(result)
            if result.rejected and not result.indexed:
                raise BgsearchError(f"no document could be indexed: {args.index} keeps the index it had")
    else:
        with Index.open_or_create(args.index, schema=schema) as ix:
            result = add(ix)
        _report(result)
    return EXIT_NONE if result.rejected else EXIT_OK


def _cluster_urls(args: argparse.Namespace) -> list[str]:
    return [url.strip() for url in args.cluster.split(",") if url.strip()]


def _cluster_name(args: argparse.Namespace) -> str:
    if not args.name:
        raise BgsearchError("--cluster needs --name NAME: the index in the cluster")
    return str(args.name)


def _cluster_index(args: argparse.Namespace) -> Any:
    from contextlib import nullcontext

    from .cluster.index import ClusterIndex

    return nullcontext(ClusterIndex(_cluster_urls(args), _cluster_name(args)))  # nothing to close


def _cluster(args: argparse.Namespace) -> int:
    from .cluster.nodes import cluster_up

    return cluster_up(args.nodes, args.port)


def _field_mapping(spec: str) -> tuple[str, str]:
    name, _, key = spec.partition("=")
    if not name or not key:
        raise BgsearchError(f"--field {spec!r}: write NAME=KEY (a field of the index, and the JSON key to read it from)")
    return name, key


def _schema(path: Path) -> Any:
    from .fields import Schema

    return Schema.from_json(path)


def _analyze(args: argparse.Namespace) -> int:
    from .analysis import analyze_tokens

    tokens = analyze_tokens(args.text)
    if args.json:
        for token in tokens:
            print(json.dumps({"token": token.text, "term": token.term, "start": token.start,
                              "end": token.end, "position": token.position}, ensure_ascii=False))
        return EXIT_OK
    from rich.table import Table

    table = Table("token", "term", box=None, header_style="bold")
    for token in tokens:
        table.add_row(token.text, token.term if token.term is not None else "[dim](stop word)[/]")
    _console().print(table)
    return EXIT_OK


def _stats(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from .index import Index

    with Index.open(args.index) as ix:
        stats = asdict(ix.stats())
        described = ix.schema.describe()
    if args.json:
        print(json.dumps(stats, ensure_ascii=False))
    else:
        for name, value in stats.items():
            print(f"{name.replace('_', ' ')}: {described if name == 'schema' else value}")
    return EXIT_OK


def _optimize(args: argparse.Namespace) -> int:
    from .index import Index

    with Index.open(args.index) as ix:
        before = ix.stats().segments
        ix.optimize()
        after = ix.stats().segments
    _say(f"{args.index}: {after} segment(s), {before} before")
    return EXIT_OK


def _check(args: argparse.Namespace) -> int:
    from .index import Index

    with Index.open(args.index) as ix:
        problems = ix.check()
    for problem in problems:
        _say(problem)
    if problems:
        return EXIT_ERROR
    _say(f"{args.index}: every file of the last commit is as its commit wrote it")
    return EXIT_OK


def _delete(args: argparse.Namespace) -> int:
    from .index import Index

    if bool(args.ids) == bool(args.query):
        raise BgsearchError("delete: give the ids to delete, or --query QUERY (not both)")
    if args.query:
        with Index.open(args.index) as ix:
            deleted = ix.delete_by_query(args.query)
        _say(f"deleted {deleted} document(s)")
        return EXIT_OK if deleted else EXIT_NONE
    with Index.open(args.index) as ix:
        missing = ix.delete(args.ids)
    for doc_id in missing:
        _say(f"no document with id {doc_id!r}")
    _say(f"deleted {len(args.ids) - len(missing)} document(s)")
    return EXIT_NONE if missing else EXIT_OK


# -- output --------------------------------------------------------------------------------------


def _say(message: str) -> None:
    print(f"bgsearch: {message}", file=sys.stderr)


def _console(stderr: bool = False) -> Console:
    from rich.console import Console

    # rich styles only a terminal; NO_COLOR turns every escape sequence off (bold too).
    return Console(stderr=stderr, highlight=False, soft_wrap=not stderr,
                   color_system=None if os.environ.get("NO_COLOR") else "auto")


def _render_hits(results: SearchResults) -> None:
    from rich.text import Text

    console = _console()
    for rank, hit in enumerate(results.hits, results.offset + 1):
        head = Text(f"{rank}. ", style="bold")
        head.append(hit.title or hit.id, style="bold cyan")
        meta = " · ".join(x for x in (hit.date, hit.source, f"score {hit.score:.2f}", hit.id) if x)
        head.append(f"  {meta}", style="dim")
        body = Text(hit.snippet)
        for start, end in hit.highlights:
            body.stylize("bold yellow", start, end)
        console.print(head)
        console.print(body)
        console.print()
    shown = len(results.hits)
    if results.total:
        first = results.offset + 1 if shown else results.offset
        _say(f"{results.total} document(s) match; showing {first}-{results.offset + shown}")
    else:
        _say("no documents match")


class _progress:
    """A progress bar on stderr while documents are written (only when stderr is a terminal)."""

    def __enter__(self) -> Any:
        if not sys.stderr.isatty():
            return None
        from rich.progress import Progress

        # Refreshed by update(), not by a thread of its own: an import forks its workers, and a
        # process that runs other threads does not fork safely.
        self._bar = Progress(console=_console(stderr=True), transient=True, auto_refresh=False)
        self._bar.start()
        self._task = self._bar.add_task("indexing", total=None)
        return self.update

    def update(self, done: int, total: int | None = None) -> None:
        self._bar.update(self._task, completed=done, total=total, refresh=True)

    def __exit__(self, *exc: object) -> None:
        if hasattr(self, "_bar"):
            self._bar.stop()


def _render_facets(results: SearchResults) -> None:
    console = _console()
    for name, counts in results.facets.items():
        from rich.text import Text

        line = Text(f"{name}: ", style="bold")
        line.append(", ".join(f"{value} ({count})" for value, count in counts.items()) or "—")
        console.print(line)


def _report(result: AddResult, quiet: bool = False) -> None:
    for rejected in result.rejected:
        _say(f"rejected {rejected}")
    if result.ignored:
        keys = ", ".join(f"{key!r} ({count:,} document(s))" for key, count in sorted(result.ignored.items()))
        _say(f"ignored key(s) the index's schema does not name: {keys}")
    for doc_id in result.duplicates:
        _say(f"id {doc_id!r} was given more than once; the last one was kept")
    if not quiet or result.rejected:
        _say(
            f"indexed {result.indexed} document(s): {result.added} added, {result.replaced} replaced, "
            f"{len(result.rejected)} rejected, in {result.seconds:.1f} s"
        )
