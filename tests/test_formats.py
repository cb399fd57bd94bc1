"""Every output format is parsed back and checked, on a hand-built result document.

The document covers the four kinds of report the renderers must tell apart: consistent with no
findings, inconsistent (2 findings), consistent with warnings only, and unreadable.
"""
from __future__ import annotations

import copy
import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from lii_check.formats import FORMATS, render

DATA = Path(__file__).parent / "data" / "formats"
ANSI = re.compile(r"\x1b\[[0-9;]*m")

# Exercises every GitHub escape: "," ":" "%" and a newline (plus a "|" for Markdown).
TRICKY = "Ratio 50% of staff: say yes, mostly\nsecond line | with pipe"

CONSISTENT = {
    "path": "fixtures/seeds/001_clean.txt",
    "quality_statement": "Learning, improvement and innovation",
    "awarded_score": 3,
    "evidence_score": 3,
    "evidence_index": 3.1,
    "verdict": "consistent",
    "error": None,
    "findings": [],
}

INCONSISTENT = {
    "path": "fixtures/seeds/000_69a4.txt",
    "quality_statement": "Learning, improvement and innovation",
    "awarded_score": 4,
    "evidence_score": 3,
    "evidence_index": 3.21,
    "verdict": "inconsistent",
    "error": None,
    "findings": [
        {
            "rule": "co-production.band4-not-embedded",
            "theme": "co-production",
            "severity": "error",
            "message": "A score of 4 needs co-production shown as embedded; here it reads as still "
            "developing. Check the sentences below or lower the score.",
            "line": 29,
            "evidence": [
                {"line": 29, "text": "The local authority and partners note co-production is still being developed."},
                {"line": 31, "text": "People told us they were not yet involved in designing services."},
            ],
        },
        {
            "rule": "research.band4-no-research",
            "theme": "research",
            "severity": "warning",
            "message": "A score of 4 usually cites research or innovation; none was found.",
            "line": None,
            "evidence": [],
        },
    ],
}

WARNINGS_ONLY = {
    "path": "fixtures/seeds/002_warn.txt",
    "quality_statement": "Learning, improvement and innovation",
    "awarded_score": 2,
    "evidence_score": 2,
    "evidence_index": 2.4,
    "verdict": "consistent",
    "error": None,
    "findings": [
        {
            "rule": "learning.thin-evidence",
            "theme": "learning",
            "severity": "warning",
            "message": TRICKY,
            "line": 12,
            "evidence": [{"line": 12, "text": "Staff said learning from complaints was shared | sometimes."}],
        },
        {
            "rule": "learning.note-only",
            "theme": "learning",
            "severity": "info",
            "message": "Only one source speaks to learning.",
            "line": 14,
            "evidence": [{"line": 14, "text": "Leaders described a learning culture."}],
        },
    ],
}

UNREADABLE = {
    "path": "fixtures/seeds/003_broken.txt",
    "quality_statement": None,
    "awarded_score": None,
    "evidence_score": None,
    "evidence_index": None,
    "verdict": "unreadable",
    "error": {"line": 3, "message": "no score line found"},
    "findings": [],
}

DOC = {
    "schema_version": 1,
    "tool": {"name": "lii-check", "version": "0.1.0"},
    "rulebook": {"path": "(bundled)", "framework": "cqc-la-2023"},
    "reports": [INCONSISTENT, CONSISTENT, WARNINGS_ONLY, UNREADABLE],
    "summary": {
        "reports": 4,
        "consistent": 2,
        "inconsistent": 1,
        "unreadable": 1,
        "findings": {"error": 1, "warning": 2, "info": 1},
        "rules_never_fired": ["partnership.band4-no-partners"],
        "exit_code": 1,
    },
}

RULES_META = [
    # Deliberately not in id order: the SARIF rules array must not depend on rulebook order.
    {"id": "research.band4-no-research", "theme": "research", "severity": "warning",
     "description": "Band 4 without research or innovation.", "framework": "cqc-la-2023"},
    {"id": "co-production.band4-not-embedded", "theme": "co-production", "severity": "error",
     "description": "Band 4 needs embedded co-production.", "framework": "cqc-la-2023"},
    {"id": "learning.thin-evidence", "theme": "learning", "severity": "warning",
     "description": "Learning evidence is thin.", "framework": "cqc-la-2023"},
    {"id": "partnership.band4-no-partners", "theme": "partnership", "severity": "warning",
     "description": "Band 4 without partners.", "framework": "cqc-la-2023"},
    # "learning.note-only" is missing on purpose: a finding from a rule without metadata.
]


