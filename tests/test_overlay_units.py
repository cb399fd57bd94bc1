"""The overlay loader (engine/rulebook/overlay.py) on small overlay folders in tmp dirs: which folders a
chain reads, what each block of an overlay file changes (exactly, and nothing else), and each mistake as
the located problem it is. Fast: overlays are built over the bundled rulebook with `overlay.build`
directly, no CLI, no compiled matcher. tests/test_overlay.py checks the same loader end to end.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from lii_check.rulebook import RulebookInvalid, load_rulebook
from lii_check.rulebook.load import bundled_rules_dir
from lii_check.rulebook.model import BUNDLED
from lii_check.rulebook.overlay import base_folder, build, chain_folders

HEAD = "kind: overlay\nextends: bundled\n"

# A new theme written for these tests (synthetic).
NEW_THEME = """# synthetic: a small theme written for tests/test_overlay_units.py
kind: theme
theme: apprenticeships-and-traineeships
title: Apprenticeships
framework: cqc-la-2023
weight: 1.0
description: Apprenticeship routes into social care work.
topic:
  phrases: [apprentice*]
signals:
  - id: offered
    level: good
    description: Apprenticeships are offered.
    phrases: [apprenticeship scheme]
    examples:
      fires: [The apprenticeship scheme was popular.]
      quiet: [Apprentices were few.]
