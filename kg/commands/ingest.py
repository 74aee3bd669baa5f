"""``nkkg ingest pubmed|ctgov|file`` and ``nkkg sources``: thin click wrappers over ``kg.ingest``.

Exit codes: 0 done (malformed records from a live source are listed on stderr and skipped: the next run
would meet them again, so they are not the run's failure); for ``ingest file`` 1 when some records were
skipped and 2 when nothing could be read (as ``nkkg extract``); 1 when a source failed after retries
(run the same command again to resume); 2 for bad usage.
Tests inject ``kg.ingest.Fetch`` (politeness, transport) as ``obj={"fetch": ...}`` of the root context.
"""

from __future__ import annotations

import json
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path

import click

from . import handle_errors

_handle_errors = handle_errors


def _settings(store: str | None):
    root = click.get_current_context().find_root()
    return root.obj["settings"].with_(store=Path(store) if store else None)


def _fetch():
    from ..ingest import Fetch

    return click.get_current_context().find_root().obj.get("fetch") or Fetch()


@contextmanager
def _progress(label: str):
    from rich.progress import Progress

    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=None)
        yield lambda _source, done, total: bar.update(task, completed=done, total=total)


def _print(report, as_json: bool) -> None:
    for message in report.skipped:
        click.echo(f"skipped: {message}", err=True)
    if as_json:
        click.echo(json.dumps(asdict(report), indent=2))
        return
    how = f" ({report.requests} request(s), {report.cached} from cache{', resumed' if report.resumed else ''})" \
        if report.requests or report.cached else ""
    click.echo(f"{report.source}: {report.fetched} record(s){how}: {len(report.added)} added, "
               f"{len(report.changed)} changed, {len(report.unchanged)} unchanged, {len(report.restored)} restored; "
               f"{len(report.graphs)} graph(s) replaced; {len(report.skipped)} malformed record(s) skipped")


store_option = click.option("--store", type=click.Path(file_okay=False), help="Store directory (default NKKG_STORE).")
json_option = click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")


@click.group()
def ingest():
    """Add records from PubMed, ClinicalTrials.gov or local files to the graph, replacing only their own
    named graphs; a second run adds only new or changed records."""


@ingest.command(name="pubmed")
@click.option("--query", required=True, help="An ESearch (PubMed) query.")
@click.option("--max", "max_records", type=click.IntRange(min=0), help="Fetch at most N records.")
@click.option("--since", help="Only records entered since DATE (YYYY, YYYY-MM or YYYY-MM-DD).")
@click.option("--batch-size", default=200, show_default=True, type=click.IntRange(1, 10000), help="EFetch batch size.")
@store_option
@json_option
@_handle_errors
def pubmed_command(query, max_records, since, batch_size, store, as_json):
    """Search PubMed (E-utilities history server) and ingest the abstracts, batch by batch; an
    interrupted run resumes where it stopped when run again."""
    from ..ingest import ingest_pubmed
    from ..sources.pubmed import PubmedQuery, entrez_date

    q = PubmedQuery(query, entrez_date(since) if since is not None else None, max_records, batch_size)
    with _progress("fetching PubMed") as progress:
        report = ingest_pubmed(_settings(store), q, _fetch(), progress)
    _print(report, as_json)


@ingest.command(name="ctgov")
@click.option("--query", "term", help="Free text (query.term).")
@click.option("--condition", help="Condition or disease (query.cond).")
@click.option("--intervention", help="Intervention or treatment (query.intr).")
@click.option("--nct", "ncts", multiple=True, help="One study by NCT ID (repeatable), instead of a search.")
@click.option("--max", "max_records", type=click.IntRange(min=0), help="Fetch at most N studies.")
@click.option("--page-size", default=100, show_default=True, type=click.IntRange(1, 1000))
@store_option
@json_option
@_handle_errors
def ctgov_command(term, condition, intervention, ncts, max_records, page_size, store, as_json):
    """Search ClinicalTrials.gov (API v2, paged) or fetch single studies by NCT ID, and ingest them."""
    from ..errors import InputError
    from ..ingest import ingest_ctgov
    from ..sources.ctgov import CtgovQuery

    searching = any((term, condition, intervention))
    if searching == bool(ncts):
        raise InputError("give either --query/--condition/--intervention or --nct")
    q = CtgovQuery(term, condition, intervention, max_records, page_size) if searching else None
    with _progress("fetching ClinicalTrials.gov") as progress:
        report = ingest_ctgov(_settings(store), q, tuple(ncts), _fetch(), progress)
    _print(report, as_json)


@ingest.command(name="file")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@store_option
@json_option
@click.pass_context
@_handle_errors
def file_command(ctx, paths, store, as_json):
    """Ingest local files: PubMed XML (.xml, .xml.gz), ClinicalTrials.gov v2 JSON (.json: one study or
    {"studies": [...]}; .zip of study files) and documents in JSON Lines (.jsonl)."""
    from ..ingest import ingest_files

    report = ingest_files(_settings(store), [Path(p) for p in paths])
    _print(report, as_json)
    if report.skipped:
        ctx.exit(2 if not report.fetched else 1)


@click.command()
@json_option
@_handle_errors
def sources(as_json):
    """List what the graph was built from: the bundled corpus and every ingested source, with dates and counts."""
    from ..ingest import sources_summary

    s = sources_summary(_settings(None))
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    b = s["bundled"]
    click.echo(f"bundled corpus: {b['documents']} documents, {b['trials']} trial records")
    for name, info in s["ingested"].items():
        click.echo(f"{name}: {info['records']} record(s), last updated {info['last_updated'] or 'never'}")
    if s["runs"]:
        click.echo("recent runs:")
    for r in s["runs"]:
        click.echo(f"  {r['at']}  {r['source']:15s} {r['origin']}: {r['fetched']} fetched, {r['added']} added, "
                   f"{r['changed']} changed, {r['unchanged']} unchanged, {r['skipped']} skipped")
    click.echo(f"state: {s['state']}")


COMMANDS = [ingest, sources]
