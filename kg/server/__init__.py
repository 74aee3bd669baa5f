"""The SPARQL 1.1 endpoint, query page, entity pages and curation API (Starlette on uvicorn)."""
