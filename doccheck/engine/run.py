"""Run rules over a document: select, scope, call the type, stamp id/category/severity."""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterable

from doccheck.engine.context import Hit
from doccheck.engine.registry import TYPES
from doccheck.engine.rule import Rule
from doccheck.finding import Finding, Severity
from doccheck.model import Document, confidence_of
from doccheck.profile import DocumentProfile, build

# On an external reference only these categories are the document's own facts; document
# control and the elements a procedure must address are the company's, not the publisher's.
_EXTERNAL_KEEPS = ("obsolete-reference", "obsolete-term", "unreadable")


def selected(rule: Rule, select: Iterable[str] = (), ignore: Iterable[str] = (), extend_select: Iterable[str] = ()) -> bool:
    """Select/ignore by id, former id or prefix; the longest matching prefix wins, select on a tie.

    ``select`` replaces the default set, ``extend_select`` adds to it; rules of an opt-in pack
    run only when one of them names them.
    """
    select, chosen = tuple(select), (*select, *extend_select)
    best_select = max((len(p) for p in chosen if rule.known_as(p)), default=-1)
    best_ignore = max((len(p) for p in ignore if rule.known_as(p)), default=-1)
    if best_select < 0 and (select or rule.opt_in):
        return False
    return best_select >= best_ignore


@functools.lru_cache(maxsize=4096)
def _lowered_path(section: tuple[str, ...]) -> str:
    """A block's heading path in lower case, once per path (every finding of a section asks)."""
    return " > ".join(section).lower()


_HISTORY_CELLS = object()  # the key of a document's revision-history cells in its per-document ``shared`` memo


def _history_path(doc: Document, block: int, shared: dict | None) -> str:  # type: ignore[type-arg]
    """" > revision history" when block ``block`` is in a revision-history table (a cell, or a PDF line under its
    header row): the table's header row stands for the heading a history often does not have (``by_section``).
    Worked out once per document."""
    from doccheck.engine.tables import history_blocks

    memo = shared if shared is not None else {}
    cells = memo.get(_HISTORY_CELLS)
    if cells is None:
        cells = memo[_HISTORY_CELLS] = history_blocks(doc)
    return " > revision history" if block in cells else ""


def _severity(rule: Rule, hit: Hit, ctx: DocumentProfile, doc: Document | None = None, shared: dict | None = None) -> Severity:  # type: ignore[type-arg]
    """The rule's severity, lowered by the fact's grade, the recognition's evidence and the section it
    is in (``by_section``: a revision history records what was, nothing to act on: under its heading or
    in its table); by the
    document's role and status: information in a legacy document (a record, obsolete or
    superseded) or an external reference, unless the rule says otherwise (``legacy_severity``)."""
    severity = rule.severity
    if hit.confidence in rule.by_confidence:
        severity = min(severity, rule.by_confidence[hit.confidence])
    if hit.evidence in rule.by_evidence:
        severity = min(severity, rule.by_evidence[hit.evidence])
    if rule.by_section and doc is not None and hit.block is not None:
        block = doc.blocks[hit.block]
        path = _lowered_path(block.section) + _history_path(doc, hit.block, shared)
        for words, lowered in rule.by_section.items():
            if words in path:
                severity = min(severity, lowered)
    if (ctx.legacy or ctx.role == "external") and rule.type != "unreadable":
        severity = min(severity, rule.legacy_severity if rule.legacy_severity is not None else Severity.INFO)
    return severity


