"""The lexicon checks itself (issue 10 item 3): `rules validate` warns where two cue lists meet on the
same words, naming both places. Each test writes a small rulebook holding one kind of clash (the
sentences are invented, in the style of LII findings) and asserts both file:line locations."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from lii_check.rulebook import bundled_rules_dir, load_rulebook
from lii_check.rulebook.lexicon_check import check_lexicon, regex_samples

SCORING = (bundled_rules_dir() / "scoring.yaml").read_text("utf-8")

LANGUAGE = """\
kind: language
framework: cqc-la-2023
clause_breaks:
  regex:
    - ',\\s+but\\b'
    - '\\.\\s'
negation:
  window: 6
  counter_window:
    before: 3
    after: 6
  cues:
    regex:
      - "\\\\bnot\\\\b"
{negation}
  counter_cues:
    regex:
      - "\\\\breduced\\\\b"
  examples:
    fires: [Supervision was not regular.]
    quiet: [Supervision was regular.]
intention:
  cues:
    regex:
      - "\\\\bplanned to\\\\b"
  examples:
    fires: [The council planned to start a forum.]
    quiet: [The council ran a forum.]
hedging:
  window: 6
  cues:
    regex:
      - "\\\\bmay have\\\\b"
  examples:
    fires: [The forum may have helped.]
    quiet: [The forum helped.]
attribution:
  people: {{regex: ["\\\\bpeople told us\\\\b"]}}
  staff: {{regex: ["\\\\bstaff told us\\\\b"]}}
  leaders: {{regex: ["\\\\bleaders told us\\\\b"]}}
  partners: {{regex: ["\\\\bpartners told us\\\\b"]}}
  processes: {{regex: ["\\\\bdata showed\\\\b"]}}
signals:
  - id: steady
    level: good
    description: Plain good practice.
    phrases:
      - regular
{good}
    examples:
      fires:
        - Supervision was regular.
{good_examples}
      quiet:
        - Supervision was rushed.
  - id: trouble
    level: shortfall
    description: Problems.
    phrases:
      - backlog
{bad}
    examples:
      fires:
        - There was a backlog of reviews.
      quiet:
        - Reviews were up to date.
{bad_quiet}
{extra}"""

THEME = """\
kind: theme
theme: supervision
title: Supervision
framework: cqc-la-2023
weight: 1.0
description: Supervision of staff.
topic:
  phrases:
    - supervision
