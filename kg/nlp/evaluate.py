"""Document-level scoring of extractions against a gold set, the way BioRED scores relations.

For each document: the set of (category, entity) and the set of (subject, predicate, object). A
gold entity matches a prediction by lexicon id, preferred label or any synonym (gold ``norm`` or
``text`` is resolved through the lexicon; unresolvable names are compared case-folded). combinedWith
is symmetric. Negated and hedged gold relations are scored apart from positive ones. Outcome
figures are scored as (measure, value, unit) matches.
"""

from __future__ import annotations

import json
import re
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
    errors: dict[str, list] = field(default_factory=dict)

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


_NON_ALNUM = re.compile(r"[^0-9a-z]+")


_GENERIC_HEAD = re.compile(r"(?:cell|therapy|therapie|immunotherapy|immunotherapie|treatment|infusion|product)$")


def name_keys(name: str) -> set[str]:
    """The name key, and the key without a generic head noun ("CIK cells" = "CIK", "X therapy" = "X")."""
    k = name_key(name)
    bare = _GENERIC_HEAD.sub("", k)
    return {k, bare} if len(bare) >= 3 else {k}


def name_key(name: str) -> str:
    """A spelling-tolerant key for a name that is not in the lexicon: case, spaces, hyphens, a plural
    "s" and tumour/tumor do not matter ("Expanded NK-cells" = "expanded NK cell")."""
    k = name.casefold().replace("tumour", "tumor").replace("natural killer", "nk")
    k = _NON_ALNUM.sub("", k)
    return k[:-1] if k.endswith("s") and len(k) > 3 else k


class Resolver:
    """Names -> comparable keys (lexicon ids when the lexicon knows the name)."""

    def __init__(self, lexicon: Lexicon):
        self.index: dict[str, str] = {}
        for e in lexicon.entities.values():
            for n in e.names:
                self.index.setdefault(n.casefold(), e.id)

    def lexicon_id(self, name: str | None) -> str | None:
        if not name:
            return None
        n = name.strip()
        if n.upper().startswith("NCT") and n[3:].isdigit():
            return f"clinicaltrials:{n.upper()}"
        return self.index.get(n.casefold()) or self.index.get(n.rstrip("s").casefold())

    def key(self, *names: str | None) -> str:
        for n in names:
            found = self.lexicon_id(n)
            if found:
                return found
        return next((n.strip().casefold() for n in names if n), "")

    def gold_keys(self, item: dict) -> frozenset[str]:
        """A gold entity's keys: its lexicon id when its norm or text resolves, else its name keys."""
        names = [item.get("norm"), item.get("text"), *(item.get("mentions") or [])]
        for n in names[:2]:
            found = self.lexicon_id(n)
            if found:
                return frozenset({found})
        return frozenset(k for n in names if n for k in name_keys(n))


def _match(gold: list[tuple], pred: list[tuple], misses: list | None = None) -> tuple[int, int, int]:
    """One-to-one matching of (label, keys...) tuples: equal labels, overlapping key sets. With
    ``misses``, unmatched gold ("FN", tuple) and predicted ("FP", tuple) items are appended to it."""
    used = [False] * len(pred)
    tp = 0
    matched_gold = []
    for g in gold:
        for i, p in enumerate(pred):
            if used[i] or p[0] != g[0]:
                continue
            fits = all(gk & pk for gk, pk in zip(g[1:], p[1:]))
            if not fits and g[0] in SYMMETRIC and len(g) == 3:
                fits = bool(g[1] & p[2] and g[2] & p[1])
            if fits:
                used[i] = True
                tp += 1
                matched_gold.append(g)
                break
    if misses is not None:
        misses += [("FN", g) for g in gold if not any(g is m for m in matched_gold)]
        misses += [("FP", p) for i, p in enumerate(pred) if not used[i]]
    return tp, len(pred) - tp, len(gold) - tp


