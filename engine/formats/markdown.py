"""``--format markdown``: a compact pull-request comment (GitHub-flavoured Markdown)."""
from __future__ import annotations

import re
from html import escape

from ._common import error_parts, line_ref, not_searched, one_line, plural, result_line, score_phrase


_INLINE_MARKUP = re.compile(r"([`*_\[\]~|])")


def text(value: object) -> str:
    """Plain text shown as written in a table cell or list item: one line, no live HTML, no markup, no
    stray pipes."""
    # Backslash first so the escapes we add are not themselves undone by a backslash from the report
    # text; "<" and "&" as entities so report text cannot open or close tags (e.g. our own <details>);
    # the characters of inline markup (code, emphasis, links, strike-through) and "|" backslash-escaped.
    s = one_line(value).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _no_mentions(_INLINE_MARKUP.sub(r"\\\1", s))


# "@name" in report text would ping that person or team when the comment is posted (GitHub reads mentions in
# text and in raw HTML, not in code spans): a zero-width space after the "@" keeps it as written, pinging no one.
_MENTION = re.compile(r"@(?=[A-Za-z0-9])")


def _no_mentions(s: str) -> str:
    return _MENTION.sub("@&#8203;", s)


def code(value: object) -> str:
    """An inline code span in running text: shown exactly as written (backslash escapes do not work in
    code, so nothing is escaped); the fence is one backtick longer than any run of backticks inside."""
    s = one_line(value)
    fence = "`" * (max((len(run) for run in re.findall("`+", s)), default=0) + 1)
    pad = " " if s.startswith("`") or s.endswith("`") else ""  # one space each side is stripped again
    return f"{fence}{pad}{s}{pad}{fence}"


def cell_code(value: object) -> str:
    """An inline code span in a table cell. GFM splits a row at every "|" not preceded by a backslash,
    code spans included, and drops that one backslash before reading the cell: so "\\|" here, shown as "|"."""
    return code(value).replace("|", "\\|")


def html_text(value: object) -> str:
    """Text inside raw HTML (a <summary>): Markdown is not read there, so HTML escaping only."""
    return _no_mentions(escape(one_line(value), quote=False))


def _summary_line(doc: dict) -> str:
    s = doc.get("summary") or {}
    f = s.get("findings") or {}
    return (
        f"**{plural(s.get('reports', 0), 'report')}**: {s.get('consistent', 0)} consistent, "
        f"{s.get('inconsistent', 0)} inconsistent, {s.get('unreadable', 0)} unreadable — "
        f"{plural(f.get('error', 0), 'error')}, {plural(f.get('warning', 0), 'warning')}, "
        f"{plural(f.get('info', 0), 'info', 'infos')}"
    )


def _suppressed(report: dict) -> list[str]:
    """Findings silenced by comments in the report, named so a hidden error leaves a trace."""
    hidden = report.get("suppressed") or []
    if not hidden:
        return []
    names = ", ".join(f"{code(f.get('rule'))} ({text(f.get('severity'))}, {line_ref(f.get('line'))})" for f in hidden)
    return [f"{plural(len(hidden), 'finding')} suppressed in the report: {names}", ""]


def _report_section(report: dict) -> list[str]:
    findings = report.get("findings") or []
    verdict = report.get("verdict", "")
    out = [f"**{code(report.get('path'))}** — {score_phrase(report)}: **{verdict}**", ""]
    out += _suppressed(report)
    if not findings:
        return out[:-1]
    out.append("| Severity | Theme | Rule | Line | What to check |")
    out.append("| --- | --- | --- | --- | --- |")
    for f in findings:
        line = f.get("line")
        out.append(
            f"| {text(f.get('severity'))} | {text(f.get('theme'))} | {cell_code(f.get('rule'))} "
            f"| {line if line is not None else ''} | {text(f.get('message'))} |"
        )
    cited = [(f, ev) for f in findings for ev in f.get("evidence") or []]
    if cited:
        # The sentences are long; folded away they keep the comment scannable.
        out += ["", f"<details><summary>What the text says ({plural(len(cited), 'sentence')})</summary>", ""]
        out += [f"- {code(f.get('rule'))} {line_ref(ev.get('line'))}: {text(ev.get('text'))}" for f, ev in cited]
        out += ["", "</details>"]
    return out


def render(doc: dict) -> str:
    reports = doc.get("reports") or []
    lines = ["### lii-check", "", _summary_line(doc)]
    # Files the run left out, one paragraph each, in the table's words and place (after the counts).
    for item in not_searched(doc.get("summary") or {}):
        lines += ["", f"Not searched: {text(item.note)}."]
    # A run can fail with every report "consistent" (--fail-on warning, --strict) or pass with an
    # inconsistent one (--fail-on never): say which, or the comment could contradict the check next to it.
    result = result_line(doc.get("summary") or {})
    if result:
        lines += ["", f"**Result:** {text(result)}"]
    for report in reports:
        if report.get("verdict") == "unreadable":
            line, message = error_parts(report)
            where = f" (line {line})" if line is not None else ""
            lines += ["", f"**{code(report.get('path'))}**: **unreadable**{where}: {text(message)}"]
        elif report.get("findings") or report.get("suppressed"):
            lines += [""] + _report_section(report)
    clean_count = sum(1 for r in reports if r.get("verdict") == "consistent" and not r.get("findings")
                      and not r.get("suppressed"))
    lines += ["", f"{plural(clean_count, 'report')} consistent with no findings."]
    return "\n".join(lines) + "\n"
