"""doccheck's results as plain data: what the cache stores, read back only into doccheck's own types.

A cache file can come from anywhere (a repository, a `cache:` path in someone's configuration),
so nothing in it may run: results are JSON (orjson), never pickle, and `decode_result` /
`decode_details` build `DocumentResult`, `Finding`, `Block`... field by field, checking each
value's type. Anything else in a row (a wrong type, a missing field, another schema) raises
`RecordError`, which the cache treats as a miss: the file is checked again.

Layout (version `VERSION`): lists in field order, so a record is small and fast to read.
"""

from __future__ import annotations

import datetime as dt
import json
import zlib
from typing import Any

import orjson

from doccheck.finding import Finding, Severity
from doccheck.model import Block, Document, Field, Location, Metadata, Problem, Segment, SetFacts, Tag
from doccheck.profile import DocumentProfile
from doccheck.results import DocumentResult

VERSION = 1
_SEVERITIES = {int(s): s for s in Severity}


class RecordError(ValueError):
    """A stored record that is not one doccheck wrote (or not of this version)."""


def _dumps(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except TypeError:  # NOTE: a file name that is not UTF-8 (lone surrogates): JSON escapes carry it
        return json.dumps(value, ensure_ascii=True).encode("ascii")


def _loads(data: bytes) -> Any:
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError, RecursionError):
            raise RecordError("not JSON") from None


# --- checked scalars


def _checked(v: Any, kinds: tuple[type, ...], what: str) -> Any:
    """``v`` when its exact type is one of ``kinds`` (a bool is no integer here), else a RecordError."""
    if type(v) not in kinds:
        raise RecordError(f"expected {what}, got {type(v).__name__}")
    return v


def _str(v: Any) -> str:
    return _checked(v, (str,), "text")  # type: ignore[no-any-return]


def _ostr(v: Any) -> str | None:
    return None if v is None else _str(v)


def _int(v: Any) -> int:
    return _checked(v, (int,), "an integer")  # type: ignore[no-any-return]


def _oint(v: Any) -> int | None:
    return None if v is None else _int(v)


def _bool(v: Any) -> bool:
    return _checked(v, (bool,), "true/false")  # type: ignore[no-any-return]


def _num(v: Any) -> float:
    return float(_checked(v, (int, float), "a number"))


def _list(v: Any, n: int | None = None) -> list[Any]:
    if type(v) is not list or (n is not None and len(v) != n):
        raise RecordError(f"expected a list{'' if n is None else f' of {n}'}")
    return v


def _dict(v: Any) -> dict[str, Any]:
    if type(v) is not dict:
        raise RecordError("expected a mapping")
    return v


def _json(v: Any, depth: int = 0) -> Any:
    """A JSON value as it is (facts, properties, a tag's reference): only JSON types, bounded depth."""
    if depth > 20:
        raise RecordError("nested too deep")
    if v is None or type(v) in (str, int, float, bool):
        return v
    if type(v) is list:
        return [_json(x, depth + 1) for x in v]
    if type(v) is dict:
        return {_str(k): _json(x, depth + 1) for k, x in v.items()}
    raise RecordError(f"unexpected {type(v).__name__}")


# --- records


# NOTE: the records a warm rescan reads most (tens of thousands of findings) are checked inline, a type
# test per field, not a checking call per field: that was two thirds of a warm rescan of 1,000 files
_OPT_INT, _OPT_STR = (int, type(None)), (str, type(None))
_new = tuple.__new__


def _loc(v: Any) -> Location:
    if type(v) is not list or len(v) != 6:
        raise RecordError("expected a location of 6")
    part, page, paragraph, line, column, section = v
    if type(part) is not str or type(page) not in _OPT_INT or type(paragraph) not in _OPT_INT or type(line) not in _OPT_INT \
            or type(column) not in _OPT_INT or type(section) not in _OPT_STR:
        raise RecordError("a location with a field of the wrong type")
    return _new(Location, v)  # type: ignore[no-any-return]


def _span(v: Any) -> tuple[int, int] | None:
    if v is None:
        return None
    if type(v) is not list or len(v) != 2 or type(v[0]) is not int or type(v[1]) is not int:
        raise RecordError("expected a span of 2 integers")
    return v[0], v[1]


def _enc_finding(f: Finding) -> list[Any]:
    return [f.rule, f.category, int(f.severity), f.message, f.path, list(f.location), f.text, f.suggestion, f.source, f.block,
            list(f.span) if f.span else None, f.confidence, [[p, list(loc)] for p, loc in f.related], f.context]


