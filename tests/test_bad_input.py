"""Bad input gets one clear line, a non-zero exit, and leaves an existing store intact."""

from __future__ import annotations

import shutil

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main


@pytest.fixture()
def own_store(built, tmp_path):
    store = tmp_path / "store"
    shutil.copytree(built / "store", store)
    return store


def _quads(path):
    return {str(q) for q in ox.Store.read_only(str(path))}


def _one_line_error(result):
    lines = [ln for ln in result.output.strip().splitlines() if ln.strip()]
    assert lines and lines[-1].startswith("error: "), result.output
    return lines[-1]


def test_malformed_corpus_file(own_store, tmp_path):
    before = _quads(own_store)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "pubmed:1", "text": "fine"}\n{"id": "pubmed:2", "text": \n', encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--store", str(own_store), "--outputs", str(tmp_path), "--input", str(bad)])
    assert result.exit_code == 2
    assert "bad.jsonl:2: malformed JSON" in _one_line_error(result)
    assert _quads(own_store) == before


def test_unknown_lexicon_category(own_store, tmp_path):
    before = _quads(own_store)
    lex = tmp_path / "extra.tsv"
    lex.write_text("id\tlabel\tcategory\nnkkg:x\tX drug\tmiracle\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["build", "--store", str(own_store), "--outputs", str(tmp_path), "--lexicon", str(lex)])
    assert result.exit_code == 2
    assert "unknown lexicon category 'miracle'" in _one_line_error(result)
    assert _quads(own_store) == before


def test_sparql_syntax_error(own_store):
    result = CliRunner().invoke(main, ["query", "SELECT ?x WHERE { ?x ?y }", "--store", str(own_store)])
    assert result.exit_code == 2
    assert _one_line_error(result).startswith("error: SPARQL syntax error")


def test_query_without_store(tmp_path):
    result = CliRunner().invoke(main, ["query", "ASK {}", "--store", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert "run `nkkg build` first" in _one_line_error(result)


def test_unknown_catalogue_name(own_store):
    result = CliRunner().invoke(main, ["query", "--name", "nope", "--store", str(own_store)])
    assert result.exit_code == 2 and "no catalogue query named 'nope'" in _one_line_error(result)
