"""Shared test helpers: fixture paths and one way to run the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from doccheck.cli import main
from doccheck.model import Block, Document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
REALDOCS = ROOT.parent / "shared" / "realdocs" / "docs"  # the labelled real documents (CI clones beside ../shared)
GOLDEN = FIXTURES / "expected"


def assert_golden(name: str, text: str) -> None:
    """``text`` equals the golden file ``fixtures/expected/NAME`` (``DOCCHECK_UPDATE_GOLDEN=1`` rewrites it: review the diff)."""
    path = GOLDEN / name
    if os.environ.get("DOCCHECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def find(doc: Document, phrase: str) -> Block:
    """The one block of ``doc`` that contains ``phrase``."""
    hits = [b for b in doc.blocks if phrase in b.text]
    assert len(hits) == 1, f"{phrase!r} found in {len(hits)} blocks"
    return hits[0]


@pytest.fixture
def run_cli(capsys, monkeypatch):
    """Run ``doccheck ARGS`` in-process from the repository root; returns (exit code, stdout, stderr)."""

    def run(*args: str, cwd: Path = ROOT) -> tuple[int, str, str]:
        monkeypatch.chdir(cwd)
        code = main([str(a) for a in args])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def scan_json(run_cli):
    def scan(*args: str) -> tuple[int, dict]:
        code, out, err = run_cli("scan", "--format", "json", *args)
        assert code in (0, 1), err
        return code, json.loads(out)

    return scan
