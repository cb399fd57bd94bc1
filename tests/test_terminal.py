"""What a QA lead sees in a terminal: width-fitted tables, the concise format, the run summary,
verdict-first headings, and report text that cannot drive the terminal.

The golden files under tests/data/golden/ are the real output for the bundled fixtures. When the
output changes on purpose, regenerate them and read the diff before committing:

    LII_UPDATE_GOLDEN=1 python -m pytest -q tests/test_terminal.py
"""
from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check import cli as cli_module
from lii_check.cli import main
from lii_check.formats import render, tables
from lii_check.formats._common import band_mark_phrase, clean, display_width, one_line, wrap_id

REPO = Path(__file__).resolve().parents[1]
GOLDEN = Path(__file__).parent / "data" / "golden"
WIDTHS = (60, 80, 100, 120, 200)
SGR = re.compile(r"\x1b\[[0-9;]*m")
# Anything a terminal would act on: C0/C1 controls (bar newline), DEL, bidi overrides.
CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
UPDATE = os.environ.get("LII_UPDATE_GOLDEN") == "1"
HOSTILE = "Evil \x1b[2J\x1b]0;pwned\x07 text\x1b[31m red\r overwritten \u202eesrever\x9b1m end"


def invoke(*args: str, columns: int | None = None):
    env = {"COLUMNS": str(columns) if columns else None, "NO_COLOR": None}
    return CliRunner().invoke(main, list(args), env=env)


@pytest.fixture(scope="module")
def fixtures_doc() -> dict:
    """The result document for the bundled fixtures, paths as a user in the repository types them."""
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        done = invoke("fixtures", "--engine", "pure", "--format", "json")
    finally:
        os.chdir(cwd)
    assert done.exit_code == 1, done.output  # two shifted reports are inconsistent
    return json.loads(done.stdout)


