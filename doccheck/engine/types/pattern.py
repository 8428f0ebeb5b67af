"""`pattern`: regular expressions over block text, for phrases no tag covers.

PASS: "Management review reports are available to FDA investigators."
FAIL: "Management review reports are not subject to FDA inspection" (the QMSR withdrew
that exemption).

Options:
  patterns: regular expressions (Python syntax); each match is a finding.
  ignore_case: match regardless of case (default true).
  suggestion on the rule may use {text} and the pattern's named groups.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document


@dataclass(frozen=True)
class Options:
    patterns: tuple[str, ...]
    ignore_case: bool = True
    compiled: tuple[re.Pattern[str], ...] = field(default=(), compare=False, repr=False)

    def validate(self) -> list[tuple[str, str]]:
        problems, compiled = [], []
        patterns = (self.patterns,) if isinstance(self.patterns, str) else self.patterns
        for source in patterns:
            try:
                compiled.append(re.compile(str(source), re.IGNORECASE if self.ignore_case else 0))
            except re.error as exc:
                problems.append(("patterns", f"bad regular expression {source!r}: {exc}"))
        object.__setattr__(self, "compiled", tuple(compiled))
        return problems


def check(doc: Document, rule: Rule) -> Iterator[Hit]:
    options: Options = rule.options
    for block in doc.blocks:
        if not rule.scope.admits_block(block.part, block.section_path):
            continue
        for pattern in options.compiled:
            for m in pattern.finditer(block.text):
                if m.end() == m.start():
                    continue
                yield Hit(
                    location=block.location(doc.format, m.start()),
                    text=m.group(0),
                    block=block.index,
                    span=(m.start(), m.end()),
                    values={k: v for k, v in m.groupdict().items() if v is not None},
                )
