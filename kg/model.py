"""The typed records that flow between stages (frozen dataclasses, never tuples).

sources -> ``Document`` (+ ``TrialRecord``) -> nlp -> ``Mention``/``Statement``/``Outcome`` -> assemble -> graph.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Category(str, Enum):
    PLATFORM = "platform"
    AGENT = "agent"
    RECEPTOR = "receptor"
    TUMOUR = "tumour"
    TME_BARRIER = "tme_barrier"
    COMBINATION_PARTNER = "combination_partner"
    TRIAL = "trial"

    @property
    def rdf_class(self) -> str:
        return CATEGORY_CLASS[self]


CATEGORY_CLASS = {
    Category.PLATFORM: "nkv:Platform",
    Category.AGENT: "nkv:Agent",
    Category.RECEPTOR: "nkv:Receptor",
    Category.TUMOUR: "nkv:Tumour",
    Category.TME_BARRIER: "nkv:TMEBarrier",
    Category.COMBINATION_PARTNER: "nkv:CombinationPartner",
    Category.TRIAL: "nkv:ClinicalTrial",
}

# Evidence codes (ECO) and the kinds of agent that produce evidence.
ECO_TEXT_MINING = "ECO:0007321"
ECO_TRIAL_REGISTRY = "ECO:0007225"
ECO_AUTHOR_STATEMENT = "ECO:0000304"
ECO_CURATOR_INFERENCE = "ECO:0000305"


@dataclass(frozen=True)
class Section:
    label: str
    text: str
    offset: int = 0


@dataclass(frozen=True)
class OutcomeFigure:
    """A reported figure: ORR 42.2 %, median PFS 11.8 months, HR 0.7 ..."""

    measure: str
    value: float
    unit: str
    ci_low: float | None = None
    ci_high: float | None = None
    numerator: int | None = None
    denominator: int | None = None
    arm: str | None = None
    subject: str | None = None  # CURIE of the agent or regimen when known
    sentence: str | None = None
    source: str | None = None  # CURIE of the document that reports it
    event: str | None = None  # for measure AE: the adverse event named ("nausea")


@dataclass(frozen=True)
class Intervention:
    type: str
    name: str
    other_names: tuple[str, ...] = ()


@dataclass(frozen=True)
class TrialRecord:
    nct_id: str
    brief_title: str
    official_title: str | None = None
    acronym: str | None = None
    phases: tuple[str, ...] = ()
    status: str | None = None
    why_stopped: str | None = None
    conditions: tuple[str, ...] = ()
    interventions: tuple[Intervention, ...] = ()
    enrollment: int | None = None
    enrollment_type: str | None = None
    sponsor: str | None = None
    start_date: str | None = None
    completion_date: str | None = None
    results: tuple[OutcomeFigure, ...] = ()
    source_url: str | None = None


@dataclass(frozen=True)
class Document:
    id: str  # CURIE: pubmed:123, clinicaltrials:NCT..., nkkg.doc:slug
    title: str
    sections: tuple[Section, ...]
    kind: str = "summary"  # abstract | trial | summary
    year: int | None = None
    url: str | None = None
    doi: str | None = None
    journal: str | None = None
    study_type: str | None = None
    trials: tuple[str, ...] = ()
    trial: TrialRecord | None = None
    mesh: tuple[str, ...] = ()
    publication_types: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """Title and sections joined; section offsets index into this string."""
        return "\n".join([self.title, *(s.text for s in self.sections)]) if self.title else "\n".join(
            s.text for s in self.sections
        )


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    category: Category
    id: str
    label: str
    negated: bool = False
    hedged: bool = False


@dataclass(frozen=True)
class Evidence:
    document: str  # CURIE of the source (pubmed:..., clinicaltrials:NCT..., a curator's source)
    sentence: str | None
    code: str  # ECO CURIE
    agent_type: str  # text_mining | trial_registry | manual
    attributed_to: str  # extractor name@version or curator id
    confidence: float
    start: int | None = None
    end: int | None = None
    negated: bool = False
    hedged: bool = False


@dataclass(frozen=True)
class Statement:
    subject: str  # CURIE
    predicate: str  # CURIE (nkv:...)
    object: str  # CURIE
    evidence: tuple[Evidence, ...] = field(default_factory=tuple)
    qualifiers: tuple[tuple[str, str], ...] = ()

    @property
    def asserted(self) -> bool:
        """The direct triple holds when at least one piece of evidence is not negated."""
        return any(not e.negated for e in self.evidence)
