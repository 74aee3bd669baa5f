"""The persistent Oxigraph store.

``replace_store(path, nquads)`` builds a complete new store beside the old one and swaps it in
only when loading succeeded, so a failed build never damages the store a user already has.
``open_store(path)`` opens an existing store (read-only when asked, so a running server and a
query can share it).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pyoxigraph as ox

from ..errors import StoreError


def open_store(path: Path, read_only: bool = False) -> ox.Store:
    path = Path(path)
    if read_only:
        if not path.is_dir():
            raise StoreError(f"no store at {path}: run `nkkg build` first (or set NKKG_STORE / --store)")
        try:
            return ox.Store.read_only(str(path))
        except OSError as exc:
            raise StoreError(f"cannot open store {path}: {exc}") from exc
    try:
        path.mkdir(parents=True, exist_ok=True)
        return ox.Store(str(path))
    except OSError as exc:
        raise StoreError(f"cannot open store {path}: {exc}") from exc


def replace_store(path: Path, nquads: bytes, finish=None) -> int:
    """Load ``nquads`` into a fresh store at ``path`` (swapping it in atomically); return quad count."""
    path = Path(path)
    tmp = path.with_name(path.name + ".new")
    old = path.with_name(path.name + ".old")
    path.parent.mkdir(parents=True, exist_ok=True)
    for p in (tmp, old):
        if p.exists():
            shutil.rmtree(p)
    try:
        store = ox.Store(str(tmp))
        store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
        if finish is not None:
            finish(store)
        store.flush()
        count = len(store)
        del store
    except (OSError, SyntaxError, ValueError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise StoreError(f"cannot build store at {tmp}: {exc}") from exc
    if path.exists():
        path.rename(old)
    tmp.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return count


ASSEMBLED = "https://w3id.org/nkvkg/graph/assembled"
STATEMENTS = "https://w3id.org/nkvkg/graph/statements"
PROLOGUE = """PREFIX nkv: <https://w3id.org/nkvkg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX dcterms: <http://purl.org/dc/terms/>
"""
# Evidence that counts: not a rejected or retracted curation.
_LIVE = 'FILTER NOT EXISTS {{ GRAPH ?g {{ ?ev nkv:curationStatus ?dead }} FILTER(?dead IN ("rejected", "retracted")) }}'


def assembled_rules(statements: list[str] | None = None) -> str:
    """The SPARQL Update that derives graph/assembled (without PREFIX lines: see PROLOGUE).

    - the direct triple holds when some evidence is not negated (curated evidence only once approved)
      and no live curator verdict says the edge is incorrect;
    - nkv:sourceCount counts the distinct sources of live evidence;
    - trials cited or evaluated without a registry record get a typed stub with their NCT id;
    - the subject of an asserted edge gets the class the property's rdfs:domain entails when it has none
      of them (a partner antibody or an unnamed product studied as the agent of a paper is an nkv:Agent).
    With ``statements`` (statement IRIs) only their derived triples are redone, at a cost that does not
    grow with the graph; without, the whole graph is rebuilt and orphaned statements are dropped."""
    if statements is None:
        values, head = "", f"""DROP SILENT GRAPH <{ASSEMBLED}> ;
DELETE {{ GRAPH <{STATEMENTS}> {{ ?st ?p ?o }} }}
WHERE {{ GRAPH <{STATEMENTS}> {{ ?st a nkv:Statement ; ?p ?o }} FILTER NOT EXISTS {{ GRAPH ?g {{ ?st nkv:evidence ?ev }} }} }} ;
"""
    else:
        values = "VALUES ?st { " + " ".join(f"<{iri}>" for iri in statements) + " }"
        head = f"""DELETE {{ GRAPH <{ASSEMBLED}> {{ ?s ?p ?o }} }}
WHERE {{ {values} GRAPH <{STATEMENTS}> {{ ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }}
        GRAPH <{ASSEMBLED}> {{ ?s ?p ?o }} }} ;
