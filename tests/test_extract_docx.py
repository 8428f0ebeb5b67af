"""The Word extractor reads every part, in the final view, with locations back to the runs."""

from __future__ import annotations

import zipfile

import pytest
from lxml import etree

from doccheck import ooxml
from doccheck.extract import extract
from doccheck.model import Document

from conftest import FIXTURES, REALDOCS, find

ALL_PARTS = FIXTURES / "formats" / "all-parts.docx"


@pytest.fixture(scope="module")
def doc() -> Document:
    return extract(ALL_PARTS)


@pytest.mark.parametrize(
    ("phrase", "part", "story"),
    [
        ("This procedure follows the quality system regulation in body text", "body", "word/document.xml"),
        ("Outer cell two", "table", "word/document.xml"),
        ("Nested cell beta", "table", "word/document.xml"),
        ("Doc No. SOP-DC-001", "header", "word/header1.xml#default"),
        ("First page header", "header", "word/header2.xml#first"),
        ("Even page header text", "header", "word/header3.xml#even"),
        ("Footer text: uncontrolled when printed", "footer", "word/footer1.xml#default"),
        ("Footnote cites 21 CFR 820.30(j)", "footnote", "word/footnotes.xml"),
        ("Endnote mentions management with executive responsibility", "endnote", "word/endnotes.xml"),
        ("Text box says Device Master Record", "textbox", "word/document.xml"),
        ("Content control says Quality System Record", "body", "word/document.xml"),
        ("Comment body: check DHR wording", "comment", "word/comments.xml"),
    ],
)
def test_every_part_is_read_with_its_part_and_story(doc, phrase, part, story):
    block = find(doc, phrase)
    assert block.part == part
    assert block.story == story


def test_text_box_is_read_once_not_from_its_vml_fallback_copy(doc):
    assert sum("Text box says" in b.text for b in doc.blocks) == 1


def test_field_results_are_text_and_field_codes_are_not(doc):
    assert find(doc, "Printed revision").text == "Printed revision C of this SOP."
    assert find(doc, "Complex field gives").text == "Complex field gives SOP-DC-001 here."
    assert not any("DOCPROPERTY" in b.text for b in doc.blocks)


def test_tracked_changes_final_view_and_counts(doc):
    block = find(doc, "The design file is the")
    assert block.text == "The design file is the design and development file per clause 7.3.10."
    assert "Design History File" not in doc.text()
    assert doc.facts["tracked_insertions"] == 1
    assert doc.facts["tracked_deletions"] == 1
    assert doc.facts["pending_revisions"] == 2
    assert doc.facts["comments"] == 1 and doc.facts["open_comments"] == 1


def test_heading_path_and_table_cells(doc):
    assert find(doc, "The design file is the").section == ("2 Responsibilities", "2.1 Records")
    assert find(doc, "Nested cell beta").cell == (2, 1, 2)
    rev_c = [b for b in doc.blocks if b.cell == (3, 4, 1)]
    assert rev_c and rev_c[0].text == "C"


def test_location_maps_to_the_run_that_holds_the_text(doc):
    """Block offsets -> (run index, offset): walking the XML the same way gives the same text."""
    block = find(doc, "The design file is the")
    start = block.text.index("design and development file")
    end = start + len("design and development file")
    pieces = block.source_pieces(start, end)
    with zipfile.ZipFile(ALL_PARTS) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    paragraph = ooxml.paragraphs(root)[block.paragraph - 1]
    runs = ooxml.visible_runs(paragraph)
    quoted = "".join(ooxml.run_text(runs[p.key])[p.start : p.end] for p in pieces)
    assert quoted == "design and development file"
    assert etree.QName(runs[pieces[0].key].getparent()).localname == "ins"


