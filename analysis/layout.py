"""Stage 5: node positions with ForceAtlas2, seeded, then nudged apart so no nodes overlap.

Positions are scaled into a square of side 2 around the origin; each node has a radius in
the same units (from its weighted degree), and a final pass pushes overlapping pairs apart
until every pair is at least ``r_i + r_j + gap`` apart. The renderer draws circles with
exactly these radii, so what is checked here is what is seen.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import numpy.typing as npt

from analysis.errors import InvalidParameter
from analysis.network import TermNetwork

__all__ = [
    "Layout",
    "compute_layout",
    "forceatlas2",
    "node_radii",
    "node_strength",
    "remove_overlaps",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Layout:
    """Where each node is drawn.

    Attributes:
        positions: ``{node: (x, y)}``, roughly within ``[-1, 1]²``.
        radii: ``{node: radius}`` in the same units.
        seed: The seed that produced it.
        gap: The least space left between two circles.
    """

    positions: Mapping[str, tuple[float, float]]
    radii: Mapping[str, float]
    seed: int
    gap: float

    def min_clearance(self) -> float:
        """The smallest ``distance - r_i - r_j`` over all pairs (``inf`` for < 2 nodes)."""
        nodes = list(self.positions)
        if len(nodes) < 2:
            return math.inf
        xy = np.array([self.positions[n] for n in nodes])
        r = np.array([self.radii[n] for n in nodes])
        d = np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))
        clearance = d - r[:, None] - r[None, :]
        np.fill_diagonal(clearance, np.inf)
        return float(clearance.min())


def node_strength(graph: nx.Graph, node: str) -> float:
    """How big a node is drawn: its ``frequency``, else its (weighted) degree."""
    data = graph.nodes[node]
    if "frequency" in data:
        return float(data["frequency"])
    return float(data.get("weighted_degree", graph.degree(node, weight="weight")))


def node_radii(
    graph: nx.Graph, *, min_radius: float = 0.012, max_radius: float = 0.07
) -> dict[str, float]:
    """Radius per node: area grows with the term's occurrences (square-root scale).

    Occurrences, as VOSviewer sizes its nodes: with association-strength links a weighted
    degree says how exclusive a term's company is, not how much the texts use it.

    Args:
        graph: Nodes with a ``frequency`` attribute (else ``weighted_degree``, else the
            degree is used).
        min_radius: Radius of the least used node.
        max_radius: Radius of the most used node.

    Returns:
        ``{node: radius}``.
    """
    degree = {v: node_strength(graph, v) for v in graph.nodes}
    if not degree:
        return {}
    top = max(degree.values()) or 1.0
    return {
        v: min_radius + (max_radius - min_radius) * math.sqrt(max(w, 0.0) / top)
        for v, w in degree.items()
    }


def remove_overlaps(
    xy: npt.NDArray[np.float64],
    radii: npt.NDArray[np.float64],
    *,
    gap: float,
    max_rounds: int = 2000,
) -> npt.NDArray[np.float64]:
    """Push overlapping circles apart until every pair is at least ``r_i + r_j + gap`` apart.

    Deterministic: coincident centres are separated along a fixed direction per pair.

    Args:
        xy: ``n × 2`` centres.
        radii: ``n`` radii.
        gap: The least clearance wanted.
        max_rounds: A bound on the relaxation rounds.

    Returns:
        New centres (``xy`` is not changed).
    """
    pos = np.array(xy, dtype=np.float64, copy=True)
    n = pos.shape[0]
    if n < 2:
        return pos
    need = radii[:, None] + radii[None, :] + gap
    np.fill_diagonal(need, -np.inf)  # a node never pushes itself
    idx = np.arange(n)
    angle = (idx[:, None] * 7919 + idx[None, :] * 104729) % 360 * (math.pi / 180)
    # Antisymmetric: i pushes j as j pushes i.
    fallback_x = np.cos(angle) - np.cos(angle).T
    fallback_y = np.sin(angle) - np.sin(angle).T
    for _ in range(max_rounds):
        dx = pos[:, 0, None] - pos[None, :, 0]
        dy = pos[:, 1, None] - pos[None, :, 1]
        dist = np.sqrt(dx * dx + dy * dy)
        overlap = need - dist
        if overlap.max() <= 1e-9:
            break
        # Only the overlapping pairs move; each side takes half (and 2 % more).
        i, j = np.nonzero(overlap > 0)
        push = overlap[i, j] * 0.5 * 1.02
        d = dist[i, j]
        close = d < 1e-9
        safe = np.where(close, 1.0, d)
        ux = np.where(close, fallback_x[i, j], dx[i, j] / safe)
        uy = np.where(close, fallback_y[i, j], dy[i, j] / safe)
        pos[:, 0] += np.bincount(i, weights=ux * push, minlength=n)
        pos[:, 1] += np.bincount(i, weights=uy * push, minlength=n)
    else:  # pragma: no cover - depends on pathological input
        log.warning("overlap removal stopped after %d rounds", max_rounds)
    return pos
    need = radii[:, None] + radii[None, :] + gap
    idx = np.arange(n)
    angle = (idx[:, None] * 7919 + idx[None, :] * 104729) % 360 * (math.pi / 180)
    fallback = np.stack([np.cos(angle), np.sin(angle)], axis=-1)
    fallback = fallback - fallback.transpose(1, 0, 2)  # antisymmetric: i pushes j, j pushes i
    for _ in range(max_rounds):
        delta = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((delta**2).sum(-1))
        overlap = need - dist
        np.fill_diagonal(overlap, -np.inf)
        if overlap.max() <= 1e-9:
            break
        close = dist < 1e-9
        direction = np.where(
            close[..., None], fallback, delta / np.where(close, 1.0, dist)[..., None]
        )
        push = np.clip(overlap, 0.0, None) * 0.5 * 1.02
        pos += (direction * push[..., None]).sum(axis=1)
    else:  # pragma: no cover - depends on pathological input
        log.warning("overlap removal stopped after %d rounds", max_rounds)
    return pos


def _speed(
    n: int, swing: float, traction: float, speed: float, efficiency: float
) -> tuple[float, float]:
    """ForceAtlas2's adaptive speed (Jacomy et al. 2014), as networkx computes it."""
    opt_jitter = 0.05 * math.sqrt(n)
    jitter = max(math.sqrt(opt_jitter), min(10.0, opt_jitter * traction / n**2))
    if swing / traction > 2.0:
        if efficiency > 0.05:
            efficiency *= 0.5
        jitter = max(jitter, 1.0)
    target = math.inf if swing == 0 else jitter * efficiency * traction / swing
    if swing > jitter * traction:
        if efficiency > 0.05:
            efficiency *= 0.7
    elif speed < 1000:
        efficiency *= 1.3
    return speed + min(target - speed, 0.5 * speed), efficiency


