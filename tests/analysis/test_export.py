from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InvalidParameter
from analysis.export import (
    JSON_FORMAT,
    TERMS_CSV_COLUMNS,
    map_from_json,
    terms_csv,
    write_gexf,
    write_graphml,
)
from analysis.render import render_highlighted
from tests.analysis.map_fixtures import corpus_result


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return corpus_result()


def test_gexf_rereads_with_the_same_nodes_and_attributes(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_gexf(result.network, result.layout, tmp_path / "network.gexf")
    graph = nx.read_gexf(path)
    assert set(graph.nodes) == set(result.network.graph.nodes)
    assert graph.number_of_edges() == result.network.graph.number_of_edges()
    node = next(iter(result.network.graph))
    original = result.network.graph.nodes[node]
    read = graph.nodes[node]
    assert read["label"] == original["label"]
    assert int(read["frequency"]) == original["frequency"]
    assert int(read["cluster"]) == original["cluster"]
    assert float(read["weighted_degree"]) == pytest.approx(original["weighted_degree"])
    assert "position" in read["viz"]  # Gephi opens the same layout


def test_graphml_rereads(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_graphml(result.network, result.layout, tmp_path / "network.graphml")
    graph = nx.read_graphml(path)
    assert set(graph.nodes) == set(result.network.graph.nodes)
    v = next(iter(graph))
    assert graph.nodes[v]["x"] == pytest.approx(result.layout.positions[v][0])


def test_terms_csv_columns_and_rows(result) -> None:  # type: ignore[no-untyped-def]
    rows = list(csv.DictReader(io.StringIO(terms_csv(result.terms, result.network))))
    assert tuple(rows[0]) == TERMS_CSV_COLUMNS
    assert len(rows) == len(result.terms)
    first = rows[0]
    assert first["term"] == result.terms[0].label
    assert int(first["frequency"]) == result.terms[0].frequency
    assert int(first["documents"]) == result.terms[0].document_frequency
    assert first["cluster"] != ""
    assert float(first["weighted_degree"]) > 0
    # One normalised label; the written forms merged into it are kept.
    by_key = {r["key"]: r for r in rows}
    assert by_key["medarbejder"]["term"] == "medarbejder"
    assert {"medarbejdere", "medarbejderne"} <= set(by_key["medarbejder"]["variants"].split(" | "))


def test_json_round_trip_redraws_the_map(result) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(result.to_json()))
    assert data["format"] == JSON_FORMAT
    assert data["parameters"]["unit"] == "paragraph"
    assert data["statistics"]["documents"] == result.stats.documents
    assert {c["name"] for c in data["clusters"]} == {c.name for c in result.network.clusters}
    assert all("text" not in d for d in data["documents"])  # no document text in the JSON
    snapshot = map_from_json(json.dumps(data))
    assert set(snapshot.network.graph) == set(result.network.graph)
    assert snapshot.layout.positions.keys() == result.layout.positions.keys()
    assert snapshot.caption == result.caption
    png = render_highlighted(snapshot, ["medarbejdere"])
    assert png.startswith(b"\x89PNG")


def test_map_from_json_rejects_other_data() -> None:
    with pytest.raises(InvalidParameter, match="not in the"):
        map_from_json({"format": "something else"})
    with pytest.raises(InvalidParameter, match="not JSON"):
        map_from_json("{oops")


def test_map_from_json_reads_unset_options_stored_as_null(result) -> None:  # type: ignore[no-untyped-def]
    data = json.loads(json.dumps(result.to_json()))
    data["parameters"] = {**data["parameters"], "threshold": None, "seed": None, "variable": None}
    snapshot = map_from_json(data)
    assert set(snapshot.network.graph) == set(result.network.graph)
    assert snapshot.network.threshold == 0.0


def _networkx_gexf(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_gexf(graph, buffer, version="1.2draft")
    return buffer.getvalue()


def test_gexf_text_is_what_networkx_writes_for_the_map(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from analysis.export import export_graph, gexf_text, write_gexf

    for layout in (result.layout, None):
        graph = export_graph(result.network, layout, viz=True)
        text = gexf_text(graph)
        assert text is not None and text.encode("utf-8") == _networkx_gexf(graph)
    written = write_gexf(result.network, result.layout, tmp_path / "map.gexf")
    assert written.read_bytes() == _networkx_gexf(
        export_graph(result.network, result.layout, viz=True)
    )


_NASTY = st.text(alphabet=st.sampled_from(list("aæ Ø&<>\"'\n\r\t·-_1")), max_size=8)
_VALUES = st.one_of(
    _NASTY,
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


@settings(max_examples=200, deadline=None)
@given(
    nodes=st.dictionaries(
        _NASTY,
        st.dictionaries(
            st.sampled_from(["label", "key", "kind", "x", "score", "flag", "a&b"]),
            _VALUES,
            max_size=4,
        ),
        max_size=6,
    ),
    edges=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 5),
            st.dictionaries(
                st.sampled_from(["weight", "count", "kind", "key"]), _VALUES, max_size=3
            ),
        ),
        max_size=8,
    ),
    viz=st.booleans(),
)
def test_gexf_text_is_what_networkx_writes_for_any_such_graph(
    nodes: dict[str, dict[str, object]], edges: list[tuple[int, int, dict[str, object]]], viz: bool
) -> None:
    from analysis.export import gexf_text

    graph = nx.Graph()
    for name, data in nodes.items():
        graph.add_node(name, **data)
        if viz:
            graph.nodes[name]["viz"] = {
                "position": {"x": 1.5, "y": -2.0, "z": 0.0},
                "size": 3.25,
                "color": {"r": 1, "g": 2, "b": 3, "a": 1.0},
            }
    names = list(nodes)
    for a, b, data in edges:
        if a < len(names) and b < len(names):
            graph.add_edge(names[a], names[b], **data)
    text = gexf_text(graph)
    assert text is not None
    assert text.encode("utf-8") == _networkx_gexf(graph)


def test_gexf_text_leaves_what_it_does_not_cover_to_networkx() -> None:
    from analysis.export import gexf_text

    assert gexf_text(nx.DiGraph([("a", "b")])) is None
    assert gexf_text(nx.Graph([("a", "b", {"label": "x"})])) is None
    graph = nx.Graph()
    graph.add_node("a", values=[1, 2])
    assert gexf_text(graph) is None


def _networkx_graphml(graph: nx.Graph) -> bytes:
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer)
    return buffer.getvalue()


