"""Extraction: spaCy pipeline, lexicon matching, abbreviations, negation, relations, outcomes."""
