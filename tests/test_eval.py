"""`nkkg eval` on the development gold set: the table prints, JSON is complete, and the scores do not
fall below what was measured when the extractor was last tuned (2026-11-26, see the README)."""

from __future__ import annotations

import json

from click.testing import CliRunner

from kg.cli import main

from .conftest import DATA

FLOORS = {"entities_micro_f1": 0.96, "relations_micro_f1": 0.76, "outcome_value_accuracy": 0.80}


def test_eval_table_and_floors():
    result = CliRunner().invoke(main, ["eval", str(DATA / "gold_dev.jsonl"), "--json"])
    assert result.exit_code == 0, result.output
    scores = json.loads(result.output)
    assert scores["documents"] >= 40
    assert set(scores["entities"]) == {"platform", "agent", "receptor", "tumour", "tme_barrier", "combination_partner", "trial"}
    assert {"nkv:targets", "nkv:testedIn", "nkv:combinedWith", "nkv:evaluatedIn", "nkv:usesPlatform"} <= set(scores["relations"])
    assert scores["entities_micro"]["f1"] >= FLOORS["entities_micro_f1"]
    assert scores["relations_micro"]["f1"] >= FLOORS["relations_micro_f1"]
    assert scores["outcome_value_accuracy"] >= FLOORS["outcome_value_accuracy"]
    table = CliRunner().invoke(main, ["eval", str(DATA / "gold_dev.jsonl")])
    assert "micro" in table.output and "outcome-value accuracy" in table.output


def test_eval_scores_given_extractions(tmp_path):
    gold = tmp_path / "g.jsonl"
    gold.write_text(json.dumps({"id": "d1", "text": "AFM24 binds EGFR.", "entities": {
        "agent": [{"text": "AFM24", "norm": "AFM24"}], "receptor": [{"text": "EGFR", "norm": "EGFR"}]},
        "relations": [["AFM24", "nkv:targets", "EGFR"]], "outcomes": []}) + "\n")
    preds = tmp_path / "p.jsonl"
    preds.write_text(json.dumps({"id": "d1", "mentions": [
        {"start": 0, "end": 5, "text": "AFM24", "category": "agent", "id": "nkkg:afm24", "label": "AFM24",
         "negated": False, "hedged": False}], "relations": [], "outcomes": []}) + "\n")
    result = CliRunner().invoke(main, ["eval", str(gold), "--extractions", str(preds), "--json"])
    scores = json.loads(result.output)
    assert scores["entities"]["agent"]["f1"] == 1.0
    assert scores["entities"]["receptor"]["recall"] == 0.0
    assert scores["relations_micro"]["recall"] == 0.0
