"""``--format markdown``: a compact pull-request comment (GitHub-flavoured Markdown)."""
from __future__ import annotations

from ._common import error_parts, line_ref, one_line, plural, result_line, score_phrase


def text(value: object) -> str:
    """Plain text made safe for a table cell or list item: one line, no live HTML, no stray pipes."""
    # Backslash first so the "\|" we add is not itself undone by a backslash from the report text;
    # "<" and "&" as entities so report text cannot open or close tags (e.g. our own <details>).
    s = one_line(value).replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return s.replace("|", "\\|")


def code(value: object) -> str:
    """Inline code span; GFM still needs "|" escaped inside it when it sits in a table."""
    s = one_line(value).replace("|", "\\|")
    if "`" in s:
        return f"`` {s} ``"
    return f"`{s}`"


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
            f"| {text(f.get('severity'))} | {text(f.get('theme'))} | {code(f.get('rule'))} "
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
