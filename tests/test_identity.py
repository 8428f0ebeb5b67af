"""Document-control identity from control blocks, tables, history and the written date forms."""

from __future__ import annotations

import pytest

from doccheck.extract import identity
from doccheck.extract.dates import parse_date


@pytest.mark.parametrize(
    ("text", "iso", "ambiguous"),
    [
        ("2026-03-01", "2026-03-01", False),
        ("01-Mar-2026", "2026-03-01", False),
        ("March 1, 2026", "2026-03-01", False),
        ("1 March 2026", "2026-03-01", False),
        ("03/01/2026", "2026-03-01", True),
        ("25/03/2026", "2026-03-25", False),
        ("31.12.2025", "2025-12-31", False),
        ("2026-02-20T10:00:00Z", "2026-02-20", False),
        ("Effective: 1st Sept 2026", "2026-09-01", False),
        ("Effective: 20240301", "2024-03-01", False),  # ISO 8601 basic form
        ("Eff. Date: 2026-Apr-01", "2026-04-01", False),  # year first, the month by name
        ("2026 SEPT 9", "2026-09-09", False),
        ("2026/Dec/31", "2026-12-31", False),
    ],
)
def test_dates(text, iso, ambiguous):
    parsed = parse_date(text)
    assert parsed is not None and parsed.iso == iso
    assert (parsed.note is not None) == ambiguous


@pytest.mark.parametrize("text", ["no date here", "2026-13-45", "32/13/2026", "20241301", "SOP-20240301", "120240301", "20240301.5", "20240230",
                                  "2026-Feb-30", "SOP-2026-Mar-01x", "12026 Mar 1", "2026 Mar 1.5"])
def test_not_dates(text):
    assert parse_date(text) is None


@pytest.mark.parametrize(("text", "iso"), [("3/15/22", "2022-03-15"), ("15/03/22", "2022-03-15"), ("15-MAR-22", "2022-03-15"),
                                           ("15 Mar 22", "2022-03-15"), ("12/31/97", "1997-12-31"), ("Eff. 1-2-21", "2021-01-02")])
def test_two_digit_years_as_strptime_reads_them(text, iso):
    """Exports of document systems write "15-MAR-22"; 69-99 are 1969-1999, 00-68 are 2000-2068 (POSIX %y)."""
    parsed = parse_date(text)
    assert parsed is not None and parsed.iso == iso and f"two-digit year read as {iso[:4]}" in parsed.note
    assert identity.from_text(f"Effective Date: {text}", "header")["effective_date"].value == iso


@pytest.mark.parametrize("text", ["7.5.10", "4.2.24", "1/2/3", "SOP-3/4/22", "1/2/22/3", "2/30/22", "10:15"])
def test_clause_numbers_and_fractions_are_not_two_digit_year_dates(text):
    assert parse_date(text) is None


def test_control_block_in_a_header_line():
    found = identity.from_text("Doc No. SOP-QA-004  Rev. C  Effective 2026-03-01   Page 1 of 3", "footer")
    assert {k: f.value for k, f in found.items()} == {"document_number": "SOP-QA-004", "revision": "C", "effective_date": "2026-03-01"}


def test_pipe_separated_control_block():
    found = identity.from_text("Document Number: WI-PRD-012 | Revision: 03 | Effective Date: 01-Mar-2026", "header")
    assert found["document_number"].value == "WI-PRD-012"
    assert found["revision"].value == "03"
    assert found["effective_date"].raw == "01-Mar-2026"


def test_prose_is_not_mistaken_for_fields():
    found = identity.from_text("Documents are approved before issue and the revision history is kept.", "first page")
    assert found == {}


def test_label_row_above_value_row():
    rows = [["Doc No", "Rev", "Effective"], ["SOP-1-A", "B", "2026-01-05"]]
    found = identity.from_table(rows, "first-page control table")
    assert {k: f.value for k, f in found.items()} == {"document_number": "SOP-1-A", "revision": "B", "effective_date": "2026-01-05"}


def test_history_takes_the_latest_dated_row_whatever_the_order():
    rows = [["Revision", "Effective Date", "Change"], ["C", "2026-03-01", "QMSR"], ["B", "2025-06-01", "x"], ["A", "2024-01-01", "y"]]
    found = identity.from_history(rows)
    assert found["revision"].value == "C" and found["effective_date"].value == "2026-03-01"


def test_property_names_match_labels_loosely():
    found = identity.from_properties({"Doc No": "SOP-9", "Version": "2.1", "Effective Date": "March 1, 2026"}, "custom property")
    assert found["document_number"].value == "SOP-9"
    assert found["revision"].value == "2.1"
    assert found["effective_date"].value == "2026-03-01"


def test_a_cited_documents_revision_is_not_the_documents_own():
    prose = identity.from_text("Work follows WI-PRD-012 Rev B and SOP-QA-004, Revision A.", "first page", running=True)
    assert "revision" not in prose
    own = identity.from_text("Doc No. SOP-QA-009  Rev. C; see WI-2 Rev A", "first page", running=True)
    assert own["revision"].value == "C"
    assert identity.from_text("SOP-QA-009 Rev C", "first page", running=True)["revision"].value == "C"  # under the title
    assert identity.from_text("Acme Corp  SOP-QA-009 Rev C  Page 1", "header")["revision"].value == "C"  # headers: own identity
    titled = "Training procedure SOP-QA-009, Rev C"  # the document's own number, known from its properties
    assert "revision" not in identity.from_text(titled, "first page", running=True)
    assert identity.from_text(titled, "first page", running=True, known="sop-qa-009")["revision"].value == "C"
    assert "revision" not in identity.from_text("See WI-2 Rev A", "first page", running=True, known="SOP-QA-009")


