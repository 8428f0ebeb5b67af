"""Accuracy on the labelled real-document corpus (``../shared/realdocs``): recognition and the document profile.

    python bench/accuracy.py [--corpus ../shared/realdocs] [--verbose] [--json FILE]

Scans the corpus' ``docs/`` as a user would (default rules, no cache, every severity),
scores the report with the corpus' own ``score.py`` matching rules, and prints:

* recall and precision overall, per format (docx, pdf, md) and per category;
* the document profile: document number, revision and effective date exactly right on the
  documents that show them, approval presence, roles, and document-control findings on
  external documents (there should be none).

``--verbose`` lists every miss, extra and metadata error. ``tests/test_realdocs.py`` asserts
the acceptance figures from the same function (`measure`).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CORPUS = ROOT.parent / "shared" / "realdocs"
CATEGORIES = ("obsolete-reference", "obsolete-term")
FIELDS = ("document_number", "revision", "effective_date")


def load_scorer(corpus: Path) -> Any:
    """The corpus' own ``score.py`` as a module: its matching rules are the reference."""
    spec = importlib.util.spec_from_file_location("realdocs_score", corpus / "score.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def scan(corpus: Path) -> dict[str, Any]:
    """doccheck's JSON report of the corpus documents, as ``doccheck scan docs --format json --no-config --no-cache`` gives it."""
    from doccheck import api
    from doccheck.config import Config
    from doccheck.report.render import render

    report = api.scan([corpus / "docs"], Config(root=Path(tempfile.gettempdir()), use_cache=False))
    return json.loads(render("json", report, report.rules, "never", False))


class _Tally:
    def __init__(self) -> None:
        self.found = self.labels = self.right = self.reported = 0

    def recall(self) -> float:
        return self.found / self.labels if self.labels else 1.0

    def precision(self) -> float:
        return self.right / self.reported if self.reported else 1.0

    def figures(self) -> dict[str, Any]:
        return {"recall": round(self.recall(), 4), "precision": round(self.precision(), 4), "labels": self.labels, "found": self.found,
                "reported": self.reported, "right": self.right}


def measure(corpus: Path = DEFAULT_CORPUS, report: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every figure, with the misses, extras and metadata errors behind them."""
    import yaml

    score = load_scorer(corpus)
    labels = yaml.safe_load((corpus / "labels.yaml").read_text(encoding="utf-8"))
    report = report if report is not None else scan(corpus)
    docs = {score.doc_key(d["path"]): d for d in report["documents"]}
    overall, by_format = _Tally(), defaultdict(_Tally)
    by_category: dict[str, _Tally] = defaultdict(_Tally)
    fields = {f: [0, 0] for f in (*FIELDS, "has_approval", "role")}
    external_dc, problems = 0, []
    for did, lab in labels.items():
        doc = docs.get(did, {})
        findings = [f for f in doc.get("findings", []) if f.get("category") in CATEGORIES and str(f.get("rule", "")).startswith("QMSR-")]
        wanted = [x for x in lab.get("findings") or [] if x.get("category") in CATEGORIES]
        hits, misses, matched, amb_only, _ = score.match_doc(wanted, findings)
        tallies = (overall, by_format[lab.get("format", "?")])
        for t in tallies:
            t.found += len(hits)
            t.labels += sum(1 for x in wanted if not x.get("ambiguous"))
            t.right += len(matched)
            t.reported += sum(1 for i in range(len(findings)) if i not in amb_only)
        for x in wanted:
            if not x.get("ambiguous"):
                by_category[x["category"]].labels += 1
        for x in hits:
            by_category[x["category"]].found += 1
        for i, f in enumerate(findings):
            if i in amb_only:
                continue
            by_category[f["category"]].reported += 1
            by_category[f["category"]].right += i in matched
            if i not in matched:
                problems.append(f"EXTRA {did} {f['rule']} {f['text']!r} {f['location']}")
        problems += [f"MISS  {did} {x['category']} {x['text']!r} ({x.get('where', '')}) ctx {x.get('context', '')[:80]!r}" for x in misses]
        md = doc.get("metadata") or {}
        normalise = {"revision": score.norm_rev, "effective_date": score.norm_date, "document_number": score.norm_docno}
        for name in FIELDS:
            if lab.get(name):
                fields[name][1] += 1
                ok = md.get(name) is not None and normalise[name](md.get(name)) == normalise[name](lab[name])
                fields[name][0] += ok
                if not ok:
                    problems.append(f"VALUE {did} {name}: label {lab[name]!r} report {md.get(name)!r}")
        if "has_approval" in lab:
            ok = bool(md.get("approval")) == bool(lab["has_approval"])
            fields["has_approval"][0] += ok
            fields["has_approval"][1] += 1
            if not ok:
                problems.append(f"META  {did} approval: label {lab['has_approval']} report {md.get('approval')!r}")
        if lab.get("role"):
            fields["role"][1] += 1
            ok = md.get("role") in {"form": ("form", "controlled")}.get(lab["role"], (lab["role"],))
            fields["role"][0] += ok
            if not ok:
                problems.append(f"ROLE  {did}: label {lab['role']} report {md.get('role')!r} ({md.get('role_reason')})")
        if lab.get("role") == "external":
            dc = [f for f in doc.get("findings", []) if f.get("category") == "document-control"]
            external_dc += len(dc)
            problems += [f"DC-ON-EXTERNAL {did} {f['rule']}" for f in dc]
    return {
        "overall": overall.figures(),
        "by_format": {k: v.figures() for k, v in sorted(by_format.items())},
        "by_category": {k: v.figures() for k, v in sorted(by_category.items())},
        "metadata": {k: {"right": v[0], "of": v[1], "share": round(v[0] / v[1], 4) if v[1] else 1.0} for k, v in fields.items()},
        "document_control_on_external": external_dc,
        "problems": problems,
    }


def _line(name: str, f: dict[str, Any]) -> str:
    return (f"  {name:20s} recall {f['found']:4d}/{f['labels']:<4d} = {f['recall']:.3f}   "
            f"precision {f['right']:4d}/{f['reported']:<4d} = {f['precision']:.3f}")


def render(result: dict[str, Any], verbose: bool) -> str:
    out = ["recognition (QMSR- rules, obsolete-reference and obsolete-term, every severity):", _line("overall", result["overall"])]
    out += [_line(k, v) for k, v in result["by_format"].items()]
    out += [_line(k, v) for k, v in result["by_category"].items()]
    out.append("document profile (exact values where the document shows them):")
    out += [f"  {k:20s} {v['right']:3d}/{v['of']:<3d} = {v['share']:.3f}" for k, v in result["metadata"].items()]
    out.append(f"  document-control findings on external documents: {result['document_control_on_external']}")
    if verbose:
        out += result["problems"] or ["  (no misses, extras or metadata errors)"]
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON to FILE")
    args = parser.parse_args()
    if not (args.corpus / "labels.yaml").is_file():
        raise SystemExit(f"no labelled corpus at {args.corpus} (expected labels.yaml, score.py and docs/)")
    sys.path.insert(0, str(ROOT))
    result = measure(args.corpus)
    print(render(result, args.verbose))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
