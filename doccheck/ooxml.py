"""WordprocessingML walking rules shared by the extractor and the Word annotator.

NOTE: paragraph and run indices in block locations are defined by `paragraphs` and
`visible_runs` below; whoever anchors a comment later must walk with the same two functions.
"""

from __future__ import annotations

from typing import NamedTuple

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = {"w": W, "r": R, "mc": MC}


def qn(tag: str) -> str:
    """``"w:p"`` -> ``"{namespace}p"``."""
    prefix, local = tag.split(":")
    return f"{{{NS[prefix]}}}{local}"


W_P, W_R, W_T, W_TAB, W_BR, W_CR = qn("w:p"), qn("w:r"), qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
W_NBH, W_DEL, W_MOVE_FROM, W_INS, W_MOVE_TO = qn("w:noBreakHyphen"), qn("w:del"), qn("w:moveFrom"), qn("w:ins"), qn("w:moveTo")
W_TXBX, W_TC, W_TR, W_TBL = qn("w:txbxContent"), qn("w:tc"), qn("w:tr"), qn("w:tbl")
W_TC_PR, W_TR_PR, W_GRID_SPAN, W_GRID_BEFORE = qn("w:tcPr"), qn("w:trPr"), qn("w:gridSpan"), qn("w:gridBefore")
W_SDT, W_SDT_PR, W_SDT_CONTENT, W_ALIAS, W_TAG = qn("w:sdt"), qn("w:sdtPr"), qn("w:sdtContent"), qn("w:alias"), qn("w:tag")
W_SHOWING_PLACEHOLDER, W_VAL = qn("w:showingPlcHdr"), qn("w:val")
MC_FALLBACK = qn("mc:Fallback")
W_RPR, W_VANISH = qn("w:rPr"), qn("w:vanish")
_OFF = frozenset(("0", "false", "off"))  # an on/off property's "off" values (ST_OnOff)

# A run under one of these is not part of the visible ("final") text of its paragraph.
_HIDDEN = {W_DEL, W_MOVE_FROM, MC_FALLBACK}
_RUN_CHARS = {W_TAB: "\t", W_BR: "\n", W_CR: "\n", W_NBH: "-"}


def _span(props: etree._Element | None, tag: str, default: int) -> int:
    el = props.find(tag) if props is not None else None
    try:
        return max(0, min(int(el.get(W_VAL, default)), 64)) if el is not None else default
    except ValueError:
        return default


def has_merged_columns(tbl: etree._Element) -> bool:
    """Whether a cell of table ``tbl`` spans grid columns or a row starts after some (one pass in C)."""
    return next(tbl.iter(W_GRID_SPAN, W_GRID_BEFORE), None) is not None


def grid_columns(tr: etree._Element, merged: bool = True) -> dict[etree._Element, tuple[int, int, int]]:
    """Each cell of row ``tr``: (its index in the row, its first grid column, the grid columns it spans).
    NOTE: a merged cell ("Document No." over two columns) is one w:tc, so cells below it are not
    below it by index; the row's w:gridBefore skips columns before the first cell. ``merged``: False
    when the table has no merged columns (`has_merged_columns`): then a cell's column is its index."""
    cells = [c for c in tr if c.tag == W_TC]
    if not merged:
        return {tc: (n, n, 1) for n, tc in enumerate(cells)}
    col = _span(tr.find(W_TR_PR), W_GRID_BEFORE, 0)
    out = {}
    for n, tc in enumerate(cells):
        span = max(1, _span(tc.find(W_TC_PR), W_GRID_SPAN, 1))
        out[tc] = (n, col, span)
        col += span
    return out


def _in_fallback(el: etree._Element) -> bool:
    parent = el.getparent()
    while parent is not None:
        if parent.tag == MC_FALLBACK:
            return True
        parent = parent.getparent()
    return False


def paragraphs(root: etree._Element) -> list[etree._Element]:
    """All paragraphs of a story in document order, without Word's duplicate text-box copies.

    NOTE: Word stores every text box twice (``mc:Choice`` and ``mc:Fallback``); reading
    both doubles every finding in a text box.
    """
    has_fallback = next(root.iter(MC_FALLBACK), None) is not None
    paras = list(root.iter(W_P))
    return [p for p in paras if not _in_fallback(p)] if has_fallback else paras


W_HEADER_REF, W_FOOTER_REF = qn("w:headerReference"), qn("w:footerReference")
_REVISION_TAGS = (W_INS, W_DEL, W_MOVE_FROM)


class Layout(NamedTuple):
    """What a reader needs of a story's structure, from one walk of it (`layout`)."""

    paragraphs: list[etree._Element]  # as `paragraphs` gives them
    tables: list[etree._Element]  # every w:tbl in document order, nested ones included
    in_box: set[etree._Element]  # paragraphs inside a text box
    cell_of: dict[etree._Element, etree._Element]  # paragraph -> the innermost table cell holding it
    revisions: dict[str, int]  # tracked-change elements: w:ins, w:del, w:moveFrom tag -> count
    section_refs: list[etree._Element]  # w:headerReference and w:footerReference, in document order
    controls: list[etree._Element]  # content controls (w:sdt), in document order
    hidden: bool = False  # whether the story holds any w:vanish (hidden formatting): `visible_runs` must look for it


