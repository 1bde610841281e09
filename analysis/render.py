"""Stage 6: draw the map with matplotlib's object API (``Figure``, never ``pyplot``).

Node area follows weighted degree (the circles have the layout's radii, in data units, so
the layout's no-overlap guarantee holds in the picture), colour follows cluster, a legend
names the clusters, labels of the top terms are placed greedily where they overlap no
other label, edges are light, and a caption gives corpus statistics.

The same function redraws the map with some terms highlighted and the rest greyed
(``highlight=...``), for "the map, revisited" in a workshop summary.
"""

from __future__ import annotations

import io
import logging
import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from matplotlib import patheffects
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from analysis.errors import InvalidParameter
from analysis.layout import Layout
from analysis.network import TermNetwork

__all__ = [
    "CARD_MAX_BYTES",
    "CARD_MAX_PX",
    "SIZES",
    "Format",
    "MapLike",
    "Size",
    "cluster_colour",
    "render",
    "render_figure",
    "render_highlighted",
    "save_figure",
]

log = logging.getLogger(__name__)

Size = Literal["full", "card"]
Format = Literal["png", "svg"]
SIZES: tuple[Size, ...] = ("full", "card")

#: Teams cards: at most this many pixels on each side …
CARD_MAX_PX = 1024
#: … and under this many bytes.
CARD_MAX_BYTES = 1_000_000

_PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#7f7f7f",
    "#aec7e8",
    "#ffbb78",
    "#98df8a",
    "#ff9896",
    "#c5b0d5",
    "#c49c94",
    "#f7b6d2",
    "#9edae5",
    "#dbdb8d",
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


_SPECS: dict[Size, _Spec] = {
    "full": _Spec(14.0, 10.0, 140, 70, 6.5, 15.0, 12, 0.72, 46),
    "card": _Spec(8.0, 6.0, 128, 30, 6.0, 12.0, 6, 0.66, 30),
}


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
    bottom = 0.06 if caption else 0.02
    top = 0.93 if title else 0.99
    ax = fig.add_axes((0.01, bottom, spec.map_width, top - bottom))
    ax.set_axis_off()
    ax.set_aspect("equal")
    if title:
        fig.text(0.5, 0.965, title, ha="center", va="center", fontsize=spec.max_font)
    if caption:
        fig.text(
            0.5, 0.025, caption, ha="center", va="center", fontsize=spec.min_font + 1, color="#555"
        )

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

    # Nodes: circles in data units (the layout's radii), squares for variable values.
    circles: list[Circle | Rectangle] = []
    faces: list[str] = []
    for v in nodes:
        data = graph.nodes[v]
        x, y = pos[v]
        r = radii[v]
        if data.get("kind") == "variable":
            side = r * math.sqrt(math.pi)  # same area as the circle
            circles.append(Rectangle((x - side / 2, y - side / 2), side, side))
            faces.append(_VARIABLE if is_hit[v] else _GREY)
        else:
            circles.append(Circle((x, y), r))
            faces.append(cluster_colour(int(data.get("cluster", -1))) if is_hit[v] else _GREY)
    ax.add_collection(
        PatchCollection(
            circles, facecolors=faces, edgecolors="white", linewidths=0.6, alpha=0.92, zorder=2
        )
    )
    xs = np.array([pos[v][0] for v in nodes])
    ys = np.array([pos[v][1] for v in nodes])
    rs = np.array([radii[v] for v in nodes])
    margin = 0.04
    ax.set_xlim(float((xs - rs).min()) - margin, float((xs + rs).max()) + margin)
    ax.set_ylim(float((ys - rs).min()) - margin, float((ys + rs).max()) + margin)

    # Legend: the largest clusters by name (or what is highlighted).
    handles: list[Line2D] = []
    if wanted is None:
        for cluster in network.clusters[: spec.legend_entries]:
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    linestyle="",
                    markersize=8,
                    markerfacecolor=cluster_colour(cluster.id),
                    markeredgecolor="white",
                    label=f"{_shorten(cluster.name, spec.name_chars)} ({cluster.size})",
                )
            )
        hidden = len(network.clusters) - spec.legend_entries
        if hidden > 0:
            handles.append(Line2D([], [], linestyle="", label=words["more"].format(n=hidden)))
    else:
        hits = sum(1 for v in nodes if is_hit[v])
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=8,
                markerfacecolor="#1f77b4",
                markeredgecolor="#1f77b4",
                label=words["highlighted"].format(hits=hits, total=len(nodes)),
            )
        )
        handles.append(
            Line2D(
                [],
                [],
                marker="o",
                linestyle="",
                markersize=8,
                markerfacecolor=_GREY,
                markeredgecolor=_GREY,
                label=words["others"],
            )
        )
    if handles:
        legend = fig.legend(
            handles=handles,
            loc="center left",
            bbox_to_anchor=(spec.map_width + 0.02, 0.5),
            fontsize=spec.min_font + 0.5,
            frameon=True,
            framealpha=0.85,
            title=words["clusters"] if wanted is None else None,
            title_fontsize=spec.min_font + 1.5,
        )
        legend.set_zorder(5)

    # Labels: variable values first, then highlighted terms, then by weighted degree.
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    ax_bbox = ax.get_window_extent(renderer=renderer)
    blocked: list[Bbox] = []
    degree = {v: float(graph.nodes[v].get("weighted_degree", 0.0)) for v in nodes}
    top_degree = max(degree.values()) or 1.0
    limit = spec.max_labels if max_labels is None else max_labels

    def priority(v: str) -> tuple[int, int, float, str]:
        data = graph.nodes[v]
        return (
            0 if data.get("kind") == "variable" else 1,
            0 if (wanted is not None and is_hit[v]) else 1,
            -degree[v],
            v,
        )

    ordered = sorted(nodes, key=priority)
    if wanted is not None:
        ordered = [v for v in ordered if is_hit[v] or graph.nodes[v].get("kind") == "variable"]
    items = []
    for v in ordered[: limit + len(network.variable_nodes())]:
        data = graph.nodes[v]
        variable = data.get("kind") == "variable"
        font = spec.min_font + (spec.max_font - spec.min_font) * math.sqrt(degree[v] / top_degree)
        items.append(
            (
                str(data.get("label", v)),
                pos[v][0],
                pos[v][1],
                radii[v],
                font,
                "#111111" if variable else "#222222",
                variable,
            )
        )
    _place_labels_with_blocks(fig, ax_bbox, items, renderer, ax, blocked)
    return fig