def _finding(v: Any) -> Finding:
    if type(v) is not list or len(v) != 14:
        raise RecordError("expected a finding of 14")
    rule, category, severity, message, path, loc, text, suggestion, source, block, span, confidence, related, context = v
    if type(severity) is not int or severity not in _SEVERITIES:
        raise RecordError("unknown severity")
    if type(rule) is not str or type(category) is not str or type(message) is not str or type(path) is not str or type(text) is not str \
            or type(context) is not str or type(suggestion) not in _OPT_STR or type(source) not in _OPT_STR or type(confidence) not in _OPT_STR \
            or type(block) not in _OPT_INT or type(related) is not list:
        raise RecordError("a finding with a field of the wrong type")
    return _new(Finding, (rule, category, _SEVERITIES[severity], message, path, _loc(loc), text, suggestion, source, block, _span(span),
                          confidence, tuple((_str(p), _loc(loc2)) for p, loc2 in (_list(x, 2) for x in related)) if related else (), context))


def encode_findings(findings: list[Finding]) -> bytes:
    return _dumps({"v": VERSION, "findings": [_enc_finding(f) for f in findings]})


def decode_findings(data: bytes) -> list[Finding]:
    record = _record(data)
    return [_finding(x) for x in _list(record.get("findings"))]


def _field(v: Any) -> Field:
    value, source, raw, note = _list(v, 4)
    return Field(_str(value), _str(source), _ostr(raw), _ostr(note))


def _metadata(v: Any) -> Metadata:
    d = _dict(v)
    candidates = {_str(k): [_field(x) for x in _list(fs)] for k, fs in _dict(d.get("c")).items()}
    return Metadata(candidates, {_str(k): _str(x) for k, x in _dict(d.get("b")).items()})


def _problem(v: Any) -> Problem:
    reason, message, fatal, page = _list(v, 4)
    return Problem(_str(reason), _str(message), _bool(fatal), _oint(page))


def _enc_document(doc: Document) -> list[Any]:
    metadata = {"c": {k: [[f.value, f.source, f.raw, f.note] for f in fs] for k, fs in doc.metadata.candidates.items()}, "b": dict(doc.metadata.blank)}
    return [doc.path, doc.format, doc.sha256, doc.size, metadata, doc.facts, doc.properties, [[p.reason, p.message, p.fatal, p.page] for p in doc.problems]]


def _document(v: Any) -> Document:
    path, fmt, sha, size, metadata, facts, properties, problems = _list(v, 8)
    return Document(path=_str(path), format=_str(fmt), sha256=_str(sha), size=_int(size), metadata=_metadata(metadata), facts=_json(_dict(facts)),
                    properties={_str(k): _str(x) for k, x in _dict(properties).items()}, problems=[_problem(p) for p in _list(problems)])


def _enc_evidence(found: dict[str, tuple[Any, ...]]) -> dict[str, list[Any]]:
    return {k: [kind, quote, list(where), role] for k, (kind, quote, where, role) in found.items()}


def _where(v: Any) -> tuple[Any, ...]:
    return tuple(_loc(v))


def _packed_ref(v: Any) -> tuple[Any, ...]:
    number, revision, block, span, text, location, title = _list(v, 7)
    return (_str(number), _ostr(revision), _int(block), _span(span), _str(text), _where(location), _ostr(title))


def _enc_facts(f: SetFacts) -> list[Any]:
    return [f.number, f.title, f.revision, f.status, f.effective_date, f.doc_type, f.counts_for_coverage, _enc_evidence(f.evidence),
            f.editions, f.superseded_citations, [_enc_ref(r) for r in f.refs], {k: [why, list(where)] for k, (why, where) in f.exclusions.items()},
            [_enc_ref(r) for r in f.malformed], f.role]


def _enc_ref(r: tuple[Any, ...]) -> list[Any]:
    number, revision, block, span, text, location, title = r
    return [number, revision, block, list(span), text, list(location), title]


def _facts(v: Any) -> SetFacts:
    (number, title, revision, status, effective, doc_type, counts, evidence, editions, superseded, refs, exclusions, malformed,
     role) = _list(v, 14)
    found = {}
    for k, x in _dict(evidence).items():
        kind, quote, where, how = _list(x, 4)
        found[_str(k)] = (_str(kind), _str(quote), _where(where), _str(how))
    excluded = {}
    for k, x in _dict(exclusions).items():
        why, where = _list(x, 2)
        excluded[_str(k)] = (_str(why), _where(where))
    return SetFacts(_ostr(number), _ostr(title), _ostr(revision), _ostr(status), _ostr(effective), _ostr(doc_type), _bool(counts), found,
                    {_str(k): _str(x) for k, x in _dict(editions).items()}, _int(superseded), tuple(_packed_ref(r) for r in _list(refs)),
                    excluded, tuple(_packed_ref(r) for r in _list(malformed)), _str(role))


