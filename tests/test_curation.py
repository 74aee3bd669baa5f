"""Curation through the real CLI (`nkkg curate ...` with CliRunner) against a copy of the default build:
journal, validation, review workflow, verdicts, duplicates, conflicts, batches, export, rebuilds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef

from kg.cli import main
from kg.config import Settings
from kg.curation import Curation, Journal
from kg.curation.graphs import CURATION_PREFIX, curated_graph_names, expected_graphs, store_graph
from kg.curation.state import fold
from kg.resources import ontology_dir

DATA = Path(__file__).parent / "data" / "curation"
NKV = "https://w3id.org/nkvkg/ontology#"
PREFIXES = """PREFIX nkv: <https://w3id.org/nkvkg/ontology#> PREFIX nkkg: <https://w3id.org/nkvkg/id/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX pubmed: <https://pubmed.ncbi.nlm.nih.gov/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> """


# --- helpers shared with the other curation test modules ---------------------------------------

def copy_store(built: Path, tmp: Path) -> Path:
    dst = tmp / "store"
    shutil.copytree(built / "store", dst)
    return dst


class Env:
    """A temporary NKKG_DATA_DIR and store, and a CliRunner bound to them."""

    def __init__(self, built: Path, tmp: Path, with_store: bool = True):
        self.tmp = tmp
        self.data = tmp / "data"
        self.store = copy_store(built, tmp) if with_store else tmp / "no-store"
        self.env = {"NKKG_DATA_DIR": str(self.data), "NKKG_STORE": str(self.store)}
        self.journal = self.data / "curation" / "journal.jsonl"

    def run(self, *args: str, code: int = 0):
        result = CliRunner().invoke(main, list(args), env=self.env)
        assert result.exit_code == code, (args, result.output, result.stderr if hasattr(result, "stderr") else "")
        return result

    def curation(self) -> Curation:
        return Curation(Settings(store=self.store, data_dir=self.data))

    def lines(self) -> list[str]:
        return self.journal.read_text(encoding="utf-8").split("\n")[:-1] if self.journal.exists() else []

    def entries(self) -> list[dict]:
        return [json.loads(line) for line in self.lines()]

    def listing(self, *args: str) -> list[dict]:
        return json.loads(self.run("curate", "list", "--json", *args).stdout)

    def ask(self, where: str) -> bool:
        st = ox.Store.read_only(str(self.store))
        try:
            return bool(st.query(PREFIXES + "ASK { " + where + " }", use_default_graph_as_union=True))
        finally:
            del st

    def select(self, query: str) -> list[dict]:
        st = ox.Store.read_only(str(self.store))
        try:
            res = st.query(PREFIXES + query, use_default_graph_as_union=True)
            names = [v.value for v in res.variables]
            return [{n: row[n] for n in names if row[n] is not None} for row in res]
        finally:
            del st


def last_id(result) -> str:
    """The assertion id printed by `curate add/verdict` ("add <id> (pending): ...")."""
    words = result.stdout.split()
    return words[words.index("(pending)") - 1] if "(pending)" in words else words[1]


@pytest.fixture
def env(built, tmp_path) -> Env:
    return Env(built, tmp_path)


# --- add, validation -------------------------------------------------------------------------------

def test_add_by_label_is_pending_in_its_own_graph(env):
    assert not env.ask("nkkg:afm24 nkv:testedIn nkkg:hcc")
    r = env.run("curate", "add", "AFM24", "nkv:testedIn", "hepatocellular carcinoma", "--source", "PMID:36000001",
                "--evidence", "AFM24 was dosed in HCC.", "--curator", "alice")
    aid = last_id(r)
    assert "pending" in r.stdout and len(aid) == 12
    [entry] = env.entries()
    assert entry["action"] == "add" and entry["author"] == "alice" and entry["time"].endswith("Z")
    assert (entry["subject"], entry["predicate"], entry["object"], entry["source"]) == (
        "nkkg:afm24", "nkv:testedIn", "nkkg:hcc", "pubmed:36000001")
    graph = f"<{CURATION_PREFIX}{aid}>"
    assert env.ask(f"""GRAPH {graph} {{ ?st nkv:evidence ?ev . ?ev nkv:curationStatus "pending" ;
        nkv:sentence "AFM24 was dosed in HCC." ; dcterms:source pubmed:36000001 ;
        nkv:evidenceCode <http://purl.obolibrary.org/obo/ECO_0000304> ;
        prov:wasAttributedTo <https://w3id.org/nkvkg/id/curator/alice> }}
        ?st rdf:subject nkkg:afm24 ; rdf:predicate nkv:testedIn ; rdf:object nkkg:hcc""")
    assert not env.ask("nkkg:afm24 nkv:testedIn nkkg:hcc"), "a pending assertion must not be asserted"


