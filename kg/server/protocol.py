"""SPARQL 1.1 Protocol request handling: read the operation and dataset from GET / POST-form /
POST-direct requests, and refuse unsafe queries before any evaluation.

Refused before evaluation (400): ``SERVICE`` (federation would open outbound connections),
``LOAD``, and ``FROM``/``FROM NAMED`` naming a graph this store does not hold (remote graphs are
never fetched). Too-large requests get 413. Keywords are found after string literals, IRIs and
comments are blanked out, so a label containing "SERVICE" is no reason to refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs

_TOKENS = re.compile(
    r'(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<str>"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'|'
    r'"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\')|(?P<comment>#[^\n]*)'
)
_FROM = re.compile(r"\bFROM\s+(?:NAMED\s+)?<", re.IGNORECASE)


class ProtocolError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


@dataclass
class Operation:
    kind: str  # "query" | "update"
    text: str
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)
    explicit_format: str | None = None
    base_iri: str | None = None


def blank_out(text: str) -> tuple[str, dict[int, str]]:
    """Same-length query text with strings and comments blanked and IRIs masked; IRIs by start offset."""
    iris: dict[int, str] = {}

    def repl(m: re.Match) -> str:
        if m.group("iri"):
            iris[m.start()] = m.group("iri")[1:-1]
            return "<" + "x" * (len(m.group()) - 2) + ">"
        return re.sub(r"[^\n]", " ", m.group())

    return _TOKENS.sub(repl, text), iris


def check_query_safety(text: str, local_graphs: set[str]) -> None:
    code, iris = blank_out(text)
    if re.search(r"\bSERVICE\b", code, re.IGNORECASE):
        raise ProtocolError(400, "SERVICE (federated query) is not allowed: this endpoint never opens outbound connections")
    if re.search(r"\bLOAD\b", code, re.IGNORECASE):
        raise ProtocolError(400, "LOAD is not allowed: this endpoint never fetches remote data")
    for m in _FROM.finditer(code):
        iri = iris[m.end() - 1]
        if iri not in local_graphs:
            raise ProtocolError(400, f"FROM <{iri}> names no graph in this store; remote graphs are never fetched")


def apply_update_dataset(text: str, using: list[str], using_named: list[str]) -> str:
    """Protocol using-graph-uri / using-named-graph-uri -> USING clauses before each top-level WHERE.
    Both the parameters and USING/WITH in the request is an error (SPARQL 1.1 Protocol 2.2.3)."""
    if not using and not using_named:
        return text
    code, _ = blank_out(text)
    if re.search(r"\b(?:USING|WITH)\b", code, re.IGNORECASE):
        raise ProtocolError(400, "using-graph-uri/using-named-graph-uri given together with USING or WITH in the update")
    clause = "".join(f" USING <{g}>" for g in using) + "".join(f" USING NAMED <{g}>" for g in using_named) + " "
    out, last, depth = [], 0, 0
    for m in re.finditer(r"[{}]|\bWHERE\b", code, re.IGNORECASE):
        tok = m.group()
        if tok == "{":
            depth += 1
        elif tok == "}":
            depth -= 1
        elif depth == 0:
            out.append(text[last:m.start()])
            out.append(clause)
            last = m.start()
    out.append(text[last:])
    return "".join(out)


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise ProtocolError(400, f"more than one '{name}' parameter")
    return values[0] if values else None


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"request body is not valid UTF-8: {exc}") from exc


def read_operation(method: str, content_type: str | None, query_string: bytes, body: bytes, kind: str,
                   max_bytes: int) -> Operation | None:
    """The operation of a request, or None for a GET without one (service description)."""
    if len(body) > max_bytes or len(query_string) > max_bytes:
        raise ProtocolError(413, f"request larger than the {max_bytes} byte limit")
    try:
        params = parse_qs(query_string.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                          errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, "query string is not valid UTF-8") from exc
    name = "query" if kind == "query" else "update"
    media = (content_type or "").split(";")[0].strip().lower()
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", content_type or "", re.IGNORECASE)
    if charset and charset.group(1).lower() not in ("utf-8", "utf8"):
        raise ProtocolError(415, f"unsupported charset {charset.group(1)!r}: SPARQL requests are UTF-8")
    if method == "GET":
        if kind == "update":
            raise ProtocolError(405, "SPARQL Update must use POST")
        text = _one(params, "query")
        if text is None:
            return None
    elif method == "POST":
        if media == "application/x-www-form-urlencoded":
            for k, v in parse_qs(_decode(body), keep_blank_values=True).items():
                params.setdefault(k, []).extend(v)  # body and URL parameters together
            text = _one(params, name)
            if text is None:
                raise ProtocolError(400, f"form POST without a '{name}' parameter")
        elif media == ("application/sparql-query" if kind == "query" else "application/sparql-update"):
            if _one(params, name) is not None:
                raise ProtocolError(400, f"'{name}' given both in the URL and as the request body")
            text = _decode(body)
        elif not media:
            raise ProtocolError(415, "POST without a Content-Type")
        else:
            raise ProtocolError(415, f"unsupported Content-Type {media!r} for SPARQL {kind}")
    else:
        raise ProtocolError(405, f"method {method} not allowed")
    if kind == "query" and params.get("update"):
        raise ProtocolError(400, "an update sent to the query operation")
    dg = "default-graph-uri" if kind == "query" else "using-graph-uri"
    ng = "named-graph-uri" if kind == "query" else "using-named-graph-uri"
    return Operation(kind, text, params.get(dg, []), params.get(ng, []), _one(params, "format"))
