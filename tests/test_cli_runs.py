"""The CLI end to end on the bundled fixtures: exit codes, JSON, formats, determinism, no writes."""
import json
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner

from lii_check.cli import main

from corpora import copy_smaller_fixtures

REPO = Path(__file__).resolve().parents[1]
SEEDS, SHIFTED = str(REPO / "fixtures/seeds"), str(REPO / "fixtures/shifted")


def run(*args):
    return CliRunner().invoke(main, [*args])


def test_real_seeds_are_consistent_with_the_default_engine():
    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", SEEDS],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    # The verdict opens each report's first line; "INCONSISTENT" must not count as "CONSISTENT".
    verdicts = [line.split()[0] for line in done.stdout.splitlines() if line and not line[0].isspace()][:5]
    assert verdicts == ["CONSISTENT"] * 5, done.stdout
    assert "5 reports: 5 consistent, 0 inconsistent, 0 unreadable" in done.stdout


def test_relabelled_seeds_are_inconsistent_and_cite_their_sentences():
    result = run(SHIFTED, "--engine", "pure", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert list(doc) == ["schema_version", "tool", "rulebook", "engine", "reports", "summary"]
    assert doc["tool"] == {"name": "lii-check", "version": "0.1.0"}
    paths = [r["path"] for r in doc["reports"]]
    assert paths == sorted(paths) == [f"{SHIFTED}/seed000_relabelled_2.txt", f"{SHIFTED}/seed002_relabelled_1.txt"]
    for report in doc["reports"]:
        assert set(report) >= {"path", "quality_statement", "awarded_score", "evidence_score", "evidence_index",
                               "verdict", "error", "findings"}
        assert report["verdict"] == "inconsistent"
        assert report["quality_statement"] == "Learning, improvement and innovation"
        finding = next(f for f in report["findings"] if f["rule"] == "consistency.score-below-evidence")
        assert finding["severity"] == "error" and finding["evidence"]
        lines = Path(report["path"]).read_text("utf-8").splitlines()
        for ev in finding["evidence"]:
            assert ev["text"] in lines[ev["line"] - 1]  # the cited sentence is on the cited line
    assert doc["reports"][0]["awarded_score"] == 2 and doc["reports"][0]["evidence_score"] == 4


def test_output_is_byte_identical_and_the_corpus_untouched(tmp_path):
    corpus = copy_smaller_fixtures(tmp_path / "corpus")
    before = {p: p.stat().st_mtime_ns for p in corpus.rglob("*")}
    args = [str(corpus), "--engine", "pure", "--output", f"sarif={tmp_path / 'a.sarif'}"]
    first, second = run(*args), run(*args)
    assert first.stdout == second.stdout and first.exit_code == second.exit_code == 1
    assert {p: p.stat().st_mtime_ns for p in corpus.rglob("*")} == before
    assert (tmp_path / "a.sarif").exists()


def test_every_format_and_several_outputs(tmp_path):
    for fmt in ("table", "concise", "json", "sarif", "junit", "github", "markdown"):
        result = run(SHIFTED, "--engine", "pure", "--format", fmt)
        assert result.exit_code == 1, fmt
        # The table may break a rule id at its dot to fit the width.
        text = result.stdout.replace("consistency.\n", "consistency.") if fmt == "table" else result.stdout
        assert "consistency.score-below-evidence" in text or "score-below-evidence" in result.stdout, fmt
    result = run(SHIFTED, "--engine", "pure", "--output", f"json={tmp_path / 'r.json'}",
                 "--output", f"junit={tmp_path / 'r.xml'}")
    assert "INCONSISTENT" in result.stdout  # the table still goes to stdout
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["inconsistent"] == 2
    suite = ET.parse(tmp_path / "r.xml").getroot()
    assert len(suite.findall(".//testcase")) == 2 and len(suite.findall(".//failure")) == 2
    github = run(SHIFTED, "--engine", "pure", "--format", "github").stdout.splitlines()
    assert github[0].startswith(f"::error file={SHIFTED}/seed000_relabelled_2.txt,line=")


def test_fail_on_levels(tmp_path):
    assert run(SHIFTED, "--engine", "pure", "--fail-on", "never").exit_code == 0
    # A real band-4 fixture whose only findings are warnings (e.g. a theme not shown as embedded).
    shutil.copy(REPO / "fixtures/synthetic/s19_silverholme.txt", tmp_path / "r.txt")
    default = run(str(tmp_path), "--engine", "pure", "--format", "json")
    doc = json.loads(default.stdout)
    severities = {f["severity"] for f in doc["reports"][0]["findings"]}
    assert "error" not in severities and "warning" in severities
    assert default.exit_code == 0
    assert run(str(tmp_path), "--engine", "pure", "--fail-on", "warning").exit_code == 1


def test_inline_suppressions(tmp_path):
    text = (REPO / "fixtures/shifted/seed002_relabelled_1.txt").read_text("utf-8")
    with_reason = text + "\n<!-- lii-check-disable consistency.score-below-evidence: accepted by the panel -->\n"
    (tmp_path / "a.txt").write_text(with_reason)
    doc = json.loads(run(str(tmp_path), "--engine", "pure", "--format", "json").stdout)
    report = doc["reports"][0]
    assert report["verdict"] == "consistent"
    assert [f["rule"] for f in report["suppressed"]] == ["consistency.score-below-evidence"]
    (tmp_path / "a.txt").write_text(text + "\n<!-- lii-check-disable consistency.label-wording -->\n")
    doc = json.loads(run(str(tmp_path), "--engine", "pure", "--format", "json").stdout)
    rules = [f["rule"] for f in doc["reports"][0]["findings"]]
    assert "lii-check.suppression-without-reason" in rules and "lii-check.unused-suppression" in rules


def test_calibrate_explain_and_rules_commands():
    cal = run("calibrate", SEEDS, str(REPO / "fixtures/synthetic"), "--engine", "pure", "--format", "json")
    assert cal.exit_code == 0
    data = json.loads(cal.stdout)
    assert sum(sum(row.values()) for row in data["confusion"].values()) == 25
    explained = run("explain", f"{SEEDS}/003_54c3d31a3b902f41.txt", "--engine", "pure")
    assert explained.exit_code == 0
    assert "co-production:" in explained.stdout and "Set aside" in explained.stdout and "Why this band" in explained.stdout
    assert run("rules", "validate").exit_code == 0
    # wide enough that no rule id wraps, whatever terminal (or xdist worker) the tests run in
    listed = CliRunner().invoke(main, ["rules", "list"], env={"COLUMNS": "200"})
    assert "consistency.score-above-evidence" in listed.stdout
    # one manifest folder: the whole corpus's manifests pass in tests/test_rulebook_quality.py
    tested = run("rules", "test", "--engine", "pure", "--fixtures", str(REPO / "fixtures" / "probe21"))
    assert tested.exit_code == 0 and " 0 failed" in tested.stdout


def test_no_color_when_piped_or_no_color(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    result = run(SHIFTED, "--engine", "pure", "--color", "auto")
    assert "\x1b[" not in result.stdout
    forced = CliRunner().invoke(main, [SHIFTED, "--engine", "pure", "--color", "always"], env={"NO_COLOR": ""})
    assert "\x1b[" in forced.stdout
