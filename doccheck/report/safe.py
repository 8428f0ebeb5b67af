"""What every output writer does to names and text it did not make: any file name the OS allows,
any bytes a document holds, and nothing that a terminal, a spreadsheet or an XML parser obeys.

* `name`: a path as people read it. Bytes that are not UTF-8 (kept by Python as lone
  surrogates) and control characters are shown escaped, as ``ls -b`` does (``\\xff``, ``\\n``),
  so a newline in a file name cannot start a new output line (``::error ...``, a GitHub
  workflow command) and an ESC cannot drive the terminal.
* `plain`: any other text on one output line (messages, matched text): control characters
  become spaces, and non-UTF-8 bytes of a name quoted in a message are escaped.
* `cell`: a CSV cell: control characters removed, and a cell that starts with ``= + - @``, TAB
  or CR gets a leading apostrophe, so a spreadsheet shows it instead of running it (formula
  injection: a document number ``=HYPERLINK(...)``).
* `xml`: text for XML (JUnit): characters XML 1.0 forbids are dropped; `html` does that and the
  escaping for every value the HTML reports render.
"""

from __future__ import annotations

import re

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_ESCAPE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\\\\]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_SURROGATE = re.compile("[\ud800-\udfff]")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _escaped(m: re.Match[str]) -> str:
    ch = m.group(0)
    if ch in _NAMED:
        return _NAMED[ch]
    code = ord(ch)
    return f"\\x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def name(path: str) -> str:
    """A file name shown safely on one line; plain names (the usual case) come back unchanged."""
    return _ESCAPE.sub(_escaped, path) if _ESCAPE.search(path) else path


def plain(text: str) -> str:
    """Text on one line: control characters become spaces, non-UTF-8 bytes of names are escaped."""
    text = _CONTROL.sub(" ", text) if _CONTROL.search(text) else text
    return _SURROGATE.sub(_escaped, text) if _SURROGATE.search(text) else text


def cell(value: object) -> str:
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA):  # NOTE: before the control characters go: a leading TAB or CR is a formula's disguise
        text = "'" + text
    text = _CONTROL.sub("", text) if _CONTROL.search(text) else text
    return _SURROGATE.sub(_escaped, text) if _SURROGATE.search(text) else text


def xml(text: str) -> str:
    return _XML_INVALID.sub("", text) if _XML_INVALID.search(text) else text


def html(value: object) -> object:
    """Jinja's ``finalize`` for the HTML reports: every string rendered loses what XML forbids
    (ESC, BEL...) and shows non-UTF-8 bytes escaped; markup stays markup."""
    if not isinstance(value, str):
        return value
    cleaned = xml(_SURROGATE.sub(_escaped, value) if _SURROGATE.search(value) else value)
    if cleaned is value:
        return value
    from markupsafe import Markup

    return Markup(cleaned) if isinstance(value, Markup) else cleaned

