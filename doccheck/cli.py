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
from collections.abc import Iterable
from pathlib import Path

import click

from doccheck import __version__
from doccheck.config import FAIL_LEVELS, Config
from doccheck.errors import DoccheckUserError, ExitStatus, Terminated
from doccheck.finding import Severity
from doccheck.yamlpos import YamlError

EXIT_HELP = "Exit codes: 0 clean (below --fail-on), 1 findings, 2 usage/config/rule error, 3 internal error."


@click.group(help=f"Check controlled documents (docx, pdf, md, txt) for QMSR/ISO 13485 compliance.\n\n{EXIT_HELP}",
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="doccheck")
def cli() -> None:
    pass


def _finite(param: click.Parameter, value: float | None) -> float | None:
    """click's FloatRange lets "nan" through (no comparison with NaN is true): a time limit that never ends."""
    if value is not None and value != value:
        raise click.BadParameter("must be a number of seconds, not nan", param=param)
    return value


def _exit_code(max_severity: Severity | None, fail_on: str, exit_zero: bool) -> int:
    if exit_zero or fail_on == "never" or max_severity is None:
        return ExitStatus.OK
    return ExitStatus.FINDINGS if max_severity >= Severity.parse(fail_on) else ExitStatus.OK


def _emit(text: str | Iterable[str], output: Path | None, inputs: list[Path]) -> None:
    """Text (or its pieces, written as they come) to standard output or, atomically, to ``output``."""
    if output is None:
        whole = text if isinstance(text, str) else "".join(text)
        click.echo(whole.encode("utf-8", "backslashreplace").decode("utf-8"), nl=False)  # never an encoding error on a name
        return
    from doccheck.report.output import write_atomic

    write_atomic(output, text, inputs)
    click.echo(f"wrote {output}", err=True)


def _checked(key: str, value: str) -> str:
    """A command-line value checked as the configuration file's is (exit 2 with the reason)."""
    from doccheck.config import _convert

    try:
        return _convert(key, value, Path.cwd())
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint=f"--{key}") from None


def _config(config_file: Path | None, no_config: bool, **overrides: object) -> Config:
    from doccheck import config as config_module

    if no_config:
        base = Config()
    elif config_file:
        if not config_file.is_file():
            raise DoccheckUserError(f"configuration file does not exist: {config_file}")
        base = config_module.load_file(config_file) or Config(root=config_file.parent.resolve())
    else:
        base = config_module.discover()
    return base.with_overrides(**overrides)


def _outputs(formats: tuple[str, ...], output: Path | None) -> list[tuple[str, Path | None]]:
    """``--format sarif:out.sarif`` pairs; ``--output`` goes to the first format without a file."""
    from doccheck.report.render import FORMATS

    pairs: list[tuple[str, Path | None]] = []
    for item in formats or ("text",):
        fmt, _, target = item.partition(":")
        if fmt not in FORMATS:
            raise click.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}", param_hint="--format")
        pairs.append((fmt, Path(target) if target else None))
    if output is not None:
        free = next((i for i, (_, t) in enumerate(pairs) if t is None), None)
        if free is None:
            raise click.BadParameter("every --format already names its file", param_hint="--output")
        pairs[free] = (pairs[free][0], output)
    if sum(1 for _, t in pairs if t is None) > 1:
        raise click.BadParameter("only one format can go to standard output; give the others a file (FORMAT:FILE)", param_hint="--format")
    return pairs


class _Progress:
    """A progress bar on an interactive terminal; nothing in pipes, files or CI logs."""

    def __init__(self, enabled: bool | None) -> None:
        auto = sys.stderr.isatty() and not os.environ.get("CI")
        self.enabled = auto if enabled is None else enabled
        self.bar = None

    def __call__(self, done: int, total: int, shown: str) -> None:
        if not self.enabled or total < 2:
            return
        if self.bar is None:
            self.bar = click.progressbar(length=total, label="checking", file=sys.stderr, show_pos=True)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "formats", multiple=True, metavar="FORMAT[:FILE]", help="text (default), json, sarif, junit, github or csv; FORMAT:FILE writes to FILE (repeatable).")
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the (first) report to FILE.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file (default: found by walking up).")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--rules", "rules", multiple=True, type=click.Path(path_type=Path), help="Extra rule pack file or folder (repeatable).")
@click.option("--no-default-rules", is_flag=True, help="Use only the packs given with --rules.")
@click.option("--select", multiple=True, help="Only rules with this id or id prefix (repeatable).")
@click.option("--extend-select", multiple=True, help="Add rules to the default selection, e.g. the opt-in style pack: STYLE- (repeatable).")
@click.option("--ignore", multiple=True, help="Skip rules with this id or id prefix (repeatable).")
@click.option("--fail-on", type=click.Choice(FAIL_LEVELS), help="Lowest severity that makes the exit code 1 [default: error].")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even with findings (report-only runs).")
@click.option("-j", "--jobs", type=click.IntRange(min=0), help="Worker processes [default: all cores]; 0 checks in this process.")
@click.option("--cache", "cache_path", type=click.Path(path_type=Path, dir_okay=False), help="Cache file [default: .doccheck/cache.sqlite beside the configuration].")
@click.option("--no-cache", is_flag=True, help="Check every file again and store nothing.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=7 * 24 * 3600), callback=lambda ctx, param, v: _finite(param, v),
              help="Seconds per file before it is reported as unreadable [default: 120].")
