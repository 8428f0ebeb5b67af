"""Sample SOPs give exactly their golden findings; the QMSR-aligned set gives none.

Regenerate the golden files after an intended change with
``DOCCHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py`` and review the diff.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from doccheck import api
from doccheck.finding import Finding

from conftest import FIXTURES, GOLDEN, assert_golden

TODAY = "2026-11-22"  # fixed, so not-future and legacy checks do not drift with the calendar
SAMPLES = sorted(p for p in (FIXTURES / "sops").iterdir() if p.suffix in (".docx", ".pdf", ".md", ".txt"))


def render(findings: list[Finding]) -> str:
    return "".join(
        f"{f.location.short()} | {f.severity} | {f.rule} | {f.category} | {f.text} | {f.suggestion or ''} | {f.message}\n" for f in findings
    )


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("DOCCHECK_TODAY", TODAY)


@pytest.mark.parametrize("sample", SAMPLES, ids=[p.name for p in SAMPLES])
def test_sample_sop_gives_its_golden_findings(sample: Path, monkeypatch):
    monkeypatch.chdir(FIXTURES.parent)
    (result,) = api.scan([sample]).documents
    got = render(result.findings)
    assert_golden(f"{sample.name}.golden", got)


def test_every_sample_format_and_category_is_covered():
    formats = {p.suffix for p in SAMPLES}
    assert formats == {".docx", ".pdf", ".md", ".txt"}
    text = "".join((GOLDEN / f"{p.name}.golden").read_text() for p in SAMPLES)
    for category in ("obsolete-reference", "obsolete-term", "missing-element", "document-control"):
        assert f"| {category} |" in text


def test_qmsr_aligned_set_gives_no_findings(monkeypatch):
    """No document of the QMSR-aligned set has a finding; as a set, it only lacks procedures it never had."""
    monkeypatch.chdir(FIXTURES.parent)
    report = api.scan([FIXTURES / "clean"])
    assert len(report.documents) == 3 and {r.document.format for r in report.documents} == {"docx", "pdf", "markdown"}
    assert [f for r in report.documents for f in r.findings] == []
    assert {f.category for f in report.findings} == {"missing-element"}  # three SOPs are not a whole QMS


def test_an_in_force_procedure_effective_before_the_qmsr_gets_full_severity_and_the_date_as_a_fact(monkeypatch):
    """The CAPA SOP is effective 2025-03-03 and still in force: exactly what an inspector reads against the QMSR."""
    monkeypatch.chdir(FIXTURES.parent)
    (result,) = api.scan([FIXTURES / "sops" / "SOP-QA-012-capa.docx"]).documents
    refs = [f for f in result.findings if f.rule == "QMSR-REF-001"]
    assert refs and all(str(f.severity) == "error" for f in refs if f.confidence == "high")
    assert all("effective 2025-03-03, not revised since the QMSR took effect on 2026-02-02" in f.message for f in refs)
    (current,) = api.scan([FIXTURES / "sops" / "SOP-DC-003-design-control.pdf"]).documents
    assert {str(f.severity) for f in current.findings if f.rule == "QMSR-REF-001"} == {"error"}
