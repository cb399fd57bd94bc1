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
