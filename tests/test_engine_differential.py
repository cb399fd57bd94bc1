"""The pure evaluator is a complete oracle for durable_rules: on random rulesets (every operator, type and
rule form the validator lets through, a superset of what the compiler emits) and random facts, both engines
give the same fired pairs, or both refuse with the same message."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lii_check.compiler import compile_expectation
from lii_check.evaluator import PureEngine
from lii_check.inference import DurableChild
from lii_check.inference_durable import InferenceError, check_inputs
from lii_check.measures import MEASURES, field_name, measures
from lii_check.rulebook import Expectation

pytest.importorskip("durable")

# CI runs a modest, fixed set of examples; LII_CHECK_DIFFERENTIAL_EXAMPLES=5000 digs deeper.
EXAMPLES = int(os.environ.get("LII_CHECK_DIFFERENTIAL_EXAMPLES", "150"))
FIELDS = ("awarded", "above_evidence_by", "research__strong", "research__theme_score", "t", "u")
NUMBERS = st.one_of(
    st.integers(-6, 6),
    st.sampled_from([0.5, -1.25, 2.7143, 0.71, 1.0, 0.1, 3.3333333333333335, 2**31, -(2**31), 2**53, 2**53 + 1]),
    st.floats(-10, 10, allow_nan=False, allow_infinity=False).map(lambda x: round(x, 3)),
)
TEXTS = st.sampled_from(["", "a", "ab", "B", "report", "theme", "é", "co-production ✓", "1", "0.5"])
OPS = ("eq", "$neq", "$lt", "$lte", "$gt", "$gte")


@st.composite
def scenario(draw):
    kinds = {f: draw(st.sampled_from(["number", "text"])) for f in FIELDS}
    kinds["kind"] = "text"

    def value(field, stray=False):
        number = (kinds[field] == "number") != (stray and draw(st.integers(0, 30)) == 0)
        return draw(NUMBERS if number else TEXTS)

    def condition(depth):
        if depth < 2 and draw(st.integers(0, 3)) == 0:
            return {draw(st.sampled_from(["$and", "$or"])): [condition(depth + 1) for _ in range(draw(st.integers(1, 3)))]}
        field = draw(st.sampled_from(FIELDS + ("kind",)))
        op = draw(st.sampled_from(OPS))
        return {field: value(field)} if op == "eq" else {op: {field: value(field)}}

    ruleset = {f"r{i}": {draw(st.sampled_from(["all", "any"])): [{"m": condition(0)}]}
               for i in range(draw(st.integers(1, 6)))}
    batches = []
    for _ in range(draw(st.integers(1, 3))):
        batch = []
        for fid in range(draw(st.integers(0, 3))):
            fact = {"fid": fid, "kind": draw(TEXTS)}
            for field in FIELDS:
                if draw(st.booleans()):  # a field the fact lacks is part of the domain too
                    fact[field] = value(field, stray=True)  # now and then of the wrong kind: refused
            batch.append(fact)
        batches.append(batch)
    return ruleset, batches


@pytest.fixture(scope="module")
def child():
    c = DurableChild({})
    yield c
    c.close()


def _outcome(run):
    try:
        return "fired", run()
    except InferenceError as exc:
        return "refused", str(exc)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(scenario())
def test_durable_and_pure_agree_on_random_rulesets(child, case):
    ruleset, batches = case
    pure = _outcome(lambda: PureEngine(ruleset).run(batches))
    try:
        check_inputs(ruleset, batches)
    except InferenceError as exc:  # the same checks guard both engines; durable is never asked
        assert pure == ("refused", str(exc))
        return
    child.load(ruleset)
    assert ("fired", child.fire(batches)) == pure, ruleset


def test_the_cases_that_used_to_differ(child):
    # $neq of a number on a text field: durable compares text with a number's digits; now refused by both.
    ruleset = {"r": {"all": [{"m": {"$neq": {"kind": 5}}}]}}
    batches = [[{"fid": 0, "kind": "report"}]]
    with pytest.raises(InferenceError, match="field 'kind' holds text, but the rules compare it with number"):
        PureEngine(ruleset).run(batches)
    # An "any" rule: the pure evaluator read only "all" rules.
    ruleset = {"r": {"any": [{"m": {"$gte": {"x": 1}}}]}, "s": {"all": [{"m": {"$neq": {"x": 2}}}]}}
    batches = [[{"fid": 0, "kind": "k", "x": 2}, {"fid": 1, "kind": "k", "x": 0}, {"fid": 2, "kind": "k"}]]
    child.load(ruleset)
    expected = [[("r", 0), ("s", 1)]]  # a fact without x matches neither, not even $neq
    assert child.fire(batches) == expected
    assert PureEngine(ruleset).run(batches) == expected


THEMES = ("research", "co-production", "equality")
COUNT_WORDS = ("none", "any", "at least", "more than", "fewer than", "at most", "exactly")
NUMBER_WORDS = ("at least", "more than", "fewer than", "less than", "at most")


@st.composite
def compiled_scenario(draw):
    """Rulesets exactly as the compiler emits them, from random expectations over the measure registry,
    and random flat facts as report_facts builds them."""
    expectations = []
    for i in range(draw(st.integers(1, 8))):
        scope = draw(st.sampled_from(["theme", "report"]))
        theme = draw(st.sampled_from(THEMES)) if scope == "theme" else "consistency"
        names = sorted(measures(scope))
        when = {}
        for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
            kind = measures(scope)[name].type
            if kind == "flag":
                when[name] = draw(st.booleans())
            elif kind == "count":
                word = draw(st.sampled_from(COUNT_WORDS))
                when[name] = word if word in ("none", "any") else f"{word} {draw(st.integers(0, 5))}"
            elif draw(st.integers(0, 4)) == 0:
                lo = draw(st.sampled_from(["0", "0.5", "1.75", "2.6"]))
                # (an empty range such as "between 2.6 and 2.6" is refused by the compiler: it could never fire)
                when[name] = f"between {lo} and {draw(st.sampled_from(['3', '3.4']))}"
            else:
                when[name] = f"{draw(st.sampled_from(NUMBER_WORDS))} {draw(st.sampled_from(['0', '0.5', '0.7', '2.6', '3']))}"
        applies = tuple(sorted(draw(st.sets(st.integers(1, 4), min_size=1))))
        expectations.append(Expectation(
            id=f"{theme}.e{i}", theme=theme, scope=scope, applies_to=applies, when=when, severity="info",
            message="m", description="d", framework="f", cite=(), examples={}, file="f.yaml", line=i + 1))
    batches = []
    for _ in range(draw(st.integers(1, 4))):
        fact = {"fid": 0, "kind": "report", "awarded": draw(st.integers(1, 4))}
        for m in MEASURES:
            for theme in (THEMES if m.scope == "theme" else (None,)):
                if m.name == "theme_score" and draw(st.booleans()):
                    continue  # a theme without graded evidence has no score
                value = (draw(st.integers(0, 1)) if m.type == "flag" else draw(st.integers(0, 6)) if m.type == "count"
                         else draw(st.sampled_from([-1.3, -0.5, 0.0, 0.5, 0.7, 0.71, 1.2, 2.6, 2.5999, 3.0, 3.4])))
                fact[field_name(m.name, theme)] = value
        batches.append([fact])
    return {f"r{n:04d}": compile_expectation(e) for n, e in enumerate(expectations)}, batches


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(compiled_scenario())
def test_durable_and_pure_agree_on_compiled_rulesets(child, case):
    ruleset, batches = case
    child.load(ruleset)
    assert child.fire(batches) == PureEngine(ruleset).run(batches)
