"""`doccheck scan`: the JSON contract, locations that point at their quotes, exit codes."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import jsonschema
import pypdfium2 as pdfium
import pytest
from lxml import etree

from doccheck import ooxml

from conftest import FIXTURES, ROOT

SCHEMA = json.loads((ROOT / "doccheck" / "schema" / "report.v1.json").read_text())
QUOTES = ROOT / "tests" / "data" / "rules"


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufffe", "").replace("-\r\n", "").replace("-\n", ""))


def _docx_paragraphs(path: Path, part: str) -> list[list[str]]:
    story = {"body": "document", "table": "document", "textbox": "document", "footnote": "footnotes", "endnote": "endnotes", "comment": "comments"}
    with zipfile.ZipFile(path) as zf:
        names = [n for n in zf.namelist() if re.fullmatch(rf"word/{story.get(part, part)}\d*\.xml", n)]
        roots = [etree.fromstring(zf.read(n)) for n in names]
    return [["".join(ooxml.run_text(r) for r in ooxml.visible_runs(p)) for p in ooxml.paragraphs(root)] for root in roots]


def points_at(doc_path: Path, fmt: str, finding: dict) -> bool:
    """Does the finding's location, read from the original file, hold the quoted text?"""
    loc, quote = finding["location"], _squash(finding["text"])
    if fmt in ("markdown", "text"):
        lines = doc_path.read_text(encoding="utf-8").splitlines()
        rest = "\n".join([lines[loc["line"] - 1][loc["column"] - 1 :], *lines[loc["line"] :]])
        return _squash(rest).startswith(quote)
    if fmt == "pdf":
        pdf = pdfium.PdfDocument(str(doc_path))
        pages = [pdf[n - 1].get_textpage().get_text_range() for n in (loc["page"], loc["page"] + 1) if n <= len(pdf)]
        body = [ln for page in pages for ln in page.splitlines() if not re.search(r"Page \d+ of|Doc No\.", ln)]
        # the quote starts on the located page, and may run on over the page break
        return quote.split(" ")[0] in _squash(pages[0]) and quote in _squash("\n".join(body))
    stories = _docx_paragraphs(doc_path, loc["part"])
    return any(len(paras) >= loc["paragraph"] and quote in _squash(paras[loc["paragraph"] - 1]) for paras in stories)


def test_json_report_follows_the_contract_and_schema(scan_json):
    code, report = scan_json("fixtures/")
    jsonschema.validate(report, SCHEMA)
    assert code == 1
    paths = [d["path"] for d in report["documents"]]
    assert "fixtures/sops/SOP-QA-012-capa.docx" in paths and "fixtures/bad/encrypted.pdf" in paths
    assert report["summary"]["documents"] == len(paths)
    assert report["summary"]["findings"] == sum(len(d["findings"]) for d in report["documents"]) + len(report["findings"])
    capa = next(d for d in report["documents"] if d["path"] == "fixtures/sops/SOP-QA-012-capa.docx")
    assert capa["metadata"]["document_number"] == "SOP-QA-012"
    assert capa["metadata_sources"]["document_number"][0]["source"] == "first-page control table"
    assert len(capa["sha256"]) == 64


def test_every_finding_points_at_the_text_it_quotes(scan_json):
    _, report = scan_json("fixtures/sops", "fixtures/formats", "--rules", str(QUOTES))
    quoted = [(d, f) for d in report["documents"] for f in d["findings"] if f["text"]]
    formats = {d["format"] for d, _ in quoted}
    assert formats == {"docx", "pdf", "markdown", "text"}
    assert len(quoted) >= 15
    for doc, finding in quoted:
        assert points_at(ROOT / doc["path"], doc["format"], finding), (doc["path"], finding)


