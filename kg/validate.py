"""SHACL validation (pyshacl) of the built graph against ``ontology/shapes.ttl``.

The union of the store's graphs is read into rdflib (the store itself stays read-only), together
with the ontology so that class hierarchy is available to the shapes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from pyshacl import validate as shacl_validate
from rdflib import Graph
from rdflib.namespace import SH

from .errors import ValidationError
from .graph.store import open_store
from .resources import ontology_dir


@dataclass(frozen=True)
class Violation:
    focus: str
    path: str
    message: str
    shape: str


def store_graph(store: ox.Store) -> Graph:
    g = Graph()
    data = ox.serialize((q.triple for q in store.quads_for_pattern(None, None, None, None)), format=ox.RdfFormat.N_TRIPLES)
    g.parse(data=data, format="nt")
    return g


def validate_graph(data: Graph) -> list[Violation]:
    shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    conforms, report, text = shacl_validate(data, shacl_graph=shapes, inference="none", advanced=True,
                                            allow_warnings=True)
    if not isinstance(report, Graph):  # the shapes themselves are broken
        raise ValidationError(f"SHACL validation could not run: {text}")
    if conforms:
        return []
    out = []
    for res in report.subjects(SH.resultSeverity, SH.Violation):
        out.append(Violation(
            focus=str(report.value(res, SH.focusNode)), path=str(report.value(res, SH.resultPath) or ""),
            message=str(report.value(res, SH.resultMessage) or ""), shape=str(report.value(res, SH.sourceShape) or ""),
        ))
    return sorted(out, key=lambda v: (v.focus, v.path, v.message))


def validate_store(path: Path) -> list[Violation]:
    return validate_graph(store_graph(open_store(path, read_only=True)))
