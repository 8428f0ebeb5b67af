"""Read a document's control identity (number, revision, dates, approval, status).

The label vocabulary lives in ``corpora/document-control.yaml``. Each ``from_*`` function
reads one kind of source; the extractor calls them in order of trust and `Metadata` keeps
every candidate, most trusted first.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass

from doccheck.extract.dates import parse_date
from doccheck.extract.pdflayout import heading_level
from doccheck.model import FILE_NAME_SOURCE, Field, Metadata
from doccheck.resources import corpus


_NOT_KEY = re.compile(r"[^a-z0-9]")


def _norm_key(text: str) -> str:
    return _NOT_KEY.sub("", text.lower())


# What may stand between a label and its colon: "Approver(s):", "Effective Date (DD-MMM-YYYY):", "Approved by QA:"
_QUALIFIER = r"(?:(?:\s*\([^()\n]{1,30}\)|\s+(?-i:[A-Z]{2,5}(?:/[A-Z]{2,5})?))(?=\s*[:#]))?"


def _label_regex(label: str) -> str:
    words = [re.escape(w) for w in label.split()]
    return r"[\s.]*".join(words) + r"\.?"


def _label_alternation(labels: Iterable[str]) -> str:
    """One alternation of a field's labels, the longest first ("document number" before "document"),
    and the qualifier any of them may have before its colon (once, after the group: the alternation
    is tried at every position of every control line)."""
    return "(?:" + "|".join(_label_regex(label) for label in sorted(labels, key=len, reverse=True)) + ")" + _QUALIFIER


@dataclass(frozen=True)
class _FieldSpec:
    name: str
    keys: frozenset[str]  # normalised labels, for property names and table cells
    label_re: re.Pattern[str]  # label + separator + value in running text
    bare_re: re.Pattern[str]  # the label and its colon with nothing after them
    loose_re: re.Pattern[str]  # the label, its colon and whatever short text follows
    value: str  # regex source, "date" or "text"
    value_re: re.Pattern[str] | None  # the value alone (None for date/text)
    property_keys: frozenset[str]  # normalised property / front-matter keys (labels and their synonyms)
    word_re: re.Pattern[str]  # the first words of its labels: what each of its label patterns needs
    named_re: re.Pattern[str] | None = None  # a label that can only mean this field + separator + `named_value`
    named_value_re: re.Pattern[str] | None = None  # `named_value` alone, for a table cell beside such a label
    named_label_re: re.Pattern[str] | None = None  # a whole label cell that can only mean this field ("Doc #", not "Doc")


@functools.cache
def _specs() -> tuple[_FieldSpec, ...]:
    data = corpus("document-control.yaml")["fields"]
    synonyms = corpus("document-control.yaml")["property_keys"]
    specs = []
    for name, spec in data.items():
        labels = sorted(spec["labels"], key=len, reverse=True)
        value = spec["value"]
        value_re = r"(?P<v>[^\n\r|]{1,160})" if value in ("date", "text") else rf"(?P<v>{value})"
        label_alt = _label_alternation(labels)
        # Free text after a bare label ("approved, issued") is prose, not a field: it needs a separator.
        sep = r"\s*[:#]\s*" if value == "text" else r"\s*[:#]?\s*(?:-\s+)?"
        pattern = rf"(?<![A-Za-z])(?i:{label_alt})(?![A-Za-z]){sep}{value_re}"
        keys = frozenset(_norm_key(label) for label in labels)
        plain = None if value in ("date", "text") else re.compile(value)
        property_keys = keys | {_norm_key(k) for k in synonyms.get(name, ())}
        bare = re.compile(rf"(?<![A-Za-z])(?i:{label_alt})\s*:\s*(?=$|[\n\t|])")
        loose = re.compile(rf"(?<![A-Za-z])(?i:{label_alt})(?![A-Za-z])\s*[:#]\s*(?P<v>[^\n\r\t|]{{1,40}}?)\s*(?=$|[\n\r\t|]|\s{{2,}})")
        named = named_value = named_label = None
        if spec.get("named_value"):
            strong = _label_alternation(label for label in labels if label not in spec.get("weak_labels", ()))
            named = re.compile(rf"(?<![A-Za-z])(?i:{strong})(?![A-Za-z]){sep}(?P<v>{spec['named_value']})")
            named_value = re.compile(spec["named_value"])
            named_label = re.compile(rf"\s*(?i:{strong})\s*[:#]?\s*")
        specs.append(_FieldSpec(name, keys, re.compile(pattern), bare, loose, value, plain, property_keys, _first_words(labels), named, named_value, named_label))
    return tuple(specs)


@functools.cache
def _placeholder() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in corpus("document-control.yaml")["placeholders"]), re.I)


def is_placeholder(value: str) -> bool:
    """ "____", "[YYYY-MM-DD]", "TBD", "{{ date }}": a label that holds no value."""
    return bool(_placeholder().search(value.strip().strip("*").strip()))


_DATE_SHAPE = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}\b")


def blank(source: str) -> Field:
    """A field whose label is there with nothing (or a placeholder) after it: "present but blank"."""
    return Field("", source, None, "blank")


# NOTE: an underscore is emphasis only at the edge of a word ("_Approved: J. Smith_"): never inside a number
# ("SOP_QA_004") and never a blank's underscores ("Effective Date: ____")
_MARKUP = re.compile(r"[*`]+|(?<![\w_])_{1,2}(?=[A-Za-z0-9*])|(?<=[A-Za-z0-9.):*])_{1,2}(?![\w_])")


def _unmarked(text: str) -> str:
    """Markdown emphasis and code marks dropped (``**Revision:** r1``, ``_Rev. 2_``): labels and values read through them."""
    return _MARKUP.sub("", text) if "*" in text or "`" in text or "_" in text else text


@functools.cache
def _any_label() -> re.Pattern[str]:
    """Any label followed by a separator: where a free-text value must stop."""
    labels = {label for spec in corpus("document-control.yaml")["fields"].values() for label in spec["labels"]}
    alt = _label_alternation(labels)
    return re.compile(rf"(?:\s{{2,}}|\t|\s)(?i:{alt})\s*[:#]|\s{{3,}}|\t|\s+(?i:page\s+\d)")


def _clean_value(spec: _FieldSpec, raw: str, source: str, person: bool = True) -> Field | None:
    """``person``: an approval must name someone (not in properties, where the key is the record)."""
    raw = raw.strip()
    if spec.value == "date":
        cut = _any_label().search(raw)  # "Effective Date: Revision: 2": the next label, no date
        head = (raw[: cut.start()] if cut else raw).strip()
        parsed = parse_date(head)
        if parsed:
            return Field(parsed.iso, source, parsed.raw, parsed.note)
        shaped = _DATE_SHAPE.match(head)
        if shaped:  # "2024-02-30": written as a date, but no calendar has it
            return Field("", source, shaped.group(0), "invalid")
        return blank(source) if not head or is_placeholder(head.split("  ")[0]) else None
    if spec.value == "text":
        cut = _any_label().search(raw)
        value = (raw[: cut.start()] if cut else raw).strip(" :;,-")
        if value and (is_placeholder(value) or is_placeholder(re.split(r"[,;]", value, maxsplit=1)[0])):
            return blank(source)  # "[Name], Quality Manager": the name is still to be filled in
        if spec.name == "approval" and value and person:
            from doccheck.extract.approval import is_person

            if not is_person(value):
                return None  # "Approved by: Quality Manager" names a role, not an approval
        return Field(value, source, None) if value else None
    if raw and is_placeholder(raw):
        return blank(source)  # "Document No: SOP-XXX", "Revision: X": still to be filled in
    return Field(raw, source, None) if raw else None


@functools.cache
def _ignored_keys() -> frozenset[str]:
    """The keys as PDF/XMP and Office write them, matched exactly: XMP's "DocumentID" (uuid:...) is
    never the number, while front matter's "document-id" and a custom property "Document ID" are."""
    return frozenset(corpus("document-control.yaml")["ignored_property_keys"])


