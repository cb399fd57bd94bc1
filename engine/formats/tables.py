"""The text of the commands other than ``check``: ``explain``, ``calibrate``, ``rules test`` and ``rules list``.

Like the ``check`` formats these are pure functions of a plain dict (the command's JSON result) and a
width, returning a ``str`` ending in a newline. Every line fits ``width``: a table whose columns cannot
all get a readable width at that size becomes stacked "key: value" blocks instead of wrapped borders.
"""
from __future__ import annotations

from ._common import (MIN_WIDTH, share_text, display_width, fit_columns, grid, grid_overhead, hanging, one_line, pad, pad_left,
                      plural, wrap)
from .table import report_block

_SIMPLE_GAP = 2


def _cell_lines(text: object, width: int) -> list[str]:
    """A cell's text wrapped to ``width``; its own newlines separate paragraphs (e.g. one per example)."""
    out: list[str] = []
    for para in str("" if text is None else text).split("\n"):
        out += wrap(one_line(para), width)
    return out or [""]


def _natural(text: object) -> int:
    return max((display_width(one_line(p)) for p in str("" if text is None else text).split("\n")), default=0)


def fitted_table(headers: list[str], rows: list[list[object]], width: int, *, minimum: list[int] | None = None,
                 style: str = "grid", unbroken: tuple[int, ...] = ()) -> list[str]:
    """``rows`` as a table no wider than ``width``: box-drawn (``style="grid"``) or plain columns
    (``"simple"``). Columns keep their natural width when everything fits; otherwise the widest give
    way, down to ``minimum`` (default: 12 or the natural width if smaller). When even that does not
    fit, each row becomes a block of ``header: value`` lines."""
    width = max(MIN_WIDTH, width)
    n = len(headers)
    natural = [max([display_width(headers[j])] + [_natural(r[j]) for r in rows]) for j in range(n)]
    mins = [min(natural[j], (minimum[j] if minimum else 12)) for j in range(n)]
    mins = [max(m, display_width(headers[j])) for j, m in enumerate(mins)]
    overhead = grid_overhead(n) if style == "grid" else _SIMPLE_GAP * (n - 1)
    widths = fit_columns([max(a, b) for a, b in zip(natural, mins)], mins, width - overhead)
    if widths is None:
        return stacked(headers, rows, width, unbroken)
    cells = [[_cell_lines(r[j], widths[j]) for j in range(n)] for r in rows]
    # Counts line up by their last digit, as numbers are read.
    numeric = [bool(rows) and all(isinstance(r[j], (int, float)) and not isinstance(r[j], bool) for r in rows)
               for j in range(n)]
    if style == "grid":
        return grid(headers, cells, widths, numeric)
    gap = " " * _SIMPLE_GAP
    out = [gap.join(pad(h, widths[j]) for j, h in enumerate(headers)).rstrip(),
           gap.join("-" * w for w in widths)]
    for row in cells:
        for k in range(max(len(c) for c in row)):
            out.append(gap.join((pad_left if numeric[j] else pad)(c[k] if k < len(c) else "", widths[j])
                                for j, c in enumerate(row)).rstrip())
    return out


def stacked(headers: list[str], rows: list[list[object]], width: int, unbroken: tuple[int, ...] = ()) -> list[str]:
    """Each row as ``header: value`` lines, values aligned and wrapped; rows apart by a blank line. A column
    in ``unbroken`` (an id a reader greps for) is never wrapped: too long beside its header, it goes on the
    next line, whole."""
    key_w = max(display_width(h) for h in headers) + 2
    out: list[str] = []
    for i, row in enumerate(rows):
        if i:
            out.append("")
        for j, (header, value) in enumerate(zip(headers, row)):
            for n, para in enumerate(str("" if value is None else value).split("\n")):
                key = pad(f"{header}:", key_w) if n == 0 else " " * key_w
                if j in unbroken:
                    text = one_line(para)
                    if display_width(key + text) <= width:
                        out.append((key + text).rstrip())
                    else:  # the id on a line of its own, whole
                        out += [f"{header}:", text]
                else:
                    out += hanging(key, " " * key_w, one_line(para), width)
    return out


# --- lii-check rules list --------------------------------------------------------------------------

def _origin_cell(row: dict) -> str:
    changed = [w for w in row.get("changed_at") or [] if w != row.get("origin")]
    return "\n".join([str(row.get("origin"))] + [f"changed at {w}" for w in changed])


def rules_list(rows: list[dict], width: int) -> str:
    """``rows`` is what ``rules list --format json`` prints (rulebook.origins.rule_listing)."""
    table = [[one_line(r["id"]), one_line(r["theme"]), one_line(r["severity"]), _origin_cell(r),
              one_line(r["description"])] for r in rows]
    # An id is never broken across lines (`rules list | grep ID` must find it): its column keeps the longest
    # id's width, and a terminal too narrow for that gets one block per rule, the id whole on its own line.
    longest = max([2] + [display_width(row[0]) for row in table])
    return "\n".join(fitted_table(["id", "theme", "severity", "origin", "description"], table, width,
                                  minimum=[longest, 12, 8, 12, 24], style="simple", unbroken=(0,))) + "\n"


