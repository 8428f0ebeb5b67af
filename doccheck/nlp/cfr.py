"""21 CFR citations in the spellings real documents use.

The grammar reads each section number first and then looks around it:

* before it, an anchor: ``21 CFR``, ``21CFR``, ``21.CFR.``, ``C.F.R.``, the typo ``CRF``,
  ``§``/``§§``, ``Sec.``, ``Section(s)`` or ``Part(s)`` (``Parts 820.100 through 820.198``);
* after it, the paragraph tail in any of three spellings: bracketed ``(c)(2)`` (also after a
  space), dotted ``.c.2`` (``21.CFR.820.30.c.2``) and glued ``820.100a2`` / ``820.70c,d``;
  then a range (``820.181-198``, ``§820.150-160``, ``820.198(a) through (e)``) and a list
  (``21 CFR 820.30, 820.70`` is two citations; ``820.3(z) and (aa)`` is one).

A number with an anchor is a citation (evidence ``anchored``). A bare ``8xx.x`` is one when
its paragraph tail (``paragraph``) or a regulatory word close by (``nearby``) says so;
otherwise it comes back as a candidate (evidence ``bare``) for the document-level context
pass (`doccheck.nlp.context`), which accepts it when its table column, its heading or the
document is about Part 820. Part citations (``21 CFR Part 820``, ``Parts 803 and 806``,
``CFR 21 Part 820``) and subparts (``Subpart C``, ``SUBPART G - PRODUCTION ...``) are read
the same way; a list of subparts (``Subparts C and D``) is one citation per subpart, a range
(``Subparts B-O``) one citation. Glued text from PDF text layers (``820.30Design``) ends the number, and a
section glued to its anchor (``21CFR820.72``) is still one.
"""

from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Callable

import re2

from doccheck.nlp.citation import Citation
from doccheck.resources import corpus

PARA = r"(?:[a-z]{1,2}|\d{1,2}|[ivx]{1,5})"
# A section number: not inside a longer number, word, price, path or document id, except
# glued to its anchor ("21CFR820.72"); "820.30.1" and "820.555.1234" are not sections.
# NOTE: the pattern starts with the digits so the regex engine skips to them at C speed; what may
# stand before a number is checked in Python (`_free_before`): a lookbehind alternation in front
# made the engine try every position (measured 3x slower on citation-dense text).
_NUMBER = re.compile(r"(?<!\d)(?P<part>\d{1,3})\.(?P<num>\d{1,4})(?!\d|\.\d)")
_GLUED_ANCHORS = ("CFR", "cfr", "Cfr", "CRF", "crf", "ection", "ECTION", "Sec", "SEC", "art", "ART")
_CFR_WORD = r"(?:C\.\s?F\.\s?R\.?|[Cc][Ff][Rr]\.?|CRF\.?|[Cc]rf\.?)"
_SIGN = r"(?:§§?|[Ss]ecs?\.?|[Ss]ections?|SECTIONS?|SEC\.?)"
_PART_WORD = r"(?:[Pp]arts?|PARTS?|[Pp]t\.)"
# The anchor that ends where a section number starts (searched backwards from the number).
_ANCHOR = re.compile(
    rf"(?:(?:(?<![\d.])(?P<title>\d{{1,2}})\s?\.?\s?)?(?<![A-Za-z]){_CFR_WORD}(?:\s?(?P<title2>21)(?=\s?[Pp]))?"
    rf"(?:[\s.,]{{0,2}}{_PART_WORD})?(?:[\s.,]{{0,2}}{_SIGN})?"
    rf"|(?<![A-Za-z])(?P<sign>{_SIGN}|{_PART_WORD}))[\s.]{{0,2}}\Z"
)
_ANCHOR_REACH = 40
_BRACKETED = re.compile(rf"(?:\s?\({PARA}\))+")
_DOTTED = re.compile(r"\.(?P<first>[a-z]{1,2})(?P<rest>(?:\.(?:\d{1,2}|[ivx]{1,5}|[a-z]{1,2}))*)(?!\w|\.\w)")
_GLUED = re.compile(r"(?P<letter>[a-z]{1,2})(?P<digit>\d{1,2})?(?![a-z])")
_GLUED_MORE = re.compile(r"(?:\s?,\s?|\s(?:and|or|&)\s)(?P<letter>[a-z]{1,2})(?P<digit>\d{1,2})?(?!\w)")
_TO = r"(?:\s?[-–—]\s?|\s(?:through|thru|to)\s)"  # what joins a range: "820.181-198", "Subparts B through O"
_RANGE = re.compile(
    rf"{_TO}(?:§§?\s?)?"
    rf"(?:(?:(?P<part>\d{{1,3}})\.)?(?P<num>\d{{1,4}})(?!\d|\.\d)(?P<para>(?:\({PARA}\))*)|(?P<onlypara>(?:\s?\({PARA}\))+))"
)
_LIST = re.compile(rf"(?P<sep>\s?[,;/&]\s?(?:(?:and|or)\s)?|\s(?:and|or)\s)(?P<sign>{_SIGN}\s?)?")
_LIST_ITEM = re.compile(r"(?P<part>\d{1,3})\.(?P<num>\d{1,4})(?!\d|\.\d)")
_SHORT_ITEM = re.compile(r"\.(?P<num>\d{1,3})(?!\d|\.\d)")  # "820.181, .184 and .186": the part said once
_ONLY_PARA = re.compile(rf"(?:\({PARA}\))+")
_UNIT_AFTER = re.compile(r"\s?(?:mm|cm|m|kg|g|mg|ml|l|v|hz|%|usd|eur|units?|pcs|pieces|dollars|days?|hours?|kpa|psi|bar|nm|um|µm|mmhg|ppm|rpm|lbs?)\b", re.I)
# A bare number right after a word that names another kind of number: "part number 820.30", "Lot 820.198",
# or the document's own numbering: "Table 820.40", "Step 820.30"
_ID_BEFORE = re.compile(r"(?<![A-Za-z])(?:part\s*(?:number|no\.?|#)|p/n|item|model|lot|batch|serial(?:\s*(?:number|no\.?))?|s/n|sku|"
                        r"version|catalog(?:ue)?(?:\s*(?:number|no\.?))?|cat\.|order|invoice|tel\.?|phone|fax|room|"
                        r"table|figure|fig\.|step|page|exhibit|chart|drawing|dwg\.?)\s*[:#]?\s*$", re.I)