@pytest.mark.parametrize("suffix", ["docx", "md"])
def test_citing_another_revision_on_the_first_page_is_no_revision_conflict(tmp_path, scan_json, suffix):
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, heading, p, table, write_docx

    cite = "Training procedure SOP-QA-009 Rev C. This procedure works with WI-PRD-012 Rev B and SOP-QA-004 Rev A."
    path = tmp_path / f"SOP-QA-009.{suffix}"
    if suffix == "md":
        path.write_text(f"---\ndocument_number: SOP-QA-009\nrevision: C\neffective_date: 2026-03-01\napproved_by: QA\n---\n\n# Training\n\n{cite}\n")
    else:
        control = table([["Document No.", "SOP-QA-009", "Revision", "C"], ["Effective date", "2026-03-01", "Approved by", "QA"]])
        write_docx(str(path), DocxSpec(body=[p("Training", "Title"), control, heading("1 Purpose"), p(cite)]))
    _, report = scan_json(str(path), "--no-cache")
    document = report["documents"][0]
    assert document["metadata"]["revision"] == "C"
    assert "DC-004" not in {f["rule"] for f in document["findings"]}


@pytest.mark.parametrize("label", ["SOP #", "Procedure #", "Form #", "WI #", "Doc. Ref.", "Document Reference", "Document Code", "Doc Code", "SOP Code"])
def test_type_and_hash_labels_and_document_references_label_the_number(label):
    found = identity.from_text(f"{label}: ENG-0042   Version: 2.1", "first page", running=True)
    assert found["document_number"].value == "ENG-0042" and found["revision"].value == "2.1"


@pytest.mark.parametrize("line", ["Change Control No.: CC-2024-001", "Customer Ref No.: 12345", "Part Number: 100-0045-01", "Reference: SOP-QA-004"])
def test_numbers_of_other_things_are_not_the_documents(line):
    assert "document_number" not in identity.from_text(line, "header")


@pytest.mark.parametrize("label", ["Revision Number", "Rev. No.", "Revision No", "Version Number", "Version No.", "Issue No.", "Rev Level",
                                   "Rev. Level", "Revision Level"])
def test_a_revision_labelled_as_a_number_of_the_revision(label):
    """"Revision Number: 2": before, "Revision" was the label and "Number" its (refused) value: no revision."""
    found = identity.from_text(f"Procedure Number: IA-01 {label}: 2 Effective Date: 2022-03-15", "first page", running=True)
    assert found["document_number"].value == "IA-01" and found["revision"].value == "2"
    assert found["effective_date"].value == "2022-03-15"
    table = identity.from_table([["Doc No.", label, "Eff. Date"], ["QA-7", "05", "2022-03-15"]], "first-page control table")
    assert table["document_number"].value == "QA-7" and table["revision"].value == "05"
    history = identity.from_history([[label, "Date", "Description of change"], ["1", "2020-01-10", "New"], ["2", "2022-03-15", "Scope"]])
    assert history["revision"].value == "2" and history["effective_date"].value == "2022-03-15"


def test_a_label_row_over_its_values_when_the_next_header_is_not_a_label():
    rows = [["Doc. Ref.", "Issue", "Date of Issue"], ["QP-17", "4", "2021/03/01"]]
    found = identity.from_table(rows, "first-page control table")
    assert found["document_number"].value == "QP-17" and found["revision"].value == "4"
    beside = identity.from_table([["Document No.", "QP-17", "Revision", "B"]], "first-page control table")
    assert beside["document_number"].value == "QP-17" and beside["revision"].value == "B"


@pytest.mark.parametrize("fmt", ["docx", "md", "pdf"])
def test_an_unlabelled_number_before_its_revision_under_the_title_is_the_documents(tmp_path, scan_json, fmt):
    """"SOP-PUR-003 Rev 05" under the title names the document; the same shape in a reference list
    further down, or after other words, names another one. (The PDFs are fixtures: reportlab is the
    bench extra; the Word and Markdown copies of the same lines are made here.)"""
    import sys

    from conftest import FIXTURES, ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, heading, p, write_docx
    from generate import NUMBER_LINE_CASES

    for case, lines in NUMBER_LINE_CASES.items():
        path = FIXTURES / "identity" / f"{case}.pdf" if fmt == "pdf" else tmp_path / f"{case}.{fmt}"
        if fmt == "md":
            path.write_text("# " + lines[0] + "\n\n" + "\n\n".join(lines[1:]) + "\n", encoding="utf-8")
        elif fmt == "docx":
            write_docx(str(path), DocxSpec(body=[p(lines[0], "Title"), *(heading(t) if t == "1 Purpose" else p(t) for t in lines[1:])]))
        _, report = scan_json(str(path), "--no-cache")
        metadata = report["documents"][0]["metadata"]
        if case == "number-before-revision":
            assert metadata["document_number"] == "SOP-PUR-003" and metadata["revision"] == "05", (fmt, metadata)
        else:  # nor is the cited document's revision the document's
            assert metadata["document_number"] is None and metadata["revision"] is None, (fmt, metadata)


@pytest.mark.parametrize(("line", "field", "value"), [
    ("Approver(s): Maria Garcia; Tom Lee", "approval", "Maria Garcia; Tom Lee"),
    ("Approved by QA: Maria Garcia", "approval", "Maria Garcia"),
    ("Approved by (Quality Assurance): Maria Garcia", "approval", "Maria Garcia"),
    ("Effective Date (DD-MMM-YYYY): 15-Mar-2022", "effective_date", "2022-03-15"),
    ("Doc No. (internal): QA-001", "document_number", "QA-001"),
])
def test_a_qualifier_between_a_label_and_its_colon(line, field, value):
    """"(s)", a format hint in brackets, or the approving function's abbreviation, then the colon."""
    assert identity.from_text(line, "header")[field].value == value


def test_a_qualifier_needs_its_colon_and_an_abbreviation_is_upper_case():
    assert identity.from_text("Rev AB 2022", "header")["revision"].value == "AB"  # no colon: AB is the revision
    assert "approval" not in identity.from_text("Approved by the: Maria Garcia", "header")


