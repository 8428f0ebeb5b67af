"""Check one file from start to finish: extract, tag (when a rule needs it), run the rules.

Runs inside a worker process (see `doccheck.parallel`) or in-process with ``--jobs 0``.
The rule set is loaded once per process.
"""

from __future__ import annotations

import fnmatch
import time
from dataclasses import dataclass

from doccheck.model import Document, Problem
from doccheck.results import DocumentResult


@dataclass(frozen=True)
class Settings:
    """What a worker needs to check files; picklable."""

    rule_paths: tuple[str, ...]
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    document_types: tuple[tuple[str, str], ...] = ()  # (glob, type): a tuple, so Settings is hashable
    roles: tuple[tuple[str, str], ...] = ()  # (glob, role): the configuration's role overrides
    set_facts: bool = True  # summarise each document for set-level analysis
    pack_details: bool = False  # the cache is on: pack blocks and tags here, in parallel, for it
    drop_details: bool = False  # no cache and no report shows the text: blocks and tags stay here


_RULES: dict[Settings, tuple] = {}  # type: ignore[type-arg]


def prime(settings: Settings, rules: tuple) -> None:  # type: ignore[type-arg]
    """Give this process the rules the parent already parsed; forked workers inherit them."""
    from doccheck.engine.run import selected

    _RULES[settings] = tuple(r for r in rules if selected(r, settings.select, settings.ignore, settings.extend_select))


def _rules(settings: Settings) -> tuple:  # type: ignore[type-arg]
    if settings not in _RULES:
        from pathlib import Path

        from doccheck.engine.loader import load_rules

        prime(settings, load_rules([Path(p) for p in settings.rule_paths]).rules)
    return _RULES[settings]


def _doc_type(display: str, settings: Settings) -> str | None:
    return next((t for glob, t in settings.document_types if fnmatch.fnmatch(display, glob)), None)


def check_file(path: str, display: str, settings: Settings, extracted: tuple[bytes, float] | None = None) -> DocumentResult:
    """``extracted``: the document as `doccheck.prefetch` pickled it, and the seconds that took."""
    from doccheck.engine.run import check_document, document_profile, needs_tags

    started = time.perf_counter()
    rules = _rules(settings)
    if extracted is None:
        from doccheck.extract import extract

        doc = extract(path, display=display)
    else:
        import pickle

        doc = pickle.loads(extracted[0])
        started -= extracted[1]
    if doc.readable and (needs_tags(rules) or settings.set_facts):
        from doccheck.nlp import tag_document  # NOTE: imports spaCy; only when a rule needs tags

        tag_document(doc)
    ctx = document_profile(doc, _doc_type(display, settings), settings.roles)  # once, for the rules, the set facts and the reports
    findings = check_document(doc, rules, ctx=ctx)
    facts = None
    if settings.set_facts and doc.readable:
        from doccheck.setfacts import summarize

        facts = summarize(doc, ctx)
    packed = None
    if settings.pack_details and (doc.blocks or doc.tags):
        # NOTE: the parent stores these bytes as they are: packing 1,000 documents there was a
        # serial half second at the end of a cold scan, and shipping the blocks cost as much again
        from dataclasses import replace

        from doccheck.results import pack_details

        packed = pack_details(doc.blocks, doc.tags)
        doc = replace(doc, blocks=[], tags=[])
    elif settings.drop_details:  # NOTE: pickling them to the parent cost ~2 ms per real document, and the parent unpickles serially
        from dataclasses import replace

        doc = replace(doc, blocks=[], tags=[])
    return DocumentResult(doc, findings, time.perf_counter() - started, set_facts=facts, packed_details=packed, profile=ctx)


def failed(path: str, display: str, settings: Settings, reason: str, message: str, seconds: float = 0.0) -> DocumentResult:
    """The result for a file whose worker died or ran out of time: an unreadable finding, never silence."""
    from doccheck.engine.run import check_document

    doc = Document(path=display, format="unknown", sha256="", size=0, problems=[Problem(reason, message)])
    unreadable = tuple(r for r in _rules(settings) if r.type == "unreadable")
    return DocumentResult(doc, check_document(doc, unreadable), seconds)