def test_unknown_entity_suggests_and_writes_nothing(env):
    r = env.run("curate", "add", "ilixadencell", "nkv:testedIn", "rcc", "--source", "PMID:1", "--curator", "alice", code=2)
    assert "unknown entity 'ilixadencell'" in r.stderr and "did you mean: ilixadencel (nkkg:ilixadencel)" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert env.lines() == []


@pytest.mark.parametrize("args,message", [
    (["ilixadencel", "nkv:targets", "rcc"], "nkv:targets needs a receptor or target as its object; renal cell carcinoma "
                                            "(nkkg:rcc) is a tumour"),
    (["rcc", "nkv:testedIn", "ilixadencel"], "nkv:testedIn needs an agent as its subject"),
    (["NCT02432846", "nkv:testedIn", "rcc"], "needs an agent as its subject"),
    (["ilixadencel", "nkv:testedInn", "rcc"], "unknown predicate 'nkv:testedInn'"),
    (["ilixadencel", "nkv:phase", "rcc"], "nkv:phase is a datatype property"),
    (["ilixadencel", "rdfs:label", "rcc"], "unknown predicate 'rdfs:label'"),
])
def test_domain_range_and_predicate_errors(env, args, message):
    r = env.run("curate", "add", *args, "--source", "PMID:1", "--curator", "alice", code=2)
    assert message in r.stderr
    assert env.lines() == []


def test_predicate_typo_gets_a_suggestion(env):
    r = env.run("curate", "add", "ilixadencel", "nkv:testedInn", "rcc", "--source", "PMID:1", "--curator", "a", code=2)
    assert "did you mean: nkv:testedIn" in r.stderr


@pytest.mark.parametrize("flag,value,message", [
    ("--source", "not a source", "not a source identifier"),
    ("--curator", "bad id with spaces", "curator id must be"),
])
def test_bad_source_or_curator(env, flag, value, message):
    args = {"--source": "PMID:1", "--curator": "alice", flag: value}
    r = env.run("curate", "add", "ilixadencel", "nkv:testedIn", "nkkg:hcc", *[x for kv in args.items() for x in kv], code=2)
    assert message in r.stderr and env.lines() == []


def test_trial_objects_resolve_by_nct_number(env):
    r = env.run("curate", "add", "AFM24", "nkv:evaluatedIn", "NCT05109442", "--source", "NCT05109442", "--curator", "alice")
    assert "clinicaltrials:NCT05109442" in r.stdout


# --- review workflow ------------------------------------------------------------------------------

def test_review_workflow_self_review_approve_retract(env):
    aid = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "alice"))
    r = env.run("curate", "review", aid, "--approve", "--curator", "alice", code=2)
    assert "cannot review" in r.stderr
    r = env.run("curate", "review", aid, "--approve", "--curator", "ALICE", code=2)  # ids compare case-insensitively
    assert len(env.lines()) == 1
    env.run("curate", "review", aid, "--approve", "--curator", "bob")
    assert env.ask("nkkg:afm24 nkv:testedIn nkkg:hcc"), "an approved assertion is asserted like an extracted one"
    assert [a["id"] for a in env.listing("--status", "approved")] == [aid]
    env.run("curate", "review", aid, "--reject", "--curator", "carol", code=2)  # no second review
    env.run("curate", "retract", aid, "--reason", 'wrong "tumour"; see {PMID:3}', "--curator", "carol")
    assert not env.ask("nkkg:afm24 nkv:testedIn nkkg:hcc")
    assert env.ask(f"""GRAPH <{CURATION_PREFIX}{aid}> {{ ?e nkv:action "retract" ; nkv:reason 'wrong "tumour"; see {{PMID:3}}' ;
        prov:wasAttributedTo <https://w3id.org/nkvkg/id/curator/carol> ; prov:generatedAtTime ?t ;
        nkv:curationStatus "retracted" }}""")
    assert env.ask(f"""GRAPH <{CURATION_PREFIX}{aid}> {{ ?e nkv:action "approve" ; prov:wasAttributedTo
        <https://w3id.org/nkvkg/id/curator/bob> }}"""), "the history stays"
    shown = env.run("curate", "show", aid).stdout
    assert all(w in shown for w in ("add      by alice", "approve  by bob", "retract  by carol", "status retracted"))
    env.run("curate", "retract", aid, "--reason", "again", "--curator", "carol", code=2)
    env.run("curate", "retract", aid, "--curator", "carol", code=2)  # --reason is required


