"""`lii-check explain REPORT`: the working behind one report's evidence score and findings."""
from __future__ import annotations

from .evidence import GENERAL
from .formats import DEFAULT_WIDTH
from .formats.tables import explanation
from .model import ReportResult
from .rulebook import Rulebook

def explain_dict(result: ReportResult, rulebook: Rulebook) -> dict:
    a, r = result.assessment, result.report
    themes = []
    for theme in [t.id for t in rulebook.themes] + [GENERAL]:
        facts = a.themes[theme]
        items = [e for e in a.evidence if e.theme == theme]
        if not items and not facts.mentions:
            continue
        themes.append({
            "theme": theme, "score": facts.score, "mentions": facts.mentions, "counts": facts.counts,
            "evidence": [{"line": e.line, "level": e.level, "cue": e.cue, "source": e.source,
                          "weight": e.weight, "clause": e.clause} for e in items],
        })
    return {
        "path": result.path, "awarded_score": r.awarded_score, "evidence_score": a.evidence_score,
        "evidence_index": a.index, "verdict": result.verdict, "reasoning": a.reasoning,
        "themes": themes,
        "set_aside": [{"line": s.line, "theme": s.theme, "cue": s.cue, "reason": s.reason} for s in a.set_aside],
        "silent_themes": [t.id for t in rulebook.themes if not a.themes[t.id].mentions],
        "findings": [{"rule": f.rule, "severity": f.severity, "message": f.message} for f in result.findings],
    }


def explain_text(result: ReportResult, rulebook: Rulebook, width: int = DEFAULT_WIDTH) -> str:
    """The working as text fitted to ``width`` columns (rendered by ``formats.tables``)."""
    return explanation(explain_dict(result, rulebook), width)
