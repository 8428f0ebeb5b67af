"""`unreadable`: a file, or part of one, that doccheck could not read.

PASS: a document whose every page has text. FAIL: an encrypted PDF, a corrupt package,
a scanned page with no text layer. Silence here would be a false "clean".

Options:
  fatal: true for files that could not be read at all, false for parts (pages) left unread.
  reasons: only these problem codes (empty = all), e.g. [encrypted, corrupt].
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document, Location


@dataclass(frozen=True)
class Options:
    fatal: bool = True
    reasons: tuple[str, ...] = ()


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    for problem in doc.problems:
        if problem.fatal != options.fatal or (options.reasons and problem.reason not in options.reasons):
            continue
        location = Location("body", page=problem.page) if problem.page else Location("properties")
        yield Hit(location=location, values={"reason": problem.reason, "detail": problem.message})
