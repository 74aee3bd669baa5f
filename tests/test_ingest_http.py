"""The shared HTTP layer (kg/http.py) against a real local server, and the helpers the ingest tests share:
``LocalServer`` (http.server on 127.0.0.1, port 0, in a thread, counting requests), scripted ``Reply``s
(status, Retry-After, truncated bodies, dropped connections), stand-ins for E-utilities and the
ClinicalTrials.gov API v2 serving the fixtures in tests/data/ingest/, and ``FakeTime`` (an injected
clock and sleep: the rate limiter and the backoff are exercised without real waiting)."""

from __future__ import annotations

import base64
import json
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from kg import __version__
from kg.errors import SourceError
from kg.http import DiskCache, HttpClient, Politeness, RateLimiter, expect_json_object, retry_after

DATA = Path(__file__).parent / "data" / "ingest"


# --- the local server -------------------------------------------------------------------------------------

@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    truncate: int | None = None  # send only this many body bytes (Content-Length still announces all)
    no_length: bool = False  # a close-delimited body (no Content-Length)
    drop: bool = False  # close the connection without answering


@dataclass(frozen=True)
class Seen:
    path: str
    params: dict
    headers: dict


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self):  # noqa: N802 (http.server's name)
        owner: LocalServer = self.server.owner
        url = urlsplit(self.path)
        params = dict(parse_qsl(url.query, keep_blank_values=True))
        with owner.lock:
            owner.requests.append(Seen(url.path, params, {k.lower(): v for k, v in self.headers.items()}))
        reply = owner.app(url.path, params)
        if reply.drop:
            self.close_connection = True
            return
        self.send_response(reply.status)
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.no_length:
            self.send_header("Connection", "close")
        else:
            self.send_header("Content-Length", str(len(reply.body)))
        self.end_headers()
        self.wfile.write(reply.body if reply.truncate is None else reply.body[:reply.truncate])
        if reply.truncate is not None or reply.no_length:
            self.close_connection = True

    def log_message(self, *args):
        pass


class LocalServer:
    """A real HTTP server on 127.0.0.1 serving ``app(path, params) -> Reply``; remembers every request."""

    def __init__(self, app):
        self.app = app
        self.requests: list[Seen] = []
        self.lock = threading.Lock()

    def __enter__(self) -> "LocalServer":
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.owner = self
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def hits(self, suffix: str, **params) -> list[Seen]:
        return [r for r in self.requests if r.path.endswith(suffix)
                and all(r.params.get(k) == str(v) for k, v in params.items())]


