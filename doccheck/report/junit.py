"""``--format junit``: one test case per document; findings at or above the threshold fail it."""

from __future__ import annotations

from lxml import etree

from doccheck.finding import Severity
from doccheck.report import safe
from doccheck.report.text import line
from doccheck.results import Report


def render(report: Report, fail_on: str = "error") -> str:
    threshold = None if fail_on == "never" else Severity.parse(fail_on)
    suite = etree.Element("testsuite", name="doccheck", time=f"{report.elapsed:.3f}")
    failures = errors = 0
    for result in report.documents:
        doc = result.document
        case = etree.SubElement(suite, "testcase", classname=f"doccheck.{doc.format}", name=safe.xml(safe.name(doc.path)), time=f"{result.seconds:.3f}")
        failing = [f for f in result.findings if threshold is not None and f.severity >= threshold]
        if not doc.readable:
            errors += 1
            problem = doc.problems[0]
            etree.SubElement(case, "error", message=safe.xml(problem.message), type=problem.reason).text = safe.xml("\n".join(line(f) for f in result.findings))
        elif failing:
            failures += 1
            element = etree.SubElement(case, "failure", message=f"{len(failing)} finding(s) at or above {fail_on}", type="doccheck")
            element.text = safe.xml("\n".join(line(f) for f in failing))
        others = [f for f in result.findings if f not in failing]
        if others and doc.readable:
            etree.SubElement(case, "system-out").text = safe.xml("\n".join(line(f) for f in others))
    if report.findings:
        case = etree.SubElement(suite, "testcase", classname="doccheck.set", name="document set")
        etree.SubElement(case, "failure", message=f"{len(report.findings)} set-level finding(s)").text = safe.xml("\n".join(line(f) for f in report.findings))
        failures += 1
    suite.set("tests", str(len(suite)))  # every test case, the document-set one too
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suites = etree.Element("testsuites")
    suites.append(suite)
    return etree.tostring(suites, pretty_print=True, xml_declaration=True, encoding="UTF-8").decode()
