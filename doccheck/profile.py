"""What a document is, answered once: its type, role and status, each with the evidence behind it.

Between extraction and the rules, `build` reads the extracted document (identity, blocks) and
decides:

* **type** (CAPA procedure, quality manual, form...), by the votes of ``corpora/document-types.yaml``;
* **role**: ``controlled`` (procedures, work instructions, manuals, forms), ``record``,
  ``template`` or ``external`` (guidance, letters and literature of regulators, standards bodies
  and publishers), from ``corpora/roles.yaml``, unless the configuration's ``roles`` decides;
* **status**: ``effective``, ``draft``, ``obsolete``, ``superseded`` or ``unknown``, from the
  document's own status field and its marks; the set analysis may add ``superseded`` later
  (a higher revision of the same number is in the scan).

Severity follows role and status, never the date: records, obsolete and superseded documents
are legacy (their findings are information, with the QMSR mapping); an effective date before
the QMSR is only a fact the messages state (`effective_note`).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import functools
import itertools
import re
from pathlib import PurePosixPath
from typing import Any, NamedTuple

from doccheck.model import Document
from doccheck.resources import corpus

ROLES = ("controlled", "record", "template", "external")
STATUSES = ("effective", "draft", "obsolete", "superseded", "unknown")
_FIRST_PAGES_CHARS = 12_000  # where a regulator's or publisher's wording shows (first pages)
_ISSUER_LINE = 100  # a letterhead or running head, not a sentence; a Federal Register page's head is ~90 characters
_MARK = re.compile(r"\b(DRAFT|OBSOLETE|SUPERSEDED|UNCONTROLLED)\b")


class DocumentProfile(NamedTuple):
    """Everything a rule, the set analysis and a reporter may know about what a document is.

    NOTE: a NamedTuple: it travels from the worker with every result and lives in the cache.
    """

    doc_type: str | None
    type_reason: str | None
    role: str
    role_reason: str
    status: str
    status_reason: str | None
    effective: bool  # in force: its status says so, or its effective date has arrived
    legacy: bool  # a record, obsolete or superseded: findings are information with the QMSR mapping
    legacy_reason: str | None
    effective_note: str  # ", effective 2019-05-01, not revised since the QMSR took effect" or ""
    today: dt.date

    def superseded_by(self, number: str, revision: str) -> DocumentProfile:
        """This profile once the set shows a higher revision of the document."""
        reason = f"revision {revision} of {number} is in this set"
        return self._replace(status="superseded", status_reason=reason, effective=False, legacy=True, legacy_reason=f"superseded: {reason}")

    def as_dict(self) -> dict[str, Any]:
        return {"role": self.role, "role_reason": self.role_reason, "type": self.doc_type, "type_reason": self.type_reason,
                "status": self.status, "status_reason": self.status_reason}


# --- type


@functools.cache
def _types() -> dict[str, dict[str, Any]]:
    out = {}
    for type_id, spec in corpus("document-types.yaml")["types"].items():
        out[type_id] = {**spec, **{key: [re.compile(p, re.I) for p in spec.get(key, [])] for key in ("number", "title", "headings", "category")}}
    return out


def classify(doc: Document) -> tuple[str | None, str | None]:
    """The best-voted document type and why, or (None, None) when nothing votes clearly."""
    number = doc.metadata.get("document_number") or ""
    headings = [b.text for b in doc.blocks if b.kind == "heading"][:40]
    title = doc.metadata.get("title") or (headings[0] if headings else "")
    running = [line.strip() for b in doc.blocks if b.part in ("header", "footer") for line in b.text.split("\n")][:30]
    best, best_score, why = None, 0, None
    for type_id, spec in _types().items():
        by_number = any(p.search(number) for p in spec["number"])
        by_title = any(p.search(title) for p in spec["title"])
        by_category = next((line for line in running if any(p.search(line) for p in spec["category"])), None)
        by_headings = min(2, sum(1 for h in headings if any(p.search(h) for p in spec["headings"])))
        # NOTE: the document says what it is; a title naming a kind of document (a form) outweighs its subject
        score = 3 * by_number + (4 if spec.get("kind") else 3) * by_title + 4 * (by_category is not None) + by_headings
        if score > best_score:
            parts = [f"number {number}" if by_number else "", f"title '{title[:60]}'" if by_title else "",
                     f"marked '{by_category}'" if by_category else "", f"{by_headings} heading(s)" if by_headings else ""]
            best, best_score, why = type_id, score, ", ".join(p for p in parts if p)
    return (best, why) if best_score >= 3 else (None, None)


# --- role


@functools.cache
def _role_data() -> dict[str, Any]:
    from doccheck.anchors import Gated, any_of

    data = corpus("roles.yaml")
    # NOTE: gated by their literals: an alternation of phrases with re.I tried every position
    # of a document's first pages, 0.8 ms per document (the largest cost of the profile)
    return {
        "phrases": any_of(data["external"]["phrases"]),
        "issuers": re.compile("|".join(f"(?:{p})" for p in data["external"]["issuers"]), re.I),  # short lines, each pattern anchored at ^
        "licences": any_of(data["external"]["licences"]),
        "publications": any_of(data["external"]["publications"]),
        "placeholders": [Gated(p) for p in data["template"]["placeholders"]],
        "min_placeholders": data["template"]["min_placeholders"],
        "template_title": any_of(data["template"]["title"]),
    }


def _opening(doc: Document) -> str:
    """The text of the document's first pages, where boilerplate and letterheads are."""
    out, size = [], 0
    for block in doc.blocks:
        out.append(block.text)
        size += len(block.text)
        if size > _FIRST_PAGES_CHARS:
            break
    return "\n".join(out)


