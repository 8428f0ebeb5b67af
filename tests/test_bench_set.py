"""bench/bench_set.py keeps working: its generated sets hold what it claims, and one tiny measurement runs."""

from __future__ import annotations

import sys
from collections import Counter

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import bench_set  # noqa: E402


def test_generated_set_and_one_measurement(tmp_path, monkeypatch):
    """(The mixed set needs reportlab, the bench extra, for its PDFs; the test environment has not.)"""
    monkeypatch.setattr(bench_set, "OUT", tmp_path)
    folder = bench_set.generate(20, 30, "md")
    assert Counter(p.parent.name for p in folder.rglob("*.md")) == {"site-a": 10, "site-b": 10}
    r = bench_set.measure(folder, jobs=2, repeat=1)
    assert r["documents"] == 20
    assert r["findings"] > 0  # the generated references and sites give set-level findings
    assert r["without"] > 0 and r["with"] > 0 and r["low"] <= r["adds"] <= r["high"]


def test_instruction_counts_name_the_command_and_each_process_it_forks():
    """bench/instructions.py: the command's own process is told from its forked children, and the
    counts are the same on every run (the figure the benches quote on a shared machine)."""
    import instructions

    program = "import os\nif os.fork() == 0:\n    sum(range(200000))\n    os._exit(0)\nos.wait()\n"
    own, counts = instructions.count([sys.executable, "-S", "-c", program])
    assert own in counts and len(counts) == 2
    child = next(n for pid, n in counts.items() if pid != own)
    assert child > counts[own]  # the child's loop is counted in the child, not in its parent
    again_own, again = instructions.count([sys.executable, "-S", "-c", program])
    assert again[again_own] == counts[own] and sorted(again.values()) == sorted(counts.values())