"""


@pytest.fixture(scope="module")
def base():
    return load_rulebook()


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)


def folder(name: str, files: dict[str, str]) -> Path:
    path = Path(name)
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.yaml"):  # a test may build several folders called r in turn
        old.unlink()
    for file, text in files.items():
        (path / file).write_text(text, "utf-8")
    return path


def overlay(text: str, **more: str):
    """The rulebook of folder r holding x.yaml (and more files), over the bundled one."""
    rulebook, used = build(folder("r", {"x.yaml": text, **more}), "r")
    assert used == ["r", BUNDLED]
    return rulebook


def problems(text: str, **more: str) -> list[str]:
    with pytest.raises(RulebookInvalid) as caught:
        build(folder("r", {"x.yaml": text, **more}), "r")
    return [str(p) for p in caught.value.problems]


def texts(cues) -> list[str]:
    return [c.text for c in cues]


def signal(rb, key: str):
    return next(s for s in rb.signals() if s.key == key)


def expectation(rb, rule: str):
    return next(e for e in rb.expectations() if e.id == rule)


# --- which folders a load reads --------------------------------------------------------------------------

def test_base_folder_is_bundled_or_relative_to_the_overlay():
    assert base_folder("teams/north", "bundled") == (bundled_rules_dir(), BUNDLED)
    assert base_folder("teams/north", "../shared") == (Path("teams/shared"), "teams/shared")
    assert base_folder("team", "./base") == (Path("team/base"), "team/base")


def test_the_chain_of_a_full_folder_is_that_folder():
    folder("full", {"a.yaml": "kind: theme\nextends: ../elsewhere\n"})  # extends in a theme file means nothing
    assert chain_folders(Path("full"), "full") == [(Path("full"), "full")]
    assert chain_folders(bundled_rules_dir(), BUNDLED) == [(bundled_rules_dir(), BUNDLED)]


def test_the_chain_follows_each_extends_down_to_the_bundled_rulebook():
    folder("base", {"base.yaml": HEAD})
    folder("team", {"a.yaml": "kind: theme\n", "team.yaml": "kind: overlay\nextends: ../base\n"})
    assert chain_folders(Path("team"), "team") == [(Path("team"), "team"), (Path("base"), "base"),
                                                    (bundled_rules_dir(), BUNDLED)]


def test_the_chain_reads_quoted_and_commented_lines_with_crlf():
    folder("base", {"b.yaml": "kind: theme\n"})
    folder("team", {"t.yaml": "kind: 'overlay'  # ours\r\nextends: \"../base\" # the base\r\n"})
    assert chain_folders(Path("team"), "team") == [(Path("team"), "team"), (Path("base"), "base")]
    folder("plural", {"t.yaml": "kind: overlays\nextends: ../base\n"})
    assert chain_folders(Path("plural"), "plural") == [(Path("plural"), "plural")]


def test_the_first_overlay_file_naming_a_base_is_followed():
    folder("one", {"o.yaml": "kind: theme\n"})
    folder("two", {"o.yaml": "kind: theme\n"})
    folder("team", {"a.yaml": "kind: overlay\nextends: ../one\n", "b.yaml": "kind: overlay\nextends: ../two\n"})
    assert chain_folders(Path("team"), "team") == [(Path("team"), "team"), (Path("one"), "one")]
    folder("late", {"a.yaml": "kind: overlay\n", "b.yaml": "kind: overlay\nextends: ../two\n"})
    assert chain_folders(Path("late"), "late") == [(Path("late"), "late"), (Path("two"), "two")]


@pytest.mark.parametrize("files", [
    {"a.yaml": "kind: overlay\n"},  # no base named
    {"a.yaml": "kind: overlay\nextends:   # to be decided\n"},  # an empty one
    {"a.yaml": "kind: overlay\nextends: ../missing\n"},  # a base that is not there
    {"a.yaml": "kind: overlay\nextends: .\n"},  # itself
])
def test_a_chain_only_the_full_load_can_judge_is_none(files):
    folder("team", files)
    assert chain_folders(Path("team"), "team") is None


def test_a_circle_of_folders_has_no_chain():
    folder("a", {"a.yaml": "kind: overlay\nextends: ../b\n"})
    folder("b", {"b.yaml": "kind: overlay\nextends: ../a\n"})
    assert chain_folders(Path("a"), "a") is None


# --- building --------------------------------------------------------------------------------------------

def test_a_full_folder_builds_as_itself(base):
    rulebook, used = build(bundled_rules_dir(), BUNDLED)
    assert used == [BUNDLED] and rulebook.path == BUNDLED and rulebook.base is None
    assert [t.id for t in rulebook.themes] == [t.id for t in base.themes]


def test_an_overlay_over_the_bundled_rulebook_records_what_it_is_built_from(base):
    rb = overlay(HEAD + "themes:\n  research: {weight: 0.9}\n", **{"apprenticeships-and-traineeships.yaml": NEW_THEME})
    assert (rb.path, rb.base, rb.files) == ("r", BUNDLED, ["apprenticeships-and-traineeships.yaml", "x.yaml"])
    assert rb.overlay_files == ("r/x.yaml", "r/apprenticeships-and-traineeships.yaml")
    assert (rb.disabled, rb.removed_cues) == ((), ())
    # New themes join in id order; the base is not touched.
    ids = [t.id for t in rb.themes]
    assert ids == sorted([t.id for t in base.themes] + ["apprenticeships-and-traineeships"])
    assert base.theme("research").weight == 0.7 and base.theme("apprenticeships-and-traineeships") is None
    assert base.theme("research").changes == ()


def test_a_chain_of_overlays_applies_the_base_first_and_keeps_its_changes():
    folder("base", {"base.yaml": HEAD + "signals:\n  quantifier-some:\n    remove: [mixed]\n"
                                        "expectations:\n  research.high-band-silent:\n    disable: true\n"})
    folder("team", {"team.yaml": "kind: overlay\nextends: ../base\n"
                                 "signals:\n  supervision:supervision-missing:\n    disable: true\n"
                                 "  quantifier-some:\n    remove: [patchy]\n"})
    rb, used = build(Path("team"), "team")
    assert used == ["team", "base", BUNDLED] and rb.base == "base" and rb.path == "team"
    assert rb.overlay_files == ("base/base.yaml", "team/team.yaml") and rb.files == ["team.yaml"]
    assert rb.disabled == (("research.high-band-silent", "base/base.yaml:7"),
                           ("supervision:supervision-missing", "team/team.yaml:4"))
    some = signal(rb, "quantifier-some")
    assert [(r[0], r[1], r[3]) for r in rb.removed_cues] == [("quantifier-some", "mixed", "base/base.yaml:5"),
                                                             ("quantifier-some", "patchy", "team/team.yaml:7")]
    assert "mixed" not in texts(some.cues.cues) and "patchy" not in texts(some.cues.cues)
    assert some.changes == ("base/base.yaml:4", "team/team.yaml:6")


def test_a_chain_three_deep_that_closes_a_circle_names_the_loop():
    folder("a", {"a.yaml": "kind: overlay\nextends: ../b\n"})
    folder("b", {"b.yaml": "kind: overlay\nextends: ../c\n"})
    folder("c", {"c.yaml": "# the shared base\nkind: overlay\nextends: ../a\n"})
    with pytest.raises(RulebookInvalid) as caught:
        build(Path("a"), "a")
    assert [str(p) for p in caught.value.problems] == [
        "c/c.yaml:3:10: the overlays extend each other in a circle (a → b → c → a): one of them must extend "
        "'bundled' or a full rulebook"]


def test_a_base_named_with_spaces_inside_its_quotes_is_found():
    folder("base", {"base.yaml": HEAD})
    rb, used = build(folder("team", {"t.yaml": "kind: overlay\nextends: ' ../base '\n"}), "team")
    assert used == ["team", "base", BUNDLED]


def test_every_folder_level_problem_is_reported_at_once():
    language = (bundled_rules_dir() / "language.yaml").read_text("utf-8")
    found = problems("kind: overlay\nsignals:\n  Bad_Name: {disable: true}\n",
                     **{"y.yaml": "kind: overlay\nthemes:\n  supervision: {weight: 2}\n", "language.yaml": language})
    assert found == [  # in file and line order
        "r/language.yaml:1:1: an overlay folder holds 'kind: overlay' files and new theme files only: change the "
        "language file of the base through 'language:' in an overlay file instead",
        "r/x.yaml:1:1: no overlay file of this folder says what it extends: add 'extends: bundled' "
        "(or a rules folder relative to this one) to one of them",
        "r/x.yaml:3:3: 'Bad_Name' is not a name lii-check uses here in 'signals': a signal is named "
        "theme:signal-id (or a language signal's bare id)"]


def test_a_language_or_scoring_file_in_an_overlay_folder_is_refused():
    language = (bundled_rules_dir() / "language.yaml").read_text("utf-8")
    assert problems(HEAD, **{"language.yaml": language}) == [
        "r/language.yaml:1:1: an overlay folder holds 'kind: overlay' files and new theme files only: change the "
        "language file of the base through 'language:' in an overlay file instead"]
    scoring = (bundled_rules_dir() / "scoring.yaml").read_text("utf-8")
    assert problems(HEAD, **{"scoring.yaml": scoring}) == [
        "r/scoring.yaml:1:1: an overlay folder holds 'kind: overlay' files and new theme files only: change the "
        "scoring file of the base through 'scoring:' in an overlay file instead"]


def test_only_one_file_may_name_the_base():
    found = problems("# ours\n" + HEAD, **{"y.yaml": HEAD, "z.yaml": "kind: overlay\n\nextends: ../other\n"})
    assert found == [
        "r/y.yaml:2:10: only one overlay file of a folder says what it extends; r/x.yaml:3 already does: remove this line",
        "r/z.yaml:3:10: only one overlay file of a folder says what it extends; r/x.yaml:3 already does: remove this line"]


def test_a_missing_base_folder_is_located():
    assert problems("kind: overlay\n\nextends: ../team-base\n") == [
        "r/x.yaml:3:10: the base folder '../team-base' does not exist (looked for team-base): write 'extends: "
        "bundled' or a rules folder relative to this one"]


# --- the overlay schema's own messages ---------------------------------------------------------------------

@pytest.mark.parametrize("block, message", [
    ("signals:\n  Bad_Name: {disable: true}\n",
     "r/x.yaml:4:3: 'Bad_Name' is not a name lii-check uses here in 'signals': a signal is named theme:signal-id "
     "(or a language signal's bare id)"),
    ("expectations:\n  badname: {severity: info}\n",
     "r/x.yaml:4:3: 'badname' is not a name lii-check uses here in 'expectations': an expectation is named "
     "theme.id or consistency.id, as `lii-check rules list` shows"),
    ("themes:\n  Supervision: {weight: 2}\n",
     "r/x.yaml:4:3: 'Supervision' is not a name lii-check uses here in 'themes': use a theme id, as "
     "`lii-check rules list` shows"),
    ("signals:\n  quantifier-some:\n    disable: false\n",
     "r/x.yaml:5:14: 'False' is not allowed in 'signals' > 'quantifier-some' > 'disable': write 'disable: true', "
     "or leave the line out"),
])
def test_schema_problems_say_what_to_write(block, message):
    assert problems(HEAD + block) == [message]


def test_a_bad_cue_regex_in_an_overlay_is_located():
    found = problems(HEAD + "signals:\n  quantifier-some:\n    add: {regex: ['(unclosed']}\n")
    assert len(found) == 1 and found[0].startswith("r/x.yaml:5:")


# --- cues --------------------------------------------------------------------------------------------------

def test_cues_are_removed_from_either_list_and_added_at_the_end(base):
    rb = overlay(HEAD + "language:\n  negation:\n    remove: ['\\bnever\\b', '\\bnot\\s+only\\b']\n"
                        "    add:\n      phrases: [hardly]\n      regex: ['\\bnot\\s+once\\b']\n"
                        "      unless: {phrases: [never mind]}\n")
    neg, before = rb.language.negation, base.language.negation
    assert texts(neg.cues) == [t for t in texts(before.cues) if t != "\\bnever\\b"] + ["hardly", "\\bnot\\s+once\\b"]
    assert texts(neg.unless) == [t for t in texts(before.unless) if t != "\\bnot\\s+only\\b"] + ["never mind"]
    assert [(c.kind, c.file, c.line) for c in neg.cues[-2:]] == [("phrase", "r/x.yaml", 7), ("regex", "r/x.yaml", 8)]
    # Only a removed cue that was read (not an `unless`) is remembered, for explain.
    assert rb.removed_cues == (("language:negation", "\\bnever\\b", "\\bnever\\b", "r/x.yaml:5"),)
    assert "\\bnever\\b" in texts(base.language.negation.cues)


def test_removing_a_cue_the_list_lacks_gets_a_did_you_mean_or_how_to_list_them():
    assert problems(HEAD + "signals:\n  quantifier-some:\n    remove: [mixd, zzzz]\n") == [
        "r/x.yaml:5:14: the signal 'quantifier-some' has no cue 'mixd' to remove: did you mean 'mixed'?",
        "r/x.yaml:5:20: the signal 'quantifier-some' has no cue 'zzzz' to remove: write it exactly as the base does "
        "(`lii-check rules list --cues` lists them)"]


def test_adding_a_cue_the_list_has_is_refused_naming_where_it_is():
    assert problems(HEAD + "language:\n  negation:\n    add:\n      phrases: [hardly]\n"
                           "      regex: ['\\bnever\\b']\n      unless:\n        regex: [x, '\\bnot\\s+only\\b']\n") == [
        "r/x.yaml:7:15: '\\bnever\\b' is already a cue of the negation list (bundled): leave it out",
        "r/x.yaml:9:20: '\\bnot\\s+only\\b' is already a cue of the negation list (bundled): leave it out"]


def test_a_phrase_and_a_regex_of_the_same_text_are_different_cues(base):
    rb = overlay(HEAD + "signals:\n  quantifier-some:\n    add: {regex: [mixed]}\n")
    cues = signal(rb, "quantifier-some").cues.cues
    assert [(c.text, c.kind) for c in cues if c.text == "mixed"] == [("mixed", "phrase"), ("mixed", "regex")]


def test_a_cue_added_twice_across_overlay_files_names_the_first_file():
    assert problems(HEAD + "signals:\n  quantifier-some:\n    add: {phrases: [touch and go]}\n",
                    **{"y.yaml": "kind: overlay\nsignals:\n  quantifier-some:\n    add: {phrases: [touch and go]}\n"}) == [
        "r/y.yaml:4:21: 'touch and go' is already a cue of the signal 'quantifier-some' (r/x.yaml:5): leave it out"]


# --- signals ---------------------------------------------------------------------------------------------

def test_signals_are_disabled_where_they_live(base):
    rb = overlay(HEAD + "signals:\n  quantifier-some:\n    disable: true\n"
                        "  supervision:supervision-missing:\n    disable: true\n")
    assert "quantifier-some" not in [s.id for s in rb.language.signals]
    assert rb.theme("supervision").signals == []
    assert rb.disabled == (("quantifier-some", "r/x.yaml:4"), ("supervision:supervision-missing", "r/x.yaml:6"))
    assert len(rb.language.signals) == len(base.language.signals) - 1
    assert signal(base, "quantifier-some").changes == ()


def test_a_signal_change_sets_description_examples_and_where(base):
    rb = overlay(HEAD + "signals:\n  supervision:supervision-missing:\n"
                        "    description: >\n      Supervision   lapsed\n      for months.\n"
                        "    examples:\n      fires: [Supervision had lapsed.]\n      quiet: [Supervision was monthly.]\n")
    changed, before = signal(rb, "supervision:supervision-missing"), signal(base, "supervision:supervision-missing")
    assert changed.description == "Supervision lapsed for months."
    assert changed.examples["fires"] == before.examples["fires"] + ["Supervision had lapsed."]
    assert changed.examples["quiet"] == before.examples["quiet"] + ["Supervision was monthly."]
    assert changed.overlay_examples == {"fires": ["Supervision had lapsed."], "quiet": ["Supervision was monthly."]}
    assert changed.changes == ("r/x.yaml:4",) and changed.cues == before.cues
    assert before.description != changed.description and before.overlay_examples == {}


@pytest.mark.parametrize("name, hint", [
    ("supervision:supervision-mising", "did you mean 'supervision:supervision-missing'?"),
    ("zzzz", "see `lii-check rules list`"),
    ("offered", "a theme's signal is named theme:id, here 'apprenticeships-and-traineeships:offered'"),
])
def test_an_unknown_signal_gets_a_hint(name, hint):
    assert problems(HEAD + f"signals:\n  {name}:\n    disable: true\n", **{"apprenticeships-and-traineeships.yaml": NEW_THEME}) == [
        f"r/x.yaml:4:3: the base has no signal '{name}': {hint}"]


def test_a_signal_disabled_twice_is_one_change_too_many():
    assert problems(HEAD + "signals:\n  quantifier-some: {disable: true}\n",
                    **{"y.yaml": "kind: overlay\n\nsignals:\n  quantifier-some: {disable: true}\n"}) == [
        "r/y.yaml:4:20: signal 'quantifier-some' is already changed at r/x.yaml:4; change it in one place"]


def test_a_description_changed_twice_is_one_change_too_many():
    assert problems(HEAD + "signals:\n  quantifier-some: {description: One.}\n",
                    **{"y.yaml": "kind: overlay\nsignals:\n  quantifier-some: {description: Two.}\n"}) == [
        "r/y.yaml:3:34: the description of signal 'quantifier-some' is already changed at r/x.yaml:4; change it in "
        "one place"]


# --- expectations ------------------------------------------------------------------------------------------

def test_expectation_fields_are_replaced_and_normalised(base):
    rb = overlay(HEAD + "expectations:\n  consistency.score-borderline-high:\n    severity: error\n"
                        "    applies_to: [4, 2]\n    message: 'Edge  of\n      band {awarded}.'\n"
                        "    description: Sits   at the edge.\n"
                        "    examples:\n      fires: [{awarded: 3, text: Supervision was regular.}]\n")
    edge, before = expectation(rb, "consistency.score-borderline-high"), expectation(base, "consistency.score-borderline-high")
    assert (edge.severity, edge.applies_to, edge.message, edge.description) == (
        "error", (2, 4), "Edge of band {awarded}.", "Sits at the edge.")
    assert edge.when == before.when and edge.changes == ("r/x.yaml:4",)
    assert edge.examples["fires"] == before.examples["fires"] + [{"awarded": 3, "text": "Supervision was regular."}]
    assert edge.overlay_examples == {"fires": [{"awarded": 3, "text": "Supervision was regular."}]}
    assert edge.examples["quiet"] == before.examples["quiet"]
    assert before.severity == "warning" and before.changes == ()


def test_expectations_are_disabled_where_they_live(base):
    rb = overlay(HEAD + "expectations:\n  consistency.label-wording: {disable: true}\n"
                        "  research.high-band-silent: {disable: true}\n")
    ids = {e.id for e in rb.expectations()}
    assert ids == {e.id for e in base.expectations()} - {"consistency.label-wording", "research.high-band-silent"}
    assert [e.id for e in rb.theme("research").expectations] == ["research.low-band-strong-throughout"]
    assert rb.disabled == (("consistency.label-wording", "r/x.yaml:4"), ("research.high-band-silent", "r/x.yaml:5"))


def test_an_unknown_placeholder_in_a_new_message_is_refused():
    found = problems(HEAD + "expectations:\n  consistency.label-wording:\n    message: Wrong {labell}.\n")
    assert found == ["r/x.yaml:5:5: the message quotes '{labell}', which lii-check does not know: did you mean "
                     "'{label}'?"]


@pytest.mark.parametrize("key, value, what", [
    ("severity", "error", "the severity of"),
    ("applies_to", "[3]", "the applies to of"),
    ("message", "Edge.", "the message of"),
    ("description", "Edge.", "the description of"),
])
def test_an_expectation_field_changed_twice_is_one_change_too_many(key, value, what):
    found = problems(HEAD + f"expectations:\n  consistency.label-wording:\n    {key}: {value}\n",
                     **{"y.yaml": f"kind: overlay\nexpectations:\n  consistency.label-wording:\n    {key}: {value}\n"})
    assert found == [f"r/y.yaml:4:{7 + len(key)}: {what} 'consistency.label-wording' is already changed at r/x.yaml:5; "
                     "change it in one place"]


def test_an_expectation_disabled_twice_is_one_change_too_many():
    assert problems(HEAD + "expectations:\n  consistency.label-wording: {disable: true}\n",
                    **{"y.yaml": "kind: overlay\nexpectations:\n  consistency.label-wording: {disable: true}\n"}) == [
        "r/y.yaml:3:30: expectation 'consistency.label-wording' is already changed at r/x.yaml:4; change it in one place"]


@pytest.mark.parametrize("name, hint", [
    ("consistency.score-borderline-hig", "did you mean 'consistency.score-borderline-high'?"),
    ("zzzz.zzzz", "see `lii-check rules list`"),
])
def test_an_unknown_expectation_gets_a_hint(name, hint):
    assert problems(HEAD + f"expectations:\n  {name}:\n    severity: info\n") == [
        f"r/x.yaml:4:3: the base has no expectation '{name}': {hint}"]


def test_a_when_test_replaces_only_the_measure_it_names(base):
    rb = overlay(HEAD + "expectations:\n  consistency.score-borderline-high:\n"
                        "    when: {above_evidence_by: between 0.4 and 0.7}\n"
                        "  complaints.high-band-significant:\n    when: {significant: at least 1}\n")
    assert expectation(rb, "consistency.score-borderline-high").when == {"above_evidence_by": "between 0.4 and 0.7",
                                                                        "on_band_mark": True,
                                                                        "graded_clauses": "at least 1"}
    assert expectation(rb, "complaints.high-band-significant").when == {"significant": "at least 1"}
    assert expectation(base, "complaints.high-band-significant").when == {"significant": "at least 2"}


@pytest.mark.parametrize("rule, when, message", [
    ("complaints.high-band-significant", "{significnt: any}",
     "r/x.yaml:5:12: the expectation 'complaints.high-band-significant' has no 'when:' test of 'significnt': "
     "did you mean 'significant'?"),
    ("innovation.band4-not-shown-strong", "{zzzz: any}",
     "r/x.yaml:5:12: the expectation 'innovation.band4-not-shown-strong' has no 'when:' test of 'zzzz': it tests "
     "impact, mentions, strong"),
    ("complaints.high-band-significant", "{significant: lots}",
     "r/x.yaml:5:25: 'lots' is not in the expected form in 'significant': none, any, at least N, more than N, "
     "fewer than N, at most N or exactly N"),
    ("consistency.score-borderline-high", "{above_evidence_by: lots}",
     "r/x.yaml:5:31: 'lots' is not in the expected form in 'above_evidence_by'"),
])
def test_a_bad_when_test_is_located(rule, when, message):
    found = problems(HEAD + f"expectations:\n  {rule}:\n    when: {when}\n")
    assert len(found) == 1 and found[0].startswith(message), found


def test_a_when_test_changed_twice_is_one_change_too_many():
    assert problems(HEAD + "expectations:\n  complaints.high-band-significant:\n    when: {significant: any}\n",
                    **{"y.yaml": "kind: overlay\nexpectations:\n  complaints.high-band-significant:\n"
                                 "    when: {significant: none}\n"}) == [
        "r/y.yaml:4:25: the 'significant' test of 'complaints.high-band-significant' is already changed at "
        "r/x.yaml:5; change it in one place"]


# --- themes ---------------------------------------------------------------------------------------------

def test_a_theme_s_weight_and_topic_words_change(base):
    rb = overlay(HEAD + "themes:\n  supervision:\n    weight: 2\n"
                        "    topic: {add: {phrases: [clinical oversight]}, remove: [reflection]}\n")
    theme, before = rb.theme("supervision"), base.theme("supervision")
    assert theme.weight == 2.0 and isinstance(theme.weight, float) and before.weight == 1.2
    assert texts(theme.topic.cues) == [t for t in texts(before.topic.cues) if t != "reflection"] + ["clinical oversight"]
    assert theme.changes == ("r/x.yaml:4",)
    assert rb.removed_cues == (("topic:supervision", "reflection", before.topic.cues[4].regex, "r/x.yaml:6"),)
    assert before.topic.cues[4].text == "reflection"


@pytest.mark.parametrize("name, hint", [
    ("supervison", "did you mean 'supervision'?"),
    ("apprenticeships", "a new theme is a theme file of its own in this folder"),
])
def test_an_unknown_theme_gets_a_hint(name, hint):
    assert problems(HEAD + f"themes:\n  {name}: {{weight: 2}}\n") == [f"r/x.yaml:4:3: the base has no theme '{name}': {hint}"]


def test_a_weight_changed_twice_is_one_change_too_many():
    assert problems(HEAD + "themes:\n  supervision: {weight: 2}\n",
                    **{"y.yaml": "kind: overlay\nthemes:\n  supervision: {weight: 3}\n"}) == [
        "r/y.yaml:3:25: the weight of theme 'supervision' is already changed at r/x.yaml:4; change it in one place"]


def test_a_new_theme_the_base_has_is_refused():
    research = (bundled_rules_dir() / "research.yaml").read_text("utf-8")
    assert problems(HEAD, **{"research.yaml": research}) == [
        "r/research.yaml:1:1: the base already has the theme 'research': an overlay changes it with 'themes:', "
        "'signals:' and 'expectations:' in an overlay file"]


# --- language -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, attr, label", [
    ("clause_breaks", "clause_breaks", "clause breaks"), ("negation", "negation", "negation"),
    ("counter_cues", "counter", "counter cues"), ("intention", "intention", "intention"),
    ("hedging", "hedging", "hedging"),
])
def test_each_language_list_takes_cues_and_names_itself(base, key, attr, label):
    rb = overlay(HEAD + f"language:\n  {key}:\n    add: {{phrases: [by and by]}}\n")
    assert texts(getattr(rb.language, attr).cues) == texts(getattr(base.language, attr).cues) + ["by and by"]
    others = [a for a in ("clause_breaks", "negation", "counter", "intention", "hedging") if a != attr]
    assert all(getattr(rb.language, a) == getattr(base.language, a) for a in others)
    assert problems(HEAD + f"language:\n  {key}:\n    remove: [zzzz]\n") == [
        f"r/x.yaml:5:14: the {label} list has no cue 'zzzz' to remove: write it exactly as the base does "
        "(`lii-check rules list --cues` lists them)"]


def test_an_attribution_list_takes_cues(base):
    rb = overlay(HEAD + "language:\n  attribution:\n    staff:\n      add: {phrases: [the workforce survey]}\n"
                        "      remove: ['\\bstaff survey\\b']\n")
    staff = rb.language.attribution["staff"]
    assert texts(staff.cues) == [texts(base.language.attribution["staff"].cues)[0], "the workforce survey"]
    assert rb.language.attribution["people"] == base.language.attribution["people"]
    assert rb.removed_cues[0][0] == "language:attribution:staff"
    assert problems(HEAD + "language:\n  attribution:\n    leaders:\n      remove: [zzzz]\n") == [
        "r/x.yaml:6:16: the 'leaders' attribution list has no cue 'zzzz' to remove: write it exactly as the base "
        "does (`lii-check rules list --cues` lists them)"]


def test_windows_are_whole_numbers_set_once(base):
    rb = overlay(HEAD + "language:\n  negation_window: 4\n  hedging_window: 3\n")
    assert (rb.language.negation_window, rb.language.hedging_window, rb.language.counter_window) == (
        4, 3, base.language.counter_window)
    assert overlay(HEAD + "language:\n  counter_window: {before: 1}\n").language.counter_window == (1, 6)
    assert overlay(HEAD + "language:\n  counter_window: {after: 2}\n").language.counter_window == (3, 2)
    both = overlay(HEAD + "language:\n  counter_window: {before: 0, after: 9}\n").language
    assert both.counter_window == (0, 9) and isinstance(both.counter_window, tuple)
    for key, value, what in [("negation_window", "2", "the negation window"), ("hedging_window", "2", "the hedging window"),
                             ("counter_window", "{after: 2}", "the counter window's 'after'"),
                             ("counter_window", "{before: 2}", "the counter window's 'before'")]:
        found = problems(HEAD + f"language:\n  {key}: {value}\n",
                         **{"y.yaml": f"kind: overlay\nlanguage:\n  {key}: {value}\n"})
        assert len(found) == 1 and found[0].startswith("r/y.yaml:3:") and \
            found[0].endswith(f": {what} is already changed at r/x.yaml:4; change it in one place"), found


# --- scoring --------------------------------------------------------------------------------------------

def test_every_scoring_number_can_be_changed_alone(base):
    rb = overlay(HEAD + "scoring:\n  values: {good: 2.9}\n  bands: {'3': 2.6}\n  clear: {'1': 1.7}\n"
                        "  prior: {value: 2.5, weight: 2}\n  leaders_only_discount: 0.4\n  affirmation_weight: 0.6\n"
                        "  absence_weight: 0.9\n  strong_share_bonus: 0.7\n  general_weight: 0.8\n"
                        "  borderline_margin: 0.1\n  reasoning: {strong_theme: 3.3, weak_theme: 2.2}\n")
    sc, old = rb.scoring, base.scoring
    assert sc.values == {**old.values, "good": 2.9} and sc.bands == {**old.bands, 3: 2.6} and sc.clear == {**old.clear, 1: 1.7}
    assert (sc.prior_value, sc.prior_weight, sc.leaders_only_discount, sc.affirmation_weight, sc.absence_weight,
            sc.strong_share_bonus, sc.general_weight, sc.borderline_margin, sc.reasoning_strong, sc.reasoning_weak) == (
        2.5, 2.0, 0.4, 0.6, 0.9, 0.7, 0.8, 0.1, 3.3, 2.2)
    assert isinstance(sc.prior_weight, float)
    alone = overlay(HEAD + "scoring:\n  prior: {weight: 2}\n  reasoning: {weak_theme: 2.2}\n").scoring
    assert (alone.prior_value, alone.prior_weight, alone.reasoning_strong, alone.reasoning_weak) == (
        old.prior_value, 2.0, old.reasoning_strong, 2.2)
    assert old.values["good"] == 3.0 and old.prior_weight == 1.0


@pytest.mark.parametrize("block, what", [
    ("values: {good: 2.9}", "scoring values 'good'"), ("bands: {'3': 2.6}", "scoring bands '3'"),
    ("clear: {'1': 1.7}", "scoring clear '1'"), ("prior: {value: 2.5}", "the prior's value"),
    ("prior: {weight: 2}", "the prior's weight"), ("general_weight: 0.8", "scoring 'general_weight'"),
    ("reasoning: {strong_theme: 3.3}", "the reasoning's strong_theme"),
    ("reasoning: {weak_theme: 2.2}", "the reasoning's weak_theme"),
])
def test_a_scoring_number_changed_twice_is_one_change_too_many(block, what):
    found = problems(HEAD + f"scoring:\n  {block}\n", **{"y.yaml": f"kind: overlay\nscoring:\n  {block}\n"})
    assert len(found) == 1 and found[0].startswith("r/y.yaml:3:") and \
        found[0].endswith(f": {what} is already changed at r/x.yaml:4; change it in one place"), found


@pytest.mark.parametrize("block, path_col", [
    ("clear: {'4': 3.12}", 10), ("bands: {'4': 2.59}", 10), ("bands: {'3': 1.6}", 10), ("bands: {'2': 1.75}", 10),
    ("clear: {'1': 2.0}", 10),
])
def test_marks_that_no_longer_rise_are_refused(block, path_col):
    found = problems(HEAD + f"scoring:\n  {block}\n")
    key = block.split(":")[0]
    assert len(found) == 1 and found[0].startswith(f"r/x.yaml:4:{path_col}: with this change the marks no longer "
                                                   "rise: clear 1 below the mark for 2, then 3, then 4, then clear 4 (now ")
    bundled = load_rulebook().scoring
    marks = {"clear": dict(bundled.clear), "bands": dict(bundled.bands)}
    number = block.split("'")[1]
    marks[key][int(number)] = float(block.rstrip("}").split(": ")[-1])
    c, b = marks["clear"], marks["bands"]
    assert found[0].endswith(f"(now {c[1]}, {b[2]}, {b[3]}, {b[4]}, {c[4]})")


def test_marks_that_still_rise_are_taken(base):
    sc = overlay(HEAD + "scoring:\n  bands: {'4': 3.2, '2': 1.8}\n  clear: {'4': 3.21, '1': 1.79}\n").scoring
    assert (sc.bands, sc.clear) == ({4: 3.2, 3: 2.59, 2: 1.8}, {1: 1.79, 4: 3.21})


def test_the_marks_are_checked_after_the_bands_and_clear_of_one_file():
    # Raising clear 4 first and then band 4 above the old clear 4 rises in the end: no problem.
    sc = overlay(HEAD + "scoring:\n  clear: {'4': 3.5}\n  bands: {'4': 3.3}\n").scoring
    assert (sc.bands[4], sc.clear[4]) == (3.3, 3.5)
    assert problems(HEAD + "scoring:\n  clear: {'4': 3.5}\n  bands: {'4': 3.6}\n")[0].startswith(
        "r/x.yaml:5:10: with this change the marks no longer rise")


# --- more located mistakes --------------------------------------------------------------------------------

def test_a_list_that_repeats_an_entry_is_not_mistaken_for_a_disable():
    # uniqueItems is a schema rule whose value is `true`, like `disable`'s const: only the const says 'disable: true'.
    assert problems(HEAD + "expectations:\n  consistency.label-wording:\n    applies_to: [3, 3]\n") == [
        "r/x.yaml:5:17: this list repeats an entry in 'expectations' > 'consistency.label-wording' > 'applies_to': "
        "list each once"]


def test_a_theme_expectation_s_when_test_is_checked_against_the_theme_measures():
    assert problems(HEAD + "expectations:\n  co-production.low-band-strong-throughout:\n    when: {strong: lots}\n") == [
        "r/x.yaml:5:20: 'lots' is not in the expected form in 'strong': none, any, at least N, more than N, fewer than "
        "N, at most N or exactly N"]


def test_a_new_theme_repeating_a_signal_id_is_located_in_its_file():
    again = NEW_THEME + ("  - id: offered\n    level: good\n    description: Again.\n    phrases: [apprentices joined]\n"
                         "    examples:\n      fires: [Apprentices joined.]\n      quiet: [None.]\n")
    assert problems(HEAD, **{"apprenticeships-and-traineeships.yaml": again}) == [
        "r/apprenticeships-and-traineeships.yaml:18:1: the signal id 'offered' is already used at "
        "r/apprenticeships-and-traineeships.yaml:11; give it a different id"]


def test_the_theme_hint_names_the_theme_that_has_the_signal():
    late = NEW_THEME.replace("theme: apprenticeships-and-traineeships", "theme: workforce-apprenticeships-and-traineeships")
    assert problems(HEAD + "signals:\n  offered: {disable: true}\n",
                    **{"workforce-apprenticeships-and-traineeships.yaml": late}) == [
        "r/x.yaml:4:3: the base has no signal 'offered': a theme's signal is named theme:id, here "
        "'workforce-apprenticeships-and-traineeships:offered'"]


def test_every_unknown_name_of_a_block_is_reported():
    assert problems(HEAD + "signals:\n  zzzz: {disable: true}\n  yyyy: {disable: true}\n"
                           "expectations:\n  zzzz.zzzz: {disable: true}\n  yyyy.yyyy: {disable: true}\n"
                           "themes:\n  zzzz: {weight: 2}\n  yyyy: {weight: 2}\n") == [
        "r/x.yaml:4:3: the base has no signal 'zzzz': see `lii-check rules list`",
        "r/x.yaml:5:3: the base has no signal 'yyyy': see `lii-check rules list`",
        "r/x.yaml:7:3: the base has no expectation 'zzzz.zzzz': see `lii-check rules list`",
        "r/x.yaml:8:3: the base has no expectation 'yyyy.yyyy': see `lii-check rules list`",
        "r/x.yaml:10:3: the base has no theme 'zzzz': a new theme is a theme file of its own in this folder",
        "r/x.yaml:11:3: the base has no theme 'yyyy': a new theme is a theme file of its own in this folder"]


@pytest.mark.parametrize("block", ["clear: {'4': 3.0}", "bands: {'4': 2.5}", "bands: {'3': 1.6}", "bands: {'2': 1.7}",
                                   "clear: {'1': 2.1}"])
def test_marks_in_the_wrong_order_are_refused(block):
    found = problems(HEAD + f"scoring:\n  {block}\n")
    assert len(found) == 1 and found[0].startswith("r/x.yaml:4:10: with this change the marks no longer rise"), found


def test_a_circle_through_folders_whose_names_sort_before_the_bundled_label():
    # The bundled rulebook's label is '(bundled)'; a folder whose name sorts before it is still a folder.
    folder("#a", {"a.yaml": "kind: overlay\nextends: .\n"})
    with pytest.raises(RulebookInvalid) as caught:
        build(Path("#a"), "#a")
    assert [str(p) for p in caught.value.problems] == [
        "#a/a.yaml:2:10: the overlays extend each other in a circle (#a → #a): one of them must extend 'bundled' or "
        "a full rulebook"]


def test_the_theme_hint_names_the_first_theme_in_id_order_when_several_have_the_signal():
    late = NEW_THEME.replace("theme: apprenticeships-and-traineeships", "theme: workforce-apprenticeships-and-traineeships")
    assert problems(HEAD + "signals:\n  offered: {disable: true}\n",
                    **{"workforce-apprenticeships-and-traineeships.yaml": late,
                       "apprenticeships-and-traineeships.yaml": NEW_THEME}) == [
        "r/x.yaml:4:3: the base has no signal 'offered': a theme's signal is named theme:id, here "
        "'apprenticeships-and-traineeships:offered'"]


def test_a_second_change_that_is_refused_is_not_applied():
    # Band 3 at 3.5 would break the order of the marks, but the second file's change is refused before it is
    # applied: the one problem is that it is a second change.
    assert problems(HEAD + "scoring:\n  bands: {'3': 2.6}\n", **{"y.yaml": "kind: overlay\nscoring:\n  bands: {'3': 3.5}\n"}) == [
        "r/y.yaml:3:16: scoring bands '3' is already changed at r/x.yaml:4; change it in one place"]


def test_a_base_named_without_dots_is_a_folder_not_the_bundled_rulebook():
    # 'teams' sorts after 'bundled': only the exact word names the bundled rulebook.
    assert base_folder("r", "teams") == (Path("r/teams"), "r/teams")
    assert base_folder("r", "bundled2") == (Path("r/bundled2"), "r/bundled2")


def test_a_chain_through_folders_whose_names_sort_before_the_bundled_label():
    folder("!base", {"base.yaml": HEAD})
    folder("!team", {"team.yaml": "kind: overlay\nextends: ../!base\n"})
    assert chain_folders(Path("!team"), "!team") == [(Path("!team"), "!team"), (Path("!base"), "!base"),
                                                      (bundled_rules_dir(), BUNDLED)]
    rb, used = build(Path("!team"), "!team")
    assert used == ["!team", "!base", BUNDLED] and rb.base == "!base"
    assert problems("kind: overlay\nextends: ../!missing\n") == [
        "r/x.yaml:2:10: the base folder '../!missing' does not exist (looked for !missing): write 'extends: "
        "bundled' or a rules folder relative to this one"]


def test_a_phrase_after_a_regex_of_the_same_text_is_a_cue_of_its_own():
    rb = overlay(HEAD + "signals:\n  quantifier-some:\n    add: {regex: [touch and go]}\n",
                 **{"y.yaml": "kind: overlay\nsignals:\n  quantifier-some:\n    add: {phrases: [touch and go]}\n"})
    cues = signal(rb, "quantifier-some").cues.cues
    assert [(c.kind, c.file) for c in cues if c.text == "touch and go"] == [("regex", "r/x.yaml"), ("phrase", "r/y.yaml")]


def test_after_a_second_disable_the_rest_of_the_block_is_still_read():
    assert problems(HEAD + "signals:\n  quantifier-some: {disable: true}\n"
                           "expectations:\n  consistency.label-wording: {disable: true}\n",
                    **{"y.yaml": "kind: overlay\nsignals:\n  quantifier-some: {disable: true}\n  zzzz: {disable: true}\n"
                                 "expectations:\n  consistency.label-wording: {disable: true}\n"
                                 "  zzzz.zzzz: {disable: true}\n"}) == [
        "r/y.yaml:3:20: signal 'quantifier-some' is already changed at r/x.yaml:4; change it in one place",
        "r/y.yaml:4:3: the base has no signal 'zzzz': see `lii-check rules list`",
        "r/y.yaml:6:30: expectation 'consistency.label-wording' is already changed at r/x.yaml:6; change it in one place",
        "r/y.yaml:7:3: the base has no expectation 'zzzz.zzzz': see `lii-check rules list`"]


def test_marks_out_of_order_are_reported_once_by_the_file_that_moved_them():
    m = load_rulebook().scoring  # the bundled marks
    assert problems(HEAD + "scoring:\n  bands: {'4': 3.5}\n", **{"y.yaml": "kind: overlay\nscoring:\n  values: {good: 2.9}\n"}) == [
        "r/x.yaml:4:10: with this change the marks no longer rise: clear 1 below the mark for 2, then 3, then 4, then "
        f"clear 4 (now {m.clear[1]}, {m.bands[2]}, {m.bands[3]}, 3.5, {m.clear[4]})"]


def test_keys_where_remove_wants_a_list_say_what_a_list_and_remove_look_like():
    found = problems("kind: overlay\nextends: bundled\nsignals:\n  maturity-embedded:\n    remove:\n      phrases: [embedded]\n")
    assert found == ["r/x.yaml:6:7: this should be a list in 'signals' > 'maturity-embedded' > 'remove', not a block of "
                     "keys: one entry per line as '- text' (or on one line as [a, b]); 'remove' takes the cues' texts "
                     "alone, e.g. remove: [embedded]"]


@pytest.mark.parametrize("reserved", ["affirmation", "intention", "negated-statement", "figure-against-comparator"])
def test_a_signal_named_as_one_of_lii_checks_own_readings_is_refused(reserved):
    theme = NEW_THEME.replace("  - id: offered\n", f"  - id: {reserved}\n")
    assert problems(HEAD + "description: adds a theme\n", **{"apprenticeships-and-traineeships.yaml": theme}) == [
        f"r/apprenticeships-and-traineeships.yaml:11:1: the id '{reserved}' is reserved: lii-check uses it for its own "
        "readings (affirmation, intention, negated-statement, figure-against-comparator), and a signal of that name "
        "would be taken for one of them: rename the signal"]


def test_an_overlay_changes_its_own_copy_of_the_base_never_the_bundled_rulebook(base):
    # apply_overlay changes the base it is given in place (a deep copy cost as much as loading it): that base must be
    # one loaded for this overlay alone, so the bundled rulebook anyone loads afterwards is as it was.
    before = load_rulebook()
    changed = overlay(HEAD + "scoring:\n  bands: {'2': 1.8}\nsignals:\n  quantifier-some: {disable: true}\n")
    assert changed.scoring.bands[2] == 1.8 and changed.path == "r" and changed.base == BUNDLED
    after = load_rulebook()
    assert after == before and after.scoring.bands[2] != 1.8 and after.path == BUNDLED and after.base is None
    assert any(s.id == "quantifier-some" for s in after.language.signals) and base == after
