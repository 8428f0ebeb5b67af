"""Run the set rules over every document's set facts, after all documents have been checked."""

from __future__ import annotations

from collections.abc import Iterable

from doccheck.engine.registry import TYPES
from doccheck.engine.rule import Rule
from doccheck.engine.run import is_set_rule
from doccheck.engine.setcontext import SetContext, SetHit
from doccheck.finding import Finding


def _finding(rule: Rule, hit: SetHit) -> Finding:
    values = {"text": hit.text, **hit.values}
    severity = rule.severity
    if hit.confidence in rule.by_confidence:
        severity = min(severity, rule.by_confidence[hit.confidence])
    if hit.evidence in rule.by_evidence:
        severity = min(severity, rule.by_evidence[hit.evidence])
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=severity,
        message=rule.render(rule.message, values) or rule.message,
        path=hit.path,
        location=hit.location,
        text=hit.text,
        suggestion=rule.render(rule.suggestion, values),
        source=rule.render(rule.source, values),
        block=hit.block,
        span=hit.span,
        related=hit.related,
    )


def run_set_rules(ctx: SetContext, rules: Iterable[Rule]) -> list[Finding]:
    out = []
    for rule in rules:
        if is_set_rule(rule):
            out.extend(_finding(rule, hit) for hit in TYPES[rule.type].check_set(ctx, rule))
    return out
