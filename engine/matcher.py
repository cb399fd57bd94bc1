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

import dataclasses
import functools
import hashlib
import itertools
import json
import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass
from typing import Iterable
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


# Cyrillic and Greek letters drawn like Latin ones. No English report needs them, and written into an English
# word they hide it from every cue: "nоt" with a Cyrillic "о" is not "not", so a report whose every sentence
# is negated could read as praise. They are read as the Latin letters they look like.
_LOOKALIKES = dict(zip(
    "аеорсухіјѕԁԛԝӏһүАВЕКМНОРСТХІЈЅУαονρικυχΑΒΕΖΗΙΚΜΝΟΡΤΥΧօսհոՕՍ",
    "aeopcyxijsdqwlhyABEKMHOPCTXIJSYaovpikuxABEZHIKMNOPTYXouhnOU", strict=True))
# Latin letters in other forms NFKD leaves alone: small capitals ("ɴᴏᴛ"), modifier letters.
_LATIN_NAME = re.compile(r"LATIN (?:SMALL |CAPITAL )?LETTER (?:SMALL CAPITAL |MODIFIER |SUBSCRIPT )?([A-Z])")


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    if ch.isspace():
        return " "
    if ch in _LOOKALIKES:
        return _LOOKALIKES[ch]
    if ch in "‘’‚‛′`´ʼʹˈ＇":  # the modifier-letter apostrophe (U+02BC) too: "wasnʼt" is "wasn't"
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
    named = _LATIN_NAME.fullmatch(unicodedata.name(ch, ""))
    if named:
        return named.group(1).lower()  # ᴏ (LATIN LETTER SMALL CAPITAL O) → o
    if ch.isalnum() or unicodedata.category(ch).startswith("M"):
        return "x"  # a letter of another script is still part of a word
    return "#"  # any other symbol: not a letter, not a space


_ASCII = {c: (" " if chr(c).isspace() else ("#" if c < 32 or c == 127 else chr(c))) for c in range(128)}


def fold(text: str) -> str:
    """The text as the matcher sees it: ASCII, same length. Curly quotes become straight ones, dashes
    hyphens, any Unicode space a space, accented letters their base letter, Cyrillic and Greek letters drawn
    like Latin ones those Latin letters, control characters '#'."""
    if text.isascii() and text.isprintable():
        return text
    return "".join(_ASCII[o] if (o := ord(ch)) < 128 else _fold_char(ch) for ch in text)


@functools.lru_cache(maxsize=16_384)  # every rulebook compiled in a process folds the same cues again
def fold_regex(regex: str) -> str:
    """A cue's regex with its non-ASCII characters folded the way the text is."""
    return regex if regex.isascii() else "".join(c if c.isascii() else _fold_char(c) for c in regex)


# ------------------------------------------------------------------------------------------------
# The form a cue is scanned in: the same matches, fewer of them reported


_DOT_OR_SPACE_FLAGS = re.compile(r"\(\?[a-zA-Z-]*[sx]")  # (?x) ignores spaces; (?s) lets "." take a line break


