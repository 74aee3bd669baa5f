"""The extractor's linguistic pieces, each on tiny sentences made for it."""

from __future__ import annotations

import pytest

from kg.model import Document, Section
from kg.nlp.abbreviations import find_definitions
from kg.nlp.extract import Extractor
from kg.nlp.lexicon import load_lexicon
from kg.nlp.matching import FormMatcher
from kg.nlp.negation import is_hedged, is_negated
from kg.nlp.outcomes import find_outcomes


@pytest.fixture(scope="module")
def extractor():
    return Extractor(load_lexicon(), {"MERECA": "NCT02432846"})


def doc(text: str, doc_id: str = "nkkg.doc:test") -> Document:
    return Document(id=doc_id, title="", sections=(Section("abstract", text, 0),))


def rels(extractor, text):
    return {(r.subject, r.predicate, r.object) for r in extractor.extract(doc(text)).relations}


@pytest.mark.parametrize("variant", ["IL-15", "IL15", "IL 15", "interleukin-15", "interleukin 15"])
def test_spelling_variants_meet(variant):
    m = FormMatcher()
    m.add("IL-15", "x")
    m.add("interleukin 15", "x")
    hits = m.find(f"We gave {variant} daily.")
    assert [h.target for h in hits] == ["x"]


@pytest.mark.parametrize("variant", ["TGF-beta", "TGF-β", "TGFβ", "TGF beta"])
def test_greek_variants_meet(variant):
    m = FormMatcher()
    m.add("TGF-β", "tgfb")
    assert [h.target for h in m.find(f"{variant} suppresses NK cells")] == ["tgfb"]


def test_word_boundaries_and_case():
    m = FormMatcher()
    m.add("MICA", "mica")
    m.add("IL-2", "il2")
    assert m.find("mica is a mineral") == []  # short symbols are case-sensitive
    assert m.find("IL-21 and IL-2R") == []  # no match inside a longer symbol
    assert [h.target for h in m.find("soluble MICA.")] == ["mica"]


def test_schwartz_hearst_definitions():
    defs = {(d.short, d.long) for d in find_definitions(
        "natural killer group 2D (NKG2D) ligands; objective response rate (ORR) was high")}
    assert ("NKG2D", "natural killer group 2D") in defs and ("ORR", "objective response rate") in defs


def test_locally_defined_code_is_used_for_the_document(extractor):
    x = extractor.extract(doc("The anti-NKG2A antibody monalizumab (XYZ-2201) was tested. XYZ-2201 blocks NKG2A."))
    ids = [m.id for m in x.mentions if m.text == "XYZ-2201"]
    assert ids == ["nkkg:monalizumab", "nkkg:monalizumab"]


def test_ambiguous_short_forms(extractor):
    x = extractor.extract(doc("NK cells and DCs were counted; CR and PR were seen in 2 patients. DC vaccination followed."))
    texts = {m.text: m.id for m in x.mentions}
    assert "NK" not in texts and "CR" not in texts and "PR" not in texts and "DCs" not in texts
    assert texts.get("DC vaccination") == "nkkg:dendritic-cell-vaccine"  # "DC" counts only before vaccine/vaccination
    assert "DC" not in {m.text for m in extractor.extract(doc("DC maturation was measured.")).mentions}


def test_negation_and_hedging_scopes():
    s = "N-803 did not improve survival in NSCLC, but nivolumab did."
    assert is_negated(s, 0, s.index("NSCLC") + 5)
    assert not is_negated(s, s.index("nivolumab"), len(s))
    assert is_hedged("ilixadencel may overcome TGF-beta", 0, 30)
    assert not is_hedged("ilixadencel overcame TGF-beta", 0, 28)


def test_core_relations(extractor):
    r = rels(extractor, "Ilixadencel, an allogeneic dendritic-cell vaccine, was combined with sunitinib in patients "
                        "with metastatic renal cell carcinoma in the MERECA trial.")
    assert ("nkkg:ilixadencel", "nkv:usesPlatform", "nkkg:dendritic-cell-vaccine") in r
    assert ("nkkg:ilixadencel", "nkv:combinedWith", "nkkg:sunitinib") in r
    assert ("nkkg:ilixadencel", "nkv:testedIn", "nkkg:rcc") in r
    assert ("nkkg:ilixadencel", "nkv:evaluatedIn", "clinicaltrials:NCT02432846") in r


def test_coordinated_partners(extractor):
    r = rels(extractor, "N-803 was given with nivolumab or pembrolizumab.")
    assert {("nkkg:n-803", "nkv:combinedWith", "nkkg:nivolumab"),
            ("nkkg:n-803", "nkv:combinedWith", "nkkg:pembrolizumab")} <= r


def test_versus_is_not_a_combination(extractor):
    assert not any(p == "nkv:combinedWith" for _s, p, _o in rels(extractor, "Nivolumab versus docetaxel."))


def test_co_occurrence_alone_is_not_a_relation(extractor):
    assert rels(extractor, "Monalizumab. Renal cell carcinoma.") == set()


def test_targets_and_barriers(extractor):
    r = rels(extractor, "Monalizumab blocks the inhibitory receptor NKG2A.")
    assert ("nkkg:monalizumab", "nkv:targets", "nkkg:nkg2a") in r


def test_negated_relation_is_kept_as_negative(extractor):
    x = extractor.extract(doc("AFM24 was not combined with nivolumab."))
    neg = [r for r in x.relations if r.predicate == "nkv:combinedWith"]
    assert neg and all(r.negated for r in neg)


