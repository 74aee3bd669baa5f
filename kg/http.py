"""The shared HTTP layer of the live sources (fetch stage: I/O only, no parsing).

Contract: ``HttpClient.get(url, params, cache=..., check=...)`` returns a ``RawResponse`` whose body is
complete, or raises ``SourceError``; no httpx exception escapes.

- One ``httpx.Client`` per source, user agent ``nkkg/<version> (+mailto:<email>)``, injectable transport.
- A rate limiter: at most ``Politeness.rate`` requests per second (cache hits are free).
- Retries with exponential backoff on 429 and 5xx (a ``Retry-After`` header, in seconds or as an HTTP
  date, replaces the backoff), on dropped connections and timeouts, and on truncated bodies: httpx
  reports a body shorter than its Content-Length, and ``check(body)`` raising ``ValueError`` reports
  one it cannot see (a document that stops before its closing tag). Other 4xx fail at once.
- A raw-response disk cache keyed by a hash of method + URL + params (secrets such as ``api_key``
  left out), written atomically, so a re-run can serve completed requests without the network.
  ``cache="use"`` reads and writes it, ``"refresh"`` only writes, ``"off"`` neither; entries older than
  ``valid_since`` (the start of the run being resumed) are not read.

Time is injected (``Politeness.sleep`` and ``clock``), so tests never wait for real.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Literal, Mapping

import httpx

from . import __version__
from .errors import SourceError

log = logging.getLogger("nkkg.http")
SECRET_PARAMS = frozenset({"api_key"})
CacheMode = Literal["use", "refresh", "off"]
Check = Callable[[bytes], None]


@dataclass(frozen=True)
class Politeness:
    """How hard we may press a server; every source has its own ``rate``."""

    rate: float | None = None  # requests per second at most; None: the source's own limit
    retries: int = 4  # attempts after the first
    backoff: float = 1.0  # first retry delay in seconds, doubled on each further attempt
    max_backoff: float = 60.0
    max_retry_after: float = 600.0  # a server asking for a longer pause is a failure, not a wait
    timeout: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False)
    clock: Callable[[], float] = field(default=time.monotonic, compare=False)

    def delay(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2 ** attempt)


@dataclass(frozen=True)
class RawResponse:
    """A response body exactly as the server sent it, with the request that produced it."""

    url: str
    params: tuple[tuple[str, str], ...]
    status: int
    body: bytes
    retrieved_at: str
    from_cache: bool = False


class RateLimiter:
    """``wait()`` returns when the next request may go: calls are spaced ``1/rate`` seconds apart."""

    def __init__(self, rate: float, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep):
        self.interval = 1.0 / rate if rate > 0 else 0.0
        self.clock, self.sleep = clock, sleep
        self._next: float | None = None
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = self.clock()
            if self._next is not None and now < self._next:
                self.sleep(self._next - now)
                now = self._next
            self._next = now + self.interval


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` so that readers see the old file or the whole new one, never a part."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def public_params(params: Mapping[str, str]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, v) for k, v in params.items() if k not in SECRET_PARAMS))


class DiskCache:
    """Raw responses under ``root/<hh>/<hash>.body`` with a JSON sidecar describing the request."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @staticmethod
    def key(method: str, url: str, params: Mapping[str, str]) -> str:
        blob = json.dumps([method.upper(), url, public_params(params)], ensure_ascii=False)
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()

    def _paths(self, key: str) -> tuple[Path, Path]:
        base = self.root / key[:2] / key
        return base.with_suffix(".body"), base.with_suffix(".json")

    def get(self, key: str) -> RawResponse | None:
        body_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_text(encoding="utf-8"))
            body = body_path.read_bytes()
        except (OSError, ValueError):
            return None
        if hashlib.sha256(body).hexdigest() != meta.get("sha256"):
            return None  # a body from another write than its sidecar: treat as a miss
        return RawResponse(meta["url"], tuple(tuple(p) for p in meta["params"]), meta["status"], body,
                           meta["retrieved_at"], from_cache=True)

    def put(self, key: str, resp: RawResponse) -> None:
        body_path, meta_path = self._paths(key)
        meta = {"url": resp.url, "params": resp.params, "status": resp.status, "retrieved_at": resp.retrieved_at,
                "sha256": hashlib.sha256(resp.body).hexdigest(), "length": len(resp.body)}
        write_atomic(body_path, resp.body)
        write_atomic(meta_path, json.dumps(meta, indent=1).encode("utf-8"))


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - (now or datetime.now(timezone.utc))).total_seconds())


