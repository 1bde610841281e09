"""Stage 4: the co-occurrence network of terms, its clusters and an optional variable map.

Co-occurrence counts come from one sparse product of the binary term × unit matrix with its
transpose; no Python loop over pairs. Edges are weighted by raw count, association strength
(VOSviewer: ``2m · c_ij / (s_i · s_j)``, observed over expected co-occurrences) or Jaccard.
Communities come from networkx's Leiden method (networkx's Leiden needs a backend that is
not installed), seeded, and each cluster is named by its most characteristic terms.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import networkx as nx
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from analysis.errors import InvalidParameter
from analysis.terms import TermTable

__all__ = [
    "WEIGHTS",
    "Cluster",
    "TermNetwork",
    "Weight",
    "build_network",
    "cooccurrence",
    "edge_weights",
]

log = logging.getLogger(__name__)

Weight = Literal["count", "association", "jaccard"]
WEIGHTS: tuple[Weight, ...] = ("count", "association", "jaccard")

#: By default the map keeps about this many edges per node (the strongest ones).
DEFAULT_EDGES_PER_NODE = 3.0
#: Separator between the terms of a cluster name.
NAME_SEPARATOR = " · "
#: Fewest terms in a cluster; smaller groups join their most strongly linked neighbour.
MIN_CLUSTER_SIZE = 4
#: Terms in a cluster's name.
NAME_TERMS = 2


@dataclass(frozen=True)
class Cluster:
    """One community of terms.

    Attributes:
        id: 0 for the largest cluster, 1 for the next, …
        name: Its two or three most characteristic terms, e.g. ``"leder · medarbejder"``.
        nodes: Its node ids, most characteristic first.
        labels: The labels of ``nodes``.
    """

    id: int
    name: str
    nodes: tuple[str, ...]
    labels: tuple[str, ...]

    @property
    def size(self) -> int:
        return len(self.nodes)


@dataclass
class TermNetwork:
    """The map's graph and what describes it.

    Attributes:
        graph: Nodes are term keys (lemmas joined by spaces) or ``"variable:<name>=<value>"``;
            node attributes ``label``, ``key``, ``kind`` (``"term"``/``"variable"``),
            ``frequency``, ``documents``, ``units``, ``weighted_degree``, ``cluster``,
            ``cluster_name``, ``variable``; edge attributes ``weight``, ``count``, ``kind``.
        clusters: The clusters, largest first; every term node is in exactly one.
        weight: How edges are weighted.
        threshold: The lowest weight an edge needed (besides each node's strongest edge).
        min_cooccurrence: The fewest shared units an edge needed.
        variable: The metadata variable mapped as extra nodes, if any.
        dropped_terms: Labels of terms left out because they share no unit with another term.
        modularity: Modularity of the clustering on the term graph.
    """

    graph: nx.Graph
    clusters: tuple[Cluster, ...]
    weight: Weight
    threshold: float
    min_cooccurrence: int
    variable: str | None = None
    dropped_terms: tuple[str, ...] = ()
    modularity: float = 0.0
    seed: int = 0
    parameters: dict[str, object] = field(default_factory=dict)

    def term_nodes(self) -> list[str]:
        return [n for n, kind in self.graph.nodes(data="kind") if kind == "term"]

    def variable_nodes(self) -> list[str]:
        return [n for n, kind in self.graph.nodes(data="kind") if kind == "variable"]


def cooccurrence(matrix: sp.csr_matrix) -> sp.csr_matrix:
    """Units shared by every pair of terms: ``B @ B.T`` for the binary term × unit matrix ``B``.

    Args:
        matrix: Terms × units (any non-negative counts).

    Returns:
        A symmetric terms × terms matrix of shared-unit counts; the diagonal holds each
        term's unit frequency.

    >>> m = sp.csr_matrix(np.array([[1, 2, 0], [1, 0, 1], [0, 0, 3]]))
    >>> cooccurrence(m).toarray().tolist()
    [[2, 1, 0], [1, 2, 1], [0, 1, 1]]
    """
    binary = sp.csr_matrix(matrix, copy=True)
    binary.data = np.ones_like(binary.data, dtype=np.int64)
    binary.sum_duplicates()
    binary.data[:] = 1
    return sp.csr_matrix(binary @ binary.T)


def edge_weights(
    counts: sp.coo_matrix,
    unit_frequency: npt.NDArray[np.float64],
    *,
    weight: Weight,
) -> npt.NDArray[np.float64]:
    """Weights of the off-diagonal co-occurrence entries.

    Args:
        counts: Off-diagonal co-occurrence counts (both triangles, as from
            :func:`cooccurrence` with the diagonal removed).
        unit_frequency: Units per term (the diagonal of :func:`cooccurrence`).
        weight: ``"count"`` (shared units), ``"association"`` (VOSviewer association
            strength, scaled so that 1 is what independence predicts) or ``"jaccard"``.

    Returns:
        One weight per entry of ``counts``, in its order.
    """
    c: npt.NDArray[np.float64] = np.asarray(counts.data, dtype=np.float64)
    if weight == "count":
        return c
    i, j = counts.row, counts.col
    if weight == "jaccard":
        union = unit_frequency[i] + unit_frequency[j] - c
        jaccard: npt.NDArray[np.float64] = c / np.maximum(union, 1.0)
        return jaccard
    if weight == "association":
        totals = np.bincount(i, weights=c, minlength=unit_frequency.shape[0])
        m = c.sum() / 2.0
        strength: npt.NDArray[np.float64] = 2.0 * m * c / np.maximum(totals[i] * totals[j], 1e-12)
        return strength
    raise InvalidParameter(f"weight = {weight!r} is not valid; use one of {', '.join(WEIGHTS)}")


def _select_edges(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    n: int,
    *,
    threshold: float | None,
    edges_per_node: float,
) -> tuple[npt.NDArray[np.bool_], float]:
    """Which upper-triangle edges to keep, and the lowest weight kept.

    With a ``threshold``, every edge at least that heavy. Without one, each node's
    ``edges_per_node`` strongest edges (a k-nearest-neighbour backbone: every term keeps its
    closest links, and hubs do not take every edge of a global cut).
    """
    if weights.size == 0:
        return np.zeros(0, dtype=bool), 0.0
    if threshold is not None:
        keep = weights >= threshold
    else:
        k = max(1, math.ceil(edges_per_node))
        ends = np.concatenate([rows, cols])
        edge = np.concatenate([np.arange(weights.size), np.arange(weights.size)])
        both = np.concatenate([weights, weights])
        order = np.lexsort((edge, -both, ends))  # by node, then heaviest first
        sorted_ends = ends[order]
        starts = np.flatnonzero(np.r_[True, sorted_ends[1:] != sorted_ends[:-1]])
        group_start = np.repeat(starts, np.diff(np.r_[starts, order.size]))
        rank = np.arange(order.size) - group_start
        keep = np.zeros(weights.size, dtype=bool)
        keep[edge[order[rank < k]]] = True
    applied = float(weights[keep].min()) if keep.any() else 0.0
    return keep, applied


def _bridge_small_components(
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    weights: npt.NDArray[np.float64],
    keep: npt.NDArray[np.bool_],
    n: int,
    *,
    min_size: int,
) -> npt.NDArray[np.bool_]:
    """Link each component smaller than ``min_size`` to the rest by its strongest edge.

    The strongest-links backbone can leave a handful of terms that only link among
    themselves (an island on the map); when any of them co-occurs with a term outside, the
    heaviest such edge is kept too.
    """
    if min_size <= 1 or not keep.any():
        return keep
    keep = keep.copy()
    for _ in range(3):
        graph = nx.Graph()
        graph.add_nodes_from(set(rows[keep].tolist()) | set(cols[keep].tolist()))
        graph.add_edges_from(zip(rows[keep].tolist(), cols[keep].tolist(), strict=True))
        small = [c for c in nx.connected_components(graph) if len(c) < min_size]
        if not small:
            break
        changed = False
        for component in small:
            inside = np.isin(rows, list(component))
            other = np.isin(cols, list(component))
            crossing = np.flatnonzero((inside ^ other) & ~keep)
            if crossing.size:
                keep[crossing[np.argmax(weights[crossing])]] = True
                changed = True
        if not changed:
            break
    return keep


def _leiden(graph: nx.Graph, *, seed: int, resolution: float) -> list[set[str]]:
    """Leiden communities (leidenalg): well connected, unlike Leiden's, and seeded."""
    import igraph as ig
    import leidenalg

    nodes = list(graph.nodes)
    index = {v: i for i, v in enumerate(nodes)}
    edges = [(index[a], index[b]) for a, b in graph.edges]
    g = ig.Graph(n=len(nodes), edges=edges)
    weights = [float(w) for _, _, w in graph.edges(data="weight")]
    partition = leidenalg.find_partition(
        g,
        leidenalg.RBConfigurationVertexPartition,
        weights=weights if edges else None,
        resolution_parameter=resolution,
        n_iterations=-1,
        seed=seed,
    )
    return [{nodes[i] for i in community} for community in partition if community]


def _merge_small(graph: nx.Graph, communities: list[set[str]], *, min_size: int) -> list[set[str]]:
    """Join communities under ``min_size`` to the neighbour they share most weight with.

    The smallest go first, one at a time; a community with no link outside stays.
    """
    groups = [set(c) for c in communities]
    while True:
        small = sorted(
            (i for i, c in enumerate(groups) if len(c) < min_size), key=lambda i: len(groups[i])
        )
        merged = False
        for i in small:
            where = {v: k for k, c in enumerate(groups) for v in c}
            links: dict[int, float] = {}
            for v in groups[i]:
                for _, u, w in graph.edges(v, data="weight"):
                    k = where[u]
                    if k != i:
                        links[k] = links.get(k, 0.0) + float(w)
            if links:
                target = max(sorted(links), key=lambda k: links[k])
                groups[target] |= groups[i]
                groups[i] = set()
                merged = True
                break
        groups = [c for c in groups if c]
        if not merged:
            return groups


def _name_clusters(
    graph: nx.Graph, communities: Sequence[set[str]]
) -> tuple[list[list[str]], list[str]]:
    """Order each community's nodes by how characteristic they are, and name it."""
    ordered: list[list[str]] = []
    names: list[str] = []
    for members in communities:

        def characteristic(node: str, members: set[str] = members) -> tuple[float, str]:
            total = 0.0
            inside = 0.0
            for _, other, w in graph.edges(node, data="weight"):
                total += w
                if other in members:
                    inside += w
            share = inside / total if total else 0.0
            return (-(inside * share), node)

        nodes = sorted(members, key=characteristic)
        ordered.append(nodes)
        # The name: the most specific (by the terms' own specificity score) of the cluster's
        # most characteristic terms, those with the most link weight inside it.
        own = [v for v in nodes if -characteristic(v)[0] > 0] or nodes
        core = sorted(
            own[: max(NAME_TERMS * 3, 6)],
            key=lambda v: (-float(graph.nodes[v].get("score", 0.0)), v),
        )
        names.append(NAME_SEPARATOR.join(graph.nodes[v]["label"] for v in core[:NAME_TERMS]))
    return ordered, names


def _add_variable(
    graph: nx.Graph,
    table: TermTable,
    binary: sp.csr_matrix,
    node_ids: Sequence[str],
    variable: str,
    *,
    min_count: int,
    min_lift: float,
    max_links: int,
    link_weight: float,
) -> None:
    """Add one node per value of ``variable``, linked to terms over-represented under it."""
    doc_values = [str(d.metadata.get(variable, "")).strip() for d in table.documents]
    if not any(doc_values):
        names = sorted({k for d in table.documents for k in d.metadata})
        available = ", ".join(names) if names else "none (give a --meta file)"
        raise InvalidParameter(
            f"variable = {variable!r} is not in the documents' metadata; available: {available}"
        )
    values = sorted({v for v in doc_values if v})
    unit_value = np.asarray([doc_values[d] for d in table.unit_documents.tolist()], dtype=object)
    n_units = binary.shape[1]
    term_units = np.asarray(binary.sum(axis=1)).ravel().astype(np.float64)
    for value in values:
        mask = unit_value == value
        n_value = int(mask.sum())
        if n_value == 0:
            continue
        in_value = np.asarray(binary[:, np.flatnonzero(mask)].sum(axis=1)).ravel()
        expected = term_units * (n_value / max(n_units, 1))
        with np.errstate(divide="ignore", invalid="ignore"):
            lift = np.where(expected > 0, in_value / expected, 0.0)
        # A value that covers most units cannot reach a high lift: ask half the way to
        # the highest lift possible for it.
        share = n_value / max(n_units, 1)
        needed = min(min_lift, 1.0 + 0.5 * (1.0 / share - 1.0)) if share < 1 else min_lift
        candidates = np.flatnonzero((in_value >= min_count) & (lift >= needed) & (lift > 1.0))
        best = candidates[np.argsort(-lift[candidates], kind="stable")][:max_links]
        node = f"variable:{variable}={value}"
        n_docs = sum(1 for v in doc_values if v == value)
        graph.add_node(
            node,
            label=value,
            key=f"{variable}={value}",
            kind="variable",
            variable=variable,
            frequency=n_value,
            documents=n_docs,
            units=n_value,
            cluster=-1,
            cluster_name="",
        )
        for row in best.tolist():
            graph.add_edge(
                node,
                node_ids[row],
                weight=float(link_weight * min(float(lift[row]), 4.0) / 4.0 + link_weight / 4),
                count=int(in_value[row]),
                kind="variable",
                lift=float(lift[row]),
            )


def build_network(
    table: TermTable,
    *,
    weight: Weight = "association",
    min_cooccurrence: int = 2,
    threshold: float | None = None,
    edges_per_node: float = DEFAULT_EDGES_PER_NODE,
    seed: int = 42,
    resolution: float = 1.0,
    min_cluster_size: int = MIN_CLUSTER_SIZE,
    variable: str | None = None,
    variable_min_count: int = 3,
    variable_min_lift: float = 1.5,
    variable_max_links: int = 12,
) -> TermNetwork:
    """Build the term co-occurrence network with clusters.

    Args:
        table: Terms and their term × unit matrix (from :func:`analysis.terms.extract_term_table`).
        weight: Edge weight: ``"association"`` (default: VOSviewer's association strength,
            so two frequent words do not take every link), ``"count"`` (raw shared units:
            frequent words become hubs) or ``"jaccard"``.
        min_cooccurrence: Fewest units two terms must share to be linked.
        threshold: Lowest edge weight kept; ``None`` picks the weight that keeps about
            ``edges_per_node`` edges per node (a readable map). Each node also keeps its
            strongest edge.
        edges_per_node: See ``threshold``.
        seed: Seed for Leiden community detection.
        resolution: Leiden resolution (higher: more, smaller clusters).
        min_cluster_size: Clusters smaller than this join the neighbouring cluster they are
            most strongly linked to (a component that small is first linked to the rest
            by its strongest co-occurrence, when it has one).
        variable: A metadata variable whose values become extra nodes (a variable map).
        variable_min_count: Fewest units under a value for a term to be linked to it.
        variable_min_lift: Least over-representation (observed / expected units).
        variable_max_links: Most terms linked to one value.

    Returns:
        The network. Terms that share no unit with any other term are dropped (listed in
        ``dropped_terms``).

    Raises:
        InvalidParameter: An option is out of range, or ``variable`` is not in the metadata.
    """
    if weight not in WEIGHTS:
        raise InvalidParameter(f"weight = {weight!r} is not valid; use one of {', '.join(WEIGHTS)}")
    if min_cooccurrence < 1:
        raise InvalidParameter(f"min_cooccurrence = {min_cooccurrence} is invalid; it must be >= 1")
    if edges_per_node <= 0:
        raise InvalidParameter(f"edges_per_node = {edges_per_node} is invalid; it must be > 0")
    if threshold is not None and (math.isnan(threshold) or threshold < 0):
        raise InvalidParameter(f"threshold = {threshold} is invalid; it must be >= 0")
    if resolution <= 0:
        raise InvalidParameter(f"resolution = {resolution} is invalid; it must be > 0")
    if min_cluster_size < 1:
        raise InvalidParameter(f"min_cluster_size = {min_cluster_size} is invalid; it must be >= 1")

    terms = table.terms
    n = len(terms)
    co = cooccurrence(table.matrix)
    unit_frequency = co.diagonal().astype(np.float64)
    off = sp.coo_matrix(co - sp.diags(co.diagonal(), dtype=co.dtype))
    off.eliminate_zeros()
    all_weights = edge_weights(off, unit_frequency, weight=weight)
    upper = (off.row < off.col) & (off.data >= min_cooccurrence)
    rows = off.row[upper].astype(np.int64)
    cols = off.col[upper].astype(np.int64)
    counts = off.data[upper].astype(np.int64)
    weights = all_weights[upper]
    keep, applied = _select_edges(
        rows, cols, weights, n, threshold=threshold, edges_per_node=edges_per_node
    )
    if threshold is None:  # an explicit threshold is the user's cut: no edge below it
        keep = _bridge_small_components(rows, cols, weights, keep, n, min_size=min_cluster_size)
    rows, cols, counts, weights = rows[keep], cols[keep], counts[keep], weights[keep]

    node_ids = [t.key_text for t in terms]
    graph = nx.Graph()
    linked = np.zeros(n, dtype=bool)
    linked[rows] = True
    linked[cols] = True
    for i, term in enumerate(terms):
        if not linked[i]:
            continue
        graph.add_node(
            node_ids[i],
            label=term.label,
            key=term.key_text,
            kind="term",
            variable="",
            frequency=term.frequency,
            documents=term.document_frequency,
            units=term.unit_frequency,
            score=round(term.score, 4),
        )
    graph.add_edges_from(
        (node_ids[r], node_ids[c], {"weight": float(w), "count": int(k), "kind": "term"})
        for r, c, w, k in zip(
            rows.tolist(), cols.tolist(), weights.tolist(), counts.tolist(), strict=True
        )
    )
    dropped = tuple(terms[i].label for i in range(n) if not linked[i])
    if dropped:
        log.info("left out %d terms that share no unit with another term", len(dropped))

    clusters: tuple[Cluster, ...] = ()
    modularity = 0.0
    if graph.number_of_nodes():
        communities = _leiden(graph, seed=seed, resolution=resolution)
        communities = _merge_small(graph, communities, min_size=min_cluster_size)
        # Biggest themes first (by occurrences of their terms): they get the first colours
        # and the first places in lists. Association weights would put a small tight group
        # of rare terms first.
        use = {v: float(graph.nodes[v].get("frequency", 1)) for v in graph}
        communities = sorted(communities, key=lambda c: (-sum(use[v] for v in c), min(c)))
        modularity = float(nx.community.modularity(graph, communities, weight="weight"))
        ordered, names = _name_clusters(graph, communities)
        clusters = tuple(
            Cluster(
                id=k,
                name=names[k],
                nodes=tuple(nodes),
                labels=tuple(graph.nodes[v]["label"] for v in nodes),
            )
            for k, nodes in enumerate(ordered)
        )
        for cluster in clusters:
            for v in cluster.nodes:
                graph.nodes[v]["cluster"] = cluster.id
                graph.nodes[v]["cluster_name"] = cluster.name

    if variable is not None:
        binary = sp.csr_matrix(table.matrix, copy=True)
        binary.data[:] = 1.0
        in_graph = [i for i in range(n) if linked[i]]
        median = float(np.median(weights)) if weights.size else 1.0
        _add_variable(
            graph,
            table,
            binary[in_graph],
            [node_ids[i] for i in in_graph],
            variable,
            min_count=variable_min_count,
            min_lift=variable_min_lift,
            max_links=variable_max_links,
            link_weight=median,
        )

    for v, degree in graph.degree(weight="weight"):
        graph.nodes[v]["weighted_degree"] = float(degree)
    return TermNetwork(
        graph=graph,
        clusters=clusters,
        weight=weight,
        threshold=float(applied),
        min_cooccurrence=min_cooccurrence,
        variable=variable,
        dropped_terms=dropped,
        modularity=modularity,
        seed=seed,
        parameters={
            "weight": weight,
            "min_cooccurrence": min_cooccurrence,
            "threshold": float(applied),
            "edges_per_node": edges_per_node,
            "seed": seed,
            "resolution": resolution,
            "min_cluster_size": min_cluster_size,
            "variable": variable,
            "variable_min_count": variable_min_count,
            "variable_min_lift": variable_min_lift,
            "variable_max_links": variable_max_links,
        },
    )
