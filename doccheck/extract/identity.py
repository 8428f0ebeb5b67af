"""Read a document's control identity (number, revision, dates, approval, status).

The label vocabulary lives in ``corpora/document-control.yaml``. Each ``from_*`` function
reads one kind of source; the extractor calls them in order of trust and `Metadata` keeps
every candidate, most trusted first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from doccheck.extract.dates import parse_date
from doccheck.model import Field, Metadata
from doccheck.resources import corpus


def _norm_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _label_regex(label: str) -> str:
    words = [re.escape(w) for w in label.split()]
    return r"[\s.]*".join(words) + r"\.?"


@dataclass(frozen=True)
class _FieldSpec:
    name: str
    keys: frozenset[str]  # normalised labels, for property names and table cells
    label_re: re.Pattern[str]  # label + separator + value in running text
    value: str  # regex source, "date" or "text"
    value_re: re.Pattern[str] | None  # the value alone (None for date/text)


@functools.cache
def _specs() -> tuple[_FieldSpec, ...]:
    data = corpus("document-control.yaml")["fields"]
    specs = []
    for name, spec in data.items():
        labels = sorted(spec["labels"], key=len, reverse=True)
        value = spec["value"]
        value_re = r"(?P<v>[^\n\r|]{1,160})" if value in ("date", "text") else rf"(?P<v>{value})"
        label_alt = "|".join(_label_regex(label) for label in labels)
        # Free text after a bare label ("approved, issued") is prose, not a field: it needs a separator.
        sep = r"\s*[:#]\s*" if value == "text" else r"\s*[:#]?\s*(?:-\s+)?"
        pattern = rf"(?<![A-Za-z])(?i:{label_alt})(?![A-Za-z]){sep}{value_re}"
        keys = frozenset(_norm_key(label) for label in labels)
        plain = None if value in ("date", "text") else re.compile(value)
        specs.append(_FieldSpec(name, keys, re.compile(pattern), value, plain))
    return tuple(specs)


@functools.cache
def _any_label() -> re.Pattern[str]:
    """Any label followed by a separator: where a free-text value must stop."""
    labels = {label for spec in corpus("document-control.yaml")["fields"].values() for label in spec["labels"]}
    alt = "|".join(_label_regex(label) for label in sorted(labels, key=len, reverse=True))
    return re.compile(rf"(?:\s{{2,}}|\t|\s)(?i:{alt})\s*[:#]|\s{{3,}}|\t|\s+(?i:page\s+\d)")


def _clean_value(spec: _FieldSpec, raw: str, source: str) -> Field | None:
    raw = raw.strip()
    if spec.value == "date":
        parsed = parse_date(raw)
        return Field(parsed.iso, source, parsed.raw, parsed.note) if parsed else None
    if spec.value == "text":
        cut = _any_label().search(raw)
        value = (raw[: cut.start()] if cut else raw).strip(" :;,-")
        return Field(value, source, None) if value else None
    return Field(raw, source, None) if raw else None


def from_properties(props: Mapping[str, object], source: str) -> dict[str, Field]:
    """Custom document properties or front matter: keys matched to field labels."""
    found: dict[str, Field] = {}
    by_key = {_norm_key(str(k)): (str(k), v) for k, v in props.items() if v not in (None, "")}
    for spec in _specs():
        for key in spec.keys:
            if key in by_key:
                name, value = by_key[key]
                text = value.isoformat() if hasattr(value, "isoformat") else str(value)
                field = _clean_value(spec, text, f"{source} '{name}'")
                if field:
                    found[spec.name] = field
                    break
    return found


_CONTROL_SPAN = 500
CONTROL_LINE = 200  # first-page blocks longer than this are prose, not a control line


@functools.cache
def _any_label_word() -> re.Pattern[str]:
    """One cheap pass that says whether a text can hold a field label at all."""
    labels = {label for spec in corpus("document-control.yaml")["fields"].values() for label in spec["labels"]}
    words = sorted({re.escape(label.split()[0]) for label in labels}, key=len, reverse=True)
    return re.compile(rf"(?<![A-Za-z])(?:{'|'.join(words)})(?![a-z])", re.I)


_CITED_NUMBER = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\s*,?\s*$")


def _of_cited_document(text: str, start: int, own_number: re.Match[str] | None, known: str | None) -> bool:
    """``See SOP-QA-004 Rev B``: in running text, a revision that follows another document's
    number, after other words, is that document's.

    The document's own control line labels the number (``Doc No. SOP-QA-004  Rev. C``), starts
    with it (``SOP-QA-004 Rev C`` under the title), or names the number the document is
    ``known`` by from a more trusted source (``Training procedure SOP-QA-004 Rev C``).
    """
    before = _CITED_NUMBER.search(text, 0, start)
    if before is None or not text[: before.start()].strip():
        return False
    if known and before.group(0).rstrip(" ,").upper() == known.upper():
        return False
    return not (own_number and own_number.start("v") <= before.start() < own_number.end("v"))


def from_first_page(texts: Iterable[str], sources: Iterable[Mapping[str, Field]]) -> list[dict[str, Field]]:
    """Control lines among the first page's blocks; ``sources``: what the more trusted sources read.

    The document number those give first tells the document's own revision from a cited one.
    """
    known = next((s["document_number"].value for s in sources if "document_number" in s), None)
    return [from_text(text, "first page", running=True, known=known) for text in texts if len(text) <= CONTROL_LINE]


def from_text(text: str, source: str, running: bool = False, known: str | None = None) -> dict[str, Field]:
    """A control block: ``Doc No. SOP-QA-004  Rev. C  Effective 2026-03-01``.

    ``running``: the text is the body's (first page), where other documents are cited too;
    headers, footers and table cells hold the document's own identity. ``known``: the
    document's number from a more trusted source, when there is one.
    """
    found: dict[str, Field] = {}
    text = text[:_CONTROL_SPAN]  # control blocks are short; long paragraphs are prose
    if not _any_label_word().search(text):
        return found
    own_number = None
    for spec in _specs():
        for m in spec.label_re.finditer(text):
            if spec.name == "document_number" and own_number is None:
                own_number = m
            if spec.name == "revision" and running and _of_cited_document(text, m.start(), own_number, known):
                continue
            field = _clean_value(spec, m.group("v"), source)
            if field:
                found[spec.name] = field
                break
    return found


def _cell_field(label: str) -> _FieldSpec | None:
    if len(label) > 40:
        return None
    key = _norm_key(label)
    return next((spec for spec in _specs() if key in spec.keys), None) if key else None


def from_table(rows: Sequence[Sequence[str]], source: str) -> dict[str, Field]:
    """A control table: label cell beside its value, a label row above a value row, or ``Label: value`` cells."""
    found: dict[str, Field] = {}

    def put(spec: _FieldSpec, raw: str) -> None:
        if spec.name in found or not raw.strip():
            return
        if spec.value_re is not None:
            m = spec.value_re.search(raw)
            if not m:
                return
            raw = m.group(0)
        field = _clean_value(spec, raw, source)
        if field:
            found[spec.name] = field

    for r, row in enumerate(rows):
        labels = [_cell_field(cell) for cell in row]
        for c, spec in enumerate(labels):
            if spec is None:
                continue
            if c + 1 < len(row) and labels[c + 1] is None:
                put(spec, row[c + 1])
            elif r + 1 < len(rows) and c < len(rows[r + 1]):
                put(spec, rows[r + 1][c])
        for cell in row:
            for name, field in from_text(cell, source).items():
                found.setdefault(name, field)
    return found


@functools.cache
def _history_headers() -> dict[str, frozenset[str]]:
    headers = corpus("document-control.yaml")["history"]["headers"]
    return {role: frozenset(_norm_key(w) for w in words) for role, words in headers.items()}


def _header_columns(row: Sequence[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for c, cell in enumerate(row):
        if len(cell) > 40:
            continue
        key = _norm_key(cell)
        for role, words in _history_headers().items():
            if role not in cols and key in words:
                cols[role] = c
    return cols


def from_history(rows: Sequence[Sequence[str]], source: str = "revision history table") -> dict[str, Field]:
    """A revision-history table: the latest row's revision and date."""
    for h, header in enumerate(rows):
        cols = _header_columns(header)
        if "revision" not in cols or not ({"date", "description"} & cols.keys()):
            continue
        entries = []
        for row in rows[h + 1 :]:
            if cols["revision"] >= len(row) or not row[cols["revision"]].strip():
                continue
            date = parse_date(row[cols["date"]]) if "date" in cols and cols["date"] < len(row) else None
            entries.append((row[cols["revision"]].strip(), date))
        if not entries:
            return {}
        dated = [e for e in entries if e[1]]
        rev, date = max(dated, key=lambda e: e[1].iso) if dated else entries[-1]  # type: ignore[union-attr]
        found = {"revision": Field(rev, f"{source} (latest row)")}
        if date:
            found["effective_date"] = Field(date.iso, f"{source} (latest row)", date.raw, date.note)
        return found
    return {}


@functools.cache
def _history_sections() -> frozenset[str]:
    return frozenset(_norm_key(s) for s in corpus("document-control.yaml")["history"]["sections"])


def is_history_heading(text: str) -> bool:
    return _norm_key(re.sub(r"^[\d.\s]+", "", text)) in _history_sections()


def merge(metadata: Metadata, sources: Iterable[dict[str, Field]]) -> Metadata:
    """Add each source's fields to ``metadata``, in the order given (most trusted first)."""
    for found in sources:
        for name, field in found.items():
            metadata.add(name, field)
    return metadata
