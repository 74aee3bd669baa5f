"""Entities the lexicon never listed, recognised by their grammar.

Real abstracts name products and barriers by phrases made of modifiers and a head ("ex vivo-expanded
allogeneic NK cells", "an immunosuppressive milieu", "loss of NKp30 expression"), agents by INN stems
and codes ("-mab", "-leukin", "rhIL-21") and tumours by site + histology ("nasopharyngeal carcinoma").
Each recogniser returns ``Composed`` spans with a category and a normalised label. ``target``
names the lexicon entity the phrase reduces to (then the lexicon entity is used, verified ids and all);
otherwise the extractor mints a project IRI marked unverified. Nothing here invents an external id.

Contract: pure functions of the text; ``known`` spans (lexicon hits) are passed in so a recogniser
can tell "anti-<RECEPTOR> antibody" from "anti-<word> antibody".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import ahocorasick

from ..model import Category

A, P, R, T, B, C = (Category.AGENT, Category.PLATFORM, Category.RECEPTOR, Category.TUMOUR, Category.TME_BARRIER,
                    Category.COMBINATION_PARTNER)


@dataclass(frozen=True)
class Composed:
    start: int
    end: int
    category: Category | None  # None: a description of a named drug, never an entity
    label: str  # normalised name (lower case except symbols), singular
    target: str | None = None  # the lexicon entity id this phrase stands for, if any
    inner: tuple[int, int] | None = None  # span of a receptor this phrase is about (anti-X, X blockade, X-CAR)
    reason: str = ""
    platform: str | None = None  # the lexicon platform a named-by-preparation product belongs to


def _rx(p: str, flags=re.IGNORECASE) -> re.Pattern:
    return re.compile(p, flags)


_TOKEN = re.compile(r"[A-Za-z0-9]+")
# Each grammar is anchored on words it cannot do without; one pass over the tokens finds them all
# (measured: a regex scan of whole abstracts per grammar cost more than the rest of the extractor).
_ANCHOR_WORDS = {
    "nk": {"nk", "natural"},
    "cells": {"cik", "lak", "killer", "khyg", "yts", "nkl"},
    "platform": {"vaccine", "vaccines", "vaccination", "vaccinations", "engager", "engagers", "primer", "primers",
                 "agonist", "agonists", "superagonist", "superagonists", "antibody", "antibodies", "bsab", "bsabs", "mab",
                 "mabs", "molecule", "molecules", "construct", "constructs", "protein", "proteins", "immunotherapy",
                 "immunocytokine", "immunocytokines", "cytokine", "cytokines", "exosome", "exosomes"},
    "celltherapy": {"therapy", "therapies", "transfer", "immunotherapy", "immunotherapies"},
    "anti": {"anti", "blockade", "blocking", "inhibition", "neutralization", "neutralisation", "neutralizing",
             "neutralising", "targeting", "targeted", "directed", "against", "antibody", "antibodies", "recombinant", "rh", "high", "low", "hdac", "histone", "dnmt", "dna",
             "proteasome", "bet", "parp", "mtor", "cdk4", "mek", "braf", "ezh2", "ido", "ido1", "a2a", "a2ar", "tgf",
             "immunomodulatory", "imid", "imids"},
    "barrier": set(),
    "tumour": {"cancer", "cancers", "carcinoma", "carcinomas", "adenocarcinoma", "adenocarcinomas", "tumor", "tumors",
               "tumour", "tumours", "neoplasm", "neoplasms", "malignancy", "malignancies", "sarcoma", "sarcomas",
               "metastases", "metastasis", "leukemia", "leukaemia", "leukemias", "leukaemias"},
}
_ANCHOR_PREFIXES = {
    "barrier": ("immunosup", "suppress", "tolerog", "hostil", "escap", "evasi", "evad", "surveil", "exhaust", "dysfunct",
                "anerg", "hypores", "paralys", "inactiv", "impair", "defect", "comprom", "attenu", "reduc", "decreas",
                "diminish", "poor", "infiltr", "traffick", "homing", "penetr", "recruit", "hypox", "inhibitory", "hla",
                "mhc", "loss", "downreg", "down", "shedd", "internali", "cleav", "milieu"),
    "anti": ("anti", "rhil"),
}


def _anchor_automaton():
    """One Aho-Corasick automaton over every grammar's anchor words (whole words) and prefixes (word starts)."""
    auto = ahocorasick.Automaton()
    entries: dict[str, list[tuple[str, bool]]] = {}
    for g, words in _ANCHOR_WORDS.items():
        for w in words:
            entries.setdefault(w, []).append((g, True))
    for g, prefixes in _ANCHOR_PREFIXES.items():
        for p in prefixes:
            entries.setdefault(p, []).append((g, False))
    for key, groups in entries.items():
        auto.add_word(key, (len(key), tuple(groups)))
    auto.make_automaton()
    return auto


_AUTOMATON = _anchor_automaton()


@lru_cache(maxsize=8)
def _anchors(text: str) -> dict[str, tuple[tuple[int, int], ...]]:
    found: dict[str, list[tuple[int, int]]] = {g: [] for g in _ANCHOR_WORDS}
    low = text.lower()
    n = len(low)
    for end, (length, groups) in _AUTOMATON.iter(low):
        start = end - length + 1
        if start > 0 and low[start - 1].isalnum():
            continue
        whole = end + 1 >= n or not low[end + 1].isalnum()
        for g, needs_whole in groups:
            if whole or not needs_whole:
                found[g].append((start, end + 1))
    for m in _OMA.finditer(text):
        found["tumour"].append(m.span())
    return {g: tuple(sorted(v)) for g, v in found.items()}


_OMA = re.compile(r"\w+omas?\b")


@lru_cache(maxsize=64)
def _windows(text: str, group: str, before: int, after: int) -> tuple[tuple[int, int], ...]:
    """Merged windows around the anchor words of a grammar: the full patterns run only there."""
    out: list[list[int]] = []
    for a_start, a_end in _anchors(text)[group]:
        lo, hi = max(0, a_start - before), min(len(text), a_end + after)
        if out and lo <= out[-1][1]:
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return tuple((lo, hi) for lo, hi in out)


def _finditer(rx: re.Pattern, text: str, group: str, before: int = 160, after: int = 80):
    seen = set()
    for lo, hi in _windows(text, group, before, after):
        for m in rx.finditer(text, lo, hi):
            if m.span() not in seen:
                seen.add(m.span())
                yield m