@functools.cache
def _generator_title() -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in corpus("document-control.yaml")["generator_titles"]), re.I)


def is_generator_title(title: str) -> bool:
    """ "Microsoft Word - QP-0017_R1.docx", "DocuSign Envelope": a tool's title, not the author's."""
    return bool(_generator_title().search(title.strip()))


def _property_value(spec: _FieldSpec, value: object, source: str, synonym: bool) -> Field | None:
    """A property or front-matter value; under a synonym key ("id", "version") only when it looks like its field."""
    if isinstance(value, Mapping):
        value = _nested(value)
    if isinstance(value, (list, tuple)):
        value = ", ".join(str(_nested(v) if isinstance(v, Mapping) else v) for v in value if v not in (None, ""))
    text = value.isoformat() if hasattr(value, "isoformat") else str(value).strip()
    if not text:
        return blank(source)
    if spec.value_re is not None:
        if is_placeholder(text):
            return blank(source)
        if synonym and not re.fullmatch(spec.value_re.pattern, text, re.I):
            return None  # "id: pat_01kg5023...": a website record id is not a document number
    if spec.name == "title" and is_generator_title(text):
        return None
    return _clean_value(spec, text, source, person=False)


def _nested(value: Mapping[object, object]) -> object:
    """The field's own value inside a nested front-matter mapping ("{name: Jane Smith, role: QA}" -> "Jane Smith"), else none."""
    keys = {_norm_key(str(k)): v for k, v in value.items()}
    return next((keys[k] for k in _nested_keys() if k in keys and not isinstance(keys[k], (Mapping, list, tuple))), "")