@click.option("--executor", help="Where files are checked: local worker processes [default], or a Dask cluster: dask://HOST:PORT, "
              "or dask with the address in $DASK_SCHEDULER_ADDRESS (needs doccheck[dask]).")
@click.option("--progress/--no-progress", default=None, help="Progress bar [default: on an interactive terminal].")
@click.option("--statistics", is_flag=True, help="Text output: a count per rule instead of every finding.")
@click.option("--show-info", is_flag=True, help="Text output: list information findings too (by default counted, not listed; every other format has them all).")
@click.option("--annotate", "annotate_dir", type=click.Path(path_type=Path, file_okay=False), help="Also write annotated copies (Word comments, PDF highlights) under DIR.")
@click.option("--history", "history_db", type=click.Path(path_type=Path, dir_okay=False), help="Append this scan's counts to the SQLite history FILE.")
def scan(paths: tuple[Path, ...], formats: tuple[str, ...], output: Path | None, config_file: Path | None, no_config: bool,
         rules: tuple[Path, ...], no_default_rules: bool, select: tuple[str, ...], extend_select: tuple[str, ...], ignore: tuple[str, ...], fail_on: str | None,
         exit_zero: bool, jobs: int | None, cache_path: Path | None, no_cache: bool, timeout: float | None, executor: str | None, progress: bool | None,
         statistics: bool, show_info: bool, annotate_dir: Path | None, history_db: Path | None) -> int:
    """Check documents and folders (recursively) and report findings."""
    from doccheck import api
    from doccheck.report.render import chunks

    targets = _outputs(formats, output)
    config = _config(config_file, no_config, select=select or None, extend_select=extend_select or None, ignore=ignore or None, fail_on=fail_on, jobs=jobs,
                     cache=cache_path, timeout=timeout, use_cache=False if no_cache else None, default_rules=False if no_default_rules else None)
    if executor is not None:
        config = config.with_overrides(executor=_checked("executor", executor))
    if rules:
        config = config.with_overrides(rules=config.rules + tuple(p.resolve() for p in rules))
    bar = _Progress(progress)
    shows_text = any(fmt == "html" for fmt, _ in targets) or annotate_dir is not None
    try:
        report = api.scan(paths, config, progress=bar, details=shows_text)
    finally:
        bar.close()
    inputs = [Path(r.document.path) for r in report.documents]
    if shows_text:
        api.load_details(report, config)  # these show the text: blocks load from the cache or the file
    for fmt, target in targets:
        color = target is None and fmt == "text" and sys.stdout.isatty()
        if fmt == "text" and statistics:
            from doccheck.report.text import statistics as per_rule

            _emit(per_rule(report), target, inputs)
            continue
        listed = show_info or config.fail_on == "info"  # NOTE: a run that fails on information shows it
        _emit(chunks(fmt, report, report.rules, config.fail_on, color, listed), target, inputs)
    annotated = _annotated(report, annotate_dir, track_changes=False, fix=False, in_place=False) if annotate_dir else True
    if history_db:
        _append_history(history_db, report, config)
    code = _exit_code(report.max_severity(), config.fail_on, exit_zero)
    return code if annotated or exit_zero else max(code, ExitStatus.FINDINGS)


