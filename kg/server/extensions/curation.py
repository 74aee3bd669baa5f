"""POST /curation: the curation API, the same validation and journal as `nkkg curate`.

JSON body ``{"subject", "predicate", "object", "source", "evidence", "curator"}`` adds an assertion
(optional ``"negated": true``); ``{"action": "review", "id", "decision": "approve"|"reject", "curator"}``,
``{"action": "retract", "id", "reason", "curator"}``, ``{"action": "comment", "id", "text", "curator"}``,
``{"action": "verdict", "subject", "predicate", "object", "verdict": "correct"|"incorrect", "source",
"curator"}`` and ``{"action": "import", "rows": [...]}`` (all or nothing) do the rest.

Off (404 "curation is off") unless NKKG_CURATION_TOKEN is set; then a matching ``Authorization:
Bearer`` token is required (401). Statuses: 201 created, 200 done, 400 malformed body, 404 unknown
assertion, 409 self-review or a state that does not allow the action, 413 too large, 415 not JSON,
422 invalid input (with the message). One writer at a time (the server's write lock and the
journal's file lock); the write is acknowledged once it is in the journal (fsync) and the store.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import logging
import os

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from ...config import Settings
from ...errors import InputError, NkkgError

log = logging.getLogger("kg.curation")
MAX_BODY = 5_000_000
ADD_FIELDS = {"subject", "predicate", "object", "source", "evidence", "curator", "negated"}
FIELDS = {
    "add": ADD_FIELDS,
    "verdict": {"subject", "predicate", "object", "source", "evidence", "note", "curator", "verdict"},
    "review": {"id", "decision", "curator", "reason"},
    "retract": {"id", "reason", "curator"},
    "comment": {"id", "text", "curator"},
    "import": {"rows"},
}
FORM_PREDICATES = ["nkv:testedIn", "nkv:targets", "nkv:usesPlatform", "nkv:combinedWith", "nkv:counters",
                   "nkv:limitedBy", "nkv:evaluatedIn", "nkv:condition", "nkv:intervention"]


def _error(status: int, message: str, **headers) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


class _Refresher:
    """Re-reads the store's graph names (``ctx.after_write``) once writes have paused for ``delay`` seconds,
    in the background: it respawns a query worker (a few hundred ms of CPU) that a burst of writes should
    not pay each time. Queries see a write at once anyway (the write path calls ``pool.restart()``, so every
    query after it opens a fresh snapshot); only ``FROM <a new graph>`` waits for this refresh."""

    def __init__(self, ctx, delay: float = 1.0):
        self.ctx, self.delay, self.task, self.last = ctx, delay, None, 0.0

    def schedule(self) -> None:
        loop = asyncio.get_running_loop()
        self.last = loop.time()
        if self.task is None or self.task.done():
            self.task = loop.create_task(self._run())

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        while (wait := self.last + self.delay - loop.time()) > 0:
            await asyncio.sleep(wait)
        try:
            await self.ctx.after_write()
        except Exception:  # noqa: BLE001 - a failed refresh must not take the server down
            log.exception("refreshing query workers after a curation write failed")


def _row(obj: dict, where: str = ""):
    from ...curation import Row

    unknown = set(obj) - ADD_FIELDS - {"action"}
    if unknown:
        raise InputError(f"{where}unknown field(s): {', '.join(sorted(unknown))}")
    negated = obj.get("negated", False)
    if not isinstance(negated, bool):
        raise InputError(f"{where}'negated' must be true or false")
    return Row(obj.get("subject"), obj.get("predicate"), obj.get("object"), obj.get("source"), obj.get("evidence"),
               obj.get("curator"), negated, where.rstrip(": "))


def _job(curation, body: dict):
    """The body -> (a function doing the write, HTTP status on success). Raises InputError when malformed."""
    action = body.get("action", "add")
    if action not in FIELDS:
        raise InputError(f"unknown action {action!r} (expected one of {', '.join(FIELDS)})")
    unknown = set(body) - FIELDS[action] - {"action"}
    if unknown:
        raise InputError(f"unknown field(s) for {action}: {', '.join(sorted(unknown))}")
    if action == "add":
        row = _row(body)
        return (lambda: [curation.add_rows([row])[0]]), 201
    if action == "import":
        rows = body.get("rows")
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise InputError("'rows' must be a list of objects")
        checked = [_row(r, f"row {i}: ") for i, r in enumerate(rows, start=1)]
        return (lambda: curation.add_rows(checked)), 201
    if action == "verdict":
        if body.get("verdict") not in ("correct", "incorrect"):
            raise InputError("'verdict' must be \"correct\" or \"incorrect\"")
        return (lambda: [curation.verdict(body.get("subject"), body.get("predicate"), body.get("object"),
                                          body["verdict"] == "correct", body.get("source"),
                                          body.get("evidence", body.get("note")), body.get("curator"))]), 201
    if not isinstance(body.get("id"), str):
        raise InputError("'id' (the assertion id) is required")
    if action == "review":
        if body.get("decision") not in ("approve", "reject"):
            raise InputError("'decision' must be \"approve\" or \"reject\"")
        return (lambda: [curation.review(body["id"], body["decision"] == "approve", body.get("curator"),
                                         body.get("reason"))]), 200
    if action == "retract":
        return (lambda: [curation.retract(body["id"], body.get("reason"), body.get("curator"))]), 200
    return (lambda: [curation.comment(body["id"], body.get("text"), body.get("curator"))]), 200


def _status_for(exc: NkkgError) -> int:
    from ...curation import CurationStateError, UnknownAssertionError

    if isinstance(exc, UnknownAssertionError):
        return 404
    if isinstance(exc, CurationStateError):
        return 409
    if isinstance(exc, InputError):
        return 422
    return 503


def routes(ctx) -> list:
    from ...curation import Curation

    token = os.environ.get("NKKG_CURATION_TOKEN") or None
    curation = Curation(Settings.from_env().with_(store=ctx.config.store))
    refresher = _Refresher(ctx)

    async def endpoint(request: Request):
        if token is None:
            return _error(404, "curation is off (the server was started without NKKG_CURATION_TOKEN)")
        auth = request.headers.get("authorization", "")
        if not (auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].strip().encode(), token.encode())):
            return _error(401, "missing or wrong bearer token", **{"WWW-Authenticate": "Bearer"})
        if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
            return _error(415, "send a JSON body (Content-Type: application/json)")
        if int(request.headers.get("content-length") or 0) > MAX_BODY:
            return _error(413, f"body larger than {MAX_BODY} bytes")
        body = await request.body()
        if len(body) > MAX_BODY:
            return _error(413, f"body larger than {MAX_BODY} bytes")
        try:
            obj = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            return _error(400, f"malformed JSON: {exc}")
        if not isinstance(obj, dict):
            return _error(400, "the body must be a JSON object")
        try:
            work, status = _job(curation, obj)
        except InputError as exc:
            return _error(422, str(exc))
        async with ctx.write_lock:
            try:
                results = await asyncio.get_running_loop().run_in_executor(None, work)
            except NkkgError as exc:
                return _error(_status_for(exc), str(exc))
            finally:
                notices, curation.notices = curation.notices, []
            ctx.pool.restart()  # read your writes: every query from now on opens a fresh snapshot
        for n in notices:
            log.warning(n)
        refresher.schedule()
        payload = {"results": [r.to_json() for r in results], "warnings": notices}
        if obj.get("action", "add") != "import":
            payload.update(results[0].to_json())
        return JSONResponse(payload, status_code=status)

    return [Route("/curation", endpoint, methods=["POST"])]


def curation_form_html(curie: str) -> str:
    """A small form for an entity page: posts a JSON assertion with this entity as subject to /curation."""
    options = "".join(f'<option value="{html.escape(p)}">{html.escape(p)}</option>' for p in FORM_PREDICATES)
    return f"""<section class="nkkg-curation"><h2>Curate</h2>
