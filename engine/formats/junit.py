"""``--format junit``: JUnit XML, one test case per report, for CI dashboards that read test results."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ._common import clean, count_severity, error_parts, line_ref, one_line, plural

SUITE = "lii-check"


def _finding_line(f: dict) -> str:
    return f"{line_ref(f.get('line'))} {f.get('severity', '')} {one_line(f.get('rule'))}: {one_line(f.get('message'))}"


def _testcase(report: dict) -> tuple[ET.Element, str | None]:
    """The <testcase> for one report and its outcome: None (passed), "failure" or "error"."""
    # clean(): XML 1.0 cannot carry most control characters, and ElementTree would write them anyway.
    case = ET.Element("testcase", {"classname": SUITE, "name": clean(report.get("path"))})
    findings = report.get("findings") or []
    verdict = report.get("verdict")
    if verdict == "unreadable":
        line, message = error_parts(report)
        el = ET.SubElement(case, "error", {"message": message, "type": "unreadable"})
        el.text = f"{line_ref(line)} {message}"
        return case, "error"
    if verdict == "inconsistent":
        n = count_severity(findings, "error")
        el = ET.SubElement(case, "failure", {"message": plural(n, "error finding"), "type": "inconsistent"})
        el.text = "\n".join(_finding_line(f) for f in findings)
        return case, "failure"
    if findings:
        # A report with only warnings/infos passes, but the reader should still see what was said.
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_finding_line(f) for f in findings)
    return case, None


def render(doc: dict) -> str:
    cases = [_testcase(r) for r in doc.get("reports") or []]
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for _, o in cases if o == "failure")),
        "errors": str(sum(1 for _, o in cases if o == "error")),
    }
    # No timestamp/hostname/time attributes: output must be byte-identical run to run.
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts, "skipped": "0"})
    suite.extend(case for case, _ in cases)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
