"""The bundled corpus and local document files (JSON Lines and plain text).

Bundled: ``kg/data/corpus/documents_*.jsonl`` (evidence summaries written for nkkg, one real
publication each) and ``kg/data/corpus/trials.jsonl`` (structured ClinicalTrials.gov records).
User input: JSON Lines ``{"id": "pubmed:123", "title": ..., "text": ...}`` and ``.txt`` files.
Parsers are pure functions of text; a malformed record raises ``CorpusError`` naming file and line,
or, with ``errors`` given, is reported there and skipped.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..errors import CorpusError
from ..ids import NCT_RE, is_curie_or_iri, slugify
from ..model import Document, Intervention, OutcomeFigure, Section, TrialRecord
from ..resources import corpus_dir

PHASES = {"EARLY_PHASE1", "PHASE1", "PHASE2", "PHASE3", "PHASE4", "NA"}


def document_from_json(obj: dict, where: str) -> Document:
    if not isinstance(obj, dict):
        raise CorpusError(f"{where}: expected a JSON object, got {type(obj).__name__}")
    doc_id, text = obj.get("id"), obj.get("text")
    if not isinstance(doc_id, str) or not doc_id.strip():
        raise CorpusError(f"{where}: missing or empty 'id'")
    if not is_curie_or_iri(doc_id):
        raise CorpusError(f"{where}: 'id' must be a CURIE such as pubmed:123, got {doc_id!r}")
    if not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: document {doc_id} has no 'text'")
    title = obj.get("title") or ""
    if not isinstance(title, str):
        raise CorpusError(f"{where}: 'title' must be a string")
    year = obj.get("year")
    if year is not None and not isinstance(year, int):
        try:
            year = int(str(year)[:4])
        except ValueError as exc:
            raise CorpusError(f"{where}: 'year' is not a year: {year!r}") from exc
    trials = obj.get("trials") or []
    if not isinstance(trials, list) or not all(isinstance(t, str) and NCT_RE.fullmatch(t) for t in trials):
        raise CorpusError(f"{where}: 'trials' must be a list of NCT identifiers")
    offset = len(title) + 1 if title else 0
    return Document(
        id=doc_id.strip(), title=title, sections=(Section("abstract", text, offset),),
        kind=obj.get("kind", "summary"), year=year, url=obj.get("url"), doi=obj.get("doi"),
        journal=obj.get("journal"), study_type=obj.get("study_type"), trials=tuple(trials),
    )


def read_jsonl(path: Path, errors: list[str] | None = None) -> list[dict]:
    """Objects of a JSON Lines file; bad lines raise, or are reported into ``errors`` and skipped."""
    out = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    for n, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            out.append((n, json.loads(line)))
        except json.JSONDecodeError as exc:
            msg = f"{path}:{n}: malformed JSON: {exc.msg} (column {exc.colno})"
            if errors is None:
                raise CorpusError(msg) from exc
            errors.append(msg)
    return out


def load_documents(path: Path, errors: list[str] | None = None) -> list[Document]:
    docs = []
    for n, obj in read_jsonl(path, errors):
        try:
            docs.append(document_from_json(obj, f"{path}:{n}"))
        except CorpusError as exc:
            if errors is None:
                raise
            errors.append(str(exc))
    return docs


def load_text(path: Path) -> Document:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    if not text.strip():
        raise CorpusError(f"{path}: empty text file")
    return Document(id=f"nkkg.doc:{slugify(path.stem)}", title="", sections=(Section("text", text, 0),), kind="summary")


def _figure(obj: dict, where: str) -> OutcomeFigure:
    try:
        return OutcomeFigure(
            measure=str(obj["measure"]), value=float(obj["value"]), unit=str(obj["unit"]),
            ci_low=obj.get("ci_low"), ci_high=obj.get("ci_high"), numerator=obj.get("numerator"),
            denominator=obj.get("denominator"), arm=obj.get("arm"), source=obj.get("source"),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CorpusError(f"{where}: bad result figure {obj!r}: {exc}") from exc


def trial_from_json(obj: dict, where: str) -> TrialRecord:
    nct = obj.get("nct_id") if isinstance(obj, dict) else None
    if not isinstance(nct, str) or not NCT_RE.fullmatch(nct):
        raise CorpusError(f"{where}: missing or malformed 'nct_id'")
    phases = tuple(obj.get("phases") or ())
    bad = [p for p in phases if p not in PHASES]
    if bad:
        raise CorpusError(f"{where}: {nct}: unknown phase(s) {bad}")
    enrollment = obj.get("enrollment")
    if enrollment is not None and not isinstance(enrollment, int):
        raise CorpusError(f"{where}: {nct}: 'enrollment' must be an integer")
    return TrialRecord(
        nct_id=nct, brief_title=obj.get("brief_title") or nct, official_title=obj.get("official_title"),
        acronym=obj.get("acronym"), phases=phases, status=obj.get("status"), why_stopped=obj.get("why_stopped"),
        conditions=tuple(obj.get("conditions") or ()),
        interventions=tuple(
            Intervention(i.get("type") or "OTHER", i["name"], tuple(i.get("other_names") or ()))
            for i in obj.get("interventions") or ()
        ),
        enrollment=enrollment, enrollment_type=obj.get("enrollment_type"), sponsor=obj.get("sponsor"),
        start_date=obj.get("start_date"), completion_date=obj.get("completion_date"),
        results=tuple(_figure(r, f"{where}: {nct}") for r in obj.get("results") or ()),
        source_url=obj.get("source_url") or f"https://clinicaltrials.gov/study/{nct}",
    )


def load_trials(path: Path) -> list[TrialRecord]:
    return [trial_from_json(obj, f"{path}:{n}") for n, obj in read_jsonl(path)]


def bundled_documents() -> list[Document]:
    docs: list[Document] = []
    for path in sorted(corpus_dir().glob("documents_*.jsonl")):
        docs.extend(load_documents(path))
    return docs


def bundled_trials() -> list[TrialRecord]:
    path = corpus_dir() / "trials.jsonl"
    return load_trials(path) if path.is_file() else []
