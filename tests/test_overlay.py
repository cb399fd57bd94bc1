"""Rulebooks that extend (issue 12, item 1): overlay folders over the bundled rulebook or another folder.

Every behaviour on real text from fixtures/seeds: the README's overlay through check, explain, rules
list and rules test; what an overlay can change; each located mistake; the cache over a chain; the
configuration winning; and `rules overlay --from` rebuilding a team's edited full copy exactly.
"""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from lii_check.cli import main
from lii_check.compiled import compile_rulebook_once
from lii_check.rulebook import RulebookInvalid, load_rulebook
from lii_check.ruletest import judgements

from edits import replace_first

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "fixtures" / "seeds"
SEED = SEEDS / "001_be58087aa61b4f94.txt"  # line 75: "… Ombudsman cases, where 1 case was upheld."
EXAMPLE = REPO / "fixtures" / "overlays" / "example"
MARKER = "<!-- overlay example: tests/test_overlay.py extracts this block; keep it working -->"


@pytest.fixture(autouse=True)
def _own_cache(code_keyed_cache, monkeypatch):
    # A cache away from the user's whose entries only code like this can have written (conftest.py; a cached
    # rulebook's key covers the loader's source), so what is tested is what is loaded; the ~13 rulebooks
    # compiled here are compiled once, not on every run.
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(code_keyed_cache))


def cli(*args: str):
    return CliRunner().invoke(main, list(args))


def readme_overlay() -> str:
    after = (REPO / "rules" / "README.md").read_text("utf-8").split(MARKER, 1)[1]
    return re.match(r"\s*```yaml\n(.*?)```", after, re.S).group(1)


def folder(root: Path, name: str, files: dict[str, str]) -> Path:
    path = root / name
    path.mkdir(parents=True, exist_ok=True)
    for file, text in files.items():
        (path / file).write_text(text, "utf-8")
    return path


def seed_sentence(path: Path, start: str) -> str:
    text = path.read_text("utf-8")
    return re.search(re.escape(start) + r"[^.]*\.", text).group(0)


def reading(sentence: str, theme: str, rules=None) -> list[tuple[str, str, str, bool]]:
    compiled = compile_rulebook_once(load_rulebook(rules))
    return [g for j in judgements(sentence, theme, compiled) for g in j.graded]


# --- the README's overlay, through every command ------------------------------------------------------

def test_the_readme_overlay_is_the_committed_fixture():
    text = (EXAMPLE / "team.yaml").read_text("utf-8")
    first, rest = text.split("\n", 1)
    assert rest == readme_overlay()
    schema = re.match(r"# yaml-language-server: \$schema=(\S+)$", first).group(1)
    assert (EXAMPLE / schema).resolve() == (REPO / "engine" / "schema" / "overlay.schema.json").resolve()
    assert len(readme_overlay().splitlines()) <= 13


