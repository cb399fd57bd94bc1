"""Tests of lii_check.inference_durable against the real durable_rules 2.0.28 (skipped where it is absent)."""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
import threading
import time

import pytest

from lii_check import inference_durable
from lii_check.inference_durable import InferenceError, run_durable


@pytest.fixture
def durable():
    return pytest.importorskip("durable")


RULES = {
    "r0001": {"all": [{"m": {"$and": [{"kind": "theme"}, {"theme": "co-production"}, {"awarded": 4}, {"$lt": {"strong": 1}}]}}]},
    "r0002": {"all": [{"m": {"$and": [{"kind": "report"}, {"$gte": {"gap": 1}}]}}]},
    "r0003": {"all": [{"m": {"$and": [{"kind": "theme"}, {"$gt": {"distance": 0.75}}]}}]},
    "r0004": {"all": [{"m": {"$and": [{"kind": "theme"}, {"$lte": {"strong": 2}}, {"$neq": {"theme": "equality"}}]}}]},
}


def facts() -> list[dict]:
    return [
        {"fid": 0, "kind": "report", "gap": 1},
        {"fid": 1, "kind": "theme", "theme": "co-production", "awarded": 4, "strong": 0, "distance": 0.9},
        {"fid": 2, "kind": "theme", "theme": "equality", "awarded": 4, "strong": 2, "distance": 0.75},
        {"fid": 3, "kind": "theme", "theme": "innovation", "awarded": 3, "strong": 3, "distance": 0.76},
    ]


