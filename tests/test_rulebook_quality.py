"""The bundled rulebook against its own tests and against trusted scores (issue: calibration targets).

These are regression tests of the rulebook's quality on the fixtures it was calibrated on; the
figures are in-sample (see the README), so they guard against regressions, not prove generality.
"""
from pathlib import Path

from lii_check.calibrate import calibrate
from lii_check.check import discover
from lii_check.parser import read_report
from lii_check.ruletest import run_rule_tests

REPO = Path(__file__).resolve().parents[1]


def test_every_rule_example_and_fixture_annotation_passes(compiled):
    outcomes = run_rule_tests(compiled, [REPO / "fixtures"], engine="pure")
    failures = {o.rule: (o.misses, o.false_alarms) for o in outcomes if not o.ok}
    assert failures == {}
    # seeds 5, synthetic 20, shifted 2, probe 10, probe2 12, probe5 to probe11 12 each, probe12 10, probe13 to probe23
    # 12 each: the count proves every manifest was read
    assert sum(o.kind == "fixture" for o in outcomes) == 347
    assert sum(o.passed for o in outcomes) > 250


def test_calibration_meets_the_targets(compiled):
    files = discover([str(REPO / "fixtures/seeds"), str(REPO / "fixtures/synthetic")])
    reports = [read_report(f.path, f.display) for f in files]
    result = calibrate(reports, compiled, engine="pure")
    assert result["reports"] == 25
    assert result["inconsistent_reports"] == []
    assert result["evidence_equals_awarded"] >= 0.9
    assert result["two_or_more_bands_away"] == 0
    shift = result["shift_test"]
    assert shift["2"]["share"] == 1.0 and shift["3"]["share"] == 1.0
    assert shift["1"]["share"] >= 0.75
    assert result["caught_without_cited_sentences"] == []
