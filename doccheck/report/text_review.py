"""The review sidecar of a Markdown or text document (``NAME.review.md``): its findings by line.

A Markdown or text file has no place for comments that every reader shows, so ``annotate``
without ``--fix`` writes this list beside the copies of the Word and PDF documents instead of
saying nothing: each finding with its line and column, the words it is about, the message
and the suggestion.
"""

from __future__ import annotations

from collections.abc import Iterable

from doccheck.finding import Finding
from doccheck.model import Document


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("`", "'")


def review(doc: Document, findings: Iterable[Finding]) -> tuple[str, int]:
    """The sidecar's Markdown and the number of findings it lists."""
    ordered = sorted(findings, key=lambda f: (f.location.line or 0, f.location.column or 0, f.rule))
    lines = [f"# Review of {_cell(doc.path)}", "", f"{len(ordered)} finding(s) by doccheck; `doccheck annotate --fix` applies the replacements.", "",
             "| line:col | rule | severity | text | finding | suggestion |", "|---|---|---|---|---|---|"]
    for f in ordered:
        where = f"{f.location.line}:{f.location.column}" if f.location.line else f.location.short()
        lines.append(f"| {where} | {f.rule} | {f.severity} | {_cell(f.text)} | {_cell(f.message)} | {_cell(f.suggestion or '')} |")
    return "\n".join(lines) + "\n", len(ordered)
