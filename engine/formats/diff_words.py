"""The wording of `rules diff` shared by its table and its Markdown (so both say the same thing).

Pure functions of the diff document (engine/diff.py, schema/diff.schema.json); no report text is
returned here unescaped by its caller's rules: the table passes it through ``one_line``, the Markdown
through its own ``text``.
"""
from __future__ import annotations

from ._common import line_ref, plural, share_text

_DIRECTIONS = (
    ("newly_inconsistent", "newly inconsistent"), ("newly_consistent", "newly consistent"),
    ("newly_unreadable", "newly unreadable"), ("newly_readable", "newly readable"),
    ("evidence_score_up", "evidence score up"), ("evidence_score_down", "evidence score down"),
    ("evidence_index_up", "evidence index up"), ("evidence_index_down", "evidence index down"),
    ("findings_only", "findings only"),
)
LEVEL_WORDS = {"none": "not read"}


def _value(value: object, index: bool = False) -> str:
    if value is None:
        return "?"
    return f"{float(value):.2f}" if index else str(value)


def arrow(pair: dict, index: bool = False) -> str:
    """``3 → 2``, or just ``3`` when the value did not change."""
    old, new = _value(pair.get("before"), index), _value(pair.get("after"), index)
    return old if old == new else f"{old} → {new}"


def scores_phrase(report: dict) -> str:
    """``awarded 3, evidence 3 → 2 (index 2.96 → 2.41), consistent → inconsistent``."""
    awarded = report.get("awarded_score")
    text = (f"awarded {awarded if awarded is not None else '?'}, evidence {arrow(report['evidence_score'])} "
            f"(index {arrow(report['evidence_index'], index=True)})")
    return f"{text}, {arrow(report['verdict'])}"


def level(name: str) -> str:
    return LEVEL_WORDS.get(name, name)


def transition(before: str, after: str) -> str:
    return f"{level(before)} → {level(after)}"


def severity_of(finding: dict) -> str:
    severity = finding.get("severity")
    return arrow(severity) if isinstance(severity, dict) else str(severity)


def cited(finding: dict) -> tuple[str, str]:
    """(``L12``, first cited sentence and how many more) — where a finding points and what it quotes."""
    evidence = finding.get("evidence") or []
    if not evidence:
        return line_ref(finding.get("line")), ""
    more = f" (+{len(evidence) - 1} more)" if len(evidence) > 1 else ""
    return line_ref(evidence[0].get("line")), str(evidence[0].get("text") or "") + more


def finding_rows(report: dict) -> list[tuple[str, dict]]:
    """(``added`` | ``removed`` | ``changed``, finding), in that order, each group by rule id."""
    findings = report.get("findings") or {}
    return [(kind, f) for kind in ("added", "removed", "changed") for f in findings.get(kind) or []]


def direction_phrase(summary: dict) -> str:
    """``3 of 27 reports moved: 1 newly inconsistent, evidence score down 1, …``."""
    moved = int(summary.get("moved") or 0)
    head = f"{moved} of {plural(int(summary.get('reports') or 0), 'report')} moved"
    counts = summary.get("directions") or {}
    parts = [f"{words} {counts[key]}" for key, words in _DIRECTIONS if counts.get(key)]
    return f"{head}: {', '.join(parts)}" if parts else head


def unreadable_phrase(summary: dict) -> str | None:
    """Reports neither rulebook could check are compared as unreadable, never dropped unsaid."""
    n = int(summary.get("unreadable") or 0)
    if not n:
        return None
    return f"{plural(n, 'report')} could not be read (with either rulebook); `lii-check check` says why."


def sentences_phrase(summary: dict) -> str:
    s = summary.get("sentences") or {}
    changed = int(s.get("changed") or 0)
    if not changed:
        return "No sentence is read differently."
    return (f"{plural(changed, 'sentence')} read differently (by theme) in {plural(int(s.get('reports') or 0), 'report')}: "
            + ", ".join(f"{transition(t['before'], t['after'])} {t['count']}" for t in s.get("transitions") or []))


def _percent(value: object) -> str:
    return "?" if value is None else share_text(float(value))


def calibration_lines(calibration: dict | None) -> list[str]:
    """calibrate's figures before → after, one per line (none when --calibrate was not asked for)."""
    if not calibration:
        return []
    before, after = calibration.get("before"), calibration.get("after")
    if not before or not after:
        return ["Calibration: no readable report to calibrate on."]
    lines = [
        f"evidence score equals the awarded score: {_percent(before['evidence_equals_awarded'])} → "
        f"{_percent(after['evidence_equals_awarded'])}",
        f"two or more bands away: {before['two_or_more_bands_away']} → {after['two_or_more_bands_away']}",
        f"inconsistent as awarded: {_percent(before['inconsistent_share'])} → {_percent(after['inconsistent_share'])}",
    ]
    for size in sorted(set(before["shift_caught"]) | set(after["shift_caught"]), key=int):
        lines.append(f"rescored {plural(int(size), 'band')} away, caught: {_percent(before['shift_caught'].get(size))} → "
                     f"{_percent(after['shift_caught'].get(size))}")
    return lines


def result_phrase(summary: dict) -> str:
    moved = int(summary.get("moved") or 0)
    code = summary.get("exit_code", 0)
    if not moved:
        return f"nothing moved (exit code {code})"
    why = "--fail-on-change" if summary.get("fail_on_change") else "without --fail-on-change"
    return f"{plural(moved, 'report')} moved (exit code {code}, {why})"
