"""The QMSR readiness report: coverage matrix, findings per site and category, trend over time."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from doccheck import __version__
from doccheck.engine.coverage import declared, matrix, strength
from doccheck.model import Location
from doccheck.engine.setcontext import assign_sites, common_root
from doccheck.results import Report

SCHEMA_VERSION = 1


def build(report: Report, not_applicable: dict[str, str], sites_pattern: str | None, trend: list[dict[str, Any]]) -> dict[str, Any]:
    documents = [(r.document.path, r.set_facts) for r in report.documents if r.set_facts is not None]
    paths = [p for p, _ in documents]
    root = common_root(paths)
    sites = assign_sites(documents, root, sites_pattern)
    rows = matrix(documents, not_applicable)
    not_applicable = declared(documents, not_applicable)
    per_site: dict[str, Counter[str]] = defaultdict(Counter)
    for f in report.all_findings():
        per_site[sites.get(f.path, f.path if f.path in set(sites.values()) else ".")][f.category] += 1
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "doccheck", "version": __version__},
        "generated": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "root": root,
        "documents": [{"path": p, "site": sites[p], "number": f.number, "type": f.doc_type, "status": f.status} for p, f in documents],
        "requirements": [
            {
                "id": row.requirement["id"],
                "clause": row.requirement["clause"],
                "topic": row.requirement["topic"],
                "grade": row.requirement.get("grade", "H"),
                "conditional": bool(row.requirement.get("conditional")),
                "status": row.status,
                "confidence": row.confidence,
                "not_applicable": row.not_applicable,
                "evidence": [_evidence(p, cell) for p, cell in sorted(row.cells.items(), key=lambda pc: (-strength(pc[1][0], pc[1][3]), pc[0]))],
            }
            for row in rows
        ],
        "coverage": dict(Counter(row.status for row in rows)),
        "findings_by_site": {site: dict(sorted(c.items())) for site, c in sorted(per_site.items())},
        "set_findings": [f.to_dict() | {"path": f.path} for f in report.findings],
        "summary": report.summary(),
        "trend": trend,
    }


def _evidence(path: str, cell: tuple[Any, ...]) -> dict[str, Any]:
    """One document's evidence for a requirement: what kind, the words, where, and how strong."""
    kind, found, where, role = cell
    location = Location(*where)
    return {"path": path, "kind": kind, "found": found, "location": location.to_dict(), "where": location.short(),
            "strength": {"manual": "quality manual only", "itself": "the document itself"}.get(role, "procedure"), "score": strength(kind, role)}


def render_json(data: dict[str, Any]) -> str:
    from doccheck.report.jsonio import dumps

    return dumps(data) + "\n"


def render_csv(data: dict[str, Any]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["requirement", "clause", "topic", "status", "confidence", "not_applicable", "documents"])
    for req in data["requirements"]:
        documents = "; ".join(f"{e['path']} ({e['kind']} at {e['where']}, {e['strength']}: {e['found']})" for e in req["evidence"])
        writer.writerow([req["id"], req["clause"], req["topic"], req["status"], req["confidence"] or "", req["not_applicable"] or "", documents])
    return out.getvalue()


def render_html(data: dict[str, Any]) -> str:
    import jinja2

    from doccheck.report import safe

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("doccheck.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        finalize=safe.html,  # no control character or raw non-UTF-8 byte of a name reaches the page
    )
    shade = {4: 3, 3: 2, 2: 1, 1: 1}  # evidence score -> cell colour
    cells = {
        req["id"]: {e["path"]: (shade[e["score"]], f"{e['kind']} at {e['where']} ({e['strength']}): {e['found']}") for e in req["evidence"]}
        for req in data["requirements"]
    }
    return env.get_template("readiness.html.j2").render(data=data, cells=cells, short=lambda p: Path(p).name)
