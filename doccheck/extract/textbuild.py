"""Build a block's text piece by piece while recording where each piece came from."""

from __future__ import annotations

import re
import unicodedata

from doccheck.model import Segment

# Characters that NFKC leaves alone but that break matching of citations and terms.
_TRANSLATE = str.maketrans(
    {
        "\u00a0": " ",  # no-break space
        "\u2007": " ",
        "\u202f": " ",
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u00ad": "",  # soft hyphen: invisible, never part of a word
        "\u200b": "",  # zero-width space
        "\ufeff": "",
    }
)
_TRANSLATED = tuple(chr(c) for c in _TRANSLATE)
_JOINED_HYPHEN = "\ufffe"  # PDFium's mark for a line-end hyphen it joined


_HYPHEN_MARK = re.compile("\ufffe(?P<lower>[a-z])?")


def _hyphen(m: re.Match[str]) -> str:
    return m.group("lower") or "-"


def normalize(text: str) -> str:
    """NFKC (ligatures, full-width forms) plus the space/hyphen clean-up above.

    PDFium's joined-hyphen mark goes inside a word ("His\ufffetory") and stays a hyphen before a
    digit or capital ("QP\ufffe0017" is "QP-0017").
    """
    if text.isascii():
        return text
    if _JOINED_HYPHEN in text:
        text = _HYPHEN_MARK.sub(_hyphen, text)
    # NOTE: both steps only when they change something: Word's curly quotes and dashes make most paragraphs
    # non-ASCII, and translate() looks every character up in a dict
    if any(ch in text for ch in _TRANSLATED):
        text = text.translate(_TRANSLATE)
    return text if unicodedata.is_normalized("NFKC", text) else unicodedata.normalize("NFKC", text)


class TextBuilder:
    """Accumulates text and `Segment`s; ``add`` keeps a 1:1 map wherever it can."""

    __slots__ = ("_parts", "_segments", "_length")

    def __init__(self) -> None:
        self._parts: list[str] = []
        self._segments: list[Segment] = []
        self._length = 0

    def __len__(self) -> int:
        return self._length

    def add(self, text: str, key: int, src: int) -> None:
        """Append source text found at ``(key, src)``, normalising it character-safely."""
        if not text:
            return
        if text.isascii() or normalize(text) == text:  # NOTE: one C pass; NFKC leaving the text alone leaves every character alone
            if not self._segments:  # the common first piece: no merging to consider
                self._push(text, Segment(0, len(text), key, src, len(text)))
                return
            self._append(text, key, src, len(text))
            return
        # Normalise char by char only where needed so offsets stay exact around changes.
        run_start = 0
        for i, ch in enumerate(text):
            # NOTE: inside a word ("His\ufffetory") the hyphen goes; before a digit or capital ("QP\ufffe0017") it was real
            norm = ("" if text[i + 1 : i + 2].islower() else "-") if ch == _JOINED_HYPHEN else normalize(ch)
            if norm != ch:
                if i > run_start:
                    self._append(text[run_start:i], key, src + run_start, i - run_start)
                if norm:
                    self._append(norm, key, src + i, 1)
                run_start = i + 1
        if run_start < len(text):
            self._append(text[run_start:], key, src + run_start, len(text) - run_start)

    def add_synthetic(self, text: str) -> None:
        """Append text that has no source of its own (a joining space); it maps to the previous char."""
        if not text:
            return
        if self._segments:
            last = self._segments[-1]
            self._push(text, Segment(self._length, len(text), last.key, last.src + last.src_length, 0))
        else:
            self._push(text, Segment(0, len(text), 0, 0, 0))

    def ends_with(self, suffix: str) -> bool:
        return bool(self._parts) and "".join(self._parts[-2:]).endswith(suffix)

    def drop_last_char(self) -> None:
        """Remove the final character (a line-end hyphen being rejoined); its source is kept."""
        last_text = self._parts[-1]
        seg = self._segments[-1]
        self._parts[-1] = last_text[:-1]
        self._length -= 1
        if seg.length == 1:
            self._segments.pop()
        else:
            src_len = seg.src_length - 1 if seg.src_length == seg.length else seg.src_length
            self._segments[-1] = Segment(seg.start, seg.length - 1, seg.key, seg.src, src_len)

    def _append(self, text: str, key: int, src: int, src_length: int) -> None:
        if self._segments:
            last = self._segments[-1]
            contiguous = (
                last.key == key
                and last.length == last.src_length
                and len(text) == src_length
                and last.src + last.src_length == src
                and last.start + last.length == self._length
            )
            if contiguous:
                self._segments[-1] = Segment(last.start, last.length + len(text), key, last.src, last.src_length + src_length)
                self._parts.append(text)
                self._length += len(text)
                return
        self._push(text, Segment(self._length, len(text), key, src, src_length))

    def _push(self, text: str, seg: Segment) -> None:
        self._parts.append(text)
        self._segments.append(seg)
        self._length += len(text)

    def build(self) -> tuple[str, tuple[Segment, ...]]:
        return "".join(self._parts), tuple(self._segments)