def test_citations_in_every_docx_part_are_found(scan_json):
    _, report = scan_json("fixtures/formats/all-parts.docx", "--rules", str(QUOTES), "--select", "TEST-")
    found = {(f["text"], f["location"]["part"]) for d in report["documents"] for f in d["findings"]}
    assert ("21 CFR 820.30(j)", "footnote") in found
    assert ("Device Master Record", "textbox") in found
    assert ("Quality System Record", "body") in found
    assert ("DHR", "comment") in found and ("DHR", "body") in found
    assert not any(text == "Design History File" for text, _ in found)  # deleted in a tracked change


def test_every_unreadable_file_is_a_finding_and_the_scan_goes_on(scan_json):
    _, report = scan_json("fixtures/bad", "fixtures/clean/SOP-DOC-001-document-control.md")
    by_path = {Path(d["path"]).name: d for d in report["documents"]}
    expected = {
        "corrupt-truncated.docx": "not a readable Word package",
        "encrypted-ole.docx": "password-protected",
        "empty.md": "file is empty",
        "legacy.doc": "convert it to .docx",
        "garbage.pdf": "not a pdf file",
        "no-document-part.docx": "word/document.xml is missing",
        "zip-bomb.docx": "inflates to 150 MB",
        "encrypted.pdf": "encrypted with a password",
        "scanned.pdf": "no text layer",
    }
    for name, reason in expected.items():
        (finding,) = by_path[name]["findings"]
        assert finding["category"] == "unreadable" and finding["severity"] == "error"
        assert reason in finding["message"], name
    assert by_path["SOP-DOC-001-document-control.md"]["findings"] == []
    assert report["summary"]["unreadable"] == sum(1 for d in report["documents"] if any(f["rule"] == "READ-001" for f in d["findings"])) >= len(expected)


def test_exit_codes(run_cli, tmp_path):
    assert run_cli("scan", "fixtures/clean/SOP-DOC-001-document-control.md")[0] == 0
    assert run_cli("scan", "fixtures/sops/WI-label-inspection.txt")[0] == 1
    assert run_cli("scan", "fixtures/sops/WI-label-inspection.txt", "--exit-zero")[0] == 0
    partly = "fixtures/formats/partly-scanned.pdf"  # warnings only
    assert run_cli("scan", partly)[0] == 0
    assert run_cli("scan", partly, "--fail-on", "warning")[0] == 1
    assert run_cli("scan", partly, "--fail-on", "never")[0] == 0
    code, _, err = run_cli("scan", "does/not/exist.docx")
    assert code == 2 and "path does not exist" in err
    assert run_cli("scan", "fixtures/sops", "--format", "yaml")[0] == 2


def test_rule_errors_exit_2_with_file_and_line(run_cli, tmp_path):
    pack = tmp_path / "bad.yaml"
    pack.write_text(
        "schema: 1\npack: bad\nrules:\n  - id: BAD-001\n    name: x\n    type: pattern\n    category: obsolete-term\n"
        "    severity: fatal\n    patterns: ['(unclosed']\n    description: d\n    source: s\n    message: m\n    colour: red\n"
        "    examples: {fire: [a], pass: [b]}\n",
        encoding="utf-8",
    )
    code, _, err = run_cli("scan", "fixtures/sops", "--rules", str(pack))
    assert code == 2
    assert f"{pack}:8:15: unknown severity 'fatal'" in err
    assert f"{pack}:13:5: rule BAD-001: unknown key 'colour'" in err
    assert f"{pack}:9:15: rule BAD-001: bad regular expression" in err


def test_internal_error_is_one_line_and_a_log(run_cli, tmp_path, monkeypatch):
    import doccheck.api

    def boom(*args, **kwargs):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(doccheck.api, "scan", boom)
    monkeypatch.setenv("DOCCHECK_LOG", str(tmp_path / "doccheck.log"))
    code, out, err = run_cli("scan", "fixtures/sops")
    assert code == 3
    assert err.strip().count("\n") == 0 and "internal error: RuntimeError: simulated bug" in err
    assert "Traceback" in (tmp_path / "doccheck.log").read_text()


