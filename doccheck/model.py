"""The document model every extractor produces and every later stage reads.

NOTE: records are frozen dataclasses *without* slots: slotted dataclasses unpickle through
a Python-level __setstate__, ten times slower, and the cache unpickles ~100k of them on a
warm rescan of 1,000 files.

NOTE: this module imports nothing from doccheck; it is the bottom of the import graph.

A `Document` is a sequence of `Block`s. Each block's text may differ from the source
characters (NFKC, rejoined hyphenation, joined lines), so a block carries `segments`: a
run-length map from block offsets to source coordinates ``(key, offset)`` where the key is
format-specific:

* docx: key = index of the run (``w:r``) inside the block's paragraph, offset = character
  offset inside that run's visible text; enough to split a run and anchor a Word comment;
* pdf: key = page number (1-based), offset = PDFium text-page character index; enough to
  ask PDFium for the character boxes of a highlight;
* text/markdown: key = line number (1-based), offset = column (0-based).
"""

from __future__ import annotations

import bisect
import operator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

PARTS = ("body", "table", "header", "footer", "footnote", "endnote", "textbox", "comment", "properties")
FORMATS = ("docx", "pdf", "markdown", "text")
METADATA_FIELDS = ("document_number", "title", "revision", "effective_date", "approval", "status")


class Segment(NamedTuple):
    """Block characters ``[start, start + length)`` come from ``key`` at ``src`` .. ``src + src_length``.

    NOTE: a NamedTuple, not a frozen dataclass: a long Word document makes one per run,
    and creating tuples costs a third as much.
    """

    start: int
    length: int
    key: int
    src: int
    src_length: int


@dataclass(frozen=True)
class SourcePiece:
    """A contiguous source range: ``key`` (run, page or line) and ``[start, end)`` inside it."""

    key: int
    start: int
    end: int


class Location(NamedTuple):
    """Where a finding sits, in the public JSON contract's terms (a NamedTuple: see Finding)."""

    part: str
    page: int | None = None
    paragraph: int | None = None
    line: int | None = None
    column: int | None = None
    section: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "page": self.page,
            "paragraph": self.paragraph,
            "line": self.line,
            "column": self.column,
            "section": self.section,
        }

    def short(self) -> str:
        """Compact human form for one-line output: ``12:5``, ``page 3``, ``footer paragraph 2``."""
        if self.line is not None:
            return f"{self.line}:{self.column or 1}"
        where = [] if self.part in ("body", "properties") else [self.part]  # properties: whole document
        if self.page is not None:
            where.append(f"page {self.page}")
        if self.paragraph is not None:
            where.append(f"paragraph {self.paragraph}")
        return " ".join(where) or self.part


_START = operator.itemgetter(0)  # Segment.start


