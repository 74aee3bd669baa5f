"""PubMed: parse efetch XML / MEDLINE baseline files (pure), and the E-utilities client (I/O).

Parsing uses lxml ``iterparse`` with DTD loading, network access and entity resolution off (efetch
output names its DTD by URL), one ``PubmedArticle`` at a time, clearing each element after use, so
a gzip baseline file streams in constant memory. A malformed record is reported with its position
and skipped; a file that is not XML at all is an error. ``parse_pubmed_tolerant`` goes further: a
record whose XML is not well-formed is reported with its PMID while the records around it are kept.

The client (``fetch_pubmed``) follows the NCBI usage rules: ESearch with the history server
(``usehistory=y``; WebEnv + query_key), EFetch in batches (``retstart``/``retmax``, XML abstracts),
``tool`` and ``email`` on every request, at most 3 requests/s (10/s with ``NCBI_API_KEY``). Every
response is cached raw, so a resumed run (``resume=True``: same search session) re-reads completed
batches from disk instead of refetching them.
"""

from __future__ import annotations

import gzip
import io
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Callable, Iterator

from lxml import etree

from ..config import Settings
from ..errors import CorpusError, InputError, SessionExpiredError, SourceError
from ..http import CacheMode, HttpClient, expect_json_object
from ..model import Document, Section

NCT_RX = re.compile(r"\bNCT\d{8}\b")


def _text(el) -> str:
    return "".join(el.itertext()).strip() if el is not None else ""


def _year(article) -> int | None:
    for path in ("Journal/JournalIssue/PubDate/Year", "ArticleDate/Year"):
        y = article.findtext(path)
        if y and y.strip().isdigit():
            return int(y)
    medline = article.findtext("Journal/JournalIssue/PubDate/MedlineDate") or ""
    m = re.search(r"\b(19|20)\d{2}\b", medline)
    return int(m.group()) if m else None


def parse_article(el) -> Document:
    """One ``<PubmedArticle>`` element -> Document (raises CorpusError when it lacks a PMID)."""
    citation = el.find("MedlineCitation")
    pmid = (citation.findtext("PMID") if citation is not None else None) or ""
    if not pmid.strip().isdigit():
        raise CorpusError("PubmedArticle without a numeric PMID")
    pmid = pmid.strip()
    article = citation.find("Article")
    if article is None:
        raise CorpusError(f"PMID {pmid}: no Article element")
    title = _text(article.find("ArticleTitle"))
    sections: list[Section] = []
    offset = len(title) + 1 if title else 0
    for ab in article.findall("Abstract/AbstractText"):
        text = _text(ab)
        if not text:
            continue
        label = ab.get("Label") or ab.get("NlmCategory") or "abstract"
        sections.append(Section(label, text, offset))
        offset += len(text) + 1
    doi = next((_text(e) for e in el.iterfind("PubmedData/ArticleIdList/ArticleId") if e.get("IdType") == "doi"), None)
    doi = doi or next((_text(e) for e in article.iterfind("ELocationID") if e.get("EIdType") == "doi"), None)
    trials = [_text(a) for db in article.iterfind("DataBankList/DataBank")
              if (db.findtext("DataBankName") or "").strip() == "ClinicalTrials.gov"
              for a in db.iterfind("AccessionNumberList/AccessionNumber")]
    trials += [_text(s) for s in citation.iterfind("OtherID") if NCT_RX.fullmatch(_text(s))]
    trials += NCT_RX.findall(" ".join(s.text for s in sections))
    return Document(
        id=f"pubmed:{pmid}", title=title, sections=tuple(sections), kind="abstract", year=_year(article),
        url=f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/", doi=doi, journal=article.findtext("Journal/Title"),
        trials=tuple(dict.fromkeys(t for t in trials if NCT_RX.fullmatch(t))),
        mesh=tuple(_text(d) for d in citation.iterfind("MeshHeadingList/MeshHeading/DescriptorName")),
        publication_types=tuple(_text(p) for p in article.iterfind("PublicationTypeList/PublicationType")),
    )


