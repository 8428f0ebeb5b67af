"""Hostile and broken inputs: each gives its stated outcome, the batch goes on, nothing hangs."""

from __future__ import annotations

import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest

from doccheck.config import Config

from conftest import FIXTURES, ROOT

BAD = FIXTURES / "bad"
EXPECTED = __import__("yaml").safe_load((BAD / "expected.yaml").read_text())["cases"]


def test_every_corpus_file_has_an_expected_outcome():
    files = {p.name for p in BAD.iterdir() if p.name != "expected.yaml"}
    assert files == set(EXPECTED) and len(files) >= 25


@pytest.fixture(scope="module")
def corpus_scan(tmp_path_factory):
    """One real scan of the whole corpus, in worker processes, from a fresh interpreter."""
    out = tmp_path_factory.mktemp("hostile") / "report.json"
    code = (
        "import json, resource, sys; from doccheck.cli import main;"
        f"rc = main(['scan', {str(BAD)!r}, '--no-cache', '--no-config', '--timeout', '30', '--format', 'json:{out}']);"
        "print(json.dumps({'rc': rc, 'children_maxrss_kb': resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))"
    )
    started = time.monotonic()
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONPATH": str(ROOT)})
    elapsed = time.monotonic() - started
    status = json.loads(run.stdout.strip().splitlines()[-1])
    return {"report": json.loads(out.read_text()), "stderr": run.stderr, "elapsed": elapsed, **status}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_case_outcome(corpus_scan, name):
    expected = EXPECTED[name]
    doc = next(d for d in corpus_scan["report"]["documents"] if d["path"].endswith("/" + name))
    unreadable = [f for f in doc["findings"] if f["rule"] == "READ-001"]
    if expected["readable"]:
        assert not unreadable, unreadable
        from doccheck.extract import extract

        text = extract(BAD / name).text()
        assert expected["text"] in text
        assert expected.get("not_text", "\0") not in text
    else:
        (finding,) = unreadable
        assert finding["category"] == "unreadable" and finding["severity"] == "error"
        assert expected["says"] in finding["message"], finding["message"]
        from doccheck.extract import extract

        assert extract(BAD / name).problems[0].reason == expected["reason"]


def test_corpus_scan_goes_on_without_tracebacks_within_time_and_memory(corpus_scan):
    assert corpus_scan["rc"] == 1
    assert "Traceback" not in corpus_scan["stderr"]
    assert len(corpus_scan["report"]["documents"]) == len(EXPECTED)
    assert corpus_scan["children_maxrss_kb"] < 500 * 1024, f"a worker reached {corpus_scan['children_maxrss_kb'] // 1024} MB"
    assert corpus_scan["elapsed"] < 120


def test_directory_symlink_loop_and_a_fifo(tmp_path, run_cli):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ok.md").write_text("# OK\n", encoding="utf-8")
    (tmp_path / "docs" / "loop").symlink_to(tmp_path / "docs", target_is_directory=True)
    os.mkfifo(tmp_path / "docs" / "pipe.pdf")  # opening it for reading would block forever
    (tmp_path / "docs" / "dangling.docx").symlink_to(tmp_path / "nowhere.docx")
    done = []
    worker = threading.Thread(target=lambda: done.append(run_cli("scan", "docs", "--format", "json", "--no-cache", cwd=tmp_path)), daemon=True)
    worker.start()
    worker.join(120)
    assert done, "the scan hung"
    code, out, _ = done[0]
    report = json.loads(out)
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    assert set(by_name) == {"ok.md", "pipe.pdf", "dangling.docx"}
    assert "not a regular file" in by_name["pipe.pdf"]["findings"][0]["message"]
    assert "disappeared" in by_name["dangling.docx"]["findings"][0]["message"]


def test_a_file_deleted_while_the_scan_runs(tmp_path, monkeypatch):
    import doccheck.api as api

    for name in ("a.md", "b.md", "c.md"):
        (tmp_path / name).write_text("---\ndocument_number: SOP-A-1\n---\n# A\n", encoding="utf-8")
    real = api._content_hash

    def hash_then_delete(path):  # type: ignore[no-untyped-def]
        digest = real(path)
        if path.name == "b.md":
            path.unlink()  # gone after discovery, before its worker reads it
        return digest

    monkeypatch.setattr(api, "_content_hash", hash_then_delete)
    monkeypatch.chdir(tmp_path)
    report = api.scan(["."], Config(root=tmp_path, jobs=1))  # the cache on: the parent hashes each file first
    by_name = {Path(r.document.path).name: r for r in report.documents}
    assert [f.rule for f in by_name["b.md"].findings] == ["READ-001"]
    assert "disappeared" in by_name["b.md"].findings[0].message
    assert by_name["a.md"].document.readable and by_name["c.md"].document.readable


