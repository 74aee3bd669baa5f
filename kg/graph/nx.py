"""The NetworkX view: a MultiDiGraph of entities and their evidenced edges, read from the store.

Contract of ``from_store(store, until=None)``:

- nodes are CURIEs of the domain entities (platforms, agents, receptors, tumours, barriers, partners,
  trials) with ``label``, ``cls`` (the first of ``classes`` in ``CLASSES`` order), ``classes``,
  ``xrefs`` (CURIEs of ``skos:exactMatch``) and ``synonyms`` (``skos:altLabel``);
- one edge per statement, keyed by its statement id, with ``predicate`` (CURIE), ``statement``,
  ``evidence`` (number of evidence nodes), ``confidence`` (best), ``negated`` (every piece of evidence
  is negated), ``sources`` (source IRIs, sorted) and ``first_year`` (earliest year of its positive
  evidence, or None when undated);
- ``until=YEAR`` keeps only evidence dated up to YEAR (a source's ``nkv:year``, else the year of a
  trial's ``nkv:startDate``; undated evidence is left out) and drops nodes left without edges.

``simple_view``, ``hop`` and ``resolve`` are the helpers the viz, explain and hypotheses modules share.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import networkx as nx
import pyoxigraph as ox

from ..errors import UnknownEntityError
from ..ids import compress

CLASSES = ["Platform", "Agent", "Receptor", "Tumour", "TMEBarrier", "CombinationPartner", "ClinicalTrial"]
NO_YEAR = 99999
SEP = "\u001f"

EDGES = """
PREFIX nkv: <https://w3id.org/nkvkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
SELECT ?sid ?s ?p ?o (COUNT(DISTINCT ?ev) AS ?n) (MAX(?c) AS ?conf) (SUM(IF(?neg, 0, 1)) AS ?positive)
       (GROUP_CONCAT(DISTINCT STR(?src); separator=" ") AS ?sources) (MIN(?pyear) AS ?first)
