"""``--format sarif``: SARIF 2.1.0 for GitHub code scanning and other SARIF consumers.

Every loaded rule is listed once in ``tool.driver.rules`` with help text and a ``helpUri`` to
its reference page (`doccheck.rules_doc`). Columns are Unicode code points (declared).

* Markdown and text results have their real line and columns.
* Word and PDF have no lines GitHub can show: the region's line is the finding's paragraph
  (its number in its part for Word, its order in the document for PDF), so alerts of one
  document stay apart; the page, part and section are in the region's properties, and
  ``contextRegion`` quotes the sentence.
* A set-level result about the folder as a whole (a procedure the set lacks) is located at the
  set's quality manual, or its first document, with the folder in its properties; one about
  cited numbers is at the first citing document, the others in ``relatedLocations``.
* ``partialFingerprints`` are unique per rule, document, matched text, section and occurrence
  (the n-th time that text draws that rule there), so they stay put when unrelated text moves
  and GitHub never merges two alerts.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

from doccheck import __url__
from doccheck.engine.rule import Rule
from doccheck.finding import Finding, Severity
from doccheck.report.jsonio import Items, stream
from doccheck.results import Report
from doccheck.rules_doc import help_uri

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.name.replace("-", " ")},
        "fullDescription": {"text": rule.description or rule.name},
        "help": {"text": f"{rule.description}\nSource: {rule.source}", "markdown": f"{rule.description}\n\n**Source:** {rule.source}"},
        "helpUri": help_uri(rule),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {"tags": sorted({rule.category, rule.type}), "problem.severity": LEVELS[rule.severity]},
    }


def _fingerprint(f: Finding, uri: str) -> str:
    """rule + document + matched text + section: stable when text elsewhere moves."""
    raw = "|".join((f.rule, uri, " ".join(f.text.lower().split()), f.location.section or ""))
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _region(f: Finding, binary: bool) -> dict[str, Any]:
    loc = f.location
    if not binary:
        region: dict[str, Any] = {"startLine": loc.line or 1}
        if loc.line and loc.column:
            region["startColumn"] = loc.column
            if f.text and "\n" not in f.text:
                region["endColumn"] = loc.column + len(f.text)
    else:
        region = {"startLine": loc.paragraph or loc.line or 1}
    if f.text:
        region["snippet"] = {"text": f.text}
    where = {k: v for k, v in (("part", loc.part), ("page", loc.page), ("paragraph", loc.paragraph), ("section", loc.section)) if v is not None}
    if binary and where:
        region["properties"] = where
    return region


class _Places:
    """What each document path is: its format (binary or not) and where a folder's results go."""

    def __init__(self, report: Report) -> None:
        self.formats = {r.document.path: r.document.format for r in report.documents}
        manuals = [r.document.path for r in report.documents if r.profile is not None and r.profile.doc_type == "quality-manual"]
        self.anchor = (manuals or sorted(self.formats) or [""])[0]

    def of(self, f: Finding) -> tuple[str, bool, dict[str, Any]]:
        """(uri, binary, extra properties) of a finding's primary location."""
        if f.path in self.formats:
            return f.path, self.formats[f.path] in ("docx", "pdf"), {}
        return self.anchor, self.formats.get(self.anchor) in ("docx", "pdf"), {"scope": "document set", "folder": f.path}


def _result(f: Finding, index: dict[str, int], places: _Places, seen: Counter[str]) -> dict[str, Any]:
    uri, binary, scope = places.of(f)
    region = _region(f, binary) if not scope else {"startLine": 1}
    where = " / ".join(str(x) for x in (f.location.part, f.location.page and f"page {f.location.page}",
                                        f.location.paragraph and f"paragraph {f.location.paragraph}", f.location.section) if x)
    message = (f"Document set {f.path}: " if scope else "") + f.message + (f" Suggestion: {f.suggestion}" if f.suggestion else "")
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}, "region": region}
    if f.context and not scope:
        physical["contextRegion"] = {"startLine": region["startLine"], "snippet": {"text": f.context}}
    base = _fingerprint(f, f.path)
    seen[base] += 1
    result: dict[str, Any] = {
        "ruleId": f.rule,
        "level": LEVELS[f.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": physical, "logicalLocations": [{"fullyQualifiedName": f"{f.path}/{where}"}]}],
        "partialFingerprints": {"doccheck/v1": f"{base}:{seen[base]}"},
        "properties": {"category": f.category, "source": f.source, **scope},
    }
    if f.related:  # every other document the finding concerns (the documents citing an absent number)
        result["relatedLocations"] = [
            {"id": n, "physicalLocation": {"artifactLocation": {"uri": path},
                                           "region": {"startLine": (loc.line or loc.paragraph or 1) if path in places.formats else 1}},
             "message": {"text": f"also here: {loc.short()}"}}
            for n, (path, loc) in enumerate(f.related, start=1)
        ]
    if f.rule in index:
        result["ruleIndex"] = index[f.rule]
    return result


def chunks(report: Report, rules: list[Rule]) -> Iterator[str]:
    """The SARIF log in pieces, one result at a time (`doccheck.report.jsonio`)."""
    index = {r.id: i for i, r in enumerate(rules)}
    places, seen = _Places(report), Counter()
    driver = {"name": "doccheck", "informationUri": __url__, "semanticVersion": report.version, "version": report.version,
              "rules": [_rule(r) for r in rules]}
    run = {
        "tool": {"driver": driver},
        "columnKind": "unicodeCodePoints",
        "results": Items(_result(f, index, places, seen) for f in report.all_findings()),
    }
    yield from stream({"$schema": SCHEMA, "version": "2.1.0", "runs": Items([run])})
    yield "\n"


def render(report: Report, rules: list[Rule]) -> str:
    return "".join(chunks(report, rules))
