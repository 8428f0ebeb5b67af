"""One place that knows every output format: ``render(fmt, report, ...)``."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from doccheck.results import Report

FORMATS = ("text", "json", "sarif", "junit", "github", "csv", "html")


def chunks(fmt: str, report: Report, rules: list[Any], fail_on: str, color: bool = False, show_info: bool = True) -> Iterator[str]:
    """The output in pieces: JSON and SARIF stream one document or result at a time."""
    if fmt == "json":
        from doccheck.report.json import chunks as json_chunks

        return json_chunks(report)
    if fmt == "sarif":
        from doccheck.report.sarif import chunks as sarif_chunks

        return sarif_chunks(report, rules)
    return iter([render(fmt, report, rules, fail_on, color, show_info)])


def render(fmt: str, report: Report, rules: list[Any], fail_on: str, color: bool = False, show_info: bool = True) -> str:
    """``show_info``: the text format lists information findings too (every other format carries them all)."""
    if fmt == "json":
        from doccheck.report.json import render as json_render

        return json_render(report)
    if fmt == "sarif":
        from doccheck.report.sarif import render as sarif_render

        return sarif_render(report, rules)
    if fmt == "junit":
        from doccheck.report.junit import render as junit_render

        return junit_render(report, fail_on)
    if fmt == "github":
        from doccheck.report.github import render as github_render

        return github_render(report)
    if fmt == "html":
        from doccheck.report.html import render as html_render

        return html_render(report)
    if fmt == "csv":
        from doccheck.report.csv import render as csv_render

        return csv_render(report)
    from doccheck.report.text import render as text_render

    return text_render(report, color=color, show_info=show_info)
