"""Measure each relation rule's precision on the development set and write the confidence table.

    python scripts/measure_rules.py [--annotations FILE] [--texts DIR] [--split tune] [--gold-dev] [--write]

Runs the extractor with no confidence table on the real-abstract set's tuning part (texts from the local
cache; see tests/data/realdev/README.md), plus, with ``--gold-dev``, the passages of
tests/data/gold_dev.jsonl. A predicted relation is correct when a gold relation of the same polarity
states it (the scorer's matching). Per rule: predictions, correct ones and the smoothed precision
(correct + 1) / (n + 2); rules with at least 3 predictions go to ontology/lexicon/rule_confidence.tsv
with ``--write``. The held-back part is never used.
"""

from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.build import extractor_for  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.model import Document, Section  # noqa: E402
from kg.nlp.evaluate import Resolver, load_gold, relation_correct  # noqa: E402
from kg.nlp.realdev import default_texts_dir, load_annotations, with_texts  # noqa: E402

MIN_PREDICTIONS = 3


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--annotations", type=Path, default=ROOT / "tests/data/realdev/annotations.jsonl")
    ap.add_argument("--texts", type=Path, default=None)
    ap.add_argument("--split", default="tune", choices=["tune"])
    ap.add_argument("--gold-dev", action="store_true", help="also count the written passages of gold_dev.jsonl")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args(argv)
    records = with_texts(load_annotations(args.annotations), args.texts or default_texts_dir(), args.split)
    if args.gold_dev:
        records += load_gold(ROOT / "tests/data/gold_dev.jsonl")
    ex = extractor_for(Settings.from_env())
    ex.rule_confidence = {}  # measure the rules themselves, not the table
    resolver = Resolver(ex.lexicon)
    n, ok = collections.Counter(), collections.Counter()
    for rec in records:
        pred = ex.extract(Document(rec["id"], "", (Section("text", rec["text"], 0),))).to_json()
        for rel, good in zip(pred["relations"], relation_correct(rec, pred, ex.lexicon, resolver)):
            n[rel["rule"]] += 1
            ok[rel["rule"]] += good
    rows = sorted(n, key=lambda r: (-n[r], r))
    print(f"{'rule':40s} {'n':>5s} {'correct':>8s} {'precision':>10s}")
    for r in rows:
        print(f"{r:40s} {n[r]:5d} {ok[r]:8d} {ok[r] / n[r]:10.2f}")
    total_n, total_ok = sum(n.values()), sum(ok.values())
    print(f"{'all':40s} {total_n:5d} {total_ok:8d} {total_ok / max(total_n, 1):10.2f}  over {len(records)} documents")
    if args.write:
        out = ROOT / "ontology/lexicon/rule_confidence.tsv"
        lines = ["rule\tpredictions\tcorrect\tconfidence\tmeasured_on"]
        source = f"realdev:{args.split}" + ("+gold_dev" if args.gold_dev else "")
        for r in sorted(n):
            if n[r] >= MIN_PREDICTIONS:
                lines.append(f"{r}\t{n[r]}\t{ok[r]}\t{(ok[r] + 1) / (n[r] + 2):.2f}\t{source}")
        out.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"wrote {len(lines) - 1} rules to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
