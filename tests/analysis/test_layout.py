from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from analysis.errors import InvalidParameter
from analysis.layout import compute_layout, node_radii, remove_overlaps
from tests.analysis.map_fixtures import corpus_result


def _graph() -> nx.Graph:
    graph = nx.les_miserables_graph()
    for v in graph:
        graph.nodes[v]["weighted_degree"] = float(graph.degree(v, weight="weight"))
    return graph


def test_no_two_nodes_overlap_on_the_corpus_map() -> None:
    layout = corpus_result().layout
    assert layout.min_clearance() >= layout.gap * 0.99


def test_no_two_nodes_overlap_on_a_dense_graph() -> None:
    layout = compute_layout(_graph(), seed=3, max_radius=0.12)
    assert layout.min_clearance() >= layout.gap * 0.99


def test_same_seed_same_layout_and_other_seed_differs() -> None:
    graph = _graph()
    a = compute_layout(graph, seed=11)
    b = compute_layout(graph, seed=11)
    c = compute_layout(graph, seed=12)
    assert a.positions == b.positions
    assert a.positions != c.positions


def test_radius_grows_with_weighted_degree() -> None:
    graph = _graph()
    radii = node_radii(graph, min_radius=0.01, max_radius=0.05)
    hub = max(graph, key=lambda v: graph.nodes[v]["weighted_degree"])
    assert radii[hub] == pytest.approx(0.05)
    assert min(radii.values()) >= 0.01


def test_coincident_points_are_separated() -> None:
    xy = np.zeros((5, 2))
    radii = np.full(5, 0.1)
    out = remove_overlaps(xy, radii, gap=0.01)
    d = np.sqrt(((out[:, None] - out[None]) ** 2).sum(-1))
    np.fill_diagonal(d, np.inf)
    assert d.min() >= 0.21 - 1e-6


def test_tiny_graphs() -> None:
    assert compute_layout(nx.Graph()).positions == {}
    single = nx.Graph()
    single.add_node("a", weighted_degree=0.0)
    assert compute_layout(single).positions == {"a": (0.0, 0.0)}


def test_invalid_options() -> None:
    with pytest.raises(InvalidParameter, match="max_iter = 0"):
        compute_layout(_graph(), max_iter=0)
