"""Stage 6: draw the map with matplotlib's object API (``Figure``, never ``pyplot``).

Node area follows weighted degree (the circles have the layout's radii, in data units, so
the layout's no-overlap guarantee holds in the picture), colour follows cluster in a
colour-blind-safe palette (Okabe & Ito, then Paul Tol's "muted"), each cluster's name is
written on the map beside the cluster, the strongest three to five terms of every cluster
are labelled (every term that fits on the full map), labels are placed greedily where
their rendered text overlaps no other label or name, edges are light, and a caption says
what the map is made of.

Every text (labels, names, legend, caption) is measured once from FreeType the way the Agg
renderer measures it, so its box is the one ``Text.get_window_extent`` reports, and drawn
on the Agg canvas from the bitmap made while measuring (matplotlib 3.11 would lay out and
rasterise it glyph by glyph in Python on every draw); an SVG gets it as text.

The same function redraws the map with some terms highlighted and the rest greyed
(``highlight=...``), for "the map, revisited" in a workshop summary.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import struct
import threading
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib import patheffects, rc_context
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg, get_hinting_flag
from matplotlib.collections import LineCollection, PatchCollection, PathCollection
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, fontManager, get_font
from matplotlib.patches import Circle, FancyBboxPatch, Rectangle
from matplotlib.path import Path
from matplotlib.text import Text
from matplotlib.transforms import Bbox, BboxBase

from analysis.errors import InvalidParameter
from analysis.layout import Layout, node_strength
from analysis.network import TermNetwork

__all__ = [
    "CARD_MAX_BYTES",
    "CARD_MAX_PX",
    "SIZES",
    "Format",
    "MapLike",
    "Size",
    "cluster_colour",
    "label_boxes",
    "label_overlaps",
    "render",
    "render_figure",
    "render_highlighted",
    "save_figure",
    "start_png",
]

log = logging.getLogger(__name__)

Size = Literal["full", "card"]
Format = Literal["png", "svg"]
SIZES: tuple[Size, ...] = ("full", "card")

#: Teams cards: at most this many pixels on each side …
CARD_MAX_PX = 1024
#: … and under this many bytes.
CARD_MAX_BYTES = 1_000_000

#: Colour-blind-safe: Okabe & Ito's seven colours (no black), then Paul Tol's "muted" set.
_PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#D55E00",
    "#56B4E9",
    "#CC79A7",
    "#F0E442",
    "#332288",
    "#117733",
    "#882255",
    "#DDCC77",
    "#44AA99",
    "#AA4499",
    "#999933",
    "#CC6677",
    "#88CCEE",
)
_GREY = "#d9d9d9"
_VARIABLE = "#333333"


@dataclass(frozen=True)
class _Spec:
    width_in: float
    height_in: float
    dpi: int
    max_labels: int
    min_font: float
    max_font: float
    legend_entries: int
    map_width: float
    name_chars: int
    per_cluster: int
    name_font: float
    legend: bool


_SPECS: dict[Size, _Spec] = {
    # The full map labels every term that fits and keeps a legend.
    "full": _Spec(14.0, 10.0, 140, 2000, 6.5, 15.0, 12, 0.72, 46, 2000, 13.0, True),
    # The card: 1024 × 768 px, names on the map instead of a legend, 3–5 terms a cluster.
    "card": _Spec(8.0, 6.0, 128, 60, 7.5, 11.0, 0, 0.98, 40, 5, 10.0, False),
}

#: Labels a card shows of every cluster before any cluster gets more.
_CARD_MIN_PER_CLUSTER = 3
#: ``gid`` of the texts the label placer draws (see :func:`label_boxes`).
_TERM_GID = "term-label"
_NAME_GID = "cluster-name"
_LEGEND_GID = "legend"
#: ``gid`` of the collection of node circles (and squares).
_NODES_GID = "nodes"


#: The few words the picture itself shows, per language.
_TEXTS: dict[str, dict[str, str]] = {
    "da": {
        "clusters": "Klynger",
        "more": "+ {n} mindre klynger",
        "highlighted": "fremhævet ({hits} af {total} termer)",
        "others": "øvrige termer",
        "empty": "ingen termer at vise",
    },
    "en": {
        "clusters": "Clusters",
        "more": "+ {n} smaller clusters",
        "highlighted": "highlighted ({hits} of {total} terms)",
        "others": "other terms",
        "empty": "no terms to show",
    },
}


class MapLike(Protocol):
    """Anything with a network, its layout and a caption (an ``AnalysisResult``)."""

    @property
    def network(self) -> TermNetwork: ...

    @property
    def layout(self) -> Layout: ...

    @property
    def caption(self) -> str: ...

    @property
    def lang(self) -> str: ...


def cluster_colour(cluster: int) -> str:
    """The colour of a cluster id (grey for -1 and for ids past the palette)."""
    if 0 <= cluster < len(_PALETTE):
        return _PALETTE[cluster]
    return "#9e9e9e"


def _matches(graph_node: str, data: dict[str, object], wanted: set[str]) -> bool:
    label = str(data.get("label", "")).lower()
    return graph_node.lower() in wanted or label in wanted


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def render_figure(
    network: TermNetwork,
    layout: Layout,
    *,
    size: Size = "full",
    caption: str = "",
    title: str | None = None,
    highlight: Collection[str] | None = None,
    max_labels: int | None = None,
    lang: str = "da",
) -> Figure:
    """Draw the map as a matplotlib ``Figure``.

    Args:
        network: The network.
        layout: Its layout (positions and radii).
        size: ``"full"`` (large, for files) or ``"card"`` (at most 1024 px a side).
        caption: A line of corpus statistics under the map.
        title: A title above the map, if any.
        highlight: Terms (labels or keys, any case) to show in colour; every other node is
            greyed. ``None`` draws the normal map.
        max_labels: Most term labels drawn (default: 70 full, 30 card).
        lang: Language of the legend (``"da"`` or ``"en"``).

    Returns:
        The figure, with an Agg canvas attached.

    Raises:
        InvalidParameter: ``size`` is not valid.
    """
    if size not in _SPECS:
        raise InvalidParameter(f"size = {size!r} is not valid; use one of {', '.join(SIZES)}")
    spec = _SPECS[size]
    words = _TEXTS.get(lang, _TEXTS["en"])
    graph = network.graph
    wanted = {h.strip().lower() for h in highlight} if highlight is not None else None
    fig = Figure(figsize=(spec.width_in, spec.height_in), dpi=spec.dpi, facecolor="white")
    canvas = FigureCanvasAgg(fig)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    board = _Board(fig, renderer, fig.bbox, [])
    caption_lines = _wrap_caption(board, caption, spec.min_font + 1) if caption else []
    bottom = (0.035 + 0.025 * (len(caption_lines) - 1)) if caption else 0.02
    top = 0.93 if title else 0.99
    ax = fig.add_axes((0.01, bottom, spec.map_width, top - bottom))
    ax.set_axis_off()
    if title:
        board.write(
            title, 0.5 * fig.bbox.width, 0.965 * fig.bbox.height, spec.max_font, "center", "center"
        )
    y = 0.008 * fig.bbox.height
    for line in reversed(caption_lines):  # from the bottom up, 1.3 lines apart
        ink = board.write(
            line, 0.5 * fig.bbox.width, y, spec.min_font + 1, "center", "bottom", colour="#555"
        )
        y += 1.3 * ink.height

    nodes = [v for v in graph.nodes if v in layout.positions]
    if not nodes:
        ax.text(0.5, 0.5, words["empty"], ha="center", va="center", transform=ax.transAxes)
        return fig
    pos = layout.positions
    radii = layout.radii
    is_hit = {v: (wanted is None) or _matches(v, graph.nodes[v], wanted) for v in nodes}

    # Edges: light, width by weight on a log scale.
    edges = [(u, v, float(w)) for u, v, w in graph.edges(data="weight", default=1.0)]
    if edges:
        weights = np.array([w for _, _, w in edges])
        w_min = max(float(weights.min()), 1e-12)
        widths = 0.3 + 1.4 * np.log1p(weights / w_min) / max(np.log1p(weights.max() / w_min), 1e-9)
        segments = [(pos[u], pos[v]) for u, v, _ in edges]
        colours = [
            ("#9a9a9a" if (is_hit[u] and is_hit[v]) else "#e6e6e6")
            if wanted is not None
            else "#b0b0b0"
            for u, v, _ in edges
        ]
        alpha = 0.45 if wanted is None else 0.6
        ax.add_collection(
            LineCollection(segments, linewidths=widths, colors=colours, alpha=alpha, zorder=1)
        )

    # Nodes: circles in data units (the layout's radii), squares for variable values. The
    # outlines are made here, as the vertices a Circle patch would give (the unit circle
    # scaled by the radius and moved to the centre: the same numbers), without a patch
    # object per node.
    outlines: list[Path] = []
    faces: list[str] = []
    unit = Path.unit_circle()
    unit_xy = np.asarray(unit.vertices, dtype=np.float64)
    for v in nodes:
        data = graph.nodes[v]
        x, y = pos[v]
        r = radii[v]
        if data.get("kind") == "variable":
            side = r * math.sqrt(math.pi)  # same area as the circle
            square = Rectangle((x - side / 2, y - side / 2), side, side)
            outlines.append(square.get_transform().transform_path(square.get_path()))
            faces.append(_VARIABLE if is_hit[v] else _GREY)
        else:
            outlines.append(Path(unit_xy * r + np.array((x, y)), unit.codes))
            faces.append(cluster_colour(int(data.get("cluster", -1))) if is_hit[v] else _GREY)
    node_outlines = PathCollection(
        outlines, facecolors=faces, edgecolors="white", linewidths=0.6, alpha=0.92, zorder=2
    )
    node_outlines.set_gid(_NODES_GID)
    ax.add_collection(node_outlines)
    xs = np.array([pos[v][0] for v in nodes])
    ys = np.array([pos[v][1] for v in nodes])
    rs = np.array([radii[v] for v in nodes])
    margin = 0.04
    x0, x1 = float((xs - rs).min()) - margin, float((xs + rs).max()) + margin
    y0, y1 = float((ys - rs).min()) - margin, float((ys + rs).max()) + margin
    # Equal scales: the data range (not the axes) grows to the frame's shape, so the room
    # beside a round map holds cluster names and labels instead of white bands.
    frame_w = spec.map_width * spec.width_in
    frame_h = (top - bottom) * spec.height_in
    if (x1 - x0) / (y1 - y0) < frame_w / frame_h:
        extra = (y1 - y0) * frame_w / frame_h - (x1 - x0)
        x0, x1 = x0 - extra / 2, x1 + extra / 2
    else:
        extra = (x1 - x0) * frame_h / frame_w - (y1 - y0)
        y0, y1 = y0 - extra / 2, y1 + extra / 2
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)

    # Legend: the largest clusters by name (or what is highlighted).
    entries: list[tuple[str | None, str]] = []
    if wanted is None and spec.legend:
        entries = [
            (cluster_colour(c.id), f"{_shorten(c.name, spec.name_chars)} ({c.size})")
            for c in network.clusters[: spec.legend_entries]
        ]
        hidden = len(network.clusters) - spec.legend_entries
        if hidden > 0:
            entries.append((None, words["more"].format(n=hidden)))
    elif wanted is not None:
        hits = sum(1 for v in nodes if is_hit[v])
        entries = [
            ("#1f77b4", words["highlighted"].format(hits=hits, total=len(nodes))),
            (_GREY, words["others"]),
        ]
    if entries:
        # Labels keep clear of the legend.
        board.block(
            _legend(
                board,
                entries,
                title=words["clusters"] if wanted is None else None,
                size=spec.min_font + 0.5,
                title_size=spec.min_font + 1.5,
                anchor=(spec.map_width + 0.02, 0.5) if spec.legend else (0.99, 0.07),
                loc="center left" if spec.legend else "lower right",
            )
        )

    # Cluster names first (on the map, beside their cluster), then term labels: variable
    # values, highlighted terms, then every cluster's strongest terms in turn.
    ax.apply_aspect()  # the equal aspect narrows the axes: place labels in the final frame
    board.frame = ax.get_window_extent(renderer=renderer).extents
    degree = {v: node_strength(graph, v) for v in nodes}  # as the circles are sized
    top_degree = max(degree.values()) or 1.0
    limit = spec.max_labels if max_labels is None else max_labels

    def font_of(v: str) -> float:
        return spec.min_font + (spec.max_font - spec.min_font) * math.sqrt(degree[v] / top_degree)

    variables = [v for v in nodes if graph.nodes[v].get("kind") == "variable"]
    terms = [v for v in nodes if graph.nodes[v].get("kind") != "variable"]
    if wanted is not None:
        ordered = sorted((v for v in terms if is_hit[v]), key=lambda v: (-degree[v], v))
    else:
        ordered = _label_order(network, terms, degree, spec)
    ordered = ordered[:limit]
    items = [
        (str(graph.nodes[v].get("label", v)), *pos[v], radii[v], font_of(v), "#111111", True)
        for v in sorted(variables, key=lambda v: (-degree[v], v))
    ]
    items += [
        (str(graph.nodes[v].get("label", v)), *pos[v], radii[v], font_of(v), "#222222", False)
        for v in ordered
    ]
    # The card's labels get a white halo over the edges; the full map has room and many
    # more labels and keeps them plain.
    halo = size == "card"
    names: dict[int, _Label] = {}
    if wanted is None:
        names = _place_cluster_names(board, ax, network, layout, spec)
    shown = _place_labels(board, ax, items, halo=halo)
    if wanted is not None:
        return fig
    # A cluster whose name took the room of its own labels: move the name out of the way,
    # label its strongest terms, then write the name again where room is left.
    texts = {t.get_text() for t in shown}
    for cluster in network.clusters:
        need = min(_CARD_MIN_PER_CLUSTER, cluster.size)
        members = sorted((v for v in cluster.nodes if v in pos), key=lambda v: (-degree[v], v))[
            : spec.per_cluster
        ]
        labelled = [v for v in members if str(graph.nodes[v].get("label", v)) in texts]
        if len(labelled) >= need or cluster.id not in names:
            continue
        board.remove(names.pop(cluster.id))
        missing = [v for v in members if v not in labelled][: need - len(labelled)]
        more = [
            (str(graph.nodes[v].get("label", v)), *pos[v], radii[v], font_of(v), "#222222", False)
            for v in missing
        ]
        _place_labels(board, ax, more, halo=halo, rings=3)
        _place_cluster_names(board, ax, network, layout, spec, only={cluster.id})
    return fig


def _wrap_caption(board: _Board, caption: str, size: float) -> list[str]:
    """The caption's lines: broken after its first part (what the map is made of) when too
    wide for the figure."""
    width = board.measure(caption, size, False).width
    if width <= 0.96 * board.fig.bbox.width or " · " not in caption:
        return [caption]
    head, _, rest = caption.partition(" · ")
    return [head, rest]


def _legend(
    board: _Board,
    entries: Sequence[tuple[str | None, str]],
    *,
    title: str | None,
    size: float,
    title_size: float,
    anchor: tuple[float, float],
    loc: Literal["center left", "lower right"],
) -> Bbox:
    """Draw a legend (a marker of each colour and its text, in a light frame) and return its
    box in pixels. Drawn from measured labels like the map's own, with matplotlib's legend
    proportions (font-size units: padding 0.4, rows 0.5 apart, marker column 2.0, 0.8 to the
    text); ``anchor`` in figure fractions."""
    fig = board.fig
    dpi = float(fig.dpi)
    em = size * dpi / 72
    pad, gap, handle, text_pad = 0.4 * em, 0.5 * em, 2.0 * em, 0.8 * em
    inks = [board.measure(text, size, False) for _, text in entries]
    heading = board.measure(title, title_size, False) if title else None
    row = max(ink.height for ink in inks)
    width = handle + text_pad + max(ink.width for ink in inks)
    height = len(entries) * row + (len(entries) - 1) * gap
    if heading is not None:
        width = max(width, heading.width)
        height += heading.height + gap
    w, h = width + 2 * pad, height + 2 * pad
    x, y = anchor[0] * fig.bbox.width, anchor[1] * fig.bbox.height
    x0, y0 = (x, y - h / 2) if loc == "center left" else (x - w, y)
    fig.add_artist(
        FancyBboxPatch(
            (x0 / dpi, y0 / dpi),
            w / dpi,
            h / dpi,
            boxstyle=f"round,pad=0,rounding_size={0.2 * em / dpi}",
            transform=fig.dpi_scale_trans,
            facecolor="white",
            edgecolor="#cccccc",
            alpha=0.85,
            zorder=5,
        )
    )
    top = y0 + h - pad
    if heading is not None and title:
        board.write(title, x0 + w / 2, top, title_size, "center", "top", gid=_LEGEND_GID)
        top -= heading.height + gap
    markers: list[Circle] = []
    colours: list[str] = []
    for (colour, text), ink in zip(entries, inks, strict=True):
        middle = top - row / 2
        if colour is not None:
            markers.append(Circle(((x0 + pad + handle / 2) / dpi, middle / dpi), 4 / 72))
            colours.append(colour)
        board.write(
            text, x0 + pad + handle + text_pad, middle, size, "left", "center", gid=_LEGEND_GID
        )
        top -= ink.height + gap
    if markers:
        fig.add_artist(
            PatchCollection(
                markers,
                facecolors=colours,
                edgecolors="white",
                linewidths=0.8,
                transform=fig.dpi_scale_trans,
                zorder=5.5,
            )
        )
    return Bbox.from_extents(x0, y0, x0 + w, y0 + h)


def _label_order(
    network: TermNetwork, terms: Sequence[str], degree: dict[str, float], spec: _Spec
) -> list[str]:
    """Terms to label, in turn: every cluster's strongest first, round by round.

    Round one takes the strongest term (most occurrences) of every cluster, round two the
    second, and so on up to ``spec.per_cluster``; so each cluster gets its three to five
    labels before any cluster gets more. Terms outside every cluster come last.
    """
    in_graph = set(terms)
    ranked = [
        sorted((v for v in c.nodes if v in in_graph), key=lambda v: (-degree[v], v))
        for c in network.clusters
    ]
    order: list[str] = []
    for k in range(spec.per_cluster if ranked else 0):
        order += [members[k] for members in ranked if k < len(members)]
    clustered = {v for members in ranked for v in members}
    order += sorted((v for v in terms if v not in clustered), key=lambda v: (-degree[v], v))
    return order


#: Where a text's box starts, as a share of its width (by ``ha``) and height (by ``va``).
_HA_SHARE = {"left": 0.0, "center": 0.5, "right": 1.0}
_VA_SHARE = {"bottom": 0.0, "center": 0.5, "top": 1.0}
#: A placed label keeps this much room around it (its box widened 3 %, heightened 8 %).
_ROOM = (1.03, 1.08)
#: Half the width of the white halo around a label on the card, in points (as a 2 pt stroke).
_HALO_PT = 1.0


@dataclass(frozen=True)
class _Ink:
    """A text as FreeType lays it out and Agg draws it: its extents and its bitmap.

    ``width``, ``height`` and ``descent`` are the box matplotlib gives a one-line ``Text``
    (``Text.get_window_extent``): the text's own width, and height and descent at least
    those of "lp". ``image`` is the anti-aliased glyph coverage; ``text_descent`` and
    ``offset`` place it on the baseline as matplotlib's Agg renderer placed such bitmaps.
    """

    width: float
    height: float
    descent: float
    text_descent: float
    offset: tuple[float, float]
    image: npt.NDArray[np.uint8]
    dpi: float

    def box(self, x: float, y: float, ha: str, va: str) -> tuple[float, float, float, float]:
        """``(x0, y0, x1, y1)`` in pixels of the text anchored at ``(x, y)``."""
        x0 = x - _HA_SHARE[ha] * self.width
        y0 = y - _VA_SHARE[va] * self.height
        return (x0, y0, x0 + self.width, y0 + self.height)


@functools.cache
def _font_files(bold: bool) -> tuple[str, ...]:
    """The font files (first choice, then fallbacks) of a label, normal or bold.

    The files do not depend on the size (scalable fonts score the same at every size), so
    this is ``fontManager._find_fonts_by_props`` without a lookup per size.
    """
    prop = FontProperties(weight="bold" if bold else "normal")
    return tuple(fontManager._find_fonts_by_props(prop))


def _hinting_flag() -> Any:
    """The FreeType load flags the Agg renderer uses (``text.hinting``)."""
    return get_hinting_flag()  # type: ignore[no-untyped-call]


def _font_extent(font: Any, size: float, dpi: float) -> tuple[float, float]:
    """The font's own ascent and descent in pixels at ``size`` points: the least a one-line
    ``Text`` box reaches above and below its baseline (as ``Text._get_layout`` takes them,
    from the OS/2 table, else from hhea)."""
    for table_name, ascent_key, descent_key in (
        ("OS/2", "sTypoAscender", "sTypoDescender"),
        ("hhea", "ascent", "descent"),
    ):
        table = font.get_sfnt_table(table_name)
        if table is None:
            continue
        scale = size * dpi / 72 / font.get_sfnt_table("head")["unitsPerEm"]
        return table[ascent_key] * scale, -table[descent_key] * scale
    font.set_text("lp", 0.0, flags=_hinting_flag())
    height = font.get_width_height()[1] / 64
    descent = font.get_descent() / 64
    return height - descent, descent


def _halo_of(image: npt.NDArray[np.uint8], radius: float) -> npt.NDArray[np.uint8]:
    """The coverage of ``image`` grown by ``radius`` pixels (a round brush), padded by
    ``ceil(radius)`` on every side: the white halo drawn under a label."""
    pad = math.ceil(radius)
    h, w = image.shape
    out = np.zeros((h + 2 * pad, w + 2 * pad), dtype=np.uint8)
    for dy in range(-pad, pad + 1):
        for dx in range(-pad, pad + 1):
            if dx * dx + dy * dy <= radius * radius + 0.5:
                window = out[pad + dy : pad + dy + h, pad + dx : pad + dx + w]
                np.maximum(window, image, out=window)
    return out


class _Label(Text):
    """A term label or cluster name, drawn on the Agg canvas straight from its bitmap.

    matplotlib 3.11 lays out and rasterises a ``Text`` glyph by glyph in Python on every
    draw, and a stroked halo turns it into a path: most of a map's drawing time. The label
    was measured (and its glyphs rasterised) once while it was placed, so drawing it is one
    call of the Agg renderer. Its box is the one ``Text.get_window_extent`` reports (a test
    pins this); other renderers (SVG) and other resolutions draw it as a plain ``Text``.
    """

    def __init__(
        self,
        x: float,
        y: float,
        text: str,
        *,
        ink: _Ink,
        halo: bool,
        fig: Figure,
        **kwargs: Any,
    ) -> None:
        # Positions in inches: the label stays in place when the figure is saved at another
        # resolution (an SVG is written at 72 dpi).
        super().__init__(
            x / ink.dpi,
            y / ink.dpi,
            text,
            transform=fig.dpi_scale_trans,
            figure=fig,
            zorder=4,
            **kwargs,
        )
        self._ink = ink
        self._halo = halo
        self._halo_image: npt.NDArray[np.uint8] | None = None

    def draw(self, renderer: Any) -> None:
        if not self.get_visible():
            return
        ink = self._ink
        x, y = self.get_transform().transform(self.get_unitless_position())
        if not isinstance(renderer, RendererAgg) and (not self._halo or _is_svg(renderer)):
            # A vector file (SVG): the text as text, on the baseline measured for the PNG
            # (scaled to the file's resolution), without measuring it again.
            scale = float(self.get_figure(root=True).dpi) / ink.dpi  # type: ignore[union-attr]
            shift = (
                ink.descent - _VA_SHARE[str(self.get_verticalalignment())] * ink.height
            ) * scale
            left = float(x) - _HA_SHARE[str(self.get_horizontalalignment())] * ink.width * scale
            baseline = renderer.height - (float(y) + shift)
            renderer.open_group("text", self.get_gid())
            if self._halo:
                # The halo: the same text in white under it, stroked as wide as on the PNG
                # (an SVG is written at 72 dpi: a unit is a point). As text, not as glyph
                # outlines with a stroke effect, which matplotlib lays out in Python.
                renderer.writer.start(
                    "g",
                    style=f"stroke: #ffffff; stroke-width: {2 * _HALO_PT:g}; "
                    "stroke-linejoin: round",
                )
                self._draw_text_as_text(renderer, left, baseline, "#ffffff")
                renderer.writer.end("g")
            self._draw_text_as_text(renderer, left, baseline, self.get_color())
            renderer.close_group("text")
            self.stale = False
            return
        if not isinstance(renderer, RendererAgg) or renderer.dpi != ink.dpi:
            if self._halo and not self.get_path_effects():
                self.set_path_effects(
                    [patheffects.withStroke(linewidth=2 * _HALO_PT, foreground="white")]
                )
            super().draw(renderer)
            return
        x0, y0, _, _ = ink.box(
            float(x),
            float(y),
            str(self.get_horizontalalignment()),
            str(self.get_verticalalignment()),
        )
        baseline = renderer.height - (y0 + ink.descent)  # y downwards, as Agg counts
        left = round(x0 + ink.offset[0])
        bottom = round(baseline + ink.text_descent + ink.offset[1]) + 1
        gc = renderer.new_gc()
        gc.set_alpha(self.get_alpha())  # type: ignore[arg-type]  # None: opaque
        if self._halo:
            if self._halo_image is None:
                self._halo_image = _halo_of(ink.image, _HALO_PT * ink.dpi / 72.0)
            pad = (self._halo_image.shape[1] - ink.image.shape[1]) // 2
            gc.set_foreground("white")
            renderer._renderer.draw_text_image(self._halo_image, left - pad, bottom + pad, 0, gc)
        gc.set_foreground(self.get_color())
        renderer._renderer.draw_text_image(ink.image, left, bottom, 0, gc)
        gc.restore()
        self.stale = False

    def _draw_text_as_text(self, renderer: Any, x: float, y: float, colour: Any) -> None:
        gc = renderer.new_gc()
        gc.set_foreground(colour)
        gc.set_alpha(self.get_alpha())
        gc.set_url(self.get_url())
        renderer.draw_text(
            gc, x, y, self.get_text(), self.get_fontproperties(), 0.0, ismath=False, mtext=self
        )
        gc.restore()


def _is_svg(renderer: Any) -> bool:
    """Whether ``renderer`` writes an SVG (savefig wraps it in a ``MixedModeRenderer``)."""
    # Imported here, when a file is written, as matplotlib itself imports it.
    from matplotlib.backends.backend_svg import RendererSVG

    return isinstance(getattr(renderer, "_vector_renderer", renderer), RendererSVG)


@dataclass(frozen=True)
class _Spots:
    """Candidate anchors of a label (pixels), with their alignments, tried in order."""

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    aligns: tuple[tuple[str, str], ...]
    ha_share: npt.NDArray[np.float64]
    va_share: npt.NDArray[np.float64]

    @classmethod
    def of(cls, x: npt.ArrayLike, y: npt.ArrayLike, aligns: Sequence[tuple[str, str]]) -> _Spots:
        aligns = tuple(aligns)
        return cls(
            np.asarray(x, dtype=np.float64),
            np.asarray(y, dtype=np.float64),
            aligns,
            np.array([_HA_SHARE[h] for h, _ in aligns], dtype=np.float64),
            np.array([_VA_SHARE[v] for _, v in aligns], dtype=np.float64),
        )


class _Board:
    """The labels placed on a figure so far: their boxes (pixels) and a text measurer.

    Every candidate spot of a label is checked at once against every box taken (numpy), and
    a text is measured once per (text, size, weight) from FreeType, the way matplotlib's Agg
    renderer measures it, so what is checked is what is drawn.
    """

    def __init__(self, fig: Figure, renderer: Any, frame: BboxBase, taken: Sequence[Bbox]) -> None:
        self.fig = fig
        self.renderer = renderer
        self.frame: tuple[float, float, float, float] = tuple(frame.extents)  # type: ignore[assignment]
        self._boxes: list[tuple[float, float, float, float]] = [
            (float(b.x0), float(b.y0), float(b.x1), float(b.y1)) for b in taken
        ]
        self._owners: list[_Label | None] = [None] * len(self._boxes)
        self._array: npt.NDArray[np.float64] | None = None
        self._inks: dict[tuple[str, float, bool], _Ink] = {}
        self._heights: dict[tuple[float, bool], tuple[float, float]] = {}

    def measure(self, text: str, size: float, bold: bool) -> _Ink:
        """The text's extents and bitmap at ``size`` points (cached)."""
        key = (text, size, bold)
        if key in self._inks:
            return self._inks[key]
        # The font (with its fallbacks) and size the Agg renderer itself would use
        # (``RendererAgg._prepare_font``), looked up once per weight: matplotlib's lookup is
        # cached per size too, and every label has its own size.
        font = get_font(_font_files(bold))
        font.clear()
        font.set_size(size, float(self.fig.dpi))
        flags = _hinting_flag()
        if (size, bold) not in self._heights:
            self._heights[(size, bold)] = _font_extent(font, size, float(self.fig.dpi))
        min_ascent, min_descent = self._heights[(size, bold)]
        font.set_text(text, 0.0, flags=flags)
        width, height = (v / 64 for v in font.get_width_height())
        descent = font.get_descent() / 64
        font.draw_glyphs_to_bitmap(antialiased=True)
        x_off, y_off = (v / 64 for v in font.get_bitmap_offset())
        ink = _Ink(
            width=width,
            height=max(height - descent, min_ascent) + max(descent, min_descent),
            descent=max(descent, min_descent),
            text_descent=descent,
            offset=(x_off, y_off),
            image=np.array(font.get_image(), dtype=np.uint8),
            dpi=float(self.fig.dpi),
        )
        self._inks[key] = ink
        return ink

    def _taken(self) -> npt.NDArray[np.float64]:
        if self._array is None:
            self._array = np.array(self._boxes, dtype=np.float64).reshape(-1, 4)
        return self._array

    def place(
        self,
        text: str,
        spots: _Spots,
        size: float,
        colour: str,
        bold: bool,
        gid: str,
        *,
        halo: bool,
        obstacles: npt.NDArray[np.float64] | None = None,
    ) -> _Label | None:
        """Draw ``text`` at the first spot where it lies inside the map and overlaps no
        label taken (nor any of ``obstacles``, ``n × 4`` boxes)."""
        if not len(spots.x):
            return None
        ink = self.measure(text, size, bold)
        x0 = spots.x - spots.ha_share * ink.width
        y0 = spots.y - spots.va_share * ink.height
        boxes = np.stack([x0, y0, x0 + ink.width, y0 + ink.height], axis=1)
        fx0, fy0, fx1, fy1 = self.frame
        free = (boxes[:, 0] >= fx0) & (boxes[:, 1] >= fy0)
        free &= (boxes[:, 2] <= fx1) & (boxes[:, 3] <= fy1)
        free &= ~_overlaps_any(boxes, self._taken())
        if obstacles is not None and len(obstacles):
            free &= ~_overlaps_any(boxes, obstacles)
        if not free.any():
            return None
        i = int(np.argmax(free))
        sx, sy = float(spots.x[i]), float(spots.y[i])
        ha, va = spots.aligns[i]
        label = self._add(sx, sy, text, ink, halo, size, ha, va, colour, gid, bold)
        bx0, by0, bx1, by1 = (float(v) for v in boxes[i])
        grow_x = (bx1 - bx0) * (_ROOM[0] - 1) / 2
        grow_y = (by1 - by0) * (_ROOM[1] - 1) / 2
        self._boxes.append((bx0 - grow_x, by0 - grow_y, bx1 + grow_x, by1 + grow_y))
        self._owners.append(label)
        self._array = None
        return label

    def _add(
        self,
        x: float,
        y: float,
        text: str,
        ink: _Ink,
        halo: bool,
        size: float,
        ha: str,
        va: str,
        colour: str,
        gid: str,
        bold: bool,
    ) -> _Label:
        """Put one measured text on the figure at ``(x, y)`` pixels."""
        label = _Label(
            x,
            y,
            text,
            ink=ink,
            halo=halo,
            fig=self.fig,
            fontsize=size,
            ha=ha,
            va=va,
            color=colour,
            fontweight="bold" if bold else "normal",
        )
        label.set_gid(gid)
        self.fig.add_artist(label)
        return label

    def write(
        self,
        text: str,
        x: float,
        y: float,
        size: float,
        ha: str,
        va: str,
        *,
        colour: str = "#222222",
        gid: str = "caption",
        bold: bool = False,
    ) -> _Ink:
        """Draw a fixed text (caption, title, legend) at ``(x, y)`` pixels; it blocks nothing."""
        ink = self.measure(text, size, bold)
        label = self._add(x, y, text, ink, False, size, ha, va, colour, gid, bold)
        label.set_zorder(6)
        return ink

    def block(self, box: Bbox) -> None:
        """Keep labels off ``box`` (pixels)."""
        self._boxes.append((float(box.x0), float(box.y0), float(box.x1), float(box.y1)))
        self._owners.append(None)
        self._array = None

    def remove(self, label: _Label) -> None:
        """Take a placed label off the figure and free its room."""
        i = self._owners.index(label)
        del self._boxes[i], self._owners[i]
        self._array = None
        label.remove()