@functools.cache
def _nested_keys() -> tuple[str, ...]:
    return tuple(_norm_key(k) for k in corpus("document-control.yaml")["nested_value_keys"])


def from_properties(props: Mapping[str, object], source: str) -> dict[str, Field]:
    """Custom document properties or front matter: keys matched to field labels and their synonyms.

    An empty value ("effective_date:") is a blank field; a value that does not look like its
    field is no value; PDF/XMP internal identifiers and authors are never read.
    """
    found: dict[str, Field] = {}
    by_key = _property_keys_of(props)
    for spec in _specs():
        for key in sorted(spec.property_keys, key=lambda k: (k not in spec.keys, k)):  # a label before a synonym
            if key in by_key:
                name, value = by_key[key]
                field = _property_value(spec, "" if value is None else value, f"{source} '{name}'", key not in spec.keys)
                if field and (field.value or spec.name not in found):
                    found[spec.name] = field
                if field and field.value:
                    break
    return found


def _property_keys_of(props: Mapping[str, object]) -> dict[str, tuple[str, object]]:
    """Normalised key -> (key as written, value). A mapping under a group key (corpus ``property_groups``)
    holds the document's fields ("document: {id: SOP-1, version: 3}"): its keys stand beside the top
    level's (which win), as "document.id"; the group's own key names nothing (NOTE: "document" is the
    number's label). A mapping under another key ("classification: {status: draft}") is not read so."""
    by_key: dict[str, tuple[str, object]] = {}
    grouped: list[tuple[str, str, object]] = []
    groups = _property_groups()
    for k, v in props.items():
        if str(k) in _ignored_keys():
            continue
        if isinstance(v, Mapping) and _norm_key(str(k)) in groups:
            grouped.extend((f"{k}.{c}", _norm_key(str(c)), cv) for c, cv in v.items() if str(c) not in _ignored_keys())
            continue
        by_key[_norm_key(str(k))] = (str(k), v)
    for name, key, value in grouped:
        by_key.setdefault(key, (name, value))
    return by_key


@functools.cache
def _property_groups() -> frozenset[str]:
    return frozenset(_norm_key(k) for k in corpus("document-control.yaml")["property_groups"])


_CONTROL_SPAN = 500
CONTROL_LINE = 200  # first-page blocks longer than this are prose, not a control line


@functools.cache
def _any_label_word() -> re.Pattern[str]:
    """One cheap pass that says whether a text can hold a field label at all."""
    labels = {label for spec in corpus("document-control.yaml")["fields"].values() for label in spec["labels"]}
    return _first_words(labels, r"(?![a-z])")


def _first_words(labels: Iterable[str], after: str = "") -> re.Pattern[str]:
    """The first words of ``labels``, each after a non-letter: every label pattern of a field starts so,
    so a text without one needs none of them tried (NOTE: 4 patterns per field on every control line)."""
    words = sorted({re.escape(label.split()[0]) for label in labels}, key=len, reverse=True)
    return re.compile(rf"(?<![A-Za-z])(?:{'|'.join(words)}){after}", re.I)


_CITED_NUMBER = re.compile(r"(?<![\w-])[A-Z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)+\s*,?\s*$")


def _of_cited_document(text: str, start: int, own_number: re.Match[str] | None, known: str | None, opening: bool = True) -> bool:
    """``See SOP-QA-004 Rev B``: in running text, a revision that follows another document's
    number, after other words, is that document's.

    The document's own control line labels the number (``Doc No. SOP-QA-004  Rev. C``), starts
    with it (``SOP-QA-004 Rev C`` under the title: ``opening``, the first lines of the first page),
    or names the number the document is ``known`` by from a more trusted source (``Training
    procedure SOP-QA-004 Rev C``). Further down, a line that starts with a number cites it.
    """
    before = _CITED_NUMBER.search(text, 0, start)
    if before is None:
        return False
    if known and before.group(0).rstrip(" ,").upper() == known.upper():
        return False
    if not text[: before.start()].strip():
        return not opening
    return not (own_number and own_number.start("v") <= before.start() < own_number.end("v"))


def from_first_page(texts: Iterable[str], sources: Iterable[Mapping[str, Field]]) -> list[dict[str, Field]]:
    """Control lines among the first page's blocks; ``sources``: what the more trusted sources read.

    The document number those give first tells the document's own revision from a cited one.
    """
    known = next((s["document_number"].value for s in sources if "document_number" in s and s["document_number"].value), None)
    lines = [line for text in texts for line in text.split("\n")]  # a block of short lines ("**Revision:** r1  ") is lines
    opening = _opening_lines(lines)
    found = [from_text(line, "first page", running=True, known=known, opening=n < opening)
             for n, line in enumerate(lines) if len(line) <= CONTROL_LINE]
    if known is None and not any("document_number" in f for f in found):
        found.append(_number_before_revision([line for line in lines[:opening] if len(line) <= CONTROL_LINE]))
    if known is None and not any("document_number" in f for f in found):
        found.append(_named_by_itself(lines))
    return found


