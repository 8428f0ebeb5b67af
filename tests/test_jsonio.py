"""The streamed JSON writer lays JSON out as json.dumps(indent=2) does, and carries any file name."""

from __future__ import annotations

import json
import random

from doccheck.report.jsonio import Items, dumps, stream


def _random_value(rng: random.Random, depth: int = 0):  # noqa: ANN202
    kind = rng.choice(["str", "int", "float", "bool", "none", "list", "dict"] if depth < 3 else ["str", "int", "none"])
    if kind == "str":
        return rng.choice(["", "plain", "é ü ß", "quote \" and \\ slash", "line\nbreak\ttab", "21 CFR 820.30(j)", "\u2028", "</tag>"])
    if kind == "int":
        return rng.randint(-10**6, 10**6)
    if kind == "float":
        return rng.choice([0.5, 1.0, 2.25, 12345.678, -3.5])
    if kind == "bool":
        return rng.random() < 0.5
    if kind == "none":
        return None
    if kind == "list":
        return [_random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {f"k{n}": _random_value(rng, depth + 1) for n in range(rng.randint(0, 3))}


def _itemised(value, rng):  # noqa: ANN001, ANN202
    """The same value with some lists turned into streamed Items (generators)."""
    if isinstance(value, dict):
        return {k: _itemised(v, rng) for k, v in value.items()}
    if isinstance(value, list):
        items = [_itemised(v, rng) for v in value]
        return Items(iter(items)) if rng.random() < 0.5 else items
    return value


def test_streamed_output_is_laid_out_as_json_dumps_lays_it_out():
    rng = random.Random(2016)
    for _ in range(500):
        value = {f"top{n}": _random_value(rng) for n in range(rng.randint(0, 4))}
        expected = json.dumps(value, indent=2, ensure_ascii=False)
        assert dumps(value) == expected
        assert "".join(stream(_itemised(value, rng))) == expected


def test_items_are_consumed_one_at_a_time():
    produced = []

    def documents():  # noqa: ANN202
        for n in range(3):
            produced.append(n)
            yield {"n": n}

    pieces = stream({"documents": Items(documents())})
    seen = []
    for piece in pieces:
        seen.append((piece, len(produced)))
    assert max(count for _, count in seen) == 3
    assert any(count < 3 for _, count in seen[1:])  # the first pieces were written before the last document existed


def test_a_file_name_that_is_not_utf8_is_escaped_and_comes_back():
    name = b"SOP-\xff-caf\xe9.docx".decode("utf-8", "surrogateescape")
    text = "".join(stream({"path": name, "documents": Items([{"path": name}])}))
    text.encode("utf-8")  # valid UTF-8 throughout
    assert "\\udcff" in text and json.loads(text)["documents"][0]["path"].encode("utf-8", "surrogateescape") == b"SOP-\xff-caf\xe9.docx"
