"""`lii-check rules diff` (issue 12, item 2) on the real fixtures, checked against two separate
`lii-check check --format json` runs, one per rulebook.

A report moved when its verdict, evidence score, evidence index (as printed) or the multiset of its
findings keyed by (rule id, severity) differs. The modified rulebooks below are copies of rules/ with
one band mark, two cues and one severity changed; which reports they move is never written down here:
it is computed from the check runs.
"""
import copy
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from lii_check.cli import main

from edits import replace_first
from parsed import counted_sentences

REPO = Path(__file__).resolve().parents[1]
CORPUS = [REPO / "fixtures" / name for name in ("seeds", "synthetic", "shifted")]


def invoke(*args, cwd: Path):
    """CliRunner on the CLI from ``cwd``; an escaped exception is never taken for an exit code."""
    here = os.getcwd()
    os.chdir(cwd)  # from a folder no configuration file sits above (the repository's own could change runs)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args])
    finally:
        os.chdir(here)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.stderr
    return result



def change_band_mark(rules: Path) -> None:
    """The mark for band 4 raised by 0.08, whatever it is today."""
    path = rules / "scoring.yaml"
    text = path.read_text("utf-8")
    mark = re.search(r'^(bands:\n(?:  .*\n)*?  "4": )([0-9.]+)$', text, re.M)
    assert mark, "scoring.yaml has no band 4 mark: update the test's edit"
    path.write_text(text[:mark.start(2)] + f"{float(mark.group(2)) + 0.08:.2f}" + text[mark.end(2):], "utf-8")