def _overlaps_any(
    boxes: npt.NDArray[np.float64], others: npt.NDArray[np.float64]
) -> npt.NDArray[np.bool_]:
    """Per box (``n × 4``, ``x0 y0 x1 y1``): does it overlap any of ``others``?

    Touching edges do not overlap (as ``Bbox.overlaps``).
    """
    if not len(others):
        return np.zeros(len(boxes), dtype=bool)
    a = boxes[:, None, :]
    b = others[None, :, :]
    hit = (a[..., 0] < b[..., 2]) & (b[..., 0] < a[..., 2])
    hit = hit & (a[..., 1] < b[..., 3]) & (b[..., 1] < a[..., 3])
    result: npt.NDArray[np.bool_] = np.asarray(hit.any(axis=1), dtype=bool)
    return result


def _place_cluster_names(
    board: _Board,
    ax: Axes,
    network: TermNetwork,
    layout: Layout,
    spec: _Spec,
    only: Collection[int] | None = None,
) -> dict[int, _Label]:
    """Write each cluster's name beside its core, on the side away from the map's centre.

    Returns each placed name by cluster id. ``only``: just these clusters.

    The core is the middle of the cluster's strongest terms (a force layout spreads a big
    cluster thin, so its mean position can lie among other clusters). Spots are tried from
    near to far; the first where the name overlaps nothing is taken.
    """
    pos = layout.positions
    graph = network.graph
    all_nodes = list(pos)
    if not all_nodes:
        return {}
    all_xy = np.array([pos[v] for v in all_nodes], dtype=np.float64)
    centre = all_xy.mean(axis=0)
    to_px = ax.transData
    centres = to_px.transform(all_xy)
    rims = to_px.transform(all_xy + np.array([[layout.radii.get(v, 0.0), 0.0] for v in all_nodes]))
    r = (rims[:, 0] - centres[:, 0])[:, None]
    circles = np.hstack([centres - r, centres + r])
    angles = np.linspace(0.0, 2 * math.pi, 16, endpoint=False)
    sweep = np.stack([np.cos(angles), np.sin(angles)], axis=1)
    names: dict[int, _Label] = {}
    for cluster in network.clusters:
        if only is not None and cluster.id not in only:
            continue
        placed_nodes = [v for v in cluster.nodes if v in pos]
        if not placed_nodes:
            continue
        core = _dense_core(placed_nodes, all_nodes, all_xy, graph)
        middle = core.mean(axis=0)
        direction = middle - centre
        norm = float(np.hypot(*direction))
        direction = direction / norm if norm > 1e-9 else np.array([0.0, 1.0])
        reach = float(np.median(np.hypot(*(core - middle).T))) if len(core) > 1 else 0.0
        colour = _darker(cluster_colour(cluster.id))
        name = _shorten(cluster.name, spec.name_chars)
        ha = "left" if direction[0] > 0.35 else "right" if direction[0] < -0.35 else "center"
        va = "bottom" if direction[1] > 0.35 else "top" if direction[1] < -0.35 else "center"
        # Near spots: out along the direction away from the centre, then above, below, left
        # or right of the core; far spots: farther above/below/left/right, then a sweep of
        # directions and distances around the core.
        near_xy: list[npt.NDArray[np.float64]] = []
        near_align: list[tuple[str, str]] = []
        far_xy: list[npt.NDArray[np.float64]] = []
        far_align: list[tuple[str, str]] = []
        for step in (0.5, 1.0, 0.0, 1.5, 2.0):
            near_xy.append(middle + direction * (reach * step + 0.03))
            near_align.append((ha, va))
        for step in (0.5, 1.0, 1.5, 2.5):
            xy, align = (near_xy, near_align) if step <= 1.5 else (far_xy, far_align)
            off = reach * step + 0.03
            for sign, v_align in ((1, "bottom"), (-1, "top")):
                xy.append(middle + np.array([0.0, sign * off]))
                align.append(("center", v_align))
            for sign, h_align in ((1, "left"), (-1, "right")):
                xy.append(middle + np.array([sign * off, 0.0]))
                align.append((h_align, "center"))
        for distance in (0.1, 0.18, 0.28, 0.4):
            for dx, dy in sweep:
                far_xy.append(middle + np.array([dx, dy]) * distance)
                far_align.append(
                    (
                        "left" if dx > 0.35 else "right" if dx < -0.35 else "center",
                        "bottom" if dy > 0.35 else "top" if dy < -0.35 else "center",
                    )
                )
        near_px = to_px.transform(np.array(near_xy))
        far_px = to_px.transform(np.array(far_xy))
        spots = _Spots.of(near_px[:, 0], near_px[:, 1], near_align)
        far = _Spots.of(far_px[:, 0], far_px[:, 1], far_align)
        # Beside the cluster means near it and off the circles: first near and clear of
        # every node, then near and clear of labels only, then farther out.
        for tries, avoid in ((spots, circles), (spots, None), (far, None)):
            shown = board.place(
                name, tries, spec.name_font, colour, True, _NAME_GID, halo=True, obstacles=avoid
            )
            if shown is not None:
                names[cluster.id] = shown
                break
    return names


