"""Exploring the graph: ``nkkg viz``, ``nkkg explain``, ``nkkg hypotheses`` and ``nkkg export``.

Thin wrappers over ``kg.viz``, ``kg.explain``, ``kg.hypotheses`` and ``kg.export``: parse options,
call the library, print. Errors become exit codes through ``kg.cli.handle_errors`` (imported when a
command runs, so importing this module never depends on ``kg.cli`` having finished loading).
"""

from __future__ import annotations

from pathlib import Path

import click

from ..config import Settings
from ..errors import InputError
from . import handle_errors

STORE = click.option("--store", type=click.Path(file_okay=False), help="Store directory (default outputs/store or NKKG_STORE).")


errors = handle_errors


def settings(store: str | None) -> Settings:
    ctx = click.get_current_context()
    base = (ctx.find_root().obj or {}).get("settings") or Settings.from_env()
    return base.with_(store=Path(store) if store else None)


@click.command()
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="HTML file (default <outputs>/graph.html).")
@STORE
@click.option("--focus", help="Draw the neighbourhood of this entity (CURIE, label or synonym).")
@click.option("--hops", default=2, show_default=True, help="How far around --focus.")
@click.option("--query", "query_file", type=click.Path(dir_okay=False), help="Draw the triples of a CONSTRUCT query (.rq).")
@click.option("--classes", multiple=True, help="Only these node classes, e.g. Agent,Tumour (repeatable).")
@click.option("--predicates", multiple=True, help="Only these edge predicates, e.g. targets,testedIn (repeatable).")
@click.option("--min-evidence", default=0, show_default=True, help="Only edges with at least N pieces of evidence.")
@click.option("--max-nodes", default=1500, show_default=True, help="Keep the N most connected nodes; the page says what it left out.")
@click.option("--size-by", type=click.Choice(["degree", "evidence"]), default="degree", show_default=True)
@click.option("--hypotheses", "with_hypotheses", is_flag=True, help="Also draw the stored hypotheses (dotted).")
@errors
def viz(output, store, focus, hops, query_file, classes, predicates, min_evidence, max_nodes, size_by, with_hypotheses):
    """Write an interactive HTML view of the graph (offline, vis.js inlined): the overview, an ego view
    (--focus) or a CONSTRUCT query's subgraph (--query)."""
    from .. import viz as views
    from ..query import read_query_file

    s = settings(store)
    out = Path(output) if output else Path(s.outputs) / "graph.html"
    common = {"max_nodes": max_nodes, "size_by": size_by}
    filters = {"classes": classes, "predicates": predicates, "min_evidence": min_evidence, "hypotheses": with_hypotheses}
    if focus and query_file:
        raise InputError("give --focus or --query, not both")
    if query_file:
        if classes or predicates or min_evidence or with_hypotheses:
            raise InputError("--query draws what the query returns: put filters in the query instead")
        path = views.query_html(s.store, read_query_file(Path(query_file)), out, **common)
    elif focus:
        path = views.focus_html(s.store, focus, hops, out, **filters, **common)
    else:
        path = views.overview_html(s.store, out, **filters, **common)
    click.echo(f"wrote {path}")


@click.command()
@click.argument("a")
@click.argument("b")
@click.option("--max-paths", default=5, show_default=True)
@click.option("--max-hops", default=4, show_default=True)
@click.option("--html", "html_out", type=click.Path(dir_okay=False), help="Also write the paths as an HTML page.")
@STORE
@errors
def explain(a, b, max_paths, max_hops, html_out, store):
    """The best-supported paths between entities A and B (CURIE, label or synonym), with the evidence
    sentence and source of each hop."""
    from ..explain import explain as run
    from ..explain import format_html, format_text, subgraph
    from ..graph.nx import from_store
    from ..graph.store import open_store

    st = open_store(settings(store).store, read_only=True)
    g = from_store(st)
    ex = run(st, g, a, b, max_paths, max_hops)
    click.echo(format_text(ex))
    if html_out:
        from ..viz import render

        title = f"explain: {ex.labels[ex.a]} to {ex.labels[ex.b]}"
        click.echo(f"wrote {render(subgraph(g, ex), Path(html_out), title=title, extra_html=format_html(ex))}")