def break_a_value(rules: Path) -> int:
    """scoring.yaml's value for 'good' made a word: invalid, at the line returned."""
    path = rules / "scoring.yaml"
    lines = path.read_text("utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if re.match(r"^  good: [0-9.]+$", line))
    lines[at] = "  good: three\n"
    path.write_text("".join(lines), "utf-8")
    return at + 1


def add_cues(rules: Path) -> None:
    # Two phrases the synthetic reports use, added to the significant "absence" signal, and a topic
    # word that makes sentences count for a theme they were not read for.
    text = (rules / "language.yaml").read_text("utf-8")
    at = text.index("  - id: absence")
    at = text.index("phrases:\n", at) + len("phrases:\n")
    (rules / "language.yaml").write_text(text[:at] + "      - winter peaks\n      - reflective supervision\n"
                                         + text[at:], "utf-8")
    replace_first(rules / "research.yaml", "topic:\n  phrases:\n", "topic:\n  phrases:\n    - winter\n")


def warning_rule(doc: dict) -> str:
    """A theme rule of warning severity that fires on the corpus (its severity is the one changed)."""
    found = sorted({f["rule"] for r in doc["reports"] for f in r["findings"]
                    if f["severity"] == "warning" and not f["rule"].startswith(("consistency.", "lii-check."))})
    assert found, "no theme rule fires at warning on the fixtures: the severity tests need one"
    return found[0]


def change_severity(rules: Path, rule_id: str, new: str = "error") -> None:
    theme, _, local = rule_id.partition(".")
    path = rules / f"{theme}.yaml"
    text = path.read_text("utf-8")
    at = text.index(f"- id: {local}\n")
    at = text.index("severity: ", at)
    end = text.index("\n", at)
    path.write_text(text[:at] + f"severity: {new}" + text[end:], "utf-8")


def copy_rules(into: Path, *edits) -> Path:
    shutil.copytree(REPO / "rules", into, ignore=shutil.ignore_patterns("__pycache__", "*.py"))
    for edit in edits:
        edit(into)
    return into


def check_json(rules: Path | None, cwd: Path, paths=CORPUS) -> dict:
    args = ["check", *paths, "--engine", "pure", "-j", "1", "--format", "json"]
    done = invoke(*args, *(["--rules", rules] if rules else []), cwd=cwd)
    assert done.exit_code in (0, 1), done.stderr
    return json.loads(done.stdout)


def diff_json(*args, cwd: Path, paths=CORPUS) -> tuple[int, dict]:
    done = invoke("rules", "diff", *paths, "--engine", "pure", "--format", "json", *args, cwd=cwd)
    assert done.exit_code in (0, 1), done.stderr
    return done.exit_code, json.loads(done.stdout)


def moved_between(before: dict, after: dict) -> dict[str, tuple[dict, dict]]:
    """The definition of "moved", applied to two check documents: path -> (report before, report after)."""
    old = {r["path"]: r for r in before["reports"]}
    new = {r["path"]: r for r in after["reports"]}
    assert old.keys() == new.keys()
    out = {}
    for path in old:
        a, b = old[path], new[path]
        keys = [Counter((f["rule"], f["severity"]) for f in r["findings"]) for r in (a, b)]
        if (a["verdict"], a["evidence_score"], a["evidence_index"]) != (b["verdict"], b["evidence_score"],
                                                                      b["evidence_index"]) or keys[0] != keys[1]:
            out[path] = (a, b)
    return out


def directions_of(moved) -> dict:
    """Every direction count, worked out from the two check documents' reports (before, after)."""
    out = {f"{name}_{way}": 0 for name in ("evidence_score", "evidence_index") for way in ("up", "down")}
    out.update({f"newly_{v}": 0 for v in ("inconsistent", "consistent", "unreadable", "readable")}, findings_only=0)
    for a, b in moved:
        for name in ("evidence_score", "evidence_index"):
            if a[name] is not None and b[name] is not None and a[name] != b[name]:
                out[f"{name}_{'up' if b[name] > a[name] else 'down'}"] += 1
        if a["verdict"] != b["verdict"]:
            key = ("newly_unreadable" if b["verdict"] == "unreadable" else
                   "newly_readable" if a["verdict"] == "unreadable" else f"newly_{b['verdict']}")
            out[key] += 1
        elif (a["evidence_score"], a["evidence_index"]) == (b["evidence_score"], b["evidence_index"]):
            out["findings_only"] += 1
    return out


def fired(doc: dict) -> Counter:
    return Counter(f["rule"] for r in doc["reports"] for f in r["findings"] + r["suppressed"])


def digest(paths) -> str:
    h = hashlib.sha256()
    for root in paths:
        for f in sorted(p for p in Path(root).rglob("*") if p.is_file()):
            h.update(str(f).encode() + f.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def modified(tmp_path_factory):
    """A changed rulebook, the two check documents and the diff document, computed once."""
    tmp = tmp_path_factory.mktemp("diff")
    before = check_json(REPO / "rules", tmp)
    rule = warning_rule(before)
    rules = copy_rules(tmp / "changed-rules", change_band_mark, add_cues, lambda r: change_severity(r, rule))
    before_corpus = digest(CORPUS)
    code, doc = diff_json("--base", REPO / "rules", "--rules", rules, cwd=tmp)
    return {"tmp": tmp, "rules": rules, "code": code, "doc": doc, "corpus_untouched": digest(CORPUS) == before_corpus,
            "before": before, "after": check_json(rules, tmp), "severity_rule": rule}


# (a) ------------------------------------------------------------------------------------------------

def test_folder_base_lists_exactly_the_reports_two_check_runs_differ_on(modified):
    expected = moved_between(modified["before"], modified["after"])
    doc = modified["doc"]
    # A rule change that moved nothing, or everything, would let a wrong diff pass.
    assert 0 < len(expected) < len(modified["before"]["reports"])
    assert [r["path"] for r in doc["reports"]] == sorted(expected)
    for report in doc["reports"]:
        a, b = expected[report["path"]]
        for name in ("verdict", "evidence_score", "evidence_index"):
            assert report[name] == {"before": a[name], "after": b[name]}, (report["path"], name)
        assert report["awarded_score"] == a["awarded_score"]
    assert doc["summary"]["moved"] == len(expected)
    assert doc["summary"]["reports"] == len(modified["before"]["reports"])
    assert modified["code"] == 0  # something moved, but --fail-on-change was not given
    assert modified["corpus_untouched"]


def test_findings_added_and_removed_are_the_differences_of_the_check_runs(modified):
    expected = moved_between(modified["before"], modified["after"])
    for report in modified["doc"]["reports"]:
        a, b = expected[report["path"]]
        old = Counter((f["rule"], f["severity"]) for f in a["findings"])
        new = Counter((f["rule"], f["severity"]) for f in b["findings"])
        changes = report["findings"]
        for f in changes["changed"]:
            old[(f["rule"], f["severity"]["before"])] -= 1
            new[(f["rule"], f["severity"]["after"])] -= 1
        assert +(old - new) == Counter((f["rule"], f["severity"]) for f in changes["removed"]), report["path"]
        assert +(new - old) == Counter((f["rule"], f["severity"]) for f in changes["added"]), report["path"]
        # The cited sentences are the after side's for added findings, the before side's for removed ones.
        for kind, side in (("added", b), ("removed", a)):
            for f in changes[kind]:
                source = next(g for g in side["findings"] if g["rule"] == f["rule"])
                assert f["evidence"] == source["evidence"] and f["line"] == source["line"]


def test_summary_counts_rules_whose_firing_count_changed_and_directions(modified):
    before, after = fired(modified["before"]), fired(modified["after"])
    expected = [{"rule": r, "before": before[r], "after": after[r]}
                for r in sorted(set(before) | set(after)) if before[r] != after[r]]
    summary = modified["doc"]["summary"]
    assert summary["rules"] == expected and expected
    moved = moved_between(modified["before"], modified["after"]).values()
    directions = summary["directions"]
    assert directions["evidence_score_down"] == sum(1 for a, b in moved if b["evidence_score"] < a["evidence_score"])
    assert directions["evidence_score_up"] == sum(1 for a, b in moved if b["evidence_score"] > a["evidence_score"])
    assert directions["evidence_index_down"] == sum(1 for a, b in moved if b["evidence_index"] < a["evidence_index"])
    assert directions["newly_inconsistent"] == sum(1 for a, b in moved
                                                   if (a["verdict"], b["verdict"]) == ("consistent", "inconsistent"))
    assert directions["newly_inconsistent"] > 0 and directions["evidence_score_down"] > 0
    assert directions == directions_of(moved)


def test_sentence_readings_are_explains_readings_before_and_after(modified):
    """Each sentence's reading for a theme, from explain's evidence (clause by clause), before and after:
    the diff lists exactly those that differ, at the sentence's most serious negative, else strongest
    positive level, and 'none' where a rulebook does not read the sentence for that theme."""
    from lii_check.check import check_reports
    from lii_check.explain import explain_dict
    from lii_check.parser import read_report
    from lii_check.session import open_session

    rank = {level: i for i, level in enumerate(("significant", "shortfall", "intention", "strong", "good"))}
    files = sorted((REPO / "fixtures" / "synthetic").glob("s*"))
    reports = [read_report(p, str(p)) for p in files]
    sentences = {r.path: [s for s in counted_sentences(r)] for r in reports}
    readings = {}
    for side, rules in (("before", REPO / "rules"), ("after", modified["rules"])):
        session = open_session(str(rules), config_path=None, engine="pure")
        results, _ = check_reports(reports, session.compiled, "pure")
        readings[side] = {}
        for result in results:
            for theme in explain_dict(result, session.rulebook)["themes"]:
                for e in theme["evidence"]:
                    text = next(s.text for s in sentences[result.path] if s.line == e["line"] and e["clause"] in s.text)
                    key = (result.path, e["line"], theme["theme"], text)
                    held = readings[side].get(key)
                    if held is None or rank[e["level"]] < rank[held]:
                        readings[side][key] = e["level"]
    expected = sorted((path, line, theme, readings["before"].get(k, "none"), readings["after"].get(k, "none"), text)
                      for k in set(readings["before"]) | set(readings["after"]) for path, line, theme, text in [k]
                      if readings["before"].get(k, "none") != readings["after"].get(k, "none"))
    listed = sorted((s["path"], s["line"], s["theme"], s["before"], s["after"], s["text"])
                    for s in modified["doc"]["sentences"] if s["path"].startswith(str(REPO / "fixtures" / "synthetic")))
    assert listed == expected
    transitions = {(b, a) for _, _, _, b, a, _ in expected}
    # Newly read for a theme, no longer read for one, and read at another level: all three kinds occur.
    assert any(b == "none" for b, a in transitions) and any(a == "none" for b, a in transitions)
    assert any("none" not in (b, a) for b, a in transitions)
    s = modified["doc"]["summary"]["sentences"]
    assert s["changed"] == len(modified["doc"]["sentences"])
    assert Counter({(t["before"], t["after"]): t["count"] for t in s["transitions"]}) == \
        Counter((x["before"], x["after"]) for x in modified["doc"]["sentences"])


# (b) ------------------------------------------------------------------------------------------------

def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path):
    """A git repository whose committed rules/ is the bundled rulebook; the working tree then changes it."""
    root = tmp_path / "team"
    root.mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "qa@example.invalid")
    git(root, "config", "user.name", "QA lead")
    copy_rules(root / "rules")
    git(root, "add", "rules")
    git(root, "commit", "-q", "-m", "rules as bundled")
    return root


