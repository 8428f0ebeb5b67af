"""A PDF's revision-history table with no heading above it: what it records lowers to information, like a Word table's."""

from __future__ import annotations

import json

import pytest

from conftest import FIXTURES


def _line(y: int, text: str) -> bytes:
    return b"BT /F1 10 Tf 72 %d Td (%s) Tj ET\n" % (y, text.encode("latin-1"))


def _history_pdf(tmp_path, monkeypatch, rows_gap: int, heading: bool = True,  # type: ignore[no-untyped-def]
                 control: str = "Document No: SOP-PUR-007   Revision: 03   Effective Date: 2026-03-01") -> str:
    """Title and control lines, the table's header row and two rows ``rows_gap`` points apart, then the procedure
    (its first section heading left out unless ``heading``)."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    from generate import text_pdf

    lines = [(760, "Supplier Evaluation Procedure"), (745, control),
             (725, "Rev   Date   Description of Change   Author"),
             (725 - rows_gap, "01   2019-05-02   Initial release per 21 CFR 820.50   J. Smith"),
             (725 - 2 * rows_gap, "02   2021-03-01   Aligned with 21 CFR 820.198   A. Lee"),
             (620, "1 Purpose"),
             (605, "Suppliers are evaluated as 21 CFR 820.50 requires before any purchase."),
             (590, "2 Scope"),
             (575, "All suppliers of components, services and calibration"),
             (560, "that the quality of the device depends on, at every site"),
             (545, "of the company, and the distributors acting for it."),
             (530, "3 Responsibilities"),
             (515, "Purchasing keeps the approved supplier list current.")]
    path = tmp_path / "SOP-PUR-007.pdf"
    path.write_bytes(text_pdf(b"".join(_line(y, t) for y, t in lines if heading or t != "1 Purpose")))
    return str(path)


@pytest.mark.parametrize("heading", [True, False])  # the table ends at the next heading, or at the first line that is no row
@pytest.mark.parametrize("rows_gap", [25, 12])  # rows apart from the header, and run on into it as one block
def test_citations_in_a_pdf_revision_history_without_heading_are_information(run_cli, tmp_path, monkeypatch, rows_gap, heading):
    path = _history_pdf(tmp_path, monkeypatch, rows_gap, heading)
    code, out, _ = run_cli("scan", path, "--no-cache", "--no-config", "--format", "json", "--fail-on", "never")
    findings = [f for d in json.loads(out)["documents"] for f in d["findings"] if f["rule"] == "QMSR-REF-001"]
    by_text = {}
    for f in findings:
        by_text.setdefault(f["text"], []).append(f["severity"])
    assert by_text["21 CFR 820.198"] == ["info"]
    assert sorted(by_text["21 CFR 820.50"]) == ["error", "info"]  # the history row's, and the procedure's own


def test_a_header_row_is_only_column_names_with_a_change_description():
    from doccheck.extract.identity import is_history_header_line, is_history_row_line

    assert is_history_header_line("Rev.  Date  Description of Change  Author")
    assert is_history_header_line("Revision Effective Date Summary of Changes ECO #")
    assert not is_history_header_line("Revision  Effective Date  Approved By")  # a control table's labels
    assert not is_history_header_line("Document No.  Title  Revision")  # a document list
    assert not is_history_header_line("Rev 2  Date 2024-01-01")
    assert is_history_row_line("B Updated per 21 CFR 820.30") and is_history_row_line("1.1 12-Mar-2021 Minor edits")
    assert not is_history_row_line("A copy of this procedure is kept by QA.")


@pytest.mark.parametrize("rows_gap", [25, 12])
def test_a_pdf_history_table_without_heading_gives_the_latest_revision_when_nothing_else_does(tmp_path, monkeypatch, rows_gap):
    """As a Word history table does: its header row, then the row lines under it (joined into one block or not)."""
    from doccheck.extract import extract

    doc = extract(_history_pdf(tmp_path, monkeypatch, rows_gap, control="Document No: SOP-PUR-007"))
    assert doc.metadata.get("revision") == "02"
    assert doc.metadata.best("revision").source == "revision history table (latest row)"
    assert doc.metadata.get("effective_date") == "2021-03-01"
    (tmp_path / "c").mkdir()
    control = extract(_history_pdf(tmp_path / "c", monkeypatch, rows_gap))
    assert (control.metadata.get("revision"), control.metadata.get("effective_date")) == ("03", "2026-03-01")  # the control block first