_H = r"[\s\-\u2010\u2011\u2013]"  # a space or hyphen
NK = r"(?:natural" + _H + r"killer(?:\s*\(NK\))?|NK)"

# --- NK-cell products -------------------------------------------------------------------------------
_ORIGIN = {
    "allogeneic": "nkkg:allogeneic-nk", "allogenic": "nkkg:allogeneic-nk", "haploidentical": "nkkg:allogeneic-nk",
    "haplo-identical": "nkkg:allogeneic-nk", "donor": "nkkg:allogeneic-nk", "donor-derived": "nkkg:allogeneic-nk",
    "autologous": "nkkg:autologous-nk", "autogeneic": "nkkg:autologous-nk", "autogenic": "nkkg:autologous-nk",
    "car": "nkkg:car-nk", "chimeric antigen receptor": "nkkg:car-nk", "ipsc": "nkkg:ipsc-nk", "cord": "nkkg:cord-blood-nk", "memory-like": "nkkg:ciml-nk",
}
_MOD = (r"(?:ex" + _H + r"vivo(?:" + _H + r"|\s+)(?:expanded|activated|cultured|stimulated)|in" + _H + r"vitro" + _H +
        r"(?:expanded|activated)|(?:highly\s+)?(?:expanded|activated|purified|cultured)|large-scale\s+expanded|"
        r"(?:IL|interleukin)" + _H + r"?\d{1,2}" + _H + r"(?:activated|stimulated|primed|expanded|armed|secreting)|"
        r"cytokine" + _H + r"(?:activated|induced|stimulated|primed)|allogeneic|allogenic|autologous|autogeneic|autogenic|"
        r"haploidentical|haplo-identical|donor(?:" + _H + r"derived)?|(?:umbilical\s+)?cord" + _H + r"blood" + _H +
        r"?(?:derived)?|peripheral" + _H + r"blood" + _H + r"?(?:derived)?|"
        r"(?:iPSC|induced\s+pluripotent\s+stem\s+cell)" + _H + r"derived|genetically\s+(?:modified|engineered)|"
        r"gene" + _H + r"(?:edited|modified|engineered)|(?:CRISPR|TALEN)" + _H + r"(?:edited|engineered)|engineered|"
        r"chimeric\s+antigen\s+receptor(?:\s*\(CAR\))?(?:" + _H + r"(?:engineered|modified|transduced|expressing))?|"
        r"(?:(?-i:[A-Z][A-Z0-9][A-Za-z0-9/]{0,11})" + _H + r"|[A-Za-z][a-z0-9]{2,12}[-\u2010\u2011])?(?-i:CAR)" + _H + r"?(?:engineered|modified|transduced|expressing|armed|"
        r"redirected)?|(?:cytokine" + _H + r"induced\s+)?memory" +
        _H + r"like|irradiated|off" + _H + r"the" + _H + r"shelf|adoptively\s+transferred|high" + _H + r"affinity|"
        r"super" + _H + r"?charged|tumou?r" + _H + r"(?:targeted|specific|reactive)|[A-Z][A-Za-z0-9]{1,8}" + _H +
        r"(?:targeted|specific|directed|redirected)|fresh|cryopreserved)")
_NK_HEAD = NK + _H + r"*(?:cells?|lymphocytes)"
_NK_THERAPY = (NK + _H + r"*cells?" + _H + r"*(?:based" + _H + r")?" +
               r"(?:infusions?|therapy|therapies|immunotherapy|immunotherapies|transfer|products?|"
               r"transplantation|treatment|administration|injections?|vaccines?)")
_NK_PRODUCT = _rx(r"\b(?:(?:" + _MOD + r")(?:\s*,\s*|\s+and\s+|\s+|" + _H + r"))+(?:" + _NK_THERAPY + r"|" +
                  _NK_HEAD + r")\b|\badoptive(?:\s+(?:transfer|infusion)\s+of)?\s+(?:" + _MOD + r"\s+)*(?:" +
                  _NK_THERAPY + r"|" + _NK_HEAD + r")\b|\b" + _NK_THERAPY + r"\b")


def _product_label(phrase: str) -> tuple[str, str | None]:
    low = re.sub(r"\s+", " ", phrase.lower())
    low = re.sub(r"natural[\s-]killer(?:\s*\(nk\))?", "NK", low).replace("nk ", "NK ").replace("nk-", "NK ")
    low = re.sub(r"^adoptive (?:transfer|infusion) of ", "adoptive ", low)
    target = None
    for word, ent in _ORIGIN.items():
        if re.search(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])", low):
            target = ent
            break
    if target is None and re.search(r"\bcar\b|\bcar-", low):
        target = "nkkg:car-nk"
    label = re.sub(r"\bcells\b", "cell", low)
    label = re.sub(r"\b(infusions|therapies|immunotherapies|products|injections|vaccines)\b",
                   lambda m: m.group(1)[:-1] if not m.group(1).endswith("ies") else m.group(1)[:-3] + "y", label)
    return label.strip(), target


_NK_HEAD_RX = _rx(NK + _H + r"*(?:cells?|lymphocytes)\b")
_NK_THERAPY_RX = _rx(r"\b" + _NK_THERAPY + r"\b")
_MOD_FIRST = frozenset("""ex in vitro vivo expanded activated purified cultured highly large scale il interleukin cytokine
allogeneic allogenic autologous autogeneic autogenic haploidentical haplo identical donor umbilical cord blood peripheral
ipsc induced pluripotent genetically gene crispr talen engineered modified edited chimeric car memory like irradiated off
shelf adoptively high affinity super supercharged charged tumor tumour targeted specific directed redirected fresh
cryopreserved adoptive transferred derived transduced expressing armed stimulated primed receptor""".split())


_JOIN = re.compile(r"[\s,\-\u2010\u2011/()]*")
_SYMBOL = re.compile(r"[A-Z][A-Z0-9]")


def _modifier_like(text: str, t: re.Match) -> bool:
    word = t.group()
    return (word.lower() in _MOD_FIRST or bool(_SYMBOL.match(word)) or word.isdigit()
            or text[t.end():t.end() + 4] in ("-CAR", "\u2010CAR", "\u2011CAR"))