def finding(rule: Rule, doc: Document, hit: Hit, ctx: DocumentProfile, shared: dict | None = None) -> Finding:  # type: ignore[type-arg]
    """``shared``: equal messages, texts, suggestions and locations become one object (pickled once per document)."""
    values = {"text": hit.text, "legacy_reason": ctx.legacy_reason, "doc_type": ctx.doc_type, "effective_note": ctx.effective_note, **hit.values}
    suggestion = hit.suggestion if hit.suggestion is not None else rule.render(rule.suggestion, values)
    template = hit.template or (rule.legacy_message if ctx.legacy and rule.legacy_message else rule.message)
    message = rule.render(template, values) or rule.message
    text, location = hit.text, hit.location
    if shared is not None:
        message, text, location = shared.setdefault(message, message), shared.setdefault(text, text), shared.setdefault(location, location)
        suggestion = shared.setdefault(suggestion, suggestion) if suggestion else suggestion
    return Finding(
        rule=rule.id,
        category=rule.category,
        severity=_severity(rule, hit, ctx, doc, shared),
        message=message,
        path=doc.path,
        location=location,
        text=text,
        suggestion=suggestion,
        source=rule.render(rule.source, values),
        block=hit.block,
        span=hit.span,
        confidence=confidence_of(hit.evidence) if hit.evidence else None,
        context=_context(doc, hit),
    )


_CONTEXT = 240


def _context(doc: Document, hit: Hit) -> str:
    """The sentence that holds the match, cut to about ``_CONTEXT`` characters around it."""
    if hit.block is None or hit.span is None or hit.block >= len(doc.blocks):
        return ""
    text = doc.blocks[hit.block].text
    start, end = hit.span
    dot, newline = text.rfind(". ", 0, start), text.rfind("\n", 0, start)
    left = max(dot + 2 if dot >= 0 else 0, newline + 1)
    right = min(i for i in (text.find(". ", end), text.find("\n", end), len(text)) if i >= 0)
    right = right + 1 if right < len(text) and text[right] == "." else right
    spare = max(0, _CONTEXT - (end - start)) // 2
    left, right = max(left, start - spare), min(right, end + spare)
    return " ".join(text[left:right].split())


def today() -> dt.date:
    """Today, or ``DOCCHECK_TODAY`` (ISO date) for reproducible runs and golden tests."""
    fixed = os.environ.get("DOCCHECK_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def is_set_rule(rule: Rule) -> bool:
    """Set rules look at the whole document set, after every document has been checked."""
    return bool(getattr(TYPES[rule.type], "SET", False))


def needs_tags(rules: Iterable[Rule]) -> bool:
    return any(getattr(TYPES[r.type], "NEEDS_TAGS", False) for r in rules)


def document_profile(doc: Document, doc_type: str | None = None, roles: tuple[tuple[str, str], ...] = ()) -> DocumentProfile:
    """What ``doc`` is (type, role, status); ``doc_type`` and ``roles`` are the configuration's overrides."""
    return build(doc, today(), doc_type, roles)


def check_document(doc: Document, rules: Iterable[Rule], doc_type: str | None = None, ctx: DocumentProfile | None = None) -> list[Finding]:
    """All findings of ``rules`` on ``doc`` (tagged already if any rule needs tags), in document order.

    ``doc_type`` overrides the classifier (configuration's document_types mapping). On an
    external reference, findings of document control and required elements are not the
    publisher's to fix and are left out; `external` rules sum up the rest.
    """
    out: list[Finding] = []
    shared: dict = {}  # type: ignore[type-arg]  # NOTE: a rule firing 30 times on "DHF" ships and caches its message once
    ctx = ctx or document_profile(doc, doc_type)
    folding = []
    for rule in rules:
        if is_set_rule(rule) or (not doc.readable and rule.type != "unreadable"):
            continue
        if not rule.scope.admits_document(doc.path, doc.format, ctx.doc_type):
            continue
        if getattr(TYPES[rule.type], "FOLDS", False):
            folding.append(rule)
            continue
        if ctx.role == "external" and rule.category not in _EXTERNAL_KEEPS:
            continue
        for hit in TYPES[rule.type].check(doc, rule, ctx):
            out.append(finding(rule, doc, hit, ctx, shared))
    for rule in folding:
        out.extend(finding(rule, doc, hit, ctx, shared) for hit in TYPES[rule.type].fold(doc, rule, ctx, out))
    out.sort(key=Finding.sort_key)
    return out