def test_an_approval_with_its_date_is_not_dated_twice():
    from doccheck.extract import approval

    found = approval.from_lines(["Approved By: John Smith, Director of Quality, 2022-03-10"], "first page")
    assert found["approval"].value == "John Smith, Director of Quality, 2022-03-10"


@pytest.mark.parametrize(("line", "number"), [
    ("Document No.: 12345", "12345"), ("Document Number: 100-0045", "100-0045"), ("Doc ID: QMS/SOP/004", "QMS/SOP/004"),
    ("Doc No: SOP123", "SOP123"), ("SOP No.: QA 004", "QA 004"), ("Doc #: 0045-B", "0045-B"),
    ("Document No.: 12345 Revision: 2", "12345"), ("Doc ID: QP-0017 Rev 2", "QP-0017"),
])
def test_a_label_that_can_only_mean_the_number_takes_any_numbering_scheme(line, number):
    """Numbers from a PLM system ("100-0045"), all digits, with slashes or a space after a short prefix."""
    assert identity.from_text(line, "header")["document_number"].value == number
    label, value = line.split(": ", 1)
    assert identity.from_table([[label, value.split(" Rev")[0]]], "first-page control table")["document_number"].value == number


@pytest.mark.parametrize("line", ["Number: 12345", "Document: 2021", "Document Number: see below", "Doc No: N/A"])
def test_a_label_that_may_mean_something_else_or_no_value_gives_no_number(line):
    """"Number" or "Document" alone keep the strict number shape; "N/A" is a blank, not a number."""
    found = identity.from_text(line, "header").get("document_number")
    assert found is None or found.value == ""
    assert not identity.from_table([line.split(": ", 1)], "first-page control table").get("document_number", identity.blank("x")).value


@pytest.mark.parametrize(("line", "revision"), [("Revision: A.1", "A.1"), ("Version: 1.0a", "1.0a"), ("Rev: 00A", "00A"),
                                                ("Rev. B1", "B1"), ("Revision: 1.0.0", "1.0.0"), ("Revision: B. Approved", "B"), ("Rev. C.", "C"),
                                                ("Version 1.0alpha", "1.0alpha"), ("Version: 2.0rc1", "2.0rc1"), ("Revision: 3.", "3"),
                                                ("Version: 1.0.0-beta", "1.0.0-beta"), ("Version: 2.1.0-rc.1", "2.1.0-rc.1"),
                                                ("Rev 2.0-draft", "2.0-draft"), ("Version 1.0.final", "1.0.final"), ("Rev. 2.0-RC1", "2.0-RC1"),
                                                ("Revision: 1.0.0.1", "1.0.0.1"), ("Revision: 1.0 DRAFT", "1.0"),
                                                ("Version: 2024.1", "2024.1"), ("Version 2025.10.2", "2025.10.2"), ("Rev: B-2", "B-2")])
def test_revisions_with_a_minor_part_or_a_letter_after_the_digits(line, revision):
    assert identity.from_text(line, "header")["revision"].value == revision
    label, value = line.split(None, 1) if ": " not in line else line.split(": ", 1)
    assert identity.from_table([[label, value]], "first-page control table")["revision"].value == revision


@pytest.mark.parametrize("line", ["Version 2024", "Version: 2024 edition", "Rev: 2024.1.1.1", "Rev B-2x", "Rev: B-123"])
def test_a_year_alone_or_a_longer_calendar_or_dashed_form_is_no_revision(line):
    found = identity.from_text(line, "header").get("revision")
    assert found is None or found.value == ""


@pytest.mark.parametrize("line", ["Rev 2.0-xyz", "Version 3.1.q7z", "Revision: 1.2-"])
def test_a_dotted_revision_is_never_cut_short_before_what_it_cannot_read(line):
    """"2.0-xyz" is not revision "2": nothing is better than a wrong value."""
    found = identity.from_text(line, "header").get("revision")
    assert found is None or found.value in ("", line.split()[-1])


@pytest.mark.parametrize(("line", "number"), [("QP-0017 Internal Audit Process", "QP-0017"), ("F-004A Labeling Checklist", "F-004A"),
                                              ("SOP-DC-010 Rev B   Design Transfer", "SOP-DC-010"), ("ACME Medical Confidential", None),
                                              ("Page 1 of 3", None), ("Printed copies are uncontrolled", None), ("21 CFR 820 compliant", None),
                                              ("Form F-001 Rev. 2", "F-001"), ("Procedure QP-0017, Revision 01", "QP-0017"),
                                              ("Formal Review Rev 2", None)])  # the kind of document before its number
def test_a_running_line_that_opens_with_the_number_and_the_title_or_revision(line, number):
    found = identity.from_running_line(line, "header").get("document_number")
    assert (found.value if found else None) == number


def test_number_in_a_control_row_of_labels_takes_any_numbering_scheme():
    """"| Title | Number | Revision | Effective |" over its values: among other labels even "Number" is the document's."""
    found = identity.from_table([["Title", "Number", "Revision", "Effective"], ["Supplier Control", "100-0045", "B", "2024-05-01"]], "t")
    assert (found["document_number"].value, found["revision"].value, found["effective_date"].value) == ("100-0045", "B", "2024-05-01")
    assert "document_number" not in identity.from_table([["Number", "100-0045"]], "t")  # alone it could count anything


@pytest.mark.parametrize("label", ["Eff.", "Implementation Date:", "Date of Implementation:", "Valid from:", "Released:", "Date Released:",
                                   "Released on", "Effectivity Date:"])
def test_other_labels_of_the_effective_date(label):
    assert identity.from_text(f"Doc No: SOP-1  {label} 2021-09-01", "header")["effective_date"].value == "2021-09-01"
    assert "effective_date" not in identity.from_text("Coefficient 2021-09-01; staff 2021-09-01", "header")