@functools.lru_cache(maxsize=16_384)  # every session of a process scan-forms the same ~900 cues
def scan_form(regex: str) -> str:
    r"""The regex as both engines run it: the same leftmost-longest matches on folded text, fewer discarded ones.

    Hyperscan reports every end of every match, and a report is scanned as one sentence a line, so two kinds
    of match are found only to be thrown away (they were a third of all hits, each a Python call):
    - matches that cross a line end (`\.\s` at every full stop): folded text has no whitespace but " " and
      the line breaks, so `\s` becomes " ", and `\W`, `\D` and negated classes (`[^.;]`) leave out "\n";
    - every shorter end of a word (`\bcomplain\w*` on "complaints" ends three times): a trailing `\w*` or
      `\w+` after a letter or digit must run to the end of its word, so it is followed by `\b`.
    RE2 runs the same form: it finds non-overlapping matches over the whole text, and a match crossing a
    line end would hide the shorter one on its own line.
    A regex this does not fully understand (`\Q`, `(?x)`, `(?s)`, `[\W…]`, an unclosed class) is left as it is."""
    if not any(t in regex for t in ("\\s", "\\W", "\\D", "[^")) and not regex.endswith(("\\w*", "\\w+")):
        return regex  # nothing here to rewrite (most cues: a phrase between word boundaries)
    if "\\Q" in regex or _DOT_OR_SPACE_FLAGS.search(regex):
        return regex
    out: list[str] = []
    i, n = 0, len(regex)
    in_class = negated = False
    while i < n:
        ch = regex[i]
        if ch == "\\" and i + 1 < n:
            pair = regex[i:i + 2]
            if pair == "\\s" and not (in_class and negated):
                pair = " "
            elif pair in ("\\W", "\\D"):
                if in_class and not negated:
                    return regex  # "[\W…]" would need "\n" taken out of it: not worth a class algebra
                if not in_class:
                    pair = "[^\\" + pair[1].lower() + "\\n]"
            out.append(pair)
            i += 2
            continue
        if in_class:
            if ch == "[" and regex.startswith("[:", i):
                close = regex.find(":]", i + 2)
                if close < 0:
                    return regex
                out.append(regex[i:close + 2])
                i = close + 2
                continue
            if ch == "]":
                if negated:
                    out.append("\\n")
                in_class = False
            out.append(ch)
            i += 1
            continue
        if ch == "[":
            negated = regex.startswith("[^", i)
            start = i + (2 if negated else 1)
            out.append(regex[i:start])
            if start < n and regex[start] == "]":  # "[]a]": a leading "]" is a literal
                out.append("]")
                start += 1
            in_class, i = True, start
            continue
        out.append(ch)
        i += 1
    if in_class:
        return regex
    form = "".join(out)
    if form.endswith(("\\w*", "\\w+")) and len(form) > 3 and form[-4].isascii() and form[-4].isalnum():
        before = len(form) - 4  # the letter is a literal only if no odd run of backslashes escapes it
        slashes = len(form[:before]) - len(form[:before].rstrip("\\"))
        if slashes % 2 == 0:
            form += "\\b"
    return form


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
        # In scan form too: RE2 finds non-overlapping matches over the whole text, so one running into the
        # next line would hide the shorter one on its own line (and that line's own hits).
        # Compiled when first used: beside hyperscan, RE2 runs only the patterns a report's text reached, and
        # a short run (one report, a pre-commit hook) does not pay for the ~70 others.
        self._options = options
        self._regexes = {p.pid: p.regex for p in patterns}
        self._compiled: dict[int, object] = {}
        # A regex scan_form leaves as written ("(?s)", "[\\W…]") may still match a line break. Hits are per line
        # (hyperscan's windows stop at the line's start), so such a pattern is searched one line at a time: over
        # the whole text its match across a break, which belongs to no line, would hide one inside a line.
        self._per_line = {p.pid for p in patterns if _may_cross_lines(p.regex)}
        self._filter: tuple[object, list[int]] | None | bool = None  # raw()'s prefilter (_prefilter), built on first use

    def _prefilter(self) -> tuple[object, list[int]] | bool:
        """RE2's filter of every pattern (FilteredRE2): the literal words each pattern needs, found in one pass
        over a text, name the patterns that could match it. A report reaches ~180 of ~1,100 cues and the filter
        names ~450; searching each of the others for nothing was most of an RE2 scan. (An RE2 set of the whole
        patterns names fewer, but its DFA took ~100 MB, and 11 s on a 5 MB line.) False when RE2 cannot build
        the filter: then every pattern is searched, as before."""
        if self._filter is None:
            import re2

            pids = sorted(self._regexes)
            try:
                found = re2.Filter()  # an older google-re2 without it: AttributeError
                for pid in pids:
                    found.Add("(?m)" + scan_form(self._regexes[pid]), self._options)
                found.Compile()
                found.Match(b"", True)  # and one whose Match takes no `potential`: TypeError, here, not mid-run
                self._filter = (found, pids)
            except (re2.error, AttributeError, TypeError):
                self._filter = False
        return self._filter

    def _pattern(self, pid: int):
        compiled = self._compiled.get(pid)
        if compiled is None:
            import re2

            compiled = self._compiled[pid] = re2.compile("(?m)" + scan_form(self._regexes[pid]), self._options)
        return compiled

    def spans(self, pid: int, text: str | bytes, lo: int = 0, hi: int | None = None) -> list[tuple[int, int, int]]:
        """(start, -end, pid) for each match of one pattern inside text[lo:hi]."""
        compiled = self._pattern(pid)
        hi = len(text) if hi is None else hi
        if isinstance(text, str):
            text = text.encode("ascii")  # folded text; str offsets are byte offsets
        # Given bytes, finditer neither copies nor converts the text, and it reads the text around [lo, hi] for \b,
        # ^ and $.
        if pid not in self._per_line:
            return _matches(compiled, text, lo, hi, pid)
        out = []
        while lo <= hi:
            end = text.find(b"\n", lo, hi)
            end = hi if end < 0 else end
            out.extend(_matches(compiled, text, lo, end, pid))
            lo = end + 1
        return out

    def raw(self, text: str) -> list[tuple[int, int, int]]:
        out: list[tuple[int, int, int]] = []
        data = text.encode("ascii")  # folded text; as bytes, each search skips converting the whole text
        if not data:
            return out
        candidates: Iterable[int] = self._regexes
        prefilter = self._prefilter()
        if prefilter:
            found, pids = prefilter
            # Potential matches: the filter's own answer, without its running the patterns. A pattern with no
            # literal word to look for is always named, so no answer at all is not a normal one (RE2 gives none
            # when its search fails): then every pattern is searched.
            hit = found.Match(data, True)
            if hit:
                candidates = sorted(pids[i] for i in hit)
        for pid in candidates:
            out.extend(self.spans(pid, data))
        return out