class FakeTime:
    """An injected clock and sleep: sleeping advances the clock and is recorded, never waited for."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

    def politeness(self, **changes) -> Politeness:
        return Politeness(**{"retries": 3, "backoff": 0.5, "sleep": self.sleep, "clock": self.clock, **changes})


# --- stand-ins for the two services --------------------------------------------------------------------------

EFETCH_HEAD = (b'<?xml version="1.0" ?>\n<!DOCTYPE PubmedArticleSet PUBLIC "-//NLM//DTD PubMedArticle, 1st January 2025//EN"'
               b' "https://dtd.nlm.nih.gov/ncbi/pubmed/out/pubmed_250101.dtd">\n<PubmedArticleSet>\n')


def fixture_records() -> list[bytes]:
    """The six PubmedArticle records of tests/data/ingest/pubmed_records.xml, in order."""
    return re.findall(rb"<PubmedArticle>.*?</PubmedArticle>", (DATA / "pubmed_records.xml").read_bytes(), re.S)


def efetch_body(records: list[bytes]) -> bytes:
    return EFETCH_HEAD + b"\n".join(records) + b"\n</PubmedArticleSet>\n"


class PubmedApp:
    """E-utilities: esearch (JSON, history server) and efetch (XML, retstart/retmax) over fixture records.
    ``faults[key]`` replies are served first; ``broken`` keys fail with 500 until removed.
    Keys: ("esearch", None) and ("efetch", retstart)."""

    def __init__(self, records: list[bytes] | None = None):
        self.records = fixture_records() if records is None else records
        self.webenv = "MCID_fixture_session_1"
        self.faults: dict[tuple, list[Reply]] = {}
        self.broken: set[tuple] = set()

    def __call__(self, path: str, params: dict) -> Reply:
        if path.endswith("/esearch.fcgi"):
            key = ("esearch", None)
        elif path.endswith("/efetch.fcgi"):
            key = ("efetch", int(params["retstart"]))
        else:
            return Reply(404, b"no such utility")
        if key in self.broken:
            return Reply(500, b"<html><body>fixture: internal error</body></html>")
        if self.faults.get(key):
            return self.faults[key].pop(0)
        if key[0] == "esearch":
            result = {"count": str(len(self.records)), "retmax": "0", "retstart": "0", "querykey": "1",
                      "webenv": self.webenv, "idlist": [], "translationset": [], "querytranslation": params.get("term")}
            return Reply(200, json.dumps({"header": {"type": "esearch", "version": "0.3"}, "esearchresult": result}).encode(),
                         {"Content-Type": "application/json; charset=UTF-8"})
        if params.get("WebEnv") != self.webenv or params.get("query_key") != "1":
            return Reply(200, b'<?xml version="1.0" encoding="UTF-8" ?>\n<eFetchResult>\n\t<ERROR>Unable to obtain query #1'
                              b'</ERROR>\n</eFetchResult>\n', {"Content-Type": "text/xml"})
        start, size = int(params["retstart"]), int(params["retmax"])
        return Reply(200, efetch_body(self.records[start:start + size]), {"Content-Type": "text/xml; charset=UTF-8"})


def fixture_studies() -> list[dict]:
    return json.loads((DATA / "ctgov_studies.json").read_text(encoding="utf-8"))["studies"]


def page_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"fixture-offset:{offset}".encode()).decode().rstrip("=")


def token_offset(token: str) -> int:
    return int(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode().split(":")[1])


class CtgovApp:
    """ClinicalTrials.gov API v2: /studies paged with pageToken, /studies/{nct}.
    Keys for ``faults``/``broken``: ("page", offset) and ("study", nct)."""

    def __init__(self, studies: list[dict] | None = None):
        self.studies = fixture_studies() if studies is None else studies
        self.faults: dict[tuple, list[Reply]] = {}
        self.broken: set[tuple] = set()

    def __call__(self, path: str, params: dict) -> Reply:
        if path.endswith("/studies"):
            key = ("page", token_offset(params["pageToken"]) if params.get("pageToken") else 0)
        elif re.search(r"/studies/NCT\d{8}$", path):
            key = ("study", path.rsplit("/", 1)[1])
        else:
            return Reply(404, b'{"message": "not found"}')
        if key in self.broken:
            return Reply(503, b"fixture: service unavailable")
        if self.faults.get(key):
            return self.faults[key].pop(0)
        if key[0] == "study":
            study = next((s for s in self.studies if s["protocolSection"]["identificationModule"].get("nctId") == key[1]), None)
            if study is None:
                return Reply(404, json.dumps({"message": f"Study {key[1]} not found"}).encode())
            return Reply(200, json.dumps(study).encode(), {"Content-Type": "application/json"})
        offset, size = key[1], int(params.get("pageSize", "10"))
        body: dict = {"studies": self.studies[offset:offset + size]}
        if offset + size < len(self.studies):
            body["nextPageToken"] = page_token(offset + size)
        if params.get("countTotal") == "true":
            body["totalCount"] = len(self.studies)
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


# --- tests of kg/http.py ----------------------------------------------------------------------------------------

class Script:
    """Replies served in order for every path; the last one repeats."""

    def __init__(self, *replies: Reply):
        self.replies = list(replies)

    def __call__(self, path, params):
        return self.replies.pop(0) if len(self.replies) > 1 else self.replies[0]


OK = Reply(200, b'{"ok": true}', {"Content-Type": "application/json"})


def client(tmp_path: Path, t: FakeTime, **politeness) -> HttpClient:
    return HttpClient(rate=1000, politeness=t.politeness(**politeness), cache_dir=tmp_path / "cache",
                      email_address="tests@example.org")


def test_rate_limiter_spaces_calls_by_the_rate():
    t = FakeTime()
    limiter = RateLimiter(3.0, t.clock, t.sleep)
    for _ in range(4):
        limiter.wait()
    assert t.sleeps == pytest.approx([1 / 3] * 3)
    t.now += 5  # idle time is not owed afterwards
    limiter.wait()
    assert len(t.sleeps) == 3


def test_429_honours_retry_after_seconds(tmp_path):
    t = FakeTime()
    with LocalServer(Script(Reply(429, b"slow down", {"Retry-After": "7"}), OK)) as srv, client(tmp_path, t) as c:
        resp = c.get(srv.url + "/x", {"a": 1})
    assert json.loads(resp.body) == {"ok": True} and len(srv.requests) == 2
    assert 7.0 in t.sleeps and c.counters.retries == 1


def test_retry_after_http_date():
    now = datetime(2025, 1, 1, 12, 0, tzinfo=timezone.utc)
    assert retry_after(format_datetime(now + timedelta(seconds=30), usegmt=True), now) == pytest.approx(30)
    assert retry_after("soon") is None and retry_after(None) is None and retry_after("12") == 12.0


def test_500_then_success_backs_off_exponentially(tmp_path):
    t = FakeTime()
    with LocalServer(Script(Reply(500), Reply(502), OK)) as srv, client(tmp_path, t) as c:
        c.get(srv.url + "/x")
    assert len(srv.requests) == 3 and [s for s in t.sleeps if s >= 0.5] == [0.5, 1.0]


def test_truncated_body_is_retried(tmp_path):
    t = FakeTime()
    body = json.dumps({"studies": [{"n": i} for i in range(50)]}).encode()
    with LocalServer(Script(Reply(200, body, truncate=len(body) // 2), Reply(200, body))) as srv, client(tmp_path, t) as c:
        assert c.get(srv.url + "/x").body == body
    assert len(srv.requests) == 2


def test_close_delimited_truncation_is_caught_by_check(tmp_path):
    """No Content-Length: httpx cannot tell the body is short; the caller's check can."""
    t = FakeTime()
    body = json.dumps({"studies": list(range(100))}).encode()
    with LocalServer(Script(Reply(200, body[:40], no_length=True), Reply(200, body))) as srv, client(tmp_path, t) as c:
        assert c.get(srv.url + "/x", check=expect_json_object).body == body
    assert len(srv.requests) == 2


