"""Bad input never produces a traceback and never passes silently."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main

REPO = Path(__file__).resolve().parents[1]
GOOD = REPO / "fixtures/seeds/001_be58087aa61b4f94.txt"

BAD = {
    "empty.txt": (b"", None, "the file is empty"),
    "blank.md": (b"\n   \n\t\n", None, "the file is empty"),
    "binary.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", None, "binary file"),
    "latin1.txt": ("Score: 3\n\n3 - Evidence shows a good standard\n\nCaf\u00e9 staff were trained.\n".encode("latin-1"), 5, "not UTF-8"),
    "noscore.md": (b"# Learning, improvement and innovation\n\nStaff were trained.\n", None, "no score line found"),
    "five.md": (b"Score: 5\n\nStaff were trained.\n", 1, "the score 5 is outside 1-4"),
    "zero.md": (b"Score: 0\n\nStaff were trained.\n", 1, "the score 0 is outside 1-4"),
    "words.md": (b"Score: three\n\nStaff were trained.\n", 1, "'three' is not a whole number from 1 to 4"),
    "nofindings.md": (b"Score: 3\n\n3 - Evidence shows a good standard\n", 1, "no findings text"),
    "frontmatter.md": (b"---\nauthority: [unclosed\n---\nScore: 3\n\nStaff were trained.\n", None, "front matter"),
}


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, (data, _, _) in BAD.items():
        (folder / name).write_bytes(data)
    shutil.copy(GOOD, folder / "good.txt")
    return folder


def test_each_bad_report_is_unreadable_with_a_plain_message(corpus):
    result = CliRunner().invoke(main, [str(corpus), "--engine", "pure", "--format", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    by_name = {Path(r["path"]).name: r for r in doc["reports"]}
    assert by_name["good.txt"]["verdict"] == "consistent"  # the run went on
    for name, (_, line, message) in BAD.items():
        report = by_name[name]
        assert report["verdict"] == "unreadable", name
        assert message in report["error"]["message"], (name, report["error"])
        if line is not None:
            assert report["error"]["line"] == line, name
    assert doc["summary"]["unreadable"] == len(BAD)


def test_table_names_file_and_line_and_no_traceback(corpus):
    # Wide enough that the long temporary paths stay whole on their heading line.
    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", str(corpus), "--engine", "pure"],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "250"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr + done.stdout
    assert f"UNREADABLE    {corpus}/latin1.txt: line 5: " in done.stdout
    assert f"UNREADABLE    {corpus}/five.md: line 1: the score 5 is outside 1-4" in done.stdout


@pytest.mark.parametrize("args, message", [
    (["EMPTY_DIR"], "no reports found"),
    (["MISSING"], "no such file or folder"),
    (["CORPUS", "--output", "json=CORPUS/out.json"], "refusing to write into the corpus"),
    (["CORPUS", "--output", "yaml=out.yaml"], "--output takes FORMAT=FILE"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    (tmp_path / "empty").mkdir()
    (tmp_path / "c").mkdir()
    shutil.copy(GOOD, tmp_path / "c" / "good.txt")
    subs = {"EMPTY_DIR": str(tmp_path / "empty"), "MISSING": str(tmp_path / "missing"), "CORPUS": str(tmp_path / "c")}
    real = [subs.get(a, a) for a in args]
    real = [a.replace("CORPUS", str(tmp_path / "c")) for a in real]
    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", *real, "--engine", "pure"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["good.txt"]


def test_unknown_format_and_broken_rules_exit_2(tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, [str(GOOD), "--format", "yaml"]).exit_code == 2
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    path = rules / "supervision.yaml"
    path.write_text(path.read_text("utf-8").replace("weight: 1.2", "weight: [1.2"), "utf-8")
    result = runner.invoke(main, [str(GOOD), "--rules", str(rules)])
    assert result.exit_code == 2
    assert f"{path}:" in result.stderr and "YAML syntax error" in result.stderr