def _matches(compiled, data: bytes, lo: int, hi: int, pid: int) -> list[tuple[int, int, int]]:
    """(start, -end, pid) of each non-empty match in data[lo:hi]."""
    return [(m.start(), -m.end(), pid) for m in compiled.finditer(data, lo, hi) if m.end() > m.start()]


def _may_cross_lines(regex: str) -> bool:
    """Could this cue's scan form match a line break? Only if scan_form left it as written and it holds a
    construct that takes one (scan_form turns "\\s" into a space and keeps "\\n" out of negated classes)."""
    return scan_form(regex) == regex and any(t in regex for t in ("(?s", "\\s", "\\S", "\\W", "\\D", "[^", "\\n",
                                                                  "\\x0", "\\012", "(?x"))


class _HyperscanEngine:
    name = "hyperscan"

    def __init__(self, patterns: list[Pattern]):
        import hyperscan as hs

        self._hs = hs
        som = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE | hs.HS_FLAG_SOM_LEFTMOST
        plain = hs.HS_FLAG_CASELESS | hs.HS_FLAG_MULTILINE
        forms = [scan_form(p.regex) for p in patterns]
        key = database_key(forms)
        names = (f"{key}.hsdb", f"{key}.json")
        held = _LOADED.get(key)
        loaded = None
        off = cache.cache_dir() is None
        if held is not None and (off or held[0] is not None and held[0] == cache.signature(*names)):
            # Loaded by this process already, from entries that have not changed since (each session of a
            # long-lived process, `rules diff`'s two sides, the test suite's in-process runs): ~20 ms saved.
            # With the cache off for this command (it lies in a folder the command reads) the database
            # loaded before is still the one for this key, as a database built before is (_BUILT).
            loaded = (held[1], hs.Scratch(held[1]), set(held[2]), set(held[3]))
        else:
            loaded = _load_cached(key, hs, len(forms))
            if loaded is not None:
                cache.remember(_LOADED, key, (cache.signature(*names), loaded[0], frozenset(loaded[2]),
                                              frozenset(loaded[3])), _KEPT)
        if loaded is not None:
            self._db, self._scratch, self._by_end, left = loaded
        elif key in _BUILT:
            # Built already in this process (the other side of a `rules diff` whose cues did not change, an
            # overlay and its base, a run with the cache off): the same bytes, put back in the cache too.
            blob, layout = _BUILT[key]
            self._db = hs.loadb(blob, hs.HS_MODE_BLOCK)
            self._scratch = hs.Scratch(self._db)
            self._by_end, left = set(layout["by_end"]), set(layout["left_out"])
            _store_cached(key, blob, layout)
        else:
            _say_compiling(len(patterns))
            chosen_from = [dataclasses.replace(p, regex=form) for p, form in zip(patterns, forms)]
            self._db, chosen = _build_database(hs, chosen_from, som, plain)
            self._by_end = {pid for pid, flag in chosen.items() if flag == plain}
            left = {p.pid for p in patterns} - set(chosen)
            self._scratch = hs.Scratch(self._db)
            layout = {"by_end": sorted(self._by_end), "left_out": sorted(left)}
            cache.remember(_BUILT, key, (hs.dumpb(self._db), layout), _KEPT)
            _store_cached(key, *_BUILT[key])
        # Patterns hyperscan can say occur but not where they start, or cannot run at all: RE2 does those (it
        # takes the cues as written and makes its own scan forms).
        needs_re2 = [p for p in patterns if p.pid in self._by_end or p.pid in left]
        self._re2 = _Re2Engine(needs_re2) if needs_re2 else None
        self._forms = {p.pid: forms[i] for i, p in enumerate(patterns) if p.pid in self._by_end}  # widths: when needed
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
            self._starts_by_re2(data, ends, out)
        if self._left and self._re2 is not None:
            for pid in self._left:
                out.extend(self._re2.spans(pid, data))
        return out

    def _starts_by_re2(self, data: bytes, ends: list[tuple[int, int]], out: list[tuple[int, int, int]]) -> None:
        """RE2's matches of the patterns hyperscan ran without starts, found only around the ends hyperscan saw.

        A match ending at `end` starts on its line and at most the pattern's widest match before `end`, so
        RE2 searches [that start, end], one region per run of overlapping windows. RE2 sees the text around
        a region (for \\b, ^ and $) and each match lies inside one region, so the matches are those a search
        of the whole line finds; a report that is one 5 MB line costs its hits, not a pass per pattern."""
        ends.sort()
        spans, forms = self._re2.spans, self._forms
        for pid, group in itertools.groupby(ends, key=lambda hit: hit[0]):
            width = _widest_match(forms[pid])
            region_lo = region_hi = -1
            line_lo = searched = 0
            for _, end in group:
                if width is None:  # unbounded: from the line's start (found once per line, ends ascending)
                    nl = data.rfind(b"\n", searched, end)
                    if nl >= 0:
                        line_lo = nl + 1
                    searched, lo = end, line_lo
                else:
                    lo = max(end - width, 0)
                    nl = data.rfind(b"\n", lo, end)
                    if nl >= 0:
                        lo = nl + 1
                if lo <= region_hi:
                    region_hi = end
                    continue
                if region_hi >= 0:
                    out.extend(spans(pid, data, region_lo, region_hi))
                region_lo, region_hi = lo, end
            out.extend(spans(pid, data, region_lo, region_hi))


