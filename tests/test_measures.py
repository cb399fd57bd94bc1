"""The measure registry (engine/measures.py) is the one source: schema, facts, citations and README agree with it,
and every measure a rule file may name is computed and can fire."""
from __future__ import annotations

import dataclasses
import json
import shutil
from pathlib import Path

import pytest

from lii_check import measures as registry
from lii_check.calibrate import shifted
from lii_check.check import analyse, check_reports, discover
from lii_check.compiler import CompileError, compile_expectation, compile_rulebook, report_facts
from lii_check.evaluator import run_pure
from lii_check.findings import build_findings, cited_levels
from lii_check.measures import MEASURES, field_name
from lii_check.names import LEVELS
from lii_check.parser import read_report
from lii_check.rulebook import PLACEHOLDERS, Expectation, load_rulebook, load_schema

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def assessed(rulebook):
    files = discover([str(REPO / "fixtures")])
    reports = [read_report(f.path, f.display) for f in files]
    reports += [shifted(r, b) for r in reports[:6] for b in (1, 4) if b != r.awarded_score]
    from lii_check.compiled import compile_rulebook_once

    reader = compile_rulebook_once(rulebook)
    return [(r, analyse(r, reader)) for r in reports]


def _expectation(scope: str, when: dict, theme: str = "consistency", message: str = "m", cite=()) -> Expectation:
    return Expectation(id=f"{theme}.probe", theme=theme, scope=scope, applies_to=(1, 2, 3, 4), when=when,
                       severity="warning", message=message, description="probe", framework="x", cite=tuple(cite),
                       examples={}, file="probe.yaml", line=7)


@pytest.mark.parametrize("scope", ["theme", "report"])
def test_schema_measure_lists_are_the_registry(scope):
    shipped = load_schema()["$defs"][f"{scope}_measures"]["properties"]
    assert shipped == registry.schema_properties(scope), "run `python -m lii_check.measures` to regenerate"


def test_readme_table_is_the_registry():
    text = (REPO / "rules" / "README.md").read_text("utf-8")
    table = text.split(registry.README_START, 1)[1].split(registry.README_END, 1)[0].strip()
    assert table == registry.markdown_table()
    assert all(f"| `{m.name}` | {m.scope} | {m.type} |" in table for m in MEASURES)


def test_registry_is_well_formed():
    keys = [(m.scope, m.name) for m in MEASURES]
    assert len(keys) == len(set(keys))
    for m in MEASURES:
        assert m.scope in ("theme", "report") and m.type in registry.TYPES and m.doc.strip()
        assert "__" not in m.name and m.name not in ("fid", "kind", "awarded")
        assert set(m.cites) <= set(LEVELS)


def _value(facts: list[dict], name: str) -> object:
    found = [f[name] for f in facts if name in f]
    assert len(found) <= 1
    return found[0] if found else None


def test_every_measure_is_computed_with_its_type(assessed, rulebook):
    for report, assessment in assessed:
        facts = report_facts(report, assessment, rulebook)
        assert len(facts) == 1 and facts[0]["fid"] == 0  # one flat fact per report with the bundled themes
        for m in MEASURES:
            themes = [t.id for t in rulebook.themes] if m.scope == "theme" else [None]
            for theme in themes:
                value = _value(facts, field_name(m.name, theme))
                if m.name == "theme_score" and assessment.themes[theme].score is None:
                    assert value is None  # undefined: absent, so no test on it holds
                    continue
                assert value is not None, (m.name, theme)
                # counts and flags are ints; numbers may be ints or floats, never bools or strings
                assert type(value) is int if m.type in ("count", "flag") else type(value) in (int, float), (m.name, value)
                assert m.type != "flag" or value in (0, 1)
                assert m.type != "count" or value >= 0


def _test_for(m, value) -> tuple[object, object]:
    """A test the value passes and one it fails, in the rule-file words for the measure's type."""
    if m.type == "flag":
        return bool(value), not value
    if m.type == "count":
        return f"exactly {value}", f"exactly {value + 1}"
    if value < 0:  # rule files write no negative numbers
        return "fewer than 0", "at least 0"
    return f"at least {value}", f"more than {value}"


def test_every_measure_can_fire_and_stay_quiet(assessed, rulebook):
    """What made `evidence_score_differs` possible (validates, never fires) is tested for every measure:
    a rule testing a measure against the value a real report has fires on that report, and only then."""
    themes = [t.id for t in rulebook.themes]
    for m in MEASURES:
        for i, (report, assessment) in enumerate(assessed[:12]):
            theme = themes[i % len(themes)] if m.scope == "theme" else "consistency"
            facts = report_facts(report, assessment, rulebook)
            value = _value(facts, field_name(m.name, theme if m.scope == "theme" else None))
            if value is None:
                continue
            passes, fails = _test_for(m, value)
            for test, fires in ((passes, True), (fails, False)):
                rule = compile_expectation(_expectation(m.scope, {m.name: test}, theme))
                fired = run_pure({"r": rule}, [facts])[0]
                assert bool(fired) is fires, (m.name, test, value)


def test_evidence_score_differs_fires_from_a_rule_file(tmp_path, assessed):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules)
    with (rules / "scoring.yaml").open("a", encoding="utf-8") as f:
        f.write("""  - id: band-differs
    description: Probe of evidence_score_differs.
    applies_to: [1, 2, 3, 4]
    when:
      evidence_score_differs: true
    severity: info
    message: The text reads as band {evidence}, the report awards {awarded}.
    examples:
      fires:
        - awarded: 4
          text: There was no workforce strategy. Supervision had lapsed.
      quiet:
        - awarded: 1
          text: There was no workforce strategy. Supervision had lapsed.
""")
    book = load_rulebook(rules)
    reports = [r for r, _ in assessed]
    from lii_check.compiled import compile_rulebook_once

    results, _ = check_reports(reports, compile_rulebook_once(book), "pure")
    fired = {r.path for r in results for f in r.findings if f.rule == "consistency.band-differs"}
    differ = {r.path for r, a in assessed if a.evidence_score != r.awarded_score}
    assert differ and fired == differ


