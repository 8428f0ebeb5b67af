"""Recognition on documents: the spellings real documents use, the context pass, where text sits, what is never a citation."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from doccheck import api
from doccheck.config import Config
from doccheck.extract import extract
from doccheck.nlp import tag_document

from conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "fixtures"))

from docxgen import DocxSpec, footnote_ref, heading, p, para, run, table, textbox, write_docx  # noqa: E402


def tags(path: Path) -> list:
    doc = extract(path)
    assert doc.readable, doc.problems
    tag_document(doc)
    return [(t.ref.get("norm"), t.status, t.evidence, doc.blocks[t.block].part) for t in doc.tags]


def norms(path: Path) -> list[str]:
    return [n for n, *_ in tags(path)]


def _md_tags(tmp_path: Path, text: str) -> list:
    doc = extract(_md(tmp_path, text, "probe.md"))
    tag_document(doc)
    return doc.tags


def _md(tmp_path: Path, text: str, name: str = "doc.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- the variant spellings, the same in every format


def _variant_tags(ext: str) -> list[str]:
    doc = extract(FIXTURES / "formats" / f"variants.{ext}")
    tag_document(doc)
    return [f"{t.ref.get('norm')} | {t.status}" for t in doc.tags]


def test_variant_spellings_give_the_same_tags_in_docx_pdf_and_markdown():
    """The PDF splits "Quality System (QS)" / "Regulation" into two blocks; Markdown wraps; Word does neither."""
    docx, pdf, md = (_variant_tags(ext) for ext in ("docx", "pdf", "md"))
    assert docx == pdf == md
    for expected in ("21 CFR 820.30(c)(2) | superseded", "21 CFR 820.50(b) | superseded", "21 CFR 820.72(a) | superseded",
                     "21 CFR 820.184 | superseded", "21 CFR 820.150 to 820.160 | superseded", "21 CFR 820.80 to 820.86 | superseded",
                     "21 CFR 820.70(c), (d) | superseded", "21 CFR 820.3(z), (aa) | superseded", "21 CFR 820.100 to 820.198 | superseded",
                     "quality system regulation | retired", "21 CFR Part 820, Subpart D | superseded", "21 CFR 820.20 | superseded"):
        assert expected in docx, expected
    assert not any("820.17" in t or "820.50 |" in t or "Subpart C" in t for t in docx)
    assert docx.count("quality system regulation | retired") == 4  # not the QMSR's own rule title


def test_a_phrase_split_over_two_pdf_blocks_is_one_tag_with_the_whole_phrase():
    doc = extract(FIXTURES / "formats" / "variants.pdf")
    tag_document(doc)
    (tag,) = [t for t in doc.tags if t.text.startswith("Quality System (QS)")]
    assert tag.text == "Quality System (QS) Regulation" and tag.label == "quality-system-regulation"
    block = doc.blocks[tag.block]
    assert block.text.endswith("Quality System (QS)") and tag.end == len(block.text)
    assert not any(t.label in ("quality-system",) for t in doc.tags)  # the first block's "Quality System" alone is gone



def test_a_term_written_as_one_hyphenated_modifier_is_the_term(tmp_path):
    """"device-history-record review", "design-history files": the words of a term joined by hyphens."""
    text = "Each device-history-record review and the design-history files. The Device-Master Record is kept.\n"
    md = _md(tmp_path, f"# Records\n\n{text}")
    docx = tmp_path / "records.docx"
    write_docx(str(docx), DocxSpec(body=[heading("Records"), p(text.strip())]))
    for path in (md, docx):
        doc = extract(path)
        tag_document(doc)
        found = [(t.text, t.label) for t in doc.tags if t.kind == "term"]
        assert found == [("device-history-record", "device-history-record"), ("design-history files", "design-history-file"),
                         ("Device-Master Record", "device-master-record")], path
    plural = next(t for t in doc.tags if t.text == "design-history files")
    assert plural.ref["replacement"] == "design and development files"
    assert [t.text for t in _md_tags(tmp_path, "A history-record of the design, a master-file.")] == []
    # a slug or a file name is not the record: "slug: design-history-file-dhf", "see device-history-record.docx"
    slugs = "slug: design-history-file-dhf\n\nsee device-history-record.docx or pages/device-master-record/ and x-device-master-record\n"
    assert [t.text for t in _md_tags(tmp_path, slugs)] == []
    assert [t.text for t in _md_tags(tmp_path, "Review the device-history-record. Then the design-history file, and...")] == \
        ["device-history-record", "design-history file"]


# --- the context pass: bare numbers their column, heading or document makes citations


def test_crosswalk_table_numbers_are_citations_by_their_column(tmp_path):
    md = tags(FIXTURES / "formats" / "variants.md")
    docx = tags(FIXTURES / "formats" / "variants.docx")
    for found in (md, docx):
        assert ("21 CFR 820.20", "superseded", "table", "table") in found
        assert ("21 CFR Part 820, Subpart D", "superseded", "table", "table") in found
        assert not any(n and "820.17" in n for n, *_ in found)


def test_a_column_about_another_subject_in_an_unrelated_document_stays_quiet(tmp_path):
    path = _md(tmp_path, "# Bill of materials\n\n| Part No. | Qty |\n|---|---|\n| 820.30 | 4 |\n| 820.22 | 2 |\n")
    assert tags(path) == []


def test_heading_and_document_context(tmp_path):
    path = _md(tmp_path, "# Purchasing\n\nSuppliers are approved.\n\n## QSR mapping\n\n820.50 Purchasing controls\n")
    assert ("21 CFR 820.50", "superseded", "heading", "body") in tags(path)
    path = _md(tmp_path, "# Records\n\nWe follow 21 CFR Part 820.\n\n## Retention\n\n820.180 General requirements. 820.17 is a typo.\n")
    found = tags(path)
    assert ("21 CFR 820.180", "superseded", "document", "body") in found
    assert not any(n and "820.17" in n for n, *_ in found)
    path = _md(tmp_path, "# Records\n\nRetention follows the plan.\n\n820.180 General requirements.\n")
    assert tags(path) == []


def test_docx_table_column_header_and_document_context(tmp_path):
    path = tmp_path / "crosswalk.docx"
    write_docx(str(path), DocxSpec(body=[
        heading("Mapping"),
        table([["21 CFR 820", "Topic", "Part No."], ["820.30", "Design controls", "820.40"], ["Subpart M", "Records", "-"]]),
    ]))
    found = tags(path)
    assert ("21 CFR 820.30", "superseded", "table", "table") in found
    assert ("21 CFR 820.40", "superseded", "document", "table") in found  # the header cell cites Part 820
    assert ("21 CFR Part 820, Subpart M", "superseded", "table", "table") in found


def test_subparts_of_another_part_are_not_part_820s(tmp_path):
    path = _md(tmp_path, "# E-records\n\nWe follow 21 CFR Part 820 and 21 CFR Part 11.\n\n## Subpart C—Electronic Signatures\n\nSubpart B applies too.\n")
    assert [n for n in norms(path) if n and "Subpart" in n] == ["21 CFR Part 820, Subpart B"]



def test_subpart_lists_are_one_citation_each_and_a_range_is_one(tmp_path):
    """"Subparts C and D" cites two subparts, "Subparts C, D and E" three; "Subparts B-O" is one citation
    of the range, superseded because it covers reserved subparts (B alone is current: the QMSR has one)."""
    path = _md(tmp_path, "# Scope\n\nSubparts C, D and E of Part 820 apply.\n\n21 CFR 820 Subparts C and D apply.\n\n"
                         "Subparts B-O of Part 820 are reserved now.\n\n21 CFR Part 820, Subparts B through O.\n\n"
                         "Subparts B and C of Part 820.\n\nSubparts A-B of Part 820.\n\nSubparts C, E-G and J of Part 820.\n")
    doc = extract(path)
    tag_document(doc)
    found = [(doc.blocks[t.block].location(doc.format, t.start).line, t.ref.get("subpart"), t.ref.get("subpart_end"), t.status)
             for t in doc.tags if t.kind == "citation"]
    assert [f[1] for f in found if f[0] == 3] == ["C", "D", "E"]
    assert [f[1] for f in found if f[0] == 5] == ["C", "D"]
    assert [f[1:] for f in found if f[0] == 7] == [("B", "O", "superseded")]
    assert [f[1:] for f in found if f[0] == 9] == [("B", "O", "superseded")]
    assert [(f[1], f[3]) for f in found if f[0] == 11] == [("B", "current"), ("C", "superseded")]
    assert [f[1:] for f in found if f[0] == 13] == [("A", "B", "current")]
    assert [f[1:3] for f in found if f[0] == 15] == [("C", None), ("E", "G"), ("J", None)]
    assert all(f[3] == "superseded" for f in found if f[0] in (3, 5))


def test_a_subpart_range_maps_to_its_reserved_subparts_clauses(tmp_path):
    report = api.scan([_md(tmp_path, "# Scope\n\nSubparts C to E of Part 820 apply.\n\nSubpart C - Design Controls\n")], Config(root=tmp_path, use_cache=False))
    finding, title = [f for f in report.documents[0].findings if f.rule == "QMSR-REF-003"]
    assert finding.text == "Subparts C to E of Part 820" and title.text == "Subpart C"  # a title is not a range
    assert "7.3" in finding.message and "4.2.4" in finding.message and "7.4" in finding.message


def test_a_subpart_named_before_its_part_is_one_citation_of_the_subpart(tmp_path):
    """"Subpart J of 21 CFR Part 820": the Part is what the subpart belongs to, not a second citation;
    the Part alone, or a section after "of", stays what it was."""
    path = _md(tmp_path, "# CAPA\n\nSubpart J of 21 CFR Part 820 covers CAPA.\n\nSubpart E, 21 CFR Part 820, applies.\n\n"
                         "Records per subpart M in 21 CFR 820.\n\nWe follow 21 CFR Part 820.\n\nSubpart C of 21 CFR 820.30 applies.\n")
    doc = extract(path)
    tag_document(doc)
    found = [(t.text, t.ref.get("subpart"), doc.blocks[t.block].location(doc.format, t.start).line) for t in doc.tags if t.kind == "citation"]
    assert ("Subpart J of 21 CFR Part 820", "J", 3) in found
    assert ("Subpart E, 21 CFR Part 820", "E", 5) in found
    assert ("subpart M in 21 CFR 820", "M", 7) in found
    assert [t for t in found if t[2] in (3, 5, 7) and t[1] is None] == []  # no second, bare-Part citation on those lines
    assert [t[0] for t in found if t[2] == 9] == ["21 CFR Part 820"]
    assert sorted(t[0] for t in found if t[2] == 11) == ["21 CFR 820.30", "Subpart C"]


# --- where the text sits


_HIDDEN_RUN = '<w:r><w:rPr><w:i/><w:vanish/></w:rPr><w:t xml:space="preserve">Hidden: per 21 CFR 820.30 and the DHF. </w:t></w:r>'


def test_text_formatted_hidden_is_not_read_and_what_only_looks_hidden_is(tmp_path):
    """Word shows and prints a w:vanish run only when asked to: not the document's visible text. A vanish
    switched off, a hidden paragraph mark and a tracked change's former formatting leave the text visible."""
    path = tmp_path / "hidden.docx"
    shown = '<w:r><w:rPr><w:vanish w:val="0"/></w:rPr><w:t xml:space="preserve">Shown: 21 CFR 820.40. </w:t></w:r>'
    mark = '<w:p><w:pPr><w:rPr><w:vanish/></w:rPr></w:pPr><w:r><w:t>Mark hidden only: 21 CFR 820.50.</w:t></w:r></w:p>'
    changed = ('<w:r><w:rPr><w:rPrChange w:id="1" w:author="a" w:date="2026-01-01T00:00:00Z"><w:rPr><w:vanish/></w:rPr></w:rPrChange>'
               '</w:rPr><w:t>Was hidden: 21 CFR 820.70.</w:t></w:r>')
    write_docx(str(path), DocxSpec(body=[heading("Procedure"), para(run("Visible text. "), _HIDDEN_RUN, shown, run("End.")), mark, para(changed)],
                                   headers={"default": [para(_HIDDEN_RUN, run("Header: 21 CFR 820.72"))]}))
    doc = extract(path)
    assert [b.text for b in doc.blocks if b.part == "body"][1] == "Visible text. Shown: 21 CFR 820.40. End."
    assert sorted(n for n in norms(path)) == ["21 CFR 820.40", "21 CFR 820.50", "21 CFR 820.70", "21 CFR 820.72"]


