"""Extraction benchmark: doccheck's extractors against the bare library calls, in one run.

    python bench/bench_extract.py [--docx 300] [--pdf 40] [--repeat 3]

Generates a corpus under bench/out/ (SOP-like .docx with tables, headers and footers, once
with minimal markup and once with the run markup Word writes; PDFs of 5-30 pages), then times per file, interleaved and best of ``--repeat``:

  bare docx:  zipfile + lxml parse of word/document.xml + its text
  ours docx:  doccheck.extract.extract (every part, locations, identity)
  bare pdf:   pypdfium2 open + text of every page
  ours pdf:   doccheck.extract.extract (layout, locations, identity)

and the peak resident memory of extracting a 500-page PDF in a fresh process. Quote the
ratios; absolute times vary with the machine's load.
"""

from __future__ import annotations

import argparse
import random
import resource
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "fixtures"))

from docxgen import DocxSpec, heading, p, t, table, write_docx  # noqa: E402
from pdfgen import PdfSpec, write_pdf  # noqa: E402

from doccheck.extract import extract  # noqa: E402

OUT = ROOT / "bench" / "out"
WORDS = (
    "the design and development file records inputs outputs review verification validation transfer "
    "changes complaint handling corrective action preventive action nonconforming product supplier "
    "purchasing controls per 21 CFR 820.30(j) and ISO 13485:2016 clause 7.3.10 management review"
).split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


_RPR = (
    '<w:rPr><w:rFonts w:ascii="Calibri" w:hAnsi="Calibri" w:eastAsia="Calibri" w:cs="Times New Roman"/>'
    '<w:color w:val="000000"/><w:sz w:val="22"/><w:szCs w:val="22"/><w:lang w:val="en-US" w:eastAsia="en-US" w:bidi="ar-SA"/></w:rPr>'
)


def word_paragraph(rng: random.Random, text: str) -> str:
    """A paragraph as Word writes one: rsids, spacing, and the text split over several formatted runs."""
    words = text.split(" ")
    cuts = sorted(rng.sample(range(1, len(words)), min(len(words) - 1, rng.randint(2, 6))))
    pieces = [" ".join(words[a:b]) + " " for a, b in zip([0, *cuts], [*cuts, len(words)])]
    runs = "".join(f'<w:r w:rsidR="00{rng.randint(100000, 999999)}">{_RPR}{t(x)}</w:r>' for x in pieces)
    ppr = '<w:pPr><w:spacing w:before="120" w:after="120" w:line="276" w:lineRule="auto"/><w:jc w:val="both"/></w:pPr>'
    return f'<w:p w:rsidR="00{rng.randint(100000, 999999)}" w:rsidRDefault="00{rng.randint(100000, 999999)}">{ppr}{runs}</w:p>'


def make_docx(path: Path, rng: random.Random, word_markup: bool) -> None:
    body = [p("Procedure " + path.stem, "Title"), table([["Document No.", path.stem.upper(), "Revision", "B"]])]
    for s in range(1, rng.randint(4, 9)):
        body.append(heading(f"{s} Section {s}"))
        for _ in range(rng.randint(3, 12)):
            text = sentence(rng, rng.randint(12, 40))
            body.append(word_paragraph(rng, text) if word_markup else p(text))
    body.append(table([["Rev", "Date", "Description"], ["A", "2024-01-10", "Initial"], ["B", "2026-03-01", "QMSR"]]))
    spec = DocxSpec(
        body=body,
        headers={"default": [p(f"Doc No. {path.stem.upper()}  Rev. B  Effective 2026-03-01")]},
        footers={"default": [p("Uncontrolled when printed")]},
    )
    write_docx(str(path), spec)


def make_pdf(path: Path, rng: random.Random, pages: int) -> None:
    lines = [[sentence(rng, 12)[:88] for _ in range(40)] for _ in range(pages)]
    write_pdf(str(path), PdfSpec(lines, header=[f"Doc No. {path.stem.upper()}  Rev. B"], footer=["Page {page} of {pages}"]))