def _nk_product_matches(text: str):
    """NK product phrases, found head first: the modifier grammar runs only where a modifier word (or a
    target symbol) stands right before "NK cells", or the head itself is a therapy phrase."""
    seen = set()
    for h in _NK_HEAD_RX.finditer(text):
        before = text[max(0, h.start() - 40):h.start()].split()
        prev = before[-1].strip(",;:(").split("-")[-1] if before else ""
        if before and (prev.lower() in _MOD_FIRST or re.search(r"[A-Z].*\d|\d.*[A-Z]|^[A-Z]{2,}", before[-1])):
            lo = max(0, h.start() - 90)
            tokens = list(_TOKEN.finditer(text, lo, h.start()))
            i, nxt = len(tokens), h.start()
            while i > 0 and _modifier_like(text, tokens[i - 1]) and _JOIN.fullmatch(text, tokens[i - 1].end(), nxt):
                i -= 1
                nxt = tokens[i].start()
            for t in tokens[i:]:  # the longest phrase first: the run of modifier words right before the head
                m = _NK_PRODUCT.match(text, t.start(), min(len(text), h.end() + 60))
                if m and m.end() >= h.end() and m.span() not in seen:
                    seen.add(m.span())
                    yield m
                    break
    for m in _finditer(_NK_THERAPY_RX, text, "nk", 0, 60):
        if not any(s <= m.start() and m.end() <= e for s, e in seen):
            seen.add(m.span())
            yield m


def nk_products(text: str, known: dict[int, tuple] | None = None) -> list[Composed]:
    out = []
    for m in sorted(_nk_product_matches(text), key=lambda m: m.start()):
        start = m.start()
        phrase = m.group()
        label, target = _product_label(phrase)
        if re.fullmatch(r"NK cell", label):
            continue
        inner = _receptor_at(known or {}, m.start(), m.end())
        if inner is not None:  # "HER2-CAR NK cells", "EGFR-targeted NK cells": a product named by its target
            sym = text[inner[0]:inner[1]]
            out.append(Composed(start, m.end(), A, f"{sym}-{'CAR' if target == 'nkkg:car-nk' else 'targeted'} NK cell",
                                inner=inner, reason="NK-cell product named by its target",
                                platform=target or "nkkg:adoptive-nk-cell-therapy"))
            continue
        cat = A if re.search(r"memory-like|gene[\s-]edited|engineered|modified|CRISPR", label, re.I) and not target \
            else P
        form = None
        if target:
            form = target
        elif re.fullmatch(r"(?:adoptive )?NK cell(?:[\s-]based)? (?:infusion|therapy|immunotherapy|transfer|"
                          r"transplantation|treatment|administration|injection|product)|adoptive NK cell", label):
            form = "nkkg:adoptive-nk-cell-therapy"
        out.append(Composed(start, m.end(), cat, label, form, reason="NK-cell product phrase"))
    return out


# --- other cell products (agents) ------------------------------------------------------------------
_CELL_PRODUCTS = _rx(r"\b(?:DC" + _H + r"CIK|CIK|LAK|DC/CIK)\s*cells?\b|\bcytokine" + _H + r"induced\s+killer(?:\s*\(CIK\))?\s+"
                     r"cells?\b|\blymphokine" + _H + r"activated\s+killer(?:\s*\(LAK\))?\s+cells?\b|"
                     r"\bdendritic\s+cell" + _H + r"cytokine" + _H + r"induced\s+killer\s+cells?\b|"
                     r"\b(?:KHYG-1|NK-92MI|NK-92ci|YTS|NKL)\s+cells?\b", re.IGNORECASE)


def cell_products(text: str) -> list[Composed]:
    out = []
    for m in _finditer(_CELL_PRODUCTS, text, "cells", 60, 40):
        low = m.group().lower()
        if "dc" in low.split("-")[0] or "dendritic" in low:
            label = "DC-CIK cell"
        elif "cik" in low or "cytokine" in low:
            label = "CIK cell"
        elif "lak" in low or "lymphokine" in low:
            label = "LAK cell"
        else:
            label = re.sub(r"\s+cells?$", "", m.group()) + " cell"
        out.append(Composed(m.start(), m.end(), A, label, reason="cell product"))
    return out


# --- platform phrases ------------------------------------------------------------------------------
_CELL_THERAPY = _rx(r"\b(?:adoptive\s+(?:cell(?:ular)?\s+)?immunotherap(?:y|ies)|cellular\s+immunotherap(?:y|ies)|"
                    r"immune\s+cell\s+therap(?:y|ies)|adoptive\s+cell\s+(?:therap(?:y|ies)|transfer))\b")
_PLATFORMS: list[tuple[re.Pattern, str | None, str | None]] = [
    (_rx(r"\b(?:DC|dendritic" + _H + r"cell)(?:" + _H + r"based)?\s+(?:vaccinations?|vaccines?|immunotherapy)\b"),
     "nkkg:dendritic-cell-vaccine", "dendritic-cell vaccine"),
    (_rx(r"\b(?:(?:bi|tri|tetra)" + _H + r"?specific|multi" + _H + r"?specific)\s+(?:[\w-]+\s+){0,3}?"
         r"(?:killer|NK|innate|natural\s+killer)(?:" + _H + r"cell)?\s+(?:cell\s+)?engagers?\b"),
     "nkkg:nk-cell-engager", "NK-cell engager"),
    (_rx(r"\b(?:innate\s+cell|NK" + _H + r"?cell|killer\s+cell)\s+engagers?\b"), "nkkg:nk-cell-engager", "NK-cell engager"),
    (_rx(r"\b(?:(?:bi|tri|tetra)" + _H + r"?specific|bifunctional|trifunctional)\s+(?:[\w-]+\s+){0,2}?"
         r"(?:antibod(?:y|ies)|BsAbs?|mAbs?|molecules?|constructs?|proteins?)\b"), "nk-engager-if-nk", "bispecific antibody"),
    (_rx(r"\b(?:(?:cell" + _H + r"based|allogeneic)\s+)?immune\s+primers?\b"), None, "immune primer"),
    (_rx(r"\b(?:tumou?r" + _H + r"targeting|therapeutic|Fc" + _H + r"(?:engineered|modified|optimi[sz]ed|enhanced)|"
         r"glyco" + _H + r"?engineered|afucosylated|ADCC" + _H + r"(?:enhanced|inducing|mediating|competent))\s+"
         r"(?:(?:chimeric|humani[sz]ed|human|IgG1|monoclonal)\s+){0,2}(?:antibod(?:y|ies)|mAbs?)\b"),
     "nkkg:adcc-antibody", "ADCC-competent monoclonal antibody"),
    (_rx(r"\b(?:dendritic\s+cell|DC)(?:\s*\(DC\))?" + _H + r"(?:derived\s+)?exosomes?\b"), None,
     "dendritic cell-derived exosome"),
    (_rx(r"\b(?:tumou?r" + _H + r"target(?:ed|ing)\s+)?immunocytokines?\b|\btumou?r" + _H + r"targeted\s+cytokines?\b"),
     None, "immunocytokine"),
    (_CELL_THERAPY, None, None),
    (_rx(r"\b(?:therapeutic|personali[sz]ed|individuali[sz]ed|neoantigen|whole" + _H + r"cell|tumou?r" + _H +
         r"lysate|autologous\s+tumou?r\s+cell|allogeneic\s+tumou?r\s+cell|cancer|tumou?r)\s+(?:cancer\s+)?vaccines?\b"),
     None, "cancer vaccine"),
    (_rx(r"\b(?:(?:recombinant|heterodimeric|pegylated|engineered|novel|long" + _H + r"acting|fusion|mutant|biased|"
         r"human)\s+)*(?:IL|interleukin)" + _H + r"?(?:15|2)(?:\s+(?:pathway|receptor))?\s+(?:super" + _H +
         r"?agonists?|agonists?)\b"), None, None),
]


