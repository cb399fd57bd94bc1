"""The matcher (engine/matcher.py) on a few hand-made patterns: folding to ASCII, leftmost-longest
non-overlapping matches per pattern, lines, `unless` cues, hyperscan's patterns without a start (re-run
with RE2) and those it cannot run at all, and its cache. Both engines must give exactly the same hits.
Fast: no rulebook; the patterns are compiled afresh (no cache) so the compiling code runs every time.
"""
from __future__ import annotations

import json
import sys

import pytest

from lii_check import matcher as matcher_module
from lii_check.matcher import Matcher, Pattern, _SpanIndex, available_engines, fold, fold_regex, scan_form
from lii_check.rulebook.model import Cue

ENGINES = available_engines()
# A bounded gap hyperscan can find but not give the start of (as the rulebook's 'above average' cues).
NO_START = r"\bwait\w*\b[^.;]{0,60}?\babove (?:[\w-]+ ){0,2}?average\b"
UNGREEDY = r"(?U)\bsome\w*"  # hyperscan refuses the ungreedy flag: RE2 runs it alone


@pytest.fixture(autouse=True)
def _no_cache(monkeypatch):
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")


def pattern(pid: int, regex: str, group: int = 0, unless: bool = False) -> Pattern:
    return Pattern(pid, "signal", f"owner{group}", pid, group, unless, regex, Cue(regex, "regex", regex, "t.yaml", pid + 1))


def matcher(engine: str, *regexes: str) -> Matcher:
    return Matcher([pattern(i, r) for i, r in enumerate(regexes)], engine)


engines = pytest.mark.parametrize("engine", ENGINES)


# --- folding --------------------------------------------------------------------------------------------

def test_plain_ascii_is_returned_as_it_is():
    text = "Staff said supervision was regular."
    assert fold(text) is text


def test_folding_keeps_one_character_for_one():
    original = "Caf\u00e9 \u2018ok\u2019 \u201cfine\u201d \u2013 \u00a0\u0661\uff46 \u03bb\u0301 \u20ac \u249c \ufb01 \u241c"
    folded = fold(original)
    assert folded == "Cafe 'ok' \"fine\" -  1f xx # a x #"
    assert len(folded) == len(original)


def test_control_characters_fold_to_a_symbol_and_whitespace_to_a_space():
    assert fold("a\x7fb\tc\x01d\ne") == "a#b c#d e"
    assert fold("\u2028\u2003x") == "  x"
    assert fold("a\x80b\x9f") == "a#b#"  # the C1 controls, just above ASCII


def test_a_cue_s_non_ascii_characters_fold_like_the_text():
    assert fold_regex("caf\u00e9\\b") == "cafe\\b"
    regex = "\\bcafe\\b"
    assert fold_regex(regex) is regex


# --- what a scan finds ------------------------------------------------------------------------------------

@engines
def test_each_pattern_s_matches_are_leftmost_longest_and_do_not_overlap(engine):
    m = matcher(engine, r"a+", r"\baa\b", r"b|ba+")
    assert m.scan("aaa baa") == [(0, 3, 0), (4, 7, 2), (5, 7, 0)]


@engines
def test_matching_ignores_case(engine):
    assert matcher(engine, r"\bstaff said\b").scan("STAFF Said so") == [(0, 10, 0)]


@engines
def test_empty_matches_are_no_hits_wherever_they_fall(engine):
    text = "x" * 300 + " then y"
    assert matcher(engine, r"y*", r"\by\b").scan(text) == [(306, 307, 0), (306, 307, 1)]


@engines
def test_hits_are_per_line_with_offsets_from_the_line_start(engine):
    m = matcher(engine, r"^however\b", r"\bcd\b", r"\nef", r"b\ncd")
    text = "ab\ncd\nhowever ef"
    assert m.scan_lines(text, [2, 5, 16]) == [[], [(0, 2, 1)], [(0, 7, 0)]]
    # A match starting on a line break, or running over one, belongs to no line.
    assert m.scan_lines("ab\ncd\nef", [2, 5, 8]) == [[], [(0, 2, 1)], []]
    assert matcher(engine, r"\nef").scan_lines("ab\ncd\nef", [2, 5, 8]) == [[], [], []]


