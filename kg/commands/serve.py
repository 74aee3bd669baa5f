"""`nkkg serve` and `nkkg queries` live in the core CLI; this module adds `serve`."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..config import Settings
from ..errors import NkkgError


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--store", type=click.Path(file_okay=False), help="Store directory (default outputs/store or NKKG_STORE).")
@click.option("--timeout", default=30.0, show_default=True, type=float, help="Seconds before a query is stopped.")
@click.option("--max-rows", default=10000, show_default=True, type=int, help="Row cap for results (truncation is signalled).")
@click.option("--workers", default=4, show_default=True, type=int, help="Query worker processes.")
@click.option("--per-client", default=4, show_default=True, type=int, help="Queries in flight per client before 429.")
@click.option("--max-query-bytes", default=1_000_000, show_default=True, type=int)
@click.option("--snapshot-max-quads", default=2_000_000, show_default=True, type=int,
              help="Stores up to this size are queried from an in-memory snapshot per worker (0: always from disk).")
@click.option("--update-token-env", default="NKKG_UPDATE_TOKEN", show_default=True,
              help="Environment variable holding the bearer token that enables /update (off when unset).")
def serve(host, port, store, timeout, max_rows, workers, per_client, max_query_bytes, snapshot_max_quads,
          update_token_env):
    """Serve SPARQL 1.1 (/sparql), the query page (/), entity pages and VoID over HTTP."""
    import uvicorn

    from ..server.app import ServerConfig, create_app

    settings = Settings.from_env()
    store_path = Path(store) if store else settings.store
    if not store_path.is_dir():
        raise click.ClickException(f"no store at {store_path}: run `nkkg build` first")
    cfg = ServerConfig(store=store_path, timeout=timeout, max_rows=max_rows, max_query_bytes=max_query_bytes,
                       workers=workers, per_client=per_client, update_token=os.environ.get(update_token_env) or None,
                       snapshot_max_quads=snapshot_max_quads)
    try:
        app = create_app(cfg)
    except NkkgError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"nkkg SPARQL endpoint on http://{host}:{port}/sparql (store {store_path}, timeout {timeout:g} s)")
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


COMMANDS = [serve]
