"""Per-document facts for set-level analysis, computed once in the worker (blocks and tags at hand).

Identity, coverage evidence (`doccheck.evidence`), the standard editions cited, and the
controlled-document numbers cited in the text.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from doccheck.profile import DocumentProfile as DocContext
from doccheck.model import DocRef, Document, Location, SetFacts
from doccheck.nlp.refs import occurrences
from doccheck.resources import corpus

_NOT_COVERING = {"obsolete", "superseded", "retired", "withdrawn", "archived"}


@functools.cache
def _ref_prefixes() -> tuple[frozenset[str], int]:
    """The document-number prefixes, and the length of the longest."""
    prefixes = frozenset(corpus("document-control.yaml")["references"]["prefixes"])
    return prefixes, max(map(len, prefixes), default=0)


def _ref_starts(text: str) -> list[int]:
    """Where document numbers may start ("SOP-", "WI-"...), found by walking the hyphens.

    NOTE: one pass over a document's few hyphens, instead of a regex over every block.
    """
    (prefixes, longest), found = _ref_prefixes(), []
    for i in occurrences(text, "-"):
        j = i
        while j > 0 and i - j < longest and text[j - 1].isupper():
            j -= 1
        if text[j:i] in prefixes and (j == 0 or not text[j - 1].isalnum()):
            found.append(j)
    return found


@functools.cache
def _ref_pattern() -> re.Pattern[str]:
    prefixes = "|".join(sorted(corpus("document-control.yaml")["references"]["prefixes"], key=len, reverse=True))
    return re.compile(
        rf"\b(?P<number>(?:{prefixes})(?:-[A-Z0-9]{{1,10}}){{1,4}})\b"
        r"(?:\s*[,(]?\s*(?:Rev(?:ision)?\.?|revision|Version|Ver\.?)\s*(?P<rev>[A-Z0-9]{1,3}(?:\.\d{1,2})?)\b)?"
    )


# "QP-0011 – Customer Complaints and Advisory Notice Process", "SOP-QA-004 (Document Control)";
# not what identifies the revision cited: "QP-0027 (Rev 01, effective 2021-09-01)", "SOP-1 Version 2"
_CITED_TITLE = re.compile(r"\s*(?:[-–—:]\s*|\(\s*|\s)(?!(?:Rev|Revision|Version|Ver|Issue|Edition|Effective|Dated|Draft)\b)(?P<title>[A-Z][A-Za-z0-9&/,'’ -]{2,80}?)\s*(?=\)|$|\t|\s{2,}|[.;]\s|[.;]$|\s(?:[a-z]+\s)?(?:SOP|WI|QP|QM|F|FRM|FORM|DOC)-)")


@functools.cache
def _placeholder_part() -> re.Pattern[str]:
    return re.compile(corpus("document-control.yaml")["references"]["placeholder_part"])


@functools.lru_cache(maxsize=16384)  # NOTE: a set cites the same numbers over and over; both tests ran on every citation
def is_placeholder_number(number: str) -> bool:
    """SOP-XXX, F-XXXY, SOP-QA-000: a number still to be filled in."""
    return any(_placeholder_part().match(part) for part in number.split("-")[1:])


@functools.lru_cache(maxsize=16384)
def is_malformed_number(number: str) -> bool:
    """SOP-SOP-0012: a part repeated in a row."""
    parts = [p.upper() for p in number.split("-")]
    return any(a == b for a, b in zip(parts, parts[1:]))


def _refs(doc: Document) -> tuple[tuple[tuple[Any, ...], ...], tuple[tuple[Any, ...], ...]]:
    """Document numbers cited in the text, outside the document's own identity (as `DocRef.pack` gives
    them), and the malformed ones apart. Placeholders (SOP-XXX) are no citation of a document."""
    own, pattern, out, malformed = doc.metadata.get("document_number"), None, [], []
    for block in doc.blocks:
        if "-" not in block.text or block.part in ("header", "footer", "properties"):
            continue  # no number here, or the document's own identity
        end = 0  # a match covers the numbers inside it ("SOP-QA-004" is not also "QA-004")
        for start in _ref_starts(block.text):
            if start < end:
                continue
            pattern = pattern or _ref_pattern()
            if m := pattern.match(block.text, start):
                end = m.end()
                number = m.group("number")
                if number == own or is_placeholder_number(number):
                    continue
                t = _CITED_TITLE.match(block.text, m.end())
                title = t.group("title").strip(" -–—,") if t and len(t.group("title").split()) >= 2 else None
                packed = DocRef.pack(number, m["rev"], block.index, m.span(), m[0], block.location(doc.format, start), title)
                (malformed if is_malformed_number(number) else out).append(packed)
    return tuple(out), tuple(malformed)


@functools.cache
def _exclusion_rules() -> tuple[re.Pattern[str], int]:
    data = corpus("procedures.yaml")["exclusions"]
    return re.compile(data["declaration"], re.I), data["min_justification"]


def _exclusions(doc: Document) -> dict[str, tuple[str, tuple[Any, ...]]]:
    """A quality manual's declarations that a clause does not apply ("7.5.7 ... not applicable: no sterile
    devices"): requirement id -> (justification, where). A declaration without a justification is none."""
    from doccheck.evidence import requirements

    pattern, least = _exclusion_rules()
    out: dict[str, tuple[str, tuple[Any, ...]]] = {}
    for block in doc.blocks:
        low = block.text.lower()
        if "applicab" not in low and "exclu" not in low and "n/a" not in low:
            continue
        for m in pattern.finditer(block.text.replace("\t", " | ")):
            why = m.group("why").strip(" |:;,.-–—").strip()
            if len(why) < least:
                continue
            clause = m.group("clause")
            for req in requirements():
                if req["clause"] == clause or req["clause"].startswith(clause + "."):
                    out.setdefault(req["id"], (f"{why} (declared in {doc.path}, {block.location(doc.format).short()})", tuple(block.location(doc.format))))
    return out


