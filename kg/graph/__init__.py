"""Graph stage: RDF dataset, persistent store, NetworkX view."""