"""


def write_rulebook(tmp_path: Path, negation: str = "", good: str = "", bad: str = "", good_examples: str = "",
                   bad_quiet: str = "", extra: str = "") -> Path:
    folder = tmp_path / "rules"
    folder.mkdir()
    (folder / "scoring.yaml").write_text(SCORING, "utf-8")
    (folder / "supervision.yaml").write_text(THEME, "utf-8")
    (folder / "language.yaml").write_text(LANGUAGE.format(negation=negation, good=good, bad=bad,
                                                          good_examples=good_examples, bad_quiet=bad_quiet, extra=extra),
                                          "utf-8")
    return folder


def line_of(folder: Path, needle: str, file: str = "language.yaml") -> str:
    """file:line of the only line holding `needle` (worked out from the text, not from the checker)."""
    lines = [n for n, text in enumerate((folder / file).read_text("utf-8").splitlines(), 1) if needle in text]
    assert len(lines) == 1, (needle, lines)
    return f"{folder / file}:{lines[0]}"


def places(warnings) -> set[tuple[str, str, str]]:
    return {(w.kind, w.here, w.there) for w in warnings}


def test_a_clean_rulebook_has_no_warnings(tmp_path):
    folder = write_rulebook(tmp_path)
    assert check_lexicon(load_rulebook(folder)) == []


def test_a_word_that_is_both_a_negation_and_a_signal_cue_names_both_lines(tmp_path):
    # The historical bug: "never" as a negation word and as an absence cue.
    folder = write_rulebook(tmp_path, negation='      - "\\\\bnever\\\\b"', bad="      - never")
    warnings = check_lexicon(load_rulebook(folder))
    neg, sig = line_of(folder, '"\\\\bnever\\\\b"'), line_of(folder, "      - never")
    assert places(warnings) == {("modifier-is-signal", neg, sig)}
    assert "'never' is both a negation cue and a cue of signal 'trouble' (shortfall)" in warnings[0].message
    assert str(warnings[0]).startswith(f"{neg}: warning: ") and str(warnings[0]).endswith(f"(other place: {sig})")


def test_a_counter_word_on_a_positive_cue_agrees_and_is_not_a_clash(tmp_path):
    # "reduced" cancels a problem (counter cue) and reads as good: both say the problem was dealt with.
    folder = write_rulebook(tmp_path, good="      - reduced")
    assert check_lexicon(load_rulebook(folder)) == []


def test_a_negation_inside_a_positive_cue_is_named_with_the_negation(tmp_path):
    folder = write_rulebook(tmp_path, negation='      - "\\\\bwithout\\\\b"', good="      - without exception")
    warnings = check_lexicon(load_rulebook(folder))
    assert places(warnings) == {("negation-in-positive-cue", line_of(folder, "- without exception"),
                                 line_of(folder, '"\\\\bwithout\\\\b"'))}
    assert "contains the negation word 'without'" in warnings[0].message


def test_the_same_phrase_at_opposite_polarities_is_a_clash(tmp_path):
    folder = write_rulebook(tmp_path, good="      - on hold", bad="      - on hold ")
    warnings = check_lexicon(load_rulebook(folder))
    lines = [n for n, t in enumerate((folder / "language.yaml").read_text("utf-8").splitlines(), 1) if "- on hold" in t]
    good, bad = (f"{folder / 'language.yaml'}:{n}" for n in lines)
    assert places(warnings) == {("opposite-cues-overlap", good, bad)}
    assert "'steady' (good) and 'trouble' (shortfall) match exactly the words 'on hold'" in warnings[0].message


def test_opposite_cues_overlapping_in_an_example_are_a_clash_but_a_negated_longer_cue_is_not(tmp_path):
    # "well supported" (good) and "supported late" (shortfall) overlap in the example; "not regular"
    # (shortfall) contains "regular" (good) only because of its negation: the longer cue wins, by design.
    folder = write_rulebook(tmp_path, good="      - well supported", bad="      - supported late\n      - not regular",
                            good_examples="        - Staff were well supported late in the year.")
    warnings = check_lexicon(load_rulebook(folder))
    assert ("opposite-cues-overlap", line_of(folder, "- well supported"), line_of(folder, "- supported late")) \
        in places(warnings)
    assert not [w for w in warnings if line_of(folder, "- not regular") in (w.here, w.there)]


def test_a_fires_example_read_as_the_opposite_names_the_example_and_the_cue(tmp_path):
    folder = write_rulebook(tmp_path, good_examples="        - Supervision was regular and a backlog of reviews grew.")
    warnings = check_lexicon(load_rulebook(folder))
    example = line_of(folder, "a backlog of reviews grew")
    assert places(warnings) == {("example-contradicts-signal", example, line_of(folder, "      - backlog"))}
    assert "shows 'steady' (good) but is also read as 'trouble' (shortfall) through the words 'backlog'" \
        in warnings[0].message


GONE = """\
  - id: gone
    level: significant
    description: Something expected is missing.
    phrases:
      - cancelled
    examples:
      fires:
        - Supervision was cancelled.
      quiet:
        - Supervision went ahead and there was not a backlog.
        - Supervision went ahead but the review had a backlog.
"""


def test_a_mixed_fires_example_is_judged_on_the_clause_that_shows_the_signal(tmp_path):
    # "…was regular, but a backlog of reviews grew": the backlog clause is the shortfall's own; the
    # praise in the other clause is a mixed sentence, not a contradiction of the lexicon.
    folder = write_rulebook(tmp_path, bad_quiet="", good_examples="")
    text = (folder / "language.yaml").read_text("utf-8").replace(
        "        - There was a backlog of reviews.\n",
        "        - There was a backlog of reviews.\n        - Supervision was regular, but a backlog of reviews grew.\n")
    (folder / "language.yaml").write_text(text, "utf-8")
    assert check_lexicon(load_rulebook(folder)) == []


def test_a_quiet_example_read_at_the_signals_own_polarity_is_a_clash(tmp_path):
    # The contrast case of 'gone' must not read as negative; the second one does, through 'trouble'
    # ("not a backlog" in the first is negated, so it reads as good: no warning for it).
    folder = write_rulebook(tmp_path, extra=GONE)
    warnings = check_lexicon(load_rulebook(folder))
    assert places(warnings) == {("example-contradicts-signal", line_of(folder, "the review had a backlog."),
                                 line_of(folder, "      - backlog"))}
    assert "must not read as 'gone' (negative), but is read as 'trouble' (shortfall)" in warnings[0].message


NEIGHBOURS = THEME + """\
signals:
  - id: met-on-time
    level: good
    description: Supervision held on time.
    phrases: [on time]
    examples:
      fires: [Supervision was held on time.]
      quiet: [Supervision was held monthly and never late.]
  - id: reflective
    level: strong
    description: Reflective supervision.
    phrases: [reflective]
    examples:
      fires: [Supervision was reflective.]
      quiet: [Supervision was held on time.]
