"""Sentence-level relation rules. Co-occurrence alone is never a relation: each rule needs a
trigger in the right place between (or just around) the two mentions.

For an ordered pair of mentions in one sentence, the text between them is reduced to a *gap*
string in which other mentions become their category in capitals (``AGENT``, ``RECEPTOR`` ...).
Each predicate has a few regular expressions over that gap, each with a confidence that says how
often that construction states the relation (appositions and "plus"/"combined with" are the most
reliable; "in <tumour>" after an agent less so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import Category, Mention
from .negation import is_hedged, is_negated

A, P, R, T, B, C, TR = (Category.AGENT, Category.PLATFORM, Category.RECEPTOR, Category.TUMOUR,
                        Category.TME_BARRIER, Category.COMBINATION_PARTNER, Category.TRIAL)


@dataclass(frozen=True)
class Relation:
    subject: str
    predicate: str
    object: str
    subject_text: str
    object_text: str
    sentence: str
    start: int  # sentence start offset in the document text
    end: int
    confidence: float
    negated: bool = False
    hedged: bool = False
    rule: str = ""  # which rule found it ("testedIn:fwd1", "doc:population" ...): confidences are measured per rule


@dataclass(frozen=True)
class Rule:
    predicate: str
    subject: frozenset
    object: frozenset
    forward: tuple[tuple[re.Pattern, float], ...]  # subject ... object
    backward: tuple[tuple[re.Pattern, float], ...] = ()  # object ... subject
    max_gap: int = 160
    symmetric: bool = False


def _rx(pattern: str) -> re.Pattern:
    return re.compile(pattern, re.IGNORECASE | re.DOTALL)


LIST = r"(?:\s*(?:,|and|or|and/or|/)\s*(?:AGENT|PARTNER)\s*)*"
CONTRAST = r"(?:versus|vs\.?|compared\s+(?:with|to)|rather\s+than|instead\s+of|or\s+to|than)"

RULES: tuple[Rule, ...] = (
    Rule("nkv:usesPlatform", frozenset({A}), frozenset({P}),
         forward=((_rx(r"^\s*[,(]\s*(?:an?|the)?\s*(?:[\w-]+\s+){0,5}$"), 0.85),
                  (_rx(r"^\s*(?:\([^)]*\)\s*)?,?\s*(?:is|was|are|were|as|represents?)\s+(?!\w+ed\b)(?:an?|the)?\s*(?:[\w-]+\s+){0,5}$"), 0.8),
                  (_rx(r"^\s*(?:\([^)]*\)\s*)?-?(?:based|derived)?\s*$"), 0.6)),
         backward=((_rx(r"^\s*(?:product|candidate|agent|drug|therapy|construct|complex)?\s*,?\s*(?:called|named|termed)?\s*$"), 0.85),),
         max_gap=70),
    Rule("nkv:targets", frozenset({A, P}), frozenset({R}),
         forward=((_rx(r"\b(?:target\w*|bind\w*|bound|block\w*|engag\w*|agonis\w*|antagonis\w*|against|direct\w*|"
                       r"specific\w*|recogni[sz]\w*|signal\w*|stimulat\w*|activat\w*|inhibit\w*|redirect\w*|"
                       r"neutrali[sz]\w*|ligat\w*|cross-?link\w*|anti-?|acting\s+(?:on|through|via)|via|through)\b[^.;]*$"), 0.8),
                 (_rx(r"\b(?:engineered\s+(?:with|to\s+express)|express(?:es|ing)|carr(?:y|ies|ying)|armed\s+with|"
                      r"equipped\s+with|transduced\s+with)\b[^.;]*$"), 0.7)),
         backward=((_rx(r"^\s*-?\s*(?:targeted|targeting|directed|specific|blocking|redirected|binding|engaging)\b"), 0.85),
                   (_rx(r"^\s*(?:/\s*RECEPTOR\s*)?(?:bispecific|trispecific|CAR|chimeric|antibod\w*|engager|agonist|"
                        r"superagonist|blocking|inhibitor)\b(?:\s+[\w-]+){0,3}\s*,?\s*$"), 0.75)),
         max_gap=110),
    Rule("nkv:combinedWith", frozenset({A}), frozenset({A, C}),
         forward=((_rx(r"^\s*(?:\([^)]*\)\s*)?(?:\+|plus|with|/)\s*" + LIST + r"\s*$"), 0.85),
                  (_rx(r"\b(?:plus|combined\s+with|in\s+combination\s+with|combination\s+with|together\s+with|"
                       r"added\s+to|on\s+top\s+of|alongside|followed\s+by|co-?administered\s+with|given\s+with|"
                       r"with\s+or\s+without|in\s+addition\s+to|concurrent(?:ly)?\s+with|along\s+with|"
                       r"while\s+(?:staying|remaining|continuing|maintained)\s+on|admixed\s+with|instilled\s+with|"
                       r"(?:alone\s+)?(?:and|or)\s+with|combinations?\s+of)\b[^.;]*$"), 0.8),
                  (_rx(r"(?:^|\s)(?:\+|\+\s*/\s*-|±)\s" + r"[^.;]*$"), 0.8)),
         max_gap=120, symmetric=True),
    Rule("nkv:testedIn", frozenset({A}), frozenset({T}),
         forward=((_rx(r"\b(?:in|for|against|treat\w*|among|within)\s+(?:\w+,?[\s/-]+){0,6}$"), 0.7),
                  (_rx(r"\b(?:patients|subjects|participants|children|adults)\s+with\s+(?:\w+,?[\s/-]+){0,6}$"), 0.8),
                  (_rx(r"\b(?:models?|xenografts?|cells?|lines?)\s+of\s+(?:\w+\s+){0,3}$"), 0.7)),
         backward=((_rx(r"^\s*[\w\s-]{0,40}?(?:patients|models?|xenografts?|mice|cohort)\b[^.;]{0,60}"
                        r"\b(?:received|were\s+treated|treated|given|were\s+given|receiving)\b[^.;]*$"), 0.75),
                   (_rx(r"^[^.;]{0,120}\b(?:received|receiving|were\s+(?:given|treated\s+with|dosed\s+with|"
                        r"randomi[sz]ed(?:\s+\d:\d)?\s+to)|was\s+(?:given|administered)|to\s+receive|treated\s+with|"
                        r"dosed\s+with)\b[^.;]{0,60}$"), 0.7),
                   (_rx(r"^[^.;]{0,60}\b(?:test(?:s|ing)|evaluat(?:es|ing)|giv(?:es|ing)|administer(?:s|ing)|"
                        r"investigat(?:es|ing)|assess(?:es|ing))\b[^.;]{0,30}$"), 0.7),
                   (_rx(r"^\s*-?\s*(?:bearing|specific)\b"), 0.6)),
         max_gap=190),
    Rule("nkv:evaluatedIn", frozenset({A}), frozenset({TR}),
         forward=((_rx(r"\b(?:trial|study|phase|evaluat\w*|investigat\w*|test\w*|enrol\w*|randomi[sz]\w*|cohort|"
                       r"assess\w*|examin\w*|registered)\b|^\s*[(,]?\s*$"), 0.8),
                 (_rx(r"\b(?:in|within|into|from|of)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$"), 0.7),
                 # a registration in brackets closes the clause that describes the study
                 (_rx(r"^[^;]*\(\s*(?:ClinicalTrials\.gov(?:\s+(?:identifier|number|ID|registration))?[:,]?\s*)?$"), 0.7),
                 (_rx(r"\bregistered\s+(?:at\s+ClinicalTrials\.gov\s+)?(?:as|under|with)\s*$"), 0.75)),
         backward=((_rx(r"\b(?:trial|study|evaluat\w*|investigat\w*|test\w*|enrol\w*|randomi[sz]\w*|receiv\w*|"
                        r"assess\w*|examin\w*)\b"), 0.75),
                   (_rx(r"^\s*\)?\s*,\s*$"), 0.7)),
         max_gap=200),
)

COUNTER = r"(?:in\s+the\s+presence\s+of|overc[oa]m\w*|counter\w*|revers\w*|restor\w*|resist\w*|prevent\w*|block\w*|neutrali[sz]\w*|circumvent\w*|" \
          r"deplet\w*|abrogat\w*|reliev\w*|rescu\w*|bypass\w*|despite|insensitive|refractory\s+to|inhibit(?!ed\s+by)\w*|" \
          r"reduc(?!ed\s+by)\w*|decreas\w*|lower\w*|alleviat\w*|target\w*|antagoni[sz]\w*|impervious|unaffected|spar\w*|escap\w*|avoid\w*)"
LIMIT = r"(?:suppress\w*|impair\w*|inhibited\s+by|limit\w*|restrain\w*|dampen\w*|attenuat\w*|exhaust\w*|blunt\w*|" \
        r"hamper\w*|hinder\w*|compromis\w*|reduced\s+by|undermin\w*|downregulat\w*|down-regulat\w*|weaken\w*|constrain\w*|" \
        r"abolish\w*|curtail\w*|susceptib\w*|vulnerab\w*|sensitive\s+to|barrier|obstacle)"
_COUNTER = _rx(r"\b" + COUNTER)
_LIMIT = _rx(r"\b" + LIMIT)


def _barrier_relation(gap: str, agent_first: bool) -> tuple[str, float] | None:
    """counters or limitedBy, from the first trigger in the gap and the word order."""
    cm, lm = _COUNTER.search(gap), _LIMIT.search(gap)
    first = min((m for m in (cm, lm) if m), key=lambda m: m.start(), default=None)
    if first is None:
        return None
    is_counter = first is cm
    passive_by = bool(re.search(r"\bby\b", gap[first.end():first.end() + 25]))
    if agent_first:
        return ("nkv:counters", 0.75) if is_counter else ("nkv:limitedBy", 0.7)
    # barrier ... agent: "TGF-beta suppressed X" -> limitedBy; "TGF-beta suppression was reversed by X" -> counters
    if is_counter and passive_by:
        return ("nkv:counters", 0.7)
    if not is_counter:
        return ("nkv:limitedBy", 0.7)
    return None


def _gap(sentence: str, offset: int, left: Mention, right: Mention, others: list[Mention]) -> str:
    parts, pos = [], left.end
    for m in others:
        if m.start >= pos and m.end <= right.start:
            parts.append(sentence[pos - offset:m.start - offset])
            parts.append(" PARTNER " if m.category == C else f" {m.category.name} ")
            pos = m.end
    parts.append(sentence[pos - offset:right.start - offset])
    return "".join(parts)


# "patients received cetuximab and lenalidomide": two drugs joined by "and" after a verb of giving
_GIVEN_TOGETHER = re.compile(r"^\s*(?:,\s*)?(?:and|&)\s*$", re.IGNORECASE)
_GIVEN_BEFORE = re.compile(r"\b(?:received|receiving|treated\s+with|given|administered|combination\s+of|combining|"
                           r"regimen\s+of|consisting\s+of|dosed\s+with)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}$", re.IGNORECASE)


_SUBJECTS = frozenset({A, P, C})
_CONTRAST_RX = re.compile(r"\b" + CONTRAST + r"\b", re.IGNORECASE)
_NEARER_DRUG = re.compile(r"\b(?:AGENT|PARTNER)\b")
_BARRIER_BETWEEN = re.compile(r"\bTME_BARRIER\b")


def _contrast_between(gap: str) -> bool:
    return bool(_CONTRAST_RX.search(gap))


def sentence_relations(sentence: str, offset: int, mentions: list[Mention], categories_of) -> list[Relation]:
    """All relations the rules find in one sentence. ``categories_of(mention)`` gives every category
    of the mention's entity (an entity may be an agent and a combination partner)."""
    out: dict[tuple[str, str, str], Relation] = {}
    named: dict[tuple[str, str, str], Relation] = {}  # relations a phrase states of itself: never propagated
    ms = sorted(mentions, key=lambda m: m.start)
    overlapping = any(b.start < a.end for a, b in zip(ms, ms[1:]))
    nested = {id(b) for a in ms for b in ms if a is not b and a.start <= b.start and b.end <= a.end
              and (a.start, a.end) != (b.start, b.end)} if overlapping else set()
    for i, left in enumerate(ms):
        for right in ms[i + 1:]:
            if left.id == right.id:
                continue
            if right.start - left.end > 300:
                break  # every rule's gap is shorter (mentions are sorted: later ones are farther still)
            if right.start >= left.end and (id(left) in nested or id(right) in nested):
                continue  # a mention inside a phrase relates only to that phrase
            if right.start < left.end:  # nested: "anti-NKG2A antibody" names its target
                outer, inner = (left, right) if right.end <= left.end else (right, left)
                if A in categories_of(outer) and inner.category == R:
                    rel = _make(sentence, offset, outer, inner, "nkv:targets", 0.85, outer, outer, "targets:inside-phrase")
                    named.setdefault((rel.subject, rel.predicate, rel.object), rel)
                continue
            lc, rc = set(categories_of(left)), set(categories_of(right))
            if not ((lc | rc) & _SUBJECTS):
                continue  # every rule's subject is an agent, a platform or a partner
            gap = _gap(sentence, offset, left, right, ms)
            if A in lc and rc & {A, C} and _GIVEN_TOGETHER.match(gap) and \
                    _GIVEN_BEFORE.search(sentence[max(0, left.start - offset - 60):left.start - offset]):
                rel = _make(sentence, offset, left, right, "nkv:combinedWith", 0.75, left, right, "combinedWith:given-and")
                out.setdefault((rel.subject, rel.predicate, rel.object), rel)
            for subj, obj, forward in ((left, right, True), (right, left, False)):
                sc, oc = (lc, rc) if forward else (rc, lc)
                for found in _apply_rules(gap, sc, oc, forward, obj.category):
                    pred, conf, rule_name = found
                    s_m, o_m = subj, obj
                    if pred == "nkv:combinedWith" and A in sc and A in oc and obj.id < subj.id:
                        s_m, o_m = obj, subj  # symmetric: one canonical direction between two agents
                    elif pred == "nkv:combinedWith" and A not in sc:
                        continue
                    rel = _make(sentence, offset, s_m, o_m, pred, conf, left, right, rule_name)
                    key = (rel.subject, rel.predicate, rel.object)
                    if key not in out or out[key].confidence < rel.confidence:
                        out[key] = rel
    _propagate(out, ms, sentence, offset)
    _platform_to_agent(out)
    for key, rel in named.items():
        out.setdefault(key, rel)
    return list(out.values())