def _append_history(path: Path, report, config: Config) -> None:  # type: ignore[no-untyped-def]
    from doccheck import history
    from doccheck.engine.setcontext import assign_sites, common_root

    documents = [(r.document.path, r.set_facts) for r in report.documents]
    history.append(path, report, assign_sites(documents, common_root([p for p, _ in documents]), config.sites))


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["html", "json", "csv"]), default="html", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write the report to FILE.")
@click.option("--history", "history_db", type=click.Path(path_type=Path, dir_okay=False), help="SQLite history: this scan is appended, the trend shown.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
def report(paths: tuple[Path, ...], fmt: str, output: Path | None, history_db: Path | None, config_file: Path | None, no_config: bool) -> int:
    """The QMSR readiness report: procedure coverage matrix, findings by site and category, trend."""
    from doccheck import api, readiness

    config = _config(config_file, no_config, set_analysis="always")
    result = api.scan(paths, config)
    trend = []
    if history_db:
        from doccheck import history

        _append_history(history_db, result, config)
        trend = history.trend(history_db)
    data = readiness.build(result, config.not_applicable, config.sites, trend)
    text = {"html": readiness.render_html, "json": readiness.render_json, "csv": readiness.render_csv}[fmt](data)
    _emit(text, output, [Path(r.document.path) for r in result.documents])
    return ExitStatus.OK


def _annotated(report, out_dir: Path | None, track_changes: bool, fix: bool, in_place: bool) -> bool:  # type: ignore[no-untyped-def]
    """Write the annotated copies; False when a file could not be annotated (each named on stderr)."""
    from doccheck.annotate import annotate as write_annotations

    written, failed = write_annotations(report, out_dir, track_changes, fix, in_place)
    for item in written:
        click.echo(f"wrote {item.target} ({item.annotations} annotation(s))", err=True)
    for item in failed:
        click.echo(f"could not annotate {item.source}: {item.reason}", err=True)
    return not failed


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), help="Folder for the annotated copies.")
@click.option("--track-changes", is_flag=True, help="Word: also write each term/reference suggestion as a tracked change.")
@click.option("--fix", is_flag=True, help="Markdown/text: apply plain replacements to a copy under --out.")
@click.option("--in-place", is_flag=True, help="With --fix: rewrite the Markdown/text files themselves.")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False), help="Configuration file.")
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option("--select", multiple=True, help="Only rules with this id or id prefix (repeatable).")
@click.option("--ignore", multiple=True, help="Skip rules with this id or id prefix (repeatable).")
def annotate(paths: tuple[Path, ...], out_dir: Path | None, track_changes: bool, fix: bool, in_place: bool,
             config_file: Path | None, no_config: bool, select: tuple[str, ...], ignore: tuple[str, ...]) -> int:
    """Write the findings into copies of the documents: Word comments, PDF highlights, Markdown fixes."""
    from doccheck import api

    if in_place and not fix:
        raise click.BadParameter("--in-place goes with --fix", param_hint="--in-place")
    if out_dir is None and not in_place:
        raise click.BadParameter("give the output folder with --out DIR", param_hint="--out")
    config = _config(config_file, no_config, select=select or None, ignore=ignore or None)
    report = api.scan(paths, config, details=True)
    api.load_details(report, config)
    return ExitStatus.OK if _annotated(report, out_dir, track_changes, fix, in_place) else ExitStatus.FINDINGS


@cli.command(epilog=EXIT_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), help="Write to FILE.")
@click.option("--tags", is_flag=True, help="Also tag citations and terms, and list the tags.")
@click.option("--timeout", type=click.FloatRange(min=0.1, max=7 * 24 * 3600), default=Config.timeout, show_default=True,
              callback=lambda ctx, param, v: _finite(param, v), help="Seconds per file before it is reported as not read.")
def extract(paths: tuple[Path, ...], fmt: str, output: Path | None, tags: bool, timeout: float) -> int:
    """Show what doccheck reads: metadata with sources, facts, and every block with its location."""
    from doccheck import api
    from doccheck.report import extracted

    # NOTE: read in the scan's workers, under the same time and memory limits (a hostile file is a
    # problem in the output, not a hung or exhausted shell); no configuration: what is read never depends on one
    report = api.scan(paths, Config(root=Path.cwd(), use_cache=False, timeout=timeout), details=True)
    docs = [r.document for r in report.documents]
    if not tags:
        for doc in docs:
            doc.tags = []
    _emit(extracted.render_json(docs) if fmt == "json" else extracted.render_text(docs), output, [Path(d.path) for d in docs])
    return ExitStatus.OK


@cli.command(epilog=EXIT_HELP)
@click.option("--force", is_flag=True, help="Replace a doccheck.yaml that doccheck init wrote before.")
def init(force: bool) -> int:
    """Write a commented doccheck.yaml here, and a .doccheck/ cache folder that git ignores."""
    from importlib.resources import files

    from doccheck.report.output import write_atomic

    target = Path("doccheck.yaml")
    template = files("doccheck").joinpath("templates/doccheck.yaml").read_text(encoding="utf-8")
    if target.exists():
        ours = target.read_text(encoding="utf-8", errors="replace").startswith("# doccheck configuration (written by `doccheck init`")
        if not (force and ours):
            raise DoccheckUserError(f"{target} exists; doccheck init never overwrites a file it did not write" + (" (--force replaces one it did)" if ours else ""))
    write_atomic(target, template)
    ignore = Path(".doccheck") / ".gitignore"
    if not ignore.exists():
        write_atomic(ignore, "# created by doccheck\n*\n")
    click.echo(f"wrote {target} and {ignore}", err=True)
    return ExitStatus.OK


from doccheck.rules_cli import rules_group, waivers_group  # noqa: E402

cli.add_command(rules_group)
cli.add_command(waivers_group)


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


def _on_sigterm(signum: int, frame: object) -> None:
    raise Terminated()


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into an exit code (the single error boundary).

    Ctrl-C and SIGTERM end the run with one line (exit 130 and 143): the workers stop (they
    ignore SIGINT themselves, so no worker prints a traceback), the files already checked are
    in the cache, and no report is half written (outputs are written whole, or not at all).
    """
    import signal
    import threading

    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, _on_sigterm)
    else:  # pragma: no cover - embedded use from a thread: leave signals alone
        previous = None
    try:
        result = cli.main(args=argv, prog_name="doccheck", standalone_mode=False)
        return int(result or 0)
    except Terminated:
        click.echo("terminated", err=True)
        return ExitStatus.TERMINATED
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
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def run() -> None:
    """Console-script entry point."""
    raise SystemExit(main())
