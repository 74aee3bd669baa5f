"""PubMed client and ingest against a local E-utilities stand-in: history server, batches, NCBI rules,
retries, resume without refetching, malformed records; nothing here touches the network."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from kg.errors import InputError
from kg.sources.pubmed import entrez_date, parse_pubmed_tolerant

from .conftest import ask
from .test_ingest_http import DATA, FakeTime, LocalServer, PubmedApp, Reply, cli_env, efetch_body, fixture_records, run

QUERY = ["ingest", "pubmed", "--query", "natural killer AND vaccine", "--batch-size", "2"]


def test_three_batches_through_the_history_server(tmp_path):
    t = FakeTime()
    with LocalServer(PubmedApp()) as srv:
        result = run(QUERY + ["--json"], cli_env(tmp_path, srv), t)
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 6 and report["changed"] == [] and report["skipped"] == []
    (search,) = srv.hits("/esearch.fcgi")
    assert search.params.items() >= {"db": "pubmed", "term": "natural killer AND vaccine", "usehistory": "y",
                                     "tool": "nkkg", "email": "tests@example.org"}.items()
    fetches = srv.hits("/efetch.fcgi")
    assert [(f.params["retstart"], f.params["retmax"]) for f in fetches] == [("0", "2"), ("2", "2"), ("4", "2")]
    for f in fetches:
        assert f.params["WebEnv"] == "MCID_fixture_session_1" and f.params["query_key"] == "1"
        assert f.params["rettype"] == "abstract" and f.params["retmode"] == "xml" and f.params["tool"] == "nkkg"
        assert "api_key" not in f.params
    assert all(r.headers["user-agent"].startswith("nkkg/") for r in srv.requests)
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert ask(store, "pubmed:90000001 a nkv:Publication ; nkv:aboutTrial clinicaltrials:NCT09000001 ; nkv:year '2024'^^xsd:gYear")
    assert ask(store, """?st rdf:subject nkkg:n-803 ; rdf:predicate nkv:combinedWith ; rdf:object nkkg:nivolumab ;
                         nkv:evidence ?ev . ?ev dcterms:source pubmed:90000001""")
    assert ask(store, "GRAPH <https://w3id.org/nkvkg/graph/doc/pubmed-90000003> { pubmed:90000003 nkv:mentions nkkg:monalizumab }")


def test_rate_is_three_per_second_and_ten_with_an_api_key(tmp_path):
    for key, gap in ((None, 1 / 3), ("fixture-key", 1 / 10)):
        t = FakeTime()
        with LocalServer(PubmedApp()) as srv:
            result = run(QUERY, cli_env(tmp_path / str(key), srv, api_key=key), t, rate=None)
        assert result.exit_code == 0, result.output
        assert len(srv.requests) == 4 and t.sleeps == pytest.approx([gap] * 3)
        assert all(r.params.get("api_key") == key for r in srv.requests)
    cached = [p.read_text() for p in (tmp_path / "fixture-key").rglob("*.json") if "cache" in str(p)]
    assert cached and not any("fixture-key" in text for text in cached)


def test_retries_on_429_5xx_truncation_and_dropped_connections(tmp_path):
    app = PubmedApp()
    full = efetch_body(app.records[2:4])
    app.faults = {("esearch", None): [Reply(429, b"Too Many Requests", {"Retry-After": "2"})],
                  ("efetch", 0): [Reply(500, b"oops"), Reply(502, b"bad gateway")],
                  ("efetch", 2): [Reply(200, full, truncate=len(full) - 300)],
                  ("efetch", 4): [Reply(drop=True), Reply(200, full[:len(full) // 2], no_length=True)]}
    t = FakeTime()
    with LocalServer(app) as srv:
        result = run(QUERY, cli_env(tmp_path, srv), t)
    assert result.exit_code == 0, result.output
    assert "6 added" in result.stdout
    assert [len(srv.hits("/efetch.fcgi", retstart=s)) for s in (0, 2, 4)] == [3, 2, 3]
    assert 2.0 in t.sleeps  # Retry-After honoured
    assert [s for s in t.sleeps if s in (0.5, 1.0)] == [0.5, 1.0, 0.5, 0.5, 1.0]  # backoff per request, doubling


def test_interrupted_run_resumes_without_refetching(tmp_path):
    app = PubmedApp()
    app.broken = {("efetch", 2)}
    with LocalServer(app) as srv:
        env = cli_env(tmp_path, srv)
        failed = run(QUERY, env, retries=2)
        assert failed.exit_code == 1 and "gave up after 3 attempt(s)" in failed.stderr and "again to resume" in failed.stderr
        assert not (tmp_path / "data" / "ingest" / "state.json").exists()
        assert not (tmp_path / "store").exists() or len(ox.Store.read_only(str(tmp_path / "store"))) == 0
        app.broken.clear()
        resumed = run(QUERY + ["--json"], env)
    assert resumed.exit_code == 0, resumed.output
    report = json.loads(resumed.stdout)
    assert report["resumed"] and report["cached"] == 2 and report["requests"] == 2 and len(report["added"]) == 6
    assert len(srv.hits("/esearch.fcgi")) == 1  # the session of the first run was reused
    assert len(srv.hits("/efetch.fcgi", retstart=0)) == 1  # the completed batch was not fetched again
    assert len(srv.hits("/efetch.fcgi", retstart=2)) == 3 + 1 and len(srv.hits("/efetch.fcgi", retstart=4)) == 1


def test_second_run_adds_nothing_and_leaves_the_store_alone(tmp_path):
    with LocalServer(PubmedApp()) as srv:
        env = cli_env(tmp_path, srv)
        assert run(QUERY, env).exit_code == 0
        before = set(ox.Store.read_only(str(tmp_path / "store")))
        again = run(QUERY + ["--json"], env)
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert report["added"] == report["changed"] == report["graphs"] == [] and len(report["unchanged"]) == 6
    assert not report["resumed"] and len(srv.hits("/esearch.fcgi")) == 2  # a finished run is not resumed
    assert set(ox.Store.read_only(str(tmp_path / "store"))) == before


def test_expired_session_on_resume_starts_a_fresh_search(tmp_path):
    app = PubmedApp()
    app.broken = {("efetch", 2)}
    with LocalServer(app) as srv:
        env = cli_env(tmp_path, srv)
        assert run(QUERY, env, retries=0).exit_code == 1
        app.broken.clear()
        app.webenv = "MCID_fixture_session_2"  # the server forgot the first session
        result = run(QUERY + ["--json"], env)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["added"]) == 6
    assert [r.params.get("WebEnv") for r in srv.hits("/efetch.fcgi", retstart=0)][-1] == "MCID_fixture_session_2"


def test_malformed_record_is_reported_with_its_pmid_and_skipped(tmp_path):
    bad = (DATA / "pubmed_malformed_record.xml").read_bytes().strip()
    records = fixture_records()
    app = PubmedApp(records[:3] + [bad] + records[3:])
    with LocalServer(app) as srv:
        result = run(QUERY + ["--json"], cli_env(tmp_path, srv))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 6 and "pubmed:90000099" not in report["added"]
    (msg,) = report["skipped"]
    assert "PMID 90000099" in msg and "malformed XML" in msg and "retstart=2" in msg
    assert "skipped: efetch retstart=2: PMID 90000099" in result.stderr


def test_since_and_max_limit_the_search(tmp_path):
    with LocalServer(PubmedApp()) as srv:
        result = run(QUERY + ["--since", "2023-1", "--max", "3"], cli_env(tmp_path, srv))
    assert result.exit_code == 0, result.output
    (search,) = srv.hits("/esearch.fcgi")
    assert (search.params["mindate"], search.params["maxdate"], search.params["datetype"]) == ("2023/01", "3000", "edat")
    assert [(f.params["retstart"], f.params["retmax"]) for f in srv.hits("/efetch.fcgi")] == [("0", "2"), ("2", "1")]
    assert "3 added" in result.stdout


@pytest.mark.parametrize("value", ["yesterday", "2023-13", "23-01-01", ""])
def test_bad_since_is_a_usage_error(tmp_path, value):
    with pytest.raises(InputError):
        entrez_date(value)
    result = run(QUERY + ["--since", value], cli_env(tmp_path))
    assert result.exit_code == 2 and "date" in result.stderr


def test_tolerant_parse_keeps_neighbours_of_a_broken_record():
    records = fixture_records()
    bad = (DATA / "pubmed_malformed_record.xml").read_bytes()
    errors: list[str] = []
    docs = parse_pubmed_tolerant(efetch_body([records[0], bad, records[1]]), errors, "batch")
    assert [d.id for d in docs] == ["pubmed:90000001", "pubmed:90000002"]
    assert len(errors) == 1 and errors[0].startswith("batch: PMID 90000099: malformed XML")
    first = docs[0]
    assert [s.label for s in first.sections] == ["BACKGROUND", "METHODS", "RESULTS", "CONCLUSIONS"]
    assert first.text[first.sections[2].offset:].startswith("The objective response rate was 31%")
    assert first.doi == "10.9999/fixture.2024.001" and first.journal == "Journal of Fixture Oncology"
    assert first.mesh == ("Carcinoma, Non-Small-Cell Lung", "Killer Cells, Natural")
    assert first.publication_types == ("Clinical Trial, Phase II", "Journal Article") and first.trials == ("NCT09000001",)


def test_a_record_cut_off_at_the_end_is_reported():
    records = fixture_records()
    data = efetch_body(records[:2]).replace(b"\n</PubmedArticleSet>\n", b"\n" + records[2][:400])
    errors: list[str] = []
    docs = parse_pubmed_tolerant(data, errors, "file.xml")
    assert [d.id for d in docs] == ["pubmed:90000001", "pubmed:90000002"]
    assert errors == ["file.xml: PMID 90000003: malformed XML: the record is cut off"]
    errors = []
    assert parse_pubmed_tolerant(b"<PubmedArticleSet><Pubmed", errors, "junk") == [] and "malformed XML" in errors[0]
