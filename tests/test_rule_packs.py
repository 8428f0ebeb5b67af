"""The shipped rule packs: structure, examples through the real pipeline, and malformed packs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from doccheck.engine.loader import load_rules
from doccheck.engine.registry import TYPES
from doccheck.testing import run_examples

from conftest import ROOT

PREFIX = {"core": "READ", "document-control": "DC", "qmsr": "QMSR", "iso13485": "ISO", "standards": "STD", "set": "SET", "style": "STYLE", "external": "EXT"}
BAD_PACKS = sorted((ROOT / "tests" / "data" / "bad-packs").glob("*.yaml"))


@pytest.fixture(scope="module")
def ruleset():
    return load_rules()


def test_every_rule_has_examples_and_a_source(ruleset):
    for rule in ruleset.rules:
        assert rule.examples.get("fire") and rule.examples.get("pass"), rule.id
        assert rule.source.strip() and rule.description.strip(), rule.id


def test_ids_are_unique_and_match_their_pack(ruleset):
    ids = [r.id for r in ruleset.rules]
    assert len(ids) == len(set(ids))
    for rule in ruleset.rules:
        pack = Path(rule.file).parent.name
        assert rule.id.startswith(PREFIX[pack] + "-"), (rule.id, pack)


def test_every_rule_type_is_used_by_a_shipped_rule(ruleset):
    assert {r.type for r in ruleset.rules} == set(TYPES)


def test_every_example_behaves(ruleset):
    failures = [str(r) for r in run_examples(ruleset.rules) if not r.ok]
    assert failures == []


def test_rules_test_command_passes(run_cli):
    code, out, _ = run_cli("rules", "test")
    assert code == 0 and re.search(r"^\d+ passed, 0 failed$", out, re.M)


def test_rules_list_explain_validate(run_cli):
    code, out, _ = run_cli("rules", "list")
    assert code == 0 and "QMSR-REF-001" in out and "ISO-REQ-004" in out
    code, out, _ = run_cli("rules", "explain", "QMSR-REF-001")
    assert code == 0 and "source: 21 CFR 820 (QMSR" in out and "820.30(j)" in out
    code, out, _ = run_cli("rules", "validate")
    assert code == 0 and "valid" in out
    code, _, err = run_cli("rules", "explain", "NOPE-1")
    assert code == 2 and "no rule with id NOPE-1" in err


def test_a_failing_example_fails_rules_test(run_cli, tmp_path):
    pack = tmp_path / "rules" / "mine.yaml"
    pack.parent.mkdir()
    pack.write_text(
        "schema: 1\npack: mine\nrules:\n  - id: MINE-001\n    name: x\n    type: pattern\n    category: obsolete-term\n"
        "    severity: info\n    patterns: ['widget']\n    description: d\n    source: s\n    message: m\n"
        "    examples: {fire: ['no match here'], pass: ['a widget']}\n",
        encoding="utf-8",
    )
    code, out, _ = run_cli("rules", "test", str(pack))
    assert code == 1
    assert "MINE-001 fire example 1: FAILED" in out and "MINE-001 pass example 1: FAILED" in out and "0 passed, 2 failed" in out


@pytest.mark.parametrize("pack", BAD_PACKS, ids=[p.stem for p in BAD_PACKS])
def test_malformed_pack_exits_2_naming_file_and_line(run_cli, pack: Path):
    expected = [line.split("expect:", 1)[1].strip() for line in pack.read_text().splitlines() if line.startswith("# expect:")]
    assert expected, "each bad pack states what it must report"
    code, _, err = run_cli("rules", "validate", str(pack))
    assert code == 2
    for message in expected:
        assert f"{pack}:{message}" in err, err
    code, _, err = run_cli("scan", "fixtures/clean", "--rules", str(pack))
    assert code == 2 and f"{pack}:{expected[0]}" in err
