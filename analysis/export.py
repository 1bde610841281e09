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
import re
import time
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
    graph = export_graph(network, layout, viz=True)
    text = gexf_text(graph)
    if text is None:  # something networkx writes that gexf_text does not
        nx.write_gexf(graph, path, version="1.2draft")
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


#: GEXF attribute types by Python type, as networkx's writer names them.
_GEXF_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
#: Node and edge keys networkx's writer turns into XML attributes or elements of their own.
_GEXF_NODE_SPECIAL = frozenset({"id", "pid", "start", "end", "parents", "spells", "slices"})
_GEXF_EDGE_SPECIAL = _GEXF_NODE_SPECIAL | {"label", "type", "viz"}
_GEXF_FLOATS = {"inf": "INF", "nan": "NaN", "-inf": "-INF"}


def _xml_attr(text: str) -> str:
    """An XML attribute value escaped as ElementTree escapes it: as character data, and
    quotes, line feeds and tabs too."""
    text = _xml_text(text)
    if '"' in text:
        text = text.replace('"', "&quot;")
    if "\n" in text:
        text = text.replace("\n", "&#10;")
    if "\t" in text:
        text = text.replace("\t", "&#09;")
    return text


def gexf_text(graph: nx.Graph) -> str | None:
    """The GEXF 1.2 file ``nx.write_gexf(graph, version="1.2draft")`` writes, as text.

    Written as lines of text instead of an ElementTree that networkx builds, indents and
    serialises node by node (three times slower). Only what :func:`export_graph` makes is
    covered: an undirected simple graph whose attributes are strings, numbers and booleans
    (and a node's ``viz`` colour, size and position); for anything else it returns ``None``
    and the caller lets networkx write the file. A test holds the bytes to networkx's.
    """
    if graph.is_directed() or graph.is_multigraph() or graph.graph:
        return None
    ids = iter(range(1 << 62))
    declared: dict[str, dict[str, str]] = {"node": {}, "edge": {}}
    declarations: dict[str, list[str]] = {"node": [], "edge": []}

    def attvalues(kind: str, data: dict[str, Any], indent: str) -> list[str] | None:
        lines = [f"{indent}<attvalues>"]
        for key, value in data.items():
            xml_type = _GEXF_TYPES.get(type(value))
            if xml_type is None:
                return None
            title = "networkx_key" if key == "key" else str(key)
            attr_id = declared[kind].get(title)
            if attr_id is None:
                attr_id = declared[kind][title] = str(next(ids))
                declarations[kind].append(
                    f'      <attribute id="{attr_id}" title="{_xml_attr(title)}" '
                    f'type="{xml_type}" />'
                )
            if isinstance(value, bool):
                shown = str(value).lower()
            else:
                shown = str(value)
                if isinstance(value, float):
                    shown = _GEXF_FLOATS.get(shown, shown)
            lines.append(f'{indent}  <attvalue for="{attr_id}" value="{_xml_attr(shown)}" />')
        lines.append(f"{indent}</attvalues>")
        return lines

    viz_used = False
    nodes: list[str] = []
    for node, data in graph.nodes(data=True):
        if not _GEXF_NODE_SPECIAL.isdisjoint(data):
            return None
        rest = dict(data)
        label = str(rest.pop("label", node))
        children: list[str] = []
        viz = rest.pop("viz", False)
        if viz:
            if not isinstance(viz, dict) or not {"color", "size", "position"}.issuperset(viz):
                return None
            viz_used = True
            colour, size, position = viz.get("color"), viz.get("size"), viz.get("position")
            if colour is not None:
                r, g, b, a = (
                    _xml_attr(str(v))
                    for v in (
                        colour.get("r"),
                        colour.get("g"),
                        colour.get("b"),
                        colour.get("a", 1.0),
                    )
                )
                children.append(f'        <viz:color r="{r}" g="{g}" b="{b}" a="{a}" />')
            if size is not None:
                children.append(f'        <viz:size value="{_xml_attr(str(size))}" />')
            if position is not None:
                x, y, z = (_xml_attr(str(position.get(k))) for k in "xyz")
                children.append(f'        <viz:position x="{x}" y="{y}" z="{z}" />')
        if rest:
            values = attvalues("node", rest, "        ")
            if values is None:
                return None
            children += values
        head = f'      <node id="{_xml_attr(str(node))}" label="{_xml_attr(label)}"'
        if children:
            nodes += [head + ">", *children, "      </node>"]
        else:
            nodes.append(head + " />")
    edges: list[str] = []
    for number, (u, v, data) in enumerate(graph.edges(data=True)):
        if not _GEXF_EDGE_SPECIAL.isdisjoint(data):
            return None
        rest = dict(data)
        head = (
            f'      <edge source="{_xml_attr(str(u))}" target="{_xml_attr(str(v))}" id="{number}"'
        )
        if "weight" in rest:
            head += f' weight="{_xml_attr(str(rest.pop("weight")))}"'
        if rest:
            values = attvalues("edge", rest, "        ")
            if values is None:
                return None
            edges += [head + ">", *values, "      </edge>"]
        else:
            edges.append(head + " />")

    lines = [
        "<?xml version='1.0' encoding='utf-8'?>",
        "<gexf"
        + (' xmlns:viz="http://www.gexf.net/1.2draft/viz"' if viz_used else "")
        + ' xmlns="http://www.gexf.net/1.2draft" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
        'xsi:schemaLocation="http://www.gexf.net/1.2draft '
        'http://www.gexf.net/1.2draft/gexf.xsd" version="1.2">',
        f'  <meta lastmodifieddate="{time.strftime("%Y-%m-%d")}">',
        f"    <creator>NetworkX {nx.__version__}</creator>",
        "  </meta>",
        '  <graph defaultedgetype="undirected" mode="static" name="">',
    ]
    # networkx puts each class's declarations first when it meets the class: edges' first.
    for kind in ("edge", "node"):
        if declarations[kind]:
            lines.append(f'    <attributes mode="static" class="{kind}">')
            lines += declarations[kind]
            lines.append("    </attributes>")
    for name, items in (("nodes", nodes), ("edges", edges)):
        lines += [f"    <{name}>", *items, f"    </{name}>"] if items else [f"    <{name} />"]
    lines += ["  </graph>", "</gexf>", ""]
    return "\n".join(lines)


