"""How real abstracts write (issue 10): one test per phenomenon, each with a sentence written for it
(none copied from an abstract). Entities the lexicon never listed, document-level relations and the
outcome grammar."""

from __future__ import annotations

import pytest

from kg.build import extractor_for
from kg.config import Settings
from kg.model import Document, Section
from kg.nlp.extract import UNVERIFIED_PREFIX


@pytest.fixture(scope="module")
def ex(tmp_path_factory):
    data = tmp_path_factory.mktemp("data")  # no ingested records: the bundled inputs only
    return extractor_for(Settings.from_env({"NKKG_DATA_DIR": str(data)}))


def run(ex, text: str, title: str = ""):
    return ex.extract(Document("pubmed:1", title, (Section("abstract", text, len(title) + 1 if title else 0),)))


def mentions(x) -> dict[str, tuple[str, str]]:
    return {m.text: (m.category.value, m.id) for m in x.mentions}


def rels(x, positive: bool = True) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in x.relations if positive != (r.negated or r.hedged)}


def figures(x) -> set[tuple[str, float, str]]:
    return {(o.measure, o.value, o.unit) for o in x.outcomes}


# --- entities never listed in the lexicon ------------------------------------------------------------

def test_nk_products_composed_from_modifiers_and_a_head(ex):
    m = mentions(run(ex, "Patients received ex vivo-expanded, allogeneic NK cells, then CAR-engineered natural killer (NK) "
                         "cells; others had NK cell infusions or IL-2-activated NK cells."))
    assert m["ex vivo-expanded, allogeneic NK cells"] == ("platform", "nkkg:allogeneic-nk")
    assert m["CAR-engineered natural killer (NK) cells"] == ("platform", "nkkg:car-nk")
    assert m["NK cell infusions"] == ("platform", "nkkg:adoptive-nk-cell-therapy")
    cat, ident = m["IL-2-activated NK cells"]
    assert cat == "platform" and ident.startswith(UNVERIFIED_PREFIX)  # minted, never an external id


def test_bare_nk_cells_are_no_product(ex):
    assert "NK cells" not in mentions(run(ex, "NK cells were counted in the blood of 12 donors."))


def test_platform_phrases(ex):
    m = mentions(run(ex, "DC vaccination was followed by an IL-15 superagonist, a trispecific killer engager and a "
                         "therapeutic cancer vaccine."))
    assert m["DC vaccination"][1] == "nkkg:dendritic-cell-vaccine"
    assert m["IL-15 superagonist"][1] == "nkkg:il-15-agonist"
    assert m["trispecific killer engager"][1] == "nkkg:nk-cell-engager"
    assert m["therapeutic cancer vaccine"][0] == "platform"


def test_agents_named_by_class_preparation_or_stem(ex):
    x = run(ex, "Recombinant human IL-21 (rhIL-21) was given with CIK cells. Anti-LAG-3 antibodies and blockade of "
                "CD96 were compared with HDAC inhibitors and with zanolimab in mice.")
    m = mentions(x)
    assert m["Recombinant human IL-21"][0] == "agent" and m["rhIL-21"][1] == m["Recombinant human IL-21"][1]
    assert m["CIK cells"][0] == "agent" and m["HDAC inhibitors"][0] == "agent" and m["zanolimab"][0] == "agent"
    anti_lag3, block_cd96 = m["Anti-LAG-3 antibodies"][1], m["blockade of CD96"][1]
    assert (anti_lag3, "nkv:targets", "nkkg:lag-3") in rels(x) and (block_cd96, "nkv:targets", "nkkg:cd96") in rels(x)
    assert (anti_lag3, "nkv:targets", "nkkg:cd96") not in rels(x)  # a receptor inside a phrase belongs to it alone


def test_named_antibody_in_apposition_takes_the_target_of_its_description(ex):
    x = run(ex, "The anti-HER2 monoclonal antibody trastuzumab and novel anti-TIGIT checkpoint agents, such as "
                "tiragolumab, were studied.")
    assert {("nkkg:trastuzumab", "nkv:targets", "nkkg:her2"), ("nkkg:tiragolumab", "nkv:targets", "nkkg:tigit")} <= rels(x)
    assert "anti-HER2 monoclonal antibody" not in mentions(x)  # a description, not an entity of its own
    assert mentions(x)["anti-TIGIT checkpoint agents"][1] == "nkkg:nk-checkpoint-antibody"