@click.command()
@click.option("--kind", "kinds", multiple=True, type=click.Choice(["agent-tumour", "agent-partner", "agent-barrier"]),
              help="Which links to propose (repeatable; default agent-tumour).")
@click.option("--top", default=20, show_default=True)
@click.option("--method", default="local-path", show_default=True,
              type=click.Choice(["local-path", "resource-allocation", "adamic-adar"]))
@click.option("--backtest", "years", multiple=True, type=int,
              help="Instead of proposing: rebuild the graph from evidence up to YEAR and score the later links (repeatable).")
@click.option("--shuffles", default=100, show_default=True, help="Random orderings to compare with in --backtest.")
@click.option("--no-save", is_flag=True, help="Print only; do not replace the stored hypotheses.")
@STORE
@errors
def hypotheses(kinds, top, method, years, shuffles, no_save, store):
    """Rank candidate links that no source asserts yet, with their supporting paths; store them in the
    named graph graph/hypotheses (never among asserted facts). --backtest YEAR measures hits@k."""
    from .. import hypotheses as hyp
    from ..errors import EmptyResultError
    from ..graph.nx import from_store
    from ..graph.store import open_store
    from ..ids import compress

    kinds = list(kinds) or ["agent-tumour"]
    path = settings(store).store
    if years:
        st = open_store(path, read_only=True)
        for kind in kinds:
            click.echo(format_backtest([hyp.backtest(st, y, kind, method, shuffles=shuffles) for y in years], shuffles))
        return
    st = open_store(path, read_only=no_save)
    g = from_store(st)
    labels = {n: d.get("label", n) for n, d in g.nodes(data=True)}
    found = {kind: hyp.rank(g, kind, method, top) for kind in kinds}
    for kind, hs in found.items():
        click.echo(f"{kind} ({hyp.KINDS[kind].predicate}), method {method}: {len(hs)} hypotheses")
        for i, h in enumerate(hs, 1):
            click.echo(f"{i:3d}. {labels[h.subject]} ({h.subject}) {h.predicate} {labels[h.object]} ({h.object})"
                       f"  score {h.score:.4f}")
            for p in h.paths:
                ev = ", ".join(f"{x.evidence} ev {compress(x.sources[0]) if x.sources else ''}".strip() for x in p)
                click.echo(f"       {hyp.path_text(p, h.subject, labels)}   [{ev}]")
    if not any(found.values()):
        raise EmptyResultError(f"no candidate link scored above 0 for {', '.join(kinds)} (method {method})")
    if not no_save:
        n = hyp.save(st, [h for hs in found.values() for h in hs], kinds, labels)
        click.echo(f"stored {sum(map(len, found.values()))} hypotheses ({n} quads) in <{hyp.GRAPH}>")


def format_backtest(results, shuffles: int) -> str:
    r0 = results[0]
    ks = sorted(r0.hits)
    head = (f"backtest {r0.kind}, method {r0.method}: hits@k of links first published after the cut-off, "
            f"against the mean of {shuffles} random orderings of the same candidates")
    cols = f"{'year':>5} {'candidates':>10} {'later links':>11} {'among cand.':>11} " + " ".join(
        f"{'hits@' + str(k) + ' (random)':>18}" for k in ks)
    rows = [f"{r.year:>5} {r.candidates:>10} {r.future:>11} {r.reachable:>11} " + " ".join(
        f"{f'{r.hits[k]} ({r.random[k]:.2f})':>18}" for k in ks) for r in results]
    return "\n".join([head, cols, *rows])


@click.command()
@click.option("--format", "fmt", required=True, help="Export format (graphml).")
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True)
@STORE
@errors
def export(fmt, output, store):
    """Export the graph to a file: graphml (the NetworkX projection, for Cytoscape and Gephi)."""
    from ..export import EXPORTERS
    from ..graph.store import open_store

    if fmt not in EXPORTERS:
        raise InputError(f"unknown export format {fmt!r}; choose one of {', '.join(sorted(EXPORTERS))}")
    click.echo("wrote " + EXPORTERS[fmt](open_store(settings(store).store, read_only=True), Path(output)))


COMMANDS = [viz, explain, hypotheses, export]
