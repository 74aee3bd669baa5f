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
_AE_NOUN = r"(?:adverse\s+(?:events?|reactions?|effects?)|AEs?|TRAEs?|TEAEs?|irAEs?|SAEs?|toxicit(?:y|ies)|side\s+effects?|events?)"
_AE_G4 = (r"grade\s*(?:(?:≥|>=|>|=>)\s*(?:4|IV)|(?:4|IV)(?:\s*(?:or|and|[-–/])\s*(?:5|V))?)\s*(?:or\s+(?:higher|above)\s+)?"
          r"(?:\w+[- ]related\s+|treatment[- ]emergent\s+|serious\s+)?" + _AE_NOUN)
MEASURES: list[tuple[str, str]] = [
    ("AE_G3PLUS", _AE),
    ("AE_G4PLUS", _AE_G4),
    ("DLT", r"dose[- ]limiting\s+toxicit(?:y|ies)|\bDLTs?\b"),
    ("AE_ANY", r"(?:any[- ]grade|all[- ]grade)\s+(?:\w+[- ]related\s+)?(?:adverse\s+events?|AEs?|TRAEs?|TEAEs?|toxicit(?:y|ies))|"
               r"treatment[- ]related\s+adverse\s+events?|\bTRAEs\b|\bTEAEs\b"),
    ("DoR", r"duration\s+of\s+(?:response|remission|CR|complete\s+response)|\bm?DoR\b|\bm?DOR\b"),
    ("ORR", r"objective\s+response\s+rates?|overall\s+response\s+rates?|objective\s+(?:tumou?r\s+)?responses?|"
            r"\bORRs?\b|best\s+overall\s+response\s+rate|"
            r"(?<!PSA\s)(?<!PSA50\s)(?<!biochemical\s)(?<!pathological\s)(?<!pathologic\s)(?<!metabolic\s)"
            r"(?<!serological\s)(?<!molecular\s)(?<!immune\s)response\s+rates?|responses\s+were\s+more\s+frequent"),
    ("DCR", r"disease\s+control\s+rates?|disease\s+control|\bDCR\b"),
    ("CBR", r"clinical\s+benefit\s+rates?|\bCBR\b"),
    ("CR", r"complete\s+(?:response|remission)s?(?:\s+rates?)?|\bCR\s+rates?|\bCRs?\b"),
    ("PR", r"partial\s+(?:responses?|remissions?)|\bPRs?\b"),
    ("SD", r"stable\s+disease|disease\s+stabili[sz]ation|\bSD(?:\s+rates?)?\b|(?:were|was|remained)\s+stable\b"),
    ("PD", r"progressive\s+disease|(?:showed|had|experienced)\s+(?:disease\s+)?progression"),
    ("PFS", r"(?:radiographic\s+)?progression[- ]free\s+survival|\b[mr]?PFS\b"),
    ("DFS", r"disease[- ]free\s+survival|\bm?DFS\b"),
    ("RFS", r"(?:relapse|recurrence)[- ]free\s+survival|\bm?RFS\b"),
    ("EFS", r"event[- ]free\s+survival|\bEFS\b"),
    ("TTP", r"time\s+to\s+(?:first\s+)?(?:tumou?r\s+|disease\s+)?(?:progression|recurrence|relapse)|\bm?TT[PR]\b"),
    ("OS", r"overall\s+survival|\bm?OS\b|\b\d+(?:\.\d+)?-?(?:\s*(?:,|and|or)\s*\d+(?:\.\d+)?-?)*\s*-?\s*(?:month|year|yr)s?\s+"
           r"(?:overall\s+)?(?:survival|OS)(?:\s+rates?)?|median\s+survival(?:\s+times?)?|survival\s+rates?"),
    ("HR", r"hazard\s+ratios?|\bHRs?\b"),
    ("FOLLOWUP", r"(?:median|mean)\s+(?:duration\s+of\s+)?follow[- ]up(?:\s+(?:time|period|duration))?|"
                 r"follow[- ]up(?:\s+(?:time|period|duration))?(?=\s+(?:of|was|lasted|:))"),
    ("PURITY", r"purity"),
    ("VIABILITY", r"viability"),
    ("EXPANSION", r"expansion(?:\s+rate)?|expanded"),
]
_MEASURE_RX = re.compile("|".join(f"(?P<{m}>{rx})" for m, rx in MEASURES), re.IGNORECASE)
_CI = re.compile(r"[(\[,;]?\s*9[05]\s*%\s*(?:CI|confidence\s+intervals?|CrI)(?:\s*[\[(]CI[\])])?[:,]?\s*(\d+(?:\.\d+)?)\s*"
                 r"(?:%|months?|mo)?\s*(?:[-–]|to|,)\s*(\d+(?:\.\d+)?|not\s+(?:reached|estimable|evaluable)|NR|NE)\s*"
                 r"(?:%|months?|mo)?\s*[)\]]?", re.IGNORECASE)
