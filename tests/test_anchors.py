"""Anchors and clauses are necessary conditions: a text a pattern matches always satisfies them.

They let the `pattern` rule type and the coverage evidence skip regular expressions on
documents that cannot match; a wrong anchor would silently lose findings, so every shipped
pattern is checked against its own examples and against random texts made of its own words.
"""

from __future__ import annotations

import random
import re

import pytest
import regex

from doccheck.anchors import anchors, clauses
from doccheck.engine.loader import load_rules
from doccheck.evidence import index


def _shipped_patterns() -> list[tuple[str, str, list[str]]]:
    """(rule id, pattern, fire examples) of every pattern rule of the shipped packs (opt-in ones too)."""
    out = []
    for rule in load_rules().rules:
        if rule.type == "pattern":
            fire = [e if isinstance(e, str) else e.get("text", "") for e in (rule.examples or {}).get("fire", [])]
            out += [(rule.id, p.pattern, fire) for p in rule.options.compiled]
    return out


def _satisfied(gate: tuple[tuple[str, ...], ...], text: str) -> bool:
    low = text.lower()
    return all(any(a in low for a in clause) for clause in gate)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(?:management|internal)\\s+review[^.]*(?:not|never) (?:subject|available)",
         (("review",), ("management", "internal"), ("not", "never"), ("subject", "available"))),
        ("exempt(?:ed)? from (?:FDA )?inspection", (("inspection",),)),  # "exempt" is shorter than the longest literal
        ("foo|bar", (("foo", "bar"),)),
        ("(?:foo){e<=1}bar", ()),  # fuzzy matching: no literal is required
        ("(?x) foo bar", ()),  # verbose: spaces are no literals
        ("a(?:bcd)?e", ()),
    ],
)
def test_clauses_of_a_pattern(pattern, expected):
    assert clauses(pattern) == expected


def test_every_shipped_pattern_has_clauses_its_examples_satisfy():
    patterns = _shipped_patterns()
    assert patterns
    for rule_id, pattern, fire in patterns:
        gate = clauses(pattern)
        assert gate, f"{rule_id}: {pattern!r} has no anchors and runs on every block of every document"
        compiled = regex.compile(pattern, regex.IGNORECASE | regex.V0)
        for text in fire:
            if compiled.search(text):
                assert _satisfied(gate, text), (rule_id, pattern, text)


def test_random_texts_a_pattern_matches_satisfy_its_clauses():
    """Texts made of the patterns' own words, in random order and case: a match implies the clauses."""
    patterns = [(p, regex.compile(p, regex.IGNORECASE | regex.V0)) for _, p, _ in _shipped_patterns()]
    patterns += [(p, regex.compile(p, regex.IGNORECASE | regex.V0)) for req in index().requirements
                 for kind in ("headings", "phrases") for p in req.get("evidence", {}).get(kind, [])]
    words = sorted({w for p, _ in patterns for w in re.findall(r"[A-Za-z]{2,}", p)} | {"are", "is", "not", "the", "to", "FDA", "of"})
    rng = random.Random(820)
    matched = 0
    for _ in range(3000):
        text = " ".join(rng.choice(words) if rng.random() < 0.9 else rng.choice([".", "-", "s", "ed", "\n"]) for _ in range(rng.randint(2, 14)))
        text = text.upper() if rng.random() < 0.2 else text
        for pattern, compiled in patterns:
            if compiled.search(text):
                matched += 1
                assert _satisfied(clauses(pattern), text), (pattern, text)
                found = anchors(pattern)
                assert not found or any(a in text.lower() for a in found), (pattern, text)
    assert matched > 100  # the texts do exercise the patterns


def test_a_pattern_rule_finds_every_match_its_regexes_have_in_each_block():
    """The `pattern` type finds the blocks a gate admits from the document's whole text at once
    (str.find over every block joined): the same hits, in the same order, as every regex tried on
    every block, also where lower-casing changes a text's length ('İ') or an anchor ends a block."""
    from doccheck.engine.run import document_profile
    from doccheck.engine.types import pattern as pattern_type
    from doccheck.model import Block, Document

    rules = [r for r in load_rules().rules if r.type == "pattern"]
    words = sorted({w for _, p, _ in _shipped_patterns() for w in re.findall(r"[A-Za-z]{3,}", p)})
    fire = sorted({text for _, _, examples in _shipped_patterns() for text in examples if text})
    rng = random.Random(13485)
    hits = 0
    for _ in range(60):
        texts = [rng.choice(fire) + rng.choice(["", " İ", " and the record."]) if rng.random() < 0.4 else
                 " ".join(rng.choice(words + ["İ", "the", "is", "not", "."]) for _ in range(rng.randint(1, 12))) for _ in range(rng.randint(1, 25))]
        doc = Document(path="d.md", format="md", sha256="", size=0,
                       blocks=[Block(index=n, part="body", text=t, segments=(), paragraph=n + 1) for n, t in enumerate(texts)])
        ctx = document_profile(doc, None, ())
        for rule in rules:
            found = [(h.block, h.span) for h in pattern_type.check(doc, rule, ctx)]
            every = [(b.index, (m.start(), m.end())) for b in doc.blocks if rule.scope.admits_block(b.part, b.section_path)
                     for p in rule.options.compiled for m in p.finditer(b.text) if m.end() > m.start()]
            assert found == every, rule.id
            hits += len(found)
    assert hits > 50  # the documents do exercise the patterns
