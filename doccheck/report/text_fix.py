"""``--fix`` for Markdown and text: apply the suggestions that are plain replacements.

Only term and reference findings whose suggestion replaces the matched text are applied,
from the end of the file backwards, and only where the file still holds exactly the
matched text at the finding's line and column.
"""

from __future__ import annotations

from collections.abc import Iterable

from doccheck.finding import Finding
from doccheck.model import Document

REPLACEABLE = ("obsolete-term", "obsolete-reference")


def _offsets(text: str) -> list[int]:
    starts, pos = [0], 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def fix_text(original: str, doc: Document, findings: Iterable[Finding]) -> tuple[str, int]:
    """``original`` with the replacements applied, and how many were."""
    starts = _offsets(original)
    edits = []
    for f in findings:
        if f.category not in REPLACEABLE or not f.suggestion or not f.text or f.block is None or f.span is None:
            continue
        pieces = doc.blocks[f.block].source_pieces(*f.span)
        if not pieces:
            continue
        begin = starts[pieces[0].key - 1] + pieces[0].start
        end = starts[pieces[-1].key - 1] + pieces[-1].end
        if " ".join(original[begin:end].split()) == " ".join(f.text.split()):
            edits.append((begin, end, f.suggestion))
    out, applied, last = original, 0, None
    for begin, end, replacement in sorted(edits, reverse=True):
        if last is not None and end > last:
            continue  # overlapping edits: keep the later one
        out = out[:begin] + replacement + out[end:]
        last, applied = begin, applied + 1
    return out, applied