def test_output_file_and_inputs_untouched(run_cli, tmp_path):
    work = tmp_path / "sops"
    shutil.copytree(FIXTURES / "sops", work)
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in work.iterdir()}
    out = tmp_path / "out" / "report.json"
    code, _, err = run_cli("scan", str(work), "--format", "json", "--output", str(out))
    assert code == 1 and f"wrote {out}" in err
    assert json.loads(out.read_text())["summary"]["documents"] == len(list(work.iterdir()))
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in work.iterdir()} == before
    target = work / "WI-label-inspection.txt"
    code, _, err = run_cli("scan", str(target), "--output", str(target))
    assert code == 2 and "refusing to write output over an input document" in err
    assert target.read_bytes() == before[target.name][0]


def test_extract_command_shows_blocks_metadata_and_facts(run_cli):
    code, out, _ = run_cli("extract", "--format", "json", "fixtures/formats/all-parts.docx")
    assert code == 0
    (doc,) = json.loads(out)["documents"]
    assert doc["metadata"]["revision"] == "C"
    assert doc["facts"]["pending_revisions"] == 2
    parts = {b["part"] for b in doc["blocks"]}
    assert parts == {"body", "table", "header", "footer", "footnote", "endnote", "textbox", "comment"}
    box = next(b for b in doc["blocks"] if b["part"] == "textbox")
    assert box["location"]["paragraph"] >= 1 and box["text"] == "Text box says Device Master Record"
    code, out, _ = run_cli("extract", "fixtures/sops/SOP-DC-003-design-control.pdf")
    assert code == 0 and "document_number: SOP-DC-003 [header]" in out and "pages=3" in out


def test_folder_walk_skips_hidden_and_lock_files(scan_json, tmp_path):
    shutil.copy(FIXTURES / "sops" / "SOP-QA-004-document-control.md", tmp_path / "a.md")
    shutil.copy(FIXTURES / "sops" / "SOP-QA-012-capa.docx", tmp_path / "~$a.docx")
    (tmp_path / ".hidden").mkdir()
    shutil.copy(FIXTURES / "sops" / "WI-label-inspection.txt", tmp_path / ".hidden" / "b.txt")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)
    _, report = scan_json(str(tmp_path))
    assert [Path(d["path"]).name for d in report["documents"]] == ["a.md"]


@pytest.mark.parametrize("name", ["encrypted-ole.docx", "zip-bomb.docx"])
def test_unreadable_named_file_still_exits_1(run_cli, name):
    code, out, _ = run_cli("scan", f"fixtures/bad/{name}")
    assert code == 1 and "READ-001" in out


def test_a_default_text_scan_lists_what_to_act_on_and_counts_information(run_cli, tmp_path):
    """Information (set coverage of a partial folder, citations in a revision history) is counted in the
    summary, not listed, unless asked (--show-info) or the run fails on it (--fail-on info); JSON has it all."""
    doc = tmp_path / "capa.md"
    doc.write_text("# CAPA\n\nCAPA follows 21 CFR 820.100.\n\n## Revision History\n\n| Rev | Date | Description |\n|---|---|---|\n"
                   "| A | 2019-01-01 | First issue per 21 CFR 820.198 |\n", encoding="utf-8")
    _, out, _ = run_cli("scan", "--no-cache", "--no-config", "--fail-on", "never", str(doc))
    listed = [ln for ln in out.splitlines() if " QMSR-REF-001 " in ln]
    assert len(listed) == 1 and ": error QMSR-REF-001 21 CFR 820.100 " in listed[0]
    assert "1 information finding(s) not listed: nothing to act on (--show-info lists them)" in out
    for flags in (["--show-info"], ["--fail-on", "info"]):
        _, out, _ = run_cli("scan", "--no-cache", "--no-config", *flags, str(doc))
        assert ": info QMSR-REF-001 21 CFR 820.198 " in out and "not listed" not in out
    _, out, _ = run_cli("scan", "--no-cache", "--no-config", "--format", "json", "--fail-on", "never", str(doc))
    assert sorted(f["severity"] for f in json.loads(out)["documents"][0]["findings"] if f["rule"] == "QMSR-REF-001") == ["error", "info"]
