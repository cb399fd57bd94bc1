"""Compiling the rulebook's expectations into a durable_rules JSON ruleset, and a report into facts.

The ruleset is plain data in durable_rules' own JSON format (one rule per expectation, one
condition named "m" over one fact), so the same structure can be handed to durable_rules and to
the pure-Python evaluator, and the two can be checked against each other.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .evidence import GENERAL
from .model import Assessment, Report
from .parser import DESCRIPTORS
from .rulebook import Expectation, Rulebook

_COUNT = re.compile(r"^(none|any|at least|more than|fewer than|less than|at most|exactly)\s*([0-9.]+)?$")
_BETWEEN = re.compile(r"^between ([0-9.]+) and ([0-9.]+)$")
_OPS = {"at least": "$gte", "more than": "$gt", "fewer than": "$lt", "less than": "$lt", "at most": "$lte"}


@dataclass
class CompiledRules:
    ruleset: dict[str, dict]  # durable_rules JSON: rule name -> {"all": [{"m": {...}}]}
    by_name: dict[str, Expectation]


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() else value


def measure_conditions(measure: str, test: object) -> list[dict]:
    """One 'measure: test' line of a rule file as durable_rules conditions (all must hold)."""
    if isinstance(test, bool):
        return [{measure: 1 if test else 0}]
    text = str(test).strip()
    m = _BETWEEN.match(text)
    if m:
        return [{"$gt": {measure: _number(m.group(1))}}, {"$lte": {measure: _number(m.group(2))}}]
    m = _COUNT.match(text)
    if not m:
        raise ValueError(f"cannot read the test '{text}' for '{measure}'")
    word, value = m.group(1), m.group(2)
    if word == "none":
        return [{"$lt": {measure: 1}}]
    if word == "any":
        return [{"$gte": {measure: 1}}]
    if word == "exactly":
        return [{measure: _number(value)}]
    return [{_OPS[word]: {measure: _number(value)}}]


def _applies(scores: tuple[int, ...]) -> list[dict]:
    if set(scores) == {1, 2, 3, 4}:
        return []
    lo, hi = min(scores), max(scores)
    if list(scores) == list(range(lo, hi + 1)):
        return [{"awarded": lo}] if lo == hi else [{"$gte": {"awarded": lo}}, {"$lte": {"awarded": hi}}]
    return [{"$or": [{"awarded": s} for s in scores]}]


def compile_expectation(exp: Expectation) -> dict:
    conds: list[dict] = [{"kind": exp.scope}]
    if exp.scope == "theme":
        conds.append({"theme": exp.theme})
    conds += _applies(exp.applies_to)
    for measure, test in sorted(exp.when.items()):
        if measure == "theme_score":
            conds.append({"$gte": {"graded": 1}})  # a theme with no graded evidence has no score to test
        conds += measure_conditions(measure, test)
    return {"all": [{"m": {"$and": conds}}]}


def compile_rulebook(rulebook: Rulebook) -> CompiledRules:
    ruleset, by_name = {}, {}
    for n, exp in enumerate(rulebook.expectations()):
        name = f"r{n:04d}"
        ruleset[name] = compile_expectation(exp)
        by_name[name] = exp
    return CompiledRules(ruleset=ruleset, by_name=by_name)


def report_facts(report: Report, assessment: Assessment, rulebook: Rulebook) -> list[dict]:
    """The facts one report contributes: one for the report, one per theme (fid = position)."""
    awarded = report.awarded_score
    themes = [t.id for t in rulebook.themes]
    label = report.label_score or 0
    label_wording_wrong = 0
    if report.label_score in DESCRIPTORS and report.label_text:
        label_wording_wrong = int(DESCRIPTORS[report.label_score] not in report.label_text.lower())
    facts = [{
        "fid": 0, "kind": "report", "awarded": awarded, "evidence": assessment.evidence_score,
        "index": assessment.index,
        "above_evidence_by": round(awarded - assessment.index, 2),
        "below_evidence_by": round(assessment.index - awarded, 2),
        "label": label, "label_disagrees": int(label != 0 and label != awarded),
        "label_wording_wrong": label_wording_wrong,
        "significant": sum(f.counts["significant"] for f in assessment.themes.values()),
        "themes_with_significant": sum(1 for t in themes if assessment.themes[t].counts["significant"]),
        "themes_with_strong": sum(1 for t in themes if assessment.themes[t].counts["strong"]),
        "themes_covered": sum(1 for t in themes if assessment.themes[t].mentions),
    }]
    for fid, theme in enumerate(themes, start=1):
        f = assessment.themes[theme]
        c = f.counts
        facts.append({
            "fid": fid, "kind": "theme", "theme": theme, "awarded": awarded,
            "evidence": assessment.evidence_score,
            "strong": c["strong"], "good": c["good"], "intention": c["intention"],
            "shortfall": c["shortfall"], "significant": c["significant"],
            "positive": c["strong"] + c["good"],
            "negative": c["intention"] + c["shortfall"] + c["significant"],
            "graded": sum(c.values()), "mentions": f.mentions, "impact": f.impact,
            "theme_score": f.score if f.score is not None else -1,
        })
    return facts


def fact_theme(fact: dict) -> str:
    return fact.get("theme", GENERAL) if fact["kind"] == "theme" else "consistency"
