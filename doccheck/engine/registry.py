"""The closed set of rule types, by the name rule files use in ``type:``."""

from __future__ import annotations

from types import ModuleType

from doccheck.engine.types import coverage, crossref, external, metadata, pattern, reference, require, sites, term, unreadable

TYPES: dict[str, ModuleType] = {
    "coverage": coverage,
    "cross-reference": crossref,
    "external": external,
    "sites": sites,
    "metadata": metadata,
    "pattern": pattern,
    "reference": reference,
    "require": require,
    "term": term,
    "unreadable": unreadable,
}
