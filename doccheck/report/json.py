"""``--format json``: the public report contract (``doccheck/schema/report.v1.json``)."""

from __future__ import annotations

import json
from typing import Any

from doccheck.results import Report
from doccheck.model import Document

SCHEMA_VERSION = 1


def document_header(doc: Document) -> dict[str, Any]:
    return {
        "path": doc.path,
        "format": doc.format,
        "sha256": doc.sha256,
        "metadata": doc.metadata.values(),
        "metadata_sources": doc.metadata.sources(),
    }


def report_dict(report: Report) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "doccheck", "version": report.version},
        "documents": [
            {**document_header(r.document), "findings": [f.to_dict() for f in r.findings]} for r in report.documents
        ],
        "findings": [f.to_dict() for f in report.findings],
        "summary": report.summary(),
    }


def render(report: Report) -> str:
    return json.dumps(report_dict(report), indent=2, ensure_ascii=False) + "\n"