def test_products_named_by_their_target(ex):
    x = run(ex, "We generated HER2-CAR NK cells and mesothelin-CAR NK cells.")
    her2_car = mentions(x)["HER2-CAR NK cells"][1]
    assert (her2_car, "nkv:targets", "nkkg:her2") in rels(x)
    assert (her2_car, "nkv:usesPlatform", "nkkg:car-nk") in rels(x)
    assert (her2_car, "nkv:targets", "nkkg:mesothelin") not in rels(x)


def test_barrier_phrases(ex):
    m = mentions(run(ex, "Tumours escape from immune surveillance through an immunosuppressive milieu, NK cell "
                         "exhaustion, loss of NKp30 expression and poor infiltration of NK cells into the tumour core."))
    assert m["immunosuppressive milieu"][1] == "nkkg:immunosuppressive-tme"
    assert m["NK cell exhaustion"][1] == "nkkg:nk-cell-exhaustion"
    assert m["poor infiltration of NK cells into the tumour core"][1] == "nkkg:poor-nk-infiltration"
    assert m["escape from immune surveillance"][0] == m["loss of NKp30 expression"][0] == "tme_barrier"


def test_tumour_phrases_by_grammar(ex):
    m = mentions(run(ex, "Patients with HER2-overexpressing metastatic breast cancer, uveal melanoma or advanced cancer."))
    assert m["HER2-overexpressing metastatic breast cancer"][1] == "nkkg:her2-positive-breast-cancer"
    assert m["HER2"][0] == "receptor"  # the receptor inside the tumour phrase is kept
    assert m["uveal melanoma"] == ("tumour", UNVERIFIED_PREFIX + "tumour-uveal-melanoma")
    assert "advanced cancer" not in m  # no site, no entity


def test_cytokines_only_as_drugs(ex):
    given = mentions(run(ex, "A phase I trial of paclitaxel in combination with interleukin-12 given subcutaneously."))
    assert given["interleukin-12"][0] == "agent"
    stimulus = mentions(run(ex, "NK cells were stimulated in vitro with IL-12 and IL-18 overnight."))
    assert "IL-12" not in stimulus


# --- document-level relations -----------------------------------------------------------------------

def test_title_agent_carries_to_population_and_registration(ex):
    x = run(ex, "Patients with recurrent glioblastoma received two cycles. The study is registered as NCT01234567.",
            title="Intratumoral XR-1177 for brain tumours")
    agent = mentions(x)["XR-1177"][1]
    assert (agent, "nkv:testedIn", "nkkg:gbm") in rels(x)
    assert (agent, "nkv:evaluatedIn", "clinicaltrials:NCT01234567") in rels(x)


def test_anaphora_stands_for_the_study_agent(ex):
    x = run(ex, "The combination was then tested in patients with non-small cell lung cancer.",
            title="N-803 plus pembrolizumab: a phase II study")
    assert ("nkkg:n-803", "nkv:testedIn", "nkkg:nsclc") in rels(x)
    assert ("nkkg:n-803", "nkv:combinedWith", "nkkg:pembrolizumab") in rels(x)


def test_design_phrase_and_comparator_arm(ex):
    x = run(ex, "In a phase I trial of N-803 plus nivolumab versus nivolumab alone in patients with advanced/metastatic "
                "solid tumors, responses were seen.")
    assert ("nkkg:n-803", "nkv:testedIn", "nkkg:solid-tumour") in rels(x)
    assert ("nkkg:n-803", "nkv:combinedWith", "nkkg:nivolumab") in rels(x)


def test_sentence_about_another_agent_does_not_inherit_the_focus(ex):
    x = run(ex, "Separately, patients with melanoma received pembrolizumab monotherapy.", title="AFM24 in EGFR-positive tumours")
    assert ("nkkg:afm24", "nkv:testedIn", "nkkg:melanoma") not in rels(x)


