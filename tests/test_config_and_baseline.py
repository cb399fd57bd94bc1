"""Configuration files and baselines."""
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.baseline import BaselineError, apply_baseline, load_baseline
from lii_check.check import discover
from lii_check.cli import main
from lii_check.config import ConfigError, check_rule_ids, find_config, load_config

from in_memory import build_document, check_files

REPO = Path(__file__).resolve().parents[1]


def test_config_found_by_walking_up_and_pyproject_without_table_skipped(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.lii-check]\nfail-on = "warning"\nrules = "qa/rules"\n')
    middle = tmp_path / "a"
    middle.mkdir()
    (middle / "pyproject.toml").write_text('[project]\nname = "x"\n')  # no [tool.lii-check]: keep walking
    nested = middle / "b"
    nested.mkdir()
    assert find_config(nested) == tmp_path / "pyproject.toml"
    config = load_config(start=nested)
    assert config.fail_on == "warning"
    assert config.rules == (tmp_path / "qa" / "rules").resolve()  # relative to the config file


def test_yaml_wins_in_the_same_folder(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.lii-check]\nformat = "json"\n')
    (tmp_path / ".lii-check.yaml").write_text("format: sarif\n")
    assert load_config(start=tmp_path).format == "sarif"


@pytest.mark.parametrize("text, message", [
    ("fail-on: errors\n", ".lii-check.yaml:1: 'fail-on' must be one of error, warning, info, never, not 'errors' — did you mean 'error'?"),
    ("strict: yes please\n", ".lii-check.yaml:1: 'strict' must be true or false, not 'yes please'"),
    ("format: json\nfial-on: error\n", ".lii-check.yaml:2: unknown key 'fial-on': did you mean 'fail-on'?"),
    ("disable: research.high-band-silent\n", ".lii-check.yaml:1: 'disable' must be a list of rule ids"),
    # the list left open on the last line: named there (not on the line after it), with what to close
    ("format: [json\n", ".lii-check.yaml:1: this is not valid YAML (the file ends inside a list, a block or a "
                         "quotation: close the '[', '{' or quote left open on or before this line)"),
    ('format: json\nrules: "qa/rules\n', ".lii-check.yaml:2: this is not valid YAML (the file ends inside a list"),
])
def test_bad_yaml_config_is_located(tmp_path, text, message):
    (tmp_path / ".lii-check.yaml").write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(start=tmp_path)
    assert str(info.value).startswith(f"{tmp_path}/{message}")


def test_bad_toml_is_located(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.lii-check]\nformat = json\n')
    with pytest.raises(ConfigError, match=r"pyproject.toml:2: this is not valid TOML"):
        load_config(start=tmp_path)


def test_unknown_rule_ids_get_did_you_mean(tmp_path, rulebook):
    (tmp_path / ".lii-check.yaml").write_text("disable: [consistency.score-below-evidnce]\n")
    problems = check_rule_ids(load_config(start=tmp_path), [e.id for e in rulebook.expectations()])
    assert problems == [f"{tmp_path / '.lii-check.yaml'}:1: no rule called 'consistency.score-below-evidnce': "
                        "did you mean 'consistency.score-below-evidence'?"]
    # In a block list, the line of the id itself.
    (tmp_path / ".lii-check.yaml").write_text("# rules we switch off\ndisable:\n  - consistency.label-wording\n"
                                               "  - consistency.score-below-evidnce\n")
    problems = check_rule_ids(load_config(start=tmp_path), [e.id for e in rulebook.expectations()])
    assert [p.split(": no rule")[0] for p in problems] == [f"{tmp_path / '.lii-check.yaml'}:4"]


def test_cli_uses_config_and_flags_override_it(tmp_path, monkeypatch):
    (tmp_path / ".lii-check.yaml").write_text(
        "fail-on: never\nengine: pure\nseverity:\n  consistency.score-below-evidence: warning\n")
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    shifted = str(REPO / "fixtures" / "shifted")
    result = runner.invoke(main, [shifted, "--format", "json"])
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    severities = {f["severity"] for r in doc["reports"] for f in r["findings"] if f["rule"] == "consistency.score-below-evidence"}
    assert severities == {"warning"}
    assert runner.invoke(main, [shifted, "--fail-on", "warning"]).exit_code == 1  # the flag wins
    shown = runner.invoke(main, ["config"])
    assert shown.exit_code == 0
    assert f"configuration file: {tmp_path / '.lii-check.yaml'}" in shown.stdout
    assert re.search(r"\n  fail-on +never\n", shown.stdout) and re.search(r"\n  format +table \(default\)\n", shown.stdout)


def test_bad_config_exits_2(tmp_path, monkeypatch):
    (tmp_path / ".lii-check.yaml").write_text("engine: turbo\n")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [str(REPO / "fixtures" / "seeds")])
    assert result.exit_code == 2
    assert "'engine' must be one of auto, durable, pure, not 'turbo'" in result.stderr


def _results(folder, compiled):
    return check_files(discover([str(folder)]), compiled, "pure")[0]


