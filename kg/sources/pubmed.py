"""PubMed: parse efetch XML / MEDLINE baseline files (pure), and the E-utilities client (I/O).

Parsing uses lxml ``iterparse`` with DTD loading, network access and entity resolution off (efetch
output names its DTD by URL), one ``PubmedArticle`` at a time, clearing each element after use, so
a gzip baseline file streams in constant memory. A malformed record is reported with its position
and skipped; a file that is not XML at all is an error.
"""

from __future__ import annotations

import gzip
import io
import re
from pathlib import Path
from typing import Iterator

from lxml import etree

from ..errors import CorpusError
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
