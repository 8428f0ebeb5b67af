"""No command modifies an input: every file under a scanned tree is byte-identical, same mtime, after each."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES


def _state(tree: Path, only: set[Path] | None = None) -> dict[str, tuple[str, int]]:
    files = only or {p for p in tree.rglob("*") if p.is_file()}
    return {str(p.relative_to(tree)): (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns) for p in files}


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "library"
    for sub in ("sops", "formats", "clean"):
        shutil.copytree(FIXTURES / sub, root / sub)
    (root / "bad").mkdir()
    for name in ("encrypted.pdf", "corrupt-truncated.docx", "utf16-bom.txt", "broken-xref.pdf"):
        shutil.copy(FIXTURES / "bad" / name, root / "bad" / name)
    return root


COMMANDS = [
    ("scan", "."),
    ("scan", ".", "--format", "json:../out/r.json", "--format", "sarif:../out/r.sarif", "--format", "junit:../out/r.xml", "--format", "csv:../out/r.csv", "--format", "html:../out/r.html"),
    ("scan", ".", "--annotate", "../annotated"),
    ("annotate", ".", "--out", "../annotated2", "--track-changes", "--fix"),
    ("extract", ".", "--tags", "--format", "json"),
    ("waivers", "add", "sops", "--justification", "test", "--owner", "QA", "--file", "../waivers.yaml"),
    ("rules", "test"),
    ("report", ".", "--history", "../history.sqlite", "-o", "../readiness.html"),
    ("report", ".", "--format", "csv", "-o", "../coverage.csv"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c[:2]) for c in COMMANDS])
def test_command_leaves_inputs_untouched(run_cli, tree, command):
    inputs = {p for p in tree.rglob("*") if p.is_file()}
    before = _state(tree, inputs)
    code, _, err = run_cli(*command, cwd=tree)
    assert code in (0, 1), err
    assert _state(tree, inputs) == before
