"""Found by the fifth hostile round (hostile17): a configuration by a near-miss name, lii-check's own output redirected
into the corpus it reads, --output onto the stream already printed to, a file path with a trailing slash, and regex
forms the linear-time engines read differently. Each test failed on the code before its fix.

The reports are copies of fixtures/shifted (real seed text, relabelled).
"""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_hostile_cli import REPORT, SHIFTED, corpus, real  # noqa: F401 - corpus is a fixture used by name


@pytest.mark.parametrize("name, text, said", [
    ("pyproject.toml", '[project]\nname = "x"\n\n[tool.lii_check]\nfail-on = "warning"\n',
     ":4: the table [tool.lii_check] is not read: lii-check reads [tool.lii-check] (with a hyphen); rename the table"),
    (".lii-check.yml", "fail-on: warning\n",
     ".lii-check.yml: lii-check does not read a configuration by this name, so its settings would be ignored: rename "
     "it to .lii-check.yaml"),
    (".LII-CHECK.yaml", "fail-on: warning\n", ".LII-CHECK.yaml: lii-check does not read a configuration by this name"),
    ("pyproject.toml", '[project]\nname = "x"\n\n[tools.lii-check]\nfail-on = "warning"\n',
     ":4: the table [tools.lii-check] is not read: lii-check reads [tool.lii-check] ('tool', not 'tools')"),
])
def test_a_configuration_by_a_near_miss_name_stops_the_run(corpus, in_process, name, text, said):
    (corpus / name).write_text(text, encoding="utf-8")
    done = in_process(REPORT, cwd=corpus)
    assert done.returncode == 2 and said in done.stderr
    assert in_process("config", cwd=corpus).returncode == 2  # `lii-check config` says the same, not "defaults"


def test_its_own_output_redirected_into_the_corpus_is_not_read_as_a_report(corpus):
    with open(corpus / "lii-results.txt", "w") as out:  # `lii-check . > lii-results.txt`, run from the corpus
        done = real([".", "--format", "concise"], cwd=corpus, stdout=out, stderr=subprocess.PIPE)
    printed = (corpus / "lii-results.txt").read_text(encoding="utf-8")
    assert done.returncode == 1  # the two relabelled seeds, not an unreadable empty report
    assert "0 unreadable" in printed  # not the empty output file read as an unreadable report
    assert "Not searched: lii-check's own output, redirected into a folder it checks, not read as a report" in printed
    with open(corpus / "out.txt", "w") as out:
        real(["."], cwd=corpus, stdout=out, stderr=subprocess.PIPE)
    table = (corpus / "out.txt").read_text(encoding="utf-8")
    assert "lii-check's own output, redirected into a folder it checks, not read as a report" in " ".join(table.split())
    assert "out.txt" in table and "1 unreadable" in table  # lii-results.txt is a file of its own now: read, and unreadable


def test_output_to_dev_stdout_follows_what_was_printed_when_stdout_is_a_file(corpus, tmp_path):
    with open(tmp_path / "out.txt", "w") as out:
        done = real(["--output", "sarif=/dev/stdout", "."], cwd=corpus, stdout=out, stderr=subprocess.PIPE)
    printed = (tmp_path / "out.txt").read_text(encoding="utf-8")
    assert done.returncode == 1, done.stderr
    # nothing printed before the SARIF was written is lost (opening /dev/stdout afresh truncated it): the table, its
    # summary and the SARIF are all there, as through a pipe
    assert printed.startswith("INCONSISTENT") and "Result: fails (exit code 1)" in printed
    assert '"version": "2.1.0"' in printed