@functools.cache
def _self_reference() -> re.Pattern[str]:
    """"This procedure (QP-0022, Revision 02)": the document's number, and its revision, in brackets after it names itself."""
    data = corpus("document-control.yaml")
    words = "|".join(r"\s+".join(map(re.escape, w.split())) for w in sorted(data["self_reference"], key=len, reverse=True))
    fields = data["fields"]
    labels = _label_alternation(fields["revision"]["labels"])
    return re.compile(rf"\b(?i:this\s+(?:{words}))\s*\(\s*(?P<number>{fields['document_number']['value']})"
                      rf"(?:\s*[,;]?\s*(?i:{labels})(?![A-Za-z])\s*[:#]?\s*(?P<rev>{fields['revision']['value']}))?\s*\)")


def _numbered(value: str, letters: int = 0) -> bool:
    """Whether a value of the number's shape is a number: a digit ("SOP-QA" is a name), and ``letters``
    letters at least ("V1.0" is a version, "R01" a file's running id)."""
    return any(ch.isdigit() for ch in value) and sum(ch.isalpha() for ch in value) >= letters


def _named_by_itself(lines: Sequence[str]) -> dict[str, Field]:
    for line in lines:
        m = _self_reference().search(line[:_CONTROL_SPAN])
        if m and _numbered(m.group("number")):
            found = {"document_number": Field(m.group("number"), "first page (where the document names itself)")}
            if m.group("rev"):
                found["revision"] = Field(m.group("rev"), "first page (where the document names itself)")
            return found
    return {}


def from_running_line(text: str, source: str) -> dict[str, Field]:
    """A page header or footer names the document itself: a line there that opens with a number and its
    revision ("SOP-DC-010 Rev B  Design Transfer") or with a number and the title ("QP-0017 Internal Audit
    Process"), with no label, gives the number. NOTE: unlabelled, so after the labelled sources (a control
    table's "Doc No." wins)."""
    lines = text.split("\n")
    return _number_before_revision(lines, source) or from_title_line(lines, f"{source} (unlabelled, before the title)")


def lone_number(sources: Sequence[dict[str, Field]], running: Iterable[tuple[str, str]]) -> dict[str, Field]:
    """The last resort for the number: a page-header or footer line (or table cell) of ``running``
    ((text, part) pairs) that is a document number and nothing else ("| ACME | Supplier Control |
    SOP-QA-004 | Rev. C |"), when no other source of ``sources`` gave one (NOTE: never beside them: a
    template's form number in a header cell would contradict the labelled number). A digit and two
    letters at least ("V1.0" is a version), or one after the kind of document ("Form F-001")."""
    if any(found.get("document_number") and found["document_number"].value for found in sources):
        return {}
    spec = next(s for s in _specs() if s.name == "document_number")
    for text, part in running:
        for line in text.split("\n"):
            value = _unmarked(line).strip()
            named = _kind_re().match(value).end()  # "SOP: SOP-QA-004", "Form F-001": the kind is no part of it, and says what it is
            value = value[named:]
            if spec.value_re and spec.value_re.fullmatch(value) and _numbered(value, 1 if named else 2):
                return {"document_number": Field(value, f"{part} (unlabelled, a number alone)")}
    return {}


def from_file_name(stem: str) -> dict[str, Field]:
    """The number a file name opens with ("SOP-QA-004 Supplier Control", "QM-001-quality-manual"): the last
    resort, for a document that shows none (its findings say so). A digit and two letters: "R01" is no number."""
    m = _number_first().match(stem)
    if m and _numbered(m.group("number"), 2):
        return {"document_number": Field(m.group("number"), FILE_NAME_SOURCE)}
    return {}


@functools.cache
def _number_first() -> re.Pattern[str]:
    """A number of the corpus' shape at the start, ending where a letter or digit cannot go on."""
    return re.compile(rf"(?P<number>{corpus('document-control.yaml')['fields']['document_number']['value']})(?![A-Za-z0-9])")


_CONTROL_LINES = 6  # the first page's first lines: the title and its control line, before any section


def _opening_lines(lines: Sequence[str]) -> int:
    """How many of the first page's lines are its opening (the title and its control lines): at most
    `_CONTROL_LINES`, and none from the first numbered section on ("1 Purpose", "2 References": what
    follows a section heading is the procedure's text, where a line that opens with a number cites it)."""
    for n, line in enumerate(lines[:_CONTROL_LINES]):
        if n and heading_level(_unmarked(line).lstrip("# ").strip()):
            return n
    return min(len(lines), _CONTROL_LINES)


