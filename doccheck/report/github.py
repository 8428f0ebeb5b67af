"""``--format github``: GitHub Actions workflow commands, one annotation per finding."""

from __future__ import annotations

from doccheck.finding import Finding, Severity
from doccheck.results import Report

_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}


def _escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def annotation(f: Finding) -> str:
    props = [f"file={_escape(f.path, True)}", f"title={_escape(f.rule, True)}"]
    if f.location.line:
        props.insert(1, f"line={f.location.line}")
        if f.location.column:
            props.insert(2, f"col={f.location.column}")
    where = f.location.short()
    message = f.message + (f" (suggest: {f.suggestion})" if f.suggestion else "") + (f" [{where}]" if not f.location.line and where != "properties" else "")
    return f"::{_LEVELS[f.severity]} {','.join(props)}::{_escape(message)}"


def render(report: Report) -> str:
    return "".join(annotation(f) + "\n" for f in report.all_findings())
