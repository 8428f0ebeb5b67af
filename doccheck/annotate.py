"""``doccheck annotate``: findings written into copies of the documents themselves.

Each document with findings gets a new file under the output folder, at its path relative
to the folder the documents share (``annotate docs/ --out reviewed`` writes
``reviewed/a/b.docx``, not ``reviewed/docs/a/b.docx``): Word comments and optional tracked
changes, PDF highlights; for Markdown and text, ``fix`` applies the planned edits to a copy
(or, with ``in_place``, to the file itself), and otherwise a sidecar ``NAME.review.md`` lists
the findings by line.

* The original is never written, except Markdown/text with ``in_place``; every file is written
  to a temporary name and renamed.
* All output paths are decided before anything is written: two documents that would land on
  one path, or a copy that would land on an input, stop the command (exit 2) untouched.
* Each file is annotated on its own: one that cannot be (a Word package python-docx refuses)
  is one line naming it and the reason; the others are written and the exit code is 1.
* The output folder gets a marker file (``.doccheck-annotated``), and discovery skips folders
  holding one, so a later scan of the parent folder does not check the copies again.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from doccheck.discover import ANNOTATED_MARKER
from doccheck.errors import DoccheckUserError
from doccheck.report.output import shareable
from doccheck.results import DocumentResult, Report


@dataclass(frozen=True)
class Written:
    source: str
    target: str
    annotations: int


@dataclass(frozen=True)
class Failed:
    source: str
    reason: str


def _root(paths: list[str]) -> Path:
    """The folder every path lies in (a single file: its own folder)."""
    folders = [Path(os.path.abspath(p)).parent for p in paths]
    return Path(os.path.commonpath([str(f) for f in folders])) if folders else Path(".")


def _target(out_dir: Path, root: Path, shown: str, doc_format: str, fix: bool) -> Path:
    relative = Path(os.path.abspath(shown)).relative_to(root)
    target = out_dir / relative
    if doc_format in ("markdown", "text") and not fix:
        target = target.with_name(target.name + ".review.md")
    return target


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


def plan_targets(report: Report, out_dir: Path | None, fix: bool, in_place: bool) -> list[tuple[DocumentResult, Path]]:
    """Where each annotated document goes; every conflict is an error before anything is written."""
    chosen = [r for r in report.documents if r.findings and r.document.readable]
    root = _root([r.document.path for r in chosen])
    inputs = {Path(r.document.path).resolve(): r.document.path for r in report.documents}
    out: list[tuple[DocumentResult, Path]] = []
    seen: dict[Path, str] = {}
    for result in chosen:
        doc = result.document
        if doc.format in ("markdown", "text") and in_place:
            out.append((result, Path(doc.path)))
            continue
        if out_dir is None:
            raise DoccheckUserError("annotated copies need an output folder (--out DIR)")
        target = _target(out_dir, root, doc.path, doc.format, fix)
        key = Path(os.path.normcase(target.resolve()))
        if target.resolve() in inputs:
            raise DoccheckUserError(f"refusing to write an annotated copy over an input document: {target}")
        if key in seen:
            raise DoccheckUserError(f"{seen[key]} and {doc.path} would both be written to {target}; nothing was written")
        seen[key] = doc.path
        out.append((result, target))
    return out


def annotate(report: Report, out_dir: Path | None, track_changes: bool = False, fix: bool = False,
             in_place: bool = False) -> tuple[list[Written], list[Failed]]:
    """Write annotated copies of every document of ``report`` that has findings (blocks loaded)."""
    targets = plan_targets(report, out_dir, fix, in_place)
    if out_dir is not None and any(t.is_relative_to(out_dir) for _, t in targets):
        out_dir.mkdir(parents=True, exist_ok=True)
        marker = out_dir / ANNOTATED_MARKER
        if not marker.exists():
            marker.write_text("Annotated copies written by doccheck; doccheck scans skip this folder.\n", encoding="utf-8")
    written, failed = [], []
    for result, target in targets:
        try:
            written.append(_one(result, target, track_changes, fix))
        except Exception as exc:  # noqa: BLE001 - one file that cannot be annotated must not cost the others
            failed.append(Failed(result.document.path, f"{exc.__class__.__name__}: {exc}"))
    return written, failed


def _one(result: DocumentResult, target: Path, track_changes: bool, fix: bool) -> Written:
    doc = result.document
    source = Path(doc.path)
    count = 0

    def write(tmp: Path) -> None:
        nonlocal count
        if doc.format == "docx":
            from doccheck.report.docx_annotate import annotate_docx

            count = annotate_docx(source, tmp, doc, result.findings, track_changes)
        elif doc.format == "pdf":
            from doccheck.report.pdf_annotate import annotate_pdf

            count = annotate_pdf(source, tmp, doc, result.findings)
        elif fix:
            from doccheck.extract.text import decode_lossless, encode_lossless
            from doccheck.report.text_fix import fix_text

            encoding = doc.facts.get("encoding", "utf-8")
            original = decode_lossless(source.read_bytes(), encoding)  # NOTE: as the scan read it; line endings kept
            fixed, count = fix_text(original, doc, result.findings)
            tmp.write_bytes(encode_lossless(fixed, encoding))
        else:
            from doccheck.report.text_review import review

            text, count = review(doc, result.findings)
            tmp.write_text(text, encoding="utf-8")

    _write_via_temp(target, write)
    return Written(doc.path, str(target), count)
