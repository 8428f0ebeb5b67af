"""Edits that compose: accepting every tracked change (or --fix) leaves a document that reads right.

The planned edits are checked on generated sentences of each class, applied by --fix to
Markdown, and read back through LibreOffice from tracked changes in every Word fixture and every
../shared/realdocs Word document: what LibreOffice shows with all changes accepted is what the
plan says, with no doubled phrase and no clause cited twice.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from lxml import etree

from doccheck import api
from doccheck.config import Config
from doccheck.edits import plan

from conftest import FIXTURES, REALDOCS

ROOT = Path(__file__).resolve().parent.parent
TEXT_NS = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
OFFICE_NS = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
# "medical device file (medical device file)", "(X (X))": a phrase and itself in brackets
DOUBLED = re.compile(r"\b([A-Za-z][\w -]{3,60}?)\s*\(\s*\1\s*\)", re.I)
TWICE = re.compile(r"(ISO 13485:2016 clause \d+(?:\.\d+)*)\b[^.;]{0,12}\b\1\b")


def _scanned(tmp_path: Path, text: str):  # noqa: ANN202
    path = tmp_path / "sop.md"
    path.write_text(text, encoding="utf-8")
    report = api.scan([path], Config(root=tmp_path, use_cache=False, jobs=0, set_analysis="never"), details=True)
    (result,) = report.documents
    return result


def _applied(result) -> str:  # noqa: ANN001
    """Each block's text with the planned edits applied."""
    doc = result.document
    texts = {b.index: b.text for b in doc.blocks}
    for e in sorted(plan(doc, result.findings), key=lambda e: (e.block, e.start), reverse=True):
        texts[e.block] = texts[e.block][: e.start] + e.text + texts[e.block][e.end :]
    return "\n".join(texts[i] for i in sorted(texts))


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("The Device Master Record (DMR) is kept by QA.", "The medical device file is kept by QA."),
        ("The DMR (Device Master Record) is kept by QA.", "The medical device file is kept by QA."),
        ("Design History Files (DHFs) are kept.", "design and development files are kept."),
        ("Documents are controlled per 21 CFR 820.40 and ISO 13485:2016 clause 4.2.4.", "Documents are controlled per ISO 13485:2016 clause 4.2.4."),
        ("Documents are controlled per ISO 13485:2016 clause 4.2.4 and 21 CFR 820.40.", "Documents are controlled per ISO 13485:2016 clause 4.2.4."),
        ("Documents are controlled per ISO 13485:2016 clause 4.2.4 (21 CFR 820.40).", "Documents are controlled per ISO 13485:2016 clause 4.2.4."),
        ("Documents are controlled per 21 CFR 820.40.", "Documents are controlled per ISO 13485:2016 clause 4.2.4."),
        ("The DHR records the lot.", "The device or batch record records the lot."),
    ],
)
def test_edits_are_planned_per_sentence(tmp_path, sentence, expected):
    result = _scanned(tmp_path, f"# Procedure\n\n{sentence}\n")
    assert _applied(result).split("\n")[-1] == expected


def test_an_edit_resolves_every_finding_it_covers(tmp_path):
    result = _scanned(tmp_path, "# Procedure\n\nThe Device Master Record (DMR) is kept.\n")
    (edit,) = plan(result.document, result.findings)
    assert {f.text for f in edit.findings} == {"Device Master Record", "DMR"}


def test_fix_on_markdown_reads_right(run_cli, tmp_path):
    source = tmp_path / "sop.md"
    source.write_text("# Procedure\n\nThe Device Master Record (DMR) follows 21 CFR 820.181 and ISO 13485:2016 clause 4.2.3.\r\n"
                      "Changes follow 21 CFR 820.40.\r\n", encoding="utf-8")
    code, _, err = run_cli("annotate", str(source), "--fix", "--out", str(tmp_path / "fixed"), "--no-config")
    assert code in (0, 1), err
    fixed = (tmp_path / "fixed" / "sop.md").read_text(encoding="utf-8")
    assert "The medical device file follows ISO 13485:2016 clause 4.2.3." in fixed
    assert "Changes follow ISO 13485:2016 clause 4.2.4." in fixed
    assert not DOUBLED.search(fixed) and not TWICE.search(fixed)


