"""The scan form of a cue (matcher.scan_form): the regex as the engines run it, rewritten so that fewer
matches are reported only to be thrown away. It must find exactly the matches the cue as written finds
within a line of folded text; these tests hold it to that on every bundled cue over real report text, and
show what it rewrites and what it leaves alone."""
from __future__ import annotations

from bisect import bisect_right
from pathlib import Path

import pytest

from lii_check.matcher import fold, scan_form
from lii_check.parser import read_report

re2 = pytest.importorskip("re2")
ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("written, scanned", [
    (r"\bcomplain\w*", r"\bcomplain\w*\b"),  # one end per word, not one per letter after "complain"
    (r"\bco[\s-]?produc\w+", r"\bco[ -]?produc\w+\b"),
    (r"\.\s", r"\. "),  # no longer matches at every full stop before the line break
    (r"\bstaff\b[^.;]{0,40}?\bsaid\b", r"\bstaff\b[^.;\n]{0,40}?\bsaid\b"),
    (r"a\Wb\Dc", r"a[^\w\n]b[^\d\n]c"),
    (r"[^\s]x", r"[^\s\n]x"),  # \s in a negated class already leaves the line break out
    (r"[]a]\s", r"[]a] "),  # a leading "]" is a literal, not the end of the class
    (r"[^]a]\s", r"[^]a\n] "),
    (r"[[:alpha:]\s]+", r"[[:alpha:] ]+"),
    (r"[^[:alpha:]\s]+", r"[^[:alpha:]\s\n]+"),  # a POSIX class's "]" does not end the class
    (r"a\\s", r"a\\s"),  # an escaped backslash and a letter s
    (r"a\\w*", r"a\\w*"),  # a backslash and w*: not a word run
    (r"\d\w*", r"\d\w*"),  # "\d" may be followed by more digits: only a literal letter or digit qualifies
    (r"(?:ing|ed)\w*", r"(?:ing|ed)\w*"),
    (r"on-\w*", r"on-\w*"),  # "on-" then nothing is a match that "\b" would refuse
])
def test_what_is_rewritten_and_what_is_not(written, scanned):
    assert scan_form(written) == scanned


@pytest.mark.parametrize("regex", [r"(?x)a \s b", r"(?s)a.\sb", r"(?is)a\sb", r"\Qa\s\E", r"[\W]\s", r"[a\s"])
def test_what_it_does_not_fully_understand_is_left_as_written(regex):
    assert scan_form(regex) == regex


def _lines() -> list[str]:
    """Every sentence of the real seed reports and the synthetic ones, folded, one a line, plus lines made to
    sit a match against a line end."""
    lines = []
    for folder in ("seeds", "synthetic", "heldout"):
        for path in sorted((ROOT / "fixtures" / folder).glob("*.*")):
            if path.suffix in (".txt", ".md"):
                report = read_report(path, path.name)
                lines += [fold(s.text) for sec in report.sections for p in sec.paragraphs for s in p.sentences]
    return lines + ["complaints. ", "co-", "co-production", "waits above average.", "not only, but also"]


def _spans(compiled, line: str) -> list[tuple[int, int]]:
    return [m.span() for m in compiled.finditer(line) if m.end() > m.start()]


def test_every_bundled_cue_finds_the_same_matches_in_its_scan_form(compiled):
    options = re2.Options()
    options.case_sensitive = False
    options.longest_match = True
    lines = _lines()
    text = "\n".join(lines)
    starts, at = [], 0
    for line in lines:
        starts.append(at)
        at += len(line) + 1
    rewritten = 0
    for p in compiled.matcher.patterns:
        form = scan_form(p.regex)
        if form == p.regex:
            continue
        rewritten += 1
        written, scanned = re2.compile("(?m)" + p.regex, options), re2.compile("(?m)" + form, options)
        # The lines either form matches anything on (one pass over the whole text each), then line by line.
        touched = {bisect_right(starts, m.start()) - 1 for c in (written, scanned) for m in c.finditer(text)}
        for k in sorted(touched):
            assert _spans(written, lines[k]) == _spans(scanned, lines[k]), (p.regex, lines[k])
    assert rewritten > 300  # most cues have a \s, a negated class or a word run at their end