<form id="nkkg-curation-form" data-subject="{html.escape(curie, quote=True)}">
<label>predicate <select name="predicate">{options}</select></label>
<label>object <input name="object" required placeholder="CURIE or exact label"></label>
<label>source <input name="source" required placeholder="PMID:..., NCT..., doi:..."></label><br>
<label>evidence <textarea name="evidence" rows="2" cols="60" placeholder="supporting sentence or note"></textarea></label><br>
<label><input type="checkbox" name="negated"> negated (the relation does not hold)</label>
<label>curator <input name="curator" required placeholder="your curator id"></label>
<label>token <input name="token" type="password" required></label>
<button type="submit">Submit for review</button> <span id="nkkg-curation-status" class="muted"></span>
</form>
<script>
document.getElementById('nkkg-curation-form').addEventListener('submit', async ev => {{
  ev.preventDefault();
  const f = ev.target, out = document.getElementById('nkkg-curation-status');
  const body = {{subject: f.dataset.subject, predicate: f.predicate.value, object: f.object.value,
                source: f.source.value, evidence: f.evidence.value, curator: f.curator.value,
                negated: f.negated.checked}};
  out.textContent = 'sending...';
  try {{
    const r = await fetch('/curation', {{method: 'POST', headers: {{'Content-Type': 'application/json',
      'Authorization': 'Bearer ' + f.token.value}}, body: JSON.stringify(body)}});
    const j = await r.json();
    out.textContent = r.ok ? ('recorded ' + j.assertion + ' (' + j.status + (j.conflict ? ', conflict' : '') + ')')
                           : ('refused: ' + j.error);
  }} catch (e) {{ out.textContent = 'failed: ' + e; }}
}});
</script></section>"""
