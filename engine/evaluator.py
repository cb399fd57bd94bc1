"""A small pure-Python evaluator of compiled rulesets: the oracle for durable_rules, and its stand-in.

It evaluates everything inference_durable accepts (equality, $lt $lte $gt $gte $neq, $and, $or, "all"
and "any" rules of one condition), refuses what it refuses (by the same checks), and returns results in
the same shape as run_durable. tests/test_engine_differential.py holds the two to identical answers on
random rulesets and facts. It is also what runs where durable_rules cannot be imported (Python 3.13+).

durable's semantics, as the differential test pins them: a test on a field the fact lacks is false
(also for $neq); numbers compare as numbers (1 == 1.0); text compares with text by code point.
Text against a number never reaches either engine (refused by check_inputs).
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from .inference_durable import check_batches, check_inputs

Predicate = Callable[[dict[str, Any]], bool]
_COMPARE = {"$lt": operator.lt, "$lte": operator.le, "$gt": operator.gt, "$gte": operator.ge, "$neq": operator.ne}
_MISSING = object()


def compile_condition(condition: dict[str, Any]) -> Predicate:
    """A condition (one key, as check_inputs demands) as a function of a fact."""
    (key, value), = condition.items()
    if key in ("$and", "$or"):
        parts = [compile_condition(c) for c in value]
        combine = all if key == "$and" else any
        return lambda fact: combine(p(fact) for p in parts)
    if key in _COMPARE:
        (field, expected), = value.items()
        compare = _COMPARE[key]
    else:
        field, expected, compare = key, value, operator.eq

    def test(fact: dict[str, Any]) -> bool:
        actual = fact.get(field, _MISSING)
        return actual is not _MISSING and compare(actual, expected)
    return test


class PureEngine:
    """A ruleset compiled once into predicates, run over any number of batches."""

    def __init__(self, ruleset: dict[str, dict]):
        _, self._kinds = check_inputs(ruleset, [])
        self._rules = [(name, compile_condition((rule.get("all") or rule["any"])[0]["m"]))
                       for name, rule in sorted(ruleset.items())]

    def run(self, batches: list[list[dict]]) -> list[list[tuple[str, int]]]:
        check_batches(batches, self._kinds)
        return [sorted({(name, fact["fid"]) for name, test in self._rules for fact in batch if test(fact)})
                for batch in batches]


def run_pure(ruleset: dict[str, dict], batches: list[list[dict]]) -> list[list[tuple[str, int]]]:
    """For each batch (same order), the sorted, de-duplicated (rule_name, fid) pairs that fired."""
    return PureEngine(ruleset).run(batches)
