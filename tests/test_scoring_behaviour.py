"""The scoring maths at its edges: what each theme's facts count, who the leaders-only discount hits,
how much "general" statements and each theme weigh, which themes the reasoning names as strong or weak,
and every number of the reasoning `explain` prints, on readings built to sit exactly on a threshold.

Complements tests/test_scoring_maths.py (band marks and the index formula); written against the
mutants that suite let through (CONTRIBUTING.md, "Mutation testing"). The last tests read a real seed
report end to end and check the reasoning against the assessment's own numbers.
"""
from __future__ import annotations

import dataclasses
import math
from pathlib import Path

import pytest

from lii_check.reading import GENERAL, Reading, find_evidence
from lii_check.model import Evidence
from lii_check.parser import read_report
from lii_check.scoring import assess, index_of, theme_facts

REPO = Path(__file__).resolve().parents[1]


def ev(theme, level, line, *, weight=1.0, source="unattributed", clause=None, impact=False):
    return Evidence(theme=theme, level=level, line=line, text=f"sentence {line}", clause=clause or f"clause {line}",
                    cue="cue", signal="s", source=source, impact=impact, weight=weight)


def reading(evidence, mentions=None):
    return Reading(evidence=evidence, set_aside=[], mentions=mentions or {})


def theme_score(rulebook, *pairs):
    """A theme's score by the formula in scoring.py's docstring: values pulled towards the prior."""
    s = rulebook.scoring
    total = s.prior_value * s.prior_weight + sum(s.values[level] * w for level, w in pairs)
    return round(total / (s.prior_weight + sum(w for _, w in pairs)), 4)


# --- the facts of one theme ---------------------------------------------------------------------------

def test_theme_facts_count_levels_mentions_and_impact(rulebook):
    facts = theme_facts(reading([
        ev("complaints", "strong", 1, source="people", impact=True),
        ev("complaints", "good", 2, source="staff+leaders"),
        ev("complaints", "shortfall", 3, source="partners", impact=True),
        ev("complaints", "significant", 4, source="people+staff"),
        ev("equality", "intention", 5, source="leaders"),
    ], mentions={"complaints": 9}), rulebook)
    c = facts["complaints"]
    assert c.counts == {"strong": 1, "good": 1, "intention": 0, "shortfall": 1, "significant": 1}
    assert (c.mentions, c.impact) == (9, 2)
    e = facts["equality"]
    assert e.mentions == 1  # not in the mentions map: the theme's evidence counts as its mentions
    assert e.counts["intention"] == 1 and e.impact == 0
    assert facts["research"].score is None and facts["research"].mentions == 0
    assert set(facts) == {t.id for t in rulebook.themes} | {GENERAL}


def test_a_theme_score_is_its_values_pulled_towards_the_prior(rulebook):
    facts = theme_facts(reading([ev("complaints", "strong", 1), ev("complaints", "significant", 2, weight=0.5),
                                 ev("research", "intention", 3)]), rulebook)
    assert facts["complaints"].score == theme_score(rulebook, ("strong", 1.0), ("significant", 0.5))
    assert facts["research"].score == theme_score(rulebook, ("intention", 1.0))


# A joint attribution ("partners+staff") counts for each of its sources.
@pytest.mark.parametrize("contradicted_by", ["people", "staff", "partners+staff"])
def test_leaders_only_claims_contradicted_by_people_or_staff_are_discounted(rulebook, contradicted_by):
    d = rulebook.scoring.leaders_only_discount
    facts = theme_facts(reading([ev("supervision", "strong", 1, source="leaders"),
                                 ev("supervision", "shortfall", 2, source=contradicted_by)]), rulebook)
    # The discount lowers the weight of the positive claim only, never that of the contradiction.
    assert facts["supervision"].score == theme_score(rulebook, ("strong", d), ("shortfall", 1.0))


@pytest.mark.parametrize("positive, negative", [
    (["leaders", "staff"], "staff"),   # someone besides leaders says it too
    (["leaders"], "partners"),         # contradicted, but not by people or staff
    (["leaders"], "leaders"),          # leaders contradict themselves
    (["leaders+staff"], "staff"),      # said jointly by leaders and staff
])
def test_claims_not_only_by_leaders_or_not_contradicted_by_people_or_staff_count_in_full(rulebook, positive, negative):
    evidence = [ev("supervision", "good", i, source=s) for i, s in enumerate(positive)]
    evidence.append(ev("supervision", "shortfall", 9, source=negative))
    facts = theme_facts(reading(evidence), rulebook)
    assert facts["supervision"].score == theme_score(rulebook, *[("good", 1.0)] * len(positive), ("shortfall", 1.0))


