"""Annotated PDF copies: a highlight per finding over the matched words, its message as the note.

Quad points come from PDFium's character boxes (one quad per text line, so a match broken
over two lines, or over a page break, is highlighted where it stands). Document-level
findings become a note on page 1. Written with pypdf into a new file; the original is
never written.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Highlight, Text
from pypdf.generic import ArrayObject, FloatObject, NameObject, TextStringObject

from doccheck.finding import Finding, Severity
from doccheck.model import Document
from doccheck.pdfgeom import char_boxes, line_boxes
from doccheck.report.docx_annotate import comment_text

COLOURS = {Severity.ERROR: "ff6b6b", Severity.WARNING: "ffd43b", Severity.INFO: "74c0fc"}
PRINT = 4  # annotation flag: print it too (some viewers hide unprinted annotations)


def _key(text: str) -> str:
    """A finding's identity in its note: the first line, "[RULE-ID] message"."""
    return text.split("\n", 1)[0]


def quads(path: Path, doc: Document, f: Finding) -> dict[int, list[tuple[float, float, float, float]]]:
    """Per page, one box per text line covered by the finding's span."""
    out: dict[int, list[tuple[float, float, float, float]]] = {}
    if f.block is None or f.span is None or doc.blocks[f.block].part == "comment":
        return out  # NOTE: annotation and form-field text has no place in the page's text layer: a note instead
    for piece in doc.blocks[f.block].source_pieces(*f.span):
        out.setdefault(piece.key, []).extend(line_boxes(char_boxes(path, piece.key, piece.start, piece.end)))
    return out


def _quad_points(boxes: list[tuple[float, float, float, float]]) -> ArrayObject:
    points: list[float] = []
    for left, bottom, right, top in boxes:  # top-left, top-right, bottom-left, bottom-right
        points += [left, top, right, top, left, bottom, right, bottom]
    return ArrayObject([FloatObject(round(v, 2)) for v in points])


def annotate_pdf(source: Path, target: Path, doc: Document, findings: Iterable[Finding]) -> int:
    reader = PdfReader(str(source))
    writer = PdfWriter(clone_from=reader)
    existing = {_key(str(a.get_object().get("/Contents", ""))) for page in writer.pages for a in page.get("/Annots", []) or []}
    added = 0
    notes = []
    for f in findings:
        text = comment_text(f)
        if _key(text) in existing:
            continue
        by_page = quads(source, doc, f) if f.text else {}
        if not by_page:
            notes.append(f)
            continue
        for page, boxes in by_page.items():
            rect = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
            annotation = Highlight(rect=rect, quad_points=_quad_points(boxes), highlight_color=COLOURS[f.severity])
            annotation[NameObject("/Contents")] = TextStringObject(text)
            annotation[NameObject("/T")] = TextStringObject("doccheck")
            annotation.flags = PRINT
            writer.add_annotation(page_number=page - 1, annotation=annotation)
        added += 1
    if notes and writer.pages:
        height = float(writer.pages[0].mediabox.top)
        for n, f in enumerate(notes):
            where = None if f.location.part == "properties" else f.location.short()
            note = Text(rect=(20 + 22 * n, height - 40, 40 + 22 * n, height - 20), text=comment_text(f, where), open=False)
            note[NameObject("/T")] = TextStringObject("doccheck")
            note.flags = PRINT
            writer.add_annotation(page_number=0, annotation=note)
            added += 1
    with open(target, "wb") as fh:
        writer.write(fh)
    return added
