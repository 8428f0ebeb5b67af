"""Per-document facts for set-level analysis, computed once in the worker (blocks and tags at hand).

Coverage evidence for every requirement of ``corpora/procedures.yaml`` (strongest kind
first: a clause citation, the document type, a heading, a key phrase), the standard
editions cited, and the controlled-document numbers cited in the text.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from doccheck.engine.classify import DocContext
from doccheck.model import DocRef, Document, SetFacts, Tag
from doccheck.resources import corpus

_OLD_EDITIONS = {"1996", "2003", "2012"}
_NOT_COVERING = {"obsolete", "superseded", "retired", "withdrawn", "archived"}


@functools.cache
def requirements() -> tuple[dict[str, Any], ...]:
    out = []
    for req in corpus("procedures.yaml")["requirements"]:
        ev = req.get("evidence", {})
        compiled = {k: [re.compile(p, re.I) for p in ev.get(k, [])] for k in ("headings", "phrases")}
        out.append({**req, "clauses": ev.get("clauses", []), "types": ev.get("types", []), **compiled})
    return tuple(out)


@functools.cache
def _ref_pattern() -> re.Pattern[str]:
    prefixes = "|".join(sorted(corpus("document-control.yaml")["references"]["prefixes"], key=len, reverse=True))
    return re.compile(
        rf"\b(?P<number>(?:{prefixes})(?:-[A-Z0-9]{{1,10}}){{1,4}})\b"
        r"(?:\s*,?\s*(?:Rev(?:ision)?\.?|revision|Version|Ver\.?)\s*(?P<rev>[A-Z0-9]{1,3}(?:\.\d{1,2})?)\b)?"
    )


def _cites(tag: Tag, clause: str) -> bool:
    ref = tag.ref
    if clause.startswith("21 CFR"):
        return (ref.get("norm") or "").startswith(clause)
    if ref.get("number") != "13485" or ref.get("edition") in _OLD_EDITIONS:
        return False
    cited = ref.get("clause") or ""
    return cited == clause or cited.startswith(clause + ".")


def _evidence(doc: Document, ctx: DocContext) -> dict[str, tuple[str, str]]:
    citations = [t for t in doc.tags if t.kind == "citation"]
    headings = [b.text for b in doc.blocks if b.kind == "heading"]
    found: dict[str, tuple[str, str]] = {}
    for req in requirements():
        hit = next((("clause", t.text) for c in req["clauses"] for t in citations if _cites(t, c)), None)
        if hit is None and ctx.doc_type in req["types"]:
            hit = ("type", ctx.doc_type or "")
        if hit is None:
            hit = next((("heading", h) for h in headings for p in req["headings"] if p.search(h)), None)
        if hit is None:
            hit = next((("phrase", m.group(0)) for b in doc.blocks for p in req["phrases"] if (m := p.search(b.text))), None)
        if hit:
            found[req["id"]] = hit
    return found


def _refs(doc: Document) -> tuple[DocRef, ...]:
    own = doc.metadata.get("document_number")
    out = []
    for block in doc.blocks:
        if block.part in ("header", "footer", "properties"):
            continue  # the document's own identity lives there
        for m in _ref_pattern().finditer(block.text):
            if m.group("number") == own:
                continue
            out.append(DocRef(m.group("number"), m.group("rev"), block.index, m.span(), m.group(0), block.location(doc.format, m.start())))
    return tuple(out)


def summarize(doc: Document, ctx: DocContext) -> SetFacts:
    md = doc.metadata
    editions = {}
    for tag in doc.tags:
        if tag.kind == "citation" and tag.label == "standard" and tag.ref.get("edition"):
            editions.setdefault(f"{tag.ref['authority']} {tag.ref['number']}", str(tag.ref["edition"]))
    superseded = sum(1 for t in doc.tags if t.kind == "citation" and t.status == "superseded")
    status = (md.get("status") or "").lower() or None
    covering = status not in _NOT_COVERING and not (ctx.legacy and ctx.legacy_reason == "a record")
    return SetFacts(
        md.get("document_number"), md.get("title"), md.get("revision"), status, md.get("effective_date"), ctx.doc_type,
        covering, _evidence(doc, ctx), editions, superseded, _refs(doc),
    )