_PART_CITE = re.compile(
    rf"(?:(?<![\d.])(?P<title>\d{{1,2}})\s?\.?\s?)?(?<![A-Za-z]){_CFR_WORD}(?:\s?(?P<title2>21)(?=\s?[Pp]))?"
    rf"[\s.,]{{0,2}}(?:{_PART_WORD}\s?)?(?P<part>\d{{1,3}})(?!\d|\.\d)"
    r"(?:[\s,;:–—-]{0,4}(?:[Ss]ubparts?|SUBPARTS?)\s?(?P<sub>[A-O])(?![A-Za-z0-9])"
    rf"(?:{_TO}(?P<subend>[A-O])(?![A-Za-z0-9]))?)?"  # "21 CFR 820 Subparts B through O"
)
_PART_LIST = re.compile(r"\s?(?:,|\band\b|\bor\b|&|,\s?and\b)\s?(?P<part>\d{2,3})(?!\d|\.\d)(?!\s?(?:mm|cm|kg|g|ml|units?|%|C\.?\s?F|CRF|cfr))")
_SUBPART_SEP = rf"(?:\s?,\s?(?:and\s|or\s)?|\s(?:and|or|&)\s|{_TO})"
_SUBPART = re.compile(
    r"(?<![A-Za-z])(?:[Ss]ubparts?|SUBPARTS?)\s?(?P<sub>[A-O])(?![A-Za-z0-9])"
    rf"(?P<more>(?:{_SUBPART_SEP}[A-O](?![A-Za-z0-9]))*)"  # "Subparts B and C", "Subparts C, D and E", "Subparts B-O"
    r"(?P<of>\s?(?:of|in|,)\s?(?:21\s?CFR\s?)?(?:[Pp]art\s?)?820\b(?!\.\d))?"
    r"(?:\s?[-–—:.]\s?(?P<title>[A-Za-z]+))?"
)
_SUBPART_ITEM = re.compile(rf"(?P<sep>{_SUBPART_SEP})(?P<sub>[A-O])")
_SUBPART_RANGE = re.compile(_TO)
_OTHER_PART = re.compile(r"\b[Pp]arts?\s?(?P<part>\d{1,3})\b(?!\.\d)")
_CFR_LITERALS = ("CFR", "cfr", "Cfr", "CRF", "crf", "C.F", "C. F")


@functools.cache
def _facts() -> tuple[frozenset[str], dict[str, frozenset[str]], re2._Regexp]:
    """Known CFR parts, first-level paragraphs of each Part 820 section (both versions), nearby words."""
    data = corpus("part820.yaml")
    paragraphs: dict[str, set[str]] = {}
    for version in ("qsr", "qmsr"):
        for section, info in data[version]["sections"].items():
            paragraphs.setdefault(section, set()).update(info["paragraphs"])
    # NOTE: RE2 (one DFA pass; its \b is ASCII's): `re` ran this alternation at ~20 MB/s over every block with a bare number
    nearby = re2.compile("|".join(f"(?:{p})" for p in data["context"]["nearby"]))
    return frozenset(data["other_parts"]), {s: frozenset(p) for s, p in paragraphs.items()}, nearby


