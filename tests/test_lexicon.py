"""The lexicon meets the minimums, has no clashing synonyms, and rejects bad rows."""

from __future__ import annotations

import pytest

from kg.errors import LexiconError
from kg.model import Category
from kg.nlp.lexicon import load_lexicon
from kg.nlp.matching import form_key

MINIMUMS = {Category.PLATFORM: 12, Category.AGENT: 45, Category.RECEPTOR: 30, Category.TUMOUR: 30,
            Category.TME_BARRIER: 20, Category.COMBINATION_PARTNER: 25}


@pytest.fixture(scope="module")
def lex():
    return load_lexicon()


def test_minimum_counts(lex):
    for cat, n in MINIMUMS.items():
        assert len([e for e in lex.entities.values() if e.category == cat]) >= n, cat


def test_review_agents_present(lex):
    for name in ("ilixadencel", "ALT-803", "N-803", "AFM24", "BNT116", "nogapendekin alfa inbakicept"):
        assert lex.find_label(name) is not None, name


def test_no_form_names_two_entities(lex):
    owner = {}
    for e in lex.entities.values():
        for name in e.names:
            key = form_key(name)
            assert owner.setdefault(key, e.id) == e.id, (name, owner[key], e.id)


def test_ambiguous_forms_are_not_synonyms(lex):
    never = {f for f, r in lex.rules.items() if r.rule == "never"}
    assert {"NK", "PD", "CR", "null cell"} <= never
    for e in lex.entities.values():
        assert not never & set(e.synonyms), e.id


def test_agents_point_at_platforms_and_receptors(lex):
    for e in lex.entities.values():
        if e.platform:
            assert lex.get(e.platform).category == Category.PLATFORM
        for t in e.targets:
            assert Category.RECEPTOR in lex.get(t).categories


def test_bad_rows_are_rejected(tmp_path):
    bad = tmp_path / "x.tsv"
    bad.write_text("id\tlabel\tcategory\nnkkg:x\tX\tagent\tnkkg:x\n", encoding="utf-8")
    bad.write_text("id\tlabel\tcategory\tplatform\nnkkg:x\tX\tagent\tnkkg:nowhere\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="platform nkkg:nowhere"):
        load_lexicon([bad])
    bad.write_text("id\tlabel\tcategory\nnkkg:ilixadencel\tdup\tagent\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="duplicate entity id"):
        load_lexicon([bad])
