"""`external`: one finding for a reference document that cites superseded text (an FDA guidance copy).

A regulator's or publisher's document kept as a reference cannot be changed by the company:
its QSR citations and retired terms stay reported as information, and this rule says once,
for the whole document, what to do (look for a QMSR-era edition, keep the external-document
list current). Runs only on documents whose profile role is ``external``.

PASS: a company procedure (its findings are its own).
FAIL: an FDA guidance copy that cites 21 CFR 820.30 three times.

Options:
  categories: the categories of the document's findings it sums up (default: obsolete-reference, obsolete-term)
Message may use {count} (findings summed up), {qsr} (those of QMSR- rules), {examples} (up to three texts).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.finding import Finding
from doccheck.model import Document, Location
from doccheck.profile import DocumentProfile

FOLDS = True  # the engine calls `fold` with the document's other findings


@dataclass(frozen=True)
class Options:
    categories: tuple[str, ...] = ("obsolete-reference", "obsolete-term")


def check(doc: Document, rule: Rule, ctx: DocumentProfile) -> Iterator[Hit]:
    return iter(())  # see fold


def fold(doc: Document, rule: Rule, ctx: DocumentProfile, findings: Iterable[Finding]) -> Iterator[Hit]:
    options: Options = rule.options
    if ctx.role != "external":
        return
    summed = [f for f in findings if f.category in options.categories]
    if not summed:
        return
    examples = ", ".join(dict.fromkeys(f"'{f.text}'" for f in summed if f.text))
    qsr = sum(1 for f in summed if f.rule.startswith("QMSR-"))
    yield Hit(Location("properties"), values={"count": len(summed), "qsr": qsr, "examples": examples[:200], "role_reason": ctx.role_reason})
