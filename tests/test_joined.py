"""Texts searched as one: a match is credited to every text it overlaps (a separator belongs to the text before it)."""

from doccheck.joined import overlapped, starts_of


def test_a_match_is_credited_to_each_text_it_overlaps():
    texts = ["ab", "", "cde", "f"]
    whole = "\n".join(texts)
    starts = starts_of(map(len, texts))
    assert starts == [0, 3, 4, 8]
    ends = [*starts[1:], len(whole) + 1]  # each text with the separator after it
    for start in range(len(whole)):
        for end in range(start + 1, len(whole) + 1):
            expected = [n for n, (s, e) in enumerate(zip(starts, ends)) if s < end and start < e]
            assert list(overlapped(starts, start, end)) == expected, (start, end)
