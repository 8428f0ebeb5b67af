"""Load and validate rule packs; every problem of every file is reported in one pass."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doccheck.datafile import read_bytes, yaml_files
from doccheck.engine.registry import TYPES
from doccheck.engine.rule import Rule, Scope
from doccheck.finding import CATEGORIES, Severity
from doccheck.model import EVIDENCE, FIELD_EVIDENCE, SET_EVIDENCE
from doccheck.resources import data_dir
from doccheck.yamlpos import PosDict, PosList, Problem, YamlError, load

SCHEMA_VERSION = 1
ID_RE = re.compile(r"^[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+$")
COMMON = {
    "id", "name", "type", "category", "severity", "message", "source", "description", "suggestion", "link", "scope", "examples",
    "legacy_severity", "legacy_message", "by_confidence", "by_evidence", "by_section", "aliases",
}
PACK_KEYS = ("schema", "pack", "description", "opt_in", "rules")
INTERNAL_OPTIONS = {"compiled"}  # option fields set by validate(), never written in YAML
REQUIRED = ("id", "name", "type", "category", "severity", "message", "source", "description", "examples")
SCOPE_KEYS = {f.name for f in dataclasses.fields(Scope)}


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    digest: str  # hash of every pack's bytes: part of the cache key
    files: tuple[str, ...]


class _Collector:
    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, pos: tuple[int, int], message: str) -> None:
        self.problems.append(Problem(self.path, pos[0], pos[1], message))


def pack_files(paths: list[Path]) -> list[Path]:
    """Every ``*.yaml``/``*.yml`` under the given folders (or the files themselves), sorted."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(yaml_files(path))
        elif path.exists():
            files.append(path)
        else:
            raise YamlError([Problem(str(path), 1, 1, "rule file or folder does not exist")])
    return files


def default_paths() -> list[Path]:
    return [data_dir("rules")]


def packs_digest(paths: list[Path] | None = None) -> str:
    """Hash of the rule pack files' bytes (a valid pack set parses to the same RuleSet)."""
    digest = hashlib.sha256()
    for file in pack_files(paths if paths is not None else default_paths()):
        digest.update(str(file).encode() + b"\0" + read_bytes(file, "rule pack"))
    return digest.hexdigest()


def load_rules(paths: list[Path] | None = None) -> RuleSet:
    """Load every pack under ``paths`` (default: the shipped packs); raise `YamlError` listing all problems."""
    files = pack_files(paths if paths is not None else default_paths())
    problems: list[Problem] = []
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    digest = hashlib.sha256()
    for file in files:
        digest.update(read_bytes(file, "rule pack"))
        collector = _Collector(str(file))
        try:
            data = load(file)
        except YamlError as exc:
            problems.extend(exc.problems)
            continue
        for rule in _pack(data, collector):
            if rule.id in seen:
                collector.add((rule.line, rule.column), f"duplicate rule id '{rule.id}' (also in {seen[rule.id]})")
            else:
                seen[rule.id] = f"{file}:{rule.line}"
                rules.append(rule)
        problems.extend(collector.problems)
    if problems:
        raise YamlError(problems)
    return RuleSet(tuple(rules), digest.hexdigest(), tuple(str(f) for f in files))


def _pack(data: Any, c: _Collector) -> list[Rule]:
    if not isinstance(data, PosDict):
        c.add((1, 1), "a rule pack must be a mapping with 'schema', 'pack' and 'rules'")
        return []
    for key in data:
        if key not in PACK_KEYS:
            c.add(data.key_pos[key], f"unknown key '{key}' (expected {', '.join(PACK_KEYS)})")
    opt_in = data.get("opt_in", False)
    if not isinstance(opt_in, bool):
        c.add(data.pos("opt_in"), "'opt_in' must be true or false")
    if data.get("schema") != SCHEMA_VERSION:
        c.add(data.pos("schema"), f"'schema' must be {SCHEMA_VERSION}")
    items = data.get("rules")
    if not isinstance(items, PosList):
        c.add(data.pos("rules"), "'rules' must be a list of rules")
        return []
    rules = []
    for item, pos in zip(items, items.item_pos):
        rule = _rule(item, pos, c)
        if rule is not None:
            rules.append(dataclasses.replace(rule, opt_in=True) if opt_in is True else rule)
    return rules