def platforms(text: str) -> list[Composed]:
    out = []
    for rx, form, label in _PLATFORMS:
        cell_therapy = rx is _CELL_THERAPY
        for m in _finditer(rx, text, "celltherapy" if cell_therapy else "platform", 40 if cell_therapy else 160,
                           5 if cell_therapy else 20):
            lab = label
            if form is None and label is None and "immunotherap" in m.group().lower() or \
                    form is None and label is None and re.search(r"cell\s+therap|cell\s+transfer", m.group(), re.I):
                low = re.sub(r"\s+", " ", m.group().lower())
                low = re.sub(r"therapies$", "therapy", re.sub(r"immunotherapies$", "immunotherapy", low))
                out.append(Composed(m.start(), m.end(), P, low, reason="cell therapy phrase"))
                continue
            if form == "nk-engager-if-nk":
                window = text[max(0, m.start() - 150):m.end() + 150]
                nk = re.search(r"CD16|Fc\s*γ?\s*R\s*III|FcgammaRIII|NKp46|NKp30|NKG2D|\bNK\b|natural\s+killer", window, re.I)
                out.append(Composed(m.start(), m.end(), P, "NK-cell engager" if nk else "bispecific antibody",
                                    "nkkg:nk-cell-engager" if nk else None, reason="multispecific antibody"))
                continue
            if lab is None:  # IL-15 superagonist / IL-2 agonist
                num = re.search(r"(?:IL|interleukin)" + _H + r"?(\d+)", m.group(), re.I).group(1)
                kind = "superagonist" if "super" in m.group().lower() else "agonist"
                lab = f"IL-{num} {kind}"
                form = "nkkg:il-15-agonist" if num == "15" else "nkkg:engineered-il-2"
            elif label == "cancer vaccine":
                lab = re.sub(r"\s+", " ", m.group().lower()).rstrip("s")
            out.append(Composed(m.start(), m.end(), P, lab, form, reason="platform phrase"))
    return out


# --- agents: antibodies against a receptor, blockade, recombinant cytokines, drug classes -------------
_ANTI = _rx(r"\banti" + _H + r"?(?P<x>[A-Z][A-Za-z0-9/\-]{1,14}?)(?:\s*\((?:m?Ab|mAb)\))?" + _H +
            r"?(?:(?:monoclonal|blocking|inhibitory|immune|checkpoint|therapeutic|humani[sz]ed|fully|human)\s+){0,3}"
            r"(?:antibod(?:y|ies)|m?Abs?|mAbs?|therapy|treatment|agents?|drugs?|inhibitors?|blockers?)\b",
            re.IGNORECASE)
_BLOCK_OF = _rx(r"\b(?:blockade|blocking|inhibition|neutrali[sz]ation)\s+of\s+(?:the\s+)?(?P<x>[A-Z][A-Za-z0-9/\-]{1,14})"
                r"(?:\s+(?:receptor|pathway|axis|checkpoint))?\b", 0)
_X_BLOCK = _rx(r"\b(?P<x>[A-Z][A-Za-z0-9/\-]{1,14})" + _H + r"(?:blocking|neutrali[sz]ing|targeting|targeted|directed)\s+"
               r"(?:monoclonal\s+)?(?:antibod(?:y|ies)|mAbs?)\b|\b(?P<y>[A-Z][A-Za-z0-9/\-]{1,14})\s+blockade\b", 0)
# "antibodies targeting the MICA alpha3 domain", "antibody against KIR2D"
_AB_AGAINST = _rx(r"\b(?:monoclonal\s+)?(?:antibod(?:y|ies)|mAbs?)\s+(?:against|targeting|directed\s+(?:against|to)|specific\s+for|"
                  r"to)\s+(?:the\s+)?(?:[\w-]+\s+){0,4}?(?P<x>[A-Z][A-Za-z0-9/\-]{1,14})\b", 0)
# "in combination with anti-CTLA-4, anti-PD-1 or doxorubicin": anti-X standing alone in a list or a clause
_ANTI_ALONE = _rx(r"\b[Aa]nti" + _H + r"?(?P<x>[A-Z][A-Za-z0-9/\-]{1,14}?)(?=\s*(?:[,;.]|\s(?:or|and|alone|plus|with|was|were|"
                  r"is|in|treatment|therapy)\b))", 0)
# "atezolizumab (anti-PD-L1)": a bracketed description of the drug before it
_ANTI_BARE = _rx(r"(?<=\()\s*anti" + _H + r"?(?P<x>[A-Z][A-Za-z0-9/\-]{1,14}?)\s*(?=[;,)])", 0)
_RECOMB = _rx(r"\b(?:(?:recombinant\s+(?:human\s+)?|rh|high" + _H + r"dose\s+|low" + _H + r"dose\s+)"
              r"(?:IL|interleukin)" + _H + r"?(?P<n>\d{1,2})|rhIL" + _H + r"?(?P<m>\d{1,2}))\b")
_CYTOKINE_DRUG = _rx(r"\b(?:recombinant\s+(?:human\s+)?)?(?:IFN|interferon)" + _H + r"?(?:α|alpha|alfa|γ|gamma)(?:" +
                     _H + r"?2[ab])?\b")
_CLASSES = _rx(r"\b(?:HDAC|histone\s+deacetylase|DNMT|DNA\s+methyltransferase|proteasome|BET|PARP|mTOR|"
               r"CDK4/6|MEK|BRAF|EZH2|IDO1?|A2AR?|TGF" + _H + r"?(?:β|beta)(?:\s+receptor)?)\s+"
               r"(?:inhibitors?|antagonists?)\b|\bimmunomodulatory\s+(?:drugs|imide\s+drugs)\b|\bIMiDs?\b")