def test_dropped_connection_is_retried(tmp_path):
    t = FakeTime()
    with LocalServer(Script(Reply(drop=True), OK)) as srv, client(tmp_path, t) as c:
        assert c.get(srv.url + "/x").status == 200
    assert len(srv.requests) == 2


def test_gives_up_with_source_error_after_retries(tmp_path):
    t = FakeTime()
    with LocalServer(Script(Reply(503))) as srv, client(tmp_path, t, retries=2) as c:
        with pytest.raises(SourceError) as err:
            c.get(srv.url + "/x")
    assert err.value.status == 503 and "3 attempt" in str(err.value) and len(srv.requests) == 3
    assert not list((tmp_path / "cache").rglob("*.body")), "a failed request must not be cached"


def test_client_errors_fail_at_once(tmp_path):
    t = FakeTime()
    with LocalServer(Script(Reply(404, b"no such study"))) as srv, client(tmp_path, t) as c:
        with pytest.raises(SourceError) as err:
            c.get(srv.url + "/x")
    assert err.value.status == 404 and len(srv.requests) == 1


def test_a_very_long_retry_after_fails_instead_of_waiting(tmp_path):
    t = FakeTime()
    with LocalServer(Script(Reply(429, headers={"Retry-After": "86400"}))) as srv, client(tmp_path, t) as c:
        with pytest.raises(SourceError, match="wait 86400"):
            c.get(srv.url + "/x")
    assert t.sleeps == [] or max(t.sleeps) < 1


