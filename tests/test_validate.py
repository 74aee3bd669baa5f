"""SHACL shapes catch broken graphs (and pass good ones)."""

from __future__ import annotations

from rdflib import Graph

from kg.validate import validate_graph

PREFIXES = """
@prefix nkv: <https://w3id.org/nkvkg/ontology#> . @prefix ex: <https://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
GOOD = PREFIXES + """
ex:t a nkv:ClinicalTrial ; nkv:nctId "NCT02432846" ; nkv:phase "PHASE2" ; nkv:status "COMPLETED" .
ex:o a nkv:Outcome ; nkv:measure "ORR" ; nkv:value "42.2"^^xsd:decimal ; nkv:unit "%" ; nkv:evidence ex:ev .
ex:ev a nkv:Evidence ; dcterms:source ex:paper ; nkv:confidence "0.9"^^xsd:decimal ; nkv:negated false ;
      nkv:hedged false ; nkv:evidenceCode ex:eco .
"""


def _violations(ttl: str):
    return validate_graph(Graph().parse(data=ttl, format="turtle"))


def test_good_graph_conforms():
    assert _violations(GOOD) == []


def test_trial_without_nct_id():
    v = _violations(GOOD.replace('nkv:nctId "NCT02432846" ;', ""))
    assert any("NCT identifier" in x.message for x in v)


def test_trial_with_three_phases_and_bad_phase():
    v = _violations(GOOD.replace('nkv:phase "PHASE2"', 'nkv:phase "PHASE1", "PHASE2", "Phase II"'))
    assert v and all(x.focus.endswith("/t") for x in v)


def test_outcome_without_value():
    v = _violations(GOOD.replace('nkv:value "42.2"^^xsd:decimal ;', ""))
    assert any("numeric" in x.message for x in v)


def test_asserted_edge_without_evidence():
    v = _violations(GOOD + "ex:a a nkv:Agent ; rdfs:label 'a' ; nkv:targets ex:r . ex:r a nkv:Receptor ; rdfs:label 'r' .")
    assert any("no evidence node" in x.message for x in v)
