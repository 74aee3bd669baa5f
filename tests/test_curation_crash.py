"""The crash test (scripts/crash_curation.py) with a small count: a child process writes curation while
the parent kills it with SIGKILL at random moments; every acknowledged write must survive every kill."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from kg.curation import Journal, fold

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "crash_curation.py"


def test_acknowledged_writes_survive_sigkill(built, tmp_path):
    work = tmp_path / "crash"
    proc = subprocess.run([sys.executable, str(SCRIPT), "--kills", "5", "--rebuild-every", "2", "--seed", "7",
                           "--max-delay", "1.5", "--store", str(built / "store"), "--workdir", str(work)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    summary = proc.stdout.strip().splitlines()[-1]
    m = re.match(r"OK kills=5 acknowledged=(\d+) journal_entries=(\d+) torn_tails_set_aside=(\d+) rebuilds=3 ", summary)
    assert m, summary
    acked, entries, torn = map(int, m.groups())
    assert 0 < acked <= entries
    journal = work / "data" / "curation" / "journal.jsonl"
    state = fold(Journal(journal).read())
    assert state.count == entries
    lines = journal.read_bytes().split(b"\n")
    assert lines[-1] == b"" and all(json.loads(line) for line in lines[:-1])
    assert (journal.with_name("journal.jsonl.torn").exists()) == (torn > 0)
