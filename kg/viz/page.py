"""The page itself: pyvis network with styles per class and predicate, escaped tooltips, legend."""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import networkx as nx
import numpy as np
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from ..errors import EmptyResultError, InputError
from ..ids import compress, expand
from .layout import layout
from .select import most_connected
from .style import COLOURS, EDGE_COLOURS, HYPOTHESIS_COLOUR, MAX_NODES


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
