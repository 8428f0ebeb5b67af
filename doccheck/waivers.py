"""Waivers: accepted findings, as data with a justification, an owner and an optional expiry.

Binary documents cannot carry ``noqa`` comments, so waivers live in ``doccheck-waivers.yaml``.
A waiver matches a finding by rule, document (path glob or document number), the matched
text (case and white space ignored) and, when given, the section, never by line or page:
it survives edits that move the text. Expired waivers stop applying and are reported; so
are waivers that matched nothing.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from doccheck.finding import Finding
from doccheck.yamlpos import PosDict, PosList, Problem, YamlError, load

REQUIRED = ("rule", "document", "justification", "owner")
KEYS = {*REQUIRED, "text", "section", "expires"}


def normalise(text: str | None) -> str:
    return re.sub(r"\s+", " ", (text or "").strip().lower())


@dataclass
class Waiver:
    rule: str
    document: str
    justification: str
    owner: str
    text: str | None = None
    section: str | None = None
    expires: dt.date | None = None
    line: int = 0
    used: int = field(default=0, compare=False)

    def matches(self, finding: Finding, document_number: str | None) -> bool:
        if finding.rule != self.rule:
            return False
        if not (fnmatch.fnmatch(finding.path, self.document) or self.document == document_number):
            return False
        if self.text is not None and normalise(self.text) != normalise(finding.text):
            return False
        return self.section is None or normalise(self.section) == normalise(finding.location.section)


@dataclass
class WaiverFile:
    path: Path
    waivers: list[Waiver]


@dataclass
class Outcome:
    kept: list[Finding]
    waived: int
    expired: list[Waiver]
    unused: list[Waiver]


def read(path: Path) -> WaiverFile:
    data = load(path)
    problems: list[Problem] = []
    items = data.get("waivers") if isinstance(data, PosDict) else None
    if not isinstance(data, PosDict) or not isinstance(items, PosList):
        raise YamlError([Problem(str(path), 1, 1, "a waiver file is a mapping with a 'waivers' list")])
    for key in data:
        if key not in ("schema", "waivers"):
            problems.append(Problem(str(path), *data.key_pos[key], f"unknown key '{key}' (expected schema, waivers)"))
    waivers = []
    for item, pos in zip(items, items.item_pos):
        if not isinstance(item, PosDict):
            problems.append(Problem(str(path), *pos, "a waiver must be a mapping"))
            continue
        problems += [Problem(str(path), *pos, f"waiver needs '{k}'") for k in REQUIRED if not str(item.get(k) or "").strip()]
        problems += [Problem(str(path), *item.key_pos[k], f"unknown waiver key '{k}' (known: {', '.join(sorted(KEYS))})") for k in item if k not in KEYS]
        expires = item.get("expires")
        if expires is not None and not isinstance(expires, dt.date):
            problems.append(Problem(str(path), *item.pos("expires"), "'expires' must be a date (YYYY-MM-DD)"))
            expires = None
        if all(str(item.get(k) or "").strip() for k in REQUIRED):
            waivers.append(
                Waiver(
                    str(item["rule"]), str(item["document"]), str(item["justification"]), str(item["owner"]),
                    None if item.get("text") is None else str(item["text"]),
                    None if item.get("section") is None else str(item["section"]),
                    expires, pos[0],
                )
            )
    if problems:
        raise YamlError(problems)
    return WaiverFile(path, waivers)


def apply(findings: Iterable[tuple[Finding, str | None]], waivers: WaiverFile, today: dt.date) -> Outcome:
    """Drop the findings an active waiver accepts; ``findings`` pairs each with its document number."""
    active = [w for w in waivers.waivers if w.expires is None or w.expires >= today]
    kept, waived = [], 0
    for finding, number in findings:
        match = next((w for w in active if w.matches(finding, number)), None)
        if match:
            match.used += 1
            waived += 1
        else:
            kept.append(finding)
    expired = [w for w in waivers.waivers if w.expires is not None and w.expires < today]
    unused = [w for w in active if not w.used]
    return Outcome(kept, waived, expired, unused)


def entries_for(findings: Iterable[Finding], justification: str, owner: str, expires: dt.date | None) -> list[dict[str, Any]]:
    """New waiver entries, one per distinct (rule, document, text, section)."""
    seen, out = set(), []
    for f in findings:
        key = (f.rule, f.path, normalise(f.text), f.location.section)
        if key in seen:
            continue
        seen.add(key)
        entry: dict[str, Any] = {"rule": f.rule, "document": f.path, "text": f.text}
        if f.location.section:
            entry["section"] = f.location.section
        entry |= {"justification": justification, "owner": owner}
        if expires:
            entry["expires"] = expires
        out.append(entry)
    return out


def append_text(existing: str | None, entries: list[dict[str, Any]]) -> str:
    """The waiver file with ``entries`` appended; existing text (and its comments) is kept as is."""
    body = yaml.safe_dump(entries, sort_keys=False, allow_unicode=True, width=120)
    body = "".join(f"  {line}\n" if line else "\n" for line in body.splitlines())
    if not existing or not existing.strip():
        return "# Accepted doccheck findings: rule, document, text, justification, owner, optional expiry.\nschema: 1\nwaivers:\n" + body
    existing = re.sub(r"(?m)^waivers:\s*\[\s*\]\s*$", "waivers:", existing)
    return existing.rstrip("\n") + "\n" + body
