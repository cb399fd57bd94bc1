"""Turning fired rules into findings a QA lead can act on: a message and the sentences behind it."""
from __future__ import annotations

from .compiler import CompiledRules
from .measures import measures
from .model import NEGATIVE_LEVELS, POSITIVE_LEVELS, Assessment, CitedSentence, Finding, Report
from .names import SEVERITIES
from .parser import DESCRIPTORS
from .rulebook import Expectation, Rulebook
from .rulebook.messages import RENAMED_PLACEHOLDERS

MAX_CITED = 5
_ORDER = {"significant": 0, "shortfall": 1, "intention": 2, "strong": 3, "good": 4}
_EXPAND = {"positive": POSITIVE_LEVELS, "negative": NEGATIVE_LEVELS,
           "all": POSITIVE_LEVELS + NEGATIVE_LEVELS}


def cited_levels(exp: Expectation) -> tuple[str, ...]:
    """Which evidence to show: as the rule says, else the levels its positive tests count (the registry
    says which levels each measure counts), else all."""
    registry = measures(exp.scope)
    names = exp.cite
    if not names:
        names = tuple(level for m, test in exp.when.items() if m in registry
                      if not str(test).startswith(("none", "fewer", "less", "at most"))
                      for level in registry[m].cites)
    if not names:
        names = ("all",)
    levels: list[str] = []
    for name in names:
        for level in _EXPAND.get(name, (name,)):
            if level not in levels:
                levels.append(level)
    return tuple(levels)


def _cite(exp: Expectation, report: Report, assessment: Assessment) -> list[CitedSentence]:
    if exp.id.endswith(("label-disagrees", "label-wording")):
        refs = [CitedSentence(report.score_line, f"Score: {report.awarded_score}")]
        if report.label_line:
            refs.append(CitedSentence(report.label_line, f"{report.label_score} - {report.label_text}"))
        return refs
    levels = cited_levels(exp)
    items = [e for e in assessment.evidence
             if e.level in levels and (exp.scope == "report" or e.theme == exp.theme)]
    # The most telling first: for a score above its evidence, the most serious shortfalls.
    items.sort(key=lambda e: (levels.index(e.level) if exp.scope == "report" else 0, _ORDER[e.level], e.line))
    refs: list[CitedSentence] = []
    for e in items:
        ref = CitedSentence(e.line, e.text)
        if ref not in refs:
            refs.append(ref)
        if len(refs) == MAX_CITED:
            break
    return sorted(refs, key=lambda r: r.line) if exp.scope == "theme" else refs


def build_findings(fired: list[tuple[str, int]], facts: list[dict], compiled: CompiledRules,
                   report: Report, assessment: Assessment, rulebook: Rulebook) -> list[Finding]:
    report_fact = next(f for f in facts if f["fid"] == 0)  # the report measures live in fact 0
    findings = []
    for name, _fid in fired:
        exp = compiled.by_name[name]
        cited = _cite(exp, report, assessment)
        theme = rulebook.theme(exp.theme)
        values = {
            "awarded": report.awarded_score, "evidence": assessment.evidence_score,
            "index": f"{assessment.index:.2f}", "label": report.label_score or "?",
            "descriptor": DESCRIPTORS.get(report.label_score or 0, "?"),
            "theme": theme.title if theme else exp.theme,
            "themes_with_significant": report_fact["themes_with_significant"],
            "cited": len(cited),
        }
        # The old {count} meant one or the other by the rule's scope; existing rule files keep working.
        values["count"] = values[RENAMED_PLACEHOLDERS["count"][exp.scope]]
        findings.append(Finding(
            rule=exp.id, theme=exp.theme, severity=exp.severity,
            message=exp.message.format_map(values),
            line=cited[0].line if cited else report.score_line,
            cited=cited,
        ))
    # Most serious first (the order names.SEVERITIES defines), then by line, then by rule id.
    findings.sort(key=lambda f: (SEVERITIES.index(f.severity), f.line or 0, f.rule))
    return findings
