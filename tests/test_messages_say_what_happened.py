"""Messages that said something other than what happened (the third hostile round): each names the real cause."""
import os
import shutil
from pathlib import Path

from click.testing import CliRunner

from lii_check.cli import main
from lii_check.discovery import shown_path
from lii_check.parser import decode_report, parse_report

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "000_69a4ab76882569fd.txt"


def test_a_manifest_that_lists_one_report_twice_is_a_manifest_problem(tmp_path):
    # Two contradictory entries were both tested, and one of them always failed: which expectation was meant?
    shutil.copy(SEED, tmp_path / "a.txt")
    (tmp_path / "expected.yaml").write_text("- file: a.txt\n  verdict: consistent\n- file: a.txt\n  verdict: inconsistent\n")
    done = CliRunner().invoke(main, ["rules", "test", "--fixtures", str(tmp_path)])
    assert done.exit_code == 2
    assert f"{tmp_path / 'expected.yaml'}:3: 'file: a.txt' is listed again (first on line 1): keep one entry per report" \
        in done.output


def test_an_output_path_ending_in_a_slash_names_a_folder_and_is_refused(tmp_path, monkeypatch):
    # Path() drops the slash, so "out/x.json/" quietly wrote the file out/x.json.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "out").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / "a.txt")
    done = CliRunner().invoke(main, ["--engine", "pure", "--output", "json=out/x.json/", "corpus"])
    assert done.exit_code == 2 and "out/x.json/ ends with '/', so it names a folder: give a file name" in done.output
    assert list((tmp_path / "out").iterdir()) == []


def test_nel_and_unicode_line_separators_end_lines():
    # A mainframe or Word export: read as one line, the report had "no score line found".
    text = SEED.read_text("utf-8")
    for separator in ("\x85", "\u2028"):
        report = parse_report(decode_report(text.replace("\n", separator).encode("utf-8")), "r.txt")
        plain = parse_report(text, "r.txt")
        assert (report.awarded_score, report.score_line) == (plain.awarded_score, plain.score_line)


def test_a_name_with_control_characters_is_shown_with_their_codes_not_without_them():
    # Removed by the outputs' neutralising, "x\x1b]0;PWNED\x07y.txt" was shown as "xy.txt", a file that does not exist.
    assert shown_path("esc/x\x1b]0;PWNED\x07y.txt") == "esc/x\\x1b]0;PWNED\\x07y.txt"
    assert shown_path("plain name.txt") == "plain name.txt"
    assert shown_path("c\U000e0041\U000e0042d.txt") == "c\\U000e0041\\U000e0042d.txt"  # invisible, outside the BMP
    assert shown_path("lat\udce9.md") == "lat\\xe9.md"  # not UTF-8: its byte, as before
