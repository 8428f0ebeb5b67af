"""The spaCy pipeline: ``spacy.blank("en")`` plus doccheck's own components.

Measured here: tokenising block by block runs at ~20 MB/s, a whole document as one Doc
at ~1 MB/s, and a token Matcher is ~100 ns per token per pattern. So each block is its
own Doc, only blocks a trie-compiled prefilter selects are tokenised at all, terms go
through PhraseMatchers (nearly free), and citations through one compiled grammar.
The pipeline is built once per process.
"""

from __future__ import annotations

import functools
import threading
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc
from spacy.util import filter_spans

from doccheck.nlp.refs import find_citations
from doccheck.resources import corpus

CITATIONS = "doccheck_citations"
TERMS = "doccheck_terms"
AMBIGUOUS = "?"  # label prefix of an abbreviation with more than one meaning
TEXT = "doccheck_text"  # user_data key: the Doc's text, when the caller already has it
BLOCK = "doccheck_block"  # user_data key: the block's index, part and heading path


class CitationTagger:
    """Citations as spans in ``doc.spans["doccheck_citations"]``; the parsed references in ``doc.user_data``."""

    def __call__(self, doc: Doc) -> Doc:
        citations = find_citations(doc.user_data.get(TEXT) or doc.text)
        spans = []
        for c in citations:
            span = doc.char_span(c.start, c.end, label=c.kind, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[CITATIONS] = spans
        doc.user_data[CITATIONS] = citations
        return doc


class TermTagger:
    """Retired and current terms (case-insensitive phrases) and abbreviations (exact tokens)."""

    def __init__(self, nlp: Language) -> None:
        data = corpus("terms.yaml")
        self.phrases = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.abbreviations = PhraseMatcher(nlp.vocab, attr="ORTH")
        for term in data["retired"]:
            self.phrases.add(term["id"], [nlp.make_doc(form) for form in term["forms"]])
            if term["abbreviations"]:
                self.abbreviations.add(term["id"], [nlp.make_doc(a) for a in term["abbreviations"]])
        for abbr in data["ambiguous_abbreviations"]:
            self.abbreviations.add(AMBIGUOUS + abbr, [nlp.make_doc(abbr)])
        self.phrases.add("current", [nlp.make_doc(form) for form in data["current"]])

    def __call__(self, doc: Doc) -> Doc:
        matches = self.phrases(doc, as_spans=True) + self.abbreviations(doc, as_spans=True)
        doc.spans[TERMS] = filter_spans(matches)  # the longest wins: "quality system regulation" over "quality system"
        return doc


@Language.factory(CITATIONS, assigns=["doc.spans"], default_config={})
def make_citation_tagger(nlp: Language, name: str) -> CitationTagger:
    return CitationTagger()


@Language.factory(TERMS, assigns=["doc.spans"], default_config={})
def make_term_tagger(nlp: Language, name: str) -> TermTagger:
    return TermTagger(nlp)


_BUILDING = threading.Lock()


def get_pipeline() -> Language:
    """The tagging pipeline, built once per process (the lock: one build even when threads ask at once)."""
    with _BUILDING:
        return _pipeline()


@functools.cache
def _pipeline() -> Language:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe(CITATIONS)
    nlp.add_pipe(TERMS)
    return nlp
