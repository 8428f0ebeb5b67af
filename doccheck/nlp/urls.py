"""Addresses in text: a URL or a Markdown link target is never a citation or a term."""

from __future__ import annotations

import re

_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>()\[\]\"'`]+|\]\([^)\s]*\)")
_TRIGGERS = ("://", "www.", "](")


def url_spans(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of every URL and link target in ``text``."""
    if not any(t in text for t in _TRIGGERS):
        return []
    return [m.span() for m in _URL.finditer(text)]


def outside(spans: list[tuple[int, int]], start: int) -> bool:
    return not any(a <= start < b for a, b in spans)


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with each span replaced by spaces (same length: offsets stay valid)."""
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text