def _dense_core(
    members: Sequence[str],
    all_nodes: Sequence[str],
    all_xy: npt.NDArray[np.float64],
    graph: object,
    k: int = 6,
) -> npt.NDArray[np.float64]:
    """Positions of the densest part of a cluster: where its name belongs.

    A force layout can spread a cluster over the map, so its mean position may lie among
    other clusters. The core is the member whose ``k`` nearest nodes belong to the cluster
    most often (ties: the stronger term), with those of its neighbours that do.
    """
    inside = set(members)
    index = {v: i for i, v in enumerate(all_nodes)}
    best: tuple[int, float, str] | None = None
    best_group: list[int] = []
    for v in members:
        d = np.hypot(*(all_xy - all_xy[index[v]]).T)
        nearest = [int(i) for i in np.argsort(d)[1 : k + 1]]
        group = [i for i in nearest if all_nodes[i] in inside]
        rank = (len(group), node_strength(graph, v), v)
        if best is None or rank[:2] > best[:2] or (rank[:2] == best[:2] and v < best[2]):
            best, best_group = rank, [index[v], *group]
    core: npt.NDArray[np.float64] = all_xy[best_group]
    return core


def _darker(colour: str, factor: float = 0.7) -> str:
    """A darker shade of a ``#rrggbb`` colour (names stay legible on white)."""
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