@pytest.mark.parametrize("line", ["Document No: SOP-XXX", "Doc No: SOP-QA-XXX", "Doc No: F-XXXY", "Doc No: SOP-000", "Revision: X"])
def test_a_placeholder_number_or_revision_is_a_blank(line):
    """"SOP-XXX" and "Revision: X" are still to be filled in: the label is there, the value is not."""
    (field,) = identity.from_text(line, "header").values()
    assert (field.value, field.note) == ("", "blank")
    label, value = line.split(": ")
    assert identity.from_table([[label, value]], "t") == {"document_number" if "Doc" in label else "revision": identity.blank("t")}


@pytest.mark.parametrize(("lines", "approval"), [
    (["Electronically approved by Maria Garcia on 2021-08-30 10:15 UTC"], "Maria Garcia, 2021-08-30"),
    (["Approved electronically by: Maria Garcia, 2021-08-30"], "Maria Garcia, 2021-08-30"),
    (["Approvals", "Maria Garcia, QA Director - 2021-08-30"], "Maria Garcia, QA Director - 2021-08-30"),
    (["Approval:", "", "Maria Garcia"], "Maria Garcia"),
    (["Approval", "Jane Smith reviews the document and signs it when ready."], None),  # a sentence, not a signer
    (["Approvals", "The QA Manager approves every document."], None),
    (["Approved by", "Quality Manager"], None),  # a role
    (["Documents are approved by the owner."], None),
    # a signature table under its heading, or titled in its first cell: header cells and roles come before the signer
    (["Approval Signatures", "Name", "Title", "Date", "Jane Smith", "Director QA", "2024-01-02"], "Jane Smith"),
    (["Approval", "Name", "Date", "QA Manager", "Jane Smith", "2024-01-02"], "Jane Smith"),
    (["Document Approval", "Jane Smith, QA Director  2024-01-02"], "Jane Smith, QA Director  2024-01-02"),
    # a PDF's signature-table row is one line: its role words and its date are not the name's
    (["Approval Signatures", "Name Title Date", "Jane Smith Director QA 2024-01-02"], "Jane Smith Director QA 2024-01-02"),
    # a revision history's "Approved By" column: its rows are no signature table
    (["Rev", "Date", "Description", "Approved By", "A", "2025-01-10", "First issue", "Mark Lee"], None),
    (["Approvals", "Name", "Signature", "Quality Manager", "Regulatory Affairs"], None),  # roles only
    (["Approved:", "", "Jane Smith, VP Quality", "", "2025-01-03"], "Jane Smith, VP Quality"),  # the label alone, its signer below
    (["Final Approval", "Jane Smith"], "Jane Smith"),
    (["DI RECORD APPROVAL", "☐ DI Record can be submitted to GUDID"], None),  # a record's approval section, no signer
    # an approval label over an e-signature, and signers whose names are not English
    (["Approval: Electronically signed by Jane Smith on 2026-03-01"], "Jane Smith, 2026-03-01"),
    (["Approval: Electronically signed by the QA Manager"], None),  # a role still
    (["Electronically signed by: Élodie Martin", "Meaning: Approval"], "Élodie Martin (Approval)"),
    (["/s/ José García"], "José García"),
])
def test_approval_statements_and_a_signer_under_an_approvals_heading(lines, approval):
    from doccheck.extract.approval import from_lines

    found = from_lines(lines, "signature block").get("approval")
    assert (found.value if found else None) == approval


def test_the_opening_of_the_first_page_ends_at_its_first_numbered_section():
    """A number-and-revision line after "2 References" cites another document, however short the page;
    a numbered title ("4.2.4 Control of Documents") is the first line, not a section that ends the opening."""
    cited = identity.from_first_page(["Design Transfer", "1 Purpose", "Text.", "2 References", "SOP-DC-011 Rev C Design Review"], [])
    assert not any("document_number" in f or "revision" in f for f in cited)
    own = identity.from_first_page(["4.2.4 Control of Documents", "QM-424 Rev 2", "1 Purpose", "Text."], [])
    assert [f["document_number"].value for f in own if "document_number" in f] == ["QM-424"]
    assert [f["revision"].value for f in own if "revision" in f] == ["2"]


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_a_page_header_or_footer_that_opens_with_the_number_and_its_revision_names_the_document(tmp_path, scan_json, fmt):
    """"SOP-DC-010 Rev B  Design Transfer" at the top of every page: no label, but a running line names
    the document itself. The body's reference list ("SOP-DC-011 Rev C") still cites another one."""
    import sys

    from conftest import FIXTURES, ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, heading, p, write_docx
    from generate import EDGE_BODY, EDGE_NUMBER_CASES

    expected = {"header-number-revision": ("SOP-DC-010", "B", "header"), "footer-number-revision": ("WI-ENG-204", "03", "footer")}
    for case, (header, footer) in EDGE_NUMBER_CASES.items():
        path = FIXTURES / "identity" / f"{case}.pdf" if fmt == "pdf" else tmp_path / f"{case}.docx"
        if fmt == "docx":
            edge = lambda lines: {"default": [p(t.replace("{page}", "1").replace("{pages}", "3")) for t in lines]} if lines else {}  # noqa: E731
            write_docx(str(path), DocxSpec(body=[p(EDGE_BODY[0], "Title"), *(heading(t) if t[0].isdigit() else p(t) for t in EDGE_BODY[1:])],
                                           headers=edge(header), footers=edge(footer)))
        _, report = scan_json(str(path), "--no-cache")
        metadata = report["documents"][0]["metadata"]
        number, revision, part = expected[case]
        assert (metadata["document_number"], metadata["revision"]) == (number, revision), (fmt, case, metadata)
        assert metadata["sources"]["document_number"] == f"{part} (unlabelled, before its revision)"
    # a body line of the same shape after the first lines is a citation, not the document's number
    found = identity.from_text("SOP-DC-011 Rev C Design Review", "first page", running=True, opening=False)
    assert "document_number" not in found and "revision" not in found


