"""Markdown and plain text: front matter, headings, tables, line/column, encodings."""

from __future__ import annotations

import codecs

import pytest

from doccheck.extract import extract

from conftest import FIXTURES

SOP = FIXTURES / "sops" / "SOP-QA-004-document-control.md"


def test_front_matter_is_metadata_with_its_source():
    doc = extract(SOP)
    assert doc.format == "markdown"
    assert doc.metadata.values() == {
        "document_number": "SOP-QA-004",
        "title": "Document Control",
        "revision": "5",
        "effective_date": "2026-03-01",
        "approval": "M. Chen, Head of Quality",
        "status": "effective",
    }
    assert doc.metadata.best("approval").source == "front matter 'approved_by'"
    assert [f.source for f in doc.metadata.candidates["revision"]] == ["front matter 'revision'", "revision history table (latest row)"]


def test_line_and_column_point_into_the_file():
    doc = extract(SOP)
    lines = SOP.read_text(encoding="utf-8").splitlines()
    for phrase in ("ISO 13485:2016 clause 4.2.4", "21 CFR 820.40", "Quality System Record", "QMSR alignment"):
        block = next(b for b in doc.blocks if phrase in b.text)
        loc = block.location("markdown", block.text.index(phrase))
        assert lines[loc.line - 1][loc.column - 1 :].startswith(phrase), phrase


def test_headings_build_the_section_path():
    doc = extract(SOP)
    block = next(b for b in doc.blocks if "Quality System Record" in b.text)
    assert block.section == ("Document Control", "3 Procedure")
    assert [b.text for b in doc.blocks if b.kind == "heading"][:2] == ["Document Control", "1 Purpose"]


def test_plain_text_numbered_headings():
    doc = extract(FIXTURES / "sops" / "WI-label-inspection.txt")
    assert doc.format == "text"
    block = next(b for b in doc.blocks if "Device Master Record" in b.text)
    assert block.section == ("2 Procedure",)
    assert block.location("text", 0).line == 7


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        ("Rev. B \u2014 21 CFR 820.30\r\nsecond line\r\n".encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + "21 CFR 820.30 caf\u00e9\n".encode("utf-8"), "utf-8-sig"),
        (codecs.BOM_UTF16_LE + "21 CFR 820.30 caf\u00e9\n".encode("utf-16-le"), "utf-16"),
        ("21 CFR 820.30 caf\u00e9\n".encode("cp1252"), "cp1252"),
    ],
)
def test_encodings_and_line_endings(tmp_path, data, encoding):
    path = tmp_path / "note.txt"
    path.write_bytes(data)
    doc = extract(path)
    assert doc.readable and doc.facts["encoding"] == encoding
    assert "21 CFR 820.30" in doc.blocks[0].text
    assert "\r" not in doc.text()


def test_nul_bytes_in_a_text_file_are_unreadable(tmp_path):
    path = tmp_path / "binary.txt"
    path.write_bytes(b"abc\x00\x01\x02" * 10)
    doc = extract(path)
    assert not doc.readable and doc.problems[0].reason == "binary"


def test_bad_front_matter_is_reported_with_its_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\n---\n# Body\n", encoding="utf-8")
    doc = extract(path)
    assert not doc.readable
    assert doc.problems[0].reason == "corrupt" and "front matter" in doc.problems[0].message


HTML_CONTROL = """# Supplier Control

<table>
<tr><th>Document ID</th><td>SOP-QA-060</td></tr>
<tr><th>Version</th><td>2.0</td></tr>
<tr><th>Effective Date</th>
    <td>2025-04-01</td></tr>
<tr><td>Approved by</td><td><b>Jane Smith</b><br>QA Director</td></tr>
</table>

## 1 Purpose

<p>The <b>Design History File</b> is kept per <i>21 CFR 820.30(j)</i>.</p>
"""


def test_an_html_table_in_markdown_is_a_table_and_its_cells_keep_their_places(tmp_path):
    path = tmp_path / "html.md"
    path.write_text(HTML_CONTROL, encoding="utf-8")
    doc = extract(path)
    meta = doc.metadata
    assert (meta.get("document_number"), meta.get("revision"), meta.get("effective_date")) == ("SOP-QA-060", "2.0", "2025-04-01")
    assert meta.get("approval") == "Jane Smith QA Director"
    rows = [b for b in doc.blocks if b.kind == "table_cell"]
    assert [b.text for b in rows] == ["Document ID\tSOP-QA-060", "Version\t2.0", "Effective Date\t2025-04-01", "Approved by\tJane Smith QA Director"]
    assert [b.cell for b in rows] == [(1, n, 0) for n in range(1, 5)]
    where = rows[2].location(doc.format, rows[2].text.index("2025"))
    line = HTML_CONTROL.splitlines()[6]
    assert (where.line, where.column) == (7, line.index("2025") + 1)  # the value's own line, under its label's


def test_html_tags_in_markdown_text_are_no_text_and_findings_point_into_the_file(tmp_path, scan_json):
    path = tmp_path / "html.md"
    path.write_text(HTML_CONTROL, encoding="utf-8")
    paragraph = next(b for b in extract(path).blocks if "History" in b.text)
    assert paragraph.text == "The Design History File is kept per 21 CFR 820.30(j)."
    _, report = scan_json(str(path), "--no-cache", "--fail-on", "never")
    found = {f["rule"]: (f["location"]["line"], f["location"]["column"]) for f in report["documents"][0]["findings"]}
    line = HTML_CONTROL.splitlines()[12]
    assert found["QMSR-TERM-001"] == (13, line.index("Design") + 1) and found["QMSR-REF-001"] == (13, line.index("21 CFR") + 1)
    assert not any(r.startswith("DC-") for r in found)  # the HTML control table gave number, revision, date and approval


def test_text_that_only_looks_like_a_tag_stays_and_html_in_a_code_fence_is_code(tmp_path):
    path = tmp_path / "t.md"
    path.write_text("# T\n\nSend it to <Company Name> when x < 5 and y > 2.<br>Then stop.\n\n```\n<table><tr><td>Document ID</td><td>SOP-X-1</td></tr></table>\n```\n",
                    encoding="utf-8")
    doc = extract(path)
    assert doc.blocks[1].text == "Send it to <Company Name> when x < 5 and y > 2. Then stop."
    assert not any(b.kind == "table_cell" for b in doc.blocks) and doc.metadata.get("document_number") is None
