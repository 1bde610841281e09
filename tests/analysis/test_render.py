from __future__ import annotations

import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import matplotlib.image as mpimg
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from analysis.errors import InvalidParameter
from analysis.layout import node_strength
from analysis.render import (
    CARD_MAX_BYTES,
    CARD_MAX_PX,
    _Board,
    _Label,
    cluster_colour,
    label_boxes,
    label_overlaps,
    render,
    render_figure,
    render_highlighted,
    save_figure,
    start_png,
)
from tests.analysis.map_fixtures import corpus_result


def _png_size(data: bytes) -> tuple[int, int]:
    image = mpimg.imread(io.BytesIO(data), format="png")
    return image.shape[1], image.shape[0]


@pytest.fixture(scope="module")
def result():  # type: ignore[no-untyped-def]
    return corpus_result()


def test_full_png_decodes_at_its_size(result) -> None:  # type: ignore[no-untyped-def]
    data = render(result.network, result.layout, size="full", caption=result.caption)
    assert data.startswith(b"\x89PNG")
    assert _png_size(data) == (1960, 1400)


def test_card_png_fits_teams(result) -> None:  # type: ignore[no-untyped-def]
    data = render(result.network, result.layout, size="card", caption=result.caption)
    width, height = _png_size(data)
    assert width <= CARD_MAX_PX and height <= CARD_MAX_PX
    assert len(data) < CARD_MAX_BYTES


def test_svg_is_xml(result) -> None:  # type: ignore[no-untyped-def]
    data = render(result.network, result.layout, fmt="svg")
    root = ET.fromstring(data)
    assert root.tag.endswith("svg")


def _texts(fig, gid: str) -> list:  # type: ignore[no-untyped-def]
    return [t for t in fig.artists if isinstance(t, Text) and t.get_gid() == gid]


def _term_labels(fig) -> list:  # type: ignore[no-untyped-def]
    return _texts(fig, "term-label")


def _cluster_names(fig) -> list:  # type: ignore[no-untyped-def]
    return _texts(fig, "cluster-name")


@pytest.mark.parametrize("size", ["full", "card"])
def test_labels_do_not_overlap_and_top_terms_are_labelled(result, size: str) -> None:  # type: ignore[no-untyped-def]
    fig = render_figure(result.network, result.layout, size=size, caption=result.caption)
    # Overlaps measured from the rendered text extents, names included.
    boxes = label_boxes(fig)
    assert len(boxes) == len(_term_labels(fig)) + len(_cluster_names(fig)) >= 25
    assert label_overlaps(fig) == 0
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    texts = {t.get_text() for t in _term_labels(fig)}
    graph = result.network.graph
    top = sorted(graph, key=lambda v: -node_strength(graph, v))[:5]
    for v in top:
        assert graph.nodes[v]["label"] in texts


def test_card_labels_three_to_five_terms_of_every_cluster_and_names_it(result) -> None:  # type: ignore[no-untyped-def]
    fig = render_figure(result.network, result.layout, size="card", caption=result.caption)
    texts = [t.get_text() for t in _term_labels(fig)]
    names = {t.get_text() for t in _cluster_names(fig)}
    for cluster in result.network.clusters:
        shown = [label for label in cluster.labels if label in texts]
        assert min(3, cluster.size) <= len(shown) <= 5, (cluster.name, shown)
        # written on the map, beside the cluster (a long name shortened with "…")
        assert any(cluster.name.startswith(n.rstrip("…")) for n in names), cluster.name
    assert not fig.legends  # the names are on the map; no legend to decode


def test_full_map_keeps_every_term_and_labels_most(result) -> None:  # type: ignore[no-untyped-def]
    fig = render_figure(result.network, result.layout, size="full")
    nodes = next(c for c in fig.axes[0].collections if c.get_gid() == "nodes")
    assert len(nodes.get_paths()) == result.network.graph.number_of_nodes()
    assert len(_term_labels(fig)) >= 0.6 * len(result.network.term_nodes())


def test_node_outlines_are_the_circles_matplotlib_would_draw(result) -> None:  # type: ignore[no-untyped-def]
    from matplotlib.patches import Circle

    fig = render_figure(result.network, result.layout, size="card")
    nodes = next(c for c in fig.axes[0].collections if c.get_gid() == "nodes")
    placed = [v for v in result.network.graph.nodes if v in result.layout.positions]
    for v, path in zip(placed, nodes.get_paths(), strict=True):
        circle = Circle(result.layout.positions[v], result.layout.radii[v])
        expected = circle.get_transform().transform_path(circle.get_path())
        assert np.array_equal(path.vertices, expected.vertices)
        assert np.array_equal(path.codes, expected.codes)


