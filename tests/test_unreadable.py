"""Reports that cannot be read, and runs that cannot start.

An unreadable report is named (with its line where there is one) and judged "unreadable", the rest
of the folder is still checked, and the run exits 1. A usage or rules problem exits 2 with a clear
message. Never a traceback.
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "fixtures" / "seeds"
GOOD = "001_be58087aa61b4f94.txt"
TITLE = b"# Learning, improvement and innovation\n\n"
BODY = b"Staff told us supervision was regular. Training was effective.\n"

# name: (bytes, expected error line or None, phrases the message must contain)
BAD = {
    "empty.txt": (b"", None, ["the file is empty"]),
    "whitespace.md": (b"   \n\t\n  \n", None, ["the file is empty"]),
    "binary.txt": (b"Score: 3\n\x00\x01\x02\x89PNG", None, ["binary file", "NUL bytes"]),
    "latin1.txt": (TITLE + b"Score: 3\n\nStaff at the caf\xe9 were trained.\n", 5, ["not UTF-8", "0xE9", "re-save it as UTF-8"]),
    "no_score.md": (TITLE + BODY, None, ["no score line found", "Score: 3"]),
    "score_five.md": (TITLE + b"Score: 5\n\n" + BODY, 3, ["the score 5 is outside 1-4"]),
    "score_zero.md": (TITLE + b"Score: 0\n\n" + BODY, 3, ["the score 0 is outside 1-4"]),
    "score_words.md": (TITLE + b"Score: three\n\n" + BODY, 3, ["'three' is not a whole number from 1 to 4"]),
    "no_findings.md": (TITLE + b"Score: 3\n\n3 - Evidence shows a good standard\n\n## The local authority commitment\n\n"
                       b"We focus on continuous learning, innovation and improvement across our organisation.\n",
                       3, ["score but no findings text"]),
    "broken_front_matter.md": (b"---\nsynthetic: true\nauthority: [Oakfield\ndate: 2024-01-01\n---\n" + TITLE
                               + b"Score: 3\n\n" + BODY, 4, ["front matter", "not valid YAML"]),
}


def _run(args, cwd):
    """A real process: its exit code, stdout and stderr. (The other tests call the same entry point,
    lii_check.cli.run, in this process: conftest.py's in_process.)"""
    done = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", *args],
                          capture_output=True, text=True, timeout=300, cwd=cwd)
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    return done


def _invoke(args, monkeypatch, cwd):
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, args)
    # CliRunner turns an escaped exception into exit code 1: that must never pass as "unreadable".
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return result


@pytest.fixture
def corpus(tmp_path):
    folder = tmp_path / "corpus"
    folder.mkdir()
    for name, (data, _, _) in BAD.items():
        (folder / name).write_bytes(data)
    shutil.copy(SEEDS / GOOD, folder / "zz_good.txt")
    return folder


@pytest.mark.parametrize("name", sorted(BAD))
def test_each_unreadable_report_alone_beside_a_good_one(tmp_path, monkeypatch, name):
    data, line, phrases = BAD[name]
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / name).write_bytes(data)
    shutil.copy(SEEDS / GOOD, tmp_path / "reports" / "good.txt")
    result = _invoke(["reports", "--engine", "pure", "--format", "json"], monkeypatch, tmp_path)
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    by_path = {r["path"]: r for r in doc["reports"]}
    assert sorted(by_path) == sorted([f"reports/{name}", "reports/good.txt"])
    bad = by_path[f"reports/{name}"]
    assert bad["verdict"] == "unreadable"
    assert bad["error"]["line"] == line
    for phrase in phrases:
        assert phrase in bad["error"]["message"], (phrase, bad["error"])
    assert (bad["awarded_score"], bad["evidence_score"], bad["findings"]) == (None, None, [])
    good = by_path["reports/good.txt"]
    assert (good["verdict"], good["awarded_score"], good["evidence_score"], good["error"]) == ("consistent", 3, 3, None)
    assert doc["summary"]["unreadable"] == 1 and doc["summary"]["consistent"] == 1
    assert doc["summary"]["exit_code"] == 1
    # The table names the file, and the line where there is one.
    table = _invoke(["reports", "--engine", "pure"], monkeypatch, tmp_path)
    assert table.exit_code == 1
    where = f"line {line}: " if line else ""
    # Whitespace-normalised: a long message wraps under the path to fit the width.
    assert f"UNREADABLE reports/{name}: {where}{' '.join(bad['error']['message'].split())}" in " ".join(table.stdout.split())


def test_whole_bad_folder_in_a_real_process(corpus):
    done = _run([str(corpus), "--engine", "pure", "--format", "json"], corpus.parent)
    assert done.returncode == 1
    doc = json.loads(done.stdout)
    assert [r["path"] for r in doc["reports"]] == [f"{corpus}/{n}" for n in sorted([*BAD, "zz_good.txt"])]
    verdicts = {Path(r["path"]).name: r["verdict"] for r in doc["reports"]}
    assert verdicts == {**{n: "unreadable" for n in BAD}, "zz_good.txt": "consistent"}
    assert doc["summary"]["unreadable"] == len(BAD)
    table = _run(["corpus", "--engine", "pure"], corpus.parent)
    assert table.returncode == 1
    flat = " ".join(table.stdout.split())  # messages wrap to the width (readline exports COLUMNS=80 under pytest)
    assert "UNREADABLE corpus/latin1.txt: line 5: the file is not UTF-8 text" in flat
    assert "UNREADABLE corpus/empty.txt: the file is empty" in flat
    assert "CONSISTENT corpus/zz_good.txt: awarded 3, evidence 3" in flat


