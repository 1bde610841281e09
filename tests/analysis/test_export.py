from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import networkx as nx
import pytest

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
