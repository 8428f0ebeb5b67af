"""The PDF extractor: running header/footer, joined lines, rejoined hyphenation, ligatures."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from doccheck.extract import extract
from doccheck.pdfgeom import char_boxes
from doccheck.model import Block, Document

from conftest import FIXTURES, find

DESIGN = FIXTURES / "sops" / "SOP-DC-003-design-control.pdf"


@pytest.fixture(scope="module")
def doc() -> Document:
    return extract(DESIGN)


def source_text(block: Block, start: int, end: int) -> str:
    """The characters PDFium has at the block span's source pieces (no re-extraction by doccheck)."""
    pdf = pdfium.PdfDocument(str(DESIGN))
    out = []
    for piece in block.source_pieces(start, end):
        page = pdf[piece.key - 1]
        textpage = page.get_textpage()
        out.append(textpage.get_text_range(piece.start, piece.end - piece.start))
        textpage.close()
        page.close()
    pdf.close()
    return "|".join(out)


def test_pages_and_running_header_footer(doc):
    assert doc.facts["pages"] == 3
    headers = [b for b in doc.blocks if b.part == "header"]
    footers = [b for b in doc.blocks if b.part == "footer"]
    assert [b.page for b in headers] == [1, 2, 3]
    assert [b.text for b in footers] == [f"Uncontrolled when printed Page {n} of 3" for n in (1, 2, 3)]
    assert not any("Page 1 of 3" in b.text for b in doc.blocks if b.part == "body")


def test_header_control_block_gives_identity(doc):
    md = doc.metadata
    assert md.get("document_number") == "SOP-DC-003" and md.best("document_number").source == "header"
    assert md.get("revision") == "B"
    assert md.get("effective_date") == "2026-04-01"
    assert md.get("title") == "Design Control Procedure"
    assert [f.source for f in md.candidates["revision"]] == ["header", "revision history table (latest row)"]


def test_hyphenated_term_is_rejoined_and_maps_back_to_page_one(doc):
    block = find(doc, "Design History File")
    start = block.text.index("Design History File")
    assert block.location("pdf", start).page == 1
    # two source pieces, one per line; the dropped hyphen is not part of either
    assert source_text(block, start, start + len("Design History File")) == "Design His|tory File"
    assert "reviews, verification" in block.text  # PDFium's own line-end hyphen marker is dropped too


def test_ligatures_are_normalised(doc):
    block = find(doc, "confirms design inputs")
    assert "file owner" in block.text
    start = block.text.index("confirms")
    # The fixture draws U+FB01; PDFium gives it as two characters, so the map stays 1:1.
    # (Ligatures that reach doccheck as one character are NFKC-expanded: test_textbuild.py.)
    assert source_text(block, start, start + len("confirms")) == "confirms"


def test_citation_across_a_page_break_is_one_string_behind_header_and_footer(doc):
    block = find(doc, "as described in 21 CFR 820.30(c)")
    start = block.text.index("21 CFR 820.30(c)")
    assert block.location("pdf", start).page == 2
    assert block.location("pdf", block.text.index("as described")).page == 1
    assert block.section == ("2 Scope",)


def test_char_boxes_sit_inside_the_page(doc):
    block = find(doc, "Design History File")
    start = block.text.index("Design")
    piece = block.source_pieces(start, start + 6)[0]
    boxes = char_boxes(DESIGN, piece.key, piece.start, piece.end)
    assert len(boxes) == 6
    for left, bottom, right, top in boxes:
        assert 0 < left < right < 612 and 0 < bottom < top < 792


def test_image_only_page_is_a_problem_not_silence():
    doc = extract(FIXTURES / "formats" / "partly-scanned.pdf")
    assert doc.readable
    assert doc.facts["pages_without_text"] == [2]
    assert [(p.reason, p.page, p.fatal) for p in doc.problems] == [("page-without-text", 2, False)]
    assert "Keep inspection records." in doc.text()


@pytest.mark.parametrize(
    ("name", "reason"),
    [("encrypted.pdf", "encrypted"), ("scanned.pdf", "no-text"), ("garbage.pdf", "corrupt")],
)
def test_unreadable_pdfs(name, reason):
    doc = extract(FIXTURES / "bad" / name)
    assert not doc.readable
    assert doc.problems[0].reason == reason
    assert doc.blocks == []


def test_custom_info_keys_that_name_an_identity_field_are_read_and_absent_ones_are_not(tmp_path, monkeypatch):
    """The info dictionary's own keys ("DocumentNumber", "Revision"), beside the standard ones; an empty one is absent."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    from generate import text_pdf

    data = text_pdf(b"BT /F1 12 Tf 72 700 Td (Purchasing procedure: suppliers are evaluated before use.) Tj ET",
                    b"<< /Title (Purchasing) /DocumentNumber (SOP-PUR-040) /Revision (3) /Approver () >>")
    path = tmp_path / "purchasing.pdf"
    path.write_bytes(data)
    doc = extract(path)
    assert {k: v for k, v in doc.properties.items() if k.startswith("info:")} == {
        "info:Title": "Purchasing", "info:DocumentNumber": "SOP-PUR-040", "info:Revision": "3"}
    assert (doc.metadata.get("document_number"), doc.metadata.get("revision")) == ("SOP-PUR-040", "3")


@pytest.mark.parametrize(("first", "number"), [("SOP-QA-077 Calibration of Instruments", "SOP-QA-077"),
                                               ("QP-07.05 - Document Control Procedure", "QP-07.05"),
                                               ("Calibration of Instruments", None), ("ISO 13485:2016 Quality management", None),
                                               ("Page 1 of 3", None), ("21 CFR 820 compliant calibration", None)])
def test_a_pdf_title_line_that_opens_with_the_number_gives_it_as_a_word_files_first_block_does(tmp_path, monkeypatch, first, number):
    """An exported procedure whose title is not set as a heading: its first line, as in the Word file it came from."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    from generate import text_pdf

    lines = [(680, first), (650, "Revision 2, effective 2026-05-05."), (630, "1 Purpose"), (615, "Instruments are calibrated before use.")]
    path = tmp_path / "calibration.pdf"
    path.write_bytes(text_pdf(b"".join(b"BT /F1 11 Tf 72 %d Td (%s) Tj ET\n" % (y, t.encode("latin-1")) for y, t in lines)))
    doc = extract(path)
    assert doc.metadata.get("document_number") == number
    if number:
        assert doc.metadata.best("document_number").source == "title (unlabelled)"
