"""Explain how two entities connect: the best-supported paths between them, with evidence per hop.

Contract of ``explain(store, a, b, max_paths, max_hops)``:

- ``a`` and ``b`` are CURIEs, IRIs or exact labels/synonyms (``kg.graph.nx.resolve``); an unknown
  name raises ``UnknownEntityError`` with the nearest labels.
- Paths run over asserted edges only (negative-only statements support nothing), in either
  direction, up to ``max_hops`` hops. A hop costs ``1 + 1/support`` where support is the best
  statement's evidence count times its confidence, so fewer hops come first and, among as many
  hops, better-supported ones (Yen's k shortest simple paths, networkx ``shortest_simple_paths``).
- Each hop carries its statement's evidence from the store (source, sentence, confidence), the
  positive, most confident evidence with a sentence first. No path raises ``EmptyResultError``.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from .errors import InputError
from .errors import EmptyResultError
from .graph.nx import Hop, hop, resolve, simple_view
from .ids import NKV, compress

EVIDENCE = """
PREFIX nkv: <%s>
PREFIX dcterms: <http://purl.org/dc/terms/>
SELECT ?sid ?src ?sentence ?conf ?neg WHERE {
  VALUES ?sid { %s }
  ?st nkv:statementId ?sid ; nkv:evidence ?ev .
  ?ev dcterms:source ?src ; nkv:confidence ?conf ; nkv:negated ?neg .
  OPTIONAL { ?ev nkv:sentence ?sentence }
}
"""


@dataclass(frozen=True)
class EvidenceLine:
    source: str
    sentence: str | None
    confidence: float
    negated: bool


@dataclass(frozen=True)
class Step:
    hop: Hop
    forward: bool
    evidence: tuple[EvidenceLine, ...]


@dataclass(frozen=True)
class Path:
    nodes: tuple[str, ...]
    steps: tuple[Step, ...]
    cost: float

    @property
    def weakest(self) -> Hop:
        return min((s.hop for s in self.steps), key=lambda h: h.evidence * h.confidence)


@dataclass(frozen=True)
class Explanation:
    a: str
    b: str
    paths: tuple[Path, ...]
    labels: dict


def hop_cost(u, v, d) -> float:
    return 1.0 + 1.0 / d["support"]


def find_paths(g: nx.MultiDiGraph, a: str, b: str, max_paths: int = 5, max_hops: int = 4) -> list[tuple[list, float]]:
    """Up to ``max_paths`` simple paths (node lists) of at most ``max_hops`` hops, cheapest first."""
    if max_paths < 1 or max_hops < 1:
        raise InputError("--max-paths and --max-hops must be at least 1")
    if a == b:
        raise InputError(f"both ends are {a}: give two different entities")
    h = simple_view(g)
    found = []
    try:
        for path in itertools.islice(nx.shortest_simple_paths(h, a, b, weight=hop_cost), 50 * max_paths):
            if len(path) - 1 <= max_hops:
                found.append((path, sum(hop_cost(u, v, h[u][v]) for u, v in zip(path, path[1:]))))
                if len(found) == max_paths:
                    break
    except nx.NetworkXNoPath:
        pass
    return found


def evidence_for(store: ox.Store, statements: set[str], per_statement: int = 2) -> dict[str, tuple[EvidenceLine, ...]]:
    """The best ``per_statement`` pieces of evidence of each statement id."""
    if not statements:
        return {}
    values = " ".join('"%s"' % s.replace("\\", "").replace('"', "") for s in sorted(statements))
    rows: dict[str, list[EvidenceLine]] = {}
    for r in store.query(EVIDENCE % (NKV, values), use_default_graph_as_union=True):
        rows.setdefault(r["sid"].value, []).append(EvidenceLine(
            r["src"].value, r["sentence"].value if r["sentence"] else None, float(r["conf"].value),
            r["neg"].value == "true"))
    rank = lambda e: (e.negated, e.sentence is None, -e.confidence, e.source)  # noqa: E731
    return {sid: tuple(sorted(set(evs), key=rank)[:per_statement]) for sid, evs in rows.items()}


def explain(store: ox.Store, g: nx.MultiDiGraph, a: str, b: str, max_paths: int = 5,
            max_hops: int = 4) -> Explanation:
    """The best-supported paths from ``a`` to ``b`` in ``g`` (the store's projection), with evidence."""
    na, nb = resolve(g, a), resolve(g, b)
    found = find_paths(g, na, nb, max_paths, max_hops)
    labels = {n: d.get("label", n) for n, d in g.nodes(data=True)}
    if not found:
        raise EmptyResultError(f"no path between {labels[na]} ({na}) and {labels[nb]} ({nb}) "
                               f"within {max_hops} hops of asserted edges")
    h = simple_view(g)
    hops = [[hop(g, h, u, v) for u, v in zip(p, p[1:])] for p, _c in found]
    ev = evidence_for(store, {x.statement for hs in hops for x in hs})
    paths = tuple(Path(tuple(p), tuple(Step(x, x.subject == u, ev.get(x.statement, ())) for x, u in zip(hs, p)), c)
                  for (p, c), hs in zip(found, hops))
    return Explanation(na, nb, paths, labels)


def _name(ex: Explanation, n: str) -> str:
    return f"{ex.labels.get(n, n)} ({n})"


def format_text(ex: Explanation) -> str:
    """Plain text: each path, then each hop with its evidence sentence and source."""
    lines = [f"{len(ex.paths)} path(s) from {_name(ex, ex.a)} to {_name(ex, ex.b)}, best supported first:"]
    for i, p in enumerate(ex.paths, 1):
        w = p.weakest
        lines.append(f"\n{i}. {' -> '.join(ex.labels.get(n, n) for n in p.nodes)}  ({len(p.steps)} hop(s), cost "
                     f"{p.cost:.2f}; weakest hop {w.evidence} evidence at confidence {w.confidence:.2f})")
        for s in p.steps:
            arrow = f"--{s.hop.predicate}-->" if s.forward else f"<--{s.hop.predicate}--"
            u, v = (s.hop.subject, s.hop.object) if s.forward else (s.hop.object, s.hop.subject)
            lines.append(f"   {_name(ex, u)} {arrow} {_name(ex, v)}  [{s.hop.evidence} evidence, "
                         f"confidence {s.hop.confidence:.2f}]")
            for e in s.evidence:
                text = f'"{e.sentence}"' if e.sentence else "(no sentence: curated or lexicon record)"
                lines.append(f"      {text} ({compress(e.source)}{', negated' if e.negated else ''})")
    return "\n".join(lines)


def format_html(ex: Explanation) -> str:
    """The same as HTML, every data value escaped; sources as links."""
    from .viz import _link

    items = []
    for p in ex.paths:
        hops = []
        for s in p.steps:
            ev = "".join(f"<li>{html.escape(e.sentence or '(no sentence)')} ({_link(e.source)})</li>" for e in s.evidence)
            hops.append(f"<li>{html.escape(ex.labels.get(s.hop.subject, s.hop.subject))} "
                        f"<i>{html.escape(s.hop.predicate)}</i> {html.escape(ex.labels.get(s.hop.object, s.hop.object))}"
                        f" [{s.hop.evidence} evidence]<ul>{ev}</ul></li>")
        items.append(f"<li>{html.escape(' → '.join(ex.labels.get(n, n) for n in p.nodes))}<ul>{''.join(hops)}</ul></li>")
    return f"<h3>Paths, best supported first</h3><ol>{''.join(items)}</ol>"


def subgraph(g: nx.MultiDiGraph, ex: Explanation) -> nx.MultiDiGraph:
    """The nodes and statement edges of the paths, for drawing."""
    keep = nx.MultiDiGraph()
    for p in ex.paths:
        for s in p.steps:
            for n in (s.hop.subject, s.hop.object):
                keep.add_node(n, **g.nodes[n])
            key = next(k for k, d in g[s.hop.subject][s.hop.object].items() if d["statement"] == s.hop.statement)
            keep.add_edge(s.hop.subject, s.hop.object, key=key, **g.edges[s.hop.subject, s.hop.object, key])
    return keep
