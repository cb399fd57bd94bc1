"""Small helpers shared by several renderers (kept here so wording stays the same everywhere).

Three groups: the one sanitiser every renderer passes report text through (``clean`` and
``one_line`` on top of it), the wording of scores and counts, and the width arithmetic the
terminal renderers use to fit their lines (``display_width``, ``wrap``, ``grid``).
"""
from __future__ import annotations

import math
import os
import re
import unicodedata
from dataclasses import dataclass

from ..names import severity_fails


def share_text(share: float | None) -> str:
    """A share (0 to 1) as every figure lii-check prints it: to one decimal, rounded down, so a figure
    under a threshold never prints as the threshold itself (84.9%, not 85%, beside a failed 85% gate)."""
    if share is None:
        return "-"
    tenths = math.floor(round(share * 1000, 6))  # round() first: 0.29 * 1000 is 289.99999999999994
    return f"{tenths / 10:.1f}%".replace(".0%", "%")

# --- the sanitiser --------------------------------------------------------------------------------

# Whole escape sequences first (CSI "ESC [ ... final", OSC "ESC ] ... BEL|ST", and two-byte
# "ESC x"), so that no "[31m" residue is left behind once the ESC itself is gone.
_ESCAPE_SEQUENCE = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement, screen clearing
    r"|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)"  # OSC: window titles, hyperlinks (one left open loses only "ESC ]")
    r"|\x9b[0-?]*[ -/]*[@-~]"  # 8-bit CSI
    r"|\x1b[@-_]?"  # any other escape, or a lone ESC
)
# C0 controls (bar tab, newline and carriage return), DEL, C1 controls, and the bidirectional
# overrides that can make a line display in an order other than the one it is stored in.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: object) -> str:
    """``str(text)`` with escape sequences and control characters removed (newlines and tabs kept).

    Report text is untrusted input: an escape sequence in it could drive the reader's terminal
    (retitle it, hide text, fake a verdict), and XML 1.0 cannot carry most control characters.
    Every renderer passes report text through here, or through ``one_line``.
    """
    s = "" if text is None else str(text)
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", s))


def one_line(text: object) -> str:
    """``clean`` and collapse all whitespace runs (including newlines) to single spaces."""
    return " ".join(clean(text).split())


# --- wording ---------------------------------------------------------------------------------------

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


def band_mark_phrase(evidence_score: int | None, index: float | None) -> str | None:
    """Where the evidence index sits against the nearest band mark, e.g. ``0.14 short of the 3.50 needed for a 4``.

    On the evidence index band k spans k-0.5 to k+0.5, so the marks are 1.50, 2.50 and 3.50. The
    band is taken from the evidence score (not re-derived from the rounded index), so an index that
    rounds onto a mark still reads the right way round. Uses only fields of the result document.
    """
    if evidence_score is None or index is None or evidence_score not in (1, 2, 3, 4):
        return None
    index = float(index)
    options = []
    if evidence_score < 4:
        up = evidence_score + 0.5
        options.append((round(up - index, 2), f"short of the {up:.2f} needed for a {evidence_score + 1}"))
    if evidence_score > 1:
        down = evidence_score - 0.5
        options.append((round(index - down, 2), f"above the {down:.2f} needed for a {evidence_score}"))
    # Nearest mark; on a tie the mark above, the one a reader asking "why not higher?" wants.
    gap, words = min(options, key=lambda o: o[0])
    if gap <= 0:  # the index rounds onto the mark itself
        return "just " + words if words.startswith("short") else "right at" + words[len("above"):]
    return f"{gap:.2f} {words}"


def why_phrase(report: dict) -> str:
    """``awarded 1, evidence 3 (index 3.36; 0.14 short of the 3.50 needed for a 4)``."""
    text = score_phrase(report)
    mark = band_mark_phrase(report.get("evidence_score"), report.get("evidence_index"))
    if mark and text.endswith(")"):
        text = text[:-1] + f"; {mark})"
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


SEVERITY_WORDS = (("error", "error", "errors"), ("warning", "warning", "warnings"), ("info", "info", "infos"))


def severity_counts(counts: dict) -> str:
    """``2 errors, 7 warnings, 0 infos`` from ``{"error": 2, ...}``."""
    return ", ".join(plural(int(counts.get(key) or 0), one, many) for key, one, many in SEVERITY_WORDS)


# --- width arithmetic ------------------------------------------------------------------------------

MIN_WIDTH = 60
_SGR = re.compile(r"\x1b\[[0-9;]*m")


