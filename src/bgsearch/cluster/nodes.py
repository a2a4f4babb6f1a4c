"""Local OpenSearch clusters: 1-2 real OpenSearch 2.19 nodes on 127.0.0.1 with the bgsearch plugin.

No distribution tarball is served by the package registries, so a node is started the way the
distribution starts it, from Maven Central's jars (lucene/README.md, "Starting a real OpenSearch
2.19 node"): `lucene/cluster-node/pom.xml` resolves the server's classpath and the netty4 transport
and analysis-common modules into `lucene/cluster-node/target/`; each node gets a home directory of
its own (config, modules with their descriptors from `lucene/cluster-node/home/`, the plugin zip
unzipped into `plugins/`) and runs `org.opensearch.bootstrap.OpenSearch` with its security manager,
bootstrap checks and plugin loading, as in production. OpenSearch refuses to run as root, so as root
each node runs as `nobody` (setpriv).

Every node is started in a process group of its own and dies with the process that started it
(parent-death signal); `Cluster.stop` (also called by `with`, and at exit) sends SIGTERM, then
SIGKILL after a grace period, and removes the nodes' home directories.
"""

from __future__ import annotations

import atexit
import ctypes
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from .errors import ClusterError

__all__ = [
    "Cluster", "Node", "start_cluster", "cluster_up", "missing_tools", "lucene_dir", "plugin_zip",
    "resolve_server", "OPENSEARCH_VERSION", "MAX_NODES",
]

OPENSEARCH_VERSION = "2.19.6"
MAX_NODES = 2
DEFAULT_HEAP_MB = 256
START_TIMEOUT = 240.0  # seconds for every node to join (two nodes on a loaded 2-core machine: ~20-40 s)
STOP_GRACE = 20.0  # seconds between SIGTERM and SIGKILL
_NOBODY = 65534
_PLUGIN_NAME = "bgsearch-analysis"


def missing_tools() -> list[str]:
    """The tools a local cluster needs that are not on PATH ("java", "mvn")."""
    return [tool for tool in ("java", "mvn") if shutil.which(tool) is None]


def lucene_dir() -> Path:
    """The repository's lucene/ directory ($BGSEARCH_LUCENE_DIR, or beside src/ in a checkout)."""
    configured = os.environ.get("BGSEARCH_LUCENE_DIR")
    path = Path(configured) if configured else Path(__file__).resolve().parents[3] / "lucene"
    if not (path / "cluster-node" / "pom.xml").is_file():
        raise ClusterError(
            f"{path} is not bgsearch's lucene/ directory: run from a checkout of the repository "
            "or set BGSEARCH_LUCENE_DIR"
        )
    return path


def _run_maven(args: list[str], cwd: Path, what: str) -> None:
    try:
        done = subprocess.run(["mvn", "-B", "-q", *args], cwd=cwd, capture_output=True, text=True, timeout=1800)
    except FileNotFoundError:
        raise ClusterError("mvn not found: Maven is needed to build the plugin and resolve OpenSearch") from None
    if done.returncode != 0:
        tail = (done.stdout + done.stderr).strip().splitlines()[-15:]
        raise ClusterError(f"{what} failed (mvn {' '.join(args)} in {cwd}): " + " | ".join(tail))


def plugin_zip(lucene: Path | None = None, build: bool = True) -> Path:
    """The bgsearch OpenSearch plugin zip, built with Maven (`mvn package -DskipTests` in lucene/)
    when it is missing or older than its sources (the Java code, the POMs, the analysis data)."""
    lucene = lucene or lucene_dir()
    target = lucene / "opensearch-plugin" / "target"

    def newest_zip() -> Path | None:
        found = target.glob(f"bgsearch-analysis-*-opensearch-{OPENSEARCH_VERSION}.zip")
        return max(found, key=lambda path: path.stat().st_mtime, default=None)

    found = newest_zip()
    if build and (found is None or _sources_changed_since(lucene, found.stat().st_mtime)):
        _run_maven(["package", "-DskipTests"], lucene, "building the bgsearch plugin")
        found = newest_zip()
    if found is None:
        raise ClusterError(f"no plugin zip in {target}: build it with `mvn package -DskipTests` in {lucene}")
    return found


def _sources_changed_since(lucene: Path, built: float) -> bool:
    data = lucene.parent / "src" / "bgsearch" / "analysis" / "data"
    sources = [lucene / "pom.xml", lucene / "analysis" / "pom.xml", lucene / "opensearch-plugin" / "pom.xml"]
    for folder in (lucene / "analysis" / "src" / "main", lucene / "opensearch-plugin" / "src" / "main", data):
        sources += [path for path in folder.rglob("*") if path.is_file()]
    return any(path.stat().st_mtime > built for path in sources if path.exists())


