"""bgsearch on an OpenSearch cluster: local nodes with the bgsearch plugin (`nodes`), and an index
on a cluster searched with bgsearch's own query understanding and snippets (`index`).

Needs the optional extra `bgsearch[cluster]` (opensearch-py); starting local nodes needs Java 17 and
Maven and a checkout of the repository (lucene/)."""

from __future__ import annotations

from .errors import ClusterError, ClusterUnavailableError
from .nodes import Cluster, cluster_up, missing_tools, start_cluster

__all__ = ["Cluster", "ClusterError", "ClusterUnavailableError", "cluster_up", "missing_tools", "start_cluster"]
