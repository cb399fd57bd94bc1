"""Compiling the rulebook's expectations into a durable_rules JSON ruleset, and a report into facts.

The ruleset is plain data in durable_rules' own JSON format (one rule per expectation, one
condition named "m" over one fact), so the same structure can be handed to durable_rules and to
the pure-Python evaluator, and the two can be checked against each other.

A report is ONE flat fact: the report measures by name and every theme's measures as
`<theme>__<measure>` (see measures.py). durable_rules' cost grows with the number of facts, not their
width, so one fact per report is what keeps it cheap. Only past the core's field cap (a rulebook with
more than ~22 themes) is a report's fact split, by whole themes, so each rule still sees all it tests.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .inference_durable import MAX_FACT_FIELDS
from .measures import TYPES, ReportInputs, field_name, measures, report_values, theme_values
from .model import Assessment, Report
from .rulebook import Expectation, Rulebook

_COUNT = re.compile(r"^(none|any|at least|more than|fewer than|less than|at most|exactly)\s*([0-9.]+)?$")
_BETWEEN = re.compile(r"^between ([0-9.]+) and ([0-9.]+)$")
_OPS = {"at least": "$gte", "more than": "$gt", "fewer than": "$lt", "less than": "$lt", "at most": "$lte"}


class CompileError(ValueError):
    """An expectation the engine could not evaluate as written: located, phrased as a fix.
    (file, line, message) map onto a rulebook RuleProblem."""

    def __init__(self, file: str, line: int, message: str):
        super().__init__(f"{file}:{line}: {message}")
        self.file, self.line, self.message = file, line, message


@dataclass
class CompiledRules:
    ruleset: dict[str, dict]  # durable_rules JSON: rule name -> {"all": [{"m": {...}}]}
    by_name: dict[str, Expectation]


# No measure comes near this (counts of clauses, scores of 1 to 4, an index, shares); a test beyond it is a typo,
# and durable_rules' core cannot hold a number past 2**63.
_LARGEST = 10**9


def _number(text: str) -> int | float:
    value = float(text)
    if not value <= _LARGEST:  # not "value > _LARGEST": nan is refused too
        raise ValueError(f"{text} is larger than any measure can be (at most {_LARGEST:,})")
    return int(value) if value.is_integer() else value


def measure_conditions(field: str, test: object) -> list[dict]:
    """One 'measure: test' line of a rule file as durable_rules conditions on a fact field (all must hold)."""
    if isinstance(test, bool):
        return [{field: 1 if test else 0}]
    text = str(test).strip()
    m = _BETWEEN.match(text)
    if m:
        lo, hi = _number(m.group(1)), _number(m.group(2))
        if lo >= hi:  # "between 2 and 1" holds for nothing: the rule could never fire
            raise ValueError(f"'{text}' holds no value (the first number must be the smaller)")
        return [{"$gt": {field: lo}}, {"$lte": {field: hi}}]
    m = _COUNT.match(text)
    if not m or (m.group(1) in ("none", "any")) != (m.group(2) is None):
        raise ValueError(f"cannot read the test '{text}'")
    word, value = m.group(1), m.group(2)
    if word == "none":
        return [{"$lt": {field: 1}}]
    if word == "any":
        return [{"$gte": {field: 1}}]
    if word == "exactly":
        return [{field: _number(value)}]
    return [{_OPS[word]: {field: _number(value)}}]


def _applies(scores: tuple[int, ...]) -> list[dict]:
    if set(scores) == {1, 2, 3, 4}:
        return []
    lo, hi = min(scores), max(scores)
    if list(scores) == list(range(lo, hi + 1)):
        return [{"awarded": lo}] if lo == hi else [{"$gte": {"awarded": lo}}, {"$lte": {"awarded": hi}}]
    return [{"$or": [{"awarded": s} for s in scores]}]


def _problem(exp: Expectation, text: str) -> CompileError:
    return CompileError(exp.file, exp.line, f"expectation '{exp.id}': {text}")


def compile_expectation(exp: Expectation) -> dict:
    """One expectation as one rule over the report's flat fact. Raises CompileError for a measure the
    registry does not know or a test that does not suit its type: a rule must never validate and then
    silently never fire."""
    known = measures(exp.scope)
    if not exp.when:
        raise _problem(exp, "'when' tests nothing: give it at least one measure")
    conds = _applies(exp.applies_to)
    for name, test in sorted(exp.when.items()):
        measure = known.get(name)
        if measure is None:
            raise _problem(exp, f"'{name}' is not a {exp.scope} measure; use one of {', '.join(sorted(known))}")
        if (measure.type == "flag") != isinstance(test, bool) or (measure.type == "count" and "between" in str(test)):
            raise _problem(exp, f"'{name}' is a {measure.type} measure: test it with {TYPES[measure.type]}")
        try:
            conds += measure_conditions(field_name(name, exp.theme if exp.scope == "theme" else None), test)
        except ValueError as exc:
            raise _problem(exp, f"'{name}': {exc}; write {TYPES[measure.type]}") from None
    return {"all": [{"m": {"$and": conds}}]}


def compile_rulebook(rulebook: Rulebook) -> CompiledRules:
    ruleset, by_name = {}, {}
    for n, exp in enumerate(rulebook.expectations()):
        name = f"r{n:04d}"
        ruleset[name] = compile_expectation(exp)
        by_name[name] = exp
    return CompiledRules(ruleset=ruleset, by_name=by_name)


def report_facts(report: Report, assessment: Assessment, rulebook: Rulebook) -> list[dict]:
    """The facts of one report, computed from the measure registry: normally one flat fact (fid 0)."""
    themes = tuple(t.id for t in rulebook.themes)
    fixed = {"kind": "report", "awarded": report.awarded_score}
    first: dict = dict(fixed)
    for name, value in report_values(ReportInputs(report, assessment, themes)).items():
        if value is not None:  # an undefined measure is absent: no test on it holds
            first[field_name(name, None)] = value
    facts = [first]
    for theme in themes:
        fields = {field_name(name, theme): value
                  for name, value in theme_values(assessment.themes[theme]).items() if value is not None}
        if len(facts[-1]) + 1 + len(fields) > MAX_FACT_FIELDS:  # +1: fid
            facts.append(dict(fixed))
        facts[-1].update(fields)
    return [{"fid": fid, **fact} for fid, fact in enumerate(facts)]