def _receptor_at(known: dict[int, tuple], start: int, end: int) -> tuple[int, int] | None:
    for s, (e, cat, *_rest) in known.items():
        if s >= start and e <= end and cat == "receptor":
            return (s, e)
    return None


# What an antibody against X is: an NK checkpoint antibody (a platform the lexicon names), a T-cell checkpoint
# partner, or a description of a named tumour-targeting antibody (only an apposition makes it a relation).
NK_CHECKPOINTS = {"nkkg:nkg2a", "nkkg:kir", "nkkg:kir2dl1", "nkkg:kir2dl2", "nkkg:kir2dl3", "nkkg:tigit"}
T_CHECKPOINTS = {"nkkg:pd-1", "nkkg:pd-l1", "nkkg:ctla-4"}
TUMOUR_ANTIGENS = {"nkkg:her2", "nkkg:egfr", "nkkg:gd2", "nkkg:cd20", "nkkg:cd19", "nkkg:cd30", "nkkg:cd33", "nkkg:cd38",
                   "nkkg:epcam", "nkkg:cea", "nkkg:muc1", "nkkg:mesothelin", "nkkg:psma", "nkkg:b7-h3", "nkkg:vegf",
                   "nkkg:cd52", "nkkg:cd123", "nkkg:gpc3", "nkkg:her3", "nkkg:trop-2", "nkkg:cd16a", "nkkg:pd-l1"}
DESCRIPTOR = None  # Composed.category for an antibody description that is no entity of its own


def agents(text: str, known: dict[int, tuple[int, str]]) -> list[Composed]:
    """``known``: start -> (end, category) of lexicon mentions (receptors inside anti-X phrases)."""
    out = []
    for rx in (_ANTI, _BLOCK_OF, _X_BLOCK, _AB_AGAINST, _ANTI_BARE, _ANTI_ALONE):
        for m in _finditer(rx, text, "anti", 40, 80):
            x = m.group("x") if m.groupdict().get("x") else m.group("y") if "y" in m.groupdict() else None
            if not x:
                continue
            xs = m.start("x") if m.groupdict().get("x") else m.start("y")
            inner = _receptor_at(known, xs, xs + len(x))
            if inner is None:
                continue  # anti-<something that is not a known receptor or target>: leave it
            sym = text[inner[0]:inner[1]]
            target = known[inner[0]][2] if len(known[inner[0]]) > 2 else None
            if rx is _ANTI_BARE:
                out.append(Composed(m.start(), m.end(), DESCRIPTOR, f"anti-{sym} antibody", inner=inner,
                                    reason="bracketed description of a drug"))
            elif target in NK_CHECKPOINTS:
                out.append(Composed(m.start(), m.end(), P, "NK-cell checkpoint antibody", "nkkg:nk-checkpoint-antibody",
                                    inner=inner, reason="antibody against an NK checkpoint"))
            elif target in T_CHECKPOINTS - {"nkkg:pd-l1"} or (target == "nkkg:pd-l1" and "block" in m.group().lower()):
                out.append(Composed(m.start(), m.end(), C, f"anti-{sym} antibody", inner=inner,
                                    reason="T-cell checkpoint antibody"))
            elif target in TUMOUR_ANTIGENS:
                out.append(Composed(m.start(), m.end(), DESCRIPTOR, f"anti-{sym} antibody", inner=inner,
                                    reason="description of a tumour-targeting antibody"))
            else:
                out.append(Composed(m.start(), m.end(), A, f"anti-{sym} antibody", inner=inner,
                                    reason="antibody or blockade of a known receptor"))
    for m in _finditer(_RECOMB, text, "anti", 10, 40):
        n = m.group("n") or m.group("m")
        low = m.group().lower()
        if n == "2" and ("dose" in low or low.startswith("recombinant")):
            out.append(Composed(m.start(), m.end(), C, "aldesleukin", "nkkg:aldesleukin", reason="IL-2 given as a drug"))
            continue
        if n == "15":
            out.append(Composed(m.start(), m.end(), A, "recombinant human IL-15", None, reason="recombinant cytokine"))
            continue
        out.append(Composed(m.start(), m.end(), A, f"recombinant human IL-{n}", reason="recombinant cytokine"))
    for m in _finditer(_CLASSES, text, "anti", 10, 60):
        low = re.sub(r"\s+", " ", m.group().lower())
        low = low.replace("histone deacetylase", "HDAC").replace("hdac", "HDAC").rstrip("s")
        out.append(Composed(m.start(), m.end(), A, low, reason="drug class given as therapy"))
    return out


# --- drug names by INN stem -----------------------------------------------------------------------
_AGENT_STEMS = r"(?:mab|leukin|kin|cel|cept|stim|fusp|nermin|sertib)"
_PARTNER_STEMS = (r"(?:platin|taxel|tabine|rubicin|tecan|trexed|fosfamide|mustine|poside|mycin|zomib|tinib|ciclib|lisib|"
                  r"rafenib|parib|lutamide|relix|domide|vastatin|citabine|uracil|mide|statin)")
_INN = _rx(r"\b(?P<name>[a-z]{4,}(?P<stem>" + _AGENT_STEMS + r"|" + _PARTNER_STEMS + r"))\b", re.IGNORECASE)
_NOT_INN = {"interleukin", "interleukins", "cytokine", "chemokine", "lymphokine", "monokine", "adipokine", "concept",
            "intercept", "precept", "percept", "accept", "except", "transfusp", "lamin", "vimentin", "statin",
            "kinase", "marketing", "making", "taking", "thinking", "linking", "ranking", "seeking", "looking",
            "checking", "smoking", "working", "speaking", "breaking", "walking", "asking", "banking", "parking",
            "blocking", "docking", "stocking", "knocking", "marking", "masking", "tracking", "picking", "packing",
            "cooking", "booking", "striking", "drinking", "sinking", "shrinking", "peking", "streptomycin",
            "amide", "imide", "glutamide", "carbodiimide", "bromide", "chloride", "fluoride", "iodide", "peptide",
            "nucleotide", "polypeptide", "oligonucleotide", "dipeptide", "tripeptide", "cyclophosphamide",
            "ifosfamide", "excel", "parcel", "cancel", "hydrogel", "pixel", "model", "travel", "level", "label",
            "vessel", "novel", "channel", "panel", "tunnel", "kernel", "barrel", "gel", "fuel", "cruel", "duel",
            "hotel", "motel", "angel", "camel", "bagel", "nickel", "chapel", "squirrel", "personnel", "tinib",
            "sciences", "skin", "napkin", "pumpkin", "pipkin", "lambskin", "buckskin", "bumpkin", "catkin", "mannikin",
            "ramekin", "firkin", "jerkin", "gherkin", "sealskin", "bodkin", "fusp", "cyclopamide"}
