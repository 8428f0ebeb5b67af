"""Project configuration: found by walking up from the working directory, overridden by flags.

Looked for in each folder, first match wins: ``doccheck.yaml``, ``.doccheck.yaml``,
``setup.cfg`` with a ``[doccheck]`` section, ``pyproject.toml`` with ``[tool.doccheck]``.
Paths in a configuration file are relative to the folder that holds it. Unknown keys and
bad values are errors naming the file and line.
"""

from __future__ import annotations

import configparser
import dataclasses
import hashlib
import json
import math
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from doccheck.datafile import read_text
from doccheck.finding import Severity
from doccheck.yamlpos import PosDict, Problem, YamlError, load

FAIL_LEVELS = ("error", "warning", "info", "never")
FILES = ("doccheck.yaml", ".doccheck.yaml", "setup.cfg", "pyproject.toml")


@dataclass(frozen=True)
class Config:
    """Every setting, with its default; ``source`` names the file it came from (None: defaults)."""

    root: Path = field(default_factory=Path.cwd)
    source: str | None = None
    positions: dict[str, tuple[int, int]] = field(default_factory=dict, compare=False, repr=False)  # key -> (line, column) in `source`
    rules: tuple[Path, ...] = ()  # extra rule packs
    default_rules: bool = True
    select: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()  # added to the default selection (e.g. the opt-in style pack, STYLE-)
    ignore: tuple[str, ...] = ()
    per_path_ignores: dict[str, tuple[str, ...]] = field(default_factory=dict)  # glob -> rule ids/prefixes
    severity: dict[str, str] = field(default_factory=dict)  # rule id/prefix -> severity
    document_types: dict[str, str] = field(default_factory=dict)  # glob -> document type
    roles: dict[str, str] = field(default_factory=dict)  # glob -> role (controlled, record, template, external)
    fail_on: str = "error"
    jobs: int | None = None  # None: all cores
    cache: Path | None = None  # None: <root>/.doccheck/cache.sqlite
    use_cache: bool = True
    include: tuple[str, ...] = ()  # globs a file must match (default: every supported type)
    exclude: tuple[str, ...] = ()  # globs that skip a file or folder
    waivers: Path | None = None  # None: <root>/doccheck-waivers.yaml when it exists
    timeout: float = 120.0  # seconds per file
    memory_mb: int = 2048  # address-space cap per worker process
    not_applicable: dict[str, str] = field(default_factory=dict)  # requirement id -> justification
    sites: str | None = None  # regex with a (?P<site>...) group on document paths; "" (false): no sites; default: detected
    set_analysis: str = "auto"  # auto: when a folder is scanned; always; never
    complete_set: bool = False  # the scanned folders hold the whole QMS: absent documents and procedures are errors
    executor: str = "local"  # local worker processes, or a Dask cluster: dask (address in $DASK_SCHEDULER_ADDRESS), dask://HOST:PORT

    @property
    def cache_path(self) -> Path:
        return self.cache or self.root / ".doccheck" / "cache.sqlite"

    @property
    def waivers_path(self) -> Path | None:
        if self.waivers:
            return self.waivers
        default = self.root / "doccheck-waivers.yaml"
        return default if default.exists() else None

    def rule_paths(self) -> list[Path]:
        from doccheck.engine.loader import default_paths

        return (default_paths() if self.default_rules else []) + list(self.rules)

    def digest(self) -> str:
        """Hash of the settings that change which findings a file gets (part of the cache key)."""
        relevant = {
            "select": self.select, "extend_select": self.extend_select, "ignore": self.ignore, "document_types": self.document_types,
            "roles": self.roles,
            "set_facts": self.set_analysis != "never",  # cached results must carry set facts when set rules may run
        }
        return hashlib.sha256(json.dumps(relevant, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def with_overrides(self, **overrides: Any) -> Config:
        """Command-line flags over file settings; None means "not given"."""
        return dataclasses.replace(self, **{k: v for k, v in overrides.items() if v is not None})


_LISTS = {"select", "extend_select", "ignore", "include", "exclude"}
_PATHS = {"cache", "waivers"}
_KEYS = {f.name for f in dataclasses.fields(Config)} - {"root", "source", "use_cache"}


def _line_of(text: str, key: str) -> int:
    m = re.search(rf"^\s*{re.escape(key)}\s*[=:]", text, re.M)
    return text[: m.start()].count("\n") + 1 if m else 1


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v.strip() for v in re.split(r"[,\n]", value) if v.strip()]
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _as_mapping(value: Any) -> dict[str, Any]:
    if isinstance(value, dict):
        return dict(value)
    if isinstance(value, str):  # setup.cfg: "glob = value" lines
        return {k.strip(): v.strip() for k, v in (line.split("=", 1) for line in value.splitlines() if "=" in line)}
    raise ValueError("must be a mapping")


def _number(value: Any, kind: type, what: str) -> Any:
    """``value`` as an int or float, or a message that says what was expected ("jobs: two")."""
    if isinstance(value, bool):
        raise ValueError(f"must be {what} (got {value!r})")
    try:
        number = kind(str(value).strip()) if isinstance(value, str) else kind(value)
    except (TypeError, ValueError):
        raise ValueError(f"must be {what} (got {value!r})") from None
    if kind is int and isinstance(value, float) and value != number:
        raise ValueError(f"must be {what} (got {value!r})")
    if kind is float and not math.isfinite(number):
        raise ValueError(f"must be {what} (got {value!r})")
    return number


_MAXIMA = {"jobs": 1024, "memory_mb": 1024 * 1024, "timeout": 7 * 24 * 3600.0}  # beyond these a value is a typo


def _convert(key: str, value: Any, root: Path) -> Any:
    if key in _LISTS:
        return tuple(str(v) for v in _as_list(value))
    if key == "rules":
        paths = tuple((root / str(v)).resolve() for v in _as_list(value))
        for path in paths:
            if not path.exists():
                raise ValueError(f"names {path}, which does not exist")
            if not (path.is_file() or path.is_dir()):
                raise ValueError(f"names {path}, which is neither a rule file nor a folder")
        return paths
    if key in _PATHS:
        path = (root / str(value)).resolve() if value not in (False, None, "false") else None
        if path is not None and path.exists() and not path.is_file():
            raise ValueError(f"names {path}, which is not a file")
        return path
    if key in ("default_rules", "complete_set"):
        if isinstance(value, str):
            return value.strip().lower() in ("1", "true", "yes", "on")
        return bool(value)
    if key == "fail_on":
        if str(value) not in FAIL_LEVELS:
            raise ValueError(f"must be one of {', '.join(FAIL_LEVELS)}")
        return str(value)
    if key in ("jobs", "memory_mb"):
        number = _number(value, int, "a whole number")
        if not 0 <= number <= _MAXIMA[key]:
            raise ValueError(f"must be from 0 to {_MAXIMA[key]}")
        return number
    if key == "timeout":
        seconds = _number(value, float, "a number of seconds")
        if not 0 < seconds <= _MAXIMA[key]:
            raise ValueError(f"must be more than 0 seconds and at most {_MAXIMA[key]:g}")
        return seconds
    if key == "set_analysis":
        if str(value) not in ("auto", "always", "never"):
            raise ValueError("must be auto, always or never")
        return str(value)
    if key == "executor":
        text = str(value)
        if text != "local" and text != "dask" and not (text.startswith("dask://") and len(text) > len("dask://")):
            raise ValueError("must be local, dask or dask://HOST:PORT")
        return text
    if key == "sites":
        if value is False:
            return ""  # no sites: the set is one organisation
        from doccheck.userregex import compile_linear

        pattern = compile_linear(str(value))
        if "site" not in pattern.groupindex:
            raise ValueError("needs a (?P<site>...) group")
        return str(value)
    if key == "severity":
        out = {str(k): str(v) for k, v in _as_mapping(value).items()}
        for v in out.values():
            Severity.parse(v)
        return out
    if key == "per_path_ignores":
        return {str(k): tuple(str(x) for x in _as_list(v)) for k, v in _as_mapping(value).items()}
    if key == "not_applicable":
        out = {str(k): str(v or "").strip() for k, v in _as_mapping(value).items()}
        missing = [k for k, v in out.items() if not v]
        if missing:
            raise ValueError(f"needs a justification for {', '.join(missing)}")
        return out
    if key == "roles":
        from doccheck.profile import ROLES

        out = {str(k): str(v) for k, v in _as_mapping(value).items()}
        bad = sorted({v for v in out.values() if v not in ROLES})
        if bad:
            raise ValueError(f"unknown role(s) {', '.join(bad)} (choose from {', '.join(ROLES)})")
        return out
    from doccheck.resources import corpus  # document_types

    out = {str(k): str(v) for k, v in _as_mapping(value).items()}
    known = corpus("document-types.yaml")["types"]
    bad = sorted({v for v in out.values() if v not in known})
    if bad:
        raise ValueError(f"unknown document type(s) {', '.join(bad)} (choose from {', '.join(known)})")
    return out


def _build(data: dict[str, Any], path: Path, lines: dict[str, tuple[int, int]]) -> Config:
    problems = []
    values: dict[str, Any] = {}
    for key, value in data.items():
        line, col = lines.get(key, (1, 1))
        if key not in _KEYS:
            problems.append(Problem(str(path), line, col, f"unknown configuration key '{key}' (known: {', '.join(sorted(_KEYS))})"))
            continue
        if key == "cache" and value is False:
            values["use_cache"] = False
            continue
        try:
            values[key] = _convert(key, value, path.parent)
        except (ValueError, TypeError) as exc:
            problems.append(Problem(str(path), line, col, f"'{key}' {exc}"))
    if problems:
        raise YamlError(problems)
    return Config(root=path.parent, source=str(path), positions=dict(lines), **values)


def _from_yaml(path: Path) -> Config:
    data = load(path)
    if data is None:
        data = PosDict()
    if not isinstance(data, PosDict):
        raise YamlError([Problem(str(path), 1, 1, "configuration must be a mapping of settings")])
    return _build(data, path, {k: data.key_pos[k] for k in data})


def _from_setup_cfg(path: Path) -> Config | None:
    parser = configparser.ConfigParser()
    text = read_text(path, "configuration")
    parser.read_string(text)
    if not parser.has_section("doccheck"):
        return None
    data = dict(parser.items("doccheck"))
    return _build(data, path, {k: (_line_of(text, k), 1) for k in data})


def _from_pyproject(path: Path) -> Config | None:
    text = read_text(path, "configuration")
    try:
        data = tomllib.loads(text).get("tool", {}).get("doccheck")
    except tomllib.TOMLDecodeError as exc:
        raise YamlError([Problem(str(path), 1, 1, f"invalid TOML: {exc}")]) from None
    if data is None:
        return None
    return _build(data, path, {k: (_line_of(text, k), 1) for k in data})


def load_file(path: Path) -> Config | None:
    if path.name == "setup.cfg":
        return _from_setup_cfg(path)
    if path.name == "pyproject.toml":
        return _from_pyproject(path)
    return _from_yaml(path)


def discover(start: Path | None = None) -> Config:
    """The first configuration found walking up from ``start`` (default: the working directory)."""
    folder = (start or Path.cwd()).resolve()
    for candidate_folder in (folder, *folder.parents):
        for name in FILES:
            path = candidate_folder / name
            if path.is_file():
                config = load_file(path)
                if config is not None:
                    return config
    return Config(root=folder)


def check_rule_names(config: Config, rules: Iterable[Any]) -> None:
    """Every rule id or prefix the configuration names (select, extend_select, ignore, severity,
    per_path_ignores) must name a rule; otherwise an error with the file, the line and a guess
    ("QMSR-TERM-999 names no rule; did you mean QMSR-TERM-009?"). A name given on the command
    line is reported as the option's."""
    import difflib

    rules = list(rules)
    ids = sorted({r.id for r in rules} | {a for r in rules for a in r.aliases})
    prefixes = sorted({i[: n + 1] for i in ids for n, ch in enumerate(i) if ch == "-"})
    problems, wrong = [], []
    named = [("select", v) for v in config.select] + [("extend_select", v) for v in config.extend_select] + \
        [("ignore", v) for v in config.ignore] + [("severity", k) for k in config.severity] + \
        [("per_path_ignores", v) for vs in config.per_path_ignores.values() for v in vs]
    for key, name in named:
        if any(r.known_as(name) for r in rules):
            continue
        guess = difflib.get_close_matches(name, ids + prefixes, n=1, cutoff=0.6)
        message = f"'{key}' names '{name}', which is no rule id or prefix" + (f"; did you mean '{guess[0]}'?" if guess else " (see 'doccheck rules list')")
        if config.source and key in config.positions:
            line, col = config.positions[key]
            problems.append(Problem(config.source, line, col, message))
        else:
            wrong.append(f"--{key.replace('_', '-')} {name}: no rule id or prefix" + (f"; did you mean {guess[0]}?" if guess else ""))
    if problems:
        raise YamlError(problems)
    if wrong:
        from doccheck.errors import DoccheckUserError

        raise DoccheckUserError("; ".join(wrong))