def _platform_to_agent(rels: dict) -> None:
    """"AFM24 is a bispecific engager that binds CD16A": what the sentence says of the platform
    phrase in apposition to an agent is said of the agent."""
    owners: dict[str, list[str]] = {}
    for (s_id, pred, o_id) in rels:
        if pred == "nkv:usesPlatform":
            owners.setdefault(o_id, []).append(s_id)
    for key, rel in list(rels.items()):
        s_id, pred, o_id = key
        if pred == "nkv:usesPlatform" or s_id not in owners:
            continue
        del rels[key]
        for agent in owners[s_id]:
            new_key = (agent, pred, o_id)
            if new_key not in rels:
                rels[new_key] = Relation(agent, pred, o_id, rel.subject_text, rel.object_text, rel.sentence, rel.start,
                                         rel.end, rel.confidence, rel.negated, rel.hedged, rel.rule + "+apposition")


PLACEHOLDER = {A: "AGENT", P: "PLATFORM", R: "RECEPTOR", T: "TUMOUR", B: "TME_BARRIER", C: "PARTNER", TR: "TRIAL"}
# for these, a mention of the object's own category in between is the nearer candidate; lists are
# handled by coordination propagation, not by reaching past the nearer mention
NEAREST_OBJECT = {"nkv:targets", "nkv:testedIn", "nkv:usesPlatform"}
_PLACEHOLDER_RX = {cat: re.compile(r"\b" + name + r"\b") for cat, name in PLACEHOLDER.items()}


