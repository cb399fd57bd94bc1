"""lii-check's SARIF, judged by a validator nobody here wrote: Microsoft's SARIF Multitool.

`validate` is run twice on each log: with its default rules (the SARIF specification's own, among
them SARIF1004: a relative uri beginning with a slash) and with `--rule-kind Gh` (what GitHub code
scanning requires to ingest a log: fullDescription and help on every rule, among others). Both must
find no error, for report paths given as relative paths and as absolute paths, and for the log of
`rules validate --format sarif`.

The Multitool is installed on first use with `npm install --prefix` into a cache folder outside the
repository (LII_CHECK_TEST_CACHE, else ~/.cache/lii-check-tests). The tests are skipped, with the
reason printed, only where npm is absent or that install fails.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = "@microsoft/sarif-multitool"
CORPUS = ("fixtures/shifted", "fixtures/synthetic")  # reports that give errors, warnings and infos


def _cache() -> Path:
    base = os.environ.get("LII_CHECK_TEST_CACHE") or os.path.join(os.path.expanduser("~"), ".cache", "lii-check-tests")
    return Path(base) / "sarif-multitool"


def _skip(reason: str):
    print(f"SKIPPED test_sarif_multitool: {reason}", file=sys.stderr)
    pytest.skip(reason)


@pytest.fixture(scope="module")
def multitool() -> Path:
    prefix = _cache()
    tool = prefix / "node_modules" / ".bin" / "sarif-multitool"
    if not tool.exists():
        npm = shutil.which("npm")
        if npm is None:
            _skip("npm is not installed, so Microsoft's SARIF Multitool cannot be installed")
        prefix.mkdir(parents=True, exist_ok=True)
        try:
            done = subprocess.run([npm, "install", "--prefix", str(prefix), "--no-audit", "--no-fund", PACKAGE],
                                  capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as exc:
            _skip(f"installing {PACKAGE} with npm failed: {exc}")
        if done.returncode != 0 or not tool.exists():
            _skip(f"installing {PACKAGE} with npm failed: {(done.stderr or done.stdout).strip()[-500:]}")
    return tool


def _lii_check(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", *args], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8")


def _errors(multitool: Path, log: Path, tmp_path: Path, rule_kind: str | None) -> list[str]:
    """The error-level results the Multitool reports for ``log`` (read from its own SARIF output)."""
    out = tmp_path / f"{log.stem}-{rule_kind or 'default'}.multitool.sarif"
    args = [str(multitool), "validate", str(log), "--output", str(out)]
    if rule_kind:
        args += ["--rule-kind", rule_kind]
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert out.exists(), f"the Multitool wrote no verdict (exit {done.returncode}): {done.stdout}{done.stderr}"
    results = json.loads(out.read_text("utf-8-sig"))["runs"][0].get("results") or []
    return [f"{r.get('ruleId')}: {r['message'].get('text') or r['message'].get('arguments')}"
            for r in results if r.get("level") == "error"]


def _check_sarif(paths: list[str], folder: Path, name: str) -> Path:
    done = _lii_check("check", *paths, "--engine", "pure", "--format", "sarif", cwd=REPO)
    assert done.returncode == 1, done.stderr  # the corpus holds inconsistent reports: there are results
    assert json.loads(done.stdout)["runs"][0]["results"]
    log = folder / f"{name}.sarif"
    log.write_text(done.stdout, "utf-8")
    return log


@pytest.fixture(scope="module")
def logs(tmp_path_factory) -> dict[str, Path]:
    """The SARIF of check with relative and with absolute report paths, and of rules validate."""
    folder = tmp_path_factory.mktemp("sarif")
    out = {"relative": _check_sarif(list(CORPUS), folder, "relative"),
           "absolute": _check_sarif([str(REPO / p) for p in CORPUS], folder, "absolute")}
    rules = folder / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("*.py", "__pycache__", "*.md"))
    (rules / "stray.yaml").write_text("themme: supervision\n", "utf-8")
    done = _lii_check("rules", "validate", str(rules), "--format", "sarif", cwd=folder)
    assert done.returncode == 2, done.stderr
    assert len(json.loads(done.stdout)["runs"][0]["results"]) == 1
    out["validate"] = folder / "validate.sarif"
    out["validate"].write_text(done.stdout, "utf-8")
    return out


@pytest.mark.parametrize("rule_kind", [None, "Gh"])
def test_check_with_relative_paths_has_no_errors(multitool, logs, tmp_path, rule_kind):
    assert _errors(multitool, logs["relative"], tmp_path, rule_kind) == []


@pytest.mark.parametrize("rule_kind", [None, "Gh"])
def test_check_with_absolute_paths_has_no_errors(multitool, logs, tmp_path, rule_kind):
    assert _errors(multitool, logs["absolute"], tmp_path, rule_kind) == []
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(logs["absolute"].read_text("utf-8"))["runs"][0]["results"] for loc in r["locations"]}
    assert uris and all(u.startswith("file:///") for u in uris)  # absolute, as given: never made relative


@pytest.mark.parametrize("rule_kind", [None, "Gh"])
def test_rules_validate_sarif_has_no_errors(multitool, logs, tmp_path, rule_kind):
    assert _errors(multitool, logs["validate"], tmp_path, rule_kind) == []


def test_the_validator_does_find_errors(multitool, logs, tmp_path):
    """The checks above can fail: the log as lii-check wrote it before this change (no fullDescription
    or help, a slash-led uri beside a uriBaseId) gives the errors the issue counted, by kind."""
    data = json.loads(logs["absolute"].read_text("utf-8"))
    run = data["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        del rule["help"], rule["fullDescription"]
    for result in run["results"]:
        for loc in result["locations"]:
            where = loc["physicalLocation"]["artifactLocation"]
            where["uri"], where["uriBaseId"] = where["uri"][len("file://"):], "%SRCROOT%"
    log = tmp_path / "before.sarif"
    log.write_text(json.dumps(data), "utf-8")
    gh = _errors(multitool, log, tmp_path, "Gh")
    assert len(gh) == 2 * len(run["tool"]["driver"]["rules"]) and all(e.startswith("GH2012") for e in gh)
    default = _errors(multitool, log, tmp_path, None)
    assert default and all(e.startswith("SARIF1004") for e in default)
