"""Word (.docx) extractor: lxml over the package parts, because python-docx misses too much.

python-docx drops text boxes, content controls, field results, tracked insertions, footnotes
and endnotes; a checker that misses them says "clean" about text it never read.
"""

from __future__ import annotations

import io
import itertools
import posixpath
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import BinaryIO

from lxml import etree

from doccheck import ooxml
from doccheck.errors import Unreadable
from doccheck.extract import altchunk, approval, identity
from doccheck.extract.limits import PARSER_OPTIONS, Limits, check_zip, parse_xml, read_part
from doccheck.extract.pdflayout import heading_level
from doccheck.extract.textbuild import TextBuilder, normalize
from doccheck.model import Block, Document, Field, Problem, Segment
from doccheck.ooxml import qn

_REL_TYPES = {
    "header": "header",
    "footer": "footer",
    "footnotes": "footnote",
    "endnotes": "endnote",
    "comments": "comment",
}
_CP = "http://schemas.openxmlformats.org/package/2006/metadata/core-properties"
_CORE_FIELDS = {
    f"{{{'http://purl.org/dc/elements/1.1/'}}}title": "title",
    f"{{{'http://purl.org/dc/elements/1.1/'}}}subject": "subject",
    f"{{{'http://purl.org/dc/elements/1.1/'}}}creator": "author",
    f"{{{_CP}}}lastModifiedBy": "last_modified_by",
    f"{{{_CP}}}revision": "save_count",  # NOTE: Word's save counter, not the document revision
    f"{{{_CP}}}version": "version",
    f"{{{_CP}}}contentStatus": "status",
    f"{{{_CP}}}keywords": "keywords",
    f"{{{'http://purl.org/dc/terms/'}}}modified": "modified",
    f"{{{'http://purl.org/dc/terms/'}}}created": "created",
}
_HEADING_NAME = re.compile(r"^heading\s*(\d)$", re.I)
W_VAL, W_TYPE = qn("w:val"), qn("w:type")
W_ALTCHUNK, R_ID = qn("w:altChunk"), qn("r:id")
_SEPARATORS = {"separator", "continuationSeparator", "continuationNotice"}


@dataclass
class _Package:
    zf: zipfile.ZipFile
    limits: Limits
    names: set[str] = field(default_factory=set)

    def xml(self, name: str) -> etree._Element | None:
        if name not in self.names:
            return None
        return parse_xml(read_part(self.zf, name, self.limits), name)

    def rels(self, part: str) -> dict[str, tuple[str, str]]:
        """Relationship id -> (type suffix, target part name) for ``part``."""
        folder, base = posixpath.split(part)
        root = self.xml(posixpath.join(folder, "_rels", base + ".rels"))
        out = {}
        for rel in root if root is not None else ():
            if rel.get("TargetMode") == "External":
                continue
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")).lstrip("/"))
            out[rel.get("Id", "")] = (rel.get("Type", "").rsplit("/", 1)[-1], target)
        return out


W_PPR, W_OUTLINE, W_PSTYLE = qn("w:pPr"), qn("w:outlineLvl"), qn("w:pStyle")
_STYLES: dict[tuple[int, int], dict[str, int]] = {}  # (CRC-32, size) of a styles part -> its heading levels
_STYLES_KEPT = 64  # templates remembered per worker
W_STYLE, W_STYLE_ID, W_NAME = qn("w:style"), qn("w:styleId"), qn("w:name")


def _styles(pkg: _Package, main: str) -> dict[str, int]:
    """Style id -> heading level (1-9) for heading styles, from names and outline levels.

    NOTE: the documents of one company share their template, so the levels are kept per
    worker by the part's CRC-32 and size from the zip directory: a hit reads nothing. (A
    forged CRC can only give a file another template's heading levels.) A miss streams the
    part, keeping one style element at a time.
    """
    name = posixpath.join(posixpath.dirname(main), "styles.xml")
    if name not in pkg.names:
        return {}
    info = pkg.zf.getinfo(name)
    key = (info.CRC, info.file_size)
    if key not in _STYLES:
        if len(_STYLES) >= _STYLES_KEPT:
            _STYLES.clear()
        _STYLES[key] = _style_levels(read_part(pkg.zf, name, pkg.limits), name)
    return _STYLES[key]


