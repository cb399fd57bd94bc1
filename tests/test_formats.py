"""Every output format, on result documents lii-check itself produced from real fixture reports.

One corpus per kind of report the renderers must tell apart, each built from the bundled fixtures:

- consistent:   seed report 001 as published (no findings);
- inconsistent: seed 002 relabelled 3 -> 1 (fixtures/shifted), one error finding citing real sentences;
- borderline:   synthetic probe9 w01 (a 3 that reads just above the 2/3 mark) with its score changed to 2 (a
                borderline warning: too close to call an error);
- unreadable:   seed 003 with a second, disagreeing score line appended (the error names both lines);
- escaping:     seed 000 relabelled 2, its cited sentences and its file name carrying markdown pipes, HTML/XML
                specials, '%', ':', ',' and control characters, beside an unreadable report whose error
                message quotes such a score line.

For each, the JSON document is validated against the published schema (engine/schema/check.schema.json)
before anything else, every renderer's output is compared with a golden file, and each renderer is
called on that validated document directly to prove it is the renderer's input. When the output changes
on purpose, regenerate the goldens and read the diff before committing:

    LII_UPDATE_GOLDEN=1 python -m pytest -q tests/test_formats.py
"""
from __future__ import annotations

import copy
import hashlib
import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from lii_check.cli import main
from lii_check.document import rules_meta
from lii_check.formats import FORMATS, render

from edits import replace_first

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "formats"
GOLDEN = Path(__file__).parent / "data" / "golden" / "formats"
UPDATE = os.environ.get("LII_UPDATE_GOLDEN") == "1"
SEEDS, SHIFTED, SYNTHETIC = REPO / "fixtures" / "seeds", REPO / "fixtures" / "shifted", REPO / "fixtures" / "synthetic"
EXTENSION = {"table": "txt", "concise": "txt", "json": "json", "sarif": "sarif", "junit": "xml", "github": "txt",
             "markdown": "md", "html": "html"}
KINDS = ("consistent", "inconsistent", "borderline", "unreadable", "escaping")
# What the escaping corpus injects: GitHub's ',', ':', '%'; markdown's '|'; HTML/XML specials; controls.
SPECIAL = ' 50% of staff: yes, | no <b>&amp;</b> "quoted" \x1b[31mred\x1b[0m bell\x07 end'
ESCAPING_NAME = "esc|50%,a:b <x>&.txt"
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _cli(*args: str) -> tuple[int, str]:
    done = CliRunner().invoke(main, list(args), env={"COLUMNS": "120", "NO_COLOR": "1"})
    assert done.exception is None or isinstance(done.exception, SystemExit), done.output
    return done.exit_code, done.stdout


def _build(kind: str, corpus: Path) -> None:
    corpus.mkdir(parents=True)
    if kind == "consistent":
        shutil.copy(SEEDS / "001_be58087aa61b4f94.txt", corpus)
    elif kind == "inconsistent":
        shutil.copy(SHIFTED / "seed002_relabelled_1.txt", corpus)
    elif kind == "borderline":
        text = (REPO / "fixtures" / "probe9" / "w01_aldercombe.txt").read_text("utf-8")
        changed = text.replace("Score: 3", "Score: 2", 1).replace("3 - Evidence shows a good standard",
                                                                  "2 - Evidence shows some shortfalls", 1)
        assert changed.count("Score: 2") == 1 and "2 - Evidence shows some shortfalls" in changed
        (corpus / "w01_awarded_2.txt").write_text(changed, "utf-8")
    elif kind == "unreadable":
        text = (SEEDS / "003_54c3d31a3b902f41.txt").read_text("utf-8")
        (corpus / "003_two_scores.txt").write_text(text.rstrip("\n") + "\n\nScore: 2\n", "utf-8")
    elif kind == "escaping":
        source = SHIFTED / "seed000_relabelled_2.txt"
        scratch = corpus.parent / "scratch"
        scratch.mkdir()
        shutil.copy(source, scratch)
        _, out = _cli(str(scratch), "--engine", "pure", "--format", "json")
        cited = {e["line"] for r in json.loads(out)["reports"] for f in r["findings"] for e in f["evidence"]}
        lines = source.read_text("utf-8").split("\n")
        for number in sorted(cited)[:3]:  # the first three cited lines: put specials inside their sentences
            words = lines[number - 1].split(" ")
            lines[number - 1] = " ".join(words[:4]) + SPECIAL + " " + " ".join(words[4:])
        (corpus / ESCAPING_NAME).write_text("\n".join(lines), "utf-8")
        (corpus / "unreadable <&>.md").write_text("Title\n\nScore: 3 | <b>50%</b> & x\x07\n\nStaff agreed.\n", "utf-8")


