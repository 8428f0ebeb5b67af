"""The pre-commit hook, run by the real pre-commit framework against a temporary repository."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from conftest import FIXTURES, ROOT


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_pre_commit_try_repo(tmp_path):
    repo = tmp_path / "documents"
    repo.mkdir()
    _git(repo, "init", "-q")
    shutil.copy(FIXTURES / "clean" / "SOP-DOC-001-document-control.md", repo / "good.md")
    shutil.copy(FIXTURES / "sops" / "WI-label-inspection.txt", repo / "bad.txt")
    (repo / "notes.py").write_text("print('not a document')\n")
    _git(repo, "add", ".")
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.invalid", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.invalid",
    }

    def try_repo(*files: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            ["pre-commit", "try-repo", str(ROOT), "doccheck", "--verbose", "--files", *files],
            cwd=repo, env=env, capture_output=True, text=True, timeout=1200,
        )

    passing = try_repo("good.md", "notes.py")
    assert passing.returncode == 0, passing.stdout + passing.stderr
    assert "doccheck" in passing.stdout and "Passed" in passing.stdout
    failing = try_repo("good.md", "bad.txt")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "Failed" in failing.stdout and "bad.txt:4:68: error QMSR-REF-001" in failing.stdout