def test_a_story_without_hidden_formatting_skips_looking_for_it_and_gets_the_same_runs(tmp_path):
    """`Layout.hidden` says whether a story holds any w:vanish; without one, `visible_runs` need not look."""
    import zipfile

    from lxml import etree

    from doccheck import ooxml

    plain, hidden = tmp_path / "plain.docx", tmp_path / "hidden.docx"
    body = [heading("Procedure"), para(run("Records follow "), run("21 CFR 820.180", bold=True), textbox("Boxed 21CFR820.184."))]
    write_docx(str(plain), DocxSpec(body=body))
    write_docx(str(hidden), DocxSpec(body=[*body, para(_HIDDEN_RUN)]))
    stories = {name: etree.fromstring(zipfile.ZipFile(path).read("word/document.xml")) for name, path in (("plain", plain), ("hidden", hidden))}
    assert (ooxml.layout(stories["plain"]).hidden, ooxml.layout(stories["hidden"]).hidden) == (False, True)
    paragraphs = ooxml.layout(stories["plain"]).paragraphs
    assert [ooxml.visible_runs(p, False) for p in paragraphs] == [ooxml.visible_runs(p) for p in paragraphs]
    assert [ooxml.paragraph_text(p) for p in ooxml.layout(stories["hidden"]).paragraphs][-1] == ""




