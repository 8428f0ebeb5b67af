"""`term`: retired QSR terms, with the ISO 13485 / QMSR term that replaces them.

PASS: "Records are kept in the design and development file."
FAIL: "Records are kept in the Design History File (DHF)." (two findings: the term and its abbreviation)

Options:
  terms: term ids from corpora/terms.yaml (default: every retired term)
Message and suggestion may use {text} {replacement} {clause} {old_cite} {term}.
Use the rule's scope (e.g. exclude_sections: [Definitions, Revision History]) where a
retired term is legitimately quoted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document
from doccheck.resources import corpus

NEEDS_TAGS = True


@dataclass(frozen=True)
class Options:
    terms: tuple[str, ...] = ()

    def validate(self) -> list[tuple[str, str]]:
        known = {t["id"] for t in corpus("terms.yaml")["retired"]}
        terms = self.terms if isinstance(self.terms, tuple) else (self.terms,)
        return [("terms", f"unknown term '{t}' (see corpora/terms.yaml)") for t in terms if t not in known]


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    wanted = set(options.terms if isinstance(options.terms, tuple) else (options.terms,))
    for tag in doc.tags:
        if tag.kind != "term" or tag.status != "retired" or (wanted and tag.label not in wanted):
            continue
        block = doc.blocks[tag.block]
        if not rule.scope.admits_block(block.part, block.section_path):
            continue
        yield Hit(
            location=block.location(doc.format, tag.start),
            text=tag.text,
            block=tag.block,
            span=(tag.start, tag.end),
            values={k: v for k, v in tag.ref.items() if isinstance(v, str)} | {"note": tag.note or ""},
            confidence=tag.confidence,
            evidence=tag.evidence,
        )
