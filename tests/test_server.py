"""The SPARQL endpoint with real clients: SPARQLWrapper, rdflib's SPARQLStore and raw HTTP, against a
real uvicorn on 127.0.0.1 serving the default build."""

from __future__ import annotations

import json
import socket
import threading
import time

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from .server_util import running_server

NKV = "https://w3id.org/nkvkg/ontology#"
PREFIX = "PREFIX nkv: <https://w3id.org/nkvkg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "


@pytest.fixture(scope="module")
def server(built):
    with running_server(built / "store", "--timeout", "3", "--max-rows", "50", "--workers", "3",
                        "--per-client", "2") as base:
        yield base


def test_sparqlwrapper_select(server):
    sw = SPARQLWrapper(server + "/sparql")
    sw.setQuery(PREFIX + "SELECT ?t WHERE { <https://w3id.org/nkvkg/id/ilixadencel> nkv:testedIn ?t }")
    sw.setReturnFormat(JSON)
    rows = sw.query().convert()["results"]["bindings"]
    assert "https://w3id.org/nkvkg/id/rcc" in {r["t"]["value"] for r in rows}


def test_rdflib_sparqlstore(server):
    g = Graph(store=SPARQLStore(server + "/sparql", returnFormat="json"))
    rows = list(g.query(PREFIX + "SELECT ?p WHERE { <https://w3id.org/nkvkg/id/ilixadencel> nkv:usesPlatform ?p . "
                                 "FILTER NOT EXISTS { ?p nkv:verified false } }"))
    assert [r[0] for r in rows] == [URIRef("https://w3id.org/nkvkg/id/dendritic-cell-vaccine")]


@pytest.mark.parametrize("accept,marker", [
    ("application/sparql-results+json", '"bindings"'), ("application/sparql-results+xml", "<sparql"),
    ("text/csv", "label\r\n"), ("text/tab-separated-values", "?label\n"),
])
def test_select_content_negotiation(server, accept, marker):
    r = httpx.get(server + "/sparql", params={"query": PREFIX + "SELECT ?label WHERE { ?a a nkv:Agent ; rdfs:label ?label } LIMIT 2"},
                  headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(accept) and marker in r.text


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/n-triples", "nt"),
                                        ("application/ld+json", "json-ld"), ("application/rdf+xml", "xml")])
