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
from doccheck.model import DocRef, Document, SetFacts
from doccheck.resources import corpus

_OLD_EDITIONS = {"1996", "2003", "2012"}
_NOT_COVERING = {"obsolete", "superseded", "retired", "withdrawn", "archived"}


def anchor(pattern: str) -> str | None:
    """The longest literal run a match of ``pattern`` must contain (outside groups), or None.

    NOTE: a plain substring test runs at memory speed, regex alternations at ~10 MB/s; the
    anchor lets most documents skip the regex. A character before ?, * or { is optional
    and is not part of the anchor; text inside a group or after a top-level | is not used.
    """
    if re.search(r"(?<!\\)\|", re.sub(r"\((?:[^()]|\([^()]*\))*\)", "", pattern)):
        return None  # a top-level alternation: no single literal is required
    runs: list[str] = []
    current, depth, i = "", 0, 0

    def commit(run: str) -> None:
        if depth == 0 and run:
            runs.append(run)

    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            commit(current)
            current, i = "", i + 2
            continue
        if ch in "?*{":
            commit(current[:-1])  # the quantified character is optional
            current = ""
        elif ch in "()+[].^$|":
            commit(current)
            current = ""
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
        elif depth == 0:
            current += ch
        i += 1
    commit(current)
    best = max((r.strip() for r in runs), key=len, default="")
    return best.lower() if len(best) >= 3 else None


def _lowered(pattern: str) -> re.Pattern[str]:
    """A pattern for lower-cased text; IGNORECASE kept where lower-casing would change an escape (\\S, \\W...)."""
    if re.search(r"\\[A-Z]", pattern):
        return re.compile(pattern, re.I)
    return re.compile(pattern.lower())


@functools.cache
def requirements() -> tuple[dict[str, Any], ...]:
    out = []
    for req in corpus("procedures.yaml")["requirements"]:
        ev = req.get("evidence", {})
        # one alternation per requirement and kind, matched on lower-cased text: one search per
        # document (not per block), and case-sensitive matching is ~2x faster than IGNORECASE
        compiled = {k: _lowered("|".join(f"(?:{p})" for p in ev[k])) if ev.get(k) else None for k in ("headings", "phrases")}
        anchors = [anchor(p) for p in ev.get("phrases", [])]
        out.append({**req, "clauses": ev.get("clauses", []), "types": ev.get("types", []), **compiled,
                    "anchors": anchors if anchors and all(anchors) else None})
    return tuple(out)


@functools.cache
def _ref_prefixes() -> frozenset[str]:
    return frozenset(corpus("document-control.yaml")["references"]["prefixes"])


def _ref_prefixes_in(text: str) -> set[str]:
    """Document-number prefixes present ("SOP-", "WI-"...), found by walking the hyphens.

    NOTE: one pass over a document's few hyphens, instead of one scan of the whole text per prefix.
    """
    prefixes, found = _ref_prefixes(), set()
    i = text.find("-")
    while i != -1:
        j = i
        while j > 0 and i - j < 4 and text[j - 1].isupper():
            j -= 1
        if text[j:i] in prefixes and (j == 0 or not text[j - 1].isalnum()):
            found.add(text[j:i])
        i = text.find("-", i + 1)
    return found


@functools.cache
def _ref_pattern() -> re.Pattern[str]:
    prefixes = "|".join(sorted(corpus("document-control.yaml")["references"]["prefixes"], key=len, reverse=True))
    return re.compile(
        rf"\b(?P<number>(?:{prefixes})(?:-[A-Z0-9]{{1,10}}){{1,4}})\b"
        r"(?:\s*,?\s*(?:Rev(?:ision)?\.?|revision|Version|Ver\.?)\s*(?P<rev>[A-Z0-9]{1,3}(?:\.\d{1,2})?)\b)?"
    )


def _cited(doc: Document) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """ISO 13485 clauses cited (2016 numbering), with every clause above them (citing 7.3.10
    addresses 7.3), each mapped to the citation as written; and the 21 CFR citations."""
    iso: dict[str, str] = {}
    cfr: list[tuple[str, str]] = []
    for tag in doc.tags:
        if tag.kind != "citation":
            continue
        ref = tag.ref
        if tag.label == "cfr":
            cfr.append((ref.get("norm") or "", tag.text))
        elif ref.get("number") == "13485" and ref.get("edition") not in _OLD_EDITIONS and ref.get("clause"):
            parts = ref["clause"].split(".")
            for k in range(1, len(parts) + 1):
                iso.setdefault(".".join(parts[:k]), tag.text)
    return iso, cfr


def _clause_hit(clause: str, iso: dict[str, str], cfr: list[tuple[str, str]]) -> str | None:
    """The citation (as written) that addresses ``clause``, if any."""
    if clause.startswith("21 CFR"):
        return next((text for norm, text in cfr if norm.startswith(clause)), None)
    return iso.get(clause)


def _evidence(doc: Document, ctx: DocContext) -> dict[str, tuple[str, str]]:
    iso, cfr = _cited(doc)
    heading_text = "\n".join(b.text for b in doc.blocks if b.kind == "heading")
    full_text = "\n".join(b.text for b in doc.blocks)
    headings, text = heading_text.lower(), full_text.lower()
    # evidence quotes the document as written (lower() keeps ASCII lengths; otherwise quote lower-cased)
    quote = lambda original, low, m: original[m.start() : m.end()] if len(original) == len(low) else m.group(0)  # noqa: E731
    found: dict[str, tuple[str, str]] = {}
    anchors_present: dict[str, bool] = {}  # several requirements share an anchor: test each once

    def has(anchor_text: str) -> bool:
        if anchor_text not in anchors_present:
            anchors_present[anchor_text] = anchor_text in text
        return anchors_present[anchor_text]

    for req in requirements():
        cited = next((hit for c in req["clauses"] if (hit := _clause_hit(c, iso, cfr))), None)
        if cited:
            found[req["id"]] = ("clause", cited)
        elif ctx.doc_type in req["types"]:
            found[req["id"]] = ("type", ctx.doc_type or "")
        elif req["headings"] and (m := req["headings"].search(headings)):
            line_start = heading_text.rfind("\n", 0, m.start()) + 1
            found[req["id"]] = ("heading", heading_text[line_start:].split("\n", 1)[0])
        elif req["phrases"] and (req["anchors"] is None or any(has(a) for a in req["anchors"])) and (m := req["phrases"].search(text)):
            found[req["id"]] = ("phrase", quote(full_text, text, m))
    return found


def _refs(doc: Document) -> tuple[DocRef, ...]:
    own = doc.metadata.get("document_number")
    whole = "\n".join(b.text for b in doc.blocks)
    literals = [f"{p}-" for p in _ref_prefixes_in(whole)]
    out: list[DocRef] = []
    if not literals:
        return ()
    for block in doc.blocks:
        if block.part in ("header", "footer", "properties"):
            continue  # the document's own identity lives there
        if not any(lit in block.text for lit in literals):
            continue  # no "SOP-", "WI-"...: no citation of a document number
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
