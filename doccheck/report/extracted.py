"""``doccheck extract``: what doccheck sees in a document, block by block."""

from __future__ import annotations

from typing import Any

from doccheck.model import Document, Tag
from doccheck.report.json import document_header
from doccheck.report.jsonio import Items, stream


def document_dict(doc: Document) -> dict[str, Any]:
    return {
        **document_header(doc, _profile(doc)),
        "facts": doc.facts,
        "properties": doc.properties,
        "problems": [{"reason": p.reason, "message": p.message, "fatal": p.fatal, "page": p.page} for p in doc.problems],
        "tags": [tag_dict(doc, t) for t in doc.tags],
        "blocks": [
            {
                "part": b.part,
                "kind": b.kind,
                "text": b.text,
                "location": b.location(doc.format).to_dict(),
                **({"story": b.story} if b.story else {}),
                **({"cell": list(b.cell)} if b.cell else {}),
            }
            for b in doc.blocks
        ],
    }


def tag_dict(doc: Document, tag: Tag) -> dict[str, Any]:
    return {
        "kind": tag.kind,
        "label": tag.label,
        "text": tag.text,
        "status": tag.status,
        "confidence": tag.confidence,
        "note": tag.note,
        "ref": tag.ref,
        "location": doc.blocks[tag.block].location(doc.format, tag.start).to_dict(),
    }


def _profile(doc: Document) -> Any:
    """What doccheck takes the document to be (type, role, status), as a scan decides it."""
    from doccheck.engine.run import document_profile

    return document_profile(doc)


def render_json(docs: list[Document]) -> str:
    return "".join(stream({"documents": Items(document_dict(d) for d in docs)})) + "\n"


def render_text(docs: list[Document]) -> str:
    out: list[str] = []
    for doc in docs:
        out.append(f"== {doc.path} ({doc.format}, sha256 {doc.sha256[:12]})")
        for problem in doc.problems:
            out.append(f"   problem: {problem.reason}: {problem.message}")
        for name, found in doc.metadata.sources().items():
            for i, f in enumerate(found):
                label = name if i == 0 else " " * len(name)
                note = f" ({f['note']})" if f["note"] else ""
                raw = f" from '{f['raw']}'" if f["raw"] and f["raw"] != f["value"] else ""
                out.append(f"   {label}: {f['value']}{raw} [{f['source']}]{note}")
        for name, where in doc.metadata.blank.items():
            if doc.metadata.get(name) is None:
                out.append(f"   {name}: (blank) [{where}]")
        missing = [n for n, v in doc.metadata.values().items() if v is None and n not in doc.metadata.blank]
        if missing:
            out.append(f"   not found: {', '.join(missing)}")
        profile = _profile(doc)
        out.append(f"   role: {profile.role} ({profile.role_reason})")
        out.append(f"   type: {profile.doc_type or 'unclassified'}" + (f" ({profile.type_reason})" if profile.type_reason else ""))
        out.append(f"   status: {profile.status}" + (f" ({profile.status_reason})" if profile.status_reason else "") + (", in force" if profile.effective else ""))
        if doc.facts:
            out.append("   facts: " + ", ".join(f"{k}={v}" for k, v in doc.facts.items()))
        for block in doc.blocks:
            where = block.location(doc.format).short()
            section = f" § {block.section_path}" if block.section_path and block.part == "body" else ""
            out.append(f"   [{block.part} {where}{section}] {block.text}")
        for tag in doc.tags:
            where = doc.blocks[tag.block].location(doc.format, tag.start).short()
            note = f" ({tag.note})" if tag.note else ""
            out.append(f"   tag {where}: {tag.kind} {tag.ref.get('norm')!r} {tag.status} [{tag.text}]{note}")
        out.append("")
    return "\n".join(out)
