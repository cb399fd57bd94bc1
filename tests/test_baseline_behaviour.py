"""The baseline file: what load_baseline refuses (each malformed part named), how it is written (an
ordinary file, indented, unescaped, nothing left behind on failure) and how findings are matched.

Written against the mutants tests/test_config_and_baseline.py let through (CONTRIBUTING.md, "Mutation
testing"). The findings come from a real run on the relabelled seed reports in fixtures/shifted.
"""
from __future__ import annotations

import dataclasses
import json
import os
import stat
from pathlib import Path

import pytest

from lii_check.baseline import (BaselineError, apply_baseline, baseline_document, load_baseline, write_baseline)
from lii_check.check import discover
from lii_check.document import SCHEMA_VERSION

from in_memory import check_files

REPO = Path(__file__).resolve().parents[1]
SHIFTED = REPO / "fixtures" / "shifted"


@pytest.fixture(scope="module")
def results(compiled):
    return check_files(discover([str(SHIFTED)]), compiled, "pure")[0]


def fresh(compiled):
    return check_files(discover([str(SHIFTED)]), compiled, "pure")[0]


def write(tmp_path, doc) -> Path:
    path = tmp_path / "baseline.json"
    path.write_text(json.dumps(doc), "utf-8")
    return path


def good_doc(**changes):
    doc = {"schema_version": SCHEMA_VERSION, "tool": {"name": "lii-check"},
           "reports": [{"path": "r.md", "findings": [{"rule": "x.y", "evidence": [{"text": "Staff agreed."}]}]}]}
    doc.update(changes)
    return doc


def refusal(tmp_path, doc) -> str:
    with pytest.raises(BaselineError) as info:
        load_baseline(write(tmp_path, doc))
    return str(info.value)


@pytest.mark.parametrize("doc", [
    {"tool": {"name": "lii-check"}},                                   # no reports
    {"tool": {"name": "lii-check"}, "reports": {}},                    # reports not a list
    {"tool": {"name": "another-tool"}, "reports": []},                 # someone else's document
    {"tool": "lii-check", "reports": []},                              # tool not an object
])
def test_a_document_that_is_not_lii_checks_is_refused(tmp_path, doc):
    assert "not a lii-check JSON document" in refusal(tmp_path, {"schema_version": SCHEMA_VERSION, **doc})


def test_a_tool_name_sorting_after_lii_check_is_still_not_lii_check(tmp_path):
    assert "not a lii-check JSON document" in refusal(tmp_path, good_doc(tool={"name": "zeta-check"}))


def test_the_schema_version_compares_by_value(tmp_path):
    assert load_baseline(write(tmp_path, good_doc(schema_version=float(SCHEMA_VERSION)))).keys


def test_a_loaded_baseline_cannot_be_changed(tmp_path):
    import dataclasses
    baseline = load_baseline(write(tmp_path, good_doc()))
    with pytest.raises(dataclasses.FrozenInstanceError):
        baseline.keys = frozenset()


@pytest.mark.parametrize("version", [SCHEMA_VERSION - 1, SCHEMA_VERSION + 1, None, str(SCHEMA_VERSION)])
def test_another_schema_version_is_refused(tmp_path, version):
    message = refusal(tmp_path, good_doc(schema_version=version))
    assert f"written with JSON schema version {version!r}; this lii-check reads version {SCHEMA_VERSION}" in message


def test_the_current_schema_version_is_read(tmp_path):
    baseline = load_baseline(write(tmp_path, good_doc()))
    assert baseline.keys == frozenset({("r.md", "x.y", ("Staff agreed.",))})


@pytest.mark.parametrize("report", [
    "r.md", {"findings": []}, {"path": 3}, {"path": ""}, {"path": "r\x00.md"},
])
def test_each_report_entry_needs_a_path(tmp_path, report):
    message = refusal(tmp_path, good_doc(reports=[good_doc()["reports"][0], report]))
    assert message.endswith('reports[1] needs a "path" naming the report file')


@pytest.mark.parametrize("finding", [
    "x.y", {"evidence": []}, {"rule": 1, "evidence": []}, {"rule": "x.y", "evidence": {}},
    {"rule": "x.y", "evidence": ["text"]}, {"rule": "x.y", "evidence": [{"text": 1}]},
])
@pytest.mark.parametrize("kind", ["findings", "suppressed"])
def test_each_finding_needs_a_rule_and_evidence_texts(tmp_path, finding, kind):
    report = {"path": "r.md", kind: [{"rule": "x.y", "evidence": []}, finding]}
    assert f"reports[0].{kind}[1] needs a \"rule\"" in refusal(tmp_path, good_doc(reports=[report]))


def test_a_finding_list_that_is_not_a_list_is_named(tmp_path):
    assert refusal(tmp_path, good_doc(reports=[{"path": "r.md", "suppressed": {}}])).endswith(
        "reports[0].suppressed must be a list of findings")


def test_suppressed_findings_count_as_accepted_too(tmp_path):
    report = {"path": "r.md", "suppressed": [{"rule": "a.b", "evidence": [{"text": "  Staff\nagreed. "}]}]}
    assert load_baseline(write(tmp_path, good_doc(reports=[report]))).keys == \
        frozenset({("r.md", "a.b", ("Staff agreed.",))})  # white space as written does not matter


