"""A loaded rule: common fields from YAML plus the options of its type."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from typing import Any

from doccheck.finding import Severity


@dataclass(frozen=True)
class Scope:
    """Where a rule applies; an empty tuple means "everywhere"."""

    formats: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    exclude_parts: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()  # case-insensitive substrings of the heading path
    exclude_sections: tuple[str, ...] = ()
    paths: tuple[str, ...] = ()  # glob patterns on the document path
    document_types: tuple[str, ...] = ()

    def admits_document(self, path: str, doc_format: str, doc_type: str | None = None) -> bool:
        if self.formats and doc_format not in self.formats:
            return False
        if self.paths and not any(fnmatch.fnmatch(path, p) for p in self.paths):
            return False
        return not self.document_types or doc_type in self.document_types

    def admits_block(self, part: str, section: str | None) -> bool:
        if self.parts and part not in self.parts:
            return False
        if part in self.exclude_parts:
            return False
        lowered = (section or "").lower()
        if self.sections and not any(s.lower() in lowered for s in self.sections):
            return False
        return not any(s.lower() in lowered for s in self.exclude_sections)


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    type: str
    category: str
    severity: Severity
    message: str
    source: str
    description: str = ""
    suggestion: str | None = None
    link: str | None = None
    scope: Scope = field(default_factory=Scope)
    options: Any = None  # the type's own frozen dataclass
    examples: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    legacy_severity: Severity | None = None  # severity in legacy documents (records, pre-QMSR, obsolete)
    legacy_message: str | None = None
    by_confidence: dict[str, Severity] = field(default_factory=dict)  # grade -> highest severity
    by_evidence: dict[str, Severity] = field(default_factory=dict)  # recognition evidence -> highest severity
    by_section: dict[str, Severity] = field(default_factory=dict)  # heading-path substring (any case) -> highest severity
    aliases: tuple[str, ...] = ()  # former ids: select, ignore and severity settings that name them still apply
    opt_in: bool = False  # from an opt-in pack: runs only when select / extend_select names it
    file: str = ""
    line: int = 0
    column: int = 0

    def known_as(self, prefix: str) -> bool:
        """Whether ``prefix`` (an id or id prefix from configuration) names this rule."""
        return self.id.startswith(prefix) or any(a.startswith(prefix) for a in self.aliases)

    def render(self, template: str | None, values: dict[str, Any]) -> str | None:
        """Fill ``{name}`` placeholders; unknown names stay as written."""
        if template is None or ("{" not in template and "}" not in template):
            return template  # NOTE: most sources and suggestions have no placeholder; skips a dict copy
        return template.format_map(_Keep(values))


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"
