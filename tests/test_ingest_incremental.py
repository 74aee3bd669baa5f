"""Incremental update: only new or changed records are extracted again and only their named graphs are
replaced; curated graphs and everything else stay as they were; bundled records sharing a graph with a
live record are kept; local files of every kind; the state file and `nkkg sources`."""

from __future__ import annotations

import gzip
import json
import shutil
import zipfile
from pathlib import Path

import filelock
import pyoxigraph as ox
import pytest

from kg.config import Settings
from kg.ingest import content_hash, merge_document, merge_trial, record_from_json, record_to_json
from kg.sources.corpus import bundled_documents, bundled_trials
from kg.sources.ctgov import parse_studies
from kg.sources.pubmed import parse_pubmed_file

from .conftest import ask, select
from .test_ingest_http import DATA, cli_env, efetch_body, fixture_records, run

G = "https://w3id.org/nkvkg/graph/"
CURATED = G + "curation/test"
DERIVED = {G + "statements", G + "assembled"}


@pytest.fixture
def bundled_store(built, tmp_path) -> Path:
    """A private copy of the store `nkkg build` made from the bundled data, with a curated graph added."""
    path = tmp_path / "store"
    shutil.copytree(built / "store", path)
    store = ox.Store(str(path))
    g = ox.NamedNode(CURATED)
    nk = "https://w3id.org/nkvkg/"
    store.add(ox.Quad(ox.NamedNode(nk + "id/afm24"), ox.NamedNode(nk + "ontology#combinedWith"),
                      ox.NamedNode(nk + "id/pembrolizumab"), g))
    store.add(ox.Quad(ox.NamedNode(nk + "id/afm24"), ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#comment"),
                      ox.Literal("curated by the test suite"), g))
    store.flush()
    del store
    return path


def graphs(path: Path) -> dict[str, set]:
    store = ox.Store.read_only(str(path))
    out: dict[str, set] = {}
    for q in store:
        out.setdefault(str(q.graph_name.value) if hasattr(q.graph_name, "value") else "", set()).add(str(q.triple))
    return out


def changed_xml(tmp_path: Path) -> Path:
    """The PubMed fixture with one record's abstract rewritten."""
    records = fixture_records()
    records[1] = records[1].replace(b"AFM24 was tolerated", b"AFM24 was combined with pembrolizumab and was tolerated")
    assert b"combined with pembrolizumab" in records[1]
    path = tmp_path / "pubmed_v2.xml"
    path.write_bytes(efetch_body(records))
    return path


def test_a_changed_record_replaces_only_its_own_graph(bundled_store, tmp_path):
    env = cli_env(tmp_path, store=bundled_store)
    first = run(["ingest", "file", str(DATA / "pubmed_records.xml"), str(DATA / "ctgov_studies.json"), "--json"], env)
    assert first.exit_code == 0, first.output
    assert len(json.loads(first.stdout)["added"]) == 12
    before = graphs(bundled_store)
    assert before[CURATED]
    second = run(["ingest", "file", str(changed_xml(tmp_path)), "--json"], env)
    assert second.exit_code == 0, second.output
    report = json.loads(second.stdout)
    assert report["changed"] == ["pubmed:90000002"] and report["added"] == [] and len(report["unchanged"]) == 5
    assert report["graphs"] == [G + "doc/pubmed-90000002"]
    after = graphs(bundled_store)
    mine = G + "doc/pubmed-90000002"
    assert before[mine] != after[mine] and any("combined with pembrolizumab" in t for t in after[mine])
    for g in (set(before) | set(after)) - DERIVED - {mine}:
        assert before.get(g) == after.get(g), g
    assert after[CURATED] == before[CURATED]
    store = ox.Store.read_only(str(bundled_store))
    assert ask(store, """?st rdf:subject nkkg:afm24 ; rdf:predicate nkv:combinedWith ; rdf:object nkkg:pembrolizumab ;
                         nkv:evidence ?ev . ?ev dcterms:source pubmed:90000002""")
    state = json.loads((tmp_path / "data" / "ingest" / "state.json").read_text())
    entry = state["records"]["pubmed:90000002"]
    assert entry["source"] == "file" and entry["updated"] >= entry["first_seen"] and len(state["runs"]) == 2
    assert not list((tmp_path / "data" / "ingest").glob(".*.tmp"))


