"""Resource limits for reading untrusted files, and the checks that enforce them."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass

from lxml import etree

from doccheck.errors import Unreadable

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Defaults sized for real SOP libraries; all can be raised in configuration."""

    max_file_bytes: int = 200 * MB
    max_inflated_bytes: int = 300 * MB  # sum of a package's parts once inflated
    max_part_bytes: int = 100 * MB  # one XML part once inflated
    max_zip_entries: int = 5000
    max_ratio: int = 200  # inflated/compressed of one part: a zip bomb's tell
    max_pages: int = 5000
    max_text_chars: int = 50_000_000


DEFAULT_LIMITS = Limits()


def check_zip(zf: zipfile.ZipFile, limits: Limits) -> None:
    """Refuse a package whose declared sizes or entry count exceed the limits (a zip bomb)."""
    infos = zf.infolist()
    if len(infos) > limits.max_zip_entries:
        raise Unreadable("zip-bomb", f"package has {len(infos)} entries (limit {limits.max_zip_entries})")
    names: set[str] = set()
    for info in infos:  # NOTE: zipfile reads the last of two same-named entries; Word, the first: neither is "the" part
        if info.filename in names:
            raise Unreadable("corrupt", f"package has two entries named '{info.filename}'")
        names.add(info.filename)
    total = 0
    for info in infos:
        total += info.file_size
        if info.file_size > limits.max_part_bytes:
            raise Unreadable(
                "zip-bomb", f"part '{info.filename}' inflates to {info.file_size // MB} MB (limit {limits.max_part_bytes // MB} MB)"
            )
        if info.compress_size and info.file_size / info.compress_size > limits.max_ratio and info.file_size > MB:
            raise Unreadable(
                "zip-bomb", f"part '{info.filename}' has a compression ratio of {info.file_size // info.compress_size}:1"
            )
    if total > limits.max_inflated_bytes:
        raise Unreadable("zip-bomb", f"package inflates to {total // MB} MB (limit {limits.max_inflated_bytes // MB} MB)")


def read_part(zf: zipfile.ZipFile, name: str, limits: Limits) -> bytes:
    """Read one part, stopping as soon as the *actual* inflated size passes the limit.

    NOTE: declared sizes in the central directory can lie; this is the check that cannot.
    """
    chunks, size = [], 0
    with zf.open(name) as fh:
        while chunk := fh.read(1 << 20):
            size += len(chunk)
            if size > limits.max_part_bytes:
                raise Unreadable("zip-bomb", f"part '{name}' inflates past {limits.max_part_bytes // MB} MB")
            chunks.append(chunk)
    return b"".join(chunks)


# Entity resolution, DTD loading and network access off; huge_tree off keeps libxml2's
# own depth and size guards (billion-laughs is refused by libxml2 itself).
# collect_ids off: no table of xml:id values (OOXML and XMP never look one up), ~2% of a parse.
PARSER_OPTIONS = {"resolve_entities": False, "no_network": True, "load_dtd": False, "huge_tree": False, "remove_comments": True, "collect_ids": False}
_PARSER = etree.XMLParser(**PARSER_OPTIONS)


def parse_xml(data: bytes, name: str) -> etree._Element:
    """Parse an XML part safely; malformed XML is an `Unreadable` naming the part."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise Unreadable("corrupt", f"part '{name}' is not well-formed XML ({exc.msg})") from None
    if root is None:
        raise Unreadable("corrupt", f"part '{name}' is empty")
    return root
