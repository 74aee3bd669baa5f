"""Identifiers: one ``curies`` converter for every CURIE <-> IRI, and content-derived ids.

Statement ids hash the *expanded* subject/predicate/object IRIs, so the same fact from a paper,
a trial record and a curator merges into one edge whatever prefix each source used.
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache

import curies

from .errors import InputError
from .resources import ontology_dir

NKV = "https://w3id.org/nkvkg/ontology#"
ID_BASE = "https://w3id.org/nkvkg/id/"
GRAPH_BASE = "https://w3id.org/nkvkg/graph/"


@lru_cache(maxsize=1)
def converter() -> curies.Converter:
    prefix_map = json.loads((ontology_dir() / "prefixes.json").read_text(encoding="utf-8"))
    return curies.load_prefix_map(prefix_map)


@lru_cache(maxsize=512)
def registry_prefix(prefix: str) -> tuple[str, str] | None:
    """(canonical prefix, URI prefix) for a prefix the project's map lacks but the Bioregistry knows
    (``PMCID`` -> pmc, ``pmid`` -> pubmed ...); a canonical prefix the project maps keeps the project's IRI.
    The registry ships its data, so this never opens a connection."""
    import bioregistry  # imported on first use: it loads the whole registry

    norm = bioregistry.normalize_prefix(prefix)
    if not norm:
        return None
    own = converter().expand(f"{norm}:x")
    uri = own[:-1] if own else bioregistry.get_uri_prefix(norm)
    return (norm, uri) if uri else None


def expand(curie_or_iri: str) -> str:
    """CURIE -> IRI; an IRI (http/https/urn) passes through unchanged. Prefixes come from the project's
    map (ontology/prefixes.json), else from the Bioregistry."""
    if re.match(r"^(https?|urn):", curie_or_iri):
        return curie_or_iri
    iri = converter().expand(curie_or_iri)
    if iri is None:
        prefix, sep, local = curie_or_iri.partition(":")
        found = registry_prefix(prefix) if sep and prefix and local else None
        if found is None:
            raise InputError(f"unknown CURIE prefix in {curie_or_iri!r}")
        iri = found[1] + local
    return iri


def compress(iri: str) -> str:
    """IRI -> CURIE when a prefix is known, else the IRI itself."""
    return converter().compress(iri) or iri


def is_curie_or_iri(value: str) -> bool:
    """An IRI, or a CURIE whose prefix the project's map or the Bioregistry knows (``pmc:PMC7568699``)."""
    if re.match(r"^(https?|urn):", value):
        return True
    prefix, sep, local = value.partition(":")
    if not (sep and prefix and local) or re.search(r"\s", value):
        return False
    return converter().expand(value) is not None or registry_prefix(prefix) is not None


def digest(*parts: str, length: int = 16) -> str:
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return h[:length]


def statement_id(subject: str, predicate: str, obj: str) -> str:
    return digest(expand(subject), expand(predicate), expand(obj))


def slugify(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug or digest(text, length=10)


def document_curie(source: str, record_id: str) -> str:
    """pubmed + 123 -> pubmed:123; clinicaltrials + NCT.. -> clinicaltrials:NCT.."""
    return f"{source}:{record_id}"


NCT_RE = re.compile(r"\bNCT\d{8}\b")
PMID_RE = re.compile(r"^(?:pubmed|PMID|pmid):\s*(\d{1,9})$")


def trial_curie(nct_id: str) -> str:
    if not NCT_RE.fullmatch(nct_id):
        raise InputError(f"not an NCT identifier: {nct_id!r}")
    return f"clinicaltrials:{nct_id}"


def normalise_source(value: str) -> str:
    """Accept PMID:123, pubmed:123, NCT0..., doi:10.., DOI URLs; return a CURIE."""
    value = value.strip()
    if m := PMID_RE.match(value):
        return f"pubmed:{m.group(1)}"
    if NCT_RE.fullmatch(value):
        return f"clinicaltrials:{value}"
    if value.lower().startswith("doi:"):
        return "doi:" + value[4:].strip()
    if value.startswith("https://doi.org/"):
        return "doi:" + value[len("https://doi.org/"):]
    if is_curie_or_iri(value):
        return value
    raise InputError(f"not a source identifier (PMID:..., NCT..., doi:... or an IRI): {value!r}")