def test_output_onto_the_file_stdout_is_redirected_to_is_refused(corpus, tmp_path):
    with open(tmp_path / "out.txt", "w") as out:
        done = real(["--output", f"sarif={tmp_path / 'out.txt'}", "."], cwd=corpus, stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert "is where this run's standard output is going, so one would overwrite the other" in done.stderr


@pytest.mark.parametrize("command", [[], ["explain"]])
@pytest.mark.parametrize("tail", ["/", "/."])
def test_a_file_named_with_a_trailing_slash_is_refused_as_the_shell_refuses_it(corpus, in_process, command, tail):
    done = in_process(*command, REPORT + tail, cwd=corpus)
    assert done.returncode == 2
    assert f"{REPORT}{tail}: {REPORT} is a file, not a folder: write its name without the '/' and anything after it" \
        in done.stderr


def test_its_own_standard_error_redirected_into_the_corpus_is_not_read_as_a_report(corpus):
    with open(corpus / "err.txt", "w") as err:  # `lii-check . 2> err.txt`, run from the corpus
        done = real(["."], cwd=corpus, stdout=subprocess.PIPE, stderr=err)
    assert done.returncode == 1 and "0 unreadable" in done.stdout
    assert "err.txt" in " ".join(done.stdout.split())  # named under "Not searched"


def test_its_own_output_named_as_the_only_report_is_said_as_such(corpus):
    with open(corpus / "out8.txt", "w") as out:
        done = real(["out8.txt"], cwd=corpus, stdout=out, stderr=subprocess.PIPE)
    assert done.returncode == 2
    assert "nothing to check: out8.txt is this run's own output (standard output or error redirected to it)" in done.stderr


def _overlay_with_cue(folder: Path, regex: str) -> Path:
    folder.mkdir()
    (folder / "team.yaml").write_text(
        "kind: overlay\nextends: bundled\nsignals:\n  complaints:complaints-not-learned-from:\n    add:\n"
        f"      regex: ['{regex}']\n", encoding="utf-8")
    return folder


def test_a_posix_class_in_a_cue_is_a_located_problem_not_a_leaked_python_warning(tmp_path, in_process):
    rules = _overlay_with_cue(tmp_path / "rx", "[[:alpha:]]+ were ignored")
    done = in_process("rules", "validate", rules, cwd=tmp_path)
    assert done.returncode == 2
    assert "team.yaml:6:15: '[[:alpha:]]+ were ignored' holds a set that regular-expression engines read differently" \
        in done.stdout + done.stderr
    assert "FutureWarning" not in done.stdout + done.stderr


def test_a_regex_feature_re2_lacks_is_named_as_such_not_as_a_matter_of_linear_time(tmp_path, in_process):
    rules = _overlay_with_cue(tmp_path / "rx", "ignored\\Z")
    done = in_process("rules", "validate", rules, cwd=tmp_path)
    assert done.returncode == 2
    assert "do not support" in done.stdout + done.stderr and "linear time" not in (done.stdout + done.stderr).replace(
        "linear-time engines", "")


@pytest.mark.parametrize("pattern", ["", " "])
def test_an_empty_exclude_pattern_is_a_usage_error(corpus, in_process, pattern):
    done = in_process("--exclude", pattern, ".", cwd=corpus)
    assert done.returncode == 2 and "an empty pattern excludes nothing (is a variable unset?)" in done.stderr


@pytest.mark.parametrize("value, off", [("1", True), ("yes", True), ("0", False), ("false", False), ("", False)])
def test_lii_check_no_cache_0_leaves_the_cache_on(monkeypatch, tmp_path, value, off):
    from lii_check import cache

    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("LII_CHECK_NO_CACHE", value)
    assert (cache.cache_dir() is None) == off


def test_a_folder_named_like_a_subcommand_gets_a_note_saying_how_to_check_it(tmp_path, in_process):
    (tmp_path / "config").mkdir()
    shutil.copy(SHIFTED / REPORT, tmp_path / "config" / REPORT)
    done = in_process("config", cwd=tmp_path)
    assert "'config' runs the config command; to check the folder or file named 'config', write " \
           "`lii-check check config` or `lii-check ./config`" in done.stderr
    assert in_process("./config", cwd=tmp_path).returncode == 1  # checked: a relabelled seed
    assert "runs the" not in in_process("config", cwd=tmp_path / "config").stderr  # no such folder here: no note


def test_a_manifest_asking_one_rule_to_fire_and_not_to_fire_is_a_manifest_problem(tmp_path, in_process):
    (tmp_path / "fx").mkdir()
    shutil.copy(SHIFTED / REPORT, tmp_path / "fx" / "a.md")
    (tmp_path / "fx" / "expected.yaml").write_text(
        "- file: a.md\n  must_fire: [consistency.score-above-evidence]\n"
        "  must_not_fire: [consistency.score-above-evidence]\n", encoding="utf-8")
    done = in_process("rules", "test", "--fixtures", "fx", cwd=tmp_path)
    assert done.returncode == 2
    assert "fx/expected.yaml:3: 'consistency.score-above-evidence' is under both 'must_fire' and 'must_not_fire'" \
        in done.stderr


def test_an_overlay_extending_a_folder_with_no_rule_files_is_located_at_its_extends_line(tmp_path, in_process):
    (tmp_path / "ov").mkdir()
    (tmp_path / "empty").mkdir()
    (tmp_path / "ov" / "team.yaml").write_text("kind: overlay\nextends: ../empty\n", encoding="utf-8")
    done = in_process("rules", "validate", "ov", cwd=tmp_path)
    assert done.returncode == 2
    assert "ov/team.yaml:2:10: the base folder '../empty' holds no rule files" in done.stdout + done.stderr


def test_a_score_line_in_underscore_bold_is_read_between_rules_too(tmp_path):
    # "---", "__Score: 3__", "---": the front-matter check reads the line before emphasis is taken out of the text
    from lii_check.parser import read_report

    path = tmp_path / "r.md"
    path.write_text("---\n__Score: 3__\n---\n\n<!-- synthetic -->\nStaff said supervision was regular.\n",
                    encoding="utf-8")
    assert read_report(str(path), "r.md").awarded_score == 3


@pytest.mark.parametrize("line", ["__Score: 4__", "Score： 4", "**Score: 4**", "__Score__: 4", "__Score:__ 4",
                                  "Score: __4__", "_Score:_ 4", "*Score:* 4", "## __Score: 4__"])
def test_a_score_line_in_underscore_bold_or_with_a_full_width_colon_is_read(tmp_path, line):
    from lii_check.parser import read_report

    path = tmp_path / "r.md"
    path.write_text(f"<!-- synthetic -->\n# Learning, improvement and innovation\n\n{line}\n\nStaff said supervision "
                    "was regular and reflective.\n", encoding="utf-8")
    assert read_report(str(path), "r.md").awarded_score == 4


def test_an_at_mention_in_report_text_pings_no_one_in_the_markdown_comment(tmp_path, in_process):
    report = tmp_path / "r.md"
    report.write_text("<!-- synthetic -->\n# Learning, improvement and innovation\n\nScore: 4\n\nThere was no workforce "
                      "strategy, as @council-team and @octocat confirmed, and supervision had lapsed.\n", encoding="utf-8")
    shown = in_process("--format", "markdown", "r.md", cwd=tmp_path).stdout
    assert "@council-team" not in shown and "@octocat" not in shown
    assert "@&#8203;council-team" in shown  # still reads as written once rendered


def test_a_manifest_with_a_rule_list_that_is_not_a_list_is_located_not_an_internal_error(tmp_path, in_process):
    (tmp_path / "fx").mkdir()
    shutil.copy(SHIFTED / REPORT, tmp_path / "fx" / "a.md")
    (tmp_path / "fx" / "expected.yaml").write_text(
        "- file: a.md\n  must_fire: 3\n  must_not_fire: [consistency.score-above-evidence]\n", encoding="utf-8")
    done = in_process("rules", "test", "--fixtures", "fx", cwd=tmp_path)
    assert done.returncode == 2 and "fx/expected.yaml:2:" in done.stderr


def test_a_ci_template_named_like_lii_check_beside_a_real_configuration_is_not_in_the_way(corpus, in_process):
    (corpus / "pyproject.toml").write_text('[tool.lii-check]\nfail-on = "warning"\n', encoding="utf-8")
    (corpus / "lii-check.yml").write_text("stages: [test]\n", encoding="utf-8")  # a CI template, not a configuration
    (corpus / ".lii-check.yml").write_text("fail-on: never\n", encoding="utf-8")  # a look-alike beside the real one
    assert in_process("config", cwd=corpus).returncode == 0

def test_a_ci_template_named_lii_check_yml_alone_is_not_taken_for_a_configuration(corpus, in_process):
    (corpus / "lii-check.yml").write_text("stages: [test]\n", encoding="utf-8")  # no dot: a CI job, not a look-alike
    assert in_process("config", cwd=corpus).returncode == 0


def test_a_second_document_on_standard_output_is_refused(corpus, in_process):
    # --format sarif already prints a SARIF document on stdout: a second one there made the file invalid JSON
    done = in_process("--format", "sarif", "--output", "sarif=/dev/stdout", ".", cwd=corpus)
    assert done.returncode == 2 and done.stdout == ""
    assert "standard output already carries the --format sarif document, so it would hold two" in done.stderr
    assert in_process("--output", "json=/dev/stdout", ".", cwd=corpus).returncode == 1  # beside the table: allowed


def test_an_output_to_a_closed_standard_error_is_refused_not_written_into_the_spool(corpus, tmp_path):
    import os

    with open(tmp_path / "so.txt", "w") as out:  # `lii-check --output sarif=/dev/stderr . 2>&- > so.txt`
        done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", "--format", "concise",
                               "--output", "sarif=/dev/stderr", "."], cwd=corpus, stdout=out,
                              preexec_fn=lambda: os.close(2), timeout=120)
    assert done.returncode == 2  # a usage error (the message goes to the closed stream), not an internal error (3)


def test_an_at_mention_inside_raw_html_pings_no_one_either():
    # formats.markdown.html_text: the <summary> lines of `rules diff --format markdown` name report paths
    from lii_check.formats.markdown import html_text

    assert html_text("reports/@octocat.md") == "reports/@&#8203;octocat.md"
