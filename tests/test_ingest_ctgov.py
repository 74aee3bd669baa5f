"""ClinicalTrials.gov API v2: the pure parser on fixture studies, and the client and ingest against a local
stand-in (pageToken paging, single records, retries, resume); nothing here touches the network."""

from __future__ import annotations

import copy
import json

import pyoxigraph as ox
import pytest

from kg.errors import CorpusError
from kg.sources.ctgov import FIELDS, measure_of, parse_arms, parse_studies, parse_study

from .conftest import ask, select
from .test_ingest_http import CtgovApp, FakeTime, LocalServer, Reply, cli_env, fixture_studies, page_token, run

SEARCH = ["ingest", "ctgov", "--query", "natural killer", "--page-size", "2"]


def by_nct(nct: str) -> dict:
    return next(s for s in fixture_studies() if s["protocolSection"]["identificationModule"]["nctId"] == nct)


def test_parse_study_reads_the_protocol_section():
    t = parse_study(by_nct("NCT09000001"))
    assert (t.nct_id, t.acronym, t.phases, t.status) == ("NCT09000001", "FIXLUNG", ("PHASE2",), "COMPLETED")
    assert t.brief_title == "Fixture: N-803 With Nivolumab in Lung Cancer"
    assert t.official_title.startswith("A Fixture Phase 2 Study")
    assert (t.enrollment, t.enrollment_type, t.sponsor) == (78, "ACTUAL", "Fixture Biotech Inc.")
    assert (t.start_date, t.completion_date) == ("2019-02-11", "2023-06")
    assert t.conditions == ("Non-small Cell Lung Cancer",)
    assert [(i.type, i.name, i.other_names) for i in t.interventions] == [
        ("BIOLOGICAL", "N-803", ("ALT-803",)), ("DRUG", "Nivolumab", ("Opdivo",))]
    assert t.source_url == "https://clinicaltrials.gov/study/NCT09000001"
    stopped = parse_study(by_nct("NCT09000003"))
    assert stopped.why_stopped.startswith("Fixture: the interim analysis") and stopped.status == "TERMINATED"
    assert parse_study(by_nct("NCT09000002")).phases == ("PHASE1", "PHASE2")
    assert parse_study(by_nct("NCT09000006")).phases == ("NA",)  # observational: no phase in the record
    arms = parse_arms(by_nct("NCT09000001"))
    assert [(a.label, a.type, a.interventions) for a in arms] == [
        ("N-803 + nivolumab", "EXPERIMENTAL", ("Biological: N-803", "Drug: Nivolumab")),
        ("Nivolumab alone", "ACTIVE_COMPARATOR", ("Drug: Nivolumab",))]


def test_posted_results_become_figures_only_for_known_measures():
    figs = parse_study(by_nct("NCT09000001")).results
    got = {(f.measure, f.arm): f for f in figs}
    orr = got[("ORR", "N-803 + nivolumab")]
    assert (orr.value, orr.unit, orr.ci_low, orr.ci_high) == (32.5, "%", 18.6, 49.1)
    assert "(95% CI 18.6 to 49.1)" in orr.sentence and orr.sentence.startswith("NCT09000001 registry results")
    pfs = got[("PFS", "N-803 + nivolumab")]
    assert (pfs.value, pfs.unit, pfs.ci_low, pfs.ci_high) == (6.9, "months", 4.2, None)
    assert ("PFS", "Nivolumab alone") not in got  # "NA" (not reached) is no value
    hr = got[("HR", "N-803 + nivolumab vs Nivolumab alone")]
    assert (hr.value, hr.unit, hr.ci_low, hr.ci_high) == (0.62, "ratio", 0.41, 0.93)
    ae = got[("AE_G3PLUS", "Nivolumab alone")]
    assert (ae.value, ae.unit, ae.numerator, ae.denominator) == (5.0, "patients", 5, 38)
    assert (got[("CR", "N-803 + nivolumab")].value, got[("SD", "N-803 + nivolumab")].value) == (2.0, 15.0)
    # Cmax, "ORR and DCR" (two measures in one) and progressive disease are left out, not guessed
    assert {f.measure for f in figs} == {"ORR", "PFS", "HR", "AE_G3PLUS", "CR", "SD", "PD"} and len(figs) == 9
    assert parse_study(by_nct("NCT09000002")).results == ()