@pytest.mark.parametrize(("sentence", "number", "revision"), [
    ("This procedure (QP-0022, Revision 02) became effective on 15 July 2023.", "QP-0022", "02"),
    ("This SOP (SOP-QA-001) describes how training is planned.", "SOP-QA-001", None),
    ("This work instruction (WI-12-3 Rev. B) is used at receiving.", "WI-12-3", "B"),
    ("This procedure (see SOP-002) applies to suppliers.", None, None),  # a citation in brackets
    ("This document (ISO 13485:2016) is the basis.", None, None),  # a standard, not a document number
    ("Like SOP-QA-001 (Training), this procedure is short.", None, None),
])
def test_a_document_naming_itself_with_its_number_in_brackets(sentence, number, revision):
    found = {k: f.value for d in identity.from_first_page(["Training", sentence], []) for k, f in d.items()}
    assert found.get("document_number") == number and found.get("revision") == revision, found


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_the_number_a_document_names_itself_by_reaches_the_profile(tmp_path, scan_json, fmt):
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, heading, p, write_docx

    lines = ["Internal Audit", "1 Purpose", "This procedure (QP-0022, Revision 02) became effective on 15 July 2023.", "Audits follow a plan."]
    path = tmp_path / f"audit.{fmt}"
    if fmt == "md":
        path.write_text(f"# {lines[0]}\n\n## {lines[1]}\n\n{lines[2]}\n\n{lines[3]}\n", encoding="utf-8")
    else:
        write_docx(str(path), DocxSpec(body=[p(lines[0], "Title"), heading(lines[1]), p(lines[2]), p(lines[3])]))
    _, report = scan_json(str(path), "--no-cache")
    document = report["documents"][0]
    assert (document["metadata"]["document_number"], document["metadata"]["revision"]) == ("QP-0022", "02")
    assert not {"DC-001", "DC-002"} & {f["rule"] for f in document["findings"]}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("DocNo: SOP-QA-001   Revision: 2", {"document_number": "SOP-QA-001", "revision": "2"}),  # a label run together
        ("Revision: 2", {"revision": "2"}),  # one field's words only: the others are not tried
        ("Effective Date: 2026-03-01   Approved by: J. Smith", {"effective_date": "2026-03-01", "approval": "J. Smith"}),
    ],
)
def test_each_field_is_read_whichever_other_fields_share_its_line(text, expected):
    """Each field's label patterns are tried only when one of its labels' first words is there
    (`_first_words`): what that skips could never have matched."""
    found = identity.from_text(text, "header")
    assert {k: v.value for k, v in found.items()} == expected


@pytest.mark.parametrize("line, number", [("SOP-QA-004", "SOP-QA-004"), ("  QP-0017 ", "QP-0017"), ("**F-004A**", "F-004A"),
                                          ("SOP: SOP-QA-004", "SOP-QA-004"), ("Form F-001", "F-001"),
                                          ("V1.0", None), ("CONFIDENTIAL", None), ("Page 1 of 3", None), ("2026-02-01", None)])
def test_a_number_alone_on_a_running_line_is_the_documents_when_nothing_else_names_it(line, number):
    found = identity.lone_number([{"revision": identity.Field("C", "header")}], [(line, "header")])
    assert (found["document_number"].value if found else None) == number
    assert identity.lone_number([{"document_number": identity.Field("SOP-1", "header control table")}], [(line, "header")]) == {}


def test_a_header_table_cell_that_holds_only_the_number_names_the_document(tmp_path):
    """| ACME Medical | Supplier Control Procedure | SOP-QA-004 | Rev. C |: no label, but a cell of the page
    header that is a number and nothing else is the document's own; a labelled control table still wins."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, p, table, write_docx

    from doccheck.extract import extract

    lone = tmp_path / "lone.docx"
    write_docx(str(lone), DocxSpec(body=[p("Supplier Control", "Title"), p("Text.")],
                                   headers={"default": [table([["ACME Medical", "Supplier Control Procedure", "SOP-QA-004", "Rev. C"]])]}))
    doc = extract(lone)
    assert doc.metadata.get("document_number") == "SOP-QA-004" and doc.metadata.get("revision") == "C"
    labelled = tmp_path / "labelled.docx"
    write_docx(str(labelled), DocxSpec(body=[table([["Doc No.", "SOP-QA-010"], ["Revision", "D"]]), p("Text.")],
                                       headers={"default": [table([["ACME Medical", "SOP-QA-004"]])]}))
    assert extract(labelled).metadata.get("document_number") == "SOP-QA-010"


def test_a_word_signature_table_under_an_approval_heading_names_the_approver(tmp_path):
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, heading, p, table, write_docx

    from doccheck.extract import extract

    path = tmp_path / "signed.docx"
    write_docx(str(path), DocxSpec(body=[p("Supplier Control", "Title"), table([["Doc No.", "SOP-QA-004"], ["Revision", "C"]]), p("Text."),
                                         heading("Approval Signatures"), table([["Name", "Title", "Date"], ["Jane Smith", "Director QA", "2024-01-02"]])]))
    assert extract(path).metadata.get("approval") == "Jane Smith"


@pytest.mark.parametrize(("props", "field", "value"), [
    ({"document-id": "WI-FM-002"}, "document_number", "WI-FM-002"),  # front matter's spelling of a label
    ({"Document ID": "SOP-QA-009"}, "document_number", "SOP-QA-009"),  # a Word custom property
    ({"DocumentID": "uuid:5D20C2A5-1B3F-4C1B-9F6C-3A7E2E0C9B11"}, "document_number", None),  # XMP's own identifier
    ({"approvers": [{"name": "Jane Smith", "role": "QA"}]}, "approval", "Jane Smith"),
    ({"approval": {"approved_by": "Jane Smith", "date": "2025-03-30"}}, "approval", "Jane Smith"),
    ({"approval": {"role": "QA"}}, "approval", None),
    # a group of the document's own fields under "document:" or "metadata:" (not the person as its number)
    ({"document": {"id": "SOP-QA-091", "version": 3, "approved_by": "Jane Smith"}}, "document_number", "SOP-QA-091"),
    ({"document": {"id": "SOP-QA-091", "version": 3, "approved_by": "Jane Smith"}}, "revision", "3"),
    ({"document": {"id": "SOP-QA-091", "version": 3, "approved_by": "Jane Smith"}}, "approval", "Jane Smith"),
    ({"metadata": {"doc_id": "SOP-QA-098"}, "doc_id": "SOP-QA-099"}, "document_number", "SOP-QA-099"),  # the top level wins
    ({"classification": {"status": "draft"}}, "status", None),  # a pattern library's classification is not the document's
])
def test_property_keys_as_written_and_nested_front_matter_values(props, field, value):
    """XMP and Office keys are ignored as they write them ("DocumentID"), not every key that normalises
    alike; a nested front-matter value gives its person or number, never a mapping's repr."""
    found = identity.from_properties(props, "front matter").get(field)
    assert (found.value if found and found.value else None) == value


