"""Benchmark the overview page: layout (Python) and render (pyvis page generation) times for synthetic
typed graphs of 500, 2,000 and 10,000 nodes, and optionally the time headless Chromium takes to draw
them (``--browser``).

    python scripts/bench_viz.py [--sizes 500 2000 10000] [--browser] [--out DIR]

``synthetic_graph(n, seed)`` builds a graph shaped like the projection (``kg.graph.nx``): agents with
platforms, targets, tumours and trials, trials with conditions, partners combined with agents; about
two edges per node. Layout times are measured with the cache off; ``--max-nodes`` is raised so the
whole graph is drawn.

``chromium()`` and ``draw_ms()`` are the headless-Chromium helpers the browser tests use too.
"""

from __future__ import annotations

import argparse
import random
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import networkx as nx

SHARES = [("Agent", 0.25), ("ClinicalTrial", 0.25), ("Receptor", 0.15), ("Tumour", 0.15),
          ("CombinationPartner", 0.1), ("TMEBarrier", 0.05), ("Platform", 0.05)]
LINKS = [("Agent", "nkv:usesPlatform", "Platform", 1), ("Agent", "nkv:targets", "Receptor", 2),
         ("Agent", "nkv:testedIn", "Tumour", 2), ("Agent", "nkv:evaluatedIn", "ClinicalTrial", 2),
         ("ClinicalTrial", "nkv:condition", "Tumour", 1), ("CombinationPartner", "nkv:combinedWith", "Agent", 2),
         ("Agent", "nkv:counters", "TMEBarrier", 1)]


def synthetic_graph(n: int, seed: int = 0) -> nx.MultiDiGraph:
    """A typed MultiDiGraph of ``n`` nodes with the projection's node and edge attributes; targets are
    picked with a skew (a few hubs), as in the real graph."""
    rng = random.Random(seed)
    g = nx.MultiDiGraph()
    by_class: dict[str, list[str]] = {}
    for cls, share in SHARES:
        for i in range(max(1, int(n * share))):
            node = f"nkkg:{cls.lower()}-{i}"
            g.add_node(node, label=f"{cls} {i}", cls=cls, classes=[cls], xrefs=[], synonyms=[])
            by_class.setdefault(cls, []).append(node)
    for subj_cls, pred, obj_cls, k in LINKS:
        objs = by_class[obj_cls]
        for s in by_class[subj_cls]:
            for _ in range(rng.randint(1, k)):
                o = objs[min(len(objs) - 1, int(rng.paretovariate(1.2)) - 1 + rng.randrange(len(objs)) // 4)]
                sid = f"{abs(hash((s, pred, o))) % 10**16:016d}"
                g.add_edge(s, o, key=sid, predicate=pred, statement=sid, evidence=rng.randint(1, 5),
                           confidence=round(rng.uniform(0.5, 0.95), 2), negated=rng.random() < 0.03,
                           sources=[f"https://pubmed.ncbi.nlm.nih.gov/{rng.randint(10**7, 4 * 10**7)}"],
                           first_year=rng.randint(2005, 2025))
    return g


def measure(n: int, out: Path) -> dict:
    from kg import viz

    g = synthetic_graph(n)
    cache = Path(tempfile.mkdtemp(prefix="layout-", dir=out))
    t0 = time.perf_counter()
    viz.layout(g, cache)
    t1 = time.perf_counter()  # the page reuses the cached layout, so page_s is generation alone
    viz.render(g, out / f"synthetic-{n}.html", max_nodes=n + 1, cache_dir=cache)
    t2 = time.perf_counter()
    return {"nodes": g.number_of_nodes(), "edges": g.number_of_edges(), "layout_s": t1 - t0,
            "page_s": t2 - t1, "path": out / f"synthetic-{n}.html"}


CHROMIUM_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update", "--no-first-run",
                  "--window-size=1400,1000"]


@contextmanager
def chromium():
    """A headless Chromium WebDriver with a throw-away profile; RuntimeError when it is not installed."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    binary = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (Path(binary).is_file() and Path(driver_path).is_file()):
        raise RuntimeError("headless Chromium not found: install the chromium and chromium-driver packages")
    with tempfile.TemporaryDirectory(prefix="nkkg-chromium-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = binary
        for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
            opts.add_argument(flag)
        driver = webdriver.Chrome(service=Service(driver_path), options=opts)
        try:
            yield driver
        finally:
            driver.quit()


def draw_ms(driver, path: Path, timeout: float = 30.0) -> tuple[float, int]:
    """Open a page and wait for its network's first completed draw; return (milliseconds from
    navigation start, number of nodes in the vis.js DataSet)."""
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(Path(path).resolve().as_uri())
    ms = WebDriverWait(driver, timeout).until(lambda d: d.execute_script("return window.nkkgDrawnMs || null"))
    return float(ms), int(driver.execute_script("return network.body.data.nodes.length"))


def browser_ms(paths: list[Path]) -> list[float]:
    with chromium() as driver:
        return [draw_ms(driver, p)[0] for p in paths]


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000])
    ap.add_argument("--browser", action="store_true", help="also time the first draw in headless Chromium")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args(argv)
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-viz-"))
    out.mkdir(parents=True, exist_ok=True)
    rows = [measure(n, out) for n in args.sizes]
    drawn = browser_ms([r["path"] for r in rows]) if args.browser else [None] * len(rows)
    print(f"{'nodes':>7} {'edges':>7} {'layout s':>9} {'page s':>7} {'browser draw ms':>16}")
    for r, ms in zip(rows, drawn):
        shown = f"{ms:16.0f}" if ms is not None else f"{'-':>16}"
        print(f"{r['nodes']:7d} {r['edges']:7d} {r['layout_s']:9.2f} {r['page_s']:7.2f} {shown}")


if __name__ == "__main__":
    main()
