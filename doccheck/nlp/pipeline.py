"""The spaCy pipeline: ``spacy.blank("en")`` (its punctuation rules, not its tokenizer exceptions) plus doccheck's own components.

Measured here: tokenising block by block runs at ~20 MB/s, a whole document as one Doc
at ~1 MB/s, and a token Matcher is ~100 ns per token per pattern. So each block is its
own Doc, only blocks a trie-compiled prefilter selects are tokenised at all, terms go
through PhraseMatchers (nearly free), and citations through one compiled grammar.
The pipeline is built once per process.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

from doccheck.nlp.spacylib import spacy  # first, so spaCy comes without its command line

# isort: split
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.util import compile_infix_regex, compile_prefix_regex, compile_suffix_regex, filter_spans, registry

from doccheck.nlp.refs import find_citations
from doccheck.nlp.terms import spellings
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
            self.phrases.add(term["id"], [nlp.make_doc(spelt) for form in term["forms"] for spelt in spellings(form)])
            if term["abbreviations"]:
                self.abbreviations.add(term["id"], [nlp.make_doc(a) for a in term["abbreviations"]])
        for abbr in data["ambiguous_abbreviations"]:
            self.abbreviations.add(AMBIGUOUS + abbr, [nlp.make_doc(abbr)])
        self.phrases.add("current", [nlp.make_doc(form) for form in data["current"]])

    def __call__(self, doc: Doc) -> Doc:
        matches = [m for m in self.phrases(doc, as_spans=True) if "-" not in m.text or not _in_identifier(doc.text, m.start_char, m.end_char)]
        matches += self.abbreviations(doc, as_spans=True)
        doc.spans[TERMS] = filter_spans(matches)  # the longest wins: "quality system regulation" over "quality system"
        return doc


_IDENTIFIER_JOINS = frozenset("-_/\\")


def _in_identifier(text: str, start: int, end: int) -> bool:
    """A hyphenated spelling inside a longer slug or a file name ("design-history-file-dhf",
    "device-history-record.docx") names a page or a file, not the record."""
    before, after, then = text[start - 1 : start], text[end : end + 1], text[end + 1 : end + 2]
    return before in _IDENTIFIER_JOINS or after in _IDENTIFIER_JOINS or (after == "." and then.isalnum())


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


@registry.tokenizers("doccheck.lean_tokenizer.v1")
def lean_tokenizer() -> Callable[[Language], Tokenizer]:
    """The language's punctuation rules without its tokenizer exceptions (English: 1,347 contractions,
    "e.g.", "Inc." ...), otherwise spaCy's own `spacy.Tokenizer.v1`.

    NOTE: no term or abbreviation in corpora/terms.yaml holds a dot or an apostrophe
    (doccheck.nlp.corpus_check refuses one), and patterns and text are tokenised by the same rules, so no tag
    depends on the exceptions; loading them was 70 ms of every process's start (spacy.blank("en")
    111 ms with them, 42 ms without), a tenth of `import spacy`.
    """

    def create(nlp: Language) -> Tokenizer:
        d = nlp.Defaults
        return Tokenizer(
            nlp.vocab,
            rules={},
            prefix_search=compile_prefix_regex(d.prefixes).search if d.prefixes else None,
            suffix_search=compile_suffix_regex(d.suffixes).search if d.suffixes else None,
            infix_finditer=compile_infix_regex(d.infixes).finditer if d.infixes else None,
            token_match=d.token_match,
            url_match=d.url_match,
        )

    return create


@functools.cache
def _pipeline() -> Language:
    nlp = spacy.blank("en", config={"nlp": {"tokenizer": {"@tokenizers": "doccheck.lean_tokenizer.v1"}}})
    nlp.add_pipe(CITATIONS)
    nlp.add_pipe(TERMS)
    return nlp
