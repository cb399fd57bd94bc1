"""The scoring maths, directly: band marks, the evidence index, the theme and report means, and the
numbers the "why this band" reasoning prints (issue 10 item 4, issue 13 item 1). Expected values are
worked out by hand from rules/scoring.yaml's numbers, not read back from the code."""
import math

import pytest

from lii_check.evidence import Reading
from lii_check.model import Evidence
from lii_check.scoring import assess, band_of, index_of, strong_share

BANDS = {4: 3.12, 3: 2.59, 2: 2.04}
CLEAR = {1: 1.75, 4: 3.25}


@pytest.mark.parametrize("raw, band", [
    (3.12, 4), (3.1199, 3), (2.59, 3), (2.5899, 2), (2.04, 2), (2.0399, 1), (0.0, 1), (9.0, 4),
])
def test_band_of_uses_each_mark_inclusively(raw, band):
    assert band_of(raw, BANDS) == band


@pytest.mark.parametrize("raw, index", [
    (3.12, 3.5),                                  # on the mark for 4: the bottom of band 4
    (3.25, 4.0),                                  # clear 4
    (3.185, round(3.5 + 0.5 * 0.065 / 0.13, 2)),  # halfway between the mark for 4 and clear 4: 3.75
    (2.59, 2.5), (2.855, round(2.5 + 0.265 / 0.53, 2)),
    (2.04, 1.5), (2.315, round(1.5 + 0.275 / 0.55, 2)),
    (1.75, 1.0), (1.895, round(1.5 - 0.5 * 0.145 / 0.29, 2)),
    (0.0, 1.0), (5.0, 4.0),                       # clamped to the scale
])
def test_index_of_maps_band_k_onto_k_minus_half_to_k_plus_half(raw, index):
    assert index_of(raw, BANDS, CLEAR) == index


def _ev(theme, level, line, clause=None, weight=1.0, source="unattributed"):
    return Evidence(theme=theme, level=level, line=line, text=f"sentence {line}", clause=clause or f"clause {line}",
                    cue="cue", signal="s", source=source, weight=weight)


def test_assess_computes_theme_scores_report_mean_bonus_and_band(rulebook):
    scoring = rulebook.scoring
    values, prior, pw = scoring.values, scoring.prior_value, scoring.prior_weight
    evidence = [_ev("co-production", "strong", 1), _ev("co-production", "good", 2),
                _ev("complaints", "shortfall", 3), _ev("complaints", "good", 4, weight=0.5)]
    reading = Reading(evidence=evidence, set_aside=[], mentions={t.id: 0 for t in rulebook.themes})
    a = assess(reading, rulebook)
    co = (prior * pw + values["strong"] + values["good"]) / (pw + 2)
    comp = (prior * pw + values["shortfall"] + values["good"] * 0.5) / (pw + 1.5)
    assert a.themes["co-production"].score == round(co, 4)
    assert a.themes["complaints"].score == round(comp, 4)
    w_co = rulebook.theme("co-production").weight * math.sqrt(2)
    w_comp = rulebook.theme("complaints").weight * math.sqrt(1.5)
    mean = (w_co * co + w_comp * comp) / (w_co + w_comp)
    share = 1 / 4  # one strong clause of four, none of them also negative
    raw = mean + scoring.strong_share_bonus * share
    assert a.raw == round(raw, 4)
    assert a.evidence_score == band_of(raw, scoring.bands)
    assert a.index == index_of(raw, scoring.bands, scoring.clear)
    # The reasoning prints these very numbers.
    assert f"Weighted mean of theme scores {mean:.2f}" in a.reasoning[0]
    assert f"adding {scoring.strong_share_bonus * share:.2f}: {raw:.2f} in all" in a.reasoning[0]
    band = a.evidence_score
    if band < 4:
        assert (f"Not band {band + 1}: that needs {scoring.bands[band + 1]:.2f} or more "
                f"({scoring.bands[band + 1] - raw:.2f} short).") in a.reasoning
    if band > 1:
        assert (f"Not band {band - 1}: the total is {raw - scoring.bands[band]:.2f} above the mark for band {band} "
                f"({scoring.bands[band]:.2f}).") in a.reasoning


def test_leaders_only_claims_contradicted_by_staff_count_for_the_discount(rulebook):
    scoring = rulebook.scoring
    evidence = [_ev("staff-voice", "good", 1, source="leaders"), _ev("staff-voice", "shortfall", 2, source="staff")]
    a = assess(Reading(evidence, [], {t.id: 0 for t in rulebook.themes}), rulebook)
    d = scoring.leaders_only_discount
    expected = (scoring.prior_value * scoring.prior_weight + scoring.values["good"] * d + scoring.values["shortfall"]) \
        / (scoring.prior_weight + d + 1)
    assert a.themes["staff-voice"].score == round(expected, 4)


def test_no_graded_evidence_rests_on_the_prior(rulebook):
    a = assess(Reading([], [], {t.id: 0 for t in rulebook.themes}), rulebook)
    assert a.raw == round(rulebook.scoring.prior_value, 4)
    assert a.reasoning == ["No sentence carried a cue the rulebook grades, so the score rests on the neutral prior."]


def test_strong_share_counts_clauses_not_themes_and_ignores_mixed_ones():
    evidence = [_ev("a", "strong", 1, "c1"), _ev("b", "strong", 1, "c1"),   # one clause, two themes
                _ev("a", "strong", 2, "c2"), _ev("b", "shortfall", 2, "c2"),  # strong but also negative
                _ev("a", "good", 3, "c3")]
    assert strong_share(Reading(evidence, [], {})) == pytest.approx(1 / 3)
