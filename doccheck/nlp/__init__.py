"""Tagging: clause references and regulated terms become `Tag`s on the document.

``tag_document(doc)`` is the entry point. Each block is tagged on its own (citations by the
grammars, terms by spaCy's PhraseMatchers); then the document-level passes: in a PDF, a
phrase the layout split over two blocks (`_junctions`); bare section numbers and subparts
that only their table column, heading or document make citations (`doccheck.nlp.context`);
and abbreviations the document itself defines (`doccheck.nlp.abbreviations`). Nothing inside
a URL or link target is tagged. spaCy is imported only when a block really needs tagging, so
a run that tags nothing never pays for ``import spacy``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from doccheck.joined import overlapped, starts_of
from doccheck.model import Block, Document, Tag
from doccheck.nlp import abbreviations, context
from doccheck.nlp.citation import Citation
from doccheck.nlp.knowledge import assess
from doccheck.nlp.refs import citation_trigger, find_citations, maybe_citation
from doccheck.nlp.terms import may_hold_term, term_prefilter, term_tag
from doccheck.nlp.urls import blank, outside, url_spans

_SAME_LENGTH_SPACES = str.maketrans({"\n": " ", "\t": " ", "\r": " ", "\f": " ", "\v": " "})
_OTHER_SPACE = re.compile("[\n\t\r\f\v]")
# "Device History Records- review", "Device History Record(s)": a word-final hyphen or plural
# mark hides the word from the tokenizer
_HIDING = re.compile(r"(?<=[A-Za-z])(?:-(?=\s)|\((?:s|es)\))")
_REACH = 60  # characters on each side of a PDF block junction that a split phrase can span
_SENTENCE_END = (".", "!", "?", ";", ":")

__all__ = ["may_hold_term", "needs_tagging", "squash", "tag_document"]


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


def _for_tokens(text: str) -> str:
    """The text the tokenizer sees (same length): URLs blanked, so "File](https://...)" still ends a word."""
    if "- " in text or "(s" in text or "(e" in text:
        text = _HIDING.sub(lambda m: " " * len(m.group(0)), text)
    return blank(text, url_spans(text))


class _BlockTags(NamedTuple):
    block: Block
    tags: list[Tag]
    pending: list[tuple[int, int, str]]  # ambiguous abbreviations, resolved by the document pass
    candidates: list[tuple[Block, Citation, str]]  # bare citations, for the context pass


def _citation_tag(block: Block, c: Citation, status: str, confidence: str, note: str | None) -> Tag:
    return Tag(block.index, c.start, c.end, "citation", c.kind, block.text[c.start : c.end], status, dict(c.ref), confidence, note, c.evidence)


def _selected(blocks: list[Block]) -> list[tuple[Block, bool]]:
    """The blocks that can hold a citation or a term, each with whether it can hold a term (to tokenise it).

    NOTE: one RE2 scan per prefilter over the whole document (as UTF-8 bytes, encoded once),
    resuming after each block found, not two searches per block: the binding's per-call cost
    (~4 us, and a UTF-8 copy of its text) was most of the tagging of a real document. A match
    is credited to every block it overlaps, so a block is selected whenever its own search
    would have found something (and, rarely, also when a match runs on from the block before).
    """
    if len(blocks) < 4:
        return [(b, term) for b in blocks if (term := may_hold_term(b.text)) or maybe_citation(b.text)]
    encoded = [b.text.encode("utf-8", "surrogatepass") for b in blocks]
    data = b"\n".join(encoded)
    starts = starts_of(map(len, encoded))
    terms, citations = _marked(term_prefilter(), data, starts), _marked(citation_trigger(), data, starts)
    return [(b, n in terms) for n, b in enumerate(blocks) if n in terms or n in citations]


def _marked(pattern: Any, data: bytes, starts: list[int]) -> set[int]:
    """Indices of the blocks (starting at byte offsets ``starts``) a match of ``pattern`` overlaps."""
    out: set[int] = set()
    pos, n = 0, len(starts)
    while (m := pattern.search(data, pos)) is not None:
        blocks = overlapped(starts, *m.span())
        out.update(blocks)
        if blocks.stop >= n:
            break
        pos = starts[blocks.stop]  # the next block: one match is enough for a block
    return out


def _tag_blocks(blocks: list[tuple[Block, bool]]) -> Iterator[_BlockTags]:
    """Tags per block; ambiguous abbreviations and bare citations come back for the document passes."""
    from doccheck.nlp.pipeline import AMBIGUOUS, BLOCK, CITATIONS, TERMS, TEXT, get_pipeline

    nlp = get_pipeline()
    for block, term in blocks:
        text, mapping = squash(block.text)
        if term:
            doc = nlp.make_doc(_for_tokens(text))
            doc.user_data[TEXT] = text  # NOTE: Doc.text rebuilds the string token by token; components read this
            doc.user_data[BLOCK] = {"index": block.index, "part": block.part, "section": block.section}
            for _, component in nlp.pipeline:
                doc = component(doc)
            citations, terms = doc.user_data[CITATIONS], list(doc.spans[TERMS])
        else:  # citations need no tokens: the component's grammar, without the tokenizer
            citations, terms = find_citations(text, checked=True), []  # _selected tested maybe_citation
        urls = url_spans(block.text)
        out = _BlockTags(block, [], [], [])
        for c in citations:
            start, end = _back(mapping, c.start, c.end)
            if not outside(urls, start):
                continue
            c = Citation(start, end, c.kind, c.ref, c.evidence)
            verdict = assess(c)
            if c.evidence == "bare":
                out.candidates.append((block, c, verdict.status))
            else:
                out.tags.append(_citation_tag(block, c, verdict.status, verdict.confidence, verdict.note))
        for span in terms:
            start, end = _back(mapping, span.start_char, span.end_char)
            if span.label_ == "current" or not outside(urls, start):
                continue  # "current": matched only so that it wins over a retired term inside it
            if span.label_.startswith(AMBIGUOUS):
                out.pending.append((start, end, span.label_[len(AMBIGUOUS) :]))
            else:
                out.tags.append(term_tag(block, start, end, span.label_))
        yield out


class _Junction(NamedTuple):
    joined: Block  # the end of ``a``, a space, the start of ``b``; its index is ``a``'s
    a: Block
    b: Block
    cut: int  # where ``a``'s part of ``joined`` ends


def _junctions(document: Document) -> list[_Junction]:
    """PDF: consecutive blocks of one part that a phrase may run across ("Quality System" / "Regulation").

    NOTE: paragraphs are rebuilt from lines by heuristics; a short line in a table cell or a
    narrow column starts a new block in the middle of a phrase. A block that ends a sentence
    ends every phrase in it.
    """
    if document.format != "pdf":
        return []
    out = []
    for a, b in zip(document.blocks, document.blocks[1:]):
        if a.part != b.part or a.text.rstrip().endswith(_SENTENCE_END) or (b.page or 0) - (a.page or 0) > 1:
            continue
        head, tail = a.text[-_REACH:], b.text[:_REACH]
        joined = f"{head} {tail}"
        out.append(_Junction(Block(a.index, a.part, joined, (), a.section, a.kind, a.level, a.story, a.paragraph, a.page, a.cell), a, b, len(head)))
    return out


def _across(document: Document, tags: list[Tag], candidates: list[tuple[Block, Citation, str]]) -> tuple[list[Tag], list[tuple[Block, Citation, str]]]:
    """Phrases split over two PDF blocks, tagged on the first block (with the whole phrase as text).

    What each block gave by itself inside such a phrase is dropped: "Quality System" in the
    first, a bare "820.30" candidate in the second.
    """
    found = {j.a.index: j for j in _junctions(document)}
    selected = _selected([j.joined for j in found.values()])
    if not selected:
        return tags, candidates
    extra: list[Tag] = []
    covered: dict[int, list[tuple[int, int]]] = {}  # block index -> spans the joined phrases cover
    for result in _tag_blocks(selected):
        j = found[result.block.index]
        offset = len(j.a.text) - j.cut
        for tag in result.tags:
            if tag.start < j.cut < tag.end:
                extra.append(Tag(j.a.index, offset + tag.start, len(j.a.text), tag.kind, tag.label, tag.text, tag.status, tag.ref, tag.confidence, tag.note, tag.evidence))
                covered.setdefault(j.a.index, []).append((offset + tag.start, len(j.a.text)))
                covered.setdefault(j.b.index, []).append((0, tag.end - j.cut - 1))
    if not extra:
        return tags, candidates

    def free(block: int, start: int) -> bool:
        return not any(s <= start < e for s, e in covered.get(block, ()))

    return [t for t in tags if free(t.block, t.start)] + extra, [c for c in candidates if free(c[0].index, c[1].start)]


def tag_document(document: Document) -> list[Tag]:
    """Tag every block of ``document`` (sets and returns ``document.tags``)."""
    blocks = _selected(document.blocks)
    tags: list[Tag] = []
    pending: list[tuple[Block, int, int, str]] = []
    candidates: list[tuple[Block, Citation, str]] = []
    for found in _tag_blocks(blocks) if blocks else ():
        tags.extend(found.tags)
        pending.extend((found.block, s, e, a) for s, e, a in found.pending)
        candidates.extend(found.candidates)
    tags, candidates = _across(document, tags, candidates)
    defined = abbreviations.definitions(document, tags)
    for block, start, end, abbr in pending:
        tags.append(term_tag(block, start, end, abbreviations.resolve(abbr, block, start, defined)))
    foreign = abbreviations.defined_otherwise(document, defined)
    if foreign:  # "Quarterly Status Report (QSR)": here QSR is not the regulation
        tags = [t for t in tags if not (t.kind == "term" and t.text in foreign)]
    for block, c, status in context.accept(document, candidates, tags):
        verdict = assess(c)
        tags.append(_citation_tag(block, c, status, verdict.confidence, verdict.note))
    tags.extend(abbreviations.defined_elsewhere(document, tags, defined))
    tags.sort(key=lambda t: (t.block, t.start, -t.end))
    document.tags = tags
    return tags
