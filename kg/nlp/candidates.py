"""New-agent candidates for curators: drug codes and INN-like names not in the lexicon, seen in
agent-like contexts ("the bispecific SAR443579", "DF1001 was given", "-mab", "-leukin", "-cel").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CODE_RX = re.compile(r"\b([A-Z]{1,5}-?\d{2,6}[A-Za-z]?)\b")
INN_RX = re.compile(r"\b([a-z]{4,}(?:mab|leukin|cel|cept|kin|gene|vec|stim))\b", re.IGNORECASE)
CONTEXT = re.compile(
    r"\b(?:antibod\w*|engager|vaccine|agonist|cell\s+therapy|product|drug|agent|compound|fusion|cytokine|"
    r"received|treated|administered|given|dose[ds]?|infusion|combination|plus|trial|bispecific|trispecific|CAR)\b",
    re.IGNORECASE,
)
NOT_CODES = re.compile(r"^(?:NCT\d+|CD\d+\w?|IL\d+|HLA\w*|COVID\w*|G\d|T\d|N\d|M\d|PD\d|ECOG\d*|RECIST\w*|CTLA\d|HER\d|ISRCTN\d+)$")


@dataclass(frozen=True)
class Candidate:
    text: str
    category: str
    sentence: str
    reason: str


def find_candidates(sentences: list[str], known: set[str]) -> list[Candidate]:
    out: dict[str, Candidate] = {}
    known_lower = {w.lower() for w in known}
    for s in sentences:
        if not CONTEXT.search(s):
            continue
        for m in CODE_RX.finditer(s):
            code = m.group(1)
            if code in known or NOT_CODES.match(code.replace("-", "")) or code.replace("-", "").isdigit():
                continue
            out.setdefault(code, Candidate(code, "agent", s, "drug-code pattern in an agent context"))
        for m in INN_RX.finditer(s):
            name = m.group(1)
            if name.lower() in known_lower:
                continue
            out.setdefault(name.lower(), Candidate(name, "agent", s, f"INN-like stem -{_stem(name)} in an agent context"))
    return list(out.values())


def _stem(name: str) -> str:
    for stem in ("mab", "leukin", "cel", "cept", "kin", "gene", "vec", "stim"):
        if name.lower().endswith(stem):
            return stem
    return ""