@pytest.mark.parametrize(("stem", "number"), [("SOP-QA-044 Supplier Control", "SOP-QA-044"), ("QM-001-quality-manual", "QM-001"),
                                              ("WI_PRD_12 Labels", "WI_PRD_12"), ("R01", None), ("WI-label-inspection", None),
                                              ("Supplier Control", None), ("2024-report", None)])
def test_the_number_a_file_name_opens_with(stem, number):
    found = identity.from_file_name(stem).get("document_number")
    assert (found.value if found else None) == number


def test_a_number_only_in_the_file_name_identifies_the_document_but_is_reported(tmp_path, scan_json):
    """The last resort (issue 14): the set resolves citations of it, and DC-001 says the document itself does
    not show it, as a warning; a number the document shows wins over its file name."""
    body = "\n\nRevision: B\nEffective Date: 2026-03-01\nApproved by: Jane Smith\n\n## 1 Purpose\n\nText.\n"
    (tmp_path / "SOP-QA-044 Supplier Control.md").write_text("# Supplier Control" + body, encoding="utf-8")
    (tmp_path / "SOP-QA-050 Receiving.md").write_text("# Receiving\n\nDocument No.: SOP-QA-051" + body.replace("Text.", "See SOP-QA-044."),
                                                      encoding="utf-8")
    _, report = scan_json("--no-cache", "--no-config", "--fail-on", "never", str(tmp_path))
    docs = {d["path"].rsplit("/", 1)[-1]: d for d in report["documents"]}
    named = docs["SOP-QA-044 Supplier Control.md"]
    assert named["metadata"]["document_number"] == "SOP-QA-044" and named["metadata"]["sources"]["document_number"] == "file name (last resort)"
    (dc,) = [f for f in named["findings"] if f["rule"] == "DC-001"]
    assert dc["severity"] == "warning" and "only in the file name (SOP-QA-044)" in dc["message"]
    assert docs["SOP-QA-050 Receiving.md"]["metadata"]["document_number"] == "SOP-QA-051"
    assert not [f for f in report["findings"] if f["rule"] == "SET-REF-001" and "SOP-QA-044" in f["message"]]


@pytest.mark.parametrize(("line", "number", "revision"), [("WI-PRD-077 v4", "WI-PRD-077", "4"), ("SOP-QA-004 V2.1  Supplier Control", "SOP-QA-004", "2.1"),
                                                          ("Form F-001 v2", "F-001", "2"), ("SOP-QA-004 vendor list", "SOP-QA-004", None)])
def test_a_version_right_after_the_number_on_a_running_line_is_the_revision(line, number, revision):
    """As an issuing body writes "MDCG 2019-6 v2", a company's footer writes "WI-PRD-077 v4"."""
    found = identity.from_running_line(line, "footer")
    assert found["document_number"].value == number
    assert (found["revision"].value if "revision" in found else None) == revision



@pytest.mark.parametrize("label", ["Authorised by", "Authorized by", "Authorisation", "Authorization", "Released by", "Approver Name"])
def test_authorisation_and_release_labels_name_the_approver(label):
    assert identity.from_text(f"Doc No: SOP-1  {label}: Jane Smith", "header")["approval"].value == "Jane Smith"
    assert "effective_date" not in identity.from_text(f"{label}: Jane Smith", "header")  # 'Released by' is no date's label


@pytest.mark.parametrize(("line", "number", "revision"), [("SOP-QA-018 · v1.3 · Effective 2025-04-01", "SOP-QA-018", "1.3"),
                                                          ("SOP-QA-018 / Rev 2", "SOP-QA-018", None), ("WI-PRD-077 • v4", "WI-PRD-077", "4")])
def test_a_number_and_its_revision_separated_by_a_dot_or_slash(line, number, revision):
    found = identity.from_running_line(line, "header")
    assert found["document_number"].value == number
    assert (found["revision"].value if "revision" in found else None) == revision


@pytest.mark.parametrize(("title", "number"), [("Supplier Control (SOP-QA-015)", "SOP-QA-015"), ("# Labeling Checklist [F-004A]", "F-004A"),
                                               ("Document Control – QP-0004", "QP-0004"), ("**Training - SOP-HR-002**", "SOP-HR-002"),
                                               ("Supplier Control (2024)", None), ("Risk Management (see below)", None), ("(SOP-QA-015)", None),
                                               ("Design Review - Phase 2", None), ("Calibration (QP-XX)", None)])
def test_a_number_that_ends_the_title(title, number):
    found = identity.from_title_line([title], ends=True).get("document_number")
    assert (found.value if found else None) == number


def test_a_number_after_the_title_reaches_the_metadata_of_markdown_and_word_but_not_from_a_first_paragraph(tmp_path):
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, p, write_docx

    from doccheck.extract import extract

    md = tmp_path / "supplier.md"
    md.write_text("# Supplier Control (SOP-QA-015)\n\n## 1 Purpose\n\nSuppliers are evaluated.\n", encoding="utf-8")
    assert extract(md).metadata.get("document_number") == "SOP-QA-015"
    titled = tmp_path / "titled.docx"
    write_docx(str(titled), DocxSpec(body=[p("Supplier Control – SOP-QA-016", "Title"), p("Suppliers are evaluated.")]))
    assert extract(titled).metadata.get("document_number") == "SOP-QA-016"
    prose = tmp_path / "prose.docx"  # no heading: a first paragraph ending with a bracketed number cites it
    write_docx(str(prose), DocxSpec(body=[p("Suppliers are listed on the approved supplier list (F-012)"), p("Text.")]))
    assert extract(prose).metadata.get("document_number") is None


