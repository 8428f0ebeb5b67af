"""The coverage matrix: which documents address each required procedure, how strongly, and by what."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from doccheck.model import SetFacts

# Evidence strength: a procedure's clause citation, then its heading, then what a quality manual
# says about the subject, then a key phrase in passing or a document of the type that says
# nothing of it, or whose title only names it. NOTE: a document's type or title alone is weak:
# a "Corrective and Preventive Action" procedure that never addresses preventive action does
# not cover it (ISO-REQ-001 says so from the same evidence).
STRENGTH = {"clause": 4, "heading": 3, "title": 1, "type": 1, "phrase": 1}
MANUAL = 2
STATUS = {0: "missing", 1: "weak", 2: "manual"}  # 3 and above: covered
CONFIDENCE = {4: "high", 3: "medium", 2: "low", 1: "low"}


def strength(kind: str, role: str) -> int:
    """``role``: procedure, manual (a quality manual on another procedure's subject) or itself (the
    document is what the requirement asks for: the quality manual for 4.2.2)."""
    if role == "itself":
        return STRENGTH["clause"]
    return MANUAL if role == "manual" else STRENGTH[kind]


@dataclass
class Row:
    requirement: dict[str, Any]
    cells: dict[str, tuple[str, str, tuple[Any, ...], str]] = field(default_factory=dict)  # path -> (kind, quote, where, procedure|manual)
    not_applicable: str | None = None  # the justification, when declared not applicable (configuration or quality manual)
    strength: int = 0  # the strongest evidence in cells (kept by `add`: a common requirement has thousands)

    def add(self, path: str, found: tuple[str, str, tuple[Any, ...], str]) -> None:
        self.cells[path] = found
        self.strength = max(self.strength, strength(found[0], found[3]))

    @property
    def status(self) -> str:
        if self.not_applicable is not None:
            return "not applicable"
        return STATUS.get(self.strength, "covered")

    @property
    def confidence(self) -> str | None:
        return CONFIDENCE.get(self.strength)


def declared(documents: list[tuple[str, SetFacts]], configured: dict[str, str]) -> dict[str, str]:
    """Requirements declared not applicable: in the configuration, or by a quality manual of the set (with its justification)."""
    out = {}
    for _, facts in documents:
        if facts.counts_for_coverage:
            for req_id, (why, _) in facts.exclusions.items():
                out.setdefault(req_id, why)
    return {**out, **configured}


def matrix(documents: list[tuple[str, SetFacts]], not_applicable: dict[str, str]) -> list[Row]:
    """One row per required procedure of corpora/procedures.yaml, over the documents that count."""
    from doccheck.evidence import procedures

    excluded = declared(documents, not_applicable)
    rows = {req["id"]: Row(req, not_applicable=excluded.get(req["id"])) for req in procedures()}
    for path, facts in documents:  # NOTE: by document, not by requirement: a document addresses a few
        if facts.counts_for_coverage:
            for req_id, found in facts.evidence.items():
                if req_id in rows:  # an element of a procedure, or evidence cached before a requirement left the corpus
                    rows[req_id].add(path, found)
    return list(rows.values())
