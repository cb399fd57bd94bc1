"""Reading evidence: negation, hedging and intention scoped to the clause.

These tests check the reading MECHANISMS, not the cue lists: every sentence is built from what the
rulebook itself holds (its signals' own examples, its clause breaks, its negation window), so a cue added
to or removed from rules/language.yaml changes which sentences are built, never what the test expects.
Whether each example fires is `rules test`'s job (tests/test_rulebook_quality.py runs it); readings of
whole annotated sentences are measured by `rules test --sentences` (tests/test_sentence_measure.py).
"""
import re

import pytest

from lii_check.reading import GENERAL
from lii_check.ruletest import judgements

NEGATIVE = ("intention", "shortfall", "significant")


def levels(sentence, compiled, theme=GENERAL):
    return [j.level for j in judgements(sentence, theme, compiled)]


def strong_examples(compiled):
    """(theme, example) for each strong signal's examples that owe their strength to one cue after was/were."""
    out = []
    for signal in compiled.rulebook.signals():
        if signal.level != "strong":
            continue
        theme = signal.theme or GENERAL
        for example in signal.examples["fires"]:
            [j] = judgements(example, theme, compiled) or [None]
            strong_hits = [g for g in (j.graded if j else []) if g[0] == "strong"]
            if j and j.level == "strong" and len(strong_hits) == 1 and re.search(r"\b(?:was|were)\b", example):
                out.append((theme, example))
    return out


def test_there_are_strong_examples_to_build_from(compiled):
    assert len(strong_examples(compiled)) >= 3


def test_negating_a_strong_example_removes_its_strength(compiled):
    for theme, example in strong_examples(compiled):
        negated = re.sub(r"\b(was|were)\b", r"\1 not", example, count=1)
        got = levels(negated, compiled, theme)
        assert "strong" not in got and "good" not in got, (negated, got)
        assert any(level in NEGATIVE for level in got), (negated, got)


@pytest.mark.parametrize("joint", [", however", "; however,", ", but", " although", " whereas", " whilst"])
def test_a_negation_in_a_later_clause_does_not_undo_the_strength_before_it(compiled, joint):
    negative = compiled.rulebook.language.examples["negation"]["fires"][1]  # "Staff did not feel listened to ..."
    for theme, example in strong_examples(compiled):
        sentence = f"{example.rstrip('.')}{joint} {negative[0].lower()}{negative[1:]}"
        got = [j.level for j in judgements(sentence, theme, compiled) if j.level]  # "; however," leaves an empty clause
        assert got == ["strong", got[-1]] and got[-1] in NEGATIVE, (sentence, got)


# Known reading gaps found by these constructions (reported to the rulebook's owners): each entry is an
# example the construction gets wrong today. A fix makes the test fail until the entry is removed.
NOT_ONLY_GAPS: set[str] = set()  # "not only 100% compliant" read as "only 100" until the reading merge fixed it


def test_not_only_but_also_joins_two_strengths(compiled):
    wrong = set()
    for theme, example in strong_examples(compiled):
        sentence = re.sub(r"\b(was|were)\b", r"\1 not only", example, count=1).rstrip(".") + \
            " but also valued by staff."
        if levels(sentence, compiled, theme) != ["strong"]:
            wrong.add(example)
    assert wrong == NOT_ONLY_GAPS


def test_a_negation_reaches_exactly_the_rulebook_window_of_words(compiled):
    window = compiled.rulebook.language.negation_window
    # "regular" is a good cue for supervision; the filler words between "not" and the cue carry no cue.
    def reading(gap):
        return levels(f"Supervision was not {' '.join(['really'] * gap)} regular.".replace("  ", " "), compiled,
                      "supervision")
    assert reading(0) == reading(window - 1) == ["shortfall"]   # the cue is the window-th word after "not"
    assert reading(window) != ["shortfall"]                      # one word further: out of reach


def test_every_hedge_sets_a_claim_aside_in_any_theme(compiled):
    for example in compiled.rulebook.language.examples["hedging"]["fires"]:
        for theme in (GENERAL, "learning-culture"):
            [j] = judgements(example, theme, compiled)
            # the hedged claim is set aside and never counts for the theme (a signal may still read the
            # hedge itself as a shortfall: "on paper" is a claim not borne out)
            assert j.level not in ("strong", "good") and any(reason.startswith("hedged") for _, reason in j.set_aside), \
                (example, j)


@pytest.mark.xfail(strict=True, reason="known gap, reported: a hedge sets aside good cues but not strong ones "
                   "('It may be that regular supervision was available in all teams.' reads strong)")
def test_a_hedge_before_a_strong_example_sets_it_aside(compiled):
    for theme, example in strong_examples(compiled):
        hedged = f"It may be that {example[0].lower()}{example[1:]}"
        got = judgements(hedged, theme, compiled)
        assert "strong" not in [j.level for j in got], (hedged, got)


def test_intention_is_not_delivery(compiled):
    for example in compiled.rulebook.language.examples["intention"]["fires"]:
        got = judgements(example, GENERAL, compiled)
        assert [j.level for j in got] == ["intention"], (example, got)
        assert any(reason.startswith("intention") for j in got for _, reason in j.set_aside) or got[0].cue


def test_the_quiet_examples_of_intention_read_as_delivery(compiled):
    for example in compiled.rulebook.language.examples["intention"]["quiet"]:
        assert "intention" not in levels(example, compiled), example


def _theme_score(text, theme, compiled):
    from lii_check.check import analyse
    from lii_check.parser import parse_report
    report = parse_report(f"Score: 3\n\n3 - Evidence shows a good standard\n\n{text}\n", "t.md")
    return analyse(report, compiled).themes[theme].score


def test_leaders_claims_contradicted_by_staff_count_for_less(compiled):
    claim = "Senior leaders told us supervision was regular and effective."
    contradiction = "Staff told us supervision was frequently cancelled."
    corroboration = "Audit data showed supervision was regular and effective."
    contradicted = _theme_score(f"{claim} {contradiction}", "supervision", compiled)
    # The same contradiction, but the positive claim is corroborated by data: no discount.
    corroborated = _theme_score(f"{corroboration} {contradiction}", "supervision", compiled)
    assert contradicted < corroborated


def test_leaving_set_aside_out_changes_nothing_else(compiled):
    """check drops what was set aside unless a view shows it: the evidence read must be the same either way."""
    from pathlib import Path

    from lii_check.parser import read_report
    from lii_check.reading import find_evidence

    seeds = sorted(Path(__file__).resolve().parents[1].joinpath("fixtures", "seeds").glob("*.txt"))
    assert seeds
    for path in seeds:
        report = read_report(path)
        full, lean = find_evidence(report, compiled), find_evidence(report, compiled, keep_set_aside=False)
        assert lean.evidence == full.evidence and lean.mentions == full.mentions
        assert lean.set_aside == []
    assert any(find_evidence(read_report(p), compiled).set_aside for p in seeds)  # there was something to leave out
