"""The labelled real-document corpus (../shared/realdocs, beside the clone in CI): recognition and profile floors.

The figures come from bench/accuracy.py (the corpus' own score.py matching rules). A class of
documents that regresses shows here first; `python bench/accuracy.py --verbose` lists what moved.
"""

from __future__ import annotations

import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "bench"))

import accuracy  # noqa: E402

CORPUS = accuracy.DEFAULT_CORPUS


@pytest.fixture(scope="module")
def result():
    assert (CORPUS / "labels.yaml").is_file(), f"the labelled corpus must be beside the clone: {CORPUS}"
    return accuracy.measure(CORPUS)


def _why(result) -> str:
    return "\n".join(result["problems"][:40])


def test_recognition_overall(result):
    overall = result["overall"]
    assert overall["recall"] >= 0.98 and overall["precision"] >= 0.98, (overall, _why(result))


@pytest.mark.parametrize("fmt", ["docx", "md", "pdf"])
def test_recognition_in_each_format(result, fmt):
    figures = result["by_format"][fmt]
    assert figures["labels"] > 0, fmt
    assert figures["recall"] >= 0.95 and figures["precision"] >= 0.95, (fmt, figures, _why(result))


@pytest.mark.parametrize("field", ["document_number", "revision", "effective_date"])
def test_identity_as_printed(result, field):
    """Number, revision and effective date exactly right on the documents that show them."""
    figures = result["metadata"][field]
    assert figures["of"] > 0 and figures["share"] >= 0.95, (field, figures, _why(result))


def test_approval_roles_and_external_documents(result):
    """Approval exactly where the labels say (no invented one), every role right, no document control on external documents."""
    metadata = result["metadata"]
    assert metadata["has_approval"]["right"] == metadata["has_approval"]["of"], _why(result)
    assert metadata["role"]["right"] == metadata["role"]["of"], _why(result)
    assert result["document_control_on_external"] == 0, _why(result)
