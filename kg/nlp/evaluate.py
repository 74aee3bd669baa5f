"""Document-level scoring of extractions against a gold set, the way BioRED scores relations.

For each document: the set of (category, entity) and the set of (subject, predicate, object). A
gold entity matches a prediction by lexicon id, preferred label or any synonym (gold ``norm`` or
``text`` is resolved through the lexicon; unresolvable names are compared case-folded). combinedWith
is symmetric. Negated and hedged gold relations are scored apart from positive ones. Outcome
figures are scored as (measure, value, unit) matches.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError
from .lexicon import Lexicon

CATEGORIES = ["platform", "agent", "receptor", "tumour", "tme_barrier", "combination_partner", "trial"]
SYMMETRIC = {"nkv:combinedWith"}


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, gold: set, pred: set) -> None:
        self.tp += len(gold & pred)
        self.fp += len(pred - gold)
        self.fn += len(gold - pred)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def as_dict(self) -> dict:
        return {"tp": self.tp, "fp": self.fp, "fn": self.fn, "precision": round(self.precision, 4),
                "recall": round(self.recall, 4), "f1": round(self.f1, 4)}


@dataclass
class Scores:
    entities: dict[str, Counts] = field(default_factory=lambda: {c: Counts() for c in CATEGORIES})
    relations: dict[str, Counts] = field(default_factory=dict)
    negated: Counts = field(default_factory=Counts)
    hedged: Counts = field(default_factory=Counts)
    outcomes: Counts = field(default_factory=Counts)
    documents: int = 0

    @staticmethod
    def _micro(group: dict[str, Counts]) -> Counts:
        total = Counts()
        for c in group.values():
            total.tp, total.fp, total.fn = total.tp + c.tp, total.fp + c.fp, total.fn + c.fn
        return total

    @staticmethod
    def _macro(group: dict[str, Counts]) -> float:
        used = [c for c in group.values() if c.tp + c.fn > 0]
        return sum(c.f1 for c in used) / len(used) if used else 0.0

    def as_dict(self) -> dict:
        return {
            "documents": self.documents,
            "entities": {k: v.as_dict() for k, v in self.entities.items()},
            "entities_micro": self._micro(self.entities).as_dict(),
            "entities_macro_f1": round(self._macro(self.entities), 4),
            "relations": {k: v.as_dict() for k, v in sorted(self.relations.items())},
            "relations_micro": self._micro(self.relations).as_dict(),
            "relations_macro_f1": round(self._macro(self.relations), 4),
            "negated_relations": self.negated.as_dict(),
            "hedged_relations": self.hedged.as_dict(),
            "outcomes": self.outcomes.as_dict(),
            "outcome_value_accuracy": round(self.outcomes.recall, 4),
        }


class Resolver:
    """Names -> comparable keys (lexicon ids when the lexicon knows the name)."""

    def __init__(self, lexicon: Lexicon):
        self.index: dict[str, str] = {}
        for e in lexicon.entities.values():
            for n in e.names:
                self.index.setdefault(n.casefold(), e.id)

    def key(self, *names: str | None) -> str:
        for n in names:
            if not n:
                continue
            n = n.strip()
            if n.upper().startswith("NCT") and n[3:].isdigit():
                return f"clinicaltrials:{n.upper()}"
            if n.casefold() in self.index:
                return self.index[n.casefold()]
            if n.rstrip("s").casefold() in self.index:
                return self.index[n.rstrip("s").casefold()]
        return next((n.strip().casefold() for n in names if n), "")


def _triple(p: str, s: str, o: str) -> tuple:
    return (p, *sorted((s, o))) if p in SYMMETRIC else (p, s, o)


def load_gold(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: malformed JSON: {exc.msg}") from exc
        if not isinstance(obj, dict) or "id" not in obj or "text" not in obj:
            raise InputError(f"{path}:{n}: a gold record needs 'id' and 'text'")
        out.append(obj)
    return out


def _gold_sets(g: dict, r: Resolver):
    names = {}
    ents = set()
    for cat, items in (g.get("entities") or {}).items():
        for it in items:
            k = r.key(it.get("norm"), it.get("text"))
            names[it.get("text", "").casefold()] = k
            ents.add((cat, k))

    def rel_set(key):
        out = set()
        for s, p, o in g.get(key) or []:
            out.add(_triple(p, names.get(s.casefold()) or r.key(s), names.get(o.casefold()) or r.key(o)))
        return out

    outs = {(o["measure"], round(float(o["value"]), 1), o.get("unit")) for o in g.get("outcomes") or []}
    return ents, rel_set("relations"), rel_set("negated_relations"), rel_set("hedged_relations"), outs


def score(gold: list[dict], predictions: dict[str, dict], lexicon: Lexicon) -> Scores:
    r = Resolver(lexicon)
    sc = Scores()
    for g in gold:
        pred = predictions.get(g["id"], {})
        ents, rels, neg, hedged, outs = _gold_sets(g, r)
        p_ents = {(m["category"], m["id"]) for m in pred.get("mentions", []) if not m["id"].startswith("nkkg.cand")}
        for cat in CATEGORIES:
            sc.entities[cat].add({e for e in ents if e[0] == cat}, {e for e in p_ents if e[0] == cat})
        p_rels = {_triple(x["predicate"], x["subject"], x["object"]) for x in pred.get("relations", [])
                  if not x["negated"] and not x["hedged"]}
        for pred_name in {t[0] for t in rels | p_rels}:
            sc.relations.setdefault(pred_name, Counts()).add({t for t in rels if t[0] == pred_name},
                                                             {t for t in p_rels if t[0] == pred_name})
        sc.negated.add(neg, {_triple(x["predicate"], x["subject"], x["object"]) for x in pred.get("relations", [])
                             if x["negated"]})
        sc.hedged.add(hedged, {_triple(x["predicate"], x["subject"], x["object"]) for x in pred.get("relations", [])
                               if x["hedged"] and not x["negated"]})
        sc.outcomes.add(outs, {(o["measure"], round(float(o["value"]), 1), o["unit"]) for o in pred.get("outcomes", [])})
        sc.documents += 1
    return sc


def format_table(d: dict) -> str:
    rows = [f"{'':28s} {'P':>6s} {'R':>6s} {'F1':>6s} {'TP':>5s} {'FP':>5s} {'FN':>5s}"]

    def line(name, c):
        rows.append(f"{name:28s} {c['precision']:6.3f} {c['recall']:6.3f} {c['f1']:6.3f} {c['tp']:5d} {c['fp']:5d} {c['fn']:5d}")

    rows.append("entities")
    for k, c in d["entities"].items():
        line("  " + k, c)
    line("  micro", d["entities_micro"])
    rows.append(f"  {'macro F1':26s} {'':13s} {d['entities_macro_f1']:6.3f}")
    rows.append("relations")
    for k, c in d["relations"].items():
        line("  " + k, c)
    line("  micro", d["relations_micro"])
    rows.append(f"  {'macro F1':26s} {'':13s} {d['relations_macro_f1']:6.3f}")
    line("negated relations", d["negated_relations"])
    line("hedged relations", d["hedged_relations"])
    line("outcomes", d["outcomes"])
    rows.append(f"outcome-value accuracy {d['outcome_value_accuracy']:.3f} over {d['documents']} documents")
    return "\n".join(rows)
