"""PDF text that is not in the page's text layer: annotation notes, form-field values, and the
names of embedded files (which doccheck does not open).

A signed or filled-in PDF form can hold its whole content in fields; reporting it as "scanned,
run OCR" would be wrong, and skipping it would be silent. doccheck's own review notes on an
annotated copy (title "doccheck") are not the document's text.
"""

from __future__ import annotations

import ctypes

MAX_PER_PAGE = 500  # annotations read per page; a page with more is not a real document page
_CHOICES = {"", "Off", "On", "Yes", "No"}  # check box and radio states, not text


def _string(raw, annot, key: bytes) -> str:  # type: ignore[no-untyped-def]
    size = raw.FPDFAnnot_GetStringValue(annot, key, None, 0)
    if size <= 2:
        return ""
    buf = ctypes.create_string_buffer(size)
    raw.FPDFAnnot_GetStringValue(annot, key, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)), size)
    return buf.raw[: size - 2].decode("utf-16-le", "replace")


def page_texts(page) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    """(note texts, field values) of one page's annotations, in page order."""
    import pypdfium2.raw as raw

    notes: list[str] = []
    fields: list[str] = []
    count = min(raw.FPDFPage_GetAnnotCount(page.raw), MAX_PER_PAGE)
    for i in range(count):
        annot = raw.FPDFPage_GetAnnot(page.raw, i)
        if not annot:
            continue
        try:
            if _string(raw, annot, b"T") == "doccheck":
                continue
            subtype = raw.FPDFAnnot_GetSubtype(annot)
            if subtype == raw.FPDF_ANNOT_WIDGET:
                value = _string(raw, annot, b"V").strip()
                if value not in _CHOICES:
                    fields.append(value)
            elif subtype not in (raw.FPDF_ANNOT_LINK, raw.FPDF_ANNOT_POPUP):
                text = _string(raw, annot, b"Contents").strip()
                if text:
                    notes.append(text)
        finally:
            raw.FPDFPage_CloseAnnot(annot)
    return notes, fields


def attachments(pdf) -> list[str]:  # type: ignore[no-untyped-def]
    """Names of the files embedded in the document (its EmbeddedFiles name tree)."""
    import pypdfium2.raw as raw

    names = []
    for i in range(min(raw.FPDFDoc_GetAttachmentCount(pdf.raw), 1000)):
        attachment = raw.FPDFDoc_GetAttachment(pdf.raw, i)
        if not attachment:
            continue
        size = raw.FPDFAttachment_GetName(attachment, None, 0)
        buf = ctypes.create_string_buffer(max(size, 2))
        raw.FPDFAttachment_GetName(attachment, ctypes.cast(buf, ctypes.POINTER(raw.FPDF_WCHAR)), size)
        names.append(buf.raw[: max(size - 2, 0)].decode("utf-16-le", "replace") or f"attachment {i + 1}")
    return names
