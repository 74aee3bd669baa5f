"""Service description (SPARQL 1.1 SD vocabulary) and a VoID description of the dataset."""

from __future__ import annotations

import pyoxigraph as ox

from ..ids import GRAPH_BASE

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DATASET = "https://w3id.org/nkvkg/id/dataset"


def service_description(endpoint: str, update_enabled: bool) -> str:
    langs = "sd:SPARQL11Query" + (", sd:SPARQL11Update" if update_enabled else "")
    return f"""@prefix sd: <{SD}> .
@prefix void: <{VOID}> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{endpoint}> a sd:Service ;
    sd:endpoint <{endpoint}> ;
    sd:supportedLanguage {langs} ;
    sd:feature sd:UnionDefaultGraph ;
    sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>, <http://www.w3.org/ns/formats/SPARQL_Results_XML>,
        <http://www.w3.org/ns/formats/SPARQL_Results_CSV>, <http://www.w3.org/ns/formats/SPARQL_Results_TSV>,
        <http://www.w3.org/ns/formats/Turtle>, <http://www.w3.org/ns/formats/N-Triples>,
        <http://www.w3.org/ns/formats/JSON-LD>, <http://www.w3.org/ns/formats/RDF_XML> ;
    sd:defaultDataset [
        a sd:Dataset ;
        dcterms:description "nkkg: NK-cell vaccine mechanisms and clinical trials in solid tumours; the default graph is the union of all named graphs" ;
        void:inDataset <{DATASET}> ;
        sd:defaultGraph [ a sd:Graph ] ;
    ] .
"""


def void_description(store: ox.Store, base_url: str, union: dict | None = None, triples: int | None = None) -> str:
    union = {"use_default_graph_as_union": True} if union is None else union
    if triples is None:
        triples = len({q.triple for q in store.quads_for_pattern(None, None, None, None)})
    graphs = sorted(g.value for g in store.named_graphs())
    classes = store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c", **union)
    parts = [f"""@prefix void: <{VOID}> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<{DATASET}> a void:Dataset ;
    dcterms:title "nkkg" ;
    dcterms:description "A knowledge graph of NK-cell directed vaccines, mechanisms and clinical trials in solid tumours." ;
    void:sparqlEndpoint <{base_url}sparql> ;
    void:uriSpace "https://w3id.org/nkvkg/id/" ;
    void:vocabulary <https://w3id.org/nkvkg/ontology#> ;
    void:triples {triples} ;
    void:classes {len(classes := list(classes))} ;"""]
    parts.append("    void:classPartition " + ",\n        ".join(
        f'[ void:class <{row[0].value}> ; void:entities {row[1].value} ]' for row in classes) + " ;")
    parts.append("    void:subset " + ",\n        ".join(f"<{g}>" for g in graphs if g.startswith(GRAPH_BASE)) + " .")
    return "\n".join(parts) + "\n"
