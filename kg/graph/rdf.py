"""Records -> RDF quads on the nkv ontology (DESIGN.md section 3).

Named graphs: ``graph/ontology``, ``graph/lexicon``, ``graph/statements`` (each statement's
rdf:subject/predicate/object, written once: ids are content hashes), one ``graph/doc/<source>`` per
source record (a publication or a trial record) holding its node, mentions, evidence and outcomes,
so one record can be replaced alone, and ``graph/assembled``, derived from all of them by
``store.refresh_assembled``: the direct triples (asserted when some evidence is not negated) and
per-edge source counts; ``graph/unverified`` holds the entities the extractor recognised by their
grammar (minted IRIs, ``nkv:verified false``). Every triple thus lives in one graph, so union queries never see duplicates. A statement's direct triple is written into a document's graph
only when that document's evidence for it is not all negated.
"""

from __future__ import annotations

from decimal import Decimal

from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS, XSD

from ..assemble import Assembled
from ..ids import GRAPH_BASE, ID_BASE, converter, digest, expand, slugify
from ..model import Document, Evidence, OutcomeFigure, Statement, TrialRecord
from ..nlp.lexicon import Lexicon
from ..resources import ontology_dir

NKV = Namespace("https://w3id.org/nkvkg/ontology#")
ID = Namespace(ID_BASE)
G_ONTOLOGY = URIRef(GRAPH_BASE + "ontology")
G_LEXICON = URIRef(GRAPH_BASE + "lexicon")
G_ASSEMBLED = URIRef(GRAPH_BASE + "assembled")
G_STATEMENTS = URIRef(GRAPH_BASE + "statements")
G_UNVERIFIED = URIRef(GRAPH_BASE + "unverified")  # entities the extractor recognised by grammar (add-only)


def doc_graph(doc_id: str) -> URIRef:
    return URIRef(GRAPH_BASE + "doc/" + slugify(doc_id))


def iri(curie: str) -> URIRef:
    return URIRef(expand(curie))


def dec(value: float) -> Literal:
    return Literal(Decimal(str(round(float(value), 4))), datatype=XSD.decimal)


def new_dataset() -> Dataset:
    ds = Dataset(default_union=True)
    for prefix, ns in converter().prefix_map.items():
        ds.bind(prefix, ns, override=True)
    return ds


def add_ontology(ds: Dataset) -> None:
    g = ds.graph(G_ONTOLOGY)
    g.parse(ontology_dir() / "nkv.ttl", format="turtle")


AGENT_KINDS = {"text_mining": ("software", PROV.SoftwareAgent), "trial_registry": ("registry", PROV.Organization)}


def agent_iri(attributed_to: str, agent_type: str = "manual") -> tuple[URIRef, URIRef]:
    """The PROV agent behind evidence: extractor software, the registry, or a curator (a person)."""
    kind, cls = AGENT_KINDS.get(agent_type, ("software", PROV.SoftwareAgent) if "@" in attributed_to
                                 else ("curator", PROV.Person))
    return ID[f"{kind}/{slugify(attributed_to)}"], cls


def add_evidence(g: Graph, st_node: URIRef, sid: str, e: Evidence, agents: Graph | None = None) -> URIRef:
    ev = ID["evidence/" + digest(sid, e.document, str(e.start), str(e.end), e.attributed_to, e.sentence or "", str(e.negated))]
    g.add((st_node, NKV.evidence, ev))
    g.add((ev, RDF.type, NKV.Evidence))
    g.add((ev, DCTERMS.source, iri(e.document)))
    if e.sentence:
        g.add((ev, NKV.sentence, Literal(e.sentence)))
    if e.start is not None:
        g.add((ev, NKV.spanStart, Literal(e.start)))
        g.add((ev, NKV.spanEnd, Literal(e.end)))
    g.add((ev, NKV.confidence, dec(e.confidence)))
    g.add((ev, NKV.negated, Literal(e.negated)))
    g.add((ev, NKV.hedged, Literal(e.hedged)))
    g.add((ev, NKV.evidenceCode, iri(e.code)))
    g.add((ev, NKV.agentType, Literal(e.agent_type)))
    who, cls = agent_iri(e.attributed_to, e.agent_type)
    g.add((ev, PROV.wasAttributedTo, who))
    if agents is not None:
        agents.add((who, RDFS.label, Literal(e.attributed_to)))
        agents.add((who, RDF.type, cls))
    if "@" in e.attributed_to:
        g.add((ev, NKV.extractor, Literal(e.attributed_to)))
    return ev


