"""/graph/{curie}: the interactive ego view of an entity (kg.viz.focus_html), linked from entity pages."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import Route

from ...errors import NkkgError


def routes(ctx) -> list:
    async def graph(request):
        from ...viz import focus_html

        curie = request.path_params["curie"]
        try:
            hops = max(1, min(3, int(request.query_params.get("hops", "2"))))
        except ValueError:
            return PlainTextResponse("hops must be 1, 2 or 3\n", status_code=400)

        def render() -> str:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / "view.html"
                focus_html(Path(ctx.config.store), curie, hops, out)
                return out.read_text(encoding="utf-8")

        try:
            page = await asyncio.get_running_loop().run_in_executor(None, render)
        except NkkgError as exc:
            return PlainTextResponse(f"{exc}\n", status_code=404)  # unknown entity, or nothing to draw
        return HTMLResponse(page)

    return [Route("/graph/{curie:path}", graph, methods=["GET"])]
