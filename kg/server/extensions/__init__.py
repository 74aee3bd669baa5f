"""Server extension modules: each module here defines ``routes(ctx) -> list[starlette.routing.Route]``.

``ctx`` is a ``ServerContext`` (the config, the query pool, and ``after_write()``, which a route that
wrote to the store must await so that query workers reopen their read-only snapshots). The graph
views (/graph/...) and the curation API (/curation) plug in here.
"""

from __future__ import annotations

import importlib
import pkgutil


def extension_routes(ctx) -> list:
    routes: list = []
    for mod in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{mod.name}")
        if hasattr(module, "routes"):
            routes.extend(module.routes(ctx))
    return routes