def test_graphml_text_is_what_networkx_writes_for_the_map(result, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from analysis.export import export_graph, graphml_text, write_graphml

    for layout in (result.layout, None):
        graph = export_graph(result.network, layout, viz=False)
        text = graphml_text(graph)
        assert text is not None and text.encode("utf-8") == _networkx_graphml(graph)
    written = write_graphml(result.network, result.layout, tmp_path / "map.graphml")
    expected = _networkx_graphml(export_graph(result.network, result.layout, viz=False))
    assert written.read_bytes() == expected


_ODD = st.text(alphabet=st.sampled_from(list("aæ Ø&<>\"'\n\r\t·_1\x01\x7f\ufffe")), max_size=8)


@settings(max_examples=200, deadline=None)
@given(
    nodes=st.dictionaries(
        _ODD,
        st.dictionaries(
            st.sampled_from(["label", "key", "x", "score", "flag", "a&b"]),
            st.one_of(_ODD, st.integers(-(10**12), 10**12), st.floats(), st.booleans()),
            max_size=4,
        ),
        max_size=6,
    ),
    edges=st.lists(
        st.tuples(
            st.integers(0, 5),
            st.integers(0, 5),
            st.dictionaries(
                st.sampled_from(["weight", "count", "kind"]),
                st.one_of(_ODD, st.integers(), st.floats(), st.booleans()),
                max_size=3,
            ),
        ),
        max_size=8,
    ),
)
def test_graphml_text_is_what_networkx_writes_for_any_such_graph(
    nodes: dict[str, dict[str, object]], edges: list[tuple[int, int, dict[str, object]]]
) -> None:
    from analysis.export import graphml_text

    graph = nx.Graph()
    for name, data in nodes.items():
        graph.add_node(name, **data)
    names = list(nodes)
    for a, b, data in edges:
        if a < len(names) and b < len(names):
            graph.add_edge(names[a], names[b], **data)
    text = graphml_text(graph)
    try:
        expected = _networkx_graphml(graph)
    except ValueError:  # lxml refuses characters XML cannot hold: so must graphml_text
        assert text is None
        return
    if text is not None:
        assert text.encode("utf-8") == expected


def _awkward_graph() -> nx.Graph:
    odd = "a&<>\"'\n\t\r b æ·"
    graph = nx.Graph()
    graph.add_node(odd, label=odd, key=odd, inf=float("inf"), nan=float("nan"), flag=True, n=3)
    graph.add_node("empty", label="", score=0.1)
    graph.add_node("bare")
    graph.add_edge(odd, "empty", weight=1.5, kind=odd)
    graph.add_edge("empty", "bare")
    return graph


def test_xml_texts_escape_as_networkx_does_for_awkward_text() -> None:
    from analysis.export import gexf_text, graphml_text

    graph = _awkward_graph()
    assert (graphml_text(graph) or "").encode("utf-8") == _networkx_graphml(graph)
    assert (gexf_text(graph) or "").encode("utf-8") == _networkx_gexf(graph)


def test_graphml_text_refuses_what_xml_cannot_hold() -> None:
    from analysis.export import graphml_text

    graph = nx.Graph()
    graph.add_node("a", label="bell\x07")
    with pytest.raises(ValueError):
        _networkx_graphml(graph)
    assert graphml_text(graph) is None
