"""One matcher for a whole rulebook: every cue compiled once, run once over a report's text.

Until 0.1 each clause was searched with ~700 regular expressions one by one. Now all cues (clause
breaks, topic words, negations, hedges, intentions, attributions and signals) are compiled into one
multi-pattern database and a report is scanned in one pass; the reading logic in reading.py then
works on the hits. The engines are linear-time, so no rule can hang a run:

- **hyperscan** where it installs (Linux x86-64 wheels): one scan per report, every match reported
  with its start (SOM). The few patterns hyperscan cannot give starts for are re-run with RE2 on the
  lines where hyperscan saw them.
- **RE2** everywhere else: one pass per pattern per line. Slower, same results.

Match semantics, the same on both: text is folded to ASCII first (see `fold`), matching ignores case,
and each pattern's matches are the leftmost-longest, non-overlapping ones. A cue in a block's
``unless`` list cancels that block's hits that it overlaps ("not" unless "not only").
"""
from __future__ import annotations

import functools
import json
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from . import cache
from .rulebook.model import Cue


@dataclass(frozen=True)
class Pattern:
    """One cue as the matcher knows it."""

    pid: int
    family: str  # break, negation, counter, hedging, intention, attribution, topic or signal
    owner: str  # attribution name, theme id or signal key; "" for the language-wide lists
    order: int  # position in its list: when two cues of a list qualify, the first listed wins
    group: int  # the cue block it belongs to; an `unless` cue cancels overlapping hits of its group
    unless: bool
    regex: str  # folded to ASCII, as the engines run it
    cue: Cue


# ------------------------------------------------------------------------------------------------
# Folding text to ASCII, one character for one character, so offsets stay true


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch in "‘’‚‛′`´":
        return "'"
    if ch in "“”„‟″":
        return '"'
    if unicodedata.category(ch) == "Pd":  # en dash, em dash, non-breaking hyphen …
        return "-"
    digit = unicodedata.digit(ch, None)
    if digit is not None:
        return str(digit)
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if c.isascii() and c.isalnum())
    if len(base) == 1:
        return base  # é → e, ｆ → f: accents and widths are ignored
    if ch.isalnum() or unicodedata.category(ch).startswith("M"):
        return "x"  # a letter of another script is still part of a word
    return "#"  # any other symbol: not a letter, not a space


_ASCII = {c: (" " if chr(c).isspace() else ("#" if c < 32 or c == 127 else chr(c))) for c in range(128)}


def fold(text: str) -> str:
    """The text as the matcher sees it: ASCII, same length. Curly quotes become straight ones, dashes
    hyphens, any Unicode space a space, accented letters their base letter, control characters '#'."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_ASCII[o] if (o := ord(ch)) < 128 else _fold_char(ch) for ch in text)


def fold_regex(regex: str) -> str:
    """A cue's regex with its non-ASCII characters folded the way the text is."""
    return regex if regex.isascii() else "".join(c if c.isascii() else _fold_char(c) for c in regex)


# ------------------------------------------------------------------------------------------------
# Engines


class _Re2Engine:
    """RE2 with POSIX leftmost-longest matching: the reference semantics and the portable engine."""

    name = "re2"

    def __init__(self, patterns: list[Pattern]):
        import re2

        options = re2.Options()
        options.case_sensitive = False
        options.longest_match = True
        options.posix_syntax = False
        # (?m): ^ and $ match at each line, as hyperscan's MULTILINE does; a report is scanned as one sentence a line.
        self._compiled = {p.pid: re2.compile("(?m)" + p.regex, options) for p in patterns}

    def spans(self, pid: int, text: str, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, int]]:
        """(start, -end, pid) for each match of one pattern in text[lo:hi]."""
        compiled = self._compiled[pid]
        hi = len(text) if hi is None else hi
        return [(m.start(), -m.end(), pid) for m in compiled.finditer(text, lo, hi) if m.end() > m.start()]

    def raw(self, text: str) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        for pid in self._compiled:
            out.extend(self.spans(pid, text))
        return out


