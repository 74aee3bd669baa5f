"""The NetworkX view: a MultiDiGraph of entities and their evidenced edges, read from the store.

Nodes carry label, class and external ids; edges carry predicate, statement id, evidence count,
best confidence and whether every piece of evidence is negated.
"""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox

from ..ids import compress

CLASSES = ["Platform", "Agent", "Receptor", "Tumour", "TMEBarrier", "CombinationPartner", "ClinicalTrial"]

EDGES = """
PREFIX nkv: <https://w3id.org/nkvkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
SELECT ?st ?sid ?s ?p ?o (COUNT(DISTINCT ?ev) AS ?n) (MAX(?c) AS ?conf)
       (SUM(IF(?neg, 0, 1)) AS ?positive) (GROUP_CONCAT(DISTINCT STR(?src); separator=" ") AS ?sources)
WHERE {
  ?st a nkv:Statement ; nkv:statementId ?sid ; rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o ; nkv:evidence ?ev .
  ?ev nkv:confidence ?c ; nkv:negated ?neg ; <http://purl.org/dc/terms/source> ?src .
} GROUP BY ?st ?sid ?s ?p ?o
"""
NODES = """
PREFIX nkv: <https://w3id.org/nkvkg/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?n ?cls (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT STR(?x); separator=" ") AS ?xrefs) WHERE {
  ?n a ?cls . FILTER(?cls IN (nkv:Platform, nkv:Agent, nkv:Receptor, nkv:Tumour, nkv:TMEBarrier,
                              nkv:CombinationPartner, nkv:ClinicalTrial))
  OPTIONAL { ?n rdfs:label ?l } OPTIONAL { ?n skos:exactMatch ?x }
} GROUP BY ?n ?cls
"""


def _v(term) -> str:
    return term.value if term is not None else ""


def from_store(store: ox.Store) -> nx.MultiDiGraph:
    g = nx.MultiDiGraph()
    for row in store.query(NODES, use_default_graph_as_union=True):
        node = compress(_v(row["n"]))
        cls = _v(row["cls"]).rsplit("#", 1)[-1]
        data = g.nodes[node] if node in g else {}
        classes = sorted(set(data.get("classes", [])) | {cls}, key=CLASSES.index)
        g.add_node(node, label=_v(row["label"]) or node.split(":", 1)[-1], cls=classes[0], classes=classes,
                   xrefs=[compress(x) for x in _v(row["xrefs"]).split()])
    for row in store.query(EDGES, use_default_graph_as_union=True):
        s, o = compress(_v(row["s"])), compress(_v(row["o"]))
        for n in (s, o):
            if n not in g:
                g.add_node(n, label=n.split(":", 1)[-1], cls="Other", classes=["Other"], xrefs=[])
        g.add_edge(s, o, key=_v(row["sid"]), predicate=compress(_v(row["p"])), statement=_v(row["sid"]),
                   evidence=int(_v(row["n"])), confidence=float(_v(row["conf"])),
                   negated=int(_v(row["positive"])) == 0, sources=sorted(set(_v(row["sources"]).split())))
    return g
