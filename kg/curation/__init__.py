"""Curation: curators add what the extractor missed, correct what it got wrong and vouch for edges.

The append-only journal (``journal.py``, at ``Settings.journal_path``) is the source of truth; its
entries fold into curated assertions (``state.py``) that become one named graph each
(``graphs.py``: ``graph/curation/<assertion-id>`` with the evidence and its history). Input is checked
before anything is written (``checks.py``); ``api.Curation`` is the one write path the CLI
(``nkkg curate``) and the server (``POST /curation``) share; ``files.py`` reads the TSV template and
Turtle/TriG, and exports nanopublications. ``nkkg build`` calls ``replayed`` so a rebuild never loses
curation.
"""

from __future__ import annotations

import logging
from contextlib import contextmanager

from ..config import Settings
from .api import Curation, Result, Row
from .journal import Entry, Journal, JournalError
from .state import Assertion, CurationStateError, SelfReviewError, State, UnknownAssertionError, fold

__all__ = ["Assertion", "Curation", "CurationStateError", "Entry", "Journal", "JournalError", "Result", "Row",
           "SelfReviewError", "State", "UnknownAssertionError", "fold", "replayed"]


@contextmanager
def replayed(settings: Settings, ds):
    """Add the journal's curated graphs to a build's dataset, and keep the journal locked until the
    block (which swaps the new store in) ends, so no curation write can land in the old store meanwhile."""
    from .graphs import replay_into

    journal = Journal(settings.journal_path)
    if not journal.path.parent.is_dir():  # no curation yet: nothing to replay, nothing to lock
        yield 0
        return
    with journal.locked() as entries:
        for notice in journal.take_notices():  # a torn tail set aside: say so in the build's output
            logging.getLogger("kg.curation").warning(notice)
        yield replay_into(ds, fold(entries))
