"""The entity lexicon, installed as package data kg.ontology.lexicon."""