def _apply_rules(gap: str, sc: set, oc: set, forward: bool, obj_cat: Category | None = None):
    if len(gap) > 220:
        return
    for rule in RULES:
        if not (sc & rule.subject and oc & rule.object) or len(gap) > rule.max_gap:
            continue
        if rule.predicate == "nkv:combinedWith" and _contrast_between(gap):
            continue
        if rule.predicate == "nkv:targets" and forward and _NEARER_DRUG.search(gap):
            continue  # a nearer agent owns the target
        if rule.predicate in NEAREST_OBJECT and obj_cat is not None and \
                forward and _PLACEHOLDER_RX[obj_cat].search(gap):
            continue
        patterns = rule.forward if (forward or rule.symmetric) else rule.backward
        side = "fwd" if (forward or rule.symmetric) else "bwd"
        hits = [(conf, k) for k, (rx, conf) in enumerate(patterns) if rx.search(gap)]
        if hits:
            conf, k = max(hits)
            yield rule.predicate, conf, f"{rule.predicate[4:]}:{side}{k}"
    if sc & {A, P, C} and B in oc and not (forward and obj_cat and _BARRIER_BETWEEN.search(gap)):
        found = _barrier_relation(gap, agent_first=forward)
        if found:
            yield (*found, f"{found[0][4:]}:{'agent-first' if forward else 'barrier-first'}")