def test_git_base_reads_the_committed_rules_without_touching_the_work_tree(repo, modified, monkeypatch, tmp_path):
    change_band_mark(repo / "rules")
    add_cues(repo / "rules")
    change_severity(repo / "rules", modified["severity_rule"])
    index = (repo / ".git" / "index").read_bytes()
    status = git(repo, "status", "--porcelain")
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    expected = sorted(moved_between(modified["before"], modified["after"]))
    for base, label in (("HEAD", "HEAD:rules"), ("HEAD:rules", "HEAD:rules")):
        code, doc = diff_json("--base", base, "--rules", repo / "rules", cwd=tmp_path)
        assert [r["path"] for r in doc["reports"]] == expected
        assert doc["reports"] == modified["doc"]["reports"] and doc["sentences"] == modified["doc"]["sentences"]
        assert doc["base"] == {"rulebook": label, "commit": git(repo, "rev-parse", "HEAD").strip()}
    assert (repo / ".git" / "index").read_bytes() == index
    assert git(repo, "status", "--porcelain") == status
    theme_file = modified["severity_rule"].split(".")[0] + ".yaml"
    assert sorted(line[3:] for line in status.splitlines()) == sorted(
        f"rules/{name}" for name in {"language.yaml", theme_file, "research.yaml", "scoring.yaml"})
    assert list(scratch.iterdir()) == []  # the copy read out of git is gone


