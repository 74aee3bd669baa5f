"""Ranked, explained candidate links that no source asserts, kept apart from asserted facts.

Contract:

- ``rank(g, kind, method, top)`` scores every candidate pair of ``kind`` (``KINDS``: an agent and a
  tumour it was never tested in, a partner it was never combined with, a barrier it is not reported
  to counter) on the undirected, asserted-only view of the typed graph (``nx.simple_view``) and returns
  the ``top`` as ``Hypothesis`` records: score, method and up to three supporting paths, each hop with
  its statement, evidence count, confidence and sources. Scores of 0 are never returned.
- Methods (``METHODS``): ``resource-allocation`` and ``adamic-adar`` (networkx's indices: shared
  neighbours, i.e. open-discovery A-B-C paths, weighted by 1/degree or 1/log degree of B) and
  ``local-path`` (resource allocation over paths of length 2 plus ``EPSILON`` times length 3, so an
  agent that targets a receptor, or counters a barrier, shared with agents tested in a tumour
  scores for that tumour).
- ``save(store, hypotheses, kinds)`` writes them as ``nkv:Hypothesis`` nodes (``nkv:hypothesisSubject``,
  ``nkv:hypothesisPredicate``, ``nkv:hypothesisObject``, ``nkv:score``, ``nkv:method``, one ``nkv:path``
  per supporting path and ``nkv:supportingStatement`` for the statements those paths run through)
  into the named graph ``GRAPH`` only, replacing the earlier hypotheses of the same kinds; no direct
  triple is ever asserted.
- ``backtest(store, year, ...)`` rebuilds the graph from evidence dated up to ``year``, ranks that
  graph's candidates and counts how many links first published after ``year`` land in the top k,
  against the mean of seeded random orderings of the same candidates.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field

import networkx as nx
import pyoxigraph as ox

from .errors import InputError
from .graph.nx import Hop, from_store, hop, simple_view
from .ids import GRAPH_BASE, ID_BASE, NKV, digest, expand

GRAPH = GRAPH_BASE + "hypotheses"
EPSILON = 0.1


@dataclass(frozen=True)
class Kind:
    name: str
    predicate: str
    subject: str
    object: str
    symmetric: bool = False


KINDS = {k.name: k for k in (
    Kind("agent-tumour", "nkv:testedIn", "Agent", "Tumour"),
    Kind("agent-partner", "nkv:combinedWith", "Agent", "CombinationPartner", symmetric=True),
    Kind("agent-barrier", "nkv:counters", "Agent", "TMEBarrier"),
)}


@dataclass(frozen=True)
class Hypothesis:
    subject: str
    predicate: str
    object: str
    score: float
    method: str
    paths: tuple[tuple[Hop, ...], ...] = field(default=())

    @property
    def iri(self) -> str:
        return f"{ID_BASE}hypothesis/{digest(self.subject, self.predicate, self.object, self.method)}"


def kind_of(name: str) -> Kind:
    if name not in KINDS:
        raise InputError(f"unknown hypothesis kind {name!r}; choose one of {', '.join(KINDS)}")
    return KINDS[name]


def candidates(g: nx.MultiDiGraph, kind: Kind, h: nx.Graph | None = None) -> list[tuple[str, str]]:
    """Pairs (subject, object) of the kind's classes, both with some asserted edge, not linked by the
    kind's predicate (asserted or negative) nor by any other asserted edge; a symmetric predicate
    (``nkv:combinedWith``) gives each unordered pair once."""
    h = h if h is not None else simple_view(g)
    linked = {(s, o) for s, o, d in g.edges(data=True) if d["predicate"] == kind.predicate}
    linked |= {(o, s) for s, o in linked}
    subjects = sorted(n for n, d in g.nodes(data=True) if kind.subject in d["classes"] and h.degree(n))
    objects = sorted(n for n, d in g.nodes(data=True) if kind.object in d["classes"] and h.degree(n))
    out, seen = [], set()
    for a in subjects:
        for b in objects:
            key = frozenset((a, b)) if kind.symmetric else (a, b)
            if a != b and (a, b) not in linked and not h.has_edge(a, b) and key not in seen:
                seen.add(key)
                out.append((a, b))
    return out


def _local_path(h: nx.Graph, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], float]:
    out: dict[tuple[str, str], float] = {}
    by_source: dict[str, list[str]] = defaultdict(list)
    for a, b in pairs:
        by_source[a].append(b)
    for a, targets in by_source.items():
        two: dict[str, float] = defaultdict(float)
        for x in h[a]:
            for y in h[x]:
                if y != a:
                    two[y] += 1.0 / h.degree(x)
        three: dict[str, float] = defaultdict(float)
        for y, w in two.items():
            for b in h[y]:
                three[b] += w / h.degree(y)
        for b in targets:
            out[(a, b)] = two.get(b, 0.0) + EPSILON * three.get(b, 0.0)
    return out


def _nx_index(fn):
    return lambda h, pairs: {(a, b): s for a, b, s in fn(h, pairs)}


METHODS = {
    "local-path": _local_path,
    "resource-allocation": _nx_index(nx.resource_allocation_index),
    "adamic-adar": _nx_index(nx.adamic_adar_index),
}
DEFAULT_METHOD = "local-path"


def score(h: nx.Graph, pairs: list[tuple[str, str]], method: str) -> dict[tuple[str, str], float]:
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; choose one of {', '.join(METHODS)}")
    return METHODS[method](h, pairs) if pairs else {}


def ordered(scores: dict[tuple[str, str], float], seed: int = 0) -> list[tuple[str, str]]:
    """Pairs by score, highest first; ties broken by a seeded shuffle, never by name."""
    pairs = sorted(scores)
    random.Random(seed).shuffle(pairs)
    tiebreak = {p: i for i, p in enumerate(pairs)}
    return sorted(pairs, key=lambda p: (-scores[p], tiebreak[p]))


def supporting_paths(g: nx.MultiDiGraph, h: nx.Graph, a: str, b: str, limit: int = 3,
                     scan: int = 5000) -> tuple[tuple[Hop, ...], ...]:
    """Up to ``limit`` paths of 2-3 hops from a to b, by their share of the score (1/degree of inner
    nodes) and then by the weakest hop's evidence."""
    found = []
    for i, path in enumerate(nx.all_simple_paths(h, a, b, cutoff=3)):
        if i >= scan:
            break
        weight = math.prod(1.0 / h.degree(x) for x in path[1:-1]) * (EPSILON if len(path) == 4 else 1.0)
        found.append((weight, min(h[u][v]["support"] for u, v in zip(path, path[1:])), path))
    found.sort(key=lambda t: (-t[0], -t[1], t[2]))
    return tuple(tuple(hop(g, h, u, v) for u, v in zip(p, p[1:])) for _w, _s, p in found[:limit])