WHERE {
  ?st a nkv:Statement ; nkv:statementId ?sid ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; nkv:evidence ?ev .
  ?ev nkv:confidence ?c ; nkv:negated ?neg ; <http://purl.org/dc/terms/source> ?src .
  OPTIONAL { ?src nkv:year ?y } OPTIONAL { ?src nkv:startDate ?sd }
  BIND(COALESCE(xsd:integer(STR(?y)), xsd:integer(SUBSTR(STR(?sd), 1, 4))) AS ?year)
  BIND(IF(?neg, %(none)d, COALESCE(?year, %(none)d)) AS ?pyear)
  %(filter)s
} GROUP BY ?sid ?s ?p ?o
"""
NODES = """
PREFIX nkv: <https://w3id.org/nkvkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n ?cls (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?x); separator=" ") AS ?xrefs)
       (GROUP_CONCAT(DISTINCT STR(?alt); separator="\u001f") AS ?alts) WHERE {
  ?n a ?cls . FILTER(?cls IN (nkv:Platform, nkv:Agent, nkv:Receptor, nkv:Tumour, nkv:TMEBarrier,
                              nkv:CombinationPartner, nkv:ClinicalTrial))
  OPTIONAL { ?n rdfs:label ?l } OPTIONAL { ?n skos:exactMatch ?x } OPTIONAL { ?n skos:altLabel ?alt }
} GROUP BY ?n ?cls
"""


def _v(term) -> str:
    return term.value if term is not None else ""


def _add_node(g: nx.MultiDiGraph, node: str, cls: str, label: str, xrefs: list[str], synonyms: list[str]) -> None:
    data = g.nodes[node] if node in g else {}
    classes = sorted(set(data.get("classes", [])) | {cls}, key=lambda c: CLASSES.index(c) if c in CLASSES else 99)
    g.add_node(node, label=label or data.get("label") or node.split(":", 1)[-1], cls=classes[0], classes=classes,
               xrefs=sorted(set(data.get("xrefs", [])) | set(xrefs)),
               synonyms=sorted(set(data.get("synonyms", [])) | set(synonyms)))


def from_store(store: ox.Store, until: int | None = None) -> nx.MultiDiGraph:
    """The projection of the store (see the module docstring); ``until`` restricts evidence by year."""
    g = nx.MultiDiGraph()
    for row in store.query(NODES, use_default_graph_as_union=True):
        _add_node(g, compress(_v(row["n"])), _v(row["cls"]).rsplit("#", 1)[-1], _v(row["label"]),
                  [compress(x) for x in _v(row["xrefs"]).split()], [a for a in _v(row["alts"]).split(SEP) if a])
    flt = f"FILTER(BOUND(?year) && ?year <= {int(until)})" if until is not None else ""
    for row in store.query(EDGES % {"none": NO_YEAR, "filter": flt}, use_default_graph_as_union=True):
        s, o = compress(_v(row["s"])), compress(_v(row["o"]))
        for n in (s, o):
            if n not in g:
                _add_node(g, n, "Other", "", [], [])
        first = int(_v(row["first"]) or NO_YEAR)
        g.add_edge(s, o, key=_v(row["sid"]), predicate=compress(_v(row["p"])), statement=_v(row["sid"]),
                   evidence=int(_v(row["n"])), confidence=float(_v(row["conf"])),
                   negated=int(_v(row["positive"])) == 0, sources=sorted(set(_v(row["sources"]).split())),
                   first_year=None if first == NO_YEAR else first)
    if until is not None:
        g.remove_nodes_from([n for n in list(g) if g.degree(n) == 0])
    return g


def support(data: dict) -> float:
    """How well an edge is supported: evidence count times best confidence (0 for negative results)."""
    return 0.0 if data.get("negated") else data.get("evidence", 0) * data.get("confidence", 0.0)


def simple_view(g: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of the asserted (not negated-only) edges. Each pair keeps the
    statement edges between it in ``edges`` (``(subject, object, key)``, best supported first) and
    ``support``/``cost`` of the best one, for path ranking."""
    h = nx.Graph()
    h.add_nodes_from(g.nodes(data=True))
    for s, o, k, d in g.edges(keys=True, data=True):
        if d.get("negated") or s == o:
            continue
        if h.has_edge(s, o):
            h[s][o]["edges"].append((s, o, k))
        else:
            h.add_edge(s, o, edges=[(s, o, k)])
    for s, o, d in h.edges(data=True):
        d["edges"].sort(key=lambda e: -support(g.edges[e]))
        d["support"] = max(support(g.edges[d["edges"][0]]), 1e-6)
        d["cost"] = 1.0 / d["support"]
    return h


@dataclass(frozen=True)
class Hop:
    """One statement edge along a path (in its own direction, which may run against the path's)."""

    subject: str
    predicate: str
    object: str
    statement: str
    evidence: int
    confidence: float
    sources: tuple[str, ...]


def hop(g: nx.MultiDiGraph, h: nx.Graph, u: str, v: str) -> Hop:
    """The best-supported statement between ``u`` and ``v`` (``h = simple_view(g)``)."""
    s, o, k = h[u][v]["edges"][0]
    d = g.edges[s, o, k]
    return Hop(s, d["predicate"], o, d["statement"], d["evidence"], d["confidence"], tuple(d["sources"][:3]))


def names(g: nx.Graph) -> dict[str, str]:
    """Every casefolded CURIE, label and synonym -> node."""
    out: dict[str, str] = {}
    for n, d in sorted(g.nodes(data=True), key=lambda nd: -g.degree(nd[0])):
        for name in (n, d.get("label", ""), *d.get("synonyms", [])):
            out.setdefault(name.casefold(), n)
    return out


def resolve(g: nx.Graph, name: str) -> str:
    """A CURIE, IRI, exact label or synonym (case-insensitive) -> node; else ``UnknownEntityError``
    with the nearest labels (difflib)."""
    name = name.strip()
    if name in g:
        return name
    if compress(name) in g:
        return compress(name)
    table = names(g)
    if name.casefold() in table:
        return table[name.casefold()]
    close = difflib.get_close_matches(name.casefold(), list(table), n=5, cutoff=0.6)
    suggestions = []
    for c in close:
        node = table[c]
        text = f"{g.nodes[node].get('label', node)} ({node})"
        if text not in suggestions:
            suggestions.append(text)
    raise UnknownEntityError(name, suggestions)
