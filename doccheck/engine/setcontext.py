"""What a set rule sees: every document's set facts, the sites, the configuration's declarations."""

from __future__ import annotations

import functools
import re
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


def common_root(paths: list[str]) -> str:
    if not paths:
        return "."
    # NOTE: the folders all paths share are the folders the first and the last (sorted by folder) share
    first, last = min(folders := [p.split("/")[:-1] for p in paths]), max(folders)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return "/".join(first[:n]) or "."


def assign_sites(paths: list[str], root: str, pattern: str | None) -> dict[str, str]:
    """Site of each document: the configured pattern's ``site`` group, else the first folder below the root."""
    compiled = re.compile(pattern) if pattern else None
    depth = 0 if root == "." else len(root.split("/"))
    out = {}
    for path in paths:
        m = compiled.search(path) if compiled else None
        if m and m.groupdict().get("site"):
            out[path] = m.group("site")
        else:
            parts = path.split("/")
            out[path] = parts[depth] if len(parts) > depth + 1 else "."
    return out
