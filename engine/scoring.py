"""The evidence score: the band the text supports as a whole.

Each piece of evidence has a value on CQC's own 1-4 scale (rules/scoring.yaml: strong 4, good 3,
…). A theme's score is the mean of its values, pulled towards a neutral prior so that one
sentence cannot make or break a theme. The report's raw mean weighs each theme by its rulebook
weight and by the square root of how much evidence it has (breadth counts, but a verbose theme
cannot drown the others). The raw mean falls into a band at the rulebook's band marks, and is
also mapped onto a continuous index in which band k spans [k-0.5, k+0.5) — the same shape as
CQC's percentage bands (37.5% / 62.5% / 87.5% of 4) — so that "how far from the awarded score"
is a number the consistency rules can test.
"""
from __future__ import annotations

import math

from .reading import GENERAL, Reading
from .model import Assessment, ThemeFacts
from .names import LEVELS, NEGATIVE_LEVELS, POSITIVE_LEVELS
from .rulebook import Rulebook, Scoring


def theme_facts(reading: Reading, rulebook: Rulebook) -> dict[str, ThemeFacts]:
    scoring = rulebook.scoring
    out: dict[str, ThemeFacts] = {}
    ids = [t.id for t in rulebook.themes] + [GENERAL]
    by_theme: dict[str, list] = {}  # one pass over the evidence, not one per theme
    for e in reading.evidence:
        by_theme.setdefault(e.theme, []).append(e)
    for theme in ids:
        items = by_theme.get(theme, [])
        counts = {level: sum(1 for e in items if e.level == level) for level in LEVELS}
        positive_sources = sorted({s for e in items if e.level in POSITIVE_LEVELS for s in e.source.split("+")})
        negative_sources = sorted({s for e in items if e.level in NEGATIVE_LEVELS for s in e.source.split("+")})
        # Claims that only leaders make, which people or staff contradict, count for less.
        discount = 1.0
        if positive_sources == ["leaders"] and ({"people", "staff"} & set(negative_sources)):
            discount = scoring.leaders_only_discount
        total, weight = scoring.prior_value * scoring.prior_weight, scoring.prior_weight
        for e in items:
            w = e.weight * (discount if e.level in POSITIVE_LEVELS else 1.0)
            total += scoring.values[e.level] * w
            weight += w
        score = round(total / weight, 4) if items else None
        out[theme] = ThemeFacts(
            theme=theme, counts=counts, mentions=reading.mentions.get(theme, len(items)),
            impact=sum(1 for e in items if e.impact), score=score,
        )
    return out


def band_of(raw: float, bands: dict[int, float]) -> int:
    for band in (4, 3, 2):
        if raw >= bands[band]:
            return band
    return 1


def index_of(raw: float, bands: dict[int, float], clear: dict[int, float]) -> float:
    """Map the raw total onto [1, 4] so that band k spans [k-0.5, k+0.5)."""
    b2, b3, b4 = bands[2], bands[3], bands[4]
    if raw >= b4:
        x = 3.5 + 0.5 * (raw - b4) / (clear[4] - b4)
    elif raw >= b3:
        x = 2.5 + (raw - b3) / (b4 - b3)
    elif raw >= b2:
        x = 1.5 + (raw - b2) / (b3 - b2)
    else:
        x = 1.5 - 0.5 * (b2 - raw) / (b2 - clear[1])
    return round(min(4.0, max(1.0, x)), 2)


def assess(reading: Reading, rulebook: Rulebook) -> Assessment:
    themes = theme_facts(reading, rulebook)
    weights = {t.id: t.weight for t in rulebook.themes}
    weights[GENERAL] = rulebook.scoring.general_weight
    num = den = 0.0
    amount: dict[str, float] = {}  # summed in evidence order, as sum() over each theme's items would
    for e in reading.evidence:
        amount[e.theme] = amount.get(e.theme, 0) + e.weight
    for theme, facts in themes.items():
        n = amount.get(theme, 0)
        if facts.score is None or n == 0:
            continue
        w = weights[theme] * math.sqrt(n)
        num += w * facts.score
        den += w
    bands = rulebook.scoring.bands
    share = strong_share(reading)
    mean = num / den if den else rulebook.scoring.prior_value
    raw = mean + rulebook.scoring.strong_share_bonus * share
    band = band_of(raw, bands)
    index = index_of(raw, bands, rulebook.scoring.clear)
    reasoning = _reasoning(themes, mean, share, rulebook.scoring, raw, band, index, den == 0)
    return Assessment(
        raw=round(raw, 4), evidence=reading.evidence, set_aside=reading.set_aside, themes=themes, index=index,
        evidence_score=band, reasoning=reasoning, on_mark=band_mark(index, rulebook.scoring.borderline_margin),
    )


def band_mark(index: float, margin: float) -> tuple[int, int] | None:
    """The two bands whose mark (index 1.5, 2.5 or 3.5) the index lies within `margin` of, else None.

    Distances are rounded to the index's own two decimals, so 2.3 and 2.7 are both 0.2 from 2.5."""
    for low in (1, 2, 3):
        if round(abs(index - (low + 0.5)), 2) <= margin:
            return (low, low + 1)
    return None


def strong_share(reading: Reading) -> float:
    """The share of evidence clauses that are strong (and not also negative for another theme)."""
    clauses: dict[tuple[int, str], set[str]] = {}
    for e in reading.evidence:
        clauses.setdefault((e.line, e.clause), set()).add(e.level)
    if not clauses:
        return 0.0
    strong = sum(1 for levels in clauses.values() if "strong" in levels and not levels & set(NEGATIVE_LEVELS))
    return strong / len(clauses)


def _reasoning(themes: dict[str, ThemeFacts], mean: float, share: float, scoring: Scoring, raw: float, band: int,
               index: float, empty: bool) -> list[str]:
    if empty:
        return ["No sentence carried a cue the rulebook grades, so the score rests on the neutral prior."]
    graded = {t: f for t, f in themes.items() if f.score is not None}
    # "general" holds sentences no theme's topic words claim: counted in the mean, but not a theme.
    named = [t for t in graded if t != GENERAL]
    general = " plus general statements" if GENERAL in graded else ""
    bonus, bands = scoring.strong_share_bonus, scoring.bands
    high, low = scoring.reasoning_strong, scoring.reasoning_weak
    strong = sorted(t for t, f in graded.items() if f.score >= high)
    weak = sorted(t for t, f in graded.items() if f.score < low)
    lines = [
        f"Weighted mean of theme scores {mean:.2f} on the 1-4 scale, across {len(named)} themes with graded "
        f"evidence{general}; {share:.0%} of evidence clauses are strong, adding {bonus * share:.2f}: {raw:.2f} in all "
        f"(index {index:.2f}, {index * 25:.0f}% in CQC's percentage terms).",
        f"Themes reading as strong (score {high:g} or more): {', '.join(strong) or 'none'}.",
        f"Themes reading as weak (below {low:g}): {', '.join(weak) or 'none'}.",
    ]
    if band < 4:
        lines.append(f"Not band {band + 1}: that needs {bands[band + 1]:.2f} or more ({bands[band + 1] - raw:.2f} short).")
    if band > 1:
        lines.append(f"Not band {band - 1}: the total is {raw - bands[band]:.2f} above the mark for band {band} "
                     f"({bands[band]:.2f}).")
    return lines