@pytest.fixture(scope="module")
def produced(tmp_path_factory) -> dict[str, dict]:
    """Per kind: the JSON document and every format's output, as `lii-check <corpus> --format X` printed them."""
    root = tmp_path_factory.mktemp("formats")
    cwd = os.getcwd()
    os.chdir(root)  # relative paths in every output, as in a checkout
    try:
        out: dict[str, dict] = {}
        for kind in KINDS:
            _build(kind, root / kind)
            outputs = {fmt: _cli(kind, "--engine", "pure", "--format", fmt) for fmt in FORMATS}
            out[kind] = {"doc": json.loads(outputs["json"][1]), "outputs": outputs}
        return out
    finally:
        os.chdir(cwd)


@pytest.fixture(scope="module")
def check_schema() -> jsonschema.Draft202012Validator:
    schema = json.loads((REPO / "engine" / "schema" / "check.schema.json").read_text("utf-8"))
    return jsonschema.Draft202012Validator(schema)


@pytest.fixture(scope="module")
def meta(rulebook) -> list[dict]:
    return rules_meta(rulebook)


# --- the renderers' input ---------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_each_document_validates_against_the_published_schema(produced, check_schema, kind):
    check_schema.validate(produced[kind]["doc"])


def test_the_corpora_cover_every_kind_of_report(produced):
    def verdicts(kind):
        return [r["verdict"] for r in produced[kind]["doc"]["reports"]]
    assert verdicts("consistent") == ["consistent"] and produced["consistent"]["doc"]["reports"][0]["findings"] == []
    assert verdicts("inconsistent") == ["inconsistent"]
    assert verdicts("unreadable") == ["unreadable"]
    assert sorted(verdicts("escaping")) == ["inconsistent", "unreadable"]
    [borderline] = produced["borderline"]["doc"]["reports"]
    assert borderline["verdict"] == "consistent" and (borderline["awarded_score"], borderline["evidence_score"]) == (2, 3)
    assert "consistency.score-borderline-low" in [f["rule"] for f in borderline["findings"]]
    [unreadable] = produced["unreadable"]["doc"]["reports"]
    lines = (SEEDS / "003_54c3d31a3b902f41.txt").read_text("utf-8").rstrip("\n").count("\n") + 3
    assert unreadable["error"]["line"] == lines and f"and line {lines} 'Score: 2'" in unreadable["error"]["message"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "html"])
def test_the_renderer_of_each_format_gets_exactly_that_document(produced, meta, kind, fmt):
    doc = produced[kind]["doc"]
    frozen = copy.deepcopy(doc)
    assert render(fmt, doc, meta) == produced[kind]["outputs"][fmt][1]
    assert doc == frozen  # renderers do not change their input


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_output(produced, kind, fmt):
    code, actual = produced[kind]["outputs"][fmt]
    assert code == (0 if kind in ("consistent", "borderline") else 1)
    assert actual.endswith("\n") and "/tmp" not in actual
    path = GOLDEN / f"{kind}.{EXTENSION[fmt]}" if fmt not in ("table", "concise", "github") else \
        GOLDEN / f"{kind}.{fmt}.txt"
    if fmt == "html":
        # Every page carries the same stylesheet and script: compared once, against page-assets.html.
        assets, actual = split_page_assets(actual)
        _compare_golden(GOLDEN / "page-assets.html", assets)
    _compare_golden(path, actual)


ASSETS = re.compile(r"(<style>\n.*?</style>)|(<script>\(function\(\)\{.*?\}\)\(\);</script>)", re.S)


def split_page_assets(page: str) -> tuple[str, str]:
    """(the page's stylesheet and script, the page with each replaced by a marker naming the golden)."""
    found = ASSETS.findall(page)
    assert [bool(style) for style, _ in found] == [True, False], "one stylesheet, then one script, expected"
    assets = "".join(style or script for style, script in found) + "\n"
    return assets, ASSETS.sub("<!-- see page-assets.html -->", page)


