"""The corpora are sound, and each kind of malformation is caught."""

from __future__ import annotations

import copy
from collections.abc import Callable

import pytest

from doccheck.nlp.corpus_check import check
from doccheck.resources import data_dir
from doccheck.yamlpos import load

NAMES = ("part820", "crosswalk", "iso13485", "terms", "standards")


@pytest.fixture(scope="module")
def corpora() -> dict:
    # yamlpos.load also refuses duplicate keys (a clause listed twice would pass plain PyYAML)
    return {name: load(data_dir("corpora") / f"{name}.yaml") for name in NAMES}


def test_shipped_corpora_are_consistent(corpora):
    assert check(corpora) == []


def test_crosswalk_covers_every_qsr_section(corpora):
    rows = {c for row in corpora["crosswalk"]["rows"] for c in row["cite"]}
    assert set(corpora["part820"]["qsr"]["sections"]) <= rows


def _first(data: dict, key: str) -> dict:
    return data[key][0]


MALFORMATIONS: dict[str, tuple[Callable[[dict], None], str]] = {
    "duplicate crosswalk cite": (lambda c: c["crosswalk"]["rows"].append(copy.deepcopy(c["crosswalk"]["rows"][0])), "has more than one row"),
    "crosswalk to a missing ISO clause": (lambda c: c["crosswalk"]["rows"][0]["iso"].append("4.2.6"), "4.2.6, which does not exist"),
    "crosswalk from a non-QSR cite": (lambda c: c["crosswalk"]["rows"][0]["cite"].append("820.15"), "820.15 is not a QSR section"),
    "crosswalk from a missing paragraph": (lambda c: c["crosswalk"]["rows"][0]["cite"].append("820.30(k)"), "820.30(k) is not a QSR"),
    "crosswalk to a non-QMSR section": (lambda c: c["crosswalk"]["rows"][0]["qmsr"].append("820.30"), "820.30, which is not a QMSR section"),
    "bad confidence grade": (lambda c: c["crosswalk"]["rows"][0].update(confidence="high"), "has confidence 'high'"),
    "QSR section without a row": (lambda c: c["crosswalk"]["rows"].pop(0), "820.1 has no section-level row"),
    "820.15 invented": (lambda c: c["part820"]["qmsr"]["sections"].update({"820.15": {"title": "x", "subpart": "A", "paragraphs": []}}), "no 820.15"),
    "renumbering to a missing clause": (lambda c: c["iso13485"]["renumbering_2003_to_2016"].update({"4.2.3": ["4.2.9"]}), "4.2.9 is not a 2016 clause"),
    "orphan clause": (lambda c: c["iso13485"]["editions"]["2016"]["clauses"].update({"9.1.1": "x"}), "has no parent 9.1"),
    "term both retired and current": (lambda c: c["terms"]["current"].append("device master record"), "both retired and current"),
    "form in two terms": (lambda c: c["terms"]["retired"][1]["forms"].append("design history file"), "belongs to two retired terms"),
    "abbreviation in two terms": (lambda c: c["terms"]["retired"][1]["abbreviations"].append("DHF"), "DHF belongs to two terms"),
    "ambiguous abbreviation to unknown term": (lambda c: c["terms"]["ambiguous_abbreviations"]["QSR"].update({"nope": []}), "unknown term nope"),
    "term with a dot": (lambda c: c["terms"]["retired"][0]["forms"].append("d.m.r."), "'d.m.r.' holds a dot"),
    "replacement that is itself retired": (lambda c: c["terms"]["retired"][0].update(replacement="device master record"), "replaced by a retired term"),
    "standard both current and superseded": (lambda c: c["standards"]["standards"][0]["superseded"].update({"2016": "H"}), "both current and superseded"),
    "superseded directive without replacement": (lambda c: c["standards"]["directives"][0].update(replacement=None), "names no replacement"),
}


@pytest.mark.parametrize("name", sorted(MALFORMATIONS))
def test_each_malformation_is_caught(corpora, name):
    mutate, expected = MALFORMATIONS[name]
    broken = copy.deepcopy(corpora)
    mutate(broken)
    problems = check(broken)
    assert any(expected in p for p in problems), problems


def test_duplicate_yaml_keys_are_refused(tmp_path):
    from doccheck.yamlpos import YamlError

    path = tmp_path / "iso13485.yaml"
    path.write_text('editions:\n  "2016":\n    clauses:\n      "4.2.4": Control of documents\n      "4.2.4": Again\n', encoding="utf-8")
    with pytest.raises(YamlError) as exc:
        load(path)
    assert f"{path}:5:7: duplicate key '4.2.4'" in str(exc.value)
