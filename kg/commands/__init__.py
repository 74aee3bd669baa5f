"""CLI extension modules: each module here defines ``COMMANDS`` (a list of click commands) that
``kg.cli`` adds to the ``nkkg`` group. The built-in groups (ingest, serve, curate, viz ...) use this
registry too, so each capability keeps its commands beside nothing else."""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from functools import wraps

import click

from ..errors import NkkgError


def handle_errors(fn):
    """Turn an NkkgError into one line on stderr and its exit code (the traceback with --verbose).
    Every command, built-in or extension, uses this one wrapper."""

    @wraps(fn)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return fn(*args, **kwargs)
        except NkkgError as exc:
            if ctx.find_root().params.get("verbose"):
                traceback.print_exc()
            click.echo(f"error: {exc}", err=True)
            ctx.exit(exc.exit_code)

    return wrapper


def register(group: click.Group) -> None:
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for command in getattr(module, "COMMANDS", []):
            group.add_command(command)