@pytest.mark.parametrize("when, words", [
    ({"evidence_score_difers": True}, "'evidence_score_difers' is not a report measure"),
    ({"strong": "at least 1"}, "'strong' is not a report measure"),
    ({"label_disagrees": "at least 1"}, "'label_disagrees' is a flag measure"),
    ({"significant": True}, "'significant' is a count measure"),
    ({"themes_covered": "between 1 and 2"}, "'themes_covered' is a count measure"),
    ({"above_evidence_by": "lots"}, "cannot read the test 'lots'"),
    ({}, "tests nothing"),
])
def test_a_measure_nothing_computes_cannot_compile(when, words):
    with pytest.raises(CompileError) as caught:
        compile_expectation(_expectation("report", when))
    assert str(caught.value).startswith("probe.yaml:7: expectation 'consistency.probe': ") and words in str(caught.value)


def test_theme_measures_are_not_report_measures():
    with pytest.raises(CompileError, match="'themes_covered' is not a theme measure"):
        compile_expectation(_expectation("theme", {"themes_covered": "any"}, "research"))


def test_citations_follow_the_registry():
    for m in MEASURES:
        exp = _expectation(m.scope, {m.name: "at least 1" if m.type != "flag" else True}, "research")
        assert cited_levels(exp) == (m.cites or LEVELS), m.name
        quiet = _expectation(m.scope, {m.name: "none" if m.type == "count" else "fewer than 1"}, "research")
        if m.type != "flag":
            assert cited_levels(quiet) == LEVELS  # a test for absence cites nothing in particular: all
    assert cited_levels(_expectation("theme", {"strong": "any"}, "research", cite=["negative"])) == \
        ("intention", "shortfall", "significant")


@pytest.mark.parametrize("scope, theme", [("report", "consistency"), ("theme", "research")])
def test_every_placeholder_is_filled(scope, theme, assessed, rulebook):
    report, assessment = next((r, a) for r, a in assessed if a.themes["research"].counts["good"])
    message = " ".join(f"{p}=<{{{p}}}>" for p in PLACEHOLDERS)
    when = {"themes_covered": "any"} if scope == "report" else {"good": "any"}
    exp = _expectation(scope, when, theme, message)
    compiled = compile_rulebook(dataclasses.replace(rulebook, themes=[], scoring=dataclasses.replace(
        rulebook.scoring, expectations=[exp])))
    facts = report_facts(report, assessment, rulebook)
    (finding,) = build_findings(run_pure(compiled.ruleset, [facts])[0], facts, compiled, report, assessment, rulebook)
    for p in PLACEHOLDERS:
        assert f"{p}=<" in finding.message and f"{p}=<{{" not in finding.message
    expected_count = facts[0]["themes_with_significant"] if scope == "report" else len(finding.cited)
    assert f"count=<{expected_count}>" in finding.message
    assert json.dumps(finding.message)


def test_a_report_wider_than_the_field_cap_splits_by_whole_themes(rulebook):
    """durable_rules' core segfaults past 250 fields; a rulebook of 39 themes needs 400-odd. The fact is
    split by whole themes, and every copy of a theme's rule fires exactly where the original does."""
    pytest.importorskip("durable")
    from lii_check.inference import open_engine
    from lii_check.inference_durable import MAX_FACT_FIELDS

    def copy(theme, k):
        new = f"{theme.id}-{k}"
        return dataclasses.replace(theme, id=new, expectations=[
            dataclasses.replace(e, theme=new, id=e.id.replace(theme.id, new, 1)) for e in theme.expectations])
    wide = dataclasses.replace(rulebook, themes=[copy(t, k) for k in range(3) for t in rulebook.themes])
    compiled = compile_rulebook(wide)
    from lii_check.compiled import compile_rulebook_once

    reader = compile_rulebook_once(wide)
    batches = []
    for path in sorted((REPO / "fixtures" / "seeds").glob("*.txt"))[:3]:
        report = read_report(path, path.name)
        for band in (1, 4):
            r = shifted(report, band)
            batches.append(report_facts(r, analyse(r, reader), wide))
    for facts in batches:
        assert len(facts) > 1 and all(len(f) <= MAX_FACT_FIELDS for f in facts)
        fields = [k for f in facts for k in f if "__" in k]
        assert len(fields) == len(set(fields))  # each theme field in one fact only
    with open_engine(compiled.ruleset, "durable") as eng:
        durable, used = eng.fire(batches), eng.name
    with open_engine(compiled.ruleset, "pure") as eng:
        assert used == "durable" and durable == eng.fire(batches)
    for pairs in durable:
        ids = sorted(compiled.by_name[name].id for name, _ in pairs)
        by_copy = {k: sorted(i.replace(f"-{k}.", ".") for i in ids if f"-{k}." in i) for k in range(3)}
        assert by_copy[0] == by_copy[1] == by_copy[2]
        assert len(ids) == 3 * len(by_copy[0]) + sum(1 for i in ids if i.startswith("consistency."))
    assert any(compiled.by_name[name].scope == "theme" for pairs in durable for name, _ in pairs)
