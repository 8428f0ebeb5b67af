"""``doccheck rules list|explain|validate|test``: the rule packs, for the people who own them."""

from __future__ import annotations

from pathlib import Path

import click

from doccheck.errors import DoccheckUserError, ExitStatus

_PATHS = click.argument("paths", nargs=-1, type=click.Path(path_type=Path))


def _load(paths: tuple[Path, ...]):  # type: ignore[no-untyped-def]
    from doccheck.engine.loader import load_rules

    return load_rules(list(paths) or None)


@click.group(name="rules")
def rules_group() -> None:
    """List, explain, validate and test rule packs (default: the shipped packs)."""


@rules_group.command(name="list")
@_PATHS
def list_rules(paths: tuple[Path, ...]) -> int:
    """One line per rule: id, severity, category, name."""
    for rule in _load(paths).rules:
        click.echo(f"{rule.id:16} {str(rule.severity):8} {rule.category:19} {rule.name}")
    return ExitStatus.OK


@rules_group.command(name="docs")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), default=Path("docs/rules"), show_default=True,
              help="Folder for the pages.")
@_PATHS
def docs(out_dir: Path, paths: tuple[Path, ...]) -> int:
    """Write one Markdown reference page per rule (what SARIF's helpUri points at)."""
    from doccheck.report.output import write_atomic
    from doccheck.rules_doc import page

    rules = _load(paths).rules
    for rule in rules:
        write_atomic(out_dir / f"{rule.id}.md", page(rule))
    click.echo(f"wrote {len(rules)} rule page(s) to {out_dir}", err=True)
    return ExitStatus.OK


@rules_group.command()
@click.argument("rule_id")
@click.option("--rules", "paths", multiple=True, type=click.Path(path_type=Path), help="Rule packs to look in.")
def explain(rule_id: str, paths: tuple[Path, ...]) -> int:
    """Description, source, message and examples of one rule."""
    rule = next((r for r in _load(paths).rules if r.id == rule_id), None)
    if rule is None:
        raise DoccheckUserError(f"no rule with id {rule_id} (see 'doccheck rules list')")
    lines = [
        f"{rule.id}  {rule.name}",
        f"type: {rule.type}   category: {rule.category}   severity: {rule.severity}"
        + (f"   in legacy documents: {rule.legacy_severity}" if rule.legacy_severity else ""),
        *(["under headings: " + ", ".join(f"'{words}' {sev}" for words, sev in rule.by_section.items())] if rule.by_section else []),
        f"defined in: {rule.file}:{rule.line}",
        "",
        rule.description,
        "",
        f"source: {rule.source}",
        f"message: {rule.message}",
    ]
    if rule.suggestion:
        lines.append(f"suggestion: {rule.suggestion}")
    for kind in ("fire", "pass"):
        lines.append(f"\nexamples that must {'fire' if kind == 'fire' else 'not fire'}:")
        lines.extend(f"  - {example!r}" for example in rule.examples.get(kind, ()))
    click.echo("\n".join(lines))
    return ExitStatus.OK


@rules_group.command()
@_PATHS
def validate(paths: tuple[Path, ...]) -> int:
    """Check packs (and, for the shipped packs, the corpora); every problem as file:line:col."""
    ruleset = _load(paths)
    if not paths:
        from doccheck.nlp.corpus_check import check
        from doccheck.resources import data_dir
        from doccheck.yamlpos import load

        names = ("part820", "crosswalk", "iso13485", "terms", "standards")
        problems = check({n: load(data_dir("corpora") / f"{n}.yaml") for n in names})
        if problems:
            raise DoccheckUserError("corpora: " + "\n".join(problems))
    click.echo(f"{len(ruleset.rules)} rules in {len(ruleset.files)} file(s): valid")
    return ExitStatus.OK


@rules_group.command()
@_PATHS
@click.option("-v", "--verbose", is_flag=True, help="Show every example, not only failures.")
def test(paths: tuple[Path, ...], verbose: bool) -> int:
    """Run every rule's examples through the real pipeline (extract, tag, check)."""
    from doccheck.testing import run_examples

    results = list(run_examples(_load(paths).rules))
    for result in results:
        if verbose or not result.ok:
            click.echo(str(result))
    failed = sum(1 for r in results if not r.ok)
    click.echo(f"{len(results) - failed} passed, {failed} failed")
    return ExitStatus.FINDINGS if failed else ExitStatus.OK


@click.group(name="waivers")
def waivers_group() -> None:
    """Accepted findings (doccheck-waivers.yaml)."""


@waivers_group.command(name="add")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--justification", required=True, help="Why these findings are accepted.")
@click.option("--owner", required=True, help="Who answers for them.")
@click.option("--expires", type=click.DateTime(formats=["%Y-%m-%d"]), help="Date after which the waivers stop applying.")
@click.option("--select", multiple=True, help="Only findings of these rule ids or prefixes.")
@click.option("--file", "waiver_file", type=click.Path(path_type=Path, dir_okay=False), help="Waiver file [default: doccheck-waivers.yaml of the configuration].")
def add(paths: tuple[Path, ...], justification: str, owner: str, expires, select: tuple[str, ...], waiver_file: Path | None) -> int:  # type: ignore[no-untyped-def]
    """Write a waiver for every current finding (adopting doccheck on a legacy library)."""
    from doccheck import api, waivers
    from doccheck import config as config_module
    from doccheck.report.output import write_atomic

    config = config_module.discover()
    target = waiver_file or config.waivers_path or config.root / "doccheck-waivers.yaml"
    report = api.scan(paths, config)
    findings = [f for f in report.all_findings() if not select or any(f.rule.startswith(p) for p in select)]
    findings = [f for f in findings if f.category != "unreadable"]  # an unread file is never "accepted"
    entries = waivers.entries_for(findings, justification, owner, expires.date() if expires else None)
    existing = target.read_text(encoding="utf-8") if target.exists() else None
    write_atomic(target, waivers.append_text(existing, entries), [Path(r.document.path) for r in report.documents])
    click.echo(f"{len(entries)} waiver(s) added to {target}")
    return ExitStatus.OK