def _free_before(text: str, i: int) -> bool:
    """No word, price, path or document id runs into the number at ``i`` (its own anchor may: "21CFR820.72")."""
    if i == 0:
        return True
    ch = text[i - 1]
    if ch.isalnum() or ch in "$/#@-_":
        return ch.isalpha() and text.endswith(_GLUED_ANCHORS, 0, i)
    return not (ch == "." and i > 1 and text[i - 2].isdigit())


# What a block must hold to hold a CFR citation (a regex source, searched with the other grammars' triggers)
CFR_TRIGGER = r"[Cc][Ff][Rr]|CRF|crf|C\.\s?F|§|[uU][bB][pP][aA][rR][tT]|8\d\d\.\d"


def cfr(start: int, end: int, part: str, sec: str | None, para: str | None = None, evidence: str = "anchored", **extra: str | None) -> Citation:
    ref: dict[str, str | None] = {"authority": "21 CFR", "document": f"21 CFR {part}", "part": part, "section": sec, "paragraph": para or None}
    ref.update({k: v for k, v in extra.items() if v})
    norm = f"21 CFR {sec}{para or ''}" if sec else f"21 CFR Part {part}"
    if extra.get("also"):
        norm += f", {extra['also']}"
    if extra.get("subpart"):
        norm += f", Subpart {extra['subpart']}"
    if extra.get("subpart_end"):
        norm += f" to Subpart {extra['subpart_end']}"
    if extra.get("range_end"):
        norm += f" to {extra['range_end']}"
    ref["norm"] = norm
    return Citation(start, end, "cfr", ref, evidence)


def _anchor(text: str, pos: int, part: str) -> int | None:
    """Start of the anchor that ends at the section number at ``pos``, or None."""
    m = _ANCHOR.search(text, max(0, pos - _ANCHOR_REACH), pos)
    if m is None:
        return None
    if m.group("sign") is None:  # a CFR anchor: title 21 only ("40 CFR 60.5" is another title)
        return m.start() if (m.group("title") or "21") == "21" else None
    known, _, _ = _facts()
    if m.group("sign").startswith("§"):
        return m.start() if part in known else None
    return m.start() if len(part) == 3 and part.startswith("8") else None  # "Section 4.2" is the document's own numbering


def _sibling(previous: str | None, paras: str) -> str:
    """ "(a)(2)" then "(b)" -> "(b)"; "(a)(1)" then "(2)" -> "(a)(2)": the new item replaces its own level."""
    prev = re.findall(r"\(([^)]*)\)", previous or "")
    new = re.findall(r"\(([^)]*)\)", paras)
    prev_types, new_types = _para_types(prev), _para_types(prev + new)[len(prev) :]
    head = new_types[0] if new_types else "letter"
    keep = prev_types.index(head) if head in prev_types else len(prev)
    return "".join(f"({p})" for p in prev[:keep]) + paras


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


def _paragraph_tail(text: str, pos: int, section: str) -> tuple[int, str, str | None]:
    """Paragraphs after a section number in any spelling: (end, "(c)(2)", extra items "(d)")."""
    m = _BRACKETED.match(text, pos)
    if m:
        return m.end(), re.sub(r"\s", "", m.group(0)), None
    if section.startswith("820."):
        known = _facts()[1].get(section, frozenset())
        m = _DOTTED.match(text, pos)
        if m and m.group("first") in known:
            items = [m.group("first"), *(x for x in m.group("rest").split(".") if x)]
            return m.end(), "".join(f"({x})" for x in items), None
        m = _GLUED.match(text, pos)
        if m and m.group("letter") in known:
            para = f"({m.group('letter')})" + (f"({m.group('digit')})" if m.group("digit") else "")
            end, more = m.end(), []
            while (n := _GLUED_MORE.match(text, end)) and n.group("letter") in known:
                more.append(f"({n.group('letter')})" + (f"({n.group('digit')})" if n.group("digit") else ""))
                end = n.end()
            return end, para, ", ".join(more) or None
    return pos, "", None