def test_citations_in_every_docx_part(tmp_path):
    path = tmp_path / "parts.docx"
    write_docx(str(path), DocxSpec(
        body=[p("Body cites 21 CFR 820.30(j)."), para(run("A box: "), textbox("Boxed 21CFR820.184.")), para(run("Noted"), footnote_ref(1))],
        headers={"default": [p("Header: per QS regulation")]},
        footers={"default": [p("Footer: Sec. 820.40")]},
        footnotes={1: "Footnote: 21 CRF 820.198(e)."},
    ))
    found = {(n, part) for n, _, _, part in tags(path)}
    assert found == {("21 CFR 820.30(j)", "body"), ("21 CFR 820.184", "textbox"), ("quality system regulation", "header"),
                     ("21 CFR 820.40", "footer"), ("21 CFR 820.198(e)", "footnote")}


def test_a_reviewers_comment_is_read_but_never_a_qsr_finding(tmp_path, run_cli):
    """A Word comment citing the QSR is a reviewer's remark, not the controlled text (the open-comment
    rule still counts it); the same words in the body are findings."""
    from docxgen import commented

    path = tmp_path / "reviewed.docx"
    remark = "Was the DHF under 21 CFR 820.30(j)"
    write_docx(str(path), DocxSpec(body=[p("Design Procedure"), para(run("Design files are kept."), commented("kept", 1))], comments={1: remark}))
    doc = extract(path)
    assert [b.text for b in doc.blocks if b.part == "comment"] == [remark]
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--fail-on", "never", str(path))
    (found,) = json.loads(out)["documents"]
    assert [f for f in found["findings"] if f["rule"].startswith("QMSR-")] == []
    write_docx(str(path), DocxSpec(body=[p("Design Procedure"), p(remark)]))
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--fail-on", "never", str(path))
    (found,) = json.loads(out)["documents"]
    assert sorted(f["rule"] for f in found["findings"] if f["rule"].startswith("QMSR-")) == ["QMSR-REF-001", "QMSR-TERM-001"]