@pytest.mark.parametrize("sentence,measure,value,unit", [
    ("ORR was 29% (6/21) with the combination.", "ORR", 29.0, "%"),
    ("Objective responses occurred in 6 of 21 patients.", "ORR", 6.0, "patients"),
    ("Median PFS of 9.4 months (95% CI 5.1-13.7) was reached.", "PFS", 9.4, "months"),
    ("Grade 3-4 TRAEs occurred in 12% of patients.", "AE_G3PLUS", 12.0, "%"),
    ("The disease control rate was 76%.", "DCR", 76.0, "%"),
    ("Median OS 15.5 vs 13.3 mo.", "OS", 15.5, "months"),
])
def test_outcome_figures(sentence, measure, value, unit):
    found: dict = {}
    for o in find_outcomes(sentence):
        found.setdefault(o.measure, o)  # the first value is the subject's; later ones are comparators
    assert measure in found and found[measure].value == value and found[measure].unit == unit


def test_outcome_ci_and_fraction():
    o = find_outcomes("median PFS 9.4 months (95% CI 5.1-13.7)")[0]
    assert (o.ci_low, o.ci_high) == (5.1, 13.7)
    o = find_outcomes("Confirmed ORR was 42.2% (19/45).")[0]
    assert (o.numerator, o.denominator) == (19, 45)


def test_comparators_respectively_and_counts_before():
    got = [(o.measure, o.value, o.unit) for o in find_outcomes(
        "Median PFS and OS were 4.5 and 8.3 months; there were 1 CR and 10 PRs.")]
    assert got == [("PFS", 4.5, "months"), ("OS", 8.3, "months"), ("CR", 1.0, "patients"), ("PR", 10.0, "patients")]
    got = [(o.measure, o.value, o.numerator, o.denominator) for o in find_outcomes(
        "Confirmed ORR was 42.2% (19/45) versus 24.0% (6/25).")]
    assert got == [("ORR", 42.2, 19, 45), ("ORR", 24.0, 6, 25)]
    assert [(o.measure, o.value) for o in find_outcomes("No objective responses were seen.")] == [("ORR", 0.0)]
    assert find_outcomes("ORR in 40 patients was 27.5%.")[0].value == 27.5  # "40 patients" is no figure


def test_negated_safety_finding_does_not_negate_the_relation():
    s = "Ilixadencel caused no severe adverse events in patients with renal cell carcinoma."
    assert not is_negated(s, 0, len(s))
    assert is_negated("Ilixadencel was not combined with sunitinib.", 0, 40)
    assert not is_negated("SOT101 does not bind IL-2Ra and should therefore spare Tregs", 45, 60)


def test_coordination_ellipsis_shares_the_head_noun(extractor):
    x = extractor.extract(doc("AFM24 was given to patients with renal cell, non-small cell lung or head and neck cancers, "
                              "and to others with breast, gastric and oesophageal cancers."))
    ids = {m.id for m in x.mentions if m.category.value == "tumour"}
    assert {"nkkg:rcc", "nkkg:nsclc", "nkkg:hnscc", "nkkg:breast-cancer", "nkkg:gastric-cancer",
            "nkkg:oesophageal-cancer"} <= ids
    tested = {r.object for r in x.relations if r.predicate == "nkv:testedIn"}
    assert {"nkkg:rcc", "nkkg:nsclc", "nkkg:hnscc"} <= tested


def test_hazard_ratios_skip_ci_and_p_values_and_percent_before_measure():
    assert [(o.measure, o.value) for o in find_outcomes("HR = 0.62; 95% CI 0.45-0.85, P = 0.003.")] == [("HR", 0.62)]
    assert [(o.measure, o.value, o.unit) for o in find_outcomes("A 29% objective response rate was seen.")] == [
        ("ORR", 29.0, "%")]


def test_trial_word_is_no_alias_and_psa_response_is_no_orr(extractor):
    x = extractor.extract(doc("In this phase II trial (NCT03493945), the PSA response rate was 52% and median rPFS 8.1 months."))
    assert [m.text for m in x.mentions if m.category.value == "trial"] == ["NCT03493945"]
    assert [(o.measure, o.value) for o in x.outcomes] == [("PFS", 8.1)]


def test_bracketed_registration_closes_the_study_clause(extractor):
    r = rels(extractor, "Six patients received ilixadencel while staying on sunitinib (NCT02686944).")
    assert ("nkkg:ilixadencel", "nkv:evaluatedIn", "clinicaltrials:NCT02686944") in r
    r = rels(extractor, "In a pilot study registered as NCT02008929, MG4101 was given after hepatectomy.")
    assert ("nkkg:mg4101", "nkv:evaluatedIn", "clinicaltrials:NCT02008929") in r


def test_unnamed_cell_products_act_as_agents(extractor):
    r = rels(extractor, "In a randomized study, 109 patients with advanced NSCLC received pembrolizumab with allogeneic NK cells.")
    assert ("nkkg:allogeneic-nk", "nkv:testedIn", "nkkg:nsclc") in r
    assert ("nkkg:allogeneic-nk", "nkv:combinedWith", "nkkg:pembrolizumab") in r


def test_with_or_without_is_no_negation(extractor):
    x = extractor.extract(doc("FT500 was given with nivolumab, with or without aldesleukin, to patients with NSCLC."))
    assert x.relations and not any(r.negated for r in x.relations)
