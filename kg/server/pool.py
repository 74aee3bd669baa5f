"""A pool of query worker processes with a real timeout.

``QueryPool.run(job)`` hands the job to an idle worker and waits at most ``timeout`` seconds; a
worker that overruns is killed (SIGKILL) and replaced, so the work really ends. ``restart()``
replaces every worker (after a write, read-only snapshots must be reopened).
"""

from __future__ import annotations

import asyncio
import multiprocessing as mp
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ..errors import StoreError
from . import worker


class QueryTimeout(Exception):
    pass


@dataclass
class Worker:
    process: mp.Process
    conn: object
    generation: int


class QueryPool:
    def __init__(self, store_path: str, size: int = 4, timeout: float = 30.0, snapshot_max_quads: int = 2_000_000):
        self.store_path, self.size, self.timeout = str(store_path), size, timeout
        self.snapshot_max_quads = snapshot_max_quads
        self._ctx = mp.get_context("spawn")
        self._idle: asyncio.Queue | None = None
        self._executor = ThreadPoolExecutor(max_workers=size + 2, thread_name_prefix="nkkg-query")
        self._generation = 0
        self._lock = threading.Lock()
        self._all: list[Worker] = []

    def _spawn(self) -> Worker:
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=worker.main, args=(child, self.store_path, self.snapshot_max_quads), daemon=True)
        proc.start()
        child.close()
        if not parent.poll(60):
            proc.kill()
            raise StoreError("query worker did not start")
        hello = parent.recv()
        if not hello.get("ok"):
            proc.kill()
            raise StoreError(hello.get("error", "query worker failed"))
        w = Worker(proc, parent, self._generation)
        with self._lock:
            self._all.append(w)
        return w

    def _kill(self, w: Worker) -> None:
        try:
            w.process.kill()
            w.process.join(5)
            w.conn.close()
        except (OSError, ValueError):
            pass
        with self._lock:
            if w in self._all:
                self._all.remove(w)

    async def start(self) -> None:
        self._idle = asyncio.Queue()
        loop = asyncio.get_running_loop()
        workers = await asyncio.gather(*(loop.run_in_executor(self._executor, self._spawn) for _ in range(self.size)))
        for w in workers:
            self._idle.put_nowait(w)

    def _exchange(self, w: Worker, job: dict, timeout: float) -> dict | None:
        w.conn.send(job)
        if w.conn.poll(timeout):
            return w.conn.recv()
        return None

    async def run(self, job: dict) -> dict:
        assert self._idle is not None, "pool not started"
        loop = asyncio.get_running_loop()
        w = await self._idle.get()
        if w.generation != self._generation:  # a write happened since this worker opened its snapshot
            self._kill(w)
            w = await loop.run_in_executor(self._executor, self._spawn)
        try:
            result = await loop.run_in_executor(self._executor, self._exchange, w, job, self.timeout)
        except (EOFError, OSError, BrokenPipeError):
            result = {"ok": False, "status": 500, "error": "query worker died"}
            self._kill(w)
            w = await loop.run_in_executor(self._executor, self._spawn)
        if result is None:
            self._kill(w)
            replacement = await loop.run_in_executor(self._executor, self._spawn)
            self._idle.put_nowait(replacement)
            raise QueryTimeout(f"query exceeded the {self.timeout:g} s timeout and was stopped")
        self._idle.put_nowait(w)
        return result

    def restart(self) -> None:
        """Mark every worker stale: each is replaced before its next job."""
        self._generation += 1

    async def close(self) -> None:
        with self._lock:
            workers = list(self._all)
        for w in workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
            self._kill(w)
        self._executor.shutdown(wait=False, cancel_futures=True)
