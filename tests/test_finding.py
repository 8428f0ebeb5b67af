"""The Finding record: equality ignores the message, and it survives the cache's pickling."""

import pickle

from doccheck.finding import Finding, Severity
from doccheck.model import Location


def _finding(message: str) -> Finding:
    return Finding("QMSR-REF-001", "obsolete-reference", Severity.ERROR, message, "a.md", Location("body", line=3, column=5), "21 CFR 820.30")


def test_equality_and_hash_ignore_the_message():
    a, b = _finding("one wording"), _finding("another wording")
    assert a == b and hash(a) == hash(b) and not (a != b)
    assert a != a._replace(severity=Severity.WARNING)


def test_round_trip_and_contract():
    f = _finding("21 CFR 820.30 cites the superseded QSR")
    back = pickle.loads(pickle.dumps(f))
    assert back == f and back.message == f.message and back.location.short() == "3:5"
    assert f.to_dict()["location"] == {"part": "body", "page": None, "paragraph": None, "line": 3, "column": 5, "section": None}
