"""The compiled rulebook: one linear-time matcher, the same reading as before, on every engine.

- Every fixture reads exactly as frozen in tests/data/frozen/reading.json (regenerate with
  `python tests/freeze_reading.py` after a deliberate change, and say why in CHANGELOG.md).
  Against 0.1's clause-by-clause `re` reading, two cue texts differ (s02, s04: the longest match of a
  lazy `{0,4}?` is now shown); levels, scores and indices are all unchanged.
- hyperscan and RE2 give the same hits on every fixture sentence.
- Patterns that cannot run in linear time are refused when the rules load, with file and line.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main
from lii_check.compiled import compile_rulebook_once
from lii_check.reading import find_evidence, sentence_hits

from corpora import smaller_fixture_folders
from lii_check.matcher import Matcher, available_engines, fold
from lii_check.parser import parse_report, read_report
from lii_check.rulebook import RulebookInvalid, load_rulebook

sys.path.insert(0, str(Path(__file__).resolve().parent))
from freeze_reading import FROZEN, REPO, fixture_reports, reading_of  # noqa: E402


def test_every_fixture_reads_as_frozen(compiled):
    frozen = json.loads(FROZEN.read_text("utf-8"))
    checked = 0
    for path in fixture_reports():
        name = path.relative_to(REPO).as_posix()
        got = reading_of(path, compiled)
        if got is None:
            continue
        assert name in frozen, f"{name} is not in {FROZEN.name}: run python tests/freeze_reading.py"
        for key in ("mentions", "index", "evidence_score"):
            assert got[key] == frozen[name][key], (name, key)
        want_ev = [tuple(x) for x in frozen[name]["evidence"]]
        got_ev = [tuple(x) for x in got["evidence"]]
        assert got_ev == want_ev, (name, [x for x in got_ev if x not in want_ev][:3], [x for x in want_ev if x not in got_ev][:3])
        assert got["set_aside"] == frozen[name]["set_aside"], name
        checked += 1
    assert checked >= 25


@pytest.mark.skipif(available_engines() != ["hyperscan", "re2"], reason="needs both hyperscan and RE2 installed")
def test_hyperscan_and_re2_find_the_same_hits(compiled):
    """Every sentence of every fixture, report by report and one sentence a line, as reports are scanned (so RE2's
    filter names the patterns each report may hold, as in a run); a difference names its report and line."""
    re2_matcher = Matcher(compiled.patterns, "re2")
    assert compiled.matcher.engine == "hyperscan"
    sentences = hits = 0
    for path in fixture_reports():
        try:
            report = read_report(path)
        except Exception:  # noqa: BLE001 - unreadable fixtures are tested elsewhere
            continue
        found = [s for sec in report.sections for p in sec.paragraphs for s in p.sentences]
        texts = [fold(sentence.text) for sentence in found]
        ends, at = [], 0
        for t in texts:
            at += len(t)
            ends.append(at)
            at += 1
        joined = "\n".join(texts)
        by_hyperscan, by_re2 = compiled.matcher.scan_lines(joined, ends), re2_matcher.scan_lines(joined, ends)
        differ = [f"{path.name}:{found[i].line}" for i, (a, b) in enumerate(zip(by_hyperscan, by_re2)) if a != b]
        assert not differ and len(by_hyperscan) == len(by_re2) == len(texts), differ[:5]
        sentences += len(texts)
        hits += sum(map(len, by_hyperscan))
    assert sentences > 1000 and hits > 10_000


@pytest.mark.skipif(available_engines() != ["hyperscan", "re2"], reason="needs both hyperscan and RE2 installed")
def test_rules_test_reports_a_cue_hyperscan_reads_wrongly_behind_a_long_opening(tmp_path, in_process):
    # ruletest.engine_disagreements: hyperscan 0.9.1 missed this cue's "were modest" 24 or more characters into a text;
    # the bundled examples ("Links with the local university were modest.") show it once the cue is added to the rulebook
    # (the bundled rulebook's own examples are checked the same way by test_rulebook_quality's `rules test`)
    (tmp_path / "team").mkdir()
    (tmp_path / "team" / "team.yaml").write_text(
        "kind: overlay\nextends: bundled\nsignals:\n  research:research-absent:\n    add:\n      regex:\n"
        "        - '\\b(?:was|were|remained) (?:relatively |very )?modest\\b'\n", encoding="utf-8")
    done = in_process("rules", "test", "--format", "json", "team", cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    misses = [m for rule in json.loads(done.stdout)["rules"] for m in rule["misses"]]
    assert any(m.startswith("hyperscan and RE2, the two regular-expression engines lii-check runs cues with, read '") and "modest" in m and "rewrite that cue" in m for m in misses), misses


def _re2_scan_of_a_seed(compiled, monkeypatch, prefilter=None) -> tuple[list, set[int]]:
    """RE2's raw hits over one real report's sentences, and the patterns it searched."""
    engine = Matcher(compiled.patterns, "re2")._engine
    if prefilter is not None:
        monkeypatch.setattr(engine, "_prefilter", prefilter)
    searched: set[int] = set()
    real = engine.spans
    monkeypatch.setattr(engine, "spans", lambda pid, *a: searched.add(pid) or real(pid, *a))
    report = read_report(REPO / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt")
    text = "\n".join(fold(s.text) for sec in report.sections for p in sec.paragraphs for s in p.sentences)
    return sorted(engine.raw(text)), searched


def test_re2_searches_only_the_patterns_its_filter_names_and_finds_every_hit(compiled, monkeypatch):
    filtered, searched = _re2_scan_of_a_seed(compiled, monkeypatch)
    every, searched_all = _re2_scan_of_a_seed(compiled, monkeypatch, prefilter=lambda: False)
    assert len(searched_all) == len(compiled.patterns)
    assert len(searched) < len(compiled.patterns) / 2  # the filter leaves most patterns unsearched
    assert filtered == every and len(every) > 300


def test_no_answer_from_re2s_filter_means_every_pattern_is_searched(compiled, monkeypatch):
    class Silent:  # what RE2 answers when its search of the literal words fails
        def Match(self, text, potential=False):
            return None

    got, searched = _re2_scan_of_a_seed(compiled, monkeypatch, prefilter=lambda: (Silent(), sorted(range(len(compiled.patterns)))))
    every, _ = _re2_scan_of_a_seed(compiled, monkeypatch, prefilter=lambda: False)
    assert len(searched) == len(compiled.patterns) and got == every


def test_an_re2_without_its_filter_searches_every_pattern(compiled, monkeypatch):
    # google-re2 releases before the filter, or with another Match signature, must not end a run in an error.
    import re2

    every, _ = _re2_scan_of_a_seed(compiled, monkeypatch, prefilter=lambda: False)
    monkeypatch.delattr(re2, "Filter")
    got, searched = _re2_scan_of_a_seed(compiled, monkeypatch)
    assert len(searched) == len(compiled.patterns) and got == every


def test_a_report_is_scanned_once_not_clause_by_clause(compiled, monkeypatch):
    calls = []
    real = compiled.matcher._engine.raw
    monkeypatch.setattr(compiled.matcher._engine, "raw", lambda text: calls.append(len(text)) or real(text))
    report = read_report(REPO / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt")
    reading = find_evidence(report, compiled)
    assert len(calls) == 1 and reading.evidence


def test_folding_keeps_offsets_and_reads_curly_quotes(compiled):
    text = "Staff didn’t feel listened to — “never” by managers ﬁrst."
    folded = fold(text)
    assert len(folded) == len(text) and folded.isascii()
    assert "didn't" in folded and '"never"' in folded
    sh = sentence_hits("Staff didn’t feel valued by senior managers.", compiled)
    assert sh.negation and sh.text[sh.negation[0][0]:sh.negation[0][1]] == "n’t"


def test_unless_cancels_only_overlapping_cues(compiled):
    # "not only … but also" is praise, "no doubt" is not a negation, "seldom heard" is a group of people.
    sh = sentence_hits("Staff were not only trained but also supported, and there was no doubt about it.", compiled)
    assert sh.negation == []
    assert len([b for b in sh.breaks if b > 0]) == 0  # "but also" does not start a new clause
    sh = sentence_hits("Staff were not trained and there was no plan.", compiled)
    assert len(sh.negation) == 2
    seldom = sentence_hits("The council reached seldom heard groups; a few staff took part.", compiled)
    assert not any(s.id in ("absence", "quantifier-some") for _, _, s in seldom.signals)
    # "seldom offered" is a cue (infrequent: a shortfall), unlike "seldom heard"; "few staff" is an absence.
    rare = sentence_hits("Supervision was seldom offered and few staff had appraisals.", compiled)
    assert [s.id for _, _, s in sorted(rare.signals, key=lambda h: h[0])
            if s.id in ("absence", "quantifier-some")] == ["quantifier-some", "absence"]


def _rules_with(tmp_path, extra_regex: str) -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    for f in (REPO / "rules").glob("*.yaml"):
        (folder / f.name).write_text(f.read_text("utf-8"), "utf-8")
    theme = folder / "research.yaml"
    text = theme.read_text("utf-8")
    at = text.index("\n  regex:\n", text.index("topic:")) + len("\n  regex:\n")
    text = text[:at] + f"    - '{extra_regex}'\n" + text[at:]
    theme.write_text(text, "utf-8")
    return folder


@pytest.mark.parametrize("regex,words", [
    (r"\bresearch\b(?!\s+posts)", ["negative look-ahead", "unless"]),
    (r"(?<=the )university", ["look-ahead or look-behind", "linear time"]),
    (r"(res)earch \1", ["back-reference", "linear time"]),
])
def test_non_linear_regexes_are_refused_with_file_and_line(tmp_path, regex, words):
    folder = _rules_with(tmp_path, regex)
    with pytest.raises(RulebookInvalid) as err:
        load_rulebook(folder)
    [problem] = [p for p in err.value.problems if regex.replace("\\\\", "\\") in p.message]
    assert problem.file.endswith("research.yaml") and problem.line > 1
    for word in words:
        assert word in problem.message
    result = CliRunner().invoke(main, ["rules", "validate", str(folder)])
    assert result.exit_code == 2 and "research.yaml:" in result.output


def test_catastrophic_regex_runs_in_linear_time(tmp_path):
    # `(a+)+$` is the classic exponential backtracking pattern; RE2 and hyperscan accept it and run it
    # in linear time, so a report full of a's is simply read (no time assertion: it just finishes).
    folder = _rules_with(tmp_path, "(a+)+$")
    compiled = compile_rulebook_once(load_rulebook(folder))
    report = parse_report("Score: 3\n\n" + "a" * 200_000 + "b research was embedded.\n", "a.md")
    reading = find_evidence(report, compiled)
    # The sentence after the 200,000 a's is still read, with the cue this test rulebook gives research.
    assert any(e.theme == "research" and "research was embedded" in e.text for e in reading.evidence), reading.evidence


def test_a_one_megabyte_line_is_read_to_its_end(compiled):
    # The largest report the default --max-bytes lets through, as one line; bench/run.py times 5 MB.
    words = ("Staff told us supervision was regular and reflective and training was embedded across all "
             "teams but some carers said co-production was not yet embedded and remedies were late ")
    last = "but in the last team of all supervision was excellent"  # said once, at the very end
    line = (words * (1_000_000 // len(words) + 1))[:1_000_000 - len(last)] + last
    report = parse_report(f"Score: 3\n\n{line}\n", "big.md")
    reading = find_evidence(report, compiled, keep_set_aside=False)  # as check reads it
    levels = {e.level for e in reading.evidence}
    assert "strong" in levels and levels & {"shortfall", "significant"}
    # Every clause of the line was read, not just the first: each repeat of `words` gives evidence in both of
    # its clauses. (Counted first: a failing assert on the list itself would print 20,000 one-megabyte texts.)
    found, repeats = len(reading.evidence), len(line) // len(words)
    assert found >= 2 * repeats, (found, repeats)
    # ... to the last one, said only there (an evidence's `text` is the whole line: only its clause says where)
    assert any("last team of all" in e.clause for e in reading.evidence)


def test_tests_import_the_checkout_not_an_installed_copy():
    import lii_check

    assert Path(lii_check.__file__).resolve().parent == REPO / "engine"


def test_every_subcommand_honours_the_configuration(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".lii-check.yaml").write_text("disable: [consistency.score-below-evidence]\n", "utf-8")
    shifted = REPO / "fixtures" / "shifted" / "seed002_relabelled_1.txt"
    explained = CliRunner().invoke(main, ["explain", str(shifted), "--engine", "pure", "--format", "json"])
    assert "consistency.score-below-evidence" not in explained.output
    (tmp_path / ".lii-check.yaml").write_text("", "utf-8")
    explained = CliRunner().invoke(main, ["explain", str(shifted), "--engine", "pure", "--format", "json"])
    assert "consistency.score-below-evidence" in explained.output


def test_output_is_identical_whatever_the_number_of_jobs(tmp_path):
    exe = Path(sys.executable).with_name("lii-check")
    folders = [str(p) for p in smaller_fixture_folders()]
    runs = [subprocess.run([str(exe), "--format", "json", "--engine", "pure", "--jobs", str(j), *folders],
                           capture_output=True, cwd=tmp_path, check=False) for j in (1, 2, 3)]
    assert runs[0].stdout and all(r.stdout == runs[0].stdout for r in runs)
    assert all(r.returncode == runs[0].returncode for r in runs)


def test_a_damaged_cache_is_rebuilt_and_no_cache_works(tmp_path, monkeypatch):
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    first = load_rulebook()
    entries = list((tmp_path / "cache").iterdir())
    assert entries
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    assert load_rulebook().expectations()[0].id == first.expectations()[0].id
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    assert len(load_rulebook().themes) == len(first.themes)
    assert not os.environ.get("LII_CHECK_CACHE_DIR", "").startswith(str(REPO))
