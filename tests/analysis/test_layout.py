from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from analysis.errors import InvalidParameter
from analysis.layout import compute_layout, forceatlas2, node_radii, remove_overlaps
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


@pytest.mark.parametrize("linlog", [True, False], ids=["linlog", "linear"])
def test_forceatlas2_takes_the_steps_networkx_takes(linlog: bool) -> None:
    # The vectorised ForceAtlas2 computes the same forces and adaptive speed as networkx's.
    graph = _graph()
    nodes = list(graph)
    start = np.random.RandomState(5).rand(len(nodes), 2)
    adjacency = nx.to_numpy_array(graph, nodelist=nodes, weight="weight")
    for steps in (1, 3):
        with np.errstate(divide="ignore", invalid="ignore"):  # networkx divides by d = 0
            theirs = nx.forceatlas2_layout(
                graph,
                pos={v: start[i].copy() for i, v in enumerate(nodes)},
                max_iter=steps,
                weight="weight",
                linlog=linlog,
                scaling_ratio=2.0,
            )
        ours = forceatlas2(
            adjacency, start, max_iter=steps, gravity=1.0, scaling_ratio=2.0, linlog=linlog
        )
        expected = np.array([theirs[v] for v in nodes])
        assert np.allclose(ours, expected, rtol=1e-6, atol=1e-6 * np.abs(expected).max())


def test_forceatlas2_places_two_communities_apart() -> None:
    graph = nx.disjoint_union(nx.complete_graph(8), nx.complete_graph(8))
    graph.add_edge(0, 8)
    adjacency = nx.to_numpy_array(graph, nodelist=list(range(16)))
    xy = forceatlas2(
        adjacency,
        np.random.RandomState(1).rand(16, 2),
        max_iter=300,
        gravity=1.0,
        scaling_ratio=2.0,
        linlog=True,
    )
    d = np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))
    same = d[:8, :8].sum() / 56 + d[8:, 8:].sum() / 56
    assert d[:8, 8:].mean() > 2 * (same / 2)
