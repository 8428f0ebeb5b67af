"""`metadata`: document-control identity must be present, well formed and consistent, and an
effective document must be clean of drafting leftovers.

PASS: ``Doc No. SOP-QA-004  Rev. C  Effective 2026-03-01`` in the header, no tracked changes.
FAIL: a procedure with no document number anywhere doccheck looks; an effective SOP with
pending tracked changes or a DRAFT mark.

Options:
  field: document_number | title | revision | effective_date | approval | status
  check: present         the field exists
         pattern         its value matches `pattern`
         consistent      every place that states it agrees (header, properties, revision history)
         not-future      an effective document's effective date has arrived
         no-pending-revisions / no-open-comments   an effective document has none
         no-draft-mark   an effective document carries no DRAFT mark
  pattern: regular expression for `check: pattern`
  file_name_message: for `check: present`, the message when only the file name gives the field
    (its hits have evidence `file-name`: `by_evidence: {file-name: warning}`)
  blank_message: for `check: present`, the message when the field's label is there with
    nothing (or a placeholder) after it ("Effective Date: ____"); {where} names the place.
    In a template, a blank field is the template's placeholder and is not reported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import FILE_NAME_SOURCE, METADATA_FIELDS, Document, Location

CHECKS = ("present", "pattern", "consistent", "not-future", "no-pending-revisions", "no-open-comments", "no-draft-mark")
_FIELD_FREE = ("no-pending-revisions", "no-open-comments", "no-draft-mark")
_DRAFT = re.compile(r"\bDRAFT\b")


@dataclass(frozen=True)
class Options:
    check: str = "present"
    field: str | None = None
    pattern: str | None = None
    blank_message: str | None = None
    file_name_message: str | None = None  # for `check: present`: the field is only in the file name

    def validate(self) -> list[tuple[str, str]]:
        problems = []
        if self.check not in CHECKS:
            problems.append(("check", f"unknown check '{self.check}' (choose from {', '.join(CHECKS)})"))
        elif self.check not in _FIELD_FREE and self.field not in METADATA_FIELDS:
            problems.append(("field", f"check '{self.check}' needs a field (choose from {', '.join(METADATA_FIELDS)})"))
        if self.check == "pattern":
            try:
                re.compile(self.pattern or "")
            except re.error as exc:
                problems.append(("pattern", f"bad regular expression {self.pattern!r}: {exc}"))
            if not self.pattern:
                problems.append(("pattern", "check 'pattern' needs a 'pattern'"))
        return problems


_WHERE = Location("properties")


def _field_checks(doc: Document, options: Options, ctx: DocContext) -> Iterator[Hit]:
    name = options.field or ""
    found = doc.metadata.candidates.get(name, [])
    values = {"field": name.replace("_", " ")}
    if options.check == "present" and not found:
        where = doc.metadata.blank.get(name)
        if where is None:
            yield Hit(_WHERE, values=values)
        elif ctx.role != "template":  # a template's blank field is its placeholder
            yield Hit(_WHERE, values=values | {"where": where}, template=options.blank_message)
    if not found:
        return
    first = found[0]
    if all(f.source == FILE_NAME_SOURCE for f in found):  # the document itself shows none: nothing of it to check but that
        if options.check == "present":
            yield Hit(_WHERE, text=first.value, values=values | {"value": first.value}, template=options.file_name_message, evidence="file-name")
        return
    values |= {"value": first.value, "where": first.source}
    if options.check == "pattern" and not re.fullmatch(options.pattern or "", first.value):
        yield Hit(_WHERE, text=first.value, values=values)
    elif options.check == "consistent" and len({f.value.strip().lower() for f in found}) > 1:
        values["stated"] = "; ".join(f"'{f.value}' in {f.source}" for f in found)
        yield Hit(_WHERE, values=values)
    elif options.check == "not-future" and name == "effective_date" and ctx.effective:
        if dt.date.fromisoformat(first.value) > ctx.today:
            yield Hit(_WHERE, text=first.raw or first.value, values=values)


def _effective_checks(doc: Document, options: Options, ctx: DocContext) -> Iterator[Hit]:
    if not ctx.effective:
        return
    if options.check == "no-pending-revisions" and doc.facts.get("pending_revisions"):
        yield Hit(_WHERE, values={"count": doc.facts["pending_revisions"]})
    elif options.check == "no-open-comments" and doc.facts.get("open_comments"):
        yield Hit(_WHERE, values={"count": doc.facts["open_comments"]})
    elif options.check == "no-draft-mark":
        for block in doc.blocks:
            m = _DRAFT.search(block.text) if block.part in ("header", "footer", "textbox") or block.index < 5 else None
            if m:
                yield Hit(block.location(doc.format, m.start()), text=m.group(0), block=block.index, span=m.span())
                return


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    if options.check in _FIELD_FREE:
        yield from _effective_checks(doc, options, ctx)
    else:
        yield from _field_checks(doc, options, ctx)
