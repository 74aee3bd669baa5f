"""Incremental ingest: live or local records -> only their own named graphs in the store.

Contract: ``ingest_pubmed`` / ``ingest_ctgov`` / ``ingest_files`` fetch (or read) and parse records, then
``update`` compares each with what ingest recorded before (key: ``pubmed:<PMID>`` or another document
CURIE, or the bare NCT ID of a registry record; value: a hash of the parsed record and the extractor
version) in ``<data_dir>/ingest/state.json`` (written atomically). Only new or changed records (and
recorded ones whose graph is missing from this store, "restored") are extracted again, with the build's
own functions, and their named graphs are replaced with ``store.replace_graphs``: every other graph,
curated ones above all, is left as it was. The statement structure of the new evidence is added to
``graph/statements`` (it is shared, keyed by content ids); ``graph/assembled`` is then re-derived.

A record with the id of a bundled input shares its graph, so that graph is rebuilt from both: the live
record first, the bundled one filling what it lacks (a bundled summary stays as an extra section, a
bundled trial record's publication figures stay beside the registry's), so nothing stored is lost.
Parsed records are kept in ``<data_dir>/ingest/records/`` (``ingested_records`` reads them back).

A live run writes a journal under ``<cache_dir>/runs/`` before fetching and deletes it when the store
is updated; a later run with the same parameters within ``RESUME_WITHIN`` resumes it, reading the
completed requests from the raw-response cache. One ingest at a time per data directory (a file lock).
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Union

import filelock
import httpx
import pyoxigraph as ox
from rdflib import URIRef

from .assemble import assemble
from .build import Inputs, graph_for, lexicon_statements, make_extractor, read_inputs, records_dataset
from .config import Settings
from .errors import CorpusError, InputError, SourceError, StoreError
from .graph import rdf
from .graph.store import open_store, replace_graphs
from .http import Counters, HttpClient, Politeness, write_atomic
from .ids import digest, slugify
from .model import Document, Intervention, OutcomeFigure, Section, TrialRecord
from .nlp.extract import EXTRACTOR
from .sources import ctgov, pubmed
from .sources.corpus import bundled_documents, bundled_trials, load_documents

Record = Union[Document, TrialRecord]
Progress = Callable[[str, int, "int | None"], None]
RESUME_WITHIN = 6 * 3600  # seconds; NCBI keeps a search session for some hours
STATE_VERSION = 1


@dataclass(frozen=True)
class Fetch:
    """How to reach the live sources: politeness (rate, retries, backoff, injectable sleep) and transport."""

    politeness: Politeness | None = None
    transport: httpx.BaseTransport | None = None


@dataclass(frozen=True)
class IngestReport:
    source: str
    origin: str
    fetched: int
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()  # malformed records: one message each, naming the record
    graphs: tuple[str, ...] = ()  # the named graphs replaced
    requests: int = 0  # over the network
    cached: int = 0  # served from the raw-response cache
    resumed: bool = False


# --- records: keys, graphs, JSON, hashes ---------------------------------------------------------------

def key_of(r: Record) -> str:
    return r.id if isinstance(r, Document) else r.nct_id


def graph_of_key(key: str) -> URIRef:
    return rdf.doc_graph(key if ":" in key else f"clinicaltrials:{key}")


def record_to_json(r: Record) -> dict:
    return {"kind": "document" if isinstance(r, Document) else "trial", "record": asdict(r)}


def _trial(d: dict) -> TrialRecord:
    return TrialRecord(**{**d, "phases": tuple(d["phases"]), "conditions": tuple(d["conditions"]),
                          "interventions": tuple(Intervention(i["type"], i["name"], tuple(i["other_names"]))
                                                 for i in d["interventions"]),
                          "results": tuple(OutcomeFigure(**f) for f in d["results"])})


def record_from_json(obj: dict) -> Record:
    d = obj["record"]
    if obj["kind"] == "trial":
        return _trial(d)
    return Document(**{**d, "sections": tuple(Section(**s) for s in d["sections"]), "trials": tuple(d["trials"]),
                       "mesh": tuple(d["mesh"]), "publication_types": tuple(d["publication_types"]),
                       "trial": _trial(d["trial"]) if d.get("trial") else None})


def content_hash(r: Record) -> str:
    """The parsed record and the extractor version: a record's graph changes with either."""
    return digest(json.dumps(record_to_json(r), sort_keys=True, ensure_ascii=False), EXTRACTOR, length=32)


# --- files under the data directory ---------------------------------------------------------------------

def _ingest_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "ingest"


def state_path(settings: Settings) -> Path:
    return _ingest_dir(settings) / "state.json"


def _record_path(settings: Settings, key: str) -> Path:
    return _ingest_dir(settings) / "records" / f"{slugify(key)[:80]}-{digest(key, length=8)}.json"