def iter_articles(stream, errors: list[str], where: str) -> Iterator[Document]:
    parser_args = dict(events=("end",), tag="PubmedArticle", load_dtd=False, no_network=True,
                       resolve_entities=False, huge_tree=False, recover=False)
    n = 0
    try:
        for _event, el in etree.iterparse(stream, **parser_args):
            n += 1
            try:
                yield parse_article(el)
            except CorpusError as exc:
                errors.append(f"{where}: record {n} (line {el.sourceline}): {exc}")
            finally:
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
    except etree.XMLSyntaxError as exc:
        errors.append(f"{where}: malformed XML after record {n}: {exc}")


def parse_pubmed_bytes(data: bytes, errors: list[str], where: str = "<bytes>") -> list[Document]:
    return list(iter_articles(io.BytesIO(data), errors, where))


def parse_pubmed_file(path: Path, errors: list[str]) -> list[Document]:
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            return list(iter_articles(fh, errors, str(path)))
    except (OSError, EOFError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc


# --- tolerant parsing: one malformed record costs only itself ---------------------------------------

_ARTICLE_RX = re.compile(rb"<PubmedArticle[\s>].*?</PubmedArticle>", re.S)
_OPEN_RX = re.compile(rb"<PubmedArticle[\s>]")
_PMID_RX = re.compile(rb"<MedlineCitation[^>]*>\s*<PMID[^>]*>\s*(\d+)\s*</PMID>")


def _malformed(errors: list[str]) -> bool:
    return any("malformed XML" in e for e in errors)


def _label(chunk: bytes, fallback: str) -> str:
    pmids = [p.decode() for p in _PMID_RX.findall(chunk)]
    return ", ".join(f"PMID {p}" for p in pmids) if pmids else fallback


def _split_records(data: bytes, errors: list[str], where: str, first: list[str]) -> list[Document]:
    docs: list[Document] = []
    matches = list(_ARTICLE_RX.finditer(data))
    for n, m in enumerate(matches, start=1):
        chunk = m.group()
        local: list[str] = []
        docs.extend(parse_pubmed_bytes(b"<PubmedArticleSet>" + chunk + b"</PubmedArticleSet>", local, where))
        label = _label(chunk, f"record {n}")
        for e in local:
            msg = re.sub(r"^record \d+ \(line \d+\): ", "", e.removeprefix(f"{where}: "))
            if "malformed XML" in msg:
                msg = "malformed XML: " + msg.split(": ", 1)[-1]
            errors.append(f"{where}: {msg if msg.startswith(label + ':') else f'{label}: {msg}'}")
    tail = data[matches[-1].end():] if matches else data
    if _OPEN_RX.search(tail):  # a record cut off before its closing tag
        errors.append(f"{where}: {_label(tail, f'record {len(matches) + 1}')}: malformed XML: the record is cut off")
    elif not matches:
        errors.extend(first)
    return docs


def parse_pubmed_tolerant(data: bytes, errors: list[str], where: str = "<bytes>") -> list[Document]:
    """Like ``parse_pubmed_bytes``, but when the XML is not well-formed each ``PubmedArticle`` is parsed
    on its own: the broken ones are reported (with their PMID) and skipped, the others kept."""
    first: list[str] = []
    docs = parse_pubmed_bytes(data, first, where)
    if not _malformed(first):
        errors.extend(first)
        return docs
    return _split_records(data, errors, where, first)


def read_pubmed_path(path: Path, errors: list[str]) -> list[Document]:
    """A PubMed XML file (gzip too), streamed; only a file with malformed XML is re-read whole, to keep
    the well-formed records around the broken one."""
    first: list[str] = []
    docs = parse_pubmed_file(path, first)
    if not _malformed(first):
        errors.extend(first)
        return docs
    opener = gzip.open if str(path).endswith(".gz") else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:
        raise CorpusError(f"{path}: cannot read: {exc}") from exc
    return _split_records(data, errors, str(path), first)


# --- the E-utilities client (I/O) -----------------------------------------------------------------

ESEARCH = "/esearch.fcgi"
EFETCH = "/efetch.fcgi"
TOOL = "nkkg"
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PubmedQuery:
    """An ESearch term, optionally limited to records entered since a date and to ``max_records``."""

    term: str
    since: str | None = None  # YYYY/MM/DD (Entrez date), normalised by ``entrez_date``
    max_records: int | None = None
    batch_size: int = 200

    def __post_init__(self):
        if not self.term.strip():
            raise InputError("empty PubMed query")
        if self.batch_size < 1 or self.batch_size > 10000:
            raise InputError("batch size must be between 1 and 10000")
        if self.max_records is not None and self.max_records < 0:
            raise InputError("--max must not be negative")


@dataclass(frozen=True)
class SearchSession:
    count: int
    webenv: str
    query_key: str


def entrez_date(value: str) -> str:
    """YYYY, YYYY-MM, YYYY-MM-DD (or with slashes) -> the YYYY/MM/DD form ESearch takes."""
    parts = re.split(r"[-/.]", value.strip())
    try:
        nums = [int(p) for p in parts]
        if not 1 <= len(nums) <= 3 or len(parts[0]) != 4:
            raise ValueError
        date(nums[0], nums[1] if len(nums) > 1 else 1, nums[2] if len(nums) > 2 else 1)
    except ValueError:
        raise InputError(f"not a date: {value!r} (use YYYY, YYYY-MM or YYYY-MM-DD)") from None
    return "/".join([parts[0], *(p.zfill(2) for p in parts[1:])])


def ncbi_rate(settings: Settings) -> float:
    """NCBI allows 3 requests/s, 10 with an API key."""
    return 10.0 if settings.ncbi_api_key else 3.0


def _ncbi_params(settings: Settings) -> dict[str, str | None]:
    return {"tool": TOOL, "email": settings.email, "api_key": settings.ncbi_api_key}


def _efetch_complete(body: bytes) -> None:
    head, tail = body[:500], body.rstrip()[-40:]
    if b"<ERROR>" in head or b"<eFetchResult" in head:
        raise SessionExpiredError(f"efetch refused the search session: {head.decode('utf-8', 'replace')[:200]}")
    if not (tail.endswith(b"</PubmedArticleSet>") or tail.endswith(b"<PubmedArticleSet/>")):
        raise ValueError("efetch XML stops before </PubmedArticleSet>")


def esearch(client: HttpClient, settings: Settings, query: PubmedQuery, cache: CacheMode) -> SearchSession:
    params = {"db": "pubmed", "term": query.term, "usehistory": "y", "retmax": 0, "retmode": "json",
              **_ncbi_params(settings)}
    if query.since:
        params.update(datetype="edat", mindate=entrez_date(query.since), maxdate="3000")
    resp = client.get(settings.eutils_url + ESEARCH, params, cache=cache, check=expect_json_object)
    result = json.loads(resp.body).get("esearchresult") or {}
    if "ERROR" in result or not result.get("webenv"):
        raise SourceError(f"esearch failed: {result.get('ERROR') or 'no WebEnv in the answer'}")
    try:
        return SearchSession(int(result["count"]), result["webenv"], str(result["querykey"]))
    except (KeyError, ValueError) as exc:
        raise SourceError(f"esearch answer without {exc}") from exc


def fetch_pubmed(client: HttpClient, settings: Settings, query: PubmedQuery, errors: list[str], *,
                 resume: bool = False, progress: Progress | None = None) -> list[Document]:
    """Search, then fetch and parse every batch; malformed records go to ``errors``.

    ``resume=False`` starts a new search session (nothing read from the cache); ``resume=True`` reuses
    the cached session and batches of an interrupted run, and starts afresh if NCBI has forgotten it.
    """
    cache: CacheMode = "use" if resume else "refresh"
    session = esearch(client, settings, query, cache)
    total = session.count if query.max_records is None else min(session.count, query.max_records)
    docs: list[Document] = []
    try:
        for start in range(0, total, query.batch_size):
            size = min(query.batch_size, total - start)
            params = {"db": "pubmed", "query_key": session.query_key, "WebEnv": session.webenv, "retstart": start,
                      "retmax": size, "retmode": "xml", "rettype": "abstract", **_ncbi_params(settings)}
            resp = client.get(settings.eutils_url + EFETCH, params, cache=cache, check=_efetch_complete)
            docs.extend(parse_pubmed_tolerant(resp.body, errors, f"efetch retstart={start}"))
            if progress:
                progress(start + size, total)
    except SessionExpiredError:
        if not resume:
            raise
        return fetch_pubmed(client, settings, query, errors, resume=False, progress=progress)
    return docs


# the source-module convention (DESIGN.md): fetch() is I/O only, parse() is pure
fetch = fetch_pubmed
parse = parse_pubmed_tolerant
