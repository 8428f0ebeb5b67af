"""What a set rule sees: every document's set facts, the sites, the configuration's declarations."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

from doccheck.model import Location, SetFacts


@dataclass(frozen=True)
class SetContext:
    documents: list[tuple[str, SetFacts]]  # (display path, facts) of every readable document
    root: str  # the folder the scan covered (set-level findings are reported against it)
    sites: dict[str, str]  # display path -> site
    not_applicable: dict[str, str] = field(default_factory=dict)
    complete_set: bool = False  # configuration says the scan holds the whole QMS

    @functools.cached_property
    def listed(self) -> frozenset[str]:
        """Numbers a master list of the set names (upper-cased): the QMS's documents, here or not."""
        return frozenset(p[0].upper() for _, f in self.documents if f.doc_type == "master-list" for p in f.refs)

    @functools.cached_property
    def completeness(self) -> str:
        """``complete-set`` when the configuration or a master list says the set is the whole QMS, else ``partial-set``."""
        return "complete-set" if self.complete_set or self.listed else "partial-set"

    @functools.cached_property
    def rows(self) -> list:  # type: ignore[type-arg]
        """The coverage matrix, computed once for every set rule that needs it."""
        from doccheck.engine.coverage import matrix

        return matrix(self.documents, self.not_applicable)

    def shared(self, key: str, build: Callable[[], Any]) -> Any:
        """What several set rules derive from the documents (an index...), built by the first one."""
        cache = self.__dict__.setdefault("_shared", {})  # NOTE: frozen: the instance dict, as cached_property does
        if key not in cache:
            cache[key] = build()
        return cache[key]


class SetHit(NamedTuple):
    """What a set rule found (NOTE: a NamedTuple: a set with many broken references makes thousands)."""

    path: str
    location: Location
    text: str = ""
    block: int | None = None
    span: tuple[int, int] | None = None
    values: Mapping[str, Any] = MappingProxyType({})
    confidence: str = "H"
    evidence: str | None = None  # complete-set | partial-set | listed: how sure the set is of itself (rules: by_evidence)
    related: tuple[tuple[str, Location], ...] = ()  # the other places the finding concerns (every citing document; the holders of a number cited by another title)


def common_root(paths: list[str]) -> str:
    """The deepest folder holding every path ("." when they share none)."""
    if not paths:
        return "."
    # NOTE: the prefix all strings share is the prefix the least and the greatest share; its folder
    # part is the common folder (no path split: a set of 5,000 documents split them in 12 ms)
    prefix = os.path.commonprefix([min(paths), max(paths)])
    return prefix[: prefix.rfind("/")] or "." if "/" in prefix else "."


def assign_sites(documents: list[tuple[str, SetFacts | None]], root: str, pattern: str | None) -> dict[str, str]:
    """Site of each document (display path -> site; "." is no site: shared by every site).

    With a configured pattern, its ``site`` group ("" disables sites). Otherwise the first
    folders below the root are sites when they look like sites (`_parallel`): two plants each
    keep a document control and a CAPA procedure, while department folders (Design/,
    Production/) share no procedure. Documents directly under the root are shared.
    """
    if pattern == "":
        return {path: "." for path, _ in documents}
    if pattern:
        from doccheck.userregex import compile_linear

        compiled = compile_linear(pattern)  # NOTE: from a configuration file; runs in this process, over every path
        return {path: (m.group("site") if (m := compiled.search(path)) and m.groupdict().get("site") else ".") for path, _ in documents}
    folders = first_folders([path for path, _ in documents], root)
    return folders if _parallel(documents, folders) else {path: "." for path in folders}


def first_folders(paths: list[str], root: str) -> dict[str, str]:
    """Path -> the folder right below ``root`` holding it ("." for a path directly under the root).

    NOTE: ``root`` is `common_root` of these paths: every path starts with it and a slash.
    """
    skip = 0 if root == "." else len(root) + 1
    folders = {}
    for path in paths:
        slash = path.find("/", skip)
        folders[path] = path[skip:slash] if slash >= 0 else "."
    return folders


def _parallel(documents: list[tuple[str, SetFacts | None]], folders: dict[str, str]) -> bool:
    """Whether two folders hold the same procedures: at least ``min_shared`` procedure types in common,
    and at least ``min_share`` of the smaller folder's (corpora/procedures.yaml `sites`)."""
    from doccheck.resources import corpus

    data = corpus("procedures.yaml")
    rule = data["sites"]
    procedure_types = {t for req in data["requirements"] for t in req.get("evidence", {}).get("types", ())}
    held: dict[str, set[str]] = {}
    for path, facts in documents:
        if facts is not None and facts.counts_for_coverage and facts.doc_type in procedure_types and folders[path] != ".":
            held.setdefault(folders[path], set()).add(facts.doc_type)
    kinds = sorted(held.values(), key=len)
    for i, a in enumerate(kinds):
        for b in kinds[i + 1 :]:
            common = len(a & b)
            if common >= rule["min_shared"] and common >= rule["min_share"] * len(a):
                return True
    return False