def test_reject_keeps_it_out_and_listed(env):
    aid = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "alice"))
    env.run("curate", "review", aid, "--reject", "--reason", "no such trial", "--curator", "bob")
    assert not env.ask("nkkg:afm24 nkv:testedIn nkkg:hcc")
    assert [a["status"] for a in env.listing("--status", "rejected")] == ["rejected"]
    assert env.listing("--status", "pending") == []


def test_unknown_assertion_id(env):
    r = env.run("curate", "show", "000000000000", code=2)
    assert "no curated assertion '000000000000'" in r.stderr
    env.run("curate", "review", "000000000000", "--approve", "--curator", "bob", code=2)


def test_comment_is_history(env):
    aid = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "alice"))
    env.run("curate", "comment", aid, "checked the\nfull text", "--curator", "bob")
    history = json.loads(env.run("curate", "show", aid, "--json").stdout)["history"]
    assert [h["action"] for h in history] == ["add", "comment"] and history[1]["text"] == "checked the\nfull text"


# --- duplicates and conflicts ------------------------------------------------------------------------

def test_duplicate_adds_evidence_to_the_same_statement(env):
    aid = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "alice"))
    r = env.run("curate", "add", "nkkg:afm24", "nkv:testedIn", "HCC", "--source", "PMID:3", "--curator", "bob")
    assert f"duplicate of assertion {aid}" in r.stdout
    r = env.run("curate", "add", "nkkg:afm24", "nkv:testedIn", "HCC", "--source", "PMID:3", "--curator", "bob")
    assert "already recorded" in r.stdout and len(env.lines()) == 2, "an exact repeat writes nothing"
    [a] = env.listing()
    assert a["id"] == aid and a["evidence"] == 2 and a["sources"] == ["pubmed:2", "pubmed:3"]
    rows = env.select("SELECT ?st (COUNT(DISTINCT ?ev) AS ?n) WHERE { ?st rdf:subject nkkg:afm24 ; "
                      "rdf:predicate nkv:testedIn ; rdf:object nkkg:hcc ; nkv:evidence ?ev } GROUP BY ?st")
    assert len(rows) == 1 and int(rows[0]["n"].value) == 2, "one statement node, two evidence nodes"
    # the second curator is an author now: they cannot approve it either
    env.run("curate", "review", aid, "--approve", "--curator", "bob", code=2)


def test_negated_assertion_against_extracted_positive_evidence_is_a_conflict(env):
    assert env.ask("nkkg:ilixadencel nkv:testedIn nkkg:rcc")
    r = env.run("curate", "add", "ilixadencel", "nkv:testedIn", "rcc", "--negated", "--source", "PMID:4",
                "--curator", "alice")
    assert "CONFLICT" in r.stdout
    [a] = env.listing("--status", "pending")
    assert a["conflict"] and a["negated"]
    assert "CONFLICT" in env.run("curate", "list").stdout and "CONFLICT" in env.run("curate", "show", a["id"]).stdout
    assert env.ask("nkkg:ilixadencel nkv:testedIn nkkg:rcc"), "a pending negation changes nothing yet"
    assert env.ask(f"GRAPH <{CURATION_PREFIX}{a['id']}> {{ ?ev nkv:conflict true ; nkv:negated true }}")