def load_state(settings: Settings) -> dict:
    path = state_path(settings)
    if not path.is_file():
        return {"version": STATE_VERSION, "records": {}, "runs": []}
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable ingest state ({exc}); move it away to start afresh") from exc
    state.setdefault("records", {})
    state.setdefault("runs", [])
    return state


def save_state(settings: Settings, state: dict) -> None:
    state["runs"] = state["runs"][-200:]
    write_atomic(state_path(settings), json.dumps(state, indent=1, sort_keys=True).encode("utf-8"))


def load_record(settings: Settings, key: str) -> Record | None:
    try:
        return record_from_json(json.loads(_record_path(settings, key).read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def ingested_records(settings: Settings) -> tuple[list[Document], list[TrialRecord]]:
    """Every record ingest has kept (for a full rebuild beside the bundled corpus)."""
    records = [r for k in sorted(load_state(settings)["records"]) if (r := load_record(settings, k)) is not None]
    return [r for r in records if isinstance(r, Document)], [r for r in records if isinstance(r, TrialRecord)]


def _lock(settings: Settings) -> filelock.FileLock:
    path = _ingest_dir(settings) / ".lock"
    path.parent.mkdir(parents=True, exist_ok=True)
    return filelock.FileLock(str(path), timeout=0)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


# --- merging with the bundled inputs --------------------------------------------------------------------

def merge_trial(live: TrialRecord, bundled: TrialRecord | None) -> TrialRecord:
    """The registry's record, gaps filled from the bundled one, the bundled figures kept beside its own."""
    if bundled is None:
        return live
    filled = {f.name: getattr(live, f.name) or getattr(bundled, f.name) for f in fields(TrialRecord)}
    seen = {(f.measure, f.value, f.unit, f.arm) for f in live.results}
    extra = tuple(f for f in bundled.results if (f.measure, f.value, f.unit, f.arm) not in seen)
    return TrialRecord(**{**filled, "results": live.results + extra})


def merge_document(live: Document, bundled: Document | None) -> Document:
    """The fetched document with the bundled summary appended as sections (offsets into the joined text)."""
    if bundled is None:
        return live
    sections, offset = list(live.sections), len(live.text) + 1
    extra = ([Section("nkkg summary title", bundled.title)] if bundled.title and bundled.title != live.title else [])
    for s in extra + [Section("nkkg summary", s.text) for s in bundled.sections]:
        sections.append(Section(s.label, s.text, offset))
        offset += len(s.text) + 1
    filled = {f.name: getattr(live, f.name) or getattr(bundled, f.name) for f in fields(Document)}
    return Document(**{**filled, "sections": tuple(sections),
                       "trials": tuple(dict.fromkeys(live.trials + bundled.trials))})


def inputs_for(targets: set[URIRef], bundled: Inputs, ingested: Iterable[Record]) -> tuple[list[Document], list[TrialRecord]]:
    """Everything that belongs in the ``targets`` graphs: ingested records merged with bundled ones."""
    b_docs = {d.id: d for d in bundled.documents if rdf.doc_graph(d.id) in targets}
    b_trials = {t.nct_id: t for t in bundled.trials if graph_of_key(t.nct_id) in targets}
    docs: dict[str, Document] = {}
    trials: dict[str, TrialRecord] = {}
    for r in ingested:
        if isinstance(r, Document):
            docs[r.id] = merge_document(r, b_docs.get(r.id))
        else:
            trials[r.nct_id] = merge_trial(r, b_trials.get(r.nct_id))
    for d in b_docs.values():
        docs.setdefault(d.id, d)
    for t in b_trials.values():
        trials.setdefault(t.nct_id, t)
    return [docs[k] for k in sorted(docs)], [trials[k] for k in sorted(trials)]


# --- the store update -----------------------------------------------------------------------------------

def _write_graphs(settings: Settings, store: ox.Store, todo: dict[str, Record], state: dict) -> list[str]:
    targets = {graph_of_key(k) for k in todo}
    bundled = read_inputs(settings)
    ingested = dict(todo)
    for k in state["records"]:  # another record may share a graph (a clinicaltrials: document and its trial)
        if k not in ingested and graph_of_key(k) in targets and (r := load_record(settings, k)) is not None:
            ingested[k] = r
    docs, trials = inputs_for(targets, bundled, ingested.values())
    extractor = make_extractor(Inputs(bundled.lexicon, bundled.documents, bundled.trials + trials))
    ds, statements, _ = records_dataset(docs, trials, extractor)
    names = set(targets)
    if not store.contains_named_graph(ox.NamedNode(str(rdf.G_ONTOLOGY))):
        rdf.add_ontology(ds)
        names.add(rdf.G_ONTOLOGY)
    if not store.contains_named_graph(ox.NamedNode(str(rdf.G_LEXICON))):
        rdf.add_lexicon(ds, bundled.lexicon)
        statements += lexicon_statements(bundled.lexicon)
        names.add(rdf.G_LEXICON)
    rdf.add_statements(ds, assemble(statements), graph_for)
    produced = {g.identifier for g in ds.graphs() if len(g) and str(g.identifier).startswith("http")}
    if stray := produced - names - {rdf.G_STATEMENTS, rdf.G_UNVERIFIED}:
        raise StoreError(f"internal: ingest produced graphs outside its records: {sorted(stray)[:3]}")
    nquads = ds.serialize(format="nquads", encoding="utf-8")
    staged = ox.Store()
    staged.load(nquads, format=ox.RdfFormat.N_QUADS)
    for add_only in (rdf.G_STATEMENTS, rdf.G_UNVERIFIED):  # shared graphs: never replaced, only added to
        store.extend(list(staged.quads_for_pattern(None, None, None, ox.NamedNode(str(add_only)))))
    replace_graphs(store, nquads, sorted(str(g) for g in names))
    store.flush()
    return sorted(str(g) for g in names)


def _update(settings: Settings, records: list[Record], source: str, origin: str, errors: list[str],
            counters: Counters | None = None, resumed: bool = False) -> IngestReport:
    by_key = {key_of(r): r for r in records}  # a record met twice: the last one counts
    hashes = {k: content_hash(r) for k, r in by_key.items()}
    state = load_state(settings)
    entries = state["records"]
    groups: dict[str, list[str]] = {"added": [], "changed": [], "unchanged": [], "restored": []}
    todo: dict[str, Record] = {}
    graphs: list[str] = []
    store = open_store(Path(settings.store)) if by_key else None  # nothing read: leave the store alone
    try:
        for k in by_key:
            e = entries.get(k)
            kind = ("added" if e is None else "changed" if e.get("hash") != hashes[k]
                    else "unchanged" if store.contains_named_graph(ox.NamedNode(str(graph_of_key(k)))) else "restored")
            groups[kind].append(k)
        todo = {k: by_key[k] for kind in ("added", "changed", "restored") for k in groups[kind]}
        for k, r in todo.items():
            write_atomic(_record_path(settings, k), json.dumps(record_to_json(r), ensure_ascii=False).encode("utf-8"))
        if todo:
            graphs = _write_graphs(settings, store, todo, state)
    finally:
        del store  # the store closes here, not when a traceback that saw it is collected
    now = _now()
    for k in by_key:
        e = entries.setdefault(k, {"first_seen": now})
        e.update(hash=hashes[k], source=source, origin=origin, seen=now)
        if k in todo:
            e["updated"] = now
    report = IngestReport(source, origin, len(records), added=tuple(groups["added"]), changed=tuple(groups["changed"]),
                          unchanged=tuple(groups["unchanged"]), restored=tuple(groups["restored"]),
                          skipped=tuple(errors), graphs=tuple(graphs), requests=counters.network if counters else 0,
                          cached=counters.cached if counters else 0, resumed=resumed)
    state["runs"].append({"source": source, "origin": origin, "at": now, "store": str(settings.store),
                          "fetched": report.fetched, "skipped": len(errors),
                          **{g: len(groups[g]) for g in groups}})
    save_state(settings, state)
    return report


def update(settings: Settings, records: list[Record], source: str, origin: str,
           errors: list[str] | None = None) -> IngestReport:
    """Add new and changed records to the store (see the module docstring); under the ingest lock."""
    with _locked(settings):
        return _update(settings, records, source, origin, list(errors or []))


class _locked:
    def __init__(self, settings: Settings):
        self.lock = _lock(settings)

    def __enter__(self):
        try:
            self.lock.acquire()
        except filelock.Timeout:
            raise StoreError(f"another nkkg ingest holds {self.lock.lock_file}; wait for it to finish") from None
        return self

    def __exit__(self, *exc):
        self.lock.release()


# --- resumable live runs --------------------------------------------------------------------------------

class Journal:
    """Marks a live run as started; its presence (recent enough) tells the next run to resume it."""

    def __init__(self, settings: Settings, source: str, params: dict):
        self.path = Path(settings.cache_dir) / "runs" / f"{source}-{digest(json.dumps(params, sort_keys=True))}.json"
        self.params = params

    def begin(self) -> tuple[bool, float]:
        """(resume?, when the run began): resume when an interrupted run with these parameters is recent."""
        try:
            started = float(json.loads(self.path.read_text(encoding="utf-8"))["started"])
            if 0 <= time.time() - started < RESUME_WITHIN:
                return True, started
        except (OSError, ValueError, KeyError, TypeError):
            pass
        started = time.time()
        write_atomic(self.path, json.dumps({"started": started, "params": self.params}).encode("utf-8"))
        return False, started

    def finish(self) -> None:
        self.path.unlink(missing_ok=True)


def _client(settings: Settings, rate: float, fetch: Fetch) -> HttpClient:
    return HttpClient(rate=rate, politeness=fetch.politeness, cache_dir=Path(settings.cache_dir) / "http",
                      email_address=settings.email, transport=fetch.transport)


def _live(settings: Settings, source: str, params: dict, origin: str, rate: float, fetch: Fetch,
          get: Callable[[HttpClient, list[str], bool], list[Record]]) -> IngestReport:
    with _locked(settings):
        journal = Journal(settings, source, {"settings": [settings.eutils_url, settings.ctgov_url], **params})
        resumed, started = journal.begin()
        errors: list[str] = []
        with _client(settings, rate, fetch) as client:
            client.valid_since = started  # a resumed run reads only what this run cached, never an older run's pages
            try:
                records = get(client, errors, resumed)
            except SourceError as exc:
                raise SourceError(f"{exc} (run the same command again to resume)", exc.status) from exc
        report = _update(settings, records, source, origin, errors, client.counters, resumed)
        journal.finish()
        return report


def ingest_pubmed(settings: Settings, query: pubmed.PubmedQuery, fetch: Fetch = Fetch(),
                  progress: Progress | None = None) -> IngestReport:
    origin = f"query {query.term!r}" + (f" since {query.since}" if query.since else "") + \
        (f" max {query.max_records}" if query.max_records is not None else "")
    step = (lambda done, total: progress("pubmed", done, total)) if progress else None
    return _live(settings, "pubmed", asdict(query), origin, pubmed.ncbi_rate(settings), fetch,
                 lambda client, errors, resume: pubmed.fetch_pubmed(client, settings, query, errors, resume=resume,
                                                                    progress=step))


def ingest_ctgov(settings: Settings, query: ctgov.CtgovQuery | None = None, ncts: tuple[str, ...] = (),
                 fetch: Fetch = Fetch(), progress: Progress | None = None) -> IngestReport:
    if (query is None) == (not ncts):
        raise InputError("give either a search (--query/--condition/--intervention) or --nct, not both")
    step = (lambda done, total: progress("ctgov", done, total)) if progress else None

    def get(client: HttpClient, errors: list[str], resume: bool) -> list[Record]:
        if query is not None:
            return list(ctgov.fetch_studies(client, settings, query, errors, resume=resume, progress=step))
        out: list[Record] = []
        for n, nct in enumerate(ncts, start=1):
            out += ctgov.fetch_study(client, settings, nct, errors, resume=resume)
            if step:
                step(n, len(ncts))
        return out

    params = asdict(query) if query is not None else {"ncts": list(ncts)}
    origin = (", ".join(f"{k}={v!r}" for k, v in params.items() if v is not None and k in ("term", "condition", "intervention"))
              if query is not None else " ".join(ncts))
    return _live(settings, "clinicaltrials", params, origin, ctgov.CTGOV_RATE, fetch, get)


def read_path(path: Path, errors: list[str]) -> list[Record]:
    """One local file: PubMed XML (.xml, .xml.gz), CT.gov v2 JSON (.json, .zip) or documents (.jsonl)."""
    name = path.name.lower()
    if name.endswith((".xml", ".xml.gz")):
        return list(pubmed.read_pubmed_path(path, errors))
    if name.endswith((".json", ".zip")):
        return list(ctgov.read_ctgov_path(path, errors))
    if name.endswith(".jsonl"):
        return list(load_documents(path, errors))
    raise CorpusError(f"{path}: unknown input type (expected .xml, .xml.gz, .json, .zip or .jsonl)")


def ingest_files(settings: Settings, paths: list[Path]) -> IngestReport:
    errors: list[str] = []
    records: list[Record] = []
    for path in paths:
        try:
            records += read_path(Path(path), errors)
        except CorpusError as exc:
            errors.append(str(exc))
    return update(settings, records, "file", " ".join(str(p) for p in paths), errors)


def sources_summary(settings: Settings) -> dict:
    """What the graph was built from: the bundled corpus and every ingested source, with dates and counts."""
    state = load_state(settings)
    per: dict[str, dict] = {}
    for e in state["records"].values():
        s = per.setdefault(e.get("source", "?"), {"records": 0, "last_updated": None})
        s["records"] += 1
        s["last_updated"] = max(filter(None, [s["last_updated"], e.get("updated")]), default=None)
    return {"bundled": {"documents": len(bundled_documents()), "trials": len(bundled_trials())},
            "ingested": dict(sorted(per.items())), "runs": state["runs"][-20:], "state": str(state_path(settings))}


__all__ = ["Fetch", "IngestReport", "ingest_ctgov", "ingest_files", "ingest_pubmed", "ingested_records", "merge_document",
           "merge_trial", "sources_summary", "update"]
