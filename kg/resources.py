"""Where the shipped data lives: ontology, lexicon, bundled corpus and query catalogue.

Works from the checkout and from an installed wheel (``ontology/`` is installed as ``kg.ontology``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def _dir(package: str) -> Path:
    return Path(str(resources.files(package)))


def ontology_dir() -> Path:
    return _dir("kg.ontology")


def lexicon_dir() -> Path:
    return _dir("kg.ontology.lexicon")


def corpus_dir() -> Path:
    return _dir("kg.data") / "corpus"


def queries_dir() -> Path:
    return _dir("kg.queries")
