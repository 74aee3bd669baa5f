"""Where the W3C SPARQL 1.1 test suites are: ``$NKKG_W3C_TESTS``, else ``shared/w3c-rdf-tests`` beside
the repository (as on developer machines and in CI). Missing suites are an error, never a skip."""

from __future__ import annotations

import os
from pathlib import Path


def sparql11_root() -> Path:
    candidates = [Path(os.environ["NKKG_W3C_TESTS"])] if os.environ.get("NKKG_W3C_TESTS") else []
    here = Path(__file__).resolve()
    candidates += [p / "shared" / "w3c-rdf-tests" for p in here.parents]
    for c in candidates:
        root = c / "sparql" / "sparql11"
        if root.is_dir():
            return root
    raise RuntimeError("W3C test suites not found: set NKKG_W3C_TESTS or put shared/w3c-rdf-tests beside the repo")
