"""The document profile: identity as printed (value and source), approval, role, status, and the severity that follows them."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from doccheck import api
from doccheck.config import Config
from doccheck.engine.run import document_profile
from doccheck.extract import extract
from doccheck.report.render import render

from conftest import FIXTURES, ROOT

IDENTITY = FIXTURES / "identity"


def _fields(name: str) -> dict[str, tuple[str, str]]:
    doc = extract(IDENTITY / name)
    assert doc.readable, doc.problems
    return {n: (f.value, f.source) for n, f in ((n, doc.metadata.best(n)) for n in doc.metadata.candidates) if f}


@pytest.mark.parametrize(("name", "expected"), [
    ("header-table-side.docx", {"document_number": ("SOP-QA-020", "header control table"), "revision": ("C", "header control table"),
                                "effective_date": ("2026-03-01", "header control table")}),
    ("header-table-stacked.docx", {"document_number": ("WI-PRD-012", "header control table"), "revision": ("4", "header control table"),
                                   "effective_date": ("2026-03-15", "header control table"), "approval": ("Jane Smith", "header control table")}),
    ("header-name-line.docx", {"title": ("Labeling Checklist", "header"), "document_number": ("F-004A", "header"), "revision": ("2", "header"),
                               "effective_date": ("2018-11-26", "header")}),
    ("first-page-table.pdf", {"document_number": ("QP-0031", "first-page control table"), "revision": ("03", "first-page control table"),
                              "effective_date": ("2026-04-01", "first-page control table")}),
    ("bold-labels.md", {"document_number": ("SOP-MD-001", "first page"), "revision": ("r2", "first page"), "effective_date": ("2026-05-01", "first page"),
                        "approval": ("Jane Smith, 2026-04-28", "signature block")}),
    ("front-matter-synonyms.md", {"document_number": ("SOP-FM-002", "front matter 'id'"), "revision": ("3", "front matter 'sop_version'"),
                                  "approval": ("Jane Smith, Bob Brown", "front matter 'approvers'"), "status": ("effective", "front matter 'status'"),
                                  "effective_date": ("2026-04-01", "front matter 'effective_on'"), "title": ("Supplier evaluation", "front matter 'subtitle'")}),
    ("signature-table.docx", {"document_number": ("SOP-QA-021", "first page"), "revision": ("1", "first page"), "effective_date": ("2026-02-15", "first page"),
                              "approval": ("Jane Smith, 2026-02-10", "signature table")}),
    ("history-approver.docx", {"document_number": ("SOP-QA-022", "first page"), "revision": ("B", "revision history table (latest row)"),
                               "effective_date": ("2026-02-20", "revision history table (latest row)"),
                               "approval": ("Ana Ortiz", "revision history table (latest row)")}),
    ("e-signature-manifest.pdf", {"document_number": ("SOP-QA-032", "first-page control table"), "revision": ("2", "first-page control table"),
                                  "approval": ("Jane Smith, 2026-03-02 (Approval)", "signature block (e-signature)")}),
    # a control table with no cell borders: the values are read under their labels by place
    ("borderless-label-row.pdf", {"document_number": ("SOP-QA-080", "first-page control table"), "revision": ("C", "first-page control table"),
                                  "effective_date": ("2025-04-01", "first-page control table")}),
    ("boxed-label-row.pdf", {"document_number": ("SOP-QA-080", "first-page control table"), "revision": ("C", "first-page control table"),
                             "effective_date": ("2025-04-01", "first-page control table")}),
])
def test_identity_layouts_give_value_and_source(name, expected):
    assert _fields(name) == expected


def test_no_internal_identifier_or_tool_title_is_identity():
    """An XMP DocumentID/InstanceID (uuid:...) is not a document number; "Microsoft Word - x.docx" is not a title."""
    doc = extract(IDENTITY / "xmp-only.pdf")
    assert doc.properties.get("xmp:DocumentID", "").startswith("uuid:")
    assert doc.metadata.values()["document_number"] is None and doc.metadata.values()["title"] is None
    assert _fields("website-record-id.md") == {"revision": ("1.0", "front matter 'version'")}  # "id: pat_01kg..." is a record id


@pytest.mark.parametrize(("name", "blank"), [
    ("blank-labels.md", {"effective_date": "first page", "revision": "first page", "approval": "first page"}),
    ("blank-and-placeholder.docx", {"effective_date": "header", "approval": "first-page control table"}),
])
def test_labels_with_nothing_after_them_are_blank_not_values(name, blank):
    doc = extract(IDENTITY / name)
    assert {k: v for k, v in doc.metadata.blank.items() if doc.metadata.get(k) is None} == blank
    assert all(doc.metadata.get(field) is None for field in blank)


@pytest.mark.parametrize("name", ["review-signature-only.pdf", "blank-and-placeholder.docx", "header-table-side.docx"])
def test_no_invented_approvals(name):
    """A review signature, '[Name], Quality Manager', 'Approved by: Quality Manager' and no signature at all are not approvals."""
    assert extract(IDENTITY / name).metadata.get("approval") is None


def test_blank_fields_are_reported_as_blank_and_not_at_all_in_a_template(tmp_path):
    config = Config(use_cache=False, root=tmp_path)
    (result,) = api.scan([IDENTITY / "blank-labels.md"], config).documents
    messages = {f.rule: f.message for f in result.findings}
    assert messages["DC-003"].startswith("The effective date is blank (first page)")
    assert messages["DC-009"].startswith("The approval is blank")
    template = tmp_path / "template.md"
    template.write_text((IDENTITY / "blank-labels.md").read_text() + "\nFill in {{ company }} and [Enter the owner] and [Insert scope].\n")
    (result,) = api.scan([template], config).documents
    assert result.profile.role == "template"
    assert not {"DC-002", "DC-003", "DC-009"} & {f.rule for f in result.findings}


# --- roles


def _profile(tmp_path: Path, name: str, text: str, **settings):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return document_profile(extract(path), **settings)


@pytest.mark.parametrize(("name", "text", "role", "why"), [
    ("guidance.md", "# Design guidance\n\nContains Nonbinding Recommendations\n\nDesign controls follow 21 CFR 820.30.\n", "external", "nonbinding"),
    ("letterhead.md", "DEPARTMENT OF HEALTH AND HUMAN SERVICES\n\nFood and Drug Administration\n\n# Letter\n\nDear Sir.\n", "external", "issuer"),
    ("mdcg.md", "Medical Device Coordination Group Document MDCG 2020-3 v1\n\n# Guidance\n\nText.\n", "external", "MDCG 2020-3"),
    ("pattern.md", "---\ntitle: Design controls\nlicense: CC-BY-SA-4.0\n---\n\n# Design controls\n\nText.\n", "external", "licence"),
    ("sop.md", "---\ndocument_number: SOP-1\nlicense: CC-BY-SA-4.0\n---\n\n# Design controls\n\nText.\n", "controlled", "controlled"),
    ("cc-by.md", "# Design controls\n\nShared under CC BY 4.0 by its authors.\n", "external", "licence (cc by 4.0)"),
    ("creative-commons.md", "# Design controls\n\nThis page is licensed under a Creative Commons licence.\n", "external", "licence (creative commons)"),
    ("prompts.md", "# Quality manual\n\nThis manual covers {{ORGANISATION_NAME}}. [State the purpose.] [Describe the scope.]\n", "template", "placeholders"),
    ("Design Plan Template.md", "# Design plan\n\nText.\n", "template", "file name"),
    ("record.md", "---\ndocument_number: REC-0042\n---\n\n# Record of training\n\nTrained: Jane Smith.\n", "record", "record"),
    ("capa.md", "---\ndocument_number: SOP-CAPA-001\n---\n\n# CAPA procedure\n\n[Enter text]\n", "controlled", "controlled"),
    ("qsit.md", "# QSIT\n\nFood and Drug Administration, Office of Regulatory Affairs\n\nAugust 1999\n", "external", "Office of Regulatory"),
    ("cdrh.md", "# Guidance\n\nCenter for Devices and Radiological Health\n\nText.\n", "external", "issuer"),
    ("iso.md", "# Medical devices\n\nINTERNATIONAL STANDARD\n\nISO 13485\n", "external", "issuer"),
    ("iso-copyright.md", "# Medical devices\n\nAll rights reserved. Unless otherwise specified, no part of this publication may be reproduced "
                         "or utilized otherwise in any form.\n", "external", "no part of this publication"),
    ("bsi.md", "# The transition to the QMSR\n\nBSI Group\n\nA white paper.\n", "external", "issuer"),
    ("mhra.md", "# Guidance\n\nMedicines and Healthcare products Regulatory Agency\n\nText.\n", "external", "issuer"),
    ("filled-in.md", "# Supplier evaluation\n\n[Company Name] evaluates suppliers of <Product Name>; the [Job Title] approves them.\n",
     "template", "placeholders"),
    # wiki links are no prompts: a '[' after a '[' opens none (the pattern's lookbehind, after its literal '[')
    ("wiki.md", "---\ndocument_number: SOP-DC-002\n---\n\n# Document control\n\nSee [[Insert scope]], [[Enter owner]] and [[Describe process]].\n",
     "controlled", "controlled"),
    # a procedure that describes its numbering and date formats is no template
    ("numbering.md", "---\ndocument_number: SOP-DC-001\n---\n\n# Document control\n\nControlled documents: `SOP-XXX`, `WI-XXX`, `PLAN-XXX`; "
                     "records `PLAN-QMS-001_v1.0_YYYY-MM-DD`.\n\n| Rev | Date | Author |\n|---|---|---|\n| 0.1 | YYYY-MM-DD | Name |\n",
     "controlled", "controlled"),
    # the regulation's own text, as printed from eCFR, as the annual CFR edition, as a Federal Register page
    ("ecfr.md", "# eCFR :: 21 CFR Part 820 -- Quality System Regulation\n\n§ 820.30 Design controls.\n", "external", "issuer"),
    ("ecfr-print.md", "12/1/26, 9:14 AM eCFR :: 21 CFR Part 820 -- Quality System Regulation\n\n§ 820.30 Design controls.\n", "external", "issuer"),
    ("ecfr-notice.md", "# Part 820\n\nThis content is from the eCFR and is authoritative but unofficial.\n", "external", "authoritative but unofficial"),
    ("cfr-notes.md", "# PART 820—QUALITY SYSTEM REGULATION\n\nAuthority: 21 U.S.C. 351, 352, 360.\n", "external", "authority: 21 u.s.c. 3"),
    ("cfr-source.md", "# PART 820—QUALITY SYSTEM REGULATION\n\nSource: 61 FR 52654, Oct. 7, 1996, unless otherwise noted.\n", "external", "source: 61 fr 5"),
    ("cfr-edition.md", "21 CFR Ch. I (4–1–19 Edition)\n\n§ 820.1 Scope.\n", "external", "issuer"),
    ("cfr-hhs.md", "Food and Drug Administration, HHS § 820.1\n\n§ 820.1 Scope.\n", "external", "issuer"),
    ("federal-register.md", "Federal Register / Vol. 89, No. 25 / Tuesday, February 6, 2024 / Rules and Regulations\n\n# Quality System Regulation Amendments\n",
     "external", "issuer"),
    ("printed.md", "https://www.ecfr.gov/current/title-21/chapter-I/subchapter-H/part-820 1/45\n\n# Part 820\n", "external", "issuer"),
    # EU legislation, a WHO document, AAMI and ASTM publications, an IEC standard's bilingual cover
    ("mdr.md", "# Regulation (EU) 2017/745\n\nHaving regard to the Treaty on the Functioning of the European Union, and in particular Article 114.\n",
     "external", "treaty"),
    ("eur-lex.md", "L 117/1 EN Official Journal of the European Union 5.5.2017\n\n# Regulation (EU) 2017/745\n", "external", "issuer"),
    ("who.md", "# Medical device regulations\n\nWorld Health Organization\n\nGlobal model regulatory framework.\n", "external", "issuer"),
    ("aami.md", "AAMI TIR45:2012\n\n# Guidance on the use of agile practices\n", "external", "issuer"),
    ("astm.md", "Designation: F1980 − 16\n\n# Standard Guide for Accelerated Aging of Sterile Barrier Systems\n", "external", "issuer"),
    ("iec.md", "# Medical device software\n\nNORME INTERNATIONALE\n\nIEC 62304\n", "external", "issuer"),
    ("mdr-sop.md", "---\ndocument_number: SOP-RA-004\n---\n\n# EU MDR compliance\n\nWe follow the Official Journal of the European Union and "
                   "AAMI TIR45:2012 guidance; the WHO is consulted.\n", "controlled", "controlled"),
    # a procedure that reads the regulation's sources names them in sentences
    ("ra-sop.md", "---\ndocument_number: SOP-RA-003\n---\n\n# Regulatory intelligence\n\nWe read each Federal Register / Vol. notice and the eCFR :: pages "
                  "at https://www.ecfr.gov/current/title-21 weekly; the Authority: section of each rule is filed.\n", "controlled", "controlled"),
    # a company procedure that names a regulator in a sentence is not the regulator's document
    ("fda-sop.md", "---\ndocument_number: SOP-RA-002\n---\n\n# FDA inspections\n\nFood and Drug Administration inspectors are escorted.\n"
                   "\nThe BSI Group audits us yearly.\n", "controlled", "controlled"),
    # a standard's cover reference number and its running copyright line
    ("iso-cover.md", "# Medical devices — Quality management systems\n\nThird edition 2016-03-01\n\nReference number ISO 13485:2016(E)\n",
     "external", "reference number iso 13485:2016(e)"),
    ("iso-footer.md", "# Medical devices\n\n© ISO 2016 – All rights reserved\n\n## 1 Scope\n\nText.\n", "external", "issuer"),
    ("iec-footer.md", "# Medical device software\n\nCopyright IEC:2006\n\nText.\n", "external", "issuer"),
    # a publisher's article: its byline or its newsletter; not a procedure with its own control block that says the same words
    ("blog.md", "# What the QMSR means for you\n\n*Posted by Jane Doe on March 3, 2025 in Regulatory Blog*\n\nText.\n", "external", "publisher's article"),
    ("newsletter.md", "# Five CAPA mistakes\n\nText about 21 CFR 820.100.\n\nSubscribe to our newsletter for more.\n", "external", "publisher's article"),
    ("intranet-sop.md", "# SOP-IT-004 Intranet\n\n**Revision:** 3\n\nNews items posted by QA on March 3, 2025 stay a year; staff may "
                        "subscribe to our newsletter.\n", "controlled", "controlled"),
    # a Word mail-merge field as it shows, double angle brackets, braces around a template's own words
    ("merge.md", "# Supplier control\n\n«Company Name» evaluates suppliers of «Product»; the «Job Title» approves them.\n", "template", "3 placeholders"),
    ("angles.md", "# Supplier control\n\n<<Company Name>> evaluates suppliers of <<Product>>; the <<Job Title>> approves them.\n",
     "template", "3 placeholders"),
    ("braces.md", "# Supplier control\n\n{Company Name} evaluates suppliers of {Product}; the {Job Title} approves them.\n", "template", "3 placeholders"),
    # a software procedure's code and one merge field are no template
    ("code-sop.md", "---\ndocument_number: SOP-SW-002\n---\n\n# Builds\n\nRun `cat <<EOF > build.cfg`, print `a << b >> c` and "
                    "format `{name}` and `{date}` with `{version}`; the letter starts «Dear».\n", "controlled", "controlled"),
    ("sop-quoting-iso.md", "---\ndocument_number: SOP-QA-009\n---\n\n# Standards\n\nWe hold ISO 13485:2016 (© ISO 2016, all rights reserved) "
                           "in the library.\n", "controlled", "controlled"),
])
def test_roles_are_decided_from_the_document_with_their_reason(tmp_path, name, text, role, why):
    profile = _profile(tmp_path, name, text)
    assert (profile.role, why.lower() in profile.role_reason.lower()) == (role, True), profile.role_reason


@pytest.mark.parametrize(("title", "doc_type"), [
    ("Internal Audit Schedule Form", "form"),
    ("Corrective Action Request Form", "form"),
    ("Management Review Minutes", "record"),
    ("Design History File Template", "form"),
    ("Internal Audit Procedure", "internal-audit-procedure"),
    ("Control of Records", "records-procedure"),
])
def test_a_title_naming_a_kind_of_document_outweighs_its_subject(tmp_path, title, doc_type):
    profile = _profile(tmp_path, "doc.md", f"---\ntitle: {title}\n---\n\n# {title}\n\nText.\n")
    assert profile.doc_type == doc_type, profile.type_reason


def test_a_configured_role_decides_first(tmp_path):
    (tmp_path / "references").mkdir()
    profile = _profile(tmp_path, "references/sop.md", "# SOP\n\nText.\n", roles=((f"{tmp_path}/references/*", "external"),))
    assert (profile.role, profile.role_reason) == ("external", f"configured: roles '{tmp_path}/references/*'")


def test_roles_in_configuration_are_validated(tmp_path):
    from doccheck.config import load_file
    from doccheck.yamlpos import YamlError

    config = tmp_path / "doccheck.yaml"
    config.write_text('roles: {"references/**": external}\n')
    assert load_file(config).roles == {"references/**": "external"}
    config.write_text('roles:\n  "references/**": reference\n')
    with pytest.raises(YamlError) as err:
        load_file(config)
    assert "unknown role(s) reference" in str(err.value.problems[0]) and err.value.problems[0].line == 1


# --- severity follows role and status, not the date

SOP = "---\ndocument_number: SOP-DES-{n}\ntitle: Design control\nrevision: {rev}\neffective_date: {date}\nstatus: {status}\napproved_by: Jane Smith\n---\n\n# Design control\n\nDesign changes follow 21 CFR 820.30.\n"


def _scan_folder(folder: Path) -> dict[str, list]:
    report = api.scan([folder], Config(use_cache=False, root=folder, jobs=0))
    return {Path(r.document.path).name: r for r in report.documents}


def test_severity_follows_role_and_status(tmp_path):
    (tmp_path / "a-2019.md").write_text(SOP.format(n="001", rev="A", date="2019-05-01", status="effective"))
    (tmp_path / "b-old.md").write_text(SOP.format(n="002", rev="A", date="2019-05-01", status="effective"))
    (tmp_path / "b-new.md").write_text(SOP.format(n="002", rev="B", date="2026-03-01", status="effective"))
    (tmp_path / "c-record.md").write_text("---\ndocument_number: REC-0007\n---\n\n# Record of design review\n\nReviewed per 21 CFR 820.30.\n")
    (tmp_path / "d-obsolete.md").write_text(SOP.format(n="003", rev="A", date="2019-05-01", status="obsolete"))
    (tmp_path / "e-guidance.md").write_text("# Design guidance\n\nContains Nonbinding Recommendations\n\nDesign changes follow 21 CFR 820.30 and 21 CFR 820.30(i).\n")
    results = _scan_folder(tmp_path)

    def qsr(name: str) -> set[str]:
        return {str(f.severity) for f in results[name].findings if f.rule == "QMSR-REF-001"}

    assert qsr("a-2019.md") == {"error"}
    (finding,) = [f for f in results["a-2019.md"].findings if f.rule == "QMSR-REF-001"]
    assert "effective 2019-05-01, not revised since the QMSR took effect on 2026-02-02" in finding.message
    assert qsr("b-new.md") == {"error"}
    assert qsr("b-old.md") == {"info"} and results["b-old.md"].profile.status == "superseded"
    assert "revision B of SOP-DES-002 is in this set" in results["b-old.md"].profile.legacy_reason
    assert qsr("c-record.md") == {"info"} and results["c-record.md"].profile.role == "record"
    assert qsr("d-obsolete.md") == {"info"}
    guidance = results["e-guidance.md"]
    assert guidance.profile.role == "external"
    assert qsr("e-guidance.md") == {"info"}
    assert [f.rule for f in guidance.findings if f.rule == "EXT-001"] == ["EXT-001"]
    assert not [f for f in guidance.findings if f.category in ("document-control", "missing-element")]
    (summary,) = [f for f in guidance.findings if f.rule == "EXT-001"]
    assert str(summary.severity) == "info" and "2 superseded citation(s)" in summary.message


def test_json_gives_the_profile_and_the_sources(tmp_path):
    (tmp_path / "guidance.md").write_text("# Design guidance\n\nContains Nonbinding Recommendations\n\nSee 21 CFR 820.30.\n")
    (tmp_path / "sop.md").write_text(SOP.format(n="009", rev="C", date="2026-03-01", status="effective"))
    report = api.scan([tmp_path], Config(use_cache=False, root=tmp_path, jobs=0))
    data = json.loads(render("json", report, report.rules, "never", False))
    jsonschema.validate(data, json.loads((ROOT / "doccheck" / "schema" / "report.v1.json").read_text()))
    docs = {Path(d["path"]).name: d for d in data["documents"]}
    assert docs["guidance.md"]["metadata"]["role"] == "external" and "Nonbinding" in docs["guidance.md"]["metadata"]["role_reason"]
    sop = docs["sop.md"]
    assert sop["metadata"]["role"] == "controlled" and sop["profile"]["status"] == "effective"
    assert sop["metadata"]["sources"]["revision"] == "front matter 'revision'"
    assert sop["profile"]["type"] == "design-procedure"


def test_extract_shows_the_profile_with_its_evidence(run_cli):
    code, out, _ = run_cli("extract", str(IDENTITY / "header-table-stacked.docx"))
    assert code == 0
    assert "   role: controlled (" in out and "   status: effective (effective date 2026-03-15), in force" in out
    code, out, _ = run_cli("extract", "--format", "json", str(IDENTITY / "blank-labels.md"))
    (doc,) = json.loads(out)["documents"]
    assert doc["profile"]["role"] == "controlled" and doc["metadata"]["blank"] == {"effective_date": "first page", "revision": "first page", "approval": "first page"}