def test_git_base_for_the_bundled_rulebook_reads_rules_of_the_current_repository(repo, modified):
    # Committed: the changed rules. After: the bundled rulebook (no --rules). So the diff runs backwards.
    for path in modified["rules"].glob("*.yaml"):
        shutil.copy(path, repo / "rules" / path.name)
    git(repo, "commit", "-q", "-am", "change the rules")
    shutil.rmtree(repo / "rules")  # only the committed copy can be read
    code, doc = diff_json("--base", "HEAD", cwd=repo)
    expected = moved_between(modified["after"], modified["before"])
    assert [r["path"] for r in doc["reports"]] == sorted(expected)
    for report in doc["reports"]:
        a, b = expected[report["path"]]
        assert report["verdict"] == {"before": a["verdict"], "after": b["verdict"]}
    assert doc["base"]["rulebook"] == "HEAD:rules" and doc["after"]["rulebook"] == "(bundled)"
    # Backwards, the moves go up: a direction count that called every move "down" (the forward diff's
    # only direction) fails here.
    want = directions_of(expected.values())
    assert doc["summary"]["directions"] == want
    assert want["evidence_score_up"] > 0 and want["evidence_index_up"] > 0 and want["newly_consistent"] > 0


def test_git_base_of_an_overlay_reads_the_folder_it_extends_at_the_same_revision(tmp_path):
    """A team overlay extends a shared one (``extends: ../shared``): the committed team folder means
    nothing without the committed shared folder, so both are read out of git. The work tree's shared
    overlay then raises the band-4 mark (to 3.2): the diff must see that change, not fail for want of a base."""
    root = tmp_path / "team-repo"
    (root / "shared").mkdir(parents=True)
    (root / "team").mkdir()
    git(root, "init", "-q")
    git(root, "config", "user.email", "qa@example.invalid")
    git(root, "config", "user.name", "QA lead")
    (root / "shared" / "shared.yaml").write_text("kind: overlay\nextends: bundled\n", "utf-8")
    (root / "team" / "team.yaml").write_text("kind: overlay\nextends: ../shared\n", "utf-8")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "overlays")
    (root / "shared" / "shared.yaml").write_text('kind: overlay\nextends: bundled\nscoring:\n  bands:\n    "4": 3.2\n', "utf-8")
    code, doc = diff_json("--base", "HEAD", "--rules", root / "team", cwd=tmp_path)
    assert doc["base"]["rulebook"] == "HEAD:team"
    assert doc["reports"], "raising the band-4 mark to 3.2 moves no report: the base was not read at HEAD"
    assert git(root, "status", "--porcelain").splitlines() == [" M shared/shared.yaml"]


# (c) ------------------------------------------------------------------------------------------------

def test_a_severity_change_is_one_finding_changed(tmp_path, modified):
    # warning → info changes no verdict and no score: the reports move by their findings alone.
    rule = modified["severity_rule"]
    rules = copy_rules(tmp_path / "rules", lambda r: change_severity(r, rule, "info"))
    code, doc = diff_json("--base", REPO / "rules", "--rules", rules, cwd=tmp_path)
    firing = sorted(r["path"] for r in modified["before"]["reports"]
                    if any(f["rule"] == rule for f in r["findings"]))
    assert firing and [r["path"] for r in doc["reports"]] == firing
    for report in doc["reports"]:
        assert report["findings"]["added"] == [] and report["findings"]["removed"] == []
        assert [(f["rule"], f["severity"]) for f in report["findings"]["changed"]] == [
            (rule, {"before": "warning", "after": "info"})]
    assert doc["summary"]["directions"]["findings_only"] == len(firing)
    assert doc["summary"]["rules"] == []  # the rule fires as often as before
    table = invoke("rules", "diff", *CORPUS, "--engine", "pure", "--base", REPO / "rules", "--rules", rules, cwd=tmp_path)
    assert f"~ warning → info {rule} changed" in table.stdout
    assert f"+ info {rule}" not in table.stdout and f"- warning {rule}" not in table.stdout