def test_caption_says_what_the_map_is_made_of(result) -> None:  # type: ignore[no-untyped-def]
    assert "navneord" in result.caption.lower() and "afsnit" in result.caption
    fig = render_figure(result.network, result.layout, size="card", caption=result.caption)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    lines = _texts(fig, "caption")
    assert "navneord" in lines[0].get_text().lower() or "navneord" in lines[-1].get_text().lower()
    assert " ".join(t.get_text() for t in lines).count("klynger") == 1
    for line in lines:
        box = line.get_window_extent(renderer)
        assert box.x0 >= 0 and box.x1 <= fig.bbox.width  # wrapped, not cut off at 1024 px


def test_palette_is_colour_blind_safe() -> None:
    # Okabe & Ito's colours first: the first clusters never meet in red-green confusion.
    assert [cluster_colour(i).upper() for i in range(3)] == ["#0072B2", "#E69F00", "#009E73"]
    assert len({cluster_colour(i) for i in range(16)}) == 16


def test_legend_names_the_clusters(result) -> None:  # type: ignore[no-untyped-def]
    fig = render_figure(result.network, result.layout, size="full")
    legend_texts = [t.get_text() for t in _texts(fig, "legend")]
    assert legend_texts[0] == "Klynger"
    assert any(result.network.clusters[0].name[:20] in t for t in legend_texts)
    # Labels keep clear of the legend.
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    legend = Bbox.union([t.get_window_extent(renderer) for t in _texts(fig, "legend")])
    assert not any(box.overlaps(legend) for box in label_boxes(fig))


def test_highlight_greys_every_other_node(result) -> None:  # type: ignore[no-untyped-def]
    wanted = ["medarbejder", "kompetenceudvikling"]
    fig = render_figure(result.network, result.layout, size="card", highlight=wanted)
    nodes = next(c for c in fig.axes[0].collections if c.get_gid() == "nodes")
    colours = [tuple(round(x, 3) for x in rgba[:3]) for rgba in nodes.get_facecolors()]
    grey = tuple(round(int("d9", 16) / 255, 3) for _ in range(3))
    assert sum(1 for c in colours if c != grey) == 2
    texts = {t.get_text() for t in _term_labels(fig)}
    assert texts == {"medarbejder", "kompetenceudvikling"}
    data = render_highlighted(result, wanted)
    assert _png_size(data)[0] <= CARD_MAX_PX


def test_invalid_size_and_format(result) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidParameter, match="size = 'poster'"):
        render(result.network, result.layout, size="poster")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="fmt = 'gif'"):
        render(result.network, result.layout, fmt="gif")  # type: ignore[arg-type]