def test_baseline_accepts_known_findings_even_when_lines_move(tmp_path, rulebook, compiled):
    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "fixtures" / "shifted", corpus)
    before = _results(corpus, compiled)
    baseline_file = tmp_path / "baseline.json"
    baseline_file.write_text(json.dumps(build_document(before, rulebook, engine="pure")))
    # Lines move: three blank lines after the front matter of one report.
    target = corpus / "seed000_relabelled_2.txt"
    text = target.read_text("utf-8")
    target.write_text(text.replace("---\n\n", "---\n\n\n\n\n", 1), "utf-8")
    after = _results(corpus, compiled)
    assert [f.line for f in after[0].findings] != [f.line for f in before[0].findings]
    matched = apply_baseline(after, load_baseline(baseline_file))
    assert matched == sum(len(r.findings) for r in before)
    assert all(r.findings == [] and r.verdict == "consistent" for r in after)


def test_baseline_does_not_hide_new_findings(tmp_path, rulebook, compiled):
    before = _results(REPO / "fixtures" / "shifted", compiled)
    doc = build_document(before, rulebook, engine="pure")
    for report in doc["reports"]:
        report["findings"] = [f for f in report["findings"] if f["rule"] != "consistency.score-below-evidence"]
    baseline_file = tmp_path / "baseline.json"
    baseline_file.write_text(json.dumps(doc))
    after = _results(REPO / "fixtures" / "shifted", compiled)
    apply_baseline(after, load_baseline(baseline_file))
    assert {f.rule for r in after for f in r.findings} == {"consistency.score-below-evidence"}
    assert all(r.verdict == "inconsistent" for r in after)


@pytest.mark.parametrize("content, message", [
    (None, "does not exist"),
    ("{not json", "is not JSON"),
    ('{"reports": []}', "not a lii-check JSON document"),
    ('{"tool": {"name": "lii-check"}, "reports": [], "schema_version": 99}', "schema version 99"),
])
def test_bad_baselines(tmp_path, content, message):
    path = tmp_path / "b.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(BaselineError, match=message) as info:
        load_baseline(path)
    assert str(path) in str(info.value)


def test_cli_baseline(tmp_path):
    runner = CliRunner()
    shifted = str(REPO / "fixtures" / "shifted")
    first = runner.invoke(main, [shifted, "--engine", "pure", "--format", "json"])
    (tmp_path / "b.json").write_text(first.stdout)
    again = runner.invoke(main, [shifted, "--engine", "pure", "--baseline", str(tmp_path / "b.json")])
    assert again.exit_code == 0
    assert "accepted by the baseline" in again.stderr
    bad = runner.invoke(main, [shifted, "--baseline", str(tmp_path / "missing.json")])
    assert bad.exit_code == 2 and "does not exist" in bad.stderr


def test_a_run_says_which_configuration_file_it_ignores(tmp_path, in_process):
    (tmp_path / "pyproject.toml").write_text('[tool.lii-check]\nformat = "json"\n', "utf-8")
    (tmp_path / ".lii-check.yaml").write_text("format: markdown\n", "utf-8")
    report = tmp_path / "reports" / "seed.txt"
    report.parent.mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "001_be58087aa61b4f94.txt", report)
    ran = in_process("reports", cwd=tmp_path)
    assert ran.stderr.splitlines()[0] == (
        f"lii-check: warning: {tmp_path / 'pyproject.toml'}: its [tool.lii-check] table is not read: "
        f"{tmp_path / '.lii-check.yaml'} in the same folder wins. Keep the settings in one of them.")
    assert ran.stdout.startswith("### lii-check")  # the YAML file's markdown, not pyproject's json


def test_rules_validate_with_no_folder_validates_the_configured_rulebook(tmp_path, in_process):
    # A team's pre-commit hook runs `lii-check rules validate` with no folder: it must check the team's
    # rules (the configuration's `rules`), as `check` would use them, not the bundled ones.
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "t.yaml").write_text("kind: overlay\nextends: bundled\nchange:\n  signals: {}\n", "utf-8")
    (tmp_path / ".lii-check.yaml").write_text("rules: team\n", "utf-8")
    ran = in_process("rules", "validate", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stdout.startswith(f"{tmp_path / 'team' / 't.yaml'}:3:1: unknown key 'change'")
    # --config names another configuration; with none at all, the bundled rulebook is validated.
    (tmp_path / "other.yaml").write_text("format: json\n", "utf-8")
    assert in_process("rules", "validate", "--config", "other.yaml", cwd=tmp_path).returncode == 0
    assert in_process("rules", "validate", "--config", "nothere.yaml", cwd=tmp_path).returncode == 2


def test_explain_of_a_path_that_names_nothing_is_a_usage_error_as_in_check(tmp_path, in_process):
    ran = in_process("explain", "nosuch.txt", cwd=tmp_path)
    assert (ran.returncode, ran.stderr, ran.stdout) == (2, "lii-check: nosuch.txt: no such file\n", "")
    assert in_process("nosuch.txt", cwd=tmp_path).returncode == 2


def test_options_written_before_a_subcommand_still_reach_it(tmp_path, in_process):
    (tmp_path / "team.toml").write_text('format = "json"\n', "utf-8")
    ran = in_process("--config", "team.toml", "config", cwd=tmp_path)
    assert ran.returncode == 0 and ran.stdout.startswith("configuration file: team.toml\n")
    # An option's value is never taken for the subcommand, and a folder of that name is a path to check.
    (tmp_path / "config").mkdir()
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "001_be58087aa61b4f94.txt",
                tmp_path / "config" / "r.txt")
    checked = in_process("--format", "json", "config", cwd=tmp_path)
    assert checked.returncode == 0 and json.loads(checked.stdout)["reports"][0]["path"] == "config/r.txt"


