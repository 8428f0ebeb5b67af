"""PDF extractor: pypdfium2 page text, and the first page's control table from PDFium's geometry.

Measured here: PDFium text ~1.3 ms/page, with character boxes ~10 ms/page, pdfplumber
~150 ms/page (its table finder ~0.37 s on a first page). So blocks record PDFium character
indices, boxes are asked for only when a highlight is drawn (`char_boxes`), and the control
table is read from the path objects and text rectangles PDFium has already parsed
(`doccheck.extract.pdftable`); pdfplumber only reads a bordered region that held no text for
PDFium. Pages are read one at a time and closed, so a 500-page file never holds more than its text.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterator

from lxml import etree

from doccheck.errors import Unreadable
from doccheck.extract import approval, identity, pdfannots, pdflayout, pdftable
from doccheck.extract.limits import Limits, parse_xml
from doccheck.extract.pdflayout import Line
from doccheck.extract.textbuild import TextBuilder, normalize
from doccheck.model import Block, Document, Problem, Segment
from doccheck.resources import corpus

_MAX_XMP = 4 * 1024 * 1024


def _open(data: bytes):  # type: ignore[no-untyped-def]
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc)
        if "password" in text.lower():
            raise Unreadable("encrypted", "PDF is encrypted with a password; doccheck cannot read it") from None
        raise Unreadable("corrupt", f"PDF cannot be opened ({text})") from None


def _page_text(textpage) -> str:  # type: ignore[no-untyped-def]
    count = textpage.count_chars()
    if count <= 0:
        return ""
    text = textpage.get_text_range(0, count)
    if len(text) != count:
        # NOTE: PDFium's text index and char index can disagree (pypdfium2 issue #261);
        # rebuild char by char so block offsets stay PDFium character indices.
        import pypdfium2.raw as raw

        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i) or 0xFFFD) for i in range(count))
    return text


def _placed(page: int, text: str, textpage, height: float) -> list[Line]:  # type: ignore[no-untyped-def]
    """The page's lines with the height of their first and last characters: two boxes per line, not one per character.

    NOTE: PDFium's FPDFText_GetCharBox straight, into four doubles made once per page: what
    ``PdfTextPage.get_charbox`` does, without its four new doubles and wrappers per call
    (half the cost of placing a real document's lines).
    """
    spans = pdflayout.line_spans(text)
    if height <= 0:
        return [Line(page, start, line) for start, line in spans]
    import ctypes

    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    charbox, handle = raw.FPDFText_GetCharBox, textpage.raw
    left, right, bottom, top = ctypes.c_double(), ctypes.c_double(), ctypes.c_double(), ctypes.c_double()

    def y(i: int) -> float:
        if not charbox(handle, i, left, right, bottom, top):
            raise pdfium.PdfiumError("Failed to get charbox.")
        return top.value / height

    return [Line(page, start, line, y(start), y(start + len(line) - 1)) for start, line in spans]


def _has_images(page) -> bool:  # type: ignore[no-untyped-def]
    import pypdfium2.raw as raw

    return any(obj.type == raw.FPDF_PAGEOBJ_IMAGE for obj in page.get_objects(max_depth=2))


_LABEL_ROW_LINES = 20  # the first page's lines where a borderless control table's label row may be


class _FirstPage:
    """What the first page with text gives identity: its control table's rows, or a region to hand to pdfplumber."""

    def __init__(self) -> None:
        self.number: int | None = None
        self.rows: list[list[str]] = []
        self.box: tuple[float, float, float, float] | None = None
        self.height = 0.0
        self.aligned: list[list[str]] = []  # a borderless label row over its values (pdftable.aligned_rows)


def _read_pages(pdf, doc: Document, limits: Limits, first: _FirstPage, extra: list[Line]) -> list[list[Line]]:  # type: ignore[no-untyped-def]
    """Each page's text lines; annotation notes and form-field values go to ``extra``."""
    import pypdfium2 as pdfium

    pages: list[list[Line]] = []
    empty, damaged, total = [], [], 0
    for i in range(len(pdf)):
        try:
            page = pdf[i]
        except pdfium.PdfiumError:
            damaged.append(i + 1)  # e.g. a page tree that loops back on itself
            pages.append([])
            continue
        try:
            textpage = page.get_textpage()
            text = _page_text(textpage)
            lines = _placed(i + 1, text, textpage, page.get_height())
            if first.number is None and text.strip():
                first.number, first.height = i + 1, page.get_height()
                first.rows, first.box = pdftable.control_rows(page, textpage)
                celled = any(len(row) > 1 for row in first.rows)  # a bordered table with cells: read as such
                if not celled and identity.label_rows_likely([line.text for line in lines[:_LABEL_ROW_LINES]]):  # NOTE: only then: fragments cost ~2 ms a page
                    first.aligned = pdftable.aligned_rows(textpage, first.height, identity.is_field_label)
            textpage.close()
            notes, fields = pdfannots.page_texts(page)
            extra.extend(Line(i + 1, 0, t) for t in fields + notes)
            if not text.strip() and not fields:
                empty.append((i + 1, _has_images(page)))
        finally:
            page.close()
        total += len(text)
        if total > limits.max_text_chars:
            raise Unreadable("too-large", f"PDF text exceeds {limits.max_text_chars:,} characters")
        pages.append(lines)
    doc.facts["pages_without_text"] = [n for n, _ in empty] + damaged
    if pages and len(damaged) == len(pages):
        raise Unreadable("corrupt", f"none of its {len(pages)} page(s) can be loaded (damaged page tree)")
    if pages and len(empty) + len(damaged) == len(pages):
        if damaged:
            raise Unreadable("corrupt", f"no readable text: {len(damaged)} damaged page(s), {len(empty)} without text")
        raise Unreadable("no-text", f"no text layer on any of its {len(pages)} page(s) (scanned?); run OCR first")
    for number in damaged:
        doc.problems.append(Problem("damaged-page", f"page {number} cannot be loaded (damaged); it was not checked", fatal=False, page=number))
    for number, images in empty:
        what = "an image only (scanned?)" if images else "no text"
        doc.problems.append(
            Problem("page-without-text", f"page {number} has {what}; its content was not checked", fatal=False, page=number)
        )
    return pages


def _blocks(pages: list[list[Line]], doc: Document) -> None:
    counts: dict[str, int] = {}  # blocks so far per part: their paragraph numbers
    header, footer = pdflayout.running_lines(pages)
    running = header | footer  # NOTE: once: the union inside the comprehension was rebuilt for every line
    body = [ln for lines in pages for ln in lines if (ln.page, ln.start) not in running]
    width = pdflayout.wrap_width(body)
    spacing = pdflayout.line_spacing(body)
    for ln in (ln for lines in pages for ln in lines):
        key = (ln.page, ln.start)
        if key in header or key in footer:
            _add_block(doc, "header" if key in header else "footer", [ln], (), counts)
    section: list[tuple[int, str]] = []
    para: list[Line] = []
    path: tuple[str, ...] = ()
    starts, levels = pdflayout.paragraph_starts(body, width, spacing)
    for ln, start, level in zip(body, starts, levels):
        if start and para:
            _add_block(doc, "body", para, path, counts)
            para = []
        if level:
            section = [s for s in section if s[0] < level] + [(level, ln.text)]
            path = tuple(s for _, s in section)
        para.append(ln)
    if para:
        _add_block(doc, "body", para, path, counts)


def _joined(lines: list[Line]) -> tuple[str, tuple[Segment, ...]]:
    """The lines of a paragraph as one text: a space between two lines, a hyphenated word rejoined."""
    if len(lines) == 1 and ((text := lines[0].text).isascii() or normalize(text) == text):  # NOTE: half the blocks are one line
        return text, (Segment(0, len(text), lines[0].page, lines[0].start, len(text)),)
    if all(ln.text.isascii() or normalize(ln.text) == ln.text for ln in lines) and \
            not any(pdflayout.joins_hyphenated(a.text, b.text) for a, b in zip(lines, lines[1:])):
        # NOTE: the common case, as TextBuilder builds it: a segment per line, a sourceless one per space
        segments, pos, prev = [], 0, None
        for ln in lines:
            if prev is not None:
                segments.append(Segment(pos, 1, prev.page, prev.start + len(prev.text), 0))
                pos += 1
            segments.append(Segment(pos, len(ln.text), ln.page, ln.start, len(ln.text)))
            pos += len(ln.text)
            prev = ln
        return " ".join(ln.text for ln in lines), tuple(segments)
    builder = TextBuilder()
    prev = None
    for ln in lines:
        if prev is not None:
            if pdflayout.joins_hyphenated(prev.text, ln.text):
                builder.drop_last_char()
            else:
                builder.add_synthetic(" ")
        builder.add(ln.text, ln.page, ln.start)
        prev = ln
    return builder.build()


def _add_block(doc: Document, part: str, lines: list[Line], section: tuple[str, ...], counts: dict[str, int]) -> None:
    text, segments = _joined(lines)
    counts[part] = number = counts.get(part, 0) + 1  # NOTE: counted as they come: a count over the blocks so far was quadratic
    level = pdflayout.heading_level(text) if len(lines) == 1 and part == "body" else 0
    doc.blocks.append(
        Block(
            index=len(doc.blocks),
            part=part,
            text=text,
            segments=segments,
            section=section if part == "body" else (),
            kind="heading" if level else "paragraph",
            level=level,
            paragraph=number,
            page=lines[0].page,
        )
    )


def _xmp(pdf_bytes: bytes) -> dict[str, str]:
    """Fields of the XMP packet (usually stored uncompressed), by local element name."""
    out: dict[str, str] = {}
    start = pdf_bytes.find(b"<x:xmpmeta")
    if start < 0:
        return out
    end = pdf_bytes.find(b"</x:xmpmeta>", start, start + _MAX_XMP)
    if end < 0:
        return out
    data = pdf_bytes[start : end + len(b"</x:xmpmeta>")]
    try:
        root = parse_xml(data, "XMP metadata")
    except Unreadable:
        return out
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        local = etree.QName(el).localname
        text = " ".join(t.strip() for t in el.itertext() if t.strip())
        if text and local not in ("li", "Alt", "Seq", "Bag", "Description", "RDF", "xmpmeta") and local not in out:
            out[local] = text
    return out


def _info_keys() -> Iterator[str]:
    """Custom info-dictionary keys worth asking for: each identity label in CamelCase."""
    for spec in corpus("document-control.yaml")["fields"].values():
        for label in spec["labels"]:
            if label.replace(" ", "").isalpha():
                yield "".join(w.capitalize() for w in label.split())


@functools.cache
def _custom_keys() -> tuple[tuple[str, bytes], ...]:
    return tuple((key, (key + "\x00").encode()) for key in dict.fromkeys(_info_keys()))


def _properties(pdf, data: bytes) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The info dictionary's fields, the standard ones and the custom keys identity labels name, and the XMP fields.

    NOTE: a custom key is asked for with one call that returns its length: most are absent (an empty
    UTF-16 string, 2 bytes), and ``get_metadata_value``'s second call and buffer for each of ~80 keys
    were most of reading a PDF's properties.
    """
    import pypdfium2.raw as raw

    props = {f"info:{k}": v for k, v in pdf.get_metadata_dict(skip_empty=True).items()}
    for key, encoded in _custom_keys():
        if raw.FPDF_GetMetaText(pdf, encoded, None, 0) > 2 and (value := pdf.get_metadata_value(key)):
            props[f"info:{key}"] = value
    props.update({f"xmp:{k}": v for k, v in _xmp(data).items()})
    return props


def _plumbed_table(data: bytes, first: _FirstPage) -> list[list[str]]:
    """A bordered region that held no text for PDFium, through pdfplumber's table reader, on that region only.

    Best effort: PDFium already read the text, so a file pdfminer cannot parse just has no table.
    """
    import logging

    import pdfplumber

    if first.box is None or first.number is None:
        return []
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    left, bottom, right, top = first.box
    try:
        with pdfplumber.open(io.BytesIO(data), pages=[first.number]) as pdf:
            page = pdf.pages[0]
            try:  # NOTE: pdfplumber measures from the top edge, PDF user space from the bottom
                region = page.crop((max(0, left - 2), max(0, first.height - top - 2), min(page.width, right + 2), min(page.height, first.height - bottom + 2)))
                return [[c or "" for c in row] for table in region.extract_tables() for row in table]
            finally:
                page.close()
    except Exception:  # noqa: BLE001 - pdfminer raises many kinds on damaged files
        return []


def _read_identity(doc: Document, data: bytes, first: _FirstPage) -> None:
    info = {k.split(":", 1)[1]: v for k, v in doc.properties.items() if k.startswith("info:")}
    xmp = {k.split(":", 1)[1]: v for k, v in doc.properties.items() if k.startswith("xmp:")}
    sources = [identity.from_properties({k: v for k, v in info.items() if k != "Title"}, "PDF info")]
    sources.append(identity.from_properties({k: v for k, v in xmp.items() if k != "title"}, "XMP"))
    rows = first.rows or (_plumbed_table(data, first) if first.box else [])
    if rows:
        sources.append(identity.from_table(rows, "first-page control table"))
    if first.aligned:
        sources.append(identity.from_table(first.aligned, "first-page control table"))
    page = first.number or 1
    running = [b for b in doc.blocks if b.part in ("header", "footer") and page <= (b.page or 0) <= page + 2]
    for block in running:  # the first text page's running lines, and the next pages' (a cover or a title page has none)
        sources.append(identity.from_text(block.text, block.part))
    body = [b for b in doc.blocks if b.part == "body" and b.page == page][:15]
    sources.extend(identity.from_first_page([b.text for b in body], sources))
    sources.extend(identity.from_series(b.text, b.part if b.part != "body" else "title block") for b in (*running, *body[:6]))
    sources.extend(identity.from_running_line(b.text, b.part) for b in running)
    sources.append(identity.from_title_line([b.text for b in body[:1]]))  # as a Word file's first block: "SOP-QA-077 Calibration"
    history = _history_rows(doc)
    sources.append(approval.from_rows(rows, "first-page control table"))
    sources.append(approval.from_lines((b.text for b in doc.blocks if b.part == "body"), "signature block"))
    title = info.get("Title") or xmp.get("title")
    sources += [identity.from_history(history), identity.from_properties({"title": title} if title else {}, "PDF info")]
    sources.append(identity.lone_number(sources, ((b.text, b.part) for b in running)))
    identity.merge(doc.metadata, sources)


def _history_rows(doc: Document) -> list[list[str]]:
    """Lines under a "Revision history" heading, split into cells on wide gaps; else the header row and the rows of
    a history table with no heading (`history_without_heading`), line by line (the layout may have joined them)."""
    rows: list[list[str]] = []
    for block in doc.blocks:
        if block.part == "body" and block.section and identity.is_history_heading(block.section[-1]):
            if block.kind != "heading":
                rows.append(_cells(block.text))
    if not rows and (table := history_without_heading(doc)):
        header, *lines = [line for block in table for line in block_lines(block)]
        rows = [_cells(header), *(_cells(line) for line in lines if identity.is_history_row_line(line))]
    if rows and len(rows[0]) == 1:
        rows = [re.split(r"\s+", r[0], maxsplit=2) for r in rows]
    return rows


def extract_pdf(data: bytes, doc: Document, limits: Limits) -> None:
    """Fill ``doc`` from the PDF bytes ``data`` (NOTE: the bytes that were hashed, not the path read again:
    a file edited meanwhile cannot be cached under the old content's key)."""
    pdf = _open(data)
    try:
        if len(pdf) > limits.max_pages:
            raise Unreadable("too-large", f"PDF has {len(pdf)} pages (limit {limits.max_pages})")
        doc.facts["pages"] = len(pdf)
        doc.properties = _properties(pdf, data)
        first = _FirstPage()
        extra: list[Line] = []
        pages = _read_pages(pdf, doc, limits, first, extra)
        embedded = pdfannots.attachments(pdf)
    finally:
        pdf.close()
    _blocks(pages, doc)
    counts: dict[str, int] = {}
    for ln in extra:  # NOTE: part "comment": text outside the page's text layer (no highlight can point at it)
        _add_block(doc, "comment", [ln], (), counts)
    if embedded:
        doc.facts["embedded_files"] = embedded
        for name in embedded:
            doc.problems.append(Problem("embedded-file", f"contains an embedded file '{name}' that was not checked", fatal=False))
    _read_identity(doc, data, first)


def _cells(line: str) -> list[str]:
    return [c for c in re.split(r"\s{2,}|\t| \| ", line) if c]


def block_lines(block: Block) -> list[str]:
    """A PDF block's lines again: its text cut at the spaces the layout put between them (segments with no source)."""
    cuts = [seg.start for seg in block.segments if _joint(block, seg)]
    return [block.text[a + 1 : b] for a, b in zip([-1, *cuts], [*cuts, len(block.text)])]


def _first_line(block: Block) -> str:
    return block.text[: next((seg.start for seg in block.segments if _joint(block, seg)), len(block.text))]


def _joint(block: Block, seg: Segment) -> bool:
    return seg.src_length == 0 and seg.length == 1 and block.text[seg.start] == " "


def history_without_heading(doc: Document) -> list[Block]:
    """The body blocks of a revision-history table with no heading above it: from the one whose first line is its
    header row (`identity.is_history_header_line`) over the rows under it (each opens with a revision or holds a
    date: `identity.is_history_row_line`), up to the first block that is no such row or a heading ("1 Purpose")."""
    out: list[Block] = []
    inside = False
    for block in doc.blocks:
        if block.part != "body":
            continue
        if inside and block.kind != "heading" and identity.is_history_row_line(block.text):
            out.append(block)
            continue
        inside = False
        if block.kind != "heading" and identity.opens_with_column_name(block.text) and identity.is_history_header_line(_first_line(block)):
            inside = True
            out.append(block)
    return out
