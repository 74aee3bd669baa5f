"""Curation operations: add, import, verdict, review, retract, comment; list, show, sync.

Every write follows one path: take the journal lock, validate everything against the journal's state
(and the store, for existing evidence), append the new entries (fsync: now they are acknowledged),
then update the store if it exists by replacing the affected assertions' graphs. If the store missed
earlier entries (a writer was killed between the journal and the store, or wrote while no store
existed) every curated graph is replaced instead, so the store always ends up matching the journal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from ..config import Settings
from ..errors import InputError, StoreError
from ..graph.rdf import NKV
from ..graph.store import STATEMENTS
from ..ids import statement_id
from ..nlp.lexicon import Lexicon, load_lexicon
from . import graphs
from .checks import (Resolver, check_curator, check_predicate, check_shapes, check_source, check_text,
                     typing_graph)
from .journal import Entry, Journal, new_id, utc_now
from .state import Assertion, CurationStateError, SelfReviewError, State


@dataclass(frozen=True)
class Row:
    """One assertion to add, as a curator or a file gives it (unvalidated)."""

    subject: str
    predicate: str
    object: str
    source: str
    evidence: str | None
    curator: str
    negated: bool = False
    where: str = ""  # e.g. "rows.tsv:7", for error messages


@dataclass(frozen=True)
class Result:
    id: str  # the journal entry written (or the existing one, for an exact repeat)
    assertion: str
    action: str
    status: str
    conflict: bool = False
    duplicate: bool = False  # evidence added to an existing assertion of the same statement
    repeat: bool = False  # exactly this evidence was already recorded: nothing was written
    statement: tuple[str, str, str] | None = None

    def to_json(self) -> dict:
        out = dict(self.__dict__)
        out["statement"] = list(self.statement) if self.statement else None
        return out


class StoreRef:
    """The read-write store for one write, dropped explicitly: a frame kept alive by a library (a stored
    traceback) must not keep RocksDB's lock, or the next writer of this process could not open it."""

    def __init__(self, store: ox.Store | None):
        self.store = store

    def close(self) -> None:
        self.store = None


