"""``--fix`` for Markdown and text: apply the suggestions that are plain replacements.

The edits of `doccheck.edits.plan` (term and reference suggestions, composed per sentence)
are applied from the end of the file backwards, and only where the file still holds exactly
the edited text at its line and column.
"""

from __future__ import annotations

from collections.abc import Iterable

from doccheck.edits import plan
from doccheck.finding import Finding
from doccheck.model import Document



def _offsets(text: str) -> list[int]:
    starts, pos = [0], 0
    for line in text.splitlines(keepends=True):
        pos += len(line)
        starts.append(pos)
    return starts


def fix_text(original: str, doc: Document, findings: Iterable[Finding]) -> tuple[str, int]:
    """``original`` with the planned edits applied (`doccheck.edits`), and how many findings they resolve."""
    starts = _offsets(original)
    spans = []
    for edit in plan(doc, findings):
        block = doc.blocks[edit.block]
        pieces = block.source_pieces(edit.start, edit.end)
        if not pieces:
            continue
        begin = starts[pieces[0].key - 1] + pieces[0].start
        end = starts[pieces[-1].key - 1] + pieces[-1].end
        if " ".join(original[begin:end].split()) == " ".join(block.text[edit.start : edit.end].split()):
            spans.append((begin, end, edit))
    out, applied, last = original, 0, None
    for begin, end, edit in sorted(spans, key=lambda s: (s[0], s[1]), reverse=True):
        if last is not None and end > last:
            continue  # overlapping in the file (never planned so): keep the later one
        out = out[:begin] + edit.text + out[end:]
        last, applied = begin, applied + len(edit.findings)
    return out, applied