def _style_levels(data: bytes, name: str) -> dict[str, int]:
    levels: dict[str, int] = {}
    try:
        for _, style in etree.iterparse(io.BytesIO(data), events=("end",), tag=W_STYLE, **PARSER_OPTIONS):
            sid = style.get(W_STYLE_ID, "")
            name_el = style.find(W_NAME)
            style_name = name_el.get(W_VAL, "") if name_el is not None else ""
            outline = style.find(f"{W_PPR}/{W_OUTLINE}")
            m = _HEADING_NAME.match(style_name)
            if m:
                levels[sid] = int(m.group(1))
            elif style_name.lower() == "title":
                levels[sid] = 1
            elif outline is not None and outline.get(W_VAL, "9").isdigit() and int(outline.get(W_VAL, "9")) < 9:
                levels[sid] = int(outline.get(W_VAL, "9")) + 1
            style.clear()  # NOTE: keep one style at a time: a large template holds thousands
    except etree.XMLSyntaxError as exc:
        raise Unreadable("corrupt", f"part '{name}' is not well-formed XML ({exc.msg})") from None
    return levels


def _heading_level(p: etree._Element, styles: dict[str, int]) -> int:
    if not len(p) or p[0].tag != W_PPR:  # pPr, when present, is the first child
        return 0
    level = 0
    for child in p[0]:
        if child.tag == W_OUTLINE:
            value = child.get(W_VAL, "9")
            if value.isdigit() and int(value) < 9:
                return int(value) + 1
        elif child.tag == W_PSTYLE:
            level = styles.get(child.get(W_VAL, ""), 0)
    return level


def _paragraph_text(p: etree._Element, hidden: bool = True) -> tuple[str, tuple[Segment, ...]]:
    """A paragraph's final-view text, with one segment per run (key = run index); ``hidden``: see `ooxml.visible_runs`."""
    texts = [ooxml.run_text(r) for r in ooxml.visible_runs(p, hidden)]
    joined = "".join(texts)
    # NOTE: the common case, also for curly quotes and dashes: nothing to normalise, so segments
    # follow the runs (a text NFKC leaves alone has no character it would change)
    if joined.isascii() or normalize(joined) == joined:
        segments, pos = [], 0
        for i, text in enumerate(texts):
            if text:
                segments.append(Segment(pos, len(text), i, 0, len(text)))
                pos += len(text)
        return joined, tuple(segments)
    builder = TextBuilder()
    for i, text in enumerate(texts):
        builder.add(text, i, 0)
    return builder.build()


