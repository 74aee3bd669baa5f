"""Journal entries -> the state of each curated assertion (a pure fold, replayed on every build).

An assertion starts with an ``add`` (a curator's statement with its source) or a ``verdict`` (a
curator's judgement, correct or incorrect, on an existing edge) and is ``pending`` until a reviewer
who is not one of its authors approves or rejects it; approved or pending assertions can be
retracted. Every entry about an assertion stays in its history (who, when, why).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import InputError
from ..ids import statement_id
from .journal import Entry, JournalError

STATUS_AFTER = {"approve": "approved", "reject": "rejected", "retract": "retracted"}
LIVE = ("pending", "approved")


class UnknownAssertionError(InputError):
    """No curated assertion has this id (HTTP 404)."""


class CurationStateError(InputError):
    """The action does not fit the assertion's state, e.g. approving a retracted one (HTTP 409)."""


class SelfReviewError(CurationStateError):
    """A curator tried to review their own assertion (HTTP 409)."""


@dataclass
class Assertion:
    id: str
    kind: str  # add | verdict
    subject: str
    predicate: str
    object: str
    negated: bool
    verdict: str | None
    author: str
    created: str
    status: str = "pending"
    conflict: bool = False
    history: list[tuple[Entry, str]] = field(default_factory=list)  # each entry and the status after it

    statement_id: str = ""

    def __post_init__(self):
        self.statement_id = self.statement_id or statement_id(self.subject, self.predicate, self.object)

    @property
    def evidence(self) -> list[Entry]:
        return [e for e, _ in self.history if e.action in ("add", "verdict")]

    @property
    def authors(self) -> set[str]:
        return {e.author.casefold() for e in self.evidence}

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def positive(self) -> bool:
        """Does this assertion support the edge (an add not negated, or a 'correct' verdict)?"""
        return self.verdict == "correct" if self.kind == "verdict" else not self.negated

    def summary(self) -> dict:
        return {"id": self.id, "kind": self.kind, "status": self.status, "conflict": self.conflict,
                "subject": self.subject, "predicate": self.predicate, "object": self.object,
                "statement_id": self.statement_id, "negated": self.negated, "verdict": self.verdict,
                "author": self.author, "created": self.created, "evidence": len(self.evidence),
                "sources": sorted({e.source for e in self.evidence if e.source})}

    def to_json(self) -> dict:
        return {**self.summary(), "history": [{**e.to_json(), "status": s} for e, s in self.history]}


class State:
    """All curated assertions by id, in journal order; ``apply`` one entry at a time."""

    def __init__(self):
        self.assertions: dict[str, Assertion] = {}
        self.ids: set[str] = set()
        self.by_statement: dict[str, list[str]] = {}
        self.head: str | None = None
        self.count = 0

    def apply(self, e: Entry) -> Assertion:
        if e.id in self.ids:
            raise JournalError(f"journal line {e.line}: duplicate entry id {e.id}")
        if e.action in ("add", "verdict") and e.assertion == e.id:
            a = Assertion(id=e.id, kind=e.action, subject=e.subject, predicate=e.predicate, object=e.object,
                          negated=e.negated or e.verdict == "incorrect", verdict=e.verdict, author=e.author,
                          created=e.time, conflict=e.conflict)
            self.assertions[a.id] = a
            self.by_statement.setdefault(a.statement_id, []).append(a.id)
        else:
            a = self.assertions.get(e.assertion)
            if a is None:
                raise JournalError(f"journal line {e.line}: entry {e.id} refers to unknown assertion {e.assertion}")
            a.status = STATUS_AFTER.get(e.action, a.status)
        a.history.append((e, a.status))
        self.ids.add(e.id)
        self.head = e.id
        self.count += 1
        return a

    def get(self, assertion_id: str) -> Assertion:
        a = self.assertions.get(assertion_id)
        if a is None:
            raise UnknownAssertionError(f"no curated assertion {assertion_id!r} (see `nkkg curate list`)")
        return a

    def live_for(self, sid: str) -> list[Assertion]:
        return [a for a in map(self.assertions.get, self.by_statement.get(sid, ())) if a.live]


def fold(entries: list[Entry]) -> State:
    state = State()
    for e in entries:
        state.apply(e)
    return state
