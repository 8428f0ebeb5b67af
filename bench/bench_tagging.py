"""Tagging benchmark: doccheck's tagger against the fastest plain ``re`` over the same text.

    python bench/bench_tagging.py [--mb 4] [--repeat 3]

The bound is one trie-compiled regular expression of every retired term form and
abbreviation (the same terms the tagger knows), run with ``finditer`` over every block.
The tagger does more (citations, validation, abbreviation definitions, tokens), so the
ratio says what that costs. Two texts: SOP-like prose where a quarter of the paragraphs
cite or name something ("typical"), and one where every paragraph does ("dense").
Also: the pipeline's construction time after ``import spacy``, in a fresh process.
"""

from __future__ import annotations

import argparse
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from doccheck.model import Block, Document  # noqa: E402
from doccheck.nlp import tag_document  # noqa: E402
from doccheck.nlp.pipeline import get_pipeline  # noqa: E402
from doccheck.nlp.trie import compile_phrases  # noqa: E402
from doccheck.resources import corpus  # noqa: E402

PROSE = (
    "The process owner shall review the records and confirm that the acceptance criteria are met before release "
    "of the product to stock. Deviations are documented, assessed for impact and approved by the responsible "
    "function. Training needs are identified and the effectiveness of training is evaluated where appropriate."
).split()
MENTIONS = [
    "as required by 21 CFR 820.30(j)",
    "in the Design History File (DHF)",
    "per ISO 13485:2016 clause 7.3.10",
    "according to 21 C.F.R. § 820.198(e)",
    "by management with executive responsibility",
    "against the Device Master Record",
    "under EN ISO 14971:2012",
    "and recorded in the DHR",
    "see §§ 820.100-820.250",
    "following IEC 62304:2006",
]


def paragraph(rng: random.Random, mention: bool) -> str:
    words = [rng.choice(PROSE) for _ in range(rng.randint(35, 70))]
    if mention:
        words.insert(rng.randint(3, len(words) - 3), rng.choice(MENTIONS))
    words[0] = words[0].capitalize()
    return " ".join(words) + "."


def documents(mb: float, share: float, seed: int) -> list[Document]:
    rng = random.Random(seed)
    docs, size = [], 0
    while size < mb * 1_000_000:
        doc = Document(path=f"bench-{len(docs)}.txt", format="text", sha256="", size=0)
        for i in range(60):
            text = paragraph(rng, rng.random() < share)
            doc.blocks.append(Block(i, "body", text, ()))
            size += len(text.encode())
        docs.append(doc)
    return docs


def bound_pattern():  # type: ignore[no-untyped-def]
    data = corpus("terms.yaml")
    forms = [f for t in data["retired"] for f in t["forms"]]
    abbreviations = [a for t in data["retired"] for a in t["abbreviations"]] + list(data["ambiguous_abbreviations"])
    return compile_phrases(forms + abbreviations)


def run_bound(docs: list[Document], pattern) -> int:  # type: ignore[no-untyped-def]
    return sum(1 for d in docs for b in d.blocks for _ in pattern.finditer(b.text))


def run_tagger(docs: list[Document]) -> int:
    return sum(len(tag_document(d)) for d in docs)


def best(fn, *args, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - start)
    return min(times)


def construction_time() -> tuple[float, float]:
    code = (
        "import time, sys; sys.path.insert(0, %r); t0 = time.perf_counter(); import spacy; t1 = time.perf_counter();"
        "from doccheck.nlp.pipeline import get_pipeline; get_pipeline(); t2 = time.perf_counter(); print(t1 - t0, t2 - t1)"
    ) % str(ROOT)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=float, default=4.0)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    pattern = bound_pattern()
    get_pipeline()
    nlp = get_pipeline()
    for label, share in (("typical", 0.25), ("dense", 1.0)):
        docs = documents(args.mb, share, seed=13485)
        size = sum(len(b.text.encode()) for d in docs for b in d.blocks) / 1e6
        tokens = sum(len(doc) for d in docs for doc in nlp.tokenizer.pipe(b.text for b in d.blocks))
        t_bound = best(run_bound, docs, pattern, repeat=args.repeat)
        t_tag = best(run_tagger, docs, repeat=args.repeat)
        n_tags = run_tagger(docs)
        print(f"{label:8} {size:.1f} MB, {tokens:,} tokens, {n_tags:,} tags")
        print(f"   trie re bound   {size / t_bound:6.1f} MB/s")
        print(f"   doccheck tagger {size / t_tag:6.1f} MB/s  {tokens / t_tag / 1e6:5.2f} M tokens/s   ratio {t_tag / t_bound:.2f}x")
    t_import, t_build = construction_time()
    print(f"fresh process: import spacy {t_import:.2f} s, then pipeline construction {t_build:.3f} s")


if __name__ == "__main__":
    main()
