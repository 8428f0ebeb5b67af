"""Evidence that a document was approved: a person, a signature or an e-signature manifest.

FDA reads "approved" as signed and dated (Part 11 e-signatures count). What counts here:

* an approval label with a person after it (``Approved by: Jane Smith, QA Manager 2024-03-01``);
* a signature-table row whose first cell names the approval and another cell the person;
* the approver column of a revision history's latest row (`identity.from_history`);
* an e-signature manifest: a signer, and a signature meaning that is an approval
  (``Signed by: Jane Smith ... Meaning: Approval``); a review or authorship signature is not;
* a conformed signature (``/s/ Jane Smith``);
* properties and front matter (``approvers: [J. Smith]``), read by `identity.from_properties`.

Never an approver role alone ("Approved by: Quality Manager"), a placeholder ("[Name]"), or a
blank signature field. The vocabulary is in ``corpora/document-control.yaml`` (``approval``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence

from doccheck.anchors import Gated, anchors
from doccheck.extract.dates import parse_date
from doccheck.model import Field
from doccheck.resources import corpus

# A word of a name in any script ("Müller", "José García", "O’Neil"); "R&D" is one word, not two capitals
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|[.'’&-])*")
_SIGN_CUE = ("sign", "Sign", "SIGN", "/s/")


@functools.cache
def _data() -> dict:  # type: ignore[type-arg]
    data = corpus("document-control.yaml")["approval"]
    return {
        "roles": frozenset(data["role_words"]),
        "name_words": frozenset(data["name_words"]),
        "not_name_words": frozenset(data["not_name_words"]),
        "row": re.compile("|".join(data["row_labels"]), re.I),
        "row_anchors": anchors("|".join(f"(?:{p})" for p in data["row_labels"])),  # one of them is in every row label
        "heading": re.compile("|".join(f"(?:{h})" for h in data["headings"]), re.I),
        "signer": [Gated(p) for p in data["signer"]],  # NOTE: gated: an optional first word made re try every position
        "meaning": re.compile(data["meaning"], re.I),
        "approving": re.compile(data["approving"], re.I),
        "statements": [re.compile(p, re.I) for p in data["statements"]],
    }


def is_person(text: str) -> bool:
    """Whether ``text`` names someone ("Jane Smith", "J. Smith, QA"), not only a role or a placeholder."""
    from doccheck.extract.identity import is_placeholder

    head = re.split(r"[,;(]", text, maxsplit=1)[0].strip()
    if not head or is_placeholder(head) or "[" in head or "_" in head:
        return False
    words = _WORD.findall(head)
    data = _data()
    if any(w.rstrip(".").lower() in data["not_name_words"] for w in words):
        return False  # a body, a department, a company or where the signatures are: "Change Control Board"
    if any(w[0].islower() and w.rstrip(".") not in data["name_words"] and w.rstrip(".") not in data["roles"] for w in words):
        return False  # a phrase or a sentence, not a name: "GitHub PR database"
    named = [w for w in words if w[0].isupper() and w.rstrip(".").lower() not in data["roles"]]
    return len(named) >= 2  # "Jane Smith", "J. Smith": a single word ("Active", "Smith") is no one for certain


def _with_date(name: str, context: str) -> str:
    date = parse_date(context)
    return f"{name}, {date.iso}" if date and date.raw not in name and date.iso not in name else name


def from_lines(texts: Iterable[str], source: str) -> dict[str, Field]:
    """Approval labels with a person after them, e-signature manifests and ``/s/`` signatures in running text.

    A manifest's signer, date and meaning are often separate lines (blocks): they are read as
    one stream, each signer up to the next one.
    """
    from doccheck.extract.identity import from_text

    lines = list(texts)
    for n, text in enumerate(lines):
        if len(text) > 300 or "pprov" not in text.lower():
            continue
        found = from_text(text, source, only="approval").get("approval")  # NOTE: only it: every field was a fifth of reading a Markdown file
        if found and found.value and is_person(found.value):
            return {"approval": Field(_with_date(found.value, text), source)}
        for statement in _data()["statements"]:  # "Electronically approved by Jane Smith on ..."
            m = statement.search(text)
            if m and is_person(_before_on(m.group("name"))):
                return {"approval": Field(_with_date(_before_on(m.group("name")), text), source)}
        if _is_heading(text) and (signer := _signer_under(lines[n + 1 : n + 1 + _UNDER_HEADING])):
            return {"approval": Field(_with_date(signer, signer), source)}
    stream = "\n".join([t for t in lines if len(t) <= 120 or any(cue in t for cue in _SIGN_CUE)])
    return _signed(stream, source) if any(cue in stream for cue in _SIGN_CUE) else {}


_UNDER_HEADING = 8  # lines after an approval heading where its signer may be: a table's header cells and a role come first


def _signer_under(lines: Sequence[str]) -> str | None:
    """The signer under an approval heading ("Approvals", "Document Approval"): the first signer line, past
    blank lines and the header cells and roles of a signature table ("Name", "Title", "QA Manager").
    NOTE: anything else ends the search: under a revision history's "Approved By" column come its rows
    ("A", "2025-01-10", "First issue", "Mark Lee"), whose approver is the latest row's (`identity.from_history`)."""
    roles = _data()["roles"]
    for line in lines:
        text = line.strip()
        if not text:
            continue
        if _signer_line(text):
            return text
        words = _WORD.findall(text.lower())
        if not words or any(w.rstrip(".") not in roles for w in words):
            return None
    return None