def write_graphml(network: TermNetwork, layout: Layout | None, path: Path) -> Path:
    """Write the network as GraphML (positions as ``x``/``y`` node attributes)."""
    graph = export_graph(network, layout, viz=False)
    text = graphml_text(graph)
    if text is None:  # something networkx writes that graphml_text does not
        nx.write_graphml(graph, path)
    else:
        path.write_bytes(text.encode("utf-8"))
    return path


#: GraphML attribute types by Python type, as networkx's writer names them.
_GRAPHML_TYPES: dict[type, str] = {bool: "boolean", int: "long", float: "double", str: "string"}
#: Characters XML 1.0 does not allow (lxml refuses them: networkx then raises).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """XML character data escaped as lxml escapes it."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _lxml_attr(text: str) -> str:
    """An XML attribute value escaped as lxml escapes it."""
    return _xml_attr(text).replace("&#09;", "&#9;")


def graphml_text(graph: nx.Graph) -> str | None:
    """The GraphML file ``nx.write_graphml(graph)`` writes (with lxml), as text.

    Like :func:`gexf_text`: lines of text instead of networkx's element-by-element writer,
    for an undirected simple graph with string, number and boolean attributes; ``None`` for
    anything else (or text XML cannot hold), and the caller lets networkx write the file.
    A test holds the bytes to networkx's.
    """
    if graph.is_directed() or graph.is_multigraph() or graph.graph:
        return None
    keys: dict[tuple[str, str, str], str] = {}
    declared: list[str] = []

    def key_of(name: str, value: object, scope: str) -> str | None:
        xml_type = _GRAPHML_TYPES.get(type(value))
        if xml_type is None:
            return None
        found = keys.get((name, xml_type, scope))
        if found is None:
            found = keys[(name, xml_type, scope)] = f"d{len(keys)}"
            declared.append(
                f'<key id="{found}" for="{scope}" attr.name="{_lxml_attr(name)}" '
                f'attr.type="{xml_type}"/>'
            )
        return found

    # Keys are declared before anything is written: every node's, then every edge's.
    for scope, items in (("node", graph.nodes(data=True)), ("edge", graph.edges(data=True))):
        for *_, data in items:
            for name, value in data.items():
                if key_of(str(name), value, scope) is None:
                    return None
    body: list[str] = []

    def element(head: str, tag: str, data: dict[str, Any], scope: str) -> None:
        if not data:
            body.append(head + "/>\n")
            return
        body.append(head + ">\n")
        for name, value in data.items():
            key = keys[(str(name), _GRAPHML_TYPES[type(value)], scope)]
            body.append(f'  <data key="{key}">{_xml_text(str(value))}</data>\n')
        body.append(f"</{tag}>\n")

    for node, data in graph.nodes(data=True):
        element(f'<node id="{_lxml_attr(str(node))}"', "node", data, "node")
    for u, v, data in graph.edges(data=True):
        head = f'<edge source="{_lxml_attr(str(u))}" target="{_lxml_attr(str(v))}"'
        element(head, "edge", data, "edge")
    text = "".join(
        [
            "<?xml version='1.0' encoding='utf-8'?>\n"
            '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
            'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
            'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">',
            *(line + "\n" for line in reversed(declared)),  # networkx inserts each first
            '<graph edgedefault="undirected">',
            *body,
            "</graph></graphml>",
        ]
    )
    return None if _NOT_XML.search(text) else text


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
