"""A PDF's first-page control table, read from PDFium's own geometry (no layout engine).

Word and LibreOffice exports draw a header table as thin filled rectangles or lines (PDF
path objects); PDFium's text rectangles (`PdfTextPage.get_rect`) are the text fragments of
each line. A fragment belongs to the cell whose border lines enclose its centre; a cell's
fragments, top to bottom, are its text. How two fragments join says what the wrap was:

* ``"Networks, "`` + ``"LLC"``: the fragment kept its space, a wrap between words;
* ``"RE"`` + ``"V:"``: a short fragment without one, a label broken inside a narrow cell;
* ``"QP\\ufffe"`` + ``"0017"``: PDFium's mark of a hyphen at the line end; the hyphen stays
  before a digit or capital (``QP-0017``) and goes inside a word (``Manage-`` ``ment``).

Measured here: pdfplumber's table finder cost ~0.37 s per PDF page; this reads the same
cells from objects PDFium has already parsed. pdfplumber is asked only when border lines
are there but no text falls inside them (its own text extraction may still read the cells),
and only on that region.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

_T = TypeVar("_T")

_THIN = 2.5  # points: a path this thin is a border line
_EDGE = 1.5  # points of slack when a line meets a fragment
_TOP_SHARE = 0.45  # a control table sits in the top part of the first page
_MAX_RECTS = 400  # text fragments looked at (a dense page has thousands; the table is at the top)
_HYPHEN_MARKS = ("\ufffe", "\x02", "-")  # PDFium's joined-hyphen mark as get_text_range and get_text_bounded give it


@dataclass(frozen=True)
class _Line:
    at: float  # y of a horizontal line, x of a vertical one
    lo: float  # where it starts along its own direction
    hi: float


def _lines(page: Any, height: float) -> tuple[list[_Line], list[_Line]]:
    """Horizontal and vertical border lines in the top part of the page.

    A thin path is a line; a box (a stroked or shaded cell) gives its four edges. Anything
    taller than a control table (a page frame, a side bar) is not a cell border.
    """
    import pypdfium2.raw as raw

    horizontal, vertical = [], []
    floor, tallest = height * (1 - _TOP_SHARE), height * _TOP_SHARE
    for obj in page.get_objects(max_depth=3):
        if obj.type != raw.FPDF_PAGEOBJ_PATH:
            continue
        left, bottom, right, top = obj.get_bounds()
        if top < floor or top - bottom > tallest:
            continue
        if top - bottom <= _THIN and right - left >= 8:
            horizontal.append(_Line((top + bottom) / 2, left, right))
        elif right - left <= _THIN and top - bottom >= 5:
            vertical.append(_Line((left + right) / 2, bottom, top))
        elif right - left >= 8 and top - bottom >= 5:
            horizontal += [_Line(top, left, right), _Line(bottom, left, right)]
            vertical += [_Line(left, bottom, top), _Line(right, bottom, top)]
    # NOTE: a border meets another border; an underline or a rule inside a cell meets none
    return [h for h in horizontal if _meets(h, vertical)], [v for v in vertical if _meets(v, horizontal)]


def _meets(line: _Line, others: list[_Line]) -> bool:
    """Whether one end of ``line`` touches a line of the other direction (at a corner or a T)."""
    reach = 3.0  # points: borders meet (within a line width); an underline stops short
    return any(o.lo - reach <= line.at <= o.hi + reach and (abs(o.at - line.lo) <= reach or abs(o.at - line.hi) <= reach) for o in others)


def _fragments(textpage: Any, floor: float) -> list[tuple[float, float, float, float, str]]:
    """(left, bottom, right, top, text) of the text fragments above ``floor``."""
    count = textpage.count_chars()
    if count <= 0:
        return []
    out = []
    for i in range(min(textpage.count_rects(0, count), _MAX_RECTS)):
        left, bottom, right, top = textpage.get_rect(i)
        if bottom >= floor:
            out.append((left, bottom, right, top, textpage.get_text_bounded(left, bottom, right, top)))
    return out


def _nearest(lines: list[_Line], at: float, across: float, below: bool) -> float | None:
    """The closest line on one side of ``at`` that spans ``across``."""
    best = None
    for line in lines:
        if not line.lo - _EDGE <= across <= line.hi + _EDGE:
            continue
        if below and line.at < at and (best is None or line.at > best):
            best = line.at
        elif not below and line.at > at and (best is None or line.at < best):
            best = line.at
    return best


def _join(parts: list[str]) -> str:
    """A cell's fragments, top to bottom, as one text (see the module docstring for the joins)."""
    text = ""
    for part in parts:
        part = part.replace("\r", "").replace("\n", "")
        if not text:
            text = part
        elif text.endswith(_HYPHEN_MARKS):
            text = text[:-1] + ("" if part[:1].islower() else "-") + part
        elif text.endswith(" ") or not part:
            text += part
        elif " " not in text.strip().rsplit("  ", 1)[-1] and len(text.strip().split()[-1]) <= 3 and part[:1].isalpha():
            text += part  # "RE" + "V:": a short fragment wrapped inside a word
        else:
            text += " " + part
    return " ".join(text.replace("\ufffe", "-").replace("\x02", "-").split())


