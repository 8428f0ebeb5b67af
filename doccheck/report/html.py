"""``--format html``: one self-contained page (no network: inline CSS, JS and SVG, escaped content).

A summary with counts and a chart of findings by folder, a sortable table of documents, and
per document its text with each finding highlighted in place, filterable by rule, category
and severity. Rendered with Jinja2 (autoescaping on), not by string concatenation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import jinja2

from doccheck.finding import Finding
from doccheck.report import safe
from doccheck.results import DocumentResult, Report

MAX_BLOCKS = 2000  # per document: beyond this only blocks with findings are shown


def _folder(path: str, common: int) -> str:
    """The first folder below the folders every document shares (a site, a department...)."""
    parts = path.split("/")[:-1]
    return "/".join(parts[: common + 1]) or "."


def _pieces(text: str, findings: list[tuple[int, Finding]]) -> list[dict[str, Any]]:
    """The block's text cut into plain and highlighted pieces (overlaps: the earlier wins)."""
    out, pos = [], 0
    for n, f in sorted(findings, key=lambda nf: nf[1].span or (0, 0)):
        start, end = f.span or (0, 0)
        if start < pos:
            continue
        if start > pos:
            out.append({"text": text[pos:start]})
        out.append({"text": text[start:end], "finding": n, "f": f})
        pos = end
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def _document(index: int, result: DocumentResult) -> dict[str, Any]:
    doc = result.document
    numbered = list(enumerate(result.findings))
    by_block: dict[int, list[tuple[int, Finding]]] = defaultdict(list)
    for n, f in numbered:
        if f.block is not None and f.span is not None:
            by_block[f.block].append((n, f))
    blocks = [b for b in doc.blocks if len(doc.blocks) <= MAX_BLOCKS or b.index in by_block]
    counts = Counter(str(f.severity) for f in result.findings)
    return {
        "index": index,
        "path": doc.path,
        "format": doc.format,
        "metadata": doc.metadata.values(),
        "readable": doc.readable,
        "problems": [p.message for p in doc.problems],
        "counts": counts,
        "findings": numbered,
        "blocks": [{"part": b.part, "where": b.location(doc.format).short(), "pieces": _pieces(b.text, by_block.get(b.index, []))} for b in blocks],
    }


def _common_depth(paths: list[str]) -> int:
    folders = [p.split("/")[:-1] for p in paths]
    depth = 0
    while folders and all(len(f) > depth + 1 for f in folders) and len({f[depth] for f in folders}) == 1:
        depth += 1
    return depth


def _chart(report: Report) -> dict[str, Any]:
    common = _common_depth([r.document.path for r in report.documents])
    folders: dict[str, Counter[str]] = defaultdict(Counter)
    for f in report.all_findings():
        folders[_folder(f.path, common)][str(f.severity)] += 1
    rows = sorted(folders.items(), key=lambda kv: -sum(kv[1].values()))[:20]
    top = max((sum(c.values()) for _, c in rows), default=1)
    return {"rows": [{"folder": name, "counts": c, "total": sum(c.values())} for name, c in rows], "top": top}


def render(report: Report) -> str:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("doccheck.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"], default=True),
        undefined=jinja2.StrictUndefined,
        finalize=safe.html,  # no control character or raw non-UTF-8 byte of a name reaches the page
    )
    findings = list(report.all_findings())
    return env.get_template("report.html.j2").render(
        version=report.version,
        generated=dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        summary=report.summary(),
        chart=_chart(report),
        documents=[_document(i, r) for i, r in enumerate(report.documents)],
        set_findings=report.findings,
        rules=sorted({f.rule for f in findings}),
        categories=sorted({f.category for f in findings}),
        severities=[s for s in ("error", "warning", "info") if any(str(f.severity) == s for f in findings)],
    )
