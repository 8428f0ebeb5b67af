"""Retired terms from ``corpora/terms.yaml``: the cheap prefilter and the tags the matchers' spans become."""

from __future__ import annotations

import functools
import re
from typing import Any

import re2

from doccheck.model import Block, Tag
from doccheck.resources import corpus


@functools.cache
def retired() -> dict[str, dict[str, Any]]:
    return {t["id"]: t for t in corpus("terms.yaml")["retired"]}


@functools.cache
def known_abbreviations() -> frozenset[str]:
    data = corpus("terms.yaml")
    return frozenset({a for t in data["retired"] for a in t["abbreviations"]} | set(data["ambiguous_abbreviations"]))


def spellings(form: str) -> list[str]:
    """``form`` as written and with hyphens for any of its spaces: "device-history-record review",
    "design-history files" (a compound written as one modifier). The first is ``form`` itself."""
    words = form.split()
    out = [words[0]]
    for word in words[1:]:
        out = [f"{head}{gap}{word}" for head in out for gap in (" ", "-")]
    return out


@functools.cache
def _prefilter() -> re2._Regexp:
    """One RE2 pattern: every retired form (any case) and every abbreviation (as written).

    NOTE: it only decides which blocks are worth tokenising (the PhraseMatchers decide what is
    a term); RE2 runs the alternation as one DFA pass, where Python's re (even trie-shaped, on
    lower-cased text) cost twice as much per block.
    """
    forms = sorted({f.lower() for t in corpus("terms.yaml")["retired"] for f in t["forms"]})
    form_source = "|".join(re.escape(f).replace(r"\ ", r"(?:\s+|-)") for f in forms)  # the spaces or `spellings`' hyphens
    abbreviation_source = "|".join(map(re.escape, sorted(known_abbreviations())))
    return re2.compile(f"(?i:{form_source})|{abbreviation_source}")


def may_hold_term(text: str) -> bool:
    return _prefilter().search(text) is not None


@functools.cache
def term_prefilter() -> re2._Regexp:
    """`_prefilter`, for UTF-8 bytes (a whole document searched at once)."""
    return re2.compile(_prefilter().pattern.encode("utf-8"))


def _plural(matched: str, term: dict[str, Any]) -> bool:
    """Whether the text is a plural form of the term: a form or abbreviation that is its singular plus "s"."""
    low = " ".join(matched.lower().replace("-", " ").split())
    singular = {f.lower() for f in term["forms"]} | {a.lower() for a in term["abbreviations"]}
    return low.endswith("s") and low[:-1] in singular


def term_tag(block: Block, start: int, end: int, term_id: str, note: str | None = None, text: str | None = None) -> Tag:
    """The tag of retired term ``term_id`` at ``[start, end)`` of ``block`` (``text``: when it runs on past the block)."""
    term = retired()[term_id]
    matched = text or block.text[start:end]
    replacement = term["replacement"]
    if term.get("replacement_plural") and _plural(matched, term):  # "Design History Files" -> "design and development files"
        replacement = term["replacement_plural"]
    ref = {"term": term_id, "replacement": replacement, "clause": term["clause"], "old_cite": term["old_cite"], "norm": term["forms"][0]}
    return Tag(block.index, start, end, "term", term_id, text or block.text[start:end], "retired", ref, term["confidence"], note or term.get("note"), "term")
