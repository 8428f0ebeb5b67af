"""What the corpora know about a citation: is it current, superseded or invalid, and what replaces it."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from doccheck.nlp.refs import Citation
from doccheck.resources import corpus


@dataclass(frozen=True)
class Verdict:
    status: str  # current | superseded | invalid
    note: str | None = None
    confidence: str = "H"


@functools.cache
def part820() -> dict[str, Any]:
    return corpus("part820.yaml")


@functools.cache
def standards() -> dict[str, dict[str, Any]]:
    return {s["number"]: s for s in corpus("standards.yaml")["standards"]}


@functools.cache
def iso_clauses(edition: str) -> dict[str, str]:
    return corpus("iso13485.yaml")["editions"][edition]["clauses"]


@functools.cache
def _crosswalk() -> dict[str, dict[str, Any]]:
    return {cite: row for row in corpus("crosswalk.yaml")["rows"] for cite in row["cite"]}


def crosswalk_row(section: str, paragraph: str | None = None) -> dict[str, Any] | None:
    """The most specific crosswalk row for an old cite: 820.30(j)(1) -> 820.30(j) -> 820.30."""
    paras = re.findall(r"\([^)]*\)", paragraph or "")
    for n in range(len(paras), -1, -1):
        row = _crosswalk().get(section + "".join(paras[:n]))
        if row:
            return row
    return None


def subpart_row(letter: str) -> dict[str, Any] | None:
    return corpus("crosswalk.yaml")["subparts"].get(letter)


def subparts_of(ref: dict[str, Any]) -> list[str]:
    """The subpart letters a citation names: one, or each of a range ("Subparts B-O")."""
    first, last = ref.get("subpart") or "", ref.get("subpart_end") or ""
    if not first:
        return []
    return [chr(c) for c in range(ord(first), ord(last) + 1)] if last > first else [first]


def _subpart_range_row(ref: dict[str, Any]) -> dict[str, Any] | None:
    """A range of subparts maps to the union of its reserved subparts' rows."""
    rows = [r for s in subparts_of(ref) if s not in part820()["qmsr"]["subparts"] and (r := subpart_row(s))]
    return _union(rows, f"Subparts {ref['subpart']} to {ref['subpart_end']}") if rows else None


def _top_letter(paragraph: str | None) -> str | None:
    m = re.match(r"\(([a-z]{1,2})\)", paragraph or "")
    return m.group(1) if m else None


def _section_number(section: str) -> float:
    return float(section.split(".", 1)[1])


@functools.cache
def _numbered(version: str) -> tuple[tuple[float, str], ...]:
    """Sections of one version of Part 820 with their numbers, in order (ranges look them up)."""
    return tuple(sorted((_section_number(s), s) for s in part820()[version]["sections"]))


def _between(version: str, lo: float, hi: float) -> list[str]:
    return [s for n, s in _numbered(version) if lo <= n <= hi]


def _cfr_820(ref: dict[str, Any]) -> Verdict:
    qsr, qmsr = part820()["qsr"], part820()["qmsr"]
    section = ref.get("section")
    if not section:
        reserved = [s for s in subparts_of(ref) if s not in qmsr["subparts"]]
        if len(reserved) == 1:
            return Verdict("superseded", f"Subpart {reserved[0]} ({qsr['subparts'][reserved[0]]}) of the QSR is reserved in the QMSR")
        if reserved:
            return Verdict("superseded", f"Subparts {', '.join(reserved)} of the QSR are reserved in the QMSR")
        return Verdict("current")
    if ref.get("range_end"):
        end = ref["range_end"].split("(")[0]
        lo, hi = _section_number(section), _section_number(end)
        old = [s for s in _between("qsr", lo, hi) if s not in qmsr["sections"]]
        return Verdict("superseded", f"the range covers QSR sections {', '.join(old)}") if old else Verdict("current")
    verdicts = [_paragraph_verdict(section, p) for p in [ref.get("paragraph"), *re.findall(r"\([^,]*", ref.get("also") or "")]]
    for status in ("invalid", "superseded"):  # "820.3(a), (z)": the worst of its paragraphs
        worst = next((v for v in verdicts if v.status == status), None)
        if worst:
            return worst
    return verdicts[0]


def _paragraph_verdict(section: str, paragraph: str | None) -> Verdict:
    qsr, qmsr = part820()["qsr"], part820()["qmsr"]
    letter = _top_letter(paragraph)
    in_qmsr, in_qsr = qmsr["sections"].get(section), qsr["sections"].get(section)
    if in_qmsr and (letter is None or letter in in_qmsr["paragraphs"]):
        if section == "820.3" and letter in ("a", "b"):
            return Verdict("current", "820.3(a) and (b) exist in both versions with different meanings", "M")
        return Verdict("current")
    if in_qsr:
        if letter is not None and letter not in in_qsr["paragraphs"]:
            return Verdict("invalid", f"{section} has no paragraph ({letter})")
        return Verdict("superseded", f"QSR {section} ({in_qsr['title']}) is not part of the QMSR")
    if in_qmsr:
        return Verdict("invalid", f"{section} has no paragraph ({letter})")
    return Verdict("invalid", f"there is no section {section} in 21 CFR Part 820 (QSR or QMSR)")


