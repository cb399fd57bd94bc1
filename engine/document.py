"""The result document: what `--format json` prints and every other format renders from.

Versioned by SCHEMA_VERSION; the README documents each field. Keys are emitted in a fixed order
and numbers rounded, so the same corpus and rules always give byte-identical output.
"""
from __future__ import annotations

from . import __version__
from .model import SEVERITIES, ReportResult
from .rulebook import Rulebook

SCHEMA_VERSION = 1
FAIL_ON = ("error", "warning", "info", "never")


def finding_dict(f) -> dict:
    return {
        "rule": f.rule, "theme": f.theme, "severity": f.severity, "message": f.message, "line": f.line,
        "evidence": [{"line": e.line, "text": e.text} for e in f.evidence],
    }


def report_dict(r: ReportResult) -> dict:
    a, rep = r.assessment, r.report
    return {
        "path": r.path,
        "quality_statement": rep.title if rep else None,
        "awarded_score": rep.awarded_score if rep else None,
        "evidence_score": a.evidence_score if a else None,
        "evidence_index": round(a.index, 2) if a else None,
        "verdict": r.verdict,
        "error": {"line": r.error[0], "message": r.error[1]} if r.error else None,
        "findings": [finding_dict(f) for f in r.findings],
        # suppressed_by says which mechanism silenced it ("inline" comment or "baseline"): SARIF
        # reports the two differently (inSource / external).
        "suppressed": [{**finding_dict(f), "suppressed_by": f.suppressed_by} for f in r.suppressed],
    }


def fails(r: ReportResult, fail_on: str) -> bool:
    """Does this report make the run fail? Unreadable always does; otherwise by severity."""
    if r.error is not None:
        return True
    if fail_on == "never":
        return False
    worst = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) <= worst for f in r.findings)


def rules_not_exercised(results: list[ReportResult], rulebook: Rulebook) -> list[str]:
    """Expectations no readable report could have fired: none awards a score the rule applies to
    (and, for a theme rule, also mentions its theme).

    This, not "never fired", is what --strict fails on: on a healthy corpus the discrepancy rules
    rightly never fire, but a rule no report even reached was never tested by this corpus.
    """
    readable = [r for r in results if r.report is not None and r.assessment is not None]
    missing = []
    for e in rulebook.expectations():
        reached = False
        for r in readable:
            if r.report.awarded_score not in e.applies_to:
                continue
            facts = r.assessment.themes.get(e.theme) if e.scope == "theme" else None
            if e.scope != "theme" or (facts is not None and facts.mentions):
                reached = True
                break
        if not reached:
            missing.append(e.id)
    return sorted(missing)


def build_document(results: list[ReportResult], rulebook: Rulebook, *, engine: str,
                   fail_on: str = "error", strict: bool = False) -> dict:
    fired = {f.rule for r in results for f in r.findings + r.suppressed}
    never = sorted(e.id for e in rulebook.expectations() if e.id not in fired)
    themes_seen = {t for r in results if r.assessment for t, f in r.assessment.themes.items() if f.mentions}
    absent = sorted(t.id for t in rulebook.themes if t.id not in themes_seen)
    not_exercised = rules_not_exercised(results, rulebook)
    failing = any(fails(r, fail_on) for r in results)
    if strict and (not_exercised or absent):
        failing = True
    counts = {s: sum(1 for r in results for f in r.findings if f.severity == s) for s in SEVERITIES}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lii-check", "version": __version__},
        "rulebook": {"path": rulebook.path, "framework": rulebook.framework},
        "engine": engine,
        "reports": [report_dict(r) for r in results],
        "summary": {
            "reports": len(results),
            "consistent": sum(1 for r in results if r.verdict == "consistent"),
            "inconsistent": sum(1 for r in results if r.verdict == "inconsistent"),
            "unreadable": sum(1 for r in results if r.verdict == "unreadable"),
            "findings": counts,
            "rules_never_fired": never,
            "rules_not_exercised": not_exercised,
            "themes_never_mentioned": absent,
            "fail_on": fail_on,
            "strict": strict,
            "exit_code": 1 if failing else 0,
        },
    }


def rules_meta(rulebook: Rulebook) -> list[dict]:
    return [
        {"id": e.id, "theme": e.theme, "severity": e.severity, "description": e.description,
         "framework": e.framework}
        for e in rulebook.expectations()
    ]
