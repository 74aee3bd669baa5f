"""kg.explain on the fixture graph (tests/data/explore/graph.trig) and on the default build.

Hop cost is 1 + 1/(evidence x confidence): C-X 1 x 0.8, X-B 1 x 0.9, B-T1 2 x 0.8, X-A 1 x 0.9,
A-T1 1 x 0.8, B-trial and trial-T1 1 x 0.95 each."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.explain import explain
from kg.graph.nx import from_store
from tests.test_viz import make_explore_store


def cost(*supports):
    return sum(1 + 1 / s for s in supports)


@pytest.fixture(scope="module")
def explore(tmp_path_factory):
    return make_explore_store(tmp_path_factory.mktemp("explain") / "store")


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_paths_known_answer(explore):
    store = ox.Store.read_only(str(explore))
    ex = explain(store, from_store(store), "Agent C", "Tumour One", max_paths=3)
    assert [p.nodes for p in ex.paths] == [
        ("nkkg:agent-c", "nkkg:rec-x", "nkkg:agent-b", "nkkg:tum-1"),
        ("nkkg:agent-c", "nkkg:rec-x", "nkkg:agent-a", "nkkg:tum-1"),
        ("nkkg:agent-c", "nkkg:rec-x", "nkkg:agent-b", "clinicaltrials:NCT00000001", "nkkg:tum-1")]
    assert [p.cost for p in ex.paths] == pytest.approx([cost(0.8, 0.9, 1.6), cost(0.8, 0.9, 0.8),
                                                       cost(0.8, 0.9, 0.95, 0.95)])
    first = ex.paths[0]
    assert [s.forward for s in first.steps] == [True, False, True]
    assert [e.source for e in first.steps[2].evidence] == ["https://pubmed.ncbi.nlm.nih.gov/1004",
                                                           "https://pubmed.ncbi.nlm.nih.gov/1005"]
    short = explain(store, from_store(store), "Agent C", "Tumour One", max_paths=3, max_hops=3)
    assert [p.nodes[2] for p in short.paths] == ["nkkg:agent-b", "nkkg:agent-a"]  # the 4-hop path is cut


def test_cli_prints_each_hop_with_sentence_and_source(explore):
    result = run("explain", "Agent C", "Tumour One", "--max-paths", 2, "--store", explore)
    assert result.exit_code == 0, result.output
    out = result.output
    assert out.startswith("2 path(s) from Agent C (nkkg:agent-c) to Tumour One (nkkg:tum-1)")
    assert "1. Agent C -> Receptor X -> Agent B -> Tumour One  (3 hop(s)" in out
    assert "Receptor X (nkkg:rec-x) <--nkv:targets-- Agent B (nkkg:agent-b)  [1 evidence, confidence 0.90]" in out
    assert '"Agent B was tested in patients with tumour one." (pubmed:1004)' in out
    assert '"Agent A entered a trial in tumour one." (pubmed:1010)' in out
    assert "NCT00000001" not in out  # the third path was not asked for


def test_entities_by_curie_iri_label_or_synonym(explore):
    outputs = {run("explain", a, "nkkg:tum-1", "--max-paths", 1, "--store", explore).output
               for a in ("nkkg:agent-a", "https://w3id.org/nkvkg/id/agent-a", "agent a", "AA-1")}
    assert len(outputs) == 1 and "Agent A -> Tumour One  (1 hop(s)" in outputs.pop()


def test_unknown_entity_suggests_nearest_labels(explore):
    result = run("explain", "Tumor One", "Agent A", "--store", explore)
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: unknown entity 'Tumor One'; did you mean: Tumour One (nkkg:tum-1)")


@pytest.mark.parametrize("a,b,why", [
    ("nkkg:evil", "Tumour One", "no path between"),
    ("Agent B", "Barrier One", "no path between"),  # the only edge is a negative result
])
def test_no_path_is_an_empty_result(explore, a, b, why):
    result = run("explain", a, b, "--store", explore)
    assert result.exit_code == 1 and why in result.output


def test_same_entity_twice_is_bad_input(explore):
    result = run("explain", "Agent A", "AA-1", "--store", explore)
    assert result.exit_code == 2 and "two different entities" in result.output


def test_html_page_escapes_labels_and_sentences(explore, tmp_path):
    out = tmp_path / "why.html"
    result = run("explain", "nkkg:evil", "Receptor Y", "--html", out, "--store", explore)
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in page and "<b>Y</b>" not in page
    assert "Evil &lt;script&gt;window.__pwned=3&lt;/script&gt; binds &lt;b&gt;Y&lt;/b&gt;." in page
    assert '<a href="https://pubmed.ncbi.nlm.nih.gov/1008"' in page


def test_explain_on_the_default_build(built):
    result = run("explain", "ilixadencel", "renal cell carcinoma", "--max-paths", 2, "--store", built / "store")
    assert result.exit_code == 0, result.output
    assert "1. ilixadencel -> renal cell carcinoma  (1 hop(s)" in result.output
    assert "(pubmed:35638086)" in result.output and "MERECA" in result.output
