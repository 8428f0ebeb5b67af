"""``--format json``: the public report contract (``doccheck/schema/report.v1.json``)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from doccheck.results import Report
from doccheck.model import Document
from doccheck.report.jsonio import Items, stream

SCHEMA_VERSION = 1


def document_header(doc: Document, profile: Any = None) -> dict[str, Any]:
    """A document's identity as the JSON contract gives it; ``profile`` (doccheck.profile) adds its role and type.

    Additive to schema v1: ``metadata.role``, ``metadata.role_reason``, ``metadata.sources``
    (where each value was read), ``metadata.blank`` (labels with nothing after them) and
    ``profile`` (type, role and status, each with its reason).
    """
    metadata: dict[str, Any] = doc.metadata.values()
    metadata["sources"] = {name: f.source for name, f in ((n, doc.metadata.best(n)) for n in metadata) if f is not None}
    metadata["blank"] = {name: where for name, where in doc.metadata.blank.items() if doc.metadata.get(name) is None}
    out: dict[str, Any] = {"path": doc.path, "format": doc.format, "sha256": doc.sha256, "metadata": metadata, "metadata_sources": doc.metadata.sources()}
    if profile is not None:
        metadata["role"], metadata["role_reason"] = profile.role, profile.role_reason
        out["profile"] = profile.as_dict()
    return out


def chunks(report: Report) -> Iterator[str]:
    """The report in pieces, one document at a time (`doccheck.report.jsonio`)."""
    documents = ({**document_header(r.document, r.profile), "findings": [f.to_dict() for f in r.findings]} for r in report.documents)
    yield from stream({
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "doccheck", "version": report.version},
        "documents": Items(documents),
        "findings": Items({"path": f.path, **f.to_dict()} for f in report.findings),  # set-level: each says where
        "summary": report.summary(),
    })
    yield "\n"


def render(report: Report) -> str:
    return "".join(chunks(report))
