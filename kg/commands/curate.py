"""`nkkg curate`: add, import, verdict, review, retract, comment, list, show, export, sync.

Thin wrappers over ``kg.curation.Curation``; the journal lives under NKKG_DATA_DIR and every write also
updates the store (``--store`` / NKKG_STORE) when it exists. Errors are one line on stderr, exit code 2
for bad input.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ..config import Settings
from . import handle_errors

_errors = handle_errors


def _curation(store: str | None):
    from ..curation import Curation

    settings = Settings.from_env()
    return Curation(settings.with_(store=Path(store) if store else None))


def _notices(cur) -> None:
    for n in cur.notices:
        click.echo(f"warning: {n}", err=True)


def _say(result) -> str:
    s, p, o = result.statement or ("", "", "")
    what = f"{s} {p} {o}".strip()
    if result.repeat:
        return f"already recorded as {result.id} in assertion {result.assertion} ({result.status}): {what}"
    if result.duplicate:
        return f"duplicate of assertion {result.assertion} ({result.status}): evidence {result.id} added: {what}"
    flag = " CONFLICT: contradicts existing evidence, flagged for review" if result.conflict else ""
    return f"{result.action} {result.assertion} ({result.status}){flag}: {what}"


store_option = click.option("--store", type=click.Path(file_okay=False),
                            help="Store to update as well (default outputs/store or NKKG_STORE; skipped if absent).")
curator_option = click.option("--curator", required=True, help="Your curator id (e.g. an ORCID).")


@click.group()
def curate():
    """Curate the graph: add, review, retract and judge edges (journal under NKKG_DATA_DIR)."""


@curate.command()
@click.argument("subject")
@click.argument("predicate")
@click.argument("object")
@click.option("--source", required=True, help="PMID:..., NCT..., doi:... or an IRI the assertion rests on.")
@click.option("--evidence", help="The supporting sentence or a note (stored verbatim).")
@curator_option
@click.option("--negated", is_flag=True, help="Assert that the relation does NOT hold (a negative result).")
@store_option
@_errors
def add(subject, predicate, object, source, evidence, curator, negated, store):  # noqa: A002 - click name
    """Add SUBJECT PREDICATE OBJECT (CURIE, IRI or exact label; predicate by CURIE); pending until reviewed."""
    cur = _curation(store)
    result = cur.add(subject, predicate, object, source, evidence, curator, negated)
    _notices(cur)
    click.echo(_say(result))


@curate.command(name="import")
@click.argument("file", type=click.Path(dir_okay=False))
@click.option("--curator", help="Curator for Turtle/TriG evidence that names none.")
@store_option
@_errors
def import_(file, curator, store):
    """Import a TSV template (subject predicate object source evidence curator [negated]) or Turtle/TriG.
    All rows are validated first: one bad row refuses the whole batch."""
    from ..curation.files import read_rows

    cur = _curation(store)
    results = cur.add_rows(read_rows(Path(file), curator, cur.notices))
    _notices(cur)
    for r in results:
        click.echo(_say(r))
    new = sum(1 for r in results if not r.duplicate)
    click.echo(f"imported {len(results)} row(s): {new} new assertion(s), {len(results) - new} added to existing ones")


@curate.command()
@click.argument("subject")
@click.argument("predicate")
@click.argument("object")
@click.option("--correct/--incorrect", "correct", required=True, default=None,
              help="The edge is correct, or incorrect (an incorrect verdict stops it from being asserted).")
@click.option("--source", required=True, help="What the verdict rests on (PMID:..., NCT..., doi:... or an IRI).")
@click.option("--evidence", "--note", "note", help="Why (stored verbatim).")
@curator_option
@store_option
@_errors
def verdict(subject, predicate, object, correct, source, note, curator, store):  # noqa: A002
    """Record a verdict on an existing edge: --correct or --incorrect."""
    cur = _curation(store)
    result = cur.verdict(subject, predicate, object, correct, source, note, curator)
    _notices(cur)
    click.echo(_say(result))


@curate.command()
@click.argument("assertion_id")
@click.option("--approve/--reject", "approve", required=True, default=None)
@click.option("--reason", help="Why (optional; kept in the history).")
@curator_option
@store_option
@_errors
def review(assertion_id, approve, reason, curator, store):
    """Approve or reject a pending assertion (the reviewer must not be one of its authors)."""
    cur = _curation(store)
    result = cur.review(assertion_id, approve, curator, reason)
    _notices(cur)
    click.echo(f"{result.assertion} is now {result.status}")


@curate.command()
@click.argument("assertion_id")
@click.option("--reason", required=True, help="Why it is retracted (kept in the history).")
@curator_option
@store_option
@_errors
def retract(assertion_id, reason, curator, store):
    """Retract an assertion: it stays in the history (who, when, why) and stops being asserted."""
    cur = _curation(store)
    result = cur.retract(assertion_id, reason, curator)
    _notices(cur)
    click.echo(f"{result.assertion} is now {result.status}")


@curate.command()
@click.argument("assertion_id")
@click.argument("text")
@curator_option
@store_option
@_errors
def comment(assertion_id, text, curator, store):
    """Add a comment to an assertion's history."""
    cur = _curation(store)
    result = cur.comment(assertion_id, text, curator)
    _notices(cur)
    click.echo(f"comment {result.id} added to {result.assertion}")