def add_statement_node(g: Graph, sid: str, st: Statement) -> URIRef:
    """The statement's structure (into ``graph/statements``)."""
    node = ID["statement/" + sid]
    g.add((node, RDF.type, NKV.Statement))
    g.add((node, RDF.subject, iri(st.subject)))
    g.add((node, RDF.predicate, iri(st.predicate)))
    g.add((node, RDF.object, iri(st.object)))
    g.add((node, NKV.statementId, Literal(sid)))
    return node


def add_statement(ds: Dataset, g: Graph, sid: str, st: Statement, evidence: tuple[Evidence, ...]) -> URIRef:
    """Structure into ``graph/statements``, evidence into ``g``; the direct triple is derived later."""
    structure = ds.graph(G_STATEMENTS)
    node = add_statement_node(structure, sid, st)
    for e in evidence:
        add_evidence(g, node, sid, e, agents=structure)
    return node


def add_statements(ds: Dataset, assembled: list[Assembled], graph_for) -> None:
    """Each statement's evidence goes to the graph ``graph_for(evidence)`` names. Per-edge source
    counts are derived afterwards from the store (``store.refresh_assembled``)."""
    for a in assembled:
        by_graph: dict[URIRef, list[Evidence]] = {}
        for e in a.statement.evidence:
            by_graph.setdefault(graph_for(e), []).append(e)
        for gname, evs in by_graph.items():
            add_statement(ds, ds.graph(gname), a.id, a.statement, tuple(evs))


def add_lexicon(ds: Dataset, lexicon: Lexicon) -> None:
    g = ds.graph(G_LEXICON)
    for e in lexicon.entities.values():
        node = iri(e.id)
        for cat in e.categories:
            g.add((node, RDF.type, iri(cat.rdf_class)))
        g.add((node, RDFS.label, Literal(e.label, lang="en")))
        for syn in e.synonyms:
            g.add((node, SKOS.altLabel, Literal(syn, lang="en")))
        for x in e.xrefs:
            g.add((node, SKOS.exactMatch, iri(x)))
        if e.note:
            g.add((node, SKOS.definition, Literal(e.note, lang="en")))
        g.add((node, NKV.category, Literal(e.category.value)))


def add_new_entity(g: Graph, entity_id: str, category: str, label: str, reason: str, also_agent: bool = False) -> None:
    """An entity no lexicon row names, with a minted project IRI: typed, labelled and marked
    ``nkv:verified false`` so queries can tell it from curated entities."""
    from ..model import Category

    node = iri(entity_id)
    g.add((node, RDF.type, iri(Category(category).rdf_class)))
    if also_agent:
        g.add((node, RDF.type, NKV.Agent))
    g.add((node, RDFS.label, Literal(label, lang="en")))
    g.add((node, NKV.category, Literal(category)))
    g.add((node, NKV.verified, Literal(False)))
    g.add((node, SKOS.editorialNote, Literal(f"Recognised by the extractor ({reason}); no external identifier "
                                             "was verified, so the IRI is a project IRI.", lang="en")))


