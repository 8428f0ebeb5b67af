"""Retired terms from ``corpora/terms.yaml``: the cheap prefilter and the tags the matchers' spans become."""

from __future__ import annotations

import functools
import re
from typing import Any

from doccheck.model import Block, Tag
from doccheck.nlp.trie import trie_pattern
from doccheck.resources import corpus


@functools.cache
def retired() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in corpus("terms.yaml")["retired"]}


@functools.cache
def known_abbreviations() -> frozenset[str]:
    data = corpus("terms.yaml")
    return frozenset({a for t in data["retired"] for a in t["abbreviations"]} | set(data["ambiguous_abbreviations"]))


@functools.cache
def _prefilters() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Trie regexes of every retired form (for lower-cased text) and every abbreviation (as written).

    NOTE: lower-casing once and matching case-sensitively is about twice as fast as
    IGNORECASE; these only decide which blocks are worth tokenising, the PhraseMatchers
    decide what is a term.
    """
    forms = sorted({f.lower() for t in corpus("terms.yaml")["retired"] for f in t["forms"]})
    return re.compile(trie_pattern(forms).replace(r"\ ", r"\s+")), re.compile(trie_pattern(sorted(known_abbreviations())))


def may_hold_term(text: str) -> bool:
    forms, abbreviations = _prefilters()
    return abbreviations.search(text) is not None or forms.search(text.lower()) is not None


def term_tag(block: Block, start: int, end: int, term_id: str, note: str | None = None, text: str | None = None) -> Tag:
    """The tag of retired term ``term_id`` at ``[start, end)`` of ``block`` (``text``: when it runs on past the block)."""
    term = retired()[term_id]
    ref = {"term": term_id, "replacement": term["replacement"], "clause": term["clause"], "old_cite": term["old_cite"], "norm": term["forms"][0]}
    return Tag(block.index, start, end, "term", term_id, text or block.text[start:end], "retired", ref, term["confidence"], note or term.get("note"), "term")
