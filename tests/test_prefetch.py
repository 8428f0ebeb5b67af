"""Two or more workers: the parent imports spaCy once while a helper extracts the first files (doccheck.prefetch).

Each scan runs in a fresh process, as a user's does: in this test process spaCy is loaded
already, and a scan here forks its workers warm without a helper.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from conftest import ROOT

from doccheck.api import scan
from doccheck.config import Config

FILES = 12  # two workers' worth (doccheck.parallel.FILES_PER_WORKER)

# extract() is replaced before the scan, so the helper and the workers forked later log every
# call (process id, file) and the chosen fault strikes a00.md, the first file the helper claims
SCRIPT = """
import json, os, sys, time
from pathlib import Path
import doccheck.extract as extraction
real, log, fault = extraction.extract, Path(sys.argv[2]), os.environ.get("FAULT", "")
def traced(path, *args, **kwargs):
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{os.getpid()} {int('spacy' in sys.modules)} {Path(path).name}\\n")
    if Path(path).name == "a00.md" and fault == "abort":
        os.abort()
    if Path(path).name == "a00.md" and fault == "hang":
        time.sleep(60)
    return real(path, *args, **kwargs)
extraction.extract = traced
import doccheck.cache, doccheck.parallel
if os.environ.get("TRUST_NEW_FILES"):  # files written a moment ago count as unchanged when their stat matches
    doccheck.cache.RACY_NS = -10**9
workers = []
_slot_init = doccheck.parallel._Slot.__init__
def counted(self, *args, **kwargs):
    workers.append(1)
    _slot_init(self, *args, **kwargs)
doccheck.parallel._Slot.__init__ = counted
if fault == "warm":  # the worker started early dies importing spaCy
    import doccheck.parallel
    doccheck.parallel._warm = os.abort
from doccheck.api import scan
from doccheck.config import Config
root = Path(sys.argv[1])
cache = os.environ.get("CACHE")
report = scan([root], Config(root=root, jobs=int(sys.argv[3]), use_cache=bool(cache), cache=Path(cache) if cache else None, timeout=float(sys.argv[4])))
import multiprocessing
left = multiprocessing.active_children()
print(json.dumps({"parent": os.getpid(), "spacy_here": "spacy" in sys.modules, "children_left": len(left), "workers": len(workers), "cached": sum(r.cached for r in report.documents),
                  "findings": {r.document.path: [[f.rule, str(f.location), f.message, f.severity.name] for f in r.findings] for r in report.documents}}))
"""


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return _folder(tmp_path, FILES)


@pytest.fixture(params=[FILES, 3], ids=["two workers", "one worker and a spare core"])
def folders(request, tmp_path: Path) -> Path:
    """Two workers, or a few files (a pre-commit run): one worker imports spaCy while the helper extracts on the other core."""
    return _folder(tmp_path, request.param)


def _folder(tmp_path: Path, files: int) -> Path:
    lib = tmp_path / "lib"
    lib.mkdir()
    for i in range(files):
        cite = "21 CFR 820.30(j)" if i % 2 else "the Device Master Record"
        (lib / f"a{i:02d}.md").write_text(f"# Procedure {i}\n\n## 1 Purpose\n\nRecords follow {cite} and are kept.\n", encoding="utf-8")
    return lib


def _scan_in_fresh_process(folder: Path, jobs: int = 2, timeout: float = 60, fault: str = "", cache: Path | None = None,
                           trust_new_files: bool = False) -> tuple[dict, list[tuple[int, str, bool]]]:
    """(the scan's report, each extraction as (process id, file, whether that process had imported spaCy))."""
    log = folder.parent / "extracted.log"
    log.unlink(missing_ok=True)
    done = subprocess.run([sys.executable, "-c", SCRIPT, str(folder), str(log), str(jobs), str(timeout)], cwd=folder, capture_output=True, text=True,
                          timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT), "FAULT": fault, "CACHE": str(cache or ""),
                                                        "TRUST_NEW_FILES": "1" if trust_new_files else ""})
    assert done.returncode == 0, done.stderr
    calls = [(int(pid), name, spacy == "1") for pid, spacy, name in (line.split(" ", 2) for line in (log.read_text(encoding="utf-8").splitlines() if log.exists() else []))]
    return json.loads(done.stdout.strip().splitlines()[-1]), calls


def _serial(folder: Path) -> dict:
    report = scan([folder], Config(root=folder, jobs=0, use_cache=False))
    return {r.document.path: [[f.rule, str(f.location), f.message, f.severity.name] for f in r.findings] for r in report.documents}


def test_two_workers_give_the_serial_report_and_extract_each_file_once(folder, monkeypatch):
    monkeypatch.chdir(folder)
    out, calls = _scan_in_fresh_process(folder)
    assert out["findings"] == _serial(folder)
    assert sorted(name for _, name, _ in calls) == sorted(p.name for p in folder.iterdir())  # once each: the helper's files are not read again
    helper = calls[0][0]  # a00.md, claimed first, by the helper while the parent imported spaCy
    assert helper != out["parent"] and sum(pid == helper for pid, _, _ in calls) >= 1
    assert out["spacy_here"]  # the workers forked from the parent's pipeline


