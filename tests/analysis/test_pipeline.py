from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import matplotlib.image as mpimg
import networkx as nx
import pytest

from analysis.errors import InvalidParameter, NoUsableDocuments
from analysis.nlp import load_pipeline, stop_words
from analysis.pipeline import (
    OUTPUT_FILES,
    STAGES,
    AnalysisOptions,
    _a_core_is_idle,
    _Forked,
    run_analysis,
    write_outputs,
)
from tests.analysis.map_fixtures import corpus_result, docs


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    out = tmp_path_factory.mktemp("map")
    calls: list[tuple[str, int, int]] = []
    files = write_outputs(corpus_result(), out, progress=lambda *a: calls.append(a))
    return files, calls


def test_end_to_end_on_the_sample_corpus(corpus_dir: Path) -> None:
    result = corpus_result(corpus_dir)
    assert result.stats.documents == 3 and result.stats.skipped == 0
    assert 20_000 < result.stats.words < 35_000
    labels = [t.label for t in result.terms[:20]]
    keys = [t.key for t in result.terms[:20]]
    assert ("kompetenceudvikling",) in keys and ("medarbejder",) in keys and ("leder",) in keys
    assert "medarbejder" in labels  # one base form, not the inflected "medarbejdere"
    stops = stop_words(load_pipeline(lang="da"))
    graph = result.network.graph
    assert not any(part in stops for v in graph for part in v.split())
    assert len(result.network.clusters) >= 2
    covered = [v for c in result.network.clusters for v in c.nodes]
    assert sorted(covered) == sorted(result.network.term_nodes())
    assert set(result.timings) == {"ingest", "language", "terms", "network", "layout"}


def test_writes_every_output_with_the_promised_sizes(written) -> None:  # type: ignore[no-untyped-def]
    files, _ = written
    assert set(files.paths) == set(OUTPUT_FILES)
    for path in files.paths.values():
        assert path.is_file() and path.stat().st_size > 0
    full = mpimg.imread(files.paths["png"])
    assert full.shape[:2] == (1400, 1960)
    card = mpimg.imread(files.paths["card"])
    assert card.shape[0] <= 1024 and card.shape[1] <= 1024
    assert files.paths["card"].stat().st_size < 1_000_000
    graph = nx.read_gexf(files.paths["gexf"])
    assert set(graph) == set(corpus_result().network.graph)
    assert set(files.timings) == {"render", "export"}


def test_progress_reports_every_stage(written) -> None:  # type: ignore[no-untyped-def]
    _, calls = written
    stages = [c[0] for c in calls]
    assert stages[0] == "render" and stages[-1] == "export"
    seen: list[str] = []
    run_analysis(
        docs("Lederen og medarbejderen.\n\nLederen og medarbejderen igen."),
        progress=lambda stage, done, total: seen.append(stage),
    )
    assert [s for s in STAGES if s in seen] == ["ingest", "language", "terms", "network", "layout"]


def test_same_seed_same_layout() -> None:
    base = corpus_result()
    again = run_analysis(base.documents, options=base.options)
    assert again.layout.positions == base.layout.positions
    other = run_analysis(base.documents, options=dataclasses.replace(base.options, seed=7))
    assert other.layout.positions != base.layout.positions


def test_variable_map_from_the_metadata_file(corpus_dir: Path) -> None:
    result = run_analysis(
        corpus_result().documents,
        options=AnalysisOptions(variable="kind", meta=corpus_dir / "metadata.csv"),
    )
    values = {result.network.graph.nodes[v]["label"] for v in result.network.variable_nodes()}
    assert values == {"report", "brochure", "slides"}
    for v in result.network.variable_nodes():
        assert result.network.graph.degree(v) >= 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"max_terms": 0}, "max_terms = 0 is invalid"),
        ({"unit": "bogus"}, "unit = 'bogus' is not valid"),
        ({"weight": "heavy"}, "weight = 'heavy' is not valid"),
        ({"lang": "sv"}, "lang = 'sv' is not supported"),
        ({"seed": -1}, "seed = -1 is invalid"),
    ],
    ids=["max-terms", "unit", "weight", "lang", "seed"],
)
def test_bad_options_fail_with_the_promised_message(
    change: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidParameter, match=message):
        AnalysisOptions(**change)  # type: ignore[arg-type]


def test_no_usable_documents(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(NoUsableDocuments, match="no usable documents"):
        run_analysis([tmp_path])
    with pytest.raises(NoUsableDocuments, match="no term occurs twice"):
        run_analysis(docs("Et ord."))


def test_unknown_variable(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameter, match="variable = 'level' is not in the metadata"):
        run_analysis(docs("Lederen og lederen."), options=AnalysisOptions(variable="level"))


def test_a_map_without_links_fails_with_advice() -> None:
    with pytest.raises(NoUsableDocuments, match="use a smaller unit"):
        run_analysis(
            docs("Lederen og medarbejderen.\n\nLederen og medarbejderen igen."),
            options=AnalysisOptions(unit="document"),
        )


def test_the_full_map_drawn_in_a_child_is_the_one_drawn_here(written, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    files, calls = written
    forked = write_outputs(corpus_result(), tmp_path / "forked", parallel=True)
    for role in ("png", "card", "svg", "gexf", "graphml", "csv"):
        assert forked.paths[role].read_bytes() == files.paths[role].read_bytes(), role
    serial = write_outputs(corpus_result(), tmp_path, parallel=False)
    for role in ("png", "card", "svg", "gexf", "graphml", "csv"):
        assert files.paths[role].read_bytes() == serial.paths[role].read_bytes(), role
    # both stages are reported begun and finished, whatever their overlap
    assert {c for c in calls if c[1] == c[2]} == {("render", 1, 1), ("export", 1, 1)}


def test_a_failed_child_leaves_the_work_to_the_parent(tmp_path: Path) -> None:
    parent = os.getpid()
    done = tmp_path / "done"

    def work() -> None:
        if os.getpid() != parent:
            raise RuntimeError("the child fails")
        done.write_text("here")

    job = _Forked(work)
    assert job._pid  # a child was forked (Linux)
    assert not done.exists()
    job.wait()
    assert done.read_text() == "here"
    # and a child that succeeds leaves nothing to do here
    other = tmp_path / "other"
    _Forked(lambda: other.write_text(str(os.getpid()))).wait()
    assert other.read_text() != str(parent)


@pytest.mark.parametrize(
    ("cores", "load", "idle"),
    [(2, 0.3, True), (2, 1.0, True), (2, 1.6, False), (8, 4.0, True), (1, 0.0, False)],
    ids=["quiet", "one-busy", "busy", "many-cores", "one-core"],
)
def test_the_child_is_forked_only_when_a_core_is_idle(
    monkeypatch: pytest.MonkeyPatch, cores: int, load: float, idle: bool
) -> None:
    monkeypatch.setattr(os, "cpu_count", lambda: cores)
    monkeypatch.setattr(os, "getloadavg", lambda: (load, load, load))
    assert _a_core_is_idle() is idle
