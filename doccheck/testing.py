"""Run rule examples through the real pipeline: ``doccheck rules test`` and pack authors' tests.

An example is Markdown text (written to a temporary ``.md`` file, then extracted, tagged
and checked like any document) or ``{file: path}`` naming a fixture, resolved from the
folder that holds ``rules/``. ``fire`` examples must give at least one finding of the rule,
``pass`` examples none.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from doccheck.engine.rule import Rule
from doccheck.engine.run import check_document
from doccheck.extract import extract
from doccheck.model import Document


@dataclass(frozen=True)
class ExampleResult:
    rule: str
    kind: str  # fire | pass
    number: int
    ok: bool
    detail: str  # what happened, for the report

    def __str__(self) -> str:
        return f"{self.rule} {self.kind} example {self.number}: {'ok' if self.ok else 'FAILED'} - {self.detail}"


def _root_for(rule: Rule) -> Path:
    """The folder that holds the rule's ``rules/`` folder (where example files are found)."""
    for parent in Path(rule.file).resolve().parents:
        if parent.name == "rules":
            return parent.parent
    return Path(rule.file).resolve().parent


def _document(rule: Rule, example: Any, workdir: Path, n: int) -> Document:
    if isinstance(example, dict) and "file" in example:
        path = _root_for(rule) / str(example["file"])
        if not path.exists():
            raise FileNotFoundError(f"example file {example['file']} not found under {_root_for(rule)}")
        doc = extract(path, display=str(example["file"]))
    else:
        path = workdir / f"{rule.id}-{n}.md"
        path.write_text(str(example), encoding="utf-8")
        doc = extract(path, display=path.name)
    if doc.readable:
        from doccheck.nlp import tag_document

        tag_document(doc)
    return doc


def _set_example(rule: Rule, example: Any) -> list:  # type: ignore[type-arg]
    """A set rule's example is a folder (``{set: path}``): scanned whole, with only this rule."""
    from doccheck.api import scan
    from doccheck.config import Config

    folder = _root_for(rule) / str(example["set"])
    if not folder.is_dir():
        raise FileNotFoundError(f"example folder {example['set']} not found under {_root_for(rule)}")
    config = Config(root=folder, rules=(Path(rule.file),), default_rules=False, select=(rule.id,), use_cache=False, jobs=0,
                    set_analysis="always", not_applicable=dict(example.get("not_applicable", {})), complete_set=bool(example.get("complete_set")))
    return [f for f in scan([folder], config).findings if f.rule == rule.id]


def _with_folded(rule: Rule) -> list[Rule]:
    """The rules an example runs: the rule itself; a rule that sums up other findings (`external`)
    with the shipped rules whose findings it sums up."""
    from doccheck.engine.registry import TYPES

    if not getattr(TYPES[rule.type], "FOLDS", False):
        return [rule]
    from doccheck.engine.loader import load_rules

    return [r for r in load_rules().rules if r.id != rule.id and not r.opt_in] + [rule]


def run_examples(rules: Iterable[Rule]) -> Iterator[ExampleResult]:
    """One result per example of every rule."""
    from doccheck.engine.run import is_set_rule

    with tempfile.TemporaryDirectory(prefix="doccheck-examples-") as tmp:
        for rule in rules:
            for kind in ("fire", "pass"):
                for n, example in enumerate(rule.examples.get(kind, ()), start=1):
                    if is_set_rule(rule):
                        try:
                            found = _set_example(rule, example)
                        except (FileNotFoundError, KeyError, TypeError) as exc:
                            yield ExampleResult(rule.id, kind, n, False, f"set example needs {{set: folder}} ({exc})")
                            continue
                        ok = bool(found) if kind == "fire" else not found
                        yield ExampleResult(rule.id, kind, n, ok, f"{len(found)} finding(s)" + (f": {found[0].message}" if found else ""))
                        continue
                    try:
                        doc = _document(rule, example, Path(tmp), n)
                    except FileNotFoundError as exc:
                        yield ExampleResult(rule.id, kind, n, False, str(exc))
                        continue
                    found = [f for f in check_document(doc, _with_folded(rule)) if f.rule == rule.id]
                    ok = bool(found) if kind == "fire" else not found
                    detail = f"{len(found)} finding(s)" + (f": {found[0].message}" if found else "")
                    yield ExampleResult(rule.id, kind, n, ok, detail)
