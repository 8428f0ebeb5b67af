"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Every loaded rule is listed once in ``tool.driver.rules`` with help text. Columns are
Unicode code points (declared). Binary documents (docx, PDF) have no lines GitHub can
show, so their region is line 1, with the part, page and paragraph as a logical location.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from typing import Any

from doccheck.engine.rule import Rule
from doccheck.finding import Finding, Severity
from doccheck.report.jsonio import Items, stream
from doccheck.results import Report

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.name.replace("-", " ")},
        "fullDescription": {"text": rule.description or rule.name},
        "help": {"text": f"{rule.description}\nSource: {rule.source}", "markdown": f"{rule.description}\n\n**Source:** {rule.source}"},
        **({"helpUri": rule.link} if rule.link else {}),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": sorted({rule.category, rule.type}), "problem.severity": LEVELS[rule.severity]},
    }


def _fingerprint(f: Finding) -> str:
    """Stable across edits that move text: rule + path + matched text + section."""
    raw = "|".join((f.rule, f.path, " ".join(f.text.lower().split()), f.location.section or ""))
    return hashlib.sha256(raw.encode()).hexdigest()[:32]


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = f.location
    region: dict[str, Any] = {"startLine": loc.line or 1}
    if loc.line and loc.column:
        region["startColumn"] = loc.column
        if f.text and "\n" not in f.text:
            region["endColumn"] = loc.column + len(f.text)
    if f.text:
        region["snippet"] = {"text": f.text}
    where = " / ".join(str(x) for x in (loc.part, loc.page and f"page {loc.page}", loc.paragraph and f"paragraph {loc.paragraph}", loc.section) if x)
    message = f.message + (f" Suggestion: {f.suggestion}" if f.suggestion else "")
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {"artifactLocation": {"uri": f.path}, "region": region},
                "logicalLocations": [{"fullyQualifiedName": f"{f.path}/{where}"}],
            }
        ],
        "partialFingerprints": {"doccheck/v1": _fingerprint(f)},
        "properties": {"category": f.category, "source": f.source},
    }
    if f.related:  # every other document the finding concerns (the documents citing an absent number)
        result["relatedLocations"] = [
            {"id": n, "physicalLocation": {"artifactLocation": {"uri": path}, "region": {"startLine": where.line or 1}},
             "message": {"text": f"also here: {where.short()}"}}
            for n, (path, where) in enumerate(f.related, start=1)
        ]
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    return result


def chunks(report: Report, rules: list[Rule]) -> Iterator[str]:
    """The SARIF log in pieces, one result at a time (`doccheck.report.jsonio`)."""
    index = {r.id: i for i, r in enumerate(rules)}
    run = {
        "tool": {"driver": {"name": "doccheck", "semanticVersion": report.version, "version": report.version, "rules": [_rule(r) for r in rules]}},
        "columnKind": "unicodeCodePoints",
        "results": Items(_result(f, index) for f in report.all_findings()),
    }
    yield from stream({"$schema": SCHEMA, "version": "2.1.0", "runs": Items([run])})
    yield "\n"


def render(report: Report, rules: list[Rule]) -> str:
    return "".join(chunks(report, rules))