def test_a_few_files_are_extracted_by_the_helper_while_the_one_worker_imports_spacy(tmp_path, monkeypatch):
    folder = _folder(tmp_path, 3)
    monkeypatch.chdir(folder)
    out, calls = _scan_in_fresh_process(folder, jobs=2)
    assert out["findings"] == _serial(folder) and not out["spacy_here"]  # the worker imported it, not the parent
    assert sorted(name for _, name, _ in calls) == ["a00.md", "a01.md", "a02.md"]  # once each
    helper = calls[0][0]
    assert helper != out["parent"] and all(pid == helper and not spacy for pid, _, spacy in calls)  # spaCy takes far longer than three small files


def test_with_the_cache_the_one_worker_starts_at_once_and_the_helper_reads_what_the_cache_lacks(tmp_path, monkeypatch):
    folder = _folder(tmp_path, 3)
    monkeypatch.chdir(folder)
    cache = tmp_path / "cache.sqlite"
    out, calls = _scan_in_fresh_process(folder, cache=cache)
    assert out["findings"] == _serial(folder) and out["cached"] == 0 and not out["spacy_here"]
    assert sorted(name for _, name, _ in calls) == ["a00.md", "a01.md", "a02.md"] and not any(spacy for _, _, spacy in calls)
    out, calls = _scan_in_fresh_process(folder, cache=cache)  # all from the cache: the worker started for them is gone
    assert out["findings"] == _serial(folder) and out["cached"] == 3 and calls == [] and out["children_left"] == 0 and out["workers"] == 1
    _scan_in_fresh_process(folder, cache=cache, trust_new_files=True)  # their stat recorded with their hash
    out, calls = _scan_in_fresh_process(folder, cache=cache, trust_new_files=True)  # known unchanged: no worker at all
    assert out["cached"] == 3 and calls == [] and out["workers"] == 0
    (folder / "a01.md").write_text("# Procedure 1\n\nThe DHR is kept.\n", encoding="utf-8")
    out, calls = _scan_in_fresh_process(folder, cache=cache)
    assert out["findings"] == _serial(folder) and out["cached"] == 2 and [name for _, name, _ in calls] == ["a01.md"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_worker_that_dies_importing_spacy_costs_no_file(tmp_path, monkeypatch, jobs):
    folder = _folder(tmp_path, 3)
    monkeypatch.chdir(folder)
    out, calls = _scan_in_fresh_process(folder, jobs=jobs, fault="warm")
    assert out["findings"] == _serial(folder)


def test_one_worker_keeps_spacy_out_of_the_parent(folder, monkeypatch):
    monkeypatch.chdir(folder)
    out, calls = _scan_in_fresh_process(folder, jobs=1)
    assert out["findings"] == _serial(folder) and not out["spacy_here"]
    assert len({pid for pid, _, _ in calls}) == 1 and len(calls) == FILES  # the one worker read every file


def test_a_file_the_helper_crashes_on_costs_only_itself(folders, monkeypatch):
    folder = folders
    monkeypatch.chdir(folder)
    out, calls = _scan_in_fresh_process(folder, fault="abort")
    serial = _serial(folder)
    (rule, _, message, _), = out["findings"].pop("a00.md")
    assert rule == "READ-001" and "crashed" in message and "signal 6" in message
    serial.pop("a00.md")
    assert out["findings"] == serial
    assert Counter(name for _, name, _ in calls)["a00.md"] == 1  # reported, not tried again


def test_a_file_the_helper_hangs_on_runs_out_of_the_time_limit_alone(folders, monkeypatch):
    folder = folders
    monkeypatch.chdir(folder)
    out, calls = _scan_in_fresh_process(folder, timeout=3, fault="hang")
    serial = _serial(folder)
    (rule, _, message, _), = out["findings"].pop("a00.md")
    assert rule == "READ-001" and "longer than 3 s" in message
    serial.pop("a00.md")
    assert out["findings"] == serial




def test_workers_that_die_before_reading_any_file_end_the_scan_as_an_internal_error(tmp_path):
    """Not a loop that forks worker after worker: past three deaths per worker before any file is read,
    the scan stops with one line (exit 3) and the traceback in the log."""
    folder = _folder(tmp_path, 3)
    script = ("import sys\nimport doccheck.parallel\ndoccheck.parallel._send = lambda slot, message: False  # every pipe broken\n"
              "from doccheck.cli import main\nsys.exit(main(['scan', sys.argv[1], '--no-cache', '--no-config', '--jobs', '1']))\n")
    done = subprocess.run([sys.executable, "-c", script, str(folder)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "DOCCHECK_LOG": str(tmp_path / "doccheck.log")})
    assert done.returncode == 3, done.stderr
    assert "workers died 4 times before reading a file" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" in (tmp_path / "doccheck.log").read_text(encoding="utf-8")
