"""Inputs that are there but are not what they seem (a broken link, a pipe, a folder, a device, a number of
5,000 digits): each stops the run with a message naming the file, never a silent pass, a hang or exit 3.

Found by a helper trying lii-check as a hostile user would, with inputs no issue named.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from lii_check.baseline import BaselineError, load_baseline
from lii_check.config import ConfigError, load_config
from lii_check.rulebook import RulebookInvalid, load_rulebook
from lii_check.rulebook import load as rulebook_load
from lii_check.rulebook.load import bundled_rules_dir

from in_memory import invoke

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "000_69a4ab76882569fd.txt"
HUGE = "9" * 5000


def _odd(path: Path, kind: str) -> None:
    if kind == "broken link":
        path.symlink_to(path.parent / "missing" / path.name)
    elif kind == "pipe":
        os.mkfifo(path)
    else:
        path.mkdir()


# --- a configuration file found by walking up ------------------------------------------------------------

@pytest.mark.parametrize("kind", ["broken link", "pipe", "folder"])
def test_a_configuration_that_is_not_a_file_stops_the_run_instead_of_being_passed_over(tmp_path, kind, monkeypatch):
    (tmp_path / ".lii-check.yaml").write_text("fail-on: never\n", "utf-8")  # a parent's, which must not win
    repo = tmp_path / "repo"
    repo.mkdir()
    _odd(repo / ".lii-check.yaml", kind)
    with pytest.raises(ConfigError, match=r"repo/\.lii-check\.yaml: not a regular file"):
        load_config(start=repo)
    result = invoke(["check", SEED], repo, monkeypatch)
    assert result.exit_code == 2 and ".lii-check.yaml: not a regular file" in result.stderr


@pytest.mark.parametrize("kind", ["broken link", "folder"])
def test_a_pyproject_that_is_not_a_file_is_named(tmp_path, kind):
    _odd(tmp_path / "pyproject.toml", kind)
    with pytest.raises(ConfigError, match=r"pyproject\.toml: not a regular file, so lii-check cannot tell"):
        load_config(start=tmp_path)


def test_a_configuration_linked_to_a_real_file_is_still_read(tmp_path):
    (tmp_path / "team.yaml").write_text("fail-on: info\n", "utf-8")
    (tmp_path / ".lii-check.yaml").symlink_to(tmp_path / "team.yaml")
    assert load_config(start=tmp_path).fail_on == "info"


def test_an_integer_of_thousands_of_digits_in_a_toml_configuration_is_a_config_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text(f"[tool.lii-check]\njobs = {HUGE}\n", "utf-8")
    with pytest.raises(ConfigError, match="a value cannot be read \\(a number of more than 4,300 digits"):
        load_config(start=tmp_path)


# --- rule files --------------------------------------------------------------------------------------

@pytest.fixture
def team_rules(tmp_path) -> Path:
    target = tmp_path / "team-rules"
    shutil.copytree(bundled_rules_dir(), target, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    return target


@pytest.mark.parametrize("kind", ["broken link", "pipe", "folder"])
def test_a_rule_file_that_is_not_a_file_is_a_located_problem_not_a_missing_theme(team_rules, kind):
    (team_rules / "complaints.yaml").unlink()
    _odd(team_rules / "complaints.yaml", kind)
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(team_rules)
    said = [str(p) for p in caught.value.problems]
    assert said == [f"{team_rules / 'complaints.yaml'}:1:1: this is named like a rule file but is not a file (a broken "
                    "link, a folder or a pipe), so no rules are read from it: put the rule file here, or remove it"]


def test_a_folder_far_too_big_to_be_a_rules_folder_is_one_problem_not_a_walk_of_it_all(tmp_path, monkeypatch):
    monkeypatch.setattr(rulebook_load, "MAX_ENTRIES_BELOW", 30)
    root = tmp_path / "not-rules"
    for n in range(12):
        (root / f"d{n}").mkdir(parents=True)
        for m in range(3):
            (root / f"d{n}" / f"f{m}.yaml").write_text("kind: theme\n", "utf-8")
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(root)
    assert [str(p) for p in caught.value.problems] == [
        f"{root}:1:1: this folder holds more than 30 files and folders below it, so it is not a rules folder: give "
        "the folder that holds the rule files"]
    # Under the limit, each stray file is still named.
    monkeypatch.setattr(rulebook_load, "MAX_ENTRIES_BELOW", 1000)
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook(root)
    assert sum("rule files in a subfolder are not read" in str(p) for p in caught.value.problems) == 36


# --- reports, baselines, fixture folders -------------------------------------------------------------

def test_a_report_with_a_huge_number_in_its_front_matter_is_unreadable_and_the_rest_still_checked(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / "good.txt")
    (corpus / "hostile.txt").write_text(f"---\nsynthetic: true\nref: {HUGE}\n---\n" + SEED.read_text("utf-8"), "utf-8")
    result = invoke(["check", corpus, "--format", "concise"], tmp_path, monkeypatch)
    assert result.exit_code == 1, result.output
    assert "hostile.txt:3" in result.stdout and "a number of more than 4,300 digits" in result.stdout
    assert "2 reports: 1 consistent, 0 inconsistent, 1 unreadable" in result.stdout  # the seed was still checked
    assert "internal error" not in result.output


@pytest.mark.parametrize("kind", ["pipe", "folder", "device"])
def test_a_baseline_that_is_not_a_file_is_refused_before_it_is_opened(tmp_path, kind):
    path = tmp_path / "lii-baseline.json"
    if kind == "device":
        path.symlink_to("/dev/zero")
    else:
        _odd(path, kind)
    with pytest.raises(BaselineError, match="not a regular file \\(a pipe, a device or a folder\\)"):
        load_baseline(path)


def test_a_baseline_larger_than_any_baseline_is_refused_and_a_large_one_is_read(tmp_path, monkeypatch):
    from lii_check import baseline

    entry = {"path": "r.txt", "findings": [{"rule": "consistency.score-below-evidence",
                                             "evidence": [{"text": "x" * 1000}]}]}
    doc = {"schema_version": 1, "tool": {"name": "lii-check"}, "reports": [dict(entry, path=f"r{n}.txt")
                                                                           for n in range(3000)]}
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc), "utf-8")
    assert 3 * 1024 * 1024 < path.stat().st_size < 4 * 1024 * 1024
    assert len(load_baseline(path).keys) == 3000  # a few megabytes, as a big corpus's baseline is: read
    monkeypatch.setattr(baseline, "MAX_BASELINE_BYTES", 3 * 1024 * 1024)
    with pytest.raises(BaselineError, match="larger than 3 MB, far more than a baseline of findings"):
        load_baseline(path)
    monkeypatch.setattr(baseline, "MAX_BASELINE_BYTES", path.stat().st_size)  # exactly the limit: read
    assert len(load_baseline(path).keys) == 3000


@pytest.mark.parametrize("version, message", [(HUGE, "a number of more than 4,300 digits"),
                                              ("true", "written with JSON schema version True")])
def test_a_baseline_version_that_is_not_the_number_1_is_refused(tmp_path, version, message):
    path = tmp_path / "b.json"
    path.write_text(f'{{"schema_version": {version}, "tool": {{"name": "lii-check"}}, "reports": []}}', "utf-8")
    with pytest.raises(BaselineError, match=message):
        load_baseline(path)


@pytest.mark.parametrize("manifest", [None, "expected.yml"])
def test_rules_test_on_a_folder_with_no_manifest_says_so_instead_of_passing(tmp_path, manifest, monkeypatch):
    fixtures = tmp_path / "fx"
    fixtures.mkdir()
    if manifest:
        (fixtures / manifest).write_text("- file: a.txt\n  evidence_score: 3\n", "utf-8")
    result = invoke(["rules", "test", "--fixtures", fixtures], tmp_path, monkeypatch)
    assert result.exit_code == 2
    assert f"{fixtures}: no expected.yaml in this folder or below it, so there is nothing to test here" in result.stderr
    assert ("fx/expected.yml is not read: rename it to expected.yaml" in result.stderr) == bool(manifest)
    assert "nothing was tested" in result.stderr
