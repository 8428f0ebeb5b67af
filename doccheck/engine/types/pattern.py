"""`pattern`: regular expressions over block text, for phrases no tag covers.

PASS: "Management review reports are available to FDA investigators."
FAIL: "Management review reports are not subject to FDA inspection" (the QMSR withdrew
that exemption).

Options:
  patterns: regular expressions (Python syntax); each match is a finding.
  ignore_case: match regardless of case (default true).
  suggestion on the rule may use {text} and the pattern's named groups.

NOTE: patterns come from YAML that anyone may edit, so they run under the `regex`
library's time limit: a catastrophically backtracking pattern gives up on that block
(with a warning naming the rule) instead of hanging the scan.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document


@dataclass(frozen=True)
class Options:
    patterns: tuple[str, ...]
    ignore_case: bool = True
    compiled: tuple[regex.Pattern, ...] = field(default=(), compare=False, repr=False)

    def validate(self) -> list[tuple[str, str]]:
        problems, compiled = [], []
        patterns = (self.patterns,) if isinstance(self.patterns, str) else self.patterns
        for source in patterns:
            try:
                compiled.append(regex.compile(str(source), regex.IGNORECASE | regex.V0 if self.ignore_case else regex.V0))
            except regex.error as exc:
                problems.append(("patterns", f"bad regular expression {source!r}: {exc}"))
        object.__setattr__(self, "compiled", tuple(compiled))
        return problems


TIMEOUT = 1.0  # seconds per pattern per block
log = logging.getLogger("doccheck")


def _matches(pattern: regex.Pattern, text: str, rule_id: str) -> list[regex.Match]:
    try:
        return [m for m in pattern.finditer(text, timeout=TIMEOUT) if m.end() > m.start()]
    except TimeoutError:
        log.warning("rule %s: pattern %r took over %.1f s on one block and was stopped there", rule_id, pattern.pattern, TIMEOUT)
        return []


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    for block in doc.blocks:
        if not rule.scope.admits_block(block.part, block.section_path):
            continue
        for pattern in options.compiled:
            for m in _matches(pattern, block.text, rule.id):
                yield Hit(
                    location=block.location(doc.format, m.start()),
                    text=m.group(0),
                    block=block.index,
                    span=(m.start(), m.end()),
                    values={k: v for k, v in m.groupdict().items() if v is not None},
                )