@functools.lru_cache(maxsize=4096)
def _widest_match(regex: str) -> int | None:
    """The most characters a match of this regex can span, or None when unbounded or not known for sure.

    Python's parser measures it; a construct it reads otherwise than RE2 (POSIX classes, \\p, \\C, and
    "{,n}", a repeat to Python but the literal text "{,n}" to RE2) is not measured, and None only costs a
    longer search."""
    if any(t in regex for t in ("[:", "\\p", "\\P", "\\C", "\\Q", "\\x{", "{,")):
        return None
    try:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                from re import _parser as parser  # Python 3.11+
            except ImportError:  # pragma: no cover - Python 3.10
                import sre_parse as parser  # type: ignore[no-redef]
            widest = parser.parse(regex).getwidth()[1]
    except Exception:  # noqa: BLE001 - a regex Python cannot read (RE2 can): measured as unknown
        return None
    return widest if widest < 1 << 20 else None


def _say_compiling(count: int) -> None:
    """A first run (or the first after a rule edit) compiles for several seconds before the first report; at a
    terminal, say why rather than look stuck. Never in a pipe or CI log, whose output stays byte-identical."""
    import sys

    try:
        if sys.stderr is not None and sys.stderr.isatty():
            print(f"lii-check: compiling the rulebook's {count} cue patterns (once per rulebook edit, a few "
                  "seconds)…", file=sys.stderr, flush=True)
    except (OSError, ValueError):
        pass


