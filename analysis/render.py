"""Stage 6: draw the map with matplotlib's object API (``Figure``, never ``pyplot``).

Node area follows weighted degree (the circles have the layout's radii, in data units, so
the layout's no-overlap guarantee holds in the picture), colour follows cluster in a
colour-blind-safe palette (Okabe & Ito, then Paul Tol's "muted"), each cluster's name is
written on the map beside the cluster, the strongest three to five terms of every cluster
are labelled (every term that fits on the full map), labels are placed greedily where
their rendered text overlaps no other label or name, edges are light, and a caption says
what the map is made of.

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
import numpy.typing as npt
from matplotlib import patheffects, rc_context
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection, PatchCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle
from matplotlib.text import Text
from matplotlib.transforms import Bbox

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
    caption_text = _wrap_caption(fig, caption, spec.min_font + 1) if caption else ""
    bottom = (0.035 + 0.025 * caption_text.count("\n")) if caption else 0.02
    top = 0.93 if title else 0.99
    ax = fig.add_axes((0.01, bottom, spec.map_width, top - bottom))
    ax.set_axis_off()
    if title:
        fig.text(0.5, 0.965, title, ha="center", va="center", fontsize=spec.max_font)
    if caption_text:
        fig.text(
            0.5,
            0.008,
            caption_text,
            ha="center",
            va="bottom",
            fontsize=spec.min_font + 1,
            color="#555",
            linespacing=1.3,
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
    handles: list[Line2D] = []
    if wanted is None and spec.legend:
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
    elif wanted is not None:
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
            loc="center left" if spec.legend else "lower right",
            bbox_to_anchor=(spec.map_width + 0.02, 0.5) if spec.legend else (0.99, 0.07),
            fontsize=spec.min_font + 0.5,
            frameon=True,
            framealpha=0.85,
            title=words["clusters"] if wanted is None else None,
            title_fontsize=spec.min_font + 1.5,
        )
        legend.set_zorder(5)
        # Labels keep clear of the legend.
        blocked_legend = [legend.get_window_extent(renderer=canvas.get_renderer())]  # type: ignore[no-untyped-call]
    else:
        blocked_legend = []

    # Cluster names first (on the map, beside their cluster), then term labels: variable
    # values, highlighted terms, then every cluster's strongest terms in turn.
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    ax.apply_aspect()  # the equal aspect narrows the axes: place labels in the final frame
    ax_bbox = ax.get_window_extent(renderer=renderer)
    blocked: list[Bbox] = list(blocked_legend)
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
    # Cluster names first (beside their cluster), then the variable values and the terms,
    # every cluster's strongest first.
    halo = size == "card"
    names: dict[int, tuple[Text, Bbox]] = {}
    if wanted is None:
        names = _place_cluster_names(fig, ax, ax_bbox, network, layout, spec, renderer, blocked)
    # The card's labels get a white halo over the edges; the full map has room and many
    # more labels, and a halo makes each one a costly path.
    shown = _place_labels_with_blocks(fig, ax_bbox, items, renderer, ax, blocked, halo=halo)
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
        name, box = names.pop(cluster.id)
        name.remove()
        blocked.remove(box)
        missing = [v for v in members if v not in labelled][: need - len(labelled)]
        more = [
            (str(graph.nodes[v].get("label", v)), *pos[v], radii[v], font_of(v), "#222222", False)
            for v in missing
        ]
        _place_labels_with_blocks(fig, ax_bbox, more, renderer, ax, blocked, halo=halo, rings=3)
        _place_cluster_names(
            fig, ax, ax_bbox, network, layout, spec, renderer, blocked, only={cluster.id}
        )
    return fig


def _wrap_caption(fig: Figure, caption: str, size: float) -> str:
    """The caption, broken after its first part (what the map is made of) when too wide."""
    probe = Text(0, 0, caption, fontsize=size, figure=fig)
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    width = probe.get_window_extent(renderer=renderer).width
    if width <= 0.96 * fig.bbox.width or " · " not in caption:
        return caption
    head, _, rest = caption.partition(" · ")
    return f"{head}\n{rest}"


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


def _place_cluster_names(
    fig: Figure,
    ax: object,
    ax_bbox: Bbox,
    network: TermNetwork,
    layout: Layout,
    spec: _Spec,
    renderer: object,
    blocked: list[Bbox],
    only: Collection[int] | None = None,
) -> dict[int, tuple[Text, Bbox]]:
    """Write each cluster's name beside its core, on the side away from the map's centre.

    Returns each placed name (by cluster id) with the box it blocks. ``only``: just these
    clusters.

    The core is the middle of the cluster's strongest terms (a force layout spreads a big
    cluster thin, so its mean position can lie among other clusters). Spots are tried from
    near to far; the first where the name overlaps nothing is taken.
    """
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    pos = layout.positions
    graph = network.graph
    everything = np.array([pos[v] for v in pos]) if pos else np.zeros((1, 2))
    centre = everything.mean(axis=0)
    to_px = ax.transData
    circles = []
    for v, (x, y) in pos.items():
        cx, cy = to_px.transform((x, y))
        r = to_px.transform((x + layout.radii.get(v, 0.0), y))[0] - cx
        circles.append(Bbox.from_extents(cx - r, cy - r, cx + r, cy + r))
    all_nodes = list(pos)
    all_xy = np.array([pos[v] for v in all_nodes]) if all_nodes else np.zeros((0, 2))
    names: dict[int, tuple[Text, Bbox]] = {}
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
        spots = []
        ha = "left" if direction[0] > 0.35 else "right" if direction[0] < -0.35 else "center"
        va = "bottom" if direction[1] > 0.35 else "top" if direction[1] < -0.35 else "center"
        for step in (0.5, 1.0, 0.0, 1.5, 2.0):
            x, y = to_px.transform(tuple(middle + direction * (reach * step + 0.03)))
            spots.append((float(x), float(y), ha, va))
        far: list[tuple[float, float, str, str]] = []
        for step in (0.5, 1.0, 1.5, 2.5):  # then above, below, left or right of the core
            where = spots if step <= 1.5 else far
            for sign, v_align in ((1, "bottom"), (-1, "top")):
                x, y = to_px.transform((middle[0], middle[1] + sign * (reach * step + 0.03)))
                where.append((float(x), float(y), "center", v_align))
            for sign, h_align in ((1, "left"), (-1, "right")):
                x, y = to_px.transform((middle[0] + sign * (reach * step + 0.03), middle[1]))
                where.append((float(x), float(y), h_align, "center"))
        # Last resort: a sweep of directions and distances around the core.
        for distance in (0.1, 0.18, 0.28, 0.4):
            for angle in np.linspace(0.0, 2 * math.pi, 16, endpoint=False):
                dx, dy = math.cos(angle), math.sin(angle)
                x, y = to_px.transform((middle[0] + dx * distance, middle[1] + dy * distance))
                far.append(
                    (
                        float(x),
                        float(y),
                        "left" if dx > 0.35 else "right" if dx < -0.35 else "center",
                        "bottom" if dy > 0.35 else "top" if dy < -0.35 else "center",
                    )
                )
        # Beside the cluster means near it and off the circles: first near and clear of
        # every node, then near and clear of labels only, then farther out.
        for tries, avoid in ((spots, circles), (spots, ()), (far, ())):
            shown = _place_one(
                fig,
                ax_bbox,
                name,
                tries,
                spec.name_font,
                colour,
                True,
                renderer,
                blocked,
                _NAME_GID,
                obstacles=avoid,
            )
            if shown is not None:
                names[cluster.id] = (shown, blocked[-1])
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


def _place_one(
    fig: Figure,
    ax_bbox: Bbox,
    text: str,
    spots: Sequence[tuple[float, float, str, str]],
    size: float,
    colour: str,
    bold: bool,
    renderer: object,
    placed: list[Bbox],
    gid: str,
    halo: bool = True,
    obstacles: Sequence[Bbox] = (),
) -> Text | None:
    """Draw ``text`` at the first spot where it fits inside the map and overlaps nothing.

    The text is measured once; each spot's box is that extent moved by the alignment, and
    the chosen spot is measured again as drawn, so what is checked is what is seen.
    """
    if not spots:
        return None
    sx, sy, ha, va = spots[0]
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
    label.set_gid(gid)
    if halo:
        label.set_path_effects([patheffects.withStroke(linewidth=2.0, foreground="white")])
    first = label.get_window_extent(renderer=renderer)  # type: ignore[arg-type]
    width, height = first.width, first.height
    # Where the box sits relative to the anchor, per alignment (from the first measure).
    dx0 = first.x0 - sx + {"left": 0.0, "center": width / 2, "right": width}[ha]
    dy0 = first.y0 - sy + {"bottom": 0.0, "center": height / 2, "top": height}[va]
    for sx, sy, ha, va in spots:
        x0 = sx + dx0 - {"left": 0.0, "center": width / 2, "right": width}[ha]
        y0 = sy + dy0 - {"bottom": 0.0, "center": height / 2, "top": height}[va]
        box = Bbox.from_bounds(x0, y0, width, height)
        if not (ax_bbox.contains(box.x0, box.y0) and ax_bbox.contains(box.x1, box.y1)):
            continue
        if any(box.overlaps(other) for other in placed):
            continue
        if any(box.overlaps(other) for other in obstacles):
            continue
        label.set_position((sx, sy))
        label.set_horizontalalignment(ha)  # type: ignore[arg-type]
        label.set_verticalalignment(va)  # type: ignore[arg-type]
        if (sx, sy, ha, va) != spots[0]:
            # Moved: measure where it is drawn (the moved box is a close estimate).
            box = label.get_window_extent(renderer=renderer)  # type: ignore[arg-type]
            if any(box.overlaps(other) for other in placed):
                continue
        placed.append(box.expanded(1.03, 1.08))
        fig.add_artist(label)
        return label
    return None


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


def _place_labels_with_blocks(
    fig: Figure,
    ax_bbox: Bbox,
    items: Sequence[tuple[str, float, float, float, float, str, bool]],
    renderer: object,
    ax: object,
    blocked: list[Bbox],
    *,
    halo: bool = True,
    rings: int = 1,
) -> list[Text]:
    """Place labels around areas already taken (the legend, the cluster names).

    ``rings`` > 1 adds spots further out (two and three times as far), for a label a
    cluster needs to reach its minimum when the spots near its node are all taken.
    """
    from matplotlib.axes import Axes

    assert isinstance(ax, Axes)
    placed: list[Bbox] = list(blocked)
    texts: list[Text] = []
    to_px = ax.transData
    for text, x, y, radius, size, colour, bold in items:
        cx, cy = to_px.transform((x, y))
        rx = to_px.transform((x + radius, y))[0] - cx
        pad = 1.5
        d = (rx + pad) * 0.75
        far = rx + pad + 9.0
        spots: tuple[tuple[float, float, str, str], ...] = (
            (cx, cy, "center", "center"),
            (cx + rx + pad, cy, "left", "center"),
            (cx, cy + rx + pad, "center", "bottom"),
            (cx, cy - rx - pad, "center", "top"),
            (cx - rx - pad, cy, "right", "center"),
            (cx + d, cy + d, "left", "bottom"),
            (cx - d, cy + d, "right", "bottom"),
            (cx + d, cy - d, "left", "top"),
            (cx - d, cy - d, "right", "top"),
            (cx, cy + far, "center", "bottom"),
            (cx, cy - far, "center", "top"),
            (cx + far, cy, "left", "center"),
            (cx - far, cy, "right", "center"),
            (cx + far * 0.8, cy + far * 0.8, "left", "bottom"),
            (cx - far * 0.8, cy + far * 0.8, "right", "bottom"),
            (cx + far * 0.8, cy - far * 0.8, "left", "top"),
            (cx - far * 0.8, cy - far * 0.8, "right", "top"),
        )
        for ring in range(2, rings + 1):
            out, diag = far * ring, far * ring * 0.7
            spots += (
                (cx, cy + out, "center", "bottom"),
                (cx, cy - out, "center", "top"),
                (cx + out, cy, "left", "center"),
                (cx - out, cy, "right", "center"),
                (cx + diag, cy + diag, "left", "bottom"),
                (cx - diag, cy + diag, "right", "bottom"),
                (cx + diag, cy - diag, "left", "top"),
                (cx - diag, cy - diag, "right", "top"),
            )
        label = _place_one(
            fig, ax_bbox, text, spots, size, colour, bold, renderer, placed, _TERM_GID, halo
        )
        if label is not None:
            texts.append(label)
    blocked[:] = placed
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
        # Text as text, not glyph outlines: smaller, faster, and searchable in the file.
        with rc_context({"svg.fonttype": "none"}):
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