@functools.cache
def _number_then_revision() -> re.Pattern[str]:
    """A line that opens with a document number (after the kind of document, maybe) and goes on with its revision
    ("SOP-PUR-003 Rev 05"), or with a version as an issuing body writes it ("WI-PRD-077 v4", "MDCG 2019-6 v2")."""
    fields = corpus("document-control.yaml")["fields"]
    number = fields["document_number"]["value"]
    labels = _label_alternation(fields["revision"]["labels"])
    revision = fields["revision"]["value"]
    return re.compile(rf"^\W{{0,4}}{_kind_word()}(?P<number>{number})\s*[,;:|/\u00b7\u2022\u2013\u2014-]?\s*"
                      rf"(?:(?i:{labels})(?![A-Za-z])\s*[:#]?\s*(?:{revision})|(?P<version>[vV]\.?\s?(?P<rev>\d{{1,3}}(?:\.\d{{1,3}}){{0,2}}))(?![\w.-]))")


@functools.cache
def _kind_re() -> re.Pattern[str]:
    return re.compile(_kind_word())


@functools.cache
def _kind_word() -> str:
    """What may name the kind of document before its number on a running line: "Form F-001 Rev. 2",
    "Procedure QP-0017 Rev 01", "SOP: SOP-QA-004" (regex source, optional, any case)."""
    kinds = sorted(corpus("document-control.yaml")["kind_words"], key=len, reverse=True)
    return "(?:(?i:" + "|".join(r"\s+".join(map(re.escape, k.split())) for k in kinds) + r")\s*[:#]?\s+)?"


def _number_before_revision(lines: Sequence[str], source: str = "first page") -> dict[str, Field]:
    """The document's own number where no label names it: a line under the title, or in a page header or
    footer, that opens with a number and its revision. NOTE: on the first page only its first lines: a
    reference list further down cites other numbers so."""
    where = f"{source} (unlabelled, before its revision)"
    for line in lines:
        m = _number_then_revision().match(_unmarked(line).strip())
        if m and _numbered(m.group("number")):
            found = {"document_number": Field(m.group("number"), where)}
            if m.group("version"):  # a labelled revision is read by the label's own pattern (from_text)
                found["revision"] = Field(m.group("rev"), where, m.group("version"))
            return found
    return {}


def from_text(text: str, source: str, running: bool = False, known: str | None = None, opening: bool = True,
              only: str | None = None) -> dict[str, Field]:
    """A control block: ``Doc No. SOP-QA-004  Rev. C  Effective 2026-03-01``, ``**Revision:** r1``,
    ``DOCUMENT NAME: Labeling Checklist (F-004A)``.

    ``running``: the text is the body's (first page), where other documents are cited too;
    headers, footers and table cells hold the document's own identity. ``known``: the
    document's number from a more trusted source, when there is one. ``opening``: the text is
    among the first lines under the title, where a line that opens with a number is the document's.
    ``only``: the one field wanted (the others are not looked for; each field is read on its own).
    """
    found: dict[str, Field] = {}
    text = _unmarked(text[:_CONTROL_SPAN])  # control blocks are short; long paragraphs are prose
    if not _any_label_word().search(text):
        return found
    found = _labelled(text, source, running, known, opening, only)
    title = found.get("title")
    if title and title.value and "document_number" not in found:  # "Labeling Checklist (F-004A)"
        m = _NUMBER_AFTER_TITLE.search(title.value)
        spec = next(s for s in _specs() if s.name == "document_number")
        if m and spec.value_re and spec.value_re.fullmatch(m.group("number")):
            found["document_number"] = Field(m.group("number"), source, None, "in brackets after the title")
            found["title"] = Field(title.value[: m.start()].strip(), title.source, title.raw, title.note)
    return found


_NUMBER_AFTER_TITLE = re.compile(r"\s*\((?P<number>[^()\s]{2,30})\)\s*$")


