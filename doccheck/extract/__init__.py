"""Extractors: ``extract(path) -> Document`` for every supported format.

A file that cannot be read still yields a `Document`, with a fatal `Problem` naming the
reason; the scan reports it and goes on.
"""

from __future__ import annotations

import hashlib
import io
import stat
from pathlib import Path

from doccheck.errors import Unreadable
from doccheck.extract.limits import DEFAULT_LIMITS, MB, Limits
from doccheck.model import Document, Problem

SUPPORTED = {".docx": "docx", ".docm": "docx", ".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
LEGACY = {
    ".doc": "a legacy Word 97-2003 document",
    ".dot": "a legacy Word template",
    ".rtf": "an RTF document",
    ".odt": "an OpenDocument text file",
    ".wpd": "a WordPerfect document",
    ".pages": "an Apple Pages document",
}
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(path: Path, head: bytes) -> str:
    """The format by content first (a .docx renamed .pdf is still Word), then by extension."""
    ext = path.suffix.lower()
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024] and ext == ".pdf"):
        return "pdf"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "docx" if ext not in (".odt",) else "legacy"
    if head.startswith(OLE_MAGIC):
        return "ole"
    if head.startswith(b"{\\rtf"):
        return "legacy"
    if ext in LEGACY:
        return "legacy"
    fmt = SUPPORTED.get(ext)
    if fmt in ("markdown", "text"):
        return fmt
    if fmt in ("docx", "pdf"):
        return "garbage"
    return "unsupported"


def _reason_for_ole(path: Path) -> Unreadable:
    if path.suffix.lower() in (".docx", ".docm", ".pdf"):
        return Unreadable(
            "encrypted",
            "file is an OLE container, not a Word package: a password-protected (encrypted) Office file; "
            "remove the password or export an unprotected copy",
        )
    return Unreadable("legacy-format", "legacy Word 97-2003 (.doc) file; convert it to .docx (e.g. libreoffice --convert-to docx)")


def extract(path: Path | str, limits: Limits = DEFAULT_LIMITS, display: str | None = None) -> Document:
    """Read ``path`` into a `Document`; never raises for a bad file (see `Document.problems`)."""
    path = Path(path)
    shown = display or str(path)
    doc = Document(path=shown, format=SUPPORTED.get(path.suffix.lower(), "unknown"), sha256="", size=0)
    try:
        _extract_into(path, doc, limits)
        if not doc.metadata.candidates.get("document_number"):  # NOTE: after every source the document itself shows
            from doccheck.extract.identity import from_file_name, merge

            merge(doc.metadata, [from_file_name(path.stem)])
    except Unreadable as exc:
        doc.blocks.clear()
        doc.problems.append(Problem(exc.reason, exc.message))
    except MemoryError:
        doc.blocks.clear()
        doc.problems.append(Problem("too-large", "ran out of memory while reading the file"))
    return doc


def _extract_into(path: Path, doc: Document, limits: Limits) -> None:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):  # a FIFO or device named x.pdf would block the reader forever
            raise Unreadable("unsupported", "not a regular file (a pipe, socket or device)")
        size = info.st_size
        if size > limits.max_file_bytes:
            raise Unreadable("too-large", f"file is {size // MB} MB (limit {limits.max_file_bytes // MB} MB)")
        with open(path, "rb") as fh:  # read-only: inputs are never modified
            data = fh.read()
    except PermissionError:
        raise Unreadable("permission-denied", "file cannot be opened: permission denied") from None
    except FileNotFoundError:
        raise Unreadable("missing", "file disappeared before it could be read") from None
    except IsADirectoryError:
        raise Unreadable("unsupported", "path is a directory") from None
    except OSError as exc:
        raise Unreadable("io-error", f"file cannot be read ({exc.strerror})") from None
    doc.size = len(data)
    doc.sha256 = hashlib.sha256(data).hexdigest()
    if data.isspace() or not data:  # NOTE: not data.strip(), a copy of the whole file when it ends in a newline
        raise Unreadable("empty", "file is empty" if not data else "file contains only white space")
    kind = sniff(path, data[:2048])
    if kind in ("docx", "pdf", "markdown", "text"):
        doc.format = kind
    if kind == "docx":
        from doccheck.extract.docx import extract_docx

        extract_docx(io.BytesIO(data), doc, limits)
    elif kind == "pdf":
        from doccheck.extract.pdf import extract_pdf

        extract_pdf(data, doc, limits)
    elif kind in ("markdown", "text"):
        from doccheck.extract.text import extract_text

        if len(data) > limits.max_text_chars:
            raise Unreadable("too-large", f"text exceeds {limits.max_text_chars:,} characters")
        extract_text(data, doc, kind == "markdown")
    elif kind == "ole":
        raise _reason_for_ole(path)
    elif kind == "legacy":
        what = LEGACY.get(path.suffix.lower(), "a legacy or non-Word format")
        raise Unreadable("legacy-format", f"{what} is not supported; convert it to .docx or PDF")
    elif kind == "garbage":
        raise Unreadable("corrupt", f"content is not a {doc.format} file (unrecognised signature)")
    else:
        raise Unreadable("unsupported", f"unsupported file type '{path.suffix or '(none)'}'")
