"""Markdown and plain-text extractor: paragraphs with line/column, YAML front matter as metadata.

Front-matter values are also text a reader sees (a ``title:`` that cites 21 CFR 820.30): each
scalar value becomes a block of part ``properties``, located at its own line and column.
Markdown table rows are blocks too, one per row with the cells separated by tabs, and carry
``cell = (table, row, 0)`` so the header row of a column can be found.
"""

from __future__ import annotations

import codecs
import itertools
import re

import yaml

from doccheck.errors import Unreadable
from doccheck.extract import approval, identity, mdhtml, pdflayout
from doccheck.extract.textbuild import TextBuilder
from doccheck.model import Block, Document

_ATX = re.compile(r"(#{1,6})[ \t]+(\S.*)")  # the closing "#"s are removed in _atx_title: "\s*#*\s*$" backtracks quadratically
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_FENCE = re.compile(r"^(```|~~~)")
_TABLE_RULE = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$")
_LIST = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when available: ~10x faster


def decode(data: bytes) -> tuple[str, str]:
    """Bytes -> (text, encoding). BOMs honoured; UTF-8 first, then Windows-1252."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc  # a damaged byte must not cost the file
    if b"\x00" in data[:4096]:
        raise Unreadable("binary", "file contains NUL bytes: binary data, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def decode_lossless(data: bytes, encoding: str) -> str:
    """Bytes -> text as `decode` read them (same encoding, same offsets), with every byte kept:
    a byte the encoding does not define stays itself (surrogateescape), so `encode_lossless`
    gives back the file's own bytes wherever nothing was edited."""
    if encoding == "utf-16":
        return data.decode(encoding, errors="replace")
    return data.decode(encoding, errors="surrogateescape")


def encode_lossless(text: str, encoding: str) -> bytes:
    return text.encode(encoding, errors="replace" if encoding == "utf-16" else "surrogateescape")


def _front_matter(lines: list[str]) -> tuple[dict, int, yaml.Node | None]:
    """YAML front matter between ``---`` lines at the top: (mapping, lines it used, its node graph)."""
    if not lines or lines[0].strip() != "---":
        return {}, 0, None
    for end in range(1, min(len(lines), 200)):
        if lines[end].strip() in ("---", "..."):
            data, root = _load_front(lines, end)
            return data, end + 1, root
    return {}, 0, None


_MAX_FRONT_CHARS = 64 * 1024


class _FrontLoader(_YAML_LOADER):  # type: ignore[misc,valid-type]
    """The safe loader, except that a date the calendar lacks (2024-02-30) stays the text it was."""


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return node.value  # NOTE: read as text; the date rules then report it as a date they cannot read


_FrontLoader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


def _load_front(lines: list[str], end: int) -> tuple[dict, yaml.Node | None]:
    """Compose, check the expanded size (aliases make a small text a huge graph), then construct;
    the composed nodes are returned too (their marks locate each value)."""
    source = "\n".join(lines[1:end])
    if len(source) > _MAX_FRONT_CHARS:
        raise Unreadable("too-large", f"front matter too complex: {len(source):,} characters (limit {_MAX_FRONT_CHARS:,})")
    loader = _FrontLoader(source)
    try:
        root = loader.get_single_node()
        if root is not None and _expanded_size(root) > _MAX_FRONT_NODES:
            raise Unreadable("too-large", f"front matter too complex: its aliases expand to more than {_MAX_FRONT_NODES:,} values")
        data = loader.construct_document(root) if root is not None else None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark else ""
        raise Unreadable("corrupt", f"front matter is not valid YAML{where}") from None
    except RecursionError:
        raise Unreadable("too-large", "front matter too complex: nested too deeply") from None
    finally:
        loader.dispose()
    return (data if isinstance(data, dict) else {}), root


def _expanded_size(root: yaml.Node) -> int:
    """How many nodes the document has once every alias is expanded (memoised: linear in the graph;
    a recursive alias, which never ends, counts as too many)."""
    sizes: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack[-1]
        children = [c for pair in node.value for c in pair] if isinstance(node, yaml.MappingNode) else node.value if isinstance(node, yaml.SequenceNode) else []
        todo = [c for c in children if id(c) not in sizes]
        if todo and id(node) not in open_:
            open_.add(id(node))
            if any(id(c) in open_ for c in todo):
                return _MAX_FRONT_NODES + 1
            stack.extend(todo)
            continue
        if todo:  # its children are done by now unless one of them leads back to it
            return _MAX_FRONT_NODES + 1
        stack.pop()
        open_.discard(id(node))
        sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), _MAX_FRONT_NODES + 1)
    return sizes[id(root)]