def test_the_readme_overlay_works_through_check_explain_list_diff_and_test(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder(tmp_path, "my-rules", {"team.yaml": readme_overlay()})

    before = cli("check", str(SEED), "--engine", "pure", "--jobs", "1", "--format", "json")
    assert before.exit_code == 0 and json.loads(before.stdout)["reports"][0]["findings"] == []
    after = cli("check", str(SEED), "--rules", "my-rules", "--engine", "pure", "--jobs", "1", "--format", "json")
    assert after.exit_code == 1
    [finding] = json.loads(after.stdout)["reports"][0]["findings"]
    assert (finding["rule"], finding["severity"], finding["line"]) == ("complaints.high-band-significant", "error", 75)
    assert "1 case was upheld" in finding["evidence"][0]["text"]

    explained = json.loads(cli("explain", str(SEED), "--rules", "my-rules", "--engine", "pure", "--format", "json").stdout)
    import jsonschema

    schema = json.loads((REPO / "engine" / "schema" / "explain.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(explained)  # the overlay keys are part of the document
    [upheld] = [e for t in explained["themes"] if t["theme"] == "complaints" for e in t["evidence"] if e["line"] == 75]
    assert (upheld["level"], upheld["cue"], upheld["overlay"]) == ("significant", "case was upheld", "my-rules/team.yaml:6")
    assert f"`{upheld['cue']} (overlay {upheld['overlay']})`" in (REPO / "rules" / "README.md").read_text("utf-8")
    assert explained["findings"][0]["overlay"] == "my-rules/team.yaml:10"
    # Readings the overlay did not change name no overlay.
    others = [e for t in explained["themes"] for e in t["evidence"] if e is not upheld]
    assert others and not any("overlay" in e for e in others)
    table = cli("explain", str(SEED), "--rules", "my-rules", "--engine", "pure")
    assert "(overlay my-rules/team.yaml:10)" in " ".join(table.stdout.split())

    listed = {r["id"]: r for r in json.loads(cli("rules", "list", "my-rules", "--format", "json").stdout)}
    assert listed["complaints.high-band-significant"]["severity"] == "error"
    assert listed["complaints.high-band-significant"]["origin"] == "bundled"
    assert listed["complaints.high-band-significant"]["changed_at"] == ["my-rules/team.yaml:10"]
    assert [r for r in listed.values() if r["changed_at"]] == [listed["complaints.high-band-significant"]]
    cues = {c["list"]: c for c in json.loads(cli("rules", "list", "my-rules", "--cues", "--format", "json").stdout)}
    signal = cues["complaints:complaints-not-learned-from"]
    assert signal["changed_at"] == ["my-rules/team.yaml:4"]
    origins = {c["text"]: c["origin"] for c in signal["cues"]}
    assert origins["case was upheld"] == origins["cases were upheld"] == "my-rules/team.yaml:6"
    assert {o for t, o in origins.items() if "upheld" not in t} == {"bundled"}
    assert "my-rules/team.yaml:6" in cli("rules", "list", "my-rules", "--cues").stdout

    # rules diff (built on the same loader) lists exactly the seed the overlay moves.
    diffed = cli("rules", "diff", "--base", str(REPO / "rules"), "--rules", "my-rules", str(SEEDS), "--engine", "pure",
                 "--format", "json")
    assert diffed.exit_code == 0, diffed.output[-800:]
    [moved] = json.loads(diffed.stdout)["reports"]
    assert moved["path"] == str(SEED) and moved["verdict"] == {"before": "consistent", "after": "inconsistent"}
    assert [f["rule"] for f in moved["findings"]["added"]] == ["complaints.high-band-significant"]

    tested = cli("rules", "test", "my-rules", "--engine", "pure", "--format", "json")
    assert tested.exit_code == 0, tested.stdout[-1500:]
    outcome = {o["rule"]: o for o in json.loads(tested.stdout)["rules"]}["complaints:complaints-not-learned-from"]
    bundled = next(s for s in load_rulebook().signals() if s.key == "complaints:complaints-not-learned-from")
    # The bundled examples and the overlay's own one all ran.
    assert outcome["passed"] == len(bundled.examples["fires"]) + len(bundled.examples["quiet"]) + 1


# --- what an overlay can change, read on seed sentences ---------------------------------------------------

OVERLAY_HEAD = "kind: overlay\nextends: bundled\n"


def test_removing_a_cue_changes_the_reading(tmp_path):
    sentence = seed_sentence(SEEDS / "000_69a4ab76882569fd.txt", "Some feedback was mixed")
    assert ("shortfall", "mixed", "quantifier-some", False) in reading(sentence, "co-production")
    rules = folder(tmp_path, "r", {"x.yaml": OVERLAY_HEAD + "signals:\n  quantifier-some:\n    remove: [mixed]\n"})
    assert not any(g[2] == "quantifier-some" for g in reading(sentence, "co-production", rules))
    # explain names the overlay line that removed the cue the base read here, and only here.
    explained = json.loads(cli("explain", str(SEEDS / "000_69a4ab76882569fd.txt"), "--rules", str(rules),
                               "--engine", "pure", "--format", "json").stdout)
    named = [e for t in explained["themes"] for e in t["evidence"] if "overlay" in e]
    assert named and {e["overlay"] for e in named} == {f"{rules}/x.yaml:5"}
    assert all(e["clause"] == sentence for e in named)


@pytest.mark.parametrize("block, expected", [
    ("  hedging:\n    add: {phrases: [time for this]}\n", "hedged"),
    ("  intention:\n    add: {phrases: [encouraged]}\n", "intention"),
    ("  negation:\n    add: {phrases: [time for this]}\n", "negated"),
])
def test_language_cues_added_by_an_overlay(tmp_path, block, expected):
    sentence = seed_sentence(SEED, "Senior leaders encouraged reflection")
    compiled = compile_rulebook_once(load_rulebook())
    [base] = judgements(sentence, "supervision", compiled)
    assert base.level == "strong" and base.cue == "embedded"
    rules = folder(tmp_path, "r", {"x.yaml": OVERLAY_HEAD + "language:\n" + block})
    [changed] = judgements(sentence, "supervision", compile_rulebook_once(load_rulebook(rules)))
    if expected == "hedged":
        assert changed.level is None and changed.set_aside == [("embedded", "hedged: 'time for this'")]
    elif expected == "intention":
        assert changed.level == "intention" and changed.cue == "encouraged"
    else:
        assert (changed.level, changed.cue) == ("shortfall", "time for this … embedded")


def test_every_reading_and_scoring_number_can_be_overlaid_and_migrated(tmp_path):
    overlay = OVERLAY_HEAD + """language:
  hedging_window: 2
  counter_window: {after: 2}
scoring:
  absence_weight: 0.75
  general_weight: 0.8
  borderline_margin: 0.1
  reasoning: {strong_theme: 3.5}
"""
    rb, base = load_rulebook(folder(tmp_path, "r", {"x.yaml": overlay})), load_rulebook()
    assert (rb.language.hedging_window, rb.language.counter_window) == (2, (base.language.counter_window[0], 2))
    sc = rb.scoring
    assert (sc.absence_weight, sc.general_weight, sc.borderline_margin, sc.reasoning_strong) == (0.75, 0.8, 0.1, 3.5)
    assert sc.reasoning_weak == base.scoring.reasoning_weak
    # A full copy carrying the same numbers migrates to an overlay that says exactly these.
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "rules", copy, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.md"))
    text = (copy / "language.yaml").read_text()
    text = text.replace("  counter_window:\n    before: 3\n    after: 6", "  counter_window:\n    before: 3\n    after: 2")
    (copy / "language.yaml").write_text(text.replace("hedging:\n  # A hedge", "hedging:\n  # (team) A hedge", 1)
                                        .replace("reach as a negation; set by hand in the first engine.\n  window: 6",
                                                 "reach as a negation; set by hand in the first engine.\n  window: 2"))
    (copy / "scoring.yaml").write_text((copy / "scoring.yaml").read_text().replace("borderline_margin: 0.2",
                                                                                  "borderline_margin: 0.1"))
    assert cli("rules", "overlay", "--from", str(copy), str(tmp_path / "out")).exit_code == 0
    written = (tmp_path / "out" / "overlay.yaml").read_text()
    assert "hedging_window: 2" in written and "after: 2" in written and "borderline_margin: 0.1" in written
    migrated = load_rulebook(tmp_path / "out")
    assert (migrated.language.hedging_window, migrated.language.counter_window[1], migrated.scoring.borderline_margin) \
        == (2, 2, 0.1)


def test_clause_breaks_topic_words_weights_and_scoring_numbers(tmp_path):
    overlay = OVERLAY_HEAD + """themes:
  supervision:
    weight: 2.5
    topic: {add: {phrases: [apprenticeship opportunities]}}
language:
  clause_breaks: {add: {phrases: [and time for this]}}
  negation_window: 4
scoring:
  values: {significant: 0.25}
  bands: {"3": 2.55}
  strong_share_bonus: 0.8
"""
    rules = folder(tmp_path, "r", {"x.yaml": overlay})
    rb, base = load_rulebook(rules), load_rulebook()
    assert rb.theme("supervision").weight == 2.5 and base.theme("supervision").weight != 2.5
    assert (rb.scoring.values["significant"], rb.scoring.bands[3], rb.scoring.strong_share_bonus) == (0.25, 2.55, 0.8)
    assert rb.scoring.values["strong"] == base.scoring.values["strong"] and rb.language.negation_window == 4
    compiled = compile_rulebook_once(rb)
    apprentices = seed_sentence(SEEDS / "000_69a4ab76882569fd.txt", "There were apprenticeship opportunities")
    assert "supervision" not in {t for *_, t in judgements_topics(apprentices, compile_rulebook_once(base))}
    assert "supervision" in {t for *_, t in judgements_topics(apprentices, compiled)}
    leaders = seed_sentence(SEED, "Senior leaders encouraged reflection")
    assert len(judgements(leaders, "supervision", compiled)) == 2
    assert len(judgements(leaders, "supervision", compile_rulebook_once(base))) == 1
    explained = json.loads(cli("explain", str(SEED), "--rules", str(rules), "--engine", "pure", "--format", "json").stdout)
    weights = {t["theme"]: (t["weight"], t.get("overlay")) for t in explained["themes"]}
    assert weights["supervision"] == (2.5, f"{rules}/x.yaml:4") and weights["complaints"][1] is None
    # The numbers reach the score: the same seed reads with another index.
    index = lambda r: json.loads(cli("check", str(SEED), "--engine", "pure", "--jobs", "1", "--format", "json",
                                     *r).stdout)["reports"][0]["evidence_index"]
    assert index(["--rules", str(rules)]) != index([])


def judgements_topics(sentence: str, compiled):
    from lii_check.reading import sentence_hits

    return sentence_hits(sentence, compiled).topics


def test_expectation_changes_and_disabling(tmp_path):
    overlay = OVERLAY_HEAD + """expectations:
  consistency.score-borderline-high:
    applies_to: [3, 4]
    when: {above_evidence_by: between 0.4 and 0.7}
    message: Edge of band {awarded}.
    description: Sits at the edge of its band.
  complaints.low-band-strong-throughout:
    disable: true
signals:
  supervision:supervision-missing:
    disable: true
"""
    rb = load_rulebook(folder(tmp_path, "r", {"x.yaml": overlay}))
    exp = {e.id: e for e in rb.expectations()}
    edge = exp["consistency.score-borderline-high"]
    assert edge.applies_to == (3, 4) and edge.message == "Edge of band {awarded}."
    # The overlay replaces the one measure it names; the base's other measures (on_band_mark, graded_clauses) stay.
    assert edge.when == {"above_evidence_by": "between 0.4 and 0.7", "on_band_mark": True, "graded_clauses": "at least 1"}
    assert edge.severity == "warning"
    assert "complaints.low-band-strong-throughout" not in exp
    assert "supervision:supervision-missing" not in {s.key for s in rb.signals()}
    assert dict(rb.disabled) == {"complaints.low-band-strong-throughout": f"{tmp_path}/r/x.yaml:9",
                                 "supervision:supervision-missing": f"{tmp_path}/r/x.yaml:12"}
    # A disabled signal no longer reads: a real seed sentence about supervision lapsing has no such cue now.
    sentence = "In one team, practitioners said they had gone four or five months without formal supervision."
    assert any(g[2] == "supervision-missing" for g in reading(sentence, "supervision"))
    assert not any(g[2] == "supervision-missing" for g in reading(sentence, "supervision", tmp_path / "r"))
    listed = {r["id"]: r for r in json.loads(cli("rules", "list", str(tmp_path / "r"), "--format", "json").stdout)}
    assert listed["complaints.low-band-strong-throughout"]["severity"] == "off"


NEW_THEME = """# synthetic: a small theme written for tests/test_overlay.py
kind: theme
theme: apprenticeships
title: Apprenticeships
framework: cqc-la-2023
weight: 1.0
description: Apprenticeship routes into social care work.
topic:
  phrases: [apprentice*]
signals:
  - id: apprenticeships-offered
    level: good
    description: Apprenticeships are offered.
    phrases: [apprenticeship scheme]
    examples:
      fires: [The apprenticeship scheme was popular.]
      quiet: [Apprentices were few.]
"""


def test_a_new_theme_file_and_a_chain_of_overlays(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder(tmp_path, "base", {"base.yaml": OVERLAY_HEAD + "expectations:\n  complaints.high-band-significant:\n"
                                                         "    severity: info\n",
                              "apprenticeships.yaml": NEW_THEME})
    folder(tmp_path, "team", {"team.yaml": "kind: overlay\nextends: ../base\nsignals:\n"
                                           "  apprenticeships:apprenticeships-offered:\n"
                                           "    add: {phrases: [apprenticeship opportunities]}\n"})
    rb = load_rulebook("team")
    assert rb.base == "base" and rb.theme("apprenticeships") is not None
    assert next(e for e in rb.expectations() if e.id == "complaints.high-band-significant").severity == "info"
    listed = {r["id"]: r for r in json.loads(cli("rules", "list", "team", "--format", "json").stdout)}
    assert listed["complaints.high-band-significant"]["changed_at"] == ["base/base.yaml:4"]
    cues = {c["list"]: c for c in json.loads(cli("rules", "list", "team", "--cues", "--format", "json").stdout)}
    signal = cues["apprenticeships:apprenticeships-offered"]
    assert signal["origin"] == "base/apprenticeships.yaml:11" and signal["changed_at"] == ["team/team.yaml:4"]
    assert [(c["text"], c["origin"]) for c in signal["cues"]] == [
        ("apprenticeship scheme", "base/apprenticeships.yaml:14"), ("apprenticeship opportunities", "team/team.yaml:5")]
    explained = json.loads(cli("explain", str(SEEDS / "000_69a4ab76882569fd.txt"), "--rules", "team",
                               "--engine", "pure", "--format", "json").stdout)
    [hit] = [e for t in explained["themes"] if t["theme"] == "apprenticeships" for e in t["evidence"]]
    assert (hit["line"], hit["level"], hit["cue"]) == (37, "good", "apprenticeship opportunities")
    # Both overlays are behind this reading: the team's cue, and the new theme's topic word in the base overlay.
    assert hit["overlay"] == "team/team.yaml:5, base/apprenticeships.yaml:9"


# --- located mistakes ---------------------------------------------------------------------------------

MISTAKES = [
    ("unknown-signal", {"x.yaml": OVERLAY_HEAD + "signals:\n  supervision:supervision-mising:\n    disable: true\n"},
     "r/x.yaml:4:3: the base has no signal 'supervision:supervision-mising': did you mean 'supervision:supervision-missing'?"),
    ("bare-theme-signal", {"x.yaml": OVERLAY_HEAD + "signals:\n  supervision-missing:\n    disable: true\n"},
     "r/x.yaml:4:3: the base has no signal 'supervision-missing': did you mean 'supervision:supervision-missing'?"),
    ("unknown-cue", {"x.yaml": OVERLAY_HEAD + "signals:\n  quantifier-some:\n    remove: [variable, mixd]\n"},
     "r/x.yaml:5:24: the signal 'quantifier-some' has no cue 'mixd' to remove: did you mean 'mixed'?"),
    ("cue-already-there", {"x.yaml": OVERLAY_HEAD + "signals:\n  quantifier-some:\n    add: {phrases: [mixed]}\n"},
     "r/x.yaml:5:21: 'mixed' is already a cue of the signal 'quantifier-some' (bundled): leave it out"),
    ("unknown-expectation", {"x.yaml": OVERLAY_HEAD + "expectations:\n  consistency.score-borderline-hig:\n    severity: error\n"},
     "r/x.yaml:4:3: the base has no expectation 'consistency.score-borderline-hig': did you mean 'consistency.score-borderline-high'?"),
    ("unknown-measure", {"x.yaml": OVERLAY_HEAD + "expectations:\n  complaints.high-band-significant:\n    when: {significnt: any}\n"},
     "r/x.yaml:5:12: the expectation 'complaints.high-band-significant' has no 'when:' test of 'significnt': did you mean 'significant'?"),
    ("bad-test", {"x.yaml": OVERLAY_HEAD + "expectations:\n  complaints.high-band-significant:\n    when: {significant: lots}\n"},
     "r/x.yaml:5:25: 'lots' is not in the expected form in 'significant': none, any, at least N"),
    ("unknown-theme", {"x.yaml": OVERLAY_HEAD + "themes:\n  supervison: {weight: 2}\n"},
     "r/x.yaml:4:3: the base has no theme 'supervison': did you mean 'supervision'?"),
    ("bad-kind", {"x.yaml": "kind: overlai\nextends: bundled\n"},
     "r/x.yaml:1:7: 'overlai' is not allowed in 'kind'; use one of: theme, language, scoring, overlay — did you mean 'overlay'?"),
    ("bad-key", {"x.yaml": OVERLAY_HEAD + "expectation:\n  complaints.high-band-significant: {severity: error}\n"},
     "r/x.yaml:3:1: unknown key 'expectation': did you mean 'expectations'?"),
    ("bad-name", {"x.yaml": OVERLAY_HEAD + "expectations:\n  badname:\n    severity: info\n"},
     "r/x.yaml:4:3: 'badname' is not a name lii-check uses here in 'expectations': an expectation is named theme.id"),
    ("disable-not-true", {"x.yaml": OVERLAY_HEAD + "signals:\n  quantifier-some:\n    disable: yes please\n"},
     "r/x.yaml:5:14: 'yes please' is not allowed in 'signals' > 'quantifier-some' > 'disable': write 'disable: true'"),
    ("no-extends", {"x.yaml": "kind: overlay\nthemes:\n  supervision: {weight: 2}\n"},
     "r/x.yaml:1:1: no overlay file of this folder says what it extends: add 'extends: bundled'"),
    ("two-extends", {"a.yaml": OVERLAY_HEAD, "b.yaml": OVERLAY_HEAD},
     "r/b.yaml:2:10: only one overlay file of a folder says what it extends; r/a.yaml:2 already does"),
    ("missing-base", {"x.yaml": "kind: overlay\nextends: ../team-base\n"},
     "r/x.yaml:2:10: the base folder '../team-base' does not exist (looked for team-base)"),
    ("twice", {"a.yaml": OVERLAY_HEAD + "scoring: {values: {good: 2.9}}\n", "b.yaml": "kind: overlay\nscoring:\n  values: {good: 3.1}\n"},
     "r/b.yaml:3:18: scoring values 'good' is already changed at r/a.yaml:3; change it in one place"),
    ("language-file", {"x.yaml": OVERLAY_HEAD, "language.yaml": (REPO / "rules" / "language.yaml").read_text("utf-8")},
     "r/language.yaml:1:1: an overlay folder holds 'kind: overlay' files and new theme files only"),
    ("same-theme", {"x.yaml": OVERLAY_HEAD, "research.yaml": (REPO / "rules" / "research.yaml").read_text("utf-8")},
     "r/research.yaml:1:1: the base already has the theme 'research'"),
    ("bands-out-of-order", {"x.yaml": OVERLAY_HEAD + "scoring:\n  bands: {\"3\": 3.5}\n"},
     "r/x.yaml:4:10: with this change the marks no longer rise"),
]


@pytest.mark.parametrize("name, files, expected", MISTAKES, ids=[m[0] for m in MISTAKES])
def test_located_mistakes(tmp_path, monkeypatch, name, files, expected):
    monkeypatch.chdir(tmp_path)
    folder(tmp_path, "r", files)
    validated = cli("rules", "validate", "r")
    assert validated.exit_code == 2
    assert any(line.startswith(expected) for line in validated.stdout.splitlines()), validated.stdout
    checked = cli("check", str(SEED), "--rules", "r", "--engine", "pure", "--jobs", "1")
    assert checked.exit_code == 2 and expected in checked.stderr and "Traceback" not in checked.stderr


def test_a_circle_of_overlays_is_located(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    folder(tmp_path, "a", {"a.yaml": "kind: overlay\nextends: ../b\n"})
    folder(tmp_path, "b", {"b.yaml": "# the team's base\nkind: overlay\nextends: ../a\n"})
    with pytest.raises(RulebookInvalid) as caught:
        load_rulebook("a")
    assert [str(p) for p in caught.value.problems] == [
        "b/b.yaml:3:10: the overlays extend each other in a circle (a → b → a): one of them must extend "
        "'bundled' or a full rulebook"]
    folder(tmp_path, "c", {"c.yaml": "kind: overlay\nextends: .\n"})
    assert "circle (c → c)" in str(pytest.raises(RulebookInvalid, load_rulebook, "c").value.problems[0])


# --- the cache, the configuration, rules test ------------------------------------------------------------

def test_the_cache_key_covers_every_folder_of_the_chain(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    folder(tmp_path, "base", {"base.yaml": OVERLAY_HEAD + "expectations:\n  complaints.high-band-significant:\n"
                                                         "    severity: info\n"})
    folder(tmp_path, "team", {"team.yaml": "kind: overlay\nextends: ../base\n"})
    severity = lambda: next(e for e in load_rulebook("team").expectations()
                            if e.id == "complaints.high-band-significant").severity
    assert severity() == "info"
    assert any(p.name.startswith("rulebook-") for p in (tmp_path / "cache").iterdir())
    import lii_check.rulebook.overlay as overlay  # load_rulebook builds a folder through overlay.build

    built = overlay.build
    monkeypatch.setattr(overlay, "build", lambda *a: pytest.fail("the unchanged chain was built again, not read back"))
    assert severity() == "info"  # read back from the cache
    monkeypatch.setattr(overlay, "build", built)
    (tmp_path / "base" / "base.yaml").write_text(OVERLAY_HEAD + "expectations:\n  complaints.high-band-significant:\n"
                                                                "    severity: error\n", "utf-8")
    assert severity() == "error"


def test_a_cached_rulebook_is_not_read_back_by_changed_loader_code(tmp_path, monkeypatch):
    """The tests share a cache across runs (conftest.py's code_keyed_cache), so an entry written by an older
    loader must never come back: the key covers the source of every loader module (overlay.py, cues.py …)
    and of the YAML reader, not only load.py's."""
    import lii_check.rulebook.load as load
    import lii_check.rulebook.overlay as overlay
    import lii_check.safe_yaml as safe_yaml

    source = load._loader_source()
    for module in (load, overlay, safe_yaml):
        assert Path(module.__file__).read_bytes() in source
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path / "cache"))
    folder(tmp_path, "team", {"team.yaml": "kind: overlay\nextends: bundled\n"})
    load_rulebook("team")
    built = []
    build = overlay.build
    monkeypatch.setattr(overlay, "build", lambda *a: built.append(a) or build(*a))
    load_rulebook("team")
    assert built == []  # the same code: read back
    monkeypatch.setattr(load, "_loader_source", lambda: source.replace(b"def build(", b"def build_(", 1))
    load_rulebook("team")
    assert "team" in [label for _, label in built]  # overlay.py as another version would have it: built again


def test_the_configuration_wins_over_the_overlay(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(EXAMPLE, tmp_path / "team")
    args = ("check", str(SEED), "--engine", "pure", "--jobs", "1", "--format", "json")
    (tmp_path / ".lii-check.yaml").write_text("rules: team\nseverity:\n  complaints.high-band-significant: warning\n")
    done = cli(*args)
    assert done.exit_code == 0
    [finding] = json.loads(done.stdout)["reports"][0]["findings"]
    assert (finding["rule"], finding["severity"]) == ("complaints.high-band-significant", "warning")
    (tmp_path / ".lii-check.yaml").write_text("rules: team\ndisable: [complaints.high-band-significant]\n")
    done = cli(*args)
    assert done.exit_code == 0 and json.loads(done.stdout)["reports"][0]["findings"] == []
    (tmp_path / ".lii-check.yaml").write_text("rules: team\n")
    assert cli(*args).exit_code == 1
    # A rule the overlay switched off may still be named by the configuration; a misspelt one may not.
    (tmp_path / "team" / "off.yaml").write_text("kind: overlay\nexpectations:\n  consistency.label-wording:\n"
                                                "    disable: true\n")
    (tmp_path / ".lii-check.yaml").write_text("rules: team\ndisable: [consistency.label-wording]\n")
    assert cli(*args).exit_code == 1
    (tmp_path / ".lii-check.yaml").write_text("rules: team\ndisable: [consistency.label-wordin]\n")
    assert cli(*args).exit_code == 2


def test_rules_test_names_the_base_examples_an_overlay_breaks(tmp_path):
    rules = folder(tmp_path, "r", {"x.yaml": OVERLAY_HEAD + "signals:\n  quantifier-some:\n    remove: [mixed]\n"
                                                            "    examples:\n      quiet: [The partnership was mixed.]\n"
                                                            "      fires: [Feedback was mixed.]\n"})
    done = cli("rules", "test", str(rules), "--engine", "pure", "--format", "json")
    assert done.exit_code == 1
    failing = [o for o in json.loads(done.stdout)["rules"] if o["misses"] or o["false_alarms"]]
    assert [o["rule"] for o in failing] == ["language:quantifier-some"]
    [outcome] = failing
    base_example = "Some feedback was mixed around the effectiveness of co-production activities."
    assert outcome["misses"] == [base_example, "Feedback was mixed."]
    # The overlay's own failing example is its own miss, not a base example it broke.
    assert outcome["broken_by_overlay"] == [f"{base_example} (passes on the base; changed at {rules}/x.yaml:4)"]
    table = cli("rules", "test", str(rules), "--engine", "pure")
    assert "broken by the overlay" in table.stdout


# --- the overlay schema ----------------------------------------------------------------------------------

def test_the_overlay_schema_shares_the_rulebook_definitions_and_accepts_the_example():
    import jsonschema
    import yaml

    schema_dir = REPO / "engine" / "schema"
    overlay = json.loads((schema_dir / "overlay.schema.json").read_text("utf-8"))
    rulebook = json.loads((schema_dir / "rulebook.schema.json").read_text("utf-8"))
    shared = set(overlay["$defs"]) & set(rulebook["$defs"])
    assert {"texts", "unless", "count_test", "number_test", "severity"} <= shared
    assert all(overlay["$defs"][k] == rulebook["$defs"][k] for k in shared)
    jsonschema.Draft202012Validator(overlay).validate(yaml.safe_load((EXAMPLE / "team.yaml").read_text("utf-8")))
    assert json.loads(cli("schema", "overlay").stdout) == overlay


# --- rules overlay --from: a team's full copy becomes the minimal overlay ---------------------------------------


def _compiled_view(rb) -> dict:
    """What reads reports: every cue list (text, kind, regex; in order), signal levels, expectations, numbers."""
    compiled = compile_rulebook_once(rb)
    cues = sorted((p.family, p.owner, p.unless, p.cue.text, p.cue.kind, p.regex) for p in compiled.patterns)
    exps = sorted((e.id, e.applies_to, tuple(sorted(e.when.items())), e.severity, e.message, e.cite)
                  for e in rb.expectations())
    sc = rb.scoring
    return {"cues": cues, "expectations": exps, "signals": sorted((s.key, s.level, s.impact) for s in rb.signals()),
            "themes": sorted((t.id, t.weight) for t in rb.themes), "window": rb.language.negation_window,
            "scoring": (sc.values, sc.bands, sc.clear, sc.prior_value, sc.prior_weight, sc.strong_share_bonus)}


def test_rules_overlay_from_a_copy_builds_the_same_rulebook(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "copy"
    shutil.copytree(REPO / "rules", copy, ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    replace_first(copy / "complaints.yaml", "      - \"\\\\b(?:did not|didn't) know how to complain\\\\b\"\n",
          "      - \"\\\\b(?:did not|didn't) know how to complain\\\\b\"\n      - \"\\\\b[0-9]+ cases? (?:was|were) upheld\\\\b\"\n")
    replace_first(copy / "complaints.yaml", "      significant: at least 2\n    severity: warning",
          "      significant: at least 1\n    severity: error")
    replace_first(copy / "language.yaml", "      - mixed\n", "")
    replace_first(copy / "language.yaml", "  window: 6", "  window: 5")
    replace_first(copy / "scoring.yaml", '"3": 2.59', '"3": 2.55')
    replace_first(copy / "supervision.yaml", "weight: 1.2", "weight: 1.4")
    replace_first(copy / "supervision.yaml", "    - reflective\n", "    - reflective\n    - clinical oversight\n")
    text = (copy / "research.yaml").read_text("utf-8")
    (copy / "apprenticeships.yaml").write_text(text.replace("theme: research", "theme: apprenticeships"), "utf-8")
    cut = re.search(r"(?ms)^  - id: low-band-strong-throughout\n.*?(?=^  - id: |\Z)", (copy / "co-production.yaml").read_text("utf-8"))
    replace_first(copy / "co-production.yaml", cut.group(0), "")

    done = cli("rules", "overlay", "--from", "copy", "team")
    assert done.exit_code == 0, done.output
    # The copy inserted its regex mid-list: said, as a note, since the overlay appends it.
    assert "complaints.yaml:52: signal 'complaints:complaints-not-learned-from': the copy lists its cues in another order" in done.stderr
    assert sorted(p.name for p in (tmp_path / "team").iterdir()) == ["apprenticeships.yaml", "overlay.yaml"]
    overlay = (tmp_path / "team" / "overlay.yaml").read_text("utf-8")
    assert len(overlay.splitlines()) < 45, overlay
    assert "co-production.low-band-strong-throughout:\n    disable: true" in overlay
    assert _compiled_view(load_rulebook("team")) == _compiled_view(load_rulebook("copy"))
    assert _compiled_view(load_rulebook("team")) != _compiled_view(load_rulebook())

    def reports(rules: str) -> list:
        out = cli("check", str(SEEDS), str(REPO / "fixtures" / "synthetic"), "--rules", rules, "--engine", "pure",
                  "--jobs", "1", "--format", "json", "--fail-on", "never")
        assert out.exit_code == 0, out.output[-800:]
        return json.loads(out.stdout)["reports"]

    assert reports("team") == reports("copy")


def test_rules_overlay_refuses_what_it_must(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copytree(REPO / "rules", tmp_path / "copy", ignore=shutil.ignore_patterns("*.py", "*.md", "__pycache__"))
    into = cli("rules", "overlay", "--from", "copy", "copy/team")
    assert into.exit_code == 2 and "must not be written into the folder it reads" in into.stderr
    assert not (tmp_path / "copy" / "team").exists()
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.txt").write_text("not rules")
    empty = cli("rules", "overlay", "--from", "notes", "out")
    assert empty.exit_code == 2 and "notes: not a rulebook: it holds no .yaml rule files" in empty.stderr
    missing = cli("rules", "overlay", "--from", "nowhere", "out")
    assert missing.exit_code == 2 and "nowhere: not a folder" in missing.stderr
    folder(tmp_path, "broken", {"x.yaml": "kind: theme\n"})
    broken = cli("rules", "overlay", "--from", "broken", "out")
    assert broken.exit_code == 2 and "broken/x.yaml:1:1: missing key" in broken.stderr
    replace_first(tmp_path / "copy" / "complaints.yaml", "  - id: remedies-complied\n    level: strong",
          "  - id: remedies-complied\n    level: good")
    level = cli("rules", "overlay", "--from", "copy", "out")
    assert level.exit_code == 2 and "copy/complaints.yaml:39:1: the signal 'complaints:remedies-complied' has another level" in level.stderr
    assert not (tmp_path / "out").exists()
    folder(tmp_path, "out", {"x.yaml": OVERLAY_HEAD})
    assert "out: already holds .yaml files (x.yaml); give an empty or new folder" in \
        cli("rules", "overlay", "--from", "copy", "out").stderr
    (tmp_path / "a-file").write_text("not a folder")
    not_folder = cli("rules", "overlay", "--from", "copy", "a-file").stderr
    assert "a-file: is a file, not a folder" in not_folder and "already holds" not in not_folder


def test_a_migrated_overlay_never_points_editors_into_an_installed_package(tmp_path, monkeypatch):
    """From a checkout the schema line is relative to the repository's schema; from an installed package
    (a venv's site-packages) that path exists only on this machine, so the overlay says how to get one."""
    from lii_check.rulebook import migrate

    migration = migrate.Migration({"kind": "overlay", "extends": "bundled"}, [])
    here = migrate.overlay_text(migration, tmp_path, tmp_path / "copy")
    assert here.startswith("# yaml-language-server: $schema=") and "site-packages" not in here.split("\n")[0]
    installed = tmp_path / "venv" / "lib" / "python3.11" / "site-packages" / "lii_check"
    (installed / "schema").mkdir(parents=True)
    monkeypatch.setattr(migrate.resources, "files", lambda package: installed)
    text = migrate.overlay_text(migration, tmp_path / "out", tmp_path / "copy")
    first = text.split("\n")[0]
    assert "site-packages" not in text and not re.search(r"\$schema=[^`\s]", first)
    assert first.startswith("# For editors: `lii-check schema overlay > overlay.schema.json`")
    assert "kind: overlay" in text


def test_explain_never_blames_a_removal_that_changed_nothing(tmp_path):
    """'longstanding' is read as strong by the cue 'long-standing' too (its hyphen is optional). An overlay
    removing only the cue 'longstanding' changes nothing, so explain must not name the removal; removing
    'long-standing' as well changes the reading."""
    report = tmp_path / "r.md"  # synthetic: one sentence, written for this test
    report.write_text("---\nsynthetic: true\n---\n\nLearning, improvement and innovation\n\nScore: 3\n\n"
                      "3 - Evidence shows a good standard\n\n"
                      "The council had a longstanding learning forum that staff valued.\n", "utf-8")

    def explained(cues: str) -> list[dict]:
        rules = folder(tmp_path, f"r{len(cues)}", {"x.yaml": OVERLAY_HEAD + f"""signals:
  maturity-embedded:
    remove: [{cues}]
"""})
        done = cli("explain", str(report), "--rules", str(rules), "--engine", "pure", "--format", "json")
        assert done.exit_code in (0, 1), done.output
        return [e for t in json.loads(done.stdout)["themes"] for e in t.get("evidence", []) if e["line"] == 11]

    sibling = explained("longstanding")
    assert [(e["level"], e["cue"]) for e in sibling] == [("strong", "longstanding")]
    assert "overlay" not in sibling[0]
    both = explained("longstanding, long-standing")
    assert all(e["level"] != "strong" for e in both)
