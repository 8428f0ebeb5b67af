"""The citation grammar: find clause references in text and normalise them.

Recognised: 21 CFR parts, sections, paragraphs, subparts, ranges and lists ("21 CFR
820.30(a), (b) and (c)", "§§ 820.100-820.198", "Part 820, Subpart C"); ISO/IEC/EN
standards with edition, amendment and an attached clause ("EN ISO 13485:2016+A11:2021
§4.2.3", "clause 7.3.2 of ISO 13485"); EU directives and regulations; FDA compliance
programmes. Bare "820.x" numbers count only with a paragraph tail or a regulatory word
nearby, so page numbers, prices, measurements and phone numbers stay untagged.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

PARA = r"(?:\((?:[a-z]{1,2}|\d{1,2}|[ivx]{1,5})\))"
_CFR = r"(?:\b21\s*)?(?:\bC\.\s?F\.\s?R\.?|\bCFR\b)"
_SECT_SIGN = r"(?:§§?|\bSecs?\.|\bSections?\b)"
_SEC = rf"(?P<sec>(?P<part>\d{{1,3}})\.(?P<num>\d{{1,4}}))(?P<para>{PARA}*)"
_UNIT_AFTER = re.compile(r"\s*(?:mm|cm|m|kg|g|mg|ml|l|v|hz|%|usd|eur|units?|pcs|pieces|dollars)\b", re.I)
_CONTEXT = re.compile(r"(?:\bCFR\b|\bC\.F\.R|§|\bQS[MR]{1,2}\b|\bFDA\b|\b[Pp]art\s*820\b|\b[Rr]egulation|\bQS\s+reg)")

CFR_SECTION = re.compile(rf"(?:(?P<cfr>{_CFR})\s*(?:[Pp]arts?\s*)?(?:{_SECT_SIGN}\s*)?|(?P<sign>{_SECT_SIGN})\s*){_SEC}(?![\d.]*\d)")
CFR_PART = re.compile(
    rf"{_CFR}\s*(?:[Pp]arts?\s*)?(?P<part>\d{{1,3}})(?![\d.]*\d)(?:\s*,?\s*(?:[Ss]ubpart|[Ss]ubchapter)\s+(?P<sub>[A-O])\b)?"
)
BARE_SECTION = re.compile(rf"(?<![\w$.,/\-])(?P<sec>(?P<part>8[0-9]{{2}})\.(?P<num>\d{{1,3}}))(?P<para>{PARA}*)(?![\d.]*\d|\w)")
SUBPART = re.compile(r"\b[Ss]ubpart\s+(?P<sub>[A-O])\b(?:\s*(?:of|,|in)\s*(?:21\s*CFR\s*)?[Pp]art\s*820\b)?")
CONTINUATION = re.compile(
    rf"\s*(?:,|;|\band\b|\bor\b|&|,\s*and\b|,\s*or\b)\s*(?:{_SECT_SIGN}\s*)?(?:(?P<sec>(?P<part>\d{{1,3}})\.(?P<num>\d{{1,4}}))(?P<para>{PARA}*)(?![\d.]*\d)|(?P<onlypara>{PARA}+))"
)
RANGE = re.compile(
    rf"\s*(?:-|–|—|\bthrough\b|\bthru\b|\bto\b)\s*(?:{_SECT_SIGN}\s*)?"
    rf"(?:(?:(?P<part>\d{{1,3}})\.)?(?P<num>\d{{1,4}})(?P<para>{PARA}*)(?![\d.]*\d)|(?P<onlypara>{PARA}+))"
)

_BODY = r"(?P<body>ISO/IEC|IEC/ISO|ISO/TR|ISO/TS|IEC/TR|ISO|IEC)"
_STD_CORE = (
    rf"(?P<en>\b(?:BS\s+|DIN\s+)?EN\s+)?\b{_BODY}\s*(?P<number>\d{{3,5}}(?:-\d{{1,2}}(?!\d)){{0,2}})"
    r"(?:\s*[:\-]\s*(?P<year>(?:19|20)\d\d)(?!\d))?"
    r"(?P<amds>(?:\s*[+/]\s*(?:A|AMD|Amd\.?\s*)\d{1,2}(?:\s*:\s*(?:19|20)\d\d)?)*)"
)
_CLAUSE_NUM = r"(?P<clause>\d{1,2}(?:\.\d{1,2}){0,4})"
STANDARD = re.compile(
    _STD_CORE
    + rf"(?:\s*,?\s*(?:[Cc]lause|[Cc]l\.|[Ss]ection|[Ss]ec\.|§)\s*{_CLAUSE_NUM}|\s*[,\s]\s*(?P<clause2>\d{{1,2}}\.\d{{1,2}}(?:\.\d{{1,2}}){{0,3}})(?![\d.]*\d))?"
)
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

# Literal triggers: a block holding none of them holds no citation. Plain substring tests
# run at memory speed, far faster than one regex alternation over the same words.
TRIGGERS = ("CFR", "C.F.R", "§", "ISO", "IEC", "ubpart", "/EEC", "/EC", "2017/74", "MDD", "IVD", "738", "irective", "Sec")
_BARE_TRIGGER = re.compile(r"8\d\d\.\d")


def maybe_citation(text: str) -> bool:
    """Cheap test: can ``text`` hold a citation at all?"""
    return any(t in text for t in TRIGGERS) or bool(_BARE_TRIGGER.search(text))


@dataclass(frozen=True)
class Citation:
    """One reference found in text: where it is and what it points to."""

    start: int
    end: int
    kind: str  # cfr | standard | directive | programme
    ref: dict[str, str | None] = field(default_factory=dict)

    @property
    def norm(self) -> str:
        return self.ref.get("norm") or ""


def _norm_para(para: str | None) -> str:
    return re.sub(r"\s+", "", para or "")


def _cfr(start: int, end: int, part: str, sec: str | None, para: str | None = None, **extra: str | None) -> Citation:
    ref: dict[str, str | None] = {"authority": "21 CFR", "document": f"21 CFR {part}", "part": part, "section": sec, "paragraph": _norm_para(para) or None}
    ref.update(extra)
    norm = f"21 CFR {sec}{_norm_para(para)}" if sec else f"21 CFR Part {part}"
    if extra.get("subpart"):
        norm += f", Subpart {extra['subpart']}"
    if extra.get("range_end"):
        norm += f" to {extra['range_end']}"
    ref["norm"] = norm
    return Citation(start, end, "cfr", ref)


def _cfr_tail(text: str, first: Citation, out: list[Citation]) -> int:
    """Ranges and lists after a section cite: each item becomes its own citation."""
    end = first.end
    m = RANGE.match(text, end)
    if m and first.ref["section"]:
        part = m.group("part") or first.ref["part"]
        if m.group("onlypara") and first.ref["paragraph"]:  # "820.198(a) through (e)"
            range_end = f"{first.ref['section']}{_sibling(first.ref['paragraph'], m.group('onlypara'))}"
        elif m.group("num") and part == first.ref["part"]:
            range_end = f"{part}.{m.group('num')}{_norm_para(m.group('para'))}"
        else:
            range_end = None
        if range_end:
            out[-1] = _cfr(first.start, m.end(), first.ref["part"] or "", first.ref["section"], first.ref["paragraph"], range_end=range_end)
            end = m.end()
    section, part = first.ref["section"], first.ref["part"]
    while True:
        m = CONTINUATION.match(text, end)
        if not m:
            return end
        if m.group("sec"):
            if m.group("part") != part:
                return end
            section = m.group("sec")
            item_start = m.start("sec")
            out.append(_cfr(item_start, m.end(), part or "", section, m.group("para")))
        else:
            item_start = m.start("onlypara")
            out.append(_cfr(item_start, m.end(), part or "", section, _sibling(out[-1].ref.get("paragraph"), m.group("onlypara"))))
        end = m.end()


def _known_part(sign: str, part: str) -> bool:
    """Without "CFR": "§ 11.10" needs a CFR part doccheck knows; "Section 4.2" needs a Part 8xx section."""
    if sign.startswith("§"):
        return part in _cfr_parts()
    return len(part) == 3 and part.startswith("8")


@functools.cache
def _cfr_parts() -> frozenset[str]:
    from doccheck.resources import corpus

    return frozenset(corpus("part820.yaml")["other_parts"])


_ROMAN = re.compile(r"^[ivx]{1,5}$")


def _para_types(parts: list[str]) -> list[str]:
    """CFR paragraph levels: (a) letter, (1) number, (i) roman (roman only below a number)."""
    types: list[str] = []
    for p in parts:
        if p.isdigit():
            types.append("num")
        elif _ROMAN.match(p) and "num" in types:
            types.append("roman")
        else:
            types.append("letter")
    return types


def _sibling(previous: str | None, paras: str) -> str:
    """ "(a)(2)" then "(b)" -> "(b)"; "(a)(1)" then "(2)" -> "(a)(2)": the new item replaces its own level."""
    prev = re.findall(r"\(([^)]*)\)", previous or "")
    new = re.findall(r"\(([^)]*)\)", paras)
    prev_types, new_types = _para_types(prev), _para_types(prev + new)[len(prev) :]
    head = new_types[0] if new_types else "letter"
    keep = prev_types.index(head) if head in prev_types else len(prev)
    return "".join(f"({p})" for p in prev[:keep]) + paras


def occurrences(text: str, literal: str) -> Iterator[int]:
    """Every position of ``literal`` in ``text`` (overlapping ones too)."""
    i = text.find(literal)
    while i != -1:
        yield i
        i = text.find(literal, i + 1)


def _before(text: str, at: int, words: tuple[str, ...]) -> Iterator[int]:
    """Where one of ``words`` ends just before ``at``, white space between ("21 CFR", "EN ISO")."""
    j = at
    while j > 0 and text[j - 1].isspace():
        j -= 1
    for word in words:
        if text.startswith(word, j - len(word)):
            yield j - len(word)


def _cfr_starts(text: str, signs: bool) -> list[int]:
    """Every position where a `_CFR`-led match (and with ``signs``, a §/Sec-led one) can start."""
    starts = set()
    for literal in ("CFR", "C."):
        for i in occurrences(text, literal):
            starts.add(i)
            starts.update(_before(text, i, ("21",)))
    if signs:
        for literal in ("§", "Sec"):
            starts.update(occurrences(text, literal))
    return sorted(starts)


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


def _has_context(text: str, start: int, end: int) -> bool:
    return bool(_CONTEXT.search(text, max(0, start - 60), min(len(text), end + 40)))


def find_cfr(text: str) -> list[Citation]:
    out: list[Citation] = []
    taken: list[tuple[int, int]] = []

    def free(s: int, e: int) -> bool:
        return all(e <= a or s >= b for a, b in taken)

    has_cfr = "CFR" in text or "C.F.R" in text
    for m in _anchored(CFR_SECTION, text, _cfr_starts(text, signs=True)) if has_cfr or "§" in text or "Sec" in text else ():
        if _UNIT_AFTER.match(text, m.end()) and not m.group("para"):
            continue
        if not m.group("cfr") and not _known_part(m.group("sign"), m.group("part")):
            continue  # "Section 4.2 of this procedure" is the document's own numbering
        if not free(m.start(), m.end()):
            continue  # already read as an item of a list
        out.append(_cfr(m.start(), m.end(), m.group("part"), m.group("sec"), m.group("para")))
        end = _cfr_tail(text, out[-1], out)
        taken.append((m.start(), end))
    for m in _anchored(CFR_PART, text, _cfr_starts(text, signs=False)) if has_cfr else ():
        if free(m.start(), m.end()):
            out.append(_cfr(m.start(), m.end(), m.group("part"), None, None, subpart=m.group("sub")))
            end = _cfr_tail_parts(text, m.end(), out)
            taken.append((m.start(), end))
    for m in _anchored(BARE_SECTION, text, [t.start() for t in _BARE_TRIGGER.finditer(text)]):  # "8xx.x": where it can start
        if not free(m.start(), m.end()) or _UNIT_AFTER.match(text, m.end()):
            continue
        if m.group("para") or _has_context(text, m.start(), m.end()):
            out.append(_cfr(m.start(), m.end(), m.group("part"), m.group("sec"), m.group("para")))
            end = _cfr_tail(text, out[-1], out)
            taken.append((m.start(), end))
    for m in _anchored(SUBPART, text, [i - 1 for i in occurrences(text, "ubpart") if i]):
        if free(m.start(), m.end()) and (m.group(0).rstrip().endswith("820") or _has_context(text, m.start(), m.end())):
            out.append(_cfr(m.start(), m.end(), "820", None, None, subpart=m.group("sub")))
            taken.append((m.start(), m.end()))
    return out


_PART_LIST = re.compile(r"\s*(?:,|\band\b|\bor\b|&|,\s*and\b)\s*(?P<part>\d{2,3})(?![\d.]*\d)(?!\s*(?:mm|cm|kg|g|ml|units?|%))")


def _cfr_tail_parts(text: str, end: int, out: list[Citation]) -> int:
    """ "21 CFR Parts 803 and 806": the later parts are citations too."""
    while True:
        m = _PART_LIST.match(text, end)
        if not m:
            return end
        out.append(_cfr(m.start("part"), m.end(), m.group("part"), None, None))
        end = m.end()


def find_standards(text: str) -> list[Citation]:
    out: list[Citation] = []
    if "ISO" not in text and "IEC" not in text:
        return out
    for m in _anchored(STANDARD, text, _standard_starts(text)):
        start = m.start()
        clause = m.group("clause") or m.group("clause2")
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
    return out


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
