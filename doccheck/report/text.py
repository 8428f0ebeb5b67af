"""``--format text`` (default): ``path:location: severity rule message``, then a summary."""

from __future__ import annotations

import click

from doccheck.results import Report
from doccheck.finding import Finding, Severity
from doccheck.report import safe

_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}


def line(finding: Finding, color: bool = False) -> str:
    """One finding on one line; names and text made safe (`doccheck.report.safe`), the section after the location."""
    where = finding.location.short()
    path = safe.name(finding.path)
    head = f"{path}:{where}:" if where and where != "properties" else f"{path}:"
    severity = str(finding.severity)
    if color:
        severity = click.style(severity, fg=_COLORS[finding.severity], bold=True)
    quoted = f" [{finding.text}]" if finding.text and finding.text not in finding.message else ""
    hint = f" (suggest: {finding.suggestion})" if finding.suggestion else ""
    section = f" (in {finding.location.section})" if finding.location.section and finding.location.line is None else ""
    return f"{head} {severity} {finding.rule} {safe.plain(finding.message + quoted + hint + section)}"


def summary(report: Report, unlisted: int = 0) -> str:
    """``unlisted``: information findings counted but not listed above."""
    s = report.summary()
    sev = ", ".join(f"{n} {k}" for k, n in s["by_severity"].items()) or "none"
    cats = ", ".join(f"{n} {k}" for k, n in s["by_category"].items())
    formats = ", ".join(f"{n} {k}" for k, n in s["by_format"].items())
    lines = [f"{s['findings']} finding(s) in {s['documents']} document(s) ({sev}); {s['unreadable']} file(s) unreadable"]
    if unlisted:
        lines.append(f"{unlisted} information finding(s) not listed: nothing to act on (--show-info lists them)")
    if cats:
        lines.append(f"by category: {cats}")
    if formats:
        lines.append(f"files: {formats}" + (f"; {s['cached']} from the cache" if s["cached"] else ""))
    unreadable = [safe.name(r.document.path) for r in report.documents if not r.document.readable]
    if unreadable:
        lines.append("unreadable: " + ", ".join(unreadable[:10]) + (f" and {len(unreadable) - 10} more" if len(unreadable) > 10 else ""))
    if s["slowest"] and len(report.documents) > 3:
        lines.append("slowest: " + ", ".join(f"{safe.name(x['path'])} {x['seconds']:.2f} s" for x in s["slowest"][:3]))
    if report.waivers:
        w = report.waivers
        lines.append(f"waivers: {w['waived']} finding(s) waived by {w['file']}")
        lines.extend(f"waiver expired: {x}" for x in w["expired"])
        lines.extend(f"waiver unused: {x}" for x in w["unused"])
    lines.append(f"checked in {report.elapsed:.2f} s")
    return "\n".join(lines)


def render(report: Report, color: bool = False, show_info: bool = True) -> str:
    """``show_info`` False (a default scan): what to act on is listed, information only counted, with how to list it."""
    every = list(report.all_findings())
    shown = every if show_info else [f for f in every if f.severity > Severity.INFO]
    return "\n".join([*(line(f, color) for f in shown), "", summary(report, len(every) - len(shown))]) + "\n"


def statistics(report: Report) -> str:
    """``--statistics``: one line per rule with its count, most frequent first (like ruff), then the summary."""
    from collections import Counter

    counts = Counter(f.rule for f in report.all_findings())
    worst = {}
    for f in report.all_findings():
        worst[f.rule] = max(worst.get(f.rule, f.severity), f.severity)
    names = {r.id: r.name for r in report.rules}
    width = max((len(str(n)) for n in counts.values()), default=1)
    lines = [f"{n:>{width}}  {rule:16} {str(worst[rule]):8} {names.get(rule, '')}" for rule, n in sorted(counts.items(), key=lambda rn: (-rn[1], rn[0]))]
    return "\n".join([*lines, "", summary(report)]) + "\n"

