"""The spaCy pipeline: blank English tokenizer, rule sentencizer, and a fix for abbreviation dots.

No model is downloaded. Entity matching and relations are plain functions over the Doc's text and
sentences (see ``extract.py``); spaCy gives tokens and sentence boundaries.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

# Tokens after which a full stop does not end the sentence.
NO_SPLIT_AFTER = {"al", "e.g", "i.e", "vs", "approx", "Fig", "fig", "ca", "cf", "no", "No", "Dr", "et", "incl", "resp"}


@Language.component("nkkg_sentence_fix")
def sentence_fix(doc):
    for i in range(1, len(doc)):
        tok = doc[i]
        if not tok.is_sent_start:
            continue
        prev = doc[i - 1]
        base = doc[i - 2].text if prev.text == "." and i >= 2 else prev.text.rstrip(".")
        # "et al. reported", "vs. sunitinib": an abbreviation's dot, or a lower-case word, is no new sentence
        if base in NO_SPLIT_AFTER or (tok.is_alpha and tok.text.islower()):
            tok.is_sent_start = False
    return doc


@lru_cache(maxsize=1)
def build_nlp() -> Language:
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("nkkg_sentence_fix")
    return nlp
