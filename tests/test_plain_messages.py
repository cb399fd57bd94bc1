"""Messages a QA lead (not a programmer) reads when a rule file, an overlay or a command's argument is
wrong: each says what is wrong in plain words and what to do next. Every rule folder here is a copy of
the bundled rulebook with one edit."""
from __future__ import annotations

from pathlib import Path

from edits import replace_first


def test_a_number_out_of_range_says_the_limit_in_words(rules_copy, cli):
    line = replace_first(rules_copy / "supervision.yaml", "weight: 1.2", "weight: -1")
    result = cli("rules", "validate", rules_copy)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == (
        f"{rules_copy / 'supervision.yaml'}:{line}:9: -1 is out of range in 'weight': it must be more than 0")


def test_a_score_out_of_range_says_the_highest_allowed(rules_copy, cli):
    line = replace_first(rules_copy / "supervision.yaml", "applies_to: [3, 4]", "applies_to: [3, 5]")
    result = cli("rules", "validate", rules_copy)
    assert result.stdout.splitlines()[0].endswith(
        f":{line}:21: 5 is out of range in 'expectations' > item 1 > 'applies_to' > item 2: it must be at most 4")


def test_a_key_left_empty_says_nothing_is_written_not_none(rules_copy, cli):
    line = replace_first(rules_copy / "supervision.yaml", "    level: significant", "    level:")
    result = cli("rules", "validate", rules_copy)
    assert result.exit_code == 2
    assert result.stdout.splitlines()[0] == (
        f"{rules_copy / 'supervision.yaml'}:{line}:11: nothing is written after the colon in 'signals' > item 1 > "
        "'level'; write one of: strong, good, intention, shortfall, significant")
    assert "None" not in result.stdout


def test_an_empty_kind_says_nothing_is_written_not_none(rules_copy, cli):
    line = replace_first(rules_copy / "supervision.yaml", "kind: theme", "kind:")
    result = cli("rules", "validate", rules_copy)
    (only,) = result.stdout.splitlines()
    assert only.startswith(f"{rules_copy / 'supervision.yaml'}:{line}:6: nothing is written after 'kind:'; use one of: ")
    assert "None" not in only and "look like a theme file: write 'kind: theme'" in only


def test_rules_docs_on_broken_rules_does_not_say_nothing_was_checked(rules_copy, cli):
    replace_first(rules_copy / "supervision.yaml", "weight: 1.2", "weight: high")
    result = cli("rules", "docs", "pages", "--rules", rules_copy)
    assert result.exit_code == 2 and not Path("pages").exists()
    assert result.stderr.splitlines()[-1] == "lii-check: 1 problem(s) in the rules; nothing was done: fix them and run again."
