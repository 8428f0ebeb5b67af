"""Several blocks' texts searched as one, joined by a one-character separator: where each starts, which a match overlaps.

Searching a document's text once and crediting each match to its blocks is cheaper than one search per
block (the tagging prefilters, the pattern rules' gates).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable


def starts_of(lengths: Iterable[int]) -> list[int]:
    """The offset each text of these lengths starts at, once they are joined with a one-character separator."""
    starts, pos = [], 0
    for length in lengths:
        starts.append(pos)
        pos += length + 1
    return starts


def overlapped(starts: list[int], start: int, end: int) -> range:
    """The indices of the joined texts (starting at ``starts``) that the span ``[start, end)`` overlaps."""
    return range(bisect.bisect_right(starts, start) - 1, bisect.bisect_right(starts, max(start, end - 1)))
