"""Layout heuristics for PDF page text: running headers/footers, paragraphs, headings.

PDFium gives lines, not structure. These rules rebuild what matching needs: paragraphs
whose wrapped lines are joined (so a citation broken over two lines, or over a page break
behind the running footer, is one string again) with hyphenated words rejoined.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

_DIGITS = re.compile(r"\d+")
_CONTROL = re.compile(r"(?i)\b(?:page\s+\d+\s*(?:of|/)\s*\d+|doc(?:ument)?\.?\s*(?:no|number|id|#)|rev(?:ision)?\b|effective)")
_HEADING = re.compile(r"^(?P<num>\d{1,2}(?:\.\d{1,2}){0,4})\.?\s+(?P<title>[A-Z][^.:;]{1,80})$")
_BULLET = re.compile(r"^(?:[\u2022\u25cf\u25aa\u2013*-]|\d{1,2}[.)]|[a-z][.)]|\([a-z0-9]{1,3}\))\s")


_TOP_ZONE, _BOTTOM_ZONE = 0.925, 0.08  # fractions of page height: running header / footer bands
_REPEAT_TOP, _REPEAT_BOTTOM = 0.88, 0.12  # wider bands for a line that repeats on most pages


@dataclass(frozen=True, slots=True)
class Line:
    page: int  # 1-based
    start: int  # PDFium character index of the first character
    text: str
    y: float = 0.5  # top of the first character, as a fraction of page height (1.0 = top edge)
    y_end: float = 0.5  # top of the last character (lower than y when PDFium joined a hyphenated line)


def line_spans(text: str) -> list[tuple[int, str]]:
    """Page text (PDFium joins lines with CR LF) -> (character index of the first character, stripped
    text) of each non-blank line (made `Line` by `doccheck.extract.pdf._placed`, with their heights)."""
    lines, pos = [], 0
    for raw in text.split("\r\n"):
        for part in raw.split("\n"):
            stripped = part.strip()
            if stripped:
                lines.append((pos + len(part) - len(part.lstrip()), stripped))
            pos += len(part) + 1
        pos += 1  # the CR of CR LF (the LF was counted above)
    return lines


def _shape(text: str) -> str:
    return _DIGITS.sub("#", text.lower())


def running_lines(pages: list[list[Line]]) -> tuple[set[tuple[int, int]], set[tuple[int, int]]]:
    """(page, start) of lines that are running headers and footers.

    NOTE: content-stream order says nothing about where a line sits (a footer is often
    drawn before the body), so the band a line's first character sits in decides; within
    a band, a line must repeat on half the pages (digit-blind), read like a control block,
    or be on a one-page document.
    """
    tops: Counter[str] = Counter()
    bottoms: Counter[str] = Counter()
    for lines in pages:
        tops.update({_shape(ln.text) for ln in lines if ln.y >= _REPEAT_TOP})
        bottoms.update({_shape(ln.text) for ln in lines if ln.y <= _REPEAT_BOTTOM})
    need = max(2, (len(pages) + 1) // 2)
    single = len(pages) == 1
    header: set[tuple[int, int]] = set()
    footer: set[tuple[int, int]] = set()
    for lines in pages:
        for ln in lines:
            if ln.y >= _REPEAT_TOP and tops[_shape(ln.text)] >= need and not single:
                header.add((ln.page, ln.start))
            elif ln.y <= _REPEAT_BOTTOM and bottoms[_shape(ln.text)] >= need and not single:
                footer.add((ln.page, ln.start))
            elif ln.y >= _TOP_ZONE and (single or _CONTROL.search(ln.text)):
                header.add((ln.page, ln.start))
            elif ln.y <= _BOTTOM_ZONE and (single or _CONTROL.search(ln.text)):
                footer.add((ln.page, ln.start))
    return header, footer


def heading_level(text: str) -> int:
    """1 for "5 Procedure", 2 for "5.1 Receipt", 0 for ordinary lines."""
    m = _HEADING.match(text)
    if m and len(text.split()) <= 8:
        return m.group("num").count(".") + 1
    return 0


def line_spacing(lines: list[Line]) -> float:
    """The usual distance between consecutive lines of a page (median), as a fraction of page height."""
    gaps = sorted(a.y_end - b.y for a, b in zip(lines, lines[1:]) if a.page == b.page and 0 < a.y_end - b.y < 0.1)
    return gaps[len(gaps) // 2] if gaps else 0.0


def paragraph_starts(lines: list[Line], wrap_width: int, spacing: float = 0.0) -> tuple[list[bool], list[int]]:
    """For each line, whether it starts a paragraph rather than continuing the line before; and its heading level.

    NOTE: a blank line between paragraphs never reaches the text, and PDFium joins a
    hyphenated line with the next (hiding a short last line), so the vertical gap decides first.
    Each line's heading level is worked out once here (it was three times: as the line, as the
    line before the next, and for the section path).
    """
    levels = [heading_level(ln.text) for ln in lines]
    starts, short_at, gap = [], 0.7 * wrap_width, 1.5 * spacing
    for i, line in enumerate(lines):
        if not i or levels[i] or levels[i - 1] or _BULLET.match(line.text):
            starts.append(True)
            continue
        prev = lines[i - 1]
        if spacing and prev.page == line.page and prev.y_end - line.y > gap:
            starts.append(True)
            continue
        short = len(prev.text) < short_at
        starts.append(short and (prev.text.endswith((".", ":", ";", "!", "?"))
                                 or (line.text[:1].isupper() and not prev.text.endswith(("-", ",")))))
    return starts, levels


def wrap_width(lines: list[Line]) -> int:
    """A typical full line length on these pages (the 80th percentile)."""
    lengths = sorted(len(ln.text) for ln in lines)
    return lengths[int(len(lengths) * 0.8)] if lengths else 80


def joins_hyphenated(prev_text: str, next_text: str) -> bool:
    """``Design His-`` + ``tory File``: a word broken at the line end."""
    return len(prev_text) > 1 and prev_text.endswith("-") and prev_text[-2].isalpha() and next_text[:1].islower()