@curate.command(name="list")
@click.option("--status", type=click.Choice(["pending", "approved", "rejected", "retracted"]))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def list_(status, as_json):
    """List curated assertions (CONFLICT marks those flagged for review)."""
    cur = _curation(None)
    items = cur.list(status)
    _notices(cur)
    if as_json:
        click.echo(json.dumps([a.summary() for a in items], indent=2, ensure_ascii=False))
        return
    for a in items:
        flag = " CONFLICT" if a.conflict else ""
        kind = f" verdict:{a.verdict}" if a.kind == "verdict" else (" negated" if a.negated else "")
        click.echo(f"{a.id}  {a.status:9s}{flag}{kind}  {a.subject} {a.predicate} {a.object}  "
                   f"{','.join(a.summary()['sources'])}  by {a.author} at {a.created}")
    click.echo(f"{len(items)} assertion(s)")


@curate.command()
@click.argument("assertion_id")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@_errors
def show(assertion_id, as_json):
    """Show an assertion with its full history."""
    cur = _curation(None)
    a = cur.show(assertion_id)
    _notices(cur)
    if as_json:
        click.echo(json.dumps(a.to_json(), indent=2, ensure_ascii=False))
        return
    click.echo(f"assertion {a.id} ({a.kind}): {a.subject} {a.predicate} {a.object}")
    click.echo(f"  status {a.status}{'  CONFLICT: contradicts existing evidence' if a.conflict else ''}"
               f"{'  negated' if a.negated and a.kind == 'add' else ''}{f'  verdict {a.verdict}' if a.verdict else ''}")
    click.echo(f"  statement nkkg.st:{a.statement_id}  graph https://w3id.org/nkvkg/graph/curation/{a.id}")
    for e, status in a.history:
        detail = {"add": f"source {e.source}", "verdict": f"{e.verdict}, source {e.source}"}.get(e.action, "")
        click.echo(f"  {e.time}  {e.action:8s} by {e.author} -> {status}  {detail}  [{e.id}]")
        for label, text in (("evidence", e.sentence), ("reason", e.reason), ("comment", e.text)):
            if text:
                click.echo(f"      {label}: {json.dumps(text, ensure_ascii=False)}")


@curate.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False), help="TriG file to write.")
@_errors
def export(output):
    """Export every curated assertion as a nanopublication (assertion, provenance, pubinfo graphs) in TriG."""
    from ..curation.files import export_trig

    cur = _curation(None)
    n = export_trig(cur.state(), Path(output))
    _notices(cur)
    click.echo(f"exported {n} assertion(s) to {output}")


@curate.command()
@store_option
@_errors
def sync(store):
    """Replace the store's curated graphs with the journal's (a rebuild does this too)."""
    cur = _curation(store)
    n = cur.sync()
    _notices(cur)
    click.echo(f"synced {n} curated assertion(s) into {cur.settings.store}")


COMMANDS = [curate]