def _labelled(text: str, source: str, running: bool, known: str | None, opening: bool = True, only: str | None = None) -> dict[str, Field]:
    """NOTE: every pattern of a field starts with the first word of one of its labels, after a non-letter.
    Those places are found in one pass over the text (`_label_starts`) and each pattern is only matched
    there: searching the text with four case-insensitive alternations per field, which no prefix speeds
    up, was most of reading a document's identity."""
    found: dict[str, Field] = {}
    own_number = None
    starts = [m.start() for m in _label_starts().finditer(text)]
    for spec in _specs():
        if only is not None and spec.name != only:
            continue
        at = [p for p in starts if spec.word_re.match(text, p)]
        if not at:
            continue
        for m in _matches_at(spec.label_re, text, at):
            if spec.name == "document_number" and own_number is None:
                own_number = m
            if spec.name == "revision" and running and _of_cited_document(text, m.start(), own_number, known, opening):
                continue
            field = _clean_value(spec, m.group("v"), source)
            if field and field.value:
                found[spec.name] = field
                break
            if field and spec.name not in found:
                found[spec.name] = field  # blank, unless a later label of the same field has a value
        if (spec.name not in found or not found[spec.name].value) and spec.named_re is not None:
            named = next(_matches_at(spec.named_re, text, at), None)  # "Document No.: 100-0045": the label says what the value is
            if named and not is_placeholder(named.group("v")):
                found[spec.name] = Field(named.group("v"), source, None)
        if spec.name not in found and next(_matches_at(spec.bare_re, text, at), None):
            found[spec.name] = blank(source)
        elif spec.name not in found and spec.value_re is not None:
            loose = next(_matches_at(spec.loose_re, text, at), None)  # "Revision: [X]": a placeholder where a revision should be
            if loose and is_placeholder(loose.group("v")):
                found[spec.name] = blank(source)
    return found


@functools.cache
def _label_starts() -> re.Pattern[str]:
    """Where any label of any field may start: its first word, after a non-letter (a superset of every field's ``word_re``)."""
    return _first_words({label for spec in corpus("document-control.yaml")["fields"].values() for label in spec["labels"]})


def _matches_at(pattern: re.Pattern[str], text: str, starts: list[int]) -> Iterator[re.Match[str]]:
    """``pattern.finditer(text)`` for a pattern whose every match starts at one of ``starts`` (ascending)."""
    end = 0
    for start in starts:
        if start >= end and (m := pattern.match(text, start)):
            yield m
            end = max(m.end(), start + 1)


def is_field_label(text: str) -> bool:
    """Whether ``text`` is a field's label and nothing else ("Document No.", "Effective Date:")."""
    return _cell_field(text) is not None


def label_rows_likely(lines: Sequence[str]) -> bool:
    """Whether a page's first lines may hold field labels set apart from their values: a line of two labels
    or more and no digit ("Document No.  Revision  Effective Date"), or two lines that are a label alone (a
    PDF gives each drawn cell its own line)."""
    alone = 0
    for line in lines:
        text = line.strip()
        if len(text) <= 160 and not any(ch.isdigit() for ch in text) and len(_any_label_word().findall(text)) >= 2:
            return True
        alone += is_field_label(text)
        if alone >= 2:
            return True
    return False


@functools.lru_cache(maxsize=4096)  # NOTE: table cells repeat (labels, templates' headers): asked ~250 times per Word file
def _cell_field(label: str) -> _FieldSpec | None:
    if len(label) > 40:
        return None
    key = _norm_key(label)
    return next((spec for spec in _specs() if key in spec.keys), None) if key else None


def from_table(rows: Sequence[Sequence[str]], source: str) -> dict[str, Field]:
    """A control table: label cell beside its value, a label row above a value row, or ``Label: value`` cells.

    A revision-history table is not one (its first row is not the current revision: `from_history`).
    """
    found: dict[str, Field] = {}
    if is_document_list(rows) or _names_history(rows):
        return found

    def put(spec: _FieldSpec, raw: str, label: str, control_row: bool) -> bool:
        """Whether ``raw`` is the field's value (or its blank), in a cell by the label cell ``label``
        (``control_row``: among other field labels, where even "Number" can only mean the document's)."""
        if spec.name in found and found[spec.name].value:
            return True
        if not raw.strip() or is_placeholder(raw):
            found.setdefault(spec.name, blank(source))
            return True
        if spec.value_re is not None:
            m = spec.value_re.search(raw)
            if not m and spec.named_value_re is not None and (control_row or spec.named_label_re.fullmatch(label)):  # type: ignore[union-attr]
                m = spec.named_value_re.fullmatch(raw.strip())  # the whole cell: "| Document No. | 100-0045 |"
            if not m:
                return False
            raw = m.group(0)
        field = _clean_value(spec, raw, source)
        if field and (field.value or spec.name not in found):
            found[spec.name] = field
        return bool(field)

    for r, row in enumerate(rows):
        labels = [_cell_field(cell) for cell in row]
        control_row = sum(1 for spec in labels if spec is not None) >= 2
        for c, spec in enumerate(labels):
            if spec is None:
                continue
            below = rows[r + 1][c] if r + 1 < len(rows) and c < len(rows[r + 1]) else None
            # beside it, unless the next cell is another label or no value of the field: then the cell
            # below ("| Doc. Ref. | Issue | Date of Issue |" over its values)
            if not (c + 1 < len(row) and labels[c + 1] is None and put(spec, row[c + 1], row[c], control_row)) and below is not None:
                put(spec, below, row[c], control_row)
        for cell in dict.fromkeys(row):  # NOTE: a merged cell stands in each column it covers: read once
            for name, field in from_text(cell, source).items():
                if name not in found or (field.value and not found[name].value):
                    found[name] = field
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


