"""Coordination ellipsis: "breast, gastric and oesophageal cancers", "renal cell or non-small cell lung
carcinoma". Abstracts often share one head noun across a list of modifiers; each modifier plus the
head names an entity of its own. ``elided_hits`` rebuilds "<modifier> <head>" for the modifiers
before a matched head phrase and keeps those the lexicon knows, with the modifier's span.
"""

from __future__ import annotations

import re

from .matching import FormMatcher, Hit

HEADS = re.compile(r"(?:cancers?|carcinomas?|tumou?rs?|neoplasms?|adenocarcinomas?|malignancies)$", re.IGNORECASE)
_LIST_BEFORE = re.compile(
    r"((?:[A-Za-z][\w-]*(?:\s+[A-Za-z][\w-]*){0,3}\s*(?:,\s*(?:and|or)?\s*|\s+(?:and|or|and/or)\s+))+)$"
)
_SPLIT = re.compile(r"\s*,\s*(?:and|or)?\s*|\s+(?:and|or|and/or)\s+")
_STOP = {"patients", "with", "including", "in", "of", "the", "advanced", "metastatic", "and", "or"}


def _singular(head: str) -> str:
    head = head.lower()
    return head[:-1] if head.endswith("s") and not head.endswith("ss") else head


def elided_hits(text: str, hits: list[Hit], matcher: FormMatcher, is_head_category) -> list[Hit]:
    """Extra hits for modifiers that share the head noun of a matched hit (``is_head_category(hit)``
    says whether the hit's entity is of a kind whose names end in such heads, e.g. tumours)."""
    out: list[Hit] = []
    for h in hits:
        surface = text[h.start:h.end]
        m_head = HEADS.search(surface)
        if not m_head or not is_head_category(h):
            continue
        head = _singular(m_head.group())
        before = text[max(0, h.start - 100):h.start]
        if not re.search(r"(?:,|\band\b|\bor\b)[^,.;]{0,40}$", before):  # cheap test: no list, no ellipsis
            continue
        m = _LIST_BEFORE.search(before)
        if not m:
            continue
        base = h.start - len(before) + m.start(1)
        chunk = m.group(1)
        pos = 0
        for piece in _SPLIT.split(chunk):
            idx = chunk.find(piece, pos) if piece else -1
            if idx < 0:
                continue
            pos = idx + len(piece)
            words = [w for w in piece.split() if w.lower() not in _STOP]
            if not words:
                continue
            # drop leading modifiers one by one: "HER2-expressing breast" -> "breast"
            for k in range(len(words)):
                phrase = " ".join(words[k:])
                for candidate in (f"{phrase} {head}", f"{phrase} cancer", f"{phrase} carcinoma"):
                    target = matcher.lookup(candidate)
                    if target:
                        start = base + idx + piece.find(words[k])
                        end = base + idx + len(piece)
                        out.append(Hit(start, end, candidate, target))
                        break
                else:
                    continue
                break
    return out