def label_boxes(fig: Figure) -> list[Bbox]:
    """The rendered extents (pixels) of every term label and cluster name on a figure.

    Measured from the drawn text, so a test or benchmark can count overlaps honestly.
    """
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    return [
        t.get_window_extent(renderer=renderer)
        for t in fig.artists
        if isinstance(t, Text) and t.get_gid() in (_TERM_GID, _NAME_GID)
    ]


def label_overlaps(fig: Figure) -> int:
    """How many pairs of labels (term labels and cluster names) overlap on a figure."""
    boxes = label_boxes(fig)
    return sum(1 for i, a in enumerate(boxes) for b in boxes[i + 1 :] if a.overlaps(b))


#: Where a term label may go, in turn: on its node, just beside it (right, above, below,
#: left, the diagonals), then farther out; ``rings`` > 1 adds spots two and three times as
#: far. Each spot is ``(u_x, f_x, u_y, f_y, ha, va)``: its offset from the node's centre is
#: ``u·(r + pad) + f·far`` per axis, where ``far = r + pad + 9 px``.
_NEAR_SPOTS: tuple[tuple[float, float, float, float, str, str], ...] = (
    (0, 0, 0, 0, "center", "center"),
    (1, 0, 0, 0, "left", "center"),
    (0, 0, 1, 0, "center", "bottom"),
    (0, 0, -1, 0, "center", "top"),
    (-1, 0, 0, 0, "right", "center"),
    (0.75, 0, 0.75, 0, "left", "bottom"),
    (-0.75, 0, 0.75, 0, "right", "bottom"),
    (0.75, 0, -0.75, 0, "left", "top"),
    (-0.75, 0, -0.75, 0, "right", "top"),
    (0, 0, 0, 1, "center", "bottom"),
    (0, 0, 0, -1, "center", "top"),
    (0, 1, 0, 0, "left", "center"),
    (0, -1, 0, 0, "right", "center"),
    (0, 0.8, 0, 0.8, "left", "bottom"),
    (0, -0.8, 0, 0.8, "right", "bottom"),
    (0, 0.8, 0, -0.8, "left", "top"),
    (0, -0.8, 0, -0.8, "right", "top"),
)