def _compare_golden(path: Path, actual: str) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, "utf-8", newline="")
    assert path.exists(), f"{path} is missing; create it with LII_UPDATE_GOLDEN=1 python -m pytest tests/test_formats.py"
    assert actual == path.read_bytes().decode("utf-8"), (
        f"{path.name} differs from the output; if the change is intended (and the schema says so), regenerate with "
        "LII_UPDATE_GOLDEN=1 python -m pytest -q tests/test_formats.py and review the diff")


def test_formats_tuple_and_unknown_format(produced, meta):
    assert FORMATS == ("table", "concise", "json", "sarif", "junit", "github", "markdown", "html")
    with pytest.raises(ValueError, match="unknown format 'yaml'; choose one of: table, concise, json"):
        render("yaml", produced["consistent"]["doc"], meta)


# --- json -------------------------------------------------------------------------------------------

def test_json_is_the_document_indented_and_unescaped(produced):
    text = produced["escaping"]["outputs"]["json"][1]
    assert text == json.dumps(json.loads(text), indent=2, ensure_ascii=False) + "\n"
    assert "| no <b>&amp;</b>" in text  # the text as written, nothing HTML-escaped in JSON


# --- sarif ------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    raw = (DATA / "sarif-schema-2.1.0.json").read_bytes()
    # Guards against the stored official schema being edited by accident (see data/formats/README.md).
    assert hashlib.sha256(raw).hexdigest() == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    return json.loads(raw)


@pytest.mark.parametrize("kind", KINDS)
def test_sarif_validates_against_the_official_schema(produced, sarif_schema, kind):
    log = json.loads(produced[kind]["outputs"]["sarif"][1])
    validator = jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_sarif_schema_rejects_a_broken_log(produced, sarif_schema):
    # Proves the validation above has teeth: a bad level and a zero line must fail.
    log = json.loads(produced["inconsistent"]["outputs"]["sarif"][1])
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(list(jsonschema.Draft4Validator(sarif_schema).iter_errors(log))) >= 2


def test_sarif_results_follow_the_findings(produced):
    for kind in KINDS:
        doc = produced[kind]["doc"]
        (run,) = json.loads(produced[kind]["outputs"]["sarif"][1])["runs"]
        expected = [(f["rule"], {"error": "error", "warning": "warning", "info": "note"}[f["severity"]], f["line"] or 1)
                    for r in doc["reports"] for f in r["findings"]]
        expected += [("lii-check/unreadable", "error", r["error"]["line"] or 1) for r in doc["reports"] if r["error"]]
        got = [(r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["region"]["startLine"])
               for r in run["results"]]
        assert sorted(got) == sorted(expected), kind
        rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
        assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])


def test_sarif_uri_is_percent_encoded(produced):
    (run,) = json.loads(produced["escaping"]["outputs"]["sarif"][1])["runs"]
    uris = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]}
    # ',' ':' '&' may stay: they are legal in a relative URI path after its first segment (RFC 3986)
    assert uris == {"escaping/esc%7C50%25,a:b%20%3Cx%3E&.txt", "escaping/unreadable%20%3C&%3E.md"}


