"""Document type and legacy status, from ``corpora/document-types.yaml``."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from typing import Any

from doccheck.model import Document
from doccheck.resources import corpus


@dataclass(frozen=True)
class DocContext:
    """What every rule may know about the document it checks."""

    doc_type: str | None
    legacy: bool
    legacy_reason: str | None
    effective: bool  # in force: status says so, or an effective date that has arrived
    today: dt.date


@functools.cache
def _types() -> dict[str, dict[str, Any]]:
    out = {}
    for type_id, spec in corpus("document-types.yaml")["types"].items():
        out[type_id] = {
            **spec,
            **{key: [re.compile(p, re.I) for p in spec.get(key, [])] for key in ("number", "title", "headings")},
        }
    return out


def classify(doc: Document) -> str | None:
    """The best-voted document type, or None when nothing votes clearly."""
    number = doc.metadata.get("document_number") or ""
    headings = [b.text for b in doc.blocks if b.kind == "heading"][:40]
    title = doc.metadata.get("title") or (headings[0] if headings else "")
    scores = {}
    for type_id, spec in _types().items():
        score = 3 * any(p.search(number) for p in spec["number"]) + 3 * any(p.search(title) for p in spec["title"])
        score += min(2, sum(1 for h in headings if any(p.search(h) for p in spec["headings"])))
        scores[type_id] = score
    best = max(scores, key=lambda t: scores[t], default=None)
    return best if best is not None and scores[best] >= 3 else None


def _is_effective(doc: Document, today: dt.date) -> bool:
    status = (doc.metadata.get("status") or "").lower()
    if status:
        return status in ("effective", "released", "approved", "current", "in force")
    date = doc.metadata.get("effective_date")
    return bool(date) and dt.date.fromisoformat(date) <= today


def context(doc: Document, today: dt.date, doc_type: str | None = None) -> DocContext:
    doc_type = doc_type or classify(doc)
    legacy = corpus("document-types.yaml")["legacy"]
    status = (doc.metadata.get("status") or "").lower()
    reason = None
    if status in legacy["statuses"]:
        reason = f"status '{status}'"
    elif doc_type and _types()[doc_type].get("record"):
        reason = "a record"
    elif legacy.get("effective_before") and doc.metadata.get("effective_date"):
        cutoff = legacy["effective_before"]
        if dt.date.fromisoformat(doc.metadata.get("effective_date") or "") < cutoff:
            reason = f"effective {doc.metadata.get('effective_date')}, before the QMSR ({cutoff.isoformat()})"
    return DocContext(doc_type, reason is not None, reason, _is_effective(doc, today), today)
