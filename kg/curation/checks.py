"""Validation of a curator's input before anything is written.

Entities resolve by CURIE, IRI or exact label/synonym (case-insensitive), with "did you mean"
suggestions (difflib) for near misses; ``clinicaltrials:`` CURIEs (or bare NCT numbers) are trials.
The predicate must be an object property of ``ontology/nkv.ttl`` whose domain and range admit the
entities' classes (lexicon categories -> classes, with their superclasses). The finished graph of the
assertion, with the typing triples it needs, must pass the SHACL shapes (``kg.validate``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import lru_cache

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS

from ..errors import InputError, UnknownEntityError
from ..graph.rdf import NKV, iri
from ..ids import NCT_RE, compress, expand, is_curie_or_iri, normalise_source
from ..nlp.lexicon import Lexicon
from ..resources import ontology_dir
from ..validate import validate_graph

CURATOR_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
MAX_TEXT = 20_000
TRIAL_CLASS = str(NKV.ClinicalTrial)


def check_curator(value: object) -> str:
    if not isinstance(value, str) or not CURATOR_RE.fullmatch(value.strip()):
        raise InputError(f"curator id must be 1-64 letters, digits, '.', '_' or '-' (an ORCID works), got {value!r}")
    return value.strip()


def check_text(value: object, what: str, required: bool = False) -> str | None:
    """Free text is kept verbatim (quotes, braces, newlines ...); it must be valid Unicode text."""
    if value is None or value == "":
        if required:
            raise InputError(f"{what} is required")
        return None
    if not isinstance(value, str):
        raise InputError(f"{what} must be text")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(f"{what} is not valid Unicode text (lone surrogate at {exc.start})") from exc
    if "\x00" in value:
        raise InputError(f"{what} contains a NUL character")
    if len(value) > MAX_TEXT:
        raise InputError(f"{what} is longer than {MAX_TEXT} characters")
    if required and not value.strip():
        raise InputError(f"{what} is required")
    return value


def check_source(value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError("a source is required (PMID:..., NCT..., doi:... or an IRI)")
    curie = normalise_source(value)
    expand(curie)
    return curie


@dataclass(frozen=True)
class Resolved:
    curie: str
    label: str
    classes: frozenset[str]  # expanded class IRIs, superclasses included

    @property
    def is_trial(self) -> bool:
        return TRIAL_CLASS in self.classes


@dataclass(frozen=True)
class Property:
    curie: str
    kind: str  # object | datatype
    domain: frozenset[str] | None  # None: unrestricted
    range: frozenset[str] | None


@dataclass(frozen=True)
class Ontology:
    properties: dict[str, Property]
    superclasses: dict[str, frozenset[str]]
    labels: dict[str, str]

    def closure(self, classes) -> frozenset[str]:
        out = set()
        for c in classes:
            out |= {c} | self.superclasses.get(c, frozenset())
        return frozenset(out)

    def label(self, cls: str) -> str:
        return self.labels.get(cls) or compress(cls)


def _class_set(g: Graph, node) -> frozenset[str] | None:
    if node is None or node == OWL.Thing:
        return None
    if isinstance(node, BNode):
        members = g.value(node, OWL.unionOf)
        return frozenset(str(m) for m in Collection(g, members)) if members is not None else None
    return frozenset({str(node)})


@lru_cache(maxsize=1)
def ontology() -> Ontology:
    g = Graph().parse(ontology_dir() / "nkv.ttl", format="turtle")
    props = {}
    for kind, cls in (("object", OWL.ObjectProperty), ("datatype", OWL.DatatypeProperty)):
        for p in g.subjects(RDF.type, cls):
            props[str(p)] = Property(compress(str(p)), kind, _class_set(g, g.value(p, RDFS.domain)),
                                     _class_set(g, g.value(p, RDFS.range)))
    supers: dict[str, frozenset[str]] = {}
    for c in set(g.subjects(RDF.type, OWL.Class)):
        if isinstance(c, URIRef):
            supers[str(c)] = frozenset(str(s) for s in g.transitive_objects(c, RDFS.subClassOf) if s != c)
    labels = {str(s): str(o) for s, o in g.subject_objects(RDFS.label) if isinstance(s, URIRef)}
    return Ontology(props, supers, labels)


class Resolver:
    """Names -> entities of the lexicon (or trials)."""

    def __init__(self, lexicon: Lexicon):
        self.lexicon = lexicon
        self.by_name: dict[str, list] = {}
        for e in lexicon.entities.values():
            for n in {n.casefold() for n in e.names}:
                self.by_name.setdefault(n, []).append(e)
        self._resolved: dict[str, Resolved] = {}

    def _entity(self, e) -> Resolved:
        onto = ontology()
        return Resolved(e.id, e.label, onto.closure(expand(c.rdf_class) for c in e.categories))

    def _trial(self, nct: str) -> Resolved:
        return Resolved(f"clinicaltrials:{nct}", nct, ontology().closure([TRIAL_CLASS]))

    def suggestions(self, name: str) -> list[str]:
        key = name.strip().casefold()
        if ":" in key and not key.startswith("http"):
            key = key.split(":", 1)[1].replace("-", " ")
        close = difflib.get_close_matches(key, list(self.by_name), n=3, cutoff=0.7)
        out = []
        for n in close:
            for e in self.by_name[n]:
                text = f"{e.label} ({e.id})"
                if text not in out:
                    out.append(text)
        return out[:3]

    def resolve(self, value: object, role: str = "entity") -> Resolved:
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"the {role} is required")
        name = value.strip()
        if name in self._resolved:
            return self._resolved[name]
        resolved = self._resolve(name)
        self._resolved[name] = resolved
        return resolved

    def _resolve(self, name: str) -> Resolved:
        if NCT_RE.fullmatch(name):
            return self._trial(name)
        if is_curie_or_iri(name):
            curie = compress(expand(name))
            if curie.startswith("clinicaltrials:"):
                nct = curie.split(":", 1)[1]
                if not NCT_RE.fullmatch(nct):
                    raise InputError(f"not an NCT identifier: {nct!r}")
                return self._trial(nct)
            e = self.lexicon.get(curie)
            if e is None:
                raise UnknownEntityError(name, self.suggestions(name))
            return self._entity(e)
        matches = self.by_name.get(name.casefold(), [])
        if len(matches) > 1:
            raise InputError(f"ambiguous name {name!r}: " + ", ".join(f"{e.label} ({e.id})" for e in matches)
                             + "; give a CURIE")
        if not matches:
            raise UnknownEntityError(name, self.suggestions(name))
        return self._entity(matches[0])


def check_predicate(value: object, subject: Resolved, obj: Resolved) -> str:
    """The predicate as a CURIE, if the ontology has it as an object property and domain/range fit."""
    if not isinstance(value, str) or not value.strip():
        raise InputError("the predicate is required")
    name = value.strip()
    onto = ontology()
    try:
        full = expand(name) if is_curie_or_iri(name) else None
    except InputError:
        full = None
    prop = onto.properties.get(full) if full else None
    if prop is None:
        local = name.split(":")[-1].split("#")[-1]
        names = {p.curie.split(":")[-1]: p.curie for p in onto.properties.values() if p.kind == "object"}
        close = [names[n] for n in difflib.get_close_matches(local, list(names), n=3, cutoff=0.6)]
        hint = f"; did you mean: {', '.join(close)}?" if close else ""
        raise InputError(f"unknown predicate {name!r}: not an object property of the nkv ontology{hint}")
    if prop.kind != "object":
        raise InputError(f"{prop.curie} is a datatype property: curation links two entities (literal objects are not "
                         "supported)")
    for role, ent, allowed in (("subject", subject, prop.domain), ("object", obj, prop.range)):
        if allowed is not None and not (ent.classes & allowed):
            want = " or ".join(sorted(onto.label(c) for c in allowed))
            own = [c for c in ent.classes if c.startswith(str(NKV))]
            specific = [c for c in own if not any(c in onto.superclasses.get(d, ()) for d in own)]
            have = " and ".join(sorted(onto.label(c) for c in specific)) or "?"
            raise InputError(f"{prop.curie} needs a{'n' if want[0] in 'aeiou' else ''} {want} as its {role}; "
                             f"{ent.label} ({ent.curie}) is a{'n' if have[0] in 'aeiou' else ''} {have}")
    return prop.curie


def typing_graph(entities: list[Resolved]) -> Graph:
    """The class and label triples SHACL needs about the entities an assertion links."""
    g = Graph()
    for r in entities:
        node = iri(r.curie)
        for c in r.classes:
            if c.startswith(str(NKV)):
                g.add((node, RDF.type, URIRef(c)))
        g.add((node, RDFS.label, Literal(r.label)))
        if r.is_trial:
            g.add((node, NKV.nctId, Literal(r.curie.split(":", 1)[1])))
    return g


def check_shapes(data: Graph, what: str = "the assertion") -> None:
    violations = validate_graph(data)
    if violations:
        v = violations[0]
        more = f" (and {len(violations) - 1} more)" if len(violations) > 1 else ""
        raise InputError(f"{what} breaks the SHACL shapes: {compress(v.focus)} {compress(v.path)}: {v.message}{more}")
