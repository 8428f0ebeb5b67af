"""The README's set-up commands are the ones CI runs."""

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
