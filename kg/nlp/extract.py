"""Document -> Extraction: mentions, relations, outcome figures, trial ids, phases, candidates.

Contract: ``Extractor(lexicon).extract(document)`` is a pure function of the document and the
lexicon; it never reads files or the network. Every relation keeps its sentence, its character
span in the document text and a confidence.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, replace

from pathlib import Path

from ..ids import slugify
from ..resources import lexicon_dir
from ..model import Category, Document, Mention, OutcomeFigure
from .abbreviations import find_definitions
from .candidates import Candidate
from .compose import compose_all
from .document import SentenceMentions, document_relations
from .ellipsis import elided_hits
from .lexicon import Entity, Lexicon
from .matching import FormMatcher, Hit, longest_first
from .negation import is_hedged, is_negated, relation_polarity
from .outcomes import find_outcomes
from .pipeline import build_nlp, sentence_spans
from .relations import Relation, make_relation, sentence_relations

EXTRACTOR_NAME = "nkkg-rules"
EXTRACTOR_VERSION = "0.2.0"
EXTRACTOR = f"{EXTRACTOR_NAME}@{EXTRACTOR_VERSION}"

NCT_RX = re.compile(r"\bNCT\s?(\d{8})\b")
_ROMAN = {"I": "1", "II": "2", "III": "3", "IV": "4"}
PHASE_RX = re.compile(r"\bphase\s*(I{1,3}|IV|[1-4])[ab]?(?:\s*(?:/|-|–|and|or)\s*(I{1,3}|IV|[1-4])[ab]?)?\b", re.IGNORECASE)
# "compound (CODE)" / "CODE (compound)": a locally defined alias of a known entity
_LOCAL_ALIAS = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9αβγ\-/]{1,15}|[A-Za-z][\w-]*(?:\s[\w-]+){1,4})\s*(?:[;,][^)]*)?\)")


@dataclass(frozen=True)
class PhaseMention:
    phases: tuple[str, ...]
    text: str
    trial: str | None


@dataclass(frozen=True)
class NewEntity:
    """An entity recognised by its grammar that no lexicon row names: a minted project id, unverified."""
    id: str
    category: str
    label: str
    reason: str
    platform: str | None = None  # the lexicon platform its name places it in ("HER2-CAR NK cell" -> CAR-NK)
    also_agent: bool = False  # an unnamed cell product: a platform that is also the agent a study gives


UNVERIFIED_PREFIX = "nkkg:unverified-"


def minted_id(category: Category, label: str) -> str:
    return f"{UNVERIFIED_PREFIX}{category.value.replace('_', '-')}-{slugify(label)}"


@dataclass(frozen=True)
class Extraction:
    document: str
    mentions: tuple[Mention, ...]
    relations: tuple[Relation, ...]
    outcomes: tuple[OutcomeFigure, ...]
    trials: tuple[str, ...]
    phases: tuple[PhaseMention, ...]
    candidates: tuple[Candidate, ...]
    new_entities: tuple["NewEntity", ...] = ()

    def to_json(self) -> dict:
        return {
            "id": self.document,
            "extractor_version": EXTRACTOR,
            "mentions": [
                {"start": m.start, "end": m.end, "text": m.text, "category": m.category.value, "id": m.id,
                 "label": m.label, "negated": m.negated, "hedged": m.hedged}
                for m in self.mentions
            ],
            "relations": [asdict(r) for r in self.relations],
            "outcomes": [
                {k: v for k, v in asdict(o).items() if k != "source"} for o in self.outcomes
            ],
            "trials": list(self.trials),
            "phases": [{"phases": list(p.phases), "text": p.text, "trial": p.trial} for p in self.phases],
            "candidates": [asdict(c) for c in self.candidates],
            "new_entities": [asdict(n) for n in self.new_entities],
        }


_NOT_DRUG_AFTER = re.compile(r"[\s-]*(?:\(IL-?2\)\s*)?(?:receptors?\b|R\b|R[αβγ]|Ralpha|Rbeta|pathway|family|signal\w*|"
                             r"activated|stimulated|expanded|primed|and\s+IL-?15\s*R)", re.IGNORECASE)
_NOT_DRUG_BEFORE = re.compile(r"(?:(?:mutant|variant|engineered)\s+(?:form\s+of|version\s+of)|stimulated\s+with|activated\s+"
                              r"(?:in\s+)?(?:vitro\s+)?with|in\s+vitro\s+with|cultured\s+(?:\w+\s+)?with|expanded\s+with|"
                              r"vitro\s+with)\s+(?:[\w-]+\s+){0,4}$", re.IGNORECASE)
_STAGE_WORDS = ("advanced|metastatic|recurrent|refractory|relapsed|locally|unresectable|primary|inoperable|late-stage|"
                "end-stage|early-stage|untreated|previously|treated|newly|diagnosed|stage|[IV]+[ABC]?|and|or|the|an?|"
                "progressive|persistent|resistant|sensitive|naive|naïve|high-risk|low-risk|poor-risk")
_STAGE = re.compile(r"\b(?:" + _STAGE_WORDS + r")\b[\s,/-]*", re.IGNORECASE)
_HEAD_NOUN = re.compile(r"\b(?:tumou?rs?|neoplasms?|malignanc(?:y|ies)|cancers|carcinomas)$", re.IGNORECASE)
_HER2_POS = re.compile(r"\b(?:HER-?2(?:/neu)?|c-?erbB-?2|ErbB-?2)[\s-]*(?:positive|overexpressing|amplified|expressing|\+)",
                       re.IGNORECASE)


def _only_stage_words(rest: str) -> bool:
    return not _STAGE.sub("", rest).strip(" ,/-()")


def load_rule_confidence(path: Path | None = None) -> dict[str, float]:
    """Each relation rule's confidence, measured on the development set (``scripts/measure_rules.py``
    writes ``ontology/lexicon/rule_confidence.tsv``); rules not in the table keep their prior class."""
    path = path or lexicon_dir() / "rule_confidence.tsv"
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        cols = line.split("\t")
        if len(cols) >= 4 and cols[3]:
            out[cols[0]] = float(cols[3])
    return out


def _merge_nested(hits: list[Hit], more: list[Hit]) -> list[Hit]:
    """``hits`` (which may nest a receptor inside an antibody phrase) plus ``more`` where they overlap nothing."""
    out = list(hits)
    for h in more:
        if not any(o.start < h.end and h.start < o.end for o in out):
            out.append(h)
    return sorted(out, key=lambda h: (h.start, -h.end))


def normalise_phase(match: re.Match) -> tuple[str, ...]:
    out = []
    for g in match.groups():
        if g:
            out.append("PHASE" + _ROMAN.get(g.upper(), g))
    return tuple(dict.fromkeys(out))


class Extractor:
    def __init__(self, lexicon: Lexicon, trial_aliases: dict[str, str] | None = None,
                 rule_confidence: dict[str, float] | None = None):
        self.lexicon = lexicon
        self.rule_confidence = load_rule_confidence() if rule_confidence is None else dict(rule_confidence)
        self.nlp = build_nlp()
        self.matcher = FormMatcher()
        never = {f for f, r in lexicon.rules.items() if r.rule == "never"}
        for e in lexicon.entities.values():
            for name in e.names:
                if name not in never:
                    self.matcher.add(name, e.id)
        for form, rule in lexicon.rules.items():
            if rule.entity and rule.rule != "never":
                self.matcher.add(form, rule.entity)
        self._also_agent: set[str] = set()  # minted product ids that act as agents (ids are content-derived)
        self.trial_aliases = dict(trial_aliases or {})
        for alias, nct in self.trial_aliases.items():
            self.matcher.add(alias, f"clinicaltrials:{nct}")

    # -- mentions -------------------------------------------------------------------------
    def _rule_allows(self, hit: Hit, text: str, sentence: str) -> bool:
        surface = text[hit.start:hit.end]
        if hit.target == "nkkg:aldesleukin" and (_NOT_DRUG_AFTER.match(text, hit.end)
                                                 or _NOT_DRUG_BEFORE.search(text[max(0, hit.start - 50):hit.start])):
            return False  # IL-2 as a receptor, a pathway, a culture stimulus or a mutant: not the drug
        rule = self.lexicon.rules.get(surface) or self.lexicon.rules.get(surface.rstrip("s"))
        if rule is None:
            return True
        if rule.rule == "never":
            return False
        if rule.rule == "next_word":
            nxt = re.match(r"[\s-]*([A-Za-z]+)", text[hit.end:])
            return bool(nxt) and nxt.group(1).lower() in rule.args
        if rule.rule == "sentence_has":
            low = sentence.lower()
            return any(a in low for a in rule.args)
        return True

    def _local_aliases(self, text: str, hits: list[Hit]) -> dict[str, str]:
        """Short forms and codes the document defines for entities it names."""
        aliases: dict[str, str] = {}
        ends = {h.end: h for h in hits}
        starts = {h.start: h for h in hits}
        known = {text[h.start:h.end] for h in hits if not h.target.startswith(UNVERIFIED_PREFIX)}
        for d in find_definitions(text):
            h = ends.get(d.long_end)
            if h and d.short not in known and h.target:
                aliases.setdefault(d.short, h.target)
        for m in _LOCAL_ALIAS.finditer(text):
            alias = m.group(1).strip()
            if alias in known or len(alias) < 2:
                continue
            before = text[:m.start()].rstrip()
            h = ends.get(len(before))
            if h is not None:
                aliases.setdefault(alias, h.target)
                continue
            # "CODE (known name)"
            inner_hit = starts.get(m.start(1))
            prev = re.search(r"([A-Za-z][\w-]{1,15})\s*$", before)
            code_like = prev and re.search(r"[A-Z].*[A-Z0-9]|\d", prev.group(1)[1:] or "")
            if inner_hit and inner_hit.end == m.start(1) + len(alias) and code_like and prev.group(1) not in known:
                aliases.setdefault(prev.group(1), inner_hit.target)
        return aliases

    _APPOSED_AFTER = re.compile(r"^\s*[,(]?\s*(?:called|named|termed|such\s+as|e\.g\.,?|including|like)?\s*$")
    _APPOSED_BEFORE = re.compile(r"^\s*(?:,|\()\s*(?:an?|the)?\s*$")

    def _apposed_drug(self, text: str, c, hits: list[Hit]) -> Hit | None:
        """A named agent or partner in apposition to an antibody phrase ("the anti-HER2 antibody
        trastuzumab", "cetuximab, an anti-EGFR antibody")."""
        for h in hits:
            cat = self._category_name(h)
            if cat not in ("agent", "combination_partner"):
                continue
            if h.start >= c.end and h.start - c.end < 16 and self._APPOSED_AFTER.match(text[c.end:h.start]):
                return h
            if h.end <= c.start and c.start - h.end < 12 and self._APPOSED_BEFORE.match(text[h.end:c.start]):
                return h
        return None

    def _composed(self, text: str, hits: list[Hit], minted: dict[str, NewEntity],
                  links: list[tuple[str, str, int]]) -> list[Hit]:
        """Add grammar-recognised phrases: a phrase replaces the lexicon hits it contains (a receptor
        inside "anti-X antibody" stays, nested), unless it is a tumour phrase around a lexicon tumour or
        a drug name overlapping a lexicon name; partial overlaps keep the lexicon hit. Minted entities go
        into ``minted``; "the anti-X antibody Y" appositions into ``links``."""
        known = {h.start: (h.end, self._category_name(h), h.target) for h in hits}
        found = sorted(compose_all(text, known), key=lambda c: (c.start, -(c.end - c.start)))
        taken_until = -1
        keep = list(hits)
        for c in found:
            if c.start < taken_until:
                continue
            inside = [h for h in keep if h.start >= c.start and h.end <= c.end]
            partial = [h for h in keep if h.start < c.end and c.start < h.end and h not in inside]
            if partial:
                continue
            mapped = self._lexicon_form(text[c.start:c.end], c.label) if c.target is None else None
            if inside and c.category == Category.TUMOUR and mapped is None and \
                    any(self._is_tumour_hit(h) and _only_stage_words(text[c.start:h.start] + " " + text[h.end:c.end])
                        for h in inside):
                continue  # "metastatic renal cell carcinoma": the lexicon tumour is the entity
            if inside and c.reason.startswith("INN"):
                continue
            if len(inside) == 1 and inside[0].start == c.start and inside[0].end == c.end:
                continue
            if c.inner:
                named = self._apposed_drug(text, c, keep)
                if named is not None:
                    links.append((named.target, next(h.target for h in inside if (h.start, h.end) == c.inner),
                                  min(c.start, named.start)))
            if c.category is None:  # a description: its receptor stays, the phrase is no entity
                continue
            target = c.target if c.target and self.lexicon.get(c.target) else mapped
            if target is None:
                target = minted_id(c.category, c.label)
                minted.setdefault(target, NewEntity(target, c.category.value, c.label, c.reason,
                                                    c.platform if c.platform and self.lexicon.get(c.platform) else None,
                                                    c.category == Category.PLATFORM and
                                                    ("product" in c.reason or "cell therapy" in c.reason)))
                if minted[target].also_agent:
                    self._also_agent.add(target)
            keep = [h for h in keep if h not in inside or (c.inner and (h.start, h.end) == c.inner)
                    or (c.category == Category.TUMOUR and self._category_name(h) == "receptor")]
            keep.append(Hit(c.start, c.end, c.label, target))
            taken_until = c.end
        return sorted(keep, key=lambda h: (h.start, -h.end))

    def _lexicon_form(self, surface: str, label: str) -> str | None:
        """The lexicon entity a grammar-recognised phrase names once stage words are dropped
        ("HER2-overexpressing metastatic breast cancer" -> HER2-positive breast cancer)."""
        forms = [surface, label, _HER2_POS.sub("HER2-positive", _STAGE.sub("", surface)).strip(),
                 _HER2_POS.sub("HER2-positive", _STAGE.sub("", label)).strip()]
        forms += [_HEAD_NOUN.sub(head, f) for f in forms[2:] for head in ("cancer", "carcinoma")]  # "breast tumors"
        for form in forms:
            found = self.matcher.lookup(form) if form else None
            if found:
                return found
        return None

    def _category_name(self, hit: Hit) -> str:
        if hit.target.startswith("clinicaltrials:"):
            return "trial"
        ent = self.lexicon.get(hit.target)
        return ent.category.value if ent else ""

    def _hits(self, text: str, minted: dict[str, NewEntity] | None = None,
              links: list[tuple[str, str, int]] | None = None) -> list[Hit]:
        minted = {} if minted is None else minted
        links = [] if links is None else links
        hits = self.matcher.find(text)
        hits += [Hit(m.start(), m.end(), m.group(), f"clinicaltrials:NCT{m.group(1)}") for m in NCT_RX.finditer(text)]
        hits = longest_first(hits)
        elided = elided_hits(text, hits, self.matcher, self._is_tumour_hit)
        if elided:
            hits = longest_first(hits + elided)
        hits = self._composed(text, hits, minted, links)
        aliases = self._local_aliases(text, hits)
        if aliases:
            local = FormMatcher()
            for form, target in aliases.items():
                if form not in self.lexicon.rules or self.lexicon.rules[form].rule != "never":
                    local.add(form, target)
            found = local.find(text)
            # a code the document defines for a known entity wins over the same code read as a new agent
            defined = {(h.start, h.end) for h in found}
            hits = [h for h in hits if not ((h.start, h.end) in defined and h.target.startswith(UNVERIFIED_PREFIX))]
            hits = _merge_nested(hits, found)
        return hits

    def _is_tumour_hit(self, hit: Hit) -> bool:
        ent = self.lexicon.get(hit.target)
        return ent is not None and Category.TUMOUR in ent.categories

    def _mention(self, hit: Hit, text: str, sentence: str, s_off: int,
                 minted: dict[str, NewEntity] | None = None) -> Mention | None:
        if hit.target.startswith("clinicaltrials:"):
            cat, label = Category.TRIAL, hit.target.split(":", 1)[1]
        elif minted and hit.target in minted:
            new = minted[hit.target]
            cat, label = Category(new.category), new.label
        else:
            ent: Entity | None = self.lexicon.get(hit.target)
            if ent is None:
                return None
            cat, label = ent.category, ent.label
        s, e = hit.start - s_off, hit.end - s_off
        return Mention(hit.start, hit.end, text[hit.start:hit.end], cat, hit.target, label,
                       negated=is_negated(sentence, s, e, window=40), hedged=is_hedged(sentence, s, e))

    def _link_relations(self, links, sentence, s_off, s_end, mentions, found) -> list[Relation]:
        """"The anti-X antibody Y": Y targets X (the description was no entity of its own)."""
        have = {(r.subject, r.predicate, r.object) for r in found}
        out = []
        for drug, receptor, at in links:
            if s_off <= at < s_end and (drug, "nkv:targets", receptor) not in have:
                d = next((m for m in mentions if m.id == drug), None)
                r = next((m for m in mentions if m.id == receptor), None)
                if d and r:
                    out.append(make_relation(sentence, s_off, d, r, "nkv:targets", 0.85, "phrase:named-antibody"))
                    have.add((drug, "nkv:targets", receptor))
        return out

    def _named_platforms(self, sentence, s_off, mentions, minted, found) -> list[Relation]:
        """A product whose name places it in a platform ("HER2-CAR NK cells" is a CAR-NK product)."""
        have = {(r.subject, r.predicate, r.object) for r in found}
        out = []
        for m in mentions:
            new = minted.get(m.id)
            if new and new.platform and (m.id, "nkv:usesPlatform", new.platform) not in have:
                plat = self.lexicon.get(new.platform)
                out.append(Relation(m.id, "nkv:usesPlatform", new.platform, m.text, plat.label if plat else new.platform,
                                    sentence, s_off, s_off + len(sentence), 0.8, rule="phrase:named-product"))
                have.add((m.id, "nkv:usesPlatform", new.platform))
        return out

    def _known_pairs(self, sentence, s_off, mentions, found) -> list[Relation]:
        """A relation the lexicon records (an agent's platform and targets, each with its own source),
        stated again where one sentence names both ends; confidence 0.6."""
        have = {(r.subject, r.predicate, r.object) for r in found}
        ids = {m.id: m for m in mentions}
        out = []
        for m in mentions:
            ent = self.lexicon.get(m.id)
            if ent is None:
                continue
            for pred, objs in (("nkv:usesPlatform", (ent.platform,) if ent.platform else ()), ("nkv:targets", ent.targets)):
                for o in objs:
                    if o in ids and (m.id, pred, o) not in have:
                        out.append(make_relation(sentence, s_off, m, ids[o], pred, 0.6, "lexicon:known-pair"))
                        have.add((m.id, pred, o))
        return out

    def _finish(self, r: Relation) -> Relation:
        """The measured confidence of the relation's rule, and the polarity its predicate allows."""
        negated, hedged = relation_polarity(r.predicate, r.sentence, r.negated, r.hedged)
        conf = self.rule_confidence.get(r.rule, r.confidence)
        if (negated, hedged, conf) == (r.negated, r.hedged, r.confidence):
            return r
        return replace(r, negated=negated, hedged=hedged, confidence=conf)

    def categories_of(self, m: Mention) -> tuple[Category, ...]:
        ent = self.lexicon.get(m.id)
        if ent:
            return ent.categories
        return (m.category, Category.AGENT) if m.id in self._also_agent else (m.category,)

    # -- the whole document ---------------------------------------------------------------
    def extract(self, doc: Document) -> Extraction:
        text = doc.text
        minted: dict[str, NewEntity] = {}
        links: list[tuple[str, str, int]] = []  # (named drug, receptor, offset) from "the anti-X antibody Y"
        hits = self._hits(text, minted, links)
        mentions: list[Mention] = []
        relations: list[Relation] = []
        outcomes: list[OutcomeFigure] = []
        phases: list[PhaseMention] = []
        candidates: dict[str, Candidate] = {}
        per_sentence: list[SentenceMentions] = []
        h_idx = 0
        for s_off, s_end in sentence_spans(text):
            sentence = text[s_off:s_end]
            while h_idx < len(hits) and hits[h_idx].start < s_off:
                h_idx += 1
            sent_mentions = []
            j = h_idx
            while j < len(hits) and hits[j].end <= s_end:
                if self._rule_allows(hits[j], text, sentence):
                    m = self._mention(hits[j], text, sentence, s_off, minted)
                    if m:
                        sent_mentions.append(m)
                j += 1
            mentions.extend(sent_mentions)
            per_sentence.append(SentenceMentions(s_off, sentence, tuple(sent_mentions)))
            # candidates are the entities the grammar found that no lexicon row names (drug codes and INN
            # stems included: compose.py reads them as agents, so a second scan would find nothing new)
            for m in sent_mentions:
                if m.id in minted:
                    candidates.setdefault(m.text.lower(), Candidate(m.text, m.category.value, sentence,
                                                                    f"unverified: {minted[m.id].reason}"))
            sent_rels = sentence_relations(sentence, s_off, sent_mentions, self.categories_of)
            sent_rels += self._link_relations(links, sentence, s_off, s_end, sent_mentions, sent_rels)
            sent_rels += self._known_pairs(sentence, s_off, sent_mentions, sent_rels)
            sent_rels += self._named_platforms(sentence, s_off, sent_mentions, minted, sent_rels)
            relations.extend(sent_rels)
            agents = [m for m in sent_mentions if Category.AGENT in self.categories_of(m)]
            outcomes.extend(find_outcomes(
                sentence, source=doc.id,
                subject_at=lambda off, a=agents, o=s_off: next(
                    (m.id for m in reversed(a) if m.start - o <= off), a[0].id if a else None)))
            trials_here = [m.id.split(":", 1)[1] for m in sent_mentions if m.category == Category.TRIAL]
            for pm in PHASE_RX.finditer(sentence):
                phases.append(PhaseMention(normalise_phase(pm), pm.group(), trials_here[0] if len(trials_here) == 1 else None))
        relations.extend(document_relations(per_sentence, self.categories_of,
                                            {(r.subject, r.predicate, r.object) for r in relations}))
        relations = [self._finish(r) for r in relations]
        trials = tuple(dict.fromkeys(m.id.split(":", 1)[1] for m in mentions if m.category == Category.TRIAL))
        used = {m.id for m in mentions}
        return Extraction(doc.id, tuple(mentions), tuple(relations), tuple(outcomes), trials, tuple(phases),
                          tuple(candidates.values()), tuple(n for i, n in minted.items() if i in used))
