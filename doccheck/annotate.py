"""``doccheck annotate``: findings written into copies of the documents themselves.

Each document with findings gets a new file under the output folder (its path below the
working directory kept): Word comments and optional tracked changes, PDF highlights, or
for Markdown and text the plain replacements applied (``fix``). The original is never
written, except Markdown/text with ``in_place``; every file is written to a temporary
name and renamed.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from doccheck.errors import DoccheckUserError
from doccheck.report.output import shareable
from doccheck.results import DocumentResult, Report


@dataclass(frozen=True)
class Written:
    source: str
    target: str
    annotations: int


def _target(out_dir: Path, shown: str) -> Path:
    relative = Path(shown)
    if relative.is_absolute() or ".." in relative.parts:
        relative = Path(relative.name)
    return out_dir / relative


def _write_via_temp(target: Path, write) -> None:  # type: ignore[no-untyped-def]
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        shareable(tmp)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def annotate(report: Report, out_dir: Path | None, track_changes: bool = False, fix: bool = False, in_place: bool = False) -> list[Written]:
    """Write annotated copies of every document of ``report`` that has findings (blocks loaded)."""
    inputs = {Path(r.document.path).resolve() for r in report.documents}
    written = []
    for result in report.documents:
        if not result.findings or not result.document.readable:
            continue
        item = _one(result, out_dir, inputs, track_changes, fix, in_place)
        if item:
            written.append(item)
    return written


def _one(result: DocumentResult, out_dir: Path | None, inputs: set[Path], track_changes: bool, fix: bool, in_place: bool) -> Written | None:
    doc = result.document
    source = Path(doc.path)
    if doc.format in ("markdown", "text"):
        if not fix:
            return None
        target = source if in_place else _target(out_dir or Path("."), doc.path)
    else:
        if out_dir is None:
            raise DoccheckUserError("annotated copies need an output folder (--out DIR)")
        target = _target(out_dir, doc.path)
    if target.resolve() in inputs and not (in_place and doc.format in ("markdown", "text")):
        raise DoccheckUserError(f"refusing to write an annotated copy over an input document: {target}")
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        if doc.format == "docx":
            from doccheck.report.docx_annotate import annotate_docx

            count = annotate_docx(source, tmp, doc, result.findings, track_changes)
        elif doc.format == "pdf":
            from doccheck.report.pdf_annotate import annotate_pdf

            count = annotate_pdf(source, tmp, doc, result.findings)
        else:
            from doccheck.report.text_fix import fix_text

            encoding = doc.facts.get("encoding", "utf-8")
            original = source.read_bytes().decode(encoding)
            fixed, count = fix_text(original.replace("\r\n", "\n"), doc, result.findings)
            tmp.write_bytes(fixed.encode(encoding))

    _write_via_temp(target, write)
    return Written(doc.path, str(target), count)
