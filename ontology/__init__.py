"""The nkv ontology, SHACL shapes and prefix map, installed as package data kg.ontology."""
