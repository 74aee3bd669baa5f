"""Curation files: the TSV template and Turtle/TriG in (``read_rows``), nanopublications out (``export_trig``).

TSV: a header line naming the columns ``subject predicate object source evidence curator`` (and
optionally ``negated``), then one assertion per line; fields are taken verbatim (no quoting: a field
cannot hold a tab or a newline), blank lines and lines starting with ``#`` are skipped. A row with
the wrong number of fields is an error naming its line. Turtle/TriG: every ``nkv:Statement``
(rdf:subject/predicate/object) with ``nkv:evidence`` nodes naming a ``dcterms:source`` (and optionally
``nkv:sentence``, ``prov:wasAttributedTo``, ``nkv:negated``): the graph's own evidence model, which is
also what ``export_trig`` writes, so an export can be imported again (as new, pending assertions).
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF

from ..errors import InputError
from ..graph.rdf import ID, NKV, iri
from ..ids import compress, converter
from . import graphs
from .api import Row
from .state import Assertion, State

COLUMNS = ("subject", "predicate", "object", "source", "evidence", "curator")
OPTIONAL = ("evidence", "negated")
TRUE, FALSE = {"true", "yes", "1", "y"}, {"false", "no", "0", "n", ""}
NP = Namespace("http://www.nanopub.org/nschema#")
NP_BASE = "https://w3id.org/nkvkg/np/"
TEMPLATE = "\t".join(COLUMNS) + "\tnegated\n"


def read_rows(path: Path, curator: str | None = None, notices: list[str] | None = None) -> list[Row]:
    path = Path(path)
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    suffix = path.suffix.lower()
    if suffix in (".tsv", ".tab", ".txt"):
        return read_tsv(path)
    if suffix in (".ttl", ".trig", ".nq", ".nt"):
        return read_rdf(path, curator, notices if notices is not None else [])
    raise InputError(f"{path}: unknown file type {suffix!r} (expected .tsv, .ttl or .trig)")


def read_tsv(path: Path) -> list[Row]:
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from exc
    header: list[str] | None = None
    rows: list[Row] = []
    errors: list[str] = []
    for n, line in enumerate(lines, start=1):
        line = line.rstrip("\r")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        fields = line.split("\t")
        where = f"{path.name}:{n}"
        if header is None:
            header = [f.strip().lower() for f in fields]
            missing = [c for c in COLUMNS if c not in header and c not in OPTIONAL]
            unknown = [c for c in header if c not in COLUMNS + OPTIONAL]
            if missing or unknown or len(set(header)) != len(header):
                raise InputError(f"{where}: the header must name the columns {' '.join(COLUMNS)} [negated] "
                                 f"(missing: {', '.join(missing) or '-'}; unknown: {', '.join(unknown) or '-'})")
            continue
        if len(fields) != len(header):
            errors.append(f"{where}: expected {len(header)} tab-separated fields, got {len(fields)}")
            continue
        rec = dict(zip(header, fields))
        neg = rec.get("negated", "").strip().lower()
        if neg not in TRUE | FALSE:
            errors.append(f"{where}: negated must be true or false, got {rec['negated']!r}")
            continue
        rows.append(Row(rec["subject"], rec["predicate"], rec["object"], rec["source"], rec.get("evidence") or None,
                        rec["curator"], neg in TRUE, where))
    if errors:
        more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
        raise InputError("batch refused, nothing written: " + "; ".join(errors[:3]) + more)
    if header is None or not rows:
        raise InputError(f"{path}: no assertions (a header line and at least one row are needed)")
    return rows


def _curator_of(value, fallback: str | None) -> str | None:
    if isinstance(value, URIRef) and str(value).startswith(str(ID["curator/"])):
        return str(value)[len(str(ID["curator/"])):]
    if isinstance(value, Literal):
        return str(value)
    return fallback


def read_rdf(path: Path, curator: str | None, notices: list[str]) -> list[Row]:
    ds = Dataset(default_union=True)
    fmt = {".ttl": "turtle", ".trig": "trig", ".nq": "nquads", ".nt": "nt"}[path.suffix.lower()]
    try:
        ds.parse(path, format=fmt)
    except Exception as exc:  # noqa: BLE001 - rdflib raises many parser exception types
        raise InputError(f"{path}: not valid {fmt}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}") from exc
    rows: list[Row] = []
    skipped = 0
    for st in sorted(set(ds.subjects(RDF.subject, None)), key=str):
        s, p, o = ds.value(st, RDF.subject), ds.value(st, RDF.predicate), ds.value(st, RDF.object)
        where = f"{path.name}: statement {compress(str(st))}"
        evidence = sorted(set(ds.objects(st, NKV.evidence)), key=str)
        if not evidence:
            raise InputError(f"{where}: has no nkv:evidence (a source is needed for each assertion)")
        for ev in evidence:
            if ds.value(ev, NKV.verdict) is not None or str(ds.value(ev, NKV.curationStatus)) in ("rejected", "retracted"):
                skipped += 1
                continue
            src = ds.value(ev, DCTERMS.source)
            sentence = ds.value(ev, NKV.sentence)
            neg = ds.value(ev, NKV.negated)
            rows.append(Row(compress(str(s)) if s is not None else "", compress(str(p)) if p is not None else "",
                            compress(str(o)) if o is not None else "", compress(str(src)) if src is not None else "",
                            str(sentence) if sentence is not None else None,
                            _curator_of(ds.value(ev, PROV.wasAttributedTo), curator) or "",
                            bool(neg.toPython()) if isinstance(neg, Literal) else False, where))
    if skipped:
        notices.append(f"{path.name}: {skipped} verdict or rejected/retracted evidence node(s) not imported")
    if not rows:
        raise InputError(f"{path}: no nkv:Statement with nkv:evidence found")
    return rows


def nanopub(a: Assertion, ds: Dataset) -> None:
    """One assertion as a nanopublication: head, assertion, provenance and publication-info graphs."""
    base = NP_BASE + a.id
    np_, head = URIRef(base), URIRef(base + "#Head")
    ga, gp, gi = URIRef(base + "#assertion"), URIRef(base + "#provenance"), URIRef(base + "#pubinfo")
    h = ds.graph(head)
    h.add((np_, RDF.type, NP.Nanopublication))
    h.add((np_, NP.hasAssertion, ga))
    h.add((np_, NP.hasProvenance, gp))
    h.add((np_, NP.hasPublicationInfo, gi))
    full = graphs.assertion_graph(a)
    assertion, prov = ds.graph(ga), ds.graph(gp)
    st = graphs.statement_node(a.statement_id)
    for t in graphs.shared_graph(a):
        (assertion if t[0] == st else prov).add(t)
    events = set(full.subjects(RDF.type, NKV.CurationEvent))
    for t in full:
        (prov if t[0] in events else assertion).add(t)
    if a.kind == "add" and not a.negated:
        assertion.add((iri(a.subject), iri(a.predicate), iri(a.object)))
    prov.add((ga, PROV.wasAttributedTo, graphs.curator_iri(a.author)))
    prov.add((ga, PROV.generatedAtTime, graphs._time(a.created)))
    for e in a.evidence:
        prov.add((ga, PROV.wasDerivedFrom, iri(e.source)))
    info = ds.graph(gi)
    info.add((np_, PROV.wasAttributedTo, graphs.curator_iri(a.author)))
    info.add((np_, DCTERMS.created, graphs._time(a.created)))
    info.add((np_, NKV.curationStatus, Literal(a.status)))
    if a.conflict:
        info.add((np_, NKV.conflict, Literal(True)))


def export_trig(state: State, path: Path) -> int:
    ds = Dataset()
    for prefix, ns in converter().prefix_map.items():
        if prefix.isidentifier():
            ds.bind(prefix, ns, override=True)
    ds.bind("np", NP)
    ds.bind("nkkgnp", NP_BASE)
    for a in state.assertions.values():
        nanopub(a, ds)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    ds.serialize(destination=str(path), format="trig")
    return len(state.assertions)
