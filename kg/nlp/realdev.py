"""The real-abstract development set: annotations in the repository, texts in a local cache.

Annotations (``tests/data/realdev/annotations.jsonl``) carry each text's id, source URL, length and
SHA-256 but never the text; ``text_for`` reads the cached text (``<dir>/<id with : and / as _>.txt``)
and refuses one whose length or hash differs. ``split_of`` puts about a third of the documents in a
held-back part by a hash of the id, so the split never depends on file order.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from ..errors import InputError

CATEGORIES = ("platform", "agent", "receptor", "tumour", "tme_barrier", "combination_partner", "trial")
PREDICATES = frozenset({"nkv:usesPlatform", "nkv:targets", "nkv:testedIn", "nkv:combinedWith", "nkv:counters",
                        "nkv:limitedBy", "nkv:evaluatedIn"})
MEASURES = frozenset({"ORR", "DCR", "CR", "PR", "SD", "PD", "CBR", "PFS", "OS", "DFS", "RFS", "EFS", "TTP", "DoR",
                      "HR", "AE_G3PLUS", "AE_G4PLUS", "AE_ANY", "AE", "DLT", "FOLLOWUP", "PURITY", "VIABILITY",
                      "EXPANSION", "EXPRESSION"})
UNITS = frozenset({"%", "months", "weeks", "days", "years", "ratio", "patients", "fold"})


def default_texts_dir() -> Path:
    """``$NKKG_REALDEV_TEXTS``, else ``<NKKG_DATA_DIR or the per-user data dir>/realdev/texts``."""
    if os.environ.get("NKKG_REALDEV_TEXTS"):
        return Path(os.environ["NKKG_REALDEV_TEXTS"])
    from ..config import Settings

    return Settings.from_env().data_dir / "realdev" / "texts"


def text_file(doc_id: str, texts_dir: Path) -> Path:
    return Path(texts_dir) / (doc_id.replace(":", "_").replace("/", "_") + ".txt")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_of(doc_id: str) -> str:
    return "heldout" if int(sha256(doc_id), 16) % 3 == 0 else "tune"


def load_annotations(path: Path) -> list[dict]:
    """The annotation records (the gold reader: one JSON object with an ``id`` a line)."""
    from .evaluate import load_gold

    records = load_gold(path)
    for n, rec in enumerate(records, start=1):
        if not isinstance(rec["id"], str):
            raise InputError(f"{path}: record {n}: 'id' must be a string")
    return records


def text_for(rec: dict, texts_dir: Path) -> str:
    """The cached text of an annotation, checked against its recorded length and SHA-256."""
    path = text_file(rec["id"], texts_dir)
    if not path.exists():
        raise InputError(f"{rec['id']}: no cached text at {path} (fetch it from {rec.get('source_url')})")
    text = path.read_text(encoding="utf-8")
    if rec.get("sha256") and sha256(text) != rec["sha256"]:
        raise InputError(f"{rec['id']}: cached text {path} does not match the recorded SHA-256")
    if rec.get("length") is not None and len(text) != rec["length"]:
        raise InputError(f"{rec['id']}: cached text {path} has {len(text)} characters, not {rec['length']}")
    return text


def with_texts(records: list[dict], texts_dir: Path, split: str = "all") -> list[dict]:
    """Gold records with their ``text`` filled in from the cache, restricted to one split."""
    out = []
    for rec in records:
        if split != "all" and split_of(rec["id"]) != split:
            continue
        out.append({**rec, "text": text_for(rec, texts_dir)})
    return out