def cues_list(lists: list[dict], width: int) -> str:
    """``lists`` is what ``rules list --cues --format json`` prints (rulebook.origins.cue_listing)."""
    table = []
    for item in lists:
        table.append([one_line(item["list"]), item["level"], _origin_cell(item), ""])
        table += [["", "unless" if c["unless"] else "", c["origin"], one_line(c["text"])] for c in item["cues"]]
    return "\n".join(fitted_table(["signal or list", "level", "origin", "cue"], table, width,
                                  minimum=[20, 8, 12, 24], style="simple")) + "\n"


# --- lii-check rules test --------------------------------------------------------------------------

def rule_tests(result: dict, width: int, verbose: bool = False) -> str:
    """``result`` is what ``rules test --format json`` prints: ``{"rules": [...], "summary": {...}}``."""
    outcomes = result.get("rules") or []
    failing = [o for o in outcomes if o.get("false_alarms") or o.get("misses")]
    shown = outcomes if verbose else [o for o in outcomes
                                      if o.get("false_alarms") or o.get("misses") or o.get("todo_now_passing")]
    out: list[str] = []
    if shown:
        rows = [[one_line(o.get("rule")), one_line(o.get("kind")), o.get("passed", 0), len(o.get("false_alarms") or []),
                 len(o.get("misses") or []), o.get("todo", 0),
                 "\n".join([f"false alarm: {x}" for x in o.get("false_alarms") or []]
                           + [f"miss: {x}" for x in o.get("misses") or []]
                           + [f"todo now passes: {x}" for x in o.get("todo_now_passing") or []]
                           + [f"broken by the overlay: {x}" for x in o.get("broken_by_overlay") or []])]
                for o in shown]
        out += fitted_table(["rule", "kind", "passed", "false alarms", "misses", "todo", "details"], rows, width,
                            minimum=[20, 6, 6, 5, 6, 4, 30])
    passed = sum(int(o.get("passed") or 0) for o in outcomes)
    todo = sum(int(o.get("todo") or 0) for o in outcomes)
    out += wrap(f"{len(outcomes) - len(failing)} passed, {len(failing)} failed "
                f"({passed} examples passed, {todo} todo)", width)
    return "\n".join(out) + "\n"


def sentence_figures(figures: dict, short: list[str], width: int) -> str:
    """``rules test --sentences``: the sentence-level figures in a few lines, worst misreadings last (the
    JSON has everything); ``short`` names the thresholds missed."""
    a = figures["all"]
    lines = [f"Sentences read as labelled ({a['sentences']}): level {share_text(a['level_accuracy'])}, polarity "
                 f"{share_text(a['polarity_accuracy'])}, critical read as critical "
                 f"{share_text(a['critical_read_as_critical'])}; "
                 f"critical read as praise {a['critical_read_as_praise']}, praise read as significant "
                 f"{a['praise_read_as_significant']}, significant read as praise {a['significant_read_as_praise']}"]
    for name, f in figures["files"].items():
        lines.append(f"{name}: {f['sentences']} sentences, level {share_text(f['level_accuracy'])}, polarity "
                     f"{share_text(f['polarity_accuracy'])}, critical {share_text(f['critical_read_as_critical'] or 0)}")
    lines.append("Worst misreadings (labelled → read, cue):")
    for w in a["worst"][:8]:
        lines.append(f"- {w['file']} #{w['item']}: {w['labelled']} → {w['read']} "
                     f"({one_line(w['cue']) or 'no cue'}): {one_line(w['text'])}")
    lines += [f"lii-check: {line}" for line in short]
    return "\n" + "\n".join(piece for line in lines for piece in wrap(line, width)) + "\n"


# --- lii-check calibrate ---------------------------------------------------------------------------

