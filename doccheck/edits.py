"""The text edits that fix a document's findings, composed so that accepting them all reads right.

One finding's suggestion applied to its own span alone can be wrong in its sentence:

* "Device Master Record (DMR)" holds two findings (the term and its abbreviation); replacing
  each gives "medical device file (medical device file)". They become one edit of the whole
  phrase, to the replacement and, where `corpora/terms.yaml` names one, its abbreviation
  ("medical device file (MDF)").
* "21 CFR 820.40 and ISO 13485:2016 clause 4.2.4" already cites the clause the QSR citation
  maps to; replacing gives the clause twice. The edit removes the QSR citation with the word
  that joins it to the other ("21 CFR 820.40 and "), and does nothing when no joining word
  makes the removal clean (the comment still says what to do). The same holds for two QSR
  citations that map to one clause.

`plan` gives the edits of one document; the Word tracked changes (`report/docx_annotate.py`)
and ``--fix`` on Markdown/text (`report/text_fix.py`) both apply exactly these.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from typing import NamedTuple

from doccheck.finding import Finding
from doccheck.model import Document, Tag

REPLACEABLE = ("obsolete-term", "obsolete-reference")
_ISO_CLAUSE = re.compile(r"^ISO 13485:2016 clause (?P<clause>\d{1,2}(?:\.\d{1,2})*)")
_BRACKETED = re.compile(r"\s*\(\s*(?P<inner>[^()]{1,40}?)\s*\)")
_JOIN_AFTER = re.compile(r"\s*(?:,\s*(?:and|or)\b|;|,|/|&|\band\b|\bor\b)\s*")
_JOIN_BEFORE = re.compile(r"\s*(?:,\s*(?:and|or)\b|;|,|/|&|\band\b|\bor\b)\s*$")
_SENTENCE_END = re.compile(r"[.;!?](?=\s|$)")


class Edit(NamedTuple):
    block: int
    start: int  # offsets in the block's text
    end: int
    text: str  # what replaces [start, end)
    findings: tuple[Finding, ...]  # the findings it resolves


def _term_tag(doc: Document, f: Finding) -> Tag | None:
    return next((t for t in doc.tags if t.kind == "term" and t.block == f.block and (t.start, t.end) == f.span), None)


def _sentence(text: str, start: int, end: int) -> tuple[int, int]:
    left = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    m = _SENTENCE_END.search(text, end)
    return left, m.start() if m else len(text)


def _cited_clauses(doc: Document, block: int, lo: int, hi: int, outside: tuple[int, int]) -> set[str]:
    """ISO 13485:2016 clauses cited in ``[lo, hi)`` of a block, outside the span ``outside``."""
    out = set()
    for t in doc.tags:
        if t.block != block or t.kind != "citation" or t.label != "standard" or not (lo <= t.start and t.end <= hi):
            continue
        if t.end > outside[0] and t.start < outside[1]:
            continue
        ref = t.ref
        if ref.get("number") == "13485" and ref.get("clause") and ref.get("edition") in (None, "2016"):
            out.add(str(ref["clause"]))
    return out


def _removal(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The span to delete so that a redundant citation leaves no dangling joint, or None."""
    if start > 0 and text[start - 1] == "(" and text[end : end + 1] == ")":  # "clause 4.2.4 (21 CFR 820.40)"
        lo = start - 1
        while lo > 0 and text[lo - 1] == " ":
            lo -= 1
        return lo, end + 1
    m = _JOIN_AFTER.match(text, end)
    if m and m.end() < len(text) and text[m.end()].isalnum():
        return start, m.end()
    lo = max(0, start - 40)  # NOTE: a joint is a few characters; searching the whole prefix is quadratic on long blanks
    m = _JOIN_BEFORE.search(text, lo, start)
    if m and (m.start() > lo or lo == 0):
        return m.start(), end
    return None


def _merge_abbreviation(doc: Document, f: Finding, by_span: dict[tuple[int, int], list[Finding]]) -> tuple[int, int, str, list[Finding]] | None:
    """A term followed by its abbreviation in brackets (or the reverse): one edit of the phrase."""
    from doccheck.nlp.terms import retired

    tag = _term_tag(doc, f)
    if tag is None or not f.span:
        return None
    term = retired().get(tag.ref.get("term", ""))
    if not term:
        return None
    text = doc.blocks[f.block].text
    m = _BRACKETED.match(text, f.span[1])
    if not m:
        return None
    inner = m.group("inner")
    forms = {a.lower() for a in term["abbreviations"]} | set(term["forms"])
    if inner.lower() not in forms:
        return None
    merged = [f]
    inner_span = (m.start("inner"), m.end("inner"))
    merged += by_span.get(inner_span, [])
    replacement = f.suggestion or term["replacement"]  # NOTE: the finding's: a plural form has its plural
    if term.get("replacement_abbreviation"):
        replacement += f" ({term['replacement_abbreviation']})"
    return f.span[0], m.end(), replacement, merged


def plan(doc: Document, findings: Iterable[Finding]) -> list[Edit]:
    """The edits that resolve ``findings`` in ``doc``, none overlapping, in document order."""
    candidates = [f for f in findings if f.category in REPLACEABLE and f.suggestion and f.text and f.block is not None and f.span
                  and f.block < len(doc.blocks)]
    per_block: dict[int, list[Finding]] = defaultdict(list)
    for f in candidates:
        per_block[f.block].append(f)
    edits: list[Edit] = []
    for block, found in sorted(per_block.items()):
        text = doc.blocks[block].text
        by_span: dict[tuple[int, int], list[Finding]] = defaultdict(list)
        for f in found:
            by_span[f.span].append(f)
        taken: list[tuple[int, int]] = []
        replaced: dict[tuple[int, int], set[str]] = defaultdict(set)  # sentence -> clauses an earlier edit introduced
        for span in sorted(by_span):
            if any(span[0] < b and a < span[1] for a, b in taken):
                continue  # inside an edit already planned (an abbreviation merged with its term)
            group = by_span[span]
            f = group[0]
            merged = _merge_abbreviation(doc, f, by_span)
            if merged:
                start, end, replacement, resolved = merged
                resolved = [*group[1:], *resolved]
            else:
                start, end, replacement, resolved = span[0], span[1], f.suggestion, list(group)
                iso = _ISO_CLAUSE.match(replacement or "")
                if iso:
                    sentence = _sentence(text, start, end)
                    clause = iso.group("clause")
                    if clause in _cited_clauses(doc, block, *sentence, (start, end)) or clause in replaced[sentence]:
                        removal = _removal(text, start, end)
                        if removal is None:
                            continue  # no clean way to drop it: the comment says what to do
                        start, end, replacement = removal[0], removal[1], ""
                    else:
                        replaced[sentence].add(clause)
            if any(start < b and a < end for a, b in taken):
                continue
            taken.append((start, end))
            edits.append(Edit(block, start, end, replacement or "", tuple(dict.fromkeys(resolved))))
    return sorted(edits, key=lambda e: (e.block, e.start))
