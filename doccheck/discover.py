"""Which files a scan covers, and how their paths are shown."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path

from doccheck.errors import DoccheckUserError

ANNOTATED_MARKER = ".doccheck-annotated"  # in a folder of annotated copies: scans skip the folder
SCAN_SUFFIXES = {".docx", ".docm", ".pdf", ".md", ".markdown", ".txt", ".doc", ".dot", ".rtf", ".odt", ".wpd", ".pages"}


def display_path(path: Path) -> str:
    """Paths relative to the working directory where possible, with forward slashes."""
    raw = os.fspath(path)
    if not os.path.isabs(raw):
        return os.path.normpath(raw).replace(os.sep, "/")
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        try:
            return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
        except ValueError:
            return path.as_posix()


def _hidden(name: str) -> bool:
    return name.startswith(".") or name.startswith("~$")


def _excluded(path: Path, exclude: tuple[str, ...]) -> bool:
    if not exclude:
        return False
    shown = display_path(path)
    return any(fnmatch.fnmatch(shown, g) or fnmatch.fnmatch(path.name, g) for g in exclude)


def discover(paths: Iterable[str | Path], include: tuple[str, ...] = (), exclude: tuple[str, ...] = ()) -> list[Path]:
    """Files to check: named files as given; folders walked for supported (and legacy) types.

    Hidden files and folders, Office lock files (``~$x.docx``) and folders of annotated copies
    (holding ``.doccheck-annotated``) are skipped below a folder given; symbolic links to folders
    are not followed, so a link loop cannot trap the walk.
    """
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_file():
            found.append(path)
        elif path.is_dir():
            found.extend(_walk(os.fspath(path), include, exclude))
        elif path.is_symlink():
            found.append(path)  # a dangling link: reported as unreadable, not skipped
        else:
            raise DoccheckUserError(f"path does not exist: {raw}")
    return list(dict.fromkeys(found))


def _walk(top: str, include: tuple[str, ...], exclude: tuple[str, ...]) -> list[Path]:
    """Files below ``top``, sorted, hidden ones and links to folders skipped (os.scandir: strings, not Paths)."""
    out: list[Path] = []
    try:
        entries = sorted(os.scandir(top), key=lambda e: e.name)
    except OSError:
        return out
    for entry in entries:
        name = entry.name
        if _hidden(name):
            continue
        try:
            is_dir = entry.is_dir(follow_symlinks=False)  # NOTE: never follow: a link loop cannot trap the walk
        except OSError:
            continue
        if is_dir:
            # NOTE: annotated copies (doccheck annotate --out) would double every finding of the next scan
            if not _excluded(Path(entry.path), exclude) and not os.path.exists(os.path.join(entry.path, ANNOTATED_MARKER)):
                out.extend(_walk(entry.path, include, exclude))
            continue
        if os.path.splitext(name)[1].lower() not in SCAN_SUFFIXES:
            continue
        candidate = Path(entry.path)
        if _excluded(candidate, exclude):
            continue
        if include and not any(fnmatch.fnmatch(display_path(candidate), g) or fnmatch.fnmatch(name, g) for g in include):
            continue
        out.append(candidate)
    return out
