"""Charts for the summary, drawn with :class:`matplotlib.figure.Figure` (never pyplot, so
they are safe in a server thread) and returned as PNG bytes."""

from __future__ import annotations

import importlib
import io
import logging
from collections.abc import Mapping
from typing import Any

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from analysis.summary.labels import label
from analysis.summary.model import (
    CorpusMapData,
    Lang,
    MapRevisited,
    QuestionSection,
    Summary,
    WorkshopData,
)

__all__ = [
    "participation_chart",
    "revisited_map_png",
    "scale_chart",
    "summary_charts",
    "timeline_chart",
]

log = logging.getLogger(__name__)

HIGHLIGHT = "#d9480f"
MUTED = "#adb5bd"
BAR = "#1c7ed6"


def _png(fig: Figure, *, dpi: int = 100) -> bytes:
    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, bbox_inches="tight")
    return buffer.getvalue()


def _short(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def timeline_chart(data: WorkshopData, *, lang: Lang) -> bytes:
    """Answers over time, one row per question in the order asked (only times, no content).

    Args:
        data: The workshop.
        lang: Language of the labels.

    Returns:
        PNG bytes.
    """
    questions = sorted(data.questions, key=lambda q: q.position)
    fig = Figure(figsize=(8, max(2.0, 0.45 * len(questions) + 1)))
    ax = fig.add_subplot()
    for row, q in enumerate(questions):
        if q.opened_offset is not None:
            end = q.closed_offset if q.closed_offset is not None else q.opened_offset
            ax.plot(
                [q.opened_offset / 60, end / 60], [row, row], color=MUTED, linewidth=6, alpha=0.5
            )
        xs = [a.offset_seconds / 60 for a in q.answers]
        ax.scatter(xs, [row] * len(xs), s=18, color=BAR, zorder=3)
    ax.set_yticks(range(len(questions)))
    ax.set_yticklabels([f"{q.position}. {_short(q.text)}" for q in questions], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel(label(lang, "minutes"))
    ax.set_title(label(lang, "chart_timeline"), fontsize=10)
    ax.grid(axis="x", alpha=0.3)
    return _png(fig)


def participation_chart(summary: Summary) -> bytes:
    """Answers per pseudonym, in alphabetical order (a spread, not a ranking)."""
    people = summary.participation.people
    fig = Figure(figsize=(8, max(2.0, 0.3 * len(people) + 1)))
    ax = fig.add_subplot()
    ax.barh([p.pseudonym for p in people], [p.answers for p in people], color=BAR)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    ax.set_title(label(summary.lang, "chart_participation"), fontsize=10)
    return _png(fig)


def scale_chart(section: QuestionSection, *, lang: Lang) -> bytes:
    """A scale or choice question's distribution as bars, in the options' order."""
    fig = Figure(figsize=(6, 3))
    ax = fig.add_subplot()
    options = [_short(o, 20) for o, _ in section.distribution]
    ax.bar(options, [n for _, n in section.distribution], color=BAR)
    ax.tick_params(axis="x", labelsize=7, labelrotation=20)
    ax.set_title(_short(label(lang, "chart_scale", q=section.text), 70), fontsize=9)
    return _png(fig)


def revisited_map_png(
    corpus_map: CorpusMapData, revisited: MapRevisited, *, lang: Lang, seed: int = 7
) -> bytes:
    """Redraw the corpus map with the terms the discussion used highlighted.

    Uses the analysis pipeline's renderer (:mod:`analysis.render`) when it offers a
    highlight option and the map has a graph; otherwise draws the graph (or, without one,
    the clusters as rows of terms) here, blind spots greyed out.
    """
    highlighted = set(revisited.highlighted_terms)
    if corpus_map.snapshot is not None:
        try:
            render = importlib.import_module("analysis.render")
            result = render.render_highlighted(
                corpus_map.snapshot, sorted(highlighted), size="card", title=label(lang, "map")
            )
            if isinstance(result, bytes):
                return result
        except (ImportError, AttributeError, TypeError, ValueError) as exc:
            log.warning("the map renderer failed (%s); drawing a simple map", exc)
    graph = corpus_map.graph
    if graph is None and corpus_map.snapshot is not None:
        graph = getattr(getattr(corpus_map.snapshot, "network", None), "graph", None)
    if graph is not None:
        return _draw_graph(graph, corpus_map.positions, highlighted, revisited, lang, seed)
    return _draw_clusters(corpus_map, revisited, lang)


def _draw_graph(
    graph: Any,
    positions: Mapping[str, tuple[float, float]] | None,
    highlighted: set[str],
    revisited: MapRevisited,
    lang: Lang,
    seed: int,
) -> bytes:
    import networkx as nx

    pos = dict(positions) if positions else nx.spring_layout(graph, seed=seed)
    fig = Figure(figsize=(8, 8))
    ax = fig.add_subplot()
    ax.set_axis_off()
    nodes = [n for n in graph.nodes if n in pos]
    nx.draw_networkx_edges(graph.subgraph(nodes), pos, ax=ax, alpha=0.15, edge_color=MUTED)
    colours = [HIGHLIGHT if n in highlighted else MUTED for n in nodes]
    nx.draw_networkx_nodes(graph, pos, nodelist=nodes, node_color=colours, node_size=40, ax=ax)
    labels = {n: n for n in nodes if n in highlighted}
    nx.draw_networkx_labels(graph, pos, labels=labels, font_size=8, ax=ax)
    ax.set_title(label(lang, "map"), fontsize=11)
    return _png(fig)


def _draw_clusters(corpus_map: CorpusMapData, revisited: MapRevisited, lang: Lang) -> bytes:
    import textwrap

    highlighted = set(revisited.highlighted_terms)
    names = list(corpus_map.clusters)
    rows: list[tuple[str, str, str]] = []
    for name in names:
        terms = corpus_map.clusters[name][:12]
        used = ", ".join(corpus_map.labels.get(t, t) for t in terms if t in highlighted)
        rest = ", ".join(corpus_map.labels.get(t, t) for t in terms if t not in highlighted)
        rows.append((name, used, rest))
    height = sum(1 + (1 if used else 0) + (1 if rest else 0) for _, used, rest in rows) + 2
    fig = Figure(figsize=(8, max(2.0, 0.28 * height)))
    ax = fig.add_subplot()
    ax.set_axis_off()
    y = float(height)
    for name, used, rest in rows:
        blind = name in revisited.blind_spots
        ax.text(
            0,
            y,
            textwrap.shorten(name, 90),
            fontsize=10,
            weight="bold",
            color=MUTED if blind else "black",
        )
        y -= 1
        if used:
            ax.text(0.03, y, textwrap.shorten(used, 110), fontsize=8, color=HIGHLIGHT)
            y -= 1
        if rest:
            ax.text(0.03, y, textwrap.shorten(rest, 110), fontsize=8, color=MUTED)
            y -= 1
    ax.set_xlim(0, 1)
    ax.set_ylim(0, height + 1)
    ax.set_title(label(lang, "map"), fontsize=11)
    return _png(fig)


def summary_charts(
    summary: Summary, data: WorkshopData, *, corpus_map: CorpusMapData | None = None
) -> dict[str, bytes]:
    """Every chart of a summary, by name (``timeline``, ``participation``, ``map``,
    ``scale-<question id>``)."""
    if summary.empty:
        return {}
    charts = {
        "timeline": timeline_chart(data, lang=summary.lang),
        "participation": participation_chart(summary),
    }
    for section in summary.questions:
        if section.distribution:
            charts[f"scale-{section.question_id}"] = scale_chart(section, lang=summary.lang)
    if corpus_map is not None and summary.map is not None:
        charts["map"] = revisited_map_png(corpus_map, summary.map, lang=summary.lang)
    return charts
