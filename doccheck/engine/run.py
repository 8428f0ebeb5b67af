"""Run rules over a document: select, scope, call the type, stamp id/category/severity."""

from __future__ import annotations

from collections.abc import Iterable

from doccheck.engine.context import Hit
from doccheck.engine.registry import TYPES
from doccheck.engine.rule import Rule
from doccheck.finding import Finding
from doccheck.model import Document


def selected(rule_id: str, select: Iterable[str] = (), ignore: Iterable[str] = ()) -> bool:
    """Select/ignore by id or id prefix; the longest matching prefix wins, select on a tie."""
    best_select = max((len(p) for p in select if rule_id.startswith(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if rule_id.startswith(p)), default=-1)
    if best_select < 0 and any(True for _ in select):
        return False
    return best_select >= best_ignore


def finding(rule: Rule, doc: Document, hit: Hit) -> Finding:
    values = {"text": hit.text, **hit.values}
    suggestion = hit.suggestion if hit.suggestion is not None else rule.render(rule.suggestion, values)
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=rule.severity,
        message=rule.render(rule.message, values) or rule.message,
        path=doc.path,
        location=hit.location,
        text=hit.text,
        suggestion=suggestion,
        source=rule.render(rule.source, values),
        block=hit.block,
        span=hit.span,
    )


def check_document(doc: Document, rules: Iterable[Rule]) -> list[Finding]:
    """All findings of ``rules`` on ``doc``, in document order."""
    out: list[Finding] = []
    for rule in rules:
        if not doc.readable and rule.type != "unreadable":
            continue
        if not rule.scope.admits_document(doc.path, doc.format):
            continue
        for hit in TYPES[rule.type].check(doc, rule):
            out.append(finding(rule, doc, hit))
    out.sort(key=Finding.sort_key)
    return out