def rank(g: nx.MultiDiGraph, kind: str = "agent-tumour", method: str = DEFAULT_METHOD, top: int = 20,
         seed: int = 0) -> list[Hypothesis]:
    """The ``top`` candidate links of ``kind`` with a score above 0, best first, with their paths."""
    k = kind_of(kind)
    h = simple_view(g)
    scores = score(h, candidates(g, k, h), method)
    best = [p for p in ordered(scores, seed) if scores[p] > 0][:top]
    return [Hypothesis(a, k.predicate, b, round(scores[(a, b)], 6), method, supporting_paths(g, h, a, b))
            for a, b in best]


def path_text(path: tuple[Hop, ...], start: str, labels: dict[str, str] | None = None) -> str:
    """``a -[p]-> b <-[q]- c``: each hop printed in its own direction, starting at ``start``; nodes
    by ``labels`` when given, else by CURIE."""
    name = (lambda n: labels.get(n, n)) if labels else (lambda n: n)
    out, at = [name(start)], start
    for step in path:
        forward = step.subject == at
        at = step.object if forward else step.subject
        out.append(f"-[{step.predicate}]-> {name(at)}" if forward else f"<-[{step.predicate}]- {name(at)}")
    return " ".join(out)


def to_quads(hyps: list[Hypothesis], labels: dict[str, str] | None = None) -> list[ox.Quad]:
    """``nkv:Hypothesis`` nodes in ``GRAPH``: subject/predicate/object, score, method, paths and the
    statements the paths run through (``nkv:supportingStatement``)."""
    labels = labels or {}
    g, nkv = ox.NamedNode(GRAPH), lambda t: ox.NamedNode(NKV + t)
    rdf_type = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    dec = ox.NamedNode("http://www.w3.org/2001/XMLSchema#decimal")
    quads: list[ox.Quad] = []
    for hyp in hyps:
        node = ox.NamedNode(hyp.iri)
        add = lambda p, o: quads.append(ox.Quad(node, p, o, g))  # noqa: E731
        add(rdf_type, nkv("Hypothesis"))
        add(label, ox.Literal(f"hypothesis: {labels.get(hyp.subject, hyp.subject)} {hyp.predicate} "
                              f"{labels.get(hyp.object, hyp.object)}"))
        add(nkv("hypothesisSubject"), ox.NamedNode(expand(hyp.subject)))
        add(nkv("hypothesisPredicate"), ox.NamedNode(expand(hyp.predicate)))
        add(nkv("hypothesisObject"), ox.NamedNode(expand(hyp.object)))
        add(nkv("score"), ox.Literal(f"{hyp.score:.6f}", datatype=dec))
        add(nkv("method"), ox.Literal(hyp.method))
        for path in hyp.paths:
            add(nkv("path"), ox.Literal(path_text(path, hyp.subject)))
            for step in path:
                add(nkv("supportingStatement"), ox.NamedNode(f"{ID_BASE}statement/{step.statement}"))
    return list(dict.fromkeys(quads))


