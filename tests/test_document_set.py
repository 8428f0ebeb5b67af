"""Document-set analysis: coverage matrix, cross-references, sites, the readiness report, history."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
from lxml import etree

from doccheck import api
from doccheck.config import Config
from doccheck.resources import corpus
from doccheck.yamlpos import load

from conftest import FIXTURES, ROOT, assert_golden

SET = FIXTURES / "sets" / "two-sites"


@pytest.fixture(autouse=True)
def fixed_today(monkeypatch):
    monkeypatch.setenv("DOCCHECK_TODAY", "2026-11-22")
    monkeypatch.chdir(ROOT)


def test_coverage_matrix_is_the_expected_one(run_cli):
    code, out, err = run_cli("report", str(SET.relative_to(ROOT)), "--format", "csv", "--no-config")
    assert code == 0, err
    assert_golden("two-sites.matrix.golden", out)
    rows = {line.split(",")[0]: line.split(",")[3] for line in out.splitlines()[1:]}
    assert rows["iso-4.2.4"] == "covered" and rows["iso-7.1"] == "weak" and rows["iso-8.2.2"] == "missing"


def test_set_findings_are_the_expected_ones():
    report = api.scan([SET], Config(use_cache=False, jobs=0))
    text = "".join(f"{f.path} | {f.location.short()} | {f.severity} | {f.rule} | {f.text} | {f.message}\n" for f in report.findings)
    assert_golden("two-sites.set-findings.golden", text)
    rules = {f.rule for f in report.findings}
    assert {"SET-COV-001", "SET-COV-002", "SET-REF-001", "SET-REF-002", "SET-REF-003", "SET-REF-004", "SET-SITE-001", "SET-SITE-002", "SET-SITE-003"} <= rules
    missing = next(f for f in report.findings if f.rule == "SET-REF-001")
    assert missing.text == "WI-A-099" and missing.location.line == 19 and missing.path.endswith("SOP-A-DOC-001-document-control.md")


def test_not_applicable_requirements_are_not_reported(run_cli, tmp_path):
    shutil.copytree(SET, tmp_path / "set")
    (tmp_path / "doccheck.yaml").write_text(
        "not_applicable:\n  iso-7.5.4: We do not service devices in the field.\n  iso-7.5.7: No sterile devices.\n", encoding="utf-8"
    )
    code, out, _ = run_cli("report", "set", "--format", "json", cwd=tmp_path)
    data = json.loads(out)
    statuses = {r["id"]: (r["status"], r["not_applicable"]) for r in data["requirements"]}
    assert statuses["iso-7.5.4"] == ("not applicable", "We do not service devices in the field.")
    code, out, _ = run_cli("scan", "set", "--format", "json", cwd=tmp_path)
    assert not any("(7.5.4)" in f["message"] for f in json.loads(out)["findings"])
    (tmp_path / "doccheck.yaml").write_text("not_applicable:\n  iso-7.5.4:\n", encoding="utf-8")
    code, _, err = run_cli("report", "set", cwd=tmp_path)
    assert code == 2 and "doccheck.yaml:1:1: 'not_applicable' needs a justification for iso-7.5.4" in err


def test_set_findings_appear_in_json_sarif_and_html(run_cli, tmp_path):
    code, out, _ = run_cli("scan", str(SET.relative_to(ROOT)), "--no-cache", "--format", "json", "--format", f"sarif:{tmp_path / 'r.sarif'}",
                           "--format", f"html:{tmp_path / 'r.html'}")
    report = json.loads(out)
    assert any(f["rule"] == "SET-REF-003" for f in report["findings"])
    assert not any(f["rule"].startswith("SET-") for d in report["documents"] for f in d["findings"])
    sarif = json.loads((tmp_path / "r.sarif").read_text())
    assert any(r["ruleId"] == "SET-COV-001" for r in sarif["runs"][0]["results"])
    html = (tmp_path / "r.html").read_text()
    assert "Across the document set" in html and "SET-SITE-002" in html


def test_named_files_skip_set_analysis_unless_asked(run_cli, tmp_path):
    files = [str(p.relative_to(ROOT)) for p in sorted((SET / "site-a").iterdir())]
    code, out, _ = run_cli("scan", *files, "--no-cache", "--format", "json")
    assert json.loads(out)["findings"] == []  # a pre-commit run on changed files
    (tmp_path / "doccheck.yaml").write_text("set_analysis: always\n", encoding="utf-8")
    code, out, _ = run_cli("scan", *[str(ROOT / f) for f in files], "--no-cache", "--format", "json", cwd=tmp_path)
    assert json.loads(out)["findings"]


def test_history_trend_and_readiness_page_in_a_browser(run_cli, tmp_path):
    history = tmp_path / "history.sqlite"
    page = tmp_path / "ready.html"
    for _ in range(2):
        assert run_cli("report", str(SET.relative_to(ROOT)), "--history", str(history), "-o", str(page), "--no-config")[0] == 0
    assert run_cli("scan", str(SET.relative_to(ROOT)), "--history", str(history), "--no-cache")[0] == 1
    code, out, _ = run_cli("report", str(SET.relative_to(ROOT)), "--history", str(history), "--format", "json", "--no-config")
    data = json.loads(out)
    assert len(data["trend"]) == 4 and data["trend"][-1]["findings"] == data["summary"]["findings"]
    assert set(data["findings_by_site"]) >= {"site-a", "site-b"}
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    assert chromium
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'chrome'}"]
    dom = subprocess.run([chromium, *flags, "--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=180)
    body = etree.HTML(dom.stdout).find("body")
    assert int(body.get("data-ready")) == len([r for r in corpus("procedures.yaml")["requirements"] if not r.get("part_of")])
    assert 'id="trend"' in dom.stdout and dom.stdout.count('class="cell s3"') >= 8


def test_procedures_corpus_is_consistent():
    data = load(ROOT / "corpora" / "procedures.yaml")
    clauses = corpus("iso13485.yaml")["editions"]["2016"]["clauses"]
    types = set(corpus("document-types.yaml")["types"])
    ids = [r["id"] for r in data["requirements"]]
    assert len(ids) == len(set(ids)) >= 33
    import re

    for req in data["requirements"]:
        if not req["clause"].startswith("21 CFR"):
            assert req["clause"] in clauses, req["id"]
        for c in req["evidence"].get("clauses", []):
            assert c.startswith("21 CFR") or c in clauses, (req["id"], c)
        assert set(req["evidence"].get("types", [])) <= types, req["id"]
        for pattern in req["evidence"].get("headings", []) + req["evidence"].get("phrases", []):
            re.compile(pattern)
        assert req["grade"] in ("H", "M", "L")
    conditional = {r["id"] for r in data["requirements"] if r.get("conditional")}
    assert {"iso-7.5.4", "iso-7.5.7", "fda-820.10b2"} <= conditional


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        (r"validat\w+ of (?:the )?(?:computer )?software used in the quality", "software used in the quality"),
        (r"design changes?\b", "design change"),
        ("advisory notices?", "advisory notice"),
        (r"report\w*\s+to\s+(?:the\s+)?(?:FDA|regulatory\s+authorit)", "report"),
        (r"\bUDI\b", "udi"),
        ("a|b", None),
        (r"approv\w*[^.]{0,60}chang", "approv"),  # a quantifier's bounds are no literal
        (r"x[^.]{2,9}yyyyy", "yyyyy"),
        (r"x+y", None),
    ],
)
def test_phrase_anchor_is_a_literal_every_match_contains(pattern, expected):
    import re

    from doccheck.anchors import anchor

    assert anchor(pattern) == expected
    for text in ("Design change review", "Advisory notice", "reports to the FDA", "the UDI", "Validation of software used in the quality system"):
        m = re.search(pattern, text, re.I)
        if m and expected:
            assert expected in m.group(0).lower()


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("(?:health|patient|personal) (?:information|data)[^.]{0,60}(?:protect|privacy)", ("health", "patient", "personal")),
        ("audit trail|original entry", ("audit trail", "original entry")),
        (r"\bhipaa\b", ("hipaa",)),
        ("ab(?:cde|fgh)", ("cde", "fgh")),
        ("x(?:foo|bar)?y", ()),  # the group is optional
        ("(?:alpha|be)ta", ()),  # "be" is too short to look for
        ("(?=abcd)x", ()),  # a lookahead matches no text of its own
        ("(?!foo)bar|baz", ("bar", "baz")),
        ("a|b", ()),
    ],
)
def test_pattern_anchors_are_literals_one_of_which_every_match_contains(pattern, expected):
    import re

    from doccheck.anchors import anchors

    assert anchors(pattern) == expected
    for text in ("patient data are kept private: privacy", "health information privacy", "the audit trail", "HIPAA", "abfgh", "xy", "alphata", "abcdx", "bar baz"):
        m = re.search(pattern, text, re.I)
        if m and expected:
            assert any(a in m.group(0).lower() for a in expected), (pattern, text)


def test_every_shipped_evidence_pattern_has_anchors():
    """A pattern without anchors is searched in every document: the corpus keeps none."""
    from doccheck.evidence import index

    assert not index().phrases.always and not index().headings.always


def test_document_number_starts_found_by_the_hyphen_walk():
    from doccheck.setfacts import _ref_starts

    text = "See SOP-QA-004, Form F-CAPA-001 and WI-7. Not XSOP-1, not sop-2, not a well-known fact, not SPEC -3."
    assert [text[i : text.index("-", i)] for i in _ref_starts(text)] == ["SOP", "F", "WI"]
    assert _ref_starts("SOP-1 at the very start") == [0]
    assert _ref_starts("no hyphens at all") == []


def test_cached_set_findings_follow_document_and_setting_changes(run_cli, tmp_path):
    shutil.copytree(SET, tmp_path / "set")
    def set_rules(*args: str) -> list[str]:  # noqa: E306
        code, out, _ = run_cli("scan", "set", "--format", "json", *args, cwd=tmp_path)
        return sorted(f["rule"] + ":" + f["message"] for f in json.loads(out)["findings"])
    first = set_rules()
    assert set_rules() == first  # second run: from the cache
    doc = tmp_path / "set" / "site-a" / "SOP-A-AUD-004-internal-audit.md"
    doc.write_text(doc.read_text() + "\nSee SOP-Z-999.\n", encoding="utf-8")
    changed = set_rules()
    assert any("SOP-Z-999" in f for f in changed) and not any("SOP-Z-999" in f for f in first)
    (tmp_path / "doccheck.yaml").write_text("not_applicable:\n  iso-7.5.4: No servicing.\n", encoding="utf-8")
    assert not any("(7.5.4)" in f for f in set_rules()) and any("(7.5.4)" in f for f in changed)


def test_cited_numbers_are_whole_numbers_with_their_revision(tmp_path):
    from doccheck.engine.run import document_profile
    from doccheck.extract import extract
    from doccheck.nlp import tag_document
    from doccheck.setfacts import summarize

    path = tmp_path / "SOP-QA-001.md"
    path.write_text("---\ndocument_number: SOP-QA-001\n---\n\n# Training\n\nThis is SOP-QA-001.\n\n"
                    "See SOP-DOC-001 Rev B, Form F-CAPA-001 and\nWI-7 Revision 2.1; not sop-3 or XSOP-4.\n", encoding="utf-8")
    doc = extract(path)
    tag_document(doc)
    from doccheck.model import DocRef

    refs = [DocRef.unpack(r) for r in summarize(doc, document_profile(doc, None)).refs]
    assert [(r.number, r.revision) for r in refs] == [("SOP-DOC-001", "B"), ("F-CAPA-001", None), ("WI-7", "2.1")]
    assert [(r.location.line, r.location.column) for r in refs] == [(9, 5), (9, 29), (10, 1)]
    assert [doc.blocks[r.block].text[r.span[0] : r.span[1]] for r in refs] == [r.text for r in refs]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("See QP-0011 – Customer Complaints and Advisory Notice Process.", ("QP-0011", None, "Customer Complaints and Advisory Notice Process")),
        ("Procedures QP-0027 (Rev 01, effective 2021-09-01) apply.", ("QP-0027", "01", None)),
        ("Per SOP-QA-004 (Document Control), the owner ...", ("SOP-QA-004", None, "Document Control")),
        ("Per SOP-QA-004 Revision 3 the owner ...", ("SOP-QA-004", "3", None)),
        ("Per SOP-QA-004 Effective Date 2026-01-01.", ("SOP-QA-004", None, None)),
    ],
)
def test_a_cited_number_carries_its_revision_or_its_title_never_a_revision_as_title(tmp_path, text, expected):
    from doccheck.engine.run import document_profile
    from doccheck.extract import extract
    from doccheck.model import DocRef
    from doccheck.setfacts import summarize

    path = tmp_path / "x.md"
    path.write_text(f"# Training\n\n{text}\n", encoding="utf-8")
    doc = extract(path)
    (ref,) = [DocRef.unpack(r) for r in summarize(doc, document_profile(doc, None)).refs]
    assert (ref.number, ref.revision, ref.title) == expected


def test_indexed_evidence_search_finds_what_one_alternation_per_requirement_finds():
    """The anchors, gates and stripped \\b only make the search cheaper: same requirement, same match."""
    import random
    import re

    from doccheck.evidence import index

    idx = index()
    fragments = ["audit", "UDI", "budi", "UDI-DI", "_udi", "design changes", "Design Change", "device tracking", "report to FDA",
                 "reports to the regulatory authority", "advisory notices", "field safety notice", "corrections and removals",
                 "ISO 14971", "validation of software used in the quality system", "records", "complaint", "label", "é",
                 "patient data", "health information", "protected", "privacy", "audit trail", "original entry"]
    rng = random.Random(13485)
    for kind in ("headings", "phrases"):
        searched = getattr(idx, kind)
        for _ in range(400):
            text = "".join(rng.choice(fragments) + rng.choice([" ", "", ".", "\n", "-", "x"]) for _ in range(rng.randint(1, 12))).lower()
            got = {n: m.span() for n, m in searched.search(text)}
            expected = {}
            for n, req in enumerate(idx.requirements):
                patterns = req["evidence"].get(kind) or []
                if patterns and (m := re.search("|".join(f"(?:{p})" for p in patterns), text, re.I)):
                    expected[n] = m.span()
            assert got == expected, text


def test_restated_sentences_are_what_one_alternation_of_the_corpus_patterns_finds():
    import random
    import re

    from doccheck.evidence import restates
    from doccheck.resources import corpus

    whole = re.compile("|".join(f"(?:{p})" for p in corpus("procedures.yaml")["restated"]), re.I)
    words = ["the", "organization", "organisation", "shall", "include", "the scope", "iso 13485", "requires", "21 cfr 820.30",
             "states", "manufacturer", "define", "procedures", "xshall", "records", "of", "standard", "qmsr", "says"]
    rng = random.Random(4)
    for _ in range(2000):
        sentence = " ".join(rng.choice(words) for _ in range(rng.randint(1, 9)))
        assert restates(sentence) == bool(whole.search(sentence)), sentence


def test_a_sentence_restates_the_standard_only_when_it_says_what_the_standard_requires():
    """Up to three words between the standard's name and "requires", a word glued to the name counting as one."""
    from doccheck.evidence import restates

    for sentence in ("iso 13485 requires a documented procedure", "iso 13485:2016 clause 7.3 requires design planning",
                     "the standard now clearly states", "21 cfr 820.30 requires it", "the qmsr says so"):
        assert restates(sentence), sentence
    for sentence in ("this procedure meets iso 13485:2016 clause 4.2.4 and iso 14971:2007.",
                     "iso 13485:2016 clause 7.3 section 4 of annex b requires", "iso 13485 is what our audits follow"):
        assert not restates(sentence), sentence