def test_rendering_never_imports_pyplot() -> None:
    code = (
        "import sys, networkx as nx\n"
        "from analysis.layout import compute_layout\n"
        "from analysis.network import TermNetwork\n"
        "from analysis.render import render\n"
        "g = nx.path_graph(['a','b','c'])\n"
        "[g.nodes[v].update(label=v, kind='term', cluster=0, weighted_degree=1.0) for v in g]\n"
        "net = TermNetwork(graph=g, clusters=(), weight='count', threshold=1.0, min_cooccurrence=1)\n"
        "render(net, compute_layout(net))\n"
        "print('matplotlib.pyplot' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


@pytest.mark.parametrize("size", ["full", "card"])
def test_measured_label_boxes_are_matplotlibs_own(result, size: str) -> None:  # type: ignore[no-untyped-def]
    # Labels are placed with boxes measured once from FreeType; they must be exactly the
    # boxes matplotlib itself reports for the drawn text, or "no overlap" would be a guess.
    fig = render_figure(result.network, result.layout, size=size, caption=result.caption)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = [t for t in fig.artists if isinstance(t, _Label)]
    assert {t.get_gid() for t in labels} >= {"term-label", "cluster-name", "caption"}
    for label in labels:
        x, y = label.get_transform().transform(label.get_unitless_position())
        measured = label._ink.box(
            x, y, label.get_horizontalalignment(), label.get_verticalalignment()
        )
        drawn = label.get_window_extent(renderer).extents
        assert measured == pytest.approx(tuple(drawn), abs=1e-6), label.get_text()


@pytest.mark.parametrize(
    ("text", "bold", "ha", "va"),
    [
        ("kompetenceudvikling", False, "center", "center"),
        ("Løn og æøå · gj", True, "left", "bottom"),
        ("AMU-målgruppe", False, "right", "top"),
        ("fokusperson, qypj", False, "left", "center"),
    ],
    ids=["plain", "bold-danish", "right-top", "descenders"],
)
def test_a_label_is_drawn_inside_its_measured_box(text: str, bold: bool, ha: str, va: str) -> None:
    # The bitmap the Agg canvas gets is where the box says (within the one pixel that
    # matplotlib's own sub-pixel glyph placement differs by).
    fig = Figure(figsize=(4, 2), dpi=140, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    board = _Board(fig, canvas.get_renderer(), fig.bbox, [])
    x, y = 203.37, 131.6
    ink = board.write(text, x, y, 9.7, ha, va, colour="black", bold=bold)
    canvas.draw()
    pixels = np.asarray(canvas.buffer_rgba())[..., 0]
    rows, cols = np.nonzero(pixels < 250)
    height = pixels.shape[0]
    x0, y0, x1, y1 = ink.box(x, y, ha, va)
    assert cols.min() >= x0 - 1 and cols.max() <= x1 + 1
    # pixel rows count downwards
    assert height - rows.max() - 1 >= y0 - 1 and height - rows.min() <= y1 + 1
    # and it is really drawn: ink spans most of the measured width
    assert cols.max() - cols.min() >= 0.9 * (x1 - x0) - 2


def test_svg_labels_lie_on_the_page_where_the_png_has_them(result) -> None:  # type: ignore[no-untyped-def]
    fig = render_figure(result.network, result.layout, size="full", caption=result.caption)
    png_at = {
        t.get_text(): t.get_transform().transform(t.get_unitless_position())
        for t in _term_labels(fig)
    }
    root = ET.fromstring(save_figure(fig, "svg"))
    _, _, width, height = (float(v) for v in root.attrib["viewBox"].split())
    scale = 72 / fig.dpi
    texts = [e for e in root.iter() if e.tag.endswith("text")]
    assert len(texts) >= len(png_at)
    checked = 0
    for element in texts:
        x, y = float(element.attrib["x"]), float(element.attrib["y"])
        assert 0 <= x <= width and 0 <= y <= height, element.text
        if element.text in png_at:
            px, _ = png_at[element.text]
            assert x == pytest.approx(px * scale, abs=0.5)
            checked += 1
    assert checked >= 0.9 * len(png_at)


def test_svg_writes_cluster_names_as_text_over_a_white_halo(result) -> None:  # type: ignore[no-untyped-def]
    fig = render_figure(result.network, result.layout, size="full", caption=result.caption)
    names = [t.get_text() for t in _texts(fig, "cluster-name")]
    assert names
    root = ET.fromstring(save_figure(fig, "svg"))
    groups = [e for e in root.iter() if e.attrib.get("id") == "cluster-name"]
    assert len(groups) == len(names)
    for group, name in zip(groups, names, strict=True):
        halo, *_ = (e for e in group.iter() if "stroke: #ffffff" in e.attrib.get("style", ""))
        under = [e for e in halo.iter() if e.tag.endswith("text")]
        over = [e for e in group if e.tag.endswith("text")]
        assert [e.text for e in under] == [e.text for e in over] == [name]
        assert "fill: #ffffff" in under[0].attrib["style"]
        assert (under[0].attrib["x"], under[0].attrib["y"]) == (
            over[0].attrib["x"],
            over[0].attrib["y"],
        )
        # text, not glyph outlines
        assert not any(e.tag.endswith("path") for e in group.iter())


def test_the_png_written_here_is_matplotlibs_png(result) -> None:  # type: ignore[no-untyped-def]
    # The PNG is encoded with zlib directly (in a thread); it must decode to the very
    # pixels matplotlib's own savefig writes, with the same size and resolution.
    fig = render_figure(result.network, result.layout, size="card", caption=result.caption)
    started = start_png(fig, size="card")()
    reference = io.BytesIO()
    fig.savefig(reference, format="png", dpi=fig.dpi, facecolor="white")
    assert np.array_equal(
        mpimg.imread(io.BytesIO(started), format="png"),
        mpimg.imread(io.BytesIO(reference.getvalue()), format="png"),
    )
    assert save_figure(fig, "png", size="card") == started
    assert _png_size(started) == (1024, 768)
    assert b"pHYs" in started and b"Matplotlib" in started