def prepare() -> None:
    """Load the requirement index and the number pattern now (before workers fork: they inherit them)."""
    from doccheck.evidence import procedure_index

    procedure_index()
    _ref_pattern()


_NO_EVIDENCE_ROLES = frozenset({"external", "template", "record"})


def summarize(doc: Document, ctx: DocContext) -> SetFacts:
    md = doc.metadata
    editions: dict[str, str] = {}
    citations, superseded = [], 0
    for tag in doc.tags:  # one pass: citations for the evidence, editions, superseded ones
        if tag.kind == "citation":
            citations.append(tag)
            superseded += tag.status == "superseded"
            if tag.label == "standard" and (edition := tag.ref.get("edition")):
                editions.setdefault(f"{tag.ref['authority']} {tag.ref['number']}", str(edition))
    status = (md.get("status") or "").lower() or None
    # NOTE: references, templates, records, obsolete and superseded documents address no requirement of the company's QMS
    covering = status not in _NOT_COVERING and ctx.role not in _NO_EVIDENCE_ROLES and ctx.status not in ("obsolete", "superseded")
    found: dict[str, tuple[str, str, tuple[Any, ...], str]] = {}
    exclusions: dict[str, tuple[str, tuple[Any, ...]]] = {}
    if covering:
        found = _evidence(doc, ctx, citations)
        if ctx.doc_type == "quality-manual":
            exclusions = _exclusions(doc)
    refs, malformed = _refs(doc)
    return SetFacts(
        md.get("document_number"), md.get("title"), md.get("revision"), status, md.get("effective_date"), ctx.doc_type,
        covering, found, editions, superseded, refs, exclusions, malformed, ctx.role,
    )


def _evidence(doc: Document, ctx: DocContext, citations: list[Any]) -> dict[str, tuple[str, str, tuple[Any, ...], str]]:
    """The document's coverage evidence with where it is and its strength: what a quality manual says
    about another procedure's subject is the manual's ("manual"), not a documented procedure."""
    from doccheck.evidence import evidence, procedure_index

    blocks = [(b.index, b.text) for b in doc.blocks]
    headings = [(i, line) for (i, text), b in zip(blocks, doc.blocks) if b.kind == "heading" for line in text.split("\n")]
    manual = ctx.doc_type == "quality-manual"
    itself, own = _own_requirements(ctx.doc_type)
    out = {}
    for req_id, ev in evidence(citations, ctx.doc_type, headings, blocks, procedure_index()).items():
        where = tuple(doc.blocks[ev.block].location(doc.format)) if ev.block is not None else _PROPERTIES
        role = "itself" if req_id in itself else ("manual" if manual and req_id not in own else "procedure")
        out[req_id] = (ev.kind, ev.quote, where, role)
    return out


_PROPERTIES = tuple(Location("properties"))


@functools.cache
def _own_requirements(doc_type: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """The requirements a document of this type is itself (a quality manual: 4.2.2), and those it
    is the procedure of by its type as well."""
    from doccheck.evidence import requirements

    itself = frozenset(r["id"] for r in requirements() if doc_type in r.get("evidence", {}).get("is", ()))
    return itself, itself | {r["id"] for r in requirements() if doc_type in r.get("evidence", {}).get("types", ())}