def test_a_second_identical_run_changes_nothing(bundled_store, tmp_path):
    env = cli_env(tmp_path, store=bundled_store)
    args = ["ingest", "file", str(DATA / "pubmed_records.xml"), "--json"]
    assert run(args, env).exit_code == 0
    before = graphs(bundled_store)
    report = json.loads(run(args, env).stdout)
    assert report["added"] == report["changed"] == report["restored"] == [] and len(report["unchanged"]) == 6
    assert graphs(bundled_store) == before


def test_nothing_stored_is_lost_when_a_live_record_shares_a_bundled_graph(bundled_store, tmp_path):
    pub, trial = G + "doc/pubmed-35638086", G + "doc/clinicaltrials-nct02432846"
    sentences = "SELECT ?s WHERE { GRAPH <%s> { ?ev nkv:sentence ?s } }"
    outcomes = "SELECT ?m ?v WHERE { GRAPH <%s> { ?x nkv:reportsOutcome ?o . ?o nkv:measure ?m ; nkv:value ?v } }"
    store = ox.Store.read_only(str(bundled_store))
    old_sentences = {r["s"] for r in select(store, sentences % pub)}
    old_outcomes = {(r["m"], r["v"]) for r in select(store, outcomes % trial)}
    assert old_sentences and ("ORR", "42.2") in old_outcomes
    del store
    result = run(["ingest", "file", str(DATA / "pubmed_records.xml"), str(DATA / "ctgov_studies.json")],
                 cli_env(tmp_path, store=bundled_store))
    assert result.exit_code == 0, result.output
    store = ox.Store.read_only(str(bundled_store))
    new_sentences = {r["s"] for r in select(store, sentences % pub)}
    assert old_sentences <= new_sentences and any("allogeneic dendritic-cell vaccine" in s for s in new_sentences)
    new_outcomes = {(r["m"], r["v"]) for r in select(store, outcomes % trial)}
    assert old_outcomes <= new_outcomes and ("OS", "54") in new_outcomes
    assert ask(store, "clinicaltrials:NCT02432846 nkv:sponsor 'Fixture Immunotherapy AB' ; nkv:acronym 'MERECA'")
    assert not ask(store, "clinicaltrials:NCT02432846 nkv:sponsor 'Immunicum AB'")
    assert ask(store, "nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    assert ask(store, "pubmed:35638086 dcterms:title 'Fixture stand-in for the MERECA report (own words).'")


def test_records_missing_from_the_store_are_restored(tmp_path):
    env = cli_env(tmp_path)
    args = ["ingest", "file", str(DATA / "pubmed_records.xml"), "--json"]
    assert run(args, env).exit_code == 0
    other = cli_env(tmp_path, store=tmp_path / "other-store")
    report = json.loads(run(args, other).stdout)
    assert len(report["restored"]) == 6 and report["added"] == report["changed"] == []
    store = ox.Store.read_only(str(tmp_path / "other-store"))
    names = {str(g.value) for g in store.named_graphs()}
    assert {G + "ontology", G + "lexicon", G + "doc/pubmed-90000001"} <= names
    assert ask(store, "nkkg:afm24 nkv:targets nkkg:egfr")  # the lexicon's own statements came with it
    assert ask(store, "nkv:Publication a owl:Class")


def test_every_local_file_kind_and_malformed_records(tmp_path):
    gz = tmp_path / "abstracts.xml.gz"
    gz.write_bytes(gzip.compress((DATA / "pubmed_records.xml").read_bytes()))
    zipped = tmp_path / "ctg-studies.json.zip"
    studies = json.loads((DATA / "ctgov_studies.json").read_text())["studies"]
    with zipfile.ZipFile(zipped, "w") as zf:
        for s in studies[:2]:
            zf.writestr(s["protocolSection"]["identificationModule"]["nctId"] + ".json", json.dumps(s))
        zf.writestr("NCT09000077.json", '{"protocolSection": {"identificationModule": {"nctId": "NCT09000077"')
    one = tmp_path / "one-study.json"
    one.write_text(json.dumps(studies[3]))
    jl = tmp_path / "notes.jsonl"
    jl.write_text('{"id": "nkkg.doc:note-1", "title": "Note", "text": "Monalizumab blocks NKG2A."}\n{"id": "pubmed:5", \n')
    env = cli_env(tmp_path)
    result = run(["ingest", "file", str(gz), str(zipped), str(one), str(jl), "--json"], env)
    assert result.exit_code == 1, result.output  # some records skipped
    report = json.loads(result.stdout)
    assert set(report["added"]) == {f"pubmed:{p}" for p in (90000001, 90000002, 90000003, 90000004, 35638086, 90000006)} | {
        "NCT09000001", "NCT09000002", "NCT09000004", "nkkg.doc:note-1"}
    assert len(report["skipped"]) == 2
    assert any("NCT09000077.json: malformed JSON" in s for s in report["skipped"])
    assert any("notes.jsonl:2: malformed JSON" in s for s in report["skipped"])
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    nothing = run(["ingest", "file", str(bad)], env)
    assert nothing.exit_code == 2 and "bad.json: malformed JSON" in nothing.stderr
    store = ox.Store.read_only(str(tmp_path / "store"))
    assert ask(store, "nkkg:monalizumab nkv:targets nkkg:nkg2a")


def test_sources_lists_bundled_and_ingested_with_dates_and_counts(tmp_path):
    env = cli_env(tmp_path)
    assert run(["ingest", "file", str(DATA / "pubmed_records.xml")], env).exit_code == 0
    assert run(["ingest", "file", str(DATA / "ctgov_studies.json")], env).exit_code == 0
    result = run(["sources", "--json"], env)
    assert result.exit_code == 0, result.output
    s = json.loads(result.stdout)
    assert s["bundled"] == {"documents": len(bundled_documents()), "trials": len(bundled_trials())}
    assert s["ingested"]["file"]["records"] == 12 and s["ingested"]["file"]["last_updated"]
    assert [r["added"] for r in s["runs"]] == [6, 6] and all(r["at"] for r in s["runs"])
    text = run(["sources"], env).stdout
    assert f"bundled corpus: {len(bundled_documents())} documents" in text and "file: 12 record(s)" in text


def test_one_ingest_at_a_time(tmp_path):
    env = cli_env(tmp_path)
    lock = tmp_path / "data" / "ingest" / ".lock"
    lock.parent.mkdir(parents=True)
    with filelock.FileLock(str(lock)):
        result = run(["ingest", "file", str(DATA / "pubmed_records.xml")], env)
    assert result.exit_code == 1 and "another nkkg ingest" in result.stderr
    assert not (tmp_path / "data" / "ingest" / "state.json").exists()


def test_records_round_trip_and_hash_by_content():
    errors: list[str] = []
    docs = parse_pubmed_file(DATA / "pubmed_records.xml", errors)
    trials = parse_studies(json.loads((DATA / "ctgov_studies.json").read_text()), errors, "f")
    assert not errors
    for r in docs + trials:
        assert record_from_json(json.loads(json.dumps(record_to_json(r)))) == r
    assert content_hash(docs[0]) == content_hash(parse_pubmed_file(DATA / "pubmed_records.xml", [])[0])
    assert content_hash(trials[0]) != content_hash(trials[0].__class__(**{**trials[0].__dict__, "status": "WITHDRAWN"}))


def test_merges_keep_bundled_content():
    live_doc = parse_pubmed_file(DATA / "pubmed_records.xml", [])[4]
    bundled_doc = next(d for d in bundled_documents() if d.id == "pubmed:35638086")
    merged = merge_document(live_doc, bundled_doc)
    assert merged.title == live_doc.title and merged.study_type == bundled_doc.study_type
    assert bundled_doc.sections[0].text in merged.text and live_doc.sections[0].text in merged.text
    for s in merged.sections:
        assert merged.text[s.offset:s.offset + len(s.text)] == s.text
    live_trial = next(t for t in parse_studies(json.loads((DATA / "ctgov_studies.json").read_text()), [], "f")
                      if t.nct_id == "NCT02432846")
    bundled_trial = next(t for t in bundled_trials() if t.nct_id == "NCT02432846")
    trial = merge_trial(live_trial, bundled_trial)
    assert trial.sponsor == live_trial.sponsor and trial.completion_date == "2021-01"
    assert set(bundled_trial.results) <= set(trial.results) and set(live_trial.results) <= set(trial.results)
    assert merge_trial(live_trial, None) is live_trial and Settings().cache_dir.name == "cache"


def test_nothing_readable_leaves_no_store_behind(tmp_path):
    bad = tmp_path / "broken.xml"
    bad.write_bytes(b"<PubmedArticleSet><PubmedArticle>")
    result = run(["ingest", "file", str(bad)], cli_env(tmp_path))
    assert result.exit_code == 2 and "broken.xml" in result.stderr
    assert not (tmp_path / "store").exists()