def _is_heading(text: str) -> bool:
    """An approval heading or a signature table's title cell ("Approvals", "Approval Signatures", "Approved by:")."""
    label = text.strip().rstrip(":").strip()
    return bool(_data()["row"].fullmatch(label) or _data()["heading"].fullmatch(label))


def _signer_line(text: str) -> bool:
    """"Jane Smith, QA Director - 2021-08-30": a short line that is a person (and maybe a role and a date), not a
    sentence. A PDF's signature-table row comes as one line, "Jane Smith Director QA 2024-01-02": its role
    words and its date are not counted as the name's."""
    name = re.split(r"[,;(\u2013\u2014]| - ", text, maxsplit=1)[0]
    roles = _data()["roles"]
    words = [w for w in name.split() if w.lower().rstrip(".") not in roles and not parse_date(w)]
    return len(text) <= 80 and len(words) <= 4 and is_person(text)


_ON_DATE = re.compile(r"\s+(?:on|at)\s+\S.*$")


def _before_on(name: str) -> str:
    """"Jane Smith on 2021-08-30 10:15": the name, not the time."""
    return _ON_DATE.sub("", name).strip()


def _signed(stream: str, source: str) -> dict[str, Field]:
    """The first signer whose signature means an approval, or who signed "/s/"."""
    data = _data()
    low = stream.lower()
    signers = sorted((m.start(), m.end(), m.group("name").strip(), p.regex.pattern.startswith("/s/"))
                     for p in data["signer"] for m in p.finditer(stream, low))
    for i, (_, end, name, conformed) in enumerate(signers):
        if not is_person(name):
            continue
        window = stream[end : signers[i + 1][0] if i + 1 < len(signers) else end + 400][:400]
        meaning = data["meaning"].search(window)
        if conformed or (meaning and data["approving"].search(meaning.group("meaning"))):
            what = f" ({meaning.group('meaning').strip()})" if meaning else ""
            return {"approval": Field(_with_date(name, window) + what, f"{source} (e-signature)" if meaning else source)}
    return {}


def from_rows(rows: Sequence[Sequence[str]], source: str) -> dict[str, Field]:
    """A signature table: a row that names the approval in its first cell and the person in another,
    or an approval header cell over a person."""
    from doccheck.extract.identity import is_history_table

    row_label, gate = _data()["row"], _data()["row_anchors"]
    if is_history_table(rows):
        return {}  # its approver column is the latest row's (identity.from_history)
    if gate:
        text = "\n".join(cell for row in rows for cell in row).lower()
        if not any(a in text for a in gate):
            return {}  # NOTE: no cell can hold a row label: not searched cell by cell (most body tables)
    for r, row in enumerate(rows):
        cells = [c.strip() for c in row]
        if cells and row_label.search(cells[0]):
            person = next((c for c in cells[1:] if is_person(c)), None)
            if person:
                return {"approval": Field(_with_date(person, " ".join(cells)), source)}
        for c, cell in enumerate(cells):
            if row_label.search(cell) and len(cell) <= 40 and r + 1 < len(rows) and c < len(rows[r + 1]) and is_person(rows[r + 1][c]):
                return {"approval": Field(_with_date(rows[r + 1][c].strip(), " ".join(rows[r + 1])), source)}
    return {}