_PARTNER_WHITELIST_ENDINGS = ("platin", "taxel", "tabine", "rubicin", "tecan", "trexed", "fosfamide", "mustine", "poside",
                              "mycin", "zomib", "tinib", "ciclib", "lisib", "rafenib", "parib", "lutamide", "domide")


_STEM_ENDINGS = tuple(re.findall(r"[a-z]+", _AGENT_STEMS + "|" + _PARTNER_STEMS))
_STEMS_LONGEST_FIRST = sorted(_STEM_ENDINGS, key=len, reverse=True)
_WORD = re.compile(r"[A-Za-z]{7,}")


def inn_names(text: str) -> list[Composed]:
    out = []
    for w in _WORD.finditer(text):
        if not w.group().lower().endswith(_STEM_ENDINGS):
            continue
        m = _INN.fullmatch(text, w.start(), w.end())
        if m is None:
            continue
        name = m.group("name")
        low = name.lower()
        if low in _NOT_INN or not name[0].isalpha() or (name[0].isupper() and name[1:].isupper()):
            continue
        stem = next(st for st in _STEMS_LONGEST_FIRST if low.endswith(st))
        if stem in ("kin",) and not low.endswith(("leukin", "kin")):
            continue
        if stem == "kin" and not re.search(r"(?:leu|nogapende|ode|ter|ferma)kin$", low):
            continue  # "-kin" alone is too common in English
        if stem in ("mide", "statin") or (stem == "cel" and len(low) < 8):
            continue
        if stem == "cept" and len(low) < 8:
            continue
        if low.endswith(_PARTNER_WHITELIST_ENDINGS):
            out.append(Composed(m.start(), m.end(), C, low, reason=f"INN stem -{stem}"))
        else:
            out.append(Composed(m.start(), m.end(), A, low, reason=f"INN stem -{stem}"))
    return out


# --- TME barriers ------------------------------------------------------------------------------------
_RECEPTOR_LOSS = _rx(r"\b(?:(?:the\s+)?(?:loss|down" + _H + r"?regulation|down" + _H + r"?modulation|reduced\s+expression|"
                     r"decreased\s+expression|diminished\s+expression|lower\s+expression|low\s+expression|shedding|"
                     r"internali[sz]ation|cleavage)\s+of\s+(?:the\s+)?(?:activating\s+)?(?:receptors?\s+)?"
                     r"(?P<x>[A-Za-z][A-Za-z0-9/\-]{1,12})(?:\s+(?:receptors?|ligands?))?(?:\s+expression)?)\b")
_X_LOSS = _rx(r"\b(?P<x>[A-Za-z][A-Za-z0-9/\-]{1,12})\s+(?:receptor\s+)?(?:down" + _H + r"?regulation|"
              r"down" + _H + r"?modulation|loss|shedding)\b")
_BARRIERS: list[tuple[re.Pattern, str | None, str | None]] = [
    (_rx(r"\b(?:(?:highly|profoundly|strongly)\s+)?(?:immuno" + _H + r"?suppressive|immune" + _H + r"?suppressive|"
         r"suppressive|tolerogenic|hostile|immunosuppressed)\s+(?:tumou?r\s+)?(?:immune\s+)?(?:micro" + _H +
         r"?environments?|milieu|TME|niches?|environments?|state|status|network)\b"),
     "nkkg:immunosuppressive-tme", None),
    (_rx(r"\b(?:tumou?r\s+)?(?:immune|immunological)\s+(?:escape|evasion)\b|\bescape\s+(?:from\s+)?(?:the\s+)?"
         r"(?:host\s+)?(?:NK" + _H + r"cell" + _H + r"mediated\s+|NK\s+cell\s+|immune\s+|innate\s+)?"
         r"(?:immuno" + _H + r"?surveillance|surveillance|recognition|killing|lysis|attack)\b|\bevad(?:e|es|ing)\s+"
         r"(?:the\s+)?(?:host\s+)?(?:NK" + _H + r"cell\s+|immune\s+)?(?:immuno" + _H + r"?surveillance|surveillance|"
         r"recognition|killing|attack)\b|\bimmune\s+surveillance\s+escape\b"),
     None, "immune escape"),
    (_rx(r"\b" + NK + _H + r"?cell\s+(?:exhaustion|dysfunction|anergy|hypo" + _H + r"?responsiveness|impairment|"
         r"inactivation|suppression|paralysis)\b|\b(?:impaired|reduced|decreased|diminished|defective|compromised|"
         r"suppressed|attenuated|dysfunctional|exhausted|poor)\s+" + NK + _H + r"?(?:cell\s+)?(?:function|activity|"
         r"cytotoxicity|killing|effector\s+function|responses?)\b|\bexhausted\s+" + NK + _H + r"?cells\b"),
     "nkkg:nk-cell-exhaustion", None),
    (_rx(r"\b(?:poor|low|limited|impaired|reduced|insufficient|inefficient|restricted|scarce|sparse|lack\s+of|"
         r"absent)\s+(?:" + NK + _H + r"?cell\s+)?(?:tumou?r\s+)?(?:infiltration|trafficking|homing|penetration|"
         r"recruitment)(?:\s+of\s+" + NK + r"\s+cells)?(?:\s+in(?:to)?\s+(?:the\s+)?(?:solid\s+)?tumou?rs?"
         r"(?:\s+(?:core|bed|mass))?)?\b"),
     "nkkg:poor-nk-infiltration", None),
    (_rx(r"\b(?:poor|low|limited|impaired|reduced|insufficient|inefficient|restricted|scarce|sparse|lack\s+of|"
         r"absent)\s+(?:immune|lymphocyte|T" + _H + r"cell|immune\s+cell)\s+(?:infiltration|infiltrates|trafficking)\b"),
     None, "poor immune infiltration"),
    (_rx(r"\b(?:immunologically\s+)?cold\s+(?:tumou?rs?|tumou?r\s+microenvironments?|phenotype|features?)\b"),
     None, "immunologically cold tumour"),
    (_rx(r"\bhypoxic\s+(?:tumou?r\s+)?(?:micro" + _H + r"?environment|conditions|regions|tumou?rs?)\b"), "nkkg:hypoxia", None),
    (_rx(r"\b(?:immuno" + _H + r"?suppressive|suppressive|inhibitory)\s+(?:immune\s+)?(?:cells|cytokines|"
         r"myeloid\s+cells|factors|molecules|signals)\b"), None, None),
    (_rx(r"\b(?:HLA" + _H + r"?E|HLA\s+class\s+I|MHC" + _H + r"?I)\s+(?:up" + _H + r"?regulation|over" + _H +
         r"?expression)\b"), None, None),
]


