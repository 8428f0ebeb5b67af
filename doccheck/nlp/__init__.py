"""Tagging: clause references and regulated terms become `Tag`s on the document.

``tag_document(doc)`` is the entry point. Each block is tagged on its own (citations by the
grammars, terms by spaCy's PhraseMatchers); then two document-level passes: bare section
numbers and subparts that only their table column, heading or document make citations
(`doccheck.nlp.context`), and abbreviations the document itself defines. Nothing inside a
URL or link target is tagged. spaCy is imported only when a block really needs tagging, so
a run that tags nothing never pays for ``import spacy``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from doccheck.model import Block, Document, Tag
from doccheck.nlp import context
from doccheck.nlp.citation import Citation
from doccheck.nlp.knowledge import assess
from doccheck.nlp.refs import find_citations, maybe_citation
from doccheck.nlp.trie import trie_pattern
from doccheck.resources import corpus

_SAME_LENGTH_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " "})
_OTHER_SPACE = re.compile("[\n\t\r\f\v]")
_DEFINITION = re.compile(r"\s*\(\s*(?P<abbr>[A-Z][A-Za-z0-9]{1,7})\s*\)")
# URLs and Markdown link targets: text there is an address, never a citation or a term
_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>()\[\]\"'`]+|\]\([^)\s]*\)")
_URL_TRIGGERS = ("://", "www.", "](")
# "Device History Records- review": a word-final hyphen hides the word from the tokenizer
_TRAILING_HYPHEN = re.compile(r"(?<=[A-Za-z])-(?=\s)")


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
    return Tag(block.index, start, end, "term", term_id, block.text[start:end], "retired", ref, term["confidence"], note or term.get("note"), "term")


def _resolve_ambiguous(abbr: str, block: Block, start: int, definitions: dict[str, str]) -> str:
    if abbr in definitions:
        return definitions[abbr]
    meanings: dict[str, list[str]] = corpus("terms.yaml")["ambiguous_abbreviations"][abbr]
    window = block.text[max(0, start - 60) : start + 60].lower()
    words = set(re.findall(r"[a-z0-9]+", window))
    scores = {meaning: len(words & set(cues)) for meaning, cues in meanings.items()}
    best = max(scores.values())
    return next(m for m in meanings if scores[m] == best)


def _urls(text: str) -> list[tuple[int, int]]:
    if not any(t in text for t in _URL_TRIGGERS):
        return []
    return [m.span() for m in _URL.finditer(text)]


def _outside(spans: list[tuple[int, int]], start: int) -> bool:
    return not any(a <= start < b for a, b in spans)


class _BlockTags(NamedTuple):
    block: Block
    tags: list[Tag]
    pending: list[tuple[int, int, str]]  # ambiguous abbreviations, resolved by the document pass
    candidates: list[tuple[Block, Citation, str]]  # bare citations, for the context pass


def _citation_tag(block: Block, c: Citation, status: str, confidence: str, note: str | None) -> Tag:
    return Tag(block.index, c.start, c.end, "citation", c.kind, block.text[c.start : c.end], status, dict(c.ref), confidence, note, c.evidence)


def _tag_blocks(document: Document, blocks: list[Block]) -> Iterator[_BlockTags]:
    """Tags per block; ambiguous abbreviations and bare citations come back for the document passes."""
    from doccheck.nlp.pipeline import AMBIGUOUS, BLOCK, CITATIONS, TERMS, TEXT, get_pipeline

    nlp = get_pipeline()
    for block in blocks:
        text, mapping = squash(block.text)
        if may_hold_term(text):
            doc = nlp.make_doc(_TRAILING_HYPHEN.sub(" ", text) if "- " in text else text)
            doc.user_data[TEXT] = text  # NOTE: Doc.text rebuilds the string token by token; components read this
            doc.user_data[BLOCK] = {"index": block.index, "part": block.part, "section": block.section}
            for _, component in nlp.pipeline:
                doc = component(doc)
            citations, terms = doc.user_data[CITATIONS], list(doc.spans[TERMS])
        else:  # citations need no tokens: the component's grammar, without the tokenizer
            citations, terms = find_citations(text, checked=True), []  # needs_tagging tested maybe_citation
        urls = _urls(block.text)
        out = _BlockTags(block, [], [], [])
        for c in citations:
            start, end = _back(mapping, c.start, c.end)
            if not _outside(urls, start):
                continue
            c = Citation(start, end, c.kind, c.ref, c.evidence)
            verdict = assess(c)
            if c.evidence == "bare":
                out.candidates.append((block, c, verdict.status))
            else:
                out.tags.append(_citation_tag(block, c, verdict.status, verdict.confidence, verdict.note))
        for span in terms:
            start, end = _back(mapping, span.start_char, span.end_char)
            if span.label_ == "current" or not _outside(urls, start):
                continue  # "current": matched only so that it wins over a retired term inside it
            if span.label_.startswith(AMBIGUOUS):
                out.pending.append((start, end, span.label_[len(AMBIGUOUS) :]))
            else:
                out.tags.append(_term_tag(block, start, end, span.label_))
        yield out


def _expands(abbr: str, long_form: str) -> bool:
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


def _definitions(document: Document, tags: list[Tag]) -> dict[str, str]:
    """``Device Master Record (DMR)``: abbreviations this document defines for a retired term."""
    found = {}
    for tag in tags:
        if tag.kind == "term" and tag.end - tag.start > 5:
            m = _DEFINITION.match(document.blocks[tag.block].text, tag.end)
            if m and _expands(m.group("abbr"), tag.text):
                found[m.group("abbr")] = tag.label
    return found


def tag_document(document: Document) -> list[Tag]:
    """Tag every block of ``document`` (sets and returns ``document.tags``)."""
    blocks = [b for b in document.blocks if needs_tagging(b.text)]
    tags: list[Tag] = []
    pending: list[tuple[Block, int, int, str]] = []
    candidates: list[tuple[Block, Citation, str]] = []
    for found in _tag_blocks(document, blocks) if blocks else ():
        tags.extend(found.tags)
        pending.extend((found.block, s, e, a) for s, e, a in found.pending)
        candidates.extend(found.candidates)
    definitions = _definitions(document, tags)
    for block, start, end, abbr in pending:
        tags.append(_term_tag(block, start, end, _resolve_ambiguous(abbr, block, start, definitions)))
    for block, c, status in context.accept(document, candidates, tags):
        verdict = assess(c)
        tags.append(_citation_tag(block, c, status, verdict.confidence, verdict.note))
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
        urls = _urls(block.text)
        for m in pattern.finditer(block.text):
            if (block.index, m.start()) not in taken and _outside(urls, m.start()):
                yield _term_tag(block, m.start(), m.end(), extra[m.group(1)], "abbreviation defined in this document")
