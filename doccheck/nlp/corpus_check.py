"""Consistency checks over the corpora: duplicates, contradictions, targets that do not exist.

``check(corpora)`` takes the parsed files by name (``part820``, ``crosswalk``, ``iso13485``,
``terms``, ``standards``) and returns one message per problem; an empty list means sound.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

GRADES = {"H", "M", "L"}
CITE_RE = re.compile(r"^(?P<sec>820\.\d{1,3})(?P<para>(?:\([a-z0-9]{1,2}\))*)$")
QMSR_SECTIONS = {"820.1", "820.3", "820.7", "820.10", "820.35", "820.45"}  # regulatory.md 1.1 (H)


def _dupes(items: list[Any]) -> list[Any]:
    return [item for item, n in Counter(items).items() if n > 1]


def _cite_ok(cite: str, sections: dict[str, Any]) -> bool:
    m = CITE_RE.match(cite)
    if not m or m.group("sec") not in sections:
        return False
    first = re.match(r"\(([a-z]{1,2})\)", m.group("para"))
    return first is None or first.group(1) in sections[m.group("sec")]["paragraphs"]


def check_part820(data: dict[str, Any]) -> list[str]:
    problems = []
    for version in ("qsr", "qmsr"):
        for sec, info in data[version]["sections"].items():
            if info["subpart"] not in data[version]["subparts"]:
                problems.append(f"part820: {version} {sec} is in unknown subpart {info['subpart']}")
            if _dupes(info["paragraphs"]):
                problems.append(f"part820: {version} {sec} lists a paragraph twice")
    if set(data["qmsr"]["sections"]) != QMSR_SECTIONS:
        problems.append(f"part820: QMSR sections must be exactly {sorted(QMSR_SECTIONS)}")
    if "820.15" in data["qsr"]["sections"] or "820.15" in data["qmsr"]["sections"]:
        problems.append("part820: there is no 820.15 in either version")
    return problems


def check_crosswalk(crosswalk: dict[str, Any], part820: dict[str, Any], iso: dict[str, Any]) -> list[str]:
    problems = []
    clauses = iso["editions"]["2016"]["clauses"]
    cites = [c for row in crosswalk["rows"] for c in row["cite"]]
    problems += [f"crosswalk: {c} has more than one row" for c in _dupes(cites)]
    for row in crosswalk["rows"]:
        for cite in row["cite"]:
            if not _cite_ok(cite, part820["qsr"]["sections"]):
                problems.append(f"crosswalk: {cite} is not a QSR section or paragraph")
        problems += [f"crosswalk: {row['cite'][0]} maps to ISO 13485:2016 {c}, which does not exist" for c in row["iso"] if c not in clauses]
        for target in row["qmsr"]:
            if not _cite_ok(target, part820["qmsr"]["sections"]):
                problems.append(f"crosswalk: {row['cite'][0]} maps to {target}, which is not a QMSR section")
        if row["confidence"] not in GRADES:
            problems.append(f"crosswalk: {row['cite'][0]} has confidence {row['confidence']!r} (H, M or L)")
        if not row["iso"] and not row.get("note"):
            problems.append(f"crosswalk: {row['cite'][0]} maps to nothing and says not why (add a note)")
    covered = {c.split("(")[0] for c in cites if "(" not in c}
    for sec in part820["qsr"]["sections"]:
        if sec not in covered:
            problems.append(f"crosswalk: QSR section {sec} has no section-level row")
    for letter, sub in crosswalk["subparts"].items():
        problems += [f"crosswalk: subpart {letter} maps to ISO clause {c}, which does not exist" for c in sub["iso"] if c not in clauses]
    return problems


def check_iso(iso: dict[str, Any]) -> list[str]:
    problems = []
    new, old = iso["editions"]["2016"]["clauses"], iso["editions"]["2003"]["clauses"]
    for edition, info in iso["editions"].items():
        for number in info["clauses"]:
            parent = number.rsplit(".", 1)[0]
            if "." in number and parent not in info["clauses"]:
                problems.append(f"iso13485: {edition} clause {number} has no parent {parent}")
    for src, targets in iso["renumbering_2003_to_2016"].items():
        if src not in old:
            problems.append(f"iso13485: renumbering source {src} is not a 2003 clause")
        problems += [f"iso13485: renumbering {src} -> {t}: {t} is not a 2016 clause" for t in targets if t not in new]
    return problems


def check_terms(terms: dict[str, Any]) -> list[str]:
    problems = []
    ids = [t["id"] for t in terms["retired"]]
    problems += [f"terms: id {i} is used twice" for i in _dupes(ids)]
    forms = [f.lower() for t in terms["retired"] for f in t["forms"]]
    problems += [f"terms: form '{f}' belongs to two retired terms" for f in _dupes(forms)]
    current = {c.lower() for c in terms["current"]}
    problems += [f"terms: '{f}' is both retired and current" for f in sorted(set(forms) & current)]
    abbreviations = [a for t in terms["retired"] for a in t["abbreviations"]]
    problems += [f"terms: abbreviation {a} belongs to two terms (declare it ambiguous instead)" for a in _dupes(abbreviations)]
    for abbr, meanings in terms["ambiguous_abbreviations"].items():
        if abbr in abbreviations:
            problems.append(f"terms: {abbr} is both a plain and an ambiguous abbreviation")
        problems += [f"terms: ambiguous {abbr} points at unknown term {m}" for m in meanings if m not in ids]
    for t in terms["retired"]:
        if t["confidence"] not in GRADES:
            problems.append(f"terms: {t['id']} has confidence {t['confidence']!r} (H, M or L)")
        if t["replacement"].lower() in forms:
            problems.append(f"terms: {t['id']} is replaced by a retired term")
        if any(f != f.lower() for f in t["forms"]):
            problems.append(f"terms: {t['id']} forms must be lower case (they match case-insensitively)")
    # NOTE: the tokenizer has no exceptions (doccheck.nlp.pipeline.lean_tokenizer): "e.g." or "don't" would split differently
    every = [*forms, *abbreviations, *terms["ambiguous_abbreviations"], *current]
    problems += [f"terms: '{f}' holds a dot or an apostrophe, which the tokenizer splits without exceptions" for f in every if any(c in f for c in ".'’")]
    return problems


def check_standards(standards: dict[str, Any]) -> list[str]:
    problems = []
    numbers = [s["number"] for s in standards["standards"]]
    problems += [f"standards: {n} is listed twice" for n in _dupes(numbers)]
    for s in standards["standards"]:
        if s["current"] in s["superseded"]:
            problems.append(f"standards: {s['number']} edition {s['current']} is both current and superseded")
        problems += [f"standards: {s['number']} {e} has grade {g!r}" for e, g in s["superseded"].items() if g not in GRADES]
    for d in standards["directives"]:
        if d["status"] == "superseded" and not d.get("replacement"):
            problems.append(f"standards: directive {d['number']} is superseded but names no replacement")
    return problems


def check(corpora: dict[str, dict[str, Any]]) -> list[str]:
    """Every problem in the given corpora (empty when they are consistent)."""
    problems = [f"{name}: 'schema' must be 1" for name, data in corpora.items() if data.get("schema") != 1]
    problems += check_part820(corpora["part820"])
    problems += check_crosswalk(corpora["crosswalk"], corpora["part820"], corpora["iso13485"])
    problems += check_iso(corpora["iso13485"])
    problems += check_terms(corpora["terms"])
    problems += check_standards(corpora["standards"])
    return problems
