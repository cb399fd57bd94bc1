"""Which sentences a finding cites, in which order, and the numbers its message is filled with.

Written against the mutants the older tests let through (CONTRIBUTING.md, "Mutation testing"): the
seriousness order that decides which five sentences a theme's finding keeps, the limit of five, one
citation per sentence, and the label-wording finding that cites the score and label lines of a real
seed report.
"""
from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main
from lii_check.findings import MAX_CITED, _cite
from lii_check.model import Assessment, Evidence
from lii_check.parser import parse_report

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt"
MOST_SERIOUS_FIRST = ("significant", "shortfall", "intention", "strong", "good")


def ev(level, line, theme="supervision", text=None):
    return Evidence(theme=theme, level=level, line=line, text=text or f"sentence on line {line}",
                    clause="c", cue="cue", signal="s", source="staff")


def assessment(evidence):
    return Assessment(raw=3.0, evidence=evidence, set_aside=[], themes={}, index=3.0, evidence_score=3,
                      reasoning=[])


@pytest.fixture(scope="module")
def report():
    return parse_report(SEED.read_text("utf-8"), "seed002.txt")


@pytest.fixture(scope="module")
def theme_rule(rulebook):
    """A theme's expectation that cites every level."""
    exp = next(e for e in rulebook.expectations() if e.scope == "theme" and e.theme == "supervision")
    return dataclasses.replace(exp, cite=("all",))


@pytest.mark.parametrize("serious, lesser", list(zip(MOST_SERIOUS_FIRST, MOST_SERIOUS_FIRST[1:])))
def test_a_theme_finding_keeps_the_most_serious_sentences_then_orders_them_by_line(report, theme_rule, serious,
                                                                                   lesser):
    evidence = [ev(lesser, line) for line in range(1, 6)] + [ev(serious, 6)]
    refs = _cite(theme_rule, report, assessment(evidence))
    assert MAX_CITED == 5
    assert [r.line for r in refs] == [1, 2, 3, 4, 6]  # the more serious line-6 sentence displaces line 5


def test_sentences_on_one_line_are_cited_in_the_order_of_the_text(report, theme_rule):
    evidence = [ev("good", 3, text="Staff were trained."), ev("significant", 3, text="Supervision had stopped."),
                ev("shortfall", 2)]
    assert [r.text for r in _cite(theme_rule, report, assessment(evidence))] == [
        "sentence on line 2", "Staff were trained.", "Supervision had stopped."]


def test_a_theme_finding_cites_only_its_own_theme_once_per_sentence(report, theme_rule):
    evidence = [ev("shortfall", 3), ev("shortfall", 3), ev("significant", 3), ev("shortfall", 4, theme="complaints")]
    assert [(r.line, r.text) for r in _cite(theme_rule, report, assessment(evidence))] == [(3, "sentence on line 3")]


def test_a_report_finding_cites_the_most_serious_sentences_of_every_theme_in_line_order(report, rulebook):
    exp = next(e for e in rulebook.expectations() if e.id == "consistency.score-above-evidence")
    assert exp.cite == ("negative",)
    evidence = [ev("intention", line, "research") for line in (1, 2, 3, 4)] + [
        ev("shortfall", 8, "complaints"), ev("significant", 9, "equality"), ev("good", 5), ev("significant", 6)]
    refs = _cite(exp, report, assessment(evidence))
    # Both significant and the shortfall, then the earliest intentions; never the good sentence.
    assert [r.line for r in refs] == [1, 2, 6, 8, 9]


def test_the_label_wording_finding_cites_the_score_and_label_lines_of_a_real_report(tmp_path):
    text = SEED.read_text("utf-8").replace("3 - Evidence shows a good standard", "3 - Evidence shows a high standard")
    (tmp_path / "r.txt").write_text(text, "utf-8")
    done = CliRunner().invoke(main, [str(tmp_path / "r.txt"), "--engine", "pure", "--format", "json"])
    [finding] = [f for f in json.loads(done.stdout)["reports"][0]["findings"] if f["rule"] == "consistency.label-wording"]
    lines = text.split("\n")
    score_line, label_line = lines.index("Score: 3") + 1, lines.index("3 - Evidence shows a high standard") + 1
    assert finding["line"] == score_line
    assert finding["evidence"] == [{"line": score_line, "text": "Score: 3"},
                                   {"line": label_line, "text": "3 - Evidence shows a high standard"}]
    assert 'it should read "3 - Evidence shows a good standard"' in finding["message"]


def test_findings_are_ordered_most_serious_first_then_by_line_then_rule(tmp_path):
    """Every report of the bundled fixtures lists its findings by severity (error, warning, info), then
    line, then rule id. The corpus must hold the cases that tell those keys apart, or the test says so."""
    done = CliRunner().invoke(main, [str(REPO / "fixtures"), "--engine", "pure", "--format", "json"])
    assert done.exit_code == 1, done.output  # fixtures/shifted is inconsistent on purpose
    order = {"error": 0, "warning": 1, "info": 2}
    by_severity_not_line = by_line_not_rule = 0
    for report in json.loads(done.stdout)["reports"]:
        keys = [(order[f["severity"]], f["line"] or 0, f["rule"]) for f in report["findings"]]
        assert keys == sorted(keys), report["path"]
        by_severity_not_line += any(a[0] < b[0] and a[1] > b[1] for a, b in zip(keys, keys[1:]))
        by_line_not_rule += any(a[0] == b[0] and a[1] < b[1] and a[2] > b[2] for a, b in zip(keys, keys[1:]))
    assert by_severity_not_line and by_line_not_rule, "no fixture tells the sort keys apart any more"


# --- a text with no evidence ------------------------------------------------------------------------------

NO_EVIDENCE = "Score: {score}\n\n# Learning, improvement and innovation\n\nLorem ipsum dolor sit amet.\n\n" + \
    "Consectetur adipiscing elit, sed do eiusmod tempor.\n"  # synthetic filler: nothing an LII cue reads


@pytest.mark.parametrize("score", [1, 2, 3, 4])
def test_a_text_with_no_evidence_is_an_error_that_says_so_not_a_verdict_on_the_prior(tmp_path, score):
    path = tmp_path / f"filler{score}.md"
    path.write_text(NO_EVIDENCE.format(score=score), "utf-8")
    done = CliRunner().invoke(main, ["check", "--engine", "pure", "--format", "json", str(path)])
    assert done.exit_code == 1, done.output
    [entry] = json.loads(done.stdout)["reports"]
    consistency = [f for f in entry["findings"] if f["theme"] == "consistency"]
    # Only no-evidence: the awarded score is never compared with the prior (a 2 against a prior of 2.7
    # read as "clearly lower than the evidence", with no sentence to cite).
    assert [f["rule"] for f in consistency] == ["consistency.no-evidence"]
    assert consistency[0]["severity"] == "error" and entry["verdict"] == "inconsistent"
    assert "shown for this report is only the rulebook's starting value, not a reading of the text: lii-check " \
           f"cannot tell whether the text supports the awarded {score}." in consistency[0]["message"]


def test_one_graded_clause_is_enough_to_compare_the_score_with_the_evidence(tmp_path):
    path = tmp_path / "one.md"
    path.write_text(NO_EVIDENCE.format(score=1) + "\nStaff told us supervision was regular and reflective.\n", "utf-8")
    done = CliRunner().invoke(main, ["check", "--engine", "pure", "--format", "json", str(path)])
    rules = [f["rule"] for f in json.loads(done.stdout)["reports"][0]["findings"]]
    assert "consistency.no-evidence" not in rules and "consistency.score-below-evidence" in rules