@pytest.mark.parametrize(("line", "field", "value"), [("_Approved: J. Smith_", "approval", "J. Smith"), ("__Rev:__ 2", "revision", "2"),
                                                      ("_Document No: SOP_QA_004_", "document_number", "SOP_QA_004")])
def test_underscore_emphasis_is_read_through_but_never_inside_a_number_or_a_blank(line, field, value):
    assert identity.from_text(line, "first page")[field].value == value
    assert identity.from_text("Effective Date: ____", "first page")["effective_date"] == identity.blank("first page")


REGISTER = [["Document ID", "Title", "Version", "Effective Date"], ["SOP-QA-001", "Document Control", "3", "2024-01-10"],
            ["SOP-QA-002", "Training", "2", "2024-02-11"], ["SOP-QA-003", "CAPA", "5", "2024-03-12"]]


def test_a_table_of_documents_is_neither_a_control_block_nor_a_revision_history():
    """A document register or a references table lists other documents: its first row is not this one's
    identity, and its Version and Date columns are not this document's history."""
    assert identity.is_document_list(REGISTER) and identity.from_table(REGISTER, "t") == {}
    assert not identity.is_history_table(REGISTER) and identity.from_history(REGISTER) == {}
    control = [["Document ID", "Version", "Effective Date"], ["SOP-QA-010", "2.1", "2025-04-01"]]  # one row: the document's own
    assert not identity.is_document_list(control) and identity.from_table(control, "t")["document_number"].value == "SOP-QA-010"
    history = [["Doc No", "Rev", "Date", "Description"], ["SOP-QA-010", "1", "2024-01-01", "New"], ["SOP-QA-010", "2", "2025-04-01", "Scope"]]
    assert identity.is_history_table(history) and identity.from_history(history)["revision"].value == "2"  # one number in every row


@pytest.mark.parametrize(("text", "number"), [
    ("# Master Document List\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in REGISTER[:1] + [["---"] * 4] + REGISTER[1:]) + "\n", None),
    ("# Training\n\n## 2 References\n\n| Document ID | Title | Version |\n|---|---|---|\n| SOP-QA-001 | Document Control | 3 |\n\n## 3 Procedure\n\nText.\n", None),
    ("# Training\n\n| Document ID | Version |\n|---|---|\n| SOP-HR-002 | 4 |\n\n## 1 Purpose\n\nText.\n", "SOP-HR-002"),
])
def test_a_markdown_table_of_other_documents_gives_no_number(tmp_path, text, number):
    from doccheck.extract import extract

    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    meta = extract(path).metadata
    assert meta.get("document_number") == number
    assert meta.get("revision") == (None if number is None else "4") and meta.get("effective_date") is None


def test_a_register_keeps_the_severity_of_what_it_cites(tmp_path, scan_json):
    """Not a revision history, so a QSR name in a register row is not demoted to information."""
    rows = REGISTER[:1] + [["---"] * 4] + [["SOP-QA-001", "Design Controls per the Quality System Regulation", "3", "2024-01-10"]] + REGISTER[2:]
    (tmp_path / "register.md").write_text("# Master Document List\n\n" + "\n".join("| " + " | ".join(r) + " |" for r in rows) + "\n", encoding="utf-8")
    _, report = scan_json(str(tmp_path / "register.md"), "--no-cache", "--fail-on", "never")
    findings = report["documents"][0]["findings"]
    assert [f["severity"] for f in findings if f["rule"] == "QMSR-TERM-005"] == ["warning"]


def test_a_word_references_table_in_a_numbered_section_is_not_the_control_table(tmp_path):
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, p, table, write_docx

    from doccheck.extract import extract

    path = tmp_path / "refs.docx"
    write_docx(str(path), DocxSpec(body=[p("Training", "Title"), p("1 Purpose", "Heading1"), p("Staff are trained."), p("2 References", "Heading1"),
                                         table([["Document ID", "Title", "Version"], ["SOP-QA-001", "Document Control", "3"]])]))
    meta = extract(path).metadata
    assert meta.get("document_number") is None and meta.get("revision") is None


@pytest.mark.parametrize(("rows", "approval"), [
    ([["Function", "Name", "Signature"], ["Author", "John Doe", "signed"], ["QA Approval", "Jane Smith", "signed"]], "Jane Smith"),
    ([["Approved", "Jane Smith", "2025-01-03"]], "Jane Smith, 2025-01-03"),
    ([["Record", "Where", "Kept"], ["PR approval history", "GitHub PR database", "Permanent"]], None),  # a record of approvals, no signer
    ([["Pending approval", "Jane Smith"]], None),
])
def test_a_signature_row_names_the_approval_of_a_function_but_a_record_of_approvals_is_no_signer(rows, approval):
    from doccheck.extract.approval import from_rows

    found = from_rows(rows, "signature table").get("approval")
    assert (found.value if found else None) == approval


def test_a_merged_label_cell_stands_over_the_values_of_the_columns_it_covers(tmp_path):
    """| Document No. (two columns) | Revision | Effective Date | over | SOP-QA-050 | | C | 2025-04-01 |: Word
    writes the merged cell once (w:gridSpan), so the values below are read by grid column, not by cell."""
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "fixtures"))
    from docxgen import DocxSpec, p, table, write_docx

    from doccheck.extract import extract

    path = tmp_path / "merged.docx"
    write_docx(str(path), DocxSpec(body=[p("Supplier Control", "Title"), p("Text.")], headers={"default": [
        table([[("Document No.", 2), "Revision", "Effective Date"], ["SOP-QA-050", "", "C", "2025-04-01"]])]}))
    meta = extract(path).metadata
    assert (meta.get("document_number"), meta.get("revision"), meta.get("effective_date")) == ("SOP-QA-050", "C", "2025-04-01")
    doc = extract(path)
    assert [b.cell for b in doc.blocks if b.text == "Effective Date"][0][2] == 3  # a cell's place is still its place in its row


