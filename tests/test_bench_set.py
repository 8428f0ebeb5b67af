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
