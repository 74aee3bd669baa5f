"""The entity lexicon: ``ontology/lexicon/entities.tsv`` (+ user lexicons) and the ambiguity rules.

Contract: ``load_lexicon(paths)`` returns a validated, immutable ``Lexicon``; a bad row raises
``LexiconError`` naming file, line and problem. Nothing here touches spaCy.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import LexiconError
from ..model import Category
from ..resources import lexicon_dir

COLUMNS = ["id", "label", "category", "extra_categories", "synonyms", "xrefs", "platform", "targets", "source", "note"]
ENTITY_CATEGORIES = {c.value for c in Category} - {"trial"}
AMBIGUITY_RULES = {"never", "next_word", "sentence_has"}


@dataclass(frozen=True)
class Entity:
    id: str
    label: str
    category: Category
    extra_categories: tuple[Category, ...] = ()
    synonyms: tuple[str, ...] = ()
    xrefs: tuple[str, ...] = ()
    platform: str | None = None
    targets: tuple[str, ...] = ()
    source: str | None = None
    note: str = ""

    @property
    def categories(self) -> tuple[Category, ...]:
        return (self.category, *self.extra_categories)

    @property
    def names(self) -> tuple[str, ...]:
        return (self.label, *self.synonyms)


@dataclass(frozen=True)
class AmbiguityRule:
    form: str
    rule: str  # never | next_word | sentence_has
    args: tuple[str, ...] = ()
    entity: str | None = None
    note: str = ""


@dataclass
class Lexicon:
    entities: dict[str, Entity] = field(default_factory=dict)
    rules: dict[str, AmbiguityRule] = field(default_factory=dict)

    def by_category(self, category: Category) -> list[Entity]:
        return [e for e in self.entities.values() if category in e.categories]

    def get(self, entity_id: str) -> Entity | None:
        return self.entities.get(entity_id)

    def find_label(self, name: str) -> Entity | None:
        """Exact label or synonym (case-insensitive) -> entity."""
        key = name.strip().casefold()
        for e in self.entities.values():
            if any(n.casefold() == key for n in e.names):
                return e
        return None

    def add(self, entity: Entity, where: str) -> None:
        if entity.id in self.entities:
            raise LexiconError(f"{where}: duplicate entity id {entity.id}")
        self.entities[entity.id] = entity


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(p.strip() for p in (cell or "").split("|") if p.strip())


def _category(value: str, where: str) -> Category:
    if value not in ENTITY_CATEGORIES:
        raise LexiconError(f"{where}: unknown lexicon category {value!r} (expected one of {sorted(ENTITY_CATEGORIES)})")
    return Category(value)


def _read_rows(path: Path):
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)
            missing = [c for c in ("id", "label", "category") if c not in (reader.fieldnames or [])]
            if missing:
                raise LexiconError(f"{path}: missing column(s) {', '.join(missing)}")
            yield from enumerate(reader, start=2)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise LexiconError(f"{path}: cannot read lexicon: {exc}") from exc


def parse_entity(row: dict[str, str], where: str) -> Entity:
    ent_id, label = (row.get("id") or "").strip(), (row.get("label") or "").strip()
    if not ent_id or ":" not in ent_id:
        raise LexiconError(f"{where}: entity id must be a CURIE, got {ent_id!r}")
    if not label:
        raise LexiconError(f"{where}: entity {ent_id} has no label")
    platform = (row.get("platform") or "").strip() or None
    return Entity(
        id=ent_id,
        label=label,
        category=_category((row.get("category") or "").strip(), where),
        extra_categories=tuple(_category(c, where) for c in _split(row.get("extra_categories"))),
        synonyms=_split(row.get("synonyms")),
        xrefs=_split(row.get("xrefs")),
        platform=platform,
        targets=_split(row.get("targets")),
        source=(row.get("source") or "").strip() or None,
        note=(row.get("note") or "").strip(),
    )


def _read_rules(path: Path) -> dict[str, AmbiguityRule]:
    rules: dict[str, AmbiguityRule] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for line, row in enumerate(csv.DictReader(fh, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
            where = f"{path.name}:{line}"
            rule = (row.get("rule") or "").strip()
            if rule not in AMBIGUITY_RULES:
                raise LexiconError(f"{where}: unknown ambiguity rule {rule!r}")
            form = (row.get("form") or "").strip()
            rules[form] = AmbiguityRule(
                form=form,
                rule=rule,
                args=tuple(a.strip().lower() for a in (row.get("args") or "").split(",") if a.strip()),
                entity=(row.get("entity") or "").strip() or None,
                note=(row.get("note") or "").strip(),
            )
    return rules


def _check_references(lex: Lexicon) -> None:
    for e in lex.entities.values():
        if e.platform and e.platform not in lex.entities:
            raise LexiconError(f"entity {e.id}: platform {e.platform} is not in the lexicon")
        for t in e.targets:
            if t not in lex.entities:
                raise LexiconError(f"entity {e.id}: target {t} is not in the lexicon")
    for r in lex.rules.values():
        if r.entity and r.entity not in lex.entities:
            raise LexiconError(f"ambiguity rule {r.form!r}: entity {r.entity} is not in the lexicon")


def load_lexicon(extra: tuple[Path, ...] | list[Path] = ()) -> Lexicon:
    """The bundled lexicon plus any user lexicon files (same TSV columns)."""
    lex = Lexicon()
    for path in [lexicon_dir() / "entities.tsv", *map(Path, extra)]:
        if not path.is_file():
            raise LexiconError(f"lexicon file not found: {path}")
        for line, row in _read_rows(path):
            lex.add(parse_entity(row, f"{path.name}:{line}"), f"{path.name}:{line}")
    rules_path = lexicon_dir() / "ambiguous.tsv"
    if rules_path.is_file():
        lex.rules = _read_rules(rules_path)
    _check_references(lex)
    return lex