def _ring_spots(ring: int) -> tuple[tuple[float, float, float, float, str, str], ...]:
    out, diag = float(ring), ring * 0.7
    return (
        (0, 0, 0, out, "center", "bottom"),
        (0, 0, 0, -out, "center", "top"),
        (0, out, 0, 0, "left", "center"),
        (0, -out, 0, 0, "right", "center"),
        (0, diag, 0, diag, "left", "bottom"),
        (0, -diag, 0, diag, "right", "bottom"),
        (0, diag, 0, -diag, "left", "top"),
        (0, -diag, 0, -diag, "right", "top"),
    )


def _place_labels(
    board: _Board,
    ax: Axes,
    items: Sequence[tuple[str, float, float, float, float, str, bool]],
    *,
    halo: bool,
    rings: int = 1,
) -> list[_Label]:
    """Place term labels (and variable values) beside their nodes, around what is taken.

    ``rings`` > 1 adds spots further out (two and three times as far), for a label a
    cluster needs to reach its minimum when the spots near its node are all taken.
    """
    if not items:
        return []
    pattern = _NEAR_SPOTS + tuple(s for ring in range(2, rings + 1) for s in _ring_spots(ring))
    ux, fx, uy, fy = (np.array([s[k] for s in pattern], dtype=np.float64) for k in range(4))
    aligns = tuple((s[4], s[5]) for s in pattern)
    xy = np.array([(x, y) for _, x, y, *_ in items], dtype=np.float64)
    rim = xy + np.array([[item[3], 0.0] for item in items])
    centres = ax.transData.transform(xy)
    radii = ax.transData.transform(rim)[:, 0] - centres[:, 0]
    pad = 1.5
    near = (radii + pad)[:, None]
    far = (radii + pad + 9.0)[:, None]
    xs = centres[:, 0, None] + ux * near + fx * far
    ys = centres[:, 1, None] + uy * near + fy * far
    first = _Spots.of(xs[0], ys[0], aligns)
    texts: list[_Label] = []
    for k, (text, _, _, _, size, colour, bold) in enumerate(items):
        spots = _Spots(xs[k], ys[k], aligns, first.ha_share, first.va_share)
        label = board.place(text, spots, size, colour, bold, _TERM_GID, halo=halo)
        if label is not None:
            texts.append(label)
    return texts


