"""The rule loader: every mistake reported at once, located, and phrased as a fix."""
import re
import shutil
from pathlib import Path

import pytest

from lii_check.rulebook import RulebookInvalid, load_rulebook, phrase_pattern

from edits import replace_first

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def rules_copy(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(REPO / "rules", target, ignore=shutil.ignore_patterns("__init__.py", "__pycache__"))
    return target


def _problems(folder):
    with pytest.raises(RulebookInvalid) as info:
        load_rulebook(folder)
    return [str(p) for p in info.value.problems]



def test_bundled_rulebook_is_valid(rulebook):
    assert len(rulebook.themes) == 13
    assert {t.framework for t in rulebook.themes} == {"cqc-la-2023"}
    assert all(e.examples["fires"] and e.examples["quiet"] for e in rulebook.expectations())
    assert all(s.examples["fires"] and s.examples["quiet"] for s in rulebook.signals())


def test_three_separate_mistakes_give_three_located_messages(rules_copy):
    f = rules_copy / "co-production.yaml"
    typo = replace_first(f, "    severity: warning\n", "    severty: warning\n")
    weight = replace_first(f, "weight: 1.3", "weight: heavy")
    bad_regex = replace_first(f, '(?:shar(?:ing|ed|e)|hand(?:ed|ing) over) power', '(?:shar(?:ing|ed|e)|hand(?:ed|ing) over power')
    problems = _problems(rules_copy)
    name = str(f)
    assert f"{name}:{typo}:5: unknown key 'severty' in 'expectations' > item 1: did you mean 'severity'?" in problems
    assert f"{name}:{weight}:9: this should be a number in 'weight', not text" in problems
    assert any(p.startswith(f"{name}:{bad_regex}:") and "is invalid (missing )" in p for p in problems)
    assert len(problems) == 3


def test_yaml_syntax_error_is_located(rules_copy):
    f = rules_copy / "equality.yaml"
    line = replace_first(f, "title: Equality", "title: [Equality")
    problems = _problems(rules_copy)
    assert len(problems) == 1
    assert problems[0].startswith(f"{f}:{line + 1}:")
    assert "YAML syntax error" in problems[0]


def test_enum_and_missing_key_and_placeholder(rules_copy):
    f = rules_copy / "research.yaml"
    sev = replace_first(f, "    severity: warning\n", "    severity: warnin\n")
    msg = replace_first(f, "(below). If that is right", "(below) for {theme_name}. If that is right")
    gone = replace_first(f, "    applies_to: [3, 4]\n", "")
    problems = _problems(rules_copy)
    assert any(p.startswith(f"{f}:{sev}:15: 'warnin' is not allowed") and "did you mean 'warning'?" in p for p in problems)
    # located at the message (its block starts a line or two above the edited text)
    assert any(p.startswith(f"{f}:") and int(p.split(":")[1]) in range(msg - 3, msg + 1)
               and "'{theme_name}'" in p and "did you mean '{theme}'?" in p for p in problems), problems
    # The expectation that lost its applies_to is named at its own line (the item starts just above).
    assert any(p.startswith(f"{f}:") and "missing key 'applies_to'" in p and "add it: 'applies_to: ' followed by a list" in p
               and int(p.split(":")[1]) in range(gone - 4, gone) for p in problems), problems


def test_a_missing_key_message_says_what_to_write_from_the_schema(rules_copy):
    """The fix is in the message wherever lii-check is installed: the allowed values, else what kind of value."""
    f = rules_copy / "co-production.yaml"
    text = f.read_text("utf-8")
    level = re.search(r"\n    level: \w+\n", text)
    f.write_text(text[:level.start()] + "\n" + text[level.end():], "utf-8")
    problems = _problems(rules_copy)
    assert any("missing key 'level'" in p and p.endswith("add it: 'level: ' followed by one of: strong, good, intention, "
                                                          "shortfall, significant") for p in problems), problems


def test_duplicate_key_and_file_name_mismatch(rules_copy):
    f = rules_copy / "innovation.yaml"
    replace_first(f, "weight: 1.0\n", "weight: 1.0\nweight: 2.0\n")
    replace_first(f, "theme: innovation", "theme: innovations")
    problems = _problems(rules_copy)
    assert any("the key 'weight' appears twice" in p for p in problems)
    assert any("the theme is called 'innovations' but the file is 'innovation.yaml'" in p for p in problems)


def test_empty_and_missing_folder(tmp_path):
    (tmp_path / "empty.yaml").write_text("", "utf-8")
    problems = _problems(tmp_path)
    assert any("empty.yaml:1:1: the file is empty" in p for p in problems)
    # the broken file may be the language file (or an overlay): its own problem is the one to fix
    assert not any("exactly one file with 'kind: language'" in p for p in problems)
    (tmp_path / "empty.yaml").unlink()  # a folder of readable files without a language file is told so
    (tmp_path / "co-production.yaml").write_text((REPO / "rules" / "co-production.yaml").read_text("utf-8"), "utf-8")
    assert any("exactly one file with 'kind: language'" in p for p in _problems(tmp_path))
    assert "does not exist" in _problems(tmp_path / "nope")[0]


def test_phrase_pattern_wildcards_and_hyphens():
    import re
    pattern = re.compile(phrase_pattern("co-produc*"), re.I)
    assert pattern.search("Co-production was embedded")
    assert pattern.search("coproduced with carers")
    assert not pattern.search("reproduction")


def test_a_signal_named_as_one_of_lii_checks_own_readings_is_located(rules_copy):
    f = rules_copy / "language.yaml"
    line = replace_first(f, "  - id: maturity-embedded\n", "  - id: affirmation\n")
    assert _problems(rules_copy) == [
        f"{f}:{line}:1: the id 'affirmation' is reserved: lii-check uses it for its own readings (affirmation, "
        "intention, negated-statement, figure-against-comparator), and a signal of that name would be taken for one "
        "of them: rename the signal"]


def test_a_file_edited_between_two_loads_is_checked_again(rules_copy, monkeypatch):
    # Schema messages are kept per composed file (rules diff and overlays reread the same texts): an edit must still
    # be checked, in both directions, and the cache must not answer for the edited folder either.
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    research = rules_copy / "research.yaml"
    good = research.read_text("utf-8")
    assert load_rulebook(rules_copy).theme("research").weight == 0.7
    research.write_text(good.replace("weight: 0.7", "weight: heavy", 1), "utf-8")
    assert any(p.startswith(f"{research}:6:9: ") and "number" in p for p in _problems(rules_copy))
    research.write_text(good.replace("weight: 0.7", "weight: 0.9", 1), "utf-8")
    assert load_rulebook(rules_copy).theme("research").weight == 0.9
