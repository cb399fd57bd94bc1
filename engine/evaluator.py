"""A small pure-Python evaluator of compiled rulesets: the oracle for durable_rules.

It understands exactly the subset of durable_rules' JSON that lii-check's compiler emits
(equality, $lt $lte $gt $gte $neq, $and, $or; one condition per rule), and returns results in the
same shape as lii_check.inference_durable.run_durable, so tests can demand identical findings.
It is also what runs where durable_rules cannot be imported (Python 3.13+).
"""
from __future__ import annotations

from typing import Any

_COMPARE = {
    "$lt": lambda a, b: a < b,
    "$lte": lambda a, b: a <= b,
    "$gt": lambda a, b: a > b,
    "$gte": lambda a, b: a >= b,
    "$neq": lambda a, b: a != b,
}


def matches(condition: dict[str, Any], fact: dict[str, Any]) -> bool:
    for key, value in condition.items():
        if key == "$and":
            if not all(matches(c, fact) for c in value):
                return False
        elif key == "$or":
            if not any(matches(c, fact) for c in value):
                return False
        elif key in _COMPARE:
            for field, expected in value.items():
                if field not in fact or type(fact[field]) is str and not isinstance(expected, str):
                    return False
                if not _COMPARE[key](fact[field], expected):
                    return False
        elif fact.get(key, _MISSING) != value:
            return False
    return True


_MISSING = object()


def run_pure(ruleset: dict[str, dict], batches: list[list[dict]]) -> list[list[tuple[str, int]]]:
    results = []
    for batch in batches:
        fired = set()
        for name, rule in ruleset.items():
            condition = rule["all"][0]["m"]
            for fact in batch:
                if matches(condition, fact):
                    fired.add((name, fact["fid"]))
        results.append(sorted(fired))
    return results