def test_positive_assertion_against_negated_only_evidence_is_a_conflict(env):
    # negative evidence of our own making, extracted from a document ingested into the copied store
    doc = env.tmp / "negative.jsonl"
    doc.write_text(json.dumps({"id": "pubmed:999000001", "title": "A negative finding",
                               "text": "Monalizumab did not target MICA in these experiments."}) + "\n", encoding="utf-8")
    env.run("ingest", "file", str(doc))
    assert env.ask("?st rdf:subject nkkg:monalizumab ; rdf:predicate nkv:targets ; rdf:object nkkg:mica ; "
                   "nkv:evidence ?e . ?e nkv:negated true")
    assert not env.ask("nkkg:monalizumab nkv:targets nkkg:mica")
    r = env.run("curate", "add", "monalizumab", "nkv:targets", "MICA", "--source", "PMID:5", "--curator", "alice")
    assert "CONFLICT" in r.stdout
    aid = last_id(r)
    env.run("curate", "review", aid, "--approve", "--curator", "bob")
    assert env.ask("nkkg:monalizumab nkv:targets nkkg:mica"), "once a reviewer approves, the edge is asserted"


def test_curated_conflict_between_two_curators(env):
    env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "alice")
    r = env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--negated", "--source", "PMID:9", "--curator", "bob")
    assert "CONFLICT" in r.stdout and len(env.listing()) == 2


# --- verdicts on extracted edges -----------------------------------------------------------------------

