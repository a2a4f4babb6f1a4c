"""The cluster's errors, in bgsearch's one family (`bgsearch.BgsearchError`): one line each."""

from __future__ import annotations

from ..errors import BgsearchError

__all__ = ["ClusterError", "ClusterUnavailableError"]


class ClusterError(BgsearchError):
    """A local cluster cannot be started or used (Java or Maven missing, a port taken, a node that
    died), or the cluster refused a request."""


class ClusterUnavailableError(ClusterError):
    """No node at the cluster's URL answers."""