class _HyperscanEngine:
    name = "hyperscan"

    def __init__(self, patterns: list[Pattern]):
        import hyperscan as hs

        self._hs = hs
        som = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_SOM_LEFTMOST
        plain = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
        key = "hs-" + cache.key(getattr(hs, "__version__", ""), json.dumps([p.regex for p in patterns]))
        cached = _load_cached(key)
        if cached is not None:
            blob, layout = cached
            self._db = hs.loadb(blob, hs.HS_MODE_BLOCK)
            self._by_end = set(layout["by_end"])
            left = set(layout["left_out"])
        else:
            exprs, ids, flags, self._by_end, left = [], [], [], set(), set()
            for p in patterns:
                flag = _hyperscan_flag(p.regex, som, plain)
                if flag is None:
                    left.add(p.pid)
                    continue
                exprs.append(p.regex.encode())
                ids.append(p.pid)
                flags.append(flag)
                if flag == plain:
                    self._by_end.add(p.pid)
            self._db = hs.Database(mode=hs.HS_MODE_BLOCK)
            self._db.compile(expressions=exprs, ids=ids, elements=len(exprs), flags=flags)
            _store_cached(key, hs.dumpb(self._db),
                          {"by_end": sorted(self._by_end), "left_out": sorted(left)})
        self._scratch = hs.Scratch(self._db)
        # Patterns hyperscan can say occur but not where they start, or cannot run at all: RE2 does those.
        needs_re2 = [p for p in patterns if p.pid in self._by_end or p.pid in left]
        self._re2 = _Re2Engine(needs_re2) if needs_re2 else None
        self._left = sorted(left)

    def raw(self, text: str) -> list[tuple[int, int, int]]:
        """Every match as (start, -end, pid): all ends hyperscan reports, so overlaps remain."""
        out: list[tuple[int, int, int]] = []
        ends: list[tuple[int, int]] = []
        by_end = self._by_end
        data = text.encode("ascii")
        keep = out.append

        # Called once per match (hundreds per report): the common case, every pattern with its start, is
        # the shortest function that can do it.
        def on_match(pid: int, start: int, end: int, _flags: int, _ctx: object) -> None:
            keep((start, -end, pid))

        if by_end:
            def on_match(pid: int, start: int, end: int, _flags: int, _ctx: object) -> None:  # noqa: F811
                if pid in by_end:
                    ends.append((pid, end))
                else:
                    keep((start, -end, pid))

        if data:
            self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        if ends and self._re2 is not None:
            done: set[tuple[int, int]] = set()
            for pid, end in ends:  # re-run with RE2 on the line where hyperscan saw the match end
                lo = text.rfind("\n", 0, end) + 1
                if (pid, lo) in done:
                    continue
                done.add((pid, lo))
                hi = text.find("\n", end)
                out.extend(self._re2.spans(pid, text, lo, len(text) if hi < 0 else hi))
        if self._left and self._re2 is not None:
            for pid in self._left:
                out.extend(self._re2.spans(pid, text))
        return out


@functools.lru_cache(maxsize=None)
def _hyperscan_flag(regex: str, som: int, plain: int) -> int | None:
    """The flags hyperscan takes this regex with: with match starts (som) if it can, else without (plain:
    RE2 finds the starts), None if not at all (RE2 runs it). Tried once per regex per process (~2 ms
    each, 40% of a database's compile): rules diff's two rulebooks, or an overlay and its base, share
    most of their cues."""
    import hyperscan as hs

    for flag in (som, plain):
        try:
            db = hs.Database(mode=hs.HS_MODE_BLOCK)
            db.compile(expressions=[regex.encode()], ids=[0], elements=1, flags=[flag])
        except Exception:  # noqa: BLE001 - hyperscan.error: not with this flag
            continue
        return flag
    return None


def _load_cached(key: str) -> tuple[bytes, dict] | None:
    blob, layout = cache.read(f"{key}.hsdb"), cache.read(f"{key}.json")
    if blob is None or layout is None:
        return None
    try:
        return blob, json.loads(layout)
    except ValueError:
        return None