def test_a_revision_history_is_located_but_information(tmp_path, run_cli):
    """What a revision history says the document was is still found (a reader sees it), but there is
    nothing to rewrite: information, where the same words in the procedure keep their severity."""
    path = _md(tmp_path, "# CAPA\n\nCAPA follows 21 CFR 820.100 and the DHF.\n\n## Revision History\n\n| Rev | Date | Description |\n"
                         "|---|---|---|\n| A | 2019-01-01 | First issue per 21 CFR 820.100; DHF references added |\n")
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--fail-on", "never", str(path))
    (doc,) = json.loads(out)["documents"]
    found = sorted((f["location"]["line"], f["rule"], f["severity"]) for f in doc["findings"] if f["rule"].startswith("QMSR-"))
    assert found == [(3, "QMSR-REF-001", "error"), (3, "QMSR-TERM-001", "warning"), (9, "QMSR-REF-001", "info"), (9, "QMSR-TERM-001", "info")]


def test_a_number_after_a_word_for_another_kind_of_number_is_no_citation(tmp_path):
    """In a document about Part 820 a bare 820.30 is a citation, but not "part number 820.30", "Lot 820.198",
    "Model 820.100", "820.30 kPa", "Table 820.40", "Step 820.70"; a paragraph ("checklist item 820.30(a)") still makes one."""
    lines = ["This procedure follows 21 CFR 820.50.", "The part number 820.30 is ordered.", "Item 820.40 in the catalogue.",
             "The pressure is 820.30 kPa.", "Model 820.100 pump.", "Version 820.30 of the software.", "Lot 820.198 was released.",
             "Checklist item 820.30(a) is open.", "Design controls (820.30) apply.", "See Table 820.40 in Annex A.",
             "Step 820.70 is skipped.", "Figure 820.75 shows the flow."]
    found = norms(_md(tmp_path, "# Purchasing\n\n" + "\n\n".join(lines) + "\n"))
    assert found == ["21 CFR 820.50", "21 CFR 820.30(a)", "21 CFR 820.30"]


