from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from analysis.errors import InvalidParameter
from analysis.network import build_network, cooccurrence, edge_weights
from analysis.nlp import load_pipeline
from analysis.terms import extract_term_table
from tests.analysis.map_fixtures import corpus_result, docs

# Two topics that never meet, each in its own paragraphs.
_SCHOOL = "Eleverne og lærerne i skolen. Skolen har lærere og elever. Lærerne underviser eleverne."
_HOSPITAL = "Patienterne og lægerne på hospitalet. Hospitalet har læger og patienter."
_TWO_TOPICS = "\n\n".join([_SCHOOL, _HOSPITAL] * 6)


@pytest.fixture(scope="module")
def two_topic_table():  # type: ignore[no-untyped-def]
    return extract_term_table(docs(_TWO_TOPICS), nlp=load_pipeline(lang="da"), max_terms=20)


def test_cooccurrence_equals_brute_force() -> None:
    rng = np.random.default_rng(7)
    dense = rng.integers(0, 3, size=(12, 40)) * (rng.random((12, 40)) < 0.3)
    got = cooccurrence(sp.csr_matrix(dense)).toarray()
    binary = (dense > 0).astype(int)
    expected = np.array(
        [[int((binary[i] & binary[j]).sum()) for j in range(12)] for i in range(12)]
    )
    assert (got == expected).all()


def test_edge_weights_are_symmetric_and_bounded() -> None:
    rng = np.random.default_rng(3)
    dense = (rng.random((10, 30)) < 0.4).astype(int)
    co = cooccurrence(sp.csr_matrix(dense))
    freq = co.diagonal().astype(float)
    off = sp.coo_matrix(co - sp.diags(co.diagonal(), dtype=co.dtype))
    off.eliminate_zeros()
    for weight in ("count", "association", "jaccard"):
        w = edge_weights(off, freq, weight=weight)  # type: ignore[arg-type]
        m = sp.coo_matrix((w, (off.row, off.col)), shape=co.shape).toarray()
        assert np.allclose(m, m.T), weight
        assert (w > 0).all()
    jac = edge_weights(off, freq, weight="jaccard")
    assert (jac <= 1.0).all()


def test_two_topics_become_two_clusters_covering_every_node(two_topic_table) -> None:  # type: ignore[no-untyped-def]
    network = build_network(two_topic_table, seed=1)
    graph = network.graph
    assert len(network.clusters) >= 2
    members = [v for c in network.clusters for v in c.nodes]
    assert sorted(members) == sorted(graph.nodes)  # every node in exactly one cluster
    cluster_of = {v: graph.nodes[v]["cluster"] for v in graph}
    assert cluster_of["elev"] == cluster_of["lærer"] == cluster_of["skole"]
    assert cluster_of["patient"] == cluster_of["læge"] == cluster_of["hospital"]
    assert cluster_of["elev"] != cluster_of["patient"]
    for cluster in network.clusters:
        assert 1 <= len(cluster.name.split(" · ")) <= 3
        assert cluster.labels[0] in cluster.name


def test_node_attributes(two_topic_table) -> None:  # type: ignore[no-untyped-def]
    network = build_network(two_topic_table)
    for v, data in network.graph.nodes(data=True):
        assert data["kind"] == "term"
        assert data["frequency"] >= 2
        assert data["documents"] == 1
        wd = sum(w for _, _, w in network.graph.edges(v, data="weight"))
        assert data["weighted_degree"] == pytest.approx(wd)


def test_same_seed_same_clusters() -> None:
    table = corpus_result().table
    a = build_network(table, seed=5)
    b = build_network(table, seed=5)
    assert [c.nodes for c in a.clusters] == [c.nodes for c in b.clusters]