@pytest.mark.parametrize(("lines", "likely"), [(["Document No.", "SOP-QA-080", "Revision", "C"], True), (["Document No.  Revision  Effective Date"], True),
                                                (["Doc ID: QP-0017 Rev 01"], False), (["Supplier Control", "1 Purpose", "Suppliers are evaluated."], False)])
def test_a_first_page_with_labels_apart_from_their_values_is_read_by_place(lines, likely):
    """Only then does a PDF's first page pay for its text fragments' places (pdftable.aligned_rows)."""
    assert identity.label_rows_likely(lines) is likely


@pytest.mark.parametrize(("text", "person"), [("Jane Smith", True), ("J. Smith, QA", True), ("Ana de la Cruz", True), ("Tom Lee for Jane Smith", True),
                                              ("Jane Smith via DocuSign", True), ("Maria Garcia; Tom Lee", True),
                                              ("GitHub PR database", False), ("Change Control Board meeting", False),
                                              ("☐ DI Record can be submitted to GUDID", False), ("Quality Manager", False)])
def test_a_person_is_a_name_not_a_phrase_with_capitals(text, person):
    """Two capitalised words are not enough: a lower-case word other than a name's particles or joiners makes it a phrase."""
    from doccheck.extract.approval import is_person

    assert is_person(text) is person
    found = identity.from_text(f"Doc No: SOP-1  Approved by: {text}", "header").get("approval")
    assert bool(found and found.value and is_person(found.value)) is person


@pytest.mark.parametrize("text", ["Change Control Board", "Design Review Board", "CCB Chair", "Steering Committee", "Human Resources",
                                  "Research and Development", "Clinical Operations", "R&D Lead", "ACME Medical Inc", "See Signature Page"])
def test_a_body_a_department_or_a_company_approves_as_no_person(text, tmp_path):
    """A board or a department is an approver's role, not a person; nor is a pointer to the signatures."""
    from doccheck.extract import extract
    from doccheck.extract.approval import is_person

    assert not is_person(text)
    path = tmp_path / "SOP-QA-010.md"
    path.write_text(f"# Procedure\n\n**Revision:** 2\n\nApproved by: {text}\n\nSome body text.\n", encoding="utf-8")
    doc = extract(path)
    assert doc.metadata.get("revision") == "2"  # the control block was read
    assert not doc.metadata.get("approval")


@pytest.mark.parametrize("text", ["Anna Müller", "Dr. A. Müller", "José García", "Élodie Martin", "Øyvind Berg, QA", "Łukasz Nowak",
                                  "Mary O’Neil", "Zoë Ångström"])
def test_names_in_any_script_are_people(text, tmp_path):
    """Device makers are European too: an accented or non-Latin-1 letter is part of a name, not where it breaks."""
    from doccheck.extract import extract
    from doccheck.extract.approval import is_person

    assert is_person(text)
    path = tmp_path / "SOP-QA-010.md"
    path.write_text(f"# Procedure\n\n**Revision:** 2\n\nAuthorized by: {text}\n\nSome body text.\n", encoding="utf-8")
    assert extract(path).metadata.get("approval") == text


@pytest.mark.parametrize("text", ["Qualitätsmanager", "Müller", "Leiter Qualitätssicherung und Regulatory"])
def test_a_word_in_another_script_is_still_no_name_alone(text):
    from doccheck.extract.approval import is_person

    assert not is_person(text)


@pytest.mark.parametrize("text", ["Larry Page", "Robert Plant", "Jane Smith via DocuSign", "Mary-Jane O'Neil", "Li Wei", "John A. Smith"])
def test_names_that_share_a_word_with_a_department_or_a_service_are_still_people(text):
    from doccheck.extract.approval import is_person

    assert is_person(text)


def _control_lines() -> list[str]:
    """Control-block lines with every label of every field, in several cases and spacings, values good and bad."""
    import itertools

    from doccheck.resources import corpus

    values = ["SOP-QA-004", "Rev. B", "2.0-draft", "12 Feb 2025", "Jane Smith", "____", "[X]", "", "Draft"]
    lines = []
    for n, (label, value) in enumerate(itertools.product(
            sorted({label for spec in corpus("document-control.yaml")["fields"].values() for label in spec["labels"]}), values)):
        shown = (label.upper(), label.title(), label.replace(" ", ".  "))[n % 3]
        sep = (": ", " ", ":", " # ", " (QA): ")[n % 5]
        lines.append(f"{('', 'See ', 'x', '| ')[n % 4]}{shown}{sep}{value}{('', '  Page 1 of 2', '|Rev 3', ' and Doc No: F-1')[n % 4]}")
    return lines


def test_each_field_pattern_is_matched_only_where_a_label_can_start_and_finds_what_a_search_finds():
    """identity._labelled matches each pattern at the label starts of one pass; the invariant that makes this
    equal to searching the whole text: every match of every pattern starts at one of them."""
    from doccheck.extract.identity import _label_starts, _matches_at, _specs

    checked = 0
    for text in _control_lines():
        starts = [m.start() for m in _label_starts().finditer(text)]
        for spec in _specs():
            at = [p for p in starts if spec.word_re.match(text, p)]
            for pattern in filter(None, (spec.label_re, spec.named_re, spec.bare_re, spec.loose_re)):
                expected = [m.span() for m in pattern.finditer(text)]
                assert [m.span() for m in _matches_at(pattern, text, at)] == expected, (text, spec.name, pattern.pattern[:60])
                checked += bool(expected)
    assert checked > 1000  # the lines do hold fields
