"""Small helpers shared by several renderers (kept here so wording stays the same everywhere)."""
from __future__ import annotations

import re

# C0 controls (bar tab, newline and carriage return), DEL and C1 controls. Report text is untrusted input: an ESC
# in it could drive the user's terminal, and XML 1.0 cannot carry most of these at all.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def clean(text: object) -> str:
    """``str(text)`` with control characters removed (newlines and tabs kept)."""
    return _CONTROL.sub("", "" if text is None else str(text))


def one_line(text: object) -> str:
    """Collapse all whitespace runs (including newlines) to single spaces, for line-based formats."""
    return " ".join(clean(text).split())


def score_phrase(report: dict) -> str:
    """``awarded 4, evidence 3 (index 3.21)``; ``?`` where a score is unknown."""
    awarded = report.get("awarded_score")
    evidence = report.get("evidence_score")
    text = f"awarded {awarded if awarded is not None else '?'}, evidence {evidence if evidence is not None else '?'}"
    index = report.get("evidence_index")
    if index is not None:
        # Always two decimals: the document stores a float, and 3.2 must not print as "3.2" here
        # and "3.20" elsewhere.
        text += f" (index {float(index):.2f})"
    return text


def line_ref(line: int | None) -> str:
    """``L29``, or ``L?`` when the finding has no line."""
    return f"L{line}" if line is not None else "L?"


def evidence_lines(finding: dict) -> list[str]:
    """Each cited sentence as ``L29: sentence`` (single line each)."""
    return [f"{line_ref(ev.get('line'))}: {one_line(ev.get('text'))}" for ev in finding.get("evidence") or []]


def error_parts(report: dict) -> tuple[int | None, str]:
    """(line, message) of an unreadable report, tolerant of a missing ``error`` object."""
    err = report.get("error") or {}
    return err.get("line"), one_line(err.get("message") or "the report could not be read")


def count_severity(findings: list[dict], severity: str) -> int:
    return sum(1 for f in findings if f.get("severity") == severity)


def plural(n: int, word: str, plural_word: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural_word or word + 's')}"


_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}


def fail_on(doc: dict) -> str:
    """The run's ``--fail-on`` level; ``error`` for documents that predate the field."""
    return (doc.get("summary") or {}).get("fail_on") or "error"


def severity_fails(severity: str | None, level: str) -> bool:
    """Does a finding of ``severity`` fail a run with ``--fail-on level``? (The same rule as the exit code.)"""
    if level == "never":
        return False
    return _SEVERITY_RANK.get(severity or "", 1) <= _SEVERITY_RANK.get(level, 0)


def report_fails(report: dict, level: str) -> bool:
    """Unreadable reports always fail the run; otherwise a finding at or above ``level`` does."""
    if report.get("verdict") == "unreadable":
        return True
    return any(severity_fails(f.get("severity"), level) for f in report.get("findings") or [])


def strict_gaps(doc: dict) -> tuple[list[str], list[str]]:
    """(rules no report exercised, themes no report mentions) when ``--strict`` makes them fail the run."""
    s = doc.get("summary") or {}
    if not s.get("strict"):
        return [], []
    return list(s.get("rules_not_exercised") or []), list(s.get("themes_never_mentioned") or [])


def strict_failure(doc: dict) -> str | None:
    """Why --strict fails this run, or None."""
    rules, themes = strict_gaps(doc)
    if not (rules or themes):
        return None
    return f"--strict: {plural(len(rules), 'rule')} no report exercised, {plural(len(themes), 'theme')} no report mentions"


def hidden_failures(doc: dict) -> list[str]:
    """Why the run fails, for the reasons a reader would not see as an error finding or an unreadable report.

    Every format prints these, so no format reads as a pass while the exit code is 1.
    """
    level = fail_on(doc)
    reasons = []
    if level in ("warning", "info"):
        n = sum(1 for r in doc.get("reports") or []
                if r.get("verdict") == "consistent" and report_fails(r, level))
        if n:
            reasons.append(f"{plural(n, 'report')} with findings at or above '{level}' (--fail-on {level})")
    strict = strict_failure(doc)
    if strict:
        reasons.append(strict)
    return reasons


def run_result(doc: dict) -> str | None:
    """``fails (exit code 1): <why>`` or ``passes (exit code 0)``: the verdict on the run, as the exit code has it."""
    code = (doc.get("summary") or {}).get("exit_code")
    if code not in (0, 1):
        return None
    if code == 0:
        return "passes (exit code 0)"
    level = fail_on(doc)
    reports = doc.get("reports") or []
    unreadable = sum(1 for r in reports if r.get("verdict") == "unreadable")
    inconsistent = sum(1 for r in reports if r.get("verdict") == "inconsistent" and report_fails(r, level))
    reasons = ([plural(unreadable, "unreadable report")] if unreadable else []) + \
              ([plural(inconsistent, "inconsistent report")] if inconsistent else []) + hidden_failures(doc)
    return "fails (exit code 1): " + "; ".join(reasons) if reasons else "fails (exit code 1)"
