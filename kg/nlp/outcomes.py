"""Outcome figures in a sentence: ORR, DCR, CR, PR, SD, PFS, OS, DoR, HR and grade>=3 AE rates.

A measure phrase is paired with the first value that follows it in the same stretch of text (up
to the next measure), or failing that a value just before it ("a 29% objective response rate",
"6 of 21 patients had objective responses"). Survival measures take months (or a percentage for
landmark rates); response and AE rates take a percentage or a count "n/N". A fraction alone gives
the count (unit "patients") with numerator and denominator, never a percentage we computed.
"""

from __future__ import annotations

import re

from ..model import OutcomeFigure

_AE = (r"grade\s*(?:≥|>=|>|3\s*(?:or|and|to)\s*(?:higher|above|greater|more|4|5)|3\s*[-–/]\s*[45]|III\s*[-–/]\s*IV|3\+|3)"
       r"\s*(?:or\s+higher\s+|or\s+above\s+)?(?:\w+[- ]related\s+|treatment[- ]emergent\s+|serious\s+)?"
       r"(?:adverse\s+(?:events?|reactions?)|AEs?|TRAEs?|TEAEs?|toxicit(?:y|ies))")
MEASURES: list[tuple[str, str]] = [
    ("AE_G3PLUS", _AE),
    ("ORR", r"objective\s+response\s+rates?|overall\s+response\s+rates?|objective\s+(?:tumou?r\s+)?responses?|"
            r"\bORRs?\b|best\s+overall\s+response\s+rate|response\s+rates?"),
    ("DCR", r"disease\s+control\s+rates?|disease\s+control|\bDCR\b"),
    ("CR", r"complete\s+(?:response|remission)s?(?:\s+rate)?|\bCR\s+rate|\bCRs?\b"),
    ("PR", r"partial\s+responses?|\bPRs?\b"),
    ("SD", r"stable\s+disease|\bSD\b"),
    ("PFS", r"progression[- ]free\s+survival|\bm?PFS\b"),
    ("OS", r"overall\s+survival|\bm?OS\b"),
    ("DoR", r"duration\s+of\s+(?:response|remission)|\bm?DoR\b|\bm?DOR\b"),
    ("HR", r"hazard\s+ratio|\bHR\b"),
]
_MEASURE_RX = re.compile("|".join(f"(?P<{m}>{rx})" for m, rx in MEASURES), re.IGNORECASE)
NUM = r"(\d+(?:\.\d+)?)"
_CI = re.compile(r"95\s*%\s*(?:CI|confidence\s+interval)[:,]?\s*" + NUM + r"\s*(?:[-–]|to|,)\s*" + NUM, re.IGNORECASE)
_PCT = re.compile(NUM + r"\s*%")
_FRAC = re.compile(r"\b(\d+)\s*(?:/|of|out\s+of)\s*(\d+)\b")
_MONTHS = re.compile(NUM + r"(?:\s*(?:months?|mo))?(?=\s*(?:versus|vs\.?|compared\s+with|and|,)\s*\d+(?:\.\d+)?\s*(?:months?|mo)\b)|"
                     + NUM + r"\s*(?:months?|mo)\b", re.IGNORECASE)
_HR = re.compile(r"(?:HR|ratio)[^0-9]{0,12}(\d\.\d+)|\b(0\.\d+)\b", re.IGNORECASE)
SURVIVAL = {"PFS", "OS", "DoR"}
_DIGIT = re.compile(r"\d")


def _first(rx: re.Pattern, text: str):
    for m in rx.finditer(text):
        # a percentage that is the "95%" of a CI is not a value
        if rx is _PCT and re.match(r"\s*(?:CI|confidence)", text[m.end():], re.IGNORECASE):
            continue
        return m
    return None


def _value(measure: str, seg: str):
    """(value, unit, numerator, denominator) from a stretch of text, or None."""
    frac = _first(_FRAC, seg)
    num, den = (int(frac.group(1)), int(frac.group(2))) if frac and int(frac.group(1)) <= int(frac.group(2)) else (None, None)
    if measure == "HR":
        m = _first(_HR, seg)
        return (float(m.group(1) or m.group(2)), "ratio", None, None) if m else None
    if measure in SURVIVAL:
        mo, pct = _first(_MONTHS, seg), _first(_PCT, seg)
        if mo and (not pct or mo.start() < pct.start()):
            return float(mo.group(1) or mo.group(2)), "months", None, None
        return (float(pct.group(1)), "%", None, None) if pct else None
    pct = _first(_PCT, seg)
    if pct and (frac is None or pct.start() <= frac.start() + 40):
        return float(pct.group(1)), "%", num, den
    if num is not None:
        return float(num), "patients", num, den
    return None


def find_outcomes(sentence: str, subject: str | None = None, source: str | None = None,
                  subject_at=None) -> list[OutcomeFigure]:
    """Outcome figures in one sentence. ``subject_at(offset)`` names the agent nearest before an offset."""
    if not _DIGIT.search(sentence):
        return []
    found = list(_MEASURE_RX.finditer(sentence))
    out: list[OutcomeFigure] = []
    seen: set[str] = set()
    for i, m in enumerate(found):
        measure = m.lastgroup
        nxt = found[i + 1].start() if i + 1 < len(found) else len(sentence)
        seg = sentence[m.end():min(nxt, m.end() + 90)]
        # a value shortly before the measure: "a 29% ORR", "6 of 21 patients achieved an objective response"
        before = sentence[max(0, m.start() - 45):m.start()]
        val = _value(measure, seg)
        if val is None and measure != "HR":
            val = _value(measure, before)
        if val is None or measure in seen:
            continue
        seen.add(measure)
        value, unit, num, den = val
        ci = _CI.search(seg)
        out.append(OutcomeFigure(
            measure=measure, value=value, unit=unit,
            ci_low=float(ci.group(1)) if ci else None, ci_high=float(ci.group(2)) if ci else None,
            numerator=num, denominator=den,
            subject=(subject_at(m.start()) if subject_at else None) or subject,
            sentence=sentence, source=source,
        ))
    return out