# (d) ------------------------------------------------------------------------------------------------

def test_identical_rulebooks_move_nothing(tmp_path):
    rules = copy_rules(tmp_path / "rules")
    for extra in ([], ["--fail-on-change"]):
        code, doc = diff_json("--base", REPO / "rules", "--rules", rules, *extra, cwd=tmp_path)
        assert code == 0 and doc["reports"] == [] and doc["sentences"] == [] and doc["summary"]["rules"] == []
        assert doc["summary"]["moved"] == 0 and doc["summary"]["reports"] == 27


def test_fail_on_change_exits_1_when_something_moved(modified):
    done = invoke("rules", "diff", *CORPUS, "--engine", "pure", "--base", REPO / "rules", "--rules", modified["rules"],
                  "--fail-on-change", cwd=modified["tmp"])
    assert done.exit_code == 1, done.stderr
    assert f"Result: {modified['doc']['summary']['moved']} reports moved (exit code 1, --fail-on-change)" in \
        " ".join(done.stdout.split())


# (e) ------------------------------------------------------------------------------------------------

def test_a_folder_base_with_invalid_rules_is_a_located_error(tmp_path):
    broken = copy_rules(tmp_path / "old-rules")
    line = break_a_value(broken)
    done = invoke("rules", "diff", *CORPUS, "--base", broken, cwd=tmp_path)
    assert done.exit_code == 2 and done.stdout == ""
    assert f"{broken / 'scoring.yaml'}:{line}:" in done.stderr
    assert "problem(s) in the base rules" in done.stderr


def test_a_git_base_that_does_not_load_is_a_located_error(repo, tmp_path):
    line = break_a_value(repo / "rules")
    git(repo, "commit", "-q", "-am", "a broken value")
    git(repo, "revert", "--no-edit", "HEAD")
    done = invoke("rules", "diff", *CORPUS, "--base", "HEAD~1", "--rules", repo / "rules", cwd=tmp_path)
    assert done.exit_code == 2 and done.stdout == ""
    assert f"HEAD~1:rules/scoring.yaml:{line}:" in done.stderr
    assert "lii-check-base-" not in done.stderr  # the temporary copy is not what the reader edits

    for base, named in (("no-such-branch", "'no-such-branch' is not a revision"),
                        ("HEAD:nowhere", "HEAD:nowhere: the rules folder does not exist"),
                        ("HEAD:rules/scoring.yaml", "is a file, not a folder")):
        done = invoke("rules", "diff", *CORPUS, "--base", base, "--rules", repo / "rules", cwd=tmp_path)
        assert done.exit_code == 2 and named in done.stderr, (base, done.stderr)


def test_a_revision_outside_any_repository_is_a_usage_error(tmp_path):
    done = invoke("rules", "diff", *CORPUS, "--base", "HEAD", cwd=tmp_path)
    assert done.exit_code == 2 and "not inside a git repository" in done.stderr


