"""The one way to make an extractor: the lexicon plus the trial acronyms of the trial records the
graph is built from ("MERECA" -> NCT02432846). ``nkkg build``, ``ingest``, ``extract``, ``eval`` and
``candidates`` all call ``make_extractor``, so what ``eval`` scores is what ships.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model import TrialRecord
from .extract import Extractor
from .lexicon import Lexicon

MIN_ACRONYM = 4  # shorter acronyms ("NK", "ALT") are too ambiguous to stand for a trial


def trial_aliases(trials: Iterable[TrialRecord]) -> dict[str, str]:
    return {t.acronym: t.nct_id for t in trials if t.acronym and len(t.acronym) >= MIN_ACRONYM}


def make_extractor(lexicon: Lexicon, trials: Iterable[TrialRecord] = ()) -> Extractor:
    return Extractor(lexicon, trial_aliases(trials))
