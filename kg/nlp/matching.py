"""Lexicon matching that tolerates the ways abstracts spell a name.

Text and lexicon forms are both reduced to a *compact key*: white space and hyphens dropped and
Greek letters spelled out, so IL-15 / IL15 / IL 15, TGF-beta / TGF-β / TGFβ and NKG2D / NKG2-D
meet. Short symbols (compact length <= 5 with a capital letter: PD-1, MICA, HER2, BCG) are matched
case-sensitively; longer names case-insensitively. Matches must start and end on a word boundary
of the original text (a plural "s" may follow). Two Aho-Corasick automata (pyahocorasick) do the
scan, so the cost does not grow with the number of lexicon terms.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import ahocorasick
import numpy as np

GREEK = {
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon",
    "µ": "mu", "μ": "mu", "Α": "alpha", "Β": "beta", "Γ": "gamma", "Δ": "delta",
}
_PIECE = re.compile(r"[^\s\-\u2010\u2011\u2012\u2013\u2014\u2212_]+")
_SOFT = re.compile(r"[\s\-\u2010\u2011\u2012\u2013\u2014\u2212_]")
_HAS_GREEK = re.compile("[" + "".join(GREEK) + "]")


def compact_fast(text: str) -> tuple[str, np.ndarray]:
    """``compact(text, fold=False)`` without a Python loop over characters (texts without Greek letters)."""
    soft = [m.start() for m in _SOFT.finditer(text)]
    offsets = np.delete(np.arange(len(text), dtype=np.int64), soft) if soft else np.arange(len(text), dtype=np.int64)
    return _SOFT.sub("", text), offsets


def compact(text: str, fold: bool) -> tuple[str, list[int]]:
    """The compact key of ``text`` and, for each of its characters, the offset in ``text``."""
    out: list[str] = []
    offsets: list[int] = []
    for m in _PIECE.finditer(text):
        piece, start = m.group(), m.start()
        if _HAS_GREEK.search(piece):
            for i, ch in enumerate(piece):
                rep = GREEK.get(ch, ch)
                out.append(rep if len(rep) > 1 else (rep.lower() if fold else rep))
                offsets.extend([start + i] * len(rep))
        else:
            out.append(piece.lower() if fold else piece)
            offsets.extend(range(start, start + len(piece)))
    return "".join(out), offsets


def form_key(form: str) -> tuple[str, bool]:
    """(compact key, case_sensitive) for a lexicon form."""
    key, _ = compact(form, fold=False)
    case_sensitive = len(key) <= 5 and any(c.isupper() for c in key)
    return (key if case_sensitive else key.lower()), case_sensitive


@dataclass(frozen=True)
class Hit:
    start: int
    end: int
    form: str  # the lexicon form's compact key
    target: str  # what the form stands for (an entity id)


class FormMatcher:
    """Finds lexicon forms in text; ``add(form, target)`` then ``find(text)``."""

    def __init__(self) -> None:
        self._auto = {True: ahocorasick.Automaton(), False: ahocorasick.Automaton()}
        self._count = {True: 0, False: 0}
        self._finalised = False
        self.conflicts: list[tuple[str, str, str]] = []

    def add(self, form: str, target: str) -> None:
        key, cs = form_key(form)
        if not key:
            return
        auto = self._auto[cs]
        if key in auto:
            prior = auto.get(key)[1]
            if prior != target:
                self.conflicts.append((form, prior, target))
            return
        auto.add_word(key, (len(key), target))
        self._count[cs] += 1

    def lookup(self, form: str) -> str | None:
        """The target of a whole form (exact compact-key match), without scanning any text."""
        key, cs = form_key(form)
        auto = self._auto[cs]
        if not self._count[cs] or key not in auto:
            return None
        return auto.get(key)[1]

    def _finalise(self) -> None:
        for cs, auto in self._auto.items():
            if self._count[cs]:
                auto.make_automaton()
        self._finalised = True

    def find(self, text: str) -> list[Hit]:
        if not self._finalised:
            self._finalise()
        hits: list[Hit] = []
        if _HAS_GREEK.search(text):
            key, offsets = compact(text, fold=False)
        else:
            key, offsets = compact_fast(text)
        folded = key.lower()
        if len(folded) != len(key):  # a character whose lower case is longer: fall back to the exact path
            folded, offsets_folded = compact(text, fold=True)
        else:
            offsets_folded = offsets
        for cs in (True, False):
            if not self._count[cs]:
                continue
            k, offs = (key, offsets) if cs else (folded, offsets_folded)
            for end_idx, (length, target) in self._auto[cs].iter(k):
                start = int(offs[end_idx - length + 1])
                end = int(offs[end_idx]) + 1
                if start > 0 and text[start - 1].isalnum():
                    continue
                if end < len(text) and text[end].isalnum():
                    if text[end] == "s" and (end + 1 == len(text) or not text[end + 1].isalnum()):
                        end += 1
                    else:
                        continue
                hits.append(Hit(start, end, k[end_idx - length + 1 : end_idx + 1], target))
        return longest_first(hits)


def longest_first(hits: list[Hit]) -> list[Hit]:
    """Non-overlapping hits, preferring the longest, then the earliest."""
    if not hits:
        return []
    chosen: list[Hit] = []
    taken = bytearray(max(h.end for h in hits) + 1)
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), h.start)):
        if taken.find(1, h.start, h.end) == -1:
            chosen.append(h)
            taken[h.start:h.end] = b"\x01" * (h.end - h.start)
    return sorted(chosen, key=lambda h: h.start)
