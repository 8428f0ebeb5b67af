"""JSON out, fast and streamed: one encoder for the JSON report, SARIF and `doccheck extract`.

Output is laid out as ``json.dumps(value, indent=2, ensure_ascii=False)`` lays it out (numbers
may be spelled differently: 1e-05 is 0.00001, NaN is null), but encoded by orjson (measured:
0.12 s against 0.006 s for the report of 329 real documents, most of the JSON writer's share
of a scan) and produced piece by piece (`stream`): a list marked `Items` is written item by
item, so a report of 50,000 documents is never one object.

A path that is not valid UTF-8 (a file name of raw bytes, read with surrogateescape) holds lone
surrogates, which UTF-8 cannot carry: they are written as JSON escapes (``"\\udcff"``), which
every JSON reader accepts and Python's `json` turns back into the same name.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

import orjson

_SURROGATE = re.compile("[\ud800-\udfff]")


class Items(NamedTuple):
    """A list written item by item (a generator is fine): what makes `stream` stream. Put it
    within three levels of the object given to `stream` (deeper ones are not looked for)."""

    items: Iterable[Any]


def dumps(value: Any) -> str:
    """``value`` as indented JSON text."""
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_NON_STR_KEYS).decode("utf-8")
    except TypeError:  # NOTE: lone surrogates (orjson refuses them), or a type only `json` knows
        text = json.dumps(value, indent=2, ensure_ascii=False)
        return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)


def _nested(value: Any, depth: int) -> str:
    text = dumps(value)
    return text.replace("\n", "\n" + "  " * depth) if depth and "\n" in text else text  # NOTE: JSON strings hold no raw newline


def _streams(value: Any, reach: int = 3) -> bool:
    """Whether ``value`` holds `Items` within ``reach`` levels (NOTE: not deeper: a document's
    findings are encoded whole, and looking through them all was slower than encoding them)."""
    if isinstance(value, Items):
        return True
    if reach and isinstance(value, dict):
        return any(_streams(v, reach - 1) for v in value.values())
    return bool(reach) and isinstance(value, list) and any(_streams(v, reach - 1) for v in value)


def stream(value: dict[str, Any], depth: int = 0) -> Iterator[str]:
    """``value`` as indented JSON, in pieces; its `Items` values are written one item at a time."""
    pad, first = "  " * (depth + 1), True
    yield "{"
    for key, item in value.items():
        yield ("\n" if first else ",\n") + pad + dumps(str(key)) + ": "
        first = False
        yield from _value(item, depth + 1)
    yield "}" if first else "\n" + "  " * depth + "}"


def _value(value: Any, depth: int) -> Iterator[str]:
    if isinstance(value, Items):
        yield from _list(value.items, depth)
    elif _streams(value):
        yield from stream(value, depth) if isinstance(value, dict) else _list(value, depth)
    else:
        yield _nested(value, depth)


def _list(items: Iterable[Any], depth: int) -> Iterator[str]:
    pad, n = "  " * (depth + 1), 0
    for item in items:
        yield ("[\n" if n == 0 else ",\n") + pad
        yield from _value(item, depth + 1)
        n += 1
    yield "[]" if n == 0 else "\n" + "  " * depth + "]"
