"""Documentation is tested: every command has help, every catalogue query runs and returns rows on the
default build, and every nkv term the build emits is defined in the ontology."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kg.cli import main
from kg.query import catalogue, run
from kg.resources import ontology_dir

NKV = "https://w3id.org/nkvkg/ontology#"


@pytest.mark.parametrize("command", sorted(main.commands))
def test_every_command_has_help(command):
    result = CliRunner().invoke(main, [command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output
    assert main.commands[command].help


def test_catalogue_has_titles_and_questions():
    cat = catalogue()
    assert len(cat) >= 25
    for q in cat.values():
        assert q.title != q.name and q.question.endswith("?"), q.name


@pytest.mark.parametrize("name", sorted(catalogue()))
def test_catalogue_query_returns_rows(store, name):
    result = run(store, catalogue()[name].text)
    assert len(list(result)) > 0, name


def test_emitted_nkv_terms_exist_in_ontology(store):
    onto = Graph().parse(ontology_dir() / "nkv.ttl")
    defined = {str(s) for s in onto.subjects() if str(s).startswith(NKV)}
    used = set()
    for q in store.quads_for_pattern(None, None, None, None):
        for t in (q.predicate, q.object):
            if hasattr(t, "value") and str(t.value).startswith(NKV) and type(t).__name__ == "NamedNode":
                used.add(t.value)
    assert used, "the build emitted no nkv terms"
    assert used <= defined, sorted(used - defined)
    assert URIRef(NKV + "Statement") in set(onto.subjects())