DELETE {{ GRAPH <{ASSEMBLED}> {{ ?st nkv:sourceCount ?n }} }}
WHERE {{ {values} GRAPH <{ASSEMBLED}> {{ ?st nkv:sourceCount ?n }} }} ;
"""
    trial_source = (f"{{ GRAPH ?g {{ ?x nkv:aboutTrial ?t }} }} UNION {{ GRAPH <{ASSEMBLED}> {{ ?x nkv:evaluatedIn ?t }} }}"
                    if statements is None else
                    f"{values} GRAPH <{STATEMENTS}> {{ ?st rdf:predicate nkv:evaluatedIn ; rdf:object ?t }} "
                    f"GRAPH <{ASSEMBLED}> {{ ?x nkv:evaluatedIn ?t }}")
    return head + f"""INSERT {{ GRAPH <{ASSEMBLED}> {{ ?s ?p ?o }} }}
WHERE {{
  SELECT DISTINCT ?s ?p ?o WHERE {{
    {values}
    GRAPH <{STATEMENTS}> {{ ?st rdf:subject ?s ; rdf:predicate ?p ; rdf:object ?o }}
    GRAPH ?g {{ ?st nkv:evidence ?ev . ?ev nkv:negated false }}
    FILTER NOT EXISTS {{ GRAPH ?g {{ ?ev nkv:curationStatus ?status }} FILTER(?status != "approved") }}
    FILTER NOT EXISTS {{
      GRAPH ?h {{ ?st nkv:evidence ?verdict . ?verdict nkv:verdict "incorrect" }}
      FILTER NOT EXISTS {{ GRAPH ?h {{ ?verdict nkv:curationStatus ?vs }} FILTER(?vs IN ("rejected", "retracted")) }}
    }}
  }}
}} ;
INSERT {{ GRAPH <{ASSEMBLED}> {{ ?st nkv:sourceCount ?n }} }}
WHERE {{
  SELECT ?st (COUNT(DISTINCT ?src) AS ?n) WHERE {{
    {values}
    GRAPH <{STATEMENTS}> {{ ?st a nkv:Statement }}
    GRAPH ?g {{ ?st nkv:evidence ?ev . ?ev dcterms:source ?src }}
    {_LIVE.format()}
  }} GROUP BY ?st
}} ;
INSERT {{ GRAPH <{ASSEMBLED}> {{ ?t a nkv:ClinicalTrial ; nkv:nctId ?nct }} }}
WHERE {{
  SELECT DISTINCT ?t ?nct WHERE {{
    {trial_source}
    FILTER NOT EXISTS {{ GRAPH ?h {{ ?t nkv:nctId ?any }} }}
    BIND(STRAFTER(STR(?t), "https://clinicaltrials.gov/study/") AS ?nct)
    FILTER(STRLEN(?nct) > 0)
  }}
}} ;
INSERT {{ GRAPH <{ASSEMBLED}> {{ ?s a nkv:Agent }} }}
WHERE {{
  SELECT DISTINCT ?s WHERE {{
    GRAPH <{ASSEMBLED}> {{ ?s ?p ?o }}
    FILTER(?p IN (nkv:usesPlatform, nkv:targets, nkv:testedIn, nkv:combinedWith, nkv:evaluatedIn, nkv:counters, nkv:limitedBy))
    FILTER NOT EXISTS {{ GRAPH ?h {{ ?s a nkv:Agent }} }}
    FILTER(?p IN (nkv:usesPlatform, nkv:targets, nkv:testedIn)
           || (?p IN (nkv:combinedWith, nkv:evaluatedIn) && NOT EXISTS {{ GRAPH ?k {{ ?s a nkv:CombinationPartner }} }})
           || (?p IN (nkv:counters, nkv:limitedBy) && NOT EXISTS {{ GRAPH ?k {{ ?s a nkv:Platform }} }}))
  }}
}}
"""


REFRESH_ASSEMBLED = PROLOGUE + assembled_rules()


def refresh_assembled(store: ox.Store) -> None:
    """Recompute the derived graph of per-statement independent source counts from all graphs."""
    store.update(REFRESH_ASSEMBLED)


def replace_graphs(store: ox.Store, nquads: bytes, graphs: list[str]) -> None:
    """Replace exactly the named ``graphs`` with the quads given (one transaction-like step per graph),
    leave every other graph untouched, and refresh the derived counts."""
    staged = ox.Store()  # parse fully in memory first: a syntax error leaves the store as it was
    staged.load(nquads, format=ox.RdfFormat.N_QUADS)
    for g in graphs:
        node = ox.NamedNode(g)
        store.remove_graph(node) if store.contains_named_graph(node) else None
        store.extend(staged.quads_for_pattern(None, None, None, node))
    refresh_assembled(store)
