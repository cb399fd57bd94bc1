"""``--format table`` (the default): what a QA lead reads in a terminal."""
from __future__ import annotations

import textwrap

import click
from tabulate import tabulate

from ._common import clean, error_parts, evidence_lines, one_line, run_result, score_phrase

TABLEFMT = "simple_grid"
WRAP = 50  # columns for each free-text column: with long rule ids the table stays under ~170 columns

_VERDICT_STYLE = {
    "inconsistent": {"fg": "red", "bold": True},
    "unreadable": {"fg": "magenta", "bold": True},
    "consistent": {"fg": "green"},
}
_SEVERITY_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"}, "info": {"fg": "cyan"}}


def _style(text: str, style: dict | None, color: bool) -> str:
    return click.style(text, **style) if color and style else text


def _wrap(text: str) -> str:
    # Wrapped here rather than with tabulate's maxcolwidths: tabulate releases differ in whether
    # they keep the newlines that separate evidence sentences, and we want the same bytes on all.
    out: list[str] = []
    for para in text.split("\n"):
        out.extend(textwrap.wrap(para, WRAP, break_long_words=True, break_on_hyphens=False) or [""])
    return "\n".join(out)


def _report_block(report: dict, color: bool) -> str:
    path = one_line(report.get("path"))
    verdict = report.get("verdict", "")
    findings = report.get("findings") or []
    if verdict == "unreadable":
        line, message = error_parts(report)
        where = f" (line {line})" if line is not None else ""
        return f"{path}: {_style('UNREADABLE', _VERDICT_STYLE['unreadable'], color)}{where}: {message}"
    if not findings:
        return f"{path} — {score_phrase(report)}: {_style('consistent', _VERDICT_STYLE['consistent'], color)}, no findings"
    heading = f"{path} — {score_phrase(report)}: {_style(verdict.upper(), _VERDICT_STYLE.get(verdict), color)}"
    rows = [
        [
            _style(f.get("severity", ""), _SEVERITY_STYLE.get(f.get("severity", "")), color),
            clean(f.get("theme")),
            clean(f.get("rule")),
            _wrap(one_line(f.get("message"))),
            _wrap("\n".join(evidence_lines(f))),
        ]
        for f in findings
    ]
    body = tabulate(
        rows,
        headers=["severity", "theme", "rule", "what to check", "what the text says"],
        tablefmt=TABLEFMT,
        disable_numparse=True,  # "3.10" in a cell must stay text, not become a right-aligned float
    )
    return f"{heading}\n{body}"


def _summary(doc: dict) -> str:
    s = doc.get("summary") or {}
    counts = s.get("findings") or {}
    row = [s.get("reports", 0), s.get("consistent", 0), s.get("inconsistent", 0), s.get("unreadable", 0),
           counts.get("error", 0), counts.get("warning", 0), counts.get("info", 0)]
    table = tabulate(
        [row],
        headers=["reports", "consistent", "inconsistent", "unreadable", "errors", "warnings", "infos"],
        tablefmt=TABLEFMT,
    )
    never = s.get("rules_never_fired") or []
    if never:
        table += f"\nRules that never fired ({len(never)}): " + ", ".join(clean(r) for r in never)
    unexercised = s.get("rules_not_exercised") or []
    if unexercised:
        table += (f"\nRules no report exercised ({len(unexercised)}; no report awards a score they apply to"
                  " and, for theme rules, mentions the theme): " + ", ".join(clean(r) for r in unexercised))
    silent = s.get("themes_never_mentioned") or []
    if silent:
        table += "\nThemes no report mentions: " + ", ".join(clean(t) for t in silent)
    result = run_result(doc)
    if result:
        table += f"\nResult: {clean(result)}"
    return table


def render(doc: dict, *, color: bool = False) -> str:
    blocks = [_report_block(r, color) for r in doc.get("reports") or []]
    # Blank lines between tabled reports keep them apart; one-line reports would double-space
    # needlessly, so a blank line goes only next to a multi-line block.
    parts: list[str] = []
    for i, block in enumerate(blocks):
        if i and ("\n" in block or "\n" in blocks[i - 1]):
            parts.append("")
        parts.append(block)
    if parts:
        parts.append("")
    parts.append(_summary(doc))
    return "\n".join(parts) + "\n"
