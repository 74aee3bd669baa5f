"""SPARQL latency and throughput, measured in one run on the same data.

    python scripts/bench_sparql.py [--store outputs/store] [--repeat 20]

For every catalogue query (kg/queries/*.rq): median and p99 latency (a) through the HTTP endpoint
(`nkkg serve` started here on 127.0.0.1), (b) directly on the on-disk Oxigraph store in union mode,
(c) on the in-memory snapshot the endpoint's workers query, (d) on rdflib's in-memory engine over
the same triples; the speed-ups (d)/(b) and (d)/(c) per query and their geometric means;
throughput with 8 concurrent clients; and the latency of a fast query from another client while a
slow (timed-out) query runs. Needs a built store (`nkkg build`).
"""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
from rdflib import Dataset

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from kg.query import catalogue, prefixes  # noqa: E402
from kg.server.worker import open_view  # noqa: E402
from server_util import running_server  # noqa: E402


def timed(fn, repeat):
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def p99(xs):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, math.ceil(0.99 * len(xs)) - 1)]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=Path("outputs/store"))
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args(argv)
    store = ox.Store.read_only(str(args.store))
    header = "\n".join(f"PREFIX {k}: <{v}>" for k, v in prefixes().items()) + "\n"
    ds = Dataset(default_union=True)
    ds.parse(data=ox.serialize(store, format=ox.RdfFormat.N_QUADS), format="nquads")
    queries = {name: header + q.text for name, q in catalogue().items()}
    snapshot = open_view(str(args.store), 10**9).store  # what the endpoint's workers query
    rows = []
    with running_server(args.store, "--workers", "4", "--per-client", "16", "--timeout", "2") as base:
        client = httpx.Client()
        for name, q in queries.items():
            http = timed(lambda: client.post(base + "/sparql", content=q.encode(),
                                             headers={"Content-Type": "application/sparql-query"}).raise_for_status(),
                         args.repeat)
            direct = timed(lambda: list(store.query(q, use_default_graph_as_union=True)), args.repeat)
            snap = timed(lambda: list(snapshot.query(q)), args.repeat)
            rdfl = timed(lambda: list(ds.query(q)), max(3, args.repeat // 5))
            rows.append((name, statistics.median(http), p99(http), statistics.median(direct), p99(direct),
                         statistics.median(snap), statistics.median(rdfl)))
        # throughput: 8 concurrent clients, each running every catalogue query
        def client_run(i):
            with httpx.Client() as c:
                for q in queries.values():
                    c.post(base + "/sparql", content=q.encode(), headers={"Content-Type": "application/sparql-query"})
        t0 = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(client_run, range(8)))
        throughput = 8 * len(queries) / (time.perf_counter() - t0)
        # a slow query from one client and a fast one from another (127.0.0.2)
        slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
        th = threading.Thread(target=lambda: httpx.get(base + "/sparql", params={"query": slow}, timeout=30))
        th.start()
        time.sleep(0.2)
        other = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"))
        fast = timed(lambda: other.get(base + "/sparql", params={"query": "ASK { ?s ?p ?o }"}), 10)
        th.join()
    print(f"{'query':30s} {'http med':>8s} {'http p99':>8s} {'disk med':>8s} {'disk p99':>8s} {'snap med':>8s} "
          f"{'rdflib':>8s} {'x disk':>6s} {'x snap':>6s}")
    disk_ratios, snap_ratios = [], []
    for name, hm, hp, dm, dp, sm, rm in rows:
        disk_ratios.append(rm / dm)
        snap_ratios.append(rm / sm)
        print(f"{name:30s} {hm:8.2f} {hp:8.2f} {dm:8.2f} {dp:8.2f} {sm:8.2f} {rm:8.2f} {rm / dm:6.1f} {rm / sm:6.1f}")

    def geo(xs):
        return math.exp(sum(math.log(x) for x in xs) / len(xs))

    allhttp = statistics.median([r[1] for r in rows])
    print(f"\nmedian of per-query HTTP medians: {allhttp:.2f} ms")
    print(f"speed-up over rdflib in-memory on the same data: on-disk store in union mode {geo(disk_ratios):.1f}x "
          f"(min {min(disk_ratios):.1f}x); the endpoint's in-memory snapshot {geo(snap_ratios):.1f}x "
          f"(min {min(snap_ratios):.1f}x)")
    print(f"throughput with 8 concurrent clients: {throughput:.0f} queries/s")
    print(f"fast query from another client while a slow one runs: median {statistics.median(fast):.1f} ms, "
          f"max {max(fast):.1f} ms")


if __name__ == "__main__":
    main()
