"""A short, seeded fuzz run per extractor (the long one: python bench/fuzz.py)."""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import fuzz  # noqa: E402


@pytest.mark.parametrize("kind", sorted(fuzz.SEEDS))
def test_mutated_inputs_never_escape_the_extractor(kind):
    counts = fuzz.fuzz(kind, 150, seed=20260202, jobs=2, timeout=30)
    assert counts["inputs"] == 150
    assert (counts["internal-error"], counts["timeout"], counts["worker-crashed"]) == (0, 0, 0)
    assert counts["read"] > 0 and counts["unreadable"] > 0  # the mutations reach both outcomes


@pytest.mark.parametrize("what", ["caches", "configs"])
def test_mutated_caches_and_configurations_are_data(what):
    import fuzz_data

    counts = (fuzz_data.fuzz_caches if what == "caches" else fuzz_data.fuzz_configs)(60, seed=20260202)
    assert counts["inputs"] == 60
    assert {f: counts[f] for f in fuzz_data.FAILURES} == dict.fromkeys(fuzz_data.FAILURES, 0)
    assert counts["ok"] > 0
    if what == "configs":
        assert counts["refused"] > 0  # the mutations reach both outcomes
