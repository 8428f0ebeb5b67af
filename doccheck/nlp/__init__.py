"""Tagging: clause references and regulated terms become `Tag`s on the document.

``tag_document(doc)`` is the entry point. spaCy is imported only when a block really
needs tagging, so a run that tags nothing never pays for ``import spacy``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from doccheck.model import Block, Document, Tag
from doccheck.nlp.knowledge import assess
from doccheck.nlp.refs import find_citations, maybe_citation
from doccheck.nlp.trie import trie_pattern
from doccheck.resources import corpus

_SAME_LENGTH_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " "})
_OTHER_SPACE = re.compile("[\n\t\r\f\v]")
_DEFINITION = re.compile(r"\s*\(\s*(?P<abbr>[A-Z][A-Za-z0-9]{1,7})\s*\)")


@functools.cache
def _terms() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in corpus("terms.yaml")["retired"]}


@functools.cache
def _term_prefilters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Trie regexes of every retired form (for lower-cased text) and every abbreviation (as written).

    NOTE: lower-casing once and matching case-sensitively is about twice as fast as
    IGNORECASE; these only decide which blocks are worth tokenising, the PhraseMatchers
    decide what is a term.
    """
    data = corpus("terms.yaml")
    forms = sorted({f.lower() for t in data["retired"] for f in t["forms"]})
    abbreviations = sorted({a for t in data["retired"] for a in t["abbreviations"]} | set(data["ambiguous_abbreviations"]))
    return re.compile(trie_pattern(forms).replace(r"\ ", r"\s+")), re.compile(trie_pattern(abbreviations))


def may_hold_term(text: str) -> bool:
    forms, abbreviations = _term_prefilters()
    return abbreviations.search(text) is not None or forms.search(text.lower()) is not None


def needs_tagging(text: str) -> bool:
    """Can ``text`` hold a citation or a retired term at all? (cheap; most prose blocks cannot)."""
    return maybe_citation(text) or may_hold_term(text)


def squash(text: str) -> tuple[str, list[int] | None]:
    """White space made single spaces (so phrases match across line breaks), with a map back."""
    if _OTHER_SPACE.search(text):  # NOTE: translate looks every character up in a dict; most blocks need none
        text = text.translate(_SAME_LENGTH_SPACES)
    if "  " not in text:
        return text, None
    out, mapping = [], []
    prev_space = False
    for i, ch in enumerate(text):
        if ch == " " and prev_space:
            continue
        prev_space = ch == " "
        out.append(ch)
        mapping.append(i)
    return "".join(out), mapping


def _back(mapping: list[int] | None, start: int, end: int) -> tuple[int, int]:
    if mapping is None:
        return start, end
    return mapping[start], mapping[end - 1] + 1


def _term_tag(block: Block, start: int, end: int, term_id: str, note: str | None = None) -> Tag:
    term = _terms()[term_id]
    ref = {"term": term_id, "replacement": term["replacement"], "clause": term["clause"], "old_cite": term["old_cite"], "norm": term["forms"][0]}
    return Tag(block.index, start, end, "term", term_id, block.text[start:end], "retired", ref, term["confidence"], note or term.get("note"))


def _resolve_ambiguous(abbr: str, block: Block, start: int, definitions: dict[str, str]) -> str:
    if abbr in definitions:
        return definitions[abbr]
    meanings: dict[str, list[str]] = corpus("terms.yaml")["ambiguous_abbreviations"][abbr]
    window = block.text[max(0, start - 60) : start + 60].lower()
    words = set(re.findall(r"[a-z0-9]+", window))
    scores = {meaning: len(words & set(cues)) for meaning, cues in meanings.items()}
    best = max(scores.values())
    return next(m for m in meanings if scores[m] == best)


def _tag_blocks(document: Document, blocks: list[Block]) -> Iterator[tuple[Block, list[Tag], list[tuple[int, int, str]]]]:
    """Tags per block; ambiguous abbreviations come back unresolved for the document pass."""
    from doccheck.nlp.pipeline import AMBIGUOUS, BLOCK, CITATIONS, TERMS, TEXT, get_pipeline

    nlp = get_pipeline()
    for block in blocks:
        text, mapping = squash(block.text)
        if may_hold_term(text):
            doc = nlp.make_doc(text)
            doc.user_data[TEXT] = text  # NOTE: Doc.text rebuilds the string token by token; components read this
            doc.user_data[BLOCK] = {"index": block.index, "part": block.part, "section": block.section}
            for _, component in nlp.pipeline:
                doc = component(doc)
            citations, terms = doc.user_data[CITATIONS], list(doc.spans[TERMS])
        else:  # citations need no tokens: the component's grammar, without the tokenizer
            citations, terms = find_citations(text, checked=True), []  # needs_tagging tested maybe_citation
        tags: list[Tag] = []
        pending: list[tuple[int, int, str]] = []
        for c in citations:
            start, end = _back(mapping, c.start, c.end)
            verdict = assess(c)
            tags.append(Tag(block.index, start, end, "citation", c.kind, block.text[start:end], verdict.status, dict(c.ref), verdict.confidence, verdict.note))
        for span in terms:
            start, end = _back(mapping, span.start_char, span.end_char)
            if span.label_ == "current":
                continue  # matched only so that it wins over a retired term inside it
            if span.label_.startswith(AMBIGUOUS):
                pending.append((start, end, span.label_[len(AMBIGUOUS) :]))
            else:
                tags.append(_term_tag(block, start, end, span.label_))
        yield block, tags, pending


def _definitions(document: Document, tags: list[Tag]) -> dict[str, str]:
    """``Device Master Record (DMR)``: abbreviations this document defines for a retired term."""
    found = {}
    for tag in tags:
        if tag.kind == "term" and tag.end - tag.start > 5:
            m = _DEFINITION.match(document.blocks[tag.block].text, tag.end)
            if m:
                found[m.group("abbr")] = tag.label
    return found


def tag_document(document: Document) -> list[Tag]:
    """Tag every block of ``document`` (sets and returns ``document.tags``)."""
    blocks = [b for b in document.blocks if needs_tagging(b.text)]
    tags: list[Tag] = []
    pending: list[tuple[Block, int, int, str]] = []
    for block, block_tags, block_pending in _tag_blocks(document, blocks) if blocks else ():
        tags.extend(block_tags)
        pending.extend((block, s, e, a) for s, e, a in block_pending)
    definitions = _definitions(document, tags)
    for block, start, end, abbr in pending:
        tags.append(_term_tag(block, start, end, _resolve_ambiguous(abbr, block, start, definitions)))
    tags.extend(_defined_elsewhere(document, tags, definitions))
    tags.sort(key=lambda t: (t.block, t.start, -t.end))
    document.tags = tags
    return tags


def _defined_elsewhere(document: Document, tags: list[Tag], definitions: dict[str, str]) -> Iterator[Tag]:
    """Bare uses of an abbreviation the document defined that the corpus does not list."""
    known = {a for t in _terms().values() for a in t["abbreviations"]} | set(corpus("terms.yaml")["ambiguous_abbreviations"])
    extra = {abbr: term for abbr, term in definitions.items() if abbr not in known}
    if not extra:
        return
    taken = {(t.block, t.start) for t in tags}
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, extra)) + r")(?![\w-])")
    for block in document.blocks:
        for m in pattern.finditer(block.text):
            if (block.index, m.start()) not in taken:
                yield _term_tag(block, m.start(), m.end(), extra[m.group(1)], "abbreviation defined in this document")