_MAX_FRONT_NODES = 10_000  # NOTE: aliases can make a small YAML text a huge graph; a real front matter has dozens


def _front_matter_blocks(doc: Document, lines: list[str], end: int, root: yaml.Node | None) -> None:
    """One block per scalar value of the front matter between line 1 and ``end`` (its source text, not the parsed value)."""
    source = "\n".join(lines[1 : end - 1])
    pending, seen, visited = [root], set(), 0
    scalars = []
    while pending and visited < _MAX_FRONT_NODES:
        node = pending.pop()
        visited += 1
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            pending.extend(value for _, value in reversed(node.value))
        elif isinstance(node, yaml.SequenceNode):
            pending.extend(reversed(node.value))
        elif isinstance(node, yaml.ScalarNode) and node.value.strip() and node.tag.endswith(":str"):
            scalars.append(node)
    for node in sorted(scalars, key=lambda n: n.start_mark.index):
        builder = TextBuilder()
        text = source[node.start_mark.index : node.end_mark.index]
        line, column = node.start_mark.line + 2, node.start_mark.column  # line 1 is the opening ---
        for i, piece in enumerate(text.split("\n")):
            lead = len(piece) - len(piece.lstrip()) if i else 0
            if i:
                builder.add_synthetic("\n")
            builder.add(piece.strip() if i else piece.rstrip(), line + i, column if not i else lead)
        built, segments = builder.build()
        if built.strip():
            doc.blocks.append(Block(len(doc.blocks), "properties", built, segments, (), "paragraph", 0, paragraph=len(doc.blocks) + 1))


def _flush(doc: Document, para: list[tuple[int, int, str]], section: list[tuple[int, str]], kind: str, level: int, markdown: bool = False) -> None:
    if not para:
        return
    builder = TextBuilder()
    add = mdhtml.add_text if markdown else TextBuilder.add  # Markdown: HTML tags are no text
    for i, (line_no, col, text) in enumerate(para):
        if i:
            builder.add_synthetic("\n")
        add(builder, text, line_no, col)
    text, segments = builder.build()
    doc.blocks.append(
        Block(
            index=len(doc.blocks),
            part="table" if kind == "table_cell" else "body",
            text=text,
            segments=segments,
            section=tuple(s for _, s in section),
            kind=kind,
            level=level,
            paragraph=len(doc.blocks) + 1,
        )
    )


def extract_text(data: bytes, doc: Document, markdown: bool) -> None:
    """Fill ``doc`` from text; Markdown gets headings, tables and front matter."""
    text, encoding = decode(data)
    doc.facts["encoding"] = encoding
    lines = text.splitlines()
    front, start, root = _front_matter(lines) if markdown else ({}, 0, None)
    if start:
        _front_matter_blocks(doc, lines, start, root)
    section: list[tuple[int, str]] = []
    para: list[tuple[int, int, str]] = []
    in_fence = False
    table = [0, 0, -2]  # tables so far, rows of the current one, line index of its last row
    html_end = -1  # the last line of an HTML table already read
    for i in range(start, len(lines)):
        if i <= html_end:
            continue
        raw, line_no = lines[i], i + 1
        stripped = raw.strip()
        if markdown and _FENCE.match(stripped):
            _flush(doc, para, section, "paragraph", 0, not in_fence)  # NOTE: a code block's HTML is what the reader sees
            para = []
            in_fence = not in_fence
            continue
        if markdown and not in_fence and stripped[:6].lower() == "<table":
            _flush(doc, para, section, "paragraph", 0, markdown)
            para = []
            html_end = mdhtml.table_end(lines, i)
            table[0] += 1
            for row_no, (_, cells) in enumerate(mdhtml.table_rows(lines, i, html_end), 1):
                _html_row(doc, cells, section, (table[0], row_no, 0))
            continue
        heading = _heading(lines, i, markdown) if not in_fence else None
        if heading or not stripped or (markdown and _SETEXT.match(stripped) and para) or _LIST.match(raw):
            _flush(doc, para, section, "paragraph", 0, markdown and not in_fence)
            para = []
        if heading:
            level, title = heading
            section = [s for s in section if s[0] < level] + [(level, title)]
            col = raw.index(title) if title in raw else 0
            _flush(doc, [(line_no, col, title)], section, "heading", level)
            continue
        if markdown and _TABLE_RULE.match(stripped) and table[2] == i - 1:
            table[2] = i
            continue
        if not stripped or (markdown and _SETEXT.match(stripped)) or (markdown and _TABLE_RULE.match(stripped)):
            continue
        if markdown and stripped.startswith("|"):
            if table[2] != i - 1:  # a new table starts
                table[0], table[1] = table[0] + 1, 0
            table[1], table[2] = table[1] + 1, i
            _table_row(doc, raw, line_no, section, (table[0], table[1], 0))
            continue
        col = len(raw) - len(raw.lstrip())
        para.append((line_no, col, raw.strip()))
    _flush(doc, para, section, "paragraph", 0, markdown and not in_fence)
    sources = [identity.from_properties(front, "front matter")]
    first = list(itertools.islice((b for b in doc.blocks if b.part != "properties"), 15))
    tables: dict[int, list[list[str]]] = {}
    for b in doc.blocks:
        if b.kind == "table_cell" and b.cell:
            tables.setdefault(b.cell[0], []).append(b.text.split("\t"))
    opening = len(list(itertools.takewhile(lambda b: not (b.kind == "heading" and pdflayout.heading_level(b.text)), first)))
    top = next(((n, b.cell[0]) for n, b in enumerate(first) if b.kind == "table_cell" and b.cell), None)
    if top is not None:  # a table among the first blocks: the control table a Word or PDF document keeps on page 1
        found = identity.from_table(tables[top[1]], "first-page control table")
        sources.append(found if top[0] < opening else identity.signature_only(found))  # after "1 Purpose": a signature block at most
    sources.extend(identity.from_first_page([b.text for b in first], sources))
    sources.extend(identity.from_series(b.text, "title block") for b in first[:6])
    sources.append(identity.from_title_line([b.text for b in first if b.kind == "heading"][:1], ends=True))
    sources.extend(identity.from_history(rows) for rows in tables.values())
    sources.extend(approval.from_rows(rows, "signature table") for rows in tables.values())
    sources.append(approval.from_lines((line for b in doc.blocks if b.part != "properties" for line in b.text.split("\n")), "signature block"))
    identity.merge(doc.metadata, sources)
    doc.properties = {f"front:{k}": str(v) for k, v in front.items()}


