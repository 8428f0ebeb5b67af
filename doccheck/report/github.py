"""``--format github``: GitHub Actions workflow commands, one annotation per finding, capped.

GitHub shows about ten annotations of each level per step and drops the rest, so a scan with a
thousand findings printed a thousand lines nobody saw: at most `PER_LEVEL` of each level are
written, errors first, then one summary line counting the ones left out (the full list is in
the other reports).
"""

from __future__ import annotations

from collections import Counter

from doccheck.finding import Finding, Severity
from doccheck.report import safe
from doccheck.results import Report

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


PER_LEVEL = 10


def annotation(f: Finding) -> str:
    props = [f"file={_escape(safe.name(f.path), True)}", f"title={_escape(f.rule, True)}"]
    if f.location.line:
        props.insert(1, f"line={f.location.line}")
        if f.location.column:
            props.insert(2, f"col={f.location.column}")
    where = f.location.short()
    message = f.message + (f" (suggest: {f.suggestion})" if f.suggestion else "") + (f" [{where}]" if not f.location.line and where != "properties" else "")
    return f"::{_LEVELS[f.severity]} {','.join(props)}::{_escape(safe.plain(message))}"


def render(report: Report) -> str:
    findings = sorted(report.all_findings(), key=lambda f: -f.severity)  # NOTE: stable: document order within a level
    shown, left = [], Counter()
    per_level: Counter[Severity] = Counter()
    for f in findings:
        if per_level[f.severity] < PER_LEVEL:
            per_level[f.severity] += 1
            shown.append(annotation(f))
        else:
            left[f.severity] += 1
    if left:
        counts = ", ".join(f"{n} {_LEVELS[s]}" for s, n in sorted(left.items(), reverse=True))
        shown.append(f"::notice title=doccheck::{sum(left.values())} more finding(s) not annotated ({counts}); see the text, JSON or SARIF report")
    return "".join(line + "\n" for line in shown)
