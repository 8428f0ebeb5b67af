"""Block text and its map back to the source stay exact through normalisation."""

import pytest

from doccheck.extract.textbuild import TextBuilder, normalize
from doccheck.model import Block


def _block(builder: TextBuilder) -> Block:
    text, segments = builder.build()
    return Block(0, "body", text, segments)


def test_ascii_pieces_map_one_to_one():
    b = TextBuilder()
    b.add("per 21 CFR", key=3, src=10)
    b.add_synthetic(" ")
    b.add("820.30(j)", key=4, src=0)
    block = _block(b)
    assert block.text == "per 21 CFR 820.30(j)"
    start = block.text.index("820")
    assert block.source_at(start) == (4, 0)
    assert [(p.key, p.start, p.end) for p in block.source_pieces(4, len(block.text))] == [(3, 14, 20), (4, 0, 9)]


def test_ligature_expands_but_maps_to_its_one_source_char():
    b = TextBuilder()
    b.add("con\ufb01rms", key=1, src=100)
    block = _block(b)
    assert block.text == "confirms"
    assert block.source_at(3) == (1, 103) and block.source_at(4) == (1, 103)
    assert block.source_at(5) == (1, 104)
    pieces = block.source_pieces(0, len(block.text))
    assert (pieces[0].start, pieces[-1].end) == (100, 107)


def test_dropping_a_line_end_hyphen_keeps_the_following_offsets():
    b = TextBuilder()
    b.add("Design His-", key=1, src=0)
    b.drop_last_char()
    b.add("tory File", key=1, src=13)
    block = _block(b)
    assert block.text == "Design History File"
    assert block.source_at(block.text.index("tory")) == (1, 13)
    assert block.source_at(block.text.index("His")) == (1, 7)


def test_normalize_handles_nbsp_soft_hyphen_and_pdfium_hyphen_marker():
    assert normalize("21\u00a0CFR") == "21 CFR"
    assert normalize("docu\u00adment") == "document"
    assert normalize("His\ufffetory") == "History"
    assert normalize("Doc ID: QP\ufffe0017") == "Doc ID: QP-0017"  # a real hyphen at the line end of a narrow cell
    assert normalize("\uff11\uff13\uff14\uff18\uff15") == "13485"


def test_normalize_skips_only_the_steps_that_would_change_nothing():
    """It translates and NFKC-normalises only when needed: the result is always the two steps' result."""
    import random
    import unicodedata

    from doccheck.extract.textbuild import _TRANSLATE

    pool = ["a", "Q", " ", "8", "\u2019", "\u201c", "\u2013", "\u00e9", "e\u0301", "\ufb01", "\uff11", "\u00a0", "\u2011",
            "\u00ad", "\u200b", "\ufeff", "\u2007", "\u00b2", "\u2122", "\u00bd"]
    rng = random.Random(13485)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(1, 12)))
        assert normalize(text) == unicodedata.normalize("NFKC", text.translate(_TRANSLATE)), repr(text)


def test_a_block_is_built_from_exactly_its_fields_in_order_with_their_defaults():
    """Block writes its own __init__ (speed): it must take the dataclass fields, no more, no fewer, and stay frozen."""
    import dataclasses
    import inspect
    import pickle

    params = list(inspect.signature(Block.__init__).parameters.values())[1:]
    fields = dataclasses.fields(Block)
    assert [p.name for p in params] == [f.name for f in fields]
    assert [p.default for p in params] == [inspect.Parameter.empty if f.default is dataclasses.MISSING else f.default for f in fields]
    values = {f.name: f"value of {f.name}" for f in fields}
    block = Block(**values)
    assert dataclasses.asdict(block) == values and pickle.loads(pickle.dumps(block)) == block
    assert dataclasses.replace(block, text="other").text == "other" and hash(block) == hash(Block(**values))
    with pytest.raises(dataclasses.FrozenInstanceError):
        block.text = "changed"  # type: ignore[misc]