@dataclass(frozen=True, init=False)
class Block:
    """One piece of text with its part, section and a map back to its source."""

    index: int
    part: str
    text: str
    segments: tuple[Segment, ...]
    section: tuple[str, ...] = ()
    kind: str = "paragraph"  # paragraph | heading | table_cell | list_item
    level: int = 0  # heading level, 0 for non-headings
    story: str | None = None  # docx part name, e.g. "word/footer1.xml"
    paragraph: int | None = None  # docx: 1-based paragraph index in its story; pdf/text: block order
    page: int | None = None  # first page (pdf)
    cell: tuple[int, int, int] | None = None  # (table, row, column), 1-based

    def __init__(self, index: int, part: str, text: str, segments: tuple[Segment, ...], section: tuple[str, ...] = (),
                 kind: str = "paragraph", level: int = 0, story: str | None = None, paragraph: int | None = None,
                 page: int | None = None, cell: tuple[int, int, int] | None = None) -> None:
        # NOTE: the fields above, in their order and with their defaults (a test holds the two together). A scan
        # of 329 real documents makes ~60,000 blocks: the generated frozen __init__ set each of the 11 fields
        # through object.__setattr__ (1.6 us a block); one assignment of the whole __dict__ takes a third of that.
        object.__setattr__(self, "__dict__", {"index": index, "part": part, "text": text, "segments": segments, "section": section,
                                              "kind": kind, "level": level, "story": story, "paragraph": paragraph, "page": page,
                                              "cell": cell})

    @property
    def section_path(self) -> str | None:
        return " > ".join(self.section) if self.section else None

    def _segment_at(self, offset: int) -> Segment:
        if len(self.segments) == 1:
            return self.segments[0]
        i = max(0, bisect.bisect_right(self.segments, offset, key=_START) - 1)
        return self.segments[i]

    def source_at(self, offset: int) -> tuple[int, int]:
        """Source ``(key, offset)`` of block character ``offset``."""
        seg = self._segment_at(offset)
        delta = min(max(offset - seg.start, 0), max(seg.src_length - 1, 0))
        if seg.length != seg.src_length and seg.length:
            delta = (offset - seg.start) * seg.src_length // seg.length
        return seg.key, seg.src + delta

    def source_pieces(self, start: int, end: int) -> list[SourcePiece]:
        """The source ranges that block span ``[start, end)`` covers, merged per key."""
        pieces: list[SourcePiece] = []
        for seg in self.segments:
            lo, hi = max(start, seg.start), min(end, seg.start + seg.length)
            if lo >= hi or seg.src_length == 0:
                continue
            if seg.length == seg.src_length:
                s, e = seg.src + lo - seg.start, seg.src + hi - seg.start
            else:  # expanded or contracted text (ligature, NFKC): take the whole source range
                s, e = seg.src, seg.src + seg.src_length
            if pieces and pieces[-1].key == seg.key and pieces[-1].end >= s:
                pieces[-1] = SourcePiece(seg.key, pieces[-1].start, max(e, pieces[-1].end))
            else:
                pieces.append(SourcePiece(seg.key, s, e))
        return pieces

    def location(self, doc_format: str, offset: int = 0) -> Location:
        """The contract location of block character ``offset``."""
        if doc_format not in ("markdown", "text", "pdf"):  # docx: the paragraph is the location, no offset to map
            return Location(self.part, None, self.paragraph, None, None, self.section_path)
        key, src = self.source_at(offset) if self.segments else (0, 0)
        if doc_format == "pdf":
            return Location(self.part, key, self.paragraph, None, None, self.section_path)
        return Location(self.part, None, None, key, src + 1, self.section_path)


@dataclass(frozen=True)
class Field:
    """One document-control field: its value (dates in ISO form) and where it was read."""

    value: str
    source: str  # e.g. "custom property 'DocumentNumber'", "footer", "revision history table"
    raw: str | None = None  # the text as written, when it differs from value
    note: str | None = None  # e.g. "ambiguous date: read as month/day"


@dataclass
class Metadata:
    """Document-control identity: every value found for each field, most trusted first.

    The first candidate is the field's value; the others stay so that rules can check that
    header, properties and revision history agree.
    """

    candidates: dict[str, list[Field]] = field(default_factory=dict)
    blank: dict[str, str] = field(default_factory=dict)  # field -> where its label stands with nothing after it

    def add(self, name: str, value: Field) -> None:
        found = self.candidates.setdefault(name, [])
        if not any(f.value == value.value and f.source == value.source for f in found):
            found.append(value)

    def best(self, name: str) -> Field | None:
        found = self.candidates.get(name)
        return found[0] if found else None

    def get(self, name: str) -> str | None:
        found = self.candidates.get(name)
        return found[0].value if found else None

    def values(self) -> dict[str, str | None]:
        return {name: self.get(name) for name in METADATA_FIELDS}

    def sources(self) -> dict[str, list[dict[str, str | None]]]:
        return {
            name: [{"value": f.value, "source": f.source, "raw": f.raw, "note": f.note} for f in found]
            for name, found in self.candidates.items()
        }


# How a tagged citation was recognised, strongest first: the first three are read from the
# citation itself, the last three come from the document-level context pass (doccheck.nlp.context).
EVIDENCE = ("anchored", "paragraph", "nearby", "table", "heading", "document")
# How sure a set finding is that the set is the whole QMS (doccheck.engine.setcontext): rules grade by it too.
SET_EVIDENCE = ("complete-set", "partial-set", "listed", "form")
FIELD_EVIDENCE = ("file-name",)  # a document-control field read only from the file name
FILE_NAME_SOURCE = "file name (last resort)"  # the source of a document number read from the file name
_CONTEXTUAL = frozenset({"table", "heading", "document"})