def save_figure(fig: Figure, fmt: Format = "png", *, size: Size = "full") -> bytes:
    """Encode a figure from :func:`render_figure` as PNG or SVG.

    A ``"card"`` PNG is at most 1024 px on each side and under 1 MB (the resolution is
    lowered until it is).

    Args:
        fig: The figure.
        fmt: ``"png"`` or ``"svg"``.
        size: The size it was drawn for.

    Returns:
        The encoded image.

    Raises:
        InvalidParameter: ``fmt`` or ``size`` is not valid.
    """
    if fmt not in ("png", "svg"):
        raise InvalidParameter(f"fmt = {fmt!r} is not valid; use 'png' or 'svg'")
    if size not in _SPECS:
        raise InvalidParameter(f"size = {size!r} is not valid; use one of {', '.join(SIZES)}")
    dpi = float(_SPECS[size].dpi)
    data = _save(fig, fmt, dpi)
    if fmt == "png" and size == "card":
        while len(data) >= CARD_MAX_BYTES and dpi > 40:
            dpi *= 0.85
            log.info("card PNG is %d bytes; redrawing at %.0f dpi", len(data), dpi)
            data = _save(fig, fmt, dpi)
    return data


def start_png(fig: Figure, *, size: Size = "full") -> Callable[[], bytes]:
    """Draw a figure now and encode its PNG in a thread; call the result for the bytes.

    zlib releases the GIL, so the encoding (most of a full map's PNG time) runs beside
    whatever the caller does next. The pixels are those :func:`save_figure` writes (at the
    figure's resolution; a card over 1 MB is redrawn smaller by :func:`save_figure`).

    Args:
        fig: A figure from :func:`render_figure`.
        size: The size it was drawn for.

    Returns:
        A function that waits for the encoding and returns the PNG.

    Raises:
        InvalidParameter: ``size`` is not valid.
    """
    if size not in _SPECS:
        raise InvalidParameter(f"size = {size!r} is not valid; use one of {', '.join(SIZES)}")
    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    canvas.draw()  # type: ignore[no-untyped-call]
    # The PNG's rows, copied: the figure may be drawn again (as SVG) while they are encoded.
    rows = _png_rows(np.asarray(canvas.buffer_rgba()))  # type: ignore[no-untyped-call]
    dpi = float(fig.dpi)
    outcome: dict[str, bytes | BaseException] = {}

    def encode() -> None:
        try:
            outcome["png"] = _encode_rows(rows, dpi)
        except BaseException as exc:  # re-raised in the caller's thread
            outcome["error"] = exc

    worker = threading.Thread(target=encode, name="png-encode", daemon=True)
    worker.start()

    def result() -> bytes:
        worker.join()
        error = outcome.get("error")
        if isinstance(error, BaseException):
            raise error
        data = outcome["png"]
        assert isinstance(data, bytes)
        if size == "card" and len(data) >= CARD_MAX_BYTES:
            return save_figure(fig, "png", size=size)
        return data

    return result