class _StoryReader:
    """Turns one story (body, a header, the footnotes...) into blocks; tracks tables and headings."""

    def __init__(self, doc_blocks: list[Block], styles: dict[str, int]) -> None:
        self.blocks = doc_blocks
        self.styles = styles
        self.section: list[tuple[int, str]] = []
        self.section_path: tuple[str, ...] = ()
        self.tables: list[tuple[str, list[list[str]]]] = []
        self.table_starts: list[int] = []  # for each of `tables`: the index of the first block read after it began
        self.revisions = dict.fromkeys((ooxml.W_INS, ooxml.W_DEL, ooxml.W_MOVE_FROM), 0)  # over every story read
        self.controls: list[tuple[str, str]] = []  # named content controls: (alias or tag, visible text), over every story

    def read(self, root: etree._Element, story: str, part: str, shape: ooxml.Layout | None = None) -> None:
        """Blocks of one story; ``shape``: its `ooxml.layout`, when the caller walked it already."""
        # NOTE: keeping these proxies alive (shape) makes lxml return the same objects from getparent().
        shape = shape or ooxml.layout(root)
        for tag, count in shape.revisions.items():
            self.revisions[tag] += count
        self.controls.extend(field for el in shape.controls if (field := ooxml.control_field(el)))
        table_ids = {t: n for n, t in enumerate(shape.tables, start=1)}
        table_rows: dict[etree._Element, list[list[str]]] = {}
        places: dict[etree._Element, int] = {}  # row -> its index in its table
        columns: dict[etree._Element, tuple[int, int, int]] = {}  # cell -> its index in its row, first grid column, span
        merged: dict[etree._Element, bool] = {}  # table -> whether any of its cells spans columns
        starts: dict[int, int] = {}  # table id -> the index of the first block read after it began
        in_box, cell_of = shape.in_box, shape.cell_of
        separators = {p for note in root if note.get(W_TYPE) in _SEPARATORS for p in note.iter(ooxml.W_P)}
        # doccheck's own review comments (annotated copies) are not document content
        separators |= {p for note in root if note.get(qn("w:author")) == "doccheck" for p in note.iter(ooxml.W_P)}
        for number, p in enumerate(shape.paragraphs, start=1):
            if p in separators:  # footnote separator lines: counted (locations match the file), not read
                continue
            text, segments = _paragraph_text(p, shape.hidden)
            boxed = p in in_box
            cell_el = None if boxed else cell_of.get(p)
            level = _heading_level(p, self.styles) if part == "body" and not boxed and cell_el is None else 0
            cell = self._cell(cell_el, table_ids, table_rows, text, places, columns, merged) if cell_el is not None else None
            if cell is not None:
                starts.setdefault(cell[0], len(self.blocks))
            if level and text.strip():
                self.section = [s for s in self.section if s[0] < level] + [(level, text.strip())]
                self.section_path = tuple(s[1] for s in self.section)
            if not text.strip():
                continue
            self.blocks.append(
                Block(
                    index=len(self.blocks),
                    part="textbox" if boxed else ("table" if cell is not None and part == "body" else part),
                    text=text,
                    segments=segments,
                    section=self.section_path if part == "body" else (),
                    kind="heading" if level else ("table_cell" if cell else "paragraph"),
                    level=level,
                    story=story,
                    paragraph=number,
                    cell=cell,
                )
            )
        self.tables.extend((story, rows) for rows in table_rows.values())
        self.table_starts.extend(starts.get(table_ids.get(tbl, 0), len(self.blocks)) for tbl in table_rows)

    @staticmethod
    def _cell(
        tc: etree._Element, table_ids: dict[etree._Element, int], table_rows: dict[etree._Element, list[list[str]]], text: str,
        places: dict[etree._Element, int], columns: dict[etree._Element, tuple[int, int, int]], merged: dict[etree._Element, bool],
    ) -> tuple[int, int, int]:
        tr = tc.getparent()
        tbl = tr.getparent() if tr is not None else None
        if tr is None or tbl is None or tbl not in table_ids:
            return (0, 0, 0)
        if tr not in places:  # NOTE: once per table and per row: a row index per cell paragraph was quadratic
            places.update((row, n) for n, row in enumerate(c for c in tbl if c.tag == ooxml.W_TR))
        if tc not in columns:
            if tbl not in merged:
                merged[tbl] = ooxml.has_merged_columns(tbl)
            columns.update(ooxml.grid_columns(tr, merged[tbl]))
        r, (c, first, span) = places[tr], columns[tc]
        grid = table_rows.setdefault(tbl, [])  # by grid column: a merged cell's text in each column it covers
        while len(grid) <= r:
            grid.append([])
        while len(grid[r]) < first + span:
            grid[r].append("")
        joined = (grid[r][first] + "\n" + text).strip() if grid[r][first] else text.strip()
        grid[r][first : first + span] = [joined] * span
        return (table_ids[tbl], r + 1, c + 1)


def _header_kinds(refs: list[etree._Element], rels: dict[str, tuple[str, str]]) -> dict[str, str]:
    """Header/footer part name -> "default" | "first" | "even", from the section properties' references."""
    kinds = {}
    for ref in sorted(refs, key=lambda el: el.tag != ooxml.W_HEADER_REF):  # headers first
        rid = ref.get(_R_ID, "")
        if rid in rels:
            kinds[rels[rid][1]] = ref.get(W_TYPE, "default")
    return kinds


_R_ID = qn("r:id")


def _properties(pkg: _Package) -> tuple[dict[str, str], dict[str, str]]:
    core: dict[str, str] = {}
    root = pkg.xml("docProps/core.xml")
    for el in root if root is not None else ():
        if el.tag in _CORE_FIELDS and (el.text or "").strip():
            core[_CORE_FIELDS[el.tag]] = el.text.strip()
    custom: dict[str, str] = {}
    root = pkg.xml("docProps/custom.xml")
    for prop in root if root is not None else ():
        name = prop.get("name")
        if name and len(prop):
            custom[name] = (prop[0].text or "").strip()
    return core, custom


def _main_part(pkg: _Package) -> str:
    root = pkg.xml("_rels/.rels")
    for rel in root if root is not None else ():
        if rel.get("Type", "").endswith("/officeDocument"):
            return posixpath.normpath(rel.get("Target", "").lstrip("/"))
    if "word/document.xml" in pkg.names:
        return "word/document.xml"
    raise Unreadable("corrupt", "package has no main document part (word/document.xml is missing)")


