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
        "suppressed": [finding_dict(f) for f in r.suppressed],
    }


def fails(r: ReportResult, fail_on: str) -> bool:
    """Does this report make the run fail? Unreadable always does; otherwise by severity."""
    if r.error is not None:
        return True
    if fail_on == "never":
        return False
    worst = SEVERITIES.index(fail_on)
    return any(SEVERITIES.index(f.severity) <= worst for f in r.findings)


def build_document(results: list[ReportResult], rulebook: Rulebook, *, engine: str,
                   fail_on: str = "error", strict: bool = False) -> dict:
    fired = {f.rule for r in results for f in r.findings + r.suppressed}
    never = sorted(e.id for e in rulebook.expectations() if e.id not in fired)
    themes_seen = {t for r in results if r.assessment for t, f in r.assessment.themes.items() if f.mentions}
    absent = sorted(t.id for t in rulebook.themes if t.id not in themes_seen)
    failing = any(fails(r, fail_on) for r in results)
    if strict and (never or absent):
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
