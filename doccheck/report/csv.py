"""``--format csv``: one row per finding, for spreadsheet-minded QA staff.

UTF-8 with a byte-order mark, so Excel shows "§" and "é" instead of mojibake; every cell made
safe (`doccheck.report.safe.cell`: no formula runs, no control character gets through).
"""

from __future__ import annotations

import csv
import io

from doccheck.report import safe
from doccheck.results import Report

COLUMNS = [
    "path", "format", "document_number", "revision", "effective_date", "rule", "category", "severity",
    "part", "page", "paragraph", "line", "column", "section", "text", "suggestion", "message", "source",
]
BOM = "\ufeff"


def render(report: Report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    out.write(BOM)
    writer.writerow(COLUMNS)
    meta = {r.document.path: (r.document.format, r.document.metadata) for r in report.documents}
    for f in report.all_findings():
        fmt, md = meta.get(f.path, ("", None))
        loc = f.location
        writer.writerow([safe.cell(v) for v in (
            f.path, fmt,
            md.get("document_number") if md else "", md.get("revision") if md else "", md.get("effective_date") if md else "",
            f.rule, f.category, str(f.severity), loc.part, loc.page or "", loc.paragraph or "", loc.line or "", loc.column or "",
            loc.section or "", f.text, f.suggestion or "", f.message, f.source or "",
        )])
    return out.getvalue()
