"""Annotated Word copies: a comment per finding on exactly the matched words, optional tracked fixes.

Input: the original file, its findings, and its blocks (for the map from a finding's span to
the runs that hold it). Output: a new file; the original is never written.

* A finding in the body, a table or a text box gets a comment anchored on its characters
  (runs are split at the match boundaries, formatting kept).
* Word cannot anchor comments in headers, footers, footnotes or endnotes: those findings,
  and document-level ones (missing elements, metadata), get a comment on the title paragraph
  naming where they are.
* ``track_changes``: the edits of `doccheck.edits.plan` (term and reference suggestions,
  composed per sentence: "Device Master Record (DMR)" is one edit) become tracked deletions
  and insertions authored "doccheck", with their findings' comments on them.

Every comment starts with ``[RULE-ID]``, so a later run recognises its own comments: the
extractor skips comments authored "doccheck", and annotating an annotated copy again does
not duplicate them.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from doccheck import ooxml
from doccheck.edits import plan
from doccheck.finding import Finding
from doccheck.model import Block, Document

AUTHOR, INITIALS = "doccheck", "DC"


def comment_text(f: Finding, where: str | None = None) -> str:
    lines = [f"[{f.rule}] {f.message}"]
    if where:
        lines.append(f"Location: {where}")
    if f.suggestion:
        lines.append(f"Suggestion: {f.suggestion}")
    if f.source:
        lines.append(f"Source: {f.source}")
    return "\n".join(lines)


def _key(text: str) -> str:
    """A finding's identity in its comment: the first line, "[RULE-ID] message"."""
    return text.split("\n", 1)[0]


def _run_lengths(p: etree._Element) -> list[tuple[etree._Element, int]]:
    return [(r, len(ooxml.run_text(r))) for r in ooxml.visible_runs(p)]


def _split_run(r: etree._Element, offset: int) -> etree._Element:
    """Split run ``r`` at text ``offset``; return the new right-hand run (inserted after ``r``)."""
    right = copy.deepcopy(r)
    r.addnext(right)
    pos = 0
    for left_child, right_child in zip(list(r), list(right)):
        if left_child.tag == ooxml.qn("w:rPr"):
            continue
        text = ooxml.child_text(left_child)
        start, end = pos, pos + len(text)
        if end <= offset:
            right.remove(right_child)
        elif start >= offset:
            r.remove(left_child)
        else:  # the split falls inside this w:t
            cut = offset - start
            left_child.text, right_child.text = text[:cut], text[cut:]
            for el in (left_child, right_child):
                el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        pos = end
    return right


def _isolate(p: etree._Element, start: int, end: int) -> list[etree._Element]:
    """The runs holding exactly characters ``[start, end)`` of paragraph ``p`` (splitting as needed)."""
    for boundary in (start, end):
        pos = 0
        for r, length in _run_lengths(p):
            if pos < boundary < pos + length:
                _split_run(r, boundary - pos)
                break
            pos += length
    out, pos = [], 0
    for r, length in _run_lengths(p):
        if length and pos >= start and pos + length <= end:
            out.append(r)
        pos += length
    return out


def _para_offsets(block: Block, span: tuple[int, int] | None, run_lengths: list[int]) -> tuple[int, int] | None:
    """A span of the block -> character offsets in its paragraph, from the runs' lengths before any split.

    NOTE: splitting a run never changes the paragraph's text, so these offsets stay valid
    while other findings of the same paragraph are annotated.
    """
    pieces = block.source_pieces(*span) if span else []
    if not pieces or pieces[-1].key >= len(run_lengths):
        return None
    starts = [sum(run_lengths[:k]) for k in range(len(run_lengths))]
    return starts[pieces[0].key] + pieces[0].start, starts[pieces[-1].key] + pieces[-1].end


def _comment_range(first: etree._Element, last: etree._Element, comment_id: int) -> None:
    first.addprevious(OxmlElement("w:commentRangeStart", attrs={qn("w:id"): str(comment_id)}))
    reference = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:rStyle", attrs={qn("w:val"): "CommentReference"}))
    reference.append(rpr)
    reference.append(OxmlElement("w:commentReference", attrs={qn("w:id"): str(comment_id)}))
    last.addnext(reference)
    last.addnext(OxmlElement("w:commentRangeEnd", attrs={qn("w:id"): str(comment_id)}))


class _Ids:
    """One counter for the w:id of every revision doccheck adds, above any id already used."""

    def __init__(self, root: etree._Element) -> None:
        used = [int(v) for el in root.iter(ooxml.qn("w:ins"), ooxml.qn("w:del"), ooxml.qn("w:bookmarkStart")) if (v := el.get(qn("w:id"), "")).lstrip("-").isdigit()]
        self.next = max(used, default=0) + 1000

    def __call__(self) -> str:
        self.next += 1
        return str(self.next)