def signature_only(found: dict[str, Field]) -> dict[str, Field]:
    """What a table inside the procedure's numbered sections gives: its approval (a signature block is often
    there), never an identity field ("2 References" tables cite other documents' numbers and revisions)."""
    return {name: field for name, field in found.items() if name == "approval"}


def is_document_list(rows: Sequence[Sequence[str]]) -> bool:
    """Whether ``rows`` list documents (a document register, a references table): a header cell names the
    document number and the rows under it hold two different numbers. Such a table is neither the
    document's control block nor its revision history, whatever its Version and Date columns say."""
    for h, header in enumerate(rows[:3]):
        for c, cell in enumerate(header):
            spec = _cell_field(cell)
            if spec is None or spec.name != "document_number" or spec.value_re is None:
                continue
            numbers = {m.group(0) for row in rows[h + 1 :] if c < len(row) for m in [spec.value_re.search(row[c])] if m}
            if len(numbers) >= 2:
                return True
    return False


def is_history_table(rows: Sequence[Sequence[str]]) -> bool:
    """Whether a header row of ``rows`` names a revision column and a description column, or a date
    column over several rows (one row of Doc No / Rev / Effective under its labels is a control table)."""
    return not is_document_list(rows) and _names_history(rows)


def _names_history(rows: Sequence[Sequence[str]]) -> bool:
    """A header row names a revision column and a description column, or a date column over several rows."""
    for h, header in enumerate(rows[:3]):
        cols = _header_columns(header)
        if "revision" in cols and ("description" in cols or ("date" in cols and len(rows) - h > 2)):
            return True
    return False


def from_history(rows: Sequence[Sequence[str]], source: str = "revision history table") -> dict[str, Field]:
    """A revision-history table: the latest row's revision and date."""
    if is_document_list(rows):
        return {}
    for h, header in enumerate(rows):
        cols = _header_columns(header)
        if "revision" not in cols or not ({"date", "description"} & cols.keys()):
            continue
        entries = []
        for row in rows[h + 1 :]:
            if cols["revision"] >= len(row) or not row[cols["revision"]].strip():
                continue
            date = parse_date(row[cols["date"]]) if "date" in cols and cols["date"] < len(row) else None
            approver = row[cols["approver"]].strip() if "approver" in cols and cols["approver"] < len(row) else ""
            entries.append((row[cols["revision"]].strip(), date, approver))
        if not entries:
            return {}
        dated = [e for e in entries if e[1]]
        rev, date, approver = max(dated, key=lambda e: e[1].iso) if dated else entries[-1]  # type: ignore[union-attr]
        found = {"revision": Field(rev, f"{source} (latest row)")}
        if date:
            found["effective_date"] = Field(date.iso, f"{source} (latest row)", date.raw, date.note)
        from doccheck.extract.approval import is_person

        if approver and is_person(approver):
            found["approval"] = Field(approver, f"{source} (latest row)")
        return found
    return {}


@functools.cache
def _history_sections() -> frozenset[str]:
    return frozenset(_norm_key(s) for s in corpus("document-control.yaml")["history"]["sections"])


@functools.cache
def _column_names() -> tuple[dict[tuple[str, ...], str], frozenset[str], frozenset[str]]:
    """Column-name phrases (as lower-case word tuples) -> their history role ("" for the other columns), the joiners,
    and the words a column name starts with."""
    data = corpus("document-control.yaml")["history"]
    names = {tuple(_HEADER_WORD.findall(w.lower())): "" for w in data["other_columns"]}
    names.update({tuple(_HEADER_WORD.findall(w.lower())): role for role, words in data["headers"].items() for w in words})
    names = {k: v for k, v in names.items() if k}
    return names, frozenset(data["joiners"]), frozenset(k[0] for k in names)


_HEADER_WORD = re.compile(r"[a-z]+|#")
_DIGIT = re.compile(r"\d")


def is_history_header_line(text: str) -> bool:
    """Whether one line is a revision-history table's header row written out ("Rev.  Date  Description of Change  Author"):
    nothing but column names, among them a revision column and a description of the change. NOTE: a PDF has no
    cells to read a header row from; a line of other words ("Document No.  Title  Revision") is no history, and
    neither is a control table's label row ("Revision  Effective Date  Approved By"): it describes no change."""
    if len(text) > 120 or not opens_with_column_name(text) or _DIGIT.search(text):
        return False
    names, joiners, _ = _column_names()
    words = _HEADER_WORD.findall(text.lower())
    longest = max(map(len, names))
    roles, i = set(), 0
    while i < len(words):
        size = next((n for n in range(min(longest, len(words) - i), 0, -1) if tuple(words[i : i + n]) in names), 0)
        if size:
            roles.add(names[tuple(words[i : i + size])])
            i += size
        elif words[i] in joiners:
            i += 1
        else:
            return False
    return "revision" in roles and "description" in roles


