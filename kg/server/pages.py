"""HTML pages: the query page and entity pages. Every literal and IRI is escaped (html.escape),
and the query page's script builds the results table with textContent, never innerHTML of data."""

from __future__ import annotations

import html
import json

import pyoxigraph as ox

from ..ids import compress, expand
from ..query import catalogue, prefixes
from .extensions.curation import curation_form_html

STYLE = """body{font-family:system-ui,sans-serif;margin:1.2em;max-width:1200px}textarea{width:100%;height:14em;
font-family:monospace}table{border-collapse:collapse;margin-top:.6em}td,th{border:1px solid #ccc;padding:3px 6px;
vertical-align:top;font-size:.9em}th{background:#f3f3f3}.neg{color:#a00}.muted{color:#666}nav a{margin-right:1em}"""


def _prefix_block() -> str:
    keep = ["nkv", "nkkg", "rdf", "rdfs", "skos", "dcterms", "xsd", "owl", "prov", "clinicaltrials", "pubmed"]
    pm = prefixes()
    return "\n".join(f"PREFIX {p}: <{pm[p]}>" for p in keep if p in pm)


def query_page(timeout: float, max_rows: int, initial: str | None) -> str:
    cat = catalogue()
    options = "".join(f'<option value="{html.escape(q.name)}">{html.escape(q.title)}</option>' for q in cat.values())
    queries = {q.name: q.text for q in cat.values()}
    default = initial or (_prefix_block() + "\n\nSELECT ?agent ?label WHERE {\n  ?agent a nkv:Agent ; rdfs:label ?label .\n} LIMIT 20")
    data = json.dumps({"queries": queries, "prefixes": _prefix_block()}).replace("</", "<\\/")
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>nkkg SPARQL</title><style>{STYLE}</style></head>
<body><nav><b>nkkg</b> <a href="/">query</a><a href="/void">VoID</a><a href="/sparql">service description</a></nav>
<h1>SPARQL query</h1>
<p class="muted">The default graph is the union of all named graphs. Timeout {timeout:g} s; at most {max_rows} rows
are returned (a truncated result says so).</p>
<label>Example queries <select id="catalogue"><option value="">(choose)</option>{options}</select></label>
<textarea id="query" spellcheck="false">{html.escape(default)}</textarea>
<p><button id="run">Run</button> <a id="permalink" href="#">permalink</a>
 | download: <a class="dl" data-format="json" href="#">JSON</a> <a class="dl" data-format="xml" href="#">XML</a>
 <a class="dl" data-format="csv" href="#">CSV</a> <a class="dl" data-format="tsv" href="#">TSV</a>
 <a class="dl" data-format="turtle" href="#">Turtle</a></p>
<div id="status" class="muted"></div><table id="results"></table>
<script id="nkkg-data" type="application/json">{data}</script>
<script>
const DATA = JSON.parse(document.getElementById('nkkg-data').textContent);
const q = document.getElementById('query'), table = document.getElementById('results'),
      status = document.getElementById('status');
function withPrefixes(text) {{ return /PREFIX\\s/i.test(text) ? text : DATA.prefixes + "\\n\\n" + text; }}
function links() {{
  const enc = encodeURIComponent(q.value);
  document.getElementById('permalink').href = '/?query=' + enc;
  document.querySelectorAll('a.dl').forEach(a => a.href = '/sparql?format=' + a.dataset.format + '&query=' + enc);
}}
document.getElementById('catalogue').addEventListener('change', e => {{
  if (e.target.value) {{ q.value = withPrefixes(DATA.queries[e.target.value]); links(); }} }});
