"""Coverage evidence: which required procedures (corpora/procedures.yaml) one document addresses.

Evidence kinds, strongest first: a clause citation, the document type, a heading, a key phrase.
Requirements are indexed by clause, type and literal anchor, so a document is only searched
for the few requirements it can possibly address (the regular expressions run on candidates).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from doccheck.resources import corpus

_OLD_EDITIONS = {"1996", "2003", "2012"}


def anchor(pattern: str) -> str | None:
    """The longest literal run a match of ``pattern`` must contain (outside groups), or None.

    NOTE: a plain substring test runs at memory speed, regex alternations at ~10 MB/s; the
    anchor lets most documents skip the regex. A character before ?, * or { is optional
    and is not part of the anchor; text inside a group or a character class, or after a
    top-level | is not used.
    """
    if re.search(r"(?<!\\)\|", re.sub(r"\((?:[^()]|\([^()]*\))*\)", "", pattern)):
        return None  # a top-level alternation: no single literal is required
    runs: list[str] = []
    current, depth, i = "", 0, 0

    def commit(run: str) -> None:
        if depth == 0 and run:
            runs.append(run)

    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            commit(current)
            current, i = "", i + 2
            continue
        if ch == "[":  # a character class: one unknown character, skip to its closing bracket
            commit(current)
            current, i = "", i + 2 if pattern[i + 1 : i + 2] in ("]", "^") else i + 1
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch in "?*{":
            commit(current[:-1])  # the quantified character is optional
            current = ""
        elif ch in "()+.^$|":
            commit(current)
            current = ""
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
        elif depth == 0:
            current += ch
        i += 1
    commit(current)
    best = max((r.strip() for r in runs), key=len, default="")
    return best.lower() if len(best) >= 3 else None


def _lowered(pattern: str) -> re.Pattern[str]:
    """A pattern for lower-cased text; IGNORECASE kept where lower-casing would change an escape (\\S, \\W...)."""
    if re.search(r"\\[A-Z]", pattern):
        return re.compile(pattern, re.I)
    return re.compile(pattern.lower())


@dataclass(frozen=True)
class _Searched:
    """One evidence kind searched by regular expression (headings or phrases), indexed by anchor."""

    patterns: dict[int, re.Pattern[str]]  # requirement index -> one alternation of its patterns
    by_anchor: dict[str, tuple[int, ...]]  # literal -> requirements whose every pattern needs one of their anchors
    always: frozenset[int]  # requirements with a pattern without an anchor: always searched

    @classmethod
    def build(cls, reqs: list[dict[str, Any]], kind: str) -> _Searched:
        patterns, by_anchor, always = {}, defaultdict(list), set()
        for n, req in enumerate(reqs):
            found = req.get("evidence", {}).get(kind) or []
            if not found:
                continue
            # one alternation per requirement, matched on lower-cased text: case-sensitive
            # matching is ~2x faster than IGNORECASE
            patterns[n] = _lowered("|".join(f"(?:{p})" for p in found))
            anchors = [anchor(p) for p in found]
            if all(anchors):
                for a in set(anchors):
                    by_anchor[a].append(n)
            else:
                always.add(n)
        return cls(patterns, {a: tuple(ns) for a, ns in by_anchor.items()}, frozenset(always))

    def candidates(self, low: str) -> set[int]:
        out = set(self.always)
        for literal, ns in self.by_anchor.items():
            if literal in low:
                out.update(ns)
        return out


@dataclass(frozen=True)
class Index:
    requirements: tuple[dict[str, Any], ...]
    iso_clauses: dict[str, tuple[int, ...]]  # ISO 13485 clause -> requirements citing it as evidence
    cfr_clauses: tuple[tuple[str, int], ...]  # ("21 CFR 820.35", requirement): citations starting so
    types: dict[str, tuple[int, ...]]  # document type -> requirements
    headings: _Searched
    phrases: _Searched


@functools.cache
def index() -> Index:
    reqs = list(corpus("procedures.yaml")["requirements"])
    iso, types = defaultdict(list), defaultdict(list)
    cfr = []
    for n, req in enumerate(reqs):
        ev = req.get("evidence", {})
        for clause in ev.get("clauses", []):
            if clause.startswith("21 CFR"):
                cfr.append((clause, n))
            else:
                iso[clause].append(n)
        for t in ev.get("types", []):
            types[t].append(n)
    return Index(
        tuple(reqs), {k: tuple(v) for k, v in iso.items()}, tuple(cfr), {k: tuple(v) for k, v in types.items()},
        _Searched.build(reqs, "headings"), _Searched.build(reqs, "phrases"),
    )


def requirements() -> tuple[dict[str, Any], ...]:
    return index().requirements


def _cited(tags: list[Any]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """ISO 13485 clauses cited (2016 numbering), with every clause above them (citing 7.3.10
    addresses 7.3), each mapped to the citation as written; and the 21 CFR citations."""
    iso: dict[str, str] = {}
    cfr: list[tuple[str, str]] = []
    for tag in tags:
        if tag.kind != "citation":
            continue
        ref = tag.ref
        if tag.label == "cfr":
            cfr.append((ref.get("norm") or "", tag.text))
        elif ref.get("number") == "13485" and ref.get("edition") not in _OLD_EDITIONS and ref.get("clause"):
            parts = ref["clause"].split(".")
            for k in range(1, len(parts) + 1):
                iso.setdefault(".".join(parts[:k]), tag.text)
    return iso, cfr


def _clause_hit(clause: str, iso: dict[str, str], cfr: list[tuple[str, str]]) -> str | None:
    """The citation (as written) that addresses ``clause``, if any."""
    if clause.startswith("21 CFR"):
        return next((text for norm, text in cfr if norm.startswith(clause)), None)
    return iso.get(clause)


def evidence(tags: list[Any], doc_type: str | None, heading_text: str, full_text: str) -> dict[str, tuple[str, str]]:
    """Requirement id -> (kind, what was found), in corpus order; the strongest kind per requirement."""
    idx = index()
    reqs = idx.requirements
    iso, cfr = _cited(tags)
    found: dict[int, tuple[str, str]] = {}
    cited = {n for clause in iso for n in idx.iso_clauses.get(clause, ())}
    cited.update(n for norm, _ in cfr for prefix, n in idx.cfr_clauses if norm.startswith(prefix))
    for n in sorted(cited):  # the requirement's first clause that is cited, as in its list
        if hit := next((h for c in reqs[n]["evidence"]["clauses"] if (h := _clause_hit(c, iso, cfr))), None):
            found[n] = ("clause", hit)
    for n in idx.types.get(doc_type or "", ()):
        found.setdefault(n, ("type", doc_type or ""))
    headings = heading_text.lower()
    for n in sorted(idx.headings.candidates(headings) - found.keys()):
        if m := idx.headings.patterns[n].search(headings):
            line_start = heading_text.rfind("\n", 0, m.start()) + 1
            found[n] = ("heading", heading_text[line_start:].split("\n", 1)[0])
    candidates = idx.phrases.candidates(text := full_text.lower()) - found.keys()
    for n in sorted(candidates):
        if m := idx.phrases.patterns[n].search(text):
            # evidence quotes the document as written (lower() keeps ASCII lengths; otherwise quote lower-cased)
            found[n] = ("phrase", full_text[m.start() : m.end()] if len(full_text) == len(text) else m.group(0))
    return {reqs[n]["id"]: found[n] for n in sorted(found)}