def extract_docx(fh: BinaryIO, doc: Document, limits: Limits, depth: int = 0) -> None:
    """Fill ``doc`` from the Word package in ``fh`` (``depth``: how deep inside imported .docx chunks)."""
    try:
        zf = zipfile.ZipFile(fh)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError) as exc:
        raise Unreadable("corrupt", f"not a readable Word package ({exc})") from None
    with zf:
        check_zip(zf, limits)
        pkg = _Package(zf, limits, set(zf.namelist()))
        try:
            _read_package(pkg, doc, depth)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, ValueError, NotImplementedError, RuntimeError) as exc:
            raise Unreadable("corrupt", f"damaged Word package ({exc.__class__.__name__}: {exc})") from None


def _read_package(pkg: _Package, doc: Document, depth: int = 0) -> None:
    main = _main_part(pkg)
    body = pkg.xml(main)
    if body is None:
        raise Unreadable("corrupt", f"package has no main document part ({main} is missing)")
    if body.tag != qn("w:document"):
        raise Unreadable("unsupported", f"{main} is not a WordprocessingML document")
    rels = pkg.rels(main)
    styles = _styles(pkg, main)
    reader = _StoryReader(doc.blocks, styles)
    shape = ooxml.layout(body)  # NOTE: read after the headers, but its section references name them
    kinds = _header_kinds(shape.section_refs, rels)
    # NOTE: each part once, and never the body again: relationships may repeat a target or point back at the body
    side: list[tuple[str, str]] = []
    for rel_type, target in rels.values():
        if rel_type in _REL_TYPES and target != main and all(target != seen for _, seen in side):
            side.append((rel_type, target))
    headers = sorted((x for x in side if x[0] in ("header", "footer")), key=lambda x: x[1])
    for rel_type, target in headers:
        root = pkg.xml(target)
        if root is not None:
            reader.read(root, f"{target}#{kinds.get(target, 'default')}", _REL_TYPES[rel_type])
    reader.read(body, main, "body", shape)
    chunks = [rels[rid][1] for el in body.iter(W_ALTCHUNK) if (rid := el.get(R_ID)) in rels and rels[rid][0] == "aFChunk"] \
        if any(t == "aFChunk" for t, _ in rels.values()) else []  # NOTE: the body walked only when a chunk is related
    if chunks:
        altchunk.read_chunks(pkg.zf, pkg.names, chunks, doc, pkg.limits, depth, extract_docx)
    for rel_type, target in side:
        if rel_type in ("header", "footer"):
            continue
        root = pkg.xml(target)
        if root is None:
            continue
        reader.read(root, target, _REL_TYPES[rel_type])
    comments = pkg.xml(next((t for r, t in side if r == "comments"), ""))
    done = pkg.xml(posixpath.join(posixpath.dirname(main), "commentsExtended.xml"))
    # doccheck's own review comments on an annotated copy are not the document's comments
    n_comments = sum(1 for c in comments.iter(qn("w:comment")) if c.get(qn("w:author")) != "doccheck") if comments is not None else 0
    n_done = sum(1 for el in done.iter() if el.get(f"{{{_W15}}}done") == "1") if done is not None else 0
    revisions = {name: reader.revisions[tag] for tag, name in ((ooxml.W_INS, "insertions"), (ooxml.W_DEL, "deletions"), (ooxml.W_MOVE_FROM, "moves"))}
    core, custom = _properties(pkg)
    doc.properties = {**{f"core:{k}": v for k, v in core.items()}, **{f"custom:{k}": v for k, v in custom.items()}}
    doc.facts.update(
        {
            "pending_revisions": revisions["insertions"] + revisions["deletions"] + revisions["moves"],
            "tracked_insertions": revisions["insertions"],
            "tracked_deletions": revisions["deletions"],
            "comments": n_comments,
            "open_comments": n_comments - n_done,
            "pages": _app_pages(pkg),
            "tables": len(reader.tables),
        }
    )
    embedded = sorted(n for n in pkg.names if n.startswith(posixpath.join(posixpath.dirname(main), "embeddings/")))
    if embedded:  # NOTE: OLE objects and packages (a spreadsheet, another document) shown in the body: not read
        doc.facts["embedded_files"] = [posixpath.basename(n) for n in embedded]
        for name in embedded:
            doc.problems.append(Problem("embedded-file", f"contains an embedded file '{posixpath.basename(name)}' that was not checked", fatal=False))
    _read_identity(doc, custom, core, reader.tables, reader.controls, reader.table_starts)


_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"


def _app_pages(pkg: _Package) -> int | None:
    root = pkg.xml("docProps/app.xml")
    if root is None:
        return None
    pages = root.find("{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}Pages")
    return int(pages.text) if pages is not None and (pages.text or "").isdigit() else None


