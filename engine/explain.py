"""`lii-check explain REPORT`: the working behind one report's evidence score and findings."""
from __future__ import annotations

import textwrap

from tabulate import tabulate

from .evidence import GENERAL
from .model import ReportResult
from .rulebook import Rulebook

_WIDTH = 70


def _wrap(text: str, width: int = _WIDTH) -> str:
    return "\n".join(textwrap.wrap(" ".join(text.split()), width)) or "-"


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


def explain_text(result: ReportResult, rulebook: Rulebook) -> str:
    d = explain_dict(result, rulebook)
    out = [f"{d['path']}: awarded {d['awarded_score']}, evidence score {d['evidence_score']} "
           f"(index {d['evidence_index']:.2f}) — {d['verdict']}", ""]
    out += ["Why this band:"] + [f"  - {line}" for line in d["reasoning"]] + [""]
    for theme in d["themes"]:
        score = "no graded evidence" if theme["score"] is None else f"theme score {theme['score']:.2f}"
        counts = ", ".join(f"{k} {v}" for k, v in theme["counts"].items() if v)
        out.append(f"{theme['theme']}: {score}; {theme['mentions']} sentence(s) mention it; {counts or 'nothing graded'}")
        if theme["evidence"]:
            rows = [[e["line"], e["level"] + ("" if e["weight"] == 1 else f" ×{e['weight']:g}"),
                     _wrap(e["cue"], 24), e["source"], _wrap(e["clause"])] for e in theme["evidence"]]
            out.append(tabulate(rows, headers=["line", "level", "cue", "who says it", "clause"], tablefmt="simple"))
        out.append("")
    if d["set_aside"]:
        out.append("Set aside (not counted):")
        rows = [[s["line"], s["theme"], _wrap(s["cue"], 24), _wrap(s["reason"], 50)] for s in d["set_aside"]]
        out += [tabulate(rows, headers=["line", "theme", "cue", "why"], tablefmt="simple"), ""]
    if d["silent_themes"]:
        out += [f"Themes the text never mentions: {', '.join(d['silent_themes'])}", ""]
    if d["findings"]:
        out.append("Findings:")
        out += [f"  {f['severity']:<8}{f['rule']}: {f['message']}" for f in d["findings"]]
    else:
        out.append("Findings: none")
    return "\n".join(out) + "\n"
