"""Which part of the graph a view shows: filters, the most connected nodes, ego views, CONSTRUCT
subgraphs and the hypotheses overlay."""

from __future__ import annotations

from collections import Counter

import networkx as nx
import pyoxigraph as ox

from ..errors import EmptyResultError, InputError, QueryError
from ..graph.nx import CLASSES, resolve
from ..ids import compress
from .style import EDGE_COLOURS


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
    from ..query import run

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
    from ..hypotheses import stored

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
