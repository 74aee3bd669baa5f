"""kg.viz: the pages' content (positions, styles, tooltips, escaping, filters, views, bad input), the
layout and its cache, and the GraphML export, on the tiny fixture graph in tests/data/explore/."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import networkx as nx
import numpy as np
import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg import viz
from kg.cli import main
from kg.graph.store import refresh_assembled

FIXTURE = Path(__file__).parent / "data" / "explore" / "graph.trig"
SCRIPTS = Path(__file__).resolve().parents[1] / "scripts"


def make_explore_store(path: Path) -> Path:
    """Load the fixture into an on-disk store at ``path`` and derive graph/assembled, as a build does."""
    store = ox.Store(str(path))
    store.load(path=str(FIXTURE), format=ox.RdfFormat.TRIG)
    refresh_assembled(store)
    store.flush()
    del store
    return path


def synthetic_graph(n: int) -> nx.MultiDiGraph:
    sys.path.insert(0, str(SCRIPTS))
    try:
        from bench_viz import synthetic_graph as make
    finally:
        sys.path.remove(str(SCRIPTS))
    return make(n)


def page_data(page: str) -> tuple[list[dict], list[dict], dict]:
    """The nodes, edges and options pyvis serialised into the page."""
    def line(prefix):
        m = re.search(r"^\s*" + re.escape(prefix) + r"(.*?);\s*$", page, re.M)
        assert m, prefix
        return m.group(1)

    nodes = json.loads(line("nodes = new vis.DataSet(")[:-1])
    edges = json.loads(line("edges = new vis.DataSet(")[:-1])
    return nodes, edges, json.loads(line("var options = "))


@pytest.fixture(scope="module")
def explore(tmp_path_factory) -> Path:
    return make_explore_store(tmp_path_factory.mktemp("explore") / "store")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_overview_is_offline_with_positions_and_no_physics(explore, tmp_path):
    out = tmp_path / "graph.html"
    result = run("viz", "--store", explore, "-o", out)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    nodes, edges, options = page_data(page)
    assert len(nodes) == 14 and len(edges) == 14
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in nodes)
    assert len({(n["x"], n["y"]) for n in nodes}) == 14
    assert options["physics"]["enabled"] is False
    assert not re.search(r'<script[^>]+src=|<link[^>]+href="https?:', page)
    assert "vis.Network" in page and 'id="nkkg-legend"' in page


def test_styles_per_class_and_predicate(explore, tmp_path):
    nodes, edges, _ = page_data(viz.page(viz.from_store(ox.Store.read_only(str(explore)))))
    by_id = {n["id"]: n for n in nodes}
    assert (by_id["nkkg:agent-a"]["color"], by_id["nkkg:agent-a"]["shape"]) == viz.COLOURS["Agent"]
    assert (by_id["nkkg:tum-1"]["color"], by_id["nkkg:tum-1"]["shape"]) == viz.COLOURS["Tumour"]
    targets = [e for e in edges if "targets" in e["info"]]
    assert len(targets) == 4 and {e["color"] for e in targets} == {viz.EDGE_COLOURS["nkv:targets"]}
    negative = [e for e in edges if e["dashes"]]
    assert [(e["from"], e["to"]) for e in negative] == [("nkkg:agent-b", "nkkg:bar-1")]
    assert "negative evidence only" in negative[0]["info"]
    assert by_id["nkkg:agent-b"]["size"] > by_id["nkkg:agent-c"]["size"]  # degree 5 against 3


def test_tooltips_have_ids_evidence_counts_and_source_links(explore):
    g = viz.from_store(ox.Store.read_only(str(explore)))
    nodes, edges, _ = page_data(viz.page(g))
    info = {n["id"]: n["info"] for n in nodes}["nkkg:rec-x"]
    assert "evidence: 3" in info and "class: Receptor" in info
    for pmid in ("1001", "1002", "1003"):
        assert f'<a href="https://pubmed.ncbi.nlm.nih.gov/{pmid}"' in info
    assert '<a href="https://identifiers.org/hgnc:1234"' in info
    tested = next(e for e in edges if e["from"] == "nkkg:agent-b" and e["to"] == "nkkg:tum-1")
    assert "evidence: 2" in tested["info"] and "pubmed.ncbi.nlm.nih.gov/1005" in tested["info"]
    trial = next(e for e in edges if e["to"] == "clinicaltrials:NCT00000001")
    assert '<a href="https://clinicaltrials.gov/study/NCT00000001"' in trial["info"]


def test_labels_are_escaped(explore):
    page = viz.page(viz.from_store(ox.Store.read_only(str(explore))))
    assert "<script>window.__pwned" not in page and "<img src=x" not in page
    nodes, _, _ = page_data(page)
    evil = {n["id"]: n for n in nodes}["nkkg:evil"]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;&lt;img src=x onerror=&quot;" in evil["info"]
    assert evil["label"].startswith("<script>window.__pwned=1")  # drawn as canvas text, never as HTML


def test_filters_by_class_predicate_and_evidence(explore, tmp_path):
    store = ox.Store.read_only(str(explore))
    g = viz.from_store(store)
    h = viz.filter_graph(g, classes=["Agent,Receptor"])
    assert {c for _n, d in h.nodes(data=True) for c in d["classes"]} == {"Agent", "Receptor"}
    h = viz.filter_graph(g, predicates=["targets"])
    assert {d["predicate"] for *_e, d in h.edges(data=True)} == {"nkv:targets"} and h.number_of_nodes() == 6
    h = viz.filter_graph(g, min_evidence=2)
    assert [(s, o) for s, o in h.edges()] == [("nkkg:agent-b", "nkkg:tum-1")]
    out = tmp_path / "f.html"
    assert run("viz", "--store", explore, "-o", out, "--predicates", "nkv:testedIn").exit_code == 0
    assert "Filtered: predicates nkv:testedIn." in out.read_text(encoding="utf-8")
    bad = run("viz", "--store", explore, "-o", tmp_path / "x.html", "--classes", "Agentt")
    assert bad.exit_code == 2 and "unknown class 'Agentt'; known: Agent," in bad.output


def test_max_nodes_keeps_most_connected_and_says_what_it_left_out(explore, tmp_path):
    out = tmp_path / "cap.html"
    assert run("viz", "--store", explore, "-o", out, "--max-nodes", 4).exit_code == 0
    page = out.read_text(encoding="utf-8")
    nodes, _, _ = page_data(page)
    assert {n["id"] for n in nodes} >= {"nkkg:agent-b", "nkkg:agent-a"} and len(nodes) == 4
    assert "Showing the 4 most connected of 14 nodes: left out 10 nodes (" in page


def test_focus_view_by_synonym(explore, tmp_path):
    out = tmp_path / "ego.html"
    result = run("viz", "--store", explore, "-o", out, "--focus", "AA-1", "--hops", 1)
    assert result.exit_code == 0, result.output
    nodes, _, _ = page_data(out.read_text(encoding="utf-8"))
    assert {n["id"] for n in nodes} == {"nkkg:agent-a", "nkkg:rec-x", "nkkg:tum-1", "nkkg:partner-p", "nkkg:platform-pl"}
    assert "Agent A (nkkg:agent-a), 1 hop" in out.read_text(encoding="utf-8")


def test_focus_unknown_entity_suggests_and_writes_nothing(explore, tmp_path):
    out = tmp_path / "none.html"
    result = run("viz", "--store", explore, "-o", out, "--focus", "Agnet A")
    assert result.exit_code == 2
    assert "unknown entity 'Agnet A'; did you mean: Agent A (nkkg:agent-a)," in result.output
    assert not out.exists()


def test_focus_without_edges_is_an_empty_result(explore, tmp_path):
    out = tmp_path / "none.html"
    result = run("viz", "--store", explore, "-o", out, "--focus", "nkkg:lonely")
    assert result.exit_code == 1 and "has no edges in the graph: nothing to draw" in result.output
    assert not out.exists()


def test_query_view(explore, tmp_path):
    rq = tmp_path / "targets.rq"
    rq.write_text("CONSTRUCT { ?a nkv:targets ?r } WHERE { ?a nkv:targets ?r }", encoding="utf-8")
    out = tmp_path / "q.html"
    result = run("viz", "--store", explore, "-o", out, "--query", rq)
    assert result.exit_code == 0, result.output
    nodes, edges, _ = page_data(out.read_text(encoding="utf-8"))
    assert len(edges) == 4 and all("evidence: 1" in e["info"] for e in edges)
    assert len(nodes) == 6
    rq.write_text("SELECT * WHERE { ?s ?p ?o }", encoding="utf-8")
    bad = run("viz", "--store", explore, "-o", tmp_path / "s.html", "--query", rq)
    assert bad.exit_code == 2 and "needs a CONSTRUCT query" in bad.output
    rq.write_text("CONSTRUCT { ?a nkv:targets ?r } WHERE { ?a nkv:limitedBy ?r }", encoding="utf-8")
    empty = run("viz", "--store", explore, "-o", tmp_path / "e.html", "--query", rq)
    assert empty.exit_code == 1 and "no triples" in empty.output and not (tmp_path / "e.html").exists()


def test_hypotheses_are_drawn_dotted(explore, tmp_path):
    store = shutil.copytree(explore, tmp_path / "store")
    none = run("viz", "--store", store, "-o", tmp_path / "n.html", "--hypotheses")
    assert none.exit_code == 1 and "run `nkkg hypotheses` first" in none.output
    assert run("hypotheses", "--store", store).exit_code == 0
    out = tmp_path / "h.html"
    assert run("viz", "--store", store, "-o", out, "--hypotheses").exit_code == 0
    _, edges, _ = page_data(out.read_text(encoding="utf-8"))
    dotted = [e for e in edges if e["color"] == viz.HYPOTHESIS_COLOUR]
    assert ("nkkg:agent-c", "nkkg:tum-1") in {(e["from"], e["to"]) for e in dotted}
    assert all(e["dashes"] == [2, 5] and "<b>hypothesis</b>" in e["info"] for e in dotted)


def test_layout_is_cached_per_graph_version(tmp_path, monkeypatch):
    g = synthetic_graph(300)
    first = viz.layout(g, tmp_path)
    assert list(tmp_path.glob("layout-*.json")) == [tmp_path / f"layout-{viz.graph_key(g)}.json"]

    def boom(*_a):
        raise AssertionError("layout recomputed although cached")

    monkeypatch.setattr(viz.layout_module, "_component", boom)
    assert viz.layout(g, tmp_path) == first
    before = viz.graph_key(g)
    g.add_edge("nkkg:agent-0", "nkkg:tumour-1", key="new", predicate="nkv:testedIn")
    assert viz.graph_key(g) != before


def test_large_layout_spreads_nodes():
    g = synthetic_graph(1200)
    pos = viz.layout(g)
    arr = np.array(list(pos.values()))
    assert len(pos) == g.number_of_nodes() and np.isfinite(arr).all()
    d = np.sqrt(((arr[:, None, :] - arr[None, :, :]) ** 2).sum(-1)) + np.eye(len(arr)) * 1e9
    assert np.median(d.min(1)) > 15  # pixels: nodes do not collapse onto each other


def test_build_overview_keeps_working(built):
    nodes, edges, options = page_data((built / "graph.html").read_text(encoding="utf-8"))
    g = viz.from_store(ox.Store.read_only(str(built / "store")))
    assert len(nodes) == g.number_of_nodes() and len(edges) == g.number_of_edges()
    assert options["physics"]["enabled"] is False


def test_graphml_export(explore, tmp_path):
    out = tmp_path / "g.graphml"
    result = run("export", "--format", "graphml", "-o", out, "--store", explore)
    assert result.exit_code == 0, result.output
    g = nx.read_graphml(out)
    assert g.number_of_nodes() == 14 and g.number_of_edges() == 14
    assert g.nodes["nkkg:rec-x"]["xrefs"] == "HGNC:1234" and g.nodes["nkkg:rec-x"]["synonyms"] == "RX"
    e = next(d for s, o, d in g.edges(data=True) if (s, o) == ("nkkg:agent-b", "nkkg:tum-1"))
    assert e["evidence"] == 2 and e["predicate"] == "nkv:testedIn" and e["first_year"] == 2013
    assert e["sources"] == "https://pubmed.ncbi.nlm.nih.gov/1004|https://pubmed.ncbi.nlm.nih.gov/1005"
    undated = next(d for s, o, d in g.edges(data=True) if o == "nkkg:tum-3")
    assert "first_year" not in undated
    bad = run("export", "--format", "kgx", "-o", tmp_path / "x", "--store", explore)
    assert bad.exit_code == 2 and "unknown export format 'kgx'" in bad.output
