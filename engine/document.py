"""The result document: what `--format json` prints and every other format renders from.

Versioned by SCHEMA_VERSION; the README documents each field. Keys are emitted in a fixed order
and numbers rounded, so the same corpus and rules always give byte-identical output.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from . import __version__
from .model import Finding, ReportResult
from .names import SEVERITIES, severity_fails
from .rulebook import Rulebook

SCHEMA_VERSION = 1


def finding_dict(f: Finding) -> dict:
    # "evidence" in the document (schema_version 1) is what the Python side calls Finding.cited.
    return {
        "rule": f.rule, "theme": f.theme, "severity": f.severity, "message": f.message, "line": f.line,
        "evidence": [{"line": c.line, "text": c.text} for c in f.cited],
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
    return r.error is not None or any(severity_fails(f.severity, fail_on) for f in r.findings)


@dataclass
class Tally:
    """What the summary needs, counted report by report, so a run can stream its reports and still
    say at the end which rules never fired, which were never exercised and which themes were silent."""

    fail_on: str = "error"
    reports: int = 0
    verdicts: dict[str, int] = field(default_factory=lambda: {"consistent": 0, "inconsistent": 0, "unreadable": 0})
    findings: dict[str, int] = field(default_factory=lambda: {s: 0 for s in SEVERITIES})
    fired: set[str] = field(default_factory=set)
    themes_seen: set[str] = field(default_factory=set)
    awarded_seen: set[int] = field(default_factory=set)
    awarded_theme_seen: set[tuple[int, str]] = field(default_factory=set)
    failing: bool = False

    def add(self, result: ReportResult) -> None:
        self.reports += 1
        self.verdicts[result.verdict] += 1
        for f in result.findings:
            self.findings[f.severity] += 1
        self.fired.update(f.rule for f in result.findings + result.suppressed)
        if result.report is not None and result.assessment is not None:
            awarded = result.report.awarded_score
            mentioned = [t for t, facts in result.assessment.themes.items() if facts.mentions]
            self.themes_seen.update(mentioned)
            self.awarded_seen.add(awarded)
            self.awarded_theme_seen.update((awarded, t) for t in mentioned)
        self.failing = self.failing or fails(result, self.fail_on)

    def not_exercised(self, rulebook: Rulebook) -> list[str]:
        """Expectations no readable report could have fired: none awards a score the rule applies to
        (and, for a theme rule, also mentions its theme).

        This, not "never fired", is what --strict fails on: on a healthy corpus the discrepancy rules
        rightly never fire, but a rule no report even reached was never tested by this corpus.
        """
        missing = []
        for e in rulebook.expectations():
            if e.scope == "theme":
                reached = any((score, e.theme) in self.awarded_theme_seen for score in e.applies_to)
            else:
                reached = any(score in self.awarded_seen for score in e.applies_to)
            if not reached:
                missing.append(e.id)
        return sorted(missing)

    def summary(self, rulebook: Rulebook, strict: bool, not_searched: list[str] | tuple = ()) -> dict:
        never = sorted(e.id for e in rulebook.expectations() if e.id not in self.fired)
        absent = sorted(t.id for t in rulebook.themes if t.id not in self.themes_seen)
        not_exercised = self.not_exercised(rulebook)
        failing = self.failing or (strict and bool(not_exercised or absent))
        return {
            "reports": self.reports,
            "consistent": self.verdicts["consistent"],
            "inconsistent": self.verdicts["inconsistent"],
            "unreadable": self.verdicts["unreadable"],
            "findings": dict(self.findings),
            "rules_never_fired": never,
            "rules_not_exercised": not_exercised,
            "themes_never_mentioned": absent,
            "not_searched": list(not_searched),
            "fail_on": self.fail_on,
            "strict": strict,
            "exit_code": 1 if failing else 0,
        }


def header(rulebook: Rulebook, engine: str) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lii-check", "version": __version__},
        "rulebook": {"path": rulebook.path, "framework": rulebook.framework},
        "engine": engine,
    }


def rules_meta(rulebook: Rulebook) -> list[dict]:
    """Every rule a finding can name: the rulebook's expectations, then lii-check's own (builtin_rules.py)."""
    from .builtin_rules import builtin_meta
    from .rule_docs import rule_help

    meta = [
        {"id": e.id, "theme": e.theme, "severity": e.severity, "description": e.description,
         "framework": e.framework}
        for e in rulebook.expectations()
    ] + builtin_meta(rulebook)
    # The rule pages' text, for SARIF viewers (fullDescription, help) and `rules list --format json`.
    helps = rule_help(rulebook)
    for m in meta:
        h = helps.get(m["id"])
        if h is not None:
            m["help"] = {"full_description": h.full_description, "text": h.text, "markdown": h.markdown}
    return meta
