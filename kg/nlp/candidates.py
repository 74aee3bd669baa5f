"""Candidates for curators, and the test that makes a drug code an agent.

A candidate is an entity the grammar recognised that no lexicon row names (kg/nlp/compose.py: drug
codes, INN stems, products, barriers, tumours). A drug code ("the bispecific SAR443579", "DF1001 was
given") needs an agent-context word within 60 characters and must not look like a cell line, a
mutation (F158V), a trial or cohort name ("PIVOT-02 study"), or a part of a known mention.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_RX = re.compile(r"\b([A-Z]{1,6}-?\d{2,6}[A-Za-z]?|[A-Z]{2,6}-[A-Z]{1,4}\d{1,4}[A-Za-z]?|\d[A-Z]{1,2}\d{1,3}[A-Za-z]?)\b")
CONTEXT = re.compile(
    r"\b(?:antibod\w*|engager|vaccine|agonist|superagonist|cell\s+therapy|product|drug|agent|compound|fusion|"
    r"cytokine|received|treated|administered|given|dose[ds]?|infusion|combination|combined|plus|bispecific|"
    r"trispecific|CAR|inhibitor|blockade|monotherapy|candidate|intratumou?ral(?:ly)?|injection|injected|"
    r"subcutaneous(?:ly)?|intravenous(?:ly)?|cytokine|immunocytokine)\b",
    re.IGNORECASE,
)
NOT_CODES = re.compile(r"^(?:4T1|3LL|2D|3D|NCT\d+|CD\d+\w?|IL\d+\w?|HLA\w*|COVID\w*|ECOG\d*|RECIST\w*|CTLA\d|HER\d|ISRCTN\d+|KCT\d+|"
                       r"[A-Z]\d{2,3}[A-Z]|[GTNM]\d\w?|PD\d|ULBP\d|KIR\d\w*|CXCL\d+|CCL\d+|TLR\d+|GD\d)$")
AFTER_NOT_AGENT = re.compile(r"^\s*-?(?:cells?|cell\s+lines?|lines?|xenografts?|tumou?rs?|mice|model|study|trial|cohort|bearing|"
                             r"breast|colon|lung|melanoma|lymphoma|murine|syngeneic|"
                             r"score|criteria|gene|allele|variant|polymorphism)\b", re.IGNORECASE)
BEFORE_NOT_AGENT = re.compile(r"(?:trial|study|protocol|cohort|lines?|ENGOT|GOG|version|grade)[\s:;,-]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Candidate:
    text: str
    category: str
    sentence: str
    reason: str


def _covered(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def is_code_in_agent_context(text: str, m: re.Match, spans: list[tuple[int, int]]) -> bool:
    """A drug-code match that names an agent: an agent-context word near it, and nothing that makes it a
    cell line, a mutation, a trial or cohort name, or part of a known mention."""
    code = m.group(1)
    if (_covered(m.start(), m.end(), spans) or NOT_CODES.match(code.replace("-", ""))
            or AFTER_NOT_AGENT.match(text[m.end():m.end() + 40]) or BEFORE_NOT_AGENT.search(text[max(0, m.start() - 40):m.start()])):
        return False
    return bool(CONTEXT.search(text[max(0, m.start() - 60):m.end() + 60]))
