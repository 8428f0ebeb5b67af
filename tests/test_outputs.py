"""Every output takes any file name the OS allows and any text a document holds, and obeys none of it.

Also the CI formats' manners: GitHub annotations capped with a count of the rest, JUnit counting
every test case, CSV that Excel reads (BOM) without running a formula.
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import pytest
from lxml import etree

from conftest import FIXTURES

# A name that is not UTF-8, with a newline and an ESC in it: every writer must survive it.
HOSTILE = os.fsdecode(b"SOP-\xff\n::error file=x::pwned\x1b[2J.md")


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    folder = tmp_path / "lib"
    folder.mkdir()
    (folder / HOSTILE).write_text("---\ndocument_number: \"=HYPERLINK(\\\"http://x\\\")\"\nrevision: 1\n---\n\n"
                                  "# Design\n\nThe Design History File per 21 CFR 820.30(j).\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit", "github", "csv", "html"])
def test_every_format_writes_a_report_of_a_hostile_name(run_cli, hostile, tmp_path, fmt):
    target = tmp_path / f"report.{fmt}"
    code, out, err = run_cli("scan", str(hostile), "--format", f"{fmt}:{target}", "--no-cache", "--no-config", cwd=tmp_path)
    assert code == 1, err
    data = target.read_bytes()
    text = data.decode("utf-8")  # valid UTF-8, whatever the name was
    assert "\x1b" not in text
    if fmt in ("text", "github", "csv"):  # read line by line in a CI log: no workflow command smuggled in
        assert not any(line.startswith("::error file=x") for line in text.splitlines())
    if fmt in ("json", "sarif"):
        log = json.loads(text)
        paths = [d["path"] for d in log["documents"]] if fmt == "json" else [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in log["runs"][0]["results"]]
        assert any(os.fsencode(p.split("/")[-1]) == os.fsencode(HOSTILE) for p in paths)  # the name comes back exactly
    if fmt == "junit":
        etree.fromstring(data)
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))
        assert rows and all(r["document_number"].startswith("'=") for r in rows if r["document_number"])
        assert all("\n" not in r["path"] and "\\xff" in r["path"] for r in rows if "SOP-" in r["path"])


def test_github_annotations_are_capped_errors_first_with_the_rest_counted(run_cli, tmp_path):
    from doccheck.report.github import PER_LEVEL

    folder = tmp_path / "many"
    folder.mkdir()
    body = "\n\n".join(f"Step {n} follows 21 CFR 820.{30 + n % 5} and the Device History Record." for n in range(40))
    (folder / "sop.md").write_text(f"# Procedure\n\n{body}\n", encoding="utf-8")
    code, out, _ = run_cli("scan", str(folder), "--format", "github", "--no-cache", "--no-config", cwd=tmp_path)
    lines = out.splitlines()
    levels = [line.split(" ", 1)[0] for line in lines[:-1]]
    assert levels == sorted(levels, key=["::error", "::warning", "::notice"].index)  # errors first
    assert all(levels.count(level) <= PER_LEVEL for level in set(levels))
    assert lines[-1].startswith("::notice title=doccheck::") and "more finding(s) not annotated" in lines[-1]
    shown = len(lines) - 1
    code, data, _ = run_cli("scan", str(folder), "--format", "json", "--no-cache", "--no-config", cwd=tmp_path)
    total = json.loads(data)["summary"]["findings"]
    assert int(lines[-1].split("::")[-1].split(" ", 1)[0]) == total - shown


def test_text_output_names_the_section_of_a_word_finding(run_cli):
    code, out, _ = run_cli("scan", str(FIXTURES / "sops" / "SOP-QA-012-capa.docx"), "--no-cache", "--no-config")
    assert any("QMSR-REF-001" in line and "(in " in line for line in out.splitlines())
