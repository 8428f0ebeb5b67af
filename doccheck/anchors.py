"""Literals a regular expression's every match must contain: cheap gates before the expression runs.

A regex tried at every position of a document costs ~10 MB/s, a substring or RE2-set test
hundreds of MB/s; when a document holds none of a pattern's anchors, the pattern cannot match
there and is not run. The anchors are a necessary condition, never a sufficient one: they are
computed conservatively (a construct this module does not understand gives no anchor).
Used by the coverage evidence (`doccheck.evidence`) and the `pattern` rule type.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

# NOTE: verbose mode (spaces are not literals) and the regex module's fuzzy matching
# ("(?:foo){e<=1}") make literals optional: such a pattern gets no anchors
_UNSAFE = re.compile(r"\{[eids][<=,}]|\(\?[a-zA-Z]*x")


def anchor(pattern: str) -> str | None:
    """The longest literal run a match of ``pattern`` must contain (outside groups), or None.

    NOTE: all anchors are looked for in one pass (`_Anchors`), and `re` alternations run at
    ~10 MB/s; the anchor lets most documents skip the regex. A character before ?, * or { is optional
    and is not part of the anchor; text inside a group or a character class, or after a
    top-level | is not used.
    """
    if _UNSAFE.search(pattern):
        return None
    if re.search(r"(?<!\\)\|", re.sub(r"\((?:[^()]|\([^()]*\))*\)", "", pattern)):
        return None  # a top-level alternation: no single literal is required
    runs: list[str] = []
    current, depth, i = "", 0, 0

    def commit(run: str) -> None:
        if depth == 0 and run:
            runs.append(run)

    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            escaped = pattern[i + 1 : i + 2]
            if escaped and not escaped.isalnum() and escaped not in " \t\n":  # "\{", "\.", "\[": a literal character
                if depth == 0:
                    current += escaped
            else:  # \b, \s, \d, \1 ...: no literal
                commit(current)
                current = ""
            i += 2
            continue
        if ch == "[":  # a character class: one unknown character, skip to its closing bracket
            commit(current)
            current, i = "", i + 2 if pattern[i + 1 : i + 2] in ("]", "^") else i + 1
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch in "?*{":
            commit(current[:-1] if ch != "{" or not pattern[i + 1 : i + 2].isdigit() or not pattern.startswith(("1,", "1}"), i + 1) else current)
            current = ""  # the quantified character is optional (or repeated: only a {1...} keeps it)
            if ch == "{":  # skip the quantifier's bounds: "{0,60}" is no literal
                close = pattern.find("}", i)
                i = close if close > 0 else i
        elif ch in "()+.^$|":
            commit(current)
            current = ""
            depth += 1 if ch == "(" else -1 if ch == ")" else 0
        elif depth == 0:
            current += ch
        i += 1
    commit(current)
    best = max((r.strip() for r in runs), key=len, default="")
    return best.lower() if len(best) >= 3 else None


def _top_level(pattern: str) -> tuple[list[str], list[tuple[str, bool]]]:
    """``pattern`` split at its top-level ``|``, and its top-level groups as (content, required).

    A group followed by ?, *, {0 or {, is not required. Escapes and character classes are skipped.
    """
    alternatives, groups, depth, start, i, opened = [], [], 0, 0, 0, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            i += 2 if pattern[i + 1 : i + 2] in ("]", "^") else 1
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif ch == "(":
            depth += 1
            if depth == 1:
                opened = i
        elif ch == ")":
            depth -= 1
            if depth == 0:
                inner, after = pattern[opened + 1 : i], pattern[i + 1 : i + 3]
                if inner.startswith("?P<"):  # a named group
                    inner = inner[inner.find(">") + 1 :]
                elif inner.startswith("?:"):
                    inner = inner[2:]
                if not inner.startswith("?"):  # NOTE: a lookaround or flags group matches no text of its own
                    groups.append((inner, not (after[:1] in ("?", "*") or after.startswith(("{0", "{,")))))
        elif ch == "|" and depth == 0:
            alternatives.append(pattern[start:i])
            start = i + 1
        i += 1
    alternatives.append(pattern[start:])
    return alternatives, groups


def anchors(pattern: str) -> tuple[str, ...]:
    """Literals one of which every match of ``pattern`` contains; () when there are none.

    The longest required literal (`anchor`) when there is one; otherwise, for a top-level
    alternation, the anchors of every alternative; otherwise those of the first required group
    that has them: '(?:health|patient) (?:information|data)' -> ('health', 'patient').
    NOTE: a pattern without anchors runs on every document: ~30 us per 1 KB for that one.
    """
    if _UNSAFE.search(pattern):
        return ()
    if single := anchor(pattern):
        return (single,)
    alternatives, groups = _top_level(pattern)
    if len(alternatives) > 1:
        each = [anchors(a) for a in alternatives]
        return tuple(dict.fromkeys(a for found in each for a in found)) if all(each) else ()
    for inner, required in groups:
        if required and (found := anchors(inner)):
            return found
    return ()


def clauses(pattern: str) -> tuple[tuple[str, ...], ...]:
    """Necessary conditions on a text for ``pattern`` to match in it: every clause (a tuple of
    literals) has one literal in the text. () when nothing is known.

    Stronger than `anchors`: each required part of the pattern gives a clause, so
    '(?:management|internal) review[^.]*(?:not|never) (?:subject|available)' needs "review",
    one of management/internal, one of not/never and one of subject/available.
    """
    if _UNSAFE.search(pattern):
        return ()
    alternatives, groups = _top_level(pattern)
    if len(alternatives) > 1:
        found = anchors(pattern)
        return (found,) if found else ()
    out = [(single,)] if (single := anchor(pattern)) else []
    out += [found for inner, required in groups if required and (found := anchors(inner))]
    return tuple(dict.fromkeys(out))


class Gated:
    """A regular expression that only runs on texts holding one of its anchors.

    ``low``: the text lower-cased, when the caller searches it with several patterns.
    NOTE: the gate tests the lower-cased text, so a match `re.IGNORECASE` makes from a letter
    whose lower case is not the literal's (the long s, the dotted capital I) is not seen; the
    corpora's patterns hold no such letter.
    """

    __slots__ = ("regex", "gate")

    def __init__(self, source: str, flags: int = re.I) -> None:
        self.regex = re.compile(source, flags)
        self.gate = anchors(source)

    def _open(self, text: str, low: str | None) -> bool:
        if not self.gate:
            return True
        low = text.lower() if low is None else low  # NOTE: once, not once per anchor
        return any(a in low for a in self.gate)

    def search(self, text: str, low: str | None = None) -> re.Match[str] | None:
        return self.regex.search(text) if self._open(text, low) else None

    def finditer(self, text: str, low: str | None = None) -> Iterator[re.Match[str]]:
        return self.regex.finditer(text) if self._open(text, low) else iter(())


def any_of(patterns: list[str], flags: int = re.I) -> Gated:
    """One gated alternation of ``patterns``."""
    return Gated("|".join(f"(?:{p})" for p in patterns), flags)

