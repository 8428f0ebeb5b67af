"""spaCy imported without its command line (doccheck.nlp.spacylib): less to import, nothing lost."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from doccheck.nlp.spacylib import import_lean

_CLI_ONLY = ("spacy.cli", "typer", "weasel", "httpx", "requests")


def test_a_process_that_builds_the_pipeline_imports_no_part_of_spacys_command_line() -> None:
    script = textwrap.dedent(
        f"""
        import sys
        from doccheck.nlp.pipeline import get_pipeline
        doc = get_pipeline()("See 21 CFR 820.30 and the Device History Record.")
        assert doc.spans["doccheck_terms"], "the pipeline tags"
        print(sorted({{m.split(".")[0] if not m.startswith("spacy.cli") else "spacy.cli" for m in sys.modules}} & set({_CLI_ONLY!r})))
        import spacy
        assert spacy.info()["spacy_version"] == spacy.__version__
        import spacy.cli
        assert callable(spacy.cli.download) and "typer" in sys.modules
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def _package(root: Path, name: str, init: str) -> None:
    (root / name / "cli").mkdir(parents=True)
    (root / name / "__init__.py").write_text(init, encoding="utf-8")
    (root / name / "cli" / "__init__.py").write_text(f"import {name}_heavy\nfrom .info import info\napp = 'the real app'\n", encoding="utf-8")
    (root / name / "cli" / "info.py").write_text("def info():\n    return 'the real info'\n", encoding="utf-8")
    (root / f"{name}_heavy.py").write_text("", encoding="utf-8")


@pytest.fixture()
def packages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(tmp_path))
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith(("leanpkg", "needy"))]:
        del sys.modules[name]


def test_the_command_line_is_left_out_and_its_function_imports_it_on_first_call(packages: Path) -> None:
    _package(packages, "leanpkg", "from .cli.info import info\nVALUE = 1\n")
    module = import_lean("leanpkg")
    assert module.VALUE == 1
    assert "leanpkg_heavy" not in sys.modules and "leanpkg.cli" not in sys.modules
    assert not hasattr(module, "cli")  # no placeholder left behind
    assert module.info() == "the real info"
    assert "leanpkg_heavy" in sys.modules and sys.modules["leanpkg.cli"].app == "the real app"


def test_a_package_that_needs_more_of_its_command_line_is_imported_as_usual(packages: Path) -> None:
    _package(packages, "needy", "from .cli.info import info\nfrom .cli import app\n")
    module = import_lean("needy")
    assert module.app == "the real app" and module.info() == "the real info"
    assert "needy_heavy" in sys.modules
