"""`rules diff --format markdown`: a pull-request comment (GitHub-flavoured Markdown).

The summary first (what moved, in which direction, which rules fire more or less often, how many
sentences read differently), then one collapsed ``<details>`` block per moved report, sorted by path,
as many as fit in a GitHub comment (the rest are counted, not shown).
Report text goes through ``markdown.text`` (``cell_code`` for code in a table, ``html_text`` inside the
``<summary>``) so it can neither break the tables nor open tags.
"""
from __future__ import annotations

from .diff_words import (calibration_lines, cited, direction_phrase, finding_rows, result_phrase, scores_phrase,
                         severity_of, transition, unreadable_phrase)
from .markdown import cell_code, code, html_text, text


def _sentence_items(sentences: list[dict], with_path: bool = False) -> list[str]:
    return [f"- {code(s['path']) + ' ' if with_path else ''}L{s['line']} {text(s['theme'])}: "
            f"{text(transition(s['before'], s['after']))}: {text(s['text'])}" for s in sentences]


def _report_details(report: dict, sentences: list[dict]) -> list[str]:
    # <summary> holds HTML, not Markdown: the path goes in <code>, HTML-escaped only.
    out = ["<details>", f"<summary><code>{html_text(report['path'])}</code>: {html_text(scores_phrase(report))}</summary>", ""]
    rows = finding_rows(report)
    if rows:
        out += ["| Finding | Severity | Rule | Line | Cited sentence |", "| --- | --- | --- | --- | --- |"]
        for kind, finding in rows:
            where, sentence = cited(finding)
            out.append(f"| {kind} | {text(severity_of(finding))} | {cell_code(finding.get('rule'))} | {where} "
                       f"| {text(sentence)} |")
        out.append("")
    if sentences:
        out += ["Sentences read differently (line, theme: before → after):", ""]
        out += _sentence_items(sentences)
        out.append("")
    if not rows and not sentences:
        out += ["No finding or sentence reading changed; the scores did.", ""]
    return out + ["</details>"]


# GitHub refuses a comment longer than 65,536 characters, and a comment that fails to post is worse than
# a shorter one: the moved reports beyond this budget are counted, not shown (the JSON has them all).
COMMENT_LIMIT = 65_536
_TAIL_ROOM = 1_000  # the "not shown" note and the result line


def _within_budget(lines: list[str], blocks: list[list[str]], budget: int) -> tuple[list[str], int]:
    """``lines`` plus as many whole ``blocks`` as fit in ``budget`` characters; and how many did not fit."""
    used = sum(len(x) + 1 for x in lines)
    for k, block in enumerate(blocks):
        size = sum(len(x) + 1 for x in block)
        if used + size > budget:
            return lines, len(blocks) - k
        lines = lines + block
        used += size
    return lines, 0


def render(doc: dict) -> str:
    s = doc.get("summary") or {}
    base, after = doc.get("base") or {}, doc.get("after") or {}
    lines = ["### lii-check rules diff", "",
             f"Rules {code(base.get('rulebook'))} → {code(after.get('rulebook'))} (engine {text(doc.get('engine'))}): "
             f"**{text(direction_phrase(s))}**", ""]
    unreadable = unreadable_phrase(s)  # no report text in it: Markdown as it stands
    if unreadable:
        lines += [unreadable, ""]
    for note in s.get("not_searched") or []:
        lines += [f"Not searched: {text(note)}.", ""]
    rules = s.get("rules") or []
    if rules:
        lines += ["| Rule | Fired before | Fired after |", "| --- | ---: | ---: |"]
        lines += [f"| {cell_code(r['rule'])} | {r['before']} | {r['after']} |" for r in rules]
    else:
        lines.append("No rule fires a different number of times.")
    transitions = (s.get("sentences") or {}).get("transitions") or []
    lines.append("")
    if transitions:
        changed = s["sentences"]
        lines += [f"Sentences read differently: {changed['changed']} in {changed['reports']} report(s).", "",
                  "| Reading (before → after) | Sentences |", "| --- | ---: |"]
        lines += [f"| {text(transition(t['before'], t['after']))} | {t['count']} |" for t in transitions]
    else:
        lines.append("No sentence is read differently.")
    calibration = calibration_lines(s.get("calibration"))
    if calibration:
        lines += ["", "Calibration, before → after:", ""] + [f"- {text(line)}" for line in calibration]
    by_path: dict[str, list[dict]] = {}
    for sentence in doc.get("sentences") or []:
        by_path.setdefault(sentence["path"], []).append(sentence)
    reports = doc.get("reports") or []
    moved_paths = {report["path"] for report in reports}
    blocks = [[""] + _report_details(report, by_path.get(report["path"], [])) for report in reports]
    unmoved = [x for path, items in sorted(by_path.items()) if path not in moved_paths for x in items]
    if unmoved:
        blocks.append(["", "<details>", f"<summary>Read differently in reports that did not move ({len(unmoved)})</summary>",
                       ""] + _sentence_items(unmoved, with_path=True) + ["", "</details>"])
    lines, left_out = _within_budget(lines, blocks, COMMENT_LIMIT - _TAIL_ROOM)
    if left_out:
        lines += ["", f"_{left_out} more block(s) of detail (moved reports, or sentences read differently in reports "
                      f"that did not move) are not shown: the comment would pass GitHub's {COMMENT_LIMIT:,}-character "
                      "limit. `lii-check rules diff --format json` lists them all._"]
    lines += ["", f"**Result:** {text(result_phrase(s))}"]
    return "\n".join(lines) + "\n"