# (f) ------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def diff_schema():
    done = CliRunner().invoke(main, ["schema", "diff"])
    assert done.exit_code == 0
    schema = json.loads(done.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_json_validates_against_the_shipped_schema(modified, diff_schema):
    diff_schema.validate(modified["doc"])
    broken = json.loads(json.dumps(modified["doc"]))
    broken["reports"][0]["findings"]["changed"].append({"rule": "x", "severity": "error", "line": 1, "evidence": []})
    with pytest.raises(jsonschema.ValidationError):
        diff_schema.validate(broken)  # a changed finding carries its severity before and after
    broken = json.loads(json.dumps(modified["doc"]))
    broken["summary"]["percent"] = 1
    with pytest.raises(jsonschema.ValidationError):
        diff_schema.validate(broken)


def test_every_field_of_the_json_is_required_by_the_schema(modified, diff_schema):
    """Leaving out any one key, anywhere in a real document, makes it invalid (nothing is optional)."""
    def paths(value, at=()):
        if isinstance(value, dict):
            for key, inner in value.items():
                yield at + (key,)
                yield from paths(inner, at + (key,))
        elif isinstance(value, list) and value:
            yield from paths(value[0], at + (0,))

    doc = modified["doc"]
    checked = 0
    for path in paths(doc):
        if path[:2] == ("summary", "calibration") or path[-2:-1] == ("shift_caught",):
            continue
        broken = json.loads(json.dumps(doc))
        holder = broken
        for step in path[:-1]:
            holder = holder[step]
        del holder[path[-1]]
        assert not diff_schema.is_valid(broken), path
        checked += 1
    assert checked > 40


def test_calibrate_figures_are_calibrates_own_before_and_after(modified, diff_schema):
    seeds = [REPO / "fixtures" / "seeds"]
    code, doc = diff_json("--base", REPO / "rules", "--rules", modified["rules"], "--calibrate",
                          cwd=modified["tmp"], paths=seeds)
    diff_schema.validate(doc)
    for side, rules in (("before", REPO / "rules"), ("after", modified["rules"])):
        done = invoke("calibrate", *seeds, "--engine", "pure", "--format", "json", "--rules", rules, cwd=modified["tmp"])
        own = json.loads(done.stdout)
        figures = doc["summary"]["calibration"][side]
        for name in ("reports", "evidence_equals_awarded", "two_or_more_bands_away", "inconsistent_share"):
            assert figures[name] == own[name], (side, name)
        assert figures["shift_caught"] == {k: v["share"] for k, v in own["shift_test"].items()}
    assert doc["summary"]["calibration"]["before"] != doc["summary"]["calibration"]["after"]


# (g) ------------------------------------------------------------------------------------------------

def test_markdown_has_one_details_block_per_moved_report_in_path_order(modified):
    args = ("rules", "diff", *CORPUS, "--engine", "pure", "--base", REPO / "rules", "--rules", modified["rules"],
            "--format", "markdown")
    first = invoke(*args, cwd=modified["tmp"])
    assert first.exit_code == 0 and invoke(*args, cwd=modified["tmp"]).stdout == first.stdout  # byte-identical
    md = first.stdout
    doc = modified["doc"]
    summaries = re.findall(r"<details>\n<summary><code>([^<]*)</code>: ([^<]*)</summary>", md)
    assert [path for path, _ in summaries] == [r["path"] for r in doc["reports"]]
    assert md.count("<details>") == md.count("</details>") == len(doc["reports"]) + (
        1 if any(s["path"] not in {r["path"] for r in doc["reports"]} for s in doc["sentences"]) else 0)
    for (path, words), report in zip(summaries, doc["reports"]):
        block = md.split(f"<summary><code>{path}</code>", 1)[1].split("</details>", 1)[0]
        rows = [line for line in block.splitlines() if re.match(r"^\| (added|removed|changed) \|", line)]
        assert len(rows) == sum(len(report["findings"][k]) for k in ("added", "removed", "changed"))
        v = report["verdict"]
        assert words.endswith(v["after"] if v["before"] == v["after"] else f"{v['before']} → {v['after']}")
    for r in doc["summary"]["rules"]:
        assert f"| `{r['rule']}` | {r['before']} | {r['after']} |" in md
    assert md.startswith("### lii-check rules diff\n")


def test_markdown_fits_a_github_comment_however_many_reports_moved(modified):
    """A national round can move hundreds of reports: the comment keeps whole blocks up to GitHub's limit,
    says how many it left out, and still ends with the result. (The real document, its moved reports
    repeated under new names, stands in for a big corpus.)"""
    from lii_check.formats.diff_markdown import COMMENT_LIMIT, render

    doc = copy.deepcopy(modified["doc"])
    small = render(doc)
    assert len(small) < COMMENT_LIMIT and "not shown" not in small
    many = [dict(r, path=f"{n:04d}-{r['path']}") for n in range(400) for r in doc["reports"]]
    doc["reports"] = many
    md = render(doc)
    assert len(md) <= COMMENT_LIMIT
    shown = md.count("<summary><code>")
    left = int(re.search(r"_(\d+) more block\(s\) of detail", md).group(1))
    blocks = len(many) + (1 if any(s["path"] not in {r["path"] for r in many} for s in doc["sentences"]) else 0)
    assert 0 < shown < len(many) and shown + left == blocks
    assert md.count("<details>") == md.count("</details>")  # only whole blocks
    assert md.rstrip().endswith(small.rstrip().rsplit("\n", 1)[1])  # the same result line


def test_markdown_tables_keep_pipes_and_code_in_their_cells_as_github_reads_them(modified):
    import gfm
    from lii_check.formats import diff_markdown

    doc = copy.deepcopy(modified["doc"])
    report = next(r for r in doc["reports"] if any(f.get("evidence") for f in r["findings"]["added"]
                                                   + r["findings"]["removed"] + r["findings"]["changed"]))
    finding = next(f for kind in ("added", "removed", "changed") for f in report["findings"][kind] if f.get("evidence"))
    finding["rule"] = "rule|id`x\\|"
    finding["evidence"][0]["text"] = "Staff said | it was `fine|good` \\| <b>&amp; *so* [far]"
    report["path"] = "dir|x/`a|b`.txt"
    page = gfm.read(diff_markdown.render(doc))
    [table] = [t for t in page.tables if t[0] == ["Finding", "Severity", "Rule", "Line", "Cited sentence"]
               and any(row[2] == finding["rule"] for row in t)]
    assert {len(row) for row in table} == {5}
    [row] = [row for row in table if row[2] == finding["rule"]]
    more = len(finding["evidence"]) - 1
    assert row[4] == finding["evidence"][0]["text"] + (f" (+{more} more)" if more else "")
    assert all(len(row) == len(t[0]) for t in page.tables for row in t)
    assert report["path"] in page.codes  # the <summary>'s <code>, shown as written


def test_table_fits_the_terminal_and_is_deterministic(modified, monkeypatch):
    args = ("rules", "diff", *CORPUS, "--engine", "pure", "--base", REPO / "rules", "--rules", modified["rules"])
    for width in (60, 100):
        monkeypatch.setenv("COLUMNS", str(width))
        out = invoke(*args, cwd=modified["tmp"]).stdout
        assert out == invoke(*args, cwd=modified["tmp"]).stdout
        assert max(len(line) for line in out.splitlines()) <= width
        for report in modified["doc"]["reports"]:
            assert report["path"].rsplit("/", 1)[-1] in out


def test_schema_diff_prints_the_shipped_schema():
    done = CliRunner().invoke(main, ["schema", "diff"])
    assert done.exit_code == 0
    assert json.loads(done.stdout) == json.loads((REPO / "engine" / "schema" / "diff.schema.json").read_text("utf-8"))
    assert json.loads(done.stdout)["title"].startswith("lii-check rules diff")


def test_a_sentence_with_clauses_at_several_levels_reads_at_its_most_serious():
    """Read on the real fixtures: where one sentence has clauses at different levels for a theme, its
    reading is the most serious negative, else the strongest positive, whichever clause comes first."""
    from lii_check.check import check_reports
    from lii_check.diff import side_of
    from lii_check.parser import read_report
    from lii_check.session import open_session

    session = open_session(str(REPO / "rules"), config_path=None, engine="pure")
    roots = [*CORPUS, REPO / "fixtures" / "heldout"]
    reports = [read_report(p, str(p)) for root in roots for p in sorted(root.glob("*.*")) if p.suffix in (".md", ".txt")]
    results, _ = check_reports(reports, session.compiled, "pure")
    order = ("significant", "shortfall", "intention", "strong", "good")
    negative_later = strong_later = 0
    for result in results:
        levels = {}
        for e in result.assessment.evidence:
            levels.setdefault((e.line, e.text, e.theme), []).append(e.level)
        readings = side_of(result).readings
        for key, found in levels.items():
            assert readings[key] == min(found, key=order.index)
            negative_later += found[0] in ("strong", "good") and min(found, key=order.index) not in ("strong", "good")
            strong_later += set(found) == {"strong", "good"} and found[0] == "good"
    # The corpus holds both cases a wrong rule would get wrong: a negative clause after a positive
    # one, and a strong clause after a good one.
    assert negative_later > 0 and strong_later > 0


def test_the_readmes_workflow_runs_rules_diff_as_the_command_defines_it():
    import shlex

    import yaml

    from lii_check.cli import rules_diff

    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Seeing what a rule change does\n", 1)[1].split("\n## ", 1)[0]
    workflow = yaml.safe_load(section.split("```yaml\n", 1)[1].split("```", 1)[0])
    assert workflow[True if True in workflow else "on"]["pull_request"]["paths"] == ["rules/**"]
    steps = workflow["jobs"]["rules-diff"]["steps"]
    (command,) = [s["run"] for s in steps if "rules diff" in s.get("run", "")]
    words = shlex.split(command.split(">")[0])
    assert words[:3] == ["lii-check", "rules", "diff"]
    ctx = rules_diff.make_context("diff", words[3:])
    assert ctx.params["base"] == "origin/main" and ctx.params["fmt"] == "markdown"
    assert any("gh pr comment" in s.get("run", "") and "rules-diff.md" in s["run"] for s in steps)


def test_unreadable_and_left_out_files_are_counted_not_moved_and_said(tmp_path, modified):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "empty.md").write_text("", "utf-8")
    (corpus / "README.md").write_text("Not a report: left out by the default excludes, and said so.\n", "utf-8")
    shutil.copy(REPO / "fixtures" / "synthetic" / "s03_westbrook_lyne.txt", corpus)
    args = ("--base", REPO / "rules", "--rules", modified["rules"])
    code, doc = diff_json(*args, cwd=tmp_path, paths=[corpus])
    assert doc["summary"]["unreadable"] == 1 and doc["summary"]["reports"] == 2
    [note] = doc["summary"]["not_searched"]
    assert note.startswith("1 file(s) or folder(s) left out by exclude patterns: ") and note.endswith("corpus/README.md")
    assert [r["path"] for r in doc["reports"]] == [str(corpus / "s03_westbrook_lyne.txt")]
    for fmt in ("table", "markdown"):
        out = invoke("rules", "diff", corpus, "--engine", "pure", "--format", fmt, *args, cwd=tmp_path).stdout
        assert "1 report could not be read (with either rulebook)" in out
        flat = " ".join(out.split())  # the note wraps at the terminal width
        assert "Not searched: 1 file(s) or folder(s) left out by exclude patterns: " in flat
        assert "corpus/README.md." in flat