def barriers(text: str, known: dict[int, tuple[int, str]]) -> list[Composed]:
    out = []
    for rx, form, label in _BARRIERS:
        for m in _finditer(rx, text, "barrier", 60, 120):
            lab = label or re.sub(r"\s+", " ", m.group().lower())
            lab = re.sub(r"^(?:the|an?)\s+", "", lab)
            out.append(Composed(m.start(), m.end(), B, lab, form, reason="barrier phrase"))
    for m in (*_finditer(_RECEPTOR_LOSS, text, "barrier", 10, 80), *_finditer(_X_LOSS, text, "barrier", 30, 20)):
        inner = _receptor_at(known, m.start("x"), m.end("x"))
        if inner is None:
            continue
        sym = text[inner[0]:inner[1]]
        low = m.group().lower()
        word = "shedding" if "shed" in low else "downregulation" if "down" in low else "loss"
        out.append(Composed(m.start(), m.end(), B, f"{sym} {word}", reason="loss of an activating receptor or ligand"))
    return out


# --- tumours by grammar ------------------------------------------------------------------------------
_SITES = (r"(?:lung|breast|ovarian|ovary|cervical|endometrial|uterine|prostate|prostatic|pancreatic|pancreas|gastric|stomach|"
          r"colorectal|colon|rectal|colonic|anal|oesophageal|esophageal|liver|hepatic|hepatocellular|biliary|gallbladder|"
          r"renal|kidney|bladder|urothelial|testicular|thyroid|adrenal|brain|nasopharyngeal|oral|laryngeal|"
          r"oropharyngeal|head\s+and\s+neck|skin|cutaneous|bone|peritoneal|pleural|thymic|neuroendocrine|"
          r"gastrointestinal|digestive|gynecologic(?:al)?|gynaecologic(?:al)?|genitourinary|pediatric|paediatric|"
          r"squamous(?:\s+cell)?|small\s+cell|non" + _H + r"small(?:" + _H + r"cell)?|clear\s+cell|"
          r"triple" + _H + r"negative|(?:HER" + _H + r"?2(?:/neu)?|c" + _H + r"?erbB" + _H + r"?2|ErbB" + _H + r"?2)" + _H +
          r"(?:positive|negative|overexpressing|amplified|expressing|low)|hormone" + _H + r"receptor" + _H + r"positive|"
          r"epithelial|serous|mucinous|ductal|lobular|papillary|medullary|hepatobiliary|upper\s+tract|"
          r"castration" + _H + r"resistant|muscle" + _H + r"invasive|germ\s+cell|soft\s+tissue|solid|"
          r"metastatic|advanced|recurrent|refractory|relapsed|unresectable|locally\s+advanced|inoperable|primary|"
          r"hematologic(?:al)?|haematologic(?:al)?|hepatic|pulmonary)")
_HEADS = r"(?:cancers?|carcinomas?|adenocarcinomas?|tumou?rs?|neoplasms?|malignanc(?:y|ies)|sarcomas?|blastomas?|metastas[ie]s)"
_SITED_HISTOLOGY = _rx(r"\b(?:uveal|ocular|mucosal|acral|cutaneous|conjunctival|choroidal|diffuse\s+midline|"
                      r"low" + _H + r"grade|high" + _H + r"grade|anaplastic|pediatric|paediatric|alveolar|embryonal)\s+"
                      r"(?:melanoma|glioma|astrocytoma|rhabdomyosarcoma|sarcoma|neuroblastoma)s?\b")
_HISTOLOGY = _rx(r"\b(?:glioblastoma(?:\s+multiforme)?|neuroblastoma|medulloblastoma|retinoblastoma|hepatoblastoma|"
                 r"nephroblastoma|mesothelioma|cholangiocarcinoma|osteosarcoma|chondrosarcoma|liposarcoma|"
                 r"leiomyosarcoma|rhabdomyosarcoma|Ewing(?:'s)?\s+sarcoma|Kaposi(?:'s)?\s+sarcoma|glioma|"
                 r"astrocytoma|ependymoma|diffuse\s+intrinsic\s+pontine\s+glioma|melanoma|insulinoma|"
                 r"pheochromocytoma|paraganglioma|thymoma|seminoma|choriocarcinoma|(?:non" + _H + r")?Hodgkin(?:'s)?\s+"
                 r"lymphoma|lymphoma|myeloma|leuka?emia)s?\b")


_HEAD_ONLY = _rx(r"\b" + _HEADS + r"\b")
_SITE_FIRST = frozenset("""hematologic hematological haematologic haematological pulmonary lung breast ovarian ovary cervical endometrial uterine prostate prostatic pancreatic pancreas gastric
stomach colorectal colon rectal colonic anal oesophageal esophageal liver hepatic hepatocellular biliary gallbladder renal kidney
bladder urothelial testicular thyroid adrenal brain nasopharyngeal oral laryngeal oropharyngeal head skin cutaneous bone
peritoneal pleural thymic neuroendocrine gastrointestinal digestive gynecologic gynecological gynaecologic gynaecological
genitourinary pediatric paediatric squamous small non clear triple her her2 c erbb erbb2 hormone epithelial serous mucinous
ductal lobular papillary medullary hepatobiliary upper castration muscle germ soft solid metastatic advanced recurrent
refractory relapsed unresectable locally inoperable primary""".split())
_TUMOUR_BEFORE_HEAD = _rx(r"(?:" + _SITES + r"(?:\s*,?\s+|" + _H + r")){1,3}$")
_TUMOUR_NOT_AFTER = _rx(r"^" + _H + r"(?:cells?|growth|burden|lysis|killing|microenvironment|antigens?|specific|associated|"
                        r"infiltrating|derived|bearing)\b")


class _Span:
    def __init__(self, text: str, start: int, end: int):
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self) -> str:
        return self._text[self._start:self._end]


