"""SPARQL results serialisers (JSON, XML, CSV, TSV) over a *capped* list of solutions.

pyoxigraph serialises whole result iterators; the endpoint must stop at a row cap and say so, so
it collects at most ``max_rows`` solutions and writes them here, following the W3C result formats.
"""

from __future__ import annotations

import json
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _json_term(t) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != XSD_STRING:
            out["datatype"] = t.datatype.value
        return out
    if isinstance(t, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                            "object": _json_term(t.object)}}
    raise TypeError(f"unexpected term {t!r}")


def to_json(variables: list[str], rows: list[list], truncated: bool) -> bytes:
    head: dict = {"vars": variables}
    if truncated:
        head["link"] = ["urn:nkkg:result-truncated"]
    bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
    return json.dumps({"head": head, "results": {"bindings": bindings}}, ensure_ascii=False).encode("utf-8")


def _xml_term(t) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return f"<literal>{escape(str(t))}</literal>"


def to_xml(variables: list[str], rows: list[list], truncated: bool) -> bytes:
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n<head>']
    parts += [f"<variable name={quoteattr(v)}/>" for v in variables]
    if truncated:
        parts.append('<link href="urn:nkkg:result-truncated"/>')
    parts.append("</head>\n<results>")
    for row in rows:
        parts.append("<result>" + "".join(
            f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>" for v, t in zip(variables, row) if t is not None
        ) + "</result>")
    parts.append("</results>\n</sparql>\n")
    return "\n".join(parts).encode("utf-8")


def _csv_cell(t) -> str:
    if t is None:
        return ""
    value = t.value if not isinstance(t, ox.BlankNode) else "_:" + t.value
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


def to_csv(variables: list[str], rows: list[list], truncated: bool) -> bytes:
    lines = [",".join(variables)] + [",".join(_csv_cell(t) for t in row) for row in rows]
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def to_tsv(variables: list[str], rows: list[list], truncated: bool) -> bytes:
    lines = ["\t".join("?" + v for v in variables)] + ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode("utf-8")


def boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    if fmt == "csv":
        return f"_askResult\r\n{'true' if value else 'false'}\r\n".encode()
    return f"?_askResult\n{'true' if value else 'false'}\n".encode()


SOLUTION_WRITERS = {"json": to_json, "xml": to_xml, "csv": to_csv, "tsv": to_tsv}
