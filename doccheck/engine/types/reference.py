"""`reference`: citations of a given kind and status (tagged and validated by doccheck.nlp).

PASS: "Design and development files are kept per ISO 13485:2016 clause 7.3.10."
FAIL: "The DHF is kept per 21 CFR 820.30(j)." (superseded QSR section)

Options:
  kinds: cfr | standard | directive | programme (default: cfr)
  statuses: superseded | invalid | current (default: superseded)
  documents: cited documents to consider, e.g. "21 CFR 820", "ISO 13485" (default: any)
  sections: section or clause prefixes to consider, e.g. "820.180(c)" (default: any)
  exclude_sections: section or clause prefixes to leave to other rules
  subparts: true = only "Subpart X" citations, false = never them (default: either)
Message and suggestion may use {text} {norm} {note} {section} {paragraph} {clause} {edition},
for Part 820 citations the crosswalk's {topic} {iso} {iso_titled} {qmsr} {qmsr_suffix}
{mapping_note}, and for standards {current}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document, Tag
from doccheck.nlp.knowledge import template_values

NEEDS_TAGS = True
KINDS = ("cfr", "standard", "directive", "programme")
STATUSES = ("current", "superseded", "invalid")
_GRADES = "HML"


@dataclass(frozen=True)
class Options:
    kinds: tuple[str, ...] = ("cfr",)
    statuses: tuple[str, ...] = ("superseded",)
    documents: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    exclude_sections: tuple[str, ...] = ()
    subparts: bool | None = None

    def validate(self) -> list[tuple[str, str]]:
        problems = [("kinds", f"unknown kind '{k}' (choose from {', '.join(KINDS)})") for k in _tuple(self.kinds) if k not in KINDS]
        problems += [("statuses", f"unknown status '{s}' (choose from {', '.join(STATUSES)})") for s in _tuple(self.statuses) if s not in STATUSES]
        return problems


def _tuple(value: object) -> tuple:
    return value if isinstance(value, tuple) else (value,)


def _where(tag: Tag) -> str:
    ref = tag.ref
    return (ref.get("section") or "") + (ref.get("paragraph") or "") if tag.label == "cfr" else ref.get("clause") or ""


def selects(tag: Tag, options: Options) -> bool:
    if tag.kind != "citation" or tag.label not in _tuple(options.kinds) or tag.status not in _tuple(options.statuses):
        return False
    ref = tag.ref
    if options.documents and not any((ref.get("document") or "").startswith(d) for d in _tuple(options.documents)):
        return False
    where = _where(tag)
    if options.sections and not any(where.startswith(s) for s in _tuple(options.sections)):
        return False
    if any(where.startswith(s) for s in _tuple(options.exclude_sections)):
        return False
    is_subpart = bool(ref.get("subpart")) and not ref.get("section")
    return options.subparts is None or options.subparts == is_subpart


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    for tag in doc.tags:
        block = doc.blocks[tag.block]
        if not selects(tag, options) or not rule.scope.admits_block(block.part, block.section_path):
            continue
        values = template_values(tag)
        grades = sorted([tag.confidence, values.get("mapping_confidence", "H")], key=_GRADES.index)
        yield Hit(
            location=block.location(doc.format, tag.start),
            text=tag.text,
            block=tag.block,
            span=(tag.start, tag.end),
            values=values,
            confidence=grades[-1],
            evidence=tag.evidence,
        )