_CONTROL_FIELDS = ("document_number", "revision", "effective_date", "approval")


def _first_page_table(doc: Document, body: list[tuple[list[list[str]], int]]) -> dict[str, Field]:
    """The first-page control table: the first body table unless a numbered section ("1 Purpose") comes
    before it, or, when it gives no field (a logo and title table above the control table), the next that
    does among those that begin before the first section heading (styled or numbered). NOTE: never one
    after it: "2 References" may hold a table of other documents' numbers."""
    # NOTE: only the blocks before the table are looked at: the first numbered heading after it changes nothing
    numbered = next((b.index for b in doc.blocks[: body[0][1]] if b.part == "body" and heading_level(b.text.strip())), len(doc.blocks))
    if body[0][1] > numbered:  # the first table is in a numbered section ("2 References"): it cites other documents
        return identity.signature_only(identity.from_table(body[0][0], _FIRST_TABLE))
    first = identity.from_table(body[0][0], _FIRST_TABLE)
    if any(f.value for f in first.values()):
        return first
    last = max(start for _, start in body[1:]) if body[1:] else 0  # NOTE: a heading after the last table's start changes nothing
    section = next((b.index for b in doc.blocks[:last] if b.index and b.part == "body" and (b.kind == "heading" or heading_level(b.text.strip()))),
                   len(doc.blocks))
    for rows, start in body[1:]:
        if start > section:
            break
        found = identity.from_table(rows, _FIRST_TABLE)
        if any(f.value for f in found.values()):
            return found
    return first


_FIRST_TABLE = "first-page control table"


def _running_part(block: Block) -> str | None:
    """"header" or "footer" for a block of a page header or footer, a text box there included (templates
    draw the control block in a shape); None for the rest."""
    if block.part in ("header", "footer"):
        return block.part
    if block.part == "textbox" and block.story and ("/header" in block.story or "/footer" in block.story):
        return "header" if "/header" in block.story else "footer"
    return None


def _read_identity(doc: Document, custom: dict[str, str], core: dict[str, str], tables: list, controls: list[tuple[str, str]],
                   starts: list[int]) -> None:
    # NOTE: a content control named for a field ("Document Number", "Effective Date") is a label: the first of each
    # name. Only for the fields whose values have a shape: a control named "Status" or "Title" holds any text.
    named = identity.from_properties({name: text for name, text in reversed(controls)}, "content control") if controls else {}
    # (and an approval control must name someone: "Approved By" holding "QA Manager" is a role)
    controlled = {k: v for k, v in named.items() if k in _CONTROL_FIELDS and (k != "approval" or not v.value or approval.is_person(v.value))}
    sources = [identity.from_properties(custom, "custom property"), controlled]
    running = [(b.text, part) for b in doc.blocks if (part := _running_part(b))]
    sources.extend(identity.from_text(text, part) for text, part in running)
    for story, rows in tables:
        if "/header" in story or "/footer" in story:
            sources.append(identity.from_table(rows, f"{'header' if '/header' in story else 'footer'} control table"))
    body = [(rows, start) for (story, rows), start in zip(tables, starts) if "/header" not in story and "/footer" not in story]
    body_tables = [rows for rows, _ in body]
    if body_tables:
        sources.append(_first_page_table(doc, body))
    first = list(itertools.islice((b for b in doc.blocks if b.part in ("body", "table")), 15))
    sources.extend(identity.from_first_page([b.text for b in first], sources))
    sources.extend(identity.from_series(text, part) for text, part in (*running, *((b.text, b.part) for b in first[:6])))
    sources.extend(identity.from_running_line(text, part) for text, part in running)
    titles = [b.text for b in first if b.kind == "heading" or b.level][:1]
    sources.append(identity.from_title_line(titles, ends=True) if titles else identity.from_title_line([b.text for b in first[:1]]))
    for rows in body_tables:
        sources.append(identity.from_history(rows))
    sources.extend(approval.from_rows(rows, "signature table") for rows in body_tables)
    sources.append(approval.from_lines((b.text for b in doc.blocks if b.part in ("body", "table", "textbox")), "signature block"))
    core_props = {k: v for k, v in core.items() if k in ("title", "version", "status")}
    sources.append(identity.from_properties({"revision" if k == "version" else k: v for k, v in core_props.items()}, "core property"))
    sources.append(identity.lone_number(sources, running))
    identity.merge(doc.metadata, sources)
