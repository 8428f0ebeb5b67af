"""The document-level context pass: bare numbers and subparts that only their surroundings make citations.

Crosswalk tables and checklists list bare ``820.22`` or ``Subpart D`` under a column headed
"21 CFR 820", in a section headed "QSR mapping", or in a document that cites Part 820
elsewhere. The citation grammar returns such numbers as candidates (evidence ``bare``);
after every block is tagged, a candidate is accepted, strongest evidence first, when

* its table column's header cell is about Part 820 (``table``),
* one of the headings above it is (``heading``), or
* the document cites Part 820 or names the QSR anywhere (``document``),

and, for a section, only when it names a real Part 820 section: a bare ``820.17`` stays
untagged. What makes a header or heading "about Part 820" is data
(``corpora/part820.yaml``, ``context.about_part_820``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from doccheck.model import Block, Document, Tag
from doccheck.nlp.citation import Citation
from doccheck.resources import corpus

QSR_BY_NAME = "quality-system-regulation"  # the term id of the QSR named in words


@functools.cache
def _about() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in corpus("part820.yaml")["context"]["about_part_820"]))


def _cites_part_820(tags: Iterable[Tag]) -> bool:
    return any((t.kind == "citation" and t.ref.get("part") == "820") or t.label == QSR_BY_NAME for t in tags)


class _Tables:
    """Header cells of every table column, for docx (cells are blocks) and Markdown (rows are blocks)."""

    def __init__(self, document: Document) -> None:
        self.headers: dict[tuple[str | None, int], list[str]] = {}
        for block in document.blocks:
            if block.cell is None or block.cell[1] != 1:
                continue
            key = (block.story, block.cell[0])
            row = self.headers.setdefault(key, [])
            if document.format == "markdown":
                row.extend(block.text.split("\t"))
            else:
                column = block.cell[2]
                while len(row) < column:
                    row.append("")
                row[column - 1] = f"{row[column - 1]} {block.text}".strip()

    def header(self, document: Document, block: Block, offset: int) -> str | None:
        """The header cell over ``offset`` of ``block`` (the whole header row when it is one merged cell)."""
        if block.cell is None or block.cell[1] == 1:
            return None
        row = self.headers.get((block.story, block.cell[0]))
        if not row:
            return None
        column = block.text.count("\t", 0, offset) if document.format == "markdown" else block.cell[2] - 1
        if len(row) == 1:
            return row[0]
        return row[column] if column < len(row) else None


def accept(document: Document, candidates: list[tuple[Block, Citation, str]], tags: list[Tag]) -> list[tuple[Block, Citation, str]]:
    """The candidates (block, citation, status) that their table column, heading or document makes citations.

    Each comes back with its evidence set. ``tags``: every tag the blocks gave by themselves.
    """
    if not candidates:
        return []
    about = _about()
    tables = _Tables(document) if any(b.cell for b, _, _ in candidates) else None
    document_says: bool | None = None
    out = []
    for block, citation, status in candidates:
        if status == "invalid":
            continue  # a bare 820.17 is not a Part 820 citation, whatever the context
        header = tables.header(document, block, citation.start) if tables else None
        if header and about.search(header):
            evidence = "table"
        elif any(about.search(h) for h in block.section):
            evidence = "heading"
        else:
            if document_says is None:
                document_says = _cites_part_820(tags) or any(about.search(h) for b in document.blocks if b.kind == "heading" for h in (b.text,))
            if not document_says:
                continue
            evidence = "document"
        out.append((block, Citation(citation.start, citation.end, citation.kind, citation.ref, evidence), status))
    return out