def test_incorrect_verdict_stops_the_edge_until_retracted(env):
    assert env.ask("nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    r = env.run("curate", "verdict", "ilixadencel", "nkv:combinedWith", "sunitinib", "--incorrect", "--source",
                "PMID:28000000", "--note", "the paper says sequential, not combined", "--curator", "erin")
    vid = last_id(r)
    assert not env.ask("nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    assert env.ask(f"""GRAPH <{CURATION_PREFIX}{vid}> {{ ?st nkv:evidence ?ev . ?ev nkv:verdict "incorrect" ;
        nkv:evidenceCode <http://purl.obolibrary.org/obo/ECO_0000305> ;
        nkv:sentence "the paper says sequential, not combined" }}""")
    env.run("curate", "retract", vid, "--reason", "misread", "--curator", "erin")
    assert env.ask("nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")


def test_correct_verdict_is_evidence_too(env):
    vid = last_id(env.run("curate", "verdict", "ilixadencel", "nkv:testedIn", "rcc", "--correct", "--source", "PMID:1",
                          "--curator", "erin"))
    assert env.ask(f'GRAPH <{CURATION_PREFIX}{vid}> {{ ?ev nkv:verdict "correct" ; nkv:negated false }}')


def test_verdict_needs_an_existing_edge(env):
    r = env.run("curate", "verdict", "AFM24", "nkv:testedIn", "nkkg:hcc", "--incorrect", "--source", "PMID:1",
                "--curator", "erin", code=2)
    assert "no existing edge" in r.stderr and env.lines() == []


# --- batches ------------------------------------------------------------------------------------

def test_import_tsv_is_one_batch(env):
    r = env.run("curate", "import", str(DATA / "good.tsv"))
    assert "imported 3 row(s): 2 new assertion(s), 1 added to existing ones" in r.stdout
    entries = env.entries()
    assert len(entries) == 3 and len({e["batch"] for e in entries}) == 1 and entries[0]["batch_size"] == 3
    assert entries[0]["sentence"] == 'AFM24 was tested in NSCLC "cohort {B}".'
    assert entries[2]["assertion"] == entries[0]["id"], "the third row repeats the first statement"
    assert len(curated_graph_names(ox.Store.read_only(str(env.store)))) == 2


@pytest.mark.parametrize("name,message", [
    ("malformed.tsv", "malformed.tsv:3: expected 6 tab-separated fields, got 5"),
    ("unknown_entity.tsv", "unknown_entity.tsv:3: unknown entity 'ilixadencell'; did you mean"),
])
def test_bad_row_refuses_the_whole_batch(env, name, message):
    before = len(curated_graph_names(ox.Store.read_only(str(env.store))))
    r = env.run("curate", "import", str(DATA / name), code=2)
    assert "batch refused, nothing written" in r.stderr and message in r.stderr
    assert env.lines() == []
    assert len(curated_graph_names(ox.Store.read_only(str(env.store)))) == before


def test_import_turtle_reified_statements(env):
    r = env.run("curate", "import", str(DATA / "assertions.ttl"))
    assert "2 new assertion(s)" in r.stdout
    got = {(a["subject"], a["object"], a["author"]) for a in env.listing()}
    assert got == {("nkkg:bnt116", "nkkg:sclc", "carol"), ("nkkg:monalizumab", "nkkg:hcc", "dave")}


def test_import_rejects_bad_header(env, tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("subj\tpredicate\tobject\n")
    r = env.run("curate", "import", str(bad), code=2)
    assert "bad.tsv:1: the header must name the columns" in r.stderr


def test_export_nanopublications_and_reimport(env, built, tmp_path):
    env.run("curate", "import", str(DATA / "good.tsv"))
    aid = env.listing()[0]["id"]
    env.run("curate", "review", aid, "--approve", "--curator", "carol")
    out = tmp_path / "curation.trig"
    env.run("curate", "export", "-o", str(out))
    ds = Dataset(default_union=True)
    ds.parse(out, format="trig")
    NP = "http://www.nanopub.org/nschema#"
    nps = set(ds.subjects(URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), URIRef(NP + "Nanopublication")))
    assert len(nps) == 2
    for np_ in nps:
        for part in ("hasAssertion", "hasProvenance", "hasPublicationInfo"):
            g = ds.value(np_, URIRef(NP + part))
            assert g is not None and len(ds.graph(g)) > 0, part
    a_graph = ds.graph(URIRef(f"https://w3id.org/nkvkg/np/{aid}#assertion"))
    assert (URIRef("https://w3id.org/nkvkg/id/afm24"), URIRef(NKV + "testedIn"), URIRef("https://w3id.org/nkvkg/id/nsclc")) in a_graph
    info = ds.graph(URIRef(f"https://w3id.org/nkvkg/np/{aid}#pubinfo"))
    assert Literal("approved") in set(info.objects())
    other = Env(built, tmp_path / "other", with_store=False)
    other.run("curate", "import", str(out))
    mine = {(a["subject"], a["predicate"], a["object"], tuple(a["sources"])) for a in env.listing()}
    theirs = {(a["subject"], a["predicate"], a["object"], tuple(a["sources"])) for a in other.listing()}
    assert mine == theirs and {a["status"] for a in other.listing()} == {"pending"}


# --- injection safety --------------------------------------------------------------------------------

NASTY = ['He said "yes" } ; DROP ALL ; INSERT DATA { <urn:a> <urn:b> <urn:c> } #',
         "\\u0022 ''' \"\"\" \\\" <script>alert(1)</script> {{x}} $x ?y",
         "line one\nline two\r\n\ttabbed \\n not a newline",
         "unicode: β-catenin ≥ 2 \u2028 separator 😀"]


@pytest.mark.parametrize("text", NASTY)
def test_text_is_stored_verbatim(env, text):
    n_before = len(ox.Store.read_only(str(env.store)))
    aid = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2",
                          "--evidence", text, "--curator", "alice"))
    env.run("curate", "retract", aid, "--reason", text, "--curator", "alice")
    assert env.entries()[0]["sentence"] == text and env.entries()[1]["reason"] == text
    assert len(env.journal.read_text(encoding="utf-8").splitlines()) == 2, "one entry per line for any line splitter"
    st = ox.Store.read_only(str(env.store))
    sentences = [q.object.value for q in st.quads_for_pattern(None, ox.NamedNode(NKV + "sentence"), None,
                                                              ox.NamedNode(CURATION_PREFIX + aid))]
    reasons = [q.object.value for q in st.quads_for_pattern(None, ox.NamedNode(NKV + "reason"), None, None)]
    assert sentences == [text] and reasons == [text]
    assert len(st) > n_before and st.contains_named_graph(ox.NamedNode("https://w3id.org/nkvkg/graph/ontology"))
    assert not any(True for _ in st.quads_for_pattern(ox.NamedNode("urn:a"), None, None, None))


def test_lone_surrogate_is_refused(env):
    c = env.curation()
    with pytest.raises(Exception, match="not valid Unicode"):
        c.add("AFM24", "nkv:testedIn", "nkkg:hcc", "PMID:2", "bad \ud800 text", "alice")
    assert env.lines() == []


# --- the store and rebuilds ------------------------------------------------------------------------

def curated_state(store_path: Path) -> dict[str, set]:
    st = ox.Store.read_only(str(store_path))
    try:
        return {g: store_graph(st, g) for g in curated_graph_names(st)}
    finally:
        del st


def test_build_keeps_every_curated_assertion_with_status_and_history(env):
    env.run("curate", "import", str(DATA / "good.tsv"))
    ids = [a["id"] for a in env.listing()]
    env.run("curate", "review", ids[0], "--approve", "--curator", "carol")
    env.run("curate", "retract", ids[1], "--reason", "duplicate trial", "--curator", "alice")
    vid = last_id(env.run("curate", "verdict", "ilixadencel", "nkv:combinedWith", "sunitinib", "--incorrect",
                          "--source", "PMID:1", "--curator", "erin"))
    before = curated_state(env.store)
    assert len(before) == 3
    out = env.tmp / "rebuilt"
    r = env.run("build", "--store", str(out / "store"), "--outputs", str(out))
    assert "built" in r.stdout
    after = curated_state(out / "store")
    assert after == before, "a rebuild reproduces the same curated graphs"
    state = fold(Journal(env.journal).read())
    assert after == expected_graphs(state)
    env.store = out / "store"
    assert env.ask("nkkg:afm24 nkv:testedIn nkkg:nsclc")
    assert not env.ask("nkkg:afm24 nkv:testedIn nkkg:hcc")
    assert not env.ask("nkkg:ilixadencel nkv:combinedWith nkkg:sunitinib")
    assert env.ask(f'GRAPH <{CURATION_PREFIX}{ids[1]}> {{ ?e nkv:action "retract" ; nkv:reason "duplicate trial" }}')
    assert env.ask(f'GRAPH <{CURATION_PREFIX}{vid}> {{ ?e nkv:curationStatus "pending" }}')
    v = env.run("validate", "--store", str(out / "store"), code=0)
    assert "0 violation(s)" in v.stdout


def test_store_catches_up_after_missing_writes(env, built):
    """A write made while the store was elsewhere (or killed before the store update) is not lost: the
    next write finds the store's journal head behind and replaces every curated graph; sync does too."""
    elsewhere = Env(built, env.tmp / "x", with_store=False)
    elsewhere.data = env.data
    elsewhere.env["NKKG_DATA_DIR"] = str(env.data)
    first = last_id(elsewhere.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2",
                                  "--curator", "alice"))
    assert curated_state(env.store) == {}
    second = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:sclc", "--source", "PMID:3",
                             "--curator", "alice"))
    assert set(curated_state(env.store)) == {CURATION_PREFIX + first, CURATION_PREFIX + second}
    st = ox.Store(str(env.store))
    st.remove_graph(ox.NamedNode(CURATION_PREFIX + first))
    del st
    env.run("curate", "sync")
    assert curated_state(env.store) == expected_graphs(fold(Journal(env.journal).read()))


