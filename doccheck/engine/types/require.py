"""`require`: a document of a given type must address requirements (clauses, headings, phrases).

PASS: a CAPA procedure that cites ISO 13485:2016 8.5.2 and has a "Preventive action" section.
FAIL: a CAPA procedure that never addresses preventive action (8.5.3).

Options:
  requirements: ids from corpora/procedures.yaml (a procedure, or an element of one such as
    iso-7.3.3 design and development inputs). They are judged by the same evidence as the
    set coverage (doccheck.evidence), so a document and the set never disagree about one.
  elements: requirements of the pack's own, each {name, clauses, headings, phrases}, judged
    the same way: a citation of one of `clauses` ("8.5.2" = ISO 13485:2016 clause 8.5.2 or
    below; "21 CFR 820.35(a)" = that citation or below), a heading or a phrase matching one
    of the regular expressions (case-insensitive); a phrase only in a sentence that restates
    the requirement ("the organization shall document ...") does not count.
Use the rule's scope (document_types) to say which documents must address them.
Message may use {element} (the requirement's topic or the element's name), {requirement} and {citation}
("ISO 13485:2016 8.5.3", "21 CFR 820.45(a)"; empty for a pack's own elements).
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from doccheck.engine.context import Hit
from doccheck.engine.rule import Rule
from doccheck.model import Document, Location
from doccheck.profile import DocumentProfile

NEEDS_TAGS = True


@dataclass(frozen=True)
class Options:
    requirements: tuple[str, ...] = ()
    elements: tuple[Any, ...] = ()

    def validate(self) -> list[tuple[str, str]]:
        problems, reqs = _requirements(self)
        if not reqs and not problems:
            problems.append(("requirements", "needs at least one requirement or element"))
        return problems


def _requirements(self: Options) -> tuple[list[tuple[str, str]], list[dict[str, Any]]]:
    """(problems, the requirements the rule asks for) from its ids and its own elements."""
    from doccheck.evidence import requirements

    known = {r["id"]: r for r in requirements()}
    wanted = self.requirements if isinstance(self.requirements, tuple) else (self.requirements,)
    problems = [("requirements", f"unknown requirement '{r}' (see corpora/procedures.yaml)") for r in wanted if r not in known]
    reqs = [known[r] for r in wanted if r in known]
    for n, raw in enumerate(self.elements if isinstance(self.elements, tuple) else ()):
        if not isinstance(raw, dict) or not raw.get("name"):
            problems.append(("elements", f"element {n + 1} needs a 'name'"))
            continue
        unknown = set(raw) - {"name", "clauses", "phrases", "headings"}
        if unknown:
            problems.append(("elements", f"element '{raw['name']}': unknown key(s) {', '.join(sorted(unknown))}"))
        try:
            for pattern in [*(raw.get("phrases") or ()), *(raw.get("headings") or ())]:
                re.compile(pattern)
        except re.error as exc:
            problems.append(("elements", f"element '{raw['name']}': bad regular expression ({exc})"))
            continue
        evidence = {k: [str(x) for x in raw.get(k) or ()] for k in ("clauses", "phrases", "headings")}
        reqs.append({"id": f"element-{n + 1}", "topic": str(raw["name"]), "clause": "", "evidence": evidence})
    return problems, reqs


@functools.cache
def _index(key: str) -> Any:
    """The evidence index of a rule's requirements. NOTE: cached here, not kept on the options:
    the rule set is pickled into the cache and RE2 objects do not pickle."""
    from doccheck.evidence import build

    options = Options(*json.loads(key))
    options = Options(tuple(options.requirements), tuple(options.elements))
    return build(_requirements(options)[1])


def check(doc: Document, rule: Rule, ctx: DocumentProfile) -> Iterator[Hit]:
    from doccheck.evidence import evidence

    options: Options = rule.options
    index = _index(json.dumps([list(options.requirements), list(options.elements)], sort_keys=True, default=str))
    if not index.requirements:
        return
    headings = [(b.index, line) for b in doc.blocks if b.kind == "heading" for line in b.text.split("\n")]
    found = evidence(doc.tags, None, headings, [(b.index, b.text) for b in doc.blocks], index)
    title = next((b for b in doc.blocks if b.part == "body"), None)
    where = title.location(doc.format) if title else Location("properties")
    for req in index.requirements:
        if req["id"] not in found or found[req["id"]].kind in ("title", "type"):  # naming a subject is not addressing it
            clause = req.get("clause") or ""
            citation = clause if not clause or clause.startswith("21 CFR") else f"ISO 13485:2016 {clause}" + (f" {req['item']}" if req.get("item") else "")
            yield Hit(location=where, block=title.index if title else None, values={"element": req["topic"], "requirement": req["id"], "citation": citation})