def _title_lines(doc: Document) -> list[str]:
    """Running headers and footers, and the first lines of the first page: where an issuer names itself."""
    # NOTE: islice, not a list of every block's lines cut afterwards: a long document has thousands
    running = list(itertools.islice((b.text for b in doc.blocks if b.part in ("header", "footer")), 12))
    body = list(itertools.islice((line for b in doc.blocks if b.part in ("body", "table") for line in b.text.split("\n")), 8))
    return [line.strip() for line in (*running, *body) if line.strip()]


def _external(doc: Document, opening: str) -> str | None:
    data = _role_data()
    number = doc.metadata.best("document_number")
    if number is not None and number.source.endswith("(unlabelled)") and not number.source.startswith("title"):
        return f"its number {number.value} is an issuing body's ({number.source})"
    low = opening.lower()
    m = data["phrases"].search(opening, low)
    if m:
        return f"it says '{m.group(0)}'"
    for line in _title_lines(doc):
        m = data["issuers"].search(line) if len(line) <= _ISSUER_LINE else None
        if m:
            return f"an issuer heads it: '{line[:80]}'"
    m = data["licences"].search(opening, low)
    if m and (number is None or number.source.endswith("(unlabelled)")):
        return f"it is published under a licence ({m.group(0)}) and carries no company control block"
    m = data["publications"].search(opening, low)
    if m and not any((f := doc.metadata.best(name)) is not None and not f.source.endswith("(unlabelled)")
                     for name in ("document_number", "revision", "effective_date")):
        return f"it reads as a publisher's article ('{m.group(0)}') and carries no company control block"
    return None


def _template(doc: Document, opening: str) -> str | None:
    data = _role_data()
    low = opening.lower()
    found = sorted({m.group(0)[:40] for p in data["placeholders"] for m in p.finditer(opening, low)})
    title = doc.metadata.get("title") or next((b.text for b in doc.blocks if b.kind == "heading"), "")
    name = PurePosixPath(doc.path).stem
    for what, text in (("title", title), ("file name", name)):
        m = data["template_title"].search(text)
        if m:
            return f"its {what} says '{m.group(0)}'" + (f"; placeholders {', '.join(found[:3])}" if found else "")
    if len(found) >= data["min_placeholders"]:
        return f"{len(found)} placeholders to fill in ({', '.join(found[:3])})"
    return None


def role_of(doc: Document, doc_type: str | None, overrides: tuple[tuple[str, str], ...] = ()) -> tuple[str, str]:
    """(role, reason): a configured override first, then a regulator's or publisher's evidence, then placeholders, then the type."""
    for glob, role in overrides:
        if fnmatch.fnmatch(doc.path, glob):
            return role, f"configured: roles '{glob}'"
    opening = _opening(doc)
    reason = _external(doc, opening)
    if reason:
        return "external", reason
    reason = _template(doc, opening)
    if reason:
        return "template", reason
    if doc_type and _types()[doc_type].get("record"):
        return "record", f"a record ({_types()[doc_type]['name']})"
    return "controlled", "a controlled document (no sign of a record, a template or an external document)"


# --- status


