"""PDF geometry shared by the extractor and the highlighter: character boxes and line quads.

Blocks record PDFium character indices; boxes are asked for only when a highlight is drawn
(text alone is ~1.3 ms/page, with every character box ~10 ms/page).
"""

from __future__ import annotations

from pathlib import Path

Box = tuple[float, float, float, float]  # left, bottom, right, top in PDF user space


def char_boxes(path: Path | str, page_number: int, start: int, end: int) -> list[Box]:
    """Boxes of PDFium characters ``[start, end)`` on a (1-based) page."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        page = pdf[page_number - 1]
        textpage = page.get_textpage()
        boxes = [textpage.get_charbox(i) for i in range(start, end)]
        textpage.close()
        page.close()
        return boxes
    finally:
        pdf.close()


def line_boxes(boxes: list[Box]) -> list[Box]:
    """Character boxes merged into one box per text line (for highlight quad points)."""
    lines: list[list[float]] = []
    for left, bottom, right, top in boxes:
        if right <= left or top <= bottom:  # generated characters (spaces, line breaks) have no area
            continue
        middle = (bottom + top) / 2
        line = next((ln for ln in lines if ln[1] <= middle <= ln[3]), None)
        if line is None:
            lines.append([left, bottom, right, top])
        else:
            line[0], line[1], line[2], line[3] = min(line[0], left), min(line[1], bottom), max(line[2], right), max(line[3], top)
    return [tuple(ln) for ln in lines]  # type: ignore[misc]
