"""Stage 7: the map as files other tools read: GEXF (Gephi), GraphML, a CSV of terms, JSON.

Node attributes are made GEXF- and GraphML-safe (str, int, float, bool only). The GEXF
carries the layout and colours as ``viz`` data, so Gephi opens the same picture. The JSON
holds the whole result; :func:`map_from_json` rebuilds a drawable map from it (for a redraw
with highlighted terms long after the analysis ran).
"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from analysis.errors import InvalidParameter
from analysis.escape import csv_writer
from analysis.layout import Layout
from analysis.network import Cluster, TermNetwork
from analysis.render import cluster_colour
from analysis.terms import Term

__all__ = [
    "JSON_FORMAT",
    "TERMS_CSV_COLUMNS",
    "MapSnapshot",
    "export_graph",
    "map_from_json",
    "network_to_json",
    "terms_csv",
    "write_gexf",
    "write_graphml",
    "write_json",
    "write_terms_csv",
]

log = logging.getLogger(__name__)

#: The ``format`` field of network.json.
JSON_FORMAT = "workshopbot-network/1"
#: Columns of terms.csv, in order.
TERMS_CSV_COLUMNS = (
    "term",
    "frequency",
    "documents",
    "cluster",
    "weighted_degree",
    "cluster_name",
    "units",
    "key",
    "score",
    "variants",
)

_SAFE = (str, int, float, bool)


def _safe(value: object) -> str | int | float | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return float(value)
    if value is None:
        return ""
    if isinstance(value, _SAFE):
        return value
    return str(value)


def _hex_rgb(colour: str) -> dict[str, int]:
    value = colour.lstrip("#")
    return {"r": int(value[0:2], 16), "g": int(value[2:4], 16), "b": int(value[4:6], 16)}


def export_graph(network: TermNetwork, layout: Layout | None, *, viz: bool) -> nx.Graph:
    """A copy of the network with only GEXF/GraphML-safe attributes.

    Args:
        network: The network.
        layout: Positions to store as ``x``/``y`` attributes (and ``viz`` for GEXF).
        viz: Add GEXF ``viz`` data (position, size, colour).

    Returns:
        A new graph; node ids are strings.
    """
    out = nx.Graph()
    for v, data in network.graph.nodes(data=True):
        attrs: dict[str, Any] = {k: _safe(val) for k, val in data.items()}
        if layout is not None and v in layout.positions:
            x, y = layout.positions[v]
            attrs["x"] = float(x)
            attrs["y"] = float(y)
            attrs["radius"] = float(layout.radii.get(v, 0.0))
            if viz:
                cluster = int(data.get("cluster", -1))
                colour = "#333333" if data.get("kind") == "variable" else cluster_colour(cluster)
                attrs["viz"] = {
                    "position": {"x": float(x) * 1000.0, "y": float(y) * 1000.0, "z": 0.0},
                    "size": float(layout.radii.get(v, 0.01)) * 1000.0,
                    "color": {**_hex_rgb(colour), "a": 1.0},
                }
        out.add_node(str(v), **attrs)
    for u, v, data in network.graph.edges(data=True):
        out.add_edge(str(u), str(v), **{k: _safe(val) for k, val in data.items()})
    return out


def write_gexf(network: TermNetwork, layout: Layout | None, path: Path) -> Path:
    """Write the network as GEXF 1.2 (opens in Gephi with layout and colours)."""
    nx.write_gexf(export_graph(network, layout, viz=True), path, version="1.2draft")
    return path


def write_graphml(network: TermNetwork, layout: Layout | None, path: Path) -> Path:
    """Write the network as GraphML (positions as ``x``/``y`` node attributes)."""
    nx.write_graphml(export_graph(network, layout, viz=False), path)
    return path


def terms_csv(terms: Sequence[Term], network: TermNetwork) -> str:
    """The terms as CSV text: term, frequency, documents, cluster, weighted_degree, ….

    Terms left out of the network (no co-occurrence) have an empty cluster and weighted
    degree 0. ``variants`` lists the written forms merged into the term (``" | "``-separated,
    most frequent first): the label is one normalised form, the variants show what was read.
    """
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\n")  # formula-like cells neutralised
    writer.writerow(TERMS_CSV_COLUMNS)
    graph = network.graph
    for term in terms:
        node = term.key_text
        data = graph.nodes[node] if node in graph else {}
        cluster = data.get("cluster", "")
        writer.writerow(
            [
                term.label,
                term.frequency,
                term.document_frequency,
                cluster,
                round(float(data.get("weighted_degree", 0.0)), 4),
                data.get("cluster_name", ""),
                term.unit_frequency,
                node,
                round(term.score, 4),
                " | ".join(term.variants),
            ]
        )
    return buffer.getvalue()


def write_terms_csv(terms: Sequence[Term], network: TermNetwork, path: Path) -> Path:
    """Write :func:`terms_csv` to ``path`` (UTF-8 with BOM, so Excel reads æøå)."""
    path.write_text(terms_csv(terms, network), encoding="utf-8-sig")
    return path


def network_to_json(
    network: TermNetwork,
    layout: Layout,
    *,
    terms: Sequence[Term] = (),
    parameters: Mapping[str, Any] | None = None,
    statistics: Mapping[str, Any] | None = None,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The whole map as JSON-ready data.

    Args:
        network: The network.
        layout: Its layout.
        terms: The ranked terms.
        parameters: The options the map was made with.
        statistics: Corpus and map statistics.
        extra: More top-level fields (documents, skipped files, timings, caption, …).

    Returns:
        A dict with ``format``, ``parameters``, ``statistics``, ``clusters``, ``nodes``,
        ``edges``, ``terms`` and whatever ``extra`` adds.
    """
    graph = network.graph
    nodes = []
    for v, attrs in graph.nodes(data=True):
        entry: dict[str, Any] = {"id": v, **{k: _safe(val) for k, val in attrs.items()}}
        x, y = layout.positions.get(v, (0.0, 0.0))
        entry["x"], entry["y"] = round(float(x), 6), round(float(y), 6)
        entry["radius"] = round(float(layout.radii.get(v, 0.0)), 6)
        nodes.append(entry)
    edges = [
        {"source": u, "target": v, **{k: _safe(val) for k, val in data.items()}}
        for u, v, data in graph.edges(data=True)
    ]
    clusters = [
        {
            "id": c.id,
            "name": c.name,
            "size": c.size,
            "nodes": list(c.nodes),
            "labels": list(c.labels),
            "colour": cluster_colour(c.id),
        }
        for c in network.clusters
    ]
    result: dict[str, Any] = {
        "format": JSON_FORMAT,
        "parameters": {**dict(parameters or {}), **network.parameters},
        "statistics": dict(statistics or {}),
        "clusters": clusters,
        "nodes": nodes,
        "edges": edges,
        "terms": [
            {
                "label": t.label,
                "key": list(t.key),
                "frequency": t.frequency,
                "documents": t.document_frequency,
                "units": t.unit_frequency,
                "score": round(t.score, 4),
                "variants": list(t.variants),
            }
            for t in terms
        ],
        "layout": {"seed": layout.seed, "gap": layout.gap},
        "dropped_terms": list(network.dropped_terms),
    }
    result.update(extra or {})
    return result


