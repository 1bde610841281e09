"""Rendering the summary: DOCX with pictures, charts, the map revisited on the real corpus,
and the series report."""

from __future__ import annotations

import dataclasses
import io
import json
import struct
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from analysis.summary import build_summary
from analysis.summary.charts import revisited_map_png, summary_charts
from analysis.summary.mapdata import corpus_map_from_json
from analysis.summary.model import CorpusMapData, QuestionRunData
from analysis.summary.render_docx import render_docx
from analysis.summary.series import build_series_report, render_series_markdown
from tests.analysis.summary_fixtures import danish_earlier, danish_workshop, english_workshop


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.fixture(scope="module")
def corpus_network(corpus_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from analysis.pipeline import AnalysisOptions, run_analysis, write_outputs

    result = run_analysis([corpus_dir], options=AnalysisOptions(max_terms=60))
    out = tmp_path_factory.mktemp("map")
    write_outputs(result, out)
    data: dict[str, Any] = json.loads((out / "network.json").read_text(encoding="utf-8"))
    return data


def test_map_revisited_highlights_used_terms_and_names_blind_spots(
    corpus_network: dict[str, Any],
) -> None:
    corpus_map = corpus_map_from_json(corpus_network, name="korpus")
    assert corpus_map.snapshot is not None
    summary = build_summary(danish_workshop(), corpus_map=corpus_map)
    revisited = summary.map
    assert revisited is not None
    all_terms = {t for ts in corpus_map.clusters.values() for t in ts}
    assert revisited.highlighted_terms and set(revisited.highlighted_terms) <= all_terms
    assert "efteruddannelse" in revisited.highlighted_terms
    # Every cluster is either touched or a blind spot, never both.
    assert set(revisited.touched_clusters) | set(revisited.blind_spots) == set(corpus_map.clusters)
    assert not set(revisited.touched_clusters) & set(revisited.blind_spots)
    assert revisited.blind_spots
    for name in revisited.blind_spots:
        assert not set(corpus_map.clusters[name]) & set(revisited.highlighted_terms)
    png = revisited_map_png(corpus_map, revisited, lang="da")
    width, height = png_size(png)
    assert max(width, height) <= 1024  # a card-sized picture


def test_map_without_snapshot_still_drawn() -> None:
    corpus_map = CorpusMapData(
        clusters={"Viden": ("opgave", "viden"), "Strategi": ("strategi", "vision")}
    )
    summary = build_summary(danish_workshop(), corpus_map=corpus_map)
    assert summary.map is not None and summary.map.blind_spots == ("Strategi",)
    assert png_size(revisited_map_png(corpus_map, summary.map, lang="da"))[0] > 100


def test_bad_map_json_is_refused() -> None:
    from analysis.errors import InvalidParameter

    with pytest.raises(InvalidParameter, match="clusters"):
        corpus_map_from_json({"nodes": []}, name="x")


def test_docx_is_editable_with_headings_quotes_and_pictures(corpus_network: dict[str, Any]) -> None:
    corpus_map = corpus_map_from_json(corpus_network)
    data = danish_workshop()
    scale = QuestionRunData(
        "s1",
        "Har du lyst til at lære nye kolleger om det, du har lært?",
        position=5,
        opened_offset=3300,
        closed_offset=3500,
        kind="scale",
        options=(
            "I meget høj grad",
            "I høj grad",
            "I nogen grad",
            "I ringe grad",
            "I meget ringe grad",
        ),
        answers=tuple(
            dataclasses.replace(a, id=f"s-{i}", text=t, offset_seconds=3320 + i)
            for i, (a, t) in enumerate(
                zip(data.questions[2].answers, ["I høj grad", "2", "I nogen grad"], strict=False)
            )
        ),
    )
    data = dataclasses.replace(data, questions=(*data.questions, scale))
    summary = build_summary(data, earlier=[danish_earlier()], corpus_map=corpus_map)
    section = next(q for q in summary.questions if q.question_id == "s1")
    assert dict(section.distribution)["I høj grad"] == 2
    charts = summary_charts(summary, data, corpus_map=corpus_map)
    assert set(charts) == {"timeline", "participation", "map", "scale-s1"}
    for png in charts.values():
        assert png_size(png)[0] > 100
    blob = render_docx(summary, charts=charts)
    doc = Document(io.BytesIO(blob))
    headings = [
        p.text
        for p in doc.paragraphs
        if p.style.name.startswith("Heading") or p.style.name == "Title"
    ]
    for wanted in (
        "Forslag",
        "Tavshed og svære spørgsmål",
        "Nye perspektiver",
        "Deltagelse",
        "Kortet, set igen",
    ):
        assert wanted in headings
    quotes = [p.text for p in doc.paragraphs if p.style.name == "Quote"]
    assert any(q.startswith("00:25:20 Deltager A: Vi skal samle") for q in quotes)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        assert len([n for n in zf.namelist() if n.startswith("word/media/")]) == 4


def test_group_docx_leaves_private_answer_out() -> None:
    summary = build_summary(danish_workshop(), audience="group")
    doc = Document(io.BytesIO(render_docx(summary)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "demotiverende" not in text
    assert "1 private svar (vises ikke)" in text


def test_empty_docx_is_short() -> None:
    data = dataclasses.replace(english_workshop(), questions=())
    doc = Document(io.BytesIO(render_docx(build_summary(data))))
    assert any("No answers came in" in p.text for p in doc.paragraphs)
    assert len(doc.paragraphs) < 10


def test_series_report_tells_which_adjustments_were_made() -> None:
    w1 = danish_earlier()
    w2 = dataclasses.replace(danish_workshop(), changes=("reword q1", "move q0"))
    s1 = build_summary(w1)
    s2 = build_summary(w2, earlier=[w1])
    assert any(a.kind == "reword" and a.question_id == "q1" for a in s1.adjustments)
    report = build_series_report([w1, w2], [s1, s2], lang="da")
    assert report.rows[0].adjustments_made == ("reword q1",)
    assert report.rows[1].plan_changes == ("reword q1", "move q0")
    assert report.rows[1].proposals == len(s2.proposals)
    md = render_series_markdown(report)
    assert "reword q1 ✓" in md
    assert "Serierapport: Transfer" in md


def test_map_with_unset_options_can_still_be_redrawn(corpus_network: dict[str, Any]) -> None:
    data = {**corpus_network, "parameters": {**corpus_network["parameters"], "threshold": None}}
    corpus_map = corpus_map_from_json(data, name="korpus")
    assert corpus_map.snapshot is not None