_COORD = re.compile(r"^\s*(?:,\s*)?(?:and/or|and|or|as\s+well\s+as|plus|/|,)?\s*(?:(?:the|either|with)\s+)?"
                    r"(?:[\w-]+\s+){0,2}$", re.IGNORECASE)


def _coordinated(ms: list[Mention], anchor: Mention, sentence: str, offset: int) -> list[Mention]:
    """Mentions coordinated with ``anchor`` ("NSCLC, SCCHN or colorectal cancer"; "with nivolumab or
    pembrolizumab"): same category, joined only by list connectors and at most two modifiers."""
    cat = anchor.category
    out, prev = [], anchor
    for m in sorted(ms, key=lambda m: m.start):
        if m.start < prev.end:
            continue
        if m.category != cat:
            break
        gap = sentence[prev.end - offset:m.start - offset]
        if not _COORD.match(gap) or len(gap) > 40 or not re.search(r"[,/]|\b(?:and|or|plus|as\s+well\s+as)\b", gap):
            break
        out.append(m)
        prev = m
    return out


def _propagate(rels: dict, ms: list[Mention], sentence: str, offset: int) -> None:
    by_id = {}
    for m in ms:
        by_id.setdefault(m.id, m)
    for (s_id, pred, o_id), rel in list(rels.items()):
        for side in ("object", "subject"):
            anchor = next((m for m in ms if m.id == (o_id if side == "object" else s_id)
                           and m.text == (rel.object_text if side == "object" else rel.subject_text)), None)
            if anchor is None:
                continue
            for other in _coordinated(ms, anchor, sentence, offset):
                key = (s_id, pred, other.id) if side == "object" else (other.id, pred, o_id)
                if key[0] == key[2] or key in rels:
                    continue
                rels[key] = Relation(
                    subject=key[0], predicate=pred, object=key[2],
                    subject_text=rel.subject_text if side == "object" else other.text,
                    object_text=other.text if side == "object" else rel.object_text,
                    sentence=rel.sentence, start=rel.start, end=rel.end, confidence=round(rel.confidence - 0.05, 2),
                    negated=rel.negated, hedged=rel.hedged, rule=rel.rule + "+list")


def make_relation(sentence: str, offset: int, subj: Mention, obj: Mention, pred: str, conf: float, rule: str) -> Relation:
    """A relation between two mentions of one sentence, its polarity read over the span they cover."""
    left, right = (subj, obj) if subj.start <= obj.start else (obj, subj)
    return _make(sentence, offset, subj, obj, pred, conf, left, right, rule)


def _make(sentence, offset, subj: Mention, obj: Mention, pred, conf, left: Mention, right: Mention, rule: str = "") -> Relation:
    s, e = left.start - offset, right.end - offset
    return Relation(
        subject=subj.id, predicate=pred, object=obj.id, subject_text=subj.text, object_text=obj.text,
        sentence=sentence, start=offset, end=offset + len(sentence), confidence=conf,
        negated=is_negated(sentence, s, e), hedged=is_hedged(sentence, s, e), rule=rule,
    )