def confidence_of(evidence: str) -> str:
    """A finding's recognition confidence: ``high`` when the text itself says it, ``medium`` from context."""
    return "medium" if evidence in _CONTEXTUAL else "high"


@dataclass(frozen=True)
class Tag:
    """A tagged span inside a block: a clause reference or a regulated term.

    ``status`` is ``current``, ``superseded`` (QSR sections, old editions, withdrawn
    directives), ``invalid`` (a clause that does not exist in the cited edition) or
    ``retired`` (a retired term). ``ref`` holds the normalised reference (for citations:
    authority, document, edition, section, paragraph, clause, norm; for terms: term id,
    replacement, clause), ``confidence`` the grade of the fact behind the status, and
    ``evidence`` what says the text is a citation or term at all (``anchored``, ``paragraph``,
    ``nearby``; from the context pass ``table``, ``heading``, ``document``; ``term`` for terms).
    """

    block: int
    start: int
    end: int
    kind: str  # citation | term
    label: str  # cfr | standard | directive | programme, or the term id
    text: str
    status: str
    ref: dict[str, Any]
    confidence: str = "H"
    note: str | None = None
    evidence: str = "anchored"


@dataclass(frozen=True)
class Problem:
    """Something that kept part or all of a file from being read (becomes an `unreadable` finding)."""

    reason: str  # stable code: corrupt, encrypted, no-text, pages-without-text, legacy-format, ...
    message: str
    fatal: bool = True
    page: int | None = None


@dataclass
class Document:
    """A controlled document as doccheck sees it."""

    path: str
    format: str
    sha256: str
    size: int
    metadata: Metadata = field(default_factory=Metadata)
    facts: dict[str, Any] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    properties: dict[str, str] = field(default_factory=dict)  # core + custom properties as read
    problems: list[Problem] = field(default_factory=list)
    tags: list[Tag] = field(default_factory=list)  # filled by doccheck.nlp.tag_document

    @property
    def readable(self) -> bool:
        return not any(p.fatal for p in self.problems)

    def text(self) -> str:
        return "\n".join(b.text for b in self.blocks)


class DocRef(NamedTuple):
    """A controlled-document number cited inside a document ("see SOP-QA-004 Rev B").

    NOTE: SetFacts keeps them packed (`pack`): plain tuples pickle and unpickle in C, and every
    document's citations travel from its worker to the parent; the set rules unpack the few
    that become findings.
    """

    number: str
    revision: str | None
    block: int
    span: tuple[int, int]
    text: str
    location: Location
    title: str | None = None  # the title the citation gives the document ("QP-0011 – Customer Complaints Process")

    @staticmethod
    def pack(number: str, revision: str | None, block: int, span: tuple[int, int], text: str, location: Location,
             title: str | None = None) -> tuple[Any, ...]:
        """The packed form of a DocRef with these fields (without building the DocRef: ~1 us per citation)."""
        return (number, revision, block, span, text, tuple(location), title)

    @classmethod
    def unpack(cls, packed: tuple[Any, ...]) -> DocRef:
        number, revision, block, span, text, location, title = packed
        return cls(number, revision, block, span, text, Location(*location), title)


class SetFacts(NamedTuple):
    """What set-level analysis needs of one document: small, cached with its result.

    NOTE: a NamedTuple: tuples unpickle in C, and every document's facts travel from its
    worker to the parent (and from the cache on a warm rescan).
    """

    number: str | None
    title: str | None
    revision: str | None
    status: str | None
    effective_date: str | None
    doc_type: str | None
    counts_for_coverage: bool  # False for records, templates, external references, obsolete and superseded documents
    # requirement id -> (clause|type|heading|phrase, what was found, where (Location fields), procedure|manual); {} when not counting
    evidence: dict[str, tuple[str, str, tuple[Any, ...], str]]
    editions: dict[str, str]  # standard number -> edition cited ("14971" -> "2007")
    superseded_citations: int
    refs: tuple[tuple[Any, ...], ...]  # DocRef.pack() of each citation: number and revision first
    exclusions: dict[str, tuple[str, tuple[Any, ...]]] = {}  # requirement id -> (justification, where): a quality manual's declarations
    malformed: tuple[tuple[Any, ...], ...] = ()  # DocRef.pack() of cited numbers that are not well formed ("SOP-SOP-0012")
    role: str = "controlled"
