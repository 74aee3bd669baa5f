"""Node positions computed in Python (physics off in the browser), cached per graph version."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import networkx as nx
import numpy as np

SMALL_LAYOUT = 300
LAYOUT_VERSION = "2"


# ---------------------------------------------------------------------------- layout

def _grid_layout(n: int, u: np.ndarray, v: np.ndarray, iterations: int = 60, seed: int = 7) -> np.ndarray:
    """Fruchterman-Reingold with repulsion from grid-cell centroids (O(n * cells + edges) per step)
    from a spectral start (power iteration on the edge list): scales where networkx's layouts are
    O(n^2) per step or need scipy."""
    rng = np.random.default_rng(seed)
    deg = np.bincount(u, minlength=n) + np.bincount(v, minlength=n) + 1.0
    x = rng.normal(size=(n, 2))
    for _ in range(30):
        ax = np.stack([np.bincount(u, x[v, j], n) + np.bincount(v, x[u, j], n) for j in (0, 1)], axis=1)
        x = 0.5 * (x + ax / deg[:, None])
        x -= (deg[:, None] * x).sum(0) / deg.sum()
        x, _ = np.linalg.qr(x)
    pos = (x / (np.abs(x).max(0) + 1e-12) + rng.normal(scale=0.05, size=(n, 2))) * np.sqrt(n)
    cells = int(np.clip(np.sqrt(n) / 3, 4, 24))
    temp = np.sqrt(n) / 5
    for _ in range(iterations):
        lo, span = pos.min(0), np.ptp(pos, 0) + 1e-9
        cell = np.clip(((pos - lo) / span * cells).astype(int), 0, cells - 1)
        cid = cell[:, 0] * cells + cell[:, 1]
        mass = np.bincount(cid, minlength=cells * cells).astype(float)
        cent = np.stack([np.bincount(cid, pos[:, j], cells * cells) for j in (0, 1)], 1) / np.maximum(mass, 1)[:, None]
        occ = np.nonzero(mass)[0]
        c, m, cc = cent[occ], mass[occ], (cent[occ] ** 2).sum(1)
        disp = np.empty_like(pos)
        for start in range(0, n, 4096):  # repulsion m/d from every cell centroid, as matrix products
            p = pos[start:start + 4096]
            w = m / np.maximum((p * p).sum(1)[:, None] + cc[None, :] - 2 * p @ c.T, 0.01)
            disp[start:start + 4096] = p * w.sum(1)[:, None] - w @ c
        own = pos - cent[cid]  # a node does not repel itself: take its own unit of mass back out
        disp -= own / np.maximum((own ** 2).sum(1), 0.01)[:, None]
        delta = pos[u] - pos[v]
        pull = delta * np.linalg.norm(delta, axis=1)[:, None]
        for j in (0, 1):
            disp[:, j] += np.bincount(v, pull[:, j], n) - np.bincount(u, pull[:, j], n)
        disp -= 0.02 * (pos - pos.mean(0)) * np.sqrt(deg)[:, None]
        length = np.linalg.norm(disp, axis=1)[:, None] + 1e-9
        pos += disp / length * np.minimum(length, temp)
        temp *= 0.95
    return pos


def graph_key(g: nx.Graph) -> str:
    """A hash of node and edge ids (the graph version a layout belongs to)."""
    h = hashlib.sha256(LAYOUT_VERSION.encode())
    for n in sorted(g.nodes):
        h.update(f"n\x1f{n}\x1e".encode())
    for s, o in sorted((str(s), str(o)) for s, o in g.edges()):
        h.update(f"e\x1f{s}\x1f{o}\x1e".encode())
    return h.hexdigest()[:24]


def _component(h: nx.Graph, nodes: list) -> np.ndarray:
    """Positions of one connected component, centred, scaled to about 45 px per node spacing."""
    if len(nodes) <= 2:
        return np.array([[0.0, 0.0], [60.0, 0.0]][:len(nodes)])
    if len(nodes) <= SMALL_LAYOUT:
        raw = nx.forceatlas2_layout(h.subgraph(nodes), seed=7, max_iter=100, scaling_ratio=5.0)
        arr = np.array([raw[n] for n in nodes], dtype=float)
    else:
        index = {n: i for i, n in enumerate(nodes)}
        edges = np.array([(index[a], index[b]) for a, b in h.subgraph(nodes).edges()], dtype=int).reshape(-1, 2)
        arr = _grid_layout(len(nodes), edges[:, 0], edges[:, 1])
    arr -= arr.mean(0)
    spread = np.percentile(np.linalg.norm(arr, axis=1), 90) + 1e-9
    return arr * (45.0 * np.sqrt(len(nodes)) / spread)


def _pack(parts: list[np.ndarray], gap: float = 110.0) -> list[np.ndarray]:
    """Shelf-pack components (largest first) into rows no wider than the largest or sqrt(total area)."""
    boxes = [(p.min(0), p.max(0)) for p in parts]
    width = max(max(hi[0] - lo[0] for lo, hi in boxes), np.sqrt(sum(np.prod(hi - lo + gap) for lo, hi in boxes)))
    out, x, y, row = [], 0.0, 0.0, 0.0
    for p, (lo, hi) in zip(parts, boxes):
        w, h = hi - lo
        if x > 0 and x + w > width:
            x, y, row = 0.0, y + row + gap, 0.0
        out.append(p - lo + np.array([x, y]))
        x, row = x + w + gap, max(row, h)
    return out


def layout(g: nx.Graph, cache_dir: Path | None = None) -> dict:
    """Node -> (x, y) in pixels. Each connected component is laid out alone (networkx ForceAtlas2 up to
    ``SMALL_LAYOUT`` nodes, the grid layout above) and the components are packed in rows, largest
    first. Layouts of graphs with more than 200 nodes are cached in ``cache_dir`` by ``graph_key``."""
    if g.number_of_nodes() == 0:
        return {}
    cache = Path(cache_dir) / f"layout-{graph_key(g)}.json" if cache_dir and len(g) > 200 else None
    if cache is not None and cache.is_file():
        try:
            return {n: tuple(p) for n, p in json.loads(cache.read_text(encoding="utf-8")).items()}
        except (ValueError, OSError):
            pass
    h = nx.Graph(g)
    h.remove_edges_from(nx.selfloop_edges(h))
    comps = [sorted(c) for c in sorted(nx.connected_components(h), key=lambda c: (-len(c), min(c)))]
    placed = _pack([_component(h, c) for c in comps])
    pos = {n: (round(float(x), 1), round(float(y), 1)) for c, arr in zip(comps, placed) for n, (x, y) in zip(c, arr)}
    if cache is not None:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_text(json.dumps(pos), encoding="utf-8")
    return pos


# ---------------------------------------------------------------------------- subgraphs
