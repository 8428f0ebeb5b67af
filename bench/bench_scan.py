"""Whole-scan benchmark: workers, cache, and the one-file start-up a pre-commit hook pays.

    python bench/bench_scan.py [--files 1000]

On a generated library of mixed files (Word-like .docx, 5-12 page PDFs, Markdown SOPs with
QSR-era citations and terms), in one run:

  * bare extraction of the same files (lxml over document.xml, pypdfium2 text, file read);
  * a cold scan (no cache) with 1 and with 2 workers: files/s, and the ratio to bare extraction;
  * a warm rescan from the cache (best of three), as a share of the cold scan;
  * ``doccheck scan one.docx`` from a cold process, beside ``python -c "import spacy"``;
  * the same one-file scan when the file is cached, and whether it imported spaCy.

Quote the ratios, not the seconds: the machines are shared.
"""

from __future__ import annotations

import argparse
import compileall
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_extract import OUT, bare_docx, bare_pdf, make_docx, make_pdf  # noqa: E402

from doccheck.api import scan  # noqa: E402
from doccheck.config import Config  # noqa: E402

MD = """---
document_number: SOP-MD-{n:04d}
revision: "{rev}"
effective_date: 2026-0{month}-1{day}
approved_by: QA
---

# Procedure {n}

## 1 Purpose

This procedure follows {cite} and keeps records in the {term}.

## 2 Procedure

{body}
"""
CITES = ["21 CFR 820.30(j)", "ISO 13485:2016 clause 7.3.10", "21 CFR 820.198", "ISO 14971:2007", "21 CFR 820.35(a)"]
TERMS = ["Design History File", "design and development file", "Device Master Record", "medical device file", "DHR"]


def library(n_files: int) -> tuple[Path, list[Path]]:
    folder = OUT / f"library-{n_files}"
    rng = random.Random(13485)
    n_docx, n_pdf = int(n_files * 0.6), int(n_files * 0.1)
    paths = []
    for i in range(n_files):
        if i < n_docx:
            path = folder / "docx" / f"sop-{i:04d}.docx"
        elif i < n_docx + n_pdf:
            path = folder / "pdf" / f"wi-{i:04d}.pdf"
        else:
            path = folder / "md" / f"sop-{i:04d}.md"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            if path.suffix == ".docx":
                make_docx(path, rng, word_markup=True)
            elif path.suffix == ".pdf":
                make_pdf(path, rng, rng.randint(5, 12))
            else:
                body = " ".join(rng.choice(["Records are reviewed.", "Changes are approved.", "Training is recorded."]) for _ in range(40))
                path.write_text(MD.format(n=i, rev=rng.randint(1, 9), month=rng.randint(1, 9), day=rng.randint(0, 9), cite=rng.choice(CITES), term=rng.choice(TERMS), body=body), encoding="utf-8")
        paths.append(path)
    return folder, paths


def bare(paths: list[Path]) -> float:
    start = time.perf_counter()
    for path in paths:
        if path.suffix == ".docx":
            bare_docx(path)
        elif path.suffix == ".pdf":
            bare_pdf(path)
        else:
            path.read_text(encoding="utf-8")
    return time.perf_counter() - start


def timed_scan(folder: Path, jobs: int, cache: Path | None = None) -> tuple[float, int]:
    """(seconds, findings) of a scan in a process forked from this one, which has not imported spaCy.

    NOTE: in this process, a scan with two or more workers builds the pipeline here and forks its
    workers from it (doccheck.parallel), so every later scan would start warm: each one gets a
    fresh process, as a user's ``doccheck scan`` does (it has only this bench's imports).
    """
    assert "spacy" not in sys.modules, "the bench process must stay without spaCy"
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_scan_child, args=(send, folder, jobs, cache))
    child.start()
    send.close()
    outcome = receive.recv()
    child.join()
    return outcome


def _scan_child(send, folder: Path, jobs: int, cache: Path | None) -> None:  # type: ignore[no-untyped-def]
    config = Config(root=folder, jobs=jobs, cache=cache, use_cache=cache is not None)
    start = time.perf_counter()
    report = scan([folder], config)
    send.send((time.perf_counter() - start, sum(1 for _ in report.all_findings())))


def cold_process(args: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(args, cwd=cwd, capture_output=True, check=False, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=1000)
    args = parser.parse_args()
    # NOTE: as an installed package: pip writes the bytecode at install time, while an editable
    # checkout under PYTHONDONTWRITEBYTECODE compiles every module on every start (~0.05 s)
    compileall.compile_dir(str(ROOT / "doccheck"), quiet=1)
    folder, paths = library(args.files)
    bare(paths[:50])  # warm the page cache and imports
    t_bare = bare(paths)
    t1, n1 = timed_scan(folder, 1, None)
    t2, n2 = timed_scan(folder, 2, None)
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp) / "cache.sqlite"
        t_cold, _ = timed_scan(folder, 2, cache)
        t_warm, n_warm = min(timed_scan(folder, 2, cache) for _ in range(3))  # ~0.1 s: one run is at the mercy of the machine
    assert n1 == n2 == n_warm, (n1, n2, n_warm)
    one = paths[0]
    doccheck = [sys.executable, "-m", "doccheck", "scan", str(one), "--no-config"]
    spacy_import = min(cold_process([sys.executable, "-c", "import spacy"], folder) for _ in range(3))
    one_file = min(cold_process([*doccheck, "--no-cache"], folder) for _ in range(3))
    with tempfile.TemporaryDirectory() as tmp:
        cached = [*doccheck, "--cache", str(Path(tmp) / "c.sqlite")]
        cold_process(cached, folder)
        one_cached = min(cold_process(cached, folder) for _ in range(3))
        probe = subprocess.run(
            [sys.executable, "-c", f"import sys; from doccheck.cli import main; main({cached[3:]!r}); print('spacy' in sys.modules)"],
            cwd=folder, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        ).stdout.strip().splitlines()[-1]
    print(f"library: {len(paths)} files ({sum(p.suffix == '.docx' for p in paths)} docx, {sum(p.suffix == '.pdf' for p in paths)} pdf, "
          f"{sum(p.suffix == '.md' for p in paths)} md), {n1:,} findings")
    print(f"bare extraction (1 process)      {t_bare:7.2f} s  {len(paths) / t_bare:7.1f} files/s")
    print(f"cold scan, 1 worker              {t1:7.2f} s  {len(paths) / t1:7.1f} files/s  ratio to bare {t1 / t_bare:.1f}x")
    print(f"cold scan, 2 workers             {t2:7.2f} s  {len(paths) / t2:7.1f} files/s  speed-up {t1 / t2:.2f}x")
    print(f"warm rescan (cache), 2 workers   {t_warm:7.2f} s  = {100 * t_warm / t_cold:.1f}% of the cold scan ({t_cold:.2f} s)")
    print(f"one file, cold process           {one_file:7.2f} s  = {one_file / spacy_import:.2f}x 'import spacy' ({spacy_import:.2f} s)")
    print(f"one file, cached, cold process   {one_cached:7.2f} s  = {one_cached / spacy_import:.2f}x 'import spacy'; spaCy imported: {probe}")


if __name__ == "__main__":
    main()