def opens_with_column_name(text: str) -> bool:
    """Whether ``text``'s first word can begin a revision-history column name (cheap: where most lines are left)."""
    first = _HEADER_WORD.search(text[:24].lower())
    return first is not None and first.group(0) in _column_names()[2]


# a revision: digits ("02", "1.1", "3a"), a letter and digits ("A1"), or one or two capitals before a capital or a digit
# ("B Updated ...", never the "A" of "A copy of ...")
_ROW_START = re.compile(r"^(?:[Rr]ev(?:ision)?\.?\s*)?(?:\d{1,3}(?:\.\d{1,3}){0,2}[A-Za-z]?|[A-Z]\d{1,3}(?:\.\d{1,3})?|[A-Z]{1,2}(?=\s+[A-Z0-9]|\s*$))(?![\w.-])")


def is_history_row_line(text: str) -> bool:
    """Whether a line can be a row of a revision-history table: it opens with a revision ("02", "B", "1.1", "Rev 3")
    or holds a date."""
    return bool(_ROW_START.match(text.strip())) or parse_date(text) is not None


def is_history_heading(text: str) -> bool:
    return _norm_key(re.sub(r"^[\d.\s]+", "", text)) in _history_sections()


@functools.cache
def _series() -> tuple[re.Pattern[str], re.Pattern[str]]:
    numbering = corpus("document-control.yaml")["numbering"]
    series = "|".join(f"(?:{p})" for p in numbering["series"])
    return re.compile(rf"(?<![\w/])(?P<number>{series})(?![\w-])"), re.compile(numbering["version_after"], re.I)


def from_series(text: str, source: str) -> dict[str, Field]:
    """An unlabelled regulator or standards-body number where a document names itself ("MDCG 2019-6 v2")."""
    series, version = _series()
    m = series.search(text)
    if not m:
        return {}
    found = {"document_number": Field(re.sub(r"\s+", " ", m.group("number")), f"{source} (unlabelled)")}
    v = version.match(text, m.end())
    if v:
        found["revision"] = Field(v.group("rev"), f"{source} (after the number)")
    return found


# NOTE: the number ends where a letter or digit cannot go on: "F-004A" alone is not "F-004" before a title "A"
_TITLE_NUMBER = re.compile(r"^\W{0,4}(?P<number>[A-Z][A-Z0-9]{0,9}(?:[-_.][A-Z0-9]{1,10}){1,4})(?![A-Za-z0-9])\s*(?:[-–—:|·•]\s*)?(?=[A-Za-z])")


@functools.cache
def _title_end_number() -> re.Pattern[str]:
    """A number of the corpus' shape that ends the title, in brackets or after a dash: "Supplier Control (SOP-QA-015)",
    "Document Control – QP-0004"."""
    number = corpus("document-control.yaml")["fields"]["document_number"]["value"]
    return re.compile(rf"[A-Za-z].*?(?:\s*[(\[]\s*(?P<bracketed>{number})\s*[)\]]|\s+[-–—|]\s+(?P<dashed>{number}))\W{{0,3}}$")


def from_title_line(texts: Sequence[str], source: str = "title (unlabelled)", ends: bool = False) -> dict[str, Field]:
    """A number that opens the document's title ("QP-07.05 — Document Control Procedure", "# SOP-QA-004 Training");
    ``ends``: or that ends it ("Supplier Control (SOP-QA-015)"; the title heading itself, not a running line)."""
    for text in texts:
        line = _unmarked(text).lstrip("# ").strip()
        m = _TITLE_NUMBER.match(line)
        if m and _numbered(m.group("number")):
            return {"document_number": Field(m.group("number"), source)}
        m = _title_end_number().match(line) if ends else None
        number = m and (m.group("bracketed") or m.group("dashed"))
        if number and _numbered(number, 1):
            return {"document_number": Field(number, source, None, "after the title")}
    return {}


def merge(metadata: Metadata, sources: Iterable[dict[str, Field]]) -> Metadata:
    """Add each source's fields to ``metadata``, in the order given (most trusted first).

    A blank field (the label with nothing after it) is recorded as blank, never as a value.
    """
    for found in sources:
        for name, field in found.items():
            if field.value:
                metadata.add(name, field)
            elif field.note == "invalid":
                metadata.blank.setdefault(name, f"{field.source}, which holds '{field.raw}', not a calendar date")
            else:
                metadata.blank.setdefault(name, field.source)
    return metadata