def test_negated_and_hedged_relations_stay_so(ex):
    x = run(ex, "N-803 was not combined with cetuximab. N-803 may overcome tumour hypoxia.")
    assert ("nkkg:n-803", "nkv:combinedWith", "nkkg:cetuximab") in rels(x, positive=False)
    assert ("nkkg:n-803", "nkv:counters", "nkkg:hypoxia") in rels(x, positive=False)


# --- outcome grammar --------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence,expected", [
    ("Median PFS was 11.2 versus 7.9 months.", {("PFS", 11.2, "months"), ("PFS", 7.9, "months")}),
    ("Grade 3 or higher treatment-related adverse events occurred in 14% of patients.", {("AE_G3PLUS", 14.0, "%")}),
    ("The most common adverse events were nausea (21%) and chills (n = 5, 12%).", {("AE", 21.0, "%"), ("AE", 12.0, "%")}),
    ("The 1- and 3-year OS rates were 64% and 22%.", {("OS", 64.0, "%"), ("OS", 22.0, "%")}),
    ("The confirmed ORR was 31% with the combination versus 12% with docetaxel alone.", {("ORR", 31.0, "%"), ("ORR", 12.0, "%")}),
    ("Median follow-up was 24.3 months.", {("FOLLOWUP", 24.3, "months")}),
    ("Median DFS was 14.1 months and median time to progression 5.2 months.", {("DFS", 14.1, "months"), ("TTP", 5.2, "months")}),
    ("The median duration of response was 9.4 months.", {("DoR", 9.4, "months")}),
    ("Four of 21 patients had stable disease.", {("SD", 4.0, "patients")}),
    ("No dose-limiting toxicities and no grade 4 adverse events were observed.", {("DLT", 0.0, "patients"), ("AE_G4PLUS", 0.0, "%")}),
    ("The product had a purity of 95% and viability above 90% after a 1,200-fold expansion.",
     {("PURITY", 95.0, "%"), ("VIABILITY", 90.0, "%"), ("EXPANSION", 1200.0, "fold")}),
    ("Median OS was 23.7 months (95% confidence interval [CI] 15.8-not reached).", {("OS", 23.7, "months")}),
    ("Partial responses and stable disease were observed in 7 (12%) and 30 (50%) patients, respectively.",
     {("PR", 12.0, "%"), ("SD", 50.0, "%")}),
    ("The median time to recurrence was 13.6 (IQR 6.5-25.2) months in the CIK group.", {("TTP", 13.6, "months")}),
    ("The 3-year overall survival (OS) and 3-year disease-free survival (DFS) rates were 40.1 versus 30.2% (P = 0.04) "
     "and 25.5 versus 12.0% (P = 0.01), respectively.",
     {("OS", 40.1, "%"), ("OS", 30.2, "%"), ("DFS", 25.5, "%"), ("DFS", 12.0, "%")}),
    ("Median PFS was longer in the NK group (8.1 months) than in the control group (6.2 months, P = 0.02).",
     {("PFS", 8.1, "months"), ("PFS", 6.2, "months")}),
    ("Median OS was 9.9 months for drug A plus cetuximab versus 9.1 months for placebo plus cetuximab.",
     {("OS", 9.9, "months"), ("OS", 9.1, "months")}),
    ("The response rate was 55.5% in the TACE+CIK group and 41.0% in the TACE group.", {("ORR", 55.5, "%"), ("ORR", 41.0, "%")}),
    ("The response rate of patients with the FCGR2A H/H genotype rose when cetuximab was added to the chemotherapy "
     "backbone (28% versus 47%, P = 0.02).", {("ORR", 28.0, "%"), ("ORR", 47.0, "%")}),
    ("Two cases suffered from pyrexia and 3 patients developed rash.", {("AE", 2.0, "patients"), ("AE", 3.0, "patients")}),
    ("Time to first recurrence was longer with the cells (51% vs 30% at 3 years).", {("RFS", 51.0, "%"), ("RFS", 30.0, "%")}),
])
def test_outcome_grammar(ex, sentence, expected):
    assert figures(run(ex, sentence)) == expected