def _section_at(text: str, m: re.Match[str], evidence: str, part: str | None = None) -> tuple[Citation, int]:
    """The citation whose section number ``m`` matched: paragraphs, a range, merged paragraph items
    (``part``: the list's, when ``m`` is an item without one)."""
    part = part or m.group("part")
    sec = f"{part}.{m.group('num')}"
    end, para, also = _paragraph_tail(text, m.end(), sec)
    extra: dict[str, str | None] = {"also": also}
    r = _RANGE.match(text, end)
    if r:
        if r.group("onlypara") and para:  # "820.198(a) through (e)"
            extra["range_end"] = sec + _sibling(para, re.sub(r"\s", "", r.group("onlypara")))
            end = r.end()
        elif r.group("num") and (r.group("part") or part) == part and int(r.group("num")) > int(m.group("num")):
            extra["range_end"] = f"{part}.{r.group('num')}{r.group('para') or ''}"
            end = r.end()
    while not extra.get("range_end"):  # "820.3(z) and (aa)": one citation of several paragraphs
        n = _LIST.match(text, end)
        if not n or ";" in n.group("sep") or not para:
            break
        p = _ONLY_PARA.match(text, n.end())
        if not p:
            break
        extra["also"] = ", ".join(filter(None, [extra.get("also"), _sibling(para, p.group(0))]))
        end = p.end()
    return cfr(m.start(), end, part, sec, para, evidence, **extra), end


def _cues(text: str) -> list[tuple[int, int]]:
    """Where the words that make a nearby number a CFR citation are ("FDA", "§", "Part 820")."""
    return [m.span() for m in _facts()[2].finditer(text)]


def _bare_evidence(text: str, start: int, end: int, part: str, para: str | None, cues: list[tuple[int, int]]) -> str | None:
    """Why a bare number is a citation by itself (``paragraph``, ``nearby``), "bare" to ask the context, None: it is not.

    ``cues``: `_cues` of the text, found once (a search of each number's window cost 13 us).
    """
    if _UNIT_AFTER.match(text, end) or (not para and _ID_BEFORE.search(text, max(0, start - 24), start)):
        return None
    low, high = max(0, start - 60), min(len(text), end + 40)
    at = bisect.bisect_left(cues, (low, -1))
    if at < len(cues) and cues[at][1] <= high:
        return "nearby"
    if para:
        return "paragraph"
    return "bare" if part == "820" else None


def find_sections(text: str) -> list[Citation]:
    """Section citations (with their lists), in order; bare candidates have evidence ``bare``."""
    out: list[Citation] = []
    taken = 0
    known = _facts()[0]
    cues: list[tuple[int, int]] | None = None
    for m in _NUMBER.finditer(text):
        if m.start() < taken or not _free_before(text, m.start()):
            continue
        part = m.group("part")
        bare = len(part) == 3 and part.startswith("8")
        if part not in known and part != "820" and not bare:
            continue
        start = _anchor(text, m.start(), part)
        if start is None and not bare:
            continue
        citation, end = _section_at(text, m, "anchored")
        if start is not None:
            citation = Citation(start, end, "cfr", citation.ref, "anchored")
        else:
            cues = _cues(text) if cues is None else cues
            evidence = _bare_evidence(text, m.start(), end, part, citation.ref.get("paragraph"), cues)
            if evidence is None:
                continue
            citation = Citation(m.start(), end, "cfr", citation.ref, evidence)
        out.append(citation)
        taken = _list_items(text, citation, out)
    return out


def _list_items(text: str, first: Citation, out: list[Citation]) -> int:
    """ "21 CFR 820.30, 820.70": later sections of the same part are citations with the first one's evidence;
    so are ".184" and ".186" in "21 CFR 820.181, .184 and .186", when the part has such a section."""
    end, part = first.end, first.ref["part"]
    while True:
        n = _LIST.match(text, end)
        if not n:
            return end
        m = _LIST_ITEM.match(text, n.end())
        if m and m.group("part") == part:
            citation, end = _section_at(text, m, first.evidence)
        elif (m := _SHORT_ITEM.match(text, n.end())) and f"{part}.{m.group('num')}" in _facts()[1]:
            citation, end = _section_at(text, m, first.evidence, part)
        else:
            return end
        if n.group("sign"):  # "820.184 and Sec. 820.22": the item's own sign is part of it
            citation = Citation(n.start("sign"), citation.end, "cfr", citation.ref, citation.evidence)
        out.append(citation)


