"""End to end: the real CLI builds the bundled data; facts a scientist would check hold, with evidence."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import main

from .conftest import ask, select

CORE = ["nkv:targets", "nkv:testedIn", "nkv:combinedWith", "nkv:evaluatedIn"]


def test_ilixadencel_facts(store):
    assert ask(store, "nkkg:ilixadencel a nkv:Agent ; nkv:usesPlatform nkkg:dendritic-cell-vaccine")
    assert ask(store, "nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    assert ask(store, "nkkg:ilixadencel nkv:testedIn nkkg:rcc")
    assert ask(store, "nkkg:ilixadencel nkv:evaluatedIn <https://clinicaltrials.gov/study/NCT02432846>")
    # the MERECA registry record carries its phase and the confirmed ORR with its source
    assert ask(store, "clinicaltrials:NCT02432846 nkv:phase 'PHASE2' ; nkv:condition nkkg:rcc")
    assert ask(store, """clinicaltrials:NCT02432846 nkv:reportsOutcome ?o . ?o nkv:measure 'ORR' ; nkv:value 42.2 ;
                         nkv:unit '%' ; nkv:numerator 19 ; nkv:denominator 45""")


def test_n803_facts(store):
    assert ask(store, "nkkg:n-803 nkv:targets nkkg:il-2-15r-beta-gamma")
    assert ask(store, "nkkg:n-803 nkv:combinedWith nkkg:nivolumab")
    assert ask(store, "nkkg:n-803 nkv:testedIn nkkg:nsclc")
    assert ask(store, "nkkg:n-803 rdfs:label 'nogapendekin alfa inbakicept'@en ; skos:altLabel 'ALT-803'@en")


def test_every_core_edge_has_evidence_with_source(store):
    for pred in CORE:
        rows = select(store, f"""SELECT ?s ?o WHERE {{ ?s {pred} ?o .
            FILTER NOT EXISTS {{ ?st rdf:subject ?s ; rdf:predicate {pred} ; rdf:object ?o ; nkv:evidence ?ev .
                                 ?ev dcterms:source ?src }} }}""")
        assert rows == [], f"{pred} edges without evidence: {rows[:3]}"
        assert ask(store, f"?s {pred} ?o"), f"no {pred} edge at all"


def test_extracted_evidence_keeps_sentence_and_span(store):
    rows = select(store, """SELECT ?sentence ?start ?end WHERE { ?ev nkv:agentType 'text_mining' ;
        nkv:sentence ?sentence ; nkv:spanStart ?start ; nkv:spanEnd ?end } LIMIT 50""")
    assert len(rows) == 50
    assert all(int(r["end"]) - int(r["start"]) == len(r["sentence"]) for r in rows)


def test_stats_minimums(built):
    result = CliRunner().invoke(main, ["stats", "--json", "--store", str(built / "store")])
    assert result.exit_code == 0, result.output
    classes = json.loads(result.output)["classes"]
    minimums = {"nkv:Platform": 12, "nkv:Agent": 45, "nkv:Receptor": 30, "nkv:Tumour": 30, "nkv:TMEBarrier": 20,
                "nkv:CombinationPartner": 25, "nkv:Publication": 60, "nkv:ClinicalTrial": 40}
    for cls, n in minimums.items():
        assert classes.get(cls, 0) >= n, (cls, classes.get(cls))


def test_validate_default_build_conforms(built):
    result = CliRunner().invoke(main, ["validate", "--store", str(built / "store")])
    assert result.exit_code == 0, result.output
    assert "0 violation(s)" in result.output


def test_outputs_written(built):
    assert (built / "nkkg.ttl").stat().st_size > 10_000
    assert (built / "nkkg.trig").stat().st_size > 10_000
    page = (built / "graph.html").read_text(encoding="utf-8")
    assert 'id="nkkg-legend"' in page and "vis.DataSet" in page or "new vis.Network" in page
    assert '<script src="http' not in page  # works offline: vis.js is inlined


def test_rebuild_is_idempotent(built, tmp_path):
    import pyoxigraph as ox

    result = CliRunner().invoke(main, ["build", "--store", str(tmp_path / "s"), "--outputs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    from rdflib import Graph
    from rdflib.compare import isomorphic

    def graphs(path):
        store = ox.Store.read_only(str(path))
        out = {}
        for g in store.named_graphs():
            nt = ox.serialize((q.triple for q in store.quads_for_pattern(None, None, None, g)), format=ox.RdfFormat.N_TRIPLES)
            out[g.value] = Graph().parse(data=nt, format="nt")
        return out

    a, b = graphs(built / "store"), graphs(tmp_path / "s")
    assert a.keys() == b.keys()
    for name in a:  # blank nodes (OWL unions) get fresh labels on every parse: compare up to isomorphism
        assert isomorphic(a[name], b[name]), name


def test_every_triple_lives_in_one_graph(store):
    """Union queries must not see duplicates (Oxigraph's union default graph is a multiset)."""
    quads = list(store.quads_for_pattern(None, None, None, None))
    assert len(quads) == len({q.triple for q in quads})


def test_negated_only_statement_keeps_evidence_without_direct_triple(tmp_path):
    doc = tmp_path / "neg.jsonl"
    doc.write_text('{"id": "pubmed:1", "title": "t", "text": "Lirilumab was not combined with cetuximab in melanoma."}\n')
    result = CliRunner().invoke(main, ["build", "--store", str(tmp_path / "s"), "--outputs", str(tmp_path),
                                       "--input", str(doc)])
    assert result.exit_code == 0, result.output
    import pyoxigraph as ox

    st = ox.Store.read_only(str(tmp_path / "s"))
    assert ask(st, """?st rdf:subject nkkg:lirilumab ; rdf:predicate nkv:combinedWith ; rdf:object nkkg:cetuximab ;
                      nkv:evidence ?ev . ?ev nkv:negated true ; dcterms:source pubmed:1""")
    assert not ask(st, "nkkg:lirilumab nkv:combinedWith nkkg:cetuximab")


def test_rebuild_keeps_ingested_records(tmp_path, monkeypatch):
    from .conftest import DATA

    monkeypatch.setenv("NKKG_DATA_DIR", str(tmp_path / "data"))
    store = tmp_path / "s"
    runner = CliRunner()
    result = runner.invoke(main, ["ingest", "file", str(DATA / "ingest" / "pubmed_records.xml")], env={"NKKG_STORE": str(store)})
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["build", "--store", str(store), "--outputs", str(tmp_path)])
    assert result.exit_code == 0, result.output
    import pyoxigraph as ox

    st = ox.Store.read_only(str(store))
    assert ask(st, "pubmed:90000001 a nkv:Publication")
    assert ask(st, "pubmed:35638086 a nkv:Publication")  # and the bundled corpus is still there
