"""W3C SPARQL 1.1 query-evaluation and syntax tests, through the HTTP endpoint, for the folders the
engine claims. Reports the pass rate per folder (printed and written to the test's tmp dir) and
fails if it falls below the rate measured when this module was written."""

from __future__ import annotations

import itertools

import pyoxigraph as ox
import pytest

from .server_util import running_server
from .w3c_eval import load_cases, load_store, run_case
from .w3c_paths import sparql11_root

ROOT = sparql11_root()
FOLDERS = ["aggregates", "bind", "bindings", "cast", "construct", "csv-tsv-res", "exists", "functions", "grouping",
           "json-res", "negation", "project-expression", "property-path", "subquery", "syntax-query"]
# pass rates measured when this module was written; a fall below them fails the build
# (measured 2026-11-26: 307/335 = 91.6%; the misses are listed in the printed report: xsd casts' lexical
# forms, MIN over mixed types, GROUP_CONCAT order, zero-or-more paths from a set, and FROM <relative file>,
# which this endpoint refuses on purpose because it never fetches graphs it does not hold)
FLOORS = {"overall": 0.9}


@pytest.fixture(scope="module")
def cases():
    assert ROOT.is_dir(), f"W3C suite missing at {ROOT}"
    counter = itertools.count()
    return {f: load_cases(ROOT / f, counter) for f in FOLDERS}


def test_query_evaluation_pass_rate(cases, tmp_path_factory, capsys):
    store_dir = tmp_path_factory.mktemp("w3ceval") / "store"
    store = ox.Store(str(store_dir))
    load_store(store, [c for cs in cases.values() for c in cs])
    store.flush()
    del store
    lines, total, passed, failures = [], 0, 0, []
    with running_server(store_dir, "--timeout", "10", "--max-rows", "100000", "--per-client", "8") as base:
        for folder, cs in cases.items():
            ok = 0
            for c in cs:
                good, why = run_case(base, c)
                ok += good
                if not good:
                    failures.append(f"{c.name}: {why}")
            total += len(cs)
            passed += ok
            lines.append(f"{folder:20s} {ok:4d}/{len(cs):<4d}")
    rate = passed / total
    report = "\n".join(lines + [f"{'overall':20s} {passed:4d}/{total:<4d} ({rate:.1%})", "", "failures:", *failures])
    (tmp_path_factory.getbasetemp() / "w3c_query_eval_report.txt").write_text(report)
    with capsys.disabled():
        print("\n" + report)
    assert total > 300
    assert rate >= FLOORS["overall"], report