def test_anchors_found_in_one_pass_are_the_literals_the_text_contains():
    """The RE2 set gives exactly what a substring test per anchor gives, on long and non-ASCII text too."""
    import random

    from doccheck.evidence import index

    rng = random.Random(820)
    words = ["report", "udi", "audit", "design", "transfer", "device", "tracking", "notice", "é", "ü", "\udcff", "iso", "14971", "and removals"]
    for searched in (index().headings, index().phrases):
        literals = searched.anchors.literals
        for size in (0, 1, 5, 50, 5000):
            text = " ".join(rng.choice(words + list(literals)) for _ in range(size)).lower()
            assert sorted(searched.anchors.found(text)) == sorted(a for a in literals if a in text)


def test_heading_evidence_is_the_first_heading_line_that_matches(tmp_path):
    """Per heading line (memoised across documents): a later line matching too does not replace it."""
    from doccheck.engine.run import document_profile
    from doccheck.extract import extract
    from doccheck.nlp import tag_document
    from doccheck.setfacts import summarize

    for name in ("one.md", "two.md"):  # the second document's lines come from the memo
        path = tmp_path / name
        path.write_text("# Scope\n\nText.\n\n## Supplier Selection\n\nText.\n\n## Purchasing\n\nText.\n", encoding="utf-8")
        doc = extract(path)
        tag_document(doc)
        assert summarize(doc, document_profile(doc, None)).evidence["iso-7.4.1"][:2] == ("heading", "Supplier Selection")


def test_the_set_root_and_site_folders_are_what_splitting_every_path_gives():
    """common_root and the site folders are computed on strings; the definition is by path components."""
    import random

    from doccheck.engine.setcontext import common_root, first_folders

    def by_components(paths):  # the deepest folder every path is in
        folders = [p.split("/")[:-1] for p in paths]
        n = 0
        while all(len(f) > n for f in folders) and len({f[n] for f in folders}) == 1:
            n += 1
        return "/".join(folders[0][:n]) or "."

    rng = random.Random(5)
    names = ["a", "b", "ab", "a-b", "a.b", "", "site-a", "site-b", "é", "a b"]
    deeper = 0
    for _ in range(5000):
        paths = sorted({("/" if rng.random() < 0.2 else "") + "/".join(rng.choice(names) for _ in range(rng.randint(0, 3))) + f"/f{k}.md"
                        for k in range(rng.randint(1, 5))})
        root = common_root(paths)
        assert root == by_components(paths), paths
        depth = 0 if root == "." else len(root.split("/"))
        assert first_folders(paths, root) == {p: (p.split("/")[depth] if len(p.split("/")) > depth + 1 else ".") for p in paths}, paths
        deeper += root.count("/") > 0
    assert deeper > 500  # roots of several components were tried