def test_a_configured_rules_folder_that_is_not_there_is_named_at_the_configuration_line(tmp_path, in_process):
    (tmp_path / ".lii-check.yaml").write_text("format: json\nrules: no-such-dir\n", "utf-8")
    ran = in_process("rules", "list", cwd=tmp_path)
    assert ran.returncode == 2
    assert ran.stderr == (f"lii-check: {tmp_path / '.lii-check.yaml'}:2: 'rules' names {tmp_path / 'no-such-dir'}, "
                          "which is not a folder: give the path of a rulebook folder, relative to this file\n")


def test_jobs_and_timeout_from_the_configuration_reach_the_run_and_flags_win(tmp_path, in_process, monkeypatch):
    import lii_check.check as check_module

    seen = []
    real = check_module.check_stream

    def spy(files, compiled, options, engines):
        seen.append((options.jobs, options.budget))
        return real(files, compiled, options, engines)

    monkeypatch.setattr(check_module, "check_stream", spy)
    (tmp_path / ".lii-check.yaml").write_text("jobs: 1\ntimeout: 12.5\n", "utf-8")
    shutil.copy(Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "001_be58087aa61b4f94.txt", tmp_path / "r.txt")
    assert in_process("r.txt", "--engine", "pure", cwd=tmp_path).returncode == 0
    assert in_process("r.txt", "--engine", "pure", "--timeout", "7", "--jobs", "2", cwd=tmp_path).returncode == 0
    assert seen == [(1, 12.5), (2, 7.0)]


@pytest.mark.parametrize("how", ["world-writable", "another-account"])
def test_a_configuration_found_by_searching_that_others_could_have_written_is_refused(tmp_path, how):
    """Found above the checkout, owned by `nobody` and writable by anyone, it set `fail-on: never` and turned a rule
    off: the relabelled seed passed, and nothing in the output said a configuration had been applied."""
    import os

    from lii_check.config import ConfigError, load_config

    (tmp_path / "repo").mkdir()
    found = tmp_path / ".lii-check.yaml"
    found.write_text("fail-on: never\n")
    if how == "world-writable":
        os.chmod(found, 0o666)
    else:
        if os.getuid() != 0:
            pytest.skip("making a file another account's needs root")
        os.chown(found, 65534, 65534)
    with pytest.raises(ConfigError) as caught:
        load_config(start=tmp_path / "repo")
    reason = "anyone may write it" if how == "world-writable" else "it belongs to another account"
    assert str(caught.value).startswith(f"{found}: found while searching for a configuration, but {reason}")
    assert load_config(found).fail_on == "never"  # named with --config, the user's own choice, it is read
    os.chmod(found, 0o644)
    if how == "world-writable":
        assert load_config(start=tmp_path / "repo").fail_on == "never"  # the user's own, not writable by others: read



def test_explain_and_calibrate_read_reports_as_check_does(tmp_path, monkeypatch):
    # The size limit and the excludes of the configuration: explain called a report check had read "larger than
    # the limit" and advised an option it did not have; calibrate counted a draft check leaves out (hostile16 10).
    from click.testing import CliRunner

    from lii_check.cli import main

    seed = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt"
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "a.txt").write_bytes(seed.read_bytes())
    (tmp_path / "c" / "draft-a.txt").write_bytes(seed.read_bytes())
    size = len(seed.read_bytes())
    (tmp_path / "lii.yaml").write_text(f"max-bytes: {size}\nextend-exclude: ['draft-*']\n", "utf-8")
    (tmp_path / "small.yaml").write_text(f"max-bytes: {size - 1}\n", "utf-8")
    runner = CliRunner()
    for config, code in (("lii.yaml", 0), ("small.yaml", 1)):
        done = runner.invoke(main, ["explain", "c/a.txt", "--engine", "pure", "--config", config])
        assert done.exit_code == code, done.output
    assert "larger than the limit" in runner.invoke(main, ["explain", "c/a.txt", "--engine", "pure", "--max-bytes",
                                                           str(size - 1)]).output
    got = runner.invoke(main, ["calibrate", "c", "--engine", "pure", "--config", "lii.yaml", "--format", "json"])
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout)["reports"] == 1  # the draft left out, as check leaves it out
    got = runner.invoke(main, ["calibrate", "c", "--engine", "pure", "--config", "small.yaml"])
    assert "skipped unreadable report c/a.txt: the file is larger than the limit" in got.output