def _accepted_paragraphs(fodt: Path) -> list[str]:
    """The document's paragraphs as LibreOffice reads them with every tracked change accepted:
    insertions kept, deletions dropped (held apart in text:tracked-changes, or inline between a
    change-start and change-end), comments left out."""
    root = etree.parse(str(fodt)).getroot()
    t = lambda name: f"{{{TEXT_NS}}}{name}"  # noqa: E731
    deleted = set()
    for region in root.iter(t("changed-region")):
        if region.find(t("deletion")) is not None:
            deleted.add(region.get(t("id")) or region.get("{http://www.w3.org/XML/1998/namespace}id"))
    body = root.find(f".//{{{OFFICE_NS}}}body")
    out: list[str] = []
    stack: list[list[str]] = []
    skip, hidden = False, 0  # inside a tracked deletion; inside a comment or the tracked-changes list
    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag in (f"{{{OFFICE_NS}}}annotation", t("tracked-changes"), t("note")):  # comments, footnotes: not the paragraph
                hidden += 1
            elif tag == t("change-start") and el.get(t("change-id")) in deleted:
                skip = True
            elif tag == t("change-end") and el.get(t("change-id")) in deleted:
                skip = False
            elif tag in (t("p"), t("h")) and not hidden:
                stack.append([])
            if el.text and stack and not skip and not hidden and tag not in (f"{{{OFFICE_NS}}}annotation",):
                stack[-1].append(el.text)
        else:
            if tag in (f"{{{OFFICE_NS}}}annotation", t("tracked-changes"), t("note")):
                hidden -= 1
            elif tag in (t("p"), t("h")) and not hidden:
                out.append(" ".join("".join(stack.pop()).split()))
            elif tag in (t("s"), t("tab"), t("line-break")) and stack and not skip and not hidden:
                stack[-1].append(" ")
            if el.tail and stack and not skip and not hidden:
                stack[-1].append(el.tail)
    return out


def _word_documents() -> list[Path]:
    fixtures = [p for p in sorted(FIXTURES.rglob("*.docx")) if "bad" not in p.parts]
    return fixtures + sorted(REALDOCS.glob("*.docx"))


def test_libreoffice_accepts_every_tracked_change_into_what_the_plan_says(run_cli, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (.ci/run installs libreoffice-writer-nogui)"
    sources = tmp_path / "in"
    names = {}
    for n, path in enumerate(_word_documents()):
        (sources / f"{n:03d}").mkdir(parents=True)
        shutil.copyfile(path, sources / f"{n:03d}" / path.name)
        names[f"{n:03d}/{path.name}"] = path
    report = api.scan([sources], Config(root=tmp_path, use_cache=False, set_analysis="never"), details=True)
    api.load_details(report, Config(root=tmp_path, use_cache=False))
    from doccheck.annotate import annotate

    written, failed = annotate(report, tmp_path / "out", track_changes=True)
    assert len(written) >= 20 and not failed
    copies = sorted((tmp_path / "out").rglob("*.docx"))
    converted = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "fodt", "--outdir", str(tmp_path / "fodt"), *map(str, copies)],
        capture_output=True, text=True, timeout=900,
    )
    assert converted.returncode == 0, converted.stderr
    edited = 0
    by_name = {Path(r.document.path).name: r for r in report.documents}
    for copy in copies:
        result = by_name[copy.name]
        edits = plan(result.document, result.findings)
        accepted = _accepted_paragraphs(tmp_path / "fodt" / (copy.stem + ".fodt"))
        text = "\n".join(accepted)
        assert not DOUBLED.search(text), (copy.name, DOUBLED.search(text).group(0))
        assert not TWICE.search(text), (copy.name, TWICE.search(text).group(0))
        doc = result.document
        per_block: dict[int, list] = {}
        for e in edits:
            if (doc.blocks[e.block].story or "").startswith("word/document"):
                per_block.setdefault(e.block, []).append(e)
        for index, mine in per_block.items():
            whole = doc.blocks[index].text
            for e in sorted(mine, key=lambda x: x.start, reverse=True):  # every edit of the paragraph, accepted
                whole = whole[: e.start] + e.text + whole[e.end :]
            assert " ".join(whole.split()) in accepted, (copy.name, whole)
            edited += len(mine)
    assert edited >= 50
