"""Reviewer outputs: Word comments and tracked changes, PDF highlights, Markdown fixes, HTML.

Checked with the tools reviewers use: LibreOffice reads the annotated Word file, a headless
Chromium renders the HTML report.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from pypdf import PdfReader

from doccheck import ooxml
from doccheck.api import load_details, scan
from doccheck.config import Config
from doccheck.extract import extract
from doccheck.pdfgeom import char_boxes, line_boxes

from conftest import FIXTURES

W = ooxml.NS["w"]
OFFICE_NAME = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}name"
COMPLAINTS = FIXTURES / "sops" / "SOP-CH-002-complaints.docx"
DESIGN = FIXTURES / "sops" / "SOP-DC-003-design-control.pdf"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("DOCCHECK_TODAY", "2026-11-22")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _checked(path: Path):  # type: ignore[no-untyped-def]
    config = Config(use_cache=False, jobs=0)
    report = scan([path], config)
    load_details(report, config)
    return report.documents[0]


def _annotate(run_cli, tmp_path: Path, *sources: Path, extra: tuple[str, ...] = ()) -> Path:
    out = tmp_path / "out"
    code, _, err = run_cli("annotate", *map(str, sources), "--out", str(out), "--no-config", *extra)
    assert code == 0, err
    return out


def _copy_of(out: Path, source: Path) -> Path:
    return next(out.rglob(source.name))


def word_comments(path: Path) -> dict[str, tuple[str, str]]:
    """comment id -> (comment text, anchored text) of a .docx; anchored text in the "original" view."""
    with zipfile.ZipFile(path) as zf:
        body = etree.fromstring(zf.read("word/document.xml"))
        comments = etree.fromstring(zf.read("word/comments.xml"))
    texts = {c.get(f"{{{W}}}id"): "\n".join("".join(t.text or "" for t in p.iter(f"{{{W}}}t")) for p in c.iter(f"{{{W}}}p")) for c in comments.iter(f"{{{W}}}comment") if c.get(f"{{{W}}}author") == "doccheck"}
    anchored: dict[str, list[str]] = {}
    open_ids: list[str] = []
    for el in body.iter(f"{{{W}}}commentRangeStart", f"{{{W}}}commentRangeEnd", f"{{{W}}}t", f"{{{W}}}delText"):
        tag = etree.QName(el).localname
        cid = el.get(f"{{{W}}}id")
        if tag == "commentRangeStart":
            open_ids.append(cid)
            anchored[cid] = []
        elif tag == "commentRangeEnd":
            open_ids.remove(cid)
        else:
            inserted = any(etree.QName(a).localname == "ins" for a in el.iterancestors())
            for i in open_ids:
                if not inserted:  # the original view: deletions in, insertions out
                    anchored[i].append(el.text or "")
    return {cid: (texts[cid], "".join(anchored.get(cid, []))) for cid in texts}


def test_one_comment_per_finding_on_exactly_the_matched_words(run_cli, tmp_path):
    result = _checked(COMPLAINTS)
    copy = _copy_of(_annotate(run_cli, tmp_path, COMPLAINTS), COMPLAINTS)
    comments = word_comments(copy)
    assert len(comments) == len(result.findings) == 11
    title = next(b.text for b in result.document.blocks if b.part == "body")
    by_rule_text = {(text.split("]")[0][1:], anchored) for text, anchored in comments.values()}
    for f in result.findings:
        anchored_on = f.text if f.text else title  # document-level findings sit on the title
        assert (f.rule, anchored_on) in by_rule_text, f
    refs = [t for t, a in comments.values() if t.startswith("[QMSR-REF-001]")]
    assert refs and all("Suggestion: ISO 13485:2016 clause" in t and "Source: 21 CFR 820 (QMSR" in t for t in refs)


def test_a_comment_after_hidden_text_sits_on_its_own_words(run_cli, tmp_path, monkeypatch):
    """Hidden (w:vanish) runs are no part of the text; the annotator walks the runs the same way."""
    monkeypatch.syspath_prepend(str(FIXTURES))
    from docxgen import DocxSpec, heading, para, run, write_docx

    hidden = '<w:r><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve">Hidden: 21 CFR 820.30. </w:t></w:r>'
    source = tmp_path / "hidden.docx"
    write_docx(str(source), DocxSpec(body=[heading("Procedure"), para(run("Records follow "), hidden, run("21 CFR 820.180 today."))]))
    copy = _copy_of(_annotate(run_cli, tmp_path, source), source)
    anchored = [a for t, a in word_comments(copy).values() if t.startswith("[QMSR-REF-001]")]
    assert anchored == ["21 CFR 820.180"]


def test_findings_outside_the_body_go_on_the_title_naming_their_place(run_cli, tmp_path):
    source = FIXTURES / "formats" / "all-parts.docx"
    result = _checked(source)
    comments = word_comments(_copy_of(_annotate(run_cli, tmp_path, source), source))
    assert len(comments) == len(result.findings)
    footnote = next(t for t, a in comments.values() if "21 CFR 820.30(j)" in t)
    assert "Location: footnote paragraph 3" in footnote  # footnotes.xml numbering: two separator paragraphs first
    body_dmr = next(a for t, a in comments.values() if t.startswith("[QMSR-TERM-002]"))
    assert body_dmr == "Device Master Record"  # in the text box: anchored in place


def test_tracked_changes_accepted_give_the_suggested_wording(run_cli, tmp_path):
    result = _checked(COMPLAINTS)
    copy = _copy_of(_annotate(run_cli, tmp_path, COMPLAINTS, extra=("--track-changes",)), COMPLAINTS)
    accepted = extract(copy)  # the extractor's final view applies w:ins and drops w:del
    text = accepted.text()
    replaced = [f for f in result.findings if f.suggestion and f.category in ("obsolete-term", "obsolete-reference")]
    assert replaced
    for f in replaced:
        assert f.suggestion in text
    assert "Quality System Record" not in text and "QMS documentation (quality manual)" in text
    assert accepted.facts["tracked_insertions"] == accepted.facts["tracked_deletions"] == len(replaced)
    assert accepted.facts["open_comments"] == 0  # doccheck's own comments are not the document's
    for _, anchored in word_comments(copy).values():  # rejected view: the original words are still there
        assert anchored


def test_annotating_an_annotated_copy_adds_nothing(run_cli, tmp_path):
    first = _copy_of(_annotate(run_cli, tmp_path / "a", COMPLAINTS), COMPLAINTS)
    again = _copy_of(_annotate(run_cli, tmp_path / "b", first), first)
    assert len(word_comments(again)) == len(word_comments(first))
    pdf1 = _copy_of(_annotate(run_cli, tmp_path / "c", DESIGN), DESIGN)
    pdf2 = _copy_of(_annotate(run_cli, tmp_path / "d", pdf1), pdf1)
    count = lambda p: sum(len(page.get("/Annots", []) or []) for page in PdfReader(p).pages)  # noqa: E731
    assert count(pdf2) == count(pdf1) > 0


def test_pdf_highlights_sit_over_the_words(run_cli, tmp_path):
    result = _checked(DESIGN)
    copy = _copy_of(_annotate(run_cli, tmp_path, DESIGN), DESIGN)
    annots = [(n + 1, a.get_object()) for n, page in enumerate(PdfReader(copy).pages) for a in page.get("/Annots", []) or []]
    highlights = {str(a["/Contents"]).split("]")[0][1:] + "|" + str(n): a for n, a in annots if a["/Subtype"] == "/Highlight"}
    quoted = [f for f in result.findings if f.text]
    assert len(highlights) == len(quoted) and len(annots) == len(result.findings)
    doc = result.document
    for f in quoted:
        pieces = doc.blocks[f.block].source_pieces(*f.span)
        page = pieces[0].key
        expected = [b for p in pieces for b in line_boxes(char_boxes(DESIGN, p.key, p.start, p.end))]
        quad = [float(v) for v in highlights[f"{f.rule}|{page}"]["/QuadPoints"]]
        got = [(quad[i], quad[i + 5], quad[i + 2], quad[i + 1]) for i in range(0, len(quad), 8)]
        assert len(got) == len(expected)
        for g, e in zip(got, expected):
            assert all(abs(x - y) < 0.05 for x, y in zip(g, e)), (f.rule, g, e)
    two_lines = highlights["QMSR-TERM-001|1"]
    assert len(two_lines["/QuadPoints"]) == 16  # "Design His-/tory File": one quad per line
    assert any(a["/Subtype"] == "/Text" and "[DC-009]" in str(a["/Contents"]) for n, a in annots if n == 1)


def test_markdown_fix_to_a_copy_and_in_place(run_cli, tmp_path):
    work = tmp_path / "docs"
    work.mkdir()
    sop = work / "WI.txt"
    shutil.copy(FIXTURES / "sops" / "WI-label-inspection.txt", sop)
    before = sop.read_bytes()
    out = _annotate(run_cli, tmp_path, sop, extra=("--fix",))
    fixed = _copy_of(out, sop).read_text()
    assert "Device Master Record" not in fixed and "medical device file" in fixed and "device or batch record" in fixed
    assert sop.read_bytes() == before
    code, _, err = run_cli("annotate", str(sop), "--fix", "--in-place", "--no-config")
    assert code == 0 and sop.read_text() == fixed


def test_inputs_are_never_modified_and_never_overwritten(run_cli, tmp_path):
    library = tmp_path / "lib"
    shutil.copytree(FIXTURES / "sops", library)
    hashes = {p.name: (_sha(p), p.stat().st_mtime_ns) for p in library.iterdir()}
    out = tmp_path / "out"
    assert run_cli("annotate", ".", "--out", str(out), "--track-changes", "--fix", cwd=library)[0] == 0
    assert run_cli("scan", ".", "--annotate", str(tmp_path / "out2"), "--format", f"html:{tmp_path / 'r.html'}", cwd=library)[0] == 1
    assert {p.name: (_sha(p), p.stat().st_mtime_ns) for p in library.iterdir() if p.is_file()} == hashes
    code, _, err = run_cli("annotate", ".", "--out", ".", cwd=library)
    assert code == 2 and "refusing to write an annotated copy over an input document" in err
    assert {p.name: (_sha(p), p.stat().st_mtime_ns) for p in library.iterdir() if p.name in hashes} == hashes


def _odf_annotations(fodt: Path) -> list[tuple[str, str, str]]:
    """(creator, comment text, annotated text) of every annotation LibreOffice wrote."""
    root = etree.parse(str(fodt)).getroot()
    ns = {"office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0", "dc": "http://purl.org/dc/elements/1.1/", "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0"}
    found = {}
    for ann in root.iter(f"{{{ns['office']}}}annotation"):
        name = ann.get(f"{{{ns['office']}}}name") or ""
        creator = ann.findtext("dc:creator", namespaces=ns) or ""
        body = "\n".join("".join(p.itertext()) for p in ann.findall("text:p", ns))
        found[name] = (creator, body)
        tail = ann.tail
        for child in list(ann):
            ann.remove(child)
        ann.text, ann.tail = f"\ue000S{name}\ue000", tail
    for end in root.iter(f"{{{ns['office']}}}annotation-end"):
        end.text = f"\ue000E{end.get(OFFICE_NAME)}\ue000"
    flat = "".join(root.find(".//office:body", ns).itertext())
    out = []
    for name, (creator, body) in found.items():
        m = re.search(f"\ue000S{re.escape(name)}\ue000(.*?)\ue000E{re.escape(name)}\ue000", flat, re.S)
        anchored = re.sub("\ue000[SE][^\ue000]*\ue000", "", m.group(1)) if m else ""
        out.append((creator, body, anchored))
    return out


def test_libreoffice_reads_the_annotated_copy_with_every_comment_on_its_words(run_cli, tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (.ci/run installs libreoffice-writer-nogui)"
    result = _checked(COMPLAINTS)
    copy = _copy_of(_annotate(run_cli, tmp_path, COMPLAINTS), COMPLAINTS)
    converted = subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path / 'lo-profile'}", "--headless", "--convert-to", "fodt", "--outdir", str(tmp_path / "fodt"), str(copy)],
        capture_output=True, text=True, timeout=300,
    )
    fodt = tmp_path / "fodt" / (copy.stem + ".fodt")
    assert converted.returncode == 0 and fodt.exists(), converted.stderr
    annotations = _odf_annotations(fodt)
    assert len(annotations) == len(result.findings)
    title = next(b.text for b in result.document.blocks if b.part == "body")
    pairs = {(body.split("]")[0][1:], anchored) for _, body, anchored in annotations}
    assert {creator for creator, _, _ in annotations} == {"doccheck"}
    for f in result.findings:
        assert (f.rule, f.text or title) in pairs, f


def test_html_report_renders_in_a_real_browser(run_cli, tmp_path):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium, "Chromium is needed (.ci/run installs Debian's chromium)"
    report = tmp_path / "report.html"
    code, _, _ = run_cli("scan", "fixtures/sops", "fixtures/bad/encrypted.pdf", "--format", f"html:{report}", "--no-cache")
    assert code == 1
    html = report.read_text()
    assert "http://" not in html.replace("http://www.w3.org/2000/svg", "") and "https://" not in html  # self-contained
    assert "<script>" in html and "&lt;" not in html.split("<main>")[0]
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chrome'}", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", report.as_uri()], capture_output=True, text=True, timeout=180)
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "Uncaught" not in dom.stderr
    body = etree.HTML(dom.stdout).find("body")
    assert body.get("data-error") is None
    rows = int(body.get("data-ready"))
    assert rows == html.count('<tr class="finding"') > 20
    assert dom.stdout.count('class="bar bar-') >= 3 and 'id="chart"' in dom.stdout
    assert dom.stdout.count('<mark class="finding') > 10
    shot = tmp_path / "report.png"
    subprocess.run([chromium, *flags, "--window-size=1280,1400", f"--screenshot={shot}", report.as_uri()], capture_output=True, timeout=180)
    assert shot.exists() and shot.stat().st_size > 10_000


# --- output paths, the marker, sidecars, isolation (issue 17 point 2, issue 18 point 5)


def _library(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    (docs / "quality").mkdir(parents=True)
    shutil.copyfile(COMPLAINTS, docs / "quality" / COMPLAINTS.name)
    (docs / "notes.md").write_text("# Notes\n\nThe DHR is kept per 21 CFR 820.184.\n", encoding="utf-8")
    return docs


def test_copies_keep_their_paths_below_the_scanned_folder_and_later_scans_skip_them(run_cli, tmp_path):
    docs = _library(tmp_path)
    code, _, err = run_cli("annotate", "docs", "--out", "docs/reviewed", "--no-config", cwd=tmp_path)
    assert code == 0, err
    assert (docs / "reviewed" / "quality" / COMPLAINTS.name).is_file()  # not reviewed/docs/quality/...
    assert (docs / "reviewed" / ".doccheck-annotated").is_file()
    review = (docs / "reviewed" / "notes.md.review.md").read_text(encoding="utf-8")
    assert "| 3:5 | QMSR-TERM-003 |" in review and "21 CFR 820.184" in review
    code, out, _ = run_cli("scan", "docs", "--format", "json", "--no-cache", "--no-config", cwd=tmp_path)
    assert sorted(d["path"] for d in json.loads(out)["documents"]) == ["docs/notes.md", f"docs/quality/{COMPLAINTS.name}"]


def test_a_copy_that_would_land_on_an_input_stops_before_anything_is_written(run_cli, tmp_path):
    docs = _library(tmp_path)
    before = sorted(p.name for p in docs.rglob("*"))
    code, _, err = run_cli("annotate", "docs", "--out", "docs", "--no-config", cwd=tmp_path)
    assert code == 2 and "refusing to write an annotated copy over an input document" in err
    assert sorted(p.name for p in docs.rglob("*")) == before


def test_one_file_that_cannot_be_annotated_costs_only_itself(run_cli, tmp_path):
    docs = _library(tmp_path)
    broken = docs / "broken.docx"
    with zipfile.ZipFile(COMPLAINTS) as src, zipfile.ZipFile(broken, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "[Content_Types].xml":  # the main part declared as something else: python-docx refuses it
                data = data.replace(b"wordprocessingml.document.main+xml", b"wordprocessingml.template.main+xml")
            dst.writestr(item, data)
    code, _, err = run_cli("annotate", "docs", "--out", "out", "--no-config", cwd=tmp_path)
    assert code == 1
    assert "could not annotate docs/broken.docx" in err
    assert (tmp_path / "out" / "quality" / COMPLAINTS.name).is_file() and not (tmp_path / "out" / "broken.docx").exists()


def test_fix_keeps_the_files_encoding_bytes_and_line_endings(run_cli, tmp_path):
    source = tmp_path / "legacy.txt"
    source.write_bytes("Caf\xe9 procedure\r\nThe DHR is kept\x81 per 21 CFR 820.40.\r\n".encode("cp1252", errors="ignore").replace(b"kept", b"kept\x81"))
    code, _, err = run_cli("annotate", "legacy.txt", "--fix", "--in-place", "--no-config", cwd=tmp_path)
    assert code == 0, err
    fixed = source.read_bytes()
    assert fixed == b"Caf\xe9 procedure\r\nThe device or batch record is kept\x81 per ISO 13485:2016 clause 4.2.4.\r\n"
