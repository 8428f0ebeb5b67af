"""The coverage matrix: which documents address each required procedure, and how strongly."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from doccheck.model import SetFacts

STRENGTH = {"clause": 3, "type": 3, "heading": 2, "phrase": 1}
CONFIDENCE = {3: "high", 2: "medium", 1: "low"}


@dataclass
class Row:
    requirement: dict[str, Any]
    cells: dict[str, tuple[str, str]] = field(default_factory=dict)  # document path -> (kind, evidence)
    not_applicable: str | None = None  # the justification, when declared not applicable
    strength: int = 0  # the strongest evidence in cells (kept by `add`: a common requirement has thousands)

    def add(self, path: str, found: tuple[str, str]) -> None:
        self.cells[path] = found
        self.strength = max(self.strength, STRENGTH[found[0]])

    @property
    def status(self) -> str:
        if self.not_applicable is not None:
            return "not applicable"
        return {0: "missing", 1: "weak"}.get(self.strength, "covered")

    @property
    def confidence(self) -> str | None:
        return CONFIDENCE.get(self.strength)


def matrix(documents: list[tuple[str, SetFacts]], not_applicable: dict[str, str]) -> list[Row]:
    """One row per requirement of corpora/procedures.yaml, over the documents that count."""
    from doccheck.evidence import requirements

    rows = {req["id"]: Row(req, not_applicable=not_applicable.get(req["id"])) for req in requirements()}
    for path, facts in documents:  # NOTE: by document, not by requirement: a document addresses a few
        if facts.counts_for_coverage:
            for req_id, found in facts.evidence.items():
                if req_id in rows:  # evidence cached before a requirement was withdrawn from the corpus
                    rows[req_id].add(path, found)
    return list(rows.values())
