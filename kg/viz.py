"""pyvis views of the NetworkX projection: self-contained HTML pages (vis.js inlined) that work offline.

Contract:

- ``render(g, out, ...)`` / ``page(g, ...)`` draw any projection subgraph (``kg.graph.nx``): colour
  and shape per class with a legend, node size by degree or evidence, edge colour per predicate,
  negative-only edges dashed, hypotheses (``hypothesis=True`` edges) dotted magenta; tooltips
  (and a click panel) with label, class, external ids, evidence count and the top sources as links.
  Above ``max_nodes`` only the most connected nodes are kept and the page says what was left out.
- Positions come from ``layout`` below (cached per graph version) and physics is off,
  so the browser only draws: DESIGN.md measured 0.4 s for 2,000 nodes against 20 s with physics.
- ``overview_html``, ``focus_html(store_path, curie, hops, out)`` (an ego view, what a server's
  /graph/{curie} page needs) and ``query_html`` (a CONSTRUCT query's subgraph) read the store and
  write a page; they raise ``UnknownEntityError`` (with the nearest labels) for an unknown entity and
  ``EmptyResultError`` rather than write an empty page. ``page`` returns the HTML as a string.
- Every text that comes from data is escaped (``html.escape``) before it reaches HTML, and pyvis
  serialises node data with Jinja's ``tojson`` (``<``, ``>``, ``&`` escaped), so a label or sentence
  can never inject script. Only http(s) IRIs become links.
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
import pyoxigraph as ox
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from .errors import InputError, QueryError
from .errors import EmptyResultError
from .graph.nx import CLASSES, from_store, resolve
from .graph.store import open_store
from .ids import compress, expand

COLOURS = {
    "Agent": ("#e4572e", "dot"), "Platform": ("#17bebb", "diamond"), "Receptor": ("#76b041", "triangle"),
    "Tumour": ("#7b2cbf", "square"), "TMEBarrier": ("#ffc914", "star"), "CombinationPartner": ("#2e86ab", "dot"),
    "ClinicalTrial": ("#8d99ae", "box"), "Other": ("#cccccc", "dot"),
}
EDGE_COLOURS = {
    "nkv:usesPlatform": "#17bebb", "nkv:targets": "#76b041", "nkv:testedIn": "#7b2cbf", "nkv:combinedWith": "#2e86ab",
    "nkv:counters": "#f4a261", "nkv:limitedBy": "#d62828", "nkv:evaluatedIn": "#8d99ae", "nkv:condition": "#b8b8d1",
}
HYPOTHESIS_COLOUR = "#ff00aa"
MAX_NODES = 1500
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

def _names(values, known: set[str], prefix: str, what: str) -> set[str]:
    """Comma-separated names (``Agent``; ``targets`` or ``nkv:targets``) checked against ``known``."""
    out = set()
    for part in filter(None, (p.strip() for value in values for p in value.split(","))):
        name = part if part.startswith(prefix) else prefix + part
        if name not in known:
            shown = ", ".join(sorted(k.removeprefix(prefix) for k in known))
            raise InputError(f"unknown {what} {part!r}; known: {shown}")
        out.add(name)
    return out


def filter_graph(g: nx.MultiDiGraph, classes=(), predicates=(), min_evidence: int = 0, keep=()) -> nx.MultiDiGraph:
    """Nodes of ``classes`` (any of a node's classes), edges of ``predicates`` with at least
    ``min_evidence`` pieces of evidence (hypothesis edges pass the evidence filter); with an edge
    filter, nodes left without edges go. Nodes in ``keep`` always stay."""
    keep_cls = _names(classes, set(CLASSES), "", "class")
    keep_pred = _names(predicates, set(EDGE_COLOURS) | {d["predicate"] for *_e, d in g.edges(data=True)},
                       "nkv:", "predicate")
    if min_evidence < 0:
        raise InputError("--min-evidence must be 0 or more")
    h = g.copy()
    if keep_cls:
        h.remove_nodes_from([n for n, d in g.nodes(data=True)
                             if not keep_cls & set(d.get("classes", [])) and n not in keep])
    drop = [(s, o, k) for s, o, k, d in h.edges(keys=True, data=True) if (keep_pred and d["predicate"] not in keep_pred)
            or (d.get("evidence", 0) < min_evidence and not d.get("hypothesis"))]
    h.remove_edges_from(drop)
    if keep_pred or min_evidence > 0:
        h.remove_nodes_from([n for n in list(h) if h.degree(n) == 0 and n not in keep])
    return h


def most_connected(g: nx.MultiDiGraph, max_nodes: int) -> tuple[nx.MultiDiGraph, str]:
    """The ``max_nodes`` best-connected nodes, and a sentence saying what was left out ('' if nothing)."""
    if g.number_of_nodes() <= max_nodes:
        return g, ""
    keep = sorted(g.nodes, key=lambda n: (-g.degree(n), n))[:max_nodes]
    h = g.subgraph(keep).copy()
    left = Counter(g.nodes[n].get("cls", "Other") for n in g if n not in h)
    by_class = ", ".join(f"{v} {k}" for k, v in left.most_common())
    return h, (f"Showing the {max_nodes} most connected of {g.number_of_nodes()} nodes: left out "
               f"{g.number_of_nodes() - max_nodes} nodes ({by_class}) and {g.number_of_edges() - h.number_of_edges()} "
               "edges. Use --focus, --classes, --predicates or --min-evidence to see them.")


def ego(g: nx.MultiDiGraph, name: str, hops: int) -> nx.MultiDiGraph:
    """The entity ``name`` (CURIE, label or synonym) and everything within ``hops`` edges of it."""
    if hops < 1:
        raise InputError("--hops must be at least 1")
    node = resolve(g, name)
    h = nx.ego_graph(g, node, radius=hops, undirected=True)
    if h.number_of_edges() == 0:
        raise EmptyResultError(f"{g.nodes[node].get('label', node)} ({node}) has no edges in the graph: nothing to draw")
    return h


def construct_graph(store: ox.Store, g: nx.MultiDiGraph, query: str) -> nx.MultiDiGraph:
    """The subgraph a SPARQL CONSTRUCT query returns: its triples between IRIs, with each edge's
    evidence attributes when the projection has that statement."""
    from .query import run

    result = run(store, query)
    if not isinstance(result, ox.QueryTriples):
        raise QueryError("--query needs a CONSTRUCT query (it returned solutions, not triples)")
    h = nx.MultiDiGraph()
    for t in result:
        if not isinstance(t.object, ox.NamedNode) or not isinstance(t.subject, ox.NamedNode):
            continue
        s, p, o = compress(t.subject.value), compress(t.predicate.value), compress(t.object.value)
        for n in (s, o):
            h.add_node(n, **(g.nodes[n] if n in g else {"label": n, "cls": "Other", "classes": ["Other"], "xrefs": []}))
        known = [(k, d) for k, d in (g[s][o].items() if g.has_edge(s, o) else []) if d["predicate"] == p]
        for k, d in known or [(f"{s} {p} {o}", {"predicate": p, "evidence": 0, "sources": [], "negated": False})]:
            h.add_edge(s, o, key=k, **d)
    if h.number_of_edges() == 0:
        raise EmptyResultError("the query returned no triples between entities: nothing to draw")
    return h


def add_hypotheses(g: nx.MultiDiGraph, store: ox.Store) -> int:
    """Add the stored hypotheses (``kg.hypotheses.GRAPH``) between nodes of ``g`` as
    ``hypothesis=True`` edges; return how many."""
    from .hypotheses import stored

    rows = stored(store)
    if not rows:
        raise EmptyResultError("no hypotheses in the store: run `nkkg hypotheses` first")
    n = 0
    for r in rows:
        if r["subject"] in g and r["object"] in g:
            g.add_edge(r["subject"], r["object"], key="hypothesis " + r["predicate"], predicate=r["predicate"],
                       hypothesis=True, score=r["score"], method=r["method"], paths=r["paths"], evidence=0, sources=[])
            n += 1
    return n


# ---------------------------------------------------------------------------- tooltips

def _link(iri: str) -> str:
    text = html.escape(compress(iri))
    if re.match(r"^https?://", iri):
        return f'<a href="{html.escape(iri, quote=True)}" target="_blank" rel="noopener noreferrer">{text}</a>'
    return text


def _xref(curie: str) -> str:
    try:
        return _link(expand(curie))
    except InputError:
        return html.escape(curie)


def top_sources(g: nx.MultiDiGraph, n: str, k: int = 5) -> list[str]:
    counts = Counter(src for _s, _o, d in _incident(g, n) for src in d.get("sources", []))
    return [s for s, _c in counts.most_common(k)]


def _incident(g: nx.MultiDiGraph, n: str):
    yield from g.out_edges(n, data=True)
    yield from g.in_edges(n, data=True)


def node_info(g: nx.MultiDiGraph, n: str) -> str:
    """Tooltip HTML of a node: every data value escaped."""
    d = g.nodes[n]
    evidence = sum(e.get("evidence", 0) for _s, _o, e in _incident(g, n))
    ids = ", ".join(_xref(x) for x in d.get("xrefs", [])) or "none"
    sources = ", ".join(_link(s) for s in top_sources(g, n)) or "none"
    return (f"<b>{html.escape(d.get('label', n))}</b><br>{html.escape(n)}<br>class: "
            f"{html.escape(', '.join(d.get('classes', [])))}<br>ids: {ids}<br>evidence: {evidence}"
            f"<br>top sources: {sources}")


def edge_info(g: nx.MultiDiGraph, s: str, o: str, d: dict) -> str:
    head = (f"{html.escape(g.nodes[s].get('label', s))} <i>{html.escape(d['predicate'])}</i> "
            f"{html.escape(g.nodes[o].get('label', o))}")
    if d.get("hypothesis"):
        paths = "<br>".join(html.escape(p) for p in d.get("paths", [])[:3])
        return (f"<b>hypothesis</b>: {head}<br>score: {d['score']:.4g} ({html.escape(d['method'])})"
                f"<br>{paths}")
    status = " (negative evidence only)" if d.get("negated") else ""
    sources = ", ".join(_link(x) for x in d.get("sources", [])[:5]) or "none"
    return f"{head}{status}<br>evidence: {d.get('evidence', 0)}<br>sources: {sources}"


# ---------------------------------------------------------------------------- page

def _legend(note: str, title: str, g: nx.MultiDiGraph) -> str:
    nodes = "".join(f'<span class="nk-key"><span style="color:{c}">&#9679;</span> {html.escape(k)} ({s})</span>'
                    for k, (c, s) in COLOURS.items() if k != "Other")
    edges = "".join(f'<span class="nk-key"><span style="color:{c}">&#9473;</span> {html.escape(p)}</span>'
                    for p, c in EDGE_COLOURS.items())
    edges += (f'<span class="nk-key">&#9476; dashed: negative evidence only</span>'
              f'<span class="nk-key"><span style="color:{HYPOTHESIS_COLOUR}">&#8943;</span> dotted: hypothesis</span>')
    return (f'<div id="nkkg-legend"><b>{html.escape(title)}</b> {g.number_of_nodes()} nodes, '
            f'{g.number_of_edges()} edges. <span id="nkkg-note">{html.escape(note)}</span><br>{nodes}<br>{edges}</div>'
            '<div id="nkkg-info">Hover or click a node or edge for its evidence.</div>')


STYLE = """<style>body{font-family:sans-serif;margin:0} #nkkg-legend{padding:6px;font-size:13px}
.nk-key{margin-right:12px;white-space:nowrap} #nkkg-info{position:absolute;right:8px;top:90px;z-index:5;max-width:340px;
background:#fff;border:1px solid #ccc;padding:6px;font-size:12px} .nkkg-tip{max-width:420px;white-space:normal}
#nkkg-extra{clear:both;padding:6px;font-size:13px} #mynetwork{box-sizing:border-box}</style>"""

SCRIPT = """<script type="text/javascript">
(function () {
  function tip(text) { var d = document.createElement("div"); d.className = "nkkg-tip"; d.innerHTML = text; return d; }
  nodes.update(nodes.get().filter(function (n) { return n.info; }).map(function (n) { return {id: n.id, title: tip(n.info)}; }));
  edges.update(edges.get().filter(function (e) { return e.info; }).map(function (e) { return {id: e.id, title: tip(e.info)}; }));
  var panel = document.getElementById("nkkg-info");
  network.on("click", function (p) {
    var item = p.nodes.length ? nodes.get(p.nodes[0]) : (p.edges.length ? edges.get(p.edges[0]) : null);
    if (item && item.info) { panel.innerHTML = item.info; }
  });
  network.once("afterDrawing", function () { window.nkkgDrawnMs = performance.now(); });
  network.fit({animation: false});
  network.redraw();
})();
</script>"""


def _size(g: nx.MultiDiGraph, n: str, size_by: str) -> float:
    value = g.degree(n) if size_by == "degree" else sum(d.get("evidence", 0) for _s, _o, d in _incident(g, n))
    return round(8 + min(32.0, 4 * float(np.sqrt(value))), 1)


def _edge_style(d: dict) -> dict:
    if d.get("hypothesis"):
        return {"color": HYPOTHESIS_COLOUR, "dashes": [2, 5], "width": 2}
    return {"color": EDGE_COLOURS.get(d["predicate"], "#999999"), "dashes": [6, 6] if d.get("negated") else False,
            "width": 1 + min(5, d.get("evidence", 1))}


def network(g: nx.MultiDiGraph, size_by: str = "degree", cache_dir: Path | None = None) -> Network:
    """The pyvis Network of ``g`` with positions, styles and tooltip HTML (``info``) set."""
    if size_by not in ("degree", "evidence"):
        raise InputError("--size-by must be 'degree' or 'evidence'")
    pos = layout(g, cache_dir)
    net = Network(height="820px", width="100%", directed=True, cdn_resources="in_line", heading="")
    net.set_options(json.dumps({
        "physics": {"enabled": False},
        "edges": {"smooth": False, "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}}},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": g.number_of_nodes() > 1000},
    }))
    for n, d in g.nodes(data=True):  # pyvis's add_node/add_edge scan lists (quadratic); same records, built directly
        colour, shape = COLOURS.get(d.get("cls", "Other"), COLOURS["Other"])
        x, y = pos[n]
        label = d.get("label", n)
        node = Node(n, shape, label=label if len(label) <= 28 else label[:27] + "\u2026", color=colour,
                    size=_size(g, n, size_by), x=x, y=y, info=node_info(g, n))
        net.nodes.append(node.options)
        net.node_ids.append(n)
        net.node_map[n] = node.options
    for s, o, d in g.edges(data=True):
        net.edges.append(Edge(s, o, True, info=edge_info(g, s, o, d), **_edge_style(d)).options)
    return net


def page(g: nx.MultiDiGraph, title: str = "nkkg", max_nodes: int = MAX_NODES, size_by: str = "degree",
         cache_dir: Path | None = None, note: str = "", extra_html: str = "") -> str:
    """The HTML page of ``g`` (see the module docstring). ``extra_html`` must already be escaped."""
    if g.number_of_nodes() == 0:
        raise EmptyResultError("nothing to draw: the graph is empty (check the filters)")
    g, left_out = most_connected(g, max_nodes)
    text = network(g, size_by, cache_dir).generate_html(notebook=False)
    text = re.sub(r'<link[^>]*href="https?://[^"]*"[^>]*/?>|<script[^>]*src="https?://[^"]*"[^>]*>\s*</script>', "", text)
    text = re.sub(r"<center>\s*<h1>\s*</h1>\s*</center>|<!--\s*<link[^>]*node_modules.*?-->", "", text, flags=re.S)
    text = text.replace("</head>", STYLE + "\n</head>", 1)
    text = text.replace("<body>", "<body>\n" + _legend(" ".join(x for x in (note, left_out) if x), title, g), 1)
    extra = f'<div id="nkkg-extra">{extra_html}</div>' if extra_html else ""
    head, _sep, tail = text.rpartition("</body>")
    return head + extra + SCRIPT + "\n</body>" + tail


def render(g: nx.MultiDiGraph, path: Path, title: str = "nkkg", max_nodes: int = MAX_NODES, **kwargs) -> Path:
    """Write ``page(g, ...)`` to ``path`` (creating its folder); return the path."""
    path = Path(path)
    text = page(g, title=title, max_nodes=max_nodes, **kwargs)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _cache(out: Path, cache_dir: Path | None) -> Path:
    return Path(cache_dir) if cache_dir else Path(out).parent / ".layout-cache"


def _describe(classes, predicates, min_evidence) -> str:
    parts = [f"classes {', '.join(classes)}" if classes else "",
             f"predicates {', '.join(predicates)}" if predicates else "",
             f"at least {min_evidence} evidence" if min_evidence else ""]
    shown = ", ".join(p for p in parts if p)
    return f"Filtered: {shown}." if shown else ""


def overview_html(store_path: Path, out: Path, *, classes=(), predicates=(), min_evidence: int = 0,
                  hypotheses: bool = False, cache_dir: Path | None = None, **kwargs) -> Path:
    """The whole graph (filtered; capped at ``max_nodes``, default ``MAX_NODES``) as ``out``;
    ``hypotheses`` adds the stored hypotheses. ``kwargs`` go to ``page``."""
    store = open_store(store_path, read_only=True)
    g = from_store(store)
    note = [f"{add_hypotheses(g, store)} hypotheses drawn dotted." if hypotheses else ""]
    g = filter_graph(g, classes, predicates, min_evidence)
    note.insert(0, _describe(classes, predicates, min_evidence))
    return render(g, out, title="nkkg overview", cache_dir=_cache(out, cache_dir),
                  note=" ".join(n for n in note if n), **kwargs)


def focus_html(store_path: Path, curie: str, hops: int, out: Path, *, classes=(), predicates=(),
               min_evidence: int = 0, hypotheses: bool = False, cache_dir: Path | None = None, **kwargs) -> Path:
    """The ego view of ``curie`` (or an exact label/synonym) within ``hops`` edges, as ``out``; the
    same filters as the overview apply around it (the entity itself always stays)."""
    store = open_store(store_path, read_only=True)
    g = from_store(store)
    node = resolve(g, curie)
    if hypotheses:
        add_hypotheses(g, store)
    h = ego(filter_graph(g, classes, predicates, min_evidence, keep={node}), node, hops)
    title = f"{g.nodes[node].get('label', node)} ({node}), {hops} hop{'s' if hops != 1 else ''}"
    return render(h, out, title=title, cache_dir=_cache(out, cache_dir),
                  note=_describe(classes, predicates, min_evidence), **kwargs)


def query_html(store_path: Path, query: str, out: Path, *, cache_dir: Path | None = None, **kwargs) -> Path:
    """The subgraph a CONSTRUCT query returns, as ``out``."""
    store = open_store(store_path, read_only=True)
    h = construct_graph(store, from_store(store), query)
    return render(h, out, title="nkkg query result", cache_dir=_cache(out, cache_dir), **kwargs)
