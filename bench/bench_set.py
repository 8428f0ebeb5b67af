"""Set-level analysis cost: a scan with and without it, on a generated set of documents.

    python bench/bench_set.py [--documents 5000] [--jobs 2] [--formats md,mixed] [--sentences 30] [--repeat 5]
    python bench/bench_set.py --instructions [--documents 1000]   # deterministic: valgrind's instruction counts

Generates procedures on two sites (each citing clauses, other documents by number, standards
with editions), then in one run scans them cold (no cache) with set analysis ``never`` and
``always`` (interleaved pairs, each scan in a fresh process; medians of wall and CPU time),
and times the set rules alone on the same results.
``--formats md`` (default) is the worst case for the ratio: small Markdown files cost the
least to check, so the per-document set facts weigh the most. ``mixed`` is a
document-control library: 60% Word-like .docx, 10% PDF, 30% Markdown. Both run by default;
``--sentences 600`` makes 10-page documents. Quote the ratios.

``--instructions`` counts the instructions of one scan with and one without set analysis
(`bench/instructions.py`): the same figure on every run, where the wall-clock pairs of a shared
machine range over ±10%. It leaves out cache misses and the kernel: quote it beside the other.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "fixtures"))

from doccheck import api  # noqa: E402
from doccheck.config import Config  # noqa: E402

import instructions  # noqa: E402
from bench_extract import word_paragraph  # noqa: E402
from docxgen import DocxSpec, heading, p, table, write_docx  # noqa: E402
from pdfgen import PdfSpec, write_pdf  # noqa: E402

OUT = ROOT / "bench" / "out"
TOPICS = [("Document Control", "4.2.4"), ("Control of Records", "4.2.5"), ("Internal Audit", "8.2.4"), ("Training", "6.2"),
          ("Purchasing", "7.4.1"), ("Complaint Handling", "8.2.2"), ("Corrective Action", "8.5.2"), ("Calibration", "7.6")]


def generate(n: int, sentences: int = 30, formats: str = "md") -> Path:
    folder = OUT / (f"sites-{n}-{sentences}" if formats == "md" else f"sites-{n}-{sentences}-{formats}")
    if folder.exists() and sum(1 for f in folder.rglob("*") if f.is_file()) == n:
        return folder
    rng = random.Random(820)
    for i in range(n):
        site = "site-a" if i % 2 else "site-b"
        title, clause = TOPICS[i // 2 % len(TOPICS)]  # both sites keep every procedure: they are detected as sites
        refs = ", ".join(f"SOP-{rng.randrange(n):05d}" + (f" Rev {rng.choice('ABC')}" if rng.random() < 0.3 else "") for _ in range(3))
        number, revision = f"SOP-{i:05d}", rng.choice("ABC")
        sections = [
            ("1 Purpose", f"This procedure meets ISO 13485:2016 clause {clause} and ISO 14971:{rng.choice(['2019', '2007'])}."),
            ("2 References", f"See {refs}."),
            ("3 Procedure", " ".join("Records are reviewed and approved." for _ in range(sentences))),
        ]
        kind = "md" if formats == "md" else ("docx", "docx", "docx", "docx", "docx", "docx", "pdf", "md", "md", "md")[i % 10]
        path = folder / site / f"{number}.{kind}"
        path.parent.mkdir(parents=True, exist_ok=True)
        if kind == "md":
            body = "".join(f"## {h}\n\n{text}\n\n" for h, text in sections)
            path.write_text(
                f"---\ndocument_number: {number}\ntitle: {title} {i}\nrevision: \"{revision}\"\neffective_date: 2026-03-01\n"
                f"approved_by: QA\nstatus: effective\n---\n\n# {title}\n\n{body}",
                encoding="utf-8",
            )
        elif kind == "docx":
            control = table([["Document No.", number, "Revision", revision], ["Effective date", "2026-03-01", "Approved by", "QA"]])
            body = [p(f"{title} {i}", "Title"), control]
            for h, text in sections:
                body += [heading(h), word_paragraph(rng, text)]
            write_docx(str(path), DocxSpec(body=body, headers={"default": [p(f"Doc No. {number}  Rev. {revision}  Effective 2026-03-01")]}))
        else:
            lines = [f"{title} {i}"]
            for h, text in sections:
                lines.append(h)
                words = text.split(" ")
                while words:  # lines of at most ~88 characters, as a PDF page sets them
                    line = []
                    while words and len(" ".join([*line, words[0]])) <= 88:
                        line.append(words.pop(0))
                    lines.append(" ".join(line or [words.pop(0)]))
            pages = [lines[k : k + 40] for k in range(0, len(lines), 40)]
            write_pdf(str(path), PdfSpec(pages, header=[f"Doc No. {number}  Rev. {revision}  Effective 2026-03-01  Approved by: QA"], footer=["Page {page} of {pages}"]))
    return folder


_RUN = """
import json, resource, sys, time
from pathlib import Path
from doccheck import api
from doccheck.config import Config
folder, jobs, mode = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
cpu = lambda: sum(getattr(resource.getrusage(w), f) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN) for f in ("ru_utime", "ru_stime"))
start, start_cpu = time.perf_counter(), cpu()
report = api.scan([folder], Config(root=folder, jobs=jobs, use_cache=False, set_analysis=mode))
print(json.dumps([time.perf_counter() - start, cpu() - start_cpu, len(report.documents)]))
"""


def timed(folder: Path, jobs: int, set_analysis: str) -> tuple[float, float]:
    """Wall and CPU time (the process and its workers) of one cold scan, in a fresh process:
    no heap or page cache state carried from the previous run."""
    out = subprocess.run([sys.executable, "-c", _RUN, str(folder), str(jobs), set_analysis], check=True, capture_output=True, text=True, cwd=ROOT)
    wall, cpu, _ = json.loads(out.stdout.strip().splitlines()[-1])
    return wall, cpu


def measure(folder: Path, jobs: int, repeat: int) -> dict[str, float]:
    wall: dict[str, list[float]] = {"never": [], "always": []}
    cpu: dict[str, list[float]] = {"never": [], "always": []}
    for mode in ("never", "always") * repeat:  # interleaved pairs: the machine is shared
        elapsed, used = timed(folder, jobs, mode)
        wall[mode].append(elapsed)
        cpu[mode].append(used)
    report = api.scan([folder], Config(root=folder, jobs=jobs, use_cache=False, set_analysis="always"))
    import gc

    gc.collect()
    gc.disable()  # as inside api.scan, which pauses the cyclic collector
    start = time.perf_counter()
    findings = api._set_findings(report, Config(root=folder))
    rules = time.perf_counter() - start
    gc.enable()
    pairs = sorted(a / n - 1 for n, a in zip(wall["never"], wall["always"]))  # NOTE: neighbours in time share the machine's mood
    cpu_pairs = sorted(a / n - 1 for n, a in zip(cpu["never"], cpu["always"]))
    return {
        "documents": len(report.documents), "findings": len(findings), "without": statistics.median(wall["never"]),
        "with": statistics.median(wall["always"]), "adds": statistics.median(pairs), "low": pairs[0], "high": pairs[-1],
        "cpu_adds": statistics.median(cpu_pairs), "rules": rules,
    }


def counted(folder: Path, jobs: int) -> dict[str, tuple[int, int]]:
    """(parent, workers) instructions of one cold scan per set-analysis mode."""
    out = {}
    for mode in ("never", "always"):
        own, by_process = instructions.count([sys.executable, "-c", _RUN, str(folder), str(jobs), mode], cwd=str(ROOT))
        out[mode] = (by_process[own], sum(by_process.values()) - by_process[own])
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=5000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--sentences", type=int, default=30, help="body size: 30 is about 1 KB, 600 about a 10-page SOP")
    parser.add_argument("--repeat", type=int, default=7, help="interleaved pairs of runs (the median is reported)")
    parser.add_argument("--formats", default="md,mixed", help="comma-separated: md (Markdown only: the worst case), mixed (60%% docx, 10%% PDF, 30%% md)")
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead of timing: deterministic")
    args = parser.parse_args()
    if args.instructions:
        if not instructions.available():
            parser.error("--instructions needs valgrind (apt install valgrind)")
        print(f"{args.documents} documents of {args.sentences} sentences on 2 sites, {args.jobs} workers: instructions of one cold scan")
        print(f"{'set':6} {'without':>9} {'with':>9} {'adds':>7} {'parent adds':>12} {'workers add':>12}")
        for formats in args.formats.split(","):
            c = counted(generate(args.documents, args.sentences, formats), args.jobs)
            (p0, w0), (p1, w1) = c["never"], c["always"]
            print(f"{formats:6} {(p0 + w0) / 1e9:8.2f}G {(p1 + w1) / 1e9:8.2f}G {100 * ((p1 + w1) / (p0 + w0) - 1):+6.1f}% "
                  f"{(p1 - p0) / 1e6:+10.0f}M {(w1 - w0) / 1e6:+10.0f}M")
        return
    print(f"{args.documents} documents of {args.sentences} sentences on 2 sites, {args.jobs} workers, {args.repeat} interleaved pairs (fresh process per scan)")
    print(f"{'set':6} {'without':>8} {'with':>8} {'adds':>7} {'range of pairs':>16} {'CPU adds':>9} {'set rules':>10}  set-level findings")
    for formats in args.formats.split(","):
        if formats not in ("md", "mixed"):
            parser.error(f"unknown --formats value {formats!r} (md or mixed)")
        r = measure(generate(args.documents, args.sentences, formats), args.jobs, args.repeat)
        span = f"{100 * r['low']:+.1f}..{100 * r['high']:+.1f}%"
        print(f"{formats:6} {r['without']:7.2f}s {r['with']:7.2f}s {100 * r['adds']:+6.1f}% {span:>16} {100 * r['cpu_adds']:+8.1f}% "
              f"{100 * r['rules'] / r['without']:9.1f}%  {r['findings']}")
    print("without/with: median wall time of a cold scan; adds: median over the interleaved pairs of (with / without - 1),")
    print("and the range of those pairs (the machine is shared: one pair says little); set rules: their share of the scan")


if __name__ == "__main__":
    main()
