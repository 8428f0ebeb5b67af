"""Hostile and broken inputs: each gives its stated outcome, the batch goes on, nothing hangs."""

from __future__ import annotations

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
