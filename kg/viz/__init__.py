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

from pathlib import Path

from ..graph.nx import from_store, resolve
from ..graph.store import open_store
from . import layout as layout_module  # noqa: F401
from .layout import graph_key, layout  # noqa: F401
from .page import _link, edge_info, network, node_info, page, render, top_sources  # noqa: F401
from .select import add_hypotheses, construct_graph, ego, filter_graph, most_connected  # noqa: F401
from .style import COLOURS, EDGE_COLOURS, HYPOTHESIS_COLOUR, MAX_NODES  # noqa: F401


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