@pytest.mark.parametrize("title, measure", [
    ("Objective Response Rate (ORR) per RECIST 1.1", "ORR"),
    ("Percentage of Participants With Objective Response (Complete or Partial Response)", "ORR"),
    ("Disease Control Rate", "DCR"),
    ("Complete Response Rate", "CR"),
    ("Progression-free Survival (PFS)", "PFS"),
    ("Overall Survival", "OS"),
    ("Duration of Objective Response", "DoR"),
    ("Number of Participants With Treatment-Emergent Adverse Events of Grade 3 or Higher", "AE_G3PLUS"),
    ("Number of Participants With Adverse Events", None),
    ("Hazard Ratio for Progression-free Survival", None),
    ("Objective Response Rate and Disease Control Rate", None),
    ("Area Under the Curve Over 24 hr", None),
    ("Maximum Tolerated Dose", None),
])
def test_measure_is_recognised_from_the_title_or_left_out(title, measure):
    assert measure_of(title) == measure


def test_malformed_studies_are_reported_with_their_id_and_skipped():
    studies = fixture_studies()
    broken = copy.deepcopy(studies)
    broken[1]["protocolSection"]["designModule"]["enrollmentInfo"]["count"] = "about sixty"
    del broken[2]["protocolSection"]["identificationModule"]["nctId"]
    broken[3]["protocolSection"]["designModule"]["phases"] = ["PHASE9"]
    errors: list[str] = []
    records = parse_studies({"studies": broken}, errors, "page 1")
    assert [r.nct_id for r in records] == ["NCT09000001", "NCT02432846", "NCT09000006"]
    assert len(errors) == 3
    assert "NCT09000002" in errors[0] and "enrollmentInfo.count" in errors[0]
    assert errors[1].startswith("page 1: study 3: missing or malformed nctId")
    assert "NCT09000004" in errors[2] and "PHASE9" in errors[2]
    with pytest.raises(CorpusError, match="neither"):
        parse_studies({"other": []}, errors, "x")


def test_search_pages_through_three_pages(tmp_path):
    with LocalServer(CtgovApp()) as srv:
        result = run(SEARCH + ["--condition", "lung cancer", "--intervention", "N-803", "--json"], cli_env(tmp_path, srv))
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert len(report["added"]) == 6 and report["skipped"] == []
    pages = srv.hits("/api/v2/studies")
    assert len(pages) == 3
    assert [p.params.get("pageToken") is None for p in pages] == [True, False, False]
    assert [p.params.get("countTotal") for p in pages] == ["true", None, None]
    for p in pages:
        assert p.params.items() >= {"query.term": "natural killer", "query.cond": "lung cancer", "query.intr": "N-803",
                                    "pageSize": "2", "format": "json", "fields": FIELDS}.items()
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert ask(store, """clinicaltrials:NCT09000001 a nkv:ClinicalTrial ; nkv:phase 'PHASE2' ; nkv:status 'COMPLETED' ;
                         nkv:enrollment 78 ; nkv:sponsor 'Fixture Biotech Inc.' ; nkv:startDate '2019-02-11'""")
    assert ask(store, "clinicaltrials:NCT09000003 nkv:whyStopped ?w")
    assert ask(store, """clinicaltrials:NCT09000001 nkv:reportsOutcome ?o . ?o nkv:measure 'ORR' ; nkv:value 32.5 ;
                         nkv:unit '%' ; nkv:ciLow 18.6 ; nkv:ciHigh 49.1 ; nkv:arm 'N-803 + nivolumab'""")
    assert ask(store, "nkkg:n-803 nkv:evaluatedIn clinicaltrials:NCT09000001")
    assert ask(store, "clinicaltrials:NCT09000002 nkv:condition nkkg:crc")


def test_single_records_by_nct_and_an_unknown_id(tmp_path):
    with LocalServer(CtgovApp()) as srv:
        env = cli_env(tmp_path, srv)
        one = run(["ingest", "ctgov", "--nct", "NCT09000004", "--nct", "NCT09000006", "--json"], env)
        missing = run(["ingest", "ctgov", "--nct", "NCT09999999"], env)
        both = run(["ingest", "ctgov", "--nct", "NCT09000004", "--query", "x"], env)
    assert one.exit_code == 0, one.output
    assert json.loads(one.stdout)["added"] == ["NCT09000004", "NCT09000006"]
    assert [r.path for r in srv.requests[:2]] == ["/api/v2/studies/NCT09000004", "/api/v2/studies/NCT09000006"]
    assert srv.requests[0].params["fields"] == FIELDS
    assert missing.exit_code == 2 and "NCT09999999: no such study" in missing.stderr
    assert both.exit_code == 2