q.addEventListener('input', links);
function cell(term) {{
  const td = document.createElement('td');
  if (!term) return td;
  if (term.type === 'uri') {{
    const a = document.createElement('a');
    const base = 'https://w3id.org/nkvkg/id/';
    a.href = term.value.startsWith(base) || term.value.startsWith('https://clinicaltrials.gov/study/') ||
             term.value.startsWith('https://pubmed.ncbi.nlm.nih.gov/')
             ? '/entity/' + encodeURIComponent(term.value) : term.value;
    a.textContent = term.value; td.appendChild(a);
  }} else {{ td.textContent = term.value; }}
  return td;
}}
async function run() {{
  links(); status.textContent = 'running...'; table.replaceChildren();
  const t0 = performance.now();
  const resp = await fetch('/sparql', {{method: 'POST', headers: {{'Content-Type': 'application/sparql-query',
      'Accept': 'application/sparql-results+json, text/turtle;q=0.5'}}, body: q.value}});
  const ms = Math.round(performance.now() - t0);
  if (!resp.ok) {{ status.textContent = 'Error ' + resp.status + ': ' + await resp.text(); return; }}
  const type = resp.headers.get('content-type') || '';
  if (!type.includes('json')) {{ const pre = document.createElement('pre'); pre.textContent = await resp.text();
      table.replaceChildren(pre); status.textContent = 'graph result in ' + ms + ' ms'; return; }}
  const res = await resp.json();
  if ('boolean' in res) {{ status.textContent = 'ASK: ' + res.boolean; return; }}
  const head = document.createElement('tr');
  res.head.vars.forEach(v => {{ const th = document.createElement('th'); th.textContent = v; head.appendChild(th); }});
  table.appendChild(head);
  res.results.bindings.forEach(b => {{ const tr = document.createElement('tr');
      res.head.vars.forEach(v => tr.appendChild(cell(b[v]))); table.appendChild(tr); }});
  const truncated = resp.headers.get('x-nkkg-truncated') === 'true';
  status.textContent = res.results.bindings.length + ' rows in ' + ms + ' ms' + (truncated ? ' (truncated at the row cap)' : '');
  status.dataset.rows = res.results.bindings.length;
}}
document.getElementById('run').addEventListener('click', run);
links();
</script></body></html>"""


ENTITY_EDGES = """
SELECT ?dir ?p ?other ?otherLabel ?st ?ev ?src ?sentence ?neg ?hedged ?conf WHERE {
  { BIND("out" AS ?dir) ?st rdf:subject $e ; rdf:predicate ?p ; rdf:object ?other }
  UNION { BIND("in" AS ?dir) ?st rdf:object $e ; rdf:predicate ?p ; rdf:subject ?other }
  ?st nkv:evidence ?ev . ?ev dcterms:source ?src ; nkv:negated ?neg ; nkv:hedged ?hedged ; nkv:confidence ?conf .
  OPTIONAL { ?ev nkv:sentence ?sentence } OPTIONAL { ?other rdfs:label ?otherLabel }
} ORDER BY ?dir ?p ?other DESC(?conf)
"""
ENTITY_OUTCOMES = """
SELECT ?o ?measure ?value ?unit ?arm ?src ?sentence WHERE {
  { $e nkv:reportsOutcome ?o } UNION { ?o nkv:outcomeOf $e }
  ?o nkv:measure ?measure ; nkv:value ?value ; nkv:unit ?unit .
  OPTIONAL { ?o nkv:arm ?arm } OPTIONAL { ?o nkv:evidence ?ev . ?ev dcterms:source ?src OPTIONAL { ?ev nkv:sentence ?sentence } }
} ORDER BY ?measure
"""


def _v(t) -> str:
    return "" if t is None else t.value


def _link(iri: str, label: str | None = None) -> str:
    local = iri.startswith(("https://w3id.org/nkvkg/id/", "https://clinicaltrials.gov/study/", "https://pubmed.ncbi.nlm.nih.gov/"))
    href = f"/entity/{html.escape(compress(iri), quote=True)}" if local else html.escape(iri, quote=True)
    return f'<a href="{href}">{html.escape(label or compress(iri))}</a>'


def entity_page(store: ox.Store, curie: str, union: dict | None = None) -> str | None:
    """The entity page, or None when the store knows nothing about it."""
    try:
        node = ox.NamedNode(expand(curie))  # validates the IRI: nothing but an IRI reaches the query
    except ValueError:
        return None

    def run(q: str) -> list:
        q = q.replace("WHERE {", "WHERE { VALUES $e { " + str(node) + " }", 1)
        return list(store.query(q, prefixes=prefixes(), **({"use_default_graph_as_union": True} if union is None else union)))

    facts = run("SELECT ?p ?o WHERE { $e ?p ?o }")
    edges = run(ENTITY_EDGES)
    if not facts and not edges:
        return None
    labels = [_v(r["o"]) for r in facts if _v(r["p"]) == "http://www.w3.org/2000/01/rdf-schema#label"]
    title = labels[0] if labels else curie
    props: dict[str, list] = {}
    for r in facts:
        props.setdefault(compress(_v(r["p"])), []).append(r["o"])
    rows = []
    for p, values in sorted(props.items()):
        cells = ", ".join(_link(v.value) if isinstance(v, ox.NamedNode) else html.escape(v.value) for v in values)
        rows.append(f"<tr><th>{html.escape(p)}</th><td>{cells}</td></tr>")
    groups: dict[tuple[str, str], list] = {}
    for r in edges:
        groups.setdefault((_v(r["dir"]), compress(_v(r["p"]))), []).append(r)
    sections = []
    for (direction, pred), items in groups.items():
        lines = []
        for r in items:
            neg = _v(r["neg"]) == "true"
            hedge = " <i>(hedged)</i>" if _v(r["hedged"]) == "true" else ""
            arrow = "&rarr;" if direction == "out" else "&larr;"
            lines.append(
                f"<tr class=\"{'neg' if neg else ''}\"><td>{arrow} {_link(_v(r['other']), _v(r['otherLabel']) or None)}</td>"
                f"<td>{'NOT ' if neg else ''}{html.escape(_v(r['sentence']))}{hedge}</td>"
                f"<td>{_link(_v(r['src']))}</td><td>{html.escape(_v(r['conf']))}</td></tr>")
        sections.append(f"<h3>{html.escape(pred)} ({'outgoing' if direction == 'out' else 'incoming'})</h3>"
                        f"<table><tr><th>entity</th><th>evidence sentence</th><th>source</th><th>confidence</th></tr>"
                        + "".join(lines) + "</table>")
    outcomes = run(ENTITY_OUTCOMES)
    out_rows = "".join(
        f"<tr><td>{html.escape(_v(r['measure']))}</td><td>{html.escape(_v(r['value']))} {html.escape(_v(r['unit']))}</td>"
        f"<td>{html.escape(_v(r['arm']))}</td><td>{_link(_v(r['src'])) if _v(r['src']) else ''}</td>"
        f"<td>{html.escape(_v(r['sentence']))}</td></tr>" for r in outcomes)
    outcome_table = (f"<h2>Outcomes</h2><table><tr><th>measure</th><th>value</th><th>arm</th><th>source</th>"
                     f"<th>sentence</th></tr>{out_rows}</table>") if outcomes else ""
    iri = expand(curie)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body><nav><b>nkkg</b> <a href="/">query</a>
<a href="/graph/{html.escape(compress(iri), quote=True)}">graph view</a></nav>
<h1>{html.escape(title)}</h1><p class="muted">{html.escape(iri)}</p>
<table>{''.join(rows)}</table>{outcome_table}<h2>Edges with evidence</h2>{''.join(sections) or '<p>none</p>'}
{curation_form_html(compress(iri))}
</body></html>"""