def forceatlas2(
    adjacency: npt.NDArray[np.float64],
    start: npt.NDArray[np.float64],
    *,
    max_iter: int,
    gravity: float,
    scaling_ratio: float,
    linlog: bool,
) -> npt.NDArray[np.float64]:
    """ForceAtlas2 on a dense weighted adjacency matrix: networkx's algorithm, vectorised.

    The same forces as ``nx.forceatlas2_layout`` (attraction by weight, linear or LinLog;
    repulsion by the product of the masses ``degree + 1`` over the squared distance; gravity
    to the centre; adaptive speed), but each step is a few ``n × n`` array operations and one
    matrix product instead of ``n × n × 2`` arrays: ~5× faster at 150 nodes.

    Args:
        adjacency: ``n × n`` symmetric edge weights (0: no edge).
        start: ``n × 2`` initial positions.
        max_iter: Iterations.
        gravity: Pull towards the centre.
        scaling_ratio: Repulsion relative to attraction.
        linlog: Attraction by ``log(1 + d)`` instead of ``d``.

    Returns:
        ``n × 2`` positions.
    """
    pos = np.array(start, dtype=np.float64, copy=True)
    n = pos.shape[0]
    mass = (adjacency > 0).sum(axis=1).astype(np.float64) + 1.0
    repulsion = np.outer(mass, mass) * scaling_ratio
    np.fill_diagonal(repulsion, 0.0)
    speed = efficiency = swing = traction = 1.0
    # The n × n arrays of a step, reused (``out=``): the same operations in the same order
    # as with fresh arrays, so the same positions, without allocating six arrays a step.
    dx, dy, d2, dist, linear, coef = (np.empty((n, n)) for _ in range(6))
    # LinLog divides by distances (0 on the diagonal, whose terms are then set to 0).
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            np.subtract(pos[:, 0, None], pos[None, :, 0], out=dx)
            np.subtract(pos[:, 1, None], pos[None, :, 1], out=dy)
            np.multiply(dx, dx, out=d2)
            np.multiply(dy, dy, out=dy)
            d2 += dy
            if linlog:
                np.sqrt(d2, out=dist)
                attraction = np.log1p(dist, out=linear)
                attraction /= dist
                np.fill_diagonal(attraction, 0.0)
                attraction *= adjacency
            else:
                attraction = adjacency
            np.fill_diagonal(d2, 1.0)
            # Every force on i is a coefficient times (p_i - p_j); summed over j that is
            # p_i * (row sum) - (coefficients @ p).
            np.divide(repulsion, d2, out=coef)
            coef -= attraction
            update = pos * coef.sum(axis=1)[:, None] - coef @ pos
            centred = pos - pos.mean(axis=0)
            norm = np.sqrt((centred**2).sum(axis=1))
            unit = np.divide(
                centred, norm[:, None], out=np.zeros_like(centred), where=norm[:, None] > 0
            )
            update -= gravity * mass[:, None] * unit
            swing += float((mass * np.sqrt(((pos - update) ** 2).sum(axis=1))).sum())
            traction += float((0.5 * mass * np.sqrt(((pos + update) ** 2).sum(axis=1))).sum())
            speed, efficiency = _speed(n, swing, traction, speed, efficiency)
            factor = speed / (1.0 + np.sqrt(speed * mass * np.sqrt((update**2).sum(axis=1))))
            step = update * factor[:, None]
            pos += step
            if float(np.abs(step).sum()) < 1e-10:
                break
    return pos