def load_gold(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{n}: malformed JSON: {exc.msg}") from exc
        if not isinstance(obj, dict) or "id" not in obj:
            raise InputError(f"{path}:{n}: a gold record needs an 'id'")
        out.append(obj)
    return out


def _gold_entities(g: dict, r: Resolver) -> tuple[list[tuple], dict[str, frozenset]]:
    ents, by_text = [], {}
    for cat, items in (g.get("entities") or {}).items():
        for it in items:
            keys = r.gold_keys(it)
            ents.append((cat, keys))
            for form in [it.get("text"), *(it.get("mentions") or [])]:
                if form:
                    by_text.setdefault(form.casefold(), keys)
    return ents, by_text


def _pred_entities(pred: dict, r: Resolver) -> tuple[list[tuple], dict[str, frozenset]]:
    """Predicted entities grouped by id; keys: the id plus name keys of the label and every surface form
    (a minted, unverified id can only match a gold entity by its names)."""
    keys: dict[str, set] = {}
    cats: dict[str, str] = {}
    for m in pred.get("mentions", []):
        if m["id"].startswith("nkkg.cand"):
            continue
        k = keys.setdefault(m["id"], {m["id"]})
        k.update((name_keys(m.get("label") or "x") | name_keys(m.get("text") or "x")) - {"x"})
        cats.setdefault(m["id"], m["category"])
    frozen = {i: frozenset(k) for i, k in keys.items()}
    return [(cats[i], frozen[i]) for i in frozen], frozen


def _rel_tuples(rels, key_of) -> list[tuple]:
    out, seen = [], set()
    for p, s, o in rels:
        sk, ok = key_of(s), key_of(o)
        marker = (p, sk, ok)
        if marker not in seen:
            seen.add(marker)
            out.append(marker)
    return out


def score(gold: list[dict], predictions: dict[str, dict], lexicon: Lexicon) -> Scores:
    """Scores over all documents; ``Scores.errors[doc id]`` lists what was missed (FN) or wrong (FP)."""
    r = Resolver(lexicon)
    sc = Scores()
    for g in gold:
        pred = predictions.get(g["id"], {})
        misses: list = []
        g_ents, g_by_text = _gold_entities(g, r)
        p_ents, p_by_id = _pred_entities(pred, r)
        for cat in CATEGORIES:
            tp, fp, fn = _match([e for e in g_ents if e[0] == cat], [e for e in p_ents if e[0] == cat], misses)
            c = sc.entities[cat]
            c.tp, c.fp, c.fn = c.tp + tp, c.fp + fp, c.fn + fn

        def gkey(name: str) -> frozenset:
            return g_by_text.get(name.casefold()) or frozenset({r.key(name), name_key(name)})

        def pkey(ident: str) -> frozenset:
            return p_by_id.get(ident) or frozenset({ident})

        def pred_rels(keep):
            return _rel_tuples([(x["predicate"], x["subject"], x["object"]) for x in pred.get("relations", [])
                                if keep(x)], pkey)

        def gold_rels(key):
            return _rel_tuples([(p, s, o) for s, p, o in g.get(key) or []], gkey)

        g_rels = gold_rels("relations")
        p_rels = pred_rels(lambda x: not x["negated"] and not x["hedged"])
        for name in {t[0] for t in g_rels + p_rels}:
            tp, fp, fn = _match([t for t in g_rels if t[0] == name], [t for t in p_rels if t[0] == name], misses)
            c = sc.relations.setdefault(name, Counts())
            c.tp, c.fp, c.fn = c.tp + tp, c.fp + fp, c.fn + fn
        for counts, gold_key, keep in ((sc.negated, "negated_relations", lambda x: x["negated"]),
                                       (sc.hedged, "hedged_relations", lambda x: x["hedged"] and not x["negated"])):
            tp, fp, fn = _match(gold_rels(gold_key), pred_rels(keep))
            counts.tp, counts.fp, counts.fn = counts.tp + tp, counts.fp + fp, counts.fn + fn
        outs = {(o["measure"], round(float(o["value"]), 1), o.get("unit")) for o in g.get("outcomes") or []}
        p_outs = {(o["measure"], round(float(o["value"]), 1), o["unit"]) for o in pred.get("outcomes", [])}
        sc.outcomes.add(outs, p_outs)
        misses += [("FN", ("outcome", *o)) for o in sorted(outs - p_outs, key=str)]
        misses += [("FP", ("outcome", *o)) for o in sorted(p_outs - outs, key=str)]
        sc.errors[g["id"]] = [(kind, tuple(sorted(x) if isinstance(x, frozenset) else x for x in item))
                              for kind, item in misses]
        sc.documents += 1
    return sc


def relation_correct(gold: dict, pred: dict, lexicon: Lexicon, resolver: Resolver | None = None) -> list[bool]:
    """For each predicted relation of one document (in order): does a gold relation of the same polarity
    state it? Used to measure each rule's precision (scripts/measure_rules.py)."""
    r = resolver or Resolver(lexicon)
    _, g_by_text = _gold_entities(gold, r)
    _, p_by_id = _pred_entities(pred, r)

    def gkey(name: str) -> frozenset:
        return g_by_text.get(name.casefold()) or frozenset({r.key(name), name_key(name)})

    def pkey(ident: str) -> frozenset:
        return p_by_id.get(ident) or frozenset({ident})

    polarity = {"relations": (False, False), "negated_relations": (True, False), "hedged_relations": (False, True)}
    gold_by_pol = {pol: [(p, gkey(s), gkey(o)) for s, p, o in gold.get(key) or []] for key, pol in polarity.items()}
    out = []
    for x in pred.get("relations", []):
        pol = (bool(x["negated"]), bool(x["hedged"]) and not x["negated"])
        cand = (x["predicate"], pkey(x["subject"]), pkey(x["object"]))
        out.append(any(_match([g], [cand])[0] for g in gold_by_pol.get(pol, [])))
    return out


def format_errors(errors: dict[str, list]) -> str:
    """Per document, what was missed (FN) and what was wrong (FP), keys shown as their names."""
    lines = []
    for doc, items in errors.items():
        if not items:
            continue
        lines.append(doc)
        for kind, item in items:
            lines.append(f"  {kind} " + " | ".join("/".join(x) if isinstance(x, list) else str(x) for x in item))
    return "\n".join(lines)


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
