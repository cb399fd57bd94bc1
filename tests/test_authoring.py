"""What a QA lead editing rules sees: one message for a rule file whose kind cannot be told,
`rules validate --format` for pull requests, the renamed `{count}` placeholder, and lii-check's own
findings configured like any rule. Every rule file here is a copy of the bundled rulebook with one
edit; every report is a real seed report (or its relabelled copy in fixtures/shifted)."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from edits import replace_first


REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "000_69a4ab76882569fd.txt"  # real, awarded 4, consistent
SHIFTED = REPO / "fixtures" / "shifted" / "seed000_relabelled_2.txt"  # the same text awarded 2
BUILTINS = ("lii-check.suppression-without-reason", "lii-check.unused-suppression")





# --- a rule file whose kind cannot be told -------------------------------------------------------------

def test_a_misspelt_kind_key_gives_one_message_naming_every_kind(rules_copy, cli):
    line = replace_first(rules_copy / "supervision.yaml", "kind: theme", "knd: theme")
    result = cli("rules", "validate", rules_copy)
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 1, lines  # was 21: one per key each kind of file would need
    assert lines[0].startswith(f"{rules_copy / 'supervision.yaml'}:{line}:1: this file has no 'kind:'")
    for kind, key in (("theme", "topic"), ("language", "negation"), ("scoring", "bands")):
        assert f"{kind} file has 'kind: {kind}'" in lines[0] and key in lines[0]
    assert "look like a theme file: add 'kind: theme'" in lines[0]


def test_a_file_of_one_wrong_key_is_guessed_from_the_keys_it_resembles(rules_copy, cli):
    (rules_copy / "extra.yaml").write_text("# added by hand\nbandz:\n  '4': 3.1\n", "utf-8")
    result = cli("rules", "validate", rules_copy, "--format", "json")
    (problem,) = json.loads(result.stdout)["problems"]
    assert (problem["file"], problem["line"], problem["column"]) == (str(rules_copy / "extra.yaml"), 2, 1)
    assert "look like a scoring file: add 'kind: scoring'" in problem["message"]


def test_an_unknown_kind_is_one_message_pointing_at_it(rules_copy, cli):
    line = replace_first(rules_copy / "research.yaml", "kind: theme", "kind: thme")
    result = cli("rules", "validate", rules_copy)
    assert result.exit_code == 2
    (only,) = result.stdout.splitlines()
    assert only.startswith(f"{rules_copy / 'research.yaml'}:{line}:7: 'thme' is not allowed in 'kind'; use one of: "
                           "theme, language, scoring")  # and any kind added later, such as overlay
    assert "did you mean 'theme'?" in only and "look like a theme file: write 'kind: theme'" in only


def test_a_wrong_key_in_a_file_of_known_kind_still_says_did_you_mean(rules_copy, cli):
    line = replace_first(rules_copy / "research.yaml", "title:", "titel:")
    result = cli("rules", "validate", rules_copy)
    assert result.stdout.splitlines() == [
        f"{rules_copy / 'research.yaml'}:{line}:1: unknown key 'titel': did you mean 'title'?"]


# --- rules validate --format ----------------------------------------------------------------------------

def _broken(rules_copy: Path) -> tuple[int, int]:
    a = replace_first(rules_copy / "supervision.yaml", "severity: warning", "severity: warn")
    b = replace_first(rules_copy / "equality.yaml", "kind: theme", "knd: theme")
    return a, b


def test_every_format_rules_validate_offers_renders_the_problems(rules_copy):
    from lii_check.names import VALIDATE_FORMATS
    from lii_check.rule_validation import render, validate_rules

    _broken(rules_copy)
    validation = validate_rules(str(rules_copy))
    for fmt in VALIDATE_FORMATS:  # what the CLI's --format accepts
        out = render(validation, fmt)
        assert out.endswith("\n") and "equality.yaml" in out and "supervision.yaml" in out, fmt


def test_validate_json_follows_its_published_schema(rules_copy, cli):
    a, b = _broken(rules_copy)
    result = cli("rules", "validate", rules_copy, "--format", "json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    schema = json.loads(cli("schema", "validate").stdout)
    jsonschema.validate(doc, schema)
    assert doc["valid"] is False and doc["summary"]["errors"] == 2 and doc["summary"]["files"] is None
    assert [(p["file"], p["line"], p["severity"]) for p in doc["problems"]] == [
        (str(rules_copy / "equality.yaml"), b, "error"), (str(rules_copy / "supervision.yaml"), a, "error")]
    clean = json.loads(cli("rules", "validate", "--format", "json").stdout)
    jsonschema.validate(clean, schema)
    assert clean["valid"] is True and clean["summary"]["themes"] == 13
    assert [p for p in clean["problems"] if p["rule"] != "lii-check.lexicon-clash"] == []


def test_validate_github_annotates_each_file_and_line(rules_copy, cli):
    a, b = _broken(rules_copy)
    result = cli("rules", "validate", rules_copy, "--format", "github")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(f"::error file={rules_copy / 'equality.yaml'},line={b},col=1,"
                               "title=lii-check.invalid-rule-file::this file has no 'kind:'")
    assert lines[1].startswith(f"::error file={rules_copy / 'supervision.yaml'},line={a},col=")
    assert "'warn' is not allowed" in lines[1] and "did you mean 'warning'?" in lines[1]


def test_validate_sarif_locates_each_problem(rules_copy, cli):
    a, b = _broken(rules_copy)
    log = json.loads(cli("rules", "validate", "rules", "--format", "sarif").stdout)  # relative, as in CI
    run = log["runs"][0]
    where = [(r["locations"][0]["physicalLocation"]["artifactLocation"], r["locations"][0]["physicalLocation"]
              ["region"]["startLine"], r["level"]) for r in run["results"]]
    assert where == [({"uri": "rules/equality.yaml", "uriBaseId": "%SRCROOT%"}, b, "error"),
                     ({"uri": "rules/supervision.yaml", "uriBaseId": "%SRCROOT%"}, a, "error")]
    assert all(r["fullDescription"]["text"] and r["help"]["markdown"] for r in run["tool"]["driver"]["rules"])


# --- {count} renamed ---------------------------------------------------------------------------------

def test_old_count_placeholder_warns_with_the_new_name_and_still_works(rules_copy, cli):
    line = replace_first(rules_copy / "scoring.yaml", "{themes_with_significant}", "{count}")
    theme_line = replace_first(rules_copy / "learning-culture.yaml", "For a score of {awarded}, the learning culture reads",
                       "For a score of {awarded}, the learning culture ({count} sentences) reads")
    result = cli("rules", "validate", rules_copy)
    assert result.exit_code == 0, result.output
    *warnings, summary = result.stdout.splitlines()
    clashes = [w for w in warnings if "(other place: " in w]  # the lexicon's own warnings, not about placeholders
    warnings = [w for w in warnings if w not in clashes]
    assert len(warnings) == 2 and summary.endswith(f"expectations: {2 + len(clashes)} warning(s).")
    assert warnings[0].startswith(f"{rules_copy / 'learning-culture.yaml'}:{theme_line}:")
    assert "in a theme rule it counts the sentences the finding cites; did you mean '{cited}'?" in warnings[0]
    assert warnings[1].startswith(f"{rules_copy / 'scoring.yaml'}:{line}:")
    assert "did you mean '{themes_with_significant}'?" in warnings[1]
    # ... and the old name still fills in: the same number as the new name gives.
    old = json.loads(cli("check", SHIFTED, "--rules", rules_copy, "--engine", "pure", "--format", "json").stdout)
    replace_first(rules_copy / "learning-culture.yaml", "({count} sentences)", "({cited} sentences)")
    new = json.loads(cli("check", SHIFTED, "--rules", rules_copy, "--engine", "pure", "--format", "json").stdout)
    (finding,) = [f for f in old["reports"][0]["findings"] if f["rule"] == "learning-culture.low-band-strong-throughout"]
    assert f"({len(finding['evidence'])} sentences)" in finding["message"]
    assert old["reports"] == new["reports"]


def test_the_bundled_rulebook_uses_no_old_placeholder(cli):
    result = cli("rules", "validate", "--format", "json")
    assert result.exit_code == 0
    assert [p for p in json.loads(result.stdout)["problems"] if p["rule"] == "lii-check.renamed-placeholder"] == []


# --- built-in findings ----------------------------------------------------------------------------------

@pytest.fixture
def suppressed(tmp_path):
    """A real report with a suppression that gives no reason and suppresses nothing (both built-ins fire)."""
    report = tmp_path / "corpus" / "report.txt"
    report.parent.mkdir()
    report.write_text(SEED.read_text("utf-8") + "\n<!-- lii-check-disable research.high-band-silent -->\n", "utf-8")
    return report


def _findings(cli, *args) -> tuple[int, list[tuple[str, str]]]:
    result = cli("check", *args, "--engine", "pure", "--format", "json")
    doc = json.loads(result.stdout)
    return result.exit_code, [(f["rule"], f["severity"]) for r in doc["reports"] for f in r["findings"]]


def test_builtin_rules_are_listed(cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # wide enough that no id is wrapped
    listed = {m["id"]: m for m in json.loads(cli("rules", "list", "--format", "json").stdout)}
    for rid in BUILTINS:
        assert listed[rid]["severity"] == "warning" and listed[rid]["description"]
    table = cli("rules", "list").stdout
    assert all(rid in table for rid in BUILTINS)


def test_builtin_rules_fire_by_default(cli, suppressed):
    code, found = _findings(cli, suppressed)
    assert code == 0 and sorted(found) == [(rid, "warning") for rid in BUILTINS]


def test_configuration_changes_a_builtin_severity(cli, suppressed, tmp_path):
    (tmp_path / ".lii-check.yaml").write_text("severity:\n  lii-check.unused-suppression: error\n", "utf-8")
    code, found = _findings(cli, suppressed)
    assert code == 1
    assert sorted(found) == [(BUILTINS[0], "warning"), (BUILTINS[1], "error")]
    listed = {m["id"]: m["severity"] for m in json.loads(cli("rules", "list", "--format", "json").stdout)}
    assert listed[BUILTINS[1]] == "error"


def test_configuration_disables_the_builtin_rules(cli, suppressed, tmp_path):
    (tmp_path / ".lii-check.yaml").write_text(f"disable: [{', '.join(BUILTINS)}]\n", "utf-8")
    assert _findings(cli, suppressed) == (0, [])
    listed = {m["id"] for m in json.loads(cli("rules", "list", "--format", "json").stdout)}
    assert not listed & set(BUILTINS)


def test_an_unreadable_report_fails_whatever_the_configuration(cli, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "score5.txt").write_text(SEED.read_text("utf-8").replace("Score: 4", "Score: 5", 1), "utf-8")
    config = tmp_path / ".lii-check.yaml"
    config.write_text(f"disable: [{', '.join(BUILTINS)}]\nfail-on: never\n", "utf-8")
    result = cli("check", corpus, "--engine", "pure", "--format", "json")
    assert result.exit_code == 1 and json.loads(result.stdout)["summary"]["unreadable"] == 1
    for setting in ("disable: [lii-check/unreadable]\n", "severity:\n  lii-check/unreadable: info\n"):
        config.write_text(setting, "utf-8")
        refused = cli("check", corpus, "--engine", "pure")
        assert refused.exit_code == 2
        assert "'lii-check/unreadable' cannot be disabled or given a severity" in refused.stderr


def test_builtin_rules_need_no_examples_and_strict_does_not_count_them(cli, suppressed):
    tested = json.loads(cli("rules", "test", "--engine", "pure", "--format", "json").stdout)
    assert not [o for o in tested["rules"] if o["rule"].startswith("lii-check.")]
    assert tested["summary"]["failed"] == 0
    result = cli("check", SEED, "--engine", "pure", "--format", "json", "--strict")
    summary = json.loads(result.stdout)["summary"]
    assert summary["rules_never_fired"]  # one seed fires few rules: the list is not empty ...
    assert not [r for r in summary["rules_never_fired"] + summary["rules_not_exercised"] if r in BUILTINS]


def test_a_kind_another_schema_declares_is_named_too(rulebook):
    """An overlay (or any later kind) shipped as its own schema is named by the same one message."""
    from lii_check.rulebook import load_schema
    from lii_check.rulebook.messages import kind_problem, rule_file_kinds

    overlay = {"properties": {"kind": {"const": "overlay"}, "base": {}, "signals": {}}, "required": ["kind", "base"]}
    kinds = rule_file_kinds(load_schema(), [overlay])
    schema = load_schema()
    schema["properties"]["kind"]["enum"].append("overlay")  # named in the rule files' schema too: same keys
    assert rule_file_kinds(schema, [overlay]) == kinds
    assert kinds["overlay"] == ("base",)  # 'signals' is shared with other kinds, so it tells nothing
    _, message = kind_problem({"bas": "bundled"}, kinds)
    assert "an overlay file has 'kind: overlay' and keys such as base" in message
    assert "look like an overlay file: add 'kind: overlay'" in message


def test_rules_diff_applies_the_builtin_configuration_to_both_sides(cli, suppressed, tmp_path):
    (tmp_path / ".lii-check.yaml").write_text("severity:\n  lii-check.unused-suppression: error\n", "utf-8")
    result = cli("rules", "diff", "--base", REPO / "rules", suppressed, "--engine", "pure", "--format", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reports"] == []  # the same rules on both sides: nothing moved


def test_old_count_placeholder_in_a_report_rule_counts_themes_not_cited_sentences(rules_copy, cli, tmp_path):
    """{count} in a report-scope rule is {themes_with_significant}: three themes with significant shortfalls
    in two cited sentences, so a {count} filled with the cited number (2) would be caught."""
    replace_first(rules_copy / "scoring.yaml", "yet {themes_with_significant} themes", "yet {count} themes")
    report = tmp_path / "four.md"  # synthetic: written for this test
    report.write_text("---\nsynthetic: true\n---\n\nLearning, improvement and innovation\n\nScore: 4\n\n"
                      "4 - Evidence shows an exceptional standard\n\nThere was no workforce strategy. Supervision had "
                      "been cancelled for months and complaints had not been analysed. Co-production was embedded "
                      "and staff were consistently positive.\n", "utf-8")
    doc = json.loads(cli("check", report, "--rules", rules_copy, "--engine", "pure", "--format", "json").stdout)
    (finding,) = [f for f in doc["reports"][0]["findings"]
                  if f["rule"] == "consistency.exceptional-with-significant-shortfalls"]
    assert len(finding["evidence"]) == 2
    assert "yet 3 themes record significant shortfalls" in finding["message"]


def test_an_unused_suppression_says_whether_the_rule_exists_and_suggests_the_id(cli, tmp_path):
    report = tmp_path / "corpus" / "report.txt"
    report.parent.mkdir()
    report.write_text(SEED.read_text("utf-8") + "\n<!-- lii-check-disable research.high-band-silnet: known -->\n"
                      "<!-- lii-check-disable research.high-band-silent: known -->\n", "utf-8")
    doc = json.loads(cli("check", str(report), "--engine", "pure", "--format", "json").stdout)
    messages = [f["message"] for r in doc["reports"] for f in r["findings"] if f["rule"] == "lii-check.unused-suppression"]
    assert messages == [
        "The suppression of 'research.high-band-silnet' suppresses nothing: no rule called 'research.high-band-silnet': "
        "did you mean 'research.high-band-silent'?",
        "The suppression of 'research.high-band-silent' suppresses nothing: the rule did not fire on this report. "
        "Remove the comment."]


@pytest.mark.parametrize("columns", ["120", "80", "60"])
def test_rules_list_never_breaks_an_id_so_grep_finds_every_rule(cli, monkeypatch, columns):
    monkeypatch.setenv("COLUMNS", columns)
    ids = [m["id"] for m in json.loads(cli("rules", "list", "--format", "json").stdout)]
    table = cli("rules", "list").stdout
    assert all(re.search(rf"(^|\s){re.escape(i)}(\s|$)", table, re.M) for i in ids)


def test_an_example_broken_by_a_change_elsewhere_in_an_overlay_names_the_overlay_files(cli, tmp_path, monkeypatch):
    team = tmp_path / "team"
    team.mkdir()
    # "embedded" as a negation breaks strength examples of rules the overlay never touched
    (team / "t.yaml").write_text("kind: overlay\nextends: bundled\nlanguage:\n  negation:\n    add:\n"
                                 "      phrases: [embedded]\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    doc = json.loads(cli("rules", "test", "team", "--engine", "pure", "--format", "json").stdout)
    broken = {r["rule"]: r["broken_by_overlay"] for r in doc["rules"] if r.get("broken_by_overlay")}
    assert broken["co-production.band4-not-shown-embedded"]
    assert all(b.endswith("(passes on the base; broken by a change elsewhere in the overlay: team/t.yaml)")
               for b in broken["co-production.band4-not-shown-embedded"])


def test_a_suppression_of_star_says_a_suppression_names_one_rule(cli, tmp_path):
    # '*' is no wildcard: "no rule fired on this report" was said even where rules had fired.
    report = tmp_path / "report.txt"
    report.write_text(SEED.read_text("utf-8") + "\n<!-- lii-check-disable *: reviewed -->\n", "utf-8")
    doc = json.loads(cli("check", str(report), "--engine", "pure", "--format", "json").stdout)
    [message] = [f["message"] for r in doc["reports"] for f in r["findings"] if f["rule"] == "lii-check.unused-suppression"]
    assert message == ("The suppression of '*' suppresses nothing: '*' is not a rule id. Name the one rule each "
                       "comment accepts (`lii-check rules list` lists them), one comment per rule.")
