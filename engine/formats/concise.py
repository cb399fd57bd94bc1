"""``--format concise``: one line per finding, ``path:line:1: severity rule-id: message``.

The convention of ruff, flake8 and Vale, which terminals and editors turn into links and ``grep``
filters. Lines are never wrapped (a wrapped line would break both), but every field is cleaned
and made one line, so a finding is always exactly one line of output.
"""
from __future__ import annotations

from ._common import error_parts, not_searched, not_searched_line, one_line, plural, severity_counts


def _where(path: str, line: int | None) -> str:
    # A finding about the report as a whole has no line; editors still need one to jump to.
    return f"{path}:{int(line) if line is not None else 1}:1"


def report_lines(entry: dict) -> list[tuple[str, int, str]]:
    """(path, line, text) for each finding of one report, or its unreadable line."""
    path = one_line(entry.get("path"))
    if entry.get("verdict") == "unreadable":
        line, message = error_parts(entry)
        if line is None:
            return [(path, 0, f"{path}: unreadable: {message}")]
        return [(path, int(line), f"{_where(path, line)}: unreadable: {message}")]
    return [
        (path, int(f["line"]) if f.get("line") is not None else 1,
         f"{_where(path, f.get('line'))}: {one_line(f.get('severity'))} {one_line(f.get('rule'))}: "
         f"{one_line(f.get('message'))}")
        for f in entry.get("findings") or []
    ]


def summary_line(summary_dict: dict) -> str:
    s = summary_dict or {}
    return (f"{plural(int(s.get('reports') or 0), 'report')}: {int(s.get('consistent') or 0)} consistent, "
            f"{int(s.get('inconsistent') or 0)} inconsistent, {int(s.get('unreadable') or 0)} unreadable; "
            f"findings: {severity_counts(s.get('findings') or {})}")


def render(doc: dict) -> str:
    rows = [row for entry in doc.get("reports") or [] for row in report_lines(entry)]
    # Sorted by path then line; sorted() is stable, so findings on one line keep the rulebook's order.
    rows.sort(key=lambda r: (r[0], r[1]))
    # The table's "Not searched" lines, before the summary so that it stays the last line.
    skipped = [not_searched_line(item) for item in not_searched(doc.get("summary") or {})]
    return "".join(line + "\n" for line in [*(text for *_, text in rows), *skipped,
                                            summary_line(doc.get("summary") or {})])
