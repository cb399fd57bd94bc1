"""The command line end to end on the bundled fixtures: exit codes, the JSON document, every format,
determinism, no writes to the corpus, calibrate / explain / rules, and inline suppressions.

Runs happen from a tmp folder so no configuration file above the repository can change them.
"""
import hashlib
import json
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from lii_check.cli import main

from corpora import copy_smaller_fixtures, smaller_fixture_folders

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SEEDS, SHIFTED, SYNTHETIC = FIXTURES / "seeds", FIXTURES / "shifted", FIXTURES / "synthetic"
BELOW = "consistency.score-below-evidence"
REPORT_KEYS = ["path", "quality_statement", "awarded_score", "evidence_score", "evidence_index", "verdict", "error",
               "findings"]
FINDING_KEYS = ["rule", "theme", "severity", "message", "line", "evidence"]


def real(*args, cwd):
    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", *map(str, args)],
                          capture_output=True, text=True, timeout=600, cwd=cwd)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    return done


def snapshot(root: Path) -> dict:
    return {p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.is_file() and hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(root.rglob("*"))}


# ---- exit codes on the bundled fixtures ----------------------------------------------------


def test_real_seeds_exit_0_with_the_default_engine(tmp_path):
    done = real(SEEDS, "--format", "json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    doc = json.loads(done.stdout)
    assert doc["engine"] in ("durable", "pure")
    assert [(Path(r["path"]).name, r["verdict"], r["awarded_score"], r["evidence_score"]) for r in doc["reports"]] == [
        ("000_69a4ab76882569fd.txt", "consistent", 4, 4), ("001_be58087aa61b4f94.txt", "consistent", 3, 3),
        ("002_c7a78147fca09e56.txt", "consistent", 3, 3), ("003_54c3d31a3b902f41.txt", "consistent", 3, 3),
        ("004_bb262f5a777e266c.txt", "consistent", 3, 3)]
    assert doc["summary"]["exit_code"] == 0


def test_real_seeds_table_exit_0_pure(tmp_path):
    done = real(SEEDS, "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 0
    for name in sorted(p.name for p in SEEDS.glob("*.txt")):
        assert f"CONSISTENT    {SEEDS}/{name}:" in done.stdout


def test_synthetic_fixtures_match_their_manifest(cli):
    result = cli(SYNTHETIC, "--engine", "pure", "--format", "json")
    assert result.exit_code == 0
    expected = {e["file"]: e for e in yaml.safe_load((SYNTHETIC / "expected.yaml").read_text("utf-8"))}
    got = {Path(r["path"]).name: r for r in json.loads(result.stdout)["reports"]}
    assert sorted(got) == sorted(expected)
    for name, entry in expected.items():
        assert (got[name]["awarded_score"], got[name]["verdict"]) == (entry["awarded_score"], entry["verdict"]), name


def test_shifted_seeds_are_inconsistent_and_cite_real_lines(cli):
    result = cli(SHIFTED, "--engine", "pure", "--format", "json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    manifest = {e["file"]: e for e in yaml.safe_load((SHIFTED / "expected.yaml").read_text("utf-8"))}
    assert [r["path"] for r in doc["reports"]] == [f"{SHIFTED}/seed000_relabelled_2.txt",
                                                   f"{SHIFTED}/seed002_relabelled_1.txt"]
    scores = {"seed000_relabelled_2.txt": (2, 4), "seed002_relabelled_1.txt": (1, 3)}
    for report in doc["reports"]:
        name = Path(report["path"]).name
        assert report["verdict"] == "inconsistent" == manifest[name]["verdict"]
        assert (report["awarded_score"], report["evidence_score"]) == scores[name]
        assert report["evidence_score"] == manifest[name]["evidence_score"]
        assert report["error"] is None
        rules = [f["rule"] for f in report["findings"]]
        for rule in manifest[name]["must_not_fire"]:
            assert rule not in rules
        below = [f for f in report["findings"] if f["rule"] == BELOW]
        assert len(below) == 1
        finding = below[0]
        assert (finding["theme"], finding["severity"]) == ("consistency", "error")
        assert finding["message"].startswith(
            f"The text reads as band {scores[name][1]} (evidence index {report['evidence_index']:.2f}) "
            f"but the report awards only {scores[name][0]}.")
        assert finding["evidence"] and finding["line"] == finding["evidence"][0]["line"]
        lines = Path(report["path"]).read_text("utf-8").splitlines()
        for ev in finding["evidence"]:
            assert ev["line"] > 12  # findings text, never the front matter, score or label lines
            assert ev["text"] in lines[ev["line"] - 1], ev
            assert ev["text"].endswith(".")
        # Every cited line is also inside the real seed, five lines higher (the shift is front matter).
        seed = {"seed000_relabelled_2.txt": "000_69a4ab76882569fd.txt",
                "seed002_relabelled_1.txt": "002_c7a78147fca09e56.txt"}[name]
        seed_lines = (SEEDS / seed).read_text("utf-8").splitlines()
        for ev in finding["evidence"]:
            assert ev["text"] in seed_lines[ev["line"] - 6]
    first = doc["reports"][0]["findings"][0]
    assert first["evidence"][0] == {"line": 24, "text": "Staff, leaders and partners consistently told us there was "
                                    "an inclusive and positive culture of continuous learning and improvement."}
    assert doc["summary"]["inconsistent"] == 2 and doc["summary"]["findings"]["error"] == 2


def test_json_document_shape(cli):
    doc = json.loads(cli(SHIFTED, "--engine", "pure", "--format", "json").stdout)
    assert list(doc) == ["schema_version", "tool", "rulebook", "engine", "reports", "summary"]
    assert doc["schema_version"] == 1
    assert list(doc["tool"]) == ["name", "version"] and doc["tool"]["name"] == "lii-check"
    assert isinstance(doc["tool"]["version"], str) and doc["tool"]["version"]
    assert doc["rulebook"] == {"path": "(bundled)", "framework": "cqc-la-2023"}
    assert doc["engine"] == "pure"
    for report in doc["reports"]:
        assert list(report)[: len(REPORT_KEYS)] == REPORT_KEYS
        assert report["quality_statement"] == "Learning, improvement and innovation"
        assert isinstance(report["evidence_index"], float)
        for finding in report["findings"] + report.get("suppressed", []):
            assert list(finding) == FINDING_KEYS
            assert finding["severity"] in ("error", "warning", "info")
            assert isinstance(finding["line"], int)
            for ev in finding["evidence"]:
                assert list(ev) == ["line", "text"]
    summary = doc["summary"]
    assert (summary["reports"], summary["consistent"], summary["inconsistent"], summary["unreadable"]) == (2, 0, 2, 0)
    assert summary["findings"] == {"error": 2, "warning": 2, "info": 0}
    assert summary["exit_code"] == 1 and summary["fail_on"] == "error"


@pytest.fixture
def nested(tmp_path):
    corpus = tmp_path / "corpus"
    (corpus / "b_region").mkdir(parents=True)
    (corpus / "a_region").mkdir()
    shutil.copy(SEEDS / "003_54c3d31a3b902f41.txt", corpus / "b_region" / "north.txt")
    shutil.copy(SEEDS / "001_be58087aa61b4f94.txt", corpus / "a_region" / "south.md")
    shutil.copy(SEEDS / "002_c7a78147fca09e56.txt", corpus / "top.txt")
    shutil.copy(SEEDS / "004_bb262f5a777e266c.txt", corpus / "a_region" / "east.txt")
    (corpus / "a_region" / "notes.rst").write_text("not a report", "utf-8")
    return corpus


@pytest.mark.parametrize("given, prefix", [("corpus", "corpus/"), ("corpus/", "corpus/"), ("./corpus", "./corpus/"),
                                           ("ABS", "ABS/")])
def test_path_is_the_given_folder_joined_with_the_relative_path(cli, nested, given, prefix):
    given = str(nested) if given == "ABS" else given
    prefix = prefix.replace("ABS", str(nested))
    doc = json.loads(cli(given, "--engine", "pure", "--format", "json").stdout)
    assert [r["path"] for r in doc["reports"]] == [
        f"{prefix}a_region/east.txt", f"{prefix}a_region/south.md", f"{prefix}b_region/north.txt", f"{prefix}top.txt"]


def test_path_from_the_corpus_itself(nested, monkeypatch):
    monkeypatch.chdir(nested)
    result = CliRunner().invoke(main, [".", "--engine", "pure", "--format", "json"])
    assert result.exit_code == 0
    assert [r["path"] for r in json.loads(result.stdout)["reports"]] == [
        "a_region/east.txt", "a_region/south.md", "b_region/north.txt", "top.txt"]


def test_a_file_given_directly_keeps_its_name(cli, nested):
    doc = json.loads(cli("corpus/top.txt", "corpus/a_region/east.txt", "--engine", "pure", "--format", "json").stdout)
    assert [r["path"] for r in doc["reports"]] == ["corpus/a_region/east.txt", "corpus/top.txt"]  # in path order


def test_output_is_byte_identical_across_runs(tmp_path, cli):
    for fmt in ("json", "sarif", "table", "junit", "markdown", "github"):
        first, second = cli(SHIFTED, "--engine", "pure", "--format", fmt), cli(SHIFTED, "--engine", "pure", "--format", fmt)
        assert first.stdout_bytes == second.stdout_bytes, fmt
        assert first.exit_code == second.exit_code == 1
    a = real(*smaller_fixture_folders(), "--engine", "pure", "--format", "json", cwd=tmp_path)
    b = real(*smaller_fixture_folders(), "--engine", "pure", "--format", "json", cwd=tmp_path)
    assert a.stdout == b.stdout and a.returncode == b.returncode == 1


def test_the_corpus_is_never_written_to(tmp_path):
    corpus = copy_smaller_fixtures(tmp_path / "corpus")
    out = tmp_path / "out"
    out.mkdir()
    before = snapshot(corpus)
    done = real(corpus, "--engine", "pure", "--output", f"json={out / 'r.json'}", "--output", f"sarif={out / 'r.sarif'}",
                "--output", f"junit={out / 'r.xml'}", "--output", f"markdown={out / 'r.md'}", cwd=tmp_path)
    assert done.returncode == 1
    assert snapshot(corpus) == before
    assert sorted(p.name for p in out.iterdir()) == ["r.json", "r.md", "r.sarif", "r.xml"]
    calib = real("calibrate", corpus / "seeds", "--engine", "pure", cwd=tmp_path)
    explain = real("explain", corpus / "seeds" / "000_69a4ab76882569fd.txt", "--engine", "pure", cwd=tmp_path)
    assert calib.returncode == 0 and explain.returncode == 0
    assert snapshot(corpus) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "out"]


@pytest.mark.parametrize("fmt", ["table", "json", "sarif", "junit", "github", "markdown"])
def test_every_format_on_the_shifted_seeds(cli, fmt):
    result = cli(SHIFTED, "--engine", "pure", "--format", fmt)
    assert result.exit_code == 1
    out = result.stdout
    assert out.endswith("\n")
    a, b = f"{SHIFTED}/seed000_relabelled_2.txt", f"{SHIFTED}/seed002_relabelled_1.txt"
    if fmt == "table":
        assert f"INCONSISTENT  {a}:" in out and "awarded 2, evidence 4 (index 3.76;" in out
        assert f"INCONSISTENT  {b}:" in out and "awarded 1, evidence 3 (index 3.49;" in out
        assert "\x1b[" not in out  # no colour off a terminal
    elif fmt == "json":
        assert [r["verdict"] for r in json.loads(out)["reports"]] == ["inconsistent", "inconsistent"]
    elif fmt == "sarif":
        doc = json.loads(out)
        assert doc["version"] == "2.1.0"
        results = doc["runs"][0]["results"]
        below = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                  r["locations"][0]["physicalLocation"]["region"]["startLine"], r["level"])
                 for r in results if r["ruleId"] == BELOW]
        assert below == [(f"file://{a}", 24, "error"), (f"file://{b}", 22, "error")]  # absolute paths: file URIs
    elif fmt == "junit":
        root = ET.fromstring(out)
        assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("2", "2", "0")
        assert [c.get("name") for c in root.iter("testcase")] == [a, b]
        assert all(c.find("failure") is not None for c in root.iter("testcase"))
    elif fmt == "github":
        assert out.splitlines()[0].startswith(f"::error file={a},line=24,title={BELOW}::The text reads as band 4")
        assert f"::error file={b},line=22,title={BELOW}::" in out
    elif fmt == "markdown":
        assert f"**`{a}`** — awarded 2, evidence 4 (index 3.76): **inconsistent**" in out
        assert f"`{BELOW}`" in out


