"""ClinicalTrials.gov API v2: study JSON -> ``TrialRecord`` (pure), and the client (I/O).

``parse_study(study)`` reads the protocol section (NCT ID, titles, phases, overall status, why stopped,
conditions, interventions with other names, enrollment, start and completion dates, lead sponsor) and
the posted results: an outcome measure becomes ``OutcomeFigure``s only when its title names exactly
one measure of the fixed vocabulary (ORR, DCR, CR, PR, SD, PD, PFS, OS, DoR, AE_G3PLUS ...; the phrases are
the extractor's own, ``kg.nlp.outcomes.MEASURES``); anything else is left out rather than guessed.
Hazard ratios come from the statistical analyses of a PFS or OS measure. Counts stay counts (unit
"patients", numerator/denominator), as in the extractor; 95% confidence limits become ``ci_low``/
``ci_high``; other dispersions (SD, range ...) are kept in the figure's sentence. A study without a
phase (observational) gets CT.gov's "NA" (not applicable), which the SHACL shapes require.
A malformed study raises ``CorpusError`` naming it (its NCT ID when it has one); ``parse_studies``
reports it and goes on. Arms are parsed by ``parse_arms`` (``TrialRecord`` has no field for them yet).

The client pages ``/studies`` with ``pageToken`` and ``fields``; ``/studies/{nct}`` fetches one record.
ClinicalTrials.gov asks for about 50 requests a minute (``CTGOV_RATE``).
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from ..config import Settings
from ..errors import CorpusError, InputError, SourceError
from ..http import CacheMode, HttpClient, expect_json_object
from ..ids import NCT_RE
from ..model import Intervention, OutcomeFigure, TrialRecord
from ..nlp.outcomes import MEASURES
from .corpus import PHASES

CTGOV_RATE = 50 / 60
STUDIES = "/studies"
FIELDS = "|".join(["IdentificationModule", "StatusModule", "SponsorCollaboratorsModule", "ConditionsModule",
                   "DesignModule", "ArmsInterventionsModule", "OutcomeMeasuresModule", "HasResults"])
Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Arm:
    label: str
    type: str | None = None
    description: str | None = None
    interventions: tuple[str, ...] = ()


@dataclass(frozen=True)
class CtgovQuery:
    """``query.term``, ``query.cond`` and ``query.intr`` of ``/studies`` (at least one), paged."""

    term: str | None = None
    condition: str | None = None
    intervention: str | None = None
    max_records: int | None = None
    page_size: int = 100

    def __post_init__(self):
        if not any(x and x.strip() for x in (self.term, self.condition, self.intervention)):
            raise InputError("give --query, --condition or --intervention (or --nct)")
        if not 1 <= self.page_size <= 1000:
            raise InputError("page size must be between 1 and 1000")

    def params(self) -> dict[str, str | None]:
        return {"query.term": self.term, "query.cond": self.condition, "query.intr": self.intervention}


# --- typed access to untrusted JSON -----------------------------------------------------------------

def _obj(value, what: str, where: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise CorpusError(f"{where}: {what} is not an object")
    return value


def _list(value, what: str, where: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CorpusError(f"{where}: {what} is not a list")
    return value


def _text(value, what: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise CorpusError(f"{where}: {what} is not a string")
    return value.strip() or None


def _texts(value, what: str, where: str) -> tuple[str, ...]:
    return tuple(t for t in (_text(v, what, where) for v in _list(value, what, where)) if t)


def _num(value) -> float | None:
    try:
        x = float(str(value).replace(",", ""))
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


# --- outcome measures ---------------------------------------------------------------------------------

_MEASURE_RX = re.compile("|".join(f"(?P<{m}>{rx})" for m, rx in MEASURES), re.IGNORECASE)
_DOR = re.compile(r"duration\s+of\s+(?:\w+\s+){0,2}(?:response|remission)", re.IGNORECASE)
_AE = re.compile(r"adverse\s+(?:events?|reactions?)|\bT?R?AEs?\b|toxicit", re.IGNORECASE)
_G3 = re.compile(r"grade\s*(?:≥|>=|>\s*2|3|III)(?!\d)", re.IGNORECASE)


def measure_of(title: str | None) -> str | None:
    """The one vocabulary measure a results title names, or None (none, several, or a hazard ratio)."""
    if not title:
        return None
    if _DOR.search(title):
        return "DoR"
    if _AE.search(title) and _G3.search(title):
        return "AE_G3PLUS"
    found = {m.lastgroup for m in _MEASURE_RX.finditer(title)}
    if "ORR" in found and found <= {"ORR", "CR", "PR"}:
        return "ORR"  # "objective response (complete or partial response)" names ORR
    if len(found) != 1 or "HR" in found or "AE_G3PLUS" in found:
        return None
    return found.pop()


def _ci95(kind) -> bool:
    k = str(kind or "").upper().replace(" ", "_")
    return "CONFIDENCE" in k and "95" in k


def _unit(unit_of_measure: str, param_type: str) -> str:
    u = unit_of_measure.lower()
    if param_type == "COUNT_OF_PARTICIPANTS":
        return "patients"
    if "percent" in u or "%" in u:
        return "%"
    for word, unit in (("month", "months"), ("week", "weeks"), ("day", "days"), ("year", "years")):
        if word in u:
            return unit
    if "participant" in u or "patient" in u:
        return "patients"
    return unit_of_measure.strip() or "n/a"


def _denoms(value, where: str) -> dict[str, int]:
    for d in _list(value, "denoms", where):
        counts = {c.get("groupId"): _num(c.get("value")) for c in _list(_obj(d, "denom", where).get("counts"), "counts", where)
                  if isinstance(c, dict)}
        return {g: int(v) for g, v in counts.items() if g and v is not None}
    return {}


def _figures_of(om: dict, nct: str, where: str) -> list[OutcomeFigure]:
    title = _text(om.get("title"), "outcome title", where) or ""
    base = measure_of(title)
    groups = {g.get("id"): _text(g.get("title"), "group title", where) or g.get("id")
              for g in _list(om.get("groups"), "groups", where) if isinstance(g, dict)}
    param = str(om.get("paramType") or "").upper()
    unit_text = _text(om.get("unitOfMeasure"), "unitOfMeasure", where) or ""
    dispersion = _text(om.get("dispersionType"), "dispersionType", where)
    frame = _text(om.get("timeFrame"), "timeFrame", where)
    head = f"{nct} registry results: {title}" + (f" [{frame}]" if frame else "")
    out: list[OutcomeFigure] = []
    denoms = _denoms(om.get("denoms"), where)
    for cls in _list(om.get("classes"), "classes", where):
        cls = _obj(cls, "class", where)
        cls_denoms = _denoms(cls.get("denoms"), where) or denoms
        cls_title = _text(cls.get("title"), "class title", where)
        for cat in _list(cls.get("categories"), "categories", where):
            cat = _obj(cat, "category", where)
            cat_title = _text(cat.get("title"), "category title", where)
            sub = measure_of(cat_title)  # "Best overall response" / "Complete Response" -> CR
            measure = sub or base
            if measure is None:
                continue
            qualifiers = "; ".join(t for t in (cls_title, None if sub else cat_title) if t)
            for m in _list(cat.get("measurements"), "measurements", where):
                m = _obj(m, "measurement", where)
                value = _num(m.get("value"))
                if value is None:  # "NA": not reached / not estimable
                    continue
                gid = m.get("groupId")
                arm = str(groups.get(gid, gid) or "") + (f" ({qualifiers})" if qualifiers else "")
                unit = _unit(unit_text, param)
                ci = _ci95(dispersion)
                lo, hi = (_num(m.get("lowerLimit")), _num(m.get("upperLimit"))) if ci else (None, None)
                count = unit == "patients"
                spread = "" if ci or not m.get("spread") else f", {dispersion}: {m.get('spread')}"
                if not ci and m.get("lowerLimit") is not None and m.get("upperLimit") is not None:
                    spread += f", {dispersion}: {m.get('lowerLimit')} to {m.get('upperLimit')}"
                sentence = (f"{head}{': ' + cat_title if cat_title else ''}: {m.get('value')} {unit_text}"
                            + (f" (95% CI {m.get('lowerLimit')} to {m.get('upperLimit')})" if ci else "")
                            + spread + (f"; group: {arm}" if arm else ""))
                out.append(OutcomeFigure(
                    measure=measure, value=value, unit=unit, ci_low=lo, ci_high=hi,
                    numerator=int(value) if count else None, denominator=cls_denoms.get(gid) if count else None,
                    arm=arm or None, sentence=sentence))
    if base in ("PFS", "OS"):
        out += _hazard_ratios(om, groups, head, base, where)
    return out


def _hazard_ratios(om: dict, groups: dict, head: str, base: str, where: str) -> list[OutcomeFigure]:
    out = []
    for an in _list(om.get("analyses"), "analyses", where):
        an = _obj(an, "analysis", where)
        if "hazard" not in str(an.get("paramType") or "").lower():
            continue
        value = _num(an.get("paramValue"))
        if value is None:
            continue
        ci = _num(an.get("ciPctValue")) == 95
        lo, hi = (_num(an.get("ciLowerLimit")), _num(an.get("ciUpperLimit"))) if ci else (None, None)
        arm = " vs ".join(str(groups.get(g, g)) for g in _list(an.get("groupIds"), "groupIds", where))
        out.append(OutcomeFigure(
            measure="HR", value=value, unit="ratio", ci_low=lo, ci_high=hi, arm=arm or None,
            sentence=f"{head}: hazard ratio for {base} {an.get('paramValue')}"
                     + (f" (95% CI {lo:g} to {hi:g})" if lo is not None and hi is not None else "")
                     + (f"; groups: {arm}" if arm else "")))
    return out


def outcome_figures(study: dict, nct: str, where: str) -> tuple[OutcomeFigure, ...]:
    results = _obj(_obj(study.get("resultsSection"), "resultsSection", where).get("outcomeMeasuresModule"),
                   "outcomeMeasuresModule", where)
    figs: list[OutcomeFigure] = []
    for om in _list(results.get("outcomeMeasures"), "outcomeMeasures", where):
        figs += _figures_of(_obj(om, "outcome measure", where), nct, where)
    return tuple(figs)


# --- the study record ---------------------------------------------------------------------------------

def _protocol(study, where: str) -> tuple[dict, str]:
    if not isinstance(study, dict):
        raise CorpusError(f"{where}: expected a study object")
    proto = _obj(study.get("protocolSection"), "protocolSection", where)
    nct = _obj(proto.get("identificationModule"), "identificationModule", where).get("nctId")
    if not isinstance(nct, str) or not NCT_RE.fullmatch(nct.strip()):
        raise CorpusError(f"{where}: missing or malformed nctId {nct!r}")
    return proto, nct.strip()


def parse_study(study: dict, where: str = "study") -> TrialRecord:
    """One API v2 study object -> TrialRecord (raises CorpusError naming the study when malformed)."""
    proto, nct = _protocol(study, where)
    where = f"{where}: {nct}" if nct not in where else where
    ident = _obj(proto.get("identificationModule"), "identificationModule", where)
    status = _obj(proto.get("statusModule"), "statusModule", where)
    design = _obj(proto.get("designModule"), "designModule", where)
    phases = _texts(design.get("phases"), "phases", where) or ("NA",)
    if bad := [p for p in phases if p not in PHASES]:
        raise CorpusError(f"{where}: unknown phase(s) {bad}")
    enrollment = _obj(design.get("enrollmentInfo"), "enrollmentInfo", where)
    count = enrollment.get("count")
    if count is not None and (not isinstance(count, int) or isinstance(count, bool) or count < 0):
        raise CorpusError(f"{where}: enrollmentInfo.count is not a count: {count!r}")
    arms = _obj(proto.get("armsInterventionsModule"), "armsInterventionsModule", where)
    interventions = []
    for i in _list(arms.get("interventions"), "interventions", where):
        i = _obj(i, "intervention", where)
        name = _text(i.get("name"), "intervention name", where)
        if not name:
            raise CorpusError(f"{where}: an intervention without a name")
        interventions.append(Intervention(_text(i.get("type"), "intervention type", where) or "OTHER", name,
                                          _texts(i.get("otherNames"), "otherNames", where)))
    sponsor = _obj(_obj(proto.get("sponsorCollaboratorsModule"), "sponsorCollaboratorsModule", where).get("leadSponsor"),
                   "leadSponsor", where)

    def date_of(key: str) -> str | None:
        return _text(_obj(status.get(key), key, where).get("date"), f"{key}.date", where)

    return TrialRecord(
        nct_id=nct, brief_title=_text(ident.get("briefTitle"), "briefTitle", where) or nct,
        official_title=_text(ident.get("officialTitle"), "officialTitle", where),
        acronym=_text(ident.get("acronym"), "acronym", where), phases=phases,
        status=_text(status.get("overallStatus"), "overallStatus", where),
        why_stopped=_text(status.get("whyStopped"), "whyStopped", where),
        conditions=_texts(_obj(proto.get("conditionsModule"), "conditionsModule", where).get("conditions"),
                          "conditions", where),
        interventions=tuple(interventions), enrollment=count,
        enrollment_type=_text(enrollment.get("type"), "enrollmentInfo.type", where),
        sponsor=_text(sponsor.get("name"), "leadSponsor.name", where),
        start_date=date_of("startDateStruct"), completion_date=date_of("completionDateStruct"),
        results=outcome_figures(study, nct, where), source_url=f"https://clinicaltrials.gov/study/{nct}",
    )


def parse_arms(study: dict, where: str = "study") -> tuple[Arm, ...]:
    proto, nct = _protocol(study, where)
    module = _obj(proto.get("armsInterventionsModule"), "armsInterventionsModule", where)
    return tuple(Arm(_text(a.get("label"), "arm label", nct) or "", _text(a.get("type"), "arm type", nct),
                     _text(a.get("description"), "arm description", nct),
                     _texts(a.get("interventionNames"), "interventionNames", nct))
                 for a in (_obj(x, "arm group", nct) for x in _list(module.get("armGroups"), "armGroups", nct)))


def parse_studies(obj, errors: list[str], where: str) -> list[TrialRecord]:
    """``{"studies": [...]}`` or one study -> records; a malformed study is reported into ``errors``."""
    if isinstance(obj, dict) and "studies" in obj:
        studies = obj["studies"]
        if not isinstance(studies, list):
            raise CorpusError(f"{where}: 'studies' is not a list")
    elif isinstance(obj, dict) and "protocolSection" in obj:
        studies = [obj]
    else:
        raise CorpusError(f"{where}: neither a ClinicalTrials.gov study nor a {{\"studies\": [...]}} list")
    out = []
    for n, study in enumerate(studies, start=1):
        try:
            out.append(parse_study(study, f"{where}: study {n}" if len(studies) > 1 else where))
        except CorpusError as exc:
            errors.append(str(exc))
    return out


def read_ctgov_path(path: Path, errors: list[str]) -> list[TrialRecord]:
    """A v2 JSON file (one study or a ``studies`` list) or a .zip of such files (CT.gov's download)."""
    try:
        if path.suffix.lower() != ".zip":
            return parse_studies(json.loads(path.read_bytes()), errors, str(path))
        out: list[TrialRecord] = []
        with zipfile.ZipFile(path) as zf:
            for name in sorted(n for n in zf.namelist() if n.lower().endswith(".json")):
                where = f"{path}!{name}"
                try:
                    out += parse_studies(json.loads(zf.read(name)), errors, where)
                except ValueError as exc:
                    errors.append(f"{where}: malformed JSON: {exc}")
                except CorpusError as exc:
                    errors.append(str(exc))
        return out
    except (OSError, zipfile.BadZipFile) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    except ValueError as exc:
        raise CorpusError(f"{path}: malformed JSON: {exc}") from exc


# --- the client (I/O) -----------------------------------------------------------------------------------

def fetch_studies(client: HttpClient, settings: Settings, query: CtgovQuery, errors: list[str], *,
                  resume: bool = False, progress: Progress | None = None) -> list[TrialRecord]:
    """Every page of a search (``nextPageToken``); ``resume`` re-reads an interrupted run's pages from cache."""
    cache: CacheMode = "use" if resume else "refresh"
    out: list[TrialRecord] = []
    token, received, total, page = None, 0, None, 0
    while True:
        page += 1
        size = query.page_size if query.max_records is None else min(query.page_size, query.max_records - received)
        if size <= 0:
            break
        params = {"format": "json", "fields": FIELDS, "pageSize": size, **query.params(), "pageToken": token,
                  "countTotal": "true" if token is None else None}
        body = json.loads(client.get(settings.ctgov_url + STUDIES, params, cache=cache, check=expect_json_object).body)
        studies = body.get("studies")
        if not isinstance(studies, list):
            raise SourceError(f"ClinicalTrials.gov page {page}: no 'studies' list in the answer")
        total = body.get("totalCount", total)
        received += len(studies)
        out += parse_studies({"studies": studies}, errors, f"page {page}")
        if progress:
            progress(received, total)
        token = body.get("nextPageToken")
        if not token or not studies:
            break
    return out


def fetch_study(client: HttpClient, settings: Settings, nct: str, errors: list[str], *,
                resume: bool = False) -> list[TrialRecord]:
    """One record by NCT ID (``/studies/{nct}``); an unknown ID is an InputError."""
    if not NCT_RE.fullmatch(nct):
        raise InputError(f"not an NCT identifier: {nct!r}")
    try:
        resp = client.get(f"{settings.ctgov_url}{STUDIES}/{nct}", {"format": "json", "fields": FIELDS},
                          cache="use" if resume else "refresh", check=expect_json_object)
    except SourceError as exc:
        if exc.status == 404:
            raise InputError(f"{nct}: no such study on ClinicalTrials.gov") from exc
        raise
    return parse_studies(json.loads(resp.body), errors, nct)


# the source-module convention (DESIGN.md): fetch() is I/O only, parse() is pure
fetch = fetch_studies
parse = parse_study