def test_unreadable_permissions(tmp_path):
    folder = Path(tempfile.mkdtemp(prefix="doccheck-perm-"))
    folder.chmod(0o777)
    secret = folder / "secret.md"
    secret.write_text("# Secret\n", encoding="utf-8")
    secret.chmod(0)
    (folder / "open.md").write_text("# Open\n", encoding="utf-8")
    (folder / "open.md").chmod(0o644)
    command = [sys.executable, "-m", "doccheck", "scan", ".", "--format", "json", "--no-cache", "--no-config"]
    if os.geteuid() == 0:  # root reads anything: check as an unprivileged user
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    run = subprocess.run(command, cwd=folder, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), "HOME": str(folder)})
    report = json.loads(run.stdout)
    by_name = {Path(d["path"]).name: d for d in report["documents"]}
    assert by_name["secret.md"]["findings"][0]["message"] == "File not checked: file cannot be opened: permission denied"
    assert by_name["open.md"]["findings"] == [] or all(f["rule"] != "READ-001" for f in by_name["open.md"]["findings"])


def test_limits_are_configurable_per_scan(tmp_path):
    from doccheck.extract import extract
    from doccheck.extract.limits import Limits

    doc = extract(FIXTURES / "sops" / "SOP-DC-003-design-control.pdf", limits=Limits(max_pages=2))
    assert doc.problems[0].reason == "too-large" and "3 pages (limit 2)" in doc.problems[0].message
    doc = extract(FIXTURES / "sops" / "SOP-QA-012-capa.docx", limits=Limits(max_zip_entries=3))
    assert doc.problems[0].reason == "zip-bomb"
    doc = extract(FIXTURES / "sops" / "SOP-DC-003-design-control.pdf", limits=Limits(max_text_chars=100))
    assert doc.problems[0].reason == "too-large"