def test_several_outputs_and_the_table_on_stdout(cli, tmp_path):
    f, g = tmp_path / "result.json", tmp_path / "sub" / "result.sarif"
    g.parent.mkdir()
    result = cli(SHIFTED, "--engine", "pure", "--output", f"json={f}", "--output", f"sarif={g}")
    assert result.exit_code == 1
    assert f"INCONSISTENT  {SHIFTED}/seed000_relabelled_2.txt:" in result.stdout
    assert f.read_text("utf-8") == cli(SHIFTED, "--engine", "pure", "--format", "json").stdout
    assert g.read_text("utf-8") == cli(SHIFTED, "--engine", "pure", "--format", "sarif").stdout
    assert json.loads(g.read_text("utf-8"))["version"] == "2.1.0"


# ---- --fail-on -------------------------------------------------------------------------------


def test_fail_on_never_passes_the_shifted_seeds(cli):
    result = cli(SHIFTED, "--engine", "pure", "--fail-on", "never", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert [r["verdict"] for r in doc["reports"]] == ["inconsistent", "inconsistent"]  # the verdict is unchanged
    assert doc["summary"]["exit_code"] == 0 and doc["summary"]["fail_on"] == "never"


def test_fail_on_warning_with_only_warnings(cli, tmp_path):
    corpus = tmp_path / "warnings_only"
    corpus.mkdir()
    shutil.copy(SYNTHETIC / "s19_silverholme.txt", corpus)  # a consistent 4 with warnings only
    doc = json.loads(cli(corpus, "--engine", "pure", "--format", "json").stdout)
    findings = doc["reports"][0]["findings"]
    assert doc["reports"][0]["verdict"] == "consistent"
    assert findings and {f["severity"] for f in findings} == {"warning"}
    assert cli(corpus, "--engine", "pure").exit_code == 0  # default: only errors fail
    assert cli(corpus, "--engine", "pure", "--fail-on", "error").exit_code == 0
    assert cli(corpus, "--engine", "pure", "--fail-on", "warning").exit_code == 1
    assert cli(corpus, "--engine", "pure", "--fail-on", "info").exit_code == 1
    done = real(corpus, "--engine", "pure", "--fail-on", "warning", cwd=tmp_path)
    assert done.returncode == 1


def test_fail_on_info_with_only_infos(cli, tmp_path):
    corpus = tmp_path / "infos_only"
    corpus.mkdir()
    shutil.copy(SYNTHETIC / "s09_quillington.md", corpus)
    doc = json.loads(cli(corpus, "--engine", "pure", "--format", "json").stdout)
    assert {f["severity"] for f in doc["reports"][0]["findings"]} == {"info"}
    assert cli(corpus, "--engine", "pure", "--fail-on", "warning").exit_code == 0
    assert cli(corpus, "--engine", "pure", "--fail-on", "info").exit_code == 1


# ---- calibrate, explain, rules -------------------------------------------------------------------


def test_calibrate_on_seeds_and_synthetic(tmp_path):
    done = real("calibrate", SEEDS, SYNTHETIC, "--format", "json", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["reports"] == 25
    assert result["unreadable"] == []
    assert sum(sum(row.values()) for row in result["confusion"].values()) == 25
    assert [r["path"] for r in result["per_report"]][:5] == [str(p) for p in sorted(SEEDS.glob("*.txt"))]
    awarded = {Path(r["path"]).name: r["awarded"] for r in result["per_report"]}
    manifest = yaml.safe_load((SYNTHETIC / "expected.yaml").read_text("utf-8"))
    assert all(awarded[e["file"]] == e["awarded_score"] for e in manifest)


def test_explain_shows_themes_and_set_aside(cli):
    seed = SEEDS / "003_54c3d31a3b902f41.txt"
    text = cli("explain", seed, "--engine", "pure")
    assert text.exit_code == 0
    out = text.stdout
    assert out.startswith(f"CONSISTENT    {seed}:")
    assert "awarded 3, evidence 3 (index 2.95; 0.45 above the 2.50 needed for a 3)" in out
    assert "Why this band:" in out and "Set aside (not counted):" in out
    data = json.loads(cli("explain", seed, "--engine", "pure", "--format", "json").stdout)
    themes = [t["theme"] for t in data["themes"]]
    assert {"co-production", "complaints", "workforce-stability"} <= set(themes)
    for theme in themes:
        assert f"\n{theme}: " in out, theme
    assert data["set_aside"]
    for item in data["set_aside"]:
        assert isinstance(item["line"], int) and item["reason"]
    # The clauses it cites sit on the lines it names.
    lines = seed.read_text("utf-8").splitlines()
    for theme in data["themes"]:
        for ev in theme["evidence"]:
            assert ev["clause"][:25] in lines[ev["line"] - 1], ev


def test_explain_on_a_shifted_seed_exits_1(tmp_path):
    done = real("explain", SHIFTED / "seed002_relabelled_1.txt", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stdout.startswith("INCONSISTENT  ")
    assert BELOW in done.stdout


def test_rules_list_validate_and_test(cli, tmp_path):
    listed = cli("rules", "list", "--format", "json")
    assert listed.exit_code == 0
    ids = [r["id"] for r in json.loads(listed.stdout)]
    assert BELOW in ids and ids == sorted(ids)
    table = cli("rules", "list")
    assert table.exit_code == 0 and BELOW in table.stdout
    validate = cli("rules", "validate")
    assert validate.exit_code == 0
    # valid: the summary ends in "no problems." or, with the lexicon's own warnings, "N warning(s)."
    assert re.search(r"expectations: (?:no problems|\d+ warning\(s\))\.$", validate.stdout.strip())
    assert ": error" not in validate.stdout
    assert f"{len([i for i in ids if not i.startswith('lii-check.')])} expectations" in validate.stdout  # + 2 built-in rules
    # In a real process on one manifest folder: every manifest of the corpus passes in
    # tests/test_rulebook_quality.py, in process; here the subject is the command and its exit code.
    done = real("rules", "test", "--fixtures", FIXTURES / "probe18", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-2000:]
    passed = re.match(r"(\d+) passed, 0 failed ", done.stdout.splitlines()[-1])
    alone = re.match(r"(\d+) passed, 0 failed ", cli("rules", "test", "--engine", "pure").stdout.splitlines()[-1])
    assert passed and alone and int(passed.group(1)) == int(alone.group(1)) + 12  # the folder's 12 reports tested


# ---- inline suppressions -----------------------------------------------------------------------


def _with_comments(tmp_path, *comments):
    """A copy of a shifted seed with comments inserted after its front matter (line 6 on)."""
    corpus = tmp_path / "suppressed"
    corpus.mkdir(exist_ok=True)
    lines = (SHIFTED / "seed000_relabelled_2.txt").read_text("utf-8").split("\n")
    assert lines[4] == "---" and lines[5] == ""  # end of front matter, then the file's first blank line
    target = corpus / "seed000.txt"
    target.write_text("\n".join(lines[:5] + list(comments) + lines[5:]), "utf-8")
    return corpus, len(comments)


def test_suppression_with_a_reason_moves_the_finding(cli, tmp_path):
    corpus, shift = _with_comments(
        tmp_path, "<!-- lii-check-disable consistency.score-below-evidence: accepted by panel -->")
    result = cli(corpus, "--engine", "pure", "--format", "json")
    assert result.exit_code == 0
    report = json.loads(result.stdout)["reports"][0]
    assert report["verdict"] == "consistent"
    assert [f["rule"] for f in report["suppressed"]] == [BELOW]
    assert BELOW not in [f["rule"] for f in report["findings"]]
    assert all(f["severity"] != "error" for f in report["findings"])
    assert not any(f["rule"].startswith("lii-check.") for f in report["findings"])
    # The comment line shifts the text down one line; the cited evidence follows it.
    suppressed = report["suppressed"][0]
    assert suppressed["evidence"][0]["line"] == 24 + shift
    text = (corpus / "seed000.txt").read_text("utf-8").splitlines()
    assert suppressed["evidence"][0]["text"] in text[suppressed["evidence"][0]["line"] - 1]
    assert cli(corpus, "--engine", "pure", "--fail-on", "never").exit_code == 0


def test_suppression_without_a_reason_warns(cli, tmp_path):
    corpus, _ = _with_comments(tmp_path, "<!-- lii-check-disable consistency.score-below-evidence -->")
    result = cli(corpus, "--engine", "pure", "--format", "json")
    report = json.loads(result.stdout)["reports"][0]
    assert [f["rule"] for f in report["suppressed"]] == [BELOW]
    warning = next(f for f in report["findings"] if f["rule"] == "lii-check.suppression-without-reason")
    assert (warning["severity"], warning["line"]) == ("warning", 6)
    assert "consistency.score-below-evidence" in warning["message"] and "gives no reason" in warning["message"]
    assert report["verdict"] == "consistent"
    assert result.exit_code == 0
    assert cli(corpus, "--engine", "pure", "--fail-on", "warning").exit_code == 1


def test_suppression_of_a_rule_that_did_not_fire_warns(cli, tmp_path):
    corpus, _ = _with_comments(
        tmp_path, "<!-- lii-check-disable consistency.label-disagrees: the label was checked -->",
        "<!-- lii-check-disable no-such.rule: typo -->")
    result = cli(corpus, "--engine", "pure", "--format", "json")
    assert result.exit_code == 1  # the real error still stands
    report = json.loads(result.stdout)["reports"][0]
    assert report["verdict"] == "inconsistent"
    assert report["suppressed"] == []
    unused = [(f["line"], f["severity"]) for f in report["findings"] if f["rule"] == "lii-check.unused-suppression"]
    assert unused == [(6, "warning"), (7, "warning")]
    below = next(f for f in report["findings"] if f["rule"] == BELOW)
    assert below["evidence"][0]["line"] == 26  # two comment lines inserted above line 24


@pytest.mark.parametrize("comment", [
    "<!-- lii-check-disable -->",  # no rule
    "<!-- lii-check-disabled consistency.score-below-evidence: agreed at panel -->",  # a typo in the keyword
    "<!-- lii-check-disable consistency.score-below-evidence, consistency.score-borderline-low: agreed -->",  # two
    "<!-- lii-check-disable consistency.score-below-evidence: agreed at panel",  # never closed
])
def test_a_suppression_lii_check_cannot_read_is_named_not_ignored(cli, tmp_path, comment):
    corpus, _ = _with_comments(tmp_path, comment)
    result = cli(corpus, "--engine", "pure", "--format", "json")
    assert result.exit_code == 1  # nothing was silenced: the error stands
    report = json.loads(result.stdout)["reports"][0]
    assert report["suppressed"] == [] and BELOW in [f["rule"] for f in report["findings"]]
    [said] = [f for f in report["findings"] if f["rule"] == "lii-check.unused-suppression"]
    assert (said["severity"], said["line"]) == ("warning", 6)
    assert said["message"].startswith("This comment is not a suppression lii-check can read, so it silences nothing: "
                                      f"'{comment[:120]}'. Write one rule per comment")


def test_suppression_in_a_real_process(tmp_path):
    corpus, _ = _with_comments(
        tmp_path, "<!-- lii-check-disable consistency.score-below-evidence: accepted by panel -->")
    done = real(corpus.name, "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 0
    # Width-independent: under pytest, GNU readline exports COLUMNS=80 to child processes.
    assert "CONSISTENT    suppressed/seed000.txt:" in done.stdout and "awarded 2, evidence 4 (index 3.76;" in done.stdout
    assert "1 finding suppressed in the report:" in " ".join(done.stdout.split())


@pytest.mark.parametrize("args, said", [
    (["--min-critical", "0.9"], "--min-critical measures the sentence corpus given with --sentences, and none was given"),
    (["--min-level-accuracy", "0.5", "--min-polarity", "0.5"],
     "--min-level-accuracy and --min-polarity measure the sentence corpus given with --sentences, and none was given"),
    (["--sentences", "fixtures/sentences", "--sentences", "fixtures/sentences/", "--min-critical", "0.5"],
     "the same --sentences folder is given twice"),
])
def test_a_sentence_gate_with_nothing_to_measure_is_a_usage_error(args, said, monkeypatch):
    # A CI gate that lost its --sentences passed every time ("80 passed, 0 failed", exit 0).
    monkeypatch.chdir(REPO)
    result = CliRunner().invoke(main, ["rules", "test", *args])
    assert result.exit_code == 2 and said in result.output