# ranges and interquartile ranges in brackets are never values, nor is a bare confidence level ("95% CI")
_RANGE = re.compile(r"[(\[]\s*(?:IQR|interquartile\s+range|range)?[:,]?\s*\d+(?:\.\d+)?\s*(?:%|months?|mo)?\s*(?:[-–]|to)\s*"
                    r"\d+(?:\.\d+)?\s*(?:%|months?|mo)?\s*[)\]]|\b9[05]\s*%\s*(?:CI|confidence|CrI)\b", re.IGNORECASE)
_VALUE = re.compile(
    r"(?<![A-Za-z])(?P<num>\d+)\s*(?:/|of|out\s+of)\s*(?P<den>\d+)\b"
    r"|(?<![A-Za-z\d.])(?P<val>\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)\s*(?P<unit>%|months?\b|mo\b|weeks?\b|wk\b|days?\b|years?\b|yr\b|"
    r"-?\s*fold\b|×)?",
    re.IGNORECASE,
)
_ARM = r"[\w+/-]+(?:\s+[\w+/-]+)?(?:\s+(?:plus|and|\+|with)\s+[\w+/-]+)?"
_CONNECTOR = re.compile(r"^[\s,;()]*(?:(?:versus|vs\.?|compared\s+(?:with|to)|against|and|or|to|respectively|"
                        r"with\s+[\w-]+(?:\s+[\w-]+)?(?:\s+alone)?|in\s+the\s+[\w-]+\s+arm|"
                        r"(?:in|for)\s+(?:the\s+)?[\w+/-]+(?:\s+[\w+/-]+)?\s+(?:groups?|arms?|cohorts?)|"
                        r"(?:in|for)\s+(?:groups?|arms?|cohorts?)\s+[A-Z0-9]{1,2}|"
                        r"than(?:\s+(?:in|with|for))?\s+(?:the\s+)?[\w+/-]+(?:\s+[\w+/-]+)?|"
                        r"for\s+" + _ARM + r"(?:\s+alone)?)[\s,;()]*)*$", re.IGNORECASE)
_P_MASK = re.compile(r"[,;(]?\s*(?:interaction\s+)?[Pp]\s*(?:[=<>≤≥]|<=|>=)\s*0?\.\d+\s*\)?")
_WORDS = {"no": 0, "none": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
          "nine": 9, "ten": 10, "eleven": 11, "twelve": 12}
_COUNT_WORD = re.compile(r"\b(?P<n>\d+|" + "|".join(k for k in _WORDS if k not in ("no", "none")) + r")"
                         r"(?:\s*(?:of|/)\s*(?P<den>\d+))?\b", re.IGNORECASE)