# RE2 finds non-overlapping matches over the whole text; it keeps the shorter in-line match only because the
# scan form (matcher.scan_form) cannot cross a line break: with `\s` as written it found nothing here.
@engines
def test_a_match_running_into_the_next_line_is_dropped_but_a_shorter_one_is_kept(engine):
    m = matcher(engine, r"\bno\b(?:\s+\w+)?")
    assert m.scan_lines("there was no\nplan", [12, 17]) == [[(10, 12, 0)], []]


@engines
def test_lines_without_hits_and_no_lines(engine):
    m = matcher(engine, r"\bz\b")
    assert m.scan_lines("a\nb\nc z\nd", [1, 3, 7, 9]) == [[], [], [(2, 3, 0)], []]
    assert m.scan_lines("", []) == []
    assert m.scan("") == []


@engines
def test_an_unless_cue_cancels_the_hits_of_its_own_block_that_it_overlaps(engine):
    patterns = [pattern(0, r"\bnot\b", group=0), pattern(1, r"\bnot\s+only\b", group=0, unless=True),
                pattern(2, r"\bnot\b", group=1), pattern(3, r"\bonly\b", group=0)]
    m = Matcher(patterns, engine)
    text = "it was not only good; it was not bad"
    assert m.scan(text) == [(7, 10, 2), (29, 32, 0), (29, 32, 2)]
    # Per line: the unless cue of one line cancels nothing on another.
    assert m.scan_lines("not only\nnot", [8, 12]) == [[(0, 3, 2)], [(0, 3, 0), (0, 3, 2)]]


@engines
def test_hits_are_sorted_by_start_then_longest_first_then_pattern(engine):
    m = matcher(engine, r"\bgood\b", r"\bvery good\b", r"\bvery\b")
    assert m.scan("very good") == [(0, 9, 1), (0, 4, 2), (5, 9, 0)]


# --- hyperscan: patterns without a start, patterns it cannot run -------------------------------------------

hyperscan_only = pytest.mark.skipif("hyperscan" not in ENGINES, reason="hyperscan is not installed here")


@hyperscan_only
def test_hyperscan_gives_starts_for_plain_patterns_and_leaves_the_rest_to_re2():
    m = matcher("hyperscan", r"\bstaff\b", NO_START, UNGREEDY)
    assert (m._engine._by_end, m._engine._left) == ({1}, [2])


@pytest.mark.parametrize("engine", ENGINES)
def test_patterns_hyperscan_cannot_start_or_run_find_what_re2_finds(engine):
    m = matcher(engine, r"\bstaff\b", NO_START, UNGREEDY)
    text = ("Waiting times were above the national average; staff said so.\n"
            "Some waits were above average.\nsomething else entirely\nWaits were above average, and waits above average again")
    ends = [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    assert m.scan_lines(text, ends) == [
        [(0, 45, 1), (47, 52, 0)],
        [(0, 4, 2), (5, 29, 1)],
        [(0, 9, 2)],
        [(0, 49, 1)],  # leftmost-longest: the gap may run over the comma
    ]


@hyperscan_only
def test_a_rulebook_whose_every_pattern_has_a_start_is_scanned_by_hyperscan_alone():
    m = matcher("hyperscan", r"a+", r"\bb\b")
    assert (m._engine._by_end, m._engine._left, m._engine._re2) == (set(), [], None)
    assert m.scan("aa b aaa") == [(0, 2, 0), (3, 4, 1), (5, 8, 0)]


def _layout(path) -> dict:
    """A stored layout without the digest that ties it to its database (a SHA-256, checked when read back)."""
    data = json.loads(path.read_text())
    assert len(data.pop("digest")) == 64
    return data


@hyperscan_only
def test_the_compiled_database_is_cached_and_a_damaged_entry_is_rebuilt(tmp_path, monkeypatch):
    monkeypatch.delenv("LII_CHECK_NO_CACHE")
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    regexes = (r"\bstaff\b", NO_START, UNGREEDY)
    text = "Staff waited; waits above average\nsome"
    first = matcher("hyperscan", *regexes)
    names = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("hs-verdicts-"))
    assert len(names) == 2 and names[0].endswith(".hsdb") and names[1].endswith(".json")
    assert names[0].removesuffix(".hsdb") == names[1].removesuffix(".json")
    assert _layout(tmp_path / names[1]) == {"by_end": [1], "left_out": [2]}
    monkeypatch.setattr(sys.modules["hyperscan"], "Database",
                        lambda *a, **k: pytest.fail("compiled again instead of read back"))
    again = matcher("hyperscan", *regexes)
    assert (again._engine._by_end, again._engine._left) == ({1}, [2])
    assert again.scan_lines(text, [33, 38]) == first.scan_lines(text, [33, 38])
    monkeypatch.undo()
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    (tmp_path / names[1]).write_text("{not json")
    rebuilt = matcher("hyperscan", *regexes)
    assert (rebuilt._engine._by_end, rebuilt._engine._left) == ({1}, [2])
    assert _layout(tmp_path / names[1]) == {"by_end": [1], "left_out": [2]}
    (tmp_path / names[0]).unlink()
    assert matcher("hyperscan", *regexes).scan_lines(text, [33, 38]) == first.scan_lines(text, [33, 38])
    assert (tmp_path / names[0]).exists()


