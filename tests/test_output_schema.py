"""The JSON documents lii-check writes are described by published schemas (issue 13, item 4):
`lii-check schema check|explain` prints them, and every document produced here validates, for the
four kinds of report (consistent, inconsistent, unreadable, with suppressed findings) and for explain."""
import json
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from lii_check.cli import main

REPO = Path(__file__).resolve().parents[1]


def schema_of(document: str) -> dict:
    done = CliRunner().invoke(main, ["schema", document])
    assert done.exit_code == 0
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return schema


@pytest.fixture(scope="module")
def check_validator():
    return jsonschema.Draft202012Validator(schema_of("check"))


def test_every_bundled_fixture_document_validates(check_validator, tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    done = CliRunner().invoke(main, ["fixtures", "--engine", "pure", "--format", "json"])
    doc = json.loads(done.stdout)
    check_validator.validate(doc)
    assert {r["verdict"] for r in doc["reports"]} == {"consistent", "inconsistent"}


def test_unreadable_and_suppressed_reports_validate(check_validator, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.md").write_text("", "utf-8")
    shifted = (REPO / "fixtures" / "shifted" / "seed002_relabelled_1.txt").read_text("utf-8")
    (corpus / "quiet.txt").write_text(
        shifted + "\n<!-- lii-check-disable consistency.score-below-evidence: agreed at panel -->\n", "utf-8")
    doc = json.loads(CliRunner().invoke(main, ["corpus", "--engine", "pure", "--format", "json"]).stdout)
    check_validator.validate(doc)
    kinds = {r["verdict"] for r in doc["reports"]}
    assert "unreadable" in kinds and any(r["suppressed"] for r in doc["reports"])


def test_a_document_with_an_unknown_field_does_not_validate(check_validator, monkeypatch):
    monkeypatch.chdir(REPO)
    doc = json.loads(CliRunner().invoke(main, ["fixtures/seeds", "--engine", "pure", "--format", "json"]).stdout)
    doc["reports"][0]["percent"] = 93.5
    with pytest.raises(jsonschema.ValidationError):
        check_validator.validate(doc)


def test_explain_documents_validate(monkeypatch):
    monkeypatch.chdir(REPO)
    validator = jsonschema.Draft202012Validator(schema_of("explain"))
    for report in ("fixtures/seeds/003_54c3d31a3b902f41.txt", "fixtures/shifted/seed002_relabelled_1.txt"):
        done = CliRunner().invoke(main, ["explain", report, "--engine", "pure", "--format", "json"])
        validator.validate(json.loads(done.stdout))


def test_explain_json_on_an_unreadable_report_is_a_document_naming_the_line(tmp_path):
    """A program reading `explain --format json` gets a document for a report it cannot read, not an empty
    stdout; the line and the reason are the ones a person reads on stderr."""
    bad = tmp_path / "r\udce9port.txt"  # a name that is not UTF-8: shown with its byte, as check shows it
    bad.write_bytes(b"Learning, improvement and innovation\nScore: 7\nStaff were supported.\n")
    done = CliRunner().invoke(main, ["explain", str(bad), "--format", "json"])
    assert done.exit_code == 1
    doc = json.loads(done.stdout)
    jsonschema.Draft202012Validator(schema_of("explain")).validate(doc)
    assert doc == {"path": str(tmp_path / "r\\xe9port.txt"), "verdict": "unreadable",
                   "error": {"line": 2, "message": "the score 7 is outside 1-4: CQC scores run from 1 to 4"}}
    assert f"{tmp_path}/r\\xe9port.txt:2: unreadable: the score 7 is outside 1-4" in done.stderr
    readable = json.loads(CliRunner().invoke(main, ["explain", str(REPO / "fixtures/seeds/003_54c3d31a3b902f41.txt"),
                                                    "--engine", "pure", "--format", "json"]).stdout)
    with pytest.raises(jsonschema.ValidationError):  # one form or the other, never a mixture
        jsonschema.Draft202012Validator(schema_of("explain")).validate({**readable, "error": doc["error"]})


def test_the_rules_schema_is_the_rulebook_schema():
    assert schema_of("rules") == json.loads((REPO / "engine" / "schema" / "rulebook.schema.json").read_text("utf-8"))


def test_explain_shows_arithmetic_a_person_can_redo(monkeypatch):
    # Issue 10, item 4: each theme's weight and contribution, and the contributions add up to the mean.
    import re

    monkeypatch.chdir(REPO)
    done = CliRunner().invoke(main, ["explain", "fixtures/seeds/003_54c3d31a3b902f41.txt", "--engine", "pure",
                                     "--format", "json"])
    d = json.loads(done.stdout)
    mean = float(re.search(r"Weighted mean of theme scores ([0-9.]+)", d["reasoning"][0]).group(1))
    graded = [t for t in d["themes"] if t["score"] is not None]
    assert abs(sum(t["contribution"] for t in graded) - mean) < 0.01
    assert abs(sum(t["share_of_mean"] for t in graded) - 1) < 0.001
    named = [t for t in graded if t["theme"] != "general"]
    assert f"across {len(named)} themes with graded evidence" in d["reasoning"][0]
    text = CliRunner().invoke(main, ["explain", "fixtures/seeds/003_54c3d31a3b902f41.txt", "--engine", "pure"],
                              env={"COLUMNS": "200"}).stdout
    assert "Weighted mean = the sum of the contributions above" in text and "weight 1.3 × √" in text
