"""Trial records -> statements with trial-registry evidence (ECO:0007225).

Interventions and conditions are linked to lexicon entities by the same matcher the extractor
uses: an agent evaluatedIn its trial, the trial's condition is a tumour, the agent was testedIn
that tumour, and interventions given in one trial are combinedWith each other (lower confidence,
since the registry does not always say that they share an arm).
"""

from __future__ import annotations

from dataclasses import replace

from .model import ECO_TRIAL_REGISTRY, Category, Evidence, OutcomeFigure, Statement, TrialRecord
from .nlp.extract import Extractor

REGISTRY = "clinicaltrials.gov-registry"


def _resolve(extractor: Extractor, text: str) -> list[str]:
    ids = []
    for hit in extractor.matcher.find(text):
        if not hit.target.startswith("clinicaltrials:") and hit.target not in ids:
            ids.append(hit.target)
    return ids


def _ev(t: TrialRecord, sentence: str, confidence: float) -> Evidence:
    return Evidence(document=f"clinicaltrials:{t.nct_id}", sentence=sentence, code=ECO_TRIAL_REGISTRY,
                    agent_type="trial_registry", attributed_to=REGISTRY, confidence=confidence)


def trial_statements(t: TrialRecord, extractor: Extractor) -> list[Statement]:
    lex = extractor.lexicon
    trial = f"clinicaltrials:{t.nct_id}"
    out: list[Statement] = []
    agents: list[str] = []
    for i in t.interventions:
        text = " ; ".join((i.name, *i.other_names))
        for ent_id in _resolve(extractor, text):
            ent = lex.get(ent_id)
            if ent and (Category.AGENT in ent.categories or Category.COMBINATION_PARTNER in ent.categories):
                sentence = f"Registry intervention of {t.nct_id}: {i.type} {text}"
                out.append(Statement(ent_id, "nkv:evaluatedIn", trial, (_ev(t, sentence, 0.95),)))
                if ent_id not in agents:
                    agents.append(ent_id)
    tumours: list[str] = []
    for c in t.conditions:
        for ent_id in _resolve(extractor, c):
            ent = lex.get(ent_id)
            if ent and Category.TUMOUR in ent.categories and ent_id not in tumours:
                tumours.append(ent_id)
                out.append(Statement(trial, "nkv:condition", ent_id,
                                     (_ev(t, f"Registry condition of {t.nct_id}: {c}", 0.95),)))
    nk_agents = [a for a in agents if Category.AGENT in lex.get(a).categories]
    for a in nk_agents:
        for tum in tumours:
            out.append(Statement(a, "nkv:testedIn", tum, (_ev(
                t, f"{t.nct_id} gives {lex.get(a).label} to patients with {lex.get(tum).label}", 0.9),)))
        for b in agents:
            if b == a or (b in nk_agents and b < a):
                continue
            out.append(Statement(a, "nkv:combinedWith", b, (_ev(
                t, f"{t.nct_id} lists {lex.get(a).label} and {lex.get(b).label} as interventions", 0.6),)))
    return out


def trial_outcomes(t: TrialRecord, extractor: Extractor) -> list[OutcomeFigure]:
    """Registry/publication figures of the record, with the arm's agent resolved where possible."""
    figs = []
    for f in t.results:
        arm_ids = _resolve(extractor, f.arm) if f.arm else []
        subject = next((a for a in arm_ids if Category.AGENT in extractor.lexicon.get(a).categories), None)
        figs.append(replace(f, subject=f.subject or subject,
                            sentence=f.sentence or f"{t.nct_id} reported {f.measure} {f.value:g}{f.unit}"
                            + (f" ({f.arm})" if f.arm else "") + (f"; source: {f.source}" if f.source else "")))
    return figs
