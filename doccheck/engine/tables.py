"""A document's tables as rows again, rebuilt from its cell blocks: what rules ask of a table."""

from __future__ import annotations

from doccheck.extract.identity import is_history_table
from doccheck.model import Document


def history_blocks(doc: Document) -> frozenset[int]:
    """The blocks of the document's revision-history tables: their cells, or in a PDF their lines."""
    return history_cells(doc) | history_lines(doc)


def history_lines(doc: Document) -> frozenset[int]:
    """PDF: the blocks of a revision-history table with no heading above it (`doccheck.extract.pdf.history_without_heading`)."""
    if doc.format != "pdf":  # Word and Markdown tables have cells (history_cells)
        return frozenset()
    from doccheck.extract.pdf import history_without_heading

    return frozenset(block.index for block in history_without_heading(doc))


def history_cells(doc: Document) -> frozenset[int]:
    """Indices of the blocks that are cells of a revision-history table (a header row with a revision
    column and a description or dated rows: `identity.is_history_table`), with or without a heading above it.

    Word cells are one block per paragraph (``cell`` = table, row, column); a Markdown row is one
    block whose cells are separated by tabs (column 0). PDF text has no cells.
    """
    rows: dict[tuple[str | None, int], dict[int, list[str]]] = {}
    members: dict[tuple[str | None, int], list[int]] = {}
    for block in doc.blocks:
        if block.cell is None or not block.cell[0]:
            continue
        table, r, c = block.cell
        key = (block.story, table)
        row = rows.setdefault(key, {}).setdefault(r, [])
        if c == 0:
            row.extend(block.text.split("\t"))
        else:
            row.extend([""] * (c - len(row)))
            row[c - 1] = f"{row[c - 1]}\n{block.text}" if row[c - 1] else block.text
        members.setdefault(key, []).append(block.index)
    return frozenset(i for key, table_rows in rows.items() if is_history_table([table_rows[r] for r in sorted(table_rows)]) for i in members[key])