def _enc_profile(p: DocumentProfile) -> list[Any]:
    return [p.doc_type, p.type_reason, p.role, p.role_reason, p.status, p.status_reason, p.effective, p.legacy, p.legacy_reason,
            p.effective_note, p.today.isoformat()]


def _profile(v: Any) -> DocumentProfile:
    doc_type, type_reason, role, role_reason, status, status_reason, effective, legacy, legacy_reason, note, today = _list(v, 11)
    try:
        day = dt.date.fromisoformat(_str(today))
    except ValueError:
        raise RecordError("bad date") from None
    return DocumentProfile(_ostr(doc_type), _ostr(type_reason), _str(role), _str(role_reason), _str(status), _ostr(status_reason),
                           _bool(effective), _bool(legacy), _ostr(legacy_reason), _str(note), day)


def encode_result(result: DocumentResult) -> bytes:
    """The slim part of a result (no blocks or tags: those are `encode_details`)."""
    return _dumps({
        "v": VERSION, "document": _enc_document(result.document), "findings": [_enc_finding(f) for f in result.findings],
        "seconds": result.seconds, "facts": _enc_facts(result.set_facts) if result.set_facts is not None else None,
        "profile": _enc_profile(result.profile) if result.profile is not None else None,
    })


def _record(data: bytes) -> dict[str, Any]:
    if not isinstance(data, bytes):
        raise RecordError("not bytes")
    record = _loads(data)
    if type(record) is not dict or record.get("v") != VERSION:
        raise RecordError("another version")
    return record


def decode_result(data: bytes) -> DocumentResult:
    r = _record(data)
    facts, profile = r.get("facts"), r.get("profile")
    return DocumentResult(_document(r.get("document")), [_finding(x) for x in _list(r.get("findings"))], _num(r.get("seconds")),
                          set_facts=_facts(facts) if facts is not None else None, profile=_profile(profile) if profile is not None else None)


def _enc_block(b: Block) -> list[Any]:
    return [b.index, b.part, b.text, [list(s) for s in b.segments], list(b.section), b.kind, b.level, b.story, b.paragraph, b.page,
            list(b.cell) if b.cell else None]


def _block(v: Any) -> Block:
    index, part, text, segments, section, kind, level, story, paragraph, page, cell = _list(v, 11)
    segs = tuple(Segment(*(_int(x) for x in _list(s, 5))) for s in _list(segments))
    where = tuple(_int(x) for x in _list(cell, 3)) if cell is not None else None
    return Block(_int(index), _str(part), _str(text), segs, tuple(_str(s) for s in _list(section)), _str(kind), _int(level), _ostr(story),
                 _oint(paragraph), _oint(page), where)  # type: ignore[arg-type]


def _enc_tag(t: Tag) -> list[Any]:
    return [t.block, t.start, t.end, t.kind, t.label, t.text, t.status, t.ref, t.confidence, t.note, t.evidence]


def _tag(v: Any) -> Tag:
    block, start, end, kind, label, text, status, ref, confidence, note, evidence = _list(v, 11)
    return Tag(_int(block), _int(start), _int(end), _str(kind), _str(label), _str(text), _str(status), _json(_dict(ref)), _str(confidence),
               _ostr(note), _str(evidence))


def encode_details(blocks: list[Block], tags: list[Tag]) -> bytes:
    """A document's blocks and tags (compressed: most of a cache's bytes)."""
    return zlib.compress(_dumps({"v": VERSION, "blocks": [_enc_block(b) for b in blocks], "tags": [_enc_tag(t) for t in tags]}), 1)


def decode_details(data: bytes) -> tuple[list[Block], list[Tag]]:
    try:
        raw = zlib.decompressobj().decompress(data, 512 * 1024 * 1024)  # NOTE: bounded: a forged row cannot inflate without limit
    except (zlib.error, TypeError):
        raise RecordError("not compressed data") from None
    r = _record(raw)
    return [_block(b) for b in _list(r.get("blocks"))], [_tag(t) for t in _list(r.get("tags"))]
