"""Shared fixtures: one real `nkkg build` of the bundled data into a temporary directory."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session", autouse=True)
def isolated_data_dir(tmp_path_factory):
    """No test reads or writes the user's real data directory (ingest state, curation journal)."""
    import os

    path = tmp_path_factory.mktemp("nkkg-data")
    old = os.environ.get("NKKG_DATA_DIR")
    os.environ["NKKG_DATA_DIR"] = str(path)
    yield path
    if old is None:
        os.environ.pop("NKKG_DATA_DIR", None)
    else:
        os.environ["NKKG_DATA_DIR"] = old


@pytest.fixture(scope="session")
def built(tmp_path_factory, isolated_data_dir) -> Path:
    """Run the real CLI build once; return the outputs directory (store in outputs/store)."""
    out = tmp_path_factory.mktemp("build")
    result = CliRunner().invoke(main, ["build", "--store", str(out / "store"), "--outputs", str(out)])
    assert result.exit_code == 0, result.output
    return out


@pytest.fixture(scope="session")
def store(built) -> ox.Store:
    return ox.Store.read_only(str(built / "store"))


def ask(store: ox.Store, query: str) -> bool:
    from kg.query import run

    return bool(run(store, "ASK { " + query + " }"))


def select(store: ox.Store, query: str) -> list[dict]:
    from kg.query import json_rows, run

    return json_rows(run(store, query))
