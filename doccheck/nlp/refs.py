"""The citation grammars: find clause references in text and normalise them.

21 CFR citations are `doccheck.nlp.cfr`'s. Here: ISO/IEC/EN standards with edition,
amendment and an attached clause ("EN ISO 13485:2016+A11:2021 §4.2.3", "clause 7.3.2 of
ISO 13485"); EU directives and regulations; FDA compliance programmes; and
`find_citations`, which runs every grammar over a text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import re2

from doccheck.nlp.cfr import CFR_TRIGGER, find_cfr
from doccheck.nlp.citation import Citation, occurrences

__all__ = ["Citation", "find_citations", "maybe_citation", "occurrences"]

_BODY = r"(?P<body>ISO/IEC|IEC/ISO|ISO/TR|ISO/TS|IEC/TR|ISO|IEC)"
_STD_CORE = (
    rf"(?P<en>\b(?:BS\s+|DIN\s+)?EN\s+)?\b{_BODY}\s*(?P<number>\d{{3,5}}(?:-\d{{1,2}}(?!\d)){{0,2}})"
    r"(?:\s*[:\-]\s*(?P<year>(?:19|20)\d\d)(?!\d))?"
    r"(?P<amds>(?:\s*[+/]\s*(?:A|AMD|Amd\.?\s*)\d{1,2}(?:\s*:\s*(?:19|20)\d\d)?)*)"
)
_CLAUSE_NUM = r"(?P<clause>\d{1,2}(?:\.\d{1,2}){0,4})"
STANDARD = re.compile(
    _STD_CORE
    + rf"(?:\s*,?\s*(?:[Cc]lauses?|[Cc]l\.|[Ss]ections?|[Ss]ec\.|§)\s*{_CLAUSE_NUM}|\s*[,\s]\s*(?P<clause2>\d{{1,2}}\.\d{{1,2}}(?:\.\d{{1,2}}){{0,3}})(?![\d.]*\d)"
    + r"|\s*:\s*(?P<clause3>\d{1,2}(?:\.\d{1,2}){0,4})(?![\d.]*\d))?"  # "ISO 13485:7.3" (a clause where a year would be)
)
# "ISO 13485:2016 clauses 8.5.2 and 8.5.3": the items after the first clause
_CLAUSE_LIST = re.compile(r"\s*(?:,|;|/|&|\band\b|\bor\b)\s*(?:and\s+|or\s+)?(?:[Cc]lauses?\s*)?(?P<clause>\d{1,2}(?:\.\d{1,2}){1,4})(?![\d.]*\d)")
# "... per ISO 13485:2016 clause 8.5.2 and preventive action per clause 8.5.3": a later clause of the sentence's standard
_CLAUSE_LATER = re.compile(r"\b[Cc]lauses?\s+(?P<clause>\d{1,2}(?:\.\d{1,2}){0,4})(?![\d.]*\d)(?!\s+(?:of|in)\s+(?:the\s+)?(?:ISO|IEC))")
CLAUSE_BEFORE = re.compile(
    rf"(?:[Ss]ub-?clause|[Cc]lause|[Ss]ection|§)\s*(?P<pre>\d{{1,2}}(?:\.\d{{1,2}}){{0,4}})\s+(?:of|in)\s+(?:the\s+)?(?={_BODY.replace('?P<body>', '?:')}\s*\d)"
)
_DIRECTIVE_NUMBERS = r"93/42/EEC|98/79/EC|90/385/EEC|2017/745|2017/746"
DIRECTIVE = re.compile(
    rf"(?:\b(?:Council\s+)?(?:Directive|Regulation)\s*(?:\(EU\)\s*)?(?:No\.?\s*)?|\b(?:EU\s+)?(?:MDD|IVDD|AIMDD|MDR|IVDR)\s*(?:\(EU\)\s*)?"
    rf"|\bMedical\s+Devices?\s+(?:Directive|Regulation)\s*(?:\(EU\)\s*)?|\(EU\)\s*)?"
    rf"(?P<dnum>{_DIRECTIVE_NUMBERS})\b|\b(?P<dname>MDD|IVDD|AIMDD|IVDR|Medical\s+Devices?\s+Directive)\b"
)
PROGRAMME = re.compile(r"(?:\b(?:Compliance\s+Program(?:me)?|CP)\s*)?\b(?P<prog>73(?:82\.8[0-9]{2}|83\.0[0-9]{2}))\b")

# Literal triggers of every grammar: a block holding none of them holds no citation.
# NOTE: one RE2 search (a DFA, one pass) costs half of a loop of substring tests in Python.
TRIGGERS = ("ISO", "IEC", "/EEC", "/EC", "2017/74", "MDD", "IVD", "738", "irective")
_TRIGGER = re2.compile("|".join([CFR_TRIGGER, *map(re.escape, TRIGGERS)]))


def maybe_citation(text: str) -> bool:
    """Cheap test: can ``text`` hold a citation at all?"""
    return _TRIGGER.search(text) is not None


_TRIGGER_BYTES = re2.compile(_TRIGGER.pattern.encode("utf-8"))


def citation_trigger() -> re2._Regexp:
    """The triggers of every citation grammar, for UTF-8 bytes (a whole document searched at once)."""
    return _TRIGGER_BYTES


def _before(text: str, at: int, words: tuple[str, ...]) -> Iterator[int]:
    """Where one of ``words`` ends just before ``at``, white space between ("EN ISO", "BS EN")."""
    j = at
    while j > 0 and text[j - 1].isspace():
        j -= 1
    for word in words:
        if text.startswith(word, j - len(word)):
            yield j - len(word)


def _standard_starts(text: str) -> list[int]:
    """Every position where a STANDARD match can start: the body, or EN / BS EN / DIN EN before it."""
    starts = set()
    for literal in ("ISO", "IEC"):
        for i in occurrences(text, literal):
            starts.add(i)
            for en in _before(text, i, ("EN",)):
                starts.add(en)
                starts.update(_before(text, en, ("BS", "DIN")))
    return sorted(starts)


def _anchored(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` when every match must start at one of ``starts``.

    NOTE: these grammars begin with alternations and optional groups, so the regex engine tries
    them at every position of a block (~15 MB/s); matching only where a match can start is
    exact (same leftmost, non-overlapping matches) and several times faster on dense text.
    """
    end = 0
    for start in starts:
        if start < end:
            continue
        m = pattern.match(text, start)
        if m:
            yield m
            end = max(m.end(), start + 1)