def save(store: ox.Store, hyps: list[Hypothesis], kinds: list[str], labels: dict[str, str] | None = None) -> int:
    """Replace the hypotheses of ``kinds`` in ``GRAPH`` (and touch no other graph); return quads written."""
    for name in kinds:
        store.update(f"DELETE WHERE {{ GRAPH <{GRAPH}> {{ ?h <{NKV}hypothesisPredicate> "
                     f"<{expand(kind_of(name).predicate)}> ; ?p ?o }} }}")
    quads = to_quads(hyps, labels)
    store.extend(quads)
    store.flush()
    return len(quads)


STORED = f"""
PREFIX nkv: <{NKV}>
SELECT ?h ?s ?p ?o ?score ?method (GROUP_CONCAT(?path; separator="\\n") AS ?paths) WHERE {{
  GRAPH <{GRAPH}> {{ ?h a nkv:Hypothesis ; nkv:hypothesisSubject ?s ; nkv:hypothesisPredicate ?p ;
                        nkv:hypothesisObject ?o ; nkv:score ?score ; nkv:method ?method .
                     OPTIONAL {{ ?h nkv:path ?path }} }}
}} GROUP BY ?h ?s ?p ?o ?score ?method ORDER BY DESC(?score)
"""


def stored(store: ox.Store) -> list[dict]:
    """The hypotheses in the store: dicts with subject, predicate, object (CURIEs), score, method, paths."""
    from .ids import compress

    return [{"subject": compress(r["s"].value), "predicate": compress(r["p"].value), "object": compress(r["o"].value),
             "score": float(r["score"].value), "method": r["method"].value,
             "paths": [p for p in (r["paths"].value if r["paths"] else "").split("\n") if p]}
            for r in store.query(STORED)]


@dataclass(frozen=True)
class BacktestResult:
    year: int
    kind: str
    method: str
    candidates: int
    future: int
    reachable: int
    hits: dict[int, int]
    random: dict[int, float]


def _future_and_unknown(full: nx.MultiDiGraph, kind: Kind, year: int) -> tuple[set, set]:
    """Links of the kind first published after ``year`` (both directions), and the pairs linked by
    undated or negative-only evidence, whose time or truth is unknown (left out of the candidates)."""
    future, unknown = set(), set()
    for s, o, d in full.edges(data=True):
        if d["predicate"] != kind.predicate:
            continue
        first = d.get("first_year")
        target = future if (not d["negated"] and first is not None and first > year) else unknown
        if d["negated"] or first is None or first > year:
            target |= {(s, o), (o, s)}
    return future, unknown - future


def backtest(store: ox.Store, year: int, kind: str = "agent-tumour", method: str = DEFAULT_METHOD,
             ks: tuple[int, ...] = (10, 50, 100), shuffles: int = 100, seed: int = 0) -> BacktestResult:
    """Rank the candidates of the graph as of ``year``; hits@k of the links first published later,
    and the mean hits@k of ``shuffles`` seeded random orderings of the same candidates."""
    k = kind_of(kind)
    train = from_store(store, until=year)
    h = simple_view(train)
    future, unknown = _future_and_unknown(from_store(store), k, year)
    pairs = [p for p in candidates(train, k, h) if p not in unknown]
    order = ordered(score(h, pairs, method), seed)
    hits = {n: sum(p in future for p in order[:n]) for n in ks}
    rand = {n: 0.0 for n in ks}
    for i in range(shuffles):
        shuffled = list(pairs)
        random.Random(seed + 1 + i).shuffle(shuffled)
        for n in ks:
            rand[n] += sum(p in future for p in shuffled[:n]) / shuffles
    n_future = len({tuple(sorted(p)) for p in future})
    return BacktestResult(year, kind, method, len(pairs), n_future, sum(p in future for p in pairs), hits, rand)
