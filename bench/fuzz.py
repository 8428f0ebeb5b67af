"""Fuzz the extractors with mutated real fixtures: no uncaught exception, no hang, no crash.

    python bench/fuzz.py [--per-extractor 5000] [--caches 2000] [--configs 2000] [--seed 13485] [--timeout 20] [--jobs 2]

Each input is a fixture mutated at byte level (flips, truncation, duplicated or inserted
chunks) or, for Word packages, inside the package (a mangled XML part re-zipped). Every
input goes through the same worker pool as a scan, so an uncaught exception, a hang or a
crash of the reader is counted, not fatal. ``--caches``/``--configs`` mutate result caches and
configuration files (bench/fuzz_data.py): each must give a result, a cache miss or an error
naming the file, never an exception, a hang or code run. Exit status 1 when any was found.
The test suite runs a short, seeded version of this (tests/test_fuzz.py).
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from doccheck.parallel import Task, run  # noqa: E402
from doccheck.worker import Settings  # noqa: E402

SEEDS = {
    "docx": ["formats/all-parts.docx", "sops/SOP-QA-012-capa.docx", "sops/SOP-CH-002-complaints.docx", "clean/SOP-CAPA-001-capa.docx"],
    "pdf": ["sops/SOP-DC-003-design-control.pdf", "formats/partly-scanned.pdf", "formats/citations.pdf", "clean/SOP-CH-010-complaints.pdf"],
    "text": ["sops/SOP-QA-004-document-control.md", "sops/WI-label-inspection.txt", "sops/QM-001-quality-manual.md", "bad/bom-crlf.md"],
}
FAILURES = ("internal-error", "timeout", "worker-crashed")


def mutate_bytes(data: bytes, rng: random.Random) -> bytes:
    buf = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        kind = rng.randrange(6)
        pos = rng.randrange(max(1, len(buf)))
        if kind == 0:  # flip a few bytes
            for i in range(rng.randint(1, 16)):
                if pos + i < len(buf):
                    buf[pos + i] = rng.randrange(256)
        elif kind == 1:  # truncate
            del buf[pos:]
        elif kind == 2:  # duplicate a chunk
            chunk = buf[pos : pos + rng.randint(1, 512)]
            buf[pos:pos] = chunk * rng.randint(1, 8)
        elif kind == 3:  # insert random bytes
            buf[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif kind == 4:  # zero a region
            end = min(len(buf), pos + rng.randint(1, 256))
            buf[pos:end] = bytes(end - pos)
        else:  # swap two regions
            other = rng.randrange(max(1, len(buf)))
            size = rng.randint(1, 128)
            a, b = buf[pos : pos + size], buf[other : other + size]
            buf[pos : pos + len(a)], buf[other : other + len(b)] = b[: len(a)], a[: len(b)]
    return bytes(buf)


def mutate_package(data: bytes, rng: random.Random) -> bytes:
    """Mangle one XML part of a Word package and re-zip it, so the zip layer still opens."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        names = src.namelist()
        target = rng.choice([n for n in names if n.endswith(".xml") or n.endswith(".rels")])
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for name in names:
                part = src.read(name)
                if name == target:
                    part = mutate_bytes(part, rng) if rng.random() < 0.5 else _mangle_xml(part, rng)
                if rng.random() < 0.02:
                    continue  # drop a part now and then
                dst.writestr(name, part)
    return out.getvalue()


def _mangle_xml(part: bytes, rng: random.Random) -> bytes:
    text = part.decode("utf-8", errors="replace")
    for _ in range(rng.randint(1, 5)):
        if not text:
            break
        a = rng.randrange(len(text))
        b = min(len(text), a + rng.randint(1, 200))
        choice = rng.randrange(4)
        if choice == 0:
            text = text[:a] + text[b:]  # cut out a span of markup
        elif choice == 1:
            text = text[:a] + text[a:b] * rng.randint(2, 20) + text[b:]  # repeat it (deep nesting)
        elif choice == 2:
            text = text[:a] + "<w:p><w:r><w:t>&#x0;</w:t></w:r>" + text[a:]
        else:
            text = text[:a] + text[a:b][::-1] + text[b:]
    return text.encode("utf-8", errors="replace")


def inputs(kind: str, n: int, seed: int, folder: Path) -> list[Path]:
    rng = random.Random(f"{seed}-{kind}")
    originals = [(ROOT / "fixtures" / p).read_bytes() for p in SEEDS[kind]]
    suffixes = [Path(p).suffix for p in SEEDS[kind]]
    paths = []
    for i in range(n):
        which = rng.randrange(len(originals))
        data = originals[which]
        data = mutate_package(data, rng) if kind == "docx" and rng.random() < 0.6 else mutate_bytes(data, rng)
        path = folder / f"{kind}-{i:05d}{suffixes[which]}"
        path.write_bytes(data)
        paths.append(path)
    return paths


def fuzz(kind: str, n: int, seed: int, jobs: int, timeout: float) -> Counter[str]:
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory(prefix=f"doccheck-fuzz-{kind}-") as tmp:
        paths = inputs(kind, n, seed, Path(tmp))
        tasks = [Task(i, str(p), p.name) for i, p in enumerate(paths)]
        for _, result in run(tasks, Settings(rule_paths=()), jobs, timeout, 2048):
            problems = result.document.problems
            reason = problems[0].reason if problems and problems[0].fatal else "read"
            counts["inputs"] += 1
            counts[reason if reason in FAILURES else ("read" if reason == "read" else "unreadable")] += 1
            if reason in FAILURES:
                counts.setdefault("examples", 0)
                print(f"  {reason}: {result.document.path}: {problems[0].message}", file=sys.stderr)
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--per-extractor", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=13485)
    parser.add_argument("--timeout", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--caches", type=int, default=0, help="mutated result caches, each used by a scan and a report")
    parser.add_argument("--configs", type=int, default=0, help="mutated doccheck.yaml files, each used by a scan")
    args = parser.parse_args()
    bad = 0
    for what, n in (("caches", args.caches), ("configs", args.configs)):
        if not n:
            continue
        import fuzz_data

        started = time.perf_counter()
        counts = (fuzz_data.fuzz_caches if what == "caches" else fuzz_data.fuzz_configs)(n, args.seed)
        failures = sum(counts[f] for f in fuzz_data.FAILURES)
        bad += failures
        print(f"{what:7} {counts['inputs']:6} inputs: {counts['ok']} runs gave a report, {counts['refused']} refused with an error naming the file, "
              f"{counts['exception'] + counts['internal-error']} uncaught exceptions, {counts['hang']} hangs, {counts['code-executed']} ran code, "
              f"{counts['error-without-file']} errors not naming the file ({time.perf_counter() - started:.0f} s)")
    for kind in SEEDS if args.per_extractor else ():
        started = time.perf_counter()
        counts = fuzz(kind, args.per_extractor, args.seed, args.jobs, args.timeout)
        failures = sum(counts[f] for f in FAILURES)
        bad += failures
        print(
            f"{kind:5} {counts['inputs']:6} inputs: {counts['read']} read, {counts['unreadable']} reported unreadable, "
            f"{counts['internal-error']} uncaught exceptions, {counts['timeout']} hangs, {counts['worker-crashed']} crashes "
            f"({time.perf_counter() - started:.0f} s)"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
