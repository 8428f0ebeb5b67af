"""`cross-reference` (set rule): document numbers cited inside documents resolve within the set.

PASS: "see SOP-QA-004" where SOP-QA-004 is in the set, at its current revision.
FAIL: "per WI-PRD-012 Rev B" where WI-PRD-012 is absent, or is at Rev D.

Options:
  check: missing             a cited number no document of the set carries
         superseded-revision a citation of another revision than the one in the set
         duplicate-number    one number carried by documents with different titles
         multiple-effective  two revisions of one document both in force
Message may use {number} {revision} {current} {documents} {titles}.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from doccheck.engine.rule import Rule
from doccheck.engine.setcontext import SetContext, SetHit
from doccheck.model import DocRef, Location, SetFacts

SET = True
CHECKS = ("missing", "superseded-revision", "duplicate-number", "multiple-effective")
_IN_FORCE = {"effective", "released", "approved", "current", None}


@dataclass(frozen=True)
class Options:
    check: str = "missing"

    def validate(self) -> list[tuple[str, str]]:
        return [] if self.check in CHECKS else [("check", f"unknown check '{self.check}' (choose from {', '.join(CHECKS)})")]


def _holders(ctx: SetContext) -> dict[str, list[tuple[str, SetFacts]]]:
    """Number (upper-cased) -> the documents carrying it; built once per set, shared by the four checks."""
    return ctx.shared("crossref.holders", lambda: _index(ctx))


def _index(ctx: SetContext) -> dict[str, list[tuple[str, SetFacts]]]:
    out: dict[str, list[tuple[str, SetFacts]]] = defaultdict(list)
    for path, facts in ctx.documents:
        if facts.number:
            out[facts.number.upper()].append((path, facts))
    return out


def _current(held: list[tuple[str, SetFacts]]) -> set[str]:
    """The revisions of a number in force (all of them when none is marked in force)."""
    return {(f.revision or "").upper() for _, f in held if f.status in _IN_FORCE} or {(f.revision or "").upper() for _, f in held}


def _sorted_refs(ctx: SetContext, holders: dict[str, list[tuple[str, SetFacts]]]) -> tuple[list, list]:  # type: ignore[type-arg]
    """One pass over every citation of the set: (those no document carries, those with a revision of a carried number)."""
    missing, revised = [], []
    for path, facts in ctx.documents:
        for packed in facts.refs:  # (number, revision, ...): see DocRef.pack
            held = holders.get(packed[0].upper())
            if not held:
                missing.append((path, packed))
            elif packed[1]:
                revised.append((path, packed, held))
    return missing, revised


def _citations(ctx: SetContext, options: Options, holders: dict[str, list[tuple[str, SetFacts]]]) -> Iterator[SetHit]:
    missing, revised = ctx.shared("crossref.refs", lambda: _sorted_refs(ctx, holders))
    if options.check == "missing":
        for path, packed in missing:
            ref = DocRef.unpack(packed)
            yield SetHit(path, ref.location, ref.text, ref.block, ref.span, {"number": ref.number, "revision": ref.revision or ""})
        return
    current: dict[str, set[str]] = {}
    for path, packed, held in revised:
        number, revision = packed[0].upper(), packed[1]
        if (revisions := current.get(number)) is None:
            revisions = current[number] = _current(held)
        if revision.upper() not in revisions and all(revisions):
            ref = DocRef.unpack(packed)
            values = {"number": ref.number, "revision": ref.revision, "current": ", ".join(sorted(revisions))}
            yield SetHit(path, ref.location, ref.text, ref.block, ref.span, values)


def _numbers(ctx: SetContext, options: Options, holders: dict[str, list[tuple[str, SetFacts]]]) -> Iterator[SetHit]:
    for number, held in sorted(holders.items()):
        if len(held) < 2:
            continue
        titles = {(f.title or "").strip().lower() for _, f in held}
        documents = ", ".join(p for p, _ in held)
        values = {"number": number, "documents": documents, "titles": "; ".join(sorted(t for t in titles if t))}
        if options.check == "duplicate-number" and len(titles - {""}) > 1:
            yield SetHit(held[0][0], Location("properties"), values=values)
        elif options.check == "multiple-effective" and len(titles - {""}) <= 1:
            in_force = [(p, f) for p, f in held if f.status in ("effective", "released", "approved", "current")]
            if len({(f.revision or "").upper() for _, f in in_force}) > 1:
                yield SetHit(held[0][0], Location("properties"), values={**values, "revisions": ", ".join(f"{f.revision} ({p})" for p, f in in_force)})


def check_set(ctx: SetContext, rule: Rule) -> Iterator[SetHit]:
    options: Options = rule.options
    holders = _holders(ctx)
    if options.check in ("missing", "superseded-revision"):
        yield from _citations(ctx, options, holders)
    else:
        yield from _numbers(ctx, options, holders)