def control_rows(page: Any, textpage: Any) -> tuple[list[list[str]], tuple[float, float, float, float] | None]:
    """Rows of cell texts of the bordered table at the top of ``page``, and its box when it has one.

    An empty row list with a box: border lines are there, but no text fragment fell inside them.
    """
    width, height = page.get_size()
    horizontal, vertical = _lines(page, height)
    if len(horizontal) < 2 or len(vertical) < 2:
        return [], None
    box = (min(v.at for v in vertical), min(h.at for h in horizontal), max(v.at for v in vertical), max(h.at for h in horizontal))
    cells: dict[tuple[float, float, float, float], list[tuple[float, float, str]]] = {}
    for left, bottom, right, top, text in _fragments(textpage, box[1] - _EDGE):
        x, y = (left + right) / 2, (bottom + top) / 2
        above, under = _nearest(horizontal, y, x, below=False), _nearest(horizontal, y, x, below=True)
        before, after = _nearest(vertical, x, y, below=True), _nearest(vertical, x, y, below=False)
        if None in (above, under, before, after) or not text.strip():
            continue
        key = (round(above, 1), round(before, 1), round(under, 1), round(after, 1))  # type: ignore[arg-type]
        cells.setdefault(key, []).append((top, bottom, left, text))
    rows: dict[float, list[tuple[float, str]]] = {}
    for (above, before, _, _), parts in cells.items():
        rows.setdefault(above, []).append((before, _join(_reading_order(parts))))
    return [[text for _, text in sorted(row)] for _, row in sorted(rows.items(), reverse=True)], box


def aligned_rows(textpage: Any, height: float, is_label: Callable[[str], bool]) -> list[list[str]]:
    """A control table drawn without borders: a line of field labels ("Document No.  Revision  Effective
    Date") over a line of values, each value read under the label it overlaps most (or the nearest one to
    its left). [] when the top of the page has no such pair of lines.

    NOTE: PDFium's text line runs labels and values of one row together ("Document No. Revision ..."),
    so only the fragments' places tell which value is which label's.
    """
    lines = _text_lines(_fragments(textpage, height * (1 - _TOP_SHARE)), top=lambda f: f[3], bottom=lambda f: f[1])
    for upper, lower in zip(lines, lines[1:]):
        upper = sorted(upper)
        labels = [f for f in upper if f[4].strip() and is_label(f[4].strip())]
        if len(labels) < 2 or len(labels) < len(upper) - 1:
            continue
        values = [""] * len(upper)
        for frag in sorted(lower):
            overlaps = [min(u[2], frag[2]) - max(u[0], frag[0]) for u in upper]
            best = max(range(len(upper)), key=overlaps.__getitem__)
            if overlaps[best] <= 0:
                left_of = [k for k, u in enumerate(upper) if u[0] <= (frag[0] + frag[2]) / 2]
                if not left_of:
                    continue
                best = left_of[-1]
            values[best] = f"{values[best]} {frag[4].strip()}".strip()
        if any(values):
            return [[f[4].strip() for f in upper], values]
    return []


def _reading_order(parts: list[tuple[float, float, float, str]]) -> list[str]:
    """Fragments (top, bottom, left, text) line by line, left to right."""
    lines = _text_lines(parts, top=lambda p: p[0], bottom=lambda p: p[1])
    return [text for line in lines for *_, text in sorted(line, key=lambda p: p[2])]


def _text_lines(items: list[_T], top: Callable[[_T], float], bottom: Callable[[_T], float]) -> list[list[_T]]:
    """``items`` line by line, top to bottom: an item whose middle is within a line's first item's height joins that line."""
    lines: list[list[_T]] = []
    for item in sorted(items, key=lambda i: -top(i)):
        middle = (top(item) + bottom(item)) / 2
        if lines and bottom(lines[-1][0]) <= middle <= top(lines[-1][0]):
            lines[-1].append(item)
        else:
            lines.append([item])
    return lines