def test_emitted_curation_terms_exist_in_the_ontology(env):
    env.run("curate", "import", str(DATA / "good.tsv"))
    aid = env.listing()[0]["id"]
    env.run("curate", "retract", aid, "--reason", "r", "--curator", "bob")
    env.run("curate", "verdict", "ilixadencel", "nkv:testedIn", "rcc", "--incorrect", "--source", "PMID:1", "--curator", "e")
    onto = Graph().parse(ontology_dir() / "nkv.ttl")
    defined = {str(s) for s in onto.subjects()}
    st = ox.Store.read_only(str(env.store))
    used = {t.value for q in st.quads_for_pattern(None, None, None, None)
            if q.graph_name.value.startswith(CURATION_PREFIX) for t in (q.predicate, q.object)
            if isinstance(t, ox.NamedNode) and t.value.startswith(NKV)}
    assert {NKV + "verdict", NKV + "reason", NKV + "action", NKV + "curationStatus"} <= used
    assert used <= defined, sorted(used - defined)


def test_shapes_reject_a_broken_curated_graph():
    from kg.validate import validate_graph

    ttl = """@prefix nkv: <https://w3id.org/nkvkg/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
    @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
    <urn:ev> nkv:journalEntry "x" ; nkv:curationStatus "maybe" ; prov:wasAttributedTo <urn:c> ;
        prov:generatedAtTime "2026-01-01T00:00:00Z"^^xsd:dateTime ;
        nkv:evidenceCode <http://purl.obolibrary.org/obo/ECO_0007321> .
    <urn:st> a nkv:Statement .
    <urn:e1> a nkv:CurationEvent ; nkv:action "retract" ; nkv:curationOf <urn:st> ; nkv:journalEntry "y" ;
        nkv:curationStatus "retracted" ; prov:wasAttributedTo <urn:c> ;
        prov:generatedAtTime "2026-01-01T00:00:00Z"^^xsd:dateTime ."""
    messages = {v.message for v in validate_graph(Graph().parse(data=ttl, format="turtle"))}
    assert any("one status" in m for m in messages)
    assert any("ECO:0000304" in m for m in messages)
    assert any("names its reason" in m for m in messages)


