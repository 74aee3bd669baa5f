"""Outcome figures in a sentence: ORR, DCR, CR, PR, SD, PFS, OS, DoR, HR and grade>=3 AE rates.

How a sentence is read:
- A *measure* phrase ("objective response rate", "median PFS", "grade 3-4 TRAEs") opens a stretch of
  text that runs to the next measure. Consecutive measures joined by "and"/","/"or" form a group
  ("median PFS and OS were 4.5 and 8.3 months") whose values are paired in order.
- The stretch is scanned for *values*: percentages, counts "n/N" / "n of N", months, ratios. A
  value list continues over connectors ("42.2% (19/45) versus 24.0% (6/25)", "62.6% and 72.7%
  compared with 33.9%"): the first value belongs to the agent nearest before the measure, the
  others to comparators. A bare number in such a list takes the unit of the next one ("7.1 versus
  2.9 months"). A count right after a percentage is its numerator/denominator. 95% CIs attach to
  the value before them and are never values themselves.
- Failing that, a count just before the measure: "1 CR and 10 PRs", "three achieved a PR",
  "6 of 21 patients had objective responses" (unit "patients"; we never compute a percentage).
- "No objective responses" reads as ORR 0 %.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import OutcomeFigure

_AE = (r"grade\s*(?:(?:≥|>=|>|=>)\s*(?:3|III)|3\s*(?:or|and|to)\s*(?:higher|above|greater|more|4|5)|3\s*[-–/]\s*[45]|"
       r"III\s*[-–/]\s*IV|3\+|3|III)"
       r"\s*(?:or\s+(?:higher|above|greater)\s+)?(?:\w+[- ]related\s+|treatment[- ]emergent\s+|serious\s+|immune[- ]related\s+)?"
       r"(?:adverse\s+(?:events?|reactions?)|AEs?|TRAEs?|TEAEs?|irAEs?|toxicit(?:y|ies))")
MEASURES: list[tuple[str, str]] = [
    ("AE_G3PLUS", _AE),
    ("DoR", r"duration\s+of\s+(?:response|remission|CR|complete\s+response)|\bm?DoR\b|\bm?DOR\b"),
    ("ORR", r"objective\s+response\s+rates?|overall\s+response\s+rates?|objective\s+(?:tumou?r\s+)?responses?|"
            r"\bORRs?\b|best\s+overall\s+response\s+rate|"
            r"(?<!PSA\s)(?<!PSA50\s)(?<!biochemical\s)(?<!pathological\s)(?<!pathologic\s)(?<!metabolic\s)"
            r"(?<!serological\s)(?<!molecular\s)(?<!immune\s)response\s+rates?|responses\s+were\s+more\s+frequent"),
    ("DCR", r"disease\s+control\s+rates?|disease\s+control|\bDCR\b|clinical\s+benefit\s+rate"),
    ("CR", r"complete\s+(?:response|remission)s?(?:\s+rates?)?|\bCR\s+rates?|\bCRs?\b"),
    ("PR", r"partial\s+responses?|\bPRs?\b"),
    ("SD", r"stable\s+disease|\bSD(?:\s+rates?)?\b"),
    ("PFS", r"(?:radiographic\s+)?progression[- ]free\s+survival|\b[mr]?PFS\b"),
    ("OS", r"overall\s+survival|\bm?OS\b|\b\d+-(?:month|year)\s+(?:survival|OS)"),
    ("HR", r"hazard\s+ratios?|\bHRs?\b"),
]
_MEASURE_RX = re.compile("|".join(f"(?P<{m}>{rx})" for m, rx in MEASURES), re.IGNORECASE)
_CI = re.compile(r"[(\[,;]?\s*95\s*%\s*(?:CI|confidence\s+interval)[:,]?\s*(\d+(?:\.\d+)?)\s*(?:[-–]|to|,)\s*"
                 r"(\d+(?:\.\d+)?)\s*(?:%|months?)?\s*[)\]]?", re.IGNORECASE)
_VALUE = re.compile(
    r"(?P<num>\d+)\s*(?:/|of|out\s+of)\s*(?P<den>\d+)\b"
    r"|(?P<val>\d+(?:\.\d+)?)\s*(?P<unit>%|months?\b|mo\b|weeks?\b)?",
    re.IGNORECASE,
)
_CONNECTOR = re.compile(r"^[\s,;()]*(?:(?:versus|vs\.?|compared\s+(?:with|to)|against|and|or|to|respectively|"
                        r"with\s+[\w-]+(?:\s+[\w-]+)?(?:\s+alone)?|in\s+the\s+[\w-]+\s+arm)[\s,;()]*)*$", re.IGNORECASE)
_WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_COUNT_WORD = re.compile(r"\b(?P<n>\d+|" + "|".join(k for k in _WORDS if k not in ("no", "none")) + r")"
                         r"(?:\s*(?:of|/)\s*(?P<den>\d+))?\b", re.IGNORECASE)
_COUNT_TAIL = re.compile(r"^(?:\s+[A-Za-z-]+){0,4}?\s*(?:an?\s+)?$")
_NO_RESPONSE = re.compile(r"\bno\s+(?:confirmed\s+)?objective\s+(?:tumou?r\s+)?responses?\b|\bno\s+objective\s+responses?\b",
                          re.IGNORECASE)
_DIGIT = re.compile(r"\d")
# every measure pattern contains one of these: a cheap test before the full alternation
_MEASURE_HINT = re.compile(r"respons|remission|control|benefit|surviv|PFS|OS\b|DoR|DOR|hazard|HR|grade|stable|SD|CR|PR|ORR|DCR",
                           re.IGNORECASE)
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
RESPONSE = {"ORR", "DCR", "CR", "PR", "SD"}
SURVIVAL = {"PFS", "OS", "DoR"}


@dataclass
class _Val:
    start: int
    end: int
    value: float
    unit: str | None
    num: int | None = None
    den: int | None = None
    ci: tuple[float, float] | None = None


def _scan_values(seg: str) -> list[_Val]:
    """Values of a stretch, in order, as one list joined by connectors; CIs attached, not listed."""
    cis = [(m.start(), m.end(), (float(m.group(1)), float(m.group(2)))) for m in _CI.finditer(seg)]
    masked = seg
    for s, e, _ in cis:
        masked = masked[:s] + " " * (e - s) + masked[e:]
    vals: list[_Val] = []
    for m in _VALUE.finditer(masked):
        if m.group("val") and (m.group("unit") or "") == "%" and vals and vals[-1].unit == "patients" and \
                vals[-1].den and re.fullmatch(r"\s*(?:[a-z-]+\s*)?\(?\s*", masked[vals[-1].end:m.start()], re.IGNORECASE):
            vals[-1].value, vals[-1].unit = float(m.group("val")), "%"  # "35 of 40 participants (87.5%)"
            vals[-1].end = m.end()
            continue
        if vals:
            gap = masked[vals[-1].end:m.start()]
            if not _CONNECTOR.match(gap) or len(gap) > 45:
                break
        elif m.start() > 70:
            break
        if m.group("num"):
            num, den = int(m.group("num")), int(m.group("den"))
            if num > den:
                continue
            if vals and vals[-1].unit == "%" and vals[-1].num is None and m.start() - vals[-1].end < 4:
                vals[-1].num, vals[-1].den = num, den  # "42.2% (19/45)"
                vals[-1].end = m.end()
                continue
            vals.append(_Val(m.start(), m.end(), float(num), "patients", num, den))
            continue
        unit = (m.group("unit") or "").lower()
        unit = {"month": "months", "mo": "months", "week": "weeks"}.get(unit, unit) or None
        if unit is None:
            after = masked[m.end():m.end() + 25]
            if not re.match(r"\s*(?:,|and|or|versus|vs\.?|to|compared)\b", after) and not after.strip().startswith(")"):
                if vals:
                    break
                continue  # "in 40 patients": a count of people, not a figure
        vals.append(_Val(m.start(), m.end(), float(m.group("val")), unit))
    for v in vals:
        for s, e, ci in cis:
            if 0 <= s - v.end < 6:
                v.ci = ci
    # a bare number takes the unit of the next value that has one ("7.1 versus 2.9 months")
    for i in range(len(vals) - 2, -1, -1):
        if vals[i].unit is None:
            vals[i].unit = vals[i + 1].unit
    return [v for v in vals if v.unit is not None]


def _fits(measure: str, v: _Val) -> bool:
    if measure == "HR":
        return v.unit is None or v.value < 10
    if measure in SURVIVAL:
        return v.unit in ("months", "weeks", "%")
    return v.unit in ("%", "patients")


def _figure(measure, v: _Val, subject, sentence, source) -> OutcomeFigure:
    unit = "ratio" if measure == "HR" else v.unit
    return OutcomeFigure(measure=measure, value=v.value, unit=unit, ci_low=v.ci[0] if v.ci else None,
                         ci_high=v.ci[1] if v.ci else None, numerator=v.num, denominator=v.den, subject=subject,
                         sentence=sentence, source=source)


_P_VALUE = re.compile(r"\bp\s*(?:[=<>≤≥]|<=|>=)\s*0?\.\d+", re.IGNORECASE)
_PCT_BEFORE = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*(?:of\s+(?:the\s+)?patients\s+)?(?:had\s+|achieved\s+|showed\s+)?"
                         r"(?:an?\s+|the\s+)?(?:confirmed\s+|overall\s+|best\s+)?$", re.IGNORECASE)


def _hr_values(seg: str) -> list[_Val]:
    """Hazard ratios: decimals after the measure, but never a CI bound or a P value."""
    masked = seg[:80]
    for rx in (_CI, _P_VALUE):
        masked = rx.sub(lambda m: " " * len(m.group()), masked)
    out = []
    for m in re.finditer(r"(?<![\d.])(\d\.\d+)\b", masked):
        if out and not _CONNECTOR.match(masked[out[-1].end:m.start()]):
            break
        out.append(_Val(m.start(), m.end(), float(m.group(1)), None))
    return out


def find_outcomes(sentence: str, subject: str | None = None, source: str | None = None,
                  subject_at=None) -> list[OutcomeFigure]:
    """Outcome figures in one sentence. ``subject_at(offset)`` names the agent nearest before an offset."""
    out: list[OutcomeFigure] = []
    who = (lambda off: (subject_at(off) if subject_at else None) or subject)
    if _NO_RESPONSE.search(sentence):
        out.append(OutcomeFigure("ORR", 0.0, "%", subject=who(_NO_RESPONSE.search(sentence).start()),
                                 sentence=sentence, source=source))
    if not _DIGIT.search(sentence) and not _NUMBER_WORD.search(sentence):
        return out
    if not _MEASURE_HINT.search(sentence):
        return out
    found = list(_MEASURE_RX.finditer(sentence))
    seen: set[tuple] = {(o.measure, o.value, o.unit) for o in out}
    i = 0
    while i < len(found):
        group = [found[i]]
        j = i + 1
        while j < len(found) and re.fullmatch(r"\s*(?:,|and|or|/|,\s*and)\s*", sentence[group[-1].end():found[j].start()]):
            group.append(found[j])
            j += 1
        end = found[j].start() if j < len(found) else len(sentence)
        seg_start = group[-1].end()
        seg = sentence[seg_start:min(end, seg_start + 160)]
        measures = [g.lastgroup for g in group]
        values = _hr_values(seg) if measures == ["HR"] else _scan_values(seg)
        if len(group) == 1:
            values = [v for v in values if _fits(measures[0], v)]
        pairs: list[tuple[str, _Val, bool]] = []
        if len(group) > 1 and len(values) >= len(group):
            pairs = [(m, v, True) for m, v in zip(measures, values)]
        elif len(group) == 1 and values:
            pairs = [(measures[0], v, k == 0) for k, v in enumerate(values)]
        elif len(group) > 1 and values:
            pairs = [(measures[-1], values[0], True)]
        if not pairs:
            before = sentence[max(0, group[0].start() - 60):group[0].start()]
            pct = _PCT_BEFORE.search(before)
            if pct and measures[0] not in SURVIVAL and measures[0] != "HR":
                pairs = [(measures[0], _Val(0, 0, float(pct.group(1)), "%"), True)]
        if not pairs:
            counts = list(_COUNT_WORD.finditer(before))
            tail = _COUNT_TAIL.match(before[counts[-1].end():]) if counts else None
            if tail and measures[0] in RESPONSE:
                n = counts[-1].group("n").lower()
                count = int(n) if n.isdigit() else _WORDS[n]
                den = int(counts[-1].group("den")) if counts[-1].group("den") else None
                pairs = [(measures[0], _Val(0, 0, float(count), "patients", count, den), True)]
        for measure, v, first in pairs:
            if not _fits(measure, v):
                continue
            key = (measure, v.value, "ratio" if measure == "HR" else v.unit)
            if key in seen:
                continue
            seen.add(key)
            out.append(_figure(measure, v, who(group[0].start()) if first else None, sentence, source))
        i = j
    return out
