"""Counts per class and per predicate over the store (union of graphs)."""

from __future__ import annotations

import pyoxigraph as ox

from .ids import compress

CLASS_COUNTS = "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c ORDER BY DESC(?n)"
PREDICATE_COUNTS = "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY DESC(?n)"


def _counts(store: ox.Store, query: str) -> dict[str, int]:
    return {compress(row[0].value): int(row[1].value) for row in store.query(query, use_default_graph_as_union=True)}


def stats(store: ox.Store) -> dict:
    triples = {q.triple for q in store.quads_for_pattern(None, None, None, None)}
    graphs = sum(1 for _ in store.named_graphs())
    return {"quads": len(store), "triples": len(triples), "named_graphs": graphs,
            "classes": _counts(store, CLASS_COUNTS), "predicates": _counts(store, PREDICATE_COUNTS)}
