"""Files a run leaves out are said by every format, and SARIF's exit code description says what happened.

Two hostile17 defects. (12) When a folder holds files lii-check does not check (a README.md, which the default
exclude patterns leave out; a hidden draft ".draft.md"; a ".markdown" file it asks to be renamed), the table and
the JSON summary ("not_searched") said so, but the CI formats (github, sarif, junit, markdown, concise, html) said
nothing and exited 0: a CI step passed while a report went unchecked. (09) SARIF's exitCodeDescription said
"every report consistent" when a report was inconsistent and the run passed only because of --fail-on never.

Every test runs lii-check's own entry point on a real corpus: a real seed report, and a synthetic report
(labelled synthetic in its front matter) scored 4 while its text reads far lower, saved under the three names the
run leaves out. Had any of them been checked it would have failed the run, which is what makes silence a defect.
"""
from __future__ import annotations

import html
import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import cmarkgfm
import jsonschema
import pytest

from lii_check.discovery import Discovery
from lii_check.formats._common import named_paths

REPO = Path(__file__).resolve().parents[1]
SEED = REPO / "fixtures" / "seeds" / "000_69a4ab76882569fd.txt"  # a real report, consistent
RELABELLED = REPO / "fixtures" / "shifted" / "seed002_relabelled_1.txt"  # a real report given a wrong score
SARIF_SCHEMA = Path(__file__).parent / "data" / "formats" / "sarif-schema-2.1.0.json"

MIS_SCORED = """---
synthetic: true
note: Synthetic LII section written for lii-check tests (awarded 4, its text reads far lower). Not a CQC publication.
---

# Learning, improvement and innovation

Score: 4

## Key findings for this quality statement

There was no learning from complaints, supervision had stopped and there was no workforce plan. Training
compliance was 31%. Staff said they felt unsupported and morale was very low. The Ombudsman found fault in 9 of
10 cases and remedies were late. Co-production had been abandoned.
"""

# Each file the run leaves out, and the words of the reason the summary gives for it.
LEFT_OUT = {
    "reports/.draft.md": "hidden file(s) not read as reports",
    "reports/README.md": "left out by exclude patterns",
    "reports/lii-section.markdown": "in a format lii-check does not read",
}
OUTPUTS = {"junit": "lii.xml", "sarif": "lii.sarif", "markdown": "lii.md", "concise": "lii.concise.txt",
           "html": "lii.html", "table": "lii.txt", "json": "lii.json"}


def _corpus(tmp_path: Path, *, left_out: bool = True) -> Path:
    reports = tmp_path / "reports"
    reports.mkdir()
    shutil.copy(SEED, reports / SEED.name)
    if left_out:
        for path in LEFT_OUT:
            (tmp_path / path).write_text(MIS_SCORED, "utf-8")
    return reports