def test_worker_memory_cap_turns_into_a_finding(tmp_path, monkeypatch):
    import doccheck.parallel as parallel

    def greedy(path, display, settings):  # type: ignore[no-untyped-def]
        hog = bytearray(3 * 1024 * 1024 * 1024)  # 3 GB: over the cap
        return hog

    monkeypatch.setattr(parallel, "check_file", greedy)
    (tmp_path / "x.md").write_text("# X\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    from doccheck.api import scan

    report = scan(["."], Config(root=tmp_path, use_cache=False, jobs=1, memory_mb=1024))
    (result,) = report.documents
    assert [f.rule for f in result.findings] == ["READ-001"] and "more than 1024 MB" in result.findings[0].message
    assert resource.getrlimit(resource.RLIMIT_AS)[0] == resource.RLIM_INFINITY  # only the worker was capped


# --- caches and configuration are data --------------------------------------------------------

class _Payload:
    """A pickle that runs a command when loaded: what a hostile cache row would hold."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (os.system, (f"touch {self.marker}",))


def _library(tmp_path: Path) -> Path:
    import shutil

    lib = tmp_path / "library"
    shutil.copytree(FIXTURES / "sops", lib / "sops")
    return lib


def _findings(report: dict) -> list:
    return sorted((d["path"], f["rule"], f["message"], json.dumps(f["location"], sort_keys=True)) for d in report["documents"] for f in d["findings"])


def _scan(run_cli, lib: Path, *args: str) -> tuple[int, dict, str]:
    code, out, err = run_cli("scan", ".", "--format", "json", "--no-config", *args, cwd=lib)
    assert code in (0, 1), err
    return code, json.loads(out), err


@pytest.mark.parametrize("with_trigger", [True, False])
def test_a_cache_holding_a_pickle_payload_runs_nothing_and_gives_the_uncached_result(run_cli, tmp_path, caplog, with_trigger):
    import pickle
    import sqlite3

    lib = _library(tmp_path)
    marker = tmp_path / "code-ran"
    cache = lib / ".doccheck" / "cache.sqlite"
    _, expected, _ = _scan(run_cli, lib, "--no-cache")
    _scan(run_cli, lib)  # writes the cache
    evil = pickle.dumps(_Payload(marker))
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE results SET payload = ?, details = ?", (evil, evil))
        if with_trigger:  # a trigger rewrites every row doccheck stores from now on
            db.execute("CREATE TRIGGER poison AFTER INSERT ON results BEGIN UPDATE results SET payload = X'"
                       + evil.hex() + "' WHERE key = NEW.key; END")
    for _ in range(2):
        _, report, err = _scan(run_cli, lib)
        assert not marker.exists(), "a cache row was executed"
        assert _findings(report) == _findings(expected)
    code, _, _ = run_cli("report", ".", "-o", str(tmp_path / "readiness.html"), cwd=lib)  # reporters that load the blocks too
    assert code in (0, 1) and not marker.exists()
    if with_trigger:
        assert "it holds trigger poison" in caplog.text and (lib / ".doccheck" / "cache.sqlite.rebuilt").exists()
        with sqlite3.connect(cache) as db:  # the untrusted file was never written to
            assert db.execute("SELECT count(*) FROM results WHERE payload = ?", (evil,)).fetchone()[0] > 0


@pytest.mark.parametrize("payload", [b"[1, 2, 3]", b'{"document": 5}', b"\x80\x04K\x01.", b"{" * 100_000, b'{"document": {"path": 1}}', b""])
def test_cache_rows_of_the_wrong_shape_are_misses(run_cli, tmp_path, payload):
    import sqlite3

    lib = _library(tmp_path)
    _, expected, _ = _scan(run_cli, lib, "--no-cache")
    _scan(run_cli, lib)
    with sqlite3.connect(lib / ".doccheck" / "cache.sqlite") as db:
        db.execute("UPDATE results SET payload = ?, details = ?", (payload, payload))
    _, report, err = _scan(run_cli, lib)
    assert "Traceback" not in err and _findings(report) == _findings(expected)
    assert report["summary"]["documents"] == len(expected["documents"])


@pytest.mark.parametrize(("field", "value"), [(0, 5), (1, None), (2, 99), (2, True), (3, 7), (5, ["body", 1, 2, 3, 4]), (5, ["body", "1", None, None, None, None]),
                                            (6, None), (7, 3), (9, "1"), (9, False), (10, [1]), (10, [1, "2"]), (11, 1.5), (12, None), (12, "x"),
                                            (12, [["a.md"]]), (12, [["a.md", ["body", None, None, None, None, 3]]]), (13, None)])
def test_a_cached_finding_with_one_field_of_the_wrong_shape_is_a_miss(field, value):
    """Cached findings are read field by field into doccheck's types: one wrong field and the row is not doccheck's."""
    import orjson

    from doccheck.records import RecordError, decode_result, encode_result
    from doccheck.worker import Settings, check_file
    from doccheck.engine.loader import default_paths

    result = check_file(str(FIXTURES / "sops" / "SOP-QA-004-document-control.md"), "SOP.md", Settings(tuple(str(p) for p in default_paths())))
    result.findings = [f._replace(related=(("b.md", f.location),)) for f in result.findings]
    payload = encode_result(result)
    assert decode_result(payload).findings == result.findings and result.findings  # the round trip, related places included
    record = orjson.loads(payload)
    record["findings"][0][field] = value
    with pytest.raises(RecordError):
        decode_result(orjson.dumps(record))


def test_a_cache_path_naming_an_input_document_is_refused_untouched(run_cli, tmp_path):
    lib = _library(tmp_path)
    target = lib / "sops" / "SOP-QA-012-capa.docx"
    before = target.read_bytes()
    code, _, err = run_cli("scan", ".", "--cache", str(target), "--no-config", cwd=lib)
    assert code == 2 and str(target) in err and "not a doccheck cache" in err
    assert target.read_bytes() == before
    (lib / "doccheck.yaml").write_text(f"cache: {target}\n", encoding="utf-8")  # from a configuration file too
    code, _, err = run_cli("scan", ".", cwd=lib)
    assert code == 2 and target.read_bytes() == before


def test_a_cache_owned_by_someone_else_is_not_read(run_cli, tmp_path, monkeypatch, caplog):
    lib = _library(tmp_path)
    _scan(run_cli, lib)
    real = os.getuid()
    monkeypatch.setattr(os, "getuid", lambda: real + 1)  # as if the file belonged to another user
    _, report, err = _scan(run_cli, lib)
    assert "belongs to another user" in caplog.text and (lib / ".doccheck" / "cache.sqlite.rebuilt").exists()
    assert report["documents"]


# --- limits -----------------------------------------------------------------------------------

def test_a_backtracking_heading_line_reads_at_once():
    from doccheck.extract import extract

    started = time.monotonic()
    doc = extract(BAD / "atx-backtrack.md")
    assert time.monotonic() - started < 5  # it took minutes with the backtracking pattern
    assert doc.blocks[0].kind == "heading" and doc.blocks[0].text.startswith("Heading")


@pytest.mark.parametrize("title, expected", [("# Title", "Title"), ("## Title ##", "Title"), ("# C# #", "C#"), ("### a ### b", "a ### b"), ("#5 not a heading", None)])
def test_atx_headings_still_read_their_closing_sequence(tmp_path, title, expected):
    from doccheck.extract import extract

    (tmp_path / "h.md").write_text(title + "\n\ntext\n", encoding="utf-8")
    first = extract(tmp_path / "h.md").blocks[0]
    assert (first.text if first.kind == "heading" else None) == expected


def test_an_invalid_front_matter_date_is_a_document_control_finding(run_cli):
    code, out, err = run_cli("scan", str(BAD / "invalid-front-date.md"), "--no-cache", "--no-config", "--format", "json")
    assert code == 1, err
    (doc,) = json.loads(out)["documents"]
    dc003 = [f for f in doc["findings"] if f["rule"] == "DC-003"]
    assert dc003 and "'2024-02-30', not a calendar date" in dc003[0]["message"]


def test_front_matter_aliases_within_budget_still_read(tmp_path):
    from doccheck.extract import extract

    (tmp_path / "ok.md").write_text("---\nrevision: &r C\nversion: *r\napprovers: &p [A. Smith, B. Jones]\napproved_by: *p\n---\n# T\n", encoding="utf-8")
    doc = extract(tmp_path / "ok.md")
    assert doc.readable and doc.metadata.best("revision").value == "C"


# --- content checked, or said not to be ---------------------------------------------------------

def test_altchunk_content_is_checked_and_rtf_is_reported(run_cli):
    code, out, _ = run_cli("scan", str(BAD / "altchunk.docx"), "--no-cache", "--no-config", "--format", "json", "--fail-on", "info")
    (doc,) = json.loads(out)["documents"]
    cited = {f["text"] for f in doc["findings"] if f["rule"].startswith("QMSR-REF")}
    assert {"21 CFR 820.30(j)", "21 CFR 820.181"} <= cited  # from the HTML chunk and the nested .docx
    assert any(f["rule"] == "READ-002" and "chunk3.rtf" in f["message"] for f in doc["findings"])


def test_relationships_back_to_the_body_read_it_once():
    from doccheck.extract import extract

    assert [b.text for b in extract(BAD / "self-relationships.docx").blocks] == [b.text for b in extract(FIXTURES / "formats" / "all-parts.docx").blocks]


def test_pdf_form_fields_and_notes_are_read_and_an_embedded_file_is_reported(run_cli):
    """Field values and notes are read (a filled-in form is not "scanned"), not doccheck's own note; like
    Word comments they are outside the text layer a reader of the page sees: no QSR finding there."""
    code, out, _ = run_cli("scan", str(BAD / "form-fields.pdf"), "--no-cache", "--no-config", "--format", "json", "--fail-on", "info")
    (doc,) = json.loads(out)["documents"]
    assert not any("OCR" in f["message"] for f in doc["findings"])
    assert not [f for f in doc["findings"] if f["rule"].startswith("QMSR-")]
    code, out, _ = run_cli("extract", str(BAD / "form-fields.pdf"), "--format", "json")
    extracted = json.loads(out)["documents"][0]
    assert [(b["location"]["part"], b["text"]) for b in extracted["blocks"]] == [
        ("comment", "Design changes are controlled per 21 CFR 820.30(i)."), ("comment", "Reviewer: the DHF is kept per 21 CFR 820.30(j).")]
    assert extracted["facts"]["embedded_files"] == ["attachment.docx"]
    assert any(f["rule"] == "READ-002" and "embedded file 'attachment.docx'" in f["message"] for f in doc["findings"])


# --- the same limits with --jobs 0, extract and annotate ----------------------------------------

def test_jobs_0_checks_in_this_process_under_the_time_limit(tmp_path):
    from doccheck.api import scan

    (tmp_path / "long.md").write_text("# Long\n\n" + "The DHF is kept per 21 CFR 820.30(j) and 820.181.\n\n" * 20_000, encoding="utf-8")
    report = scan([tmp_path / "long.md"], Config(root=tmp_path, use_cache=False, jobs=0, timeout=0.2))
    (result,) = report.documents
    assert result.document.problems[0].reason == "timeout"


def test_jobs_0_checks_in_this_process_under_the_memory_cap(tmp_path, monkeypatch):
    import doccheck.parallel as parallel
    from doccheck.api import scan

    def greedy(path, display, settings):  # type: ignore[no-untyped-def]
        return bytearray(64 * 1024**3)  # more than any cap

    monkeypatch.setattr(parallel, "check_file", greedy)
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    before = resource.getrlimit(resource.RLIMIT_AS)
    (result,) = scan([tmp_path / "a.md"], Config(root=tmp_path, use_cache=False, jobs=0, memory_mb=1024)).documents
    assert result.document.problems[0].reason == "too-large"
    assert resource.getrlimit(resource.RLIMIT_AS) == before  # the process's own limit is given back


def test_extract_reads_in_workers_under_the_time_limit(run_cli, tmp_path, monkeypatch):
    import doccheck.worker as worker

    real = worker.check_file

    def slow(path, display, settings, extracted=None):  # type: ignore[no-untyped-def]
        if path.endswith("slow.md"):
            time.sleep(60)
        return real(path, display, settings, extracted)  # NOTE: a file the prefetch helper read comes extracted

    monkeypatch.setattr(worker, "check_file", slow)
    import doccheck.parallel as parallel

    monkeypatch.setattr(parallel, "check_file", slow)
    (tmp_path / "slow.md").write_text("# Slow\n", encoding="utf-8")
    (tmp_path / "ok.md").write_text("# OK\n\nper 21 CFR 820.30\n", encoding="utf-8")
    started = time.monotonic()
    code, out, err = run_cli("extract", "slow.md", "ok.md", "--format", "json", "--timeout", "2", cwd=tmp_path)
    assert code == 0 and time.monotonic() - started < 30, err
    docs = {d["path"]: d for d in json.loads(out)["documents"]}
    assert docs["slow.md"]["problems"][0]["reason"] == "timeout"
    assert any("820.30" in b["text"] for b in docs["ok.md"]["blocks"])


def test_a_sites_pattern_from_configuration_runs_in_linear_time(run_cli, tmp_path):
    folder = tmp_path / ("a" * 60 + "c")
    folder.mkdir()
    (folder / "x.md").write_text("# X\n", encoding="utf-8")
    (tmp_path / "doccheck.yaml").write_text('sites: "^(?P<site>(a+)+)b"\n', encoding="utf-8")  # catastrophic for a backtracking engine
    started = time.monotonic()
    code, _, err = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert code in (0, 1), err
    assert time.monotonic() - started < 30
    (tmp_path / "doccheck.yaml").write_text('# sites\nsites: "(?P<site>\\\\w+)/\\\\1"\n', encoding="utf-8")
    code, _, err = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert code == 2 and "doccheck.yaml:2" in err and "backreferences" in err


@pytest.mark.parametrize("setting, says", [
    ("timeout: .nan", "'timeout' must be a number of seconds"),
    ("jobs: 99999999999999999999", "'jobs' must be from 0 to"),
    ('document_types: {"*": no-such-type}', "unknown document type(s) no-such-type"),
    ("rules: [/dev/zero]", "neither a rule file nor a folder"),
    ("waivers: /dev/zero", "which is not a file"),
    ("rules: [missing-pack.yaml]", "which does not exist"),
])
def test_configuration_values_that_once_crashed_or_hung_are_errors_at_their_line(run_cli, tmp_path, setting, says):
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    (tmp_path / "doccheck.yaml").write_text(f"fail_on: error\n{setting}\n", encoding="utf-8")
    code, _, err = run_cli("scan", ".", "--no-cache", cwd=tmp_path)
    assert code == 2 and "doccheck.yaml:2:1: " in err and says in err, err


def test_a_rule_pack_that_is_not_a_regular_file_is_an_error_not_an_endless_read(run_cli, tmp_path):
    os.mkfifo(tmp_path / "pack.yaml")
    (tmp_path / "a.md").write_text("# A\n", encoding="utf-8")
    code, _, err = run_cli("scan", "a.md", "--no-cache", "--no-config", "--rules", str(tmp_path / "pack.yaml"), cwd=tmp_path)
    assert code == 2 and "not a regular file" in err


def test_a_history_path_that_is_not_a_history_file_is_refused_untouched(run_cli, tmp_path):
    import shutil

    target = tmp_path / "SOP.md"
    shutil.copy(FIXTURES / "sops" / "SOP-QA-004-document-control.md", target)
    before = target.read_bytes()
    code, _, err = run_cli("report", str(FIXTURES / "sops"), "--no-config", "-o", str(tmp_path / "r.html"), "--history", str(target), cwd=tmp_path)
    assert code == 2 and "not a doccheck history file" in err and target.read_bytes() == before


@pytest.mark.parametrize("name", ["SOP-DC-003-design-control.pdf", "SOP-QA-004-document-control.md"])
def test_a_file_edited_after_the_parent_hashed_it_is_cached_under_what_the_worker_read(run_cli, tmp_path, monkeypatch, name):
    import shutil

    import doccheck.api as api

    lib = tmp_path / "lib"
    lib.mkdir()
    target = lib / name
    shutil.copy(FIXTURES / "sops" / name, target)
    old = target.read_bytes()
    new = (FIXTURES / "bad" / "invalid-front-date.md").read_bytes() if name.endswith(".md") else (FIXTURES / "clean" / "SOP-CH-010-complaints.pdf").read_bytes()
    real = api._content_hash

    def hash_then_edit(path):  # type: ignore[no-untyped-def]
        digest = real(path)
        if path.name == name:
            target.write_bytes(new)  # the edit lands between the parent's hash and the worker's read
        return digest

    monkeypatch.setattr(api, "_content_hash", hash_then_edit)
    _, edited, _ = _scan(run_cli, lib, "--jobs", "1")
    monkeypatch.setattr(api, "_content_hash", real)
    target.write_bytes(old)  # back to the content the parent hashed: its key must not hold the edit's findings
    _, again, _ = _scan(run_cli, lib)
    _, fresh, _ = _scan(run_cli, lib, "--no-cache")
    assert _findings(again) == _findings(fresh) != _findings(edited)
    assert edited["documents"][0]["sha256"] == hashlib.sha256(new).hexdigest()


def test_a_timeout_is_cached_for_the_same_content_and_settings_and_rechecked_with_more_time(tmp_path, monkeypatch):
    import shutil

    import doccheck.parallel as parallel
    from doccheck.api import scan

    lib = _library(tmp_path)
    real = parallel.check_file

    def slow(path, display, settings):  # type: ignore[no-untyped-def]
        if "QM-001" in path:
            time.sleep(60)
        return real(path, display, settings)

    shutil.copy(FIXTURES / "sops" / "QM-001-quality-manual.md", lib / "sops" / "QM-001-quality-manual.md")
    monkeypatch.setattr(parallel, "check_file", slow)
    monkeypatch.chdir(lib)
    cache = tmp_path / "cache.sqlite"

    def timed_out(report) -> bool:  # type: ignore[no-untyped-def]
        (result,) = [r for r in report.documents if "QM-001" in r.document.path]
        return bool(result.document.problems) and result.document.problems[0].reason == "timeout"

    assert timed_out(scan(["."], Config(root=lib, jobs=1, timeout=2, cache=cache)))
    started = time.monotonic()
    assert timed_out(scan(["."], Config(root=lib, jobs=1, timeout=2, cache=cache)))
    assert time.monotonic() - started < 2  # from the cache: a file that timed out is not read again on every run
    monkeypatch.setattr(parallel, "check_file", real)
    assert not timed_out(scan(["."], Config(root=lib, jobs=1, timeout=60, cache=cache)))  # more time: checked again


def test_an_object_embedded_in_a_word_document_is_listed_and_reported(tmp_path):
    import zipfile

    from doccheck.extract import extract

    target = tmp_path / "with-object.docx"
    target.write_bytes((FIXTURES / "formats" / "all-parts.docx").read_bytes())
    with zipfile.ZipFile(target, "a") as zf:
        zf.writestr("word/embeddings/Microsoft_Excel_Worksheet.xlsx", b"PK\x03\x04 a workbook")
    doc = extract(target)
    assert doc.facts["embedded_files"] == ["Microsoft_Excel_Worksheet.xlsx"]
    assert [p.message for p in doc.problems] == ["contains an embedded file 'Microsoft_Excel_Worksheet.xlsx' that was not checked"]


def test_findings_inside_imported_content_are_commented_on_the_annotated_copy(run_cli, tmp_path):
    import docx

    code, _, err = run_cli("annotate", str(BAD / "altchunk.docx"), "--out", str(tmp_path / "out"), "--no-config")
    assert code == 0, err
    comments = " ".join(c.text for c in docx.Document(str(tmp_path / "out" / "altchunk.docx")).comments)
    assert "820.181" in comments and "imported content chunk2.docx" in comments