def test_the_prior_counts_as_its_weight_of_neutral_evidence(rulebook):
    heavier = dataclasses.replace(rulebook, scoring=dataclasses.replace(rulebook.scoring, prior_weight=3.0))
    facts = theme_facts(reading([ev("complaints", "strong", 1)]), heavier)
    s = rulebook.scoring
    assert facts["complaints"].score == round((s.prior_value * 3.0 + s.values["strong"]) / 4.0, 4)


# --- the report's mean: theme weights, breadth, "general" -------------------------------------------

def test_themes_weigh_by_rulebook_weight_times_root_of_evidence_and_general_weighs_one(rulebook):
    evidence = [ev("learning-culture", "strong", i) for i in range(4)] + \
               [ev("research", "shortfall", 10, weight=0.5)] + [ev(GENERAL, "good", 20)]
    a = assess(reading(evidence), rulebook)
    scores = {t: a.themes[t].score for t in ("learning-culture", "research", GENERAL)}
    weights = {"learning-culture": rulebook.theme("learning-culture").weight * math.sqrt(4),
               "research": rulebook.theme("research").weight * math.sqrt(0.5), GENERAL: 1.0}
    mean = sum(weights[t] * scores[t] for t in weights) / sum(weights.values())
    raw = mean + rulebook.scoring.strong_share_bonus * (4 / 6)
    assert a.raw == round(raw, 4)
    assert f"Weighted mean of theme scores {mean:.2f} on the 1-4 scale, across 2 themes with graded evidence " \
           f"plus general statements; 67% of evidence clauses are strong" in a.reasoning[0]


def test_the_evidence_index_and_band_come_from_the_raw_total(rulebook):
    a = assess(reading([ev("complaints", "good", 1), ev("equality", "good", 2)]), rulebook)
    s = rulebook.scoring
    assert a.index == index_of(a.raw, s.bands, s.clear)
    assert a.evidence == [ev("complaints", "good", 1), ev("equality", "good", 2)]


# --- the reasoning ------------------------------------------------------------------------------------

def test_strong_means_3_4_or_more_and_weak_means_below_2_5(rulebook):
    s = rulebook.scoring
    assert (s.prior_value, s.prior_weight, s.values["strong"], s.values["shortfall"]) == (2.7, 1.0, 4.0, 1.8), \
        "the weights below are worked out for these numbers"
    evidence = [
        ev("complaints", "strong", 1, weight=7 / 6),       # (2.7 + 4 * 7/6) / (1 + 7/6) = 3.4 exactly
        ev("equality", "strong", 2, weight=1.16),          # just under 3.4
        ev("research", "shortfall", 3, weight=2 / 7),      # (2.7 + 1.8 * 2/7) / (1 + 2/7) = 2.5 exactly
        ev("innovation", "shortfall", 4, weight=0.29),     # just under 2.5
        ev("learning-culture", "strong", 5, weight=3.0),   # (2.7 + 12) / 4 = 3.675: well above 3.4
        ev("supervision", "significant", 6, weight=3.0),   # (2.7 + 1.5) / 4 = 1.05: well below 2.5
    ]
    a = assess(reading(evidence), rulebook)
    assert (a.themes["complaints"].score, a.themes["research"].score) == (3.4, 2.5)
    # (2.7 + 4 * 1.16) / 2.16 and (2.7 + 1.8 * 0.29) / 1.29, rounded to four places
    assert (a.themes["equality"].score, a.themes["innovation"].score) == (3.3981, 2.4977)
    assert a.reasoning[1] == "Themes reading as strong (score 3.4 or more): complaints, learning-culture."
    assert a.reasoning[2] == "Themes reading as weak (below 2.5): innovation, supervision."
    assert "across 6 themes with graded evidence;" in a.reasoning[0]  # no general statements, no suffix


def test_no_strong_or_weak_theme_says_none(rulebook):
    a = assess(reading([ev("complaints", "good", 1)]), rulebook)
    assert a.reasoning[1:3] == ["Themes reading as strong (score 3.4 or more): none.",
                                "Themes reading as weak (below 2.5): none."]


