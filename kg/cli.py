"""The ``nkkg`` command: thin click wrappers over the library. Only here do errors become exit codes
(0 success, 1 the work failed or found violations, 2 bad usage or bad input)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .commands import handle_errors
from .config import Settings
from .errors import InputError


def settings_from(ctx: click.Context, **overrides) -> Settings:
    base: Settings = ctx.obj["settings"]
    return base.with_(**{k: (Path(v) if k in ("store", "outputs") and v else v) for k, v in overrides.items()})


@click.group()
@click.option("--verbose", is_flag=True, help="Print tracebacks with errors.")
@click.version_option(package_name="nkkg")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """nkkg: a knowledge graph of NK-cell vaccine mechanisms and clinical trials in solid tumours."""
    ctx.ensure_object(dict)
    ctx.obj["settings"] = Settings.from_env()


@main.command()
@click.option("--store", type=click.Path(file_okay=False), help="Store directory (default outputs/store or NKKG_STORE).")
@click.option("--outputs", type=click.Path(file_okay=False), help="Output directory (default outputs/).")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(dir_okay=False), help="Extra lexicon TSV file(s).")
@click.option("--input", "inputs", multiple=True, type=click.Path(dir_okay=False),
              help="Extra documents (.jsonl or .txt) to build from, beside the bundled corpus.")
@click.pass_context
@handle_errors
def build(ctx, store, outputs, lexicons, inputs):
    """Build the graph from the bundled corpus, trial records and lexicon into the store and outputs/."""
    from rich.progress import Progress

    from .build import build as run_build
    from .build import read_inputs

    settings = settings_from(ctx, store=store, outputs=outputs)
    settings = settings.with_(extra_lexicons=tuple(map(Path, lexicons)) or None, extra_inputs=tuple(map(Path, inputs)) or None)
    n_docs = len(read_inputs(settings).documents)
    with Progress(transient=True) as progress:
        task = progress.add_task("extracting documents", total=n_docs)
        report = run_build(settings, progress=lambda _stage, n: progress.advance(task, n))
    click.echo(f"built {report.documents} documents and {report.trials} trial records into {settings.store}: "
               f"{report.quads} quads, {report.statements} statements ({report.asserted} asserted), "
               f"{report.outcomes} outcomes in {report.seconds:.1f} s")
    for name, path in report.outputs.items():
        click.echo(f"  {name}: {path}")


@main.command()
@click.option("--store", type=click.Path(file_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
@handle_errors
def stats(ctx, store, as_json):
    """Counts per class and per predicate."""
    from .graph.store import open_store
    from .stats import stats as compute

    s = compute(open_store(settings_from(ctx, store=store).store, read_only=True))
    if as_json:
        click.echo(json.dumps(s, indent=2))
        return
    click.echo(f"quads {s['quads']}  distinct triples {s['triples']}  named graphs {s['named_graphs']}")
    click.echo("classes:")
    for k, v in s["classes"].items():
        click.echo(f"  {v:7d}  {k}")
    click.echo("predicates:")
    for k, v in s["predicates"].items():
        click.echo(f"  {v:7d}  {k}")


@main.command()
@click.option("--store", type=click.Path(file_okay=False))
@click.option("--limit", default=50, show_default=True, help="Violations to print.")
@click.pass_context
@handle_errors
def validate(ctx, store, limit):
    """Validate the built graph against the SHACL shapes (exit 1 on violations)."""
    from .validate import validate_store

    violations = validate_store(settings_from(ctx, store=store).store)
    for v in violations[:limit]:
        click.echo(f"{v.focus}  {v.path}  {v.message}")
    click.echo(f"{len(violations)} violation(s)")
    if violations:
        ctx.exit(1)


@main.command()
@click.argument("sparql", required=False)
@click.option("--file", "qfile", type=click.Path(dir_okay=False), help="Read the query from a file.")
@click.option("--name", help="Run a catalogue query by name (see `nkkg queries`).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table", show_default=True)
@click.option("--store", type=click.Path(file_okay=False))
@click.pass_context
@handle_errors
def query(ctx, sparql, qfile, name, fmt, store):
    """Run a SPARQL query over the union of all graphs."""
    from .graph.store import open_store
    from .query import catalogue, format_result, read_query_file, run

    given = [x for x in (sparql, qfile, name) if x]
    if len(given) != 1:
        raise InputError("give exactly one of: a SPARQL string, --file or --name")
    if name:
        cat = catalogue()
        if name not in cat:
            raise InputError(f"no catalogue query named {name!r}; see `nkkg queries`")
        text = cat[name].text
    else:
        text = read_query_file(Path(qfile)) if qfile else sparql
    result = run(open_store(settings_from(ctx, store=store).store, read_only=True), text)
    click.echo(format_result(result, fmt))


@main.command()
def queries():
    """List the named catalogue queries."""
    from .query import catalogue

    for q in catalogue().values():
        click.echo(f"{q.name:32s} {q.title}\n{'':32s} {q.question}")


@main.command()
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("-o", "--output", type=click.Path(dir_okay=False), required=True, help="Write JSON Lines here.")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(dir_okay=False), help="Extra lexicon TSV file(s).")
@click.pass_context
@handle_errors
def extract(ctx, inputs, output, lexicons):
    """Extract mentions, relations and outcomes from JSONL / .txt / PubMed XML documents."""
    from .build import extractor_for
    from .sources.files import read_documents

    errors: list[str] = []
    docs = read_documents([Path(p) for p in inputs], errors)
    extractor = extractor_for(settings_from(ctx).with_(extra_lexicons=tuple(map(Path, lexicons)) or None))
    with open(output, "w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps(extractor.extract(d).to_json(), ensure_ascii=False) + "\n")
    for e in errors:
        click.echo(f"skipped: {e}", err=True)
    click.echo(f"extracted {len(docs)} document(s) to {output}; {len(errors)} malformed record(s) skipped")
    if errors:
        ctx.exit(2 if not docs else 1)


@main.command(name="eval")
@click.argument("gold", type=click.Path(dir_okay=False, exists=True))
@click.option("--extractions", type=click.Path(dir_okay=False, exists=True),
              help="Score this extract output instead of running the extractor on the gold texts.")
@click.option("--texts", type=click.Path(file_okay=False),
              help="Directory of cached texts for gold records that carry none (the real-abstract set; "
                   "default $NKKG_REALDEV_TEXTS or <data dir>/realdev/texts).")
@click.option("--split", type=click.Choice(["all", "tune", "heldout"]), default="all", show_default=True,
              help="Score one part of a set whose texts are cached (see tests/data/realdev/README.md).")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", "show_errors", is_flag=True, help="Also list, per document, what was missed and what was wrong.")
@click.pass_context
@handle_errors
def evaluate(ctx, gold, extractions, texts, split, as_json, show_errors):
    """Score the extractor against a gold JSONL set (document-level P/R/F1)."""
    from .build import extractor_for
    from .model import Document, Section
    from .nlp.evaluate import format_errors, format_table, load_gold, score
    from .nlp.realdev import default_texts_dir, with_texts
    from .sources.corpus import read_jsonl

    settings = settings_from(ctx)
    records = load_gold(Path(gold))
    if any("text" not in g for g in records) or split != "all":
        records = with_texts(records, Path(texts) if texts else default_texts_dir(), split)
    extractor = extractor_for(settings)
    if extractions:
        preds = {obj["id"]: obj for _n, obj in read_jsonl(Path(extractions))}
    else:
        preds = {g["id"]: extractor.extract(Document(g["id"], "", (Section("text", g["text"], 0),))).to_json()
                 for g in records}
    scores = score(records, preds, extractor.lexicon)
    result = scores.as_dict()
    if show_errors and not as_json:
        click.echo(format_errors(scores.errors) + "\n")
    click.echo(json.dumps(result, indent=2) if as_json else format_table(result))


@main.command()
@click.argument("inputs", nargs=-1, type=click.Path(dir_okay=False))
@click.option("--top", default=50, show_default=True)
@click.pass_context
@handle_errors
def candidates(ctx, inputs, top):
    """List new-entity candidates (drug codes, INN-like names, unverified product, tumour and barrier
    phrases not in the lexicon) with counts and examples. Without INPUTS, reads the bundled corpus."""
    from collections import Counter

    from .build import extractor_for
    from .sources.corpus import bundled_documents
    from .sources.files import read_documents

    errors: list[str] = []
    docs = read_documents([Path(p) for p in inputs], errors) if inputs else bundled_documents()
    ex = extractor_for(settings_from(ctx))
    counts: Counter = Counter()
    example: dict[str, tuple[str, str, str]] = {}
    for d in docs:
        for c in ex.extract(d).candidates:
            counts[c.text] += 1
            example.setdefault(c.text, (c.category, d.id, c.sentence))
    for text, n in counts.most_common(top):
        cat, src, sentence = example[text]
        click.echo(f"{n:4d}  {text:32s} {cat:20s} {src}  {sentence[:100]}")
    for e in errors:
        click.echo(f"skipped: {e}", err=True)


from .commands import register as _register_extensions  # noqa: E402

_register_extensions(main)

if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