def calibration(result: dict, width: int) -> str:
    """``result`` is what ``calibrate --format json`` prints."""
    width = max(MIN_WIDTH, width)
    bands = ("1", "2", "3", "4")
    rows = [[f"awarded {a}", *[row.get(e, 0) for e in bands]] for a, row in (result.get("confusion") or {}).items()]
    out = wrap("Evidence score (columns) against awarded score (rows)", width)
    out += fitted_table(["", *[f"evidence {e}" for e in bands]], rows, width)
    out.append("")
    share = result.get("evidence_equals_awarded")
    incons = result.get("inconsistent_share")
    out += wrap(f"Reports: {result.get('reports', 0)}; evidence score equals awarded: "
                f"{share_text(share)}; two or more bands away: "
                f"{result.get('two_or_more_bands_away', 0)}; judged inconsistent as they stand: "
                f"{share_text(incons)}", width)
    for path in result.get("inconsistent_reports") or []:
        out += hanging("  inconsistent as it stands: ", "    ", one_line(path), width, breaks="/")
    out.append("")
    out += wrap("Shift test: every report re-scored to each other band (score and label lines changed, in memory)",
                width)
    out += fitted_table(["shift (bands)", "copies", "caught", "share caught"],
                        [[size, v.get("copies"), v.get("caught"), share_text(v.get("share", 0))]
                         for size, v in (result.get("shift_test") or {}).items()], width)
    one = result.get("one_band_shifts")
    if one is not None:
        caught = share_text(one.get("share"))
        near = f"; {one['borderline']} more on the mark, warned as borderline" if one.get("borderline") else ""
        out += wrap(f"One-band shifts caught: {caught} ({one.get('caught', 0)} of {one.get('copies', 0)}{near}); "
                    f"unmodified reports flagged: {result.get('unmodified_flagged', 0)} of "
                    f"{result.get('reports', 0)}", width)
    uncited = result.get("caught_without_cited_sentences") or []
    if uncited:
        out.append(f"Caught without citing any sentence ({len(uncited)}):")
        out += hanging("  ", "  ", ", ".join(one_line(u) for u in uncited), width)
    return "\n".join(out) + "\n"


# --- lii-check explain -----------------------------------------------------------------------------

def _overlay(item: dict) -> str:
    return f" (overlay {one_line(item['overlay'])})" if item.get("overlay") else ""


def explanation(d: dict, width: int) -> str:
    """``d`` is what ``explain --format json`` prints for one report."""
    width = max(MIN_WIDTH, width)
    entry = {"path": d.get("path"), "verdict": d.get("verdict"), "awarded_score": d.get("awarded_score"),
             "evidence_score": d.get("evidence_score"), "evidence_index": d.get("evidence_index")}
    out = report_block(entry, width).strip("\n").split("\n") + [""]
    out.append("Why this band:")
    for line in d.get("reasoning") or []:
        out += hanging("  - ", "    ", one_line(line), width)
    out.append("")
    for theme in d.get("themes") or []:
        score = "no graded evidence" if theme.get("score") is None else f"theme score {theme['score']:.2f}"
        counts = ", ".join(f"{one_line(k)} {v}" for k, v in (theme.get("counts") or {}).items() if v)
        weighing = ""
        if theme.get("score") is not None and "share_of_mean" in theme:
            weighing = (f"; weight {theme['weight']:g} × √{theme['amount']:g} evidence = "
                        f"{theme['share_of_mean']:.1%} of the mean, contributing {theme['contribution']:.3f}")
        mentions = int(theme.get("mentions") or 0)
        out += hanging("", "  ", f"{one_line(theme.get('theme'))}: {score}{weighing}; "
                       f"{plural(mentions, 'sentence')} mention{'s' if mentions == 1 else ''} it; "
                       f"{counts or 'nothing graded'}{_overlay(theme)}", width)
        if theme.get("evidence"):
            rows = [[e.get("line"), one_line(e.get("level")) + ("" if e.get("weight") == 1 else f" ×{e.get('weight'):g}"),
                     one_line(e.get("cue")) + _overlay(e), one_line(e.get("source")), one_line(e.get("clause"))]
                    for e in theme["evidence"]]
            out += fitted_table(["line", "level", "cue", "who says it", "clause"], rows, width,
                                minimum=[4, 8, 12, 8, 30], style="simple")
        out.append("")
    graded = [t for t in d.get("themes") or [] if t.get("score") is not None and "contribution" in t]
    if graded:
        out += hanging("", "  ", "Weighted mean = the sum of the contributions above = "
                       + " + ".join(f"{t['contribution']:.3f}" for t in graded)
                       + f" = {sum(t['contribution'] for t in graded):.3f}", width)
        out.append("")
    if d.get("set_aside"):
        out.append("Set aside (not counted):")
        rows = [[s.get("line"), one_line(s.get("theme")), one_line(s.get("cue")) + _overlay(s), one_line(s.get("reason"))]
                for s in d["set_aside"]]
        out += fitted_table(["line", "theme", "cue", "why"], rows, width, minimum=[4, 10, 12, 30], style="simple")
        out.append("")
    if d.get("silent_themes"):
        out += hanging("", "  ", "Themes the text never mentions: " + ", ".join(one_line(t) for t in d["silent_themes"]),
                       width)
        out.append("")
    findings = d.get("findings") or []
    if findings:
        out.append("Findings:")
        for f in findings:
            first = f"  {one_line(f.get('severity')):<8}"
            out += hanging(first, " " * len(first), f"{one_line(f.get('rule'))}: {one_line(f.get('message'))}{_overlay(f)}",
                           width)
    else:
        out.append("Findings: none")
    return "\n".join(out) + "\n"


__all__ = ["calibration", "cues_list", "explanation", "fitted_table", "rule_tests", "rules_list", "sentence_figures",
           "stacked"]