def test_construct_formats_parse(server, accept, fmt):
    q = PREFIX + "CONSTRUCT { ?a nkv:usesPlatform ?p } WHERE { ?a nkv:usesPlatform ?p } LIMIT 5"
    r = httpx.post(server + "/sparql", content=q, headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200
    g = Graph().parse(data=r.text, format=fmt)
    assert len(g) == 5 and all(str(p) == NKV + "usesPlatform" for _s, p, _o in g)


def test_row_cap_is_signalled(server):
    r = httpx.get(server + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 200 and r.headers["x-nkkg-truncated"] == "true"
    body = r.json()
    assert len(body["results"]["bindings"]) == 50 and "urn:nkkg:result-truncated" in body["head"]["link"]


def test_service_description_and_void(server):
    sd = Graph().parse(data=httpx.get(server + "/sparql").text, format="turtle")
    assert (None, URIRef("http://www.w3.org/ns/sparql-service-description#endpoint"), URIRef(server + "/sparql")) in sd
    void = Graph().parse(data=httpx.get(server + "/void").text, format="turtle")
    assert any(str(p).endswith("#triples") and int(o) > 10000 for _s, p, o in void)


def test_cors_on_queries(server):
    r = httpx.options(server + "/sparql", headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert r.headers.get("access-control-allow-origin") in ("*", "https://example.org")
    r = httpx.get(server + "/sparql", params={"query": "ASK {}"}, headers={"Origin": "https://example.org"})
    assert r.headers.get("access-control-allow-origin") == "*"


@pytest.mark.parametrize("method,kwargs,status", [
    ("GET", {"params": {"query": "SELECT WHERE {"}}, 400),
    ("POST", {"content": "ASK {}", "headers": {"Content-Type": "text/plain"}}, 415),
    ("POST", {"content": "ASK {}"}, 415),
    ("PUT", {"content": "ASK {}", "headers": {"Content-Type": "application/sparql-query"}}, 405),
    ("GET", {"params": [("query", "ASK {}"), ("query", "ASK {}")]}, 400),
    ("POST", {"content": b"ASK { ?s ?p \"\xff\" }", "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ("GET", {"params": {"query": "ASK {}"}, "headers": {"Accept": "image/png"}}, 406),
])
def test_protocol_errors(server, method, kwargs, status):
    assert httpx.request(method, server + "/sparql", **kwargs).status_code == status


def test_no_cors_on_write_endpoints(server):
    for path in ("/update", "/curation"):
        r = httpx.post(server + path, content="{}", headers={"Origin": "https://example.org",
                                                            "Content-Type": "application/json"})
        assert "access-control-allow-origin" not in r.headers, path
        r = httpx.options(server + path, headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
        assert "access-control-allow-origin" not in r.headers, path


def test_update_is_off_without_token(server):
    r = httpx.post(server + "/update", content="INSERT DATA { <urn:a> <urn:b> <urn:c> }",
                   headers={"Content-Type": "application/sparql-update"})
    assert r.status_code == 404


class Canary:
    """A TCP listener that records any connection: the endpoint must never open one."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
                self.hits += 1
                conn.close()
            except OSError:
                pass

    def close(self):
        self.stop = True
        self.thread.join(2)
        self.sock.close()


def test_refusals_timeout_and_responsiveness(server):
    canary = Canary()
    try:
        svc = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{canary.port}/sparql> {{ ?s ?p ?o }} }}"
        r = httpx.get(server + "/sparql", params={"query": svc})
        assert r.status_code == 400 and "SERVICE" in r.text
        r = httpx.get(server + "/sparql", params={"query": f"SELECT * FROM <http://127.0.0.1:{canary.port}/x> WHERE {{ ?s ?p ?o }}"})
        assert r.status_code == 400 and "never fetched" in r.text
        r = httpx.post(server + "/update", content=f"LOAD <http://127.0.0.1:{canary.port}/data.ttl>",
                       headers={"Content-Type": "application/sparql-update"})
        assert r.status_code in (400, 404)
        big = "SELECT * WHERE { ?s ?p ?o } #" + "x" * (10 * 1024 * 1024)
        r = httpx.post(server + "/sparql", content=big, headers={"Content-Type": "application/sparql-query"})
        assert r.status_code == 413
        start = time.time()
        cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        r = httpx.get(server + "/sparql", params={"query": cartesian}, timeout=30)
        assert r.status_code == 503 and "timeout" in r.text
        assert time.time() - start < 10
        r = httpx.get(server + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
        assert r.status_code == 200 and r.json()["boolean"] is True
        time.sleep(0.5)
        assert canary.hits == 0
    finally:
        canary.close()


def test_slow_query_does_not_delay_another_client(server):
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    slow = threading.Thread(target=lambda: httpx.get(server + "/sparql", params={"query": cartesian}, timeout=30))
    slow.start()
    time.sleep(0.3)
    other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    t0 = time.time()
    r = other.get(server.replace("127.0.0.1", "127.0.0.1") + "/sparql", params={"query": "ASK { ?s ?p ?o }"})
    elapsed = time.time() - t0
    slow.join()
    assert r.status_code == 200 and elapsed < 1.5, elapsed


def test_per_client_concurrency_cap(server):
    cartesian = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        httpx.get(server + "/sparql", params={"query": cartesian}, timeout=30))) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(1.0)  # both slow queries are in flight (they run until the 3 s timeout)
    r = httpx.get(server + "/sparql", params={"query": "ASK {}"})
    for t in threads:
        t.join()
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert sorted(x.status_code for x in results) == [503, 503]


def test_entity_page_escapes_and_links(server):
    r = httpx.get(server + "/entity/nkkg:ilixadencel")
    assert r.status_code == 200
    assert "dendritic-cell vaccine" in r.text and "/graph/nkkg:ilixadencel" in r.text
    assert 'id="nkkg-curation-form"' in r.text and 'data-subject="nkkg:ilixadencel"' in r.text
    assert "https://pubmed.ncbi.nlm.nih.gov/35638086" in r.text or "pubmed:35638086" in r.text
    assert httpx.get(server + "/entity/nkkg:no-such-thing").status_code == 404


def test_query_page_lists_catalogue(server):
    r = httpx.get(server + "/", params={"query": "SELECT 1"})
    assert r.status_code == 200 and "agents_by_platform" in r.text and "Timeout 3 s" in r.text
    data = r.text.split('<script id="nkkg-data" type="application/json">')[1].split("</script>")[0]
    assert len(json.loads(data)["queries"]) >= 25


def test_graph_view_route(server):
    r = httpx.get(server + "/graph/nkkg:ilixadencel", timeout=30)
    assert r.status_code == 200 and "vis.DataSet" in r.text and "ilixadencel" in r.text
    r = httpx.get(server + "/graph/nkkg:no-such-entity", timeout=30)
    assert r.status_code == 404 and "unknown entity" in r.text


def test_union_default_graph_has_no_duplicates(server, store):
    r = httpx.get(server + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"})
    n = int(r.json()["results"]["bindings"][0]["n"]["value"])
    assert n == len({q.triple for q in store.quads_for_pattern(None, None, None, None)})
    r = httpx.get(server + "/sparql", params={"query": "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"})
    assert int(r.json()["results"]["bindings"][0]["n"]["value"]) == len(store)
