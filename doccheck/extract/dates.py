"""Read the date forms SOPs use and give them in ISO form, noting ambiguity."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for m in names
}
_MON = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"

_PATTERNS = [
    ("iso", re.compile(r"(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?")),
    ("dmy-name", re.compile(rf"(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[-\s]{_MON}[-\s,]+(?P<y>\d{{4}})", re.I)),
    ("mdy-name", re.compile(rf"{_MON}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})", re.I)),
    # year first with the month's name, as some document systems export it ("2026-Apr-01", "2026 APR 01")
    ("ymd-name", re.compile(rf"(?<![\w.-])(?P<y>\d{{4}})[-\s/]{_MON}[-\s/](?P<d>\d{{1,2}})(?![\d:.])", re.I)),
    ("dotted", re.compile(r"(?P<d>\d{1,2})\.(?P<m>\d{1,2})\.(?P<y>\d{4})")),
    ("slashed", re.compile(r"(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{4})")),
    # ISO 8601's basic form, as document systems export it ("Effective: 20240301"); not inside a longer number or an id
    ("iso", re.compile(r"(?<![\w.-])(?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?![\w.-])")),
    # NOTE: two-digit years last, and never dotted ("7.5.10" is a clause): "3/15/22", "15-MAR-22"
    ("dmy-name", re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?[-\s]{_MON}[-\s,]+(?P<y>\d{{2}})(?![\d:])", re.I)),
    ("slashed", re.compile(r"(?<![\d/.-])(?P<a>\d{1,2})[/-](?P<b>\d{1,2})[/-](?P<y>\d{2})(?![\d/.-])")),
]

@dataclass(frozen=True)
class ParsedDate:
    iso: str
    raw: str
    note: str | None = None


def _make(y: int, m: int, d: int) -> str | None:
    try:
        return dt.date(y, m, d).isoformat()
    except ValueError:
        return None


def parse_date(text: str) -> ParsedDate | None:
    """The first date in ``text``, in ISO form; ``03/01/2026`` is read month-first and noted."""
    for kind, pattern in _PATTERNS:
        m = pattern.search(text)
        if not m:
            continue
        g = m.groupdict()
        year = int(g["y"])
        note = None
        if len(g["y"]) == 2:  # the POSIX (strptime %y) rule: 69-99 are 1969-1999, 00-68 are 2000-2068
            year += 1900 if year >= 69 else 2000
            note = f"two-digit year read as {year}"
        if kind == "slashed":
            a, b = int(g["a"]), int(g["b"])
            if a > 12:  # 25/03/2026: day first, unambiguous
                month, day = b, a
            else:
                month, day = a, b
                if b <= 12 and a != b:
                    note = "; ".join(filter(None, ["ambiguous date: read as month/day (US order)", note]))
        elif "mon" in g and g["mon"]:
            month, day = _MONTHS[g["mon"].lower().rstrip(".")], int(g["d"])
        else:
            month, day = int(g["m"]), int(g["d"])
        iso = _make(year, month, day)
        if iso:
            return ParsedDate(iso, m.group(0), note)
    return None
