"""`rules diff --format table` (the default): the moved reports and the summary, fitted to ``width``.

One block per moved report, sorted by path: the report's scores before → after, then one line per
finding added (+), removed (-) or changed (~), then the sentences it reads differently. Every line
fits ``width`` columns; long text wraps under itself.
"""
from __future__ import annotations

from ._common import MIN_WIDTH, hanging, one_line, wrap
from .diff_words import (calibration_lines, cited, direction_phrase, finding_rows, result_phrase, scores_phrase,
                         sentences_phrase, severity_of, transition, unreadable_phrase)

_MARK = {"added": "+", "removed": "-", "changed": "~"}
_INDENT = "    "


def _finding_lines(kind: str, finding: dict, width: int) -> list[str]:
    where, sentence = cited(finding)
    text = f"{severity_of(finding)} {one_line(finding.get('rule'))} {kind} · {where}"
    if sentence:
        text += f": {one_line(sentence)}"
    return hanging(f"  {_MARK[kind]} ", _INDENT, text, width)


def _sentence_lines(sentence: dict, width: int) -> list[str]:
    text = (f"L{sentence['line']} {one_line(sentence['theme'])}: {transition(sentence['before'], sentence['after'])}: "
            f"{one_line(sentence['text'])}")
    return hanging("  reads ", _INDENT, text, width)


def report_block(report: dict, sentences: list[dict], width: int) -> list[str]:
    """The report's scores before → after, then its findings and sentences that changed. A block with
    details is set apart by blank lines; reports whose scores alone moved stay one under the other."""
    lines = hanging("", "  ", f"{one_line(report['path'])}: {scores_phrase(report)}", width, breaks="/")
    details: list[str] = []
    for kind, finding in finding_rows(report):
        details += _finding_lines(kind, finding, width)
    for sentence in sentences:
        details += _sentence_lines(sentence, width)
    return ["", *lines, *details, ""] if details else lines


def render(doc: dict, width: int = 120) -> str:
    width = max(MIN_WIDTH, width)
    base, after = doc.get("base") or {}, doc.get("after") or {}
    lines = wrap(f"Rules diff: {one_line(base.get('rulebook'))} → {one_line(after.get('rulebook'))} "
                 f"(engine {one_line(doc.get('engine'))})", width)
    by_path: dict[str, list[dict]] = {}
    for sentence in doc.get("sentences") or []:
        by_path.setdefault(sentence["path"], []).append(sentence)
    moved_paths = set()
    lines.append("")
    for report in doc.get("reports") or []:
        moved_paths.add(report["path"])
        lines += report_block(report, by_path.get(report["path"], []), width)
    unmoved = [s for path, items in sorted(by_path.items()) if path not in moved_paths for s in items]
    if unmoved:
        lines += ["", *wrap("Read differently in reports that did not move:", width)]
        for sentence in unmoved:
            lines += hanging("  ", _INDENT, f"{one_line(sentence['path'])}:", width, breaks="/")
            lines += _sentence_lines(sentence, width)
    s = doc.get("summary") or {}
    lines += ["", *wrap(direction_phrase(s) + ".", width)]
    unreadable = unreadable_phrase(s)
    if unreadable:
        lines += wrap(unreadable.replace("`", ""), width)
    for note in s.get("not_searched") or []:
        lines += wrap(f"Not searched: {one_line(note)}.", width)
    rules = s.get("rules") or []
    if rules:
        lines.append(f"Rules whose firing count changed ({len(rules)}):")
        for r in rules:
            lines += hanging("  ", _INDENT, f"{one_line(r['rule'])}: {r['before']} → {r['after']}", width)
    else:
        lines.append("No rule fires a different number of times.")
    lines += wrap(sentences_phrase(s), width)
    calibration = calibration_lines(s.get("calibration"))
    if calibration:
        lines.append("Calibration, before → after:")
        for line in calibration:
            lines += hanging("  ", _INDENT, line, width)
    lines += wrap(f"Result: {result_phrase(s)}", width)
    return "\n".join(_single_blanks(lines)) + "\n"


def _single_blanks(lines: list[str]) -> list[str]:
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return out
