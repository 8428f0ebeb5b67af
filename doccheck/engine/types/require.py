"""`require`: a document of a given type must address elements (clauses, phrases, headings).

PASS: a CAPA procedure that cites ISO 13485:2016 8.5.2 and has a "Preventive action" section.
FAIL: a CAPA procedure that never addresses preventive action (8.5.3).

Options:
  elements: list of {name, clauses, phrases, headings}; an element is addressed when the
    document cites one of `clauses` ("8.5.2" = ISO 13485:2016 clause 8.5.2 or below it;
    "21 CFR 820.35(a)" = that citation or below it), or its text matches one of `phrases`,
    or a heading matches one of `headings` (regular expressions, case-insensitive).
Use the rule's scope (document_types) to say which documents must address them.
Message may use {element}.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import regex

from doccheck.profile import DocumentProfile as DocContext
from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document, Location, Tag

NEEDS_TAGS = True
_OLD_EDITIONS = {"1996", "2003", "2012"}  # numbered differently: 8.2.2 was internal audit


@dataclass(frozen=True)
class Element:
    name: str
    clauses: tuple[str, ...] = ()
    phrases: tuple[regex.Pattern, ...] = ()
    headings: tuple[regex.Pattern, ...] = ()


@dataclass(frozen=True)
class Options:
    elements: tuple[Any, ...]
    parsed: tuple[Element, ...] = field(default=(), compare=False, repr=False)

    def validate(self) -> list[tuple[str, str]]:
        problems, parsed = [], []
        for n, raw in enumerate(self.elements if isinstance(self.elements, tuple) else ()):
            if not isinstance(raw, dict) or not raw.get("name"):
                problems.append(("elements", f"element {n + 1} needs a 'name'"))
                continue
            unknown = set(raw) - {"name", "clauses", "phrases", "headings"}
            if unknown:
                problems.append(("elements", f"element '{raw['name']}': unknown key(s) {', '.join(sorted(unknown))}"))
            try:
                clauses = tuple(str(c) for c in raw.get("clauses") or ())
                parsed.append(Element(str(raw["name"]), clauses, _compiled(raw, "phrases"), _compiled(raw, "headings")))
            except regex.error as exc:
                problems.append(("elements", f"element '{raw['name']}': bad regular expression ({exc})"))
        if not parsed and not problems:
            problems.append(("elements", "needs at least one element"))
        object.__setattr__(self, "parsed", tuple(parsed))
        return problems


def _compiled(raw: dict, key: str) -> tuple[regex.Pattern, ...]:  # type: ignore[type-arg]
    return tuple(regex.compile(p, regex.I | regex.V0) for p in raw.get(key) or ())


def _cites(tags: list[Tag], clause: str) -> bool:
    for tag in tags:
        if tag.kind != "citation":
            continue
        ref = tag.ref
        if clause.startswith("21 CFR"):
            if (ref.get("norm") or "").startswith(clause):
                return True
        elif ref.get("number") == "13485" and ref.get("edition") not in _OLD_EDITIONS:
            cited = ref.get("clause") or ""
            if cited == clause or cited.startswith(clause + "."):
                return True
    return False


def addressed(doc: Document, element: Element) -> bool:
    if any(_cites(doc.tags, c) for c in element.clauses):
        return True
    # NOTE: the first heading is the title ("Corrective and Preventive Action"): it names the
    # procedure's subject without addressing any element of it.
    headings = [b for b in doc.blocks if b.kind == "heading"][1:]
    if element.headings and any(p.search(b.text, timeout=1.0) for b in headings for p in element.headings):
        return True
    return any(p.search(b.text, timeout=1.0) for b in doc.blocks for p in element.phrases)


def check(doc: Document, rule: Rule, ctx: DocContext) -> Iterator[Hit]:
    options: Options = rule.options
    title = next((b for b in doc.blocks if b.part == "body"), None)
    where = title.location(doc.format) if title else Location("properties")
    for element in options.parsed:
        if not addressed(doc, element):
            yield Hit(location=where, block=title.index if title else None, values={"element": element.name})
