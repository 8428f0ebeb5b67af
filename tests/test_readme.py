"""The README's set-up commands are the ones CI runs."""

import contextlib
import re

from conftest import ROOT


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("```sh\n", 1)[1].split("```", 1)[0]
    return [line for line in block.splitlines() if line.strip()]


def test_readme_opens_with_exactly_two_setup_commands():
    commands = _readme_commands()
    assert len(commands) == 2
    assert commands[0].endswith("doccheck scan fixtures/sops")
    assert "'.[test]'" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert _readme_commands()[1] in ci.splitlines()


def test_every_package_folder_is_a_regular_package():
    """setup.cfg's packages = find: drops folders without __init__.py from wheels."""
    folders = [p for p in (ROOT / "doccheck").rglob("*") if p.is_dir() and any(p.glob("*.py")) and p.name != "__pycache__"]
    assert folders and all((p / "__init__.py").exists() for p in folders), [str(p) for p in folders if not (p / "__init__.py").exists()]


def _blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [b.split("```", 1)[0] for b in text.split(f"```{language}\n")[1:]]


def test_journey_commands_run_on_a_real_library(tmp_path, run_cli):
    """Every `doccheck scan|waivers` line of the two journeys runs, against a copy of the sample SOPs."""
    import shlex
    import shutil

    from conftest import FIXTURES

    shutil.copytree(FIXTURES / "sops", tmp_path / "SOPs")
    shutil.copytree(FIXTURES / "sops", tmp_path / "SOPs" / "legacy")
    shutil.copytree(FIXTURES / "clean", tmp_path / "docs")
    journeys = (ROOT / "README.md").read_text(encoding="utf-8").split("## Journey 1", 1)[1].split("### Configuration", 1)[0]
    assert "## Journey 3" in journeys and "## Journey 4" in journeys
    commands = [line.split("#", 1)[0].strip() for block in journeys.split("```sh\n")[1:] for line in block.split("```", 1)[0].splitlines()]
    commands = [c for c in commands if c.startswith("doccheck ")]
    assert len(commands) >= 6
    with contextlib.ExitStack() as stack:
        for command in commands:
            if "--executor dask://" in command:  # the README's cluster is a LocalCluster here
                from distributed import LocalCluster

                cluster = stack.enter_context(LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                                                           dashboard_address=None, silence_logs=50))
                command = re.sub(r"dask://\S+", "dask://" + cluster.scheduler_address.removeprefix("tcp://"), command)
            code, out, err = run_cli(*shlex.split(command)[1:], cwd=tmp_path)
            assert code in (0, 1), (command, err)
    assert (tmp_path / "findings.csv").read_text(encoding="utf-8-sig").startswith("path,format,document_number")
    assert (tmp_path / "report.sarif").exists() and (tmp_path / "doccheck.sarif").exists() and (tmp_path / "doccheck.xml").exists()
    assert "waivers:" in (tmp_path / "doccheck-waivers.yaml").read_text()
    assert (tmp_path / "report.html").read_text().startswith("<!DOCTYPE html>")
    assert any((tmp_path / "reviewed").rglob("*.docx")) and any((tmp_path / "reviewed").rglob("*.pdf"))
    assert (tmp_path / "readiness.html").exists() and (tmp_path / "coverage.csv").read_text().startswith("requirement,")
    assert (tmp_path / ".doccheck" / "history.sqlite").exists()


def test_configuration_example_is_valid(tmp_path, run_cli):
    (config_block,) = [b for b in _blocks("yaml") if b.startswith("# doccheck.yaml")]
    (tmp_path / "our-rules").mkdir()
    (tmp_path / "doccheck.yaml").write_text(config_block, encoding="utf-8")
    (tmp_path / "docs").mkdir()
    code, _, err = run_cli("scan", "docs", cwd=tmp_path)
    assert code == 2 and "doccheck-waivers.yaml (set in" in err and "does not exist" in err
    (tmp_path / "doccheck-waivers.yaml").write_text("schema: 1\nwaivers: []\n", encoding="utf-8")
    code, out, err = run_cli("scan", "docs", cwd=tmp_path)
    assert code == 0 and "0 finding(s) in 0 document(s)" in out, err  # an empty folder: nothing to check