def _track(runs: list[etree._Element], suggestion: str, ids: _Ids) -> tuple[etree._Element, etree._Element]:
    """Wrap ``runs`` in a tracked deletion and add a tracked insertion of ``suggestion`` after it (none when it is empty)."""
    stamp = dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")
    attrs = {qn("w:author"): AUTHOR, qn("w:date"): stamp}
    deletion = OxmlElement("w:del", attrs={qn("w:id"): ids(), **attrs})
    runs[0].addprevious(deletion)
    for r in runs:
        deletion.append(r)
        for t in r.iter(ooxml.qn("w:t")):
            t.tag = ooxml.qn("w:delText")
    if not suggestion:  # a redundant citation removed: a deletion alone
        return deletion, deletion
    insertion = OxmlElement("w:ins", attrs={qn("w:id"): ids(), **attrs})
    new_run = copy.deepcopy(runs[0])
    for child in [c for c in new_run if c.tag != ooxml.qn("w:rPr")]:
        new_run.remove(child)
    text = OxmlElement("w:t")
    text.text = suggestion
    text.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    new_run.append(text)
    insertion.append(new_run)
    deletion.addnext(insertion)
    return deletion, insertion


def annotate_docx(source: Path, target: Path, doc: Document, findings: Iterable[Finding], track_changes: bool = False) -> int:
    """Write ``target``: ``source`` with a comment per finding. Returns the number of comments added."""
    word = docx.Document(str(source))
    body_root = word.element
    paragraphs = ooxml.paragraphs(body_root)
    existing = {_key(c.text) for c in word.comments if c.author == AUTHOR}
    ids = _Ids(body_root)
    title = next((p for p in paragraphs if ooxml.paragraph_text(p).strip()), None)
    lengths = {n: [len(ooxml.run_text(r)) for r in ooxml.visible_runs(p)] for n, p in enumerate(paragraphs, start=1)}
    findings = list(findings)
    anchored, elsewhere = [], []
    for f in findings:
        block = doc.blocks[f.block] if f.block is not None and f.block < len(doc.blocks) else None
        in_body = block is not None and (block.story or "").startswith("word/document") and f.span is not None and f.text
        (anchored if in_body else elsewhere).append((f, block))
    # One anchor per planned edit (its findings' comments on the tracked change), one per other finding;
    # a finding inside an edit's span comments on that edit (NOTE: deleted runs are no longer visible).
    anchors: list[tuple[Block, tuple[int, int], list[Finding], str | None]] = []
    edits = [e for e in plan(doc, [f for f, _ in anchored]) if (doc.blocks[e.block].story or "").startswith("word/document")] if track_changes else []
    for e in edits:
        anchors.append((doc.blocks[e.block], (e.start, e.end), list(e.findings), e.text))
    covered = {f for e in edits for f in e.findings}
    for f, block in anchored:
        if f in covered:
            continue
        host = next((a for a in anchors if a[3] is not None and a[0].index == block.index and f.span[0] < a[1][1] and a[1][0] < f.span[1]), None)
        if host is not None:
            host[2].append(f)
        else:
            anchors.append((block, f.span, [f], None))
    added = 0
    # NOTE: last match first within each paragraph: offsets of earlier matches stay valid.
    for block, span, resolved, replacement in sorted(anchors, key=lambda a: (a[0].paragraph or 0, a[1]), reverse=True):
        texts = [t for t in dict.fromkeys(comment_text(f) for f in resolved) if _key(t) not in existing]
        if (not texts and replacement is None) or block.paragraph is None or block.paragraph > len(paragraphs):
            continue
        offsets = _para_offsets(block, span, lengths[block.paragraph])
        runs = _isolate(paragraphs[block.paragraph - 1], *offsets) if offsets else []
        if not runs:
            elsewhere.extend((f, block) for f in resolved)
            continue
        first, last = runs[0], runs[-1]
        if replacement is not None:
            first, last = _track(runs, replacement, ids)
        for text in texts:
            comment = word.comments.add_comment(text=text, author=AUTHOR, initials=INITIALS)
            _comment_range(first, last, comment.comment_id)
            added += 1
    if title is not None:
        title_runs = ooxml.visible_runs(title)
        for f, _block in elsewhere:
            where = None if f.location.part == "properties" else f.location.short()
            if where and f.location.part == "body" and f.location.section:  # e.g. "paragraph 1 (imported content chunk2.docx)"
                where = f"{where} ({f.location.section})"
            text = comment_text(f, where)
            if _key(text) in existing or not title_runs:
                continue
            comment = word.comments.add_comment(text=text, author=AUTHOR, initials=INITIALS)
            _comment_range(title_runs[0], title_runs[-1], comment.comment_id)
            added += 1
    word.save(str(target))
    return added
