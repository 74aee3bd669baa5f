"""The spaCy pipeline: blank English tokenizer, and rule-based sentence boundaries read from it.

No model is downloaded. ``sentence_spans(text)`` tokenizes with spaCy and marks a sentence start
after ".", "!" or "?" tokens (as spaCy's sentencizer does) and after line breaks, except after
abbreviation dots (et al., e.g., vs.) and before a lower-case word. The boundaries are computed
on the Doc's token arrays with numpy rather than by iterating Token objects in Python: measured,
``doc.sents`` plus the sentencizer cost more than the tokenizer itself.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import spacy
from spacy.attrs import IDX, ORTH
from spacy.language import Language

# Tokens after which a full stop does not end the sentence.
NO_SPLIT_AFTER = {"al", "e.g", "i.e", "vs", "approx", "Fig", "fig", "ca", "cf", "no", "No", "Dr", "et", "incl", "resp"}
ENDERS = (".", "!", "?")


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    return spacy.blank("en")


@lru_cache(maxsize=1)
def _ender_ids() -> np.ndarray:
    strings = build_nlp().vocab.strings
    return np.array([strings.add(e) for e in ENDERS] + [strings.add(e + ")") for e in ENDERS], dtype=np.uint64)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) character offsets of the sentences of ``text``; white-space-only gaps dropped."""
    # "\n" becomes " " for the tokenizer (same offsets): measured, newlines make spaCy's tokenizer several
    # times slower; line breaks still end sentences below, read from the original text
    doc = build_nlp().make_doc(text.replace("\n", " ").replace("\r", " "))
    n = len(doc)
    if n == 0:
        return []
    arr = doc.to_array([ORTH, IDX])
    orth, idx = arr[:, 0].astype(np.uint64), arr[:, 1]
    ends = np.nonzero(np.isin(orth, _ender_ids()))[0]
    starts = {0}
    for i in ends.tolist():
        j = i + 1
        while j < n and doc[j].text in ENDERS:  # "?!" or "..."
            j += 1
        if j >= n:
            continue
        nxt = doc[j]
        prev = doc[i - 1].text.rstrip(".") if i > 0 else ""
        if prev in NO_SPLIT_AFTER or (nxt.is_alpha and nxt.text.islower()) or nxt.text in (")", ",", ";"):
            continue
        starts.add(j)
    if "\n" in text:
        pos = 0
        while (pos := text.find("\n", pos)) != -1:
            j = int(np.searchsorted(idx, pos + 1))
            if j < n:
                starts.add(j)
            pos += 1
    spans = []
    ordered = sorted(starts)
    for k, s in enumerate(ordered):
        start = int(idx[s])
        end = int(idx[ordered[k + 1]]) if k + 1 < len(ordered) else len(text)
        seg = text[start:end]
        stripped = seg.rstrip()
        if stripped.strip():
            lead = len(seg) - len(seg.lstrip())
            spans.append((start + lead, start + len(stripped)))
    return spans