def test_incremental_refresh_agrees_with_the_full_one(env, tmp_path):
    """Single writes refresh only the statements they touch; the result must equal a full refresh."""
    from kg.graph.store import ASSEMBLED, refresh_assembled

    a = last_id(env.run("curate", "add", "AFM24", "nkv:evaluatedIn", "NCT09999999", "--source", "PMID:1", "--curator", "al"))
    env.run("curate", "review", a, "--approve", "--curator", "bo")
    b = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "al"))
    env.run("curate", "review", b, "--approve", "--curator", "bo")
    env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--negated", "--source", "PMID:3", "--curator", "cy")
    env.run("curate", "verdict", "ilixadencel", "nkv:testedIn", "rcc", "--incorrect", "--source", "PMID:4", "--curator", "dee")
    c = last_id(env.run("curate", "add", "N-803", "nkv:targets", "CTLA-4", "--source", "PMID:5", "--curator", "al"))
    env.run("curate", "review", c, "--reject", "--curator", "bo")
    assert env.ask("nkkg:afm24 nkv:evaluatedIn <https://clinicaltrials.gov/study/NCT09999999> . "
                   "<https://clinicaltrials.gov/study/NCT09999999> a nkv:ClinicalTrial ; nkv:nctId 'NCT09999999'")
    incremental = store_graph(ox.Store.read_only(str(env.store)), ASSEMBLED)
    full_copy = tmp_path / "full"
    shutil.copytree(env.store, full_copy)
    st = ox.Store(str(full_copy))
    refresh_assembled(st)
    full = store_graph(st, ASSEMBLED)
    del st
    assert incremental == full


@pytest.mark.parametrize("command", sorted(__import__("kg.commands.curate", fromlist=["curate"]).curate.commands))
def test_every_curate_command_has_help(command):
    result = CliRunner().invoke(main, ["curate", command, "--help"])
    assert result.exit_code == 0 and "Usage:" in result.output


def test_torn_tail_is_reported_by_commands_and_corruption_stops_the_build(env):
    aid = last_id(env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:hcc", "--source", "PMID:2", "--curator", "al"))
    with env.journal.open("ab") as fh:
        fh.write(b'{"id": "abc", "time": "2026-')
    r = env.run("curate", "list")
    assert aid in r.stdout and "warning:" in r.stderr and "set aside" in r.stderr
    assert env.journal.with_name("journal.jsonl.torn").read_bytes().count(b'{"id": "abc", "time": "2026-') == 1
    env.run("curate", "add", "AFM24", "nkv:testedIn", "nkkg:sclc", "--source", "PMID:3", "--curator", "al")
    lines = env.journal.read_bytes().split(b"\n")
    lines[0] = b"{broken" + lines[0]
    env.journal.write_bytes(b"\n".join(lines))
    out = env.tmp / "rebuilt"
    r = env.run("build", "--store", str(out / "store"), "--outputs", str(out), code=1)
    assert "journal.jsonl:1: corrupt journal entry" in r.stderr
    assert not (out / "store").exists(), "a failed build leaves no store behind"
