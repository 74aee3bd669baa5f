"""Merge statements by content id and union their evidence (the same fact from a paper, a trial
record and a curator becomes one edge with three pieces of evidence).

Contract: ``assemble(statements)`` -> ``list[Assembled]``, sorted by id, evidence de-duplicated and
sorted, so the same input always gives the same output.
"""

from __future__ import annotations

from dataclasses import dataclass

from .ids import statement_id
from .model import Evidence, Statement


@dataclass(frozen=True)
class Assembled:
    id: str
    statement: Statement

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(sorted({e.document for e in self.statement.evidence}))

    @property
    def positive_sources(self) -> tuple[str, ...]:
        return tuple(sorted({e.document for e in self.statement.evidence if not e.negated}))


def _ev_key(e: Evidence):
    return (e.document, e.start if e.start is not None else -1, e.attributed_to, e.sentence or "", e.negated)


def assemble(statements: list[Statement]) -> list[Assembled]:
    merged: dict[str, Statement] = {}
    evidence: dict[str, dict] = {}
    for st in statements:
        sid = statement_id(st.subject, st.predicate, st.object)
        if sid not in merged:
            merged[sid] = st
            evidence[sid] = {}
        for e in st.evidence:
            evidence[sid].setdefault(_ev_key(e), e)
    out = []
    for sid in sorted(merged):
        st = merged[sid]
        evs = tuple(sorted(evidence[sid].values(), key=_ev_key))
        out.append(Assembled(sid, Statement(st.subject, st.predicate, st.object, evs, st.qualifiers)))
    return out
