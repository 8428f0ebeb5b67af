"""`coverage` (set rule): every documented procedure ISO 13485 and the QMSR require has a document.

PASS: a set whose CAPA SOP cites ISO 13485:2016 8.5.2 and 8.5.3.
FAIL: a set in which no document addresses internal audit (8.2.4).

Options:
  weak: false = report requirements no document addresses; true = report those addressed
        only by key phrases (no clause citation, document type or heading)
Requirements come from corpora/procedures.yaml; a conditional one (servicing, sterilization,
device tracking) declared not applicable in the configuration, with its justification, is
not reported. Message may use {requirement} {clause} {topic} {documents} {conditional}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.engine.rule import Rule
from doccheck.engine.setcontext import SetContext, SetHit
from doccheck.model import Location

SET = True


@dataclass(frozen=True)
class Options:
    weak: bool = False


def check_set(ctx: SetContext, rule: Rule) -> Iterator[SetHit]:
    options: Options = rule.options
    for row in ctx.rows:
        req = row.requirement
        wanted = "weak" if options.weak else "missing"
        if row.status != wanted:
            continue
        values = {
            "requirement": req["id"],
            "clause": req["clause"],
            "topic": req["topic"],
            "documents": ", ".join(f"{p} ('{e}')" for p, (_, e) in sorted(row.cells.items())[:3]),
            "conditional": " (or declare it not applicable, with a justification, under not_applicable)" if req.get("conditional") else "",
        }
        yield SetHit(ctx.root, Location("properties"), values=values, confidence=req.get("grade", "H"))