def test_metadata_fields_and_sources(doc):
    md = doc.metadata
    assert md.values() == {
        "document_number": "SOP-DC-001",
        "title": "Design Control Procedure",
        "revision": "C",
        "effective_date": "2026-03-01",
        "approval": "J. Smith, VP Quality",
        "status": "Effective",
    }
    assert md.best("document_number").source == "custom property 'DocumentNumber'"
    assert md.best("status").source == "core property 'status'"
    sources = {f.source: f for f in md.candidates["effective_date"]}
    assert sources["header"].raw == "01-Mar-2026" and sources["header"].value == "2026-03-01"
    history = sources["revision history table (latest row)"]
    assert history.value == "2026-03-01"
    assert [f.value for f in md.candidates["revision"] if "history" in f.source] == ["C"]
    assert doc.properties["core:save_count"] == "17"  # Word's save counter is not read as the revision


def test_control_table_identity():
    doc = extract(FIXTURES / "sops" / "SOP-QA-012-capa.docx")
    md = doc.metadata
    assert md.get("document_number") == "SOP-QA-012"
    assert md.best("document_number").source == "first-page control table"
    assert md.get("revision") == "D" and md.best("revision").source == "footer"
    assert md.get("effective_date") == "2025-03-03"
    assert md.best("effective_date").raw == "March 3, 2025"
    assert md.get("approval") == "R. Jones, Director QA"


