"""kg.hypotheses on the fixture graph (tests/data/explore/graph.trig), whose answers are worked out by
hand: agents A, B and C share receptor X (degree 3); A and B share platform PL (degree 2); A has
degree 4 (X, T1, P, PL) and B degree 4 (X, T1, trial, PL; its barrier claim is negative only)."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Graph

from kg import hypotheses as hyp
from kg.cli import main
from kg.graph.nx import from_store
from kg.resources import ontology_dir
from tests.test_viz import make_explore_store

NKV = "https://w3id.org/nkvkg/ontology#"
EPS = hyp.EPSILON


@pytest.fixture(scope="module")
def explore(tmp_path_factory):
    return make_explore_store(tmp_path_factory.mktemp("hyp") / "store")


@pytest.fixture(scope="module")
def g(explore):
    return from_store(ox.Store.read_only(str(explore)))


def test_agent_tumour_known_answer(g):
    ranked = hyp.rank(g, "agent-tumour", "local-path", top=10)
    top = ranked[0]
    # C reaches T1 only over length-3 paths C-X-A-T1 and C-X-B-T1: eps * (1/3 * 1/4 + 1/3 * 1/4)
    assert (top.subject, top.predicate, top.object) == ("nkkg:agent-c", "nkv:testedIn", "nkkg:tum-1")
    assert top.score == pytest.approx(EPS / 6, abs=1e-6)
    texts = [hyp.path_text(p, top.subject) for p in top.paths]
    assert sorted(texts) == [
        "nkkg:agent-c -[nkv:targets]-> nkkg:rec-x <-[nkv:targets]- nkkg:agent-a -[nkv:testedIn]-> nkkg:tum-1",
        "nkkg:agent-c -[nkv:targets]-> nkkg:rec-x <-[nkv:targets]- nkkg:agent-b -[nkv:testedIn]-> nkkg:tum-1"]
    via_b = next(p for p in top.paths if p[1].subject == "nkkg:agent-b")
    assert [h.evidence for h in via_b] == [1, 1, 2]
    assert via_b[2].sources == ("https://pubmed.ncbi.nlm.nih.gov/1004", "https://pubmed.ncbi.nlm.nih.gov/1005")
    # then A and B for the tumours C was tested in, each over X and C: eps * 1/3 * 1/3
    rest = {(h.subject, h.object): h.score for h in ranked[1:]}
    assert rest == pytest.approx({("nkkg:agent-a", "nkkg:tum-2"): EPS / 9, ("nkkg:agent-a", "nkkg:tum-3"): EPS / 9,
                                  ("nkkg:agent-b", "nkkg:tum-2"): EPS / 9, ("nkkg:agent-b", "nkkg:tum-3"): EPS / 9}, abs=1e-6)


def test_agent_partner_is_symmetric_known_answer(g):
    ranked = hyp.rank(g, "agent-partner", top=10)
    # B-P over PL, X and T1 (each shared with A, degree 4): eps * (1/2 + 1/3 + 1/3) / 4; C-P over X only
    assert [(h.subject, h.object) for h in ranked] == [("nkkg:agent-b", "nkkg:partner-p"), ("nkkg:agent-c", "nkkg:partner-p")]
    assert ranked[0].score == pytest.approx(EPS * (1 / 2 + 2 / 3) / 4, abs=1e-6)
    assert ranked[1].score == pytest.approx(EPS / 12, abs=1e-6)
    assert ranked[0].paths[0][0].predicate == "nkv:usesPlatform"  # PL (degree 2) carries the largest share


def test_candidates_leave_out_known_negative_and_edgeless(g):
    tumour = hyp.candidates(g, hyp.KINDS["agent-tumour"])
    assert ("nkkg:agent-a", "nkkg:tum-1") not in tumour and ("nkkg:agent-c", "nkkg:tum-3") not in tumour
    assert not any("lonely" in a for a, _b in tumour)
    # the barrier has only B's negative claim: no asserted edge, so no candidate at all
    assert hyp.candidates(g, hyp.KINDS["agent-barrier"]) == []


def test_common_neighbour_indices_find_nothing_here(g):
    assert hyp.rank(g, "agent-tumour", "resource-allocation") == []
    assert hyp.rank(g, "agent-tumour", "adamic-adar") == []


def test_cli_prints_paths_and_empty_result_fails(explore, tmp_path):
    store = shutil.copytree(explore, tmp_path / "store")
    result = CliRunner().invoke(main, ["hypotheses", "--store", str(store), "--no-save", "--top", "1"])
    assert result.exit_code == 0, result.output
    assert "1. Agent C (nkkg:agent-c) nkv:testedIn Tumour One (nkkg:tum-1)  score 0.0167" in result.output
    assert "Agent C -[nkv:targets]-> Receptor X <-[nkv:targets]- Agent B -[nkv:testedIn]-> Tumour One" in result.output
    assert "pubmed:1004" in result.output and "stored" not in result.output
    empty = CliRunner().invoke(main, ["hypotheses", "--store", str(store), "--kind", "agent-barrier"])
    assert empty.exit_code == 1 and "no candidate link scored above 0" in empty.output


def _quads(path, graph=None):
    store = ox.Store.read_only(str(path))
    return {q for q in store.quads_for_pattern(None, None, None, graph)}


def test_saved_hypotheses_stay_in_their_graph(explore, tmp_path):
    store = shutil.copytree(explore, tmp_path / "store")
    hyp_graph = ox.NamedNode(hyp.GRAPH)
    before = _quads(store)
    result = CliRunner().invoke(main, ["hypotheses", "--store", str(store), "--kind", "agent-tumour", "--kind", "agent-partner"])
    assert result.exit_code == 0, result.output
    after = _quads(store)
    added = after - before
    assert added and all(q.graph_name == hyp_graph for q in added) and before <= after
    s = ox.Store.read_only(str(store))
    c, tested, t1 = (ox.NamedNode("https://w3id.org/nkvkg/id/agent-c"), ox.NamedNode(NKV + "testedIn"),
                     ox.NamedNode("https://w3id.org/nkvkg/id/tum-1"))
    assert not list(s.quads_for_pattern(c, tested, t1, None))  # never an asserted triple
    rows = hyp.stored(s)
    assert len(rows) == 7 and rows[0]["subject"] == "nkkg:agent-b" and rows[0]["predicate"] == "nkv:combinedWith"
    top_tumour = next(r for r in rows if r["predicate"] == "nkv:testedIn")
    assert (top_tumour["subject"], top_tumour["object"], top_tumour["method"]) == ("nkkg:agent-c", "nkkg:tum-1", "local-path")
    assert len(top_tumour["paths"]) == 2
    support = list(s.quads_for_pattern(None, ox.NamedNode(NKV + "supportingStatement"), None, hyp_graph))
    assert {q.object.value.rsplit("/", 1)[1] for q in support} >= {"s03", "s02", "s04", "s01", "s06"}
    onto = {str(x) for x in Graph().parse(ontology_dir() / "nkv.ttl").subjects()}
    used = {t.value for q in added for t in (q.predicate, q.object) if isinstance(t, ox.NamedNode) and t.value.startswith(NKV)}
    assert used and used <= onto, used - onto


def test_saving_one_kind_replaces_only_that_kind(explore, tmp_path):
    store = shutil.copytree(explore, tmp_path / "store")
    runner = CliRunner()
    assert runner.invoke(main, ["hypotheses", "--store", str(store), "--kind", "agent-tumour", "--kind", "agent-partner"]).exit_code == 0
    assert runner.invoke(main, ["hypotheses", "--store", str(store), "--top", "1"]).exit_code == 0
    preds = [r["predicate"] for r in hyp.stored(ox.Store.read_only(str(store)))]
    assert preds.count("nkv:testedIn") == 1 and preds.count("nkv:combinedWith") == 2


def test_graph_up_to_a_year(explore):
    store = ox.Store.read_only(str(explore))
    y2015 = from_store(store, until=2015)
    pairs = {(s, o) for s, o in y2015.edges()}
    assert ("nkkg:agent-a", "nkkg:tum-1") not in pairs  # first published 2020
    assert ("nkkg:agent-c", "nkkg:tum-3") not in pairs and "nkkg:tum-3" not in y2015  # undated: left out
    assert ("nkkg:agent-b", "clinicaltrials:NCT00000001") in pairs  # registry evidence: trial started 2015-03
    assert ("nkkg:agent-b", "clinicaltrials:NCT00000001") not in set(from_store(store, until=2014).edges())
    assert from_store(store).edges["nkkg:agent-b", "nkkg:tum-1", "s04"]["first_year"] == 2013


def test_backtest_known_answer(explore):
    r = hyp.backtest(ox.Store.read_only(str(explore)), 2015, ks=(1, 2, 6), shuffles=200)
    # as of 2015: agents A, B, C, evil x tumours T1, T2, less B-T1 and C-T2 (linked): 6 candidates;
    # A-T1 (2020) is the one later link, and A-T1 (eps * (1/3 * 1/4 + 1/2 * 1/4)) ranks first
    assert (r.candidates, r.future, r.reachable) == (6, 1, 1)
    assert r.hits == {1: 1, 2: 1, 6: 1}
    assert r.random[6] == pytest.approx(1.0)
    assert 1 / 6 - 0.08 < r.random[1] < 1 / 6 + 0.08
    result = CliRunner().invoke(main, ["hypotheses", "--store", str(explore), "--backtest", "2015", "--backtest", "2013"])
    assert result.exit_code == 0, result.output
    assert "hits@10 (random)" in result.output
    row = next(line for line in result.output.splitlines() if line.strip().startswith("2015"))
    assert row.split()[:5] == ["2015", "6", "1", "1", "1"]


def test_cli_choices_match_the_library():
    params = {p.name: p for p in main.commands["hypotheses"].params}
    assert set(params["kinds"].type.choices) == set(hyp.KINDS)
    assert set(params["method"].type.choices) == set(hyp.METHODS) and params["method"].default == hyp.DEFAULT_METHOD