def test_adverse_event_keeps_its_name(ex):
    (ae,) = [o for o in run(ex, "Adverse events included fever (30%).").outcomes if o.measure == "AE"]
    assert ae.event == "fever" and ae.value == 30.0


def test_background_sentences_without_a_measure_give_no_figure(ex):
    assert figures(run(ex, "The follow-up computed tomography at 3 months showed no residual tumour.")) == set()


def test_a_hedged_conclusion_presupposes_the_design(ex):
    x = run(ex, "CIK cells may be a valuable strategy for patients with hepatocellular carcinoma. CIK cells might bind NKG2D.")
    cik = mentions(x)["CIK cells"][1]
    assert (cik, "nkv:testedIn", "nkkg:hcc") in rels(x)  # tested in HCC: the hedge is about efficacy
    assert (cik, "nkv:targets", "nkkg:nkg2d") in rels(x, positive=False)  # a mechanism stays hedged


def test_a_negated_background_clause_does_not_negate_the_design(ex):
    x = run(ex, "Patients with HER2-positive breast cancer, for whom no standard therapy was available, received margetuximab.")
    assert ("nkkg:margetuximab", "nkv:testedIn", "nkkg:her2-positive-breast-cancer") in rels(x)


def test_antibodies_described_by_their_target_in_several_ways(ex):
    x = run(ex, "The TIGIT-targeted antibody, tiragolumab, was given with atezolizumab (anti-PD-L1). Lirilumab "
                "(antibody against KIR2D) was tested.")
    assert {("nkkg:tiragolumab", "nkv:targets", "nkkg:tigit"), ("nkkg:atezolizumab", "nkv:targets", "nkkg:pd-l1"),
            ("nkkg:tiragolumab", "nkv:usesPlatform", "nkkg:nk-checkpoint-antibody")} <= rels(x)
    assert ("nkkg:tiragolumab", "nkv:targets", "nkkg:pd-l1") not in rels(x)  # the nearer drug owns the target


def test_oncolytic_virus_named_by_its_virus(ex):
    x = run(ex, "We armed an oncolytic virus, vesicular stomatitis virus (VSV), with IL-15.")
    vsv = mentions(x)["vesicular stomatitis virus"][1]
    assert mentions(x)["VSV"][1] == vsv and (vsv, "nkv:usesPlatform", "nkkg:oncolytic-virus") in rels(x)


def test_anti_x_standing_alone_in_a_list(ex):
    x = run(ex, "Anti-CD96 was more effective in combination with anti-CTLA-4, anti-PD-1, or doxorubicin.")
    m = mentions(x)
    assert m["Anti-CD96"][0] == "agent" and m["anti-CTLA-4"][0] == m["anti-PD-1"][0] == "combination_partner"
    assert (m["Anti-CD96"][1], "nkv:combinedWith", "nkkg:doxorubicin") in rels(x)


def test_a_drug_given_in_an_nk_context_can_counter_a_barrier(ex):
    x = run(ex, "Gemcitabine inhibits immune escape of pancreatic cancer.")
    escape = mentions(x)["immune escape"][1]
    assert ("nkkg:gemcitabine", "nkv:counters", escape) in rels(x)


def test_il2_is_the_drug_only_when_given(ex):
    given = mentions(run(ex, "Patients received high-dose IL-2 with the NK cells."))
    assert any(ident == "nkkg:aldesleukin" for _cat, ident in given.values())
    for sentence in ("NK cells stimulated with IL-2 were tested in vitro with a combination of drugs.",
                     "Agonists of the IL-2 receptor given with cetuximab.", "A mutant form of IL-2 was given with H9."):
        assert all(ident != "nkkg:aldesleukin" for _cat, ident in mentions(run(ex, sentence)).values()), sentence


def test_cell_therapy_phrases_act_as_the_studied_product(ex):
    x = run(ex, "Immune cell therapy combined with chemotherapy was given for extensive-stage small-cell lung cancer.")
    therapy = mentions(x)["Immune cell therapy"]
    assert therapy[0] == "platform" and (therapy[1], "nkv:testedIn", "nkkg:sclc") in rels(x)
