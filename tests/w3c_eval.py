"""Run W3C SPARQL 1.1 query-evaluation and syntax tests through an HTTP endpoint.

Each test's default-graph data is loaded into its own graph ``urn:w3c:<n>:default`` and its named
graph data under the data file's URI; the query is sent with ``default-graph-uri`` (unless it names
its own dataset with FROM) and a ``BASE`` of the query file's URI (the protocol has no base
parameter). Results are compared with the expected files: SELECT as multisets of bindings (blank
nodes matched by a consistent relabelling), ASK as booleans, CONSTRUCT by graph isomorphism.
"""

from __future__ import annotations

import io
import itertools
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
from rdflib import BNode, Graph, Namespace
from rdflib.collection import Collection
from rdflib.compare import isomorphic
from rdflib.namespace import RDF
from rdflib.query import Result

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
QT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-query#")
DAWGT = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-dawg#")
EVAL, POS, NEG = MF.QueryEvaluationTest, MF.PositiveSyntaxTest11, MF.NegativeSyntaxTest11
RDF_FORMATS = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES, ".rdf": ox.RdfFormat.RDF_XML,
               ".trig": ox.RdfFormat.TRIG, ".nq": ox.RdfFormat.N_QUADS}


@dataclass
class Case:
    name: str
    kind: str  # eval | positive | negative
    query: Path
    data: list[Path]
    graph_data: list[Path]
    result: Path | None
    default_graph: str


def _path(uri) -> Path:
    return Path(urlsplit(str(uri)).path)


def load_cases(folder: Path, counter: itertools.count) -> list[Case]:
    g = Graph().parse(folder / "manifest.ttl", format="turtle", publicID=(folder / "manifest.ttl").as_uri())
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    entries = g.value(manifest, MF.entries)
    cases = []
    for test in Collection(g, entries) if entries else []:
        kind = {EVAL: "eval", POS: "positive", NEG: "negative"}.get(g.value(test, RDF.type))
        if kind is None or (test, DAWGT.approval, DAWGT.Withdrawn) in g:
            continue
        action = g.value(test, MF.action)
        if kind == "eval":
            q = g.value(action, QT.query)
            data = [_path(d) for d in g.objects(action, QT.data)]
            gdata = [_path(d) for d in g.objects(action, QT.graphData)]
            res = g.value(test, MF.result)
            cases.append(Case(f"{folder.name}/{str(test).split('#')[-1]}", kind, _path(q), data, gdata,
                              _path(res) if res else None, f"urn:w3c:{next(counter)}:default"))
        else:
            cases.append(Case(f"{folder.name}/{str(test).split('#')[-1]}", kind, _path(action), [], [], None, ""))
    return cases


def load_store(store: ox.Store, cases: list[Case]) -> None:
    loaded: set[str] = set()
    for c in cases:
        for d in c.data:
            store.load(d.read_bytes(), format=RDF_FORMATS.get(d.suffix, ox.RdfFormat.TURTLE), base_iri=d.as_uri(),
                       to_graph=ox.NamedNode(c.default_graph))
        for d in c.graph_data:
            if d.as_uri() not in loaded:
                store.load(d.read_bytes(), format=RDF_FORMATS.get(d.suffix, ox.RdfFormat.TURTLE), base_iri=d.as_uri(),
                           to_graph=ox.NamedNode(d.as_uri()))
                loaded.add(d.as_uri())


def _bindings(result: Result) -> list[dict]:
    return [{str(k): v for k, v in row.asdict().items()} for row in result]


def _same_solutions(a: list[dict], b: list[dict]) -> bool:
    if len(a) != len(b):
        return False

    def norm(rows, mapping):
        return sorted(tuple(sorted((k, mapping.get(v, v) if isinstance(v, BNode) else v) for k, v in r.items()))
                      for r in rows)

    if not any(isinstance(v, BNode) for r in a + b for v in r.values()):
        return norm(a, {}) == norm(b, {})
    # relabel blank nodes of both sides by first appearance in a canonical order of the other terms
    def relabel(rows):
        mapping, counter = {}, itertools.count()
        for r in sorted(rows, key=lambda r: sorted((k, str(v)) for k, v in r.items() if not isinstance(v, BNode))):
            for k in sorted(r):
                v = r[k]
                if isinstance(v, BNode) and v not in mapping:
                    mapping[v] = BNode(f"b{next(counter)}")
        return mapping
    return norm(a, relabel(a)) == norm(b, relabel(b))


def expected(case: Case):
    suffix = case.result.suffix
    data = case.result.read_bytes()
    if suffix in (".srx", ".srj", ".tsv", ".csv"):
        fmt = {".srx": "xml", ".srj": "json", ".tsv": "tsv", ".csv": "csv"}[suffix]
        return Result.parse(io.BytesIO(data), format=fmt)
    return Graph().parse(data=data, format="turtle" if suffix == ".ttl" else "xml", publicID=case.result.as_uri())


def run_case(base: str, case: Case) -> tuple[bool, str]:
    text = case.query.read_text(encoding="utf-8")
    query = text if "BASE" in text.upper().split("PREFIX")[0] else f"BASE <{case.query.as_uri()}>\n{text}"
    if case.kind != "eval":
        r = httpx.post(base + "/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"},
                       params={"default-graph-uri": "urn:w3c:none"}, timeout=20)
        ok = (r.status_code == 200) if case.kind == "positive" else (r.status_code == 400)
        return ok, f"status {r.status_code}"
    params = [] if "FROM" in text.upper() else [("default-graph-uri", case.default_graph)] + \
        [("named-graph-uri", d.as_uri()) for d in case.graph_data]
    accept = "application/sparql-results+json, text/turtle;q=0.9"
    r = httpx.post(base + "/sparql", content=query.encode(), params=params,
                   headers={"Content-Type": "application/sparql-query", "Accept": accept}, timeout=20)
    if r.status_code != 200:
        return False, f"status {r.status_code}: {r.text[:120]}"
    exp = expected(case)
    if "json" in r.headers["content-type"]:
        got = Result.parse(io.BytesIO(r.content), format="json")
        if got.type == "ASK" or (isinstance(exp, Result) and exp.type == "ASK"):
            return bool(got.askAnswer) == bool(getattr(exp, "askAnswer", None)), "boolean"
        if not isinstance(exp, Result):
            return False, "expected a graph"
        return _same_solutions(_bindings(got), _bindings(exp)), "solutions differ"
    got_graph = Graph().parse(data=r.text, format="turtle")
    if isinstance(exp, Result):
        exp_graph = exp.graph if exp.graph is not None else Graph()
        return isomorphic(got_graph, exp_graph), "graph differs"
    return isomorphic(got_graph, exp), "graph differs"