def write_json(data: Mapping[str, Any], path: Path) -> Path:
    """Write JSON data as UTF-8 (æøå kept as they are)."""
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


@dataclass(frozen=True)
class MapSnapshot:
    """A drawable map rebuilt from network.json (see :func:`map_from_json`)."""

    network: TermNetwork
    layout: Layout
    caption: str
    lang: str = "da"


def map_from_json(data: Mapping[str, Any] | str | bytes) -> MapSnapshot:
    """Rebuild the network, layout and caption from network.json data.

    ``analysis.render.render_highlighted(map_from_json(data), terms)`` redraws a stored map.

    Args:
        data: The parsed JSON, or its text.

    Returns:
        The snapshot.

    Raises:
        InvalidParameter: The data is not a workshopbot network JSON.
    """
    if isinstance(data, str | bytes):
        try:
            parsed: Any = json.loads(data)
        except json.JSONDecodeError as exc:
            raise InvalidParameter(f"the map data is not JSON: {exc}") from exc
    else:
        parsed = data
    if not isinstance(parsed, Mapping) or parsed.get("format") != JSON_FORMAT:
        raise InvalidParameter(f"the map data is not in the {JSON_FORMAT!r} format")
    graph = nx.Graph()
    positions: dict[str, tuple[float, float]] = {}
    radii: dict[str, float] = {}
    for node in parsed["nodes"]:
        attrs = {k: v for k, v in node.items() if k not in ("id", "x", "y", "radius")}
        graph.add_node(node["id"], **attrs)
        positions[node["id"]] = (float(node["x"]), float(node["y"]))
        radii[node["id"]] = float(node["radius"])
    for edge in parsed["edges"]:
        attrs = {k: v for k, v in edge.items() if k not in ("source", "target")}
        graph.add_edge(edge["source"], edge["target"], **attrs)
    clusters = tuple(
        Cluster(
            id=int(c["id"]), name=str(c["name"]), nodes=tuple(c["nodes"]), labels=tuple(c["labels"])
        )
        for c in parsed["clusters"]
    )
    # Options that were not set are stored as null: read them as absent.
    parameters = {k: v for k, v in dict(parsed.get("parameters") or {}).items() if v is not None}
    network = TermNetwork(
        graph=graph,
        clusters=clusters,
        weight=parameters.get("weight", "count"),
        threshold=float(parameters.get("threshold", 0.0)),
        min_cooccurrence=int(parameters.get("min_cooccurrence", 1)),
        variable=parameters.get("variable"),
        dropped_terms=tuple(parsed.get("dropped_terms", ())),
        modularity=float(parsed.get("statistics", {}).get("modularity", 0.0)),
        seed=int(parameters.get("seed", 0)),
        parameters=parameters,
    )
    layout_info = parsed.get("layout", {})
    layout = Layout(
        positions=positions,
        radii=radii,
        seed=int(layout_info.get("seed", 0)),
        gap=float(layout_info.get("gap", 0.0)),
    )
    return MapSnapshot(
        network=network,
        layout=layout,
        caption=str(parsed.get("caption", "")),
        lang=str(parameters.get("lang", "da")),
    )