def out(fmt: str, doc: dict = DOC, **kw) -> str:
    return render(fmt, copy.deepcopy(doc), copy.deepcopy(RULES_META), **kw)


# --- all formats ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", FORMATS)
def test_deterministic_and_newline_terminated(fmt):
    first, second = out(fmt), out(fmt)
    assert first == second
    assert first.endswith("\n")
    assert "/tmp" not in first and str(Path.cwd()) not in first  # no absolute paths added


@pytest.mark.parametrize("fmt", FORMATS)
def test_does_not_mutate_input(fmt):
    doc, meta = copy.deepcopy(DOC), copy.deepcopy(RULES_META)
    render(fmt, doc, meta)
    assert doc == DOC and meta == RULES_META


@pytest.mark.parametrize("fmt", FORMATS)
def test_empty_corpus(fmt):
    empty = {**DOC, "reports": [], "summary": {"reports": 0, "consistent": 0, "inconsistent": 0,
                                               "unreadable": 0, "findings": {"error": 0, "warning": 0, "info": 0},
                                               "rules_never_fired": [], "exit_code": 0}}
    assert out(fmt, empty).endswith("\n")


def test_formats_tuple_and_unknown_format():
    assert FORMATS == ("table", "concise", "json", "sarif", "junit", "github", "markdown", "html")
    with pytest.raises(ValueError, match="unknown format"):
        render("yaml", DOC, RULES_META)


# --- json ----------------------------------------------------------------------------------------

def test_json_round_trips():
    text = out("json")
    assert json.loads(text) == DOC
    assert text == json.dumps(DOC, indent=2, ensure_ascii=False) + "\n"


# --- sarif ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_schema() -> dict:
    raw = (DATA / "sarif-schema-2.1.0.json").read_bytes()
    # Guards against the stored official schema being edited by accident (see data/formats/README.md).
    assert hashlib.sha256(raw).hexdigest() == "c3b4bb2d6093897483348925aaa73af03b3e3f4bd4ca38cef26dcb4212a2682e"
    return json.loads(raw)


def test_sarif_validates_against_official_schema(sarif_schema):
    log = json.loads(out("sarif"))
    validator = jsonschema.Draft4Validator(sarif_schema, format_checker=jsonschema.Draft4Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)