def test_disk_cache_serves_repeats_and_is_keyed_by_params(tmp_path):
    t = FakeTime()
    with LocalServer(Script(OK)) as srv:
        with client(tmp_path, t) as c:
            first = c.get(srv.url + "/x", {"q": "a", "api_key": "secret-1"})
            again = c.get(srv.url + "/x", {"q": "a", "api_key": "secret-2"})  # the key is not part of the cache key
            other = c.get(srv.url + "/x", {"q": "b"})
            fresh = c.get(srv.url + "/x", {"q": "a"}, cache="refresh")
        assert not first.from_cache and again.from_cache and not other.from_cache and not fresh.from_cache
        assert len(srv.requests) == 3 and c.counters.cached == 1 and c.counters.network == 3
        with client(tmp_path, t) as c2:  # a new process sees the same cache on disk
            assert c2.get(srv.url + "/x", {"q": "b"}).from_cache and len(srv.requests) == 3
    metas = [p.read_text() for p in (tmp_path / "cache").rglob("*.json")]
    assert metas and not any("secret" in m for m in metas)
    assert DiskCache.key("GET", "u", {"a": "1", "api_key": "k"}) == DiskCache.key("GET", "u", {"a": "1"})


def test_user_agent_names_version_and_contact(tmp_path):
    t = FakeTime()
    with LocalServer(Script(OK)) as srv, client(tmp_path, t) as c:
        c.get(srv.url + "/x", cache="off")
    assert srv.requests[0].headers["user-agent"] == f"nkkg/{__version__} (+mailto:tests@example.org)"
    assert not (tmp_path / "cache").exists()


# --- running the CLI against the local servers ------------------------------------------------------------------

def cli_env(tmp_path: Path, srv: LocalServer | None = None, api_key: str | None = None, store: Path | None = None) -> dict:
    """Environment for one test: its own data dir and store; both services at the local server (without
    one, at a closed local port: a test never reaches the real services)."""
    base = srv.url if srv else "http://127.0.0.1:9"
    return {"NKKG_DATA_DIR": str(tmp_path / "data"), "NKKG_STORE": str(store or tmp_path / "store"),
            "NKKG_OUTPUTS": str(tmp_path / "outputs"), "NKKG_EMAIL": "tests@example.org", "NCBI_API_KEY": api_key,
            "NKKG_EUTILS_URL": f"{base}/entrez/eutils", "NKKG_CTGOV_URL": f"{base}/api/v2"}


def run(args: list[str], env: dict, t: FakeTime | None = None, **politeness):
    """``nkkg ARGS`` in-process, with the fake clock injected as the politeness of the live clients."""
    from click.testing import CliRunner

    from kg.cli import main
    from kg.ingest import Fetch

    obj = {"fetch": Fetch(politeness=(t or FakeTime()).politeness(**politeness))}
    return CliRunner().invoke(main, args, env=env, obj=obj)


def test_transport_is_injectable():
    """Any httpx transport can stand in for the network: here a real WSGI app, in-process."""
    import httpx

    calls = []

    def app(environ, start_response):
        calls.append((environ["PATH_INFO"], environ["QUERY_STRING"], environ["HTTP_USER_AGENT"]))
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"via": "wsgi"}']

    with HttpClient(transport=httpx.WSGITransport(app=app), email_address="tests@example.org") as c:
        assert json.loads(c.get("http://fixture.invalid/studies", {"pageSize": 2}).body) == {"via": "wsgi"}
    assert calls == [("/studies", "pageSize=2", f"nkkg/{__version__} (+mailto:tests@example.org)")]
