"""Write a deterministic synthetic corpus of abstract-like texts for benchmarks.

    python scripts/synth_corpus.py -n 10000 -o outputs/synth.jsonl [--seed 7]

Each abstract (about 220 words, 9-11 sentences) mixes lexicon names (agents, receptors, tumours,
partners, barriers) with the phrasing of real abstracts: definitions in brackets, trial ids, phases,
outcome figures, negation and hedging, and filler methods sentences. The texts are generated for
speed measurement only; they state nothing true and are never bundled into the graph.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kg.model import Category  # noqa: E402
from kg.nlp.lexicon import load_lexicon  # noqa: E402

TEMPLATES = [
    "{agent}, a {platform}, was combined with {partner} in patients with {tumour}.",
    "In this phase {phase} study ({nct}), {n} patients with {tumour} received {agent} plus {partner}.",
    "The objective response rate was {pct}% ({k}/{n}) and the disease control rate was {pct2}%.",
    "Median progression-free survival was {m1} months (95% CI {lo}-{hi}) versus {m2} months with {partner} alone.",
    "{agent} binds {receptor} on NK cells and may overcome {barrier} in the tumour microenvironment.",
    "Grade 3 or higher treatment-related adverse events occurred in {pct3}% of patients.",
    "{barrier} suppressed NK-cell cytotoxicity, which limited the activity of {agent} in {tumour} models.",
    "{agent} did not improve overall survival compared with {partner} in {tumour}.",
    "These findings suggest that {receptor} blockade could enhance responses to {partner}.",
    "Natural killer group 2D (NKG2D) ligands such as {receptor} were measured by flow cytometry.",
    "Blood samples were collected at baseline and on day {d} for immune monitoring and cytokine profiling.",
    "Patients were enrolled between {y1} and {y2} at {c} centres and followed for a median of {m1} months.",
    "Peripheral NK-cell counts rose {f}-fold after the second cycle, and CD8 T cells expanded as well.",
    "The maximum tolerated dose was not reached and no dose-limiting toxicities were reported.",
]


def names(lex, cat):
    return [n for e in lex.by_category(cat) for n in e.names[:3]]


def abstract(rng: random.Random, pools: dict) -> str:
    pick = {k: (lambda v=v: rng.choice(v)) for k, v in pools.items()}
    sentences = []
    for _ in range(rng.randint(9, 11)):
        t = rng.choice(TEMPLATES)
        n = rng.randint(12, 120)
        sentences.append(t.format(
            agent=pick["agent"](), platform=pick["platform"](), partner=pick["partner"](), tumour=pick["tumour"](),
            receptor=pick["receptor"](), barrier=pick["barrier"](), phase=rng.choice(["1", "1b", "2", "II", "1/2"]),
            nct=f"NCT0{rng.randint(1000000, 6999999)}", n=n, k=rng.randint(1, n), pct=round(rng.uniform(5, 60), 1),
            pct2=rng.randint(30, 95), pct3=rng.randint(3, 40), m1=round(rng.uniform(2, 20), 1),
            m2=round(rng.uniform(2, 20), 1), lo=round(rng.uniform(1, 5), 1), hi=round(rng.uniform(6, 25), 1),
            d=rng.randint(8, 60), y1=rng.randint(2012, 2018), y2=rng.randint(2019, 2024), c=rng.randint(2, 40),
            f=round(rng.uniform(1.5, 10), 1)))
    return " ".join(sentences)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", type=int, default=10000)
    ap.add_argument("-o", "--output", type=Path, default=Path("outputs/synth.jsonl"))
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args(argv)
    lex = load_lexicon()
    pools = {"agent": names(lex, Category.AGENT), "platform": names(lex, Category.PLATFORM),
             "partner": names(lex, Category.COMBINATION_PARTNER), "tumour": names(lex, Category.TUMOUR),
             "receptor": names(lex, Category.RECEPTOR), "barrier": names(lex, Category.TME_BARRIER)}
    rng = random.Random(args.seed)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with args.output.open("w", encoding="utf-8") as fh:
        for i in range(args.n):
            fh.write(json.dumps({"id": f"nkkg.doc:synth-{i}", "title": f"Synthetic abstract {i}",
                                 "text": abstract(rng, pools)}) + "\n")
    print(f"wrote {args.n} synthetic abstracts to {args.output}")


if __name__ == "__main__":
    main()