@functools.cache
def _statuses() -> dict[str, str]:
    """Status word -> status (effective, draft, obsolete, superseded)."""
    return {word: status for status, words in corpus("document-types.yaml")["statuses"].items() for word in words}


def status_of(doc: Document, today: dt.date) -> tuple[str, str | None, bool]:
    """(status, reason, in force)."""
    field = doc.metadata.best("status")
    if field is not None:
        status = _statuses().get(field.value.lower().strip(), "unknown")
        return status, f"status '{field.value}' ({field.source})", status == "effective"
    for block in doc.blocks[:8] + [b for b in doc.blocks if b.part in ("header", "footer", "textbox")][:12]:
        m = _MARK.search(block.text)
        if m and m.group(1) in ("OBSOLETE", "SUPERSEDED"):
            return m.group(1).lower(), f"marked '{m.group(1)}' ({block.part})", False
    date = doc.metadata.get("effective_date")
    if date:
        arrived = dt.date.fromisoformat(date) <= today
        return ("effective" if arrived else "draft"), f"effective date {date}" + ("" if arrived else " (not yet)"), arrived
    return "unknown", None, False


# --- superseded in the set


_REVISION = re.compile(r"^(?:rev(?:ision)?\.?|ver(?:sion)?\.?|v|r)?\s*(?P<rev>\d+(?:\.\d+)*|[A-Z]{1,2})$", re.I)


def revision_key(revision: str | None) -> tuple[str, tuple[int, ...] | str] | None:
    """A sortable form of a revision ("B" < "C", "2" < "10", "1.2" < "1.10", "r1" < "r2"); None if it reads as neither."""
    m = _REVISION.match((revision or "").strip())
    if not m:
        return None
    rev = m.group("rev")
    if rev[0].isdigit():
        return ("n", tuple(int(x) for x in rev.split(".")))
    return ("a", rev.upper().rjust(2))


def superseded(documents: list[tuple[str, Any]]) -> dict[str, tuple[str, str]]:
    """Path -> (number, higher revision) for each document a higher revision of the same number (and
    title) in the set supersedes. ``documents``: (path, SetFacts) pairs."""
    by_number: dict[str, list[tuple[str, Any]]] = {}
    for path, facts in documents:
        if facts.number:
            by_number.setdefault(facts.number.upper(), []).append((path, facts))
    out = {}
    for held in by_number.values():
        if len(held) < 2 or len({(f.title or "").strip().lower() for _, f in held} - {""}) > 1:
            continue  # one number, different documents: a numbering error (SET-REF-003), not a revision
        keyed = [(revision_key(f.revision), path, f) for path, f in held]
        kinds = {k[0] for k, _, _ in keyed if k}
        if len(kinds) != 1 or any(k is None for k, _, _ in keyed):
            continue
        top_key, _, top = max(keyed, key=lambda item: item[0])  # type: ignore[arg-type,return-value]
        out.update({path: (top.number, top.revision) for key, path, _ in keyed if key < top_key})  # type: ignore[operator]
    return out


# --- the profile


def _effective_note(doc: Document) -> str:
    """The date as a fact for messages: "effective 2019-05-01, not revised since the QMSR took effect"."""
    date = doc.metadata.get("effective_date")
    since = corpus("part820.yaml")["effective"]
    if date and dt.date.fromisoformat(date) < since:
        return f" (effective {date}, not revised since the QMSR took effect on {since.isoformat()})"
    return ""


def build(doc: Document, today: dt.date, doc_type: str | None = None, roles: tuple[tuple[str, str], ...] = ()) -> DocumentProfile:
    """The profile of ``doc``; ``doc_type`` (configuration's document_types) overrides the classifier."""
    if not doc.readable:
        return DocumentProfile(doc_type, None, "controlled", "not read", "unknown", None, False, False, None, "", today)
    type_reason = "configured: document_types" if doc_type else None
    if doc_type is None:
        doc_type, type_reason = classify(doc)
    role, role_reason = role_of(doc, doc_type, roles)
    status, status_reason, effective = status_of(doc, today)
    legacy_reason = None
    if status in ("obsolete", "superseded"):
        legacy_reason = f"{status_reason}"
    elif role == "record":
        legacy_reason = role_reason
    return DocumentProfile(doc_type, type_reason, role, role_reason, status, status_reason, effective, legacy_reason is not None,
                           legacy_reason, _effective_note(doc), today)
