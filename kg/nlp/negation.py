"""NegEx-style negation and speculation cues with a clause-bounded scope.

A cue negates (or hedges) what follows it in the same clause, up to a scope terminator
("but", "however", "whereas", ";", ":"), and a few post-cues ("was not", "were absent") negate
what precedes them. Both functions work on character offsets within one sentence.
"""

from __future__ import annotations

import re
from functools import lru_cache

NEGATION_CUES = re.compile(
    r"\b(?:no|not|nor|neither|without|none|never|cannot|lack(?:ed|s|ing)?\s+(?:of\s+)?|absence\s+of|"
    r"failed\s+to|fails\s+to|did\s+not|does\s+not|do\s+not|was\s+not|were\s+not|is\s+not|are\s+not|"
    r"unable\s+to|rather\s+than|no\s+longer|ruled\s+out|negative\s+for|n[o']t)\b",
    re.IGNORECASE,
)
HEDGE_CUES = re.compile(
    r"\b(?:may|might|could|can\s+potentially|suggest(?:s|ed|ing)?|potential(?:ly)?|possibl[ey]|"
    r"hypothes[ei]s|hypothesi[sz]ed?|appear(?:s|ed)?\s+to|likely|unclear|warrant(?:s|ed)?|"
    r"presumabl[ey]|putative(?:ly)?|speculat\w*|whether)\b",
    re.IGNORECASE,
)
TERMINATORS = re.compile(r"\b(?:but|however|whereas|although|though|while|yet|except)\b|[;:]|"
                         r"\band\s+(?:should|may|might|could|would|will|thereby|therefore|so|thus|instead)\b",
                         re.IGNORECASE)
# A cue that negates an outcome or safety finding ("no severe adverse events", "no progression",
# "no dose-limiting toxicity") says nothing against the relation between the entities around it.
OUTCOME_NEGATED = re.compile(r"^\s*(?:[\w-]+\s+){0,3}?(?:adverse|toxicit|dose[- ]limiting|DLTs?\b|progression|"
                             r"responses?|side[- ]effects?|safety|graft|GvHD|CRS|neurotoxicity|deaths?|evidence\s+of\s+disease|"
                             r"difference|change|benefit|increase|decrease|recurrence|relapse|correlation|association|effect|"
                             r"standard|other|further|available|effective|prior|previous|approved|curative)", re.IGNORECASE)
# "no" inside these phrases is not a negation of the finding
PSEUDO = re.compile(r"\b(?:no\s+(?:doubt|significant\s+difference\s+in\s+safety)|not\s+only|no\.|"
                    r"with\s+or\s+without|whether\s+or\s+not|or\s+not)", re.IGNORECASE)


@lru_cache(maxsize=8192)
def _cues(sentence: str, kind: str) -> tuple[tuple[int, int], ...]:
    """Cue spans of one kind ("neg" or "hedge") in a sentence, pseudo-negations removed (cached)."""
    rx = NEGATION_CUES if kind == "neg" else HEDGE_CUES
    found = [m.span() for m in rx.finditer(sentence)]
    if not found:
        return ()
    pseudo = [m.span() for m in PSEUDO.finditer(sentence)]
    kept = [c for c in found if not any(ps <= c[0] < pe for ps, pe in pseudo)]
    if kind == "neg":
        kept = [c for c in kept if not OUTCOME_NEGATED.match(sentence[c[1]:])]
    return tuple(kept)


def _in_scope(sentence: str, kind: str, start: int, end: int, window: int) -> bool:
    for c_start, c_end in _cues(sentence, kind):
        if c_start >= end:
            continue
        if c_end <= start:
            gap = sentence[c_end:start]
            if len(gap) > window or TERMINATORS.search(gap):
                continue
        elif TERMINATORS.search(sentence[c_end:end]):
            continue  # the cue's clause ends before the far mention: "X does not bind A and should spare B"
        return True
    return False


def is_negated(sentence: str, start: int, end: int, window: int = 60) -> bool:
    """A negation cue lies before or inside [start, end) in the same clause."""
    return _in_scope(sentence, "neg", start, end, window)


def is_hedged(sentence: str, start: int, end: int, window: int = 120) -> bool:
    return _in_scope(sentence, "hedge", start, end, window)


# What a speculation or a negation cue can take from a relation. A study's design (what was tested in
# what, given with what, evaluated in which trial) is presupposed by a conclusion that hedges its
# efficacy ("CIK cells may be a valuable strategy in HCC" still reports CIK cells tested in HCC); only
# mechanistic claims (binding, countering, being limited by) are hedged. A design relation is negated
# only when the verb of giving or testing itself is ("was not given with", "without cetuximab").
MECHANISTIC = frozenset({"nkv:targets", "nkv:counters", "nkv:limitedBy"})
_DESIGN_NEGATED = re.compile(r"\b(?:not|never|no\s+longer)\s+(?:been\s+|be\s+)?(?:combined|given|administered|tested|"
                             r"evaluated|studied|used|treated|co-?administered|added|included|assessed|investigated)\b|"
                             r"\bwithout\b|\brather\s+than\b|\binstead\s+of\b", re.IGNORECASE)


def relation_polarity(predicate: str, sentence: str, negated: bool, hedged: bool) -> tuple[bool, bool]:
    """(negated, hedged) of a relation once the predicate's kind is taken into account."""
    if predicate in MECHANISTIC:
        return negated, hedged
    return negated and bool(_DESIGN_NEGATED.search(sentence)), False