def _store_cached(key: str, blob: bytes, layout: dict) -> None:
    cache.write(f"{key}.json", json.dumps(layout).encode())
    cache.write(f"{key}.hsdb", blob)


def available_engines() -> list[str]:
    found = []
    try:
        import hyperscan  # noqa: F401

        found.append("hyperscan")
    except ImportError:
        pass
    try:
        import re2  # noqa: F401

        found.append("re2")
    except ImportError:
        pass
    return found


class Matcher:
    """All of a rulebook's cues, compiled once. `scan(text)` gives every hit as (start, end, pid)."""

    def __init__(self, patterns: list[Pattern], engine: str = "auto"):
        self.patterns = patterns
        self._unless = [p.unless for p in patterns]
        have = available_engines()
        if engine == "auto":
            engine = have[0] if have else "none"
        if engine not in have:
            raise RuntimeError(
                "no linear-time regex engine is installed: lii-check needs the 'hyperscan' or the "
                "'google-re2' package (pip install google-re2)" if engine == "none" else
                f"the matcher engine '{engine}' is not installed here")
        self._engine = (_HyperscanEngine(patterns) if engine == "hyperscan"
                        else _Re2Engine(patterns))
        self.engine = engine

    def scan(self, text: str) -> list[tuple[int, int, int]]:
        """Hits in one line of folded text, as (start, end, pid), sorted."""
        return self.scan_lines(text, [len(text)])[0]

    def scan_lines(self, text: str, ends: list[int]) -> list[list[tuple[int, int, int]]]:
        """Hits per line of `text` (folded; lines separated by one character at each of `ends`), offsets
        relative to each line's start. A match may not run past its line's end.

        Per pattern the matches kept are the leftmost-longest non-overlapping ones; then the cues of a
        block that an `unless` cue of the same block overlaps are dropped."""
        raw = self._engine.raw(text)
        raw.sort()  # by start, then longest first (end is negated), then pattern
        unless = self._unless
        out: list[list[tuple[int, int, int]]] = [[] for _ in ends]
        last_end = [-1] * len(unless)  # per pattern, the end of its last match kept
        line, line_start, line_end = 0, 0, ends[0] if ends else 0
        last_line = len(ends) - 1
        hits = out[0] if ends else []
        with_unless: set[int] = set()
        for start, neg_end, pid in raw:
            if start < last_end[pid]:
                continue  # inside this pattern's previous (longer or earlier) match
            if start > line_end and line < last_line:
                while start > line_end and line < last_line:
                    line += 1
                    line_start, line_end = line_end + 1, ends[line]
                hits = out[line]
            end = -neg_end
            if end > line_end:
                continue  # runs into the next sentence: no match (a shorter one may follow)
            last_end[pid] = end
            hits.append((start - line_start, end - line_start, pid))
            if unless[pid]:
                with_unless.add(line)
        for i in with_unless:
            out[i] = self._apply_unless(out[i])
        return out

    def _apply_unless(self, hits: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
        pats = self.patterns
        cancel: dict[int, list[tuple[int, int]]] = {}
        for start, end, pid in hits:
            if pats[pid].unless:
                cancel.setdefault(pats[pid].group, []).append((start, end))
        index = {group: _SpanIndex(spans) for group, spans in cancel.items()}
        out = []
        for hit in hits:
            p = pats[hit[2]]
            if p.unless:
                continue
            spans = index.get(p.group)
            if spans is not None and spans.overlaps(hit[0], hit[1]):
                continue
            out.append(hit)
        return out


class _SpanIndex:
    """Spans sorted by start with a running maximum of their ends: 'does any overlap [a, b)?' in log time
    plus the overlapping ones, however long the spans."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans.sort()
        self.starts = [s for s, _ in spans]
        self.spans = spans
        self.max_end = []
        best = -1
        for _, e in spans:
            best = max(best, e)
            self.max_end.append(best)

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end) - 1  # spans starting before `end`
        while i >= 0 and self.max_end[i] > start:
            if self.spans[i][1] > start:
                return True
            i -= 1
        return False
