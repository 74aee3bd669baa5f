"""Curated assertions -> RDF: one named graph per assertion, replayed into a build or into the store.

``graph/curation/<assertion-id>`` holds the assertion's evidence nodes (source, sentence verbatim,
ECO:0000304 for a curator's statement with a traceable source, ECO:0000305 for a verdict, the curator
as prov:wasAttributedTo, nkv:curationStatus) and its history (one nkv:CurationEvent per journal entry:
action, who, when, why). The statement structure and the curators' agent nodes go to
``graph/statements`` (content-addressed, so adding them twice changes nothing), and
``graph/curation-head`` names the last journal entry the store reflects. Every triple is built from
RDF terms; user text only ever becomes a Literal.

``apply_to_store`` writes a set of assertion graphs in two atomic steps: ``extend`` into staging
graphs, then one SPARQL update (a transaction) that moves them in place and refreshes the derived
graph, so a reader opening the store never sees half a batch asserted.
"""

from __future__ import annotations

import re
import secrets

import pyoxigraph as ox
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, XSD

from ..graph.rdf import G_STATEMENTS, ID, NKV, add_statement_node, dec, iri
from ..graph.store import PROLOGUE as _PROLOGUE
from ..graph.store import assembled_rules
from ..ids import GRAPH_BASE
from ..model import ECO_AUTHOR_STATEMENT, ECO_CURATOR_INFERENCE, Statement
from .state import Assertion, State

CURATION_PREFIX = GRAPH_BASE + "curation/"
G_HEAD = URIRef(GRAPH_BASE + "curation-head")
STAGING_PREFIX = GRAPH_BASE + "curation-staging/"
INCREMENTAL_LIMIT = 50


def graph_name(assertion_id: str) -> URIRef:
    return URIRef(CURATION_PREFIX + assertion_id)


def curator_iri(curator: str) -> URIRef:
    return ID["curator/" + curator]


def evidence_iri(entry_id: str) -> URIRef:
    return ID["evidence/curation-" + entry_id]


def event_iri(entry_id: str) -> URIRef:
    return ID["curation-event/" + entry_id]


def statement_node(sid: str) -> URIRef:
    return ID["statement/" + sid]


def _time(value: str) -> Literal:
    return Literal(value, datatype=XSD.dateTime, normalize=False)  # the journal's lexical form, kept


def assertion_graph(a: Assertion, g: Graph | None = None, only: set[str] | None = None) -> Graph:
    """The triples of ``graph/curation/<a.id>`` (those of the journal entries in ``only``, if given)."""
    g = Graph() if g is None else g
    st = statement_node(a.statement_id)
    for e in a.evidence:
        if only is not None and e.id not in only:
            continue
        ev = evidence_iri(e.id)
        g.add((st, NKV.evidence, ev))
        g.add((ev, RDF.type, NKV.Evidence))
        g.add((ev, DCTERMS.source, iri(e.source)))
        if e.sentence:
            g.add((ev, NKV.sentence, Literal(e.sentence)))
        g.add((ev, NKV.confidence, dec(1.0)))
        g.add((ev, NKV.negated, Literal(a.negated)))
        g.add((ev, NKV.hedged, Literal(False)))
        g.add((ev, NKV.evidenceCode, iri(ECO_CURATOR_INFERENCE if a.kind == "verdict" else ECO_AUTHOR_STATEMENT)))
        g.add((ev, NKV.agentType, Literal("manual")))
        g.add((ev, PROV.wasAttributedTo, curator_iri(e.author)))
        g.add((ev, PROV.generatedAtTime, _time(e.time)))
        g.add((ev, NKV.curationStatus, Literal(a.status)))
        g.add((ev, NKV.journalEntry, Literal(e.id)))
        if a.verdict:
            g.add((ev, NKV.verdict, Literal(a.verdict)))
        if a.conflict:
            g.add((ev, NKV.conflict, Literal(True)))
    for e, status in a.history:
        if only is not None and e.id not in only:
            continue
        ev = event_iri(e.id)
        g.add((ev, RDF.type, NKV.CurationEvent))
        g.add((ev, NKV.action, Literal(e.action)))
        g.add((ev, NKV.curationOf, st))
        g.add((ev, PROV.wasAttributedTo, curator_iri(e.author)))
        g.add((ev, PROV.generatedAtTime, _time(e.time)))
        g.add((ev, NKV.curationStatus, Literal(status)))
        g.add((ev, NKV.journalEntry, Literal(e.id)))
        if e.reason:
            g.add((ev, NKV.reason, Literal(e.reason)))
        if e.text:
            g.add((ev, RDFS.comment, Literal(e.text)))
    return g


def shared_graph(a: Assertion, g: Graph | None = None) -> Graph:
    """What the assertion adds to ``graph/statements``: the statement's structure and its curators."""
    g = Graph() if g is None else g
    add_statement_node(g, a.statement_id, Statement(a.subject, a.predicate, a.object))
    for e, _ in a.history:
        who = curator_iri(e.author)
        g.add((who, RDF.type, PROV.Person))
        g.add((who, RDFS.label, Literal(e.author)))
    return g