def find_standards(text: str) -> list[Citation]:
    out: list[Citation] = []
    if "ISO" not in text and "IEC" not in text:
        return out
    for m in _anchored(STANDARD, text, _standard_starts(text)):
        start = m.start()
        clause = m.group("clause") or m.group("clause2") or m.group("clause3")
        before = _clause_before(text, start)
        if before:
            start, clause = before
        body = m.group("body")
        number = m.group("number")
        amds = re.sub(r"\s+", "", m.group("amds") or "").lstrip("+/")
        amds = re.sub(r"(?i)amd\.?", "A", amds).replace("/", "+")
        en = "EN " if m.group("en") else ""
        edition = m.group("year")
        norm = f"{en}{body} {number}" + (f":{edition}" if edition else "") + (f"+{amds}" if amds else "") + (f" {clause}" if clause else "")
        ref = {
            "authority": body,
            "document": f"{body} {number}",
            "number": number,
            "edition": edition,
            "amendment": amds or None,
            "clause": clause,
            "european": "yes" if en else None,
            "norm": norm,
        }
        out.append(Citation(start, m.end(), "standard", ref))
        end = m.end()
        while clause and (item := _CLAUSE_LIST.match(text, end)):
            out.append(_with_clause(out[-1], item.start("clause"), item.end(), item.group("clause")))
            end = item.end()
    return _later_clauses(text, out) if out else out


def _with_clause(citation: Citation, start: int, end: int, clause: str) -> Citation:
    """Another clause of the same standard ("... and 8.5.3"), as a citation of its own."""
    ref = dict(citation.ref)
    norm = ref["norm"].rsplit(" ", 1)[0] if ref.get("clause") else ref["norm"]
    ref.update(clause=clause, norm=f"{norm} {clause}")
    return Citation(start, end, "standard", ref)


def _later_clauses(text: str, found: list[Citation]) -> list[Citation]:
    """ "clause 8.5.3" later in a sentence that cited a standard: that standard's clause."""
    if "lause" not in text:
        return found
    out = list(found)
    for m in _CLAUSE_LATER.finditer(text):
        if any(c.start <= m.start() < c.end for c in found):
            continue
        before = [c for c in found if c.end <= m.start() and not re.search(r"[.;]\s", text[c.end : m.start()])]  # same sentence
        if before:
            out.append(_with_clause(before[-1], m.start(), m.end(), m.group("clause")))
    return sorted(out, key=lambda c: c.start)

def _clause_before(text: str, std_start: int) -> tuple[int, str] | None:
    window_start = max(0, std_start - 40)
    for m in CLAUSE_BEFORE.finditer(text, window_start, std_start + 8):
        if m.end() == std_start:
            return m.start(), m.group("pre")
    return None


_DIRECTIVE_BY_NAME = {"mdd": "93/42/EEC", "medicaldevicedirective": "93/42/EEC", "medicaldevicesdirective": "93/42/EEC", "ivdd": "98/79/EC", "aimdd": "90/385/EEC", "ivdr": "2017/746"}


_DIRECTIVE_TRIGGERS = ("/EEC", "/EC", "2017/74", "MDD", "IVD", "irective")


def find_directives(text: str) -> list[Citation]:
    out: list[Citation] = []
    if not any(t in text for t in _DIRECTIVE_TRIGGERS):
        return out
    for m in DIRECTIVE.finditer(text):
        number = m.group("dnum") or _DIRECTIVE_BY_NAME[re.sub(r"\W", "", m.group("dname")).lower()]
        out.append(Citation(m.start(), m.end(), "directive", {"authority": "EU", "document": number, "number": number, "norm": number}))
    return out


def find_programmes(text: str) -> list[Citation]:
    if "738" not in text:
        return []
    return [
        Citation(m.start(), m.end(), "programme", {"authority": "FDA", "document": f"CP {m.group('prog')}", "number": m.group("prog"), "norm": f"CP {m.group('prog')}"})
        for m in PROGRAMME.finditer(text)
    ]


def find_citations(text: str, checked: bool = False) -> list[Citation]:
    """Every citation in ``text``, in order; overlapping candidates resolve to the longest.

    ``checked``: the caller has just tested ``maybe_citation`` (each finder keeps its own guard).
    """
    if not checked and not maybe_citation(text):
        return []
    found = find_cfr(text) + find_standards(text) + find_directives(text) + find_programmes(text)
    found.sort(key=lambda c: (c.start, -(c.end - c.start)))
    out: list[Citation] = []
    for c in found:
        if out and c.start < out[-1].end and c.kind != out[-1].kind:
            continue  # e.g. "IEC 62304:2006" never also a CFR or programme number
        out.append(c)
    return out
