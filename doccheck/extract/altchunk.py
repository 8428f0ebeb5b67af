"""Word ``w:altChunk`` parts: content imported from another file (HTML, MHT, a nested .docx, RTF)
that Word shows in the body but stores as a separate part.

Each chunk is read into body blocks (story = the chunk's part name, so reviewers' comments go
to the general list, not into text Word rebuilds on open) or, when its format cannot be read,
reported as not checked: a citation inside it must never be silently missed.
"""

from __future__ import annotations

import io
import posixpath
from collections.abc import Callable

from lxml import etree

from doccheck.extract.limits import Limits, read_part
from doccheck.extract.textbuild import TextBuilder
from doccheck.model import Block, Document, Problem

MAX_DEPTH = 3  # a nested .docx that holds an altChunk that holds ...
_BLOCK_TAGS = {"p", "li", "td", "th", "pre", "blockquote", "dd", "dt", "caption", "h1", "h2", "h3", "h4", "h5", "h6"}


def read_chunks(zf, names: set[str], targets: list[str], doc: Document, limits: Limits, depth: int,
                read_docx: Callable[[io.BytesIO, Document, Limits, int], None]) -> None:
    """Append the blocks of each chunk part in ``targets`` to ``doc`` (problems for those not read)."""
    for target in dict.fromkeys(targets):
        if target not in names:
            doc.problems.append(Problem("corrupt", f"imported content part '{target}' is missing; it was not checked", fatal=False))
            continue
        data = read_part(zf, target, limits)
        kind = _kind(target, data)
        if kind == "html":
            _add_html(doc, target, data)
        elif kind == "mht":
            html = _mht_html(data)
            if html is None:
                doc.problems.append(Problem("unsupported", f"imported web archive '{target}' holds no HTML; it was not checked", fatal=False))
            else:
                _add_html(doc, target, html)
        elif kind == "docx" and depth < MAX_DEPTH:
            inner = Document(doc.path, doc.format, doc.sha256, len(data))
            read_docx(io.BytesIO(data), inner, limits, depth + 1)
            for block in inner.blocks:
                if block.part != "properties":
                    _append(doc, target, block.text, block.segments, block.kind, block.level)
            doc.problems.extend(Problem(p.reason, f"in imported document '{target}': {p.message}", fatal=False) for p in inner.problems)
        else:
            what = {"rtf": "RTF", "docx": "a Word document nested too deeply"}.get(kind, "a format doccheck does not read")
            doc.problems.append(Problem("unsupported", f"imported content '{target}' ({what}) was not checked", fatal=False))


def _kind(name: str, data: bytes) -> str:
    ext = posixpath.splitext(name)[1].lower()
    head = data[:512].lstrip().lower()
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"{\\rtf") or ext == ".rtf":
        return "rtf"
    if ext in (".mht", ".mhtml") or head.startswith(b"mime-version"):
        return "mht"
    if ext in (".htm", ".html", ".xhtml") or b"<html" in head or b"<!doctype html" in head:
        return "html"
    if ext == ".txt":
        return "html"  # plain text reads the same through the HTML parser (one paragraph per line break below)
    return "other"


def _mht_html(data: bytes) -> bytes | None:
    import email  # NOTE: here, not at the top: ~15 ms on the start-up of every one-file Word scan
    import email.policy

    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        if part.get_content_type() == "text/html":
            payload = part.get_payload(decode=True)
            return payload if isinstance(payload, bytes) else None
    return None


def _add_html(doc: Document, target: str, data: bytes) -> None:
    import lxml.html

    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True, huge_tree=False)
    try:
        root = lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, ValueError):
        doc.problems.append(Problem("corrupt", f"imported web page '{target}' cannot be parsed; it was not checked", fatal=False))
        return
    for bad in [el for el in root.iter("script", "style", "head") if el.getparent() is not None]:
        bad.drop_tree()
    seen = False
    for el in root.iter(*_BLOCK_TAGS):
        if any(a.tag in _BLOCK_TAGS for a in el.iterancestors()):
            continue  # its text is the ancestor's
        text = " ".join(el.text_content().split())
        if text:
            seen = True
            level = int(el.tag[1]) if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6") else 0
            _append(doc, target, text, None, "heading" if level else "paragraph", level)
    if not seen:  # a fragment without block elements: its lines
        for line in (root.text_content() or "").splitlines():
            if line.strip():
                _append(doc, target, " ".join(line.split()), None, "paragraph", 0)


def _append(doc: Document, story: str, text: str, segments, kind: str, level: int) -> None:
    """A body block of chunk ``story``, numbered within the chunk."""
    if segments is None:
        builder = TextBuilder()
        builder.add(text, 0, 0)
        text, segments = builder.build()
    # NOTE: the section names the chunk: its paragraph numbers count within it, not within the body
    doc.blocks.append(Block(len(doc.blocks), "body", text, tuple(segments), (f"imported content {posixpath.basename(story)}",), kind, level, story=story,
                            paragraph=_next_paragraph(doc.blocks, story)))


def _next_paragraph(blocks: list[Block], story: str) -> int:
    """1, or one more than the last block's when it is of the same chunk (a chunk's blocks are appended together)."""
    last = blocks[-1] if blocks else None
    return (last.paragraph or 0) + 1 if last is not None and last.story == story else 1