def find_parts(text: str, taken: Callable[[int, int], bool]) -> list[Citation]:
    """ "21 CFR Part 820", "21 CFR 820, Subpart C", "21 CFR Parts 803 and 806" (never a section)."""
    out: list[Citation] = []
    starts = sorted({i for lit in _CFR_LITERALS for i in _occurrences(text, lit)})
    end = 0
    for i in starts:
        if i < end:
            continue
        window = max(end, i - 4)  # "21 CFR": the title may start a few characters before the literal
        m = next((m for m in (_PART_CITE.match(text, s) for s in range(window, i + 1)) if m and m.start() <= i < m.end()), None)
        if m is None or taken(m.start(), m.end()):
            continue
        if (m.group("title") or "21") != "21":
            end = m.end()  # "40 CFR 60": another title's citation
            continue
        out.append(cfr(m.start(), m.end(), m.group("part"), None, subpart=m.group("sub"), subpart_end=m.group("subend")))
        end = m.end()
        while n := _PART_LIST.match(text, end):
            out.append(cfr(n.start("part"), n.end(), n.group("part"), None))
            end = n.end()
    return out


@functools.cache
def _subpart_titles() -> dict[str, frozenset[str]]:
    """First word of each Part 820 subpart's title, in either version: "C" -> {"design"}."""
    data = corpus("part820.yaml")
    titles: dict[str, set[str]] = {}
    for version in ("qsr", "qmsr"):
        for letter, title in data[version]["subparts"].items():
            titles.setdefault(letter, set()).add(title.split()[0].lower())
    return {k: frozenset(v) for k, v in titles.items()}


def find_subparts(text: str, taken: Callable[[int, int], bool]) -> list[Citation]:
    """ "Subpart C", "SUBPART G – PRODUCTION ...": of Part 820 when said, nearby or (context pass) in context.

    A title after the letter must be Part 820's: "Subpart C—Electronic Signatures" is Part 11's.
    """
    out: list[Citation] = []
    if "ubpart" not in text and "UBPART" not in text:
        return out
    nearby = _facts()[2]
    for m in _SUBPART.finditer(text):
        items = [(n.group("sub"), n.start("sub"), _SUBPART_RANGE.fullmatch(n.group("sep")) is not None)
                 for n in _SUBPART_ITEM.finditer(m.group("more"))]
        last = items[-1][0] if items else m.group("sub")
        if m.group("title") and m.group("title").lower() not in _subpart_titles().get(last, frozenset()):
            continue
        first_taken = taken(m.start(), m.end("sub"))  # NOTE: the letter; its "of 21 CFR Part 820" is the Part citation find_cfr gives up for it
        if m.group("of") or first_taken:  # "21 CFR 820 Subparts C and D": the Part citation took "C", and anchors "D"
            evidence = "anchored"
        else:
            window = text[max(0, m.start() - 60) : m.end() + 40]
            other = [p for p in _OTHER_PART.findall(window) if p != "820"]
            if other:
                continue  # "Part 11, ... Subpart B": another part's subpart
            evidence = "nearby" if nearby.search(window) else "bare"
        # a list is one citation per item, a range ("B-O", "C, D-F") one citation; the last one reaches its "of Part 820"
        groups = [[m.group("sub"), m.group("sub"), m.start(), m.end("sub")]]  # first letter, last letter, span
        base = m.start("more")
        for letter, at, is_range in items:
            if is_range:
                groups[-1][1], groups[-1][3] = letter, base + at + 1
            else:
                groups.append([letter, letter, base + at, base + at + 1])
        groups[-1][3] = m.end("of") if m.group("of") else groups[-1][3]
        for n, (first, upto, start, stop) in enumerate(groups):
            if n or not first_taken:  # the Part citation holds the first item (and its range) already
                out.append(cfr(start, stop, "820", None, None, evidence, subpart=first, subpart_end=upto if upto != first else None))
    return out


def _occurrences(text: str, literal: str) -> list[int]:
    found, i = [], text.find(literal)
    while i != -1:
        found.append(i)
        i = text.find(literal, i + 1)
    return found


def find_cfr(text: str) -> list[Citation]:
    """Every 21 CFR citation in ``text`` (bare candidates included, evidence ``bare``), in order."""
    sections = find_sections(text) if _NUMBER.search(text) else []
    spans = [(c.start, c.end) for c in sections]

    def taken(s: int, e: int) -> bool:
        return any(s < b and e > a for a, b in spans)

    parts = find_parts(text, taken) if any(lit in text for lit in _CFR_LITERALS) else []
    spans += [(c.start, c.end) for c in parts]
    subparts = find_subparts(text, taken)
    # "Subpart J of 21 CFR Part 820": one citation of the subpart, not that and a citation of the Part
    parts = [c for c in parts if not any(s.start <= c.start and c.end <= s.end for s in subparts)]
    found = sections + parts + subparts
    found.sort(key=lambda c: c.start)
    return found
