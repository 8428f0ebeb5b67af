"""YAML loading that remembers where every key and item was, for `file:line:col` errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Problem:
    """One error in a YAML file, printed as ``file:line:col: message``."""

    path: str
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}: {self.message}"


class YamlError(Exception):
    """One or more problems in configuration or rule files; the CLI exits 2 with all of them."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


class PosDict(dict):
    """A mapping that knows the (line, column) of itself, of each key and of each value."""

    line = 1
    column = 1

    def __init__(self) -> None:
        super().__init__()
        self.key_pos: dict[Any, tuple[int, int]] = {}
        self.value_pos: dict[Any, tuple[int, int]] = {}

    def pos(self, key: Any = None) -> tuple[int, int]:
        """Position of ``key``'s value (or of the mapping itself)."""
        if key is None:
            return self.line, self.column
        return self.value_pos.get(key, self.key_pos.get(key, (self.line, self.column)))


class PosList(list):
    """A sequence that knows the (line, column) of each item."""

    line = 1
    column = 1

    def __init__(self) -> None:
        super().__init__()
        self.item_pos: list[tuple[int, int]] = []


def _mark(node: yaml.Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


# libyaml's C parser when PyYAML was built with it (it keeps node marks): ~6x faster.
_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    duplicates: list[tuple[Any, tuple[int, int]]]


def _mapping(loader: _Loader, node: yaml.MappingNode) -> PosDict:
    loader.flatten_mapping(node)
    out = PosDict()
    out.line, out.column = _mark(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in out:
            loader.duplicates.append((key, _mark(key_node)))
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_pos[key] = _mark(key_node)
        out.value_pos[key] = _mark(value_node)
    return out


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> PosList:
    out = PosList()
    out.line, out.column = _mark(node)
    for item in node.value:
        out.append(loader.construct_object(item, deep=True))
        out.item_pos.append(_mark(item))
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load(path: Path | str, text: str | None = None) -> Any:
    """Parse a YAML file into PosDict/PosList; syntax errors and duplicate keys raise `YamlError`."""
    name = str(path)
    if text is None:
        from doccheck.datafile import read_text

        text = read_text(Path(path))
    loader = _Loader(text)
    loader.duplicates = []
    try:
        data = loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlError([Problem(name, line, col, f"invalid YAML: {exc.problem or exc.context}")]) from None
    except yaml.YAMLError as exc:
        raise YamlError([Problem(name, 1, 1, f"invalid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if loader.duplicates:
        raise YamlError([Problem(name, ln, col, f"duplicate key '{key}'") for key, (ln, col) in loader.duplicates])
    return data
