"""Maintain the real-abstract development set (tests/data/realdev/).

    python scripts/realdev.py check [--annotations FILE] [--texts DIR] [--exclude FILE]
    python scripts/realdev.py stats [--annotations FILE]

``check`` validates every annotation against its cached text (length, SHA-256, substrings, relation
arguments, measures and units) and against the EXCLUDE list (PMIDs, PMCIDs, DOIs); exit 1 on any
problem. ``stats`` prints counts per split, kind, category, predicate and measure. The texts are
never in the repository: see tests/data/realdev/README.md.
"""

from __future__ import annotations

import argparse
import collections
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.errors import InputError  # noqa: E402
from kg.nlp.realdev import (  # noqa: E402
    CATEGORIES, MEASURES, PREDICATES, UNITS, default_texts_dir, load_annotations, split_of, text_for,
)

KINDS = {"clinical", "case_report", "preclinical", "review", "trial_design"}


def _excluded(path: Path) -> set[str]:
    keys = set()
    if not path.exists():
        return keys
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for tok in re.findall(r"PMID:\s*(\d+)|(PMC\d+)|doi:(\S+)", line):
            pmid, pmc, doi = tok
            if pmid:
                keys.add(f"pmid:{pmid}")
            if pmc:
                keys.add(f"pmc:{pmc.upper()}")
            if doi:
                keys.add(f"doi:{doi.lower()}")
    return keys


def check_record(rec: dict, text: str | None, excluded: set[str]) -> list[str]:
    errs: list[str] = []
    for key in ("id", "source_url", "length", "sha256", "entities", "relations", "outcomes", "kind"):
        if key not in rec:
            errs.append(f"missing '{key}'")
    if errs:
        return errs
    if rec["kind"] not in KINDS:
        errs.append(f"kind {rec['kind']!r} not in {sorted(KINDS)}")
    ids = {f"pmid:{rec.get('pmid')}" if rec.get("pmid") else "", f"pmc:{str(rec.get('pmcid') or '').upper()}",
           f"doi:{str(rec.get('doi') or '').lower()}"}
    if ids & excluded:
        errs.append(f"in EXCLUDE.txt: {sorted(ids & excluded)}")
    if text is None:
        return errs + ["text missing from the cache"]
    names = set()
    for cat in CATEGORIES:
        for it in rec["entities"].get(cat, []):
            for form in [it.get("text", "")] + list(it.get("mentions") or []):
                if not form or form not in text:
                    errs.append(f"{cat} form {form!r} not in the text")
            names.add(it.get("text", ""))
            if not it.get("norm"):
                errs.append(f"{cat} {it.get('text')!r} has no norm")
    for extra in set(rec["entities"]) - set(CATEGORIES):
        errs.append(f"unknown category {extra!r}")
    for key in ("relations", "negated_relations", "hedged_relations"):
        for r in rec.get(key) or []:
            if len(r) != 3 or r[1] not in PREDICATES:
                errs.append(f"{key}: bad triple {r!r}")
            elif r[0] not in names or r[2] not in names:
                errs.append(f"{key}: {r!r} uses a name that is not an entity text")
    for o in rec["outcomes"]:
        if o.get("measure") not in MEASURES:
            errs.append(f"outcome measure {o.get('measure')!r} not allowed")
        if o.get("unit") not in UNITS:
            errs.append(f"outcome unit {o.get('unit')!r} not allowed")
        if not isinstance(o.get("value"), (int, float)):
            errs.append(f"outcome value {o.get('value')!r} is not a number")
    return errs


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["check", "stats"])
    ap.add_argument("--annotations", type=Path, default=ROOT / "tests/data/realdev/annotations.jsonl")
    ap.add_argument("--texts", type=Path, default=None)
    ap.add_argument("--exclude", type=Path, default=ROOT.parent / "shared/devset/EXCLUDE.txt")
    args = ap.parse_args(argv)
    records = load_annotations(args.annotations)
    texts = args.texts or default_texts_dir()
    if args.command == "check":
        excluded = _excluded(args.exclude)
        bad = 0
        seen = set()
        for rec in records:
            if rec.get("id") in seen:
                print(f"{rec.get('id')}: duplicate id")
                bad += 1
            seen.add(rec.get("id"))
            try:
                text = text_for(rec, texts)
            except InputError as exc:  # report every record (the EXCLUDE check needs no text), then exit 1
                print(f"{rec.get('id')}: {exc}")
                bad += 1
                text = None
            for e in check_record(rec, text, excluded):
                if text is None and e == "text missing from the cache":
                    continue
                print(f"{rec.get('id')}: {e}")
                bad += 1
        print(f"{len(records)} records, {bad} problems")
        return 1 if bad else 0
    c = collections.Counter()
    for rec in records:
        c["split:" + split_of(rec["id"])] += 1
        c["kind:" + rec.get("kind", "?")] += 1
        for cat in CATEGORIES:
            c["entity:" + cat] += len(rec["entities"].get(cat, []))
        for r in rec.get("relations", []):
            c["relation:" + r[1]] += 1
        c["negated"] += len(rec.get("negated_relations") or [])
        c["hedged"] += len(rec.get("hedged_relations") or [])
        for o in rec.get("outcomes", []):
            c["outcome:" + o["measure"]] += 1
    print(f"{len(records)} records")
    for k, v in sorted(c.items()):
        print(f"  {k:30s} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
