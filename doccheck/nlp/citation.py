"""What a citation grammar finds: a span of text and the reference it names."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Citation:
    """One reference found in text: where it is, what it points to and what says it is one.

    ``evidence``: ``anchored`` (``21 CFR``, ``§``, ``Sec.``...), ``paragraph`` (a bare number
    with a paragraph tail), ``nearby`` (a regulatory word close by), or ``bare``: a candidate
    that only the context pass can accept (as ``table``, ``heading`` or ``document``).
    """

    start: int
    end: int
    kind: str  # cfr | standard | directive | programme
    ref: dict[str, str | None] = field(default_factory=dict)
    evidence: str = "anchored"

    @property
    def norm(self) -> str:
        return self.ref.get("norm") or ""


def occurrences(text: str, literal: str) -> Iterator[int]:
    """Every position of ``literal`` in ``text`` (overlapping ones too)."""
    i = text.find(literal)
    while i != -1:
        yield i
        i = text.find(literal, i + 1)