def test_an_unreadable_baseline_names_the_reason(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_bytes(b"\xff\xfe\xfa")  # a UTF-16 byte-order mark, then half a character
    with pytest.raises(BaselineError, match=r"baseline.json:1: the file is UTF-16 text .*re-save it as UTF-8"):
        load_baseline(path)
    path.write_bytes(b'{\n "tool":\n "caf\xe9"}')  # Latin-1 on line 3
    with pytest.raises(BaselineError, match=r"baseline.json:3: the file is not UTF-8 text \(byte 0xE9"):
        load_baseline(path)


# --- writing ------------------------------------------------------------------------------------------

def test_the_baseline_is_an_ordinary_file_under_the_umask(tmp_path, results):
    for umask, mode in ((0o027, 0o640), (0o002, 0o664)):
        previous = os.umask(umask)
        try:
            write_baseline(tmp_path / f"{umask:o}.json", results)
        finally:
            os.umask(previous)
        assert stat.S_IMODE((tmp_path / f"{umask:o}.json").stat().st_mode) == mode


def test_the_baseline_text_is_indented_unescaped_and_ends_with_a_newline(tmp_path, results):
    write_baseline(tmp_path / "b.json", results)
    text = (tmp_path / "b.json").read_text("utf-8")
    assert text == json.dumps(baseline_document(results), indent=2, ensure_ascii=False) + "\n"
    assert text.startswith('{\n  "schema_version": ')
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"]  # no temporary file left behind


def test_a_baseline_with_non_ascii_evidence_is_written_as_utf8(tmp_path, results):
    import copy
    changed = copy.deepcopy(results)
    changed[0].findings[0].cited[0] = type(changed[0].findings[0].cited[0])(1, "Café staff agreed – fully.")
    write_baseline(tmp_path / "b.json", changed)
    assert "Café staff agreed – fully." in (tmp_path / "b.json").read_text("utf-8")


def test_a_failed_write_leaves_nothing_behind_and_the_old_baseline_intact(tmp_path, results, monkeypatch):
    path = tmp_path / "b.json"
    path.write_text("old", "utf-8")

    def fail(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises(KeyboardInterrupt):
        write_baseline(path, results)
    assert [p.name for p in tmp_path.iterdir()] == ["b.json"] and path.read_text("utf-8") == "old"


def test_the_temporary_file_is_made_next_to_the_baseline(tmp_path, results, monkeypatch):
    import tempfile
    made = []
    real = tempfile.mkstemp

    def mkstemp(**kw):
        made.append(Path(kw["dir"]))
        return real(**kw)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    write_baseline(Path("sub") / "b.json", results)
    write_baseline(Path("b.json"), results)
    assert made == [Path("sub"), Path(".")]
    assert load_baseline(Path("b.json")).keys == load_baseline(Path("sub/b.json")).keys


def test_reports_without_findings_are_left_out_but_later_ones_kept(compiled, monkeypatch):
    monkeypatch.chdir(REPO)  # baseline paths are relative to the working folder
    mixed = check_files(discover([str(REPO / "fixtures" / "seeds"), str(SHIFTED)]), compiled, "pure")[0]
    paths = [r["path"] for r in baseline_document(mixed)["reports"]]
    assert paths == ["fixtures/shifted/seed000_relabelled_2.txt", "fixtures/shifted/seed002_relabelled_1.txt"]


# --- matching ---------------------------------------------------------------------------------------

def test_every_report_is_matched_not_just_the_first(tmp_path, compiled, results):
    assert len([r for r in results if r.findings]) == 2
    path = tmp_path / "b.json"
    write_baseline(path, results)
    again = fresh(compiled)
    count = sum(len(r.findings) for r in again)
    assert apply_baseline(again, load_baseline(path)) == count
    assert all(not r.findings and all(f.suppressed_by == "baseline" for f in r.suppressed) for r in again)


def test_only_the_findings_in_the_baseline_are_suppressed(tmp_path, compiled, results):
    doc = baseline_document(results)
    doc["reports"] = doc["reports"][1:]  # forget the first report's findings
    again = fresh(compiled)
    matched = apply_baseline(again, load_baseline(write(tmp_path, doc)))
    assert matched == len(doc["reports"][0]["findings"])
    assert again[0].findings and not again[0].suppressed


def test_a_report_rescored_since_its_findings_were_accepted_is_checked_afresh(tmp_path, compiled):
    # The baseline matched by report, rule and cited sentences only, so a report re-scored further from its
    # evidence kept its accepted findings. The score each report had is recorded, and a changed one matches nothing.
    first = fresh(compiled)
    path = tmp_path / "b.json"
    write_baseline(path, first, {r.path: r.report.awarded_score for r in first})
    doc = json.loads(path.read_text("utf-8"))
    assert [r["awarded_score"] for r in doc["reports"]] == [r.report.awarded_score for r in first if r.findings]
    baseline = load_baseline(path)
    everything = sum(len(r.findings) for r in first)
    assert everything > 0 and apply_baseline(fresh(compiled), baseline) == everything  # unchanged: all accepted
    rescored = fresh(compiled)
    target = rescored[0]
    target.report = dataclasses.replace(target.report, awarded_score=target.report.awarded_score % 4 + 1)
    assert apply_baseline(rescored, baseline) == everything - len(first[0].findings)
    assert target.findings and not target.suppressed  # nothing of the re-scored report was accepted
    # An older baseline, with no scores, still matches by report, rule and cited sentences
    for entry in doc["reports"]:
        del entry["awarded_score"]
    path.write_text(json.dumps(doc), "utf-8")
    assert apply_baseline(fresh(compiled), load_baseline(path)) == everything