def database_key(forms: list[str]) -> str:
    """The cache key of the database of these patterns (their scan forms, in pid order): what the database
    holds depends on the patterns, the machine (hyperscan tunes a database to the CPU) and which get starts."""
    return "hs-" + cache.key(_platform_identity(), _STARTS_POLICY, json.dumps(forms))


def _compiles(hs, patterns: list[Pattern], flags: dict[int, int]):
    """The database of these patterns, each with its flags; None when hyperscan refuses any of them."""
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[p.regex.encode() for p in patterns], ids=[p.pid for p in patterns],
                   elements=len(patterns), flags=[flags[p.pid] for p in patterns])
    except Exception:  # noqa: BLE001 - hyperscan.error: some pattern here cannot be compiled this way
        return None
    return db


_TRIAL_GROUP = 32  # patterns tried together before one by one

# A counted repeat with a range ("(?:[\w-]+ ){0,4}?", "[^.;\n]{0,40}?"): the word gaps of attribution and
# shortfall cues. Hyperscan pays dearly to know where such a match starts (it tracks every start the gap
# allows): about 60 of the bundled 900 patterns doubled the scan of a whole corpus. Compiled without
# starts, they cost what the others do, and RE2 finds the starts on the few lines where they matched.
_RANGED_REPEAT = re.compile(r"(?<!\\)\{\d*,\d*\}")


_STARTS_POLICY = "starts-2"  # change it whenever _start_is_costly changes: cached databases are then rebuilt


def _start_is_costly(regex: str) -> bool:
    return _RANGED_REPEAT.search(regex) is not None


def _build_database(hs, patterns: list[Pattern], som: int, plain: int) -> tuple[object, dict[int, int]]:
    """The database of every pattern hyperscan can run, and pid -> the flags each was compiled with:
    with its start (SOM) where it can, else its end only. A pattern missing from the answer cannot run
    in hyperscan at all (RE2 runs it).

    A compile error does not say which expression failed, and a trial compile costs about what the
    pattern adds to the whole database, so trials are kept to the patterns that may fail: first all
    patterns at once (nearly always enough); then the regex cues, in groups of _TRIAL_GROUP and one by
    one in a group that fails, phrases (a fixed, simple form) assumed to compile; only if the whole still
    fails, every pattern so. What single regex cues were found to do is remembered in the cache, so an
    edit that adds 1,000 phrases costs two compiles of the whole, not 1,872 trial compiles besides."""
    def preferred(p: Pattern) -> int:
        return plain if _start_is_costly(p.regex) else som

    flags = {p.pid: preferred(p) for p in patterns}
    db = _compiles(hs, patterns, flags)
    if db is not None:
        return db, flags
    # What earlier builds found out about single regex cues (the edit that added 1,000 phrases left the
    # regex cues as they were): known verdicts are used, only new cues are tried.
    known = _known_verdicts()
    names = {"som": som, "plain": plain}
    unknown = []
    for p in patterns:
        verdict = known.get(p.regex) if p.cue.kind != "phrase" else None
        if verdict in names:
            flags[p.pid] = preferred(p) if verdict == "som" else names[verdict]
        elif verdict == "none":
            flags.pop(p.pid)
        elif p.cue.kind != "phrase":
            unknown.append(p)
    if not unknown:
        db = _compiles(hs, [p for p in patterns if p.pid in flags], flags)
        if db is not None:
            return db, flags
    for suspects in ((unknown, patterns) if unknown else (patterns,)):
        for i in range(0, len(suspects), _TRIAL_GROUP):
            group = suspects[i:i + _TRIAL_GROUP]
            if len(group) > 1 and _compiles(hs, group, {p.pid: preferred(p) for p in group}) is not None:
                flags.update((p.pid, preferred(p)) for p in group)
                continue
            for p in group:  # a refusal comes early in a compile: finding the one refused is cheap
                flag = _hyperscan_flag(p.regex, preferred(p), plain)
                if flag is None:
                    flags.pop(p.pid, None)
                else:
                    flags[p.pid] = flag
        kept = [p for p in patterns if p.pid in flags]
        db = _compiles(hs, kept, flags)
        if db is not None:
            _remember_verdicts(known, {p.regex: ("som" if flags.get(p.pid) == som else "plain" if p.pid in flags
                                                 else "none") for p in suspects if p.cue.kind != "phrase"})
            return db, flags
    # Every pattern compiles alone but not together (a database too large): say so as hyperscan does.
    db = hs.Database(mode=hs.HS_MODE_BLOCK)
    db.compile(expressions=[p.regex.encode() for p in kept], ids=[p.pid for p in kept], elements=len(kept),
               flags=[flags[p.pid] for p in kept])
    return db, flags