def display_width(text: str) -> int:
    """Columns ``text`` takes on a terminal: colour codes count 0, wide (East Asian) characters 2,
    combining marks 0. Report text has already been cleaned, so no other escapes remain."""
    if text.isascii() and "\x1b" not in text:
        return len(text)  # the common case, asked millions of times by the wrapping of a large table
    text = _SGR.sub("", text)
    if text.isascii():
        return len(text)  # every ASCII character is one column by the rules below (the common case, fast)
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def pad(text: str, width: int) -> str:
    return text + " " * max(0, width - display_width(text))


def _split_long(word: str, width: int, breaks: str) -> list[str]:
    """Cut a word wider than ``width`` into pieces, preferring to cut just after a char in ``breaks``."""
    pieces: list[str] = []
    while display_width(word) > width:
        # The longest prefix that fits...
        cut, used = 0, 0
        for i, ch in enumerate(word):
            used += display_width(ch)
            if used > width:
                break
            cut = i + 1
        cut = max(cut, 1)
        # ...shortened to end at the last preferred break inside it, if there is one.
        soft = max((i + 1 for i, ch in enumerate(word[:cut]) if ch in breaks), default=0)
        if 0 < soft < len(word):
            cut = soft
        pieces.append(word[:cut])
        word = word[cut:]
    if word:
        pieces.append(word)
    return pieces


def wrap(text: str, width: int, breaks: str = "./-") -> list[str]:
    """Greedy word wrap by display width. A word wider than the line is cut, after a ``.``, ``/``
    or ``-`` where it has one (so rule ids break at their dots and paths at their slashes)."""
    width = max(1, width)
    lines: list[str] = []
    current = ""
    for word in text.split():
        for piece in _split_long(word, width, breaks):
            if not current:
                current = piece
            elif display_width(current) + 1 + display_width(piece) <= width:
                current += " " + piece
            else:
                lines.append(current)
                current = piece
    if current or not lines:
        lines.append(current)
    return lines


def wrap_id(identifier: str, width: int) -> list[str]:
    """A rule id wrapped at its dots (``consistency.`` / ``score-below-evidence``), and at its
    hyphens only where a part between dots is itself too wide."""
    parts = [p for p in re.split(r"(?<=\.)", identifier) if p]
    lines: list[str] = []
    current = ""
    for part in parts:
        for piece in _split_long(part, width, "-"):
            if current and display_width(current) + display_width(piece) > width:
                lines.append(current)
                current = ""
            current += piece
    return lines + [current] if current or not lines else lines


def hanging(first: str, rest: str, text: str, width: int, breaks: str = "./-") -> list[str]:
    """``text`` wrapped after the prefix ``first`` on its first line and ``rest`` on the others; the
    wider prefix sets the room for every line, so no line passes ``width`` whichever is longer."""
    indent = max(display_width(first), display_width(rest))
    return [(first if i == 0 else rest) + line for i, line in enumerate(wrap(text, width - indent, breaks))]


def fit_columns(natural: list[int], minimum: list[int], available: int) -> list[int] | None:
    """Column widths that add up to at most ``available``: columns keep their natural width when
    everything fits; otherwise the widest column that is above its minimum gives up a column at a
    time (so room is taken from whatever is most generous). None when even the minimums do not fit."""
    widths = list(natural)
    if sum(minimum) > available:
        return None
    while sum(widths) > available:
        i = max((i for i in range(len(widths)) if widths[i] > minimum[i]), key=lambda i: (widths[i] - minimum[i], -i))
        widths[i] -= 1
    return widths


def pad_left(text: str, width: int) -> str:
    return " " * max(0, width - display_width(text)) + text


def grid(headers: list[str], rows: list[list[list[str]]], widths: list[int],
         right: list[bool] | None = None) -> list[str]:
    """A box-drawn table. Each cell is a list of lines, already wrapped to its column's width
    (and possibly coloured: padding goes by display width, so colour codes do not shift it).
    Columns flagged in ``right`` (numbers) are right-aligned."""
    right = right or [False] * len(widths)

    def rule(left: str, mid: str, end: str) -> str:
        return left + mid.join("─" * (w + 2) for w in widths) + end

    def row_lines(cells: list[list[str]]) -> list[str]:
        height = max(len(c) for c in cells)
        return ["│ " + " │ ".join((pad_left if right[j] else pad)(cell[k] if k < len(cell) else "", widths[j])
                                  for j, cell in enumerate(cells)) + " │"
                for k in range(height)]

    lines = [rule("┌", "┬", "┐")]
    lines += row_lines([[h] for h in headers])
    for cells in rows:
        lines.append(rule("├", "┼", "┤"))
        lines += row_lines(cells)
    lines.append(rule("└", "┴", "┘"))
    return lines


GRID_OVERHEAD = 4  # "│ " + " │" around a one-column table; each further column adds 3


def grid_overhead(columns: int) -> int:
    return GRID_OVERHEAD + 3 * (columns - 1)




