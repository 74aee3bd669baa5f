"""Content negotiation for SPARQL results and RDF graphs."""

from __future__ import annotations

import pyoxigraph as ox

SOLUTION_TYPES = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "application/xml": "xml", "text/xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv",
}
SOLUTION_MEDIA = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                  "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8"}
GRAPH_TYPES = {
    "text/turtle": "turtle", "application/x-turtle": "turtle", "application/n-triples": "nt", "text/plain": "nt",
    "application/ld+json": "jsonld", "application/rdf+xml": "rdfxml", "application/n-quads": "nq",
    "application/trig": "trig",
}
GRAPH_FORMATS = {"turtle": (ox.RdfFormat.TURTLE, "text/turtle; charset=utf-8"),
                 "nt": (ox.RdfFormat.N_TRIPLES, "application/n-triples"),
                 "jsonld": (ox.RdfFormat.JSON_LD, "application/ld+json"),
                 "rdfxml": (ox.RdfFormat.RDF_XML, "application/rdf+xml"),
                 "nq": (ox.RdfFormat.N_QUADS, "application/n-quads"),
                 "trig": (ox.RdfFormat.TRIG, "application/trig")}
FORMAT_ALIASES = {"json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "turtle": "turtle", "ttl": "turtle",
                  "nt": "nt", "ntriples": "nt", "jsonld": "jsonld", "json-ld": "jsonld", "rdfxml": "rdfxml"}


def parse_accept(header: str | None) -> list[tuple[str, float]]:
    out = []
    for part in (header or "").split(","):
        bits = [b.strip() for b in part.split(";")]
        if not bits[0]:
            continue
        q = 1.0
        for b in bits[1:]:
            if b.startswith("q="):
                try:
                    q = float(b[2:])
                except ValueError:
                    q = 0.0
        out.append((bits[0].lower(), q))
    return sorted(out, key=lambda x: -x[1])


def choose(accept: str | None, table: dict[str, str], default: str, explicit: str | None = None) -> str | None:
    """The format to answer with; None when the client accepts nothing we produce (406)."""
    if explicit:
        fmt = FORMAT_ALIASES.get(explicit.lower())
        return fmt if fmt in table.values() else None
    prefs = parse_accept(accept)
    if not prefs:
        return default
    for media, q in prefs:
        if q <= 0:
            continue
        if media in table:
            return table[media]
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None
