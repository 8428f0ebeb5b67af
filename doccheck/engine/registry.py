"""The closed set of rule types, by the name rule files use in ``type:``."""

from __future__ import annotations

from types import ModuleType

from doccheck.engine.types import metadata, pattern, reference, require, term, unreadable

TYPES: dict[str, ModuleType] = {
    "metadata": metadata,
    "pattern": pattern,
    "reference": reference,
    "require": require,
    "term": term,
    "unreadable": unreadable,
}
