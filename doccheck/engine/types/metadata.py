"""`metadata`: document-control fields must be present, well formed and consistent.

PASS: ``Doc No. SOP-QA-004  Rev. C  Effective 2026-03-01`` in the header.
FAIL: a procedure with no document number anywhere doccheck looks (properties, front
matter, header/footer, first-page table, revision history).

Options:
  field: document_number | title | revision | effective_date | approval | status
  check: present (the field exists), pattern (its value matches `pattern`),
         consistent (every place that states it agrees)
  pattern: regular expression for `check: pattern`
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import METADATA_FIELDS, Document, Location

CHECKS = ("present", "pattern", "consistent")


@dataclass(frozen=True)
class Options:
    field: str
    check: str = "present"
    pattern: str | None = None

    def validate(self) -> list[tuple[str, str]]:
        problems = []
        if self.field not in METADATA_FIELDS:
            problems.append(("field", f"unknown field '{self.field}' (choose from {', '.join(METADATA_FIELDS)})"))
        if self.check not in CHECKS:
            problems.append(("check", f"unknown check '{self.check}' (choose from {', '.join(CHECKS)})"))
        if self.check == "pattern" and not self.pattern:
            problems.append(("pattern", "check 'pattern' needs a 'pattern'"))
        return problems


_WHERE = Location("properties")


def check(doc: Document, rule: Rule) -> Iterator[Hit]:
    options: Options = rule.options
    if not doc.readable:
        return
    found = doc.metadata.candidates.get(options.field, [])
    values = {"field": options.field.replace("_", " ")}
    if options.check == "present" and not found:
        yield Hit(_WHERE, values=values)
    elif options.check == "pattern" and found and not re.fullmatch(options.pattern or "", found[0].value):
        yield Hit(_WHERE, text=found[0].value, values={**values, "value": found[0].value, "where": found[0].source})
    elif options.check == "consistent" and len({f.value.strip().lower() for f in found}) > 1:
        stated = "; ".join(f"'{f.value}' in {f.source}" for f in found)
        yield Hit(_WHERE, values={**values, "value": found[0].value, "stated": stated})