def fail_on(doc: dict) -> str:
    """The run's ``--fail-on`` level; ``error`` for documents that predate the field."""
    return (doc.get("summary") or {}).get("fail_on") or "error"


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


def result_line(summary: dict) -> str | None:
    """The run's verdict as the exit code has it, from the summary alone (so a streamed table can say it;
    every format that states the verdict uses this one sentence):
    ``passes (exit code 0)`` or ``fails (exit code 1): 2 inconsistent reports; …``."""
    code = (summary or {}).get("exit_code")
    if code not in (0, 1):
        return None
    level = summary.get("fail_on") or "error"
    if code == 0:
        # Only --fail-on never lets an inconsistent report (one with an error finding) pass: say so, or
        # "passes" reads as "every report consistent".
        inconsistent = int(summary.get("inconsistent") or 0)
        if inconsistent and level == "never":
            return f"passes (exit code 0) because --fail-on is never: {plural(inconsistent, 'inconsistent report')}"
        return "passes (exit code 0)"
    counts = summary.get("findings") or {}
    reasons = []
    if summary.get("unreadable"):
        reasons.append(plural(int(summary["unreadable"]), "unreadable report"))
    if level != "never" and summary.get("inconsistent"):
        reasons.append(plural(int(summary["inconsistent"]), "inconsistent report"))
    for severity in ("warning", "info"):
        if severity_fails(severity, level) and counts.get(severity):
            reasons.append(f"{plural(int(counts[severity]), severity)} (--fail-on {level})")
    if summary.get("strict"):
        rules = summary.get("rules_not_exercised") or []
        themes = summary.get("themes_never_mentioned") or []
        if rules or themes:
            reasons.append(f"--strict: {plural(len(rules), 'rule')} no report exercised, "
                           f"{plural(len(themes), 'theme')} no report mentions")
    return "fails (exit code 1): " + "; ".join(reasons) if reasons else "fails (exit code 1)"


# --- what the run did not search --------------------------------------------------------------------

@dataclass(frozen=True)
class NotSearched:
    """One sentence of the summary's ``not_searched`` (the table prints "Not searched: {note}.") and the
    files or folders it names, for formats that attach a message to a file (GitHub, SARIF, JUnit)."""

    note: str
    paths: tuple[str, ...]  # as shown in the note; empty when it only counts (hidden folders) or cannot be split


_MORE = re.compile(r" and (\d+) more$")
_LEADING_COUNT = re.compile(r"^(\d+) ")


def named_paths(note: str) -> tuple[str, ...]:
    """The paths a not-searched sentence lists after its reason, e.g. ``reports/.draft.md`` from
    ``1 hidden file(s) not read as reports (rename one …): reports/.draft.md``.

    The result document carries these sentences only (its schema has no list of paths), so they are read
    back: the list follows the first ": " outside parentheses (the reasons hold ": " inside them) and is
    joined by ", ", ending in " and N more" when cut short. Where the sentence starts with a count that the
    paths do not add up to (a path with ", " in its name), nothing is guessed: no paths, the sentence stays.
    """
    depth, listed = 0, None
    for i, ch in enumerate(note):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ":" and depth == 0 and note.startswith(" ", i + 1):
            listed = note[i + 2:]
            break
    if not listed:
        return ()
    more = _MORE.search(listed)
    if more:
        listed = listed[:more.start()]
    paths = tuple(listed.split(", "))
    count = _LEADING_COUNT.match(note)
    if any(not p.strip() for p in paths) or (
            count and int(count.group(1)) != len(paths) + (int(more.group(1)) if more else 0)):
        return ()
    if not count and len(paths) > 1 and not all(_names_something(p) for p in paths):
        # No count to check the split against (own output, symlinks): "log, run 1.txt" split in two names two files
        # that do not exist; the whole list read as one path may be the file
        return (listed,) if _names_something(listed) else ()
    return paths


def _names_something(shown: str) -> bool:
    """Does this shown path (escapes undone) name something on disk, from the folder the run is in?"""
    from ..discovery import unshown_path  # here: the formats are imported before discovery is needed

    try:
        return os.path.lexists(unshown_path(shown.rstrip("/")))
    except (ValueError, OSError):
        return False


def not_searched(summary: dict) -> list[NotSearched]:
    """The summary's not-searched sentences, in its order, each with the paths it names."""
    notes = (summary or {}).get("not_searched") or []
    return [NotSearched(str(n), named_paths(str(n))) for n in notes if str(n).strip()]


def not_searched_line(item: NotSearched) -> str:
    """The table's line for it, unwrapped: ``Not searched: 1 hidden file(s) not read as reports (…): r/.draft.md.``"""
    return f"Not searched: {one_line(item.note)}."
