"""Per-document facts for set-level analysis, computed once in the worker (blocks and tags at hand).

Identity, coverage evidence (`doccheck.evidence`), the standard editions cited, and the
controlled-document numbers cited in the text.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from doccheck.profile import DocumentProfile as DocContext
from doccheck.evidence import evidence
from doccheck.model import DocRef, Document, SetFacts
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
        r"(?:\s*,?\s*(?:Rev(?:ision)?\.?|revision|Version|Ver\.?)\s*(?P<rev>[A-Z0-9]{1,3}(?:\.\d{1,2})?)\b)?"
    )


def _refs(doc: Document) -> tuple[tuple[Any, ...], ...]:
    """Document numbers cited in the text, outside the document's own identity (as `DocRef.pack` gives them)."""
    own, pattern, out = doc.metadata.get("document_number"), None, []
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
                if m.group("number") != own:
                    out.append(DocRef.pack(m["number"], m["rev"], block.index, m.span(), m[0], block.location(doc.format, start)))
    return tuple(out)


def prepare() -> None:
    """Load the requirement index and the number pattern now (before workers fork: they inherit them)."""
    from doccheck.evidence import index

    index()
    _ref_pattern()


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
    covering = status not in _NOT_COVERING and not (ctx.legacy and ctx.legacy_reason == "a record")
    found = {}
    if covering:  # NOTE: obsolete documents and records address no requirement: no evidence to look for
        headings = [line for b in doc.blocks if b.kind == "heading" for line in b.text.split("\n")]
        found = evidence(citations, ctx.doc_type, headings, doc.text())
    return SetFacts(
        md.get("document_number"), md.get("title"), md.get("revision"), status, md.get("effective_date"), ctx.doc_type,
        covering, found, editions, superseded, _refs(doc),
    )
