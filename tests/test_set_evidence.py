"""Set-level findings a QA manager can act on: evidence that means what it says, cross-references per number.

fixtures/sets/partial is a part of a QMS in three formats: a DHF-era design SOP (docx), an
ISO-worded design SOP (md), a quality manual (pdf) with a justified and an unjustified
exclusion and clause-restating headings, an FDA guidance copy (pdf), and citations of an
absent number, a placeholder, a malformed number and a wrong title.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import jsonschema
import pytest

from doccheck import api
from doccheck.config import Config
from doccheck.report.render import render

from conftest import FIXTURES, ROOT, assert_golden

PARTIAL = FIXTURES / "sets" / "partial"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("DOCCHECK_TODAY", "2026-11-22")
    monkeypatch.chdir(ROOT)


def _lines(findings) -> str:
    return "".join(f"{f.path} | {f.location.short()} | {f.severity} | {f.rule} | {f.text} | {f.message}\n" for f in findings)


@pytest.fixture(scope="module")
def partial():
    os.environ["DOCCHECK_TODAY"] = "2026-11-22"
    report = api.scan([PARTIAL.relative_to(ROOT)], Config(use_cache=False, jobs=0, root=ROOT))
    return report


def _rows(report) -> dict[str, dict]:
    from doccheck import readiness

    return {r["id"]: r for r in readiness.build(report, {}, None, [])["requirements"]}


def test_golden_matrix_and_set_findings(run_cli, partial):
    code, out, err = run_cli("report", str(PARTIAL.relative_to(ROOT)), "--format", "csv", "--no-config")
    assert code == 0, err
    assert_golden("partial.matrix.golden", out)
    assert_golden("partial.set-findings.golden", _lines(partial.findings))


def test_iso_wording_and_qsr_era_names_are_evidence(partial):
    rows = _rows(partial)
    design = {Path(e["path"]).name: e for e in rows["iso-7.3.1"]["evidence"]}
    assert rows["iso-7.3.1"]["status"] == "covered"
    assert design["SOP-DES-001-design-dhf.docx"]["kind"] == "heading" and design["SOP-DES-002-design-iso.md"]["strength"] == "procedure"
    docs = {Path(r.document.path).name: r for r in partial.documents}
    for name in ("SOP-DES-001-design-dhf.docx", "SOP-DES-002-design-iso.md"):
        assert not [f for f in docs[name].findings if f.rule == "ISO-REQ-004"], name  # inputs, DHF = design and development file
    assert any(f.rule == "QMSR-TERM-001" for f in docs["SOP-DES-001-design-dhf.docx"].findings)  # the retired-term finding stays


def test_quality_manual_exclusion_with_justification_is_honoured(partial):
    rows = _rows(partial)
    assert rows["iso-7.5.7"]["status"] == "not applicable"
    assert "makes no sterile devices" in rows["iso-7.5.7"]["not_applicable"] and "QM-001-quality-manual.pdf" in rows["iso-7.5.7"]["not_applicable"]
    assert rows["iso-7.5.4"]["status"] == "missing"  # "7.5.4 Servicing is not applicable." gives no justification


def test_a_quality_manual_heading_is_the_manuals_evidence_not_a_procedure(partial):
    rows = _rows(partial)
    assert rows["iso-8.5.2"]["status"] == "manual"
    (evidence,) = rows["iso-8.5.2"]["evidence"]
    assert evidence["strength"] == "quality manual only" and evidence["found"] == "2 Corrective action" and evidence["where"].startswith("page 1")
    assert rows["iso-4.2.2"]["status"] == "covered"  # the manual is the quality manual itself


def test_an_external_document_is_never_evidence(partial):
    rows = _rows(partial)
    assert [Path(e["path"]).name for e in rows["iso-8.2.2"]["evidence"]] == ["QP-0011-complaints.md"]


def test_cross_references_name_every_citing_document(partial):
    (missing,) = [f for f in partial.findings if f.rule == "SET-REF-001"]
    assert missing.text == "SOP-QA-099" and str(missing.severity) == "info"  # a part of the QMS: no claim it is complete
    assert {p for p, _ in missing.related} | {missing.path} == {str(PARTIAL.relative_to(ROOT) / n) for n in ("SOP-DES-001-design-dhf.docx", "SOP-DES-002-design-iso.md")}
    assert "2 citation(s)" in missing.message
    assert not [f for f in partial.findings if "SOP-XXX" in f.message]  # a placeholder is no document
    assert [f.text for f in partial.findings if f.rule == "SET-REF-005"] == ["SOP-SOP-0012"]
    (title,) = [f for f in partial.findings if f.rule == "SET-REF-006"]
    assert "as 'Supplier Evaluation Procedure', but QP-0011 is 'Customer Complaint Handling'" in title.message
    holder = str(PARTIAL.relative_to(ROOT) / "QP-0011-complaints.md")
    assert [p for p, _ in title.related] == [holder] and title.message.endswith(f"({holder})")  # where to look for the other title


def test_json_and_sarif_carry_the_citing_documents(partial):
    data = json.loads(render("json", partial, partial.rules, "never", False))
    jsonschema.validate(data, json.loads((ROOT / "doccheck" / "schema" / "report.v1.json").read_text()))
    (missing,) = [f for f in data["findings"] if f["rule"] == "SET-REF-001"]
    assert missing["path"].endswith("SOP-DES-001-design-dhf.docx") and missing["related"][0]["path"].endswith("SOP-DES-002-design-iso.md")
    sarif = json.loads(render("sarif", partial, partial.rules, "never", False))
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "SET-REF-001"]
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("SOP-DES-002-design-iso.md")


def test_a_set_declared_complete_reports_at_full_severity(tmp_path):
    shutil.copytree(PARTIAL, tmp_path / "set")
    report = api.scan([tmp_path / "set"], Config(use_cache=False, jobs=0, root=tmp_path, complete_set=True))
    assert_golden("partial-complete.set-findings.golden", _lines(report.findings).replace(str(tmp_path), "TMP"))
    severities = {(f.rule, str(f.severity)) for f in report.findings}
    assert ("SET-REF-001", "error") in severities and ("SET-COV-001", "error") in severities


def test_a_master_list_declares_the_set(tmp_path):
    """A master list makes the set complete: absent and unlisted is an error, absent but listed a warning."""
    shutil.copytree(PARTIAL, tmp_path / "set")
    (tmp_path / "set" / "DOC-000-master-list.md").write_text(
        "---\ndocument_number: DOC-000\ntitle: Master Document List\nrevision: 1\n---\n\n# Master Document List\n\n"
        "| Number | Title |\n|---|---|\n| QP-0011 | Customer Complaint Handling |\n| SOP-DES-001 | Design Control |\n| SOP-DES-002 | Design and Development |\n", encoding="utf-8")
    report = api.scan([tmp_path / "set"], Config(use_cache=False, jobs=0, root=tmp_path))
    (missing,) = [f for f in report.findings if f.rule == "SET-REF-001"]
    assert str(missing.severity) == "error"  # SOP-QA-099 is not in the master list either
    (tmp_path / "set" / "DOC-000-master-list.md").write_text(
        (tmp_path / "set" / "DOC-000-master-list.md").read_text() + "| SOP-QA-099 | Design records |\n", encoding="utf-8")
    report = api.scan([tmp_path / "set"], Config(use_cache=False, jobs=0, root=tmp_path))
    (missing,) = [f for f in report.findings if f.rule == "SET-REF-001"]
    assert str(missing.severity) == "warning"


def _procedure(folder, name: str, number: str, title: str, body: str = "") -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(f"---\ndocument_number: {number}\ntitle: {title}\nrevision: 1\n---\n\n# {title}\n\n{body or 'Scope and responsibilities.'}\n", encoding="utf-8")


def _plants(tmp_path, *sites: str) -> None:
    """Sites that each keep a document control and a CAPA procedure of their own."""
    for site in sites:
        _procedure(tmp_path / site, "doc.md", f"SOP-{site[-1].upper()}-001", "Document Control")
        _procedure(tmp_path / site, "capa.md", f"SOP-{site[-1].upper()}-002", "Corrective and Preventive Action")


def test_numbering_is_per_site(tmp_path):
    """One number at two sites for different documents is no reuse; a citation resolves at its own site first."""
    _plants(tmp_path, "site-a", "site-b")
    for site, title in (("site-a", "Training"), ("site-b", "Calibration")):
        _procedure(tmp_path / site, "sop-010.md", "SOP-QA-010", title, f"See SOP-QA-010 - {title}.")
    report = api.scan([tmp_path], Config(use_cache=False, jobs=0, root=tmp_path))
    assert not [f for f in report.findings if f.rule in ("SET-REF-003", "SET-REF-006")]


def test_folders_are_sites_only_when_they_keep_the_same_procedures(tmp_path):
    """Department folders are no sites: no "Design lacks document control" findings; plants are."""
    _procedure(tmp_path / "Quality", "doc.md", "SOP-QA-001", "Document Control")
    _procedure(tmp_path / "Quality", "capa.md", "SOP-QA-002", "Corrective and Preventive Action")
    _procedure(tmp_path / "Design", "design.md", "SOP-DES-001", "Design Control")
    _procedure(tmp_path / "Design", "risk.md", "SOP-DES-002", "Risk Management")
    report = api.scan([tmp_path], Config(use_cache=False, jobs=0, root=tmp_path))
    assert not [f for f in report.findings if f.rule.startswith("SET-SITE")]
    _plants(tmp_path / "plants", "berlin", "boston")
    _procedure(tmp_path / "plants" / "boston", "audit.md", "SOP-N-003", "Internal Audit")
    report = api.scan([tmp_path / "plants"], Config(use_cache=False, jobs=0, root=tmp_path))
    assert [(f.rule, f.path.rsplit("/", 1)[-1]) for f in report.findings if f.rule.startswith("SET-SITE")] == [("SET-SITE-001", "berlin")]
    report = api.scan([tmp_path / "plants"], Config(use_cache=False, jobs=0, root=tmp_path, sites=""))  # sites: false
    assert not [f for f in report.findings if f.rule.startswith("SET-SITE")]


def test_documents_under_the_scanned_folder_are_shared_by_every_site(tmp_path):
    """A corporate procedure beside the site folders covers its requirement for every site, and is no site itself."""
    _plants(tmp_path, "site-a", "site-b")
    _procedure(tmp_path / "site-b", "audit.md", "SOP-B-003", "Internal Audit")
    _procedure(tmp_path, "audit.md", "SOP-CORP-003", "Internal Audit")
    (tmp_path / "README.md").write_text("# About this folder\n\nProcedures by site.\n", encoding="utf-8")
    report = api.scan([tmp_path], Config(use_cache=False, jobs=0, root=tmp_path))
    assert not [f for f in report.findings if f.rule.startswith("SET-SITE")]


def test_sites_false_in_configuration(tmp_path):
    from doccheck.config import load_file

    (tmp_path / "doccheck.yaml").write_text("sites: false\n", encoding="utf-8")
    assert load_file(tmp_path / "doccheck.yaml").sites == ""


def test_evidence_and_element_rules_agree(tmp_path):
    """The per-document element rule and the set coverage read the same evidence: naming a subject in the title is not addressing it."""
    (tmp_path / "capa.md").write_text("---\ndocument_number: SOP-CAPA-001\ntitle: Corrective and Preventive Action\nrevision: 1\n---\n\n"
                                      "# Corrective and Preventive Action\n\n## 1 Corrective action\n\nCorrective action per ISO 13485:2016 clause 8.5.2.\n")
    report = api.scan([tmp_path], Config(use_cache=False, jobs=0, root=tmp_path))
    (doc,) = report.documents
    assert [f.message for f in doc.findings if f.rule == "ISO-REQ-001" and "preventive action" in f.message]
    rows = _rows(report)
    assert rows["iso-8.5.2"]["status"] == "covered" and rows["iso-8.5.3"]["status"] == "weak"


def test_a_form_carrying_its_procedures_number_is_information_another_procedure_an_error(tmp_path):
    _procedure(tmp_path, "audit.md", "QP-0015", "Quality Audit Process", "Auditors plan and perform internal audits.")
    (tmp_path / "schedule.md").write_text("---\ndocument_number: QP-0015\ntitle: Internal Audit Schedule Form\nrevision: 1\n---\n\n"
                                          "# Internal Audit Schedule Form\n\n| Auditor | Area | Date |\n|---|---|---|\n| | | |\n", encoding="utf-8")
    report = api.scan([tmp_path], Config(use_cache=False, jobs=0, root=tmp_path))
    assert [(f.rule, str(f.severity)) for f in report.findings if f.rule == "SET-REF-003"] == [("SET-REF-003", "info")]
    (tmp_path / "schedule.md").unlink()
    _procedure(tmp_path, "training.md", "QP-0015", "Training Procedure", "Training records are kept.")
    report = api.scan([tmp_path], Config(use_cache=False, jobs=0, root=tmp_path))
    assert [(f.rule, str(f.severity)) for f in report.findings if f.rule == "SET-REF-003"] == [("SET-REF-003", "error")]
