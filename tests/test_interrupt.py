"""Ctrl-C and SIGTERM in a real terminal session: one line, exit 130/143, finished files cached, no half report.

The scan runs under a pseudo-terminal that is its controlling terminal, so Ctrl-C is the
terminal's own SIGINT to the whole foreground process group (the parent and its workers), as a
person at the keyboard sends it.
"""

from __future__ import annotations

import fcntl
import os
import pty
import shutil
import signal
import sqlite3
import subprocess
import sys
import termios
import time
from pathlib import Path

from conftest import REALDOCS

ROOT = Path(__file__).resolve().parent.parent


def _library(tmp_path: Path, copies: int = 12) -> Path:
    lib = tmp_path / "lib"
    for n in range(copies):
        for source in sorted(REALDOCS.glob("*.docx")):
            (lib / f"copy-{n:02d}").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, lib / f"copy-{n:02d}" / source.name)
    return lib


def _in_terminal(args: list[str], cwd: Path) -> tuple[subprocess.Popen, int]:
    master, slave = pty.openpty()

    def controlling_terminal() -> None:  # the child's own session, with the pty as its terminal
        os.setsid()
        fcntl.ioctl(slave, termios.TIOCSCTTY, 0)

    process = subprocess.Popen(args, cwd=cwd, stdin=slave, stdout=slave, stderr=slave, preexec_fn=controlling_terminal,
                               env={**os.environ, "PYTHONPATH": str(ROOT), "CI": ""}, close_fds=True)
    os.close(slave)
    return process, master


def _read_until(master: int, process: subprocess.Popen, done, timeout: float = 60) -> str:  # noqa: ANN001
    seen, end = b"", time.monotonic() + timeout
    while time.monotonic() < end and process.poll() is None and not done(seen.decode(errors="replace")):
        try:
            os.set_blocking(master, False)
            seen += os.read(master, 65536)
        except (BlockingIOError, OSError):
            time.sleep(0.05)
    return seen.decode(errors="replace")


def _drain(master: int, process: subprocess.Popen) -> str:
    process.wait(timeout=60)
    out = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.close(master)
    return out.decode(errors="replace")


def _cached(cache: Path) -> int:
    if not cache.exists():
        return 0
    with sqlite3.connect(cache) as db:
        return db.execute("SELECT count(*) FROM results WHERE key NOT LIKE 'blob:%'").fetchone()[0]  # documents, not the parsed rules


def _progress(text: str) -> int:
    """Files done according to the last progress bar update ("checking [###] 12/276")."""
    import re

    counts = [int(m.group(1)) for m in re.finditer(r"(\d+)/\d+", text)]
    return max(counts, default=0)


def test_ctrl_c_in_a_terminal_stops_quietly_and_keeps_the_finished_files(tmp_path):
    lib = _library(tmp_path)
    total = sum(1 for _ in lib.rglob("*.docx"))
    cache, report = tmp_path / "cache.sqlite", tmp_path / "report.json"
    process, master = _in_terminal([sys.executable, "-m", "doccheck", "scan", str(lib), "--cache", str(cache), "--progress",
                                    "--format", f"json:{report}", "--jobs", "2", "--no-config"], tmp_path)
    before = _read_until(master, process, lambda seen: _progress(seen) >= 6)
    assert process.poll() is None, before
    os.write(master, b"\x03")  # Ctrl-C at the keyboard
    after = _drain(master, process)
    assert process.returncode == 130, after
    assert "Traceback" not in before + after and "KeyboardInterrupt" not in before + after
    assert "interrupted" in after
    assert not report.exists() and not list(tmp_path.glob(".report.json.*"))  # no report, not even half of one
    kept = _cached(cache)
    assert 1 <= kept < total
    # the next run starts from there: the kept files come from the cache
    done = subprocess.run([sys.executable, "-m", "doccheck", "scan", str(lib), "--cache", str(cache), "--format", "json", "--no-config"],
                          cwd=tmp_path, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    import json

    assert json.loads(done.stdout)["summary"]["cached"] >= kept


def _scan_with_workers(tmp_path):  # type: ignore[no-untyped-def]
    """A scan in a terminal, two files done: (its process, the terminal, its worker pids)."""
    lib = _library(tmp_path, copies=6)
    process, master = _in_terminal([sys.executable, "-m", "doccheck", "scan", str(lib), "--no-cache", "--progress", "--jobs", "2", "--no-config"], tmp_path)
    _read_until(master, process, lambda seen: _progress(seen) >= 2)
    workers = subprocess.run(["pgrep", "-P", str(process.pid)], capture_output=True, text=True).stdout.split()
    assert workers
    return process, master, workers


def test_sigterm_ends_the_scan_and_its_workers(tmp_path):
    process, master, workers = _scan_with_workers(tmp_path)
    process.send_signal(signal.SIGTERM)
    after = _drain(master, process)
    assert process.returncode == 143 and "terminated" in after and "Traceback" not in after
    time.sleep(0.5)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")], "workers outlived the scan"


def test_workers_die_with_a_killed_parent(tmp_path):
    process, master, workers = _scan_with_workers(tmp_path)
    process.kill()  # SIGKILL: no clean-up runs in the parent
    _drain(master, process)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and [w for w in workers if os.path.exists(f"/proc/{w}")]:
        time.sleep(0.1)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}") and "zombie" not in Path(f"/proc/{w}/status").read_text().lower()]
