"""The ``doccheck`` command line: a thin click layer over `doccheck.api`.

Exit codes: 0 nothing at or above the failure threshold, 1 findings, 2 usage, configuration
or rule error, 3 internal error (one line here, the traceback in the log file).
"""

from __future__ import annotations

import datetime as dt
import os
import platform
import sys
import tempfile
import traceback
from pathlib import Path

import click

from doccheck import __version__
from doccheck.errors import DoccheckUserError, ExitStatus
from doccheck.finding import Severity
from doccheck.yamlpos import YamlError

EXIT_HELP = "Exit codes: 0 clean (below --fail-on), 1 findings, 2 usage/config/rule error, 3 internal error."
FAIL_LEVELS = ("error", "warning", "info", "never")


@click.group(help=f"Check controlled documents (docx, pdf, md, txt) for QMSR/ISO 13485 compliance.\n\n{EXIT_HELP}")
@click.version_option(__version__, prog_name="doccheck")
def cli() -> None:
    pass


def _exit_code(max_severity: Severity | None, fail_on: str, exit_zero: bool) -> int:
    if exit_zero or fail_on == "never" or max_severity is None:
        return ExitStatus.OK
    return ExitStatus.FINDINGS if max_severity >= Severity.parse(fail_on) else ExitStatus.OK


def _emit(text: str, output: Path | None, inputs: list[Path]) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from doccheck.report.output import write_atomic

    write_atomic(output, text, inputs)
    click.echo(f"wrote {output}", err=True)


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE.")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path), help="Extra rule pack file or folder (repeatable).")
@click.option("--no-default-rules", is_flag=True, help="Use only the packs given with --rules.")
@click.option("--select", multiple=True, help="Only rules with this id or id prefix (repeatable).")
@click.option("--ignore", multiple=True, help="Skip rules with this id or id prefix (repeatable).")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), default="error", show_default=True, help="Lowest severity that makes the exit code 1.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (report-only runs).")
def scan(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    rules: tuple[Path, ...],
    no_default_rules: bool,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    exit_zero: bool,
) -> int:
    """Check documents and folders (recursively) and report findings."""
    from doccheck import api
    from doccheck.engine.loader import default_paths

    rules_paths = ([] if no_default_rules else default_paths()) + list(rules)
    report = api.scan(paths, rules_paths=rules_paths, select=select, ignore=ignore)
    if fmt == "json":
        from doccheck.report.json import render
        text = render(report)
    else:
        from doccheck.report import text as text_report
        text = text_report.render(report, color=output is None and sys.stdout.isatty())
    _emit(text, output, [Path(r.document.path) for r in report.documents])
    return _exit_code(report.max_severity(), fail_on, exit_zero)


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--tags", is_flag=True, help="Also tag citations and terms, and list the tags.")
def extract(paths: tuple[Path, ...], fmt: str, output: Path | None, tags: bool) -> int:
    """Show what doccheck reads: metadata with sources, facts, and every block with its location."""
    from doccheck import api
    from doccheck.extract import extract as extract_one
    from doccheck.report import extracted

    docs = [extract_one(p, display=api.display_path(p)) for p in api.discover(paths)]
    if tags:
        from doccheck.nlp import tag_document

        for doc in docs:
            tag_document(doc)
    _emit(extracted.render_json(docs) if fmt == "json" else extracted.render_text(docs), output, [Path(d.path) for d in docs])
    return ExitStatus.OK


from doccheck.rules_cli import rules_group  # noqa: E402

cli.add_command(rules_group)


def _log_failure() -> Path:
    """Write the traceback and versions to doccheck.log (or the temp folder if cwd is read-only)."""
    body = (
        f"doccheck {__version__} on Python {platform.python_version()} ({platform.platform()})\n"
        f"time: {dt.datetime.now(dt.timezone.utc).isoformat()}\nargv: {sys.argv}\n\n{traceback.format_exc()}"
    )
    for folder in (Path.cwd(), Path(tempfile.gettempdir())):
        path = Path(os.environ.get("DOCCHECK_LOG", folder / "doccheck.log"))
        try:
            path.write_text(body, encoding="utf-8")
            return path
        except OSError:
            continue
    return Path("(log could not be written)")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into an exit code (the single error boundary)."""
    try:
        result = cli.main(args=argv, prog_name="doccheck", standalone_mode=False)
        return int(result or 0)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("interrupted", err=True)
        return ExitStatus.INTERRUPTED
    except click.ClickException as exc:
        exc.show()
        return ExitStatus.USAGE
    except YamlError as exc:
        for problem in exc.problems:
            click.echo(f"error: {problem}", err=True)
        return ExitStatus.USAGE
    except DoccheckUserError as exc:
        click.echo(f"error: {exc}", err=True)
        return ExitStatus.USAGE
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        return ExitStatus.INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - the boundary: anything else is a bug
        log = _log_failure()
        click.echo(f"internal error: {exc.__class__.__name__}: {exc} (traceback in {log})", err=True)
        return ExitStatus.INTERNAL


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