def test_sarif_keeps_a_backslash_in_a_posix_file_name_as_part_of_the_name(monkeypatch):
    # Made a "/", "c/back\\slash.md" pointed at another file that may exist, "c/back/slash.md" (hostile16 11).
    from lii_check.formats import sarif

    monkeypatch.setattr(sarif.os, "sep", "/")
    assert sarif.artifact_location("c/back\\slash.md") == {"uri": "c/back%5Cslash.md", "uriBaseId": "%SRCROOT%"}
    monkeypatch.setattr(sarif.os, "sep", "\\")  # on Windows it is the separator
    assert sarif.artifact_location("c\\back\\slash.md") == {"uri": "c/back/slash.md", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("C:\\reports\\a.md") == {"uri": "file:///C:/reports/a.md"}


# --- junit ------------------------------------------------------------------------------------------

def test_junit_counts_and_escapes(produced):
    root = ET.fromstring(produced["escaping"]["outputs"]["junit"][1].encode("utf-8"))
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("2", "1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert set(cases) == {f"escaping/{ESCAPING_NAME}", "escaping/unreadable <&>.md"}
    failure = cases[f"escaping/{ESCAPING_NAME}"].find("failure")
    assert failure.get("type") == "inconsistent"
    error = cases["escaping/unreadable <&>.md"].find("error")
    assert error.get("type") == "unreadable" and "<b>50%</b> &" in error.get("message")
    text = produced["escaping"]["outputs"]["junit"][1]
    assert not CONTROL.search(text)  # XML 1.0 cannot carry them: dropped, escape sequences whole
    assert "[31m" not in text


def test_junit_failure_lists_each_finding(produced):
    [report] = produced["inconsistent"]["doc"]["reports"]
    root = ET.fromstring(produced["inconsistent"]["outputs"]["junit"][1].encode("utf-8"))
    failure = root.find("testsuite/testcase/failure")
    assert failure.text.splitlines()[: len(report["findings"])] == [
        f"L{f['line'] or '?'} {f['severity']} {f['rule']}: {f['message']}" for f in report["findings"]]


# --- github -----------------------------------------------------------------------------------------

def test_github_escapes_properties_and_data(produced):
    lines = produced["escaping"]["outputs"]["github"][1].splitlines()
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in lines)
    assert any(line.startswith("::error file=escaping/esc|50%25%2Ca%3Ab <x>&.txt,line=") for line in lines), lines
    unreadable = [line for line in lines if "unreadable <&>.md" in line]
    assert unreadable == ["::error file=escaping/unreadable <&>.md,line=3,title=unreadable::the score "
                          "'3 | <b>50%25</b> & x' is not a whole number from 1 to 4"]


# --- markdown ---------------------------------------------------------------------------------------

def test_markdown_escapes_pipes_and_html(produced):
    md = produced["escaping"]["outputs"]["markdown"][1]
    assert "<b>" not in md and "&lt;b&gt;&amp;amp;&lt;/b&gt;" in md
    for line in md.splitlines():
        if line.startswith("| ") and "|" in line.strip("| "):
            assert "| no" not in line  # a pipe inside a cell is escaped, never a column break
    assert md.count("<details>") == md.count("</details>")


def _findings_rows(report: dict) -> list[list[str]]:
    """The markdown findings table of one report as GitHub shows it: the values of the document."""
    from lii_check.formats._common import one_line

    return [["Severity", "Theme", "Rule", "Line", "What to check"]] + [
        [one_line(f["severity"]), one_line(f["theme"]), one_line(f["rule"]), "" if f["line"] is None else str(f["line"]),
         one_line(f["message"])] for f in report["findings"]]


@pytest.mark.parametrize("kind", KINDS)
def test_markdown_reads_back_on_github_as_the_document_says(produced, kind):
    import gfm

    doc = produced[kind]["doc"]
    page = gfm.read(produced[kind]["outputs"]["markdown"][1])
    tables = [r for r in doc["reports"] if r["findings"] and r["verdict"] != "unreadable"]
    assert page.tables == [_findings_rows(r) for r in tables]
    # Paths are shown as code exactly as written, "|" and all (no stray backslash outside a table).
    shown = [r["path"] for r in doc["reports"] if r["findings"] or r["suppressed"] or r["verdict"] == "unreadable"]
    assert set(shown) <= set(page.codes)


def test_markdown_cells_keep_pipes_backslashes_and_backticks(produced, meta):
    import gfm

    doc = copy.deepcopy(produced["escaping"]["doc"])
    report = next(r for r in doc["reports"] if r["findings"])
    finding = report["findings"][0]
    finding["rule"] = "rule|id\\|x`y``z"
    finding["theme"] = "theme | \\| end\\"
    finding["message"] = "a | b \\| c `d|e` \\`f <g> &amp; h\\"
    report["path"] = "dir|x/`a|b`\\|c.txt"
    page = gfm.read(render("markdown", doc, meta))
    assert page.tables[0] == _findings_rows(report)
    assert report["path"] in page.codes and finding["rule"] in page.codes


def test_a_rule_message_with_pipes_and_code_stays_in_its_cell(rules_copy, tmp_path):
    import gfm

    replace_first(rules_copy / "scoring.yaml", "The sentences below describe strong or good practice:",
                  "The sentences below | describe `strong|good` \\| practice:")
    shutil.copy(SHIFTED / "seed000_relabelled_2.txt", tmp_path / "a|b.txt")
    runs = {fmt: _cli(str(tmp_path / "a|b.txt"), "--rules", str(rules_copy), "--engine", "pure", "--format", fmt)
            for fmt in ("json", "markdown")}
    [report] = json.loads(runs["json"][1])["reports"]
    assert "| describe `strong|good` \\| practice:" in report["findings"][0]["message"]
    assert gfm.read(runs["markdown"][1]).tables == [_findings_rows(report)]


# --- table ------------------------------------------------------------------------------------------

def test_table_carries_no_control_characters_and_fits_its_width(produced):
    for kind in KINDS:
        text = produced[kind]["outputs"]["table"][1]
        assert "\x1b" not in text and "\x07" not in text, kind
        assert max(len(line) for line in text.splitlines()) <= 120, kind


def test_table_colour_is_only_added_around_padded_words(produced, meta):
    sgr = re.compile(r"\x1b\[[0-9;]*m")
    for kind in KINDS:
        doc = produced[kind]["doc"]
        coloured = render("table", doc, meta, color=True)
        assert sgr.search(coloured), kind
        assert sgr.sub("", coloured) == render("table", doc, meta), kind


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_folder_without_reports_is_a_usage_error_in_every_format(tmp_path, fmt):
    (tmp_path / "empty").mkdir()
    code, out = _cli(str(tmp_path / "empty"), "--engine", "pure", "--format", fmt)
    assert code == 2 and out == ""


def test_junit_error_for_a_whole_file_problem_has_no_made_up_line(tmp_path):
    """A report with no score line is unreadable as a whole: its error text is the message alone, not "L? …"."""
    from lii_check.cli import main

    (tmp_path / "no-score.md").write_text("Learning, improvement and innovation\n\nStaff agreed.\n", "utf-8")
    done = CliRunner().invoke(main, ["check", str(tmp_path / "no-score.md"), "--format", "junit", "--engine", "pure"])
    assert done.exit_code == 1
    error = ET.fromstring(done.stdout.encode("utf-8")).find("testsuite/testcase/error")
    assert error.text == error.get("message") and error.text.startswith("no score line found")



def test_an_escape_sequence_left_open_loses_only_its_introducer():
    # An unterminated OSC took the rest of the text with it: a message lost its closing quote, its hint and its
    # newline (review9 08). Terminated sequences still go whole.
    from lii_check.formats._common import clean

    assert clean("not 'jsn\x1b]' — did you mean 'json'?\n") == "not 'jsn' — did you mean 'json'?\n"
    assert clean("a\x1b]0;title\x07b\x1b]8;;http://x\x1b\\link\x1b[31m!") == "ablink!"



def test_sarif_and_github_name_the_very_file_not_its_shown_form(monkeypatch):
    # A name shown with a doubled backslash or a byte's escape was put in SARIF and GitHub as shown: another file
    # (review9 02); a first segment holding ":" read as a URI scheme (review9 12).
    import os as _os

    from lii_check.discovery import shown_path
    from lii_check.formats import github, sarif

    monkeypatch.setattr(sarif.os, "sep", "/")
    cases = {"back\\new.md": "back%5Cnew.md", _os.fsdecode(b"lat\xe9.md"): "lat%E9.md", "note:1.md": "./note:1.md"}
    for name, uri in cases.items():
        assert sarif.artifact_location(shown_path(name)) == {"uri": uri, "uriBaseId": "%SRCROOT%"}
    line = github._command("error", shown_path("back\\new.md"), 3, "t", "m")
    assert "file=back\\new.md," in line


def test_a_shown_path_stands_for_one_name_and_gives_it_back():
    # Every name of up to four characters over the characters that escapes are made of (review9 03 found the
    # no-break space and the byte 0xA0 shown alike).
    import itertools

    from lii_check.discovery import shown_path, unshown_path

    alphabet = ["\\", "x", "u", "9", "a", "\x1b", "\xa0", "\udce9", "\udca0", "n", "/", "\x85"]
    shown: dict[str, str] = {}
    for size in range(1, 5):
        for letters in itertools.product(alphabet, repeat=size):
            name = "".join(letters)
            assert unshown_path(shown_path(name)) == name
            assert shown.setdefault(shown_path(name), name) == name
