"""Turn a stored network map (``network.json`` data) into the summary's :class:`CorpusMapData`."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any

from analysis.errors import InvalidParameter
from analysis.summary.model import CorpusMapData

__all__ = ["corpus_map_from_json"]

log = logging.getLogger(__name__)


def corpus_map_from_json(data: Mapping[str, Any], *, name: str = "") -> CorpusMapData:
    """Read the clusters (and, when possible, a drawable snapshot) of a map's JSON.

    Args:
        data: ``network.json`` as written by ``workshopbot analyze``: ``clusters`` with
            ``name``, ``nodes`` (term keys) and ``labels``.
        name: The map's name.

    Returns:
        The map as the summary needs it.

    Raises:
        InvalidParameter: The data has no clusters list.
    """
    clusters_data = data.get("clusters")
    if not isinstance(clusters_data, list):
        raise InvalidParameter(
            f"the map {name!r} has no 'clusters' list; store the output of `workshopbot analyze`"
        )
    clusters: dict[str, tuple[str, ...]] = {}
    labels: dict[str, str] = {}
    for i, cluster in enumerate(clusters_data):
        if not isinstance(cluster, Mapping):
            continue
        nodes = tuple(str(n) for n in cluster.get("nodes", ()))
        shown = tuple(str(n) for n in cluster.get("labels", nodes))
        labels.update(zip(nodes, shown, strict=False))
        clusters[str(cluster.get("name") or f"#{i + 1}")] = nodes
    snapshot: object | None = None
    if "nodes" in data and "format" in data:
        try:
            snapshot = importlib.import_module("analysis.export").map_from_json(data)
        except (ImportError, AttributeError, InvalidParameter, KeyError, TypeError) as exc:
            log.warning("map %r cannot be redrawn (%s); naming its clusters only", name, exc)
    return CorpusMapData(clusters=clusters, labels=labels, snapshot=snapshot, name=name)
