"""The pipeline: find report files, read them, weigh their evidence, fire the rules, collect findings."""
from __future__ import annotations

from collections.abc import Callable

from .compiler import compile_rulebook, report_facts
from .discovery import REPORT_SUFFIXES, NoReports, ReportFile, discover  # noqa: F401 - re-exported
from .evidence import find_evidence
from .findings import build_findings
from .inference import fire
from .model import Assessment, Finding, Report, ReportResult
from .parser import DEFAULT_MAX_BYTES, ReportError, read_report
from .rulebook import Rulebook
from .scoring import assess

def analyse(report: Report, rulebook: Rulebook) -> Assessment:
    return assess(find_evidence(report, rulebook), rulebook)


def check_reports(reports: list[Report], rulebook: Rulebook, engine: str = "auto",
                  progress: Callable[[], None] | None = None) -> tuple[list[ReportResult], str]:
    """Assess parsed reports and fire the compiled expectations over all of them in one engine run."""
    compiled = compile_rulebook(rulebook)
    assessments = []
    for report in reports:
        assessments.append(analyse(report, rulebook))
        if progress:
            progress()
    batches = [report_facts(r, a, rulebook) for r, a in zip(reports, assessments)]
    fired, used = fire(compiled.ruleset, batches, engine)
    results = []
    for report, assessment, facts, pairs in zip(reports, assessments, batches, fired):
        findings = build_findings(pairs, facts, compiled, report, assessment, rulebook)
        results.append(apply_suppressions(ReportResult(report.path, report, assessment, findings)))
    return results, used


def apply_suppressions(result: ReportResult) -> ReportResult:
    """Honour `<!-- lii-check-disable RULE: reason -->` comments in the report."""
    report = result.report
    if report is None or not report.suppressions:
        return result
    kept: list[Finding] = []
    used: set[int] = set()
    for finding in result.findings:
        match = next((i for i, (_, rule, _) in enumerate(report.suppressions) if rule == finding.rule), None)
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
            result.suppressed.append(finding)
    for i, (line, rule, reason) in enumerate(report.suppressions):
        if not reason:
            kept.append(Finding("lii-check.suppression-without-reason", "consistency", "warning",
                                f"The suppression of '{rule}' gives no reason: write it as "
                                f"<!-- lii-check-disable {rule}: why this is accepted -->.", line))
        if i not in used:
            kept.append(Finding("lii-check.unused-suppression", "consistency", "warning",
                                f"The suppression of '{rule}' suppresses nothing: the rule did not fire on "
                                "this report (or no such rule exists). Remove the comment.", line))
    result.findings = kept
    return result


def check_files(files: list[ReportFile], rulebook: Rulebook, engine: str = "auto",
                progress: Callable[[], None] | None = None,
                max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[list[ReportResult], str]:
    readable: list[Report] = []
    failed: dict[str, ReportResult] = {}
    for item in files:
        try:
            readable.append(read_report(item.path, item.display, max_bytes))
        except ReportError as exc:
            failed[item.display] = ReportResult(item.display, None, None, [], error=(exc.line, exc.message))
    checked, used = check_reports(readable, rulebook, engine, progress) if readable else ([], "none")
    by_path = {r.path: r for r in checked}
    by_path.update(failed)
    return [by_path[item.display] for item in files], used
