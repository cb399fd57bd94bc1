"""lii-check's SARIF, judged by a validator nobody here wrote: Microsoft's SARIF Multitool.

`validate` judges each log with its default rules (the SARIF specification's own, among them
SARIF1004: a relative uri beginning with a slash) and with `--rule-kind Gh` (what GitHub code
scanning requires to ingest a log: fullDescription and help on every rule, among others). Both must
find no error, for report paths given as relative paths and as absolute paths, and for the log of
`rules validate --format sarif`. All the logs go to one Multitool run (its startup is most of the cost),
once per test session.

The Multitool is installed on first use with `npm install --prefix` into a cache folder outside the
repository (LII_CHECK_TEST_CACHE, else ~/.cache/lii-check-tests). The tests are skipped, with the
reason printed, only where npm is absent or that install fails.
"""
from __future__ import annotations

import fcntl
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


@pytest.fixture(scope="session")
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


def _check_sarif(paths: list[str], folder: Path, name: str) -> Path:
    done = _lii_check("check", *paths, "--engine", "pure", "--format", "sarif", cwd=REPO)
    assert done.returncode == 1, done.stderr  # the corpus holds inconsistent reports: there are results
    assert json.loads(done.stdout)["runs"][0]["results"]
    log = folder / f"{name}.sarif"
    log.write_text(done.stdout, "utf-8")
    return log


def _make_logs(folder: Path) -> dict[str, Path]:
    """The SARIF of check with relative and with absolute report paths, of rules validate, and (for the test
    that the validator can fail) the absolute log as lii-check wrote it before fullDescription, help and
    file:// URIs: no fullDescription or help, a slash-led uri beside a uriBaseId."""
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
    data = json.loads(out["absolute"].read_text("utf-8"))
    run = data["runs"][0]
    for rule in run["tool"]["driver"]["rules"]:
        rule.pop("help", None), rule.pop("fullDescription", None)  # (a log already without them fails elsewhere)
    for result in run["results"]:
        for loc in result["locations"]:
            where = loc["physicalLocation"]["artifactLocation"]
            where["uri"], where["uriBaseId"] = where["uri"][len("file://"):], "%SRCROOT%"
    out["before"] = folder / "before.sarif"
    out["before"].write_text(json.dumps(data), "utf-8")
    return out


# Each rule kind's rules are named by its prefix: the default kind is the SARIF specification's own rules.
RULE_KINDS = {"default": ("Sarif", "SARIF"), "Gh": ("Gh", "GH")}


def _native(tool: Path) -> Path | None:
    """The Multitool's own executable (the package npm installed for this platform, as its index.js picks
    it): bin.js only starts it through a shell, which would split the argument 'Sarif;Gh' in two."""
    platform = "win32" if sys.platform == "win32" else "darwin" if sys.platform == "darwin" else "linux"
    package = tool.resolve().parent.parent / f"sarif-multitool-{platform}"
    for name in ("Sarif.Multitool", "Sarif.Multitool.exe"):
        if (package / name).is_file():
            return package / name
    return None


def _validate(tool: Path, logs: dict[str, Path], folder: Path) -> dict[str, dict[str, list[str]]]:
    """{log name: {rule kind: the error-level results}} from the Multitool's own SARIF output. Its startup
    (~0.7 s of CPU) dominates a small log, so every log is validated in one run with both rule kinds (two
    runs, one per kind, where only bin.js is there); each result names the log it is about."""
    native = _native(tool)
    runs = [([str(native)], "Sarif;Gh")] if native else [([str(tool)], kind) for kind, _ in RULE_KINDS.values()]
    verdicts: dict[str, dict[str, list[str]]] = {name: {kind: [] for kind in RULE_KINDS} for name in logs}
    by_file = {log.name: name for name, log in logs.items()}
    for i, (command, kinds) in enumerate(runs):
        out = folder / f"multitool-{i}.sarif"
        done = subprocess.run([*command, "validate", *map(str, logs.values()), "--output", str(out),
                               "--rule-kind", kinds], capture_output=True, text=True, timeout=300)
        assert out.exists(), f"the Multitool wrote no verdict (exit {done.returncode}): {done.stdout}{done.stderr}"
        for r in json.loads(out.read_text("utf-8-sig"))["runs"][0].get("results") or []:
            if r.get("level") != "error":
                continue
            text = f"{r.get('ruleId')}: {r['message'].get('text') or r['message'].get('arguments')}"
            kind = next((k for k, (_, prefix) in RULE_KINDS.items() if str(r.get("ruleId")).startswith(prefix)), None)
            uris = {loc["physicalLocation"]["artifactLocation"]["uri"].rsplit("/", 1)[-1]
                    for loc in r.get("locations") or [] if "physicalLocation" in loc}
            # An error that cannot be placed counts against every log and every kind: it can only fail a test.
            for name in [by_file[u] for u in uris if u in by_file] or list(logs):
                for k in [kind] if kind else list(RULE_KINDS):
                    verdicts[name][k].append(text)
    return verdicts


@pytest.fixture(scope="session")
def validated(multitool, tmp_path_factory) -> tuple[dict[str, Path], dict]:
    """The logs and the Multitool's verdicts on them, made once per test session: under pytest-xdist the
    first worker to get here makes them, under a lock, in the session's shared temporary folder, and the
    others read them (each validation would otherwise be repeated per worker)."""
    base = tmp_path_factory.getbasetemp()
    shared = (base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base) / "sarif-multitool"
    shared.mkdir(exist_ok=True)
    with open(shared / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        made = shared / "verdicts.json"
        names = ("relative", "absolute", "validate", "before")
        if not made.exists():
            verdicts = _validate(multitool, _make_logs(shared), shared)
            (shared / "verdicts.tmp").write_text(json.dumps(verdicts), "utf-8")
            os.replace(shared / "verdicts.tmp", made)
        return {name: shared / f"{name}.sarif" for name in names}, json.loads(made.read_text("utf-8"))


@pytest.mark.parametrize("rule_kind", list(RULE_KINDS))
def test_check_with_relative_paths_has_no_errors(validated, rule_kind):
    assert validated[1]["relative"][rule_kind] == []


@pytest.mark.parametrize("rule_kind", list(RULE_KINDS))
def test_check_with_absolute_paths_has_no_errors(validated, rule_kind):
    logs, verdicts = validated
    assert verdicts["absolute"][rule_kind] == []
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"]
            for r in json.loads(logs["absolute"].read_text("utf-8"))["runs"][0]["results"] for loc in r["locations"]}
    assert uris and all(u.startswith("file:///") for u in uris)  # absolute, as given: never made relative


@pytest.mark.parametrize("rule_kind", list(RULE_KINDS))
def test_rules_validate_sarif_has_no_errors(validated, rule_kind):
    assert validated[1]["validate"][rule_kind] == []


def test_the_validator_does_find_errors(validated):
    """The checks above can fail: the log as lii-check wrote it before this change (no fullDescription
    or help, a slash-led uri beside a uriBaseId) gives the errors the issue counted, by kind."""
    logs, verdicts = validated
    rules = json.loads(logs["absolute"].read_text("utf-8"))["runs"][0]["tool"]["driver"]["rules"]
    gh = verdicts["before"]["Gh"]
    assert len(gh) == 2 * len(rules) and all(e.startswith("GH2012") for e in gh)
    default = verdicts["before"]["default"]
    assert default and all(e.startswith("SARIF1004") for e in default)