def _run(in_process, tmp_path: Path, *flags: str) -> tuple[int, dict[str, str]]:
    """One run, every format: github on stdout, the others written by --output."""
    out = tmp_path / "out"
    out.mkdir(exist_ok=True)
    targets = [arg for fmt, name in OUTPUTS.items() for arg in ("--output", f"{fmt}=out/{name}")]
    done = in_process("--engine", "pure", *flags, "--format", "github", *targets, "reports", cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr
    texts = {fmt: (out / name).read_text("utf-8") for fmt, name in OUTPUTS.items()}
    return done.returncode, {"github": done.stdout, **texts}


@pytest.fixture
def left_out_run(tmp_path, in_process):
    _corpus(tmp_path)
    code, outputs = _run(in_process, tmp_path)
    notes = json.loads(outputs["json"])["summary"]["not_searched"]
    return code, outputs, notes


def _note_naming(notes: list[str], path: str) -> str:
    (note,) = [n for n in notes if n.endswith(": " + path)]
    return note


def test_the_summary_names_each_file_and_the_run_passes_as_it_does_without_them(left_out_run, tmp_path, in_process):
    code, outputs, notes = left_out_run
    for path, reason in LEFT_OUT.items():
        assert reason in _note_naming(notes, path)
        assert f"Not searched: {_note_naming(notes, path)}." in " ".join(outputs["table"].split())
    # Not searched is not a failure, in the table or anywhere: the exit code is the one the seed alone gives.
    assert code == 0 and json.loads(outputs["json"])["summary"]["exit_code"] == 0
    alone = tmp_path / "alone"
    alone.mkdir()
    _corpus(alone, left_out=False)
    assert _run(in_process, alone)[0] == code


def test_github_puts_a_notice_on_each_file_left_out(left_out_run):
    _, outputs, notes = left_out_run
    notices = [line for line in outputs["github"].splitlines() if line.startswith("::notice ")]
    for path in LEFT_OUT:
        (line,) = [n for n in notices if n.startswith(f"::notice file={path},")]
        assert line.endswith(f"::Not searched: {_note_naming(notes, path)}."), line
        assert "title=lii-check%3A not searched" in line
    # Nothing about them reads as a failure: no ::error (the step passes) and no ::warning.
    assert not [line for line in outputs["github"].splitlines() if line.startswith(("::error", "::warning"))]


def test_sarif_has_a_tool_notification_located_at_each_file_left_out(left_out_run):
    _, outputs, notes = left_out_run
    sarif = json.loads(outputs["sarif"])
    jsonschema.Draft4Validator(json.loads(SARIF_SCHEMA.read_text("utf-8"))).validate(sarif)
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["exitCode"] == 0
    by_uri = {}
    for notification in invocation["toolExecutionNotifications"]:
        assert notification["level"] == "note"
        for location in notification["locations"]:
            where = location["physicalLocation"]["artifactLocation"]
            assert where["uriBaseId"] == "%SRCROOT%"
            by_uri[where["uri"]] = notification["message"]["text"]
    assert by_uri == {path: f"Not searched: {_note_naming(notes, path)}." for path in LEFT_OUT}


def test_junit_has_a_skipped_case_for_each_file_left_out(left_out_run):
    _, outputs, notes = left_out_run
    root = ET.fromstring(outputs["junit"].encode("utf-8"))
    (suite,) = root.iter("testsuite")
    for counts in (root, suite):
        assert (counts.get("tests"), counts.get("failures"), counts.get("errors"), counts.get("skipped")) == \
            ("4", "0", "0", "3")
    skipped = {case.get("name"): case.find("skipped") for case in suite.iter("testcase")
               if case.find("skipped") is not None}
    assert {name: el.get("message") for name, el in skipped.items()} == {
        path: f"Not searched: {_note_naming(notes, path)}." for path in LEFT_OUT}
    # The report that was checked is still a plain passing case.
    checked = [case for case in suite.iter("testcase") if case.get("name") == f"reports/{SEED.name}"]
    assert len(checked) == 1 and list(checked[0]) == []


def _paragraphs(markdown: str) -> list[str]:
    """The paragraphs a reader of the pull-request comment sees (GitHub's own parser), as plain text."""
    rendered = cmarkgfm.github_flavored_markdown_to_html(markdown)
    return [html.unescape(re.sub(r"<[^>]+>", "", p)) for p in re.findall(r"<p>(.*?)</p>", rendered, re.S)]


def test_markdown_says_each_file_left_out_in_a_line_of_its_own(left_out_run):
    _, outputs, notes = left_out_run
    seen = [p for p in _paragraphs(outputs["markdown"]) if p.startswith("Not searched: ")]
    assert seen == [f"Not searched: {note}." for note in notes]
    for path in LEFT_OUT:
        assert sum(path in p for p in seen) == 1
    assert "**Result:** passes (exit code 0)" in outputs["markdown"]


def test_concise_says_each_file_left_out_in_a_line_of_its_own_before_the_summary(left_out_run):
    _, outputs, notes = left_out_run
    *lines, last = outputs["concise"].splitlines()
    assert lines[-len(notes):] == [f"Not searched: {note}." for note in notes]
    for path in LEFT_OUT:
        assert sum(path in line for line in lines) == 1
    assert last.startswith("1 report: 1 consistent")


def test_html_shows_the_files_left_out_open_in_the_summary(left_out_run):
    _, outputs, notes = left_out_run
    page = outputs["html"]
    match = re.search(r'<details open><summary>Not searched \(3\)</summary><ul>(.*?)</ul></details>', page)
    assert match, "no open 'Not searched' list in the page"
    assert re.findall(r"<li>(.*?)</li>", match.group(1)) == [html.escape(f"{note}.") for note in notes]
    # Inside the summary section, which no stylesheet or attribute hides.
    section = page[page.index('<section id="summary"'):]
    assert section.index("Not searched (3)") < section.index("</section>")


def test_every_format_is_the_same_byte_for_byte_on_a_second_run(left_out_run, tmp_path, in_process):
    _, first, _ = left_out_run
    again = tmp_path / "again"
    again.mkdir()
    _corpus(again)
    _, second = _run(in_process, again)
    assert second == first


# --- reading the paths back out of the summary's sentences ------------------------------------------------

def test_every_sentence_discovery_writes_gives_back_the_paths_it_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the lists without a count are checked against the disk: these paths exist here
    (tmp_path / "r").mkdir()
    for name in ("out", "away"):
        (tmp_path / "r" / name).mkdir()
    found = Discovery(files=[], hidden_folders=2, hidden_reports=["r/.b.md", "r/.a.md"], excluded=2,
                      excluded_paths=["r/README.md", "r/old/"], repeated_folders=["r/loop"],
                      outside_links=["r/out", "r/away"], outside_files=["r/link.md"],
                      other_formats=["r/x.docx", "r/note: 1.markdown"])
    assert [named_paths(note) for note in found.notes()] == [
        (),  # hidden folders are only counted
        ("r/.a.md", "r/.b.md"),
        ("r/README.md", "r/old/"),
        ("r/loop",),
        ("r/out", "r/away"),
        ("r/link.md",),
        ("r/note: 1.markdown", "r/x.docx"),
    ]


def test_a_reason_holding_a_colon_and_a_list_cut_short_are_read_right():
    renamed = Discovery(files=[], other_formats=["r/a.markdown"]).notes()[0]
    assert "already: rename" in renamed  # a ": " inside the reason's parentheses
    assert named_paths(renamed) == ("r/a.markdown",)
    many = [f"r/.{n:02}.md" for n in range(13)]
    (cut,) = Discovery(files=[], hidden_reports=many).notes()
    assert cut.endswith(" and 3 more") and named_paths(cut) == tuple(many[:10])


def test_a_list_without_a_count_is_split_only_into_paths_that_exist(tmp_path, monkeypatch):
    # "lii-check corpus > 'corpus/log, run 1.txt'": the own-output sentence has no count to check the split against
    monkeypatch.chdir(tmp_path)
    (tmp_path / "corpus").mkdir()
    (tmp_path / "corpus" / "log, run 1.txt").write_text("", encoding="utf-8")
    (note,) = Discovery(files=[], own_output=["corpus/log, run 1.txt"]).notes()
    assert named_paths(note) == ("corpus/log, run 1.txt",)
    (tmp_path / "corpus" / "log, run 1.txt").unlink()
    assert named_paths(note) == ()  # nothing there: no made-up locations


def test_a_path_with_a_comma_in_its_name_is_not_split_into_made_up_files():
    (note,) = Discovery(files=[], hidden_reports=["r/.one, two.md"]).notes()
    assert named_paths(note) == ()  # the count (1) disagrees with the pieces (2): no location rather than wrong ones


# --- SARIF's exit code description (defect 09) -----------------------------------------------------------

def _relabelled_run(tmp_path, in_process, *flags: str) -> tuple[int, dict[str, str]]:
    reports = tmp_path / "reports"
    reports.mkdir(exist_ok=True)
    shutil.copy(RELABELLED, reports / RELABELLED.name)
    return _run(in_process, tmp_path, *flags)


def _result_line(table: str) -> str:
    (line,) = [line for line in table.splitlines() if line.startswith("Result: ")]
    return line[len("Result: "):]


def test_sarif_says_an_inconsistent_report_passed_because_of_fail_on_never(tmp_path, in_process):
    code, outputs = _relabelled_run(tmp_path, in_process, "--fail-on", "never")
    assert code == 0 and json.loads(outputs["json"])["summary"]["inconsistent"] == 1
    (invocation,) = json.loads(outputs["sarif"])["runs"][0]["invocations"]
    assert invocation["exitCode"] == 0
    said = invocation["exitCodeDescription"]
    assert said == "passes (exit code 0) because --fail-on is never: 1 inconsistent report"
    assert "consistent" not in said.replace("inconsistent", "")
    # The same sentence as the table's and the pull-request comment's "Result:".
    assert _result_line(outputs["table"]) == said
    assert f"**Result:** {said}" in outputs["markdown"]


def test_sarif_says_why_a_run_fails_and_that_a_clean_run_passes(tmp_path, in_process):
    code, outputs = _relabelled_run(tmp_path, in_process)
    (invocation,) = json.loads(outputs["sarif"])["runs"][0]["invocations"]
    assert code == 1 and invocation["exitCode"] == 1
    assert invocation["exitCodeDescription"] == "fails (exit code 1): 1 inconsistent report" == \
        _result_line(outputs["table"])
    clean = tmp_path / "clean"
    clean.mkdir()
    _corpus(clean, left_out=False)
    code, outputs = _run(in_process, clean)
    (invocation,) = json.loads(outputs["sarif"])["runs"][0]["invocations"]
    assert code == 0 and invocation["exitCodeDescription"] == "passes (exit code 0)" == _result_line(outputs["table"])