@functools.lru_cache(maxsize=1)
def _platform_identity() -> str:
    """What a compiled hyperscan database depends on besides its patterns: hyperscan's version, the
    platform, and the CPU it was tuned for (a CI cache may be restored on another kind of runner)."""
    import platform

    import hyperscan as hs

    cpu = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                name, _, value = line.partition(":")
                if name.strip() in ("model name", "flags", "vendor_id", "cpu family", "model"):
                    cpu += "|" + " ".join(value.split())
                if not line.strip():
                    break  # the first processor says it for all
    except OSError:
        # Only here: on Linux platform.processor() starts `uname -p` (~5 ms on every run) and says less.
        cpu = platform.processor()
    return "|".join([getattr(hs, "__version__", ""), platform.system(), platform.machine(),
                     platform.python_implementation(), cpu])


def _verdicts_name() -> str:
    return "hs-verdicts-" + cache.key(_platform_identity()) + ".json"


def _known_verdicts() -> dict[str, str]:
    """regex -> "som", "plain" or "none": how single regex cues compiled before on this platform."""
    data = cache.read(_verdicts_name())
    try:
        known = json.loads(data) if data is not None else {}
    except ValueError:
        return {}
    return {k: v for k, v in known.items() if isinstance(v, str)} if isinstance(known, dict) else {}


def _remember_verdicts(known: dict[str, str], found: dict[str, str]) -> None:
    if found and any(known.get(k) != v for k, v in found.items()):
        # Bounded: a folder of rulebooks edited for years should not grow one file without end.
        merged = dict(list({**known, **found}.items())[-20_000:])
        cache.write(_verdicts_name(), json.dumps(merged, sort_keys=True).encode())


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


# Databases compiled in this process, by cache key: compiling the bundled cues takes ~5 s of CPU, and the
# on-disk cache may be off, full of others' entries or in a corpus (then not used at all).
_BUILT: dict[str, tuple[bytes, dict]] = {}
_KEPT = 4  # databases of each kind kept per process (~14 MB each): a rulebook and an overlay, both sides of a diff


# Databases loaded from the cache in this process, by cache key, with the entries' signature when loaded
# (cache.signature): a damaged or rewritten entry has another signature, and is read (and repaired) again.
_LOADED: dict[str, tuple[tuple | None, object, frozenset[int], frozenset[int]]] = {}


def _load_cached(key: str, hs, count: int) -> tuple[object, object, set[int], set[int]] | None:
    """(database, scratch, by_end, left_out) from the cache, or None when there is no usable entry.

    Anything wrong with an entry (truncated, from another hyperscan or CPU, a layout of another shape)
    means rebuilding it: the cache costs time, never a run."""
    blob, layout = cache.read(f"{key}.hsdb"), cache.read(f"{key}.json")
    if blob is None or layout is None:
        return None
    try:
        data = json.loads(layout)
        by_end, left = set(data["by_end"]), set(data["left_out"])
        if not all(type(pid) is int and 0 <= pid < count for pid in by_end | left):
            return None
        if data.get("digest") != _entry_digest(blob, data):
            return None  # a layout that is not the one stored with this database (edited, or half of another pair)
        db = hs.loadb(blob, hs.HS_MODE_BLOCK)
        return db, hs.Scratch(db), by_end, left
    except Exception:  # noqa: BLE001 - any damage at all: build it again and overwrite the entry
        return None