def _standard(ref: dict[str, Any]) -> Verdict:
    info = standards().get(ref.get("number") or "")
    if info is None or ref.get("authority") not in (*info["bodies"], "ISO/IEC", "IEC/ISO"):
        return Verdict("current")
    edition, clause = ref.get("edition"), ref.get("clause")
    if edition in info["superseded"]:
        verdict = Verdict("superseded", f"edition {edition} is superseded by {info['current']}", info["superseded"][edition])
    elif edition and edition in info.get("needs_amendment", {}) and not ref.get("amendment"):
        verdict = Verdict("superseded", f"current only with amendment {info['needs_amendment'][edition]}", "M")
    else:
        verdict = Verdict("current")
    if clause and info.get("clauses") == "iso13485":
        listed = iso_clauses("2016" if edition in (None, "2016") else "2003")
        if clause not in listed:
            return Verdict("invalid", f"ISO 13485:{edition or '2016'} has no clause {clause}", "M")
    return verdict


@functools.cache
def _by_number(section: str) -> dict[str, dict[str, Any]]:
    return {item["number"]: item for item in corpus("standards.yaml")[section]}


def assess(citation: Citation) -> Verdict:
    ref = citation.ref
    if citation.kind == "cfr":
        return _cfr_820(ref) if ref.get("part") == "820" else Verdict("current")
    if citation.kind == "standard":
        return _standard(ref)
    info = _by_number("directives" if citation.kind == "directive" else "programmes").get(ref.get("number") or "")
    if info is None:
        return Verdict("current")
    note = f"replaced by {info['replacement']}" if info.get("replacement") else None
    return Verdict(info["status"], note, info["confidence"])


def _range_row(ref: dict[str, Any]) -> dict[str, Any]:
    """A range maps to the union of its sections' rows."""
    end_section = ref["range_end"].split("(")[0]
    lo, hi = _section_number(ref["section"]), _section_number(end_section)
    if lo == hi:  # a paragraph range inside one section: "820.198(a) through (e)"
        return {**(crosswalk_row(ref["section"]) or {}), "topic": f"{ref['section']}{ref.get('paragraph') or ''} to {ref['range_end']}"}
    return _union([r for s in _between("qsr", lo, hi) if (r := crosswalk_row(s))], f"sections {ref['section']} to {ref['range_end']}")


def _union(rows: list[dict[str, Any]], topic: str) -> dict[str, Any]:
    """One crosswalk row for several: their ISO clauses and QMSR sections, in order, and the lowest confidence."""
    grades = sorted((r.get("confidence", "H") for r in rows), key="HML".index)
    return {"topic": topic, "iso": list(dict.fromkeys(c for r in rows for c in r.get("iso", []))),
            "qmsr": list(dict.fromkeys(q for r in rows for q in r.get("qmsr", []))), "confidence": grades[-1] if grades else "H"}


def _iso_titled(clauses: list[str]) -> str:
    titles = iso_clauses("2016")
    return "; ".join(f"{c} ({titles[c].lower()})" if c in titles else c for c in clauses)


def template_values(tag: Any) -> dict[str, Any]:
    """What a rule message may say about a citation tag: the crosswalk mapping, the current edition."""
    ref = tag.ref
    values: dict[str, Any] = {"norm": ref.get("norm"), "status": tag.status, "note": tag.note or "", "confidence": tag.confidence}
    values.update({k: v for k, v in ref.items() if isinstance(v, str)})
    if tag.label == "cfr" and ref.get("part") == "820":
        row = _range_row(ref) if ref.get("range_end") else (_subpart_range_row(ref) if ref.get("subpart_end") else None)
        row = row or (crosswalk_row(ref["section"], ref.get("paragraph")) if ref.get("section") else subpart_row(ref.get("subpart") or ""))
        if row:
            iso = list(row.get("iso", []))
            qmsr = [f"21 CFR {q}" for q in row.get("qmsr", [])]
            values.update(
                topic=row.get("topic", ""),
                iso=", ".join(iso),
                iso_titled=_iso_titled(iso),
                qmsr=", ".join(qmsr),
                qmsr_suffix=f" under {', '.join(qmsr)}" if qmsr else "",
                mapping_note=f" ({row['note']})" if row.get("note") else "",
                mapping_confidence=row.get("confidence", "H"),
            )
    if tag.label == "standard":
        info = standards().get(ref.get("number") or "")
        if info:
            body = ref.get("authority") or info["bodies"][0]
            number = info["number"]
            current = info["current"] if info["current"].startswith(number.split("-")[0]) else f"{number}:{info['current']}"
            values["current"] = f"{'EN ' if ref.get('european') else ''}{body} {current}" + (f" {ref['clause']}" if ref.get("clause") else "")
    return values
