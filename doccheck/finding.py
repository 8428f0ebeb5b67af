"""The one record the engine produces and every reporter reads."""

from __future__ import annotations

import enum
from typing import Any, NamedTuple

from doccheck.model import Location

CATEGORIES = ("obsolete-reference", "obsolete-term", "missing-element", "document-control", "unreadable")


class Severity(enum.IntEnum):
    """Ordered so that ``severity >= threshold`` reads naturally."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.upper()]
        except KeyError:
            raise ValueError(f"unknown severity '{text}' (choose from error, warning, info)") from None

    def __str__(self) -> str:
        return self.name.lower()


class Finding(NamedTuple):
    """A rule's verdict on a piece of a document (or on a whole document or set).

    Equality ignores ``message`` so tests survive rewording.

    NOTE: a NamedTuple, not a frozen dataclass: a warm rescan rebuilds tens of thousands of
    findings from the cache, and tuples unpickle in C (measured 2x faster).
    """

    rule: str
    category: str
    severity: Severity
    message: str
    path: str
    location: Location
    text: str = ""
    suggestion: str | None = None
    source: str | None = None  # the clause or regulation the rule rests on
    block: int | None = None  # index of the block in its document
    span: tuple[int, int] | None = None  # character offsets inside that block
    confidence: str | None = None  # how sure the recognition is: high (the text says it), medium (from context)
    related: tuple[tuple[str, Location], ...] = ()  # other places the finding concerns: (path, location) of every citing document, or of the holders
    context: str = ""  # the sentence around the match (at most ~240 characters): SARIF's contextRegion, the text report

    def _identity(self) -> tuple:
        return (self.rule, self.category, self.severity, self.path, self.location, self.text, self.suggestion, self.source, self.block, self.span)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Finding) and self._identity() == other._identity()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._identity())

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract's finding object (plus ``source``)."""
        return {
            "rule": self.rule,
            "category": self.category,
            "severity": str(self.severity),
            "message": self.message,
            "text": self.text,
            "suggestion": self.suggestion,
            "source": self.source,
            "location": self.location.to_dict(),
            **({"confidence": self.confidence} if self.confidence else {}),
            **({"context": self.context} if self.context else {}),
            **({"related": [{"path": p, "location": loc.to_dict()} for p, loc in self.related]} if self.related else {}),
        }

    def sort_key(self) -> tuple:
        return (self.path, self.block if self.block is not None else -1, self.span or (0, 0), self.rule)
