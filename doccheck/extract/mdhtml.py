"""HTML inside Markdown: the tags a reader never sees, and ``<table>`` blocks as tables.

GitHub renders HTML in Markdown, and QMS repositories use it where pipe tables fall short
(merged cells, line breaks in a cell): a control block in ``<table><tr><td>Document ID</td>
<td>SOP-QA-060</td>...`` or a term in ``<b>Design History File</b>``. The text keeps its
source places: only the characters between tags are added, each at its line and column.

Only HTML's own element names count as tags, so a template's ``<Company Name>`` placeholder
stays text.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator

from doccheck.extract.textbuild import TextBuilder

_NAMES = ("a|abbr|b|big|blockquote|br|caption|center|code|col|colgroup|dd|del|details|div|dl|dt|em|font|h[1-6]|hr|i|img|ins|kbd|"
          "li|mark|ol|p|pre|q|s|samp|small|span|strike|strong|sub|summary|sup|table|tbody|td|tfoot|th|thead|tr|tt|u|ul|var")
_TAG = re.compile(rf"</?(?i:{_NAMES})(?=[\s/>])[^<>]{{0,500}}>|<!--.*?-->")
_BREAKS = re.compile(r"</?(?i:br|p|div|li|tr|td|th|h[1-6]|hr|table|ul|ol|dd|dt|blockquote)\b")
_ROW = re.compile(r"<tr\b[^<>]{0,500}>(.*?)(?=</tr\s*>|<tr\b|</table\s*>|\Z)", re.I | re.S)
_CELL = re.compile(r"<t[dh]\b[^<>]{0,500}>(.*?)(?=</t[dh]\s*>|<t[dh]\b|\Z)", re.I | re.S)
_MAX_LINES = 2000  # a <table> never closed ends here, not at the end of a large file


def add_text(builder: TextBuilder, text: str, line: int, col: int) -> None:
    """Add ``text`` (found at ``line``, ``col``) without its HTML tags; a tag that breaks a line
    (``<br>``, ``</p>``) leaves one space where text goes on."""
    if "<" not in text:
        builder.add(text, line, col)
        return
    pos, gap = 0, False
    for m in _TAG.finditer(text):
        gap = _piece(builder, text[pos : m.start()], line, col + pos, gap) or bool(_BREAKS.match(m.group(0)))
        pos = m.end()
    _piece(builder, text[pos:], line, col + pos, gap)


def _piece(builder: TextBuilder, text: str, line: int, col: int, gap: bool) -> bool:
    """Add one stretch between tags, after a space where a breaking tag stood; whether a gap is still owed."""
    if not text:
        return gap
    if gap and len(builder) and not text[0].isspace() and not builder.ends_with(" "):
        builder.add_synthetic(" ")
    builder.add(text, line, col)
    return False


def table_end(lines: list[str], start: int) -> int:
    """The index of the line that closes the ``<table>`` opened at line ``start``."""
    depth = 0
    for i in range(start, min(len(lines), start + _MAX_LINES)):
        low = lines[i].lower()
        depth += low.count("<table") - low.count("</table")
        if depth <= 0:
            return i
    return min(len(lines), start + _MAX_LINES) - 1


def table_rows(lines: list[str], start: int, end: int) -> Iterator[tuple[int, list[list[tuple[int, int, str]]]]]:
    """The rows of the table on lines ``start``..``end``: (the row's line number, each cell as pieces of
    (line number, column, text)). NOTE: one level; a table inside a cell is read as its text."""
    source = "\n".join(lines[start : end + 1])
    starts = [0]
    for line in lines[start:end]:
        starts.append(starts[-1] + len(line) + 1)

    def place(offset: int) -> tuple[int, int]:
        n = max(0, bisect.bisect_right(starts, offset) - 1)
        return start + n + 1, offset - starts[n]

    for row in _ROW.finditer(source):
        cells = []
        for cell in _CELL.finditer(source, row.start(1), row.end(1)):
            pieces, pos = [], cell.start(1)
            for m in _TAG.finditer(source, cell.start(1), cell.end(1)):
                pieces.extend(_pieces(source, pos, m.start(), place))
                pos = m.end()
            pieces.extend(_pieces(source, pos, cell.end(1), place))
            cells.append(pieces)
        if cells:
            yield place(row.start())[0], cells


def _pieces(source: str, start: int, end: int, place) -> Iterator[tuple[int, int, str]]:  # type: ignore[no-untyped-def]
    """The non-blank stretches of ``source[start:end]``, line by line, at their places."""
    offset = start
    for part in source[start:end].split("\n"):
        text = part.strip()
        if text:
            line, col = place(offset + len(part) - len(part.lstrip()))
            yield line, col, text
        offset += len(part) + 1