def _atx_title(rest: str) -> str:
    """A heading's text without its optional closing sequence of "#" (CommonMark: preceded by a blank)."""
    title = rest.rstrip()
    bare = title.rstrip("#")
    if bare != title and (not bare or bare[-1] in " \t"):
        title = bare.rstrip()
    return title


def _heading(lines: list[str], i: int, markdown: bool) -> tuple[int, str] | None:
    raw = lines[i]
    if markdown:
        m = _ATX.match(raw)
        if m:
            return len(m.group(1)), _atx_title(m.group(2))
        if i + 1 < len(lines) and raw.strip() and _SETEXT.match(lines[i + 1].strip()) and not _LIST.match(raw):
            return (1 if lines[i + 1].strip()[0] == "=" else 2), raw.strip()
        return None
    level = pdflayout.heading_level(raw.strip())
    return (level, raw.strip()) if level else None


def _table_row(doc: Document, raw: str, line_no: int, section: list[tuple[int, str]], where: tuple[int, int, int]) -> None:
    """A Markdown table row becomes one block whose cells are separated by tabs."""
    builder = TextBuilder()
    pos = raw.index("|") + 1
    cells = raw.strip().strip("|").split("|")
    for n, cell in enumerate(cells):
        col = raw.index(cell, pos) if cell else pos
        pos = col + len(cell) + 1
        if n:
            builder.add_synthetic("\t")
        value = cell.strip()
        mdhtml.add_text(builder, value, line_no, col + (len(cell) - len(cell.lstrip())))  # "Jane Smith<br>QA Director"
    _row_block(doc, builder, section, where)


def _html_row(doc: Document, cells: list[list[tuple[int, int, str]]], section: list[tuple[int, str]], where: tuple[int, int, int]) -> None:
    """A row of an HTML ``<table>`` becomes a block as a Markdown table row does: its cells separated by tabs."""
    builder = TextBuilder()
    for n, pieces in enumerate(cells):
        if n:
            builder.add_synthetic("\t")
        for k, (line_no, col, text) in enumerate(pieces):
            if k:
                builder.add_synthetic(" ")
            builder.add(text, line_no, col)
    _row_block(doc, builder, section, where)


def _row_block(doc: Document, builder: TextBuilder, section: list[tuple[int, str]], where: tuple[int, int, int]) -> None:
    text, segments = builder.build()
    doc.blocks.append(
        Block(len(doc.blocks), "table", text, segments, tuple(s for _, s in section), "table_cell", 0, paragraph=len(doc.blocks) + 1, cell=where)
    )