_COUNT_TAIL = re.compile(r"^(?:\s+[A-Za-z-]+){0,4}?\s*(?:an?\s+)?$")
_NO_RESPONSE = re.compile(r"\bno\s+(?:confirmed\s+)?objective\s+(?:tumou?r\s+)?responses?\b|\bno\s+objective\s+responses?\b",
                          re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_FREE_DIGIT = re.compile(r"(?<![A-Za-z\d])\d")  # a number, not a digit inside a name (FCGR2A)
# every measure pattern contains one of these: a cheap test before the full alternation
_ZERO_WORDS = frozenset({"no", "without", "not", "absence", "free"})
_EVENT_VERBS = frozenset({"suffered", "experienced", "developed", "presented", "reported", "had"})
_NUMBER_WORD = re.compile(r"\b(?:" + "|".join(_WORDS) + r")\b", re.IGNORECASE)
RESPONSE = {"ORR", "DCR", "CBR", "CR", "PR", "SD", "PD"}
SURVIVAL = {"PFS", "OS", "DoR", "DFS", "RFS", "EFS", "TTP"}
TIMES = ("months", "weeks", "days", "years")
SAFETY = {"AE_G3PLUS", "AE_G4PLUS", "AE_ANY", "AE"}


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
    cis = [(m.start(), m.end(), (float(m.group(1)), float(m.group(2)) if m.group(2)[0].isdigit() else None))
           for m in _CI.finditer(seg)]
    masked = seg
    for s, e, _ in cis:
        masked = masked[:s] + " " * (e - s) + masked[e:]
    masked = _RANGE.sub(lambda m: " " * len(m.group()), masked)
    masked = _P_MASK.sub(lambda m: " " * len(m.group()), masked)  # P values are never figures
    vals: list[_Val] = []
    for m in _VALUE.finditer(masked):
        if m.group("val") and (m.group("unit") or "") == "%" and vals and vals[-1].unit is None and \
                vals[-1].value == int(vals[-1].value) and re.fullmatch(r"\s*\(\s*", masked[vals[-1].end:m.start()]):
            v = vals[-1]  # "7 (12%)": the percentage, with its count
            v.num, v.value, v.unit, v.end = int(v.value), float(m.group("val")), "%", m.end()
            continue
        if m.group("val") and (m.group("unit") or "") == "%" and vals and vals[-1].unit == "patients" and \
                vals[-1].den and re.fullmatch(r"\s*(?:[a-z-]+\s*)?\(?\s*", masked[vals[-1].end:m.start()], re.IGNORECASE):
            vals[-1].value, vals[-1].unit = float(m.group("val")), "%"  # "35 of 40 participants (87.5%)"
            vals[-1].end = m.end()
            continue
        if vals:
            gap = masked[vals[-1].end:m.start()]
            if not _CONNECTOR.match(gap) or len(gap) > 45:
                break
        elif m.start() > 70 and (_FREE_DIGIT.search(masked[:m.start()]) or
                                 (m.start() > 130 and not (m.start() <= 220 and masked[:m.start()].rstrip().endswith("(")))):
            break  # the first value is near the measure, or opens a bracket of figures a clause later
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
        unit = re.sub(r"[\s-]", "", (m.group("unit") or "").lower())
        unit = {"month": "months", "mo": "months", "week": "weeks", "wk": "weeks", "day": "days", "year": "years",
                "yr": "years", "×": "fold"}.get(unit, unit) or None
        if unit is None:
            after = masked[m.end():m.end() + 25]
            if re.match(r"\s*\(\s*\d+(?:\.\d+)?\s*%", after) and float(m.group("val").replace(",", "")).is_integer():
                vals.append(_Val(m.start(), m.end(), float(m.group("val").replace(",", "")), None))  # "7 (12%)"
                continue
            if not re.match(r"\s*(?:,|and|or|versus|vs\.?|to|compared)\b", after) and not after.strip().startswith(")"):
                if vals:
                    break
                continue  # "in 40 patients": a count of people, not a figure
        vals.append(_Val(m.start(), m.end(), float(m.group("val").replace(",", "")), unit))
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
        return v.unit in TIMES or v.unit == "%"
    if measure == "FOLLOWUP":
        return v.unit in TIMES
    if measure == "EXPANSION":
        return v.unit == "fold"
    if measure in ("PURITY", "VIABILITY"):
        return v.unit == "%"
    if measure == "DLT":
        return v.unit == "patients"
    return v.unit in ("%", "patients") and not (v.unit == "%" and v.value > 100)


def _figure(measure, v: _Val, subject, sentence, source) -> OutcomeFigure:
    unit = "ratio" if measure == "HR" else v.unit
    if measure == "TTP" and unit == "%":
        measure = "RFS"  # "time to recurrence ... 48% at 3 years": a landmark rate free of recurrence
    return OutcomeFigure(measure=measure, value=v.value, unit=unit, ci_low=v.ci[0] if v.ci else None,
                         ci_high=v.ci[1] if v.ci else None, numerator=v.num, denominator=v.den, subject=subject,
                         sentence=sentence, source=source)


_P_VALUE = re.compile(r"\bp\s*(?:[=<>≤≥]|<=|>=)\s*0?\.\d+", re.IGNORECASE)
_PCT_BEFORE = re.compile(r"(\d+(?:\.\d+)?)\s*%\s*\)?\s*(?:of\s+(?:the\s+)?(?:patients|participants|subjects)\s+)?"
                         r"(?:had\s+|achieved\s+|showed\s+|experienced\s+|developed\s+|reported\s+)?(?:at\s+least\s+one\s+)?"
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


_AE_ZERO_NOUN = r"(?:\w+[- ]related\s+|treatment[- ]emergent\s+)?(?:adverse\s+(?:events?|reactions?|effects?)|AEs?|TRAEs?|TEAEs?|irAEs?|toxicit(?:y|ies)|side\s+effects?|events?)"
_ZERO: list[tuple[str, str, re.Pattern]] = [
    ("DLT", "patients", re.compile(r"\b(?:no|without|absence\s+of|free\s+of)\s+(?:\w+\s+){0,2}?(?:dose[- ]limiting\s+toxicit(?:y|ies)|DLTs?)\b|"
                                   r"\b(?:dose[- ]limiting\s+toxicit(?:y|ies)|DLTs?)\s+(?:were|was|have\s+been|has\s+been)\s+"
                                   r"(?:not\s+(?:observed|reported|seen|noted|encountered|identified)|absent)|"
                                   r"\bno\s+(?:patients?|subjects?|participants?)\s+(?:experienced|had|developed)\s+(?:an?\s+)?"
                                   r"(?:dose[- ]limiting\s+toxicit(?:y|ies)|DLTs?)", re.IGNORECASE)),
    ("AE_G4PLUS", "%", re.compile(r"\b(?:no|without)\s+(?:\w+[- ]related\s+)?grade\s*(?:(?:≥|>=)\s*4|4|IV)(?:\s*(?:or|and|[-–/])\s*(?:5|V))?"
                                  r"\s*(?:or\s+(?:higher|greater|above)\s+)?" + _AE_ZERO_NOUN, re.IGNORECASE)),
    ("AE_G3PLUS", "%", re.compile(r"\b(?:no|without)\s+(?:\w+[- ]related\s+)?(?:(?:grade\s*(?:(?:≥|>=|>)\s*(?:3|III)|3\s*(?:or|and|to)\s*"
                                  r"(?:higher|above|greater|more|4|5)|3\s*[-–/]\s*[45]|III\s*[-–/]\s*IV|3\+|3|III)))\s+" + _AE_ZERO_NOUN, re.IGNORECASE)),
]
_AE_CONTEXT = re.compile(r"adverse|toxicit|side\s+effect|\bAEs?\b|TRAE|TEAE|irAE|grade\s*[1-5]|grade\s*(?:≥|>=)|safety|tolera", re.IGNORECASE)
_EVENTS = re.compile(
    r"\b(?P<event>fatigue|asthenia|nausea|vomiting|diarrh(?:o)?ea|constipation|fever|pyrexia|chills|rigors|rash|pruritus|"
    r"headache|arthralgia|myalgia|anorexia|decreased\s+appetite|an(?:a)?emia|neutropenia|febrile\s+neutropenia|"
    r"thrombocytopenia|lymphopenia|leukopenia|hypotension|hypertension|dyspnea|dyspnoea|cough|pneumonitis|colitis|"
    r"hepatitis|hypothyroidism|hyperthyroidism|oedema|edema|capillary\s+leak\s+syndrome|cytokine\s+release\s+syndrome|"
    r"infusion[- ]related\s+reactions?|injection[- ]site\s+reactions?|flu[- ]like\s+(?:symptoms|illness)|"
    r"(?:elevated|increased)\s+(?:ALT|AST|transaminases?|liver\s+enzymes|lipase|amylase|creatinine)|"
    r"transaminitis|stomatitis|mucositis|alopecia|(?:peripheral\s+)?neuropathy|infections?|dizziness|"
    r"hyperglycemia|hyponatremia|hypokalemia|weight\s+loss|abdominal\s+pain|back\s+pain|pain|"
    r"vitiligo|hypoalbuminemia|lymphocytosis|eosinophilia|tachycardia|sepsis)\b"
    r"(?:\s*\((?P<inner>[^()]{1,40}?)[);]|\s*[,:]?\s*(?:in\s+|of\s+)?(?P<after>\d+(?:\.\d+)?\s*%))", re.IGNORECASE)
_INNER = re.compile(r"^\s*(?:(?:n\s*=\s*)?(?P<n>\d+)(?![\d.]|\s*%)(?:\s*/\s*\d+|\s+of\s+\d+)?\s*(?:patients?)?\s*[,;]?\s*)?"
                    r"(?:(?P<pct>\d+(?:\.\d+)?)\s*%)?\s*$", re.IGNORECASE)
_FOLD_BEFORE = re.compile(r"(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*-?\s*fold\s+(?:[\w-]+\s+){0,2}$", re.IGNORECASE)
_PATIENTS_AFTER = re.compile(r"^\s*(?:was|were|occurred|observed|reported|seen|noted|developed|experienced|\s)*\s*(?:in|among)\s+"
                             r"(?P<n>\d+|" + "|".join(k for k in _WORDS if k not in ("no", "none")) +
                             r")\s+(?:of\s+(?:the\s+)?\d+\s+)?(?:patients?|participants?|subjects?|cases?)\b", re.IGNORECASE)


def _zero_findings(sentence: str) -> list[tuple[str, float, str, int]]:
    return [(measure, 0.0, unit, m.start()) for measure, unit, rx in _ZERO for m in [rx.search(sentence)] if m]


_EVENT_FIRST = frozenset("""fatigue asthenia nausea vomiting diarrhea diarrhoea constipation fever pyrexia chills rigors rash
pruritus headache arthralgia myalgia anorexia decreased anemia anaemia neutropenia febrile thrombocytopenia lymphopenia
leukopenia hypotension hypertension dyspnea dyspnoea cough pneumonitis colitis hepatitis hypothyroidism hyperthyroidism
oedema edema capillary cytokine infusion injection flu elevated increased transaminitis stomatitis mucositis alopecia
peripheral neuropathy infection infections dizziness hyperglycemia hyponatremia hypokalemia weight abdominal back pain
vitiligo hypoalbuminemia lymphocytosis eosinophilia tachycardia sepsis""".split())


_EVENT_NAME = re.compile(_EVENTS.pattern.split(r")\b(?:")[0] + r")\b", re.IGNORECASE)
_EVENT_COUNT = re.compile(r"\b(?P<n>\d+|" + "|".join(k for k in _WORDS if k not in ("no", "none")) + r")\s+"
                          r"(?:cases?|patients?|subjects?|participants?)\s+(?:suffered\s+from|experienced|developed|had|"
                          r"presented\s+with|reported)\s+(?:grade\s+\d\s+)?", re.IGNORECASE)


def _event_counts(sentence: str) -> list[tuple[str, float, str, str]]:
    """"3 cases suffered from pyrexia", "two patients developed grade 2 rash": AE counts in patients."""
    out = []
    for m in _EVENT_COUNT.finditer(sentence):
        e = _EVENT_NAME.match(sentence, m.end())
        if e is None:
            continue
        n = m.group("n").lower()
        out.append(("AE", float(n) if n.isdigit() else float(_WORDS[n]), "patients", e.group("event").lower()))
    return out


def _named_events(sentence: str, tokens: list[tuple[int, str]] | None = None) -> list[tuple[str, float, str, str]]:
    """(AE, value, unit, event) for named adverse events with a figure, in a sentence about safety."""
    tokens = _tokens(sentence) if tokens is None else tokens
    if not any(w in _AE_WORDS or w.startswith(("toxicit", "tolera")) for _, w in tokens) or not _AE_CONTEXT.search(sentence):
        return []
    out = []
    starts = [pos for pos, w in tokens if w in _EVENT_FIRST]
    matches = []
    for pos in starts:  # the event alternation is tried only at words an event name can start with
        if matches and pos < matches[-1].end():
            continue
        m = _EVENTS.match(sentence, pos)
        if m:
            matches.append(m)
    for m in matches:
        event = m.group("event").lower()
        if m.group("after"):
            out.append(("AE", float(m.group("after").rstrip("% ")), "%", event))
            continue
        inner = _INNER.match(m.group("inner") or "")
        if not inner:
            continue
        if inner.group("pct"):
            out.append(("AE", float(inner.group("pct")), "%", event))
        elif inner.group("n"):
            out.append(("AE", float(inner.group("n")), "patients", event))
    return out


# the words a measure phrase can start with: the full alternation is tried only at those words (measured:
# scanning every position of every sentence with it cost more than the rest of the outcome grammar)
_FIRST_WORDS = frozenset("""grade dose dlt dlts any all treatment traes teaes duration dor mdor objective overall orr orrs best
response responses disease dcr clinical cbr complete cr crs partial pr prs stable sd were was remained progressive showed
had experienced radiographic progression pfs mpfs rpfs dfs mdfs relapse recurrence rfs mrfs event efs time ttp mttp ttr mttr
os mos median survival hr hrs hazard mean follow purity viability expansion expanded""".split())
_TOKEN = re.compile(r"[A-Za-z0-9]+")


_GROUP_GAP = re.compile(r"\s*(?:\([^()]{1,12}\)\s*)?(?:,|and|or|/|,\s*and)\s*(?:(?:\d+|one|two|three|five)[- ](?:year|month)\s+)?",
                        re.IGNORECASE)


_AE_WORDS = frozenset("adverse ae aes trae traes teae teaes irae iraes grade side safety".split())


def _tokens(sentence: str) -> list[tuple[int, str]]:
    """(offset, lower-case word) of every alphanumeric token: computed once per sentence."""
    return [(t.start(), t.group().lower()) for t in _TOKEN.finditer(sentence)]


def _measures(sentence: str, tokens: list[tuple[int, str]] | None = None) -> list[re.Match]:
    """``_MEASURE_RX.finditer(sentence)``, tried only where a measure phrase can start; a measure's own
    abbreviation in brackets right after it ("overall survival (OS)") is not a second measure."""
    out: list[re.Match] = []
    end = 0
    for pos, w in (_tokens(sentence) if tokens is None else tokens):  # measured: 2x a regex of first words
        if pos < end or not (w[0].isdigit() or w in _FIRST_WORDS):
            continue
        m = _MEASURE_RX.match(sentence, pos)
        if m:
            if out and out[-1].lastgroup == m.lastgroup and re.fullmatch(r"\s*\(\s*", sentence[out[-1].end():m.start()]) \
                    and sentence[m.end():m.end() + 3].lstrip().startswith(")"):
                end = m.end()
                continue
            out.append(m)
            end = m.end()
    return out


def find_outcomes(sentence: str, subject: str | None = None, source: str | None = None,
                  subject_at=None) -> list[OutcomeFigure]:
    """Outcome figures in one sentence. ``subject_at(offset)`` names the agent nearest before an offset."""
    out: list[OutcomeFigure] = []
    who = (lambda off: (subject_at(off) if subject_at else None) or subject)
    tokens = _tokens(sentence)
    words = {w for _, w in tokens}
    if words & _ZERO_WORDS:  # "no objective responses", "no DLTs", "without grade 4 events"
        if (none := _NO_RESPONSE.search(sentence)):
            out.append(OutcomeFigure("ORR", 0.0, "%", subject=who(none.start()), sentence=sentence, source=source))
        for measure, value, unit, at in _zero_findings(sentence):
            out.append(OutcomeFigure(measure, value, unit, subject=who(at), sentence=sentence, source=source))
    if not _DIGIT.search(sentence) and not _NUMBER_WORD.search(sentence):
        return out
    seen: set[tuple] = {(o.measure, o.value, o.unit) for o in out}
    counts = _event_counts(sentence) if words & _EVENT_VERBS else []
    for measure, value, unit, event in _named_events(sentence, tokens) + counts:
        if (measure, value, unit, event) not in seen:
            seen.add((measure, value, unit, event))
            out.append(OutcomeFigure(measure, value, unit, event=event, sentence=sentence, source=source))
    found = _measures(sentence, tokens)
    i = 0
    while i < len(found):
        group = [found[i]]
        j = i + 1
        while j < len(found) and _GROUP_GAP.fullmatch(sentence[group[-1].end():found[j].start()]):
            group.append(found[j])
            j += 1
        end = found[j].start() if j < len(found) else len(sentence)
        seg_start = group[-1].end()
        seg = sentence[seg_start:min(end, seg_start + 230)]
        measures = [g.lastgroup for g in group]
        values = _hr_values(seg) if measures == ["HR"] else _scan_values(seg)
        if len(group) == 1:
            values = [v for v in values if _fits(measures[0], v)]
        pairs: list[tuple[str, _Val, bool]] = []
        if len(group) > 1 and len(values) == 2 * len(group) and \
                re.search(r"\b(?:versus|vs)\b", seg[values[0].end:values[1].start], re.IGNORECASE):
            # "OS and DFS were 32.4 versus 23.4% and 28.3 versus 10.4%": a pair of arms per measure
            pairs = [(measures[k // 2], v, k % 2 == 0) for k, v in enumerate(values)]
        elif len(group) > 1 and len(values) >= len(group):
            pairs = [(m, v, True) for m, v in zip(measures, values)]
        elif len(group) == 1 and values:
            pairs = [(measures[0], v, k == 0) for k, v in enumerate(values)]
        elif len(group) > 1 and values:
            pairs = [(measures[-1], values[0], True)]
        before = sentence[max(0, group[0].start() - 60):group[0].start()]
        if not pairs and measures[0] == "EXPANSION" and (fold := _FOLD_BEFORE.search(before)):
            pairs = [("EXPANSION", _Val(0, 0, float(fold.group(1).replace(",", "")), "fold"), True)]
        if not pairs:
            pct = _PCT_BEFORE.search(before)
            if pct and measures[0] not in SURVIVAL and measures[0] != "HR":
                pairs = [(measures[0], _Val(0, 0, float(pct.group(1)), "%"), True)]
        if not pairs and (measures[0] in ("DLT", "AE_G3PLUS", "AE_G4PLUS", "AE_ANY") or measures[0] in RESPONSE):
            after = _PATIENTS_AFTER.match(sentence[group[-1].end():group[-1].end() + 80])
            if after:
                n = after.group("n").lower()
                count = int(n) if n.isdigit() else _WORDS[n]
                pairs = [(measures[0], _Val(0, 0, float(count), "patients", count, None), True)]
        if not pairs:
            counts = list(_COUNT_WORD.finditer(before))
            tail = _COUNT_TAIL.match(before[counts[-1].end():]) if counts else None
            if tail and (measures[0] in RESPONSE or measures[0] == "DLT"):
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