def _entry_digest(blob: bytes, layout: dict) -> str:
    """What ties a stored layout to its database: a layout that parses but says the wrong patterns run without
    starts (`{"by_end": [], "left_out": []}`) silently changed every later reading."""
    digest = hashlib.sha256(blob)
    digest.update(json.dumps([sorted(layout["by_end"]), sorted(layout["left_out"])]).encode())
    return digest.hexdigest()


def _store_cached(key: str, blob: bytes, layout: dict) -> None:
    cache.write(f"{key}.json", json.dumps({**layout, "digest": _entry_digest(blob, layout)}).encode())
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
        self._reference: _Re2Engine | None = None  # RE2 over every pattern, for _refind; built when first needed
        have = available_engines()
        if engine == "auto":
            engine = have[0] if have else "none"
        if engine not in have:
            raise RuntimeError(
                "no linear-time regex engine is installed: lii-check needs the 'hyperscan' or the "
                "'google-re2' package (pip install google-re2)" if engine == "none" else
                f"the matcher engine '{engine}' is not installed here")
        if engine == "hyperscan":
            try:
                self._engine = _HyperscanEngine(patterns)
            except Exception as exc:  # noqa: BLE001 - hyperscan.error: the cues together exceed what it can build
                # Every cue compiles alone (they were tried one by one) but not all together: RE2 runs them
                # all, slower and the same, rather than the run ending in "internal error".
                if "re2" not in have:
                    raise RuntimeError(f"hyperscan cannot compile this rulebook's cues together ({exc}), and RE2, "
                                       "which could run them, is not installed: pip install google-re2, or "
                                       "remove cues") from None
                engine = "re2"
                self._engine = _Re2Engine(patterns)
        else:
            self._engine = _Re2Engine(patterns)
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
        kept_line = [0] * len(unless)  # per pattern, the line of that match
        one_start_per_end = self.engine == "hyperscan"
        refind: set[tuple[int, int]] = set()
        line, line_start, line_end = 0, 0, ends[0] if ends else 0
        last_line = len(ends) - 1
        hits = out[0] if ends else []
        with_unless: set[int] = set()
        for start, neg_end, pid in raw:
            if start < last_end[pid]:
                # Inside this pattern's previous (longer or earlier) match. Hyperscan gives each end only its
                # leftmost start, so a match ending here that starts after that previous match may be hidden
                # behind this one ("incidents" behind "from incidents" after "learning from"): that line is
                # searched again for this pattern below.
                if one_start_per_end and -neg_end > last_end[pid]:
                    refind.add((kept_line[pid], pid))
                continue
            if start > line_end and line < last_line:
                while start > line_end and line < last_line:
                    line += 1
                    line_start, line_end = line_end + 1, ends[line]
                hits = out[line]
            end = -neg_end
            if end > line_end:
                continue  # runs into the next sentence: no match (a shorter one may follow)
            last_end[pid] = end
            kept_line[pid] = line
            hits.append((start - line_start, end - line_start, pid))
            if unless[pid]:
                with_unless.add(line)
        if refind:
            self._refind(text, ends, out, refind)
            with_unless.update(i for i, pid in refind if unless[pid])
        for i in with_unless:
            out[i] = self._apply_unless(out[i])
        return out

    def _refind(self, text: str, ends: list[int], out: list[list[tuple[int, int, int]]],
                refind: set[tuple[int, int]]) -> None:
        """Replace a pattern's hits on a line by RE2's leftmost-longest matches there (the reference), for the
        (line, pattern) pairs where hyperscan's single start per end may have hidden one. Rare: a few per
        report, where one match of an alternation ends where an overlapping one does."""
        if self._reference is None:
            self._reference = _Re2Engine(self.patterns)  # compiles only the patterns asked for
        data = text.encode("ascii")
        for line, pid in sorted(refind):
            lo = ends[line - 1] + 1 if line else 0
            found = [(s - lo, -neg_end - lo, pid) for s, neg_end, _ in self._reference.spans(pid, data, lo, ends[line])]
            merged = [h for h in out[line] if h[2] != pid] + found
            merged.sort(key=lambda h: (h[0], -h[1], h[2]))  # the order the scan appends them in
            out[line] = merged

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