def resolve_server(lucene: Path | None = None) -> Path:
    """lucene/cluster-node/target, with the server's jars (server/) and modules (modules/), resolved
    from Maven Central on first use (~45 MB) and kept there."""
    node_dir = (lucene or lucene_dir()) / "cluster-node"
    target = node_dir / "target"
    if not (target / "server" / f"opensearch-{OPENSEARCH_VERSION}.jar").is_file() or not any(
        (target / "modules" / "transport-netty4").glob("transport-netty4-client-*.jar")
    ):
        _run_maven(["package"], node_dir, "resolving the OpenSearch server jars")
    return target


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


@dataclass
class Node:
    name: str
    home: Path
    http_port: int
    transport_port: int
    process: subprocess.Popen[bytes] | None = None
    log: Path = field(default_factory=Path)
    command: list[str] = field(default_factory=list)
    as_nobody: bool = False

    def start(self) -> None:
        """Start the node's process (its home and data are kept between starts); output goes to its log."""
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(
                self.command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, cwd=self.home,
                start_new_session=True, preexec_fn=None if self.as_nobody else _set_parent_death_signal,
            )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 12) -> str:
        try:
            text = self.log.read_text("utf-8", errors="replace").strip().splitlines()
        except OSError:
            return ""
        return "\n".join(text[-lines:])

    def stop(self, grace: float = STOP_GRACE) -> None:
        """SIGTERM to the node's process group, SIGKILL after `grace` seconds; waits for it."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 30.0)):
            try:
                os.killpg(process.pid, sig)
            except ProcessLookupError:
                break
            try:
                process.wait(wait)
                break
            except subprocess.TimeoutExpired:
                continue


_LIVE: set[Cluster] = set()
_LIVE_LOCK = threading.Lock()


def _stop_all_at_exit() -> None:
    with _LIVE_LOCK:
        clusters = list(_LIVE)
    for cluster in clusters:
        cluster.stop()


atexit.register(_stop_all_at_exit)


class Cluster:
    """Nodes started by `start_cluster`: `url` answers once every node has joined. Use `with`, or
    call `stop()`; nodes still running at interpreter exit are stopped then."""

    def __init__(self, nodes: list[Node], work_dir: Path, keep_dir: bool) -> None:
        self.nodes = nodes
        self.work_dir = work_dir
        self._keep_dir = keep_dir
        self._stopped = False
        with _LIVE_LOCK:
            _LIVE.add(self)

    @property
    def url(self) -> str:
        """The HTTP address of the first running node."""
        for node in self.nodes:
            if node.running:
                return node.url
        return self.nodes[0].url

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes if node.running]

    def stop_node(self, number: int) -> None:
        """Stop one node (0-based), leaving the others running."""
        self.nodes[number].stop()

    def restart_node(self, number: int, timeout: float = START_TIMEOUT) -> None:
        """Start a stopped node (0-based) again, with its data, and wait until every node has joined."""
        if self._stopped:
            raise ClusterError("the cluster was stopped")
        node = self.nodes[number]
        if not node.running:
            node.start()
        _wait_ready(self, timeout)

    def stop(self) -> None:
        """Stop every node (in parallel) and remove their home directories."""
        if self._stopped:
            return
        self._stopped = True
        threads = [threading.Thread(target=node.stop) for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if not self._keep_dir:
            shutil.rmtree(self.work_dir, ignore_errors=True)
        with _LIVE_LOCK:
            _LIVE.discard(self)

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self.stop()


def _set_parent_death_signal() -> None:  # in the child, before exec (not as root: setpriv does it)
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG


def _yaml_list(items: list[str]) -> str:
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


def _write_home(node: Node, template: Path, target: Path, plugin: Path | None, cluster_name: str,
                all_nodes: list[Node], as_nobody: bool) -> None:
    home = node.home
    shutil.copytree(template, home)
    for module in ("transport-netty4", "analysis-common"):
        for jar in (target / "modules" / module).glob("*.jar"):
            shutil.copy2(jar, home / "modules" / module / jar.name)
    if plugin is not None:
        with zipfile.ZipFile(plugin) as archive:
            archive.extractall(home / "plugins" / _PLUGIN_NAME)
    for empty in ("bin", "lib", "data", "logs", "tmp", "plugins"):
        (home / empty).mkdir(exist_ok=True)
    settings = [
        f"cluster.name: {cluster_name}",
        f"node.name: {node.name}",
        "network.host: 127.0.0.1",
        f"http.port: {node.http_port}",
        f"transport.port: {node.transport_port}",
        f"path.data: {home / 'data'}",
        f"path.logs: {home / 'logs'}",
        "node.processors: 1",  # small thread pools: the machine is shared
        "bootstrap.memory_lock: false",
        "cluster.routing.allocation.disk.threshold_enabled: false",  # a full disk elsewhere must not block shards
        "indices.query.bool.max_clause_count: 4096",
    ]
    if len(all_nodes) == 1:
        settings.append("discovery.type: single-node")
    else:
        settings += [
            "discovery.seed_hosts: " + _yaml_list([f"127.0.0.1:{other.transport_port}" for other in all_nodes]),
            "cluster.initial_cluster_manager_nodes: " + _yaml_list([other.name for other in all_nodes]),
        ]
    (home / "config" / "opensearch.yml").write_text("\n".join(settings) + "\n", "utf-8")
    if as_nobody:
        for writable in ("config", "data", "logs", "tmp"):
            for root, dirs, files in os.walk(home / writable):
                for name in [*dirs, *files]:
                    os.chown(os.path.join(root, name), _NOBODY, _NOBODY)
            os.chown(home / writable, _NOBODY, _NOBODY)


def _java_command(node: Node, classpath: Path, heap_mb: int, as_nobody: bool) -> list[str]:
    home = node.home
    java = [
        shutil.which("java") or "java",
        f"-Xms{heap_mb}m", f"-Xmx{heap_mb}m", "-Xss1m", "-XX:+UseSerialGC",
        "-XX:+ExitOnOutOfMemoryError", "-XX:-OmitStackTraceInFastThrow",
        f"-Djava.io.tmpdir={home / 'tmp'}", "-Dfile.encoding=UTF-8", "-Djna.nosys=true",
        "-Djava.locale.providers=SPI,COMPAT",
        "-Dlog4j2.formatMsgNoLookups=true",
        # As the distribution's jvm.options: without these SIGTERM can take a minute (log4j's
        # shutdown hook fails under the security manager).
        "-Dlog4j.shutdownHookEnabled=false", "-Dlog4j2.disable.jmx=true",
        "-Dio.netty.noUnsafe=true", "-Dio.netty.noKeySetOptimization=true",
        "-Dio.netty.recycler.maxCapacityPerThread=0",
        f"-Dopensearch.path.home={home}", f"-Dopensearch.path.conf={home / 'config'}",
        "-Dopensearch.distribution.type=tar", "-Dopensearch.bundled_jdk=false",
        "-cp", f"{classpath / 'server'}/*", "org.opensearch.bootstrap.OpenSearch",
    ]
    if as_nobody:
        return ["setpriv", f"--reuid={_NOBODY}", f"--regid={_NOBODY}", "--clear-groups", "--pdeathsig=SIGKILL",
                *java]
    return java


def _client(urls: str | list[str], timeout: float = 10.0) -> Any:
    from .client import client

    return client(urls, timeout=timeout)


def start_cluster(
    nodes: int = 2,
    port: int | None = None,
    *,
    heap_mb: int = DEFAULT_HEAP_MB,
    timeout: float = START_TIMEOUT,
    work_dir: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
    with_plugin: bool = True,
) -> Cluster:
    """Start `nodes` (1-2) OpenSearch nodes on 127.0.0.1 with the bgsearch plugin and wait until
    every one has joined and the cluster answers (status yellow or green).

    :param port: the first node's HTTP port (the next nodes take the ports after it); None: free ports.
    :param work_dir: where the nodes' home directories go (kept on stop); None: a new temporary
        directory, removed on stop.
    :param with_plugin: False: plain OpenSearch, as a hosted cluster that takes no plugins (bgsearch
        then sends its own terms: `ClusterIndex.create(..., analysis="pre-analyzed")`).
    Raises ClusterError with one line (Java or Maven missing, a port taken, a node that died or did
    not answer within `timeout` seconds); no node is left running then.
    """
    missing = missing_tools()
    if missing:
        raise ClusterError(f"{' and '.join(missing)} not found: a local OpenSearch cluster needs Java 17 and Maven")
    if not 1 <= nodes <= MAX_NODES:
        raise ClusterError(f"nodes must be between 1 and {MAX_NODES}, not {nodes}")
    as_nobody = os.geteuid() == 0
    if as_nobody and shutil.which("setpriv") is None:
        raise ClusterError("OpenSearch refuses to run as root, and setpriv (util-linux), which runs it as nobody, "
                           "is not found: run as another user")
    if port is not None:
        taken = [p for p in range(port, port + nodes) if _port_taken(p)]
        if taken:
            raise ClusterError(f"port {taken[0]} on 127.0.0.1 is taken: choose another with --port")
    say = progress or (lambda message: None)
    lucene = lucene_dir()
    say("building the plugin (if needed) and resolving the OpenSearch jars")
    plugin = plugin_zip(lucene) if with_plugin else None
    target = resolve_server(lucene)
    http_ports = [port + i for i in range(nodes)] if port is not None else [_free_port() for _ in range(nodes)]
    transport_ports: list[int] = []
    while len(transport_ports) < nodes:
        candidate = _free_port()
        if candidate not in http_ports and candidate not in transport_ports:
            transport_ports.append(candidate)
    keep_dir = work_dir is not None
    base = Path(work_dir) if work_dir is not None else Path(tempfile.mkdtemp(prefix="bgsearch-cluster-"))
    base.mkdir(parents=True, exist_ok=True)
    os.chmod(base, 0o755)
    cluster_name = f"bgsearch-local-{secrets.token_hex(4)}"  # never joins another cluster on this machine
    members = [Node(f"node-{i + 1}", base / f"node-{i + 1}", http_ports[i], transport_ports[i]) for i in range(nodes)]
    cluster = Cluster(members, base, keep_dir)
    try:
        for node in members:
            if node.home.exists():
                shutil.rmtree(node.home)
            _write_home(node, lucene / "cluster-node" / "home", target, plugin, cluster_name, members, as_nobody)
        for node in members:
            node.log = node.home / "logs" / "node.log"
            node.command = _java_command(node, target, heap_mb, as_nobody)
            node.as_nobody = as_nobody
            node.start()
        say(f"starting {nodes} node{'s' if nodes > 1 else ''}")
        _wait_ready(cluster, timeout)
    except BaseException:
        cluster.stop()
        raise
    return cluster


def _wait_ready(cluster: Cluster, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    wanted = len(cluster.nodes)
    while True:
        for node in cluster.nodes:
            if not node.running:
                raise ClusterError(f"OpenSearch node {node.name} exited while starting; its log ends: "
                                   + node.log_tail(6).replace("\n", " | "))
        try:
            # A new client each time: a client marks a node that does not answer yet as dead for
            # longer and longer (up to half an hour).
            health = _client(cluster.url, timeout=5.0).cluster.health()
            if int(health.get("number_of_nodes", 0)) >= wanted and health.get("status") in ("yellow", "green"):
                return
        except Exception:  # not answering yet
            pass
        if time.monotonic() > deadline:
            raise ClusterError(f"the OpenSearch cluster did not answer within {timeout:.0f} s; the log of "
                               f"{cluster.nodes[0].name} ends: " + cluster.nodes[0].log_tail(6).replace("\n", " | "))
        time.sleep(1.0)


def cluster_up(nodes: int = 2, port: int | None = 9200, *, out: IO[str] | None = None,
               err: IO[str] | None = None, heap_mb: int = DEFAULT_HEAP_MB) -> int:
    """`bgsearch cluster up --nodes N [--port P]`: start the nodes, print the cluster's URL as the last
    line once it answers, run until SIGINT or SIGTERM, stop every node. Returns the exit status (0;
    2 with one line on `err` when the cluster cannot start: Java or Maven missing, a port taken)."""
    out = out or sys.stdout
    err = err or sys.stderr
    stop = threading.Event()
    starting = True

    def interrupted(signum: int, frame: Any) -> None:
        stop.set()
        if starting:  # start_cluster stops the nodes it started
            raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGINT, signal.SIGTERM)}
    cluster: Cluster | None = None
    try:
        try:
            cluster = start_cluster(nodes, port, heap_mb=heap_mb,
                                    progress=lambda message: print(message + "…", file=err, flush=True))
        except ClusterError as exc:
            print(f"bgsearch: {exc}", file=err, flush=True)
            return 2
        except KeyboardInterrupt:
            return 130
        starting = False
        print(f"{nodes} node{'s' if nodes > 1 else ''} on 127.0.0.1; Ctrl-C stops them", file=err, flush=True)
        print(cluster.url, file=out, flush=True)
        while not stop.wait(1.0):
            if not any(node.running for node in cluster.nodes):
                print("bgsearch: every OpenSearch node has exited", file=err, flush=True)
                return 2
        return 0
    finally:
        if cluster is not None:
            cluster.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