@dataclass
class Curation:
    settings: Settings
    lexicon: Lexicon | None = None
    journal: Journal = field(init=False)
    notices: list[str] = field(default_factory=list)

    def __post_init__(self):
        self.journal = Journal(self.settings.journal_path)
        self._state: State | None = None
        self._state_generation = -1
        self._resolver: Resolver | None = None

    # --- state ------------------------------------------------------------------------------------

    @property
    def resolver(self) -> Resolver:
        if self._resolver is None:
            self._resolver = Resolver(self.lexicon or load_lexicon(self.settings.extra_lexicons))
        return self._resolver

    def _sync_state(self, entries: list[Entry]) -> State:
        if self._state is None or self._state_generation != self.journal.generation or self._state.count > len(entries):
            self._state, self._state_generation = State(), self.journal.generation
        for e in entries[self._state.count:]:
            self._state.apply(e)
        return self._state

    def state(self) -> State:
        with self.journal.locked() as entries:
            state = self._sync_state(entries)
        self.notices += self.journal.take_notices()
        return state

    # --- the write path -----------------------------------------------------------------------------

    def _open_store(self) -> "StoreRef":
        return StoreRef(self._open())

    def _open(self) -> ox.Store | None:
        path = Path(self.settings.store)
        if not path.is_dir():
            return None
        deadline = time.monotonic() + 30
        while True:
            try:
                return ox.Store(str(path))
            except OSError as exc:  # another process holds the store's write lock for a moment
                if time.monotonic() > deadline:
                    raise StoreError(f"cannot open store {path}: {exc}") from exc
                time.sleep(0.05)

    def _write(self, plan) -> list[Result]:
        """``plan(state, store)`` validates and returns (entries, results); nothing is written if it raises."""
        with self.journal.locked() as entries:
            state = self._sync_state(entries)
            head_before = entries[-1].id if entries else None
            ref = self._open_store()
            try:
                try:
                    new, results = plan(state, ref)
                    self.journal.append(new)  # durable, hence acknowledged, from here on
                except BaseException:
                    self._state = None  # the plan applied its entries to the state: rebuild it from the journal
                    raise
                if ref.store is not None:
                    self._update_store(ref, state, head_before, {e.assertion for e in new})
            finally:
                ref.close()
        self.notices += self.journal.take_notices()
        return results

    def _update_store(self, ref: "StoreRef", state: State, head_before: str | None, touched: set[str]) -> None:
        try:
            if graphs.store_head(ref.store) != head_before:  # the store missed entries: replace every curated graph
                stale = graphs.curated_graph_names(ref.store) - {str(graphs.graph_name(a)) for a in state.assertions}
                graphs.apply_to_store(ref.store, list(state.assertions.values()), state.head, drop=stale)
            elif touched:
                graphs.apply_to_store(ref.store, [state.assertions[a] for a in touched], state.head)
        except (OSError, RuntimeError, ValueError, SyntaxError) as exc:
            message = f"the journal has the change but the store was not updated ({exc}); run `nkkg curate sync`"
            self.notices.append(message)

    # --- adding -------------------------------------------------------------------------------------

    def _entry(self, state: State, taken: set[str], **kw) -> Entry:
        eid = new_id(state.ids, taken)
        taken.add(eid)
        kw.setdefault("assertion", eid)
        return Entry(id=eid, time=utc_now(), **kw)

    def _validate_row(self, row: Row) -> tuple[Row, Graph]:
        """Resolve and check one row; return it normalised (CURIEs) and the typing triples it needs."""
        curator = check_curator(row.curator)
        s = self.resolver.resolve(row.subject, "subject")
        o = self.resolver.resolve(row.object, "object")
        p = check_predicate(row.predicate, s, o)
        source = check_source(row.source)
        text = check_text(row.evidence, "the evidence text")
        return Row(s.curie, p, o.curie, source, text, curator, bool(row.negated), row.where), typing_graph([s, o])

    def _plan_add(self, state: State, ref, row: Row, taken: set[str], kind: str = "add",
                  verdict: str | None = None) -> tuple[Entry | None, Result]:
        sid = statement_id(row.subject, row.predicate, row.object)
        negated = row.negated or verdict == "incorrect"
        same = [a for a in state.live_for(sid) if a.kind == kind and a.negated == negated]
        common = dict(action=kind, author=row.curator, subject=row.subject, predicate=row.predicate, object=row.object,
                      source=row.source, sentence=row.evidence, negated=row.negated, verdict=verdict)
        statement = (row.subject, row.predicate, row.object)
        if same:
            a = same[0]
            for e in a.evidence:
                if (e.source, e.sentence, e.author.casefold()) == (row.source, row.evidence, row.curator.casefold()):
                    return None, Result(e.id, a.id, kind, a.status, a.conflict, True, True, statement)
            entry = self._entry(state, taken, assertion=a.id, **common)
            return entry, Result(entry.id, a.id, kind, a.status, a.conflict, True, False, statement)
        conflict = kind == "add" and self._contradicted(state, ref, sid, not negated)
        entry = self._entry(state, taken, conflict=conflict, **common)
        return entry, Result(entry.id, entry.id, kind, "pending", conflict, False, False, statement)

    def _contradicted(self, state: State, ref, sid: str, positive: bool) -> bool:
        """Is there live evidence of the opposite polarity for this statement (in the store or the journal)?"""
        if any(a.positive != positive for a in state.live_for(sid)):
            return True
        if ref.store is None:
            return False
        st = ox.NamedNode(str(graphs.statement_node(sid)))
        for q in ref.store.quads_for_pattern(st, ox.NamedNode(str(NKV.evidence)), None, None):
            if q.graph_name.value.startswith(graphs.CURATION_PREFIX):
                continue  # curated evidence: the journal's state (above) is authoritative
            neg = next(ref.store.quads_for_pattern(q.object, ox.NamedNode(str(NKV.negated)), None, q.graph_name), None)
            if neg is not None and (neg.object.value == "false") != positive:
                return True
        return False

    def _edge_exists(self, state: State, ref, sid: str) -> bool:
        if state.by_statement.get(sid):
            return True
        if ref.store is None:
            return False
        st = ox.NamedNode(str(graphs.statement_node(sid)))
        return next(ref.store.quads_for_pattern(st, None, None, ox.NamedNode(STATEMENTS)), None) is not None

    def _shacl(self, planned: list[tuple[Entry, Graph]], state: State) -> None:
        """SHACL over what the new entries add to the assertion's graph (their evidence and events), with the
        statement and the typing triples they need; earlier entries were checked when they were written.
        Domain and range were checked against the ontology before (``check_predicate``)."""
        data = Graph()
        new = {entry.id for entry, _ in planned}
        for entry, typing in planned:
            a = state.assertions[entry.assertion]
            graphs.assertion_graph(a, data, only=new)
            graphs.shared_graph(a, data)
            data += typing
        check_shapes(data)

    def add(self, subject: str, predicate: str, obj: str, source: str, evidence: str | None, curator: str,
            negated: bool = False) -> Result:
        return self.add_rows([Row(subject, predicate, obj, source, evidence, curator, negated)])[0]

    def add_rows(self, rows: list[Row]) -> list[Result]:
        """Add a batch: every row is validated first; any error refuses the whole batch (nothing written)."""
        if not rows:
            raise InputError("nothing to add: the batch is empty")
        errors: list[str] = []
        errors_single: list[InputError] = []
        checked: list[tuple[Row, Graph]] = []
        for i, row in enumerate(rows, start=1):
            try:
                checked.append(self._validate_row(row))
            except InputError as exc:
                errors.append(f"{row.where or f'row {i}'}: {exc}")
                errors_single.append(exc)
        if errors:
            more = f" (and {len(errors) - 3} more)" if len(errors) > 3 else ""
            if len(rows) == 1:
                raise errors_single[0]
            raise InputError(f"batch refused, nothing written: {'; '.join(errors[:3])}{more}")

        def plan(state: State, ref):
            taken: set[str] = set()
            entries, results, planned = [], [], []
            for row, typing in checked:
                entry, result = self._plan_add(state, ref, row, taken)
                results.append(result)
                if entry is not None:
                    entries.append(entry)
                    state.apply(entry)  # later rows of the batch see this one (duplicates within a batch)
                    planned.append((entry, typing))
            self._shacl(planned, state)
            return self._as_batch(entries), results

        return self._write(plan)

    @staticmethod
    def _as_batch(entries: list[Entry]) -> list[Entry]:
        if len(entries) < 2:
            return entries
        batch = entries[0].id
        return [Entry(**{**e.__dict__, "batch": batch, "batch_size": len(entries)}) for e in entries]

    def verdict(self, subject: str, predicate: str, obj: str, correct: bool, source: str, note: str | None,
                curator: str) -> Result:
        row, typing = self._validate_row(Row(subject, predicate, obj, source, note, curator))
        sid = statement_id(row.subject, row.predicate, row.object)

        def plan(state: State, ref):
            if not self._edge_exists(state, ref, sid):
                raise InputError(f"no existing edge {row.subject} {row.predicate} {row.object} to give a verdict on"
                                 + ("" if ref.store is not None else " (no store: run `nkkg build` first)"))
            entry, result = self._plan_add(state, ref, row, set(), "verdict", "correct" if correct else "incorrect")
            if entry is None:
                return [], [result]
            state.apply(entry)
            self._shacl([(entry, typing)], state)
            return [entry], [result]

        return self._write(plan)[0]

    # --- reviewing ----------------------------------------------------------------------------------

    def _event(self, assertion_id: str, action: str, curator: str, reason: str | None = None,
               text: str | None = None) -> Result:
        curator = check_curator(curator)

        def plan(state: State, ref):
            a = state.get(assertion_id)
            self._check_transition(a, action, curator)
            entry = self._entry(state, set(), action=action, author=curator, assertion=a.id, reason=reason, text=text)
            state.apply(entry)
            return [entry], [Result(entry.id, a.id, action, a.status, a.conflict,
                                    statement=(a.subject, a.predicate, a.object))]

        return self._write(plan)[0]

    @staticmethod
    def _check_transition(a: Assertion, action: str, curator: str) -> None:
        if action in ("approve", "reject"):
            if curator.casefold() in a.authors:
                raise SelfReviewError(f"{curator} cannot review assertion {a.id}: reviewers must not be its authors "
                                      f"({', '.join(sorted(a.authors))})")
            if a.status != "pending":
                raise CurationStateError(f"assertion {a.id} is {a.status}, not pending: it cannot be reviewed again")
        elif action == "retract" and a.status not in ("pending", "approved"):
            raise CurationStateError(f"assertion {a.id} is already {a.status}")

    def review(self, assertion_id: str, approve: bool, curator: str, reason: str | None = None) -> Result:
        return self._event(assertion_id, "approve" if approve else "reject", curator,
                           reason=check_text(reason, "the reason"))

    def retract(self, assertion_id: str, reason: str, curator: str) -> Result:
        return self._event(assertion_id, "retract", curator, reason=check_text(reason, "the reason", required=True))

    def comment(self, assertion_id: str, text: str, curator: str) -> Result:
        return self._event(assertion_id, "comment", curator, text=check_text(text, "the comment", required=True))

    # --- reading and syncing ------------------------------------------------------------------------

    def list(self, status: str | None = None) -> list[Assertion]:
        return [a for a in self.state().assertions.values() if status is None or a.status == status]

    def show(self, assertion_id: str) -> Assertion:
        return self.state().get(assertion_id)

    def sync(self) -> int:
        """Replace every curated graph of the store with the journal's (what a build does, without the rest)."""
        with self.journal.locked() as entries:
            state = self._sync_state(entries)
            ref = self._open_store()
            if ref.store is None:
                raise StoreError(f"no store at {self.settings.store}: run `nkkg build` (it replays the journal)")
            try:
                stale = graphs.curated_graph_names(ref.store) - {str(graphs.graph_name(a)) for a in state.assertions}
                graphs.apply_to_store(ref.store, list(state.assertions.values()), state.head, drop=stale)
            finally:
                ref.close()
        self.notices += self.journal.take_notices()
        return len(state.assertions)