"""


def test_a_quiet_example_read_as_a_neighbouring_signal_of_its_own_theme_is_not_a_clash(tmp_path):
    # "Supervision was held on time." must not fire 'reflective', and does not: it reads as its
    # neighbour 'met-on-time', praise of the same theme. Not a contradiction of the lexicon.
    folder = write_rulebook(tmp_path)
    (folder / "supervision.yaml").write_text(NEIGHBOURS, "utf-8")
    assert check_lexicon(load_rulebook(folder)) == []


def test_regex_samples_reach_every_top_level_alternative():
    assert regex_samples(r"\b(?:failed|failing) to\b|\bunable to\b") == ["failed to", "failing to", "unable to"]
    assert regex_samples(r"\black(?:ed|ing)?\b") == ["lack"]
    assert regex_samples(r"\b(?:8[5-9]|100)\s?%")[:2] == ["85%", "100%"]


def test_rules_validate_prints_the_warnings_and_still_exits_0(tmp_path):
    folder = write_rulebook(tmp_path, negation='      - "\\\\bnever\\\\b"', bad="      - never")
    run = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", "rules", "validate", str(folder)],
                         capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    neg, sig = line_of(folder, '"\\\\bnever\\\\b"'), line_of(folder, "      - never")
    assert f"{neg}:1: warning: 'never' is both a negation cue" in run.stdout
    assert f"(other place: {sig})" in run.stdout
    assert run.stdout.rstrip().endswith("expectations: 1 warning(s).")


def test_the_bundled_rulebook_warns_only_about_known_misreadings():
    """Each warning left on the bundled rulebook is a real misreading handed to the reading work
    (issue 10); a new one means a rule edit made two lists meet."""
    warnings = check_lexicon(load_rulebook())
    kinds = sorted((w.kind, re.sub(r":\d+$", "", w.here)) for w in warnings)
    assert kinds == [
        ("modifier-is-signal", "language.yaml"),  # "no longer": a counter cue and an absence cue
        ("modifier-is-signal", "language.yaml"),  # "on paper": a hedge and claim-not-borne-out
        ("negation-in-positive-cue", "complaints.yaml"),  # "no late" negates the next cue
        ("negation-in-positive-cue", "complaints.yaml"),  # "none late" likewise
        ("negation-in-positive-cue", "language.yaml"),  # "found no complaint" likewise
    ]


def test_validating_an_overlay_lists_its_own_clashes_not_the_base_s(tmp_path):
    """A team validating its overlay sees the clashes its own files take part in, with their paths; the
    bundled rulebook's own clashes are counted, not listed (they would annotate files the team lacks)."""
    from click.testing import CliRunner

    from lii_check.cli import main

    base_count = len(check_lexicon(load_rulebook()))
    assert base_count > 0
    folder = tmp_path / "team"
    folder.mkdir()
    (folder / "team.yaml").write_text(
        "kind: overlay\nextends: bundled\nsignals:\n  supervision:supervision-missing:\n"
        "    add:\n      phrases: [never]\n", "utf-8")
    run = CliRunner().invoke(main, ["rules", "validate", str(folder)])
    assert run.exit_code == 0, run.output
    lines = run.stdout.splitlines()
    listed = [line for line in lines[:-1] if ": warning: " in line]
    assert listed and all(line.startswith(f"{folder / 'team.yaml'}:") or f"(other place: {folder}" in line
                          for line in listed)
    assert "'never' is both a negation cue" in run.stdout
    assert lines[-1].endswith("warning(s) of its own, not shown here: validate that folder, or run `lii-check rules "
                              "validate` for the bundled one, to see them)")
    hidden = int(re.search(r"the rulebook it extends has (\d+) warning\(s\)", lines[-1]).group(1))
    # nothing of the base is lost, only not listed; and the listed ones are not counted again as hidden
    assert hidden + len(listed) == len(check_lexicon(load_rulebook(folder)))
    assert hidden == base_count  # the overlay only adds a cue: every clash of the base is still there, unlisted