# --- choosing an engine ----------------------------------------------------------------------------------

def test_auto_picks_the_first_engine_installed():
    auto = "".join(["au", "to"])  # as read from a file or flag: not the literal of the code
    assert Matcher([pattern(0, "x")], auto).engine == ENGINES[0]
    assert Matcher([pattern(0, "x")]).engine == ENGINES[0]


def test_asking_for_an_engine_that_is_not_installed_says_which(monkeypatch):
    for name in ("pcre", "jit"):
        with pytest.raises(RuntimeError) as caught:
            Matcher([pattern(0, "x")], name)
        assert str(caught.value) == f"the matcher engine '{name}' is not installed here"
    monkeypatch.setattr(matcher_module, "available_engines", lambda: [])
    for name in ("auto", "".join(["no", "ne"])):
        with pytest.raises(RuntimeError) as caught:
            Matcher([pattern(0, "x")], name)
        assert str(caught.value) == ("no linear-time regex engine is installed: lii-check needs the 'hyperscan' or the "
                                     "'google-re2' package (pip install google-re2)")


@hyperscan_only
def test_hyperscan_is_used_when_asked_by_any_string_of_its_name():
    m = Matcher([pattern(0, "x")], "".join(["hyper", "scan"]))
    assert m.engine == "hyperscan" and type(m._engine).__name__ == "_HyperscanEngine"


def test_an_empty_engine_name_is_refused():
    with pytest.raises(RuntimeError) as caught:
        Matcher([pattern(0, "x")], "")
    assert str(caught.value) == "the matcher engine '' is not installed here"


def test_re2_is_used_when_asked_even_with_hyperscan_installed():
    m = Matcher([pattern(0, "x")], "re2")
    assert m.engine == "re2" and type(m._engine).__name__ == "_Re2Engine"


def test_available_engines_are_those_that_import(monkeypatch):
    monkeypatch.setitem(sys.modules, "hyperscan", None)  # an import of it fails
    assert available_engines() == ["re2"]
    monkeypatch.setitem(sys.modules, "re2", None)
    assert available_engines() == []


# --- the span index behind `unless` ---------------------------------------------------------------------

def test_the_span_index_finds_an_overlap_behind_a_shorter_later_span():
    index = _SpanIndex([(2, 3), (0, 10)])
    assert index.overlaps(4, 6) and index.overlaps(9, 12) and index.overlaps(2, 3)
    assert not index.overlaps(10, 12) and not index.overlaps(12, 14)
    short = _SpanIndex([(5, 7), (0, 3)])
    assert not short.overlaps(3, 5) and short.overlaps(2, 4) and short.overlaps(6, 9) and not short.overlaps(7, 8)
    assert short.max_end == [3, 7]
    three = _SpanIndex([(4, 6), (0, 1), (2, 3)])
    assert three.overlaps(5, 6) and three.overlaps(0, 9) and not three.overlaps(3, 4)


