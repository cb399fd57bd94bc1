"""The scoring maths, directly: band marks, the evidence index, the theme and report means, and the
numbers the "why this band" reasoning prints (issue 10 item 4, issue 13 item 1). Expected values are
worked out by hand from rules/scoring.yaml's numbers, not read back from the code."""
import math

import pytest

from lii_check.reading import Reading
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


# ---- The numbers moved out of Python into the rulebook (issue 10 item 4): each is read from it ----------

def _with(rulebook, **changes):
    import dataclasses

    scoring = {k: v for k, v in changes.items() if hasattr(rulebook.scoring, k)}
    language = {k: v for k, v in changes.items() if hasattr(rulebook.language, k)}
    return dataclasses.replace(rulebook, scoring=dataclasses.replace(rulebook.scoring, **scoring),
                               language=dataclasses.replace(rulebook.language, **language))


def test_the_bundled_rulebook_carries_every_number_the_code_used_to_hold(rulebook):
    s, lang = rulebook.scoring, rulebook.language
    assert (s.general_weight, s.reasoning_strong, s.reasoning_weak, s.absence_weight, s.borderline_margin) == \
        (1.0, 3.4, 2.5, 1.0, 0.2)
    assert (lang.counter_window, lang.hedging_window, lang.negation_window) == ((3, 6), 6, 6)


@pytest.mark.parametrize("general_weight", [1.0, 2.5])
def test_general_statements_weigh_in_the_mean_at_general_weight(rulebook, general_weight):
    book = _with(rulebook, general_weight=general_weight)
    scoring = book.scoring
    evidence = [_ev("complaints", "shortfall", 1), _ev("general", "strong", 2)]
    a = assess(Reading(evidence, [], {t.id: 0 for t in book.themes}), book)
    comp = (scoring.prior_value * scoring.prior_weight + scoring.values["shortfall"]) / (scoring.prior_weight + 1)
    gen = (scoring.prior_value * scoring.prior_weight + scoring.values["strong"]) / (scoring.prior_weight + 1)
    w_comp, w_gen = book.theme("complaints").weight, general_weight  # each with one clause: sqrt(1) = 1
    mean = (w_comp * comp + w_gen * gen) / (w_comp + w_gen)
    assert a.raw == round(mean + scoring.strong_share_bonus * 0.5, 4)


def test_the_reasoning_labels_themes_at_the_rulebooks_marks(rulebook):
    evidence = [_ev("complaints", "good", 1), _ev("complaints", "good", 2), _ev("research", "shortfall", 3)]
    reading = Reading(evidence, [], {t.id: 0 for t in rulebook.themes})
    # complaints scores (2.7 + 3 + 3) / 3 = 2.9, research (2.7 + 1.8) / 2 = 2.25 with the bundled values
    bundled = assess(reading, rulebook).reasoning
    assert "Themes reading as strong (score 3.4 or more): none." in bundled
    assert "Themes reading as weak (below 2.5): research." in bundled
    moved = assess(reading, _with(rulebook, reasoning_strong=2.8, reasoning_weak=2.0)).reasoning
    assert "Themes reading as strong (score 2.8 or more): complaints." in moved
    assert "Themes reading as weak (below 2): none." in moved


def _read(tmp_path, compiled, body: str):
    from lii_check.reading import find_evidence
    from lii_check.parser import read_report

    path = tmp_path / "report.md"
    path.write_text("---\nsynthetic: true\n---\n\n# Learning, improvement and innovation\n\nScore: 2\n\n"
                    "2 - Evidence shows some shortfalls\n\n## Key findings for this quality statement\n\n"
                    f"{body}\n", "utf-8")
    return find_evidence(read_report(path, "report.md"), compiled)


def test_a_plain_statement_of_absence_counts_at_absence_weight(tmp_path, rulebook):
    from lii_check.compiled import compile_rulebook_once

    text = "There were no arrangements for group supervision."
    for weight in (1.0, 0.4):
        reading = _read(tmp_path, compile_rulebook_once(_with(rulebook, absence_weight=weight)), text)
        (e,) = [e for e in reading.evidence if e.signal == "negated-statement"]
        assert (e.theme, e.level, e.weight) == ("supervision", "shortfall", weight)


def test_the_counter_and_hedge_windows_come_from_the_language_file(rulebook):
    from lii_check.compiled import compile_rulebook_once
    from lii_check.reading import clauses, judge, sentence_hits

    def level(book, sentence, theme):
        compiled = compile_rulebook_once(book)
        sh = sentence_hits(sentence, compiled)
        (c,) = clauses(sh)
        return judge(sh, c[0], c[1], theme, compiled).level

    # "reduced" stands 3 words after "Delays": inside the bundled after-window (6), outside a window of 2.
    after = "Delays in assessments were reduced."
    assert level(rulebook, after, "general") == "good"
    assert level(_with(rulebook, counter_window=(3, 2)), after, "general") == "shortfall"
    # "reduced" 2 words before "delays": inside the before-window (3), outside a window of 1.
    before = "Leaders tackled long delays."
    assert level(rulebook, before, "general") == "good"
    assert level(_with(rulebook, counter_window=(1, 6)), before, "general") == "shortfall"
    # "may have" 4 words before "effective": hedged (set aside) with the bundled window, graded with 2.
    hedged = "The forum may have been quite effective."
    assert level(rulebook, hedged, "general") is None
    assert level(_with(rulebook, hedging_window=2), hedged, "general") == "good"
