"""Run SPARQL over the store (union of named graphs by default) and format results.

The named catalogue lives in ``kg/queries/*.rq``: a ``# title:`` and a ``# question:`` comment
header, then the query. Known prefixes (ontology/prefixes.json) are pre-declared, so a query may
use ``nkv:`` or ``rdfs:`` without PREFIX lines.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from .errors import QueryError
from .ids import converter
from .resources import queries_dir


@dataclass(frozen=True)
class CatalogueQuery:
    name: str
    title: str
    question: str
    text: str


def catalogue() -> dict[str, CatalogueQuery]:
    out = {}
    for path in sorted(queries_dir().glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        meta = {}
        for line in text.splitlines():
            if line.startswith("#") and ":" in line:
                key, _, val = line.lstrip("# ").partition(":")
                meta.setdefault(key.strip().lower(), val.strip())
        out[path.stem] = CatalogueQuery(path.stem, meta.get("title", path.stem), meta.get("question", ""), text)
    return out


def prefixes() -> dict[str, str]:
    return {k: v for k, v in converter().prefix_map.items()}


def run(store: ox.Store, query: str, union: bool = True):
    try:
        return store.query(query, prefixes=prefixes(), use_default_graph_as_union=union)
    except SyntaxError as exc:
        raise QueryError(f"SPARQL syntax error: {str(exc).splitlines()[0]}") from exc
    except OSError as exc:
        raise QueryError(f"query failed: {exc}") from exc


def _term(t) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.NamedNode):
        return t.value
    if isinstance(t, ox.Literal):
        return t.value
    return str(t)


def results_to_rows(result) -> tuple[list[str], list[list[str]]]:
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        return variables, [[_term(sol[v]) for v in variables] for sol in result]
    if isinstance(result, ox.QueryBoolean):
        return ["boolean"], [[str(bool(result)).lower()]]
    return ["subject", "predicate", "object"], [[_term(t.subject), _term(t.predicate), _term(t.object)] for t in result]


def format_result(result, fmt: str) -> str:
    if fmt == "json":
        if isinstance(result, (ox.QuerySolutions, ox.QueryBoolean)):
            return result.serialize(format=ox.QueryResultsFormat.JSON).decode("utf-8")
        return ox.serialize(result, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
    header, rows = results_to_rows(result)
    if fmt in ("csv", "tsv"):
        buf = io.StringIO()
        w = csv.writer(buf, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
        return buf.getvalue()
    widths = [min(60, max([len(h)] + [len(r[i]) for r in rows])) for i, h in enumerate(header)]
    line = lambda cells: " | ".join(c[:60].ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    return "\n".join([line(header), "-+-".join("-" * w for w in widths), *map(line, rows), f"({len(rows)} rows)"])


def read_query_file(path: Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryError(f"cannot read query file {path}: {exc}") from exc


def json_rows(result) -> list[dict]:
    header, rows = results_to_rows(result)
    return [dict(zip(header, r)) for r in rows]

