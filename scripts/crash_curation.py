#!/usr/bin/env python
"""Crash test of curation: a child process performs curation writes (adds, batches, reviews, retractions,
verdicts, comments), printing each acknowledged journal entry id, while this parent kills it with SIGKILL
at random moments, over and over. The child writes each journal append in two halves with a short pause
between them (unless --fast-writes), so that some kills tear a write. After every kill:

  * the journal parses (a torn tail is set aside into journal.jsonl.torn, never silently dropped);
  * every acknowledged entry is in the journal and in the store (its curation event is in its graph);
  * the store's curated graphs are exactly the replay of the journal up to the store's recorded head,
    and only unacknowledged entries lie beyond that head;
and every --rebuild-every kills (and at the end) a real `nkkg build` must reproduce exactly the curated
graphs the journal replays to.

    python scripts/crash_curation.py --kills 50            # builds a store in a temporary directory
    python scripts/crash_curation.py --kills 5 --store S   # copies an existing store instead of building

Prints one summary line (kills, acknowledged writes survived, torn tails set aside, rebuilds); exit 1 on
the first violated check.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path


def child(seed: int, slow_writes: bool) -> None:
    from kg.config import Settings
    from kg.curation import Curation, Row
    from kg.errors import InputError
    from kg.model import Category

    rng = random.Random(seed)
    if slow_writes:  # widen the window a kill can tear a write in: write each append in two halves
        from kg.curation.journal import Journal

        whole = Journal._write_bytes

        def halves(self, data: bytes) -> None:
            if len(data) < 64:
                return whole(self, data)
            cut = rng.randrange(1, len(data))
            whole(self, data[:cut])
            time.sleep(0.1)
            whole(self, data[cut:])

        Journal._write_bytes = halves
    cur = Curation(Settings.from_env())
    agents = sorted(e.id for e in cur.resolver.lexicon.by_category(Category.AGENT))
    tumours = sorted(e.id for e in cur.resolver.lexicon.by_category(Category.TUMOUR))
    curators = ["alice", "bob", "carol", "dave"]
    cur.state()
    print("ready", flush=True)
    n = 0
    while True:
        n += 1
        state = cur.state()
        live = [a for a in state.assertions.values() if a.live]
        pending = [a for a in live if a.status == "pending"]
        op = rng.choices(["add", "batch", "review", "retract", "verdict", "comment"], [5, 2, 3, 1, 1, 1])[0]
        who = rng.choice(curators)
        try:
            if op in ("add", "batch"):
                rows = [Row(rng.choice(agents), "nkv:testedIn", rng.choice(tumours), f"PMID:{rng.randint(1, 40_000_000)}",
                            f"crash test {seed}/{n}/{k} \"quoted\" {{braces}}", rng.choice(curators),
                            rng.random() < 0.1) for k in range(1 if op == "add" else rng.randint(2, 6))]
                results = cur.add_rows(rows)
            elif op == "review" and pending:
                a = rng.choice(pending)
                reviewer = rng.choice([c for c in curators if c not in a.authors] or ["zed"])
                results = [cur.review(a.id, rng.random() < 0.7, reviewer)]
            elif op == "retract" and live:
                results = [cur.retract(rng.choice(live).id, f"reason {n}", who)]
            elif op == "verdict" and live:
                a = rng.choice(live)
                results = [cur.verdict(a.subject, a.predicate, a.object, rng.random() < 0.5, "PMID:1", "note", who)]
            elif op == "comment" and live:
                results = [cur.comment(rng.choice(live).id, f"comment {n}\nsecond line", who)]
            else:
                continue
        except InputError:
            continue  # e.g. a self-review drawn at random: refused, nothing written
        for r in results:
            if not r.repeat:
                print(f"ack {r.id}", flush=True)


def run(cmd: list[str], env: dict) -> None:
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(cmd)}: {proc.stderr.strip()}")


def check(work: Path, acked: set[str], exact: bool) -> tuple[int, int]:
    """Verify journal and store after a kill; return (entries, torn tails set aside now)."""
    import pyoxigraph as ox

    from kg.curation import Journal, fold
    from kg.curation.graphs import STAGING_PREFIX, curated_graph_names, event_iri, expected_graphs, graph_name, \
        store_graph, store_head

    journal = Journal(work / "data" / "curation" / "journal.jsonl")
    entries = journal.read()
    torn = len(journal.take_notices())
    ids = [e.id for e in entries]
    missing = acked - set(ids)
    if missing:
        raise SystemExit(f"FAILED: {len(missing)} acknowledged entr(ies) missing from the journal: {sorted(missing)[:5]}")
    st = ox.Store.read_only(str(work / "store"))
    try:
        head = store_head(st)
        upto = ids.index(head) + 1 if head else 0
        if head and head not in ids:
            raise SystemExit(f"FAILED: the store's head {head} is not in the journal")
        beyond = set(ids[upto:]) & acked
        if beyond:
            raise SystemExit(f"FAILED: acknowledged entries not in the store: {sorted(beyond)[:5]}")
        for e in entries[:upto]:
            if e.id in acked and next(st.quads_for_pattern(ox.NamedNode(str(event_iri(e.id))), None, None,
                                                           ox.NamedNode(str(graph_name(e.assertion)))), None) is None:
                raise SystemExit(f"FAILED: acknowledged entry {e.id} is not in the store")
        expected = expected_graphs(fold(entries if exact else entries[:upto]))
        got = {g: store_graph(st, g) for g in curated_graph_names(st)}
        if got != expected:
            diff = sorted(set(got) ^ set(expected)) or sorted(g for g in got if got[g] != expected.get(g))
            raise SystemExit(f"FAILED: curated graphs differ from the journal's replay ({'after rebuild' if exact else 'at head'}): "
                             f"{diff[:3]}")
        if exact and any(g.value.startswith(STAGING_PREFIX) for g in st.named_graphs()):
            raise SystemExit("FAILED: staging graphs survived a rebuild")
    finally:
        del st
    return len(entries), torn


def parent(args) -> None:
    work = Path(args.workdir or tempfile.mkdtemp(prefix="nkkg-crash-"))
    work.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "NKKG_DATA_DIR": str(work / "data"), "NKKG_STORE": str(work / "store")}
    nkkg = [sys.executable, "-m", "kg.cli"]
    build = [*nkkg, "build", "--store", str(work / "store"), "--outputs", str(work / "out")]
    if args.store:
        shutil.copytree(args.store, work / "store")
    else:
        run(build, env)
    rng = random.Random(args.seed)
    acked: set[str] = set()
    torn_total = rebuilds = entries = 0
    started = time.time()
    for kill in range(1, args.kills + 1):
        proc = subprocess.Popen([sys.executable, __file__, "--child", "--seed", str(rng.randrange(1 << 30)),
                                 *([] if args.slow_writes else ["--fast-writes"])], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        lines: list[str] = []
        ready = threading.Event()

        def reader(stream=proc.stdout):
            for line in stream:
                if line.endswith("\n"):  # a line cut by the kill was never fully acknowledged
                    lines.append(line.strip())
                    if line.startswith("ready"):
                        ready.set()

        t = threading.Thread(target=reader, daemon=True)
        t.start()
        if not ready.wait(120):
            proc.kill()
            raise SystemExit(f"FAILED: the child did not start: {proc.stderr.read()[-2000:]}")
        time.sleep(rng.uniform(args.min_delay, args.max_delay))
        if proc.poll() is not None:
            raise SystemExit(f"FAILED: the child died on its own: {proc.stderr.read()[-2000:]}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        t.join(10)
        acked |= {line.split()[1] for line in lines if line.startswith("ack ")}
        entries, torn = check(work, acked, exact=False)
        torn_total += torn
        if args.rebuild_every and kill % args.rebuild_every == 0:
            run(build, env)
            rebuilds += 1
            check(work, acked, exact=True)
        print(f"kill {kill}: {len(acked)} acknowledged, {entries} in the journal, torn tails set aside {torn_total}",
              flush=True)
    run(build, env)
    rebuilds += 1
    entries, _ = check(work, acked, exact=True)
    print(f"OK kills={args.kills} acknowledged={len(acked)} journal_entries={entries} torn_tails_set_aside={torn_total} "
          f"rebuilds={rebuilds} seconds={time.time() - started:.0f} workdir={work}")
    if not args.workdir and not args.keep:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kills", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", help="Work here (kept) instead of a temporary directory.")
    ap.add_argument("--store", help="Copy this store instead of running `nkkg build` first.")
    ap.add_argument("--rebuild-every", type=int, default=10, help="Run a real `nkkg build` every K kills (0: only at the end).")
    ap.add_argument("--min-delay", type=float, default=0.05)
    ap.add_argument("--max-delay", type=float, default=2.0)
    ap.add_argument("--keep", action="store_true", help="Keep the temporary directory.")
    ap.add_argument("--fast-writes", dest="slow_writes", action="store_false",
                    help="Do not split the child's journal writes in two (fewer torn tails to recover from).")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.seed, args.slow_writes)
    else:
        parent(args)


if __name__ == "__main__":
    main()
