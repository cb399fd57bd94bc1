"""``--format junit``: JUnit XML, one test case per report, for CI dashboards that read test results."""
from __future__ import annotations

import xml.etree.ElementTree as ET

from ._common import (clean, count_severity, error_parts, fail_on, line_ref, not_searched, not_searched_line, one_line,
                      plural, report_fails, severity_fails, strict_failure, strict_gaps)

SUITE = "lii-check"


def _finding_line(f: dict) -> str:
    return f"{line_ref(f.get('line'))} {f.get('severity', '')} {one_line(f.get('rule'))}: {one_line(f.get('message'))}"


def _testcase(report: dict, level: str) -> tuple[ET.Element, str | None]:
    """The <testcase> for one report and its outcome: None (passed), "failure" or "error".

    A report fails exactly when it makes the exit code 1 (``--fail-on``), so a CI dashboard that reads
    this file never shows green for a run that failed, or red for one that passed.
    """
    # clean(): XML 1.0 cannot carry most control characters, and ElementTree would write them anyway.
    case = ET.Element("testcase", {"classname": SUITE, "name": clean(report.get("path"))})
    findings = report.get("findings") or []
    if report.get("verdict") == "unreadable":
        line, message = error_parts(report)
        el = ET.SubElement(case, "error", {"message": message, "type": "unreadable"})
        el.text = f"{line_ref(line)} {message}" if line is not None else message  # no "L?" for a whole-file problem
        return case, "error"
    if report_fails(report, level):
        if level == "error":
            message = plural(count_severity(findings, "error"), "error finding")
        else:
            failing = sum(1 for f in findings if severity_fails(f.get("severity"), level))
            message = f"{plural(failing, 'finding')} at or above {level} (--fail-on {level})"
        kind = "inconsistent" if report.get("verdict") == "inconsistent" else "fail-on"
        el = ET.SubElement(case, "failure", {"message": message, "type": kind})
        el.text = "\n".join(_finding_line(f) for f in findings)
        return case, "failure"
    if findings:
        # A report whose findings do not fail the run passes, but the reader should still see what was said.
        out = ET.SubElement(case, "system-out")
        out.text = "\n".join(_finding_line(f) for f in findings)
    return case, None


def _strict_case(doc: dict) -> tuple[ET.Element, str | None] | None:
    """With --strict, one more test case: the corpus exercised every rule and mentioned every theme."""
    if not (doc.get("summary") or {}).get("strict"):
        return None
    case = ET.Element("testcase", {"classname": SUITE, "name": "--strict: every rule exercised, every theme mentioned"})
    rules, themes = strict_gaps(doc)
    if not (rules or themes):
        return case, None
    el = ET.SubElement(case, "failure", {"type": "strict", "message": strict_failure(doc) or ""})
    el.text = "\n".join([f"rule not exercised: {clean(r)}" for r in rules] +
                        [f"theme never mentioned: {clean(t)}" for t in themes])
    return case, "failure"


def _not_searched_cases(doc: dict) -> list[tuple[ET.Element, str | None]]:
    """A skipped test case for each file the run left out (named by its path, as a report's case is), or for the
    sentence itself where it names no file ("2 hidden folder(s) not searched").

    Skipped rather than a <property>: Jenkins, GitLab, Azure DevOps and the GitHub test-report actions count
    and list skipped cases in their summaries, while most of them never show a suite's properties. Skipped
    is not failed, as the table and the exit code do not fail a run for these either."""
    cases = []
    for item in not_searched(doc.get("summary") or {}):
        message = not_searched_line(item)
        for name in item.paths or (message,):
            case = ET.Element("testcase", {"classname": SUITE, "name": clean(name)})
            ET.SubElement(case, "skipped", {"message": message})
            cases.append((case, "skipped"))
    return cases


def render(doc: dict) -> str:
    level = fail_on(doc)
    cases = [_testcase(r, level) for r in doc.get("reports") or []]
    strict = _strict_case(doc)
    if strict is not None:
        cases.append(strict)
    cases += _not_searched_cases(doc)
    counts = {
        "tests": str(len(cases)),
        "failures": str(sum(1 for _, o in cases if o == "failure")),
        "errors": str(sum(1 for _, o in cases if o == "error")),
        "skipped": str(sum(1 for _, o in cases if o == "skipped")),
    }
    # No timestamp/hostname/time attributes: output must be byte-identical run to run.
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    suite = ET.SubElement(root, "testsuite", {"name": SUITE, **counts})
    suite.extend(case for case, _ in cases)
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
