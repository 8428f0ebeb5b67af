"""Coverage evidence: which required procedures (corpora/procedures.yaml) one document addresses.

Evidence kinds, strongest first: a clause citation, the document type, a heading, a key phrase.
Requirements are indexed by clause, type and literal anchor, so a document is only searched
for the few requirements it can possibly address (the regular expressions run on candidates;
the anchors are found in one RE2 pass).
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import re2

from doccheck.resources import corpus

_OLD_EDITIONS = {"1996", "2003", "2012"}


def anchor(pattern: str) -> str | None:
    """The longest literal run a match of ``pattern`` must contain (outside groups), or None.

    NOTE: all anchors are looked for in one pass (`_Anchors`), and `re` alternations run at
    ~10 MB/s; the anchor lets most documents skip the regex. A character before ?, * or { is optional
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


_WORD = re.compile(r"\w")


@dataclass(frozen=True)
class _Pattern:
    """One evidence pattern, compiled for lower-cased text.

    NOTE: the regex engine skips ahead to a literal prefix at memory speed, but a pattern that
    starts with \\b (or an alternation of patterns) is tried at every position: '\\bUDI\\b'
    took 230 us on a 10-page SOP that says "audit". A leading \\b before a literal word
    character is therefore checked by hand on the character before the match.
    """

    regex: re.Pattern[str]
    anchor: str | None
    boundary: bool  # a leading \b was stripped: the character before a match must not be a word character

    @classmethod
    def compile(cls, pattern: str) -> _Pattern:
        boundary = re.match(r"\\b\w(?![?*{])", pattern) is not None
        return cls(_lowered(pattern[2:] if boundary else pattern), anchor(pattern), boundary)

    def search(self, text: str) -> re.Match[str] | None:
        m = self.regex.search(text)
        while m and self.boundary and m.start() and _WORD.match(text, m.start() - 1):
            m = self.regex.search(text, m.start() + 1)
        return m


class _Anchors:
    """Which of a list of literals a text contains, in one pass (an RE2 set: a DFA in C).

    NOTE: a substring test scans at ~0.5 ns per character: the phrase anchors cost ~95 us
    on a 10-page SOP even with shared words tested first; one RE2 set pass costs ~30 us
    there (~2.5 us on 1 KB), whatever the number of anchors. Only literals go in: their
    matches are the same in RE2 and `re`.
    """

    def __init__(self, literals: list[str]) -> None:
        self.literals = tuple(literals)
        self._set = re2.Set.SearchSet(re2.Options()) if literals else None
        for literal in literals:
            self._set.Add(re2.escape(literal))
        if self._set:
            self._set.Compile()

    def found(self, text: str) -> list[str]:
        if not (self._set and text):
            return []
        # NOTE: surrogatepass: text read with surrogateescape holds lone surrogates; they cannot
        # be part of an ASCII literal's match, but a strict encode would raise
        hits = self._set.Match(text.encode("utf-8", "surrogatepass"))
        return [self.literals[i] for i in hits] if hits else []


@dataclass(frozen=True)
class _Searched:
    """One evidence kind searched by regular expression (headings or phrases), indexed by anchor."""

    patterns: dict[int, tuple[_Pattern, ...]]  # requirement index -> its patterns, in corpus order
    needing: dict[str, tuple[int, ...]]  # anchor -> requirements with a pattern needing it
    anchors: _Anchors
    always: frozenset[int]  # requirements with a pattern without an anchor

    @classmethod
    def build(cls, reqs: list[dict[str, Any]], kind: str) -> _Searched:
        patterns, by_anchor, always = {}, defaultdict(list), set()
        for n, req in enumerate(reqs):
            compiled = tuple(_Pattern.compile(p) for p in req.get("evidence", {}).get(kind) or [])
            if compiled:
                patterns[n] = compiled
            for a in {c.anchor for c in compiled}:
                if a is None:
                    always.add(n)
                else:
                    by_anchor[a].append(n)
        needing = {a: tuple(ns) for a, ns in by_anchor.items()}
        return cls(patterns, needing, _Anchors(sorted(needing)), frozenset(always))

    def search(self, low: str, skip: Collection[int] = ()) -> list[tuple[int, re.Match[str]]]:
        """(requirement, leftmost match) for every requirement (not in ``skip``) with a match in ``low``.

        The leftmost match of any of the requirement's patterns, the first pattern winning a
        tie: what one alternation of them would find; only patterns whose anchor is present run.
        """
        present = self.anchors.found(low)
        if not present and not self.always:
            return []
        candidates = set(self.always)
        for literal in present:
            candidates.update(self.needing[literal])
        out = []
        for n in sorted(candidates.difference(skip)):
            best = None
            for pattern in self.patterns[n]:
                if pattern.anchor is None or pattern.anchor in present:
                    m = pattern.search(low)
                    if m and (best is None or m.start() < best.start()):
                        best = m
            if best:
                out.append((n, best))
        return out


@dataclass(frozen=True)
class Index:
    requirements: tuple[dict[str, Any], ...]
    ids: tuple[str, ...]  # requirement index -> id
    iso_clauses: dict[str, tuple[tuple[int, int], ...]]  # ISO 13485 clause -> (requirement, rank in its clause list)
    cfr_clauses: tuple[tuple[str, int, int], ...]  # ("21 CFR 820.35", requirement, rank): citations starting so
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
        for rank, clause in enumerate(ev.get("clauses", [])):
            if clause.startswith("21 CFR"):
                cfr.append((clause, n, rank))
            else:
                iso[clause].append((n, rank))
        for t in ev.get("types", []):
            types[t].append(n)
    return Index(
        tuple(reqs), tuple(r["id"] for r in reqs), {k: tuple(v) for k, v in iso.items()}, tuple(cfr),
        {k: tuple(v) for k, v in types.items()}, _Searched.build(reqs, "headings"), _Searched.build(reqs, "phrases"),
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


@functools.lru_cache(maxsize=8192)
def _heading_hits(line: str) -> tuple[int, ...]:
    """The requirements one lower-cased heading line addresses.

    NOTE: memoised: the documents of one library share most of their headings ("1 Purpose",
    "Document Control"), and a search costs ~7 us right after a document was checked.
    """
    return tuple(n for n, _ in index().headings.search(line))


def evidence(tags: list[Any], doc_type: str | None, headings: list[str], full_text: str) -> dict[str, tuple[str, str]]:
    """Requirement id -> (kind, what was found), in corpus order; the strongest kind per requirement.

    ``headings``: the document's heading lines, in order (the first line matching one of a
    requirement's heading patterns is its evidence).
    """
    idx = index()
    iso, cfr = _cited(tags)
    cited: dict[int, tuple[int, str]] = {}  # requirement -> (rank of its first clause cited, the citation as written)
    for clause, text in iso.items():
        for n, rank in idx.iso_clauses.get(clause, ()):
            if n not in cited or rank < cited[n][0]:
                cited[n] = (rank, text)
    for norm, text in cfr:  # the first citation in the text wins a tie
        for prefix, n, rank in idx.cfr_clauses:
            if norm.startswith(prefix) and (n not in cited or rank < cited[n][0]):
                cited[n] = (rank, text)
    found: dict[int, tuple[str, str]] = {n: ("clause", text) for n, (_, text) in cited.items()}
    if doc_type:
        for n in idx.types.get(doc_type, ()):
            found.setdefault(n, ("type", doc_type))
    for line in headings:
        for n in _heading_hits(line.lower()):
            found.setdefault(n, ("heading", line))
    text = full_text.lower()
    for n, m in idx.phrases.search(text, found.keys()):  # quoted as written (lower() keeps ASCII lengths; else lower-cased)
        found[n] = ("phrase", full_text[m.start() : m.end()] if len(full_text) == len(text) else m.group(0))
    ids = idx.ids
    return {ids[n]: found[n] for n in sorted(found)}