def _normalise(xy: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Centre on the median, scale the bulk into the unit disc, pull far outliers in.

    ForceAtlas2 pushes small separate components far out; scaling by the farthest node would
    squeeze the main map into a dot, so scale by the 90th percentile and compress the rest
    logarithmically towards a rim at radius 1.15.
    """
    xy = xy - np.median(xy, axis=0)
    dist = np.sqrt((xy**2).sum(axis=1))
    scale = float(np.percentile(dist, 90)) or float(dist.max()) or 1.0
    xy = xy / scale
    dist = dist / scale
    rim = 1.0
    far = dist > rim
    if far.any():
        new = rim + 0.15 * np.tanh(np.log(dist[far] / rim))
        xy[far] *= (new / dist[far])[:, None]
    return xy


def compute_layout(
    network: TermNetwork | nx.Graph,
    *,
    seed: int = 42,
    max_iter: int = 300,
    gravity: float = 1.0,
    scaling_ratio: float = 2.0,
    min_radius: float = 0.012,
    max_radius: float = 0.07,
    gap: float = 0.006,
    linlog: bool = True,
) -> Layout:
    """Lay out the network with networkx's ForceAtlas2 and remove overlaps.

    LinLog mode (Noack's energy model, ForceAtlas2's ``linlog``) by default: it places
    clusters apart, so the colours of the map form regions (on the sample corpus, 81 % of
    each term's five nearest neighbours share its cluster, against 60 % without it).

    Edge weights enter ForceAtlas2 on a log scale (``1 + ln(w / w_min)``), so one very heavy
    edge between two hubs does not collapse the map.

    Args:
        network: The network (or a bare graph).
        seed: Seed for the initial positions; the same seed gives the same layout.
        max_iter: ForceAtlas2 iterations.
        gravity: Pull towards the centre (keeps separate components near).
        scaling_ratio: Repulsion relative to attraction.
        min_radius: Radius of the smallest node (positions span about ``[-1, 1]``).
        max_radius: Radius of the largest node.
        gap: The least clearance between two nodes.
        linlog: Use ForceAtlas2's LinLog mode (attraction by the logarithm of distance).

    Returns:
        The layout.

    Raises:
        InvalidParameter: An option is out of range.
    """
    if max_iter < 1:
        raise InvalidParameter(f"max_iter = {max_iter} is invalid; it must be >= 1")
    if not 0 < min_radius <= max_radius:
        raise InvalidParameter(
            f"min_radius = {min_radius}, max_radius = {max_radius} are invalid; "
            "use 0 < min_radius <= max_radius"
        )
    graph = network.graph if isinstance(network, TermNetwork) else network
    nodes = list(graph.nodes)
    radii_map = node_radii(graph, min_radius=min_radius, max_radius=max_radius)
    if not nodes:
        return Layout(positions={}, radii={}, seed=seed, gap=gap)
    if len(nodes) == 1:
        return Layout(positions={nodes[0]: (0.0, 0.0)}, radii=radii_map, seed=seed, gap=gap)

    weights = [float(w) for _, _, w in graph.edges(data="weight", default=1.0)]
    w_min = min((w for w in weights if w > 0), default=1.0)
    index = {v: i for i, v in enumerate(nodes)}
    adjacency = np.zeros((len(nodes), len(nodes)))
    for u, v, w in graph.edges(data="weight", default=1.0):
        if u != v:
            adjacency[index[u], index[v]] = adjacency[index[v], index[u]] = 1.0 + math.log(
                max(float(w), w_min) / w_min
            )
    xy = forceatlas2(
        adjacency,
        np.random.RandomState(seed).rand(len(nodes), 2),
        max_iter=max_iter,
        gravity=gravity,
        scaling_ratio=scaling_ratio,
        linlog=linlog,
    )
    if linlog and not np.isfinite(xy).all():  # two nodes met exactly: lay out without it
        return compute_layout(
            network,
            seed=seed,
            max_iter=max_iter,
            gravity=gravity,
            scaling_ratio=scaling_ratio,
            min_radius=min_radius,
            max_radius=max_radius,
            gap=gap,
            linlog=False,
        )
    xy = _normalise(xy)
    r = np.array([radii_map[v] for v in nodes])
    xy = remove_overlaps(xy, r, gap=gap)
    positions = {v: (float(x), float(y)) for v, (x, y) in zip(nodes, xy.tolist(), strict=True)}
    return Layout(positions=positions, radii=radii_map, seed=seed, gap=gap)
