"""``--format text`` (default): ``path:location: severity rule message``, then a summary."""

from __future__ import annotations

import click

from doccheck.results import Report
from doccheck.finding import Finding, Severity

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def line(finding: Finding, color: bool = False) -> str:
    where = finding.location.short()
    head = f"{finding.path}:{where}:" if where and where != "properties" else f"{finding.path}:"
    severity = str(finding.severity)
    if color:
        severity = click.style(severity, fg=_COLORS[finding.severity], bold=True)
    quoted = f" [{finding.text}]" if finding.text and finding.text not in finding.message else ""
    hint = f" (suggest: {finding.suggestion})" if finding.suggestion else ""
    return f"{head} {severity} {finding.rule} {finding.message}{quoted}{hint}"


def summary(report: Report) -> str:
    s = report.summary()
    sev = ", ".join(f"{n} {k}" for k, n in s["by_severity"].items()) or "none"
    cats = ", ".join(f"{n} {k}" for k, n in s["by_category"].items())
    text = f"{s['findings']} finding(s) in {s['documents']} document(s) ({sev}); {s['unreadable']} unreadable"
    if cats:
        text += f"\nby category: {cats}"
    return text + f"\nchecked in {report.elapsed:.2f} s"


def render(report: Report, color: bool = False) -> str:
    lines = [line(f, color) for f in report.all_findings()]
    return "\n".join([*lines, "", summary(report)]) + "\n"
