"""`coverage` (set rule): every documented procedure ISO 13485 and the QMSR require has a document.

PASS: a set whose CAPA SOP cites ISO 13485:2016 8.5.2 and 8.5.3.
FAIL: a set in which no document addresses internal audit (8.2.4).

Options:
  statuses: which rows to report: missing (no document addresses it), weak (only a key phrase
            in passing), manual (only the quality manual speaks of it: no documented procedure)
Requirements come from corpora/procedures.yaml; one declared not applicable, with its
justification, in the configuration or in a quality manual of the set, is not reported. A set
that is not declared complete (`complete_set: true`, or a master list among its documents) may
be a part of the QMS: hits carry the evidence ``partial-set`` (rules grade them with
``by_evidence``). Message may use {requirement} {clause} {topic} {documents} {conditional} {how}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.engine.rule import Rule
from doccheck.engine.setcontext import SetContext, SetHit
from doccheck.model import Location

SET = True
STATUSES = ("missing", "weak", "manual")
_HOW = {"weak": "only mentioned in passing", "manual": "only described in the quality manual (no documented procedure)", "missing": "addressed by no document"}


@dataclass(frozen=True)
class Options:
    statuses: tuple[str, ...] = ("missing",)

    def validate(self) -> list[tuple[str, str]]:
        wanted = self.statuses if isinstance(self.statuses, tuple) else (self.statuses,)
        return [("statuses", f"unknown status '{s}' (choose from {', '.join(STATUSES)})") for s in wanted if s not in STATUSES]


def check_set(ctx: SetContext, rule: Rule) -> Iterator[SetHit]:
    options: Options = rule.options
    wanted = options.statuses if isinstance(options.statuses, tuple) else (options.statuses,)
    for row in ctx.rows:
        req = row.requirement
        if row.status not in wanted:
            continue
        values = {
            "requirement": req["id"],
            "clause": req["clause"],
            "topic": req["topic"],
            "how": _HOW[row.status],
            "documents": ", ".join(f"{p} ('{cell[1]}')" for p, cell in sorted(row.cells.items())[:3]),
            "conditional": " (or declare it not applicable, with a justification, under not_applicable or in the quality manual)" if req.get("conditional") else "",
        }
        yield SetHit(ctx.root, Location("properties"), values=values, confidence=req.get("grade", "H"), evidence=ctx.completeness)
