"""`lii-check explain REPORT`: the working behind one report's evidence score and findings, as the
document `explain --format json` prints (formats/tables.py's ``explanation`` lays it out as text)."""
from __future__ import annotations

import math

from .reading import GENERAL
from .model import ReportResult
from .rulebook import Rulebook
from .rulebook.origins import reading_overlay, rule_overlay, set_aside_overlay


def _with_overlay(item: dict, where: str | None) -> dict:
    """The overlay file:line behind a reading, only where an overlay changed it (bundled output is unchanged)."""
    return {**item, "overlay": where} if where else item

def explain_dict(result: ReportResult, rulebook: Rulebook) -> dict:
    a, r = result.assessment, result.report
    themes = []
    # The arithmetic of scoring.assess, shown so a person can redo it: each graded theme pulls on the
    # mean with its rulebook weight times the square root of its amount of evidence.
    weights = {t.id: t.weight for t in rulebook.themes}
    weights[GENERAL] = rulebook.scoring.general_weight
    pull = {}
    for theme, facts in a.themes.items():
        n = sum(e.weight for e in a.evidence if e.theme == theme)
        if facts.score is not None and n:
            pull[theme] = weights[theme] * math.sqrt(n)
    total = sum(pull.values())
    for theme in [t.id for t in rulebook.themes] + [GENERAL]:
        facts = a.themes[theme]
        items = [e for e in a.evidence if e.theme == theme]
        if not items and not facts.mentions:
            continue
        share = pull.get(theme, 0.0) / total if total else 0.0
        owner = rulebook.theme(theme)
        themes.append(_with_overlay({
            "theme": theme, "score": facts.score, "mentions": facts.mentions, "counts": facts.counts,
            "weight": weights[theme], "amount": round(sum(e.weight for e in items), 4),
            "share_of_mean": round(share, 4),
            "contribution": round(share * facts.score, 4) if facts.score is not None else 0.0,
            "evidence": [_with_overlay({"line": e.line, "level": e.level, "cue": e.cue, "source": e.source,
                                        "weight": e.weight, "clause": e.clause},
                                       reading_overlay(rulebook, e.theme, e.signal, e.cue, e.clause)) for e in items],
        }, ", ".join(owner.changes) if owner is not None else None))
    return {
        "path": result.path, "awarded_score": r.awarded_score, "evidence_score": a.evidence_score,
        "evidence_index": a.index, "verdict": result.verdict, "reasoning": a.reasoning,
        "themes": themes,
        "set_aside": [_with_overlay({"line": s.line, "theme": s.theme, "cue": s.cue, "reason": s.reason},
                                    set_aside_overlay(rulebook, s.theme, s.cue, s.reason)) for s in a.set_aside],
        "silent_themes": [t.id for t in rulebook.themes if not a.themes[t.id].mentions],
        "findings": [_with_overlay({"rule": f.rule, "severity": f.severity, "message": f.message},
                                   rule_overlay(rulebook, f.rule) if rulebook.overlay_files else None)
                     for f in result.findings],
    }