def add_outcome(g: Graph, reporter: URIRef, fig: OutcomeFigure, evidence: Evidence | None, key: str,
                agents: Graph | None = None) -> URIRef:
    parts = [key, fig.measure, str(fig.value), fig.unit, fig.subject or "", fig.arm or "", fig.sentence or ""]
    if fig.event:  # only AE figures carry an event: other outcome ids stay as they were
        parts.append(fig.event)
    node = ID["outcome/" + digest(*parts)]
    g.add((reporter, NKV.reportsOutcome, node))
    g.add((node, RDF.type, NKV.Outcome))
    g.add((node, NKV.measure, Literal(fig.measure)))
    g.add((node, NKV.value, dec(fig.value)))
    g.add((node, NKV.unit, Literal(fig.unit)))
    for prop, val in (("ciLow", fig.ci_low), ("ciHigh", fig.ci_high)):
        if val is not None:
            g.add((node, NKV[prop], dec(val)))
    for prop, val in (("numerator", fig.numerator), ("denominator", fig.denominator)):
        if val is not None:
            g.add((node, NKV[prop], Literal(int(val))))
    if fig.arm:
        g.add((node, NKV.arm, Literal(fig.arm)))
    if fig.event:
        g.add((node, NKV.adverseEvent, Literal(fig.event)))
    if fig.subject:
        g.add((node, NKV.outcomeOf, iri(fig.subject)))
    if evidence is not None:
        add_evidence(g, node, node.split("/")[-1], evidence, agents=agents)
    return node


def add_publication(g: Graph, doc: Document, mentioned: set[str], trials: set[str]) -> URIRef:
    node = iri(doc.id)
    g.add((node, RDF.type, NKV.Publication))
    if doc.title:
        g.add((node, DCTERMS.title, Literal(doc.title)))
    if doc.year:
        g.add((node, NKV.year, Literal(str(doc.year), datatype=XSD.gYear)))
    if doc.id.startswith("pubmed:"):
        g.add((node, NKV.pmid, Literal(doc.id.split(":", 1)[1])))
    if doc.doi:
        g.add((node, NKV.doi, Literal(doc.doi)))
    if doc.url:
        g.add((node, RDFS.seeAlso, URIRef(doc.url)))
    if doc.journal:
        g.add((node, DCTERMS.isPartOf, Literal(doc.journal)))
    if doc.study_type:
        g.add((node, NKV.studyType, Literal(doc.study_type)))
    for ent in sorted(mentioned):
        g.add((node, NKV.mentions, iri(ent)))
    for nct in sorted(trials):  # trials without a registry record get typed in graph/assembled
        g.add((node, NKV.aboutTrial, iri(f"clinicaltrials:{nct}")))
    return node


def add_trial(g: Graph, t: TrialRecord) -> URIRef:
    node = iri(f"clinicaltrials:{t.nct_id}")
    g.add((node, RDF.type, NKV.ClinicalTrial))
    g.add((node, NKV.nctId, Literal(t.nct_id)))
    g.add((node, RDFS.label, Literal(t.acronym or t.brief_title)))
    g.add((node, DCTERMS.title, Literal(t.brief_title)))
    if t.official_title:
        g.add((node, NKV.officialTitle, Literal(t.official_title)))
    for ph in t.phases:
        g.add((node, NKV.phase, Literal(ph)))
    for prop, val in (("acronym", t.acronym), ("status", t.status), ("whyStopped", t.why_stopped),
                      ("enrollmentType", t.enrollment_type), ("sponsor", t.sponsor),
                      ("startDate", t.start_date), ("completionDate", t.completion_date)):
        if val:
            g.add((node, NKV[prop], Literal(val)))
    if t.enrollment is not None:
        g.add((node, NKV.enrollment, Literal(t.enrollment)))
    if t.source_url:
        g.add((node, RDFS.seeAlso, URIRef(t.source_url)))
    for c in t.conditions:
        g.add((node, NKV.conditionText, Literal(c)))
    for i in t.interventions:
        label = f"{i.type}: {i.name}" + (f" ({', '.join(i.other_names)})" if i.other_names else "")
        g.add((node, NKV.interventionText, Literal(label)))
    return node

