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
(with a warning naming the rule) instead of hanging the scan. A pattern runs only on
documents that hold a literal of each of its required parts (`doccheck.anchors.clauses`): the `regex` module tried every
position of every block, 1.5 ms per real document for one rule.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field

import regex

from doccheck.anchors import clauses
from doccheck.joined import overlapped, starts_of

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document


@dataclass(frozen=True)
class Options:
    patterns: tuple[str, ...]
    ignore_case: bool = True
    compiled: tuple[regex.Pattern, ...] = field(default=(), compare=False, repr=False)
    gates: tuple[tuple[tuple[str, ...], ...], ...] = field(default=(), compare=False, repr=False)  # per pattern: `clauses` (lower case)

    def validate(self) -> list[tuple[str, str]]:
        problems, compiled = [], []
        patterns = (self.patterns,) if isinstance(self.patterns, str) else self.patterns
        for source in patterns:
            try:
                compiled.append(regex.compile(str(source), regex.IGNORECASE | regex.V0 if self.ignore_case else regex.V0))
            except regex.error as exc:
                problems.append(("patterns", f"bad regular expression {source!r}: {exc}"))
        object.__setattr__(self, "compiled", tuple(compiled))
        object.__setattr__(self, "gates", tuple(clauses(p.pattern) for p in compiled))
        return problems


TIMEOUT = 1.0  # seconds per pattern per block
log = logging.getLogger("doccheck")


def _matches(pattern: regex.Pattern, text: str, rule_id: str) -> list[regex.Match]:
    try:
        return [m for m in pattern.finditer(text, timeout=TIMEOUT) if m.end() > m.start()]
    except TimeoutError:
        log.warning("rule %s: pattern %r took over %.1f s on one block and was stopped there", rule_id, pattern.pattern, TIMEOUT)
        return []


_LOWERED: list[tuple[Document, list[str], str]] = []  # the last document's lower-cased blocks and text (several rules gate on them)


def _lowered(doc: Document) -> tuple[list[str], str]:
    if not _LOWERED or _LOWERED[0][0] is not doc:  # NOTE: the entry holds the document, so `is` cannot see a reused id
        blocks = [b.text.lower() for b in doc.blocks]
        _LOWERED[:] = [(doc, blocks, "\n".join(blocks))]
    return _LOWERED[0][1], _LOWERED[0][2]


def _admits(gate: tuple[tuple[str, ...], ...], low: str) -> bool:
    return all(any(a in low for a in clause) for clause in gate)


def _gated_blocks(gate: tuple[tuple[str, ...], ...], lowered: list[str], whole: str, starts: list[int]) -> list[int]:
    """The blocks whose lower-cased text passes ``gate``, in order: those where an anchor of its first
    clause occurs in ``whole`` (found there with str.find, not block by block), then the whole gate."""
    if not gate:
        return list(range(len(lowered)))
    found: set[int] = set()
    for a in gate[0]:
        pos = whole.find(a)
        while pos >= 0:
            found.update(overlapped(starts, pos, pos + len(a)))
            pos = whole.find(a, pos + 1)
    return sorted(n for n in found if _admits(gate, lowered[n]))


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    gates = options.gates or ((),) * len(options.compiled)
    lowered, whole = _lowered(doc)
    patterns = [(p, gate) for p, gate in zip(options.compiled, gates) if _admits(gate, whole)]  # the document, then each block
    if not patterns:
        return
    # NOTE: the blocks each pattern may match in, from the document's text at once: a gate tested on
    # every block was a third of the rules' time on real documents
    starts = starts_of(map(len, lowered))
    admitted = [(pattern, set(_gated_blocks(gate, lowered, whole, starts))) for pattern, gate in patterns]
    for n in sorted(set().union(*(blocks for _, blocks in admitted))):
        block = doc.blocks[n]
        if not rule.scope.admits_block(block.part, block.section_path):
            continue
        for pattern, blocks in admitted:
            if n not in blocks:
                continue
            for m in _matches(pattern, block.text, rule.id):
                yield Hit(
                    location=block.location(doc.format, m.start()),
                    text=m.group(0),
                    block=block.index,
                    span=(m.start(), m.end()),
                    values={k: v for k, v in m.groupdict().items() if v is not None},
                )