def test_github_format_points_at_file_and_line(corpus, in_process):
    done = in_process("corpus", "--engine", "pure", "--format", "github", cwd=corpus.parent)
    assert done.returncode == 1
    assert "::error file=corpus/score_five.md,line=3,title=unreadable::the score 5 is outside 1-4" in done.stdout
    assert "::error file=corpus/binary.txt,title=unreadable::this looks like a binary file" in done.stdout


def test_explain_on_an_unreadable_report(tmp_path, in_process):
    (tmp_path / "latin1.txt").write_bytes(BAD["latin1.txt"][0])
    done = in_process("explain", "latin1.txt", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 1
    assert done.stderr.startswith("latin1.txt:5: unreadable: the file is not UTF-8 text")


def test_front_matter_with_impossible_date_is_unreadable_not_a_crash(tmp_path, in_process):
    (tmp_path / "reports").mkdir()
    (tmp_path / "reports" / "bad_date.md").write_bytes(
        b"---\nsynthetic: true\ndate: 2024-13-45\n---\n" + TITLE + b"Score: 3\n\n" + BODY)
    shutil.copy(SEEDS / GOOD, tmp_path / "reports" / "good.txt")
    done = in_process("reports", "--engine", "pure", "--format", "json", cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    by_path = {r["path"]: r for r in json.loads(done.stdout)["reports"]}
    assert by_path["reports/good.txt"]["verdict"] == "consistent"
    bad = by_path["reports/bad_date.md"]
    assert bad["verdict"] == "unreadable"
    assert "front matter" in bad["error"]["message"]


# ---- usage and rules errors: exit 2 --------------------------------------------------------


def test_folder_without_reports(tmp_path, in_process):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "readme.rst").write_text("nothing here", "utf-8")
    (tmp_path / "notes" / ".hidden.md").write_text("Score: 3\n\nStaff were trained.\n", "utf-8")
    done = in_process("notes", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr == "lii-check: notes: no reports found (looked for .txt and .md files in the folder and below)\n"


def test_path_that_does_not_exist(tmp_path, in_process):
    done = in_process("missing-folder", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr == "lii-check: missing-folder: no such file or folder\n"


def test_missing_path_beside_a_good_one_is_still_a_usage_error(tmp_path, in_process):
    shutil.copy(SEEDS / GOOD, tmp_path / "good.txt")
    done = in_process("good.txt", "missing.txt", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 2
    assert "missing.txt: no such file or folder" in done.stderr


@pytest.fixture
def broken_rules(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(REPO / "rules", rules, ignore=shutil.ignore_patterns("tests", "__init__.py", "__pycache__", "*.md"))
    text = (rules / "supervision.yaml").read_text("utf-8")
    assert "\nweight: 1.2\n" in text
    (rules / "supervision.yaml").write_text(text.replace("\nweight: 1.2\n", "\nweight: heavy\n"), "utf-8")
    (rules / "zz-broken.yaml").write_text("kind: theme\ntheme: [unclosed\n", "utf-8")
    return rules


def test_check_with_a_broken_rules_folder(tmp_path, broken_rules, in_process):
    shutil.copy(SEEDS / GOOD, tmp_path / "good.txt")
    done = in_process("good.txt", "--rules", "rules", "--engine", "pure", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""  # nothing was checked
    lines = done.stderr.splitlines()
    assert lines[0] == "rules/supervision.yaml:6:9: this should be a number in 'weight', not text"
    # the list left open on line 2 is named there, with what to close
    assert lines[1] == ("rules/zz-broken.yaml:2:1: YAML syntax error: the file ends inside a list, a block or a "
                        "quotation: close the '[', '{' or quote left open on or before this line")
    assert lines[-1] == "lii-check: 2 problem(s) in the rules; nothing was done: fix them and run again."


def test_rules_validate_lists_every_problem(tmp_path, broken_rules, in_process):
    done = in_process("rules", "validate", "rules", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout.splitlines()[0] == "rules/supervision.yaml:6:9: this should be a number in 'weight', not text"
    assert done.stdout.splitlines()[1].startswith("rules/zz-broken.yaml:2:1: YAML syntax error")
    assert "2 problem(s) found." in done.stderr


@pytest.mark.parametrize("inside", ["corpus/out.json", "corpus/sub/out.sarif", "corpus"])
def test_output_inside_the_corpus_is_refused(tmp_path, inside, in_process):
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(SEEDS / GOOD, corpus / "sub" / "good.txt")
    fmt = "sarif" if inside.endswith(".sarif") else "json"
    before = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*"))
    done = in_process("corpus", "--engine", "pure", "--output", f"{fmt}={inside}", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"lii-check: --output {fmt}={inside}: refusing to write into ")
    assert done.stderr.rstrip().endswith("(lii-check never writes where it reads): choose a path outside it")
    assert str(corpus) in done.stderr
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == before


def test_output_with_a_bad_format_name(tmp_path, in_process):
    shutil.copy(SEEDS / GOOD, tmp_path / "good.txt")
    done = in_process("good.txt", "--engine", "pure", "--output", "pdf=out.pdf", cwd=tmp_path)
    assert done.returncode == 2
    assert "--output takes FORMAT=FILE" in done.stderr and "got 'pdf=out.pdf'" in done.stderr
    assert not (tmp_path / "out.pdf").exists()


def test_unknown_format(tmp_path, monkeypatch, in_process):
    shutil.copy(SEEDS / GOOD, tmp_path / "good.txt")
    done = in_process("good.txt", "--engine", "pure", "--format", "pdf", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stdout == ""
    assert "Invalid value for '--format': 'pdf' is not one of 'table', 'concise', 'json', 'sarif', 'junit', 'github', 'markdown', 'html'." \
        in done.stderr
    result = _invoke(["check", "good.txt", "--engine", "pure", "--format", "pdf"], monkeypatch, tmp_path)
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.stderr
