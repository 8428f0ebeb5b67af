"""`cross-reference` (set rule): document numbers cited inside documents resolve within the set.

PASS: "see SOP-QA-004" where SOP-QA-004 is in the set, at its current revision, with that title.
FAIL: "per WI-PRD-012 Rev B" where WI-PRD-012 is absent, or is at Rev D.

Options:
  check: missing             a cited number no document of the set carries: one finding per
                             number, at its first citation, with every citing place in `related`
         superseded-revision a citation of another revision than the one in the set
         duplicate-number    one number carried by documents with different titles
         multiple-effective  two revisions of one document both in force
         malformed           a cited number that is not well formed ("SOP-SOP-0012")
         title-differs       a citation that gives the cited document another title than its own
A set that is not declared complete (`complete_set: true`, or a master list among its
documents) may be a part of the QMS: an absent number is then evidence ``partial-set``; one a
master list names is ``listed``; a number a form or record shares with another document is
``form`` (rules grade them with ``by_evidence``). Placeholders
(SOP-XXX) are never cited documents. Numbers resolve in the citing document's own site first,
then in any site; a number two sites use for different documents is no reuse.
Message may use {number} {revision} {current} {documents} {titles} {count} {cited_title} {title}.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from doccheck.engine.rule import Rule
from doccheck.engine.setcontext import SetContext, SetHit
from doccheck.model import DocRef, Location, SetFacts
from doccheck.resources import corpus

SET = True
CHECKS = ("missing", "superseded-revision", "duplicate-number", "multiple-effective", "malformed", "title-differs")
_IN_FORCE = {"effective", "released", "approved", "current", None}
_RECORDS = ("form", "record")  # document types that may carry the number of the procedure they belong to


@dataclass(frozen=True)
class Options:
    check: str = "missing"

    def validate(self) -> list[tuple[str, str]]:
        return [] if self.check in CHECKS else [("check", f"unknown check '{self.check}' (choose from {', '.join(CHECKS)})")]


Holders = dict[str, list[tuple[str, SetFacts]]]


def _holders(ctx: SetContext) -> tuple[Holders, dict[str, Holders]]:
    """Number (upper-cased) -> the documents carrying it, over the set and per site; built once, shared by every check."""
    return ctx.shared("crossref.holders", lambda: _index(ctx))


def _index(ctx: SetContext) -> tuple[Holders, dict[str, Holders]]:
    every: Holders = defaultdict(list)
    per_site: dict[str, Holders] = defaultdict(lambda: defaultdict(list))
    for path, facts in ctx.documents:
        if facts.number:
            every[facts.number.upper()].append((path, facts))
            per_site[ctx.sites.get(path, ".")][facts.number.upper()].append((path, facts))
    return every, per_site


def _resolver(ctx: SetContext) -> Callable[[str, str], list[tuple[str, SetFacts]]]:
    """``resolve(path, number)``: the documents a citation in ``path`` of ``number`` means: its own site's, else any site's.

    NOTE: one closure per set over the shared indexes: a set of 5,000 documents resolves ~20,000 citations.
    """
    every, per_site = _holders(ctx)
    sites, nowhere = ctx.sites, {}

    def resolve(path: str, number: str) -> list[tuple[str, SetFacts]]:
        return per_site.get(sites.get(path, "."), nowhere).get(number) or every.get(number, [])

    return resolve


def _current(held: list[tuple[str, SetFacts]]) -> set[str]:
    """The revisions of a number in force (all of them when none is marked in force)."""
    return {(f.revision or "").upper() for _, f in held if f.status in _IN_FORCE} or {(f.revision or "").upper() for _, f in held}


def _citations(ctx: SetContext) -> list[tuple[str, tuple]]:  # type: ignore[type-arg]
    """(citing path, packed DocRef) of every citation of the set, built once for every check."""
    return ctx.shared("crossref.citations", lambda: [(path, packed) for path, facts in ctx.documents for packed in facts.refs])


def _missing(ctx: SetContext) -> Iterator[SetHit]:
    """One hit per absent number: at its first citation, every citing place related."""
    absent: dict[str, list[tuple[str, DocRef]]] = defaultdict(list)
    resolve = _resolver(ctx)
    for path, packed in _citations(ctx):
        if not resolve(path, packed[0].upper()):
            absent[packed[0].upper()].append((path, DocRef.unpack(packed)))
    for number, places in sorted(absent.items()):
        places.sort(key=lambda p: (p[0], p[1].block))
        (path, first), rest = places[0], places[1:]
        documents = sorted({p for p, _ in places})
        evidence = "listed" if number in ctx.listed else ctx.completeness
        values = {"number": first.number, "revision": first.revision or "", "count": len(places), "documents": ", ".join(documents)}
        yield SetHit(path, first.location, first.text, first.block, first.span, values, evidence=evidence,
                     related=tuple((p, ref.location) for p, ref in rest))


def _revisions(ctx: SetContext) -> Iterator[SetHit]:
    current: dict[tuple[str, str], set[str]] = {}
    resolve = _resolver(ctx)
    for path, packed in _citations(ctx):
        if not (revision := packed[1]):
            continue
        number = packed[0].upper()
        if not (held := resolve(path, number)):
            continue
        key = (held[0][0], number)
        if (revisions := current.get(key)) is None:
            revisions = current[key] = _current(held)
        if revision.upper() not in revisions and all(revisions):
            ref = DocRef.unpack(packed)
            yield SetHit(path, ref.location, ref.text, ref.block, ref.span, {"number": ref.number, "revision": ref.revision, "current": ", ".join(sorted(revisions))})


@functools.cache
def _noise() -> frozenset[str]:
    return frozenset(corpus("document-control.yaml")["references"]["title_noise"])


def _words(title: str) -> set[str]:
    return {w.rstrip("s") for w in re.findall(r"[a-z0-9]+", title.lower()) if w not in _noise()}


def _spelled(a: str, b: str) -> str:
    """``a`` with its acronyms written out as ``b`` spells them ("MDR procedure" -> "Medical Device Reporting procedure")."""
    words = re.findall(r"[A-Za-z0-9]+", b)
    out = a
    for acronym in set(re.findall(r"\b[A-Z]{2,6}\b", a)):
        for i in range(len(words) - len(acronym) + 1):
            run = words[i : i + len(acronym)]
            if "".join(w[0] for w in run).upper() == acronym:
                out = re.sub(rf"\b{acronym}\b", " ".join(run), out)
                break
    return out


@functools.lru_cache(maxsize=8192)  # NOTE: a set cites the same few titles over and over
def same_title(a: str, b: str) -> bool:
    """Whether two titles name one document ("Customer Complaint Handling Procedure" = "Complaint Handling",
    "MDR procedure" = "Medical Device Reporting and Recall Process")."""
    x, y = _words(_spelled(a, b)), _words(_spelled(b, a))
    if not x or not y:
        return True
    return x <= y or y <= x or len(x & y) / len(x | y) >= 0.5


def _titles(ctx: SetContext) -> Iterator[SetHit]:
    seen = set()
    resolve = _resolver(ctx)
    for path, packed in _citations(ctx):
        number, title = packed[0], packed[6]
        if not title:
            continue  # NOTE: most citations give no title: nothing to compare, nothing to unpack
        held = resolve(path, number.upper())
        own = next((f.title for _, f in held if f.title), None)
        if not own or (path, number, title) in seen or same_title(title, own):
            continue
        seen.add((path, number, title))
        ref = DocRef.unpack(packed)
        yield SetHit(path, ref.location, ref.text, ref.block, ref.span, {"number": ref.number, "cited_title": ref.title, "title": own,
                                                                          "documents": ", ".join(p for p, _ in held or ())},
                     related=tuple((p, Location("properties")) for p, _ in held))  # the documents that carry the number


def _malformed(ctx: SetContext) -> Iterator[SetHit]:
    for path, facts in ctx.documents:
        for packed in facts.malformed:
            ref = DocRef.unpack(packed)
            yield SetHit(path, ref.location, ref.text, ref.block, ref.span, {"number": ref.number})


def _numbers(ctx: SetContext, options: Options) -> Iterator[SetHit]:
    _, per_site = _holders(ctx)
    for _site, holders in sorted(per_site.items()):
        for number, held in sorted(holders.items()):
            if len(held) < 2:
                continue
            titles = {(f.title or "").strip().lower() for _, f in held}
            documents = ", ".join(p for p, _ in held)
            values = {"number": number, "documents": documents, "titles": "; ".join(sorted(t for t in titles if t))}
            different = len(titles - {""}) > 1 and not all(same_title(a, b) for a in titles - {""} for b in titles - {""})
            if options.check == "duplicate-number" and different:
                # a form carrying its procedure's number is a weaker case than two procedures sharing one
                evidence = "form" if any(f.doc_type in _RECORDS for _, f in held) else None
                yield SetHit(held[0][0], Location("properties"), values=values, evidence=evidence, related=tuple((p, Location("properties")) for p, _ in held[1:]))
            elif options.check == "multiple-effective" and not different:
                in_force = [(p, f) for p, f in held if f.status in ("effective", "released", "approved", "current")]
                if len({(f.revision or "").upper() for _, f in in_force}) > 1:
                    yield SetHit(held[0][0], Location("properties"), values={**values, "revisions": ", ".join(f"{f.revision} ({p})" for p, f in in_force)},
                                 related=tuple((p, Location("properties")) for p, _ in in_force[1:]))


def check_set(ctx: SetContext, rule: Rule) -> Iterator[SetHit]:
    options: Options = rule.options
    if options.check == "missing":
        yield from _missing(ctx)
    elif options.check == "superseded-revision":
        yield from _revisions(ctx)
    elif options.check == "title-differs":
        yield from _titles(ctx)
    elif options.check == "malformed":
        yield from _malformed(ctx)
    else:
        yield from _numbers(ctx, options)