def run_isolated(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    """Run code in a fresh interpreter, so a segfault or hang in the C core fails the test, not pytest."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                          timeout=timeout, env=env)


def test_equality_and_comparison_operators(durable):
    assert run_durable(RULES, [facts()]) == [[
        ("r0001", 1),                                   # equality on str and int, $lt
        ("r0002", 0),                                   # $gte at the boundary
        ("r0003", 1), ("r0003", 3),                     # $gt: 0.75 itself does not fire
        ("r0004", 1),                                   # $lte and $neq (fid 2 is 'equality', fid 3 has strong 3)
    ]]


def test_batch_where_nothing_matches(durable):
    assert run_durable(RULES, [[{"fid": 9, "kind": "other", "gap": 0}], facts()[:1]]) == [[], [("r0002", 0)]]


def test_unmatched_fact_does_not_hide_matches_of_others(durable):
    # The stock Host drops every action of the batch when one fact matches no rule.
    batch = [{"fid": 5, "kind": "nothing"}, {"fid": 6, "kind": "report", "gap": 3}, {"fid": 7, "kind": "nothing"}]
    assert run_durable(RULES, [batch]) == [[("r0002", 6)]]


def test_or_and_any_rules_fire_once_per_fact(durable):
    rules = {"both": {"all": [{"m": {"$or": [{"kind": "theme"}, {"$gt": {"distance": 0.5}}]}}]},
             "nested": {"any": [{"m": {"$and": [{"kind": "theme"}, {"$or": [{"awarded": 4}, {"$lt": {"strong": 1}}]}]}}]}}
    assert run_durable(rules, [facts()]) == [[
        ("both", 1), ("both", 2), ("both", 3), ("nested", 1), ("nested", 2)]]


def test_unicode_strings_match(durable):
    rules = {"r": {"all": [{"m": {"theme": "co-production é ✓"}}]}}
    assert run_durable(rules, [[{"fid": 1, "kind": "theme", "theme": "co-production é ✓"}]]) == [[("r", 1)]]


def test_many_batches_do_not_exhaust_sessions(durable):
    batches = [facts() if i % 3 else [{"fid": 1, "kind": "none"}] for i in range(2000)]
    got = run_durable(RULES, batches)  # ~1,024 live sessions raise MemoryError without delete_state
    assert len(got) == 2000
    assert got[0] == [] and got[1] == got[1999] == run_durable(RULES, [facts()])[0]


def test_many_rules_sharing_a_condition(durable):
    # One ruleset of 300 rules all testing kind == theme segfaults the core (256 is the limit);
    # 100 $or rules sharing a node fail to build. Run isolated so a crash fails this test only.
    result = run_isolated("""
        import json
        from lii_check.inference_durable import run_durable
        rules = {f"p{i:03d}": {"all": [{"m": {"$and": [{"kind": "theme"}, {"$gte": {"strong": i % 5}}]}}]} for i in range(300)}
        rules.update({f"q{i:03d}": {"all": [{"m": {"$or": [{"kind": "theme"}, {"awarded": 3}]}}]} for i in range(100)})
        print(json.dumps(run_durable(rules, [[{"fid": 1, "kind": "theme", "strong": 2}, {"fid": 2, "kind": "x", "awarded": 3}]])))
    """)
    assert result.returncode == 0, result.stderr
    got = [tuple(p) for p in json.loads(result.stdout)[0]]
    expected = sorted([(f"p{i:03d}", 1) for i in range(300) if i % 5 <= 2]
                      + [(f"q{i:03d}", f) for i in range(100) for f in (1, 2)])
    assert got == expected


def test_floats_json_writes_with_an_exponent(durable):
    # json.dumps writes 1e+16 and 1e-05, and the core segfaults on reading them: run isolated.
    values = [1e16, 1e-05, 5.551115123125783e-17, -1e-07, 1e308, 0.5, -0.0]
    result = run_isolated(f"""
        import json
        from lii_check.inference_durable import run_durable
        rules = {{"pos": {{"all": [{{"m": {{"$gt": {{"v": 0}}}}}}]}}, "small": {{"all": [{{"m": {{"$lt": {{"v": 0.001}}}}}}]}},
                 "huge": {{"all": [{{"m": {{"$gt": {{"v": 1000000000000000}}}}}}]}}}}
        print(json.dumps(run_durable(rules, [[{{"fid": i, "kind": "x", "v": v}} for i, v in enumerate({values!r})]])))
    """)
    assert result.returncode == 0, result.stderr
    expected = sorted([("pos", i) for i, v in enumerate(values) if v > 0] + [("small", i) for i, v in enumerate(values) if v < 0.001]
                      + [("huge", i) for i, v in enumerate(values) if v > 10**15])
    assert [tuple(p) for p in json.loads(result.stdout)[0]] == expected


def test_exception_in_action_surfaces(durable, monkeypatch):
    def boom(rule_name, c):
        raise ValueError("broken\naction")

    monkeypatch.setattr(inference_durable, "_fired_pair", boom)
    with pytest.raises(InferenceError, match=r"rule .r000\d. failed: ValueError: broken action"):
        run_durable(RULES, [facts()])
    monkeypatch.undo()
    assert run_durable(RULES, [facts()[:1]]) == [[("r0002", 0)]]  # nothing left behind


BAD_FACTS = {
    "nan": {"fid": 1, "kind": "theme", "distance": float("nan")},
    "infinity": {"fid": 1, "kind": "theme", "distance": float("-inf")},
    "empty": {},
    "too many fields": {"fid": 1, "kind": "theme", **{f"k{i}": i for i in range(300)}},
    # Values are checked on the fields some rule tests (only those reach the core; see project()).
    "nested dict": {"fid": 1, "kind": "theme", "distance": {"a": 1}},
    "nested list": {"fid": 1, "kind": "theme", "distance": [1]},
    "none": {"fid": 1, "kind": "theme", "distance": None},
    "bool": {"fid": 1, "kind": "theme", "distance": True},
    "huge string": {"fid": 1, "kind": "theme", "theme": "a" * (64 * 1024 + 1)},
    "text where the rules compare numbers": {"fid": 1, "kind": "theme", "distance": "0.9"},
    "number where the rules compare text": {"fid": 1, "kind": "theme", "theme": 3},
    "reserved id": {"fid": 1, "kind": "theme", "id": 3},
    "reserved sid": {"fid": 1, "kind": "theme", "sid": "0"},
    "no fid": {"kind": "theme"},
    "bool fid": {"fid": True, "kind": "theme"},
    "no kind": {"fid": 1},
}
BAD_RULES = {
    "empty $and": {"r": {"all": [{"m": {"$and": []}}]}},
    "empty $or": {"r": {"all": [{"m": {"$or": []}}]}},
    "nan operand": {"r": {"all": [{"m": {"$lt": {"x": float("nan")}}}]}},
    "unknown operator": {"r": {"all": [{"m": {"$foo": {"x": 1}}}]}},
    "two conditions": {"r": {"all": [{"m": {"kind": "a"}}, {"n": {"kind": "b"}}]}},
    "not named m": {"r": {"all": [{"x": {"kind": "a"}}]}},
    "two keys": {"r": {"all": [{"m": {"kind": "a", "x": 1}}]}},
    "exponent operand": {"r": {"all": [{"m": {"$lt": {"x": 1e-05}}}]}},
    "$or explosion": {"r": {"all": [{"m": {"$and": [{"$or": [{"a": 1}, {"b": 1}]}] * 7}}]}},
    "bool operand": {"r": {"all": [{"m": {"flag": True}}]}},
    "one field compared with text and numbers": {"r": {"all": [{"m": {"$or": [{"x": 1}, {"x": "1"}]}}]}},
}


@pytest.fixture
def refused(monkeypatch):
    """Expect a refusal by validation. durable is hidden, so that if validation let a case through, the
    test fails on 'does not import' instead of the C core crashing or hanging the test process."""
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable_rules_engine", None)

    def check(ruleset, batches):
        with pytest.raises(InferenceError) as caught:
            run_durable(ruleset, batches)
        assert "does not import" not in str(caught.value) and "\n" not in str(caught.value)
    return check


@pytest.mark.parametrize("name", BAD_FACTS)
def test_bad_fact_is_refused(name, refused):
    refused(RULES, [facts(), [BAD_FACTS[name]]])


@pytest.mark.parametrize("name", BAD_RULES)
def test_bad_ruleset_is_refused(name, refused):
    refused(BAD_RULES[name], [facts()])


def test_bad_shapes_are_refused(refused):
    refused(RULES, [facts() + facts()[:1]])  # duplicate fid
    refused(RULES, facts())  # a batch, not a list of batches
    refused([RULES], [facts()])


def test_refusals_do_not_crash_the_process(durable):
    # Every case that crashes or hangs the C core when handed over, in one fresh interpreter. The rule
    # tests x and t, so those fields would reach the core (fields no rule tests never do: see project()).
    result = run_isolated(f"""
        from lii_check.inference_durable import InferenceError, run_durable
        rules = {{"r": {{"all": [{{"m": {{"$or": [{{"kind": "theme"}}, {{"$gte": {{"x": 0}}}}, {{"t": "a"}}]}}}}]}}}}
        cases = [(rules, [[{{"fid": 1, "kind": "theme", "x": float(v)}}]]) for v in ("nan", "inf", "-inf")]
        cases += [(rules, [[{{}}]]), (rules, [[dict({{"fid": 1, "kind": "theme"}}, **{{f"k{{i}}": i for i in range(260)}})]])]
        cases += [(rules, [[{{"fid": 1, "kind": "theme", "x": {{"a": 1}}}}]]), (rules, [[{{"fid": 1, "kind": "theme", "t": "a" * (17 << 20)}}]])]
        cases += [({{"r": {{"all": [{{"m": {{op: []}}}}]}}}}, [[{{"fid": 1, "kind": "theme"}}]]) for op in ("$and", "$or")]
        for ruleset, batches in cases:
            try:
                run_durable(ruleset, batches)
                raise SystemExit("not refused: " + repr(ruleset)[:80])
            except InferenceError:
                pass
        print(run_durable(rules, [[dict({{"fid": 1, "kind": "theme"}}, **{{f"k{{i}}": i for i in range(248)}})]]))
    """)
    assert result.returncode == 0, result.stderr + result.stdout
    assert result.stdout.strip() == "[[('r', 1)]]"


def test_fields_no_rule_tests_never_reach_the_core(durable, monkeypatch):
    seen = []
    encode = inference_durable._encode
    monkeypatch.setattr(inference_durable, "_encode", lambda fact, sid: seen.append(dict(fact)) or encode(fact, sid))
    wide = dict(facts()[1], unused=7, other="text")
    assert run_durable(RULES, [[wide]]) == [[("r0001", 1), ("r0003", 1), ("r0004", 1)]]
    assert seen and all("unused" not in f and "other" not in f for f in seen)


def test_results_are_sorted_and_deterministic(durable):
    batches = [facts() for _ in range(5)]
    for seed, batch in enumerate(batches[1:]):
        random.Random(seed).shuffle(batch)
    first = run_durable(RULES, batches)
    assert first == run_durable(RULES, batches)
    assert all(got == first[0] for got in first)
    assert first[0] == sorted(set(first[0]))


def test_empty_inputs():
    assert run_durable(RULES, []) == []
    assert run_durable(RULES, [[], []]) == [[], []]
    assert run_durable({}, [facts(), []]) == [[], []]


def test_empty_batch_among_others(durable):
    assert run_durable(RULES, [[], facts()[:1], []]) == [[], [("r0002", 0)], []]


def test_ruleset_is_not_modified(durable):
    before = json.dumps(RULES, sort_keys=True)
    run_durable(RULES, [facts()])
    assert json.dumps(RULES, sort_keys=True) == before


def test_no_threads_are_left_running(durable):
    before = threading.active_count()
    run_durable(RULES, [facts()] * 3)
    time.sleep(0.3)  # the stock Host's timers would have started by now
    assert threading.active_count() == before


def test_every_ruleset_is_freed(durable, monkeypatch):
    core = pytest.importorskip("durable_rules_engine")
    created, deleted = [], []
    create, delete = core.create_ruleset, core.delete_ruleset
    monkeypatch.setattr(core, "create_ruleset", lambda *a: created.append(create(*a)) or created[-1])
    monkeypatch.setattr(core, "delete_ruleset", lambda h: deleted.append(h) or delete(h))
    many = {f"x{i}": {"all": [{"m": {"kind": "theme"}}]} for i in range(70)}  # more than one ruleset
    assert run_durable(many, [facts()[:2]])[0] == sorted((f"x{i}", 1) for i in range(70))
    monkeypatch.setattr(inference_durable, "_fired_pair", lambda name, c: 1 / 0)
    with pytest.raises(InferenceError, match="ZeroDivisionError"):
        run_durable(many, [facts()])
    chunks = len(inference_durable._chunks({name: 1 for name in many}))
    assert chunks > 1 and len(created) == 2 * chunks  # two runs
    assert sorted(created) == sorted(deleted)  # the core never frees them itself


def test_repeated_and_concurrent_calls(durable):
    for _ in range(200):
        assert run_durable(RULES, [facts()[:1]]) == [[("r0002", 0)]]
    expected = run_durable(RULES, [facts()] * 50)
    got = []
    threads = [threading.Thread(target=lambda: got.append(run_durable(RULES, [facts()] * 50))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [expected] * 4


def test_durable_unavailable_is_reported_in_one_line(monkeypatch):
    monkeypatch.setitem(sys.modules, "durable", None)  # makes "from durable import engine" fail
    with pytest.raises(InferenceError) as info:
        run_durable(RULES, [facts()])
    reason = str(info.value)
    assert reason.startswith(f"durable_rules does not import on Python {sys.version_info.major}.{sys.version_info.minor}")
    assert "\n" not in reason


def test_batch_matching_no_rule_in_a_fresh_process_does_not_crash():
    # Regression: delete_state on a session the core never created segfaulted (seen with lii-check's
    # own compiled rules when no fact of a report matched any rule of a chunk).
    pytest.importorskip("durable")
    import subprocess
    import sys
    code = (
        "from lii_check.inference_durable import run_durable\n"
        "rs = {'r': {'all': [{'m': {'kind': 'never'}}]}}\n"
        "for _ in range(3):\n"
        "    assert run_durable(rs, [[{'fid': 0, 'kind': 'theme'}]] * 5) == [[]] * 5\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