@engines
def test_a_match_may_start_where_the_last_one_of_its_pattern_ended(engine):
    assert matcher(engine, r"ab").scan("abab ab") == [(0, 2, 0), (2, 4, 0), (5, 7, 0)]


def test_re2_spans_are_those_inside_the_window():
    re2_engine = matcher("re2", NO_START)._engine
    text = "waits above average waits above average"
    assert re2_engine.spans(0, text) == [(0, -39, 0)]  # leftmost-longest over the whole text
    assert re2_engine.spans(0, text, 0, 19) == [(0, -19, 0)]
    assert re2_engine.spans(0, text, 20) == [(20, -39, 0)]


@hyperscan_only
def test_start_less_matches_are_found_again_on_their_own_line_only():
    # Each re-run with RE2 covers exactly the line where hyperscan saw a match end: starting earlier (the line
    # before, with its 'waited') or ending later (the next line) would find a longer match over the line
    # break instead, which belongs to no line.
    # "(?s)": scan_form leaves these as written, so "[^.;]" and "\s" can take a line break as a user's own regex
    # can (scan_form's "[^.;\n]" would hide a re-run window that is too wide: no match could cross a line).
    m = matcher("hyperscan", "(?s)" + NO_START, "(?s)^ ?" + NO_START, r"(?s)\s" + NO_START)
    assert m._engine._by_end == {0, 1, 2}
    text = ("Staff said they waited\nwaits above average\nwaits above average; waits above the average\nno\n"
            "waits above average waits above average\nwaits above average")
    ends = [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    assert m.scan_lines(text, ends) == [
        [],
        [(0, 19, 0), (0, 19, 1)],
        [(0, 19, 0), (0, 19, 1), (20, 44, 2), (21, 44, 0)],
        [],
        [(0, 39, 0), (0, 39, 1), (19, 39, 2)],
        [(0, 19, 0), (0, 19, 1)],
    ]


@hyperscan_only
@pytest.mark.parametrize("before", ["", "x", "xy", "xyz"])
def test_a_start_less_match_is_found_again_from_its_line_s_first_character(before):
    # Whatever the position of the line break before it (first character, odd or even), the re-run starts
    # just after it: starting on the break, `\s` would match it and run a match in from the line before.
    m = matcher("hyperscan", r"(?s)\s" + NO_START)  # "(?s)": left as written by scan_form, "\s" takes "\n"
    text = before + "\nwaits above average waits above average"
    assert m.scan_lines(text, [len(before), len(text)]) == [[], [(19, 39, 0)]]


@engines
def test_an_unless_cue_alone_on_a_line_is_no_hit(engine):
    m = Matcher([pattern(0, r"\bgood\b"), pattern(1, r"\bno\s+doubt\b", unless=True)], engine)
    assert m.scan_lines("no doubt\ngood", [8, 13]) == [[], [(0, 4, 0)]]


def test_a_pattern_cannot_be_changed_once_made():
    # The compiled rulebook (and its patterns) is shared by every report of a run and kept in the cache.
    import dataclasses

    with pytest.raises(dataclasses.FrozenInstanceError):
        pattern(0, "x").regex = "y"


@hyperscan_only
@pytest.mark.parametrize("layout", [{"by_end": [99], "left_out": [2]}, {"by_end": [1], "left_out": [99]},
                                    {"by_end": [-1], "left_out": [2]}, {"by_end": ["1"], "left_out": [2]}])
def test_a_cached_layout_naming_patterns_the_matcher_lacks_is_rebuilt(tmp_path, monkeypatch, layout):
    monkeypatch.delenv("LII_CHECK_NO_CACHE")
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    regexes = (r"\bstaff\b", NO_START, UNGREEDY)
    matcher("hyperscan", *regexes)
    [entry] = [p for p in tmp_path.iterdir() if p.name.endswith(".json") and not p.name.startswith("hs-verdicts-")]
    entry.write_text(json.dumps(layout))
    rebuilt = matcher("hyperscan", *regexes)
    assert (rebuilt._engine._by_end, rebuilt._engine._left) == ({1}, [2])
    assert _layout(entry) == {"by_end": [1], "left_out": [2]}


@hyperscan_only
@pytest.mark.parametrize("tty", [True, False])
def test_a_compile_says_so_at_a_terminal_only(monkeypatch, tty):
    import io

    class Stderr(io.StringIO):
        def isatty(self) -> bool:
            return tty

    err = Stderr()
    monkeypatch.setattr(sys, "stderr", err)
    matcher("hyperscan", rf"\bcompile me {tty}\b", NO_START)  # patterns of its own: never one built already
    assert err.getvalue() == ("lii-check: compiling the rulebook's 2 cue patterns (once per rulebook edit, a few "
                              "seconds)…\n" if tty else "")


@hyperscan_only
def test_a_database_loaded_once_is_kept_while_its_cache_entry_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    reads = []
    real = matcher_module._load_cached
    monkeypatch.setattr(matcher_module, "_load_cached", lambda *a: reads.append(a[0]) or real(*a))
    regexes = (r"\bkept once\b", NO_START)
    first = matcher("hyperscan", *regexes)  # compiled and stored
    second = matcher("hyperscan", *regexes)  # read from the cache
    third = matcher("hyperscan", *regexes)  # the same entry, unchanged: not read again
    assert len(reads) == 2 and third._engine._db is second._engine._db
    [entry] = tmp_path.glob("hs-*.hsdb")
    entry.write_bytes(b"damaged")  # another signature: read again, found damaged, rebuilt and stored
    fourth = matcher("hyperscan", *regexes)
    assert len(reads) == 3 and entry.read_bytes() != b"damaged"
    text = "we waited; waits above the regional average were kept once"
    assert fourth.scan(text) == first.scan(text) == [(11, 43, 1), (49, 58, 0)]


@hyperscan_only
def test_a_process_keeps_only_its_last_few_databases(monkeypatch):
    # ~14 MB each for a whole rulebook: a long-lived process (the test suite, a rules diff of many revisions)
    # must not hold every one it ever compiled or loaded.
    monkeypatch.setattr(matcher_module, "_BUILT", {})
    for n in range(matcher_module._KEPT + 2):
        matcher("hyperscan", rf"\bkeep {n}\b")
    assert len(matcher_module._BUILT) == matcher_module._KEPT
    newest = matcher("hyperscan", rf"\bkeep {matcher_module._KEPT + 1}\b")  # still kept: built again from it
    assert newest.scan(f"keep {matcher_module._KEPT + 1}") == [(0, 6, 0)]


@hyperscan_only
@pytest.mark.parametrize("re2_installed", [True, False])
def test_cues_hyperscan_cannot_build_together_run_in_re2_or_are_a_setup_error(monkeypatch, re2_installed):
    import hyperscan

    def too_large(*_args, **_kwargs):
        raise hyperscan.error("Pattern is too large.")

    monkeypatch.setattr(matcher_module, "_build_database", too_large)
    monkeypatch.setattr(matcher_module, "available_engines",
                        lambda: ["hyperscan", "re2"] if re2_installed else ["hyperscan"])
    if re2_installed:
        m = matcher("hyperscan", rf"\bfallback {re2_installed}\b")
        assert m.engine == "re2" and m.scan("a fallback True") == [(2, 15, 0)]
    else:
        with pytest.raises(RuntimeError, match="hyperscan cannot compile this rulebook's cues together"):
            matcher("hyperscan", rf"\bfallback {re2_installed}\b")


# --- word gaps: compiled without starts, found again by RE2 around each end ---------------------------------

GAP = r"\bstaff\b[^.;\n]{0,20}?\bsaid\b"  # widest match: 5 + 20 + 4 characters


def test_the_widest_match_of_a_word_gap_is_measured_and_anything_unsure_is_none():
    assert matcher_module._widest_match(GAP) == 29
    assert matcher_module._widest_match(r"\b(?:a|bcd)(?: [\w-]){0,2} x\b") == 3 + 2 * 2 + 2
    assert matcher_module._widest_match(r"\bab(?: cd){0,3}\b") == 11
    for unsure in (r"\bstaff\w+\b", r"[[:alpha:]]{0,3}", r"\pL{0,3}", r"\Qa{0,3}\E", r"(?<bad", r"\ba{,2}\b"):
        assert matcher_module._widest_match(unsure) is None, unsure


def test_a_ranged_repeat_is_costly_to_start_and_a_fixed_or_escaped_one_is_not():
    assert matcher_module._start_is_costly(GAP)
    assert matcher_module._start_is_costly(r"\ba(?: b){,2}\b")
    assert not matcher_module._start_is_costly(r"\ba{2}\b") and not matcher_module._start_is_costly(r"a\{0,2\}")


@hyperscan_only
def test_word_gap_matches_far_apart_and_close_together_on_one_long_line_are_re2_s():
    # One window per end (the widest match before it, never past the line's start), overlapping windows merged:
    # the matches are those RE2 finds over the whole line, however long it is and wherever they lie.
    m = matcher("hyperscan", GAP, r"\bstaff\b")
    assert m._engine._by_end == {0}
    filler = "and the rest of it " * 40
    line = ("Staff said so; " + filler + "staff, asked, said; staff aa b c d e f g h i said it " + filler + "staff told us. Staff said")
    text = "No staff said\n" + line + "\nstaff said"
    ends = [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    hyper = m.scan_lines(text, ends)
    assert hyper == matcher("re2", GAP, r"\bstaff\b").scan_lines(text, ends)
    said = [(line[a:b], a) for a, b, pid in hyper[1] if pid == 0]
    assert said == [("Staff said", 0), ("staff, asked, said", line.index("staff, asked")),
                    ("staff aa b c d e f g h i said", line.index("staff aa")),  # as wide as a match can be
                    ("Staff said", line.rindex("Staff"))]
    assert [h for h in hyper[0] if h[2] == 0] == [(3, 13, 0)] and [h for h in hyper[2] if h[2] == 0] == [(0, 10, 0)]


@hyperscan_only
def test_an_unbounded_pattern_without_starts_is_found_again_from_its_line_s_start():
    # A gap with an unbounded part has no widest match: its window runs from the start of its line.
    wide = r"\bwait\w*\b[^.;\n]{0,60}?\babove (?:[\w-]+ )*average\b"
    assert matcher_module._widest_match(wide) is None
    m = matcher("hyperscan", wide)
    text = "x\nwaits were above average; waiting was above the national average\nwaits above average"
    ends = [i for i, ch in enumerate(text) if ch == "\n"] + [len(text)]
    assert m.scan_lines(text, ends) == matcher("re2", wide).scan_lines(text, ends) == [
        [], [(0, 24, 0), (26, 64, 0)], [(0, 19, 0)]]


@hyperscan_only
def test_overlapping_windows_are_searched_as_one():
    # Ends at 1, 3, 5 and 7: searched window by window, "a a a" (0-5) would hide the "a" after it.
    m = matcher("hyperscan", r"\ba(?: a){0,2}\b")
    assert m._engine._by_end == {0}
    assert m.scan("a a a a") == matcher("re2", r"\ba(?: a){0,2}\b").scan("a a a a") == [(0, 5, 0), (6, 7, 0)]


@hyperscan_only
def test_a_window_starting_inside_a_word_still_sees_the_word():
    # The window of the match ending at 'said' starts at the 's' of 'restaff'; RE2 reads the 're' before it,
    # so '\bstaff' does not match there.
    text = "restaff x a b c staff ee f said"
    assert len(text) - text.index("staff") == matcher_module._widest_match(GAP)
    assert matcher("hyperscan", GAP).scan(text) == [(16, 31, 0)]


@hyperscan_only
def test_a_window_never_reaches_back_over_its_line_start():
    # "(?s)" keeps the gap able to take a line break (scan_form leaves it as written): a window reaching into
    # the line before would find the longer match over the break, which belongs to no line, and hide this one.
    bounded = r"(?s)\bwaits\b[^.;]{0,20}?\babove average\b"
    assert matcher_module._widest_match(bounded) == 38
    text = "waits\nwaits above average"
    assert matcher("hyperscan", bounded).scan_lines(text, [5, len(text)]) == [[], [(0, 19, 0)]]


@hyperscan_only
def test_a_brace_without_a_lower_bound_is_text_to_both_engines_and_still_found():
    # "{,2}" is a repeat to Python's parser but the literal "{,2}" to RE2 and hyperscan: its width is not
    # taken from Python, so the window is the whole line and the literal match is found.
    m = matcher("hyperscan", r"\bxa{,2}")
    assert m._engine._by_end == {0}
    assert m.scan("xaa xa{,2} x") == matcher("re2", r"\bxa{,2}").scan("xaa xa{,2} x") == [(4, 10, 0)]


@engines
def test_a_shorter_match_ending_where_an_overlapping_one_ends_is_found(engine):
    # "ab" is kept; "bcd" (the leftmost start hyperscan gives the end at 4) overlaps it, but "d" also ends at 4
    # and starts after "ab": RE2 finds it, and hyperscan's side searches the line again to find it too.
    assert matcher(engine, r"ab|bcd|d").scan("abcd") == [(0, 2, 0), (3, 4, 0)]
    assert matcher(engine, r"ab|bcd|d", r"\bzz\b").scan_lines("zz\nabcd", [2, 7]) == [[(0, 2, 1)], [(0, 2, 0), (3, 4, 0)]]


# --- word-gap windows and per-line RE2 at a line start: a match may never start on the line break -----------

@engines
def test_a_gap_cue_that_may_start_with_a_space_never_starts_on_the_line_break(engine):
    # "(?s)\s?" could take the line break before "waits": the window starts after it, and RE2 searches the
    # line alone, so the match is the line's own. The line break sits at an odd offset (1), where "nl ^ 1"
    # and "nl + 1" differ.
    bounded = r"(?s)\s?waits[^.;]{0,5}above"
    unbounded = r"(?s)\s?wait\w*[^.;]{0,5}above"
    for regex in (bounded, unbounded):
        assert matcher(engine, regex).scan_lines("x\nwaits above", [1, 13]) == [[], [(0, 11, 0)]], regex


def test_re2_per_line_search_handles_an_empty_first_line():
    # The first line is empty (the text opens with its line break): searching it must stop at that break.
    assert matcher("re2", r"(?s)\s?ab").scan_lines("\nab", [0, 3]) == [[], [(0, 2, 0)]]


@hyperscan_only
def test_a_held_database_without_a_signature_is_not_reused_while_the_cache_is_on(compiled, tmp_path, monkeypatch):
    # A database held from a load whose entries had no signature (missing just after loading) is read or built
    # again while the cache is on; only with the cache off is a held database reused as it is.
    monkeypatch.delenv("LII_CHECK_NO_CACHE", raising=False)
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(matcher_module, "_BUILT", {})
    monkeypatch.setattr(matcher_module, "_LOADED", {})
    few = [pattern(i, r) for i, r in enumerate((r"\bstaff\b", r"\bsupervision\b"))]
    first = Matcher(few, "hyperscan")
    key = matcher_module.database_key([matcher_module.scan_form(p.regex) for p in few])
    matcher_module._BUILT.clear()  # not built in this process either
    matcher_module._LOADED[key] = (None, first._engine._db, frozenset(), frozenset())
    for name in (f"{key}.hsdb", f"{key}.json"):
        (tmp_path / name).unlink()
    builds = []
    real = matcher_module._build_database
    monkeypatch.setattr(matcher_module, "_build_database", lambda *a: builds.append(1) or real(*a))
    Matcher(few, "hyperscan")
    assert builds == [1]


# --- scan_form at its edges: what it does not fully understand is left as written ---------------------------

@pytest.mark.parametrize("regex", [
    r"[[:x]\s",     # a POSIX class never closed inside a class
    r"\sa[",        # a class opened at the very end
    r"\sa[^",       # a negated class opened at the very end
    r"x[]\W]\s",    # a leading "]" is a literal, so "\W" is inside the class: not rewritten
])
def test_scan_form_leaves_what_it_cannot_follow_as_written(regex):
    assert scan_form(regex) == regex


@pytest.mark.parametrize("regex, form", [
    (r"a\w*", r"a\w*\b"),            # the shortest form that ends a word run: one letter and "\w*"
    (r"\\a\w*", r"\\a\w*\b"),        # an escaped backslash before the letter: the letter is a literal
    (r"\\\a\w*", r"\\\a\w*"),        # an odd run of backslashes escapes the letter: left as written
])
def test_a_trailing_word_run_gets_its_word_boundary_only_after_a_literal(regex, form):
    assert scan_form(regex) == form


GAP_FIRST = (NO_START, r"\bstaff\b")  # the word gap is pattern 0


@pytest.fixture
def own_cache(tmp_path, monkeypatch):
    """A cache of this test's own, on, and no database built or loaded by this process yet."""
    monkeypatch.delenv("LII_CHECK_NO_CACHE")
    monkeypatch.setenv("LII_CHECK_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(matcher_module, "_BUILT", {})
    monkeypatch.setattr(matcher_module, "_LOADED", {})
    return tmp_path


@hyperscan_only
def test_a_cached_layout_naming_pattern_zero_is_used_not_rebuilt(own_cache, monkeypatch):
    # pid 0 is a pattern like any other: a layout that names it (here the word gap hyperscan runs without
    # starts) is read from the cache, not thrown away and rebuilt.
    regexes = GAP_FIRST
    assert matcher("hyperscan", *regexes)._engine._by_end == {0}
    matcher_module._BUILT.clear()
    builds = []
    real = matcher_module._build_database
    monkeypatch.setattr(matcher_module, "_build_database", lambda *a: builds.append(1) or real(*a))
    assert matcher("hyperscan", *regexes)._engine._by_end == {0} and builds == []


# --- found by a mutation sample of this session's matcher ---------------------------------------------------

@engines
def test_a_match_one_character_after_an_overlapping_one_is_found(engine):
    # "bc" (hyperscan's start for the end at 3) overlaps "ab", kept; "c" ends one character after "ab" ends.
    assert matcher(engine, r"ab|bc|c").scan("abc") == [(0, 2, 0), (2, 3, 0)]


@hyperscan_only
def test_the_engine_named_by_a_user_s_string_still_searches_hidden_matches_again():
    # The engine's name as typed on a command line is an equal string, not the same object as the literal.
    typed = "".join(["hyper", "scan"])
    assert matcher(typed, r"ab|bcd|d").scan("abcd") == [(0, 2, 0), (3, 4, 0)]


@hyperscan_only
def test_a_database_held_from_the_cache_keeps_which_patterns_have_no_starts(own_cache, monkeypatch):
    # Loaded from the cache, held for the process, used again with the cache off: the word gap (pid 0) is still
    # the pattern RE2 finds the starts of, and nothing is "left out".
    regexes = GAP_FIRST
    matcher("hyperscan", *regexes)
    matcher_module._BUILT.clear()
    matcher("hyperscan", *regexes)  # loaded from the cache, and held
    monkeypatch.setenv("LII_CHECK_NO_CACHE", "1")
    held = matcher("hyperscan", *regexes)
    assert (held._engine._by_end, held._engine._left) == ({0}, [])
    text = "Waits were above the national average and staff said so."
    assert held.scan(text) == matcher("re2", *regexes).scan(text) == [(0, 37, 0), (42, 47, 1)]


def test_a_posix_class_late_in_a_regex_is_followed():
    # The class's closing ":]" is looked for just after its "[:", wherever in the regex it lies.
    assert scan_form(r"\s and then [[:alpha:]]+ at 12") == r"  and then [[:alpha:]]+ at 12"
    assert scan_form(r"\sa[[:digit:]]\s") == r" a[[:digit:]] "
    # two classes side by side, the second "[:" at an offset whose bit 1 is set (14): each ":]" is looked for
    # after its own "[:", never back at the end of the one before
    assert scan_form(r"\sxy[[:alpha:][:digit:]]") == r" xy[[:alpha:][:digit:]]"
