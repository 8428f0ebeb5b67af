"""What a rule type yields: a hit, which the engine turns into a `Finding`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from doccheck.model import Location


@dataclass(frozen=True)
class Hit:
    """A rule type's raw result: where, what text, and values for the message template."""

    location: Location
    text: str = ""
    block: int | None = None
    span: tuple[int, int] | None = None
    values: dict[str, Any] = field(default_factory=dict)
    suggestion: str | None = None  # overrides the rule's suggestion template when set
    confidence: str = "H"  # grade of the fact behind the hit; rules may lower severity on M/L
    evidence: str | None = None  # how the tagged text was recognised (doccheck.model.EVIDENCE, or "term")
    template: str | None = None  # overrides the rule's message template (e.g. a field that is there but blank)