def _expected_reasoning(a, rulebook, mean, share):
    s = rulebook.scoring
    bands, raw, band = s.bands, a.raw, a.evidence_score
    lines = []
    if band < 4:
        lines.append(f"Not band {band + 1}: that needs {bands[band + 1]:.2f} or more ({bands[band + 1] - raw:.2f} short).")
    if band > 1:
        lines.append(f"Not band {band - 1}: the total is {raw - bands[band]:.2f} above the mark for band {band} "
                     f"({bands[band]:.2f}).")
    return (f"Weighted mean of theme scores {mean:.2f} on the 1-4 scale, across 1 themes with graded evidence; "
            f"{share:.0%} of evidence clauses are strong, adding {s.strong_share_bonus * share:.2f}: {raw:.2f} in all "
            f"(index {a.index:.2f}, {a.index * 25:.0f}% in CQC's percentage terms)."), lines


@pytest.mark.parametrize("levels, band", [
    (["strong"] * 6, 4),
    (["good"] * 4, 3),
    (["good", "shortfall", "shortfall"], 2),
    (["significant"] * 4, 1),
])
def test_every_number_of_the_reasoning_in_each_band(rulebook, levels, band):
    a = assess(reading([ev("complaints", level, i) for i, level in enumerate(levels)]), rulebook)
    assert a.evidence_score == band
    mean = theme_score(rulebook, *[(level, 1.0) for level in levels])
    share = levels.count("strong") / len(levels)
    first, not_bands = _expected_reasoning(a, rulebook, mean, share)
    assert a.reasoning[0] == first
    assert a.reasoning[3:] == not_bands
    assert len(a.reasoning) == 3 + (band < 4) + (band > 1)
    # "why not one band higher" and "why not one band lower" in figures a QA lead can check by hand
    bands = rulebook.scoring.bands
    if band < 4:
        assert f"({bands[band + 1] - a.raw:.2f} short)" in a.reasoning[3]
    if band > 1:
        assert f"the total is {a.raw - bands[band]:.2f} above the mark for band {band}" in a.reasoning[-1]


def test_a_reading_with_only_weightless_evidence_rests_on_the_prior(rulebook):
    a = assess(reading([ev("complaints", "good", 1, weight=0.0)]), rulebook)
    assert a.raw == round(rulebook.scoring.prior_value, 4)
    assert a.reasoning == ["No sentence carried a cue the rulebook grades, so the score rests on the neutral prior."]


# --- a real report ------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["000_69a4ab76882569fd.txt", "002_c7a78147fca09e56.txt"])
def test_the_reasoning_of_a_real_seed_states_its_own_assessment(rulebook, compiled, name):
    report = read_report(REPO / "fixtures" / "seeds" / name)
    a = assess(find_evidence(report, compiled), rulebook)
    assert f"{a.raw:.2f} in all (index {a.index:.2f}, {a.index * 25:.0f}% in CQC's percentage terms)" in a.reasoning[0]
    named = [t for t, f in a.themes.items() if f.score is not None and t != GENERAL]
    assert f"across {len(named)} themes with graded evidence" in a.reasoning[0]
    strong = sorted(t for t, f in a.themes.items() if f.score is not None and f.score >= 3.4)
    assert a.reasoning[1] == f"Themes reading as strong (score 3.4 or more): {', '.join(strong) or 'none'}."


# --- written against the survivors of the scoring run -------------------------------------------------

def test_the_index_far_below_the_mark_for_2_is_clamped_to_1_and_rounded_to_two_places(rulebook):
    s = rulebook.scoring
    assert index_of(0.9, s.bands, s.clear) == 1.0      # below the clear 1: the bottom of the scale
    between = (s.clear[1] + s.bands[2]) / 2  # between the clear 1 and the mark for 2, wherever they are
    assert s.clear[1] < between < s.bands[2]
    assert index_of(between, s.bands, s.clear) == round(1.5 - 0.5 * (s.bands[2] - between) / (s.bands[2] - s.clear[1]), 2)
    assert index_of(2.7, s.bands, s.clear) == 2.71     # 2.5 + 0.11 / 0.53 = 2.7075...: two places


def test_theme_and_level_names_compare_by_value_not_identity(rulebook):
    # Names read from YAML are new string objects, not the interned literals of the code.
    theme, level = "".join(["compl", "aints"]), "".join(["str", "ong"])
    facts = theme_facts(reading([ev(theme, level, 1)]), rulebook)
    assert facts["complaints"].counts["strong"] == 1
    assert facts["complaints"].score == theme_score(rulebook, ("strong", 1.0))
