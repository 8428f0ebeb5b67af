"""Locate the data shipped with doccheck: rule packs (``rules/``) and corpora (``corpora/``)."""

from __future__ import annotations

import functools
import hashlib
import sys
import sysconfig
from pathlib import Path
from typing import Any

import yaml


def data_dir(name: str) -> Path:
    """``rules`` or ``corpora``: beside the package in a checkout, else under ``share/doccheck``."""
    here = Path(__file__).resolve().parent.parent / name
    if here.is_dir():
        return here
    for base in (sysconfig.get_path("data"), sys.prefix):
        candidate = Path(base) / "share" / "doccheck" / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"doccheck data folder '{name}' is missing from this installation")


@functools.cache
def data_digest() -> str:
    """Hash of every corpus file: results depend on them as much as on the rule packs."""
    digest = hashlib.sha256()
    for path in sorted(data_dir("corpora").glob("*.yaml")):
        digest.update(path.name.encode() + path.read_bytes())
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """Hash of doccheck's own source files (names, sizes, modification times).

    NOTE: part of the cache key, so an edited checkout never reuses results of older code;
    the version alone does not change between releases.
    """
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")) + sorted(package.rglob("*.j2")):
        info = path.stat()
        digest.update(f"{path.relative_to(package)}|{info.st_size}|{info.st_mtime_ns}".encode())
    return digest.hexdigest()


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # NOTE: libyaml parses the corpora ~9x faster (crosswalk: 32 -> 4 ms)


@functools.cache
def corpus(name: str) -> Any:
    """A parsed corpus file, e.g. ``corpus("document-control.yaml")``."""
    with open(data_dir("corpora") / name, encoding="utf-8") as fh:
        return yaml.load(fh, Loader=_LOADER)  # noqa: S506 (a safe loader)