def corpus(n_docx: int, n_pdf: int) -> tuple[dict[str, list[Path]], list[tuple[Path, int]], Path]:
    folder = OUT / f"corpus-{n_docx}-{n_pdf}"
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(20260202)
    docx: dict[str, list[Path]] = {"minimal": [], "word": []}
    for kind in docx:
        for i in range(n_docx):
            path = folder / f"sop-{kind}-{i:04d}.docx"
            if not path.exists():
                make_docx(path, rng, kind == "word")
            docx[kind].append(path)
    pdfs = []
    for i in range(n_pdf):
        pages = 5 + (i * 7) % 26  # 5..30 pages
        path = folder / f"wi-{i:03d}-{pages}p.pdf"
        if not path.exists():
            make_pdf(path, rng, pages)
        pdfs.append((path, pages))
    big = OUT / "big-500p.pdf"
    if not big.exists():
        make_pdf(big, rng, 500)
    return docx, pdfs, big


def bare_docx(path: Path) -> int:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("word/document.xml"))
    return len("".join(root.itertext()))


def bare_pdf(path: Path) -> int:
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    total = 0
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        total += len(textpage.get_text_range())
        textpage.close()
        page.close()
    pdf.close()
    return total


def timed(fn, path: Path) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(path)
    return time.perf_counter() - start


def compare(paths: list[Path], bare, repeat: int) -> tuple[float, float]:  # type: ignore[no-untyped-def]
    """Total of the per-file best times (bare, ours), the two interleaved file by file."""
    bare_total = ours_total = 0.0
    for path in paths:
        b, o = [], []
        for _ in range(repeat):
            b.append(timed(bare, path))
            o.append(timed(extract, path))
        bare_total += min(b)
        ours_total += min(o)
    return bare_total, ours_total


def peak_memory(path: Path) -> tuple[float, float]:
    """Peak RSS (MB) of a fresh process extracting ``path``, and of one that only imports."""
    code = (
        "import resource, sys; sys.path.insert(0, %r); from doccheck.extract import extract; import pypdfium2;"
        "%s; print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    run = lambda body: int(subprocess.run([sys.executable, "-c", code % (str(ROOT), body)], capture_output=True, text=True, check=True).stdout)  # noqa: E731
    loaded = run(f"d = extract({str(path)!r}); assert d.readable and len(d.blocks) > 500")
    baseline = run("pass")
    return loaded / 1024, baseline / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docx", type=int, default=300)
    parser.add_argument("--pdf", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    docx, pdfs, big = corpus(args.docx, args.pdf)
    for path in docx["word"][:3] + [pdf for pdf, _ in pdfs[:2]]:  # warm imports and caches
        extract(path), bare_pdf(path) if path.suffix == ".pdf" else bare_docx(path)
    pages = sum(n for _, n in pdfs)
    docx_times = {kind: compare(paths, bare_docx, args.repeat) for kind, paths in docx.items()}
    b_pdf, o_pdf = compare([pdf for pdf, _ in pdfs], bare_pdf, args.repeat)
    peak, base = peak_memory(big)
    print(f"corpus: {args.docx} docx x 2 markups, {len(pdfs)} pdf ({pages} pages), best of {args.repeat}, interleaved")
    for kind, (b_docx, o_docx) in docx_times.items():
        label = "Word-like markup" if kind == "word" else "minimal markup"
        print(f"docx  bare lxml document.xml  {1000 * b_docx / args.docx:7.2f} ms/file   ({label})")
        print(f"docx  doccheck extract        {1000 * o_docx / args.docx:7.2f} ms/file   ratio {o_docx / b_docx:.2f}x")
    print(f"pdf   bare pypdfium2 text     {1000 * b_pdf / pages:7.2f} ms/page")
    print(f"pdf   doccheck extract        {1000 * o_pdf / pages:7.2f} ms/page   ratio {o_pdf / b_pdf:.2f}x")
    print(f"500-page pdf: peak RSS {peak:.0f} MB (interpreter with imports alone: {base:.0f} MB)")
    print(f"bench process peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
