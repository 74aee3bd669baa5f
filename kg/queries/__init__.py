"""The SPARQL query catalogue (package data)."""