def test_front_matter_values_are_read_and_located(tmp_path, run_cli):
    path = _md(tmp_path, "---\ntitle: FDA Design Controls (21 CFR 820.30)\nslug: fda-design-controls-21-cfr-82030\n"
                         "url: https://example.org/21-cfr-820.30/dhf\ntags: [design, Design History File]\n---\n\n# Overview\n\nText.\n")
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--fail-on", "never", str(path))
    (doc,) = json.loads(out)["documents"]
    hits = [(f["text"], f["location"]["part"], f["location"]["line"], f["location"]["column"]) for f in doc["findings"] if f["rule"].startswith("QMSR-")]
    assert hits == [("21 CFR 820.30", "properties", 2, 29), ("Design History File", "properties", 5, 16)]


def test_only_the_link_text_of_a_markdown_link_is_read(tmp_path):
    path = _md(tmp_path, "# Links\n\nSee [21 CFR 820.30](https://www.ecfr.gov/current/title-21/section-820.198) and "
                         "https://example.org/QSR/DHF and <https://www.fda.gov/820.40>.\n")
    assert norms(path) == ["21 CFR 820.30"]


# --- findings: confidence, severity by evidence, the opt-in style pack


def _scan(path: Path, **settings) -> dict:
    from doccheck.report.render import render

    report = api.scan([path], Config(use_cache=False, **settings))
    return json.loads(render("json", report, report.rules, "never", False))


def test_findings_carry_their_confidence_and_document_context_is_a_warning(tmp_path):
    path = _md(tmp_path, "# SOP\n\nWe follow 21 CFR 820.30(j).\n\n## Table\n\n| QSR | Topic |\n|---|---|\n| 820.22 | Audit |\n\n"
                         "## Notes\n\n820.184 is kept.\n")
    data = _scan(path)
    jsonschema.validate(data, json.loads((ROOT / "doccheck" / "schema" / "report.v1.json").read_text()))
    got = {(f["text"], f["confidence"], f["severity"]) for f in data["documents"][0]["findings"] if f["rule"] == "QMSR-REF-001"}
    assert got == {("21 CFR 820.30(j)", "high", "error"), ("820.22", "medium", "error"), ("820.184", "medium", "warning")}


STYLE_TEXT = "# SOP\n\nOur quality system runs quality audits where appropriate; see 21 CFR 820.22.\n"


def test_a_default_scan_runs_no_style_rule_and_extend_select_or_select_turns_them_on(tmp_path):
    path = _md(tmp_path, STYLE_TEXT)

    def rules(**settings) -> set[str]:
        return {f["rule"] for f in _scan(path, **settings)["documents"][0]["findings"]}

    default = rules()
    assert not any(r.startswith("STYLE-") for r in default) and "QMSR-REF-001" in default
    assert {"STYLE-001", "STYLE-002", "STYLE-006"} <= rules(extend_select=("STYLE-",))
    assert "QMSR-REF-001" in rules(extend_select=("STYLE-",))
    assert rules(select=("STYLE-001",)) == {"STYLE-001"}
    assert rules(select=("QMSR-TERM-007",)) == {"STYLE-001"}  # its former id still names it


@pytest.mark.parametrize(("text", "expected"), [
    ("The DHR (Device History Record) is kept; each DHR is signed.", ["device history record"] * 3),
    ("The QSR (Quality System Regulation) applies.", ["quality system regulation"] * 2),
    ("The DMR (see the drawings) is kept.", ["device master record"]),  # a remark in brackets defines nothing
])
def test_an_abbreviation_spelt_out_after_it_as_the_retired_term_is_still_the_term(tmp_path, text, expected):
    assert norms(_md(tmp_path, f"# SOP\n\n{text}\n")) == expected