def _encode_png(pixels: npt.NDArray[np.uint8], dpi: float) -> bytes:
    """RGBA pixels (rows top down) as a PNG with the metadata ``savefig`` writes.

    Written directly with zlib (level 1, no per-row filter): a map is mostly flat colour, so
    filtering gains little, and Pillow's adaptive filter costs twice the compression itself.
    zlib releases the GIL, so this runs beside the caller in a thread.
    """
    return _encode_rows(_png_rows(pixels), dpi)


def _png_rows(pixels: npt.NDArray[np.uint8]) -> npt.NDArray[np.uint8]:
    """RGBA pixels as the rows a PNG compresses: filter byte 0 ("none"), then the pixels."""
    height, width, _ = pixels.shape
    rows = np.empty((height, 1 + 4 * width), dtype=np.uint8)
    rows[:, 0] = 0
    rows[:, 1:] = pixels.reshape(height, 4 * width)
    return rows


def _encode_rows(rows: npt.NDArray[np.uint8], dpi: float) -> bytes:
    """PNG rows from :func:`_png_rows` as a PNG (compressed straight from the array)."""
    height, width = rows.shape[0], (rows.shape[1] - 1) // 4

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    per_metre = round(dpi / 0.0254)
    software = f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)),
            chunk(b"tEXt", b"Software\x00" + software.encode("latin-1")),
            chunk(b"pHYs", struct.pack(">IIB", per_metre, per_metre, 1)),
            chunk(b"IDAT", zlib.compress(rows.data, 1)),
            chunk(b"IEND", b""),
        )
    )


