#!/usr/bin/env python
"""Curation speed: (1) single `curate add` requests through HTTP (POST /curation on a real `nkkg serve`),
sent open-loop at a fixed rate (default 10 writes/s), each acknowledged durably (journal fsync + store
update) before the response; reports p50/p90/p99/max latency, measured from the moment each request was
due (so a slow response delays the measurement of the next ones, no coordinated omission);
(2) a batch import of 1,000 TSV rows with `nkkg curate import` (wall clock of the command, and of the
library call alone). Targets: p99 < 200 ms, import < 10 s.

    python scripts/bench_curation.py                    # builds a store in a temporary directory
    python scripts/bench_curation.py --store outputs/store --writes 300 --rate 10
"""

from __future__ import annotations

import argparse
import itertools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def pairs():
    from kg.model import Category
    from kg.nlp.lexicon import load_lexicon

    lex = load_lexicon()
    agents = sorted(e.id for e in lex.by_category(Category.AGENT))
    tumours = sorted(e.id for e in lex.by_category(Category.TUMOUR))
    return list(itertools.product(agents, tumours))


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_http(work: Path, store: Path, writes: int, rate: float, combos) -> dict:
    from tests.server_util import running_server

    token = "bench-token"
    env = {"NKKG_CURATION_TOKEN": token, "NKKG_DATA_DIR": str(work / "data-http")}
    latencies: list[float] = []
    service: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    with running_server(store, "--workers", "2", env=env) as base, httpx.Client(timeout=60) as warm:
        headers = {"Authorization": f"Bearer {token}"}
        for i in range(5):  # warm-up: lexicon, ontology, SHACL shapes loaded in the server
            s, o = combos[-1 - i]
            warm.post(base + "/curation", json={"subject": s, "predicate": "nkv:testedIn", "object": o,
                                                "source": f"PMID:{9_000_000 + i}", "curator": "warmup"}, headers=headers)
        clients = threading.local()

        def one(i: int, due: float) -> None:
            if not hasattr(clients, "c"):
                clients.c = httpx.Client(timeout=60)
            s, o = combos[i % (len(combos) - 10)]
            body = {"subject": s, "predicate": "nkv:testedIn", "object": o, "source": f"PMID:{10_000_000 + i}",
                    "evidence": f"bench write {i}", "curator": f"bench{i % 7}"}
            while time.perf_counter() < due:
                time.sleep(max(0.0, due - time.perf_counter()))
            sent = time.perf_counter()
            r = clients.c.post(base + "/curation", json=body, headers=headers)
            done = time.perf_counter()
            with lock:
                latencies.append(done - due)
                service.append(done - sent)
                if r.status_code != 201:
                    errors.append(f"{r.status_code} {r.text[:200]}")

        start = time.perf_counter() + 0.5
        with ThreadPoolExecutor(max_workers=16) as pool:
            for i in range(writes):
                pool.submit(one, i, start + i / rate)
    ms = [x * 1000 for x in latencies]
    return {"writes": writes, "rate": rate, "errors": len(errors), "first_error": errors[0] if errors else None,
            "p50_ms": percentile(ms, 50), "p90_ms": percentile(ms, 90), "p99_ms": percentile(ms, 99), "max_ms": max(ms),
            "mean_service_ms": statistics.mean(service) * 1000}


def bench_import(work: Path, store: Path, rows: int, combos) -> dict:
    tsv = work / "batch.tsv"
    lines = ["subject\tpredicate\tobject\tsource\tevidence\tcurator"]
    for i in range(rows):
        s, o = combos[i % len(combos)]
        lines.append(f"{s}\tnkv:testedIn\t{o}\tPMID:{20_000_000 + i}\tbatch row {i} \"quoted\"\tcurator{i % 5}")
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    env = {**os.environ, "NKKG_DATA_DIR": str(work / "data-cli"), "NKKG_STORE": str(store)}
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "curate", "import", str(tsv)], env=env,
                          capture_output=True, text=True)
    cli = time.perf_counter() - t
    if proc.returncode != 0:
        raise SystemExit(f"import failed: {proc.stderr}")
    # the library call alone, on a fresh journal and store copy (no interpreter start, lexicon load)
    from kg.config import Settings
    from kg.curation import Curation
    from kg.curation.files import read_rows

    store2 = work / "store-lib"
    shutil.copytree(store, store2, dirs_exist_ok=True)
    cur = Curation(Settings(store=store2, data_dir=work / "data-lib"))
    cur.resolver  # noqa: B018 - load the lexicon outside the timing, as a running server has it
    t = time.perf_counter()
    results = cur.add_rows(read_rows(tsv))
    lib = time.perf_counter() - t
    return {"rows": rows, "cli_seconds": cli, "library_seconds": lib, "new_assertions": sum(not r.duplicate for r in results),
            "summary": proc.stdout.strip().splitlines()[-1]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--store", help="Copy this store instead of running `nkkg build` first.")
    ap.add_argument("--writes", type=int, default=200)
    ap.add_argument("--rate", type=float, default=10.0, help="Writes per second (open loop).")
    ap.add_argument("--rows", type=int, default=1000)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="nkkg-bench-"))
    try:
        store = work / "store"
        if args.store:
            shutil.copytree(args.store, store)
        else:
            subprocess.run([sys.executable, "-m", "kg.cli", "build", "--store", str(store), "--outputs", str(work / "out")],
                           check=True, capture_output=True, env={**os.environ, "NKKG_DATA_DIR": str(work / "none")})
        combos = pairs()
        http = bench_http(work, store, args.writes, args.rate, combos)
        print(f"HTTP curate add, {http['writes']} writes at {http['rate']:g}/s: p50 {http['p50_ms']:.0f} ms, "
              f"p90 {http['p90_ms']:.0f} ms, p99 {http['p99_ms']:.0f} ms, max {http['max_ms']:.0f} ms "
              f"(mean service {http['mean_service_ms']:.0f} ms), errors {http['errors']}"
              + (f" first: {http['first_error']}" if http["errors"] else ""), flush=True)
        imp = bench_import(work, store, args.rows, combos)
        print(f"batch import of {imp['rows']} TSV rows: `nkkg curate import` {imp['cli_seconds']:.2f} s wall clock, "
              f"library call {imp['library_seconds']:.2f} s ({imp['summary']})")
        ok = http["p99_ms"] < 200 and imp["cli_seconds"] < 10 and not http["errors"]
        print("targets (p99 < 200 ms, import < 10 s):", "met" if ok else "NOT met")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
