"""The ASGI app: SPARQL 1.1 Protocol at /sparql (and /update when a token is set), the query page
at /, entity pages at /entity/{curie}, VoID at /void. Queries run in worker processes (pool.py)
with a real timeout and a row cap; each client may have a bounded number of queries in flight.

HTTP statuses are decided here and only here: 400 malformed or refused query, 401 missing token,
405 wrong method, 406 unacceptable format, 413 too large, 415 wrong media type, 429 too many
in-flight queries (with Retry-After), 503 timeout.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from ..errors import InputError
from ..ids import expand
from ..query import prefixes
from .describe import service_description
from .extensions import extension_routes
from .negotiate import GRAPH_TYPES, SOLUTION_TYPES, choose
from .pages import query_page
from .pool import QueryPool, QueryTimeout
from .protocol import ProtocolError, apply_update_dataset, check_query_safety, read_operation


@dataclass(frozen=True)
class ServerConfig:
    store: Path
    timeout: float = 30.0
    max_rows: int = 10000
    max_query_bytes: int = 1_000_000
    workers: int = 4
    per_client: int = 4
    update_token: str | None = None
    snapshot_max_quads: int = 2_000_000


@dataclass
class ServerContext:
    """What extension routes get: the config, the query pool, and a hook to call after writing."""

    config: ServerConfig
    pool: QueryPool
    write_lock: asyncio.Lock
    refresh_graphs: object  # async callable: re-read graph names, restart workers

    async def after_write(self) -> None:
        await self.refresh_graphs()


def _error(status: int, message: str, **headers) -> PlainTextResponse:
    return PlainTextResponse(message + "\n", status_code=status, headers=headers)


def create_app(cfg: ServerConfig) -> Starlette:
    pool = QueryPool(str(cfg.store), size=cfg.workers, timeout=cfg.timeout, snapshot_max_quads=cfg.snapshot_max_quads)
    in_flight: Counter = Counter()
    state: dict = {"graphs": set(), "writer": None}
    write_lock = asyncio.Lock()

    async def startup() -> None:
        await pool.start()
        answer = await pool.run({"kind": "graphs"})
        state["graphs"] = set(answer["graphs"])

    async def shutdown() -> None:
        await pool.close()

    def client_key(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    async def run_limited(request: Request, job: dict) -> dict | Response:
        key = client_key(request)
        if in_flight[key] >= cfg.per_client:
            return _error(429, f"too many queries in flight from this client (limit {cfg.per_client})", **{"Retry-After": "1"})
        in_flight[key] += 1
        try:
            return await pool.run(job)
        except QueryTimeout as exc:
            return _error(503, str(exc), **{"Retry-After": "5"})
        finally:
            in_flight[key] -= 1

    async def sparql(request: Request) -> Response:
        body = await request.body()
        try:
            op = read_operation(request.method, request.headers.get("content-type"), request.url.query.encode("latin-1"),
                                body, "query", cfg.max_query_bytes)
        except ProtocolError as exc:
            return _error(exc.status, str(exc))
        if op is None:
            base = str(request.url).split("?")[0]
            return Response(service_description(base, cfg.update_token is not None), media_type="text/turtle")
        try:
            check_query_safety(op.text, state["graphs"])
        except ProtocolError as exc:
            return _error(exc.status, str(exc))
        accept = request.headers.get("accept")
        job = {"kind": "query", "query": op.text, "base_iri": str(request.url).split("?")[0], "default_graphs": op.default_graphs, "named_graphs": op.named_graphs,
               "solution_format": choose(accept, SOLUTION_TYPES, "json", op.explicit_format if op.explicit_format in
                                         ("json", "xml", "csv", "tsv") else None),
               "graph_format": choose(accept, GRAPH_TYPES, "turtle", op.explicit_format if op.explicit_format in
                                      ("turtle", "ttl", "nt", "jsonld", "rdfxml") else None),
               "max_rows": cfg.max_rows, "prefixes": None}
        if op.explicit_format and job["solution_format"] is None and job["graph_format"] is None:
            return _error(400, f"unknown format {op.explicit_format!r}")
        result = await run_limited(request, job)
        if isinstance(result, Response):
            return result
        if not result["ok"]:
            return _error(result["status"], result["error"])
        headers = {"X-NKKG-Truncated": "true" if result["truncated"] else "false", "Vary": "Accept"}
        if op.explicit_format:
            headers["Content-Disposition"] = f'inline; filename="results.{op.explicit_format}"'
        return Response(result["body"], media_type=result["media"], headers=headers)

    async def update(request: Request) -> Response:
        if cfg.update_token is None:
            return _error(404, "the update endpoint is off (start the server with an update token)")
        auth = request.headers.get("authorization", "")
        if not (auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip(), cfg.update_token)):
            return _error(401, "missing or wrong bearer token", **{"WWW-Authenticate": "Bearer"})
        body = await request.body()
        try:
            op = read_operation(request.method, request.headers.get("content-type"), request.url.query.encode("latin-1"),
                                body, "update", cfg.max_query_bytes)
            if op is None:
                raise ProtocolError(400, "no update given")
            check_query_safety(op.text, state["graphs"] | set(op.default_graphs) | set(op.named_graphs) | {"*"})
        except ProtocolError as exc:
            return _error(exc.status, str(exc))
        op.base_iri = str(request.url).split("?")[0]
        try:
            op.text = apply_update_dataset(op.text, op.default_graphs, op.named_graphs)
        except ProtocolError as exc:
            return _error(exc.status, str(exc))
        async with write_lock:
            try:
                await asyncio.get_running_loop().run_in_executor(None, _apply_update, cfg.store, op)
            except ProtocolError as exc:
                return _error(exc.status, str(exc))
            await refresh_graphs()
        return Response(status_code=204)

    async def refresh_graphs() -> None:
        pool.restart()
        answer = await pool.run({"kind": "graphs"})
        state["graphs"] = set(answer["graphs"])

    async def home(request: Request) -> Response:
        return HTMLResponse(query_page(cfg.timeout, cfg.max_rows, request.query_params.get("query")))

    async def entity(request: Request) -> Response:
        curie = request.path_params["curie"]
        try:
            expand(curie)
        except InputError as exc:
            return _error(404, str(exc))
        result = await run_limited(request, {"kind": "entity", "curie": curie})
        if isinstance(result, Response):
            return result
        if not result["ok"]:
            return _error(404, result["error"])
        return HTMLResponse(result["html"])

    async def void(request: Request) -> Response:
        result = await run_limited(request, {"kind": "void", "base_url": str(request.base_url)})
        if isinstance(result, Response):
            return result
        return Response(result["body"], media_type="text/turtle")

    routes = [
        Route("/", home, methods=["GET"]),
        Route("/sparql", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/sparql/", sparql, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/update", update, methods=["GET", "POST", "PUT", "DELETE", "PATCH"]),
        Route("/entity/{curie:path}", entity, methods=["GET"]),
        Route("/void", void, methods=["GET"]),
    ]
    ctx = ServerContext(cfg, pool, write_lock, refresh_graphs)
    routes += extension_routes(ctx)
    @contextlib.asynccontextmanager
    async def lifespan(_app):
        await startup()
        try:
            yield
        finally:
            await shutdown()

    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.pool = pool
    app.state.config = cfg
    # CORS for read-only queries only: /update and /curation are never cross-origin
    app.add_middleware(ReadOnlyCORS, allow_origins=["*"], allow_methods=["GET", "POST"],
                       allow_headers=["Content-Type", "Accept"], expose_headers=["X-NKKG-Truncated"])
    return app


class ReadOnlyCORS(CORSMiddleware):
    """Starlette's CORS, skipped for the write endpoints (no Access-Control-* headers at all there)."""

    WRITE_PATHS = ("/update", "/curation")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["path"].startswith(self.WRITE_PATHS):
            await self.app(scope, receive, send)
            return
        await super().__call__(scope, receive, send)


def _apply_update(store_path: Path, op) -> None:
    store = ox.Store(str(store_path))
    try:
        store.update(op.text, prefixes=prefixes(), base_iri=op.base_iri)
        store.flush()
    except SyntaxError as exc:
        raise ProtocolError(400, f"SPARQL Update syntax error: {str(exc).splitlines()[0]}") from exc
    finally:
        del store
