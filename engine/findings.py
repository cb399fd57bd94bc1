"""Turning fired rules into findings a QA lead can act on: a message and the sentences behind it."""
from __future__ import annotations

from .compiler import CompiledRules
from .measures import measures
from .model import Assessment, CitedSentence, Finding, Report
from .names import MOST_SERIOUS_FIRST, NEGATIVE_LEVELS, POSITIVE_LEVELS, SEVERITIES
from .parser import DESCRIPTORS
from .rulebook import Expectation, Rulebook
from .rulebook.messages import RENAMED_PLACEHOLDERS

MAX_CITED = 5
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
    # The reading lists evidence in the order of the text; that position orders sentences on one line.
    items = [(at, e) for at, e in enumerate(assessment.evidence)
             if e.level in levels and (exp.scope == "report" or e.theme == exp.theme)]
    # The most telling are kept (for a score above its evidence, the most serious shortfalls, never the
    # mildest intentions first), then shown in the order the report has them.
    items.sort(key=lambda item: (MOST_SERIOUS_FIRST.index(item[1].level), item[1].line, item[0]))
    kept: dict[CitedSentence, int] = {}
    for at, e in items:
        kept.setdefault(CitedSentence(e.line, e.text), at)
        if len(kept) == MAX_CITED:
            break
    return sorted(kept, key=lambda ref: (ref.line, kept[ref]))


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