@pytest.mark.parametrize("weight", ["count", "association", "jaccard"])
def test_explicit_threshold_keeps_only_heavier_edges(weight: str) -> None:
    table = corpus_result().table
    default = build_network(table, weight=weight)  # type: ignore[arg-type]
    weights = sorted(w for _, _, w in default.graph.edges(data="weight"))
    cut = weights[len(weights) // 2]
    network = build_network(table, weight=weight, threshold=cut)  # type: ignore[arg-type]
    assert all(w >= cut for _, _, w in network.graph.edges(data="weight"))
    assert network.threshold >= cut


def test_default_map_is_readable() -> None:
    network = corpus_result().network
    n = len(network.term_nodes())
    assert 100 <= n <= 150
    assert network.graph.number_of_edges() <= 6 * n  # a few links per term, not a hairball


def test_variable_map_links_values_to_over_represented_terms() -> None:
    a = "\n\n".join(["Lærerne og eleverne i skolen."] * 5 + ["Lederen og medarbejderne."] * 5)
    b = "\n\n".join(
        ["Lægerne og patienterne på hospitalet."] * 5 + ["Lederen og medarbejderne."] * 5
    )
    table = extract_term_table(
        docs(a, b, metadata=[{"level": "Akademi"}, {"level": "Diplom"}]),
        nlp=load_pipeline(lang="da"),
    )
    network = build_network(table, variable="level", variable_min_count=2)
    graph = network.graph
    values = network.variable_nodes()
    assert sorted(graph.nodes[v]["label"] for v in values) == ["Akademi", "Diplom"]
    akademi = "variable:level=Akademi"
    assert graph.nodes[akademi]["kind"] == "variable"
    linked = set(graph.neighbors(akademi))
    assert {"lærer", "elev", "skole"} <= linked
    assert "patient" not in linked and "leder" not in linked


def test_unknown_variable_names_the_available_ones(two_topic_table) -> None:  # type: ignore[no-untyped-def]
    table = corpus_result().table
    with pytest.raises(InvalidParameter, match=r"'levle'.*available: kind, publisher, title, year"):
        build_network(table, variable="levle")


def test_invalid_weight_names_the_choices(two_topic_table) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidParameter, match=r"weight = 'bogus'.*count, association, jaccard"):
        build_network(two_topic_table, weight="bogus")  # type: ignore[arg-type]


def test_default_links_are_association_and_no_two_words_take_the_links() -> None:
    # Raw counts made "medarbejdere" and "lederen" touch 49 % of all links; association
    # strength (the default) must keep the two biggest hubs under a quarter.
    network = corpus_result().network
    assert network.weight == "association"
    graph = network.graph
    terms = set(network.term_nodes())
    edges = [(a, b) for a, b in graph.edges if a in terms and b in terms]
    hubs = set(sorted(terms, key=lambda v: (-graph.degree(v), v))[:2])
    share = sum(1 for a, b in edges if a in hubs or b in hubs) / len(edges)
    assert share <= 0.25, (hubs, share)


def test_leiden_clusters_are_connected_and_not_micro() -> None:
    import networkx as nx

    network = corpus_result().network
    graph = network.graph
    assert len(network.clusters) >= 3
    for cluster in network.clusters:
        assert cluster.size >= 4, cluster.name
        assert nx.is_connected(graph.subgraph(cluster.nodes)), cluster.name
        assert cluster.name  # named by its terms
        assert all(part in cluster.labels for part in cluster.name.split(" · "))


def test_small_groups_merge_into_their_neighbour(two_topic_table) -> None:  # type: ignore[no-untyped-def]
    small = build_network(two_topic_table, seed=1, min_cluster_size=1, resolution=3.0)
    merged = build_network(two_topic_table, seed=1, min_cluster_size=4, resolution=3.0)
    assert len(merged.clusters) <= len(small.clusters)
    graph = merged.graph
    for cluster in merged.clusters:  # a small group stays only when it links to no other
        if cluster.size < 4:
            outside = [u for v in cluster.nodes for u in graph[v] if u not in cluster.nodes]
            assert not outside, cluster.name
    covered = sorted(v for c in merged.clusters for v in c.nodes)
    assert covered == sorted(merged.graph.nodes)
    with pytest.raises(InvalidParameter, match="min_cluster_size = 0"):
        build_network(two_topic_table, min_cluster_size=0)
