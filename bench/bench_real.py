"""Whole-scan benchmark on real documents: ../shared/realdocs/docs, copied to a few hundred files.

    python bench/bench_real.py [--copies 7] [--source ../shared/realdocs/docs]

Real Word procedures (large templates, headers with control tables, tracked changes) and real
signed or exported PDFs behave unlike generated ones. In one run, as ratios:

  * per format and overall: a cold scan with one worker / bare extraction of the same files
    (best of each; and ``pairs``, the median ratio of a bare run and the scan right after it)
    (bare: lxml over every text part of a .docx, pypdfium2's text of every PDF page, a read
    of a Markdown file; one process, no doccheck);
  * a warm rescan (from the cache) / the cold scan;
  * ``doccheck scan FILE`` in a cold process / ``python -c "import spacy"``, for a .docx
    and for a .pdf (the median-sized one of each);
  * a cold scan with 2 workers against 1 worker.

The copies are byte-identical, so within-worker caches keyed by content (the styles of a
Word template) hit more often than in a library where templates vary; ``--copies 1`` gives
the figures without repeats. Quote the ratios, not the seconds: the machines are shared.
"""

from __future__ import annotations

import argparse
import compileall
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import bare_pdf  # noqa: E402
from bench_scan import cold_process, timed_scan  # noqa: E402

OUT = ROOT / "bench" / "out"
FORMATS = ("docx", "pdf", "md")
_TEXT_PARTS = ("word/document.xml", "word/header", "word/footer", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml")


def library(source: Path, copies: int) -> Path:
    """``copies`` copies of every document of ``source``, one folder per format."""
    folder = OUT / f"real-{copies}"
    files = sorted(p for p in source.iterdir() if p.suffix.lstrip(".") in FORMATS)
    if folder.exists() and sum(1 for p in folder.rglob("*") if p.is_file()) == len(files) * copies:
        return folder
    shutil.rmtree(folder, ignore_errors=True)
    for k in range(copies):
        for path in files:
            target = folder / path.suffix.lstrip(".") / f"copy-{k}" / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
    return folder


def bare_docx(path: Path) -> int:
    """Every text part through lxml: what any reader of a Word file pays."""
    total = 0
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.startswith(_TEXT_PARTS) and name.endswith(".xml"):
                total += len("".join(etree.fromstring(zf.read(name)).itertext()))
    return total


def bare(paths: list[Path]) -> float:
    read = {".docx": bare_docx, ".pdf": bare_pdf, ".md": lambda p: len(p.read_text(encoding="utf-8", errors="replace"))}
    start = time.perf_counter()
    for path in paths:
        read[path.suffix](path)
    return time.perf_counter() - start


def median_sized(paths: list[Path]) -> Path:
    ordered = sorted(paths, key=lambda p: p.stat().st_size)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=7, help="copies of each document (47 documents: 7 copies are 329 files)")
    parser.add_argument("--source", type=Path, default=ROOT.parent / "shared" / "realdocs" / "docs")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement (the best is kept)")
    args = parser.parse_args()
    # NOTE: as an installed package: pip writes the bytecode at install time, while an editable
    # checkout under PYTHONDONTWRITEBYTECODE compiles every module on every start (~0.05 s)
    compileall.compile_dir(str(ROOT / "doccheck"), quiet=1)
    folder = library(args.source, args.copies)
    by_format = {fmt: sorted((folder / fmt).rglob(f"*.{fmt}")) for fmt in FORMATS}
    every = [p for fmt in FORMATS for p in by_format[fmt]]
    bare(every)  # warm the page cache and the imports
    print(f"real documents: {len(every)} files ({', '.join(f'{len(v)} {k}' for k, v in by_format.items())}) from {args.source}, {args.copies} copies each")
    print(f"{'':28} {'bare':>8} {'cold, 1 worker':>15} {'ratio':>7} {'pairs':>7}")
    rows = {}
    for fmt in (*FORMATS, "all"):
        paths, target = (every, folder) if fmt == "all" else (by_format[fmt], folder / fmt)
        bares, scans, pairs = [], [], []
        for _ in range(args.repeat):  # NOTE: interleaved: the machine's speed drifts between a block of bares and one of scans
            bares.append(bare(paths))
            scans.append(timed_scan(target, 1))
            pairs.append(scans[-1][0] / bares[-1])
        t_bare, (t_scan, findings) = min(bares), min(scans)
        rows[fmt] = (t_bare, t_scan, findings)
        print(f"{fmt:28} {t_bare:7.2f}s {t_scan:14.2f}s {t_scan / t_bare:6.2f}x {statistics.median(pairs):6.2f}x   ({findings:,} findings)")
    t1 = rows["all"][1]
    t2, n2 = min(timed_scan(folder, 2) for _ in range(args.repeat))
    assert n2 == rows["all"][2], (n2, rows["all"][2])
    print(f"cold scan, 2 workers / 1 worker: {t1 / t2:.2f}x faster ({t2:.2f}s against {t1:.2f}s)")
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        t_cold, _ = timed_scan(folder, 1, cache)
        t_warm, n_warm = min(timed_scan(folder, 1, cache) for _ in range(args.repeat))
    assert n_warm == rows["all"][2], (n_warm, rows["all"][2])
    print(f"warm rescan (cache), 1 worker: {100 * t_warm / t_cold:.1f}% of the cold scan ({t_warm:.2f}s against {t_cold:.2f}s)")
    spacy_import = min(cold_process([sys.executable, "-c", "import spacy"], folder) for _ in range(args.repeat))
    for fmt in ("docx", "pdf"):
        one = median_sized(by_format[fmt])
        command = [sys.executable, "-m", "doccheck", "scan", str(one), "--no-config", "--no-cache"]
        runs = [cold_process(command, folder) for _ in range(args.repeat)]
        print(f"one {fmt} ({one.name}, {one.stat().st_size // 1024} KB), cold process: {min(runs) / spacy_import:.2f}x 'import spacy' "
              f"({min(runs):.2f}s against {spacy_import:.2f}s; median of runs {statistics.median(runs) / spacy_import:.2f}x)")


if __name__ == "__main__":
    main()