def test_bundled_as_the_base_is_the_bundled_rulebook(tmp_path):
    """`--base bundled` names the bundled rulebook, as an overlay's `extends: bundled` does: the same moves
    as a copy of rules/ as the base, against the README's example overlay (seed 001 becomes inconsistent)."""
    overlay = REPO / "fixtures" / "overlays" / "example"
    _, named = diff_json("--base", "bundled", "--rules", overlay, cwd=tmp_path)
    _, copied = diff_json("--base", copy_rules(tmp_path / "copy"), "--rules", overlay, cwd=tmp_path)
    assert named["base"] == {"rulebook": "bundled", "commit": None}
    assert named["reports"] == copied["reports"] and named["summary"] == copied["summary"]
    assert [r["path"] for r in named["reports"]] == [str(REPO / "fixtures/seeds/001_be58087aa61b4f94.txt")]


def test_a_base_that_is_nothing_says_what_base_accepts(tmp_path):
    done = invoke("rules", "diff", *CORPUS, "--base", "bundld", cwd=tmp_path)
    assert done.exit_code == 2 and "(did you mean 'bundled'?)" in done.stderr
    done = invoke("rules", "diff", *CORPUS, "--base", "no-such-folder", cwd=tmp_path)
    assert done.exit_code == 2
    assert "give an existing rules folder, 'bundled' for the bundled rulebook, or a git revision such as HEAD~1" \
        in done.stderr


