"""CLI extension modules: each module here defines ``COMMANDS`` (a list of click commands) that
``kg.cli`` adds to the ``nkkg`` group. The built-in groups (ingest, serve, curate, viz ...) use this
registry too, so each capability keeps its commands beside nothing else."""

from __future__ import annotations

import importlib
import pkgutil

import click


def register(group: click.Group) -> None:
    for mod in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        for command in getattr(module, "COMMANDS", []):
            group.add_command(command)
