"""The Python API the CLI is built on: ``doccheck.api.scan(paths) -> Report``."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path

from doccheck.errors import DoccheckUserError
from doccheck.results import DocumentResult, Report

SCAN_SUFFIXES = {".docx", ".docm", ".pdf", ".md", ".markdown", ".txt", ".doc", ".dot", ".rtf", ".odt", ".wpd", ".pages"}


def display_path(path: Path) -> str:
    """Paths relative to the working directory where possible, with forward slashes."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def discover(paths: Iterable[str | Path]) -> list[Path]:
    """Files to check: named files as given; folders walked for supported (and legacy) types.

    Hidden files and folders and Office lock files (``~$x.docx``) are skipped; symbolic
    links to folders are not followed, so a link loop cannot trap the walk.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not _hidden(d))
                for name in sorted(files):
                    if not _hidden(name) and Path(name).suffix.lower() in SCAN_SUFFIXES:
                        found.append(Path(root) / name)
        else:
            raise DoccheckUserError(f"path does not exist: {raw}")
    return list(dict.fromkeys(found))


def scan(
    paths: Iterable[str | Path],
    rules_paths: list[Path] | None = None,
    select: tuple[str, ...] = (),
    ignore: tuple[str, ...] = (),
) -> Report:
    """Extract and check every document under ``paths``."""
    from doccheck.engine.loader import load_rules
    from doccheck.engine.run import check_document, needs_tags, selected
    from doccheck.extract import extract

    started = time.perf_counter()
    ruleset = load_rules(rules_paths)
    rules = [r for r in ruleset.rules if selected(r.id, select, ignore)]
    tagging = needs_tags(rules)
    report = Report()
    for path in discover(paths):
        doc = extract(path, display=display_path(path))
        if tagging and doc.readable:
            from doccheck.nlp import tag_document  # NOTE: imports spaCy; only when a rule needs tags

            tag_document(doc)
        report.documents.append(DocumentResult(doc, check_document(doc, rules)))
    report.elapsed = time.perf_counter() - started
    return report
