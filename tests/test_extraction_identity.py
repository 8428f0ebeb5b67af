"""Extraction does not change under optimisation: text, locations, metadata and segments of every
fixture and every ../shared/realdocs document, byte for byte, as `doccheck extract --format json` gives them.

The digests in tests/data/extraction-digests.json are what the extractor gave when they were
last accepted. A change of what doccheck reads is deliberate: rerun with
``DOCCHECK_UPDATE_GOLDEN=1 python -m pytest tests/test_extraction_identity.py`` and say why in
the commit (the test names every document that differs; ``doccheck extract --format json``
before and after shows how).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from doccheck.extract import extract

from conftest import REALDOCS

ROOT = Path(__file__).resolve().parent.parent
DIGESTS = ROOT / "tests" / "data" / "extraction-digests.json"
FORMATS = (".docx", ".pdf", ".md", ".txt", ".markdown")
# NOTE: the profile is left out: a document's status depends on today's date, its extraction does not
STABLE = ("path", "format", "sha256", "metadata", "metadata_sources", "facts", "properties", "problems", "blocks")


def _documents() -> list[tuple[str, Path, Path]]:
    """(key, folder the path is relative to, path) of every fixture and real document."""
    out = [(f"fixtures/{p.relative_to(ROOT / 'fixtures').as_posix()}", ROOT, p.relative_to(ROOT))
           for p in sorted((ROOT / "fixtures").rglob("*")) if p.suffix.lower() in FORMATS and p.is_file()]
    out += [(f"realdocs/{p.name}", REALDOCS, Path(p.name)) for p in sorted(REALDOCS.iterdir()) if p.suffix.lower() in FORMATS]
    return out


def _digest(value: object) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False).encode("utf-8", "surrogatepass")).hexdigest()


def _current(run_cli) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for folder in (ROOT, REALDOCS):
        group = [(key, path) for key, base, path in _documents() if base == folder]
        code, stdout, _ = run_cli("extract", "--format", "json", *[str(p) for _, p in group], cwd=folder)
        assert code == 0
        documents = json.loads(stdout)["documents"]
        assert len(documents) == len(group)
        for (key, path), data in zip(group, documents):
            assert data["path"] == path.as_posix()
            # the segments (run and character offsets) that Word comments and PDF highlights anchor on
            doc = extract(folder / path, display=path.as_posix())
            segments = [[tuple(s) for s in b.segments] for b in doc.blocks]
            out[key] = {"extract": _digest({k: data[k] for k in STABLE}), "segments": _digest(segments)}
    return out


def test_every_document_extracts_as_it_did(run_cli):
    current = _current(run_cli)
    if os.environ.get("DOCCHECK_UPDATE_GOLDEN"):
        DIGESTS.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    accepted = json.loads(DIGESTS.read_text(encoding="utf-8"))
    changed = sorted(k for k in current if accepted.get(k) != current[k])
    assert not changed, f"extraction changed for {len(changed)} document(s): {', '.join(changed[:20])}"
    assert sorted(accepted) == sorted(current), "documents added or removed: update the digests"


def test_the_digests_cover_every_format_and_the_real_documents():
    accepted = json.loads(DIGESTS.read_text(encoding="utf-8"))
    assert sum(k.startswith("realdocs/") for k in accepted) == sum(1 for p in REALDOCS.iterdir() if p.suffix.lower() in FORMATS) > 40
    assert {Path(k).suffix for k in accepted} >= {".docx", ".pdf", ".md"}


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__])
