"""A fixture manifest (expected.yaml) that names a report which is not there is a mistake in the manifest:
a located usage error (exit 2) with the nearest name present, before any rule test runs, never a failed
fixture test (exit 1) that reads as a rule problem."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main

SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt"


@pytest.mark.parametrize("name, hint", [
    ("r.tx", "did you mean 'r.txt'?"),
    ("nothing-like-it.md", "check the name, or remove the entry"),
    ("sub", "check the name, or remove the entry"),  # a folder is not a report
])
def test_a_manifest_naming_a_missing_report_is_a_located_usage_error(tmp_path, monkeypatch, name, hint):
    folder = tmp_path / "fx"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(SEED, folder / "r.txt")
    (folder / "expected.yaml").write_text(f"# fixtures\n- file: r.txt\n  verdict: consistent\n- file: {name}\n"
                                          "  verdict: consistent\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["rules", "test", "--engine", "pure", "--fixtures", "fx"])
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        f"lii-check: fx/expected.yaml:4: 'file: {name}' is not a file in fx: {hint}",
        "lii-check: 1 problem(s) in the fixture manifests; nothing was tested"]
    assert result.stdout == ""


@pytest.mark.parametrize("args", [["fx", "fx"], [".", "fx"], ["fx", "./fx/../fx"]])
def test_a_manifest_under_two_given_folders_is_tested_once(tmp_path, monkeypatch, args):
    # Each entry was tested and counted once per folder it lay under: "2 failed" for one miss (hostile16 06).
    folder = tmp_path / "fx"
    folder.mkdir()
    shutil.copy(SEED, folder / "r.txt")
    (folder / "expected.yaml").write_text("- file: r.txt\n  evidence_score: 1\n", "utf-8")  # a miss: it reads 3 or 4
    monkeypatch.chdir(tmp_path)
    fixtures = [a for folder_arg in args for a in ("--fixtures", folder_arg)]
    result = CliRunner().invoke(main, ["rules", "test", "--engine", "pure", *fixtures])
    assert result.exit_code == 1, result.output
    assert result.stdout.count("miss: evidence score") == 1 and ", 1 failed (" in result.stdout