def _save(fig: Figure, fmt: Format, dpi: float) -> bytes:
    buffer = io.BytesIO()
    if fmt == "png" and dpi == fig.dpi and isinstance(fig.canvas, FigureCanvasAgg):
        fig.canvas.draw()  # type: ignore[no-untyped-call]
        return _encode_png(np.asarray(fig.canvas.buffer_rgba()), dpi)  # type: ignore[no-untyped-call]
    if fmt == "png":  # another resolution (a card made smaller): matplotlib's own path
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    else:
        # Text as text, not glyph outlines: smaller, faster, and searchable in the file.
        with rc_context({"svg.fonttype": "none", "svg.hashsalt": "workshopbot"}):
            # No date in the file: the same map gives the same bytes.
            fig.savefig(buffer, format="svg", facecolor="white", metadata={"Date": None})
    return buffer.getvalue()


def render(
    network: TermNetwork,
    layout: Layout,
    *,
    fmt: Format = "png",
    size: Size = "full",
    caption: str = "",
    title: str | None = None,
    highlight: Collection[str] | None = None,
    max_labels: int | None = None,
    lang: str = "da",
) -> bytes:
    """Render the map to PNG or SVG bytes.

    A ``"card"`` PNG is at most 1024 px on each side and under 1 MB (the resolution is
    lowered until it is).

    Args:
        network: The network.
        layout: Its layout.
        fmt: ``"png"`` or ``"svg"``.
        size: ``"full"`` or ``"card"``.
        caption: Corpus statistics shown under the map.
        title: A title above the map.
        highlight: Terms to highlight (others greyed); ``None`` for the normal map.
        max_labels: Most term labels drawn.
        lang: Language of the legend.

    Returns:
        The encoded image.

    Raises:
        InvalidParameter: ``fmt`` or ``size`` is not valid.
    """
    if fmt not in ("png", "svg"):
        raise InvalidParameter(f"fmt = {fmt!r} is not valid; use 'png' or 'svg'")
    fig = render_figure(
        network,
        layout,
        size=size,
        caption=caption,
        title=title,
        highlight=highlight,
        max_labels=max_labels,
        lang=lang,
    )
    return save_figure(fig, fmt, size=size)


def render_highlighted(
    result: MapLike,
    highlight_terms: Collection[str],
    *,
    fmt: Format = "png",
    size: Size = "card",
    title: str | None = None,
) -> bytes:
    """Redraw a result's map with ``highlight_terms`` in colour and every other node greyed.

    Args:
        result: An analysis result (anything with ``network``, ``layout`` and ``caption``).
        highlight_terms: Labels or keys of the terms to highlight (any case).
        fmt: ``"png"`` or ``"svg"``.
        size: ``"card"`` (default) or ``"full"``.
        title: A title above the map.

    Returns:
        The encoded image.
    """
    return render(
        result.network,
        result.layout,
        fmt=fmt,
        size=size,
        caption=result.caption,
        title=title,
        highlight=list(highlight_terms),
        lang=getattr(result, "lang", "da"),
    )
