"""POST /curation on a real `nkkg serve` (uvicorn) over a copy of the default build: token, statuses,
validation, review, read-your-writes through /sparql, injection safety, concurrent writers."""

from __future__ import annotations

import json
import threading

import httpx
import pytest

from kg.server.extensions.curation import curation_form_html

from .server_util import running_server
from .test_curation import CURATION_PREFIX, NASTY, Env

TOKEN = "test-token-x"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
PREFIX = "PREFIX nkv: <https://w3id.org/nkvkg/ontology#> PREFIX nkkg: <https://w3id.org/nkvkg/id/> "


@pytest.fixture(scope="module")
def served(built, tmp_path_factory):
    env = Env(built, tmp_path_factory.mktemp("curation-http"))
    with running_server(env.store, "--workers", "2", env={"NKKG_CURATION_TOKEN": TOKEN, "NKKG_DATA_DIR": str(env.data)}) as base:
        yield base, env


def post(base: str, body, headers=AUTH, **kw) -> httpx.Response:
    return httpx.post(base + "/curation", json=body, headers=headers, timeout=60, **kw)


def ask(base: str, where: str) -> bool:
    r = httpx.get(base + "/sparql", params={"query": PREFIX + "ASK { " + where + " }"},
                  headers={"Accept": "application/sparql-results+json"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["boolean"]


def add_body(**kw) -> dict:
    body = {"subject": "AFM24", "predicate": "nkv:testedIn", "object": "nkkg:gbm", "source": "PMID:36000010",
            "evidence": "AFM24 in glioblastoma.", "curator": "alice"}
    body.update(kw)
    return body


def test_token_is_required(served):
    base, env = served
    assert post(base, add_body(), headers={}).status_code == 401
    r = post(base, add_body(), headers={"Authorization": "Bearer wrong"})
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert post(base, add_body(), headers={"Authorization": TOKEN}).status_code == 401
    assert httpx.get(base + "/curation").status_code == 405


def test_add_review_and_read_your_writes(served):
    base, env = served
    r = post(base, add_body(object="nkkg:mesothelioma"))
    assert r.status_code == 201, r.text
    body = r.json()
    aid = body["assertion"]
    assert body["status"] == "pending" and not body["conflict"]
    assert ask(base, f'GRAPH <{CURATION_PREFIX}{aid}> {{ ?ev nkv:curationStatus "pending" }}'), "visible at once"
    assert not ask(base, "nkkg:afm24 nkv:testedIn nkkg:mesothelioma")
    r = post(base, {"action": "review", "id": aid, "decision": "approve", "curator": "alice"})
    assert r.status_code == 409 and "cannot review" in r.json()["error"]
    r = post(base, {"action": "review", "id": aid, "decision": "approve", "curator": "bob"})
    assert r.status_code == 200 and r.json()["status"] == "approved"
    assert ask(base, "nkkg:afm24 nkv:testedIn nkkg:mesothelioma")
    r = post(base, {"action": "retract", "id": aid, "curator": "bob"})
    assert r.status_code == 422 and "reason is required" in r.json()["error"]
    r = post(base, {"action": "retract", "id": aid, "reason": "wrong trial arm", "curator": "bob"})
    assert r.status_code == 200 and r.json()["status"] == "retracted"
    assert not ask(base, "nkkg:afm24 nkv:testedIn nkkg:mesothelioma")
    assert post(base, {"action": "retract", "id": aid, "reason": "x", "curator": "bob"}).status_code == 409


@pytest.mark.parametrize("body,status,message", [
    (add_body(subject="ilixadencell"), 422, "did you mean: ilixadencel (nkkg:ilixadencel)"),
    (add_body(predicate="nkv:targets"), 422, "needs a receptor or target as its object"),
    (add_body(source=""), 422, "a source is required"),
    (add_body(negated="yes"), 422, "'negated' must be true or false"),
    (add_body(extra=1), 422, "unknown field(s) for add: extra"),
    ({"action": "explode"}, 422, "unknown action"),
    ({"action": "review", "id": "000000000000", "decision": "approve", "curator": "bob"}, 404, "no curated assertion"),
    ({"action": "review", "id": "000000000000", "decision": "maybe", "curator": "bob"}, 422, "'decision' must be"),
])
def test_invalid_requests(served, body, status, message):
    base, env = served
    before = env.lines()
    r = post(base, body)
    assert r.status_code == status and message in r.json()["error"], r.text
    assert env.lines() == before


def test_malformed_bodies(served):
    base, _ = served
    r = httpx.post(base + "/curation", content=b"{not json", headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = httpx.post(base + "/curation", content=b"[1]", headers={**AUTH, "Content-Type": "application/json"})
    assert r.status_code == 400
    r = httpx.post(base + "/curation", content=b"subject=x", headers={**AUTH, "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status_code == 415


def test_duplicate_and_conflict(served):
    base, env = served
    first = post(base, add_body(object="nkkg:pdac", source="PMID:1")).json()
    dup = post(base, add_body(object="pancreatic ductal adenocarcinoma", source="PMID:2", curator="carol")).json()
    assert dup["duplicate"] and dup["assertion"] == first["assertion"]
    neg = post(base, add_body(object="nkkg:pdac", source="PMID:3", negated=True, curator="dave"))
    assert neg.status_code == 201 and neg.json()["conflict"] and neg.json()["assertion"] != first["assertion"]


def test_batch_is_all_or_nothing(served):
    base, env = served
    before = env.lines()
    rows = [add_body(object="nkkg:sclc", source="PMID:11"), add_body(object="nkkg:nsclcc", source="PMID:12")]
    r = post(base, {"action": "import", "rows": rows})
    assert r.status_code == 422 and "row 2: unknown entity 'nkkg:nsclcc'" in r.json()["error"]
    assert env.lines() == before
    rows[1]["object"] = "nkkg:nsclc"
    r = post(base, {"action": "import", "rows": rows})
    assert r.status_code == 201 and len(r.json()["results"]) == 2
    new = [json.loads(line) for line in env.lines()[len(before):]]
    assert len(new) == 2 and new[0]["batch"] == new[1]["batch"]


@pytest.mark.parametrize("text", NASTY)
def test_injection_is_stored_verbatim(served, text):
    base, env = served
    r = post(base, add_body(object="nkkg:hcc", source="PMID:77", evidence=text, curator="mallory"))
    assert r.status_code == 201, r.text
    aid = r.json()["assertion"]
    q = (f"SELECT ?s WHERE {{ GRAPH <{CURATION_PREFIX}{aid}> {{ ?ev nkv:sentence ?s }} }}")
    got = httpx.get(base + "/sparql", params={"query": PREFIX + q}, headers={"Accept": "application/sparql-results+json"})
    assert text in [b["s"]["value"] for b in got.json()["results"]["bindings"]]
    assert ask(base, "?a a nkv:Agent"), "the graph is still there"
    assert not ask(base, "<urn:a> <urn:b> <urn:c>")


def test_verdict_over_http(served):
    base, env = served
    assert ask(base, "nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    r = post(base, {"action": "verdict", "subject": "ilixadencel", "predicate": "nkv:combinedWith", "object": "sunitinib",
                    "verdict": "incorrect", "source": "PMID:5", "note": "sequential", "curator": "erin"})
    assert r.status_code == 201, r.text
    assert not ask(base, "nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    r = post(base, {"action": "retract", "id": r.json()["assertion"], "reason": "misread", "curator": "erin"})
    assert r.status_code == 200 and ask(base, "nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")


def test_concurrent_writers_are_serialised(served):
    base, env = served
    before = len(env.lines())
    codes: list[int] = []

    def writer(who: str):
        with httpx.Client(timeout=120) as client:
            for i in range(6):
                r = client.post(base + "/curation", json=add_body(object="nkkg:rcc", source=f"PMID:{900 + i}",
                                                                  evidence=f"{who} {i}", curator=who), headers=AUTH)
                codes.append(r.status_code)

    threads = [threading.Thread(target=writer, args=(w,)) for w in ("w1", "w2", "w3")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [201] * 18
    new = [json.loads(line) for line in env.lines()[before:]]
    assert len(new) == 18 and len({e["id"] for e in new}) == 18


def test_no_cross_origin_bearer_requests(served):
    """Browsers may not send the bearer token cross-origin: a preflight asking for Authorization is refused."""
    base, _ = served
    r = httpx.options(base + "/curation", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST",
                                                   "Access-Control-Request-Headers": "authorization, content-type"})
    assert 400 <= r.status_code < 500
    assert "access-control-allow-origin" not in r.headers  # no CORS at all on the write endpoint
    assert "authorization" not in r.headers.get("access-control-allow-headers", "").lower()


def test_curation_off_without_token(built, tmp_path):
    env = Env(built, tmp_path)
    with running_server(env.store, "--workers", "1", env={"NKKG_CURATION_TOKEN": "", "NKKG_DATA_DIR": str(env.data)}) as base:
        r = post(base, add_body())
        assert r.status_code == 404 and "curation is off" in r.json()["error"]
    assert env.lines() == []


def test_form_html_escapes_the_curie():
    page = curation_form_html('nkkg:x"><script>alert(1)</script>')
    assert "<script>alert(1)</script>" not in page and "&quot;&gt;&lt;script&gt;" in page
    assert "fetch('/curation'" in page and "Authorization" in page and 'name="source"' in page