def test_retries_then_completes(tmp_path):
    app = CtgovApp()
    page2 = json.dumps({"studies": app.studies[2:4], "nextPageToken": "x"}).encode()
    app.faults = {("page", 0): [Reply(429, b"", {"Retry-After": "3"})],
                  ("page", 2): [Reply(500), Reply(200, page2[:-30], no_length=True)],
                  ("page", 4): [Reply(drop=True)]}
    t = FakeTime()
    with LocalServer(app) as srv:
        result = run(SEARCH, cli_env(tmp_path, srv), t)
    assert result.exit_code == 0, result.output
    assert "6 added" in result.stdout and len(srv.requests) == 3 + 4
    assert 3.0 in t.sleeps


def test_default_rate_is_fifty_a_minute(tmp_path):
    t = FakeTime()
    with LocalServer(CtgovApp()) as srv:
        assert run(SEARCH, cli_env(tmp_path, srv), t, rate=None).exit_code == 0
    assert t.sleeps == pytest.approx([60 / 50] * 2)


def test_interrupted_search_resumes_without_refetching(tmp_path):
    app = CtgovApp()
    app.broken = {("page", 2)}
    with LocalServer(app) as srv:
        env = cli_env(tmp_path, srv)
        failed = run(SEARCH, env, retries=1)
        assert failed.exit_code == 1 and "503" in failed.stderr
        app.broken.clear()
        resumed = run(SEARCH + ["--json"], env)
        again = run(SEARCH + ["--json"], env)
    assert resumed.exit_code == 0, resumed.output
    report = json.loads(resumed.stdout)
    assert report["resumed"] and report["cached"] == 1 and len(report["added"]) == 6
    first_pages = [r for r in srv.hits("/api/v2/studies") if "pageToken" not in r.params]
    assert len(first_pages) == 2  # once in the failed run, once in the finished third run; never on resume
    second = json.loads(again.stdout)
    assert not second["resumed"] and second["added"] == [] and len(second["unchanged"]) == 6


def test_ingested_trials_conform_to_the_shapes(tmp_path):
    with LocalServer(CtgovApp()) as srv:
        assert run(SEARCH, cli_env(tmp_path, srv)).exit_code == 0
    result = run(["validate", "--store", str(tmp_path / "store")], cli_env(tmp_path))
    assert result.exit_code == 0, result.output
    rows = select(ox.Store.read_only(str(tmp_path / "store")),
                  "SELECT ?p WHERE { clinicaltrials:NCT09000006 nkv:phase ?p }")
    assert [r["p"] for r in rows] == ["NA"]


def test_resume_never_reads_an_older_runs_pages_and_a_changed_study_replaces_its_graph(tmp_path):
    app = CtgovApp()
    with LocalServer(app) as srv:
        env = cli_env(tmp_path, srv)
        assert run(SEARCH, env).exit_code == 0  # run A caches pages 1-3
        app.studies[2]["protocolSection"]["statusModule"]["overallStatus"] = "COMPLETED"  # NCT09000003 changes
        app.broken = {("page", 2)}
        assert run(SEARCH, env, retries=0).exit_code == 1  # run B: page 1 fresh, page 2 fails
        app.broken.clear()
        before = {str(q) for q in ox.Store.read_only(str(tmp_path / "store"))
                  if "nct09000003" not in str(q.graph_name) and "graph/statements" not in str(q.graph_name)
                  and "graph/assembled" not in str(q.graph_name)}
        resumed = run(SEARCH + ["--json"], env)  # run C resumes B
    assert resumed.exit_code == 0, resumed.output
    report = json.loads(resumed.stdout)
    assert report["resumed"] and report["cached"] == 1  # B's page 1 only: A's page 2 is older than B
    assert report["changed"] == ["NCT09000003"] and len(report["unchanged"]) == 5
    assert report["graphs"] == ["https://w3id.org/nkvkg/graph/doc/clinicaltrials-nct09000003"]
    assert len(srv.hits("/api/v2/studies", pageToken=page_token(2))) == 1 + 1 + 1
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert ask(store, "clinicaltrials:NCT09000003 nkv:status 'COMPLETED'")
    assert not ask(store, "clinicaltrials:NCT09000003 nkv:status 'TERMINATED'")
    after = {str(q) for q in store if "nct09000003" not in str(q.graph_name)
             and "graph/statements" not in str(q.graph_name) and "graph/assembled" not in str(q.graph_name)}
    assert after == before
