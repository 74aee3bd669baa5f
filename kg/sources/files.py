"""Local input files for ``nkkg extract``: JSON Lines, plain text and PubMed XML (gzip too).

Malformed records are reported into ``errors`` (with file and position) and skipped.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import CorpusError
from ..model import Document
from .corpus import load_documents, load_text


def read_documents(paths: list[Path], errors: list[str]) -> list[Document]:
    docs: list[Document] = []
    for path in paths:
        name = path.name.lower()
        try:
            if name.endswith(".jsonl"):
                docs.extend(load_documents(path, errors))
            elif name.endswith((".xml", ".xml.gz")):
                from .pubmed import parse_pubmed_file

                docs.extend(parse_pubmed_file(path, errors))
            elif name.endswith(".txt"):
                docs.append(load_text(path))
            else:
                errors.append(f"{path}: unknown input type (expected .jsonl, .txt, .xml or .xml.gz)")
        except CorpusError as exc:
            errors.append(str(exc))
    return docs