def test_a_misspelt_bundled_inside_a_repository_is_guessed(repo, tmp_path):
    done = invoke("rules", "diff", *CORPUS, "--base", "bundle", "--rules", repo / "rules", cwd=tmp_path)
    assert done.exit_code == 2
    assert "'bundle' is not a revision" in done.stderr and "(did you mean 'bundled'?)" in done.stderr


def test_an_empty_base_is_named_not_read_as_the_current_folder(tmp_path):
    # `--base ''` (an unset variable in CI) was read as the current folder: "problem(s) in the base rules ()".
    done = invoke("rules", "diff", *CORPUS, "--base", "", cwd=tmp_path)
    assert done.exit_code == 2
    assert "Invalid value for '--base': an empty path was given (is a variable unset?)" in done.output


def test_a_corpus_of_only_unreadable_reports_is_an_error_not_nothing_moved(tmp_path):
    # "Result: nothing moved (exit code 0)" on a corpus where no report could be read passed a CI gate.
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("nothing here\n", "utf-8")
    (corpus / "b.md").write_text("no score either\n", "utf-8")
    for extra in ([], ["--calibrate"]):
        done = invoke("rules", "diff", corpus, "--base", "bundled", *extra, cwd=tmp_path)
        assert done.exit_code == 2 and done.stdout == ""
        assert done.stderr.startswith("lii-check: none of the 2 report(s) could be read, so no rulebook change was "
                                      "measured")


def test_a_base_revision_s_problems_name_the_revision_not_the_temporary_copy(repo, tmp_path):
    """A stray rule file in a subfolder of the committed rules: the advice said "move it into /tmp/lii-check-base-…",
    a folder the user never made and that is gone when the command ends."""
    (repo / "rules" / "old").mkdir()
    (repo / "rules" / "old" / "team.yaml").write_text("kind: theme\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "a rule file in a subfolder")
    shutil.rmtree(repo / "rules" / "old")  # gone from the working tree: only the base revision has it
    done = invoke("rules", "diff", *CORPUS, "--engine", "pure", "--base", "HEAD:rules", "--rules", repo / "rules",
                  cwd=tmp_path)
    assert done.exit_code == 2
    assert "HEAD:rules/old/team.yaml:1:1: rule files in a subfolder are not read (a rules folder is flat): move it " \
           "into HEAD:rules or out of the rules folder" in done.stderr
    assert "lii-check-base-" not in done.stderr