def head_graph(head: str | None, g: Graph | None = None) -> Graph:
    g = Graph() if g is None else g
    if head:
        g.add((G_HEAD, NKV.journalHead, Literal(head)))
    return g


def replay_into(ds: Dataset, state: State) -> int:
    """Add every curated assertion's graph (and its share of graph/statements) to a build's dataset."""
    shared = ds.graph(G_STATEMENTS)
    for a in state.assertions.values():
        assertion_graph(a, ds.graph(graph_name(a.id)))
        shared_graph(a, shared)
    head_graph(state.head, ds.graph(G_HEAD))
    return len(state.assertions)


# --- the store ----------------------------------------------------------------------------------

def _ox_term(t):
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD.string)))
    raise TypeError(f"unexpected RDF term {t!r}")  # curated graphs have no blank nodes


def _quads(g: Graph, name: str) -> list[ox.Quad]:
    gn = ox.NamedNode(name)
    return [ox.Quad(_ox_term(s), _ox_term(p), _ox_term(o), gn) for s, p, o in g]


def store_head(store: ox.Store) -> str | None:
    for q in store.quads_for_pattern(ox.NamedNode(str(G_HEAD)), ox.NamedNode(str(NKV.journalHead)), None,
                                     ox.NamedNode(str(G_HEAD))):
        return q.object.value
    return None


def curated_graph_names(store: ox.Store) -> set[str]:
    return {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(CURATION_PREFIX)}


def apply_to_store(store: ox.Store, assertions: list[Assertion], head: str | None, drop: set[str] = frozenset()) -> None:
    """Replace the graphs of ``assertions`` (and drop the curated graphs named in ``drop``) atomically."""
    token = secrets.token_hex(6)
    quads: list[ox.Quad] = []
    moves: list[tuple[str, str]] = []
    shared = Graph()
    for n, a in enumerate(assertions):
        staging = f"{STAGING_PREFIX}{token}/{n}"
        quads += _quads(assertion_graph(a), staging)
        shared_graph(a, shared)
        moves.append((staging, str(graph_name(a.id))))
    shared_staging = f"{STAGING_PREFIX}{token}/statements"
    head_staging = f"{STAGING_PREFIX}{token}/head"
    quads += _quads(shared, shared_staging) + _quads(head_graph(head), head_staging)
    # staging graphs left by a writer killed between its two steps go in the same transaction
    leftovers = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and g.value.startswith(STAGING_PREFIX)}
    store.extend(quads)  # one transaction; nothing outside the staging graphs changes yet
    ops = [f"DROP SILENT GRAPH <{g}>" for g in sorted(set(drop) | leftovers)]
    ops += [f"MOVE SILENT GRAPH <{src}> TO <{dst}>" for src, dst in moves]
    ops += [f"ADD SILENT GRAPH <{shared_staging}> TO <{G_STATEMENTS}>", f"DROP SILENT GRAPH <{shared_staging}>",
            f"MOVE SILENT GRAPH <{head_staging}> TO <{G_HEAD}>"]
    # graph names are ours (a constant base, hex ids and a hex token): no user text reaches the update.
    # Oxigraph takes PREFIX declarations only at the start of a request: the refresh's go first.
    sids = {a.statement_id for a in assertions}
    # a few statements: refresh only theirs (cost independent of the graph); many: the full refresh is cheaper
    refresh = _refresh_for(sids) if sids and not drop and len(sids) <= INCREMENTAL_LIMIT else _REFRESH_BODY
    try:
        store.update(_PROLOGUE + " ;\n".join(ops) + " ;\n" + refresh)
    except BaseException:
        for name in {q.graph_name for q in quads}:
            store.remove_graph(name)
        raise


def _refresh_for(sids: set[str]) -> str:
    """The derived-graph rules (kg/graph/store.py ``assembled_rules``) restricted to the statements a
    curation write touched (a test checks that this agrees with the full refresh)."""
    assert all(re.fullmatch(r"[0-9a-f]+", sid) for sid in sids)
    return assembled_rules([str(statement_node(sid)) for sid in sorted(sids)])


_REFRESH_BODY = assembled_rules()


def store_graph(store: ox.Store, name: str) -> set[tuple]:
    """A named graph of the store as a set of (s, p, o) strings in N-Triples form, for comparisons."""
    return {(str(q.subject), str(q.predicate), str(q.object))
            for q in store.quads_for_pattern(None, None, None, ox.NamedNode(name))}


def expected_graphs(state: State) -> dict[str, set[tuple]]:
    """What the store's curated graphs must hold for ``state``, as ``store_graph`` reads them (through an
    in-memory store, which writes literals in their canonical form as the disk store does)."""
    mem = ox.Store()
    for a in state.assertions.values():
        mem.extend(_quads(assertion_graph(a), str(graph_name(a.id))))
    return {str(graph_name(a.id)): store_graph(mem, str(graph_name(a.id))) for a in state.assertions.values()}
