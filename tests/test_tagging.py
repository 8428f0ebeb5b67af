"""The tagger on the labelled set (precision and recall 1.0), and the same tags from every format."""

from __future__ import annotations

from pathlib import Path

import pytest

from doccheck.model import Block, Document
from doccheck.nlp import tag_document
from doccheck.yamlpos import load

from conftest import FIXTURES, ROOT

CASES = load(ROOT / "tests" / "data" / "tagging.yaml")["cases"]


def _label(tag) -> str:
    return f"term: {tag.label}" if tag.kind == "term" else f"{tag.ref['norm']} | {tag.status}"


def tags_of(text: str) -> list[str]:
    doc = Document(path="case.txt", format="text", sha256="", size=len(text))
    doc.blocks.append(Block(0, "body", text, ()))
    return sorted(_label(t) for t in tag_document(doc))


def test_the_labelled_set_is_large_and_has_negatives():
    assert len(CASES) >= 300
    assert sum(1 for c in CASES if not c["expect"]) >= 25


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:60] for c in CASES])
def test_case(case):
    assert tags_of(case["text"]) == sorted(case["expect"])


def test_precision_and_recall_are_one():
    tp = fp = fn = 0
    for case in CASES:
        found, expected = tags_of(case["text"]), sorted(case["expect"])
        for label in set(found) | set(expected):
            hit = min(found.count(label), expected.count(label))
            tp += hit
            fp += found.count(label) - hit
            fn += expected.count(label) - hit
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    assert (precision, recall) == (1.0, 1.0), f"precision {precision:.3f} recall {recall:.3f}"


def test_tags_carry_offsets_text_and_section():
    doc = Document(path="x.md", format="markdown", sha256="", size=0)
    text = "Records go to the Design History File per\n21 CFR  820.30(j)."
    doc.blocks.append(Block(0, "body", text, (), section=("4 Records",)))
    tags = tag_document(doc)
    assert [(t.text, text[t.start : t.end]) for t in tags] == [("Design History File", "Design History File"), ("21 CFR  820.30(j)", "21 CFR  820.30(j)")]
    term = tags[0]
    assert term.ref["replacement"] == "design and development file" and term.ref["clause"] == "ISO 13485:2016 7.3.10"
    assert doc.blocks[tags[1].block].section == ("4 Records",)


def _format_tags(path: Path) -> list[str]:
    from doccheck.extract import extract

    doc = extract(path)
    assert doc.readable, doc.problems
    return [_label(t) + f" [{t.text.split()[0]}]" for t in tag_document(doc)]


def test_same_text_gives_the_same_tags_in_docx_pdf_and_markdown():
    """PDF breaks lines inside citations and hyphenates a term; Markdown wraps; Word does neither."""
    docx, pdf, md = (_format_tags(FIXTURES / "formats" / f"citations.{ext}") for ext in ("docx", "pdf", "md"))
    assert docx == pdf == md
    assert "21 CFR 820.30(a), (b), (c) | superseded [21]" in docx  # a paragraph list is one citation, across the PDF line break too
    assert "term: design-history-file [Design]" in docx and "term: design-history-file [DHF]" in docx
    assert "ISO 13485:2016 4.2.6 | invalid [ISO]" in docx
    assert len(docx) == 16  # 3 + 3 + 4 + 3 + 3, paragraph by paragraph


def test_extract_shows_tags(run_cli):
    import json

    code, out, _ = run_cli("extract", "--tags", "--format", "json", "fixtures/sops/WI-label-inspection.txt")
    assert code == 0
    (doc,) = json.loads(out)["documents"]
    tags = {(t["text"], t["status"]) for t in doc["tags"]}
    assert tags == {("QS regulation", "retired"), ("21 CFR 820.120(b)", "superseded"), ("Device Master Record", "retired"), ("DHR", "retired")}
    cfr = next(t for t in doc["tags"] if t["kind"] == "citation")
    assert cfr["ref"]["section"] == "820.120" and cfr["location"]["line"] == 4


def test_anchored_grammars_match_exactly_what_trying_every_position_matches():
    """Matching only where a citation can start is a speed-up, never a change: same spans, same groups."""
    import random

    from doccheck.nlp import cfr, refs

    fragments = ["21 CFR 820.30(j)", "21  CFR Part 820", "C. F. R. 820.198(a)", "21 C.F.R. § 820.100", "§§ 820.100-820.250",
                 "Sections 820.30 and 820.40", "Sec. 820.70(i)", "CFR Parts 803 and 806", "BS EN ISO 13485:2016", "DIN EN IEC 62304:2006",
                 "EN  ISO 14971:2012 clause 4.2", "ISO/IEC 17025", "IEC/TR 80002-1", "SecurityCFR 1.2", "21CFR820.30", "ISO13485",
                 "Inc. C.", "2021 CFR", "EN", "BS", "§", "820.30", "clause 7.3 of ISO 13485", "prose text", "(a)", ", and", "\u00a0",
                 "820.198(e)", "x820.30", "8820.301", "$820.50", "Subpart C of Part 820", "subpart D", "Subpart", "page 820.1",
                 "21CRF820", "CFR 21 Part 820", "40 CFR 60", "21.CFR.820", "cfr 11", "Part 820, Subpart E", "C.F.R. Part 803"]
    rng = random.Random(820)
    for _ in range(3000):
        text = "".join(rng.choice(fragments) + rng.choice([" ", "", ", ", "; "]) for _ in range(rng.randint(1, 8)))
        expected, end = [], 0
        for i in range(len(text)):  # leftmost, non-overlapping: the reference behaviour
            m = refs.STANDARD.match(text, i) if i >= end else None
            if m:
                expected.append((m.span(), m.groupdict()))
                end = max(m.end(), i + 1)
        assert [(m.span(), m.groupdict()) for m in refs._anchored(refs.STANDARD, text, refs._standard_starts(text))] == expected, text
        parts = [(c.start, c.end, c.ref["part"], c.ref.get("subpart")) for c in cfr.find_parts(text, lambda s, e: False)]
        brute, end = [], 0
        for i in range(len(text)):
            m = cfr._PART_CITE.match(text, i) if i >= end else None
            if m and (m.group("title") or "21") != "21":
                end = m.end()  # "40 CFR 60": another title's citation
            elif m:
                brute.append((m.start(), m.end(), m.group("part"), m.group("sub")))
                end = m.end()
                while n := cfr._PART_LIST.match(text, end):
                    brute.append((n.start("part"), n.end(), n.group("part"), None))
                    end = n.end()
        assert parts == brute, text


def test_selection_over_the_whole_document_covers_every_block_a_search_per_block_selects():
    """One prefilter pass over the joined document selects at least what a search per block selects."""
    import random

    from doccheck.model import Block
    from doccheck.nlp import _selected
    from doccheck.nlp.refs import maybe_citation
    from doccheck.nlp.terms import may_hold_term

    pieces = ["Device History", "Record", "DHF", "dhf", "21 CFR", "820.30", "ISO", "13485", "quality system", "the", "records", "C.", "F.R.", "§", "\n", " "]
    rng = random.Random(7)
    for _ in range(300):
        blocks = [Block(n, "body", " ".join(rng.choice(pieces) for _ in range(rng.randint(1, 6))), ()) for n in range(rng.randint(4, 12))]
        joined = {b.index: term for b, term in _selected(blocks)}
        for b in blocks:
            if may_hold_term(b.text) or maybe_citation(b.text):
                assert b.index in joined and joined[b.index] >= may_hold_term(b.text), (b.text, [x.text for x in blocks])