def layout(root: etree._Element) -> Layout:
    """Paragraphs, tables, text boxes, cells, tracked changes and header references of a story, in one walk.

    NOTE: each ``root.iter(tag)`` walks the whole tree (~0.3-0.7 ms for a 1 MB document.xml,
    whatever the number of tags asked for); the reader asked for six of them. Only the
    subtrees of cells and text boxes are walked again, and paragraphs are filtered for
    ``mc:Fallback`` only in a story that has one.
    """
    paras, tables, cells, boxes, refs, controls = [], [], [], [], [], []
    revisions = dict.fromkeys(_REVISION_TAGS, 0)
    fallback = hidden = False
    for el in root.iter(W_P, W_TBL, W_TC, W_TXBX, MC_FALLBACK, W_INS, W_DEL, W_MOVE_FROM, W_HEADER_REF, W_FOOTER_REF, W_SDT, W_VANISH):
        tag = el.tag
        if tag == W_P:
            paras.append(el)
        elif tag == W_TC:
            cells.append(el)
        elif tag in revisions:
            revisions[tag] += 1
        elif tag == W_TBL:
            tables.append(el)
        elif tag == W_TXBX:
            boxes.append(el)
        elif tag == MC_FALLBACK:
            fallback = True
        elif tag == W_SDT:
            controls.append(el)
        elif tag == W_VANISH:
            hidden = True
        else:
            refs.append(el)
    if fallback:
        paras = [p for p in paras if not _in_fallback(p)]
    in_box = {p for box in boxes for p in box.iter(W_P)}
    cell_of = {p: tc for tc in cells for p in tc.iter(W_P)}  # NOTE: an inner cell comes later and wins
    return Layout(paras, tables, in_box, cell_of, revisions, refs, controls, hidden)


def control_field(sdt: etree._Element) -> tuple[str, str] | None:
    """A content control's name (its alias, else its tag) and its visible text ("" while it shows its
    placeholder, "Click or tap here to enter text."); None for an unnamed one (a checkbox). Visible as
    a paragraph's: a pending deletion or hidden text in it is no part of the value, and its paragraphs
    are lines."""
    pr = sdt.find(W_SDT_PR)
    if pr is None:
        return None
    named = pr.find(W_ALIAS)
    if named is None or not named.get(W_VAL):
        named = pr.find(W_TAG)
    name = named.get(W_VAL, "").strip() if named is not None else ""
    if not name:
        return None
    content = sdt.find(W_SDT_CONTENT)
    if pr.find(W_SHOWING_PLACEHOLDER) is not None or content is None:
        return name, ""
    paragraphs = list(content.iter(W_P))  # a block-level control holds paragraphs; an inline one, runs
    if paragraphs:
        return name, "\n".join(paragraph_text(p) for p in paragraphs).strip()
    return name, "".join(run_text(r) for r in visible_runs(content)).strip()


def visible_runs(p: etree._Element, hidden: bool = True) -> list[etree._Element]:
    """The runs that make up paragraph ``p``'s final-view text (insertions in, deletions out, and
    runs formatted hidden out: ``w:vanish``, which Word shows and prints only when asked to).

    ``hidden``: False when the caller knows its story holds no w:vanish (`Layout.hidden`): the
    same runs, without looking for it (looking made this walk ~15% slower on the real documents'
    paragraphs).
    """
    runs = []
    for r in p.iter(W_R, W_VANISH) if hidden else p.iter(W_R):  # NOTE: one walk; a run's own w:rPr/w:vanish comes right after the run
        if r.tag == W_VANISH:
            props = r.getparent()
            if runs and props is not None and props.tag == W_RPR and props.getparent() is runs[-1] and r.get(W_VAL, "true") not in _OFF:
                runs.pop()
            continue
        parent = r.getparent()
        while parent is not None and parent is not p:
            if parent.tag in _HIDDEN or parent.tag == W_P or parent.tag == W_TXBX:
                break
            parent = parent.getparent()
        if parent is p:
            runs.append(r)
    return runs


def child_text(child: etree._Element) -> str:
    """The visible text one child of a run contributes (``w:t``, a tab, a break...)."""
    if child.tag == W_T:
        return child.text or ""
    return _RUN_CHARS.get(child.tag, "")


def run_text(r: etree._Element) -> str:
    """A run's visible text: ``w:t`` plus tabs and breaks; field codes and deleted text excluded."""
    out = []  # NOTE: inline, not child_text() per child: this runs once per run of every document
    for child in r:
        tag = child.tag
        if tag == W_T:
            out.append(child.text or "")
        elif tag in _RUN_CHARS:
            out.append(_RUN_CHARS[tag])
    return "".join(out)


def paragraph_text(p: etree._Element) -> str:
    return "".join(run_text(r) for r in visible_runs(p))


def enclosing(el: etree._Element, tags: set[str]) -> etree._Element | None:
    """The nearest ancestor of ``el`` whose tag is in ``tags``."""
    parent = el.getparent()
    while parent is not None:
        if parent.tag in tags:
            return parent
        parent = parent.getparent()
    return None