def _place_labels_with_blocks(
    fig: Figure,
    ax_bbox: Bbox,
    items: Sequence[tuple[str, float, float, float, float, str, bool]],
    renderer: object,
    ax: object,
    blocked: list[Bbox],
) -> list[Text]:
    """Place labels around areas already taken (the legend)."""
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    placed: list[Bbox] = list(blocked)
    texts: list[Text] = []
    to_px = ax.transData
    for text, x, y, radius, size, colour, bold in items:
        cx, cy = to_px.transform((x, y))
        rx = to_px.transform((x + radius, y))[0] - cx
        pad = 1.5
        spots = (
            (cx, cy, "center", "center"),
            (cx + rx + pad, cy, "left", "center"),
            (cx, cy + rx + pad, "center", "bottom"),
            (cx, cy - rx - pad, "center", "top"),
            (cx - rx - pad, cy, "right", "center"),
        )
        for sx, sy, ha, va in spots:
            label = Text(
                sx,
                sy,
                text,
                fontsize=size,
                ha=ha,
                va=va,
                color=colour,
                fontweight="bold" if bold else "normal",
                transform=None,
                figure=fig,
                zorder=4,
            )
            label.set_path_effects([patheffects.withStroke(linewidth=2.0, foreground="white")])
            box = label.get_window_extent(renderer=renderer)  # type: ignore[arg-type]
            if not (ax_bbox.contains(box.x0, box.y0) and ax_bbox.contains(box.x1, box.y1)):
                continue
            if any(box.overlaps(other) for other in placed):
                continue
            placed.append(box.expanded(1.03, 1.05))
            fig.add_artist(label)
            texts.append(label)
            break
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


def _save(fig: Figure, fmt: Format, dpi: float) -> bytes:
    buffer = io.BytesIO()
    if fmt == "png":
        fig.savefig(buffer, format="png", dpi=dpi, facecolor="white")
    else:
        fig.savefig(buffer, format="svg", facecolor="white")
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