def test_the_style_pack_is_selected_from_the_command_line(run_cli, tmp_path):
    path = _md(tmp_path, STYLE_TEXT)
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--extend-select", "STYLE-", str(path))
    assert "STYLE-001" in {f["rule"] for f in json.loads(out)["documents"][0]["findings"]}
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", str(path))
    assert "STYLE-001" not in {f["rule"] for f in json.loads(out)["documents"][0]["findings"]}


@pytest.mark.parametrize("text", ["The Quarterly Status Report (QSR) lists open items; each QSR is filed.",
                                  "Quality System Regulation (FDA) applies; the FDA inspects.",
                                  "The QSR (Quarterly Status Report) lists open items; each QSR is filed.",
                                  "Each DMR (Data Management Report) is sent; the DMR is filed."])
def test_abbreviations_the_document_defines_otherwise_are_not_terms(tmp_path, text):
    found = norms(_md(tmp_path, f"# SOP\n\n{text}\n"))
    assert "fda" not in " ".join(n or "" for n in found).lower()
    assert found == (["quality system regulation"] if "Regulation (FDA)" in text else [])


def test_list_items_that_give_the_part_once_are_citations_of_its_sections(tmp_path):
    """ "21 CFR 820.181, .184 and .186": each item is a section of Part 820 (a reader sees three
    citations); an item that is no section of the part (".999") is not one, and another part's
    abbreviated items are not read as Part 820's."""
    found = norms(_md(tmp_path, "# Records\n\nUnder 21 CFR 820.181, .184 and .186 the records are kept.\n\n"
                                "See 21 CFR 820.30(a), .40(b) and .999 here.\n\nReports per 21 CFR 803.50, .52 are filed.\n"))
    assert found == ["21 CFR 820.181", "21 CFR 820.184", "21 CFR 820.186", "21 CFR 820.30(a)", "21 CFR 820.40(b)", "21 CFR 803.50"]


def test_shorthand_of_management_with_executive_responsibility_is_the_retired_term(tmp_path):
    """Slides and tables write it short: "Mgmt with executive responsibility", "management w/ executive
    responsibilities"; "executive management" alone is no QSR term."""
    doc = extract(_md(tmp_path, "# Review\n\nMgmt with executive responsibility reviews it.\n\n"
                                "Management w/ executive responsibilities attend.\n\nExecutive management attends.\n"))
    tag_document(doc)
    assert [(t.text, t.label) for t in doc.tags if t.kind == "term"] == [
        ("Mgmt with executive responsibility", "management-with-executive-responsibility"),
        ("Management w/ executive responsibilities", "management-with-executive-responsibility"),
    ]


def _qmsr(run_cli, path: Path) -> list[tuple[str, str, str]]:
    code, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--fail-on", "never", str(path))
    (doc,) = json.loads(out)["documents"]
    return sorted((f["text"], f["rule"], f["severity"]) for f in doc["findings"] if f["rule"].startswith("QMSR-"))


def test_a_revision_history_table_without_a_heading_is_information_too(tmp_path, run_cli):
    """The header row (Rev | Date | Description of change) says what the table is, as a heading would:
    a citation recorded there is information, the same citation in another table keeps its severity."""
    md = _md(tmp_path, "# CAPA\n\n| Input | Source |\n|---|---|\n| Complaints | 21 CFR 820.198 |\n\n"
                       "| Rev | Date | Description of change |\n|---|---|---|\n| A | 2019-01-01 | First issue per 21 CFR 820.100 |\n")
    assert _qmsr(run_cli, md) == [("21 CFR 820.100", "QMSR-REF-001", "info"), ("21 CFR 820.198", "QMSR-REF-001", "error")]
    docx = tmp_path / "capa.docx"
    write_docx(str(docx), DocxSpec(body=[
        p("CAPA Procedure", "Title"), p("Corrective action is taken."),
        table([["Input", "Source"], ["Complaints", "21 CFR 820.198"]]),
        table([["Revision", "Effective Date", "Description of Change"], ["A", "2019-01-01", "First issue per 21 CFR 820.100"],
               ["B", "2020-01-01", "DHF references added"]]),
    ]))
    assert _qmsr(run_cli, docx) == [("21 CFR 820.100", "QMSR-REF-001", "info"), ("21 CFR 820.198", "QMSR-REF-001", "error"),
                                    ("DHF", "QMSR-TERM-001", "info")]
