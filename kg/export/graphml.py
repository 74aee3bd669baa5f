"""GraphML export of the NetworkX projection (``kg.graph.nx.from_store``), for Cytoscape and Gephi.

GraphML attributes must be scalars: list-valued attributes (``classes``, ``xrefs``, ``synonyms``,
``sources``) are joined with ``|`` (lexicon names never contain it), missing values (an undated
edge's ``first_year``) are left out, and every other value keeps its type (int, float, bool, str).
Node ids are CURIEs; ``label`` is the display name both tools pick up.
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx
import pyoxigraph as ox

from ..graph.nx import from_store

SEPARATOR = "|"


def _scalars(data: dict) -> dict:
    return {k: (SEPARATOR.join(map(str, v)) if isinstance(v, (list, tuple, set)) else v)
            for k, v in data.items() if v is not None}


def scalar_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy of ``g`` whose attribute values are all GraphML scalars."""
    out = nx.MultiDiGraph()
    out.add_nodes_from((n, _scalars(d)) for n, d in g.nodes(data=True))
    out.add_edges_from((s, o, k, _scalars(d)) for s, o, k, d in g.edges(keys=True, data=True))
    return out


def write(g: nx.MultiDiGraph, path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nx.write_graphml(scalar_graph(g), path, encoding="utf-8")
    return path


def export(store: ox.Store, path: Path) -> str:
    g = from_store(store)
    write(g, path)
    return f"{g.number_of_nodes()} nodes and {g.number_of_edges()} edges as GraphML to {path}"
