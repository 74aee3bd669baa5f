"""The curation journal on real files: torn tails set aside, corruption named, batches all or nothing,
and two real processes appending at once never interleave."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from kg.curation.journal import Entry, Journal, JournalError, utc_now
from kg.curation.state import fold


def entry(i: int, **kw) -> Entry:
    base = dict(id=f"{i:012x}", time=utc_now(), action="add", author="alice", assertion=f"{i:012x}",
                subject="nkkg:afm24", predicate="nkv:testedIn", object="nkkg:hcc", source=f"pubmed:{i}")
    base.update(kw)
    return Entry(**base)


def write(journal: Journal, entries: list[Entry]) -> None:
    with journal.locked():
        journal.append(entries)


@pytest.fixture
def journal(tmp_path) -> Journal:
    return Journal(tmp_path / "data" / "curation" / "journal.jsonl")


def test_append_and_read_back(journal):
    write(journal, [entry(1, sentence='a "quoted" {text}\nnext line')])
    write(journal, [entry(2)])
    fresh = Journal(journal.path)
    got = fresh.read()
    assert [e.id for e in got] == [f"{1:012x}", f"{2:012x}"] and got[0].sentence == 'a "quoted" {text}\nnext line'
    lines = journal.path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and json.loads(lines[0])["action"] == "add", "human-readable JSON Lines"
    assert [e.line for e in got] == [1, 2]


def test_torn_last_line_is_set_aside_with_a_warning(journal):
    write(journal, [entry(1), entry(2)])
    good = journal.path.read_bytes()
    with journal.path.open("ab") as fh:
        fh.write(entry(3).to_line()[:37])  # a crash in the middle of the write
    fresh = Journal(journal.path)
    got = fresh.read()
    assert [e.id for e in got] == [entry(1).id, entry(2).id]
    assert journal.path.read_bytes() == good, "the torn bytes left the journal; what precedes is untouched"
    torn = journal.torn_path.read_bytes()
    assert entry(3).to_line()[:37] in torn
    [notice] = fresh.take_notices()
    assert "cut short by a crash" in notice and "line 3" in notice and str(journal.torn_path) in notice
    write(fresh, [entry(4)])
    assert [e.id for e in Journal(journal.path).read()] == [entry(1).id, entry(2).id, entry(4).id]


def test_complete_last_entry_without_newline_is_kept(journal):
    write(journal, [entry(1)])
    with journal.path.open("ab") as fh:
        fh.write(entry(2).to_line()[:-1])
    got = Journal(journal.path).read()
    assert [e.id for e in got] == [entry(1).id, entry(2).id]
    assert journal.path.read_bytes().endswith(b"\n") and not journal.torn_path.exists()


def test_corrupt_line_in_the_middle_is_an_error_naming_it(journal):
    write(journal, [entry(1), entry(2), entry(3)])
    lines = journal.path.read_bytes().split(b"\n")
    lines[1] = b"#garbage#" + lines[1][1:]
    journal.path.write_bytes(b"\n".join(lines))
    with pytest.raises(JournalError, match=r"journal.jsonl:2: corrupt journal entry"):
        Journal(journal.path).read()
    assert journal.path.read_bytes() == b"\n".join(lines), "nothing is changed when the journal is corrupt"


def test_entry_that_is_json_but_not_an_entry_is_named(journal):
    write(journal, [entry(1)])
    with journal.path.open("ab") as fh:
        fh.write(b'{"id": "x", "action": "explode"}\n')
        fh.write(entry(2).to_line())
    with pytest.raises(JournalError, match=r":2: corrupt journal entry \(missing or empty 'time'\)"):
        Journal(journal.path).read()


def test_batch_cut_short_is_set_aside_as_a_whole(journal):
    write(journal, [entry(1)])
    good = journal.path.read_bytes()
    batch = [entry(i, batch="b1", batch_size=3) for i in (2, 3, 4)]
    with journal.path.open("ab") as fh:
        fh.write(batch[0].to_line() + batch[1].to_line())  # the third line never made it
    fresh = Journal(journal.path)
    assert [e.id for e in fresh.read()] == [entry(1).id]
    assert journal.path.read_bytes() == good
    assert fresh.take_notices()


def test_state_refers_to_unknown_assertion_is_an_error(journal):
    write(journal, [entry(1), entry(2, action="approve", assertion="ffffffffffff", author="bob",
                                    subject=None, predicate=None, object=None, source=None)])
    with pytest.raises(JournalError, match="unknown assertion ffffffffffff"):
        fold(Journal(journal.path).read())


def test_two_processes_never_interleave(journal):
    """Two real processes append 150 entries each (some as batches) at the same time."""
    code = textwrap.dedent(f"""
        import sys
        from pathlib import Path
        from kg.curation.journal import Entry, Journal, utc_now
        who = sys.argv[1]
        j = Journal(Path({str(journal.path)!r}))
        for i in range(50):
            with j.locked():
                e = dict(time=utc_now(), action="add", author=who, subject="nkkg:afm24", predicate="nkv:testedIn",
                         object="nkkg:hcc", source="pubmed:1", sentence="x" * 3000)
                j.append([Entry(id=f"{{who}}{{i}}", assertion=f"{{who}}{{i}}", **e)])
                ids = [f"{{who}}{{i}}b{{k}}" for k in range(2)]
                j.append([Entry(id=x, assertion=x, batch=ids[0], batch_size=2, **e) for x in ids])
    """)
    procs = [subprocess.Popen([sys.executable, "-c", code, who]) for who in ("p", "q")]
    assert all(p.wait(120) == 0 for p in procs)
    got = Journal(journal.path).read()
    assert len(got) == 300 and len({e.id for e in got}) == 300
    for i, e in enumerate(got):  # each batch is contiguous
        if e.batch and e.id == e.batch:
            assert got[i + 1].batch == e.batch
