"""The W3C SPARQL 1.1 Protocol tests (../shared/w3c-rdf-tests/sparql/sparql11/protocol/manifest.ttl),
run in manifest order against a real `nkkg serve` whose store holds the tests' graph data.

Update requests go to /update with the bearer token (the protocol lets a service use separate
query and update endpoints; ours requires a token for updates). Every one of the 34 tests runs;
any failure fails the build.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pyoxigraph as ox
import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection

from .server_util import running_server
from .w3c_paths import sparql11_root

SUITE = sparql11_root() / "protocol"  # raises (a collection error, not a skip) when the suites are missing
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TOKEN = "w3c-protocol-test-token"


def _manifest():
    g = Graph().parse(SUITE / "manifest.ttl", format="turtle", publicID=(SUITE / "manifest.ttl").as_uri())
    entries = Collection(g, g.value(next(g.subjects(RDF.type, MF.Manifest)), MF.entries))
    return g, list(entries)


def _graph_data(g: Graph) -> dict[str, Path]:
    data = {}
    for _t, _p, gd in g.triples((None, UT.graphData, None)):
        data[str(g.value(gd, RDFS.label))] = Path(urlsplit(str(g.value(gd, UT.graph))).path)
    return data


GRAPH, ENTRIES = _manifest()


def test_suite_is_present():
    assert SUITE.is_dir(), f"W3C test suite not found at {SUITE}"
    assert len(ENTRIES) == 34


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    store_dir = tmp_path_factory.mktemp("w3c") / "store"
    store = ox.Store(str(store_dir))
    for name, path in _graph_data(GRAPH).items():
        store.load(path.read_bytes(), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    store.flush()
    del store
    with running_server(store_dir, "--timeout", "10", env={"NKKG_UPDATE_TOKEN": TOKEN}) as base:
        yield base


def _requests(test: URIRef):
    action = GRAPH.value(test, MF.action)
    return list(Collection(GRAPH, GRAPH.value(action, HT.requests)))


def _is_update(req, headers: dict, body: bytes, path: str) -> bool:
    media = headers.get("content-type", "")
    return "sparql-update" in media or body.startswith(b"update=") or "update=" in path or \
        "using-graph-uri" in path or "using-named-graph-uri" in path


def _status_ok(status: int, expected: set[str]) -> bool:
    return any(e.endswith(f"StatusCode{status // 100}xx") or e.endswith(f"StatusCode{status}") for e in expected)


def _format_ok(fmt: str, media: str, text: str) -> bool:
    media = media.split(";")[0]
    if fmt == "boolean":
        return media in ("application/sparql-results+json", "application/sparql-results+xml")
    if fmt == "tabular":
        return media in ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                         "text/tab-separated-values")
    if fmt == "RDF":
        return media in ("text/turtle", "application/rdf+xml", "application/n-triples")
    return True


def _boolean(media: str, text: str) -> bool:
    if "json" in media:
        return httpx.Response(200, text=text).json()["boolean"]
    return "<boolean>true</boolean>" in text


@pytest.mark.parametrize("test", ENTRIES, ids=[str(t).split("#")[-1] for t in ENTRIES])
def test_protocol(server, test):
    requests = _requests(test)
    assert requests, "a protocol test without requests"
    for req in requests:
        method = str(GRAPH.value(req, HT.methodName))
        path = str(GRAPH.value(req, HT.absolutePath))
        headers = {}
        hlist = GRAPH.value(req, HT.headers)
        if hlist is not None:
            for h in Collection(GRAPH, hlist):
                headers[str(GRAPH.value(h, HT.fieldName)).lower()] = str(GRAPH.value(h, HT.fieldValue))
        body_node = GRAPH.value(req, HT.body)
        body = b""
        if body_node is not None:
            chars = str(GRAPH.value(body_node, CNT.chars))
            enc = str(GRAPH.value(body_node, CNT.characterEncoding) or "UTF-8")
            body = chars.encode("utf-16" if "16" in enc else "utf-8")
        update = _is_update(req, headers, body, path)
        target = path.replace("/sparql/", "/update" if update else "/sparql", 1)
        if update:
            headers["authorization"] = f"Bearer {TOKEN}"
        resp = httpx.request(method, server + target, headers=headers, content=body or None, timeout=20)
        expect = GRAPH.value(req, HT.resp)
        statuses = {str(s) for s in GRAPH.objects(expect, MF.expectedStatus)}
        assert _status_ok(resp.status_code, statuses), (resp.status_code, resp.text[:200], statuses)
        fmt = GRAPH.value(expect, MF.expectedFormat)
        if fmt is not None:
            assert _format_ok(str(fmt), resp.headers.get("content-type", ""), resp.text), resp.headers.get("content-type")
        expected_bool = GRAPH.value(expect, MF.expectedBoolean)
        if expected_bool is not None:
            assert _boolean(resp.headers.get("content-type", ""), resp.text) == expected_bool.toPython()