def test_sarif_schema_rejects_a_broken_log(sarif_schema):
    # Proves the validation above has teeth: a bad level and a zero line must fail.
    log = json.loads(out("sarif"))
    log["runs"][0]["results"][0]["level"] = "fatal"
    log["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert len(list(jsonschema.Draft4Validator(sarif_schema).iter_errors(log))) >= 2


def test_sarif_content():
    log = json.loads(out("sarif"))
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "lii-check" and driver["version"] == "0.1.0"
    assert "informationUri" not in driver
    rule_ids = [r["id"] for r in driver["rules"]]
    assert rule_ids == [
        "co-production.band4-not-embedded", "learning.thin-evidence", "partnership.band4-no-partners",
        "research.band4-no-research", "learning.note-only", "lii-check/unreadable",
    ]
    by_id = {r["id"]: r for r in driver["rules"]}
    co = by_id["co-production.band4-not-embedded"]
    assert co["name"] == "CoProductionBand4NotEmbedded"
    assert co["shortDescription"]["text"] == "Band 4 needs embedded co-production."
    assert co["defaultConfiguration"]["level"] == "error"
    assert co["properties"]["tags"] == ["co-production", "cqc-la-2023"]
    assert by_id["research.band4-no-research"]["defaultConfiguration"]["level"] == "warning"

    got = [
        (r["ruleId"], r["level"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
         r["locations"][0]["physicalLocation"]["region"]["startLine"])
        for r in run["results"]
    ]
    assert got == [
        ("co-production.band4-not-embedded", "error", "fixtures/seeds/000_69a4.txt", 29),
        ("research.band4-no-research", "warning", "fixtures/seeds/000_69a4.txt", 1),  # line None -> 1
        ("learning.thin-evidence", "warning", "fixtures/seeds/002_warn.txt", 12),
        ("learning.note-only", "note", "fixtures/seeds/002_warn.txt", 14),
        ("lii-check/unreadable", "error", "fixtures/seeds/003_broken.txt", 3),
    ]
    for r in run["results"]:
        assert rule_ids[r["ruleIndex"]] == r["ruleId"]

    first = run["results"][0]
    assert first["message"]["text"].startswith("A score of 4 needs co-production shown as embedded")
    assert "L29: The local authority and partners note co-production" in first["message"]["text"]
    assert [loc["physicalLocation"]["region"]["startLine"] for loc in first["relatedLocations"]] == [29, 31]
    assert run["results"][-1]["message"]["text"] == "no score line found"


def test_sarif_uri_is_relative_with_forward_slashes():
    doc = copy.deepcopy(DOC)
    doc["reports"] = [{**copy.deepcopy(INCONSISTENT), "path": "reports\\my report#1.txt"}]
    uri = json.loads(out("sarif", doc))["runs"][0]["results"][0]["locations"][0]["physicalLocation"][
        "artifactLocation"]["uri"]
    assert uri == "reports/my%20report%231.txt"


# --- junit ---------------------------------------------------------------------------------------

def test_junit_counts_and_texts():
    text = out("junit")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "lii-check"
    assert (suite.get("tests"), suite.get("failures"), suite.get("errors")) == ("4", "1", "1")
    cases = {c.get("name"): c for c in suite.findall("testcase")}
    assert list(cases) == [r["path"] for r in DOC["reports"]]
    assert all(c.get("classname") == "lii-check" for c in cases.values())

    failure = cases["fixtures/seeds/000_69a4.txt"].find("failure")
    assert failure.get("type") == "inconsistent"
    assert failure.get("message") == "1 error finding"
    assert failure.text.splitlines() == [
        "L29 error co-production.band4-not-embedded: A score of 4 needs co-production shown as embedded; "
        "here it reads as still developing. Check the sentences below or lower the score.",
        "L? warning research.band4-no-research: A score of 4 usually cites research or innovation; none was found.",
    ]

    clean = cases["fixtures/seeds/001_clean.txt"]
    assert list(clean) == []

    warn = cases["fixtures/seeds/002_warn.txt"]
    assert warn.find("failure") is None and warn.find("error") is None
    assert warn.find("system-out").text.splitlines() == [
        "L12 warning learning.thin-evidence: Ratio 50% of staff: say yes, mostly second line | with pipe",
        "L14 info learning.note-only: Only one source speaks to learning.",
    ]

    error = cases["fixtures/seeds/003_broken.txt"].find("error")
    assert error.get("type") == "unreadable"
    assert error.get("message") == "no score line found"


def test_junit_escapes_markup_and_drops_control_characters():
    doc = copy.deepcopy(DOC)
    bad = copy.deepcopy(INCONSISTENT)
    bad["path"] = 'a&b<"c">.txt'
    bad["findings"][0]["message"] = "use <b> & \"quotes\" \x1b[31m here\x00"
    doc["reports"] = [bad]
    root = ET.fromstring(out("junit", doc).encode("utf-8"))
    case = root.find("testsuite/testcase")
    assert case.get("name") == 'a&b<"c">.txt'
    # The whole escape sequence goes, not just the ESC byte (which would leave "[31m" behind).
    assert 'use <b> & "quotes" here' in case.find("failure").text


# --- github --------------------------------------------------------------------------------------

def test_github_lines_exact():
    assert out("github").splitlines() == [
        "::error file=fixtures/seeds/000_69a4.txt,line=29,title=co-production.band4-not-embedded::"
        "A score of 4 needs co-production shown as embedded; here it reads as still developing. "
        "Check the sentences below or lower the score.",
        "::warning file=fixtures/seeds/000_69a4.txt,title=research.band4-no-research::"
        "A score of 4 usually cites research or innovation; none was found.",
        "::warning file=fixtures/seeds/002_warn.txt,line=12,title=learning.thin-evidence::"
        "Ratio 50%25 of staff: say yes, mostly%0Asecond line | with pipe",
        "::notice file=fixtures/seeds/002_warn.txt,line=14,title=learning.note-only::"
        "Only one source speaks to learning.",
        "::error file=fixtures/seeds/003_broken.txt,line=3,title=unreadable::no score line found",
    ]


def test_github_escapes_properties():
    doc = copy.deepcopy(DOC)
    report = copy.deepcopy(WARNINGS_ONLY)
    report["path"] = "dir,x/a:b%c.txt"
    report["findings"] = [{**report["findings"][0], "rule": "r:1,2", "message": "50%\r\ndone"}]
    doc["reports"] = [report]
    assert out("github", doc) == "::warning file=dir%2Cx/a%3Ab%25c.txt,line=12,title=r%3A1%2C2::50%25%0D%0Adone\n"


def test_github_unreadable_without_line_omits_line():
    doc = copy.deepcopy(DOC)
    doc["reports"] = [{**copy.deepcopy(UNREADABLE), "error": {"line": None, "message": "not UTF-8"}}]
    assert out("github", doc) == "::error file=fixtures/seeds/003_broken.txt,title=unreadable::not UTF-8\n"


# --- markdown ------------------------------------------------------------------------------------

def _table_rows(md: str) -> list[str]:
    """Body rows of every pipe table (header and delimiter rows excluded)."""
    lines = md.splitlines()
    return [
        line for i, line in enumerate(lines)
        if line.startswith("| ") and not line.startswith("| ---") and not (i + 1 < len(lines) and lines[i + 1].startswith("| ---"))
    ]


def _cells(row: str) -> list[str]:
    # Split on pipes not preceded by a backslash, as GFM does.
    return [c.strip() for c in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_markdown_structure():
    md = out("markdown")
    lines = md.splitlines()
    assert lines[0] == "### lii-check"
    assert "**4 reports**: 2 consistent, 1 inconsistent, 1 unreadable — 1 error, 2 warnings, 1 info" in md
    rows = _table_rows(md)
    assert len(rows) == 4  # 2 findings in the inconsistent report + 2 in the warnings-only one
    assert all(len(_cells(r)) == 5 for r in rows)
    assert md.count("| Severity | Theme | Rule | Line | What to check |") == 2
    assert md.count("<details>") == 2 and md.count("</details>") == 2
    assert "- `co-production.band4-not-embedded` L31: People told us they were not yet involved" in md
    assert "**`fixtures/seeds/003_broken.txt`**: **unreadable** (line 3): no score line found" in md
    assert lines[-1] == "1 report consistent with no findings."


def test_markdown_escapes_pipes_and_newlines():
    md = out("markdown")
    row = next(r for r in _table_rows(md) if "learning.thin-evidence" in r)
    assert _cells(row)[-1] == "Ratio 50% of staff: say yes, mostly second line \\| with pipe"
    assert "shared \\| sometimes." in md  # evidence text in <details> escaped too


def test_markdown_neutralises_html():
    doc = copy.deepcopy(DOC)
    report = copy.deepcopy(INCONSISTENT)
    report["findings"][0]["evidence"][0]["text"] = "closing </details> early & <b>bold</b>"
    doc["reports"] = [report]
    md = out("markdown", doc)
    assert md.count("</details>") == 1
    assert "closing &lt;/details&gt; early &amp; &lt;b&gt;bold&lt;/b&gt;" in md


# --- table ---------------------------------------------------------------------------------------

def test_table_plain():
    text = out("table")
    assert not ANSI.search(text) and "\x1b" not in text
    assert "INCONSISTENT  fixtures/seeds/000_69a4.txt: awarded 4, evidence 3 (index 3.21; 0.29 short of the 3.50 needed for a 4)" in text
    assert "CONSISTENT    fixtures/seeds/001_clean.txt: awarded 3, evidence 3 (index 3.10; 0.40 short of the 3.50 needed for a 4)" in text
    assert "CONSISTENT    fixtures/seeds/002_warn.txt: awarded 2, evidence 2 (index 2.40; 0.10 short of the 2.50 needed for a 3)" in text
    assert "UNREADABLE    fixtures/seeds/003_broken.txt: line 3: no score line found" in text
    wide = out("table", width=200)  # wide enough that no rule id needs to break at its dots
    for rule in ("co-production.band4-not-embedded", "research.band4-no-research",
                 "learning.thin-evidence", "learning.note-only"):
        assert rule in wide
    for header in ("finding", "what to check", "what the text says"):
        assert header in text
    assert "L29 The local authority" in text and "L31 People told us" in text
    assert "1 rule never fired (--verbose lists them)." in text
    # The default width is 120, and every line fits it.
    assert max(len(line) for line in text.splitlines()) <= 120


def test_table_summary_numbers():
    text = out("table")
    assert "4 reports: 2 consistent, 1 inconsistent, 1 unreadable; findings: 1 error, 2 warnings, 1 info" in text


def test_table_colour():
    coloured = out("table", color=True)
    assert ANSI.search(coloured)
    # Colour codes are added around words that are padded by their visible width, so taking the
    # codes out gives exactly the plain table.
    assert ANSI.sub("", coloured) == out("table")


def test_table_strips_escape_codes_from_report_text():
    doc = copy.deepcopy(DOC)
    report = copy.deepcopy(INCONSISTENT)
    report["findings"][0]["message"] = "evil \x1b]0;title\x07 text"
    doc["reports"] = [report]
    assert "\x1b" not in out("table", doc)


def test_table_handles_missing_scores():
    doc = copy.deepcopy(DOC)
    doc["reports"] = [{**copy.deepcopy(INCONSISTENT), "evidence_score": None, "evidence_index": None}]
    assert "INCONSISTENT  fixtures/seeds/000_69a4.txt: awarded 4, evidence ?" in out("table", doc)
