"""Schwartz-Hearst style abbreviation definitions: "long form (SF)" and "SF (long form)".

``find_definitions(text)`` returns (short form, long form, long-form span) pairs; the extractor
links a short form to the entity its long form names and then uses it for the whole document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_PAREN = re.compile(r"\(([^()]{1,60})\)")


@dataclass(frozen=True)
class Definition:
    short: str
    long: str
    long_start: int
    long_end: int


def _valid_short(sf: str) -> bool:
    return 2 <= len(sf) <= 12 and sf[0].isalnum() and any(c.isalpha() for c in sf) and len(sf.split()) <= 2


def _best_long(sf: str, before: str) -> int | None:
    """Schwartz-Hearst: match short-form characters right to left in the text before the bracket."""
    letters = [c.lower() for c in sf if c.isalnum()]
    max_words = min(len(letters) + 5, len(letters) * 2)
    words = before.split()
    window = " ".join(words[-max_words:]) if words else ""
    start_in_before = len(before) - len(window)
    s_idx, l_idx = len(letters) - 1, len(window) - 1
    while s_idx >= 0:
        c = letters[s_idx]
        while l_idx >= 0 and (
            window[l_idx].lower() != c or (s_idx == 0 and l_idx > 0 and window[l_idx - 1].isalnum())
        ):
            l_idx -= 1
        if l_idx < 0:
            return None
        s_idx -= 1
        l_idx -= 1
    return start_in_before + l_idx + 1


def find_definitions(text: str) -> list[Definition]:
    out: list[Definition] = []
    for m in _PAREN.finditer(text):
        inner = m.group(1).strip()
        # "(N-803, formerly ALT-803)" -> first element is the short form
        sf = re.split(r"[;,]\s*", inner)[0].strip()
        before = text[: m.start()].rstrip()
        if _valid_short(sf):
            start = _best_long(sf, before)
            if start is not None and start < len(before):
                out.append(Definition(sf, before[start:], start, len(before)))
                continue
        # "SF (long form)": the word before the bracket is the short form
        prev = re.search(r"(\S+)\s*$", before)
        # the word before the bracket is a short form only if it looks like one (capitals or digits)
        if prev and _valid_short(prev.group(1)) and len(inner) > len(prev.group(1)) and \
                re.search(r"[A-Z0-9]", prev.group(1)[1:] or prev.group(1)) and not prev.group(1).islower():
            out.append(Definition(prev.group(1), inner, m.start(1), m.start(1) + len(inner)))
    return out