def _rule(item: Any, pos: tuple[int, int], c: _Collector) -> Rule | None:
    if not isinstance(item, PosDict):
        c.add(pos, "a rule must be a mapping")
        return None
    before = len(c.problems)
    for key in REQUIRED:
        if key not in item:
            c.add(pos, f"rule {item.get('id', '(no id)')}: missing required key '{key}'")
    rid = str(item.get("id", ""))
    if "id" in item and not ID_RE.match(rid):
        c.add(item.pos("id"), f"rule id '{rid}' must look like PACK-NAME-001 (capitals, digits, dashes)")
    type_name = item.get("type")
    module = TYPES.get(type_name) if isinstance(type_name, str) else None
    if "type" in item and module is None:
        c.add(item.pos("type"), f"unknown rule type '{type_name}' (choose from {', '.join(sorted(TYPES))})")
    option_fields = {f.name: f for f in dataclasses.fields(module.Options) if f.name not in INTERNAL_OPTIONS} if module else {}
    for key in item:
        if key not in COMMON and key not in option_fields:
            c.add(item.key_pos[key], f"rule {rid}: unknown key '{key}'")
    if "category" in item and item["category"] not in CATEGORIES:
        c.add(item.pos("category"), f"unknown category '{item['category']}' (choose from {', '.join(CATEGORIES)})")
    severity = Severity.ERROR
    if "severity" in item:
        try:
            severity = Severity.parse(str(item["severity"]))
        except ValueError as exc:
            c.add(item.pos("severity"), str(exc))
    for key in ("message", "source", "description", "name"):
        if key in item and (not isinstance(item[key], str) or not item[key].strip()):
            c.add(item.pos(key), f"rule {rid}: '{key}' must be non-empty text")
    legacy_severity = _severity(item, "legacy_severity", c) if "legacy_severity" in item else None
    by_confidence = _by_grade(item, "by_confidence", ("H", "M", "L"), c)
    by_evidence = _by_grade(item, "by_evidence", EVIDENCE + SET_EVIDENCE + FIELD_EVIDENCE, c)
    by_section = _by_section(item, c)
    aliases = item.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and ID_RE.match(a) for a in aliases):
        c.add(item.pos("aliases"), f"rule {rid}: 'aliases' must be a list of former rule ids")
        aliases = []
    scope = _scope(item.get("scope"), item, c)
    options = _options(module, option_fields, item, c) if module else None
    examples = _examples(item.get("examples"), item, c, rid)
    if len(c.problems) > before:
        return None
    return Rule(
        id=rid,
        name=str(item["name"]),
        type=str(type_name),
        category=str(item["category"]),
        severity=severity,
        message=str(item["message"]).strip(),
        source=str(item["source"]).strip(),
        description=str(item.get("description", "")).strip(),
        suggestion=item.get("suggestion"),
        link=item.get("link"),
        scope=scope,
        options=options,
        examples=examples,
        legacy_severity=legacy_severity,
        legacy_message=item.get("legacy_message"),
        by_confidence=by_confidence,
        by_evidence=by_evidence,
        by_section=by_section,
        aliases=tuple(aliases),
        file=c.path,
        line=pos[0],
        column=pos[1],
    )


def _severity(item: PosDict, key: str, c: _Collector) -> Severity | None:
    try:
        return Severity.parse(str(item[key]))
    except ValueError as exc:
        c.add(item.pos(key), str(exc))
        return None


def _by_grade(item: PosDict, key: str, grades: tuple[str, ...], c: _Collector) -> dict[str, Severity]:
    """``by_confidence`` (fact grades H, M, L) or ``by_evidence`` (how a citation was recognised) -> severity."""
    raw = item.get(key)
    if raw is None:
        return {}
    if not isinstance(raw, PosDict):
        c.add(item.pos(key), f"'{key}' must map {', '.join(grades)} to severities")
        return {}
    out = {}
    for grade in raw:
        if grade not in grades:
            c.add(raw.key_pos[grade], f"unknown {key[3:]} '{grade}' (choose from {', '.join(grades)})")
            continue
        severity = _severity(raw, grade, c)
        if severity is not None:
            out[grade] = severity
    return out


def _by_section(item: PosDict, c: _Collector) -> dict[str, Severity]:
    """``by_section``: words of a heading path (any case: "revision history") -> highest severity there."""
    raw = item.get("by_section")
    if raw is None:
        return {}
    if not isinstance(raw, PosDict) or not raw:
        c.add(item.pos("by_section"), "'by_section' must map heading words (e.g. 'revision history') to severities")
        return {}
    out = {}
    for words in raw:
        if not isinstance(words, str) or not words.strip():
            c.add(raw.key_pos[words], "'by_section' keys must be heading words")
            continue
        severity = _severity(raw, words, c)
        if severity is not None:
            out[words.lower()] = severity
    return out


def _as_tuple(value: Any) -> tuple:
    return tuple(value) if isinstance(value, list) else (value,)


def _scope(raw: Any, item: PosDict, c: _Collector) -> Scope:
    if raw is None:
        return Scope()
    if not isinstance(raw, PosDict):
        c.add(item.pos("scope"), "'scope' must be a mapping")
        return Scope()
    for key in raw:
        if key not in SCOPE_KEYS:
            c.add(raw.key_pos[key], f"unknown scope key '{key}' (choose from {', '.join(sorted(SCOPE_KEYS))})")
    return Scope(**{k: tuple(str(v) for v in _as_tuple(raw[k])) for k in raw if k in SCOPE_KEYS})


def _options(module: Any, fields: dict[str, dataclasses.Field], item: PosDict, c: _Collector) -> Any:
    values = {}
    for name, f in fields.items():
        if name in item:
            value = item[name]
            values[name] = tuple(value) if isinstance(value, list) else value
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:  # type: ignore[misc]
            c.add(item.pos(), f"rule {item.get('id')}: type '{item.get('type')}' needs '{name}'")
    if len(values) < sum(1 for f in fields.values() if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING):  # type: ignore[misc]
        return None
    try:
        options = module.Options(**values)
    except (TypeError, ValueError) as exc:
        c.add(item.pos(), f"rule {item.get('id')}: {exc}")
        return None
    for key, message in getattr(options, "validate", lambda: [])():
        c.add(item.pos(key) if key in item else item.pos(), f"rule {item.get('id')}: {message}")
    return options


def _examples(raw: Any, item: PosDict, c: _Collector, rid: str) -> dict[str, tuple[Any, ...]]:
    if raw is None:
        return {}
    if not isinstance(raw, PosDict):
        c.add(item.pos("examples"), f"rule {rid}: 'examples' must be a mapping with 'fire' and 'pass' lists")
        return {}
    out = {}
    for key in raw:
        if key not in ("fire", "pass"):
            c.add(raw.key_pos[key], f"rule {rid}: unknown examples key '{key}' (expected fire, pass)")
    for key in ("fire", "pass"):
        items = raw.get(key)
        if not isinstance(items, list) or not items:
            c.add(raw.pos(key) if key in raw else raw.pos(), f"rule {rid}: examples need at least one '{key}' case")
            continue
        out[key] = tuple(items)
    return out
