"""What a scan produces: documents with their findings, set-level findings, a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from doccheck import __version__
from doccheck.finding import Finding, Severity
from doccheck.model import Document


@dataclass
class DocumentResult:
    document: Document
    findings: list[Finding]
    seconds: float = 0.0  # time to check it (0 when it came from the cache)
    cached: bool = False
    cache_key: str | None = None  # set on results read from or stored in the cache: their blocks load on demand (api.load_details)
    set_facts: Any = None  # doccheck.model.SetFacts: what set-level analysis needs of this document
    # the document's blocks and tags, packed by the worker for the cache (the document then travels
    # without them); the parent stores the bytes as they are and sets cache_key
    packed_details: bytes | None = None
    profile: Any = None  # doccheck.profile.DocumentProfile: type, role, status and why


def pack_details(blocks: list[Any], tags: list[Any]) -> bytes:
    """A document's blocks and tags as the cache stores them (`doccheck.records`: JSON, compressed)."""
    from doccheck.records import encode_details

    return encode_details(blocks, tags)


def unpack_details(data: bytes) -> tuple[list[Any], list[Any]]:
    from doccheck.records import decode_details

    return decode_details(data)


@dataclass
class Report:
    documents: list[DocumentResult] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # set-level findings (across documents)
    elapsed: float = 0.0
    version: str = __version__
    waivers: dict[str, Any] | None = None  # file, waived, expired, unused (when a waiver file applies)
    rules: list[Any] = field(default_factory=list)  # the rules that ran (SARIF lists them)

    def all_findings(self) -> Iterator[Finding]:
        for result in self.documents:
            yield from result.findings
        yield from self.findings

    def max_severity(self) -> Severity | None:
        return max((f.severity for f in self.all_findings()), default=None)

    def summary(self) -> dict[str, Any]:
        findings = list(self.all_findings())
        return {
            "documents": len(self.documents),
            "findings": len(findings),
            "by_category": dict(sorted(Counter(f.category for f in findings).items())),
            "by_severity": {str(s): n for s, n in sorted(Counter(f.severity for f in findings).items(), reverse=True)},
            "unreadable": sum(1 for r in self.documents if not r.document.readable),
            "by_format": dict(sorted(Counter(r.document.format for r in self.documents).items())),
            "cached": sum(1 for r in self.documents if r.cached),
            "slowest": [
                {"path": r.document.path, "seconds": round(r.seconds, 3)}
                for r in sorted(self.documents, key=lambda r: -r.seconds)[:5]
                if r.seconds > 0
            ],
            "waived": self.waivers["waived"] if self.waivers else 0,
        }