def test_input_is_not_modified():
    before = ALL_PARTS.read_bytes()
    stat = ALL_PARTS.stat()
    extract(ALL_PARTS)
    assert ALL_PARTS.read_bytes() == before
    assert ALL_PARTS.stat().st_mtime_ns == stat.st_mtime_ns


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    path = tmp_path / "xxe.docx"
    with zipfile.ZipFile(ALL_PARTS) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/document.xml":
                data = data.replace(
                    b"<w:document ", f'<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file://{secret}">]><w:document '.encode(), 1
                ).replace(b"Text box anchor paragraph.", b"Entity: &xxe;", 1)
                data = data.replace(b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n', b"", 1)
            dst.writestr(item, data)
    doc = extract(path)
    assert "TOP-SECRET-CONTENT" not in doc.text()
    assert any(b.text.startswith("Entity:") for b in doc.blocks)


def test_file_over_the_size_limit_is_refused_without_reading(tmp_path):
    from doccheck.extract.limits import Limits

    doc = extract(ALL_PARTS, limits=Limits(max_file_bytes=1000))
    assert not doc.readable
    assert doc.problems[0].reason == "too-large" and "limit" in doc.problems[0].message


def test_heading_levels_are_read_once_per_template(tmp_path, monkeypatch):
    """The styles part is read once per distinct (CRC-32, size); a different template is read again."""
    import shutil

    from doccheck.extract import docx as docx_extractor

    docx_extractor._STYLES.clear()
    reads = []
    real = docx_extractor.read_part
    monkeypatch.setattr(docx_extractor, "read_part", lambda zf, name, limits: (reads.append(name), real(zf, name, limits))[1])
    for n in range(3):
        shutil.copyfile(ALL_PARTS, tmp_path / f"copy-{n}.docx")
    levels = [[b.level for b in extract(tmp_path / f"copy-{n}.docx").blocks] for n in range(3)]
    assert levels[0] == levels[1] == levels[2] and any(levels[0])
    assert reads.count("word/styles.xml") == 1
    with zipfile.ZipFile(ALL_PARTS) as src, zipfile.ZipFile(tmp_path / "other.docx", "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "word/styles.xml":  # another template: one style more, the same headings
                data = data.replace(b"</w:styles>", b'<w:style w:type="paragraph" w:styleId="Extra"><w:name w:val="Extra"/></w:style></w:styles>')
            dst.writestr(item, data)
    assert [b.level for b in extract(tmp_path / "other.docx").blocks] == levels[0]
    assert reads.count("word/styles.xml") == 2


def _stories(path):  # type: ignore[no-untyped-def]
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith("word/") and name.endswith(".xml") and "/_rels/" not in name:
                root = etree.fromstring(zf.read(name))
                if root.tag in (ooxml.qn("w:document"), ooxml.qn("w:hdr"), ooxml.qn("w:ftr"), ooxml.qn("w:footnotes"),
                                ooxml.qn("w:endnotes"), ooxml.qn("w:comments")):
                    yield f"{path.name}:{name}", root


def test_one_walk_of_a_story_finds_what_one_walk_per_question_finds():
    """`ooxml.layout` against the plain definitions, on every Word fixture and every realdocs Word document:
    text boxes, nested tables, content controls, tracked changes, mc:Fallback copies, sections."""
    paths = sorted(FIXTURES.rglob("*.docx")) + sorted(REALDOCS.glob("*.docx"))
    assert len(paths) > 30
    seen = {"box": 0, "fallback": 0, "revisions": 0}
    for path in paths:
        try:
            stories = list(_stories(path))
        except (zipfile.BadZipFile, etree.XMLSyntaxError, KeyError, ValueError):
            continue  # the fixtures of unreadable files
        for name, root in stories:
            shape = ooxml.layout(root)
            assert shape.paragraphs == ooxml.paragraphs(root), name
            assert shape.tables == list(root.iter(ooxml.W_TBL)), name
            assert shape.in_box == {p for box in root.iter(ooxml.W_TXBX) for p in box.iter(ooxml.W_P)}, name
            assert shape.cell_of == {p: tc for tc in root.iter(ooxml.W_TC) for p in tc.iter(ooxml.W_P)}, name
            assert shape.revisions == {tag: sum(1 for _ in root.iter(tag)) for tag in (ooxml.W_INS, ooxml.W_DEL, ooxml.W_MOVE_FROM)}, name
            assert shape.section_refs == list(root.iter(ooxml.W_HEADER_REF, ooxml.W_FOOTER_REF)), name
            seen["box"] += bool(shape.in_box)
            seen["fallback"] += next(root.iter(ooxml.MC_FALLBACK), None) is not None
            seen["revisions"] += any(shape.revisions.values())
    assert seen["box"] and seen["fallback"] and seen["revisions"], seen


def test_a_content_control_named_for_a_field_labels_its_value(tmp_path):
    """Templates hold the number, revision and dates in content controls whose alias names the field
    ("Document Number"), often with no label text beside them; one still showing its placeholder
    ("Click or tap to enter a date.") is a blank field, and an unnamed one (a checkbox) is nothing."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, content_control, p, para, run, write_docx

    placeholder = ('<w:sdt><w:sdtPr><w:alias w:val="Effective Date"/><w:showingPlcHdr/></w:sdtPr><w:sdtContent>'
                   "<w:r><w:t>Click or tap to enter a date.</w:t></w:r></w:sdtContent></w:sdt>")
    checkbox = '<w:sdt><w:sdtPr><w:id w:val="1"/></w:sdtPr><w:sdtContent><w:r><w:t>\u2610</w:t></w:r></w:sdtContent></w:sdt>'
    path = tmp_path / "controls.docx"
    write_docx(str(path), DocxSpec(
        body=[p("Supplier Control", "Title"), para(run("Done "), checkbox), p("Text.")],
        headers={"default": [para(run("Supplier Control  "), content_control("SOP-QA-004", "Document Number")),
                             para(content_control("C", "Revision")), para(placeholder), para(content_control("QA Manager", "Approved By")),
                             para(content_control("Any words at all", "Status"))]},
    ))
    doc = extract(path)
    assert doc.metadata.get("document_number") == "SOP-QA-004" and doc.metadata.get("revision") == "C"
    assert doc.metadata.best("document_number").source == "content control 'Document Number'"
    assert doc.metadata.get("effective_date") is None and doc.metadata.blank["effective_date"] == "content control 'Effective Date'"
    assert doc.metadata.get("approval") is None and doc.metadata.get("status") is None  # a role; free text


def test_a_content_controls_value_is_its_visible_text(tmp_path):
    """What a reader sees of a control is its value: a pending deletion (w:del) or the old place of moved
    text (w:moveFrom, whose runs keep w:t) is no part of it, nor is hidden text; a block-level control's
    paragraphs are lines of it."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, deleted, inserted, p, para, run, write_docx

    revision = (f'<w:sdt><w:sdtPr><w:alias w:val="Revision"/></w:sdtPr><w:sdtContent>{deleted("02", 1)}'
                '<w:moveFrom w:id="3" w:author="A" w:date="2026-01-01T00:00:00Z"><w:r><w:t>01</w:t></w:r></w:moveFrom>'
                f'{inserted("03", 2)}</w:sdtContent></w:sdt>')
    number = ('<w:sdt><w:sdtPr><w:alias w:val="Document Number"/></w:sdtPr><w:sdtContent>'
              '<w:r><w:rPr><w:vanish/></w:rPr><w:t>DRAFT-</w:t></w:r><w:r><w:t>SOP-QA-004</w:t></w:r></w:sdtContent></w:sdt>')
    block = ('<w:sdt><w:sdtPr><w:alias w:val="Effective Date"/></w:sdtPr><w:sdtContent>'
             '<w:p><w:r><w:t>2026-03-01</w:t></w:r></w:p><w:p><w:r><w:t>(next review 2027)</w:t></w:r></w:p></w:sdtContent></w:sdt>')
    path = tmp_path / "controls.docx"
    write_docx(str(path), DocxSpec(body=[p("Supplier Control", "Title"), p("Text.")],
                                   headers={"default": [para(run("Supplier Control  "), number), para(revision), block]}))
    doc = extract(path)
    assert (doc.metadata.get("document_number"), doc.metadata.get("revision"), doc.metadata.get("effective_date")) == ("SOP-QA-004", "03", "2026-03-01")
    assert {f.source for name in ("document_number", "revision", "effective_date") for f in [doc.metadata.best(name)]} == {
        "content control 'Document Number'", "content control 'Revision'", "content control 'Effective Date'"}


def test_a_control_block_drawn_in_a_header_text_box_is_the_documents_identity(tmp_path):
    """Templates draw the header's control block in a shape: its text box is part of the page header."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, p, para, textbox, write_docx

    path = tmp_path / "boxed.docx"
    write_docx(str(path), DocxSpec(body=[p("Supplier Control", "Title"), p("Text.")],
                                   headers={"default": [para(textbox("Doc No: SOP-QA-004  Rev: C  Effective: 2026-03-01"))]}))
    doc = extract(path)
    assert doc.metadata.values() | {"title": None} == {"document_number": "SOP-QA-004", "title": None, "revision": "C",
                                                        "effective_date": "2026-03-01", "approval": None, "status": None}
    assert doc.metadata.best("document_number").source == "header"
    assert [b.part for b in doc.blocks if "SOP-QA-004" in b.text] == ["textbox"]  # located as it is: a text box


def test_the_control_table_under_a_logo_and_title_table_is_the_first_page_control_table(tmp_path):
    """A first table that gives no field (logo and title) leaves the place to the next one before the first
    section; a table of other documents' numbers under "2 References" is never the document's own."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, heading, p, table, write_docx

    logo = table([["ACME Medical", "Supplier Control Procedure"]])
    control = table([["Doc No.", "SOP-QA-007"], ["Revision", "B"], ["Effective Date", "2026-03-01"]])
    second = tmp_path / "second.docx"
    write_docx(str(second), DocxSpec(body=[logo, control, heading("1 Purpose"), p("Text.")]))
    doc = extract(second)
    assert (doc.metadata.get("document_number"), doc.metadata.get("revision")) == ("SOP-QA-007", "B")
    assert doc.metadata.best("document_number").source == "first-page control table"
    references = tmp_path / "references.docx"
    write_docx(str(references), DocxSpec(body=[logo, heading("1 Purpose"), p("Text."), heading("2 References"),
                                               table([["Doc No.", "Title"], ["SOP-QA-010", "Training"]])]))
    assert extract(references).metadata.get("document_number") is None