def golden(name: str, actual: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with LII_UPDATE_GOLDEN=1 python -m pytest tests/test_terminal.py"
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, (f"{name} differs from the output; if the change is intended, regenerate with "
                                "LII_UPDATE_GOLDEN=1 python -m pytest -q tests/test_terminal.py and review the diff")


def assert_fits(text: str, width: int) -> None:
    too_wide = [(n, display_width(line), line) for n, line in enumerate(text.splitlines(), 1)
                if display_width(line) > width]
    assert not too_wide, f"{len(too_wide)} lines wider than {width}, first: {too_wide[0]}"


# --- the table fits the width ---------------------------------------------------------------------

@pytest.mark.parametrize("width", WIDTHS)
def test_table_golden_per_width(fixtures_doc, width):
    golden(f"table-{width}.txt", render("table", fixtures_doc, [], width=width))


@pytest.mark.parametrize("color", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
def test_no_line_wider_than_the_terminal(fixtures_doc, width, color):
    text = render("table", fixtures_doc, [], width=width, color=color)
    assert ("\x1b[" in text) == color
    assert_fits(text, width)
    # Colour adds codes around words already padded by their visible width: nothing else moves.
    assert SGR.sub("", text) == render("table", fixtures_doc, [], width=width)


def test_wide_terminals_get_a_grid_narrow_ones_stacked_blocks(fixtures_doc):
    wide, narrow = render("table", fixtures_doc, [], width=120), render("table", fixtures_doc, [], width=80)
    assert "│ what to check" in wide and "│" not in narrow
    assert "    check: The text reads as band 4 (evidence index 3.76)" in narrow
    # At 200 columns the longest rule id in the fixtures stays whole; at 100 it breaks at its dot.
    assert "learning-from-feedback.band4-not-shown-strong" in render("table", fixtures_doc, [], width=200)
    hundred = render("table", fixtures_doc, [], width=100)
    assert "│ learning-from-feedback.  " in hundred and "│ band4-not-shown-strong  " in hundred


def test_room_goes_to_the_message_and_the_sentences(fixtures_doc):
    # In the grid, the two text columns together get at least twice the room of the rule column.
    for width in (100, 120, 200):
        text = render("table", fixtures_doc, [], width=width)
        border = next(line for line in text.splitlines() if line.startswith("┌"))
        rule_col, msg_col, ev_col = (len(part) for part in border[1:-1].split("┬"))
        assert msg_col + ev_col >= 2 * rule_col, (width, rule_col, msg_col, ev_col)
        assert len(border) == width  # the fixtures' sentences are long enough to use all of it


def test_the_cli_honours_columns_and_defaults_to_120(monkeypatch):
    # The real seeds and the relabelled ones (long sentences, both verdicts): the width is the subject, not the corpus.
    monkeypatch.chdir(REPO)
    corpus = ("fixtures/seeds", "fixtures/shifted")
    doc = json.loads(invoke(*corpus, "--engine", "pure", "--format", "json").stdout)
    assert doc["summary"]["inconsistent"] == 2
    for columns in (80, 200, None):
        done = invoke(*corpus, "--engine", "pure", columns=columns)
        assert done.stdout == render("table", doc, [], width=columns or 120)
    # Colour forced on a pipe: the same table once the codes are taken out.
    done = invoke(*corpus, "--engine", "pure", "--color", "always", columns=80)
    assert "\x1b[" in done.stdout and SGR.sub("", done.stdout) == render("table", doc, [], width=80)


@pytest.mark.parametrize("columns, tty, expected", [
    ("100", False, 100), ("", False, 120), (None, False, 120), ("abc", False, 120), ("40", False, 60),
    ("0", False, 120), (None, True, 93),
])
def test_width_choice(monkeypatch, columns, tty, expected):
    if columns is None:
        monkeypatch.delenv("COLUMNS", raising=False)
    else:
        monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setattr(cli_module.sys.stdout, "isatty", lambda: tty, raising=False)
    monkeypatch.setattr(cli_module.shutil, "get_terminal_size", lambda fallback=(0, 0): os.terminal_size((93, 40)))
    assert cli_module._width() == expected


def test_rule_ids_break_at_their_dots():
    assert wrap_id("consistency.score-below-evidence", 24) == ["consistency.", "score-below-evidence"]
    assert wrap_id("learning-from-feedback.band4-not-shown-strong", 16) == [
        "learning-from-", "feedback.", "band4-not-shown-", "strong"]
    assert wrap_id("short.id", 40) == ["short.id"]


# --- headings --------------------------------------------------------------------------------------

@pytest.mark.parametrize("band, index, expected", [
    (3, 3.36, "0.14 short of the 3.50 needed for a 4"),
    (3, 2.92, "0.42 above the 2.50 needed for a 3"),
    (4, 3.74, "0.24 above the 3.50 needed for a 4"),
    (4, 4.0, "0.50 above the 3.50 needed for a 4"),
    (1, 1.0, "0.50 short of the 1.50 needed for a 2"),
    (2, 1.62, "0.12 above the 1.50 needed for a 2"),
    (3, 3.0, "0.50 short of the 3.50 needed for a 4"),  # a tie goes to the mark above
    (3, 3.5, "just short of the 3.50 needed for a 4"),  # a raw total just under the mark rounds onto it
    (4, 3.5, "right at the 3.50 needed for a 4"),
    (None, 3.1, None), (3, None, None),
])
def test_band_mark(band, index, expected):
    assert band_mark_phrase(band, index) == expected


def test_heading_says_the_verdict_first_and_why_from_the_document_alone(fixtures_doc):
    # Rendered from the JSON text itself: nothing but the document is needed for the why.
    doc = json.loads(json.dumps(fixtures_doc))
    text = render("table", doc, [], width=200)
    lines = text.splitlines()
    assert ("CONSISTENT    fixtures/seeds/000_69a4ab76882569fd.txt: awarded 4, evidence 4 "
            "(index 3.76; 0.26 above the 3.50 needed for a 4)") in lines
    assert ("INCONSISTENT  fixtures/shifted/seed002_relabelled_1.txt: awarded 1, evidence 3 "
            "(index 3.49; 0.01 short of the 3.50 needed for a 4)") in lines
    # A narrow terminal keeps the verdict first and the why together under the path.
    narrow = render("table", doc, [], width=60).splitlines()
    at = narrow.index("INCONSISTENT  fixtures/shifted/seed002_relabelled_1.txt:")
    assert narrow[at + 1:at + 3] == ["              awarded 1, evidence 3 (index 3.49;",
                                     "              0.01 short of the 3.50 needed for a 4)"]


def test_suppressed_findings_are_counted_per_report(fixtures_doc):
    doc = copy.deepcopy(fixtures_doc)
    entry = next(r for r in doc["reports"] if r["path"].endswith("seed002_relabelled_1.txt"))
    entry["suppressed"], entry["findings"], entry["verdict"] = entry["findings"], [], "consistent"
    for width in (60, 120):
        text = render("table", doc, [], width=width)
        assert "findings suppressed in the report: consistency.score-below-evidence (error, L22)" in " ".join(text.split())
        assert_fits(text, width)


# --- the run summary --------------------------------------------------------------------------------

def test_summary_counts_in_two_lines_and_lists_on_request(fixtures_doc):
    s = fixtures_doc["summary"]
    never = len(s["rules_never_fired"])
    assert never > 10  # the bundled fixtures leave many rules silent: the case the issue is about
    f = s["findings"]
    verdicts = f"{s['reports']} reports: {s['consistent']} consistent, {s['inconsistent']} inconsistent, 0 unreadable"
    counts = f"findings: {f['error']} errors, {f['warning']} warnings, {f['info']} infos"
    # the two relabelled seeds and the 88 deliberately mis-scored sections of probe8 to probe31 it catches (probe24's
    # a05 and probe2's q11 and probe30's e09, known misreadings marked `todo` in their manifests, are only borderline), and probe27's
    # c04 and probe31's f06, 3s read as 4s (known false errors, `todo`)
    assert s["reports"] > 40 and s["inconsistent"] == 92
    # (fixtures/ and its folders hold README.md files, left out by the default excludes and said so)
    readmes = len(list((REPO / "fixtures").rglob("README.md")))
    lines = render("table", fixtures_doc, [], width=120).splitlines()  # wide enough for the counts on one line
    # the note on what was not searched comes after the counts, naming the files (over two lines here)
    note = next(i for i, line in enumerate(lines) if line.startswith(f"Not searched: {readmes} file(s)"))
    assert note < len(lines) - 3
    # every file is named, or the names stop with "and N more": either way the note accounts for all of them
    said = " ".join(lines[note:len(lines) - 2])
    more = re.search(r"and (\d+) more\.$", said)
    assert said.count("README.md") + (int(more.group(1)) if more else 0) == readmes, said
    tail = [lines[note - 1], lines[-2], lines[-1]]
    assert tail[:2] == [f"{verdicts}; {counts}", f"{never} rules never fired (--verbose lists them)."]
    assert tail[2].startswith("Result: fails (exit code 1): 92 inconsistent reports")
    narrow = render("table", fixtures_doc, [], width=60).splitlines()
    at = narrow.index(verdicts)
    assert narrow[at + 1] == counts[0].upper() + counts[1:]
    for kwargs in ({"verbose": True}, {}):
        doc = copy.deepcopy(fixtures_doc)
        if not kwargs:
            doc["summary"]["strict"] = True
        text = render("table", doc, [], width=80, **kwargs)
        assert f"Rules that never fired ({never}):" in text
        listed = " ".join(text[text.index("Rules that never fired"):].split())
        assert all(rule in listed.replace(" ", "") for rule in s["rules_never_fired"])
        assert_fits(text, 80)
        assert "Result: fails (exit code 1)" in text


def test_summary_never_one_enormous_line():
    summary = {"reports": 2, "consistent": 2, "inconsistent": 0, "unreadable": 0,
               "findings": {"error": 0, "warning": 0, "info": 0},
               "rules_never_fired": [f"theme-{n}.some-long-rule-identifier-{n}" for n in range(60)],
               "themes_never_mentioned": ["co-production", "learning-from-feedback"], "strict": False}
    doc = {"reports": [], "summary": summary}
    short = render("table", doc, [], width=80)
    assert short.splitlines()[-1] == "60 rules never fired and 2 themes no report mentions (--verbose lists them)."
    full = render("table", doc, [], width=80, verbose=True)
    assert_fits(full, 80)
    assert "Themes no report mentions (2):" in full and "theme-59.some-long-rule-identifier-59" in full


def test_cli_verbose_flag_lists_the_silent_rules(monkeypatch):
    monkeypatch.chdir(REPO)
    quiet = invoke("fixtures/seeds", "--engine", "pure", columns=100)
    loud = invoke("fixtures/seeds", "--engine", "pure", "--verbose", columns=100)
    assert "(--verbose lists them)" in quiet.stdout and "Rules that never fired (" not in quiet.stdout
    assert "Rules that never fired (" in loud.stdout and "co-production.band4-still-developing" in loud.stdout
    assert quiet.exit_code == loud.exit_code == 0


# --- concise -----------------------------------------------------------------------------------------

CONCISE_LINE = re.compile(r"^[^:\s]+:\d+:1: (error|warning|info) [a-z0-9.-]+: \S.*$")


def test_concise_golden_and_shape(fixtures_doc):
    text = render("concise", fixtures_doc, [])
    golden("concise.txt", text)
    *lines, last = text.splitlines()
    # The table's "Not searched" lines (files the run left out) come last, before the summary.
    findings = [line for line in lines if not line.startswith("Not searched: ")]
    assert lines[len(findings):] == [f"Not searched: {note}." for note in fixtures_doc["summary"]["not_searched"]]
    assert len(findings) == sum(len(r["findings"]) for r in fixtures_doc["reports"]) > 16
    assert all(CONCISE_LINE.match(line) for line in findings), findings
    keys = [(line.split(":")[0], int(line.split(":")[1])) for line in findings]
    assert keys == sorted(keys)
    assert last.startswith(f"{fixtures_doc['summary']['reports']} reports: ") and "findings: 92 errors" in last
    # Never wrapped, whatever the width asked for.
    assert render("concise", fixtures_doc, [], width=60) == text
    assert max(len(line) for line in findings) > 120


def test_concise_unreadable_and_hostile_text(fixtures_doc):
    doc = copy.deepcopy(fixtures_doc)
    doc["reports"] = [
        {"path": "b.txt", "verdict": "unreadable", "error": {"line": None, "message": "not UTF-8"}, "findings": []},
        {"path": "a\n.txt", "verdict": "unreadable", "error": {"line": 3, "message": "two scores:\nScore: 3\x1b[2J"},
         "findings": []},
        {"path": "c.txt", "verdict": "inconsistent", "error": None,
         "findings": [{"rule": "r.x", "severity": "error", "line": 9, "message": HOSTILE, "evidence": []},
                      {"rule": "r.y", "severity": "info", "line": None, "message": "whole report", "evidence": []}]},
    ]
    assert render("concise", doc, []).splitlines()[:4] == [
        "a .txt:3:1: unreadable: two scores: Score: 3",
        "b.txt: unreadable: not UTF-8",
        "c.txt:1:1: info r.y: whole report",
        "c.txt:9:1: error r.x: Evil text red overwritten esrever end",
    ]


# --- control characters never reach the terminal ---------------------------------------------------------

def test_the_sanitiser():
    assert not CONTROL.search(clean(HOSTILE).replace("\r", "")) and "\x1b" not in clean(HOSTILE)
    assert "[31m" not in clean(HOSTILE) and "[2J" not in clean(HOSTILE) and "pwned" not in clean(HOSTILE)
    assert one_line(HOSTILE) == "Evil text red overwritten esrever end"
    assert clean("line one\nline two\ttab") == "line one\nline two\ttab"


@pytest.mark.parametrize("fmt", ["table", "concise", "markdown", "github"])
def test_hostile_report_text_is_neutralised_in_every_human_readable_format(fixtures_doc, fmt):
    doc = copy.deepcopy(fixtures_doc)
    entry = next(r for r in doc["reports"] if r["findings"] and r["findings"][0]["evidence"])
    entry["path"] = "reports/\x1b]8;;http://x\x07click\x1b]8;;\x07.txt"
    entry["findings"][0]["message"] = HOSTILE
    entry["findings"][0]["rule"] = "rule\x1b[8m.hidden"
    entry["findings"][0]["evidence"][0]["text"] = HOSTILE
    for width in (60, 120):
        text = render(fmt, doc, [], width=width)
        assert not CONTROL.search(text), (fmt, CONTROL.search(text))
        assert "pwned" not in text and "[31m" not in text
        if fmt == "table":
            assert "Evil text red overwritten esrever end" in " ".join(text.split())
            assert_fits(text, width)


def test_explain_neutralises_report_text_end_to_end(tmp_path):
    seed = (REPO / "fixtures/shifted/seed002_relabelled_1.txt").read_text("utf-8")
    sentence = "The local authority fostered a culture where learning"
    assert sentence in seed
    report = tmp_path / "hostile.txt"
    report.write_text(seed.replace(sentence, "The local \x1b[2J\x1b]0;pwned\x07authority\u202e fostered a culture where "
                                             "learning"), "utf-8")
    for args in (["explain", str(report), "--engine", "pure"], [str(report), "--engine", "pure"],
                 [str(report), "--engine", "pure", "--format", "concise"]):
        done = invoke(*args, columns=80)
        assert done.exit_code == 1, done.output
        assert not CONTROL.search(done.stdout), args
        assert "pwned" not in done.stdout


# --- the other commands render through formats.tables, fitted too -------------------------------------------

@pytest.mark.parametrize("width", (60, 80, 100, 120))
def test_explain_and_rules_list_fit(monkeypatch, width):
    monkeypatch.chdir(REPO)
    explained = invoke("explain", "fixtures/seeds/003_54c3d31a3b902f41.txt", "--engine", "pure", columns=width)
    assert explained.exit_code == 0
    assert explained.stdout.startswith("CONSISTENT    fixtures/seeds/003_54c3d31a3b902f41.txt:")
    assert "Why this band:" in explained.stdout and "Set aside (not counted):" in explained.stdout
    assert_fits(explained.stdout, width)
    listed = invoke("rules", "list", columns=width)
    assert listed.exit_code == 0
    assert_fits(listed.stdout, width)
    ids = [r["id"] for r in json.loads(invoke("rules", "list", "--format", "json").stdout)]
    lines = listed.stdout.splitlines()
    if lines[0].startswith("id:"):  # stacked: "id:" then the id, wrapped onto the lines up to "theme:"
        text = "\n".join(lines)
        shown = ["".join(block.split("theme:")[0].split()) for block in text.split("id:")[1:]]
    else:  # columns: the id column is as wide as the dashes under its header; wrapped ids continue below
        col = len(lines[1].split()[0])
        cells = [line[:col].strip() for line in lines[2:]]
        shown = "".join(c + ("" if c.endswith((".", "-")) else "\n") for c in cells if c).split()
    assert shown == ids


def test_calibrate_fits(monkeypatch):
    monkeypatch.chdir(REPO)
    for width in (60, 100):
        done = invoke("calibrate", "fixtures/seeds", "--engine", "pure", columns=width)
        assert done.exit_code == 0
        assert "Evidence score (columns) against awarded score (rows)" in done.stdout
        assert "Shift test" in done.stdout
        assert_fits(done.stdout, width)


def test_rule_tests_table_fits_and_stacks_when_narrow():
    result = {"rules": [
        {"rule": "learning-from-feedback.band4-not-shown-strong", "kind": "expectation", "passed": 3,
         "false_alarms": ["Complaints were reviewed monthly by a panel that included people with lived experience " * 2],
         "misses": ["Feedback shaped the strategy at every level, consistently."], "todo": 1, "todo_now_passing": []},
        {"rule": "language.negation", "kind": "language", "passed": 9, "false_alarms": [], "misses": [], "todo": 0,
         "todo_now_passing": []},
    ], "summary": {}}
    for width in (60, 80, 120):
        text = tables.rule_tests(result, width)
        assert_fits(text, width)
        assert text.splitlines()[-1] == "1 passed, 1 failed (12 examples passed, 1 todo)"
        assert "language.negation" not in text  # passing rules only with --verbose
        assert "language.negation" in tables.rule_tests(result, width, verbose=True)
    assert "│" in tables.rule_tests(result, 120) and "│" not in tables.rule_tests(result, 60)
    assert "details:" in tables.rule_tests(result, 60)


# --- the README shows real output ---------------------------------------------------------------------

README_SAMPLE = re.compile(r"<!-- sample: COLUMNS=(\d+) lii-check (\S+) -->\n```\n(.*?)```\n", re.S)


def test_readme_sample_is_real_output(monkeypatch):
    monkeypatch.chdir(REPO)
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme[readme.index("## Checking reports"):readme.index("## Exit codes")]
    samples = README_SAMPLE.findall(section)
    assert len(samples) == 1, "the Checking reports section must hold one marked sample"
    columns, target, shown = samples[0]
    assert columns == "100"
    actual = invoke(target, "--engine", "pure", columns=100).stdout
    assert shown == actual, "README sample is stale: paste the output of COLUMNS=100 lii-check " + target


def test_wide_characters_count_double(fixtures_doc):
    """A terminal gives CJK characters two columns; the table must measure them so, not by len()."""
    import unicodedata

    def columns(line: str) -> int:  # an independent measure: East Asian Wide/Fullwidth take two cells
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in SGR.sub("", line))

    doc = copy.deepcopy(fixtures_doc)
    entry = next(r for r in doc["reports"] if r["findings"] and r["findings"][0]["evidence"])
    entry["findings"][0]["message"] = "職員は学習と改善の文化について話した。" * 8
    entry["findings"][0]["evidence"][0]["text"] = "利用者の声が戦略を形作った。" * 8
    for width in (60, 100, 120):
        text = render("table", doc, [], width=width)
        assert max(columns(line) for line in text.splitlines()) <= width, width
        assert "職員は" in text


def test_markdown_names_suppressed_findings(fixtures_doc):
    doc = copy.deepcopy(fixtures_doc)
    entry = next(r for r in doc["reports"] if r["path"].endswith("seed002_relabelled_1.txt"))
    entry["suppressed"], entry["findings"], entry["verdict"] = entry["findings"], [], "consistent"
    md = render("markdown", doc, [])
    assert ("findings suppressed in the report: `consistency.score-below-evidence` (error, L22)" in md)
    assert "**`fixtures/shifted/seed002_relabelled_1.txt`** — awarded 1, evidence 3 (index 3.49): **consistent**" in md


def test_unreadable_messages_on_stderr_are_neutralised(tmp_path):
    # Both the quoted score and the file name come from the corpus.
    bad = tmp_path / "bad\x1b]0;pwned\x07.md"
    bad.write_text("Score: th\x1b[2Jree\n\nLearning was shared across teams.\n", "utf-8")
    for args in (["explain", str(bad), "--engine", "pure"], ["calibrate", str(bad), "--engine", "pure"]):
        done = invoke(*args)
        assert "the score 'three' is not a whole number" in done.stderr, done.stderr
        assert not CONTROL.search(done.stderr), args


def test_reports_can_be_streamed_one_block_at_a_time(fixtures_doc):
    from lii_check.formats.table import fold_blank_lines, report_block, summary

    for width in (60, 120):
        pieces = (report_block(r, width) for r in fixtures_doc["reports"])
        streamed = "".join(fold_blank_lines([*pieces, "\n" + summary(fixtures_doc["summary"], width)]))
        assert streamed == render("table", fixtures_doc, [], width=width)
        assert "\n\n\n" not in streamed and not streamed.startswith("\n")


def test_the_cli_offers_every_format_the_renderers_have():
    from lii_check.formats import FORMATS

    # cli.py spells the list out so that --version need not import the renderers; it must not drift.
    assert cli_module.FORMATS == FORMATS and "concise" in FORMATS