def expect_json_object(body: bytes) -> None:
    """A ``check`` for JSON APIs: a body that does not parse (truncated) raises ValueError, so it is retried."""
    if not isinstance(json.loads(body), dict):
        raise ValueError("expected a JSON object")


def user_agent(email_address: str | None) -> str:
    return f"nkkg/{__version__}" + (f" (+mailto:{email_address})" if email_address else "")


@dataclass
class Counters:
    network: int = 0  # requests that completed over the network
    cached: int = 0  # requests served from the disk cache
    retries: int = 0


class HttpClient:
    """GET with politeness, retries and the disk cache (see the module docstring)."""

    def __init__(self, *, rate: float = 3.0, politeness: Politeness | None = None, cache_dir: Path | None = None,
                 email_address: str | None = None, transport: httpx.BaseTransport | None = None):
        """``rate`` is the source's limit; an explicit ``politeness.rate`` overrides it."""
        self.politeness = politeness or Politeness()
        self.cache = DiskCache(cache_dir) if cache_dir is not None else None
        self.rate = self.politeness.rate or rate
        self.limiter = RateLimiter(self.rate, self.politeness.clock, self.politeness.sleep)
        self.counters = Counters()
        self.valid_since: float | None = None  # epoch seconds: older cache entries count as misses
        self._client = httpx.Client(headers={"User-Agent": user_agent(email_address)}, transport=transport,
                                    timeout=self.politeness.timeout, follow_redirects=True)

    def __enter__(self) -> "HttpClient":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._client.close()

    def get(self, url: str, params: Mapping[str, object] | None = None, *, cache: CacheMode = "use",
            check: Check | None = None) -> RawResponse:
        query = {k: str(v) for k, v in (params or {}).items() if v is not None}
        key = DiskCache.key("GET", url, query)
        if self.cache is not None and cache == "use":
            hit = self.cache.get(key)
            if hit is not None and (self.valid_since is None
                                    or datetime.fromisoformat(hit.retrieved_at).timestamp() >= self.valid_since):
                self.counters.cached += 1
                return hit
        status, body = self._fetch(url, query, check)
        resp = RawResponse(url, public_params(query), status, body, datetime.now(timezone.utc).isoformat())
        self.counters.network += 1
        if self.cache is not None and cache != "off":
            self.cache.put(key, resp)
        return resp

    def _fetch(self, url: str, query: dict[str, str], check: Check | None) -> tuple[int, bytes]:
        p = self.politeness
        attempts = p.retries + 1
        status: int | None = None
        for attempt in range(attempts):
            self.limiter.wait()
            wait: float | None = None
            try:
                r = self._client.get(url, params=query)
            except httpx.RequestError as exc:  # refused, timed out, dropped, shorter than Content-Length
                reason = f"{type(exc).__name__}: {exc}"
            else:
                status = r.status_code
                if status == 429 or status >= 500:
                    reason, wait = f"HTTP {status}", retry_after(r.headers.get("Retry-After"))
                    if wait is not None and wait > p.max_retry_after:
                        raise SourceError(f"GET {url}: HTTP {status}, and the server asks to wait {wait:.0f} s", status)
                elif status >= 400:
                    raise SourceError(f"GET {url}: HTTP {status}: {r.text[:200].strip()}", status)
                else:
                    try:
                        if check is not None:
                            check(r.content)
                        return status, r.content
                    except ValueError as exc:
                        reason = f"incomplete response: {exc}"
            if attempt + 1 < attempts:
                delay = wait if wait is not None else p.delay(attempt)
                log.warning("GET %s: %s; retrying in %.1f s", url, reason, delay)
                self.counters.retries += 1
                p.sleep(delay)
        raise SourceError(f"GET {url}: gave up after {attempts} attempt(s): {reason}", status)
