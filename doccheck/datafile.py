"""Reading the data files doccheck is told about (configuration, rule packs, waivers) from paths
that a configuration in any parent folder may give: regular files only, each under a size
limit, rule folders under an entry limit. ``/dev/zero``, a FIFO or ``/`` are errors naming the
path, never a read without end."""

from __future__ import annotations

import os
from pathlib import Path

from doccheck.yamlpos import Problem, YamlError

MAX_BYTES = 8 * 1024 * 1024  # a rule pack or a configuration is a few kilobytes; the largest shipped pack ~60 KB
MAX_ENTRIES = 20_000  # entries looked at under one rule folder


def read_bytes(path: Path, what: str = "file") -> bytes:
    name = str(path)
    try:
        with open(path, "rb", opener=_no_block) as fh:
            if not os.path.isfile(path) or not _regular(fh.fileno()):
                raise YamlError([Problem(name, 1, 1, f"{what} is not a regular file")])
            data = fh.read(MAX_BYTES + 1)
    except OSError as exc:
        raise YamlError([Problem(name, 1, 1, f"cannot read {what} ({exc.strerror or exc})")]) from None
    if len(data) > MAX_BYTES:
        raise YamlError([Problem(name, 1, 1, f"{what} is larger than {MAX_BYTES // (1024 * 1024)} MB")])
    return data


def read_text(path: Path, what: str = "file") -> str:
    data = read_bytes(path, what)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise YamlError([Problem(str(path), 1, 1, f"{what} is not UTF-8 text (byte {exc.start})")]) from None


def yaml_files(folder: Path) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` below ``folder`` (symbolic links to folders not followed), sorted."""
    found: list[Path] = []
    seen = 0
    for top, dirs, files in os.walk(folder):
        seen += len(dirs) + len(files)
        if seen > MAX_ENTRIES:
            raise YamlError([Problem(str(folder), 1, 1, f"rule folder holds more than {MAX_ENTRIES:,} entries; is it the right folder?")])
        dirs.sort()
        found.extend(Path(top) / f for f in files if f.endswith((".yaml", ".yml")))
    return sorted(p for p in found if p.is_file())


def _no_block(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NONBLOCK", 0))  # NOTE: opening a FIFO for reading would wait for a writer


def _regular(fd: int) -> bool:
    import stat

    return stat.S_ISREG(os.fstat(fd).st_mode)
