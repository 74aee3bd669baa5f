"""The build pipeline: sources -> nlp -> assemble -> graph -> store -> outputs.

Every input is read and validated before the store is touched; the store is then rebuilt beside
the old one and swapped in, so bad input never costs a user the graph they had. The same inputs
always give the same triples (ids are content hashes; nothing depends on the clock).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pyoxigraph as ox

from .assemble import assemble
from .config import Settings
from .graph import rdf
from .graph.store import refresh_assembled, replace_store
from .errors import InputError
from .ids import converter, normalise_source
from .model import ECO_AUTHOR_STATEMENT, Document, Evidence, Statement, TrialRecord
from .nlp.extract import EXTRACTOR, Extraction, Extractor
from .nlp import factory
from .nlp.lexicon import Lexicon, load_lexicon
from .registry import trial_outcomes, trial_statements
from .sources.corpus import bundled_documents, bundled_trials
from .sources.files import read_documents

LEXICON_AGENT = "nkkg-lexicon@0.1.0"
Progress = Callable[[str, int], None]


@dataclass
class BuildReport:
    documents: int = 0
    trials: int = 0
    statements: int = 0
    asserted: int = 0
    outcomes: int = 0
    quads: int = 0
    seconds: float = 0.0
    outputs: dict[str, Path] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    lexicon: Lexicon
    documents: list[Document]
    trials: list[TrialRecord]


def read_inputs(settings: Settings) -> Inputs:
    """Parse and validate everything; raises before anything is written."""
    lexicon = load_lexicon(settings.extra_lexicons)
    documents = bundled_documents()
    errors: list[str] = []
    documents.extend(read_documents([Path(p) for p in settings.extra_inputs], errors))
    if errors:
        raise InputError(f"{len(errors)} unreadable input record(s); first: {errors[0]}")
    seen: set[str] = set()
    unique = []
    for d in documents:
        if d.id not in seen:
            seen.add(d.id)
            unique.append(d)
    return with_ingested(settings, Inputs(lexicon, unique, bundled_trials()))


def with_ingested(settings: Settings, inputs: Inputs) -> Inputs:
    """Add every record `nkkg ingest` has kept (merged with a bundled record of the same id), so a
    full rebuild never drops what was ingested."""
    from .ingest import ingested_records, merge_document, merge_trial

    docs, trials = ingested_records(settings)
    if not docs and not trials:
        return inputs
    by_doc = {d.id: d for d in inputs.documents}
    for d in docs:
        by_doc[d.id] = merge_document(d, by_doc.get(d.id))
    by_trial = {t.nct_id: t for t in inputs.trials}
    for t in trials:
        by_trial[t.nct_id] = merge_trial(t, by_trial.get(t.nct_id))
    return Inputs(inputs.lexicon, list(by_doc.values()), list(by_trial.values()))


def source_or(value: str | None, fallback: str) -> str:
    """A citable source CURIE/IRI, or ``fallback`` (the record itself) when the value is only a note
    such as "ESMO 2019 abstract 1242" (kept in the evidence sentence instead)."""
    if not value:
        return fallback
    try:
        return normalise_source(value)
    except InputError:
        return fallback


def lexicon_statements(lexicon: Lexicon) -> list[Statement]:
    """Platform and target columns of the lexicon, with the source each row cites."""
    out = []
    for e in lexicon.entities.values():
        if not e.source:
            continue
        src = source_or(e.source.split(";")[0].strip(), e.source)
        ev = Evidence(document=src, sentence=None, code=ECO_AUTHOR_STATEMENT, agent_type="manual",
                      attributed_to=LEXICON_AGENT, confidence=0.9)
        if e.platform:
            out.append(Statement(e.id, "nkv:usesPlatform", e.platform, (ev,)))
        for t in e.targets:
            out.append(Statement(e.id, "nkv:targets", t, (ev,)))
    return out


def extraction_statements(x: Extraction) -> list[Statement]:
    return [
        Statement(r.subject, r.predicate, r.object, (Evidence(
            document=x.document, sentence=r.sentence, code="ECO:0007321", agent_type="text_mining",
            attributed_to=EXTRACTOR, confidence=r.confidence, start=r.start, end=r.end,
            negated=r.negated, hedged=r.hedged),))
        for r in x.relations
    ]


def make_extractor(inputs: Inputs) -> Extractor:
    return factory.make_extractor(inputs.lexicon, inputs.trials)


def extractor_for(settings: Settings) -> Extractor:
    """The extractor a build with these settings uses (lexicon, extra lexicons, bundled and ingested
    trials); ``extract``, ``eval`` and ``candidates`` use it so they score and show what ships."""
    lexicon = load_lexicon(settings.extra_lexicons)
    return make_extractor(with_ingested(settings, Inputs(lexicon, [], bundled_trials())))


def graph_for(e: Evidence):
    """Evidence lives in the named graph of its source record (the lexicon's in the lexicon graph)."""
    if e.agent_type == "manual" and e.attributed_to == LEXICON_AGENT:
        return rdf.G_LEXICON
    return rdf.doc_graph(e.document)


def trial_into(ds, t: TrialRecord, extractor: Extractor) -> tuple[list[Statement], int]:
    """One registry record into its own graph; returns its statements (evidence: the registry)."""
    g = ds.graph(rdf.doc_graph(f"clinicaltrials:{t.nct_id}"))
    node = rdf.add_trial(g, t)
    figs = trial_outcomes(t, extractor)
    for fig in figs:
        ev = Evidence(document=source_or(fig.source, f"clinicaltrials:{t.nct_id}"), sentence=fig.sentence, code="ECO:0007225",
                      agent_type="trial_registry", attributed_to="clinicaltrials.gov-registry", confidence=0.95)
        rdf.add_outcome(g, node, fig, ev, t.nct_id, agents=ds.graph(rdf.G_STATEMENTS))
    return trial_statements(t, extractor), len(figs)


def document_into(ds, doc: Document, extractor: Extractor) -> tuple[list[Statement], int]:
    """One document into its own graph: publication node, mentions, outcomes; returns its statements."""
    x = extractor.extract(doc)
    g = ds.graph(rdf.doc_graph(doc.id))
    pub = rdf.add_publication(g, doc, {m.id for m in x.mentions if not m.id.startswith("clinicaltrials:")},
                              set(doc.trials) | set(x.trials))
    for fig in x.outcomes:
        ev = Evidence(document=doc.id, sentence=fig.sentence, code="ECO:0007321", agent_type="text_mining",
                      attributed_to=EXTRACTOR, confidence=0.7)
        rdf.add_outcome(g, pub, fig, ev, doc.id, agents=ds.graph(rdf.G_STATEMENTS))
    for n in x.new_entities:
        rdf.add_new_entity(ds.graph(rdf.G_UNVERIFIED), n.id, n.category, n.label, n.reason, n.also_agent)
    return extraction_statements(x), len(x.outcomes)


def records_dataset(documents: list[Document], trials: list[TrialRecord], extractor: Extractor,
                    progress: Progress | None = None):
    """Documents and trial records -> an RDF dataset of their graphs, and how many statements/outcomes."""
    ds = rdf.new_dataset()
    statements: list[Statement] = []
    outcomes = 0
    for t in trials:
        sts, n = trial_into(ds, t, extractor)
        statements += sts
        outcomes += n
    for doc in documents:
        sts, n = document_into(ds, doc, extractor)
        statements += sts
        outcomes += n
        if progress:
            progress("extract", 1)
    return ds, statements, outcomes


def build_dataset(inputs: Inputs, progress: Progress | None = None):
    extractor = make_extractor(inputs)
    ds, statements, outcomes = records_dataset(inputs.documents, inputs.trials, extractor, progress)
    rdf.add_ontology(ds)
    rdf.add_lexicon(ds, inputs.lexicon)
    statements += lexicon_statements(inputs.lexicon)
    assembled = assemble(statements)
    rdf.add_statements(ds, assembled, graph_for)
    report = BuildReport(documents=len(inputs.documents), trials=len(inputs.trials), outcomes=outcomes,
                         statements=len(assembled), asserted=sum(1 for a in assembled if a.statement.asserted))
    return ds, report


def write_outputs(settings: Settings, store_path: Path, report: BuildReport) -> None:
    out = Path(settings.outputs)
    out.mkdir(parents=True, exist_ok=True)
    store = ox.Store.read_only(str(store_path))
    prefixes = dict(converter().prefix_map)
    triples = {q.triple for q in store.quads_for_pattern(None, None, None, None)}
    ttl = out / "nkkg.ttl"
    ox.serialize(sorted(triples, key=str), str(ttl), format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    trig = out / "nkkg.trig"
    store.dump(str(trig), format=ox.RdfFormat.TRIG, prefixes=prefixes)
    report.outputs.update({"turtle": ttl, "trig": trig})


def build(settings: Settings, progress: Progress | None = None, with_outputs: bool = True) -> BuildReport:
    start = time.perf_counter()
    inputs = read_inputs(settings)
    ds, report = build_dataset(inputs, progress)
    from .curation import replayed

    with replayed(settings, ds):  # curated graphs from the journal; it stays locked until the new store is in
        nquads = ds.serialize(format="nquads", encoding="utf-8")
        report.quads = replace_store(Path(settings.store), nquads, refresh_assembled)
    if with_outputs:
        write_outputs(settings, Path(settings.store), report)
        from .viz import overview_html  # pyvis is only needed for the page

        report.outputs["html"] = overview_html(Path(settings.store), Path(settings.outputs) / "graph.html")
    report.seconds = time.perf_counter() - start
    return report
