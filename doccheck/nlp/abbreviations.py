"""Abbreviations in their document: what an ambiguous one means, which ones the document defines.

"Device Master Record (DMR)" defines DMR for the rest of the document; "Quarterly Status
Report (QSR)" makes QSR something other than the regulation there; and an abbreviation the
corpus does not know, once the document defines it for a retired term ("Design History File
(DHFile)"), is followed through the document.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from doccheck.model import Block, Document, Tag
from doccheck.nlp.terms import known_abbreviations, may_hold_term, term_tag
from doccheck.nlp.urls import outside, url_spans
from doccheck.resources import corpus

_AFTER_TERM = re.compile(r"\s*\(\s*(?P<abbr>[A-Z][A-Za-z0-9]{1,7})\s*\)")
_IN_BRACKETS = re.compile(r"\((?P<abbr>[A-Z][A-Za-z]{1,7})\)")


@functools.cache
def _before_brackets() -> re.Pattern[str]:
    """A known abbreviation with its long form in brackets after it: "DMR (Data Management Report)"."""
    alternation = "|".join(map(re.escape, sorted(known_abbreviations(), key=len, reverse=True)))
    return re.compile(rf"(?<![\w-])(?P<abbr>{alternation})\s?\((?P<long>[A-Za-z][^()\n]{{2,80}})\)")


def expands(abbr: str, long_form: str) -> bool:
    """Schwartz & Hearst: ``long_form`` spells ``abbr`` (letters in order, the first starting a word).

    So "Device Master Record (DMR)" defines DMR, and "Quality System Regulation (FDA)" defines nothing.
    """
    letters = [c.lower() for c in abbr if c.isalnum()]
    if len(letters) > 2 and abbr[-1] == "s" and abbr[:-1].isupper():
        letters.pop()  # "DHFs"
    text = long_form.lower()
    words = re.findall(r"[a-z0-9]+", text)
    if not letters or not words or letters[0] != words[0][0]:
        return False
    i = 0
    for ch in letters:
        i = text.find(ch, i)
        if i < 0:
            return False
        i += 1
    return True


def definitions(document: Document, tags: list[Tag]) -> dict[str, str]:
    """``Device Master Record (DMR)``: abbreviations this document defines for a retired term."""
    found = {}
    for tag in tags:
        if tag.kind == "term" and tag.end - tag.start > 5:
            m = _AFTER_TERM.match(document.blocks[tag.block].text, tag.end)
            if m and expands(m.group("abbr"), tag.text):
                found[m.group("abbr")] = tag.label
    return found


def defined_otherwise(document: Document, defined: dict[str, str]) -> set[str]:
    """Known abbreviations this document defines as something else: "Direct Marketing Response (DMR)",
    or the other way round, "DMR (Data Management Report)"."""
    known, found = known_abbreviations(), set()
    for block in document.blocks:
        if "(" not in block.text:
            continue
        for m in _IN_BRACKETS.finditer(block.text):
            abbr = m.group("abbr")
            if abbr not in known or abbr in defined or abbr in found:
                continue
            words = block.text[max(0, m.start() - 100) : m.start()].split()[-(len(abbr) + 3) :]
            if any(w[:1].lower() == abbr[0].lower() and expands(abbr, " ".join(words[i:])) for i, w in enumerate(words)):
                found.add(abbr)
        for m in _before_brackets().finditer(block.text):
            abbr, long_form = m.group("abbr"), m.group("long")
            if abbr not in defined and expands(abbr, long_form) and not may_hold_term(long_form):  # "DHR (Device History Record)" is the term
                found.add(abbr)
    return found


def resolve(abbr: str, block: Block, start: int, defined: dict[str, str]) -> str:
    """The term an ambiguous abbreviation ("QSR") stands for here: the document's definition, else the words around it."""
    if abbr in defined:
        return defined[abbr]
    meanings: dict[str, list[str]] = corpus("terms.yaml")["ambiguous_abbreviations"][abbr]
    window = block.text[max(0, start - 60) : start + 60].lower()
    words = set(re.findall(r"[a-z0-9]+", window))
    scores = {meaning: len(words & set(cues)) for meaning, cues in meanings.items()}
    best = max(scores.values())
    return next(m for m in meanings if scores[m] == best)


def defined_elsewhere(document: Document, tags: list[Tag], defined: dict[str, str]) -> Iterator[Tag]:
    """Bare uses of an abbreviation the document defined that the corpus does not list."""
    extra = {abbr: term for abbr, term in defined.items() if abbr not in known_abbreviations()}
    if not extra:
        return
    taken = {(t.block, t.start) for t in tags}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, extra)) + r")(?![\w-])")
    for block in document.blocks:
        urls = url_spans(block.text)
        for m in pattern.finditer(block.text):
            if (block.index, m.start()) not in taken and outside(urls, m.start()):
                yield term_tag(block, m.start(), m.end(), extra[m.group(1)], "abbreviation defined in this document")
