"""One reference page per rule (``docs/rules/RULE-ID.md``), generated from the packs.

SARIF's ``helpUri`` points at these pages, so a reviewer who opens a code-scanning alert lands
on the rule's description, source, severity and examples. ``doccheck rules docs`` writes them;
a test keeps the committed pages equal to what the packs say.
"""

from __future__ import annotations

from doccheck import __url__, __version__
from doccheck.engine.rule import Rule


def help_uri(rule: Rule) -> str:
    """Where a rule's page is published: its own ``link``, else the page in the repository at this version."""
    return rule.link or f"{__url__}/blob/v{__version__}/docs/rules/{rule.id}.md"


def _example(example: object) -> str:
    if isinstance(example, dict):
        text = example.get("text") or ", ".join(f"{k}: {v}" for k, v in example.items())
    else:
        text = str(example)
    return " ".join(str(text).split()).replace("`", "'")


def page(rule: Rule) -> str:
    lines = [
        f"# {rule.id}: {rule.name}", "",
        f"- **Severity:** {rule.severity}" + (f" (in legacy documents: {rule.legacy_severity})" if rule.legacy_severity else "")
        + (f"; under headings {', '.join(repr(w) for w in rule.by_section)}: {min(rule.by_section.values())}" if rule.by_section else ""),
        f"- **Category:** {rule.category}", f"- **Type:** `{rule.type}`", f"- **Source:** {rule.source}",
        f"- **Defined in:** `{rule.file.split('/rules/', 1)[-1] if '/rules/' in rule.file else rule.file}`",
    ]
    if rule.aliases:
        lines.append(f"- **Former ids:** {', '.join(rule.aliases)}")
    if rule.opt_in:
        lines.append("- **Opt-in:** runs only when `select` or `extend_select` names it")
    lines += ["", " ".join(rule.description.split()) or rule.name, "", f"**Message:** {rule.message}"]
    if rule.suggestion:
        lines.append(f"\n**Suggestion:** {rule.suggestion}")
    for kind, title in (("fire", "Fires on"), ("pass", "Does not fire on")):
        examples = rule.examples.get(kind, ())
        if examples:
            lines += ["", f"## {title}", ""] + [f"- `{_example(e)}`" for e in examples]
    return "\n".join(lines) + "\n"
