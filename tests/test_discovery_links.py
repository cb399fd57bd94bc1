"""What discovery leaves out, and how it says so. A symlinked report that leads out of the checkout (the
folder searched and the current folder) is not read when a folder is searched, as a symlinked folder
leading out is not followed: a link planted in a corpus must not put a private file into a report's
excerpts or a published SARIF file. The user can still check such a file by naming it. Files left out by
exclude patterns, or in formats lii-check does not read, are named, whatever bytes their names hold."""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from lii_check.discovery import find_reports

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symlinks")
SEED = Path(__file__).resolve().parents[1] / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt"


def test_a_symlinked_report_leading_out_of_the_checkout_is_not_read_and_is_named(tmp_path, monkeypatch):
    checkout, outside = tmp_path / "checkout", tmp_path / "runner-home"
    (checkout / "corpus").mkdir(parents=True)
    outside.mkdir()
    (checkout / "corpus" / "good.txt").write_bytes(SEED.read_bytes())
    (outside / "private.txt").write_text("Score: 3\n\nA private note (synthetic).\n", "utf-8")
    (checkout / "corpus" / "planted.txt").symlink_to(outside / "private.txt")
    (checkout / "shared.txt").write_bytes(SEED.read_bytes())
    (checkout / "corpus" / "inside.md").symlink_to(checkout / "shared.txt")  # inside the checkout: read
    monkeypatch.chdir(checkout)
    found = find_reports(["corpus"])
    assert [f.display for f in found.files] == ["corpus/good.txt", "corpus/inside.md"]
    assert found.outside_files == ["corpus/planted.txt"]
    assert found.notes() == ["symlinked report(s) leading outside the folder checked and the current folder (to "
                             "check one, name it on the command line): corpus/planted.txt"]
    # Named on the command line, it is the user's choice: read.
    assert [f.display for f in find_reports(["corpus/planted.txt"]).files] == ["corpus/planted.txt"]


def test_the_cli_reports_the_link_it_did_not_read_and_never_quotes_it(tmp_path, monkeypatch, in_process):
    (tmp_path / "checkout" / "corpus").mkdir(parents=True)
    (tmp_path / "checkout" / "corpus" / "good.txt").write_bytes(SEED.read_bytes())
    (tmp_path / "private.txt").write_text("Score: 4\n\nThe secret token is 12345 (synthetic).\n", "utf-8")
    (tmp_path / "checkout" / "corpus" / "planted.txt").symlink_to(tmp_path / "private.txt")
    ran = in_process("corpus", "--format", "json", cwd=tmp_path / "checkout")
    doc = json.loads(ran.stdout)
    assert [r["path"] for r in doc["reports"]] == ["corpus/good.txt"]  # not read: not a report of the run
    assert any(note.endswith("(to check one, name it on the command line): corpus/planted.txt")
               for note in doc["summary"]["not_searched"])
    assert "12345" not in ran.stdout


def test_the_files_left_out_by_exclude_patterns_are_named(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    (corpus / "venv" / "lib").mkdir(parents=True)
    (corpus / "good.txt").write_bytes(SEED.read_bytes())
    (corpus / "README.md").write_text("# About these reports\n", "utf-8")  # found by the search
    (corpus / "venv" / "lib" / "notes.txt").write_text("not a report\n", "utf-8")
    (tmp_path / "CHANGELOG.md").write_text("# Changes\n", "utf-8")  # named on the command line
    monkeypatch.chdir(tmp_path)
    found = find_reports(["corpus", "CHANGELOG.md"])
    assert [f.display for f in found.files] == ["corpus/good.txt"]
    assert found.notes() == ["3 file(s) or folder(s) left out by exclude patterns: CHANGELOG.md, corpus/README.md, "
                             "corpus/venv/"]
    # A file reached both ways is named once.
    assert find_reports(["corpus", "corpus/README.md"]).notes() == [
        "3 file(s) or folder(s) left out by exclude patterns: corpus/README.md, corpus/venv/"]


def test_a_left_out_file_whose_name_is_not_utf8_is_named_and_every_output_is_written(tmp_path, in_process):
    # A PDF whose name is not valid UTF-8 beside a report: the note names it with its byte (\xff), as the reports
    # themselves are shown, and writing the JSON output does not fail on the name (it did: exit 3).
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes(SEED.read_bytes())
    with open(os.path.join(os.fsencode(corpus), b"\xff.pdf"), "wb") as handle:
        handle.write(b"%PDF-1.4")
    ran = in_process("corpus", "--engine", "pure", "--output", "json=out.json", cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    [note] = json.loads((tmp_path / "out.json").read_text("utf-8"))["summary"]["not_searched"]
    assert note.endswith(": corpus/\\xff.pdf")