def _tumour_matches(text: str):
    """Site + histology phrases, found head first: the site words are looked for only before a head noun
    (a scan of every word position with the whole site alternation costs more than the rest of the extractor)."""
    for h in _finditer(_HEAD_ONLY, text, "tumour", 0, 0):
        if _TUMOUR_NOT_AFTER.match(text[h.end():h.end() + 40]):
            continue
        lo = max(0, h.start() - 90)
        for t in _TOKEN.finditer(text, lo, h.start()):  # longest first: the earliest site word that reaches the head
            if t.group().lower() not in _SITE_FIRST or (t.start() > 0 and text[t.start() - 1].isalnum()):
                continue
            if _TUMOUR_BEFORE_HEAD.match(text, t.start(), h.start()):
                yield t.start(), h.end()
                break


def tumours(text: str) -> list[Composed]:
    out = []
    spans = [(m.start(), m.end()) for rx in (_SITED_HISTOLOGY, _HISTOLOGY) for m in _finditer(rx, text, "tumour", 40, 10)]
    spans += list(_tumour_matches(text))
    for start, end in spans:
        if True:
            m = _Span(text, start, end)
            low = re.sub(r"\s+", " ", m.group().lower()).replace("tumour", "tumor").replace("oesophag", "esophag")
            low = re.sub(r"(cancer|carcinoma|tumor|neoplasm|sarcoma|blastoma|glioma|melanoma|lymphoma)s\b", r"\1", low)
            low = low.replace("metastases", "metastasis").replace("'s ", " ")
            low = re.sub(r"malignancies\b", "malignancy", low).replace(" ,", ",")
            low = re.sub(r"\bher2\b", "HER2", low)
            low = re.sub(r"^(?:(?:advanced|metastatic|recurrent|refractory|relapsed|locally|unresectable|primary|"
                         r"inoperable|late-stage|end-stage|early-stage|untreated|previously|treated|newly|diagnosed|"
                         r"and|or|,)\s*)+", "", low)
            low = re.sub(r"\b(?:her-?2(?:/neu)?|c-?erbb-?2|erbb-?2)[\s-]*(?:overexpressing|amplified|expressing|positive)",
                         "HER2-positive", low, flags=re.I)
            if re.fullmatch(r"(?:solid\s+)?(?:cancer|carcinoma|adenocarcinoma|tumor|neoplasm|malignancy|sarcoma|blastoma)",
                            low):
                continue  # "advanced cancer", "primary tumor": no site, no entity
            out.append(Composed(m.start(), m.end(), T, low, reason="tumour phrase"))
    return out


_VIRUS = _rx(r"\b(?:vesicular\s+stomatitis|vaccinia|herpes\s+simplex(?:\s+type\s+[12])?|measles|reo|influenza(?:\s+A)?|"
             r"Newcastle\s+disease|maraba|coxsackie(?:virus)?(?:\s+[AB]\d+)?|polio|Semliki\s+Forest|Sindbis|myxoma|"
             r"parvo|Seneca\s+Valley|adeno)\s*virus(?:es)?\b|\badenovirus(?:es)?\b|\breovirus\b")


def oncolytic_viruses(text: str) -> list[Composed]:
    """A virus named where the text speaks of oncolytic virotherapy: an agent of the oncolytic-virus platform."""
    if "oncoly" not in text.lower():
        return []
    out = []
    for m in _VIRUS.finditer(text):
        window = text[max(0, m.start() - 150):m.end() + 150].lower()
        if "oncoly" in window:
            label = re.sub(r"\s+", " ", m.group().lower()).replace("viruses", "virus")
            out.append(Composed(m.start(), m.end(), A, f"oncolytic {label}", reason="oncolytic virus named by its virus",
                                platform="nkkg:oncolytic-virus"))
    return out


def drug_codes(text: str, known: dict[int, tuple]) -> list[Composed]:
    """Drug codes in an agent context ("the bispecific XQ-4412", "NHS-IL12 was given"): agents."""
    from .candidates import CODE_RX, is_code_in_agent_context

    spans = [(s, v[0]) for s, v in known.items()]
    return [Composed(m.start(1), m.end(1), A, m.group(1), reason="drug code in an agent context")
            for m in CODE_RX.finditer(text) if is_code_in_agent_context(text, m, spans)]


_DRUG_CONTEXT = re.compile(r"\b(?:administ\w*|given|dos(?:e|es|ed|ing)|infusions?|subcutaneous\w*|intravenous\w*|"
                           r"intratumou?ral\w*|phase\s+[I1-3]|trial|combination\s+with|plus|regimen|µg/kg|mg/kg|"
                           r"μg/kg|IU|MIU|treated\s+with|therapy)\b", re.IGNORECASE)
_CYTOKINE = _rx(r"\b(?:interleukin" + _H + r"?|IL" + _H + r"?)(?P<n>7|12|18|21|27)\b(?!\s*(?:receptor|R\b|Rα|Rβ))")


def cytokines_as_drugs(text: str) -> list[Composed]:
    """IL-7/12/18/21/27 named where the text gives them as a drug (doses, administration, trials):
    agents ("recombinant human IL-12"); the same cytokines as in-vitro stimuli stay unannotated."""
    out = []
    for m in _CYTOKINE.finditer(text):
        window = text[max(0, m.start() - 120):m.end() + 120]
        if _DRUG_CONTEXT.search(window) and not re.search(r"in\s+vitro|stimulat\w*|cultur\w*|secret\w*|produc\w*|"
                                                           r"induc\w*", window, re.IGNORECASE):
            out.append(Composed(m.start(), m.end(), A, f"recombinant human IL-{m.group('n')}",
                                reason="cytokine given as a drug"))
    return out


# recognisers without anchor windows get a cheap whole-text test before their full grammar
_GATES = {
    "code": re.compile(r"[A-Z]{1,6}-?\d{2}|[A-Z]{2}-[A-Z]|\d[A-Z]"),
    "cytokine": re.compile(r"IL|interleukin", re.IGNORECASE),
}


def compose_all(text: str, known: dict[int, tuple[int, str]]) -> list[Composed]:
    out: list[Composed] = []
    for gate, recognise in ((None, lambda: nk_products(text, known)), (None, lambda: cell_products(text)),
                            (None, lambda: platforms(text)), (None, lambda: agents(text, known)),
                            (None, lambda: inn_names(text)), (None, lambda: barriers(text, known)),
                            (None, lambda: tumours(text)), ("code", lambda: drug_codes(text, known)),
                            ("cytokine", lambda: cytokines_as_drugs(text)), (None, lambda: oncolytic_viruses(text))):
        if gate is None or _GATES[gate].search(text):  # a cheap test before the full grammar
            out.extend(recognise())
    return out
