"""``--format table`` (the default): what a QA lead reads in a terminal.

Every line fits ``width`` columns (colour codes do not count). From ``GRID_MIN_WIDTH`` columns up the
findings of a report are a box-drawn table whose room goes to the message and the quoted sentences;
narrower than that each finding is a stacked block of "key: value" lines, because a grid squeezed
below about 100 columns wraps every cell into a ribbon. Each report is rendered on its own
(``report_block``) and the run's totals separately (``summary``), so a caller can stream reports.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator

import click

from ._common import (MIN_WIDTH, display_width, error_parts, fit_columns, grid, grid_overhead, hanging,
                      line_ref, not_searched, not_searched_line, one_line, plural, result_line, severity_counts,
                      why_phrase, wrap, wrap_id)

GRID_MIN_WIDTH = 100
VERDICT_COLUMN = 14  # "INCONSISTENT" and two spaces: paths line up under each other
_INDENT = " " * VERDICT_COLUMN

_VERDICT_STYLE = {
    "inconsistent": {"fg": "red", "bold": True},
    "unreadable": {"fg": "magenta", "bold": True},
    "consistent": {"fg": "green"},
}
_SEVERITY_STYLE = {"error": {"fg": "red", "bold": True}, "warning": {"fg": "yellow"}, "info": {"fg": "cyan"}}


def _style(text: str, style: dict | None, color: bool) -> str:
    return click.style(text, **style) if color and style else text


def _heading(entry: dict, width: int, color: bool) -> list[str]:
    """``INCONSISTENT  path: awarded 1, evidence 3 (index 3.36; 0.14 short of the 3.50 needed for a 4)``.

    One line when it fits; otherwise the path on the first line and the why under it, both
    aligned after the verdict column."""
    verdict = str(entry.get("verdict") or "")
    word = _style(verdict.upper(), _VERDICT_STYLE.get(verdict), color)
    first = word + " " * (VERDICT_COLUMN - len(verdict))
    path = one_line(entry.get("path")) or "?"
    if verdict == "unreadable":
        line, message = error_parts(entry)
        why = (f"line {line}: " if line is not None else "") + message
    else:
        why = why_phrase(entry)
    whole = f"{path}: {why}"
    if VERDICT_COLUMN + display_width(whole) <= width:
        return [first + whole]
    lines = hanging(first, _INDENT, path + ":", width, breaks="/")
    # The why under the path, aligned with it.
    if VERDICT_COLUMN + display_width(why) <= width:
        return lines + [_INDENT + why]
    # Scores on one line, the band mark on the next, rather than a break mid-phrase.
    head, sep, mark = why.partition("; ")
    pieces = [head + ";", mark] if sep else [why]
    indent = _INDENT if all(VERDICT_COLUMN + display_width(p) <= width for p in pieces) else "    "
    return lines + [line for p in pieces for line in hanging(indent, indent, p, width)]


def _suppressed_line(entry: dict, width: int) -> list[str]:
    """Findings the report silenced with comments: named, so a hidden error leaves a trace."""
    hidden = entry.get("suppressed") or []
    if not hidden:
        return []
    names = ", ".join(f"{one_line(f.get('rule'))} ({one_line(f.get('severity'))}, {line_ref(f.get('line'))})"
                      for f in hidden)
    return hanging(_INDENT, _INDENT, f"{plural(len(hidden), 'finding')} suppressed in the report: {names}", width)


def _finding_cell(finding: dict, width: int, color: bool) -> list[str]:
    """``error · L24`` over the rule id (broken at its dots), and the theme when the id does not name it."""
    severity = one_line(finding.get("severity"))
    rule, theme = one_line(finding.get("rule")), one_line(finding.get("theme"))
    lines = [_style(severity, _SEVERITY_STYLE.get(severity), color) + " · " + line_ref(finding.get("line"))]
    lines += wrap_id(rule, width)
    if theme and not rule.startswith(theme + "."):
        lines += wrap(f"(theme {theme})", width)
    return lines


def _evidence_lines(finding: dict, width: int) -> list[str]:
    out: list[str] = []
    for ev in finding.get("evidence") or []:
        ref = line_ref(ev.get("line")) + " "
        out += hanging(ref, " " * len(ref), one_line(ev.get("text")), width)
    return out or ["-"]


def _findings_grid(findings: list[dict], width: int, color: bool) -> list[str] | None:
    headers = ["finding", "what to check", "what the text says"]
    available = width - grid_overhead(len(headers))
    id_natural = max(display_width(one_line(f.get("rule"))) for f in findings)
    # The rule id gets a quarter of the room at most (it breaks at its dots, so a part between
    # dots is what it needs); the rest goes to what a person reads.
    longest_part = max(display_width(part) for f in findings for part in one_line(f.get("rule")).split("."))
    id_w = min(max(id_natural, len("warning · L999")), max(16, available // 4, min(26, longest_part)))
    msg_natural = max(display_width(one_line(f.get("message"))) for f in findings)
    ev_natural = max(max((display_width(f"{line_ref(e.get('line'))} {one_line(e.get('text'))}")
                          for e in f.get("evidence") or []), default=1) for f in findings)
    text_widths = fit_columns([max(msg_natural, len(headers[1])), max(ev_natural, len(headers[2]))], [24, 28],
                              available - id_w)
    if text_widths is None:
        return None
    msg_w, ev_w = text_widths
    rows = [[_finding_cell(f, id_w, color), wrap(one_line(f.get("message")), msg_w), _evidence_lines(f, ev_w)]
            for f in findings]
    return grid(headers, rows, [id_w, msg_w, ev_w])


def _finding_stack(finding: dict, width: int, color: bool) -> list[str]:
    """A narrow terminal's layout of one finding:

    ``  error · consistency.score-below-evidence · L22``, then ``check:`` and ``text:`` blocks."""
    severity = one_line(finding.get("severity"))
    rule, theme = one_line(finding.get("rule")), one_line(finding.get("theme"))
    title = f"{rule} · {line_ref(finding.get('line'))}"
    if theme and not rule.startswith(theme + "."):
        title += f" · theme {theme}"
    first = "  " + _style(severity, _SEVERITY_STYLE.get(severity), color) + " · "
    out = hanging(first, " " * display_width(first), title, width, breaks=".")
    out += hanging("    check: ", " " * 11, one_line(finding.get("message")), width)
    cited = finding.get("evidence") or []
    for n, ev in enumerate(cited):
        key = "    text:  " if n == 0 else " " * 11
        ref = line_ref(ev.get("line")) + " "
        out += hanging(key + ref, " " * (11 + len(ref)), one_line(ev.get("text")), width)
    return out


def report_block(entry: dict, width: int, color: bool = False) -> str:
    """One report: its heading and, if it has findings, their table (or stacked blocks).

    A block with findings (or suppressions) starts and ends with a blank line; ``render`` folds the blank
    lines two neighbouring blocks bring into one."""
    width = max(MIN_WIDTH, width)
    lines = _heading(entry, width, color)
    details = _suppressed_line(entry, width)
    findings = [] if entry.get("verdict") == "unreadable" else entry.get("findings") or []
    if findings:
        table = _findings_grid(findings, width, color) if width >= GRID_MIN_WIDTH else None
        if table is None:
            table = []
            for f in findings:
                table += [""] + _finding_stack(f, width, color)
        details += table
    text = "\n".join(lines + details) + "\n"
    # Only a report with details is set apart: a run of reports with nothing to say stays compact.
    return f"\n{text}\n" if details else text


def summary(summary_dict: dict, width: int, color: bool = False, verbose: bool = False) -> str:
    """The end of a run: the verdicts and findings in one or two lines, then the rules that never
    fired and the themes no report mentions (counted by default, listed with --verbose or --strict)."""
    width = max(MIN_WIDTH, width)
    s = summary_dict or {}
    inconsistent, unreadable = int(s.get("inconsistent") or 0), int(s.get("unreadable") or 0)
    verdicts = (f"{plural(int(s.get('reports') or 0), 'report')}: {int(s.get('consistent') or 0)} consistent, "
                + _style(f"{inconsistent} inconsistent", _VERDICT_STYLE["inconsistent"] if inconsistent else None, color)
                + ", "
                + _style(f"{unreadable} unreadable", _VERDICT_STYLE["unreadable"] if unreadable else None, color))
    findings = "findings: " + severity_counts(s.get("findings") or {})
    if display_width(verdicts) + 2 + display_width(findings) <= width:
        lines = [f"{verdicts}; {findings}"]
    else:
        lines = wrap(verdicts, width) + wrap(findings[0].upper() + findings[1:], width)
    for item in not_searched(s):
        lines += wrap(not_searched_line(item), width)
    never = [one_line(r) for r in s.get("rules_never_fired") or []]
    unexercised = [one_line(r) for r in s.get("rules_not_exercised") or []]
    silent = [one_line(t) for t in s.get("themes_never_mentioned") or []]
    strict = bool(s.get("strict"))
    if never or silent or (strict and unexercised):
        if verbose or strict:
            if never:
                lines += [f"Rules that never fired ({len(never)}):"] + hanging("  ", "  ", ", ".join(never), width)
            if unexercised:
                lines += [f"Rules no report exercised ({len(unexercised)}; no report awards a score they apply "
                          "to):"] + hanging("  ", "  ", ", ".join(unexercised), width)
            if silent:
                lines += [f"Themes no report mentions ({len(silent)}):"] + hanging("  ", "  ", ", ".join(silent), width)
        else:
            counted = [p for p in (plural(len(never), "rule") + " never fired" if never else "",
                                   plural(len(silent), "theme") + " no report mentions" if silent else "") if p]
            lines += wrap(" and ".join(counted) + " (--verbose lists them).", width)
    result = result_line(s)
    if result:
        lines += wrap(f"Result: {result}", width)
    return "\n".join(lines) + "\n"


def fold_blank_lines(pieces: Iterable[str], after_blank: bool = True) -> Iterator[str]:
    """The pieces of the output in order, with the blank lines two neighbours bring folded into one
    and none at the very start (``after_blank``: the output so far ends in a blank line, as its start
    does). Lazy, so a caller printing reports as they are checked can use it."""
    for piece in pieces:
        if after_blank:
            piece = piece.lstrip("\n")
        if piece:
            yield piece
            after_blank = piece.endswith("\n\n")


def render(doc: dict, *, color: bool = False, width: int = 120, verbose: bool = False) -> str:
    blocks = [report_block(r, width, color) for r in doc.get("reports") or []]
    # The summary is set apart from the reports by one blank line.
    tail = "\n" + summary(doc.get("summary") or {}, width, color, verbose)
    return "".join(fold_blank_lines([*blocks, tail]))
