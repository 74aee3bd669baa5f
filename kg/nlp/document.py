"""Relations stated across sentences: the study's agent carries through the abstract.

Real abstracts name the agent under study in the title or the first sentences and then speak of it
as "the combination", "these cells" or not at all ("Patients with NSCLC received ...", "The trial is
registered as NCT..."). This stage picks the document's *focus*, the agents (or, failing that, the
unnamed products or antibodies) named in the title or the opening design sentence, and then:

1. Anaphora: in a sentence that names no agent, a definite noun phrase that can only mean the study
   product ("the combination", "these cells", "the vaccine") stands for the focus, and the sentence
   rules run again with it in place.
2. Population: a tumour in a population phrase ("patients with X", "X patients", "mice bearing X")
   in a sentence that treats, enrols or models patients is what the focus was tested in.
3. Registration: a trial id in a sentence that names no agent is the trial that evaluated the focus.
4. Partners given in a sentence that names no agent, with a combination word, are combined with it.

Every relation keeps its own sentence as evidence and a lower confidence than the sentence rules
(0.55-0.65), since the link between the sentence and the focus is inferred.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from ..model import Category, Mention
from .negation import is_hedged, is_negated
from .relations import Relation, sentence_relations

A, P, T, C, TR, R = (Category.AGENT, Category.PLATFORM, Category.TUMOUR, Category.COMBINATION_PARTNER,
                     Category.TRIAL, Category.RECEPTOR)


@dataclass(frozen=True)
class SentenceMentions:
    start: int
    sentence: str
    mentions: tuple[Mention, ...]


_DESIGN = re.compile(r"\b(?:phase\s+(?:[0-4IV]+|one|two|three)|trial|study|we\s+(?:report|evaluated|investigated|tested|"
                     r"assessed|examined|describe|present|developed|generated|show)|this\s+(?:report|study|trial)|aim|"
                     r"objective|purpose|here)\b", re.IGNORECASE)
_ANAPHOR = re.compile(
    r"\b(?:the|this|these|such|its|both)\s+(?:(?:novel|new|bispecific|trispecific|combined|combination|cellular|cell|"
    r"investigational|study|triple|double|dual|adoptive|engineered|modified|expanded|infused|transferred|injected)\s+)?"
    r"(?:antibody|antibodies|drug|agent|compound|molecule|construct|engager|vaccines?|vaccination|product|"
    r"combination|regimen|treatment|therapy|immunotherapy|fusion\s+protein|complex|superagonist|cytokine|"
    r"infusions?|approach|strategy|intervention|cells|NK\s+cells|BiKE|TriKE|NKCEs?)\b", re.IGNORECASE)
_POPULATION_BEFORE = re.compile(r"\b(?:patients?|subjects|participants|children|adults|women|men|cases|individuals|"
                                r"mice|models?|xenografts?)\s+(?:with|who\s+had|having|bearing|of|harbou?ring)\s+"
                                r"(?:(?:an?|the|advanced|recurrent|metastatic|refractory|relapsed|locally|unresectable|"
                                r"stage|[IVX]+[ABC]?|previously|treated|untreated|resected|primary|newly|diagnosed|"
                                r"histologically|confirmed|measurable|or|and|,)\s*){0,6}$", re.IGNORECASE)
_POPULATION_AFTER = re.compile(r"^[\s-]*(?:patients|cases|subjects|cohorts?|xenografts?|models?|cell\s+lines?|cells|"
                               r"bearing|-bearing|tumou?r[\s-]bearing)\b", re.IGNORECASE)
_TREATS = re.compile(r"\b(?:receiv\w*|treat\w*|given|administ\w*|enrol\w*|randomi[sz]\w*|infus\w*|inject\w*|vaccinat\w*|"
                     r"assigned|included|eligible|recruit\w*|dosed|underwent|accrued|allocated|inoculated|"
                     r"implanted|engrafted|challenged)\b", re.IGNORECASE)
_COMBINE = re.compile(r"\b(?:combin\w*|plus|together\s+with|along\s+with|given\s+with|concurrent\w*|followed\s+by|"
                      r"added|addition|alongside|co-?administ\w*|sequential\w*)\b|\+", re.IGNORECASE)
_CONTRAST = re.compile(r"\b(?:versus|vs\.?|compared\s+with|control\s+(?:arm|group)|alone|placebo|standard\s+of\s+care|"
                       r"monotherapy)\b", re.IGNORECASE)


def _agentive(m: Mention, categories_of) -> bool:
    return A in categories_of(m)


def choose_focus(sentences: list[SentenceMentions], categories_of) -> list[Mention]:
    """The agents the document is about: those of the title (first sentence), else of the first design
    sentence among the first three, else the agent named most often (twice or more). Without agents,
    an unnamed product or platform phrase of the title stands in, then an antibody partner of the title."""
    if not sentences:
        return []

    def firsts(ms):
        seen, out = set(), []
        for m in ms:
            if m.id not in seen:
                seen.add(m.id)
                out.append(m)
        return out

    title = sentences[0].mentions
    agents = [m for m in title if _agentive(m, categories_of)]
    if agents:
        return firsts(agents)
    for s in sentences[1:3]:
        if _DESIGN.search(s.sentence):
            agents = [m for m in s.mentions if _agentive(m, categories_of)]
            if agents:
                return firsts(agents)
    counts = Counter(m.id for s in sentences for m in s.mentions if _agentive(m, categories_of))
    if counts:
        top, n = counts.most_common(1)[0]
        if n >= 2:
            return [next(m for s in sentences for m in s.mentions if m.id == top)]
    for cat in (P, C):  # an unnamed product, else an antibody studied for its effect on NK cells (ADCC)
        found = [m for m in title if m.category == cat and (cat == P or m.text.lower().endswith("mab"))]
        if found:
            return firsts(found[:1])
    return []


def _rel(subject: Mention, obj: Mention, predicate: str, s: SentenceMentions, conf: float, rule: str) -> Relation:
    lo, hi = obj.start - s.start, obj.end - s.start
    return Relation(subject.id, predicate, obj.id, subject.text, obj.text, s.sentence, s.start, s.start + len(s.sentence),
                    conf, negated=is_negated(s.sentence, lo, hi), hedged=is_hedged(s.sentence, lo, hi), rule=rule)


def document_relations(sentences: list[SentenceMentions], categories_of, known: set[tuple[str, str, str]]) -> list[Relation]:
    """Relations that need the document's focus; ``known`` holds (s, p, o) already found in sentences."""
    focus = choose_focus(sentences, categories_of)
    if not focus:
        return []
    focus_ids = {f.id for f in focus}
    out: dict[tuple[str, str, str], Relation] = {}
    base = categories_of

    def categories_of(m: Mention):  # noqa: F811 - the focus acts as the agent of the study
        cats = base(m)
        return cats if m.id not in focus_ids or A in cats else (*cats, A)

    def add(rel: Relation) -> None:
        key = (rel.subject, rel.predicate, rel.object)
        if key not in known and key not in out and rel.subject != rel.object:
            out[key] = rel

    if not any(_agentive(f, base) for f in focus):  # an unnamed product or an antibody partner under study
        for s in sentences:
            if any(m.id in focus_ids for m in s.mentions):
                for rel in sentence_relations(s.sentence, s.start, list(s.mentions), categories_of):
                    if rel.subject in focus_ids:
                        add(replace(rel, rule="doc:focus/" + rel.rule))

    for idx, s in enumerate(sentences):
        others = [m for m in s.mentions if _agentive(m, categories_of) and m.id not in focus_ids]
        has_focus = any(m.id in focus_ids for m in s.mentions)
        if others and not has_focus:
            continue  # the sentence is about another agent
        if not has_focus:
            for an in _ANAPHOR.finditer(s.sentence):
                for f in focus:
                    virtual = replace(f, start=s.start + an.start(), end=s.start + an.end(), text=an.group())
                    ms = sorted([*s.mentions, virtual], key=lambda m: m.start)
                    for rel in sentence_relations(s.sentence, s.start, ms, categories_of):
                        if rel.subject == f.id and rel.subject_text == an.group():
                            add(replace(rel, confidence=round(min(rel.confidence, 0.7) - 0.05, 2),
                                        rule="doc:anaphora/" + rel.rule))
        treats = bool(_TREATS.search(s.sentence)) or idx == 0
        # a sentence that gives a partner without the focus and without a combination word is about that partner
        elsewhere = not has_focus and any(m.category == C for m in s.mentions) and not _COMBINE.search(s.sentence)
        for m in s.mentions:
            lo, hi = m.start - s.start, m.end - s.start
            if m.category == T and treats and not elsewhere and (_POPULATION_BEFORE.search(s.sentence[:lo])
                                               or _POPULATION_AFTER.match(s.sentence[hi:])):
                for f in focus:
                    add(_rel(f, m, "nkv:testedIn", s, 0.6, "doc:population"))
            elif m.category == TR and not has_focus:
                for f in focus:
                    add(_rel(f, m, "nkv:evaluatedIn", s, 0.65, "doc:registration"))
            elif m.category == C and not has_focus and _COMBINE.search(s.sentence) and treats \
                    and not _CONTRAST.search(s.sentence):
                for f in focus:
                    if _agentive(f, categories_of):
                        add(_rel(f, m, "nkv:combinedWith", s, 0.55, "doc:partner"))
    return list(out.values())
