"""Coverage evidence: which required procedures (corpora/procedures.yaml) one document addresses.

Evidence kinds, strongest first: a clause citation, the document type, a heading, a key phrase.
Requirements are indexed by clause, type and literal anchor, so a document is only searched
for the few requirements it can possibly address (the regular expressions run on candidates;
the anchors are found in one RE2 pass).
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import re2

from doccheck.anchors import anchors
from doccheck.resources import corpus

_OLD_EDITIONS = {"1996", "2003", "2012"}


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
    anchors: tuple[str, ...]  # one of them is in every match; () when none is known
    boundary: bool  # a leading \b was stripped: the character before a match must not be a word character

    @classmethod
    def compile(cls, pattern: str) -> _Pattern:
        boundary = re.match(r"\\b\w(?![?*{])", pattern) is not None
        return cls(_lowered(pattern[2:] if boundary else pattern), anchors(pattern), boundary)

    def search(self, text: str, pos: int = 0) -> re.Match[str] | None:
        m = self.regex.search(text, pos)
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
    memo: dict[str, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def build(cls, reqs: list[dict[str, Any]], kind: str) -> _Searched:
        patterns, by_anchor, always = {}, defaultdict(list), set()
        for n, req in enumerate(reqs):
            compiled = tuple(_Pattern.compile(p) for p in req.get("evidence", {}).get(kind) or [])
            if compiled:
                patterns[n] = compiled
            for c in compiled:
                if not c.anchors:
                    always.add(n)
                for a in c.anchors:
                    if n not in by_anchor[a]:
                        by_anchor[a].append(n)
        needing = {a: tuple(ns) for a, ns in by_anchor.items()}
        return cls(patterns, needing, _Anchors(sorted(needing)), frozenset(always))

    def lines(self, line: str) -> tuple[int, ...]:
        """The requirements one lower-cased heading line addresses.

        NOTE: memoised (up to 8192 lines): the documents of one library share most of their
        headings ("1 Purpose", "Document Control"), and a search costs ~7 us right after a
        document was checked.
        """
        hits = self.memo.get(line)
        if hits is None:
            if len(self.memo) >= 8192:
                self.memo.clear()
            hits = self.memo[line] = tuple(n for n, _ in self.search(line))
        return hits

    def search(self, low: str, skip: Collection[int] = ()) -> list[tuple[int, re.Match[str]]]:
        """(requirement, leftmost match) for every requirement (not in ``skip``) with a match in ``low``.

        The leftmost match of any of the requirement's patterns, the first pattern winning a
        tie: what one alternation of them would find; only patterns whose anchor is present run.
        """
        present = set(self.anchors.found(low))
        if not present and not self.always:
            return []
        candidates = set(self.always)
        for literal in present:
            candidates.update(self.needing[literal])
        out = []
        for n in sorted(candidates.difference(skip)):
            best = None
            for pattern in self.patterns[n]:
                if not pattern.anchors or not present.isdisjoint(pattern.anchors):
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


def build(reqs: list[dict[str, Any]]) -> Index:
    """An evidence index over ``reqs`` (corpora/procedures.yaml's, or a rule's own elements)."""
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


@functools.cache
def index() -> Index:
    return build(list(requirements()))


@functools.cache
def requirements() -> tuple[dict[str, Any], ...]:
    """The requirements of corpora/procedures.yaml, as data.

    NOTE: not through `index`: the parent validates rules and grades the set coverage with these
    alone, and compiling every evidence pattern there cost ~14 ms of each scan's start.
    """
    return tuple(corpus("procedures.yaml")["requirements"])


@functools.cache
def procedure_index() -> Index:
    """The index of the requirements the set coverage has a row for (`procedures`).

    NOTE: the set facts search only these: the elements of a procedure (7.3.3 inputs, CAPA
    effectiveness ...) are judged per document by ISO-REQ rules, and their phrases were most
    of the phrase search on a short procedure.
    """
    return build(list(procedures()))


def procedures() -> tuple[dict[str, Any], ...]:
    """The requirements the set coverage has a row for (elements of a procedure are checked per document)."""
    return tuple(r for r in requirements() if not r.get("part_of"))


def _cited(tags: list[Any]) -> tuple[dict[str, Any], list[tuple[str, Any]]]:
    """ISO 13485 clauses cited (2016 numbering), with every clause above them (citing 7.3.10
    addresses 7.3), each mapped to the first citation tag; and the 21 CFR citation tags."""
    iso: dict[str, Any] = {}
    cfr: list[tuple[str, Any]] = []
    for tag in tags:
        if tag.kind != "citation":
            continue
        ref = tag.ref
        if tag.label == "cfr":
            cfr.append((ref.get("norm") or "", tag))
        elif ref.get("number") == "13485" and ref.get("edition") not in _OLD_EDITIONS and ref.get("clause"):
            parts = ref["clause"].split(".")
            for k in range(1, len(parts) + 1):
                iso.setdefault(".".join(parts[:k]), tag)
    return iso, cfr


@functools.cache
def _restated() -> tuple[_Pattern, ...]:
    return tuple(_Pattern.compile(p) for p in corpus("procedures.yaml")["restated"])


@functools.lru_cache(maxsize=8192)
def restates(sentence: str) -> bool:
    """Whether a lower-cased sentence restates a requirement ("the organization shall ...").

    NOTE: each pattern runs only when one of its anchors is in the sentence: one alternation of
    them all cost ~4 us per phrase found, most of the phrase search on a short procedure.
    Memoised like heading lines: a library's procedures share their boilerplate sentences
    ("Risk management follows ISO 14971:2019."), and a check costs ~9 us in a worker.
    """
    return any((not p.anchors or any(a in sentence for a in p.anchors)) and p.search(sentence) for p in _restated())


class Evidence(NamedTuple):
    """How a document addresses a requirement: the kind, the words, the block they are in (None: the whole document)."""

    kind: str  # clause | heading | title (the document's first heading) | type | phrase
    quote: str
    block: int | None


def _sentence(text: str, start: int, end: int) -> str:
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    right = min(i for i in (text.find(". ", end), text.find("\n", end), len(text)) if i >= 0)
    return text[left + 1 : right]


def evidence(tags: list[Any], doc_type: str | None, headings: list[tuple[int, str]], blocks: list[tuple[int, str]],
             idx: Index | None = None) -> dict[str, Evidence]:
    """Requirement id -> the strongest evidence of it in one document, in requirement order.

    ``headings``: (block index, heading line) in order; the first line matching one of a
    requirement's heading patterns is its evidence. ``blocks``: (block index, text) of the
    document, in order; a phrase found only in a sentence that restates a requirement ("the
    organization shall document ...") is not evidence. ``idx``: the requirements (default: the
    shipped corpus); per-document element rules and the set coverage use the same function.
    """
    idx = idx or index()
    iso, cfr = _cited(tags)
    cited: dict[int, tuple[int, Any]] = {}  # requirement -> (rank of its first clause cited, the citation tag)
    for clause, tag in iso.items():
        for n, rank in idx.iso_clauses.get(clause, ()):
            if n not in cited or rank < cited[n][0]:
                cited[n] = (rank, tag)
    for norm, tag in cfr:  # the first citation in the text wins a tie
        for prefix, n, rank in idx.cfr_clauses:
            if norm.startswith(prefix) and (n not in cited or rank < cited[n][0]):
                cited[n] = (rank, tag)
    found: dict[int, Evidence] = {n: Evidence("clause", tag.text, tag.block) for n, (_, tag) in cited.items()}
    title = headings[0][0] if headings else None
    for block, line in headings:  # NOTE: the title ("Corrective and Preventive Action") names a subject, it does not address it
        low = line.lower()
        for n in idx.headings.lines(low):
            if block != title or n not in found:
                found[n] = found[n] if n in found and found[n].kind != "title" else Evidence("title" if block == title else "heading", line, block)
    if doc_type:  # NOTE: after content: a document's type alone is weak evidence (doccheck.engine.coverage)
        for n in idx.types.get(doc_type, ()):
            found.setdefault(n, Evidence("type", doc_type, None))
    if blocks:
        _phrases(idx, blocks, found)
    ids = idx.ids
    return {ids[n]: found[n] for n in sorted(found)}


def _phrases(idx: Index, blocks: list[tuple[int, str]], found: dict[int, Evidence]) -> None:
    """Phrase evidence, quoted as written, for the requirements still without evidence."""
    full = "\n".join([text for _, text in blocks])
    low = full.lower()
    starts: list[int] = []  # where each block starts in ``full``: only when a phrase is found
    same = len(full) == len(low)  # NOTE: lower() keeps ASCII lengths; otherwise quote the lower-cased words
    skip = set(found)
    for n, m in idx.phrases.search(low, skip):
        while m is not None and restates(_sentence(low, m.start(), m.end())):
            later = [x for x in (p.search(low, m.end()) for p in idx.phrases.patterns[n]) if x]
            m = min(later, key=lambda x: x.start()) if later else None
        if m is None:
            continue
        starts = starts or list(itertools.accumulate((len(text) + 1 for _, text in blocks), initial=0))
        at = bisect.bisect_right(starts, m.start()) - 1
        found[n] = Evidence("phrase", full[m.start() : m.end()] if same else m.group(0), blocks[at][0])
