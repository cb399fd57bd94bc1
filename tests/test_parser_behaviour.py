"""The parser's edges, each stated once: where it draws a line and which line number it reports.

Written against the mutants the parser's older tests let through (see CONTRIBUTING.md, "Mutation
testing"): the line numbers in error messages and suppressions, the sentence splitter's abbreviation
rule, the length limits for score and title lines, the front-matter window and the size limit. The
findings text comes from the real seed report 002 (fixtures/seeds/002_c7a78147fca09e56.txt); only the
lines around it are changed.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from lii_check.parser import (DEFAULT_MAX_BYTES, DESCRIPTORS, ReportError, decode_report, parse_report, read_limited,
                              read_report, split_sentences)

from parsed import counted_sentences

REPO = Path(__file__).resolve().parents[1]
SEED = (REPO / "fixtures" / "seeds" / "002_c7a78147fca09e56.txt").read_text("utf-8")
# Two real sentences of seed 002, used as the findings paragraph of the reports built below.
FINDING = ("There was an inclusive and positive culture of continuous learning and improvement. The local "
           "authority fostered a culture where learning and improvement were embedded in everyday practice.")
assert FINDING in SEED


def lines_of(*lines: str) -> str:
    return "\n".join(lines) + "\n"


def refused(text: str) -> ReportError:
    with pytest.raises(ReportError) as info:
        parse_report(text, "r.md")
    return info.value


# --- line numbers in error messages -------------------------------------------------------------------

def test_two_disagreeing_score_lines_name_both_lines_and_point_at_the_second():
    error = refused(lines_of("Learning, improvement and innovation", "", "Score: 3", "", FINDING, "", "Score: 2", ""))
    assert error.line == 7
    assert "line 3 'Score: 3' and line 7 'Score: 2'" in error.message
    assert error.message.startswith("two score lines disagree")


def test_a_label_that_disagrees_names_the_score_line_and_the_label_line():
    error = refused(lines_of("Title", "", "", "Score: 4", "", "3 - Evidence shows a good standard", "", FINDING))
    assert error.line == 6
    assert "line 4 'Score: 4' and line 6 '3 - Evidence shows a good standard'" in error.message
    assert error.message.startswith("the score line and the label line disagree")


@pytest.mark.parametrize("band", [1, 2, 3, 4])
@pytest.mark.parametrize("form", ["Evidence shows {d}", "evidence shows {d}.", "**Evidence shows {d}**",
                                  "Good: Evidence shows {d}", "### Evidence shows {d}"])
def test_the_label_without_its_number_is_the_label_not_findings_text(band, form):
    label = form.format(d=DESCRIPTORS[band])
    report = parse_report(lines_of("Title", "", f"Score: {band}", "", label, "", FINDING), "r.md")
    assert (report.label_score, report.label_line) == (band, 5)
    assert DESCRIPTORS[band] in report.label_text.lower()
    sentences = [s.text for sec in report.sections for p in sec.paragraphs for s in p.sentences]
    assert not any("Evidence shows" in s or "evidence shows" in s for s in sentences)


def test_the_label_without_its_number_that_disagrees_names_both_lines():
    error = refused(lines_of("Title", "", "Score: 4", "", "Evidence shows some shortfalls", "", FINDING))
    assert error.line == 5
    assert "line 3 'Score: 4' and line 5 'Evidence shows some shortfalls'" in error.message


@pytest.mark.parametrize("line", ["Evidence shows a good standard in how the council learns from complaints.",
                                  "Evidence shows a good standard of supervision and some shortfalls.",
                                  "Evidence shows that staff were supported."])
def test_a_findings_sentence_opening_with_evidence_shows_stays_findings_text(line):
    report = parse_report(lines_of("Title", "", "Score: 3", "", line, "", FINDING), "r.md")
    assert report.label_line is None
    assert line in [s.text for sec in report.sections for p in sec.paragraphs for s in p.sentences]


@pytest.mark.parametrize("score_line", ["Score", "## Score", "Score:", "**Score**"])
def test_a_score_under_its_score_line_is_the_score(score_line):
    """The published page, copied, puts "Score" on one line and the number (or the numbered label) under it."""
    report = parse_report(lines_of("Title", "", score_line, "", "2", "", FINDING), "r.md")
    assert (report.awarded_score, report.score_line, report.label_line) == (2, 5, None)
    sentences = [s.text for sec in report.sections for p in sec.paragraphs for s in p.sentences]
    assert sentences[0].startswith("There was an inclusive") and "2" not in sentences
    report = parse_report(lines_of("Title", score_line, "3 - Evidence shows a good standard", FINDING), "r.md")
    assert (report.awarded_score, report.score_line, report.label_score, report.label_line) == (3, 3, 3, 3)


def test_a_score_line_with_nothing_usable_under_it_has_no_score():
    error = refused(lines_of("Title", "", "Score", "", FINDING))
    assert (error.line, error.message) == (3, "the score line has no score: write it as 'Score: 3'")
    error = refused(lines_of("Title", "", "Score", "", "", "", "", "3", "", FINDING))  # too far below to belong to it
    assert error.line == 3
    error = refused(lines_of("Title", "Score", "7", FINDING))
    assert (error.line, error.message) == (3, "the score 7 is outside 1-4: CQC scores run from 1 to 4")


@pytest.mark.parametrize("value", ["0", "5", "9"])
def test_a_label_outside_one_to_four_is_refused_on_its_line(value):
    error = refused(lines_of("Title", "Score: 3", f"{value} - Evidence shows a good standard", "", FINDING))
    assert (error.line, error.message) == (3, f"the score label gives {value}, which is outside 1-4: CQC scores run "
                                               "from 1 to 4, so correct the label")
    # with no score line before it the label is the score line, refused the same way
    error = refused(lines_of("Title", f"{value} - Evidence shows a good standard", "", FINDING))
    assert error.line == 2 and error.message.startswith(f"the score label gives {value}, which is outside 1-4")


@pytest.mark.parametrize("value, message", [
    ("0", "the score 0 is outside 1-4: CQC scores run from 1 to 4"),
    ("5", "the score 5 is outside 1-4: CQC scores run from 1 to 4"),
    ("three", "the score 'three' is not a whole number from 1 to 4"),
    ("", "the score line has no score: write it as 'Score: 3'"),
    ("**", "the score line has no score: write it as 'Score: 3'"),
])
def test_a_bad_score_value_is_refused_on_the_score_line(value, message):
    error = refused(lines_of("Title", "", "", f"Score: {value}", "", FINDING))
    assert (error.line, error.message) == (4, message)


@pytest.mark.parametrize("value", ["1", "4", "3/4", "2 out of 4", "**3**", "3 OUT OF 4"])
def test_every_accepted_spelling_of_a_score(value):
    expected = int(value.strip("*")[0])
    assert parse_report(lines_of("Title", f"Score: {value}", "", FINDING), "r.md").awarded_score == expected


def test_a_score_out_of_another_total_is_not_a_score():
    assert "'3/5' is not a whole number" in refused(lines_of("Title", "Score: 3/5", "", FINDING)).message


def test_a_score_without_findings_points_at_the_score_line():
    error = refused(lines_of("Title", "", "Score: 2", "", "The local authority commitment", "",
                             "We focus on continuous learning, innovation and improvement across our organisation."))
    assert (error.line, error.message) == (3, "the report has a score but no findings text to check")


def test_no_score_line_has_no_line_number():
    error = refused(lines_of("Title", "", FINDING))
    assert error.line is None and error.message.startswith("no score line found")


def test_front_matter_that_is_not_yaml_names_its_lines_and_the_bad_line():
    error = refused(lines_of("---", "synthetic: true", "authority: Holmwood: council", "other: 1", "---", "Score: 3",
                             "", FINDING))
    assert error.message == "the front matter (lines 1-5) is not valid YAML: mapping values are not allowed here"
    assert error.line == 3


def test_text_that_is_not_utf8_names_the_line_of_the_first_bad_byte():
    data = lines_of("Title", "Score: 3", "", "Staff said the caf\xe9 was used for drop-in sessions.").encode("latin-1")
    with pytest.raises(ReportError) as info:
        decode_report(data)
    assert info.value.line == 4 and "byte 0xE9 cannot be decoded" in info.value.message


def test_a_bom_that_lies_names_the_byte_counted_from_the_file_start():
    with pytest.raises(ReportError) as info:
        decode_report(b"\xef\xbb\xbfScore: 3\n\xff")
    assert info.value.message.startswith("the file starts with a UTF-8 byte-order mark but is not valid UTF-8 (byte 12 ")


# --- suppressions -------------------------------------------------------------------------------------

def test_suppressions_carry_the_line_they_are_written_on_and_comments_keep_line_numbers():
    text = lines_of(
        "Title",                                           # 1
        "<!-- a comment that runs",                         # 2
        "over two lines -->",                               # 3
        "Score: 3",                                         # 4
        "",                                                 # 5
        "<!-- lii-check-disable LII-C001: panel agreed -->",  # 6
        FINDING,                                            # 7
        "<!-- LII-CHECK-DISABLE lii.feedback-missing -->",  # 8
    )
    report = parse_report(text, "r.md")
    assert report.suppressions == [(6, "LII-C001", "panel agreed"), (8, "lii.feedback-missing", "")]
    assert report.score_line == 4
    assert [s.line for s in counted_sentences(report)] == [7, 7]


# --- the sentence splitter ----------------------------------------------------------------------------

@pytest.mark.parametrize("word", ["e.g.", "i.e.", "etc.", "Dr.", "Mr.", "Mrs.", "Ms.", "No.", "St.", "vs.", "cf.",
                                  "approx.", "incl."])
def test_a_full_stop_after_an_abbreviation_does_not_end_the_sentence(word):
    text = f"Leaders met partners, {word} Holmwood Trust. Staff agreed."
    assert [s.text for s in split_sentences([(1, text)])] == [
        f"Leaders met partners, {word} Holmwood Trust.", "Staff agreed."]


@pytest.mark.parametrize("word", ["up.", "on.", "it.", "3.", "to.", "do."])
def test_a_full_stop_after_a_short_ordinary_word_or_a_digit_ends_the_sentence(word):
    assert [s.text for s in split_sentences([(1, f"Plans were followed {word} Staff agreed.")])] == [
        f"Plans were followed {word}", "Staff agreed."]


def test_a_single_initial_does_not_end_the_sentence():
    assert [s.text for s in split_sentences([(1, "The review by J. Okafor found gaps. Staff agreed.")])] == [
        "The review by J. Okafor found gaps.", "Staff agreed."]


@pytest.mark.parametrize("end", ["!", "?", ".\"", ".)", ".’"])
def test_other_sentence_ends_and_closing_quotes_end_the_sentence(end):
    assert len(split_sentences([(1, f"Staff said it worked{end} Leaders agreed.")])) == 2


def test_a_full_stop_before_a_lower_case_word_does_not_end_the_sentence():
    assert len(split_sentences([(1, "Staff used the portal at www.example. then it closed.")])) == 1


def test_each_sentence_carries_the_line_of_its_first_word():
    sentences = split_sentences([(10, "   The local authority fostered a culture."), (11, ""),
                                 (12, "Learning was embedded in practice. Staff"), (13, "agreed.  ")])
    assert [(s.text, s.line) for s in sentences] == [
        ("The local authority fostered a culture.", 10),
        ("Learning was embedded in practice.", 12),
        ("Staff agreed.", 12),
    ]


def test_a_sentence_starting_at_the_first_character_of_a_later_line_gets_that_line():
    sentences = split_sentences([(20, "Staff agreed."), (21, "Leaders agreed."), (22, "Partners agreed.")])
    assert [s.line for s in sentences] == [20, 21, 22]


# --- length limits of score, heading and title lines ---------------------------------------------------

def _score_like(length: int) -> str:
    line = "Score: 3 was the panel's view after the review in May"
    return line + "x" * (length - len(line))


def test_a_score_line_is_shorter_than_sixty_characters():
    assert len(_score_like(59)) == 59
    error = refused(lines_of("Title", _score_like(59), "Score: 3", "", FINDING))
    assert error.line == 2 and "is not a whole number" in error.message
    report = parse_report(lines_of("Title", "Score: 3", "", _score_like(60), FINDING), "r.md")
    assert report.awarded_score == 3 and counted_sentences(report)[0].text.startswith("Score: 3 was")


def test_a_second_score_line_of_sixty_characters_is_findings_text():
    report = parse_report(lines_of("Title", "Score: 3", "", FINDING, "", _score_like(60)), "r.md")
    assert counted_sentences(report)[-1].text == _score_like(60)


def test_a_heading_is_shorter_than_120_characters():
    heading = "## " + "L" * 116
    assert len(heading) == 119
    report = parse_report(lines_of("Title", "Score: 3", "", heading, FINDING), "r.md")
    assert [(s.heading, s.line) for s in report.sections] == [("L" * 116, 4)]
    report = parse_report(lines_of("Title", "Score: 3", "", heading + "L", FINDING), "r.md")
    assert [s.heading for s in report.sections] == [None]
    assert counted_sentences(report)[0].text.startswith(heading + "L")


def test_a_title_is_shorter_than_120_characters():
    assert parse_report(lines_of("T" * 118 + ":", "Score: 3", "", FINDING), "r.md").title == "T" * 118
    long = parse_report(lines_of("T" * 120, "Score: 3", "", FINDING), "r.md")
    assert long.title == "(untitled)"
    # The over-long line is text before the score: a paragraph of its own, kept as evidence.
    assert [s.text for s in counted_sentences(long)][0] == "T" * 120


def test_the_first_heading_before_the_score_is_the_title_and_its_repeat_is_dropped():
    report = parse_report(lines_of("# Learning, improvement and innovation", "Score: 3",
                                   "## Learning, improvement and innovation", FINDING,
                                   "## Learning, improvement and innovation", FINDING), "r.md")
    assert report.title == "Learning, improvement and innovation"
    assert [(s.heading, s.line) for s in report.sections] == [(None, None), ("Learning, improvement and innovation", 5)]


def test_a_known_plain_heading_with_a_colon_is_a_section():
    report = parse_report(lines_of("Title", "Score: 3", "Learning from feedback:", FINDING), "r.md")
    assert [(s.heading, s.line) for s in report.sections] == [("Learning from feedback", 3)]


# --- the commitment boilerplate -----------------------------------------------------------------------

def test_the_commitment_paragraph_is_boilerplate_only_when_it_opens_with_the_commitment():
    opening = "We focus on continuous learning, innovation and improvement across our organisation."
    report = parse_report(lines_of("Title", "Score: 3", "", opening, "", FINDING, "", "Staff agreed. " + opening), "r.md")
    assert [p.boilerplate for p in report.sections[0].paragraphs] == [True, False, False]


# --- front matter -------------------------------------------------------------------------------------

def _front(keys: int) -> str:
    return lines_of("---", *(f"k{i}: {i}" for i in range(keys)), "---", "Score: 3", "", FINDING)


def test_front_matter_is_looked_for_in_the_first_eighty_lines_only():
    near = parse_report(_front(78), "r.md")  # closing rule on line 80: front matter, skipped
    assert (near.title, near.score_line) == ("(untitled)", 81)
    far = parse_report(_front(79), "r.md")  # closing rule on line 81: the opening rule was a separator
    assert far.title == "k0: 0" and far.score_line == 82


def test_front_matter_that_is_not_a_mapping_is_text():
    report = parse_report(lines_of("---", "- one", "- two", "---", "Score: 3", "", FINDING), "r.md")
    assert report.title == "- one" and report.score_line == 5


# --- the size limit and decoding ----------------------------------------------------------------------

def test_a_file_of_exactly_the_limit_is_read_and_one_byte_more_is_refused(tmp_path):
    path = tmp_path / "r.md"
    path.write_bytes(b"x" * 100)
    assert read_limited(path, 100) == b"x" * 100
    with pytest.raises(ReportError) as info:
        read_limited(path, 99)
    assert info.value.message.startswith("the file is larger than the limit of 99 bytes (100 bytes or more)")
    big = tmp_path / "big.md"
    big.write_bytes(b"y" * 70_000)  # more than one read of 65536 bytes
    assert read_limited(big, 70_000) == b"y" * 70_000
    assert DEFAULT_MAX_BYTES == 1_048_576


def test_the_size_limit_reads_with_thousands_separators(tmp_path):
    path = tmp_path / "r.md"
    path.write_bytes(b"x" * 1_500)
    with pytest.raises(ReportError, match=r"limit of 1,024 bytes \(1,500 bytes or more\)"):
        read_limited(path, 1_024)


def test_read_report_uses_the_display_path_and_the_limit(tmp_path):
    path = tmp_path / "r.md"
    path.write_text(SEED, "utf-8")
    assert read_report(path, "seeds/002.txt").path == "seeds/002.txt"
    assert read_report(path).path == str(path)
    with pytest.raises(ReportError):
        read_report(path, max_bytes=len(SEED.encode()) - 1)


@pytest.mark.parametrize("data, start", [
    ("Score: 3\n".encode("utf-16-le"), "the file looks like UTF-16 (little-endian)"),
    ("Score: 3\n".encode("utf-16-be"), "the file looks like UTF-16 (big-endian)"),
    (b"\x00\x01\x02\x03PK\x03\x04" * 8, "this looks like a binary file"),
])
def test_text_with_nul_bytes_is_named(data, start):
    with pytest.raises(ReportError) as info:
        decode_report(data)
    assert info.value.message.startswith(start)


def test_line_endings_become_newlines_and_a_bom_character_is_dropped():
    assert decode_report(b"Score: 3\r\nText\rMore\n") == "Score: 3\nText\nMore\n"
    report = parse_report("\ufeffTitle\nScore: 3\n\n" + FINDING, "r.md")
    assert (report.title, report.score_line) == ("Title", 2)


@pytest.mark.parametrize("data, message", [
    (b"   \n\n", "the file is empty: a report needs a score line and findings text"),
    ("\ufeff".encode("utf-8") + "x\x00".encode(), "this looks like a binary file, not a text report (it contains NUL characters)"),
])
def test_empty_and_nul_text(data, message):
    with pytest.raises(ReportError) as info:
        decode_report(data)
    assert info.value.message == message


def test_a_file_of_only_comments_has_no_text():
    assert refused("<!-- nothing -->\n\n").message.startswith("the file has no text")


# --- written against the survivors of the first mutation run ------------------------------------------

def test_the_descriptor_of_every_band_is_the_wording_of_real_label_lines():
    seen = set()
    for folder in ("seeds", "synthetic", "heldout"):
        for path in sorted((REPO / "fixtures" / folder).iterdir()):
            if path.suffix in (".md", ".txt"):
                report = read_report(path)
                if report.label_text:
                    assert DESCRIPTORS[report.label_score] in report.label_text.lower(), path
                    seen.add(report.label_score)
    assert seen == {1, 2, 3, 4}


@pytest.mark.parametrize("data", [
    # NULs in a third of the odd bytes and none of the even ones: not the pattern of UTF-16 text
    b"".join(bytes([65 + i % 20, 0 if i % 3 == 0 else 66]) for i in range(60)),
    # NULs in most even bytes but also in a fifth of the odd ones
    b"".join(bytes([0 if i % 6 else 67, 0 if i % 5 == 0 else 68]) for i in range(60)),
    # the mirror image: NULs in most odd bytes and a fifth of the even ones
    b"".join(bytes([0 if i % 5 == 0 else 68, 0 if i % 6 else 67]) for i in range(60)),
    # exactly a tenth of the other half holds NULs: not "fewer than a tenth"
    b"".join(bytes([0 if i % 10 == 0 else 69, 0]) for i in range(60)),
    b"".join(bytes([0, 0 if i % 10 == 0 else 69]) for i in range(60)),
])
def test_nul_bytes_in_the_wrong_proportions_are_binary_not_utf16(data):
    with pytest.raises(ReportError) as info:
        decode_report(data)
    assert info.value.message == "this looks like a binary file, not a text report (it contains NUL bytes)"


class _Os:
    """The os module as read_limited sees it, with stat and read replaced where a test says so."""

    def __init__(self, stat=None, read=None):
        self._stat, self._read = stat, read

    def __getattr__(self, name):
        return getattr(os, name)

    def stat(self, path):
        return self._stat(path) if self._stat else os.stat(path)

    def read(self, fd, n):
        return self._read(fd, n) if self._read else os.read(fd, n)


def _stat_as(size=None, mode=None):
    def stat(path):
        info = os.stat(path)
        return os.stat_result((info.st_mode if mode is None else mode, info.st_ino, info.st_dev, info.st_nlink,
                               info.st_uid, info.st_gid, info.st_size if size is None else size,
                               int(info.st_atime), int(info.st_mtime), int(info.st_ctime)))
    return stat


def test_reading_never_takes_more_than_the_limit_plus_one_byte(tmp_path, monkeypatch):
    import lii_check.parser as parser
    path = tmp_path / "r.md"
    path.write_bytes(b"z" * 300)
    got = []

    def read(fd, n):  # a source that hands out at most 40 bytes a time, as pipes and /proc files may
        chunk = os.read(fd, min(n, 40))
        got.append(len(chunk))
        return chunk

    # The size is not known in advance (as for /proc files), so only the reading loop can stop at the limit.
    monkeypatch.setattr(parser, "os", _Os(stat=_stat_as(size=0), read=read))
    with pytest.raises(ReportError, match="larger than the limit of 100 bytes"):
        read_limited(path, 100)
    assert sum(got) == 101


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not hasattr(__import__("signal"), "SIGALRM"), reason="POSIX")
def test_a_fifo_swapped_in_after_the_type_check_is_refused_without_waiting(tmp_path, monkeypatch):
    import signal

    import lii_check.parser as parser
    fifo = tmp_path / "r.md"
    os.mkfifo(fifo)
    # stat says "regular file" (the path was a file when checked): only the non-blocking open and the
    # check on the open descriptor stand between lii-check and waiting for a writer forever.
    monkeypatch.setattr(parser, "os", _Os(stat=_stat_as(mode=0o100644)))

    def hung(*_):
        raise TimeoutError("opening the FIFO waited for a writer")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(5)
    try:
        with pytest.raises(ReportError, match="named pipe"):
            read_limited(fifo, 100)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def test_a_rule_after_the_first_line_does_not_start_front_matter():
    report = parse_report(lines_of("Learning, improvement and innovation", "Authority: Holmwood", "---", "Score: 3",
                                   "", FINDING), "r.md")
    assert report.title == "Learning, improvement and innovation"
    assert report.score_line == 4


def test_rules_around_a_score_line_leave_the_text_after_them_intact():
    report = parse_report("---\nScore: 3\n---\n" + FINDING, "r.md")  # no newline at the end
    assert [(s.line, s.text[:20]) for s in counted_sentences(report)] == [
        (4, "There was an inclusi"), (4, "The local authority ")]


def test_front_matter_closed_with_dots_is_not_text():
    report = parse_report(lines_of("---", "synthetic: true", "panel: March", "...", "# The title", "Score: 3", "",
                                   FINDING), "r.md")
    assert (report.title, report.score_line) == ("The title", 6)
    assert not any("synthetic" in s.text or "March" in s.text for s in counted_sentences(report))


def test_a_yaml_error_on_an_odd_line_of_front_matter_is_located():
    error = refused(lines_of("---", "synthetic: true", "panel: March", "authority: Holmwood: council", "other: 1",
                             "---", "Score: 3", "", FINDING))
    assert error.line == 4 and error.message.startswith("the front matter (lines 1-6) is not valid YAML")


def test_two_score_lines_with_the_first_on_an_even_line():
    error = refused(lines_of("Title", "Score: 3", "", FINDING, "", "Score: 4"))
    assert error.line == 6 and "line 2 'Score: 3' and line 6 'Score: 4'" in error.message


def test_a_sentence_starting_on_the_last_character_of_a_line_gets_that_line():
    sentences = split_sentences([(1, "Staff agreed."), (2, "Leaders agreed."), (3, "Partners agreed. A"),
                                 (4, "review followed.")])
    assert [(s.text, s.line) for s in sentences][-1] == ("A review followed.", 3)


def test_front_matter_that_is_not_a_mapping_keeps_the_last_line_as_text():
    report = parse_report("---\n- one\n---\nScore: 3\n\n" + FINDING, "r.md")  # no newline at the end
    assert [s.line for s in counted_sentences(report)] == [6, 6]


STOCK = ("We focus on continuous learning, innovation and improvement across our organisation and the local system. "
         "We encourage creative ways of delivering equality of experience, outcome and quality of life for people. "
         "We actively contribute to safe, effective practice and research.")


def test_only_the_commitment_heading_makes_its_paragraphs_boilerplate():
    for heading in ("What people expect", "Learning from feedback", "Key findings for this quality statement"):
        report = parse_report(lines_of("Title", "Score: 3", "", heading, FINDING), "r.md")
        assert [p.boilerplate for s in report.sections for p in s.paragraphs] == [False], heading
    report = parse_report(lines_of("Title", "Score: 3", "", "The local authority commitment", STOCK, "",
                                   "Key findings for this quality statement", FINDING), "r.md")
    assert [p.boilerplate for s in report.sections for p in s.paragraphs] == [True, False]


def test_only_cqc_s_stock_commitment_text_is_boilerplate_wherever_it_stands():
    """Set aside by its words, not by where it stands: a finding under the commitment heading, or written on after
    the stock words, was never read, so a report could hide its criticism there."""
    def boilerplate(*lines):
        return [p.boilerplate for s in parse_report(lines_of("Title", "Score: 3", "", *lines), "r.md").sections
                for p in s.paragraphs]
    assert boilerplate("The local authority commitment", FINDING) == [False]
    assert boilerplate(STOCK, "", FINDING) == [True, False]  # the stock words without their heading
    assert boilerplate(STOCK.replace("outcome and", "outcome, and"), "", FINDING) == [True, False]  # as a seed has it
    assert boilerplate(STOCK.split(". ")[0] + ". " + FINDING) == [False]  # stock opening, then a finding


def test_the_first_heading_before_the_score_is_the_title_and_a_second_one_a_section():
    report = parse_report(lines_of("# Learning, improvement and innovation", "## Key findings for this quality statement",
                                   "Score: 3", "", FINDING), "r.md")
    assert report.title == "Learning, improvement and innovation"
    assert [(s.heading, s.line) for s in report.sections] == [("Key findings for this quality statement", 2)]


def test_a_missing_file_is_named_in_plain_words(tmp_path):
    with pytest.raises(ReportError) as info:
        read_limited(tmp_path / "gone.md")
    import errno
    assert info.value.message == f"cannot read the file: {os.strerror(errno.ENOENT)}"  # the reason, not "[Errno 2] …"


def test_a_report_opening_with_a_blank_line_has_no_front_matter():
    report = parse_report(lines_of("", "Learning, improvement and innovation", "Authority: Holmwood", "---",
                                   "Score: 3", "", FINDING), "r.md")
    assert report.title == "Learning, improvement and innovation"


def test_an_unclosed_front_matter_rule_keeps_the_last_line_as_text():
    report = parse_report("---\nScore: 3\n\n" + FINDING, "r.md")  # no closing rule, no newline at the end
    assert [s.line for s in counted_sentences(report)] == [4, 4]


def test_the_same_score_line_twice_keeps_reading_after_the_second():
    report = parse_report(lines_of("Title", "Score: 3", "", FINDING, "Score: 3", "Staff agreed."), "r.md")
    assert [s.text for s in counted_sentences(report)][-1] == "Staff agreed."


# --- hostile text: invisible characters, comments, documents that are not text ------------------------

def test_every_invisible_format_character_of_this_python_is_removed():
    import sys
    import unicodedata

    from lii_check.parser import FORMAT_CHARACTERS

    cf = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    assert cf and all(FORMAT_CHARACTERS.fullmatch(c) for c in cf)
    assert not any(FORMAT_CHARACTERS.match(c) for c in "a é-\u00a0’\n")  # letters, spaces, dashes stay


def test_zero_width_characters_and_soft_hyphens_inside_words_do_not_hide_the_evidence(compiled):
    """Text copied from a web page carries them inside words; a real seed salted with them after the first
    letter of every word (and a soft hyphen in the middle of long ones) must read exactly as the seed does."""
    import re as _re

    from lii_check.reading import find_evidence

    clean = parse_report(SEED, "seed.txt")
    salted_text = _re.sub(r"\b(\w)(\w*)", lambda m: m.group(1) + "\u200b" + (
        m.group(2)[:3] + "\u00ad" + m.group(2)[3:] if len(m.group(2)) > 6 else m.group(2)), SEED)
    salted_text = salted_text.replace("Score: ", "Score: \u202e\u202c")
    salted = parse_report(salted_text, "seed.txt")
    assert salted.awarded_score == clean.awarded_score
    assert [(s.line, s.text) for s in counted_sentences(salted)] == [(s.line, s.text) for s in counted_sentences(clean)]
    assert find_evidence(salted, compiled).evidence == find_evidence(clean, compiled).evidence


def test_letters_of_other_scripts_drawn_like_latin_ones_do_not_hide_the_evidence(compiled):
    """A seed with every "o", "a", "e", "p" and "c" written in Cyrillic looks the same on screen; its evidence must
    be read the same (each reading's cue and clause keep the text's own letters, so only levels are compared)."""
    from lii_check.matcher import _LOOKALIKES, fold
    from lii_check.reading import find_evidence

    latin = "".join(_LOOKALIKES.values())
    assert len(_LOOKALIKES) == len(latin) and latin.isascii() and latin.isalpha()
    assert fold("n\u043et embedd\u0435d \u0405core") == "not embedded Score"  # same length: offsets stay true
    clean = parse_report(SEED, "seed.txt")
    cyrillic = str.maketrans("oaepc", "\u043e\u0430\u0435\u0440\u0441")
    # the findings' paragraphs (the long lines), not the score line or the headings, which are read by their words
    disguised = "\n".join(line.translate(cyrillic) if len(line) > 150 else line for line in SEED.split("\n"))
    assert disguised != SEED
    salted = parse_report(disguised, "seed.txt")

    def levels(report):
        return [(e.theme, e.level, e.line, e.signal, e.weight) for e in find_evidence(report, compiled).evidence]
    assert levels(salted) == levels(clean) and levels(clean)


def _comments_by_regex(text: str) -> str:
    import re as _re

    return _re.sub(r"<!--.*?-->", lambda m: "\n" * m.group(0).count("\n"), text, flags=_re.DOTALL)


def test_comments_are_blanked_as_the_comment_pattern_would_blank_them():
    import random

    from lii_check.parser import _blank_comments

    rng = random.Random(7)
    pieces = ["<!--", "-->", "-", "<", "!", ">", "\n", "a", " ", "<!-- x -->", "--->", "<!-- a\nb -->"]
    for _ in range(5000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert _blank_comments(text) == _comments_by_regex(text), repr(text)
    many_unclosed = "Score: 3\n\n" + FINDING + "\n" + "<!-- \n" * 40_000  # quadratic for the pattern
    assert _blank_comments(many_unclosed) == many_unclosed
    report = parse_report(lines_of("Title", "<!-- a\ncomment -->", "Score: 3", "", FINDING), "r.md")
    assert report.score_line == 4  # the comment's lines still count


@pytest.mark.parametrize("head, kind", [(b"%PDF-1.7\n%\xe2\xe3", "a PDF document"),
                                         (b"PK\x03\x04\x14\x00\x06\x00", "a ZIP archive (a Word .docx"),
                                         (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00", "an old-style Word or Excel"),
                                         (b"{\\rtf1\\ansi Score: 3", "an RTF document")])
def test_a_document_that_is_not_text_is_named(head, kind):
    with pytest.raises(ReportError) as info:
        decode_report(head + b"\x00" * 20)
    assert info.value.message.startswith(f"this is {kind}") and "save the section's text as a .txt or .md" in info.value.message


@pytest.mark.parametrize("page", ["<!DOCTYPE html>\n<html><body>Score: 3</body></html>", "\n  <html lang='en'>Score: 3"])
def test_a_saved_web_page_is_named(page):
    with pytest.raises(ReportError) as info:
        decode_report(page.encode())
    assert info.value.message.startswith("this is a web page (HTML)")


def test_a_suppression_of_a_pattern_is_read_as_written_not_ignored():
    report = parse_report(lines_of("Title", "Score: 3", "", "<!-- lii-check-disable consistency.*: known -->",
                                   "<!-- lii-check-disable a.b-->", FINDING), "r.md")
    assert report.suppressions == [(4, "consistency.*", "known"), (5, "a.b", "")]


@pytest.mark.parametrize("line, why", [
    ("> Score: 3", "a score line inside a quotation or a list is not read; write it on a line of its own"),
    ("- Score: 3", "a score line inside a quotation or a list is not read; write it on a line of its own"),
    ("\u0405core: 3", "it holds letters that only look like Latin ones (from another script, or accented); retype "
                      "it as 'Score: N'"),
])
def test_a_score_line_hidden_by_a_marker_or_a_lookalike_letter_is_named_in_the_message(line, why):
    with pytest.raises(ReportError) as caught:
        parse_report(lines_of("Learning, improvement and innovation", "", line, "", FINDING), "r.md")
    assert caught.value.line == 3
    assert caught.value.message.endswith(f" (line 3, '{line}', is not read as the score: {why})")


def test_no_score_line_anywhere_names_no_line():
    with pytest.raises(ReportError) as caught:
        parse_report(lines_of("Learning, improvement and innovation", "", "Scores were not published.", "", FINDING),
                     "r.md")
    assert caught.value.line is None and caught.value.message.endswith("before the findings")


def test_many_suppression_comments_are_read_with_their_lines():
    # Counting newlines up to each comment made this quadratic; 5,000 comments of both kinds, every line right.
    comments = ["<!-- lii-check-disable consistency.score-below-evidence: panel -->", "<!-- lii-check-disable -->"] * 2500
    report = parse_report("\n".join(comments) + "\n\nScore: 3\n\n" + FINDING + "\n", "r.md")
    assert [(line, rule) for line, rule, _ in report.suppressions] == [
        (n, "consistency.score-below-evidence" if n % 2 else "") for n in range(1, 5001)]


@pytest.mark.parametrize("marked", ["_not_", "__not__", "*not*", "**not**", "n*o*t", "n<b>o</b>t", "<em>not</em>",
                                    "&#110;&#111;&#116;", "&#x6e;ot"])
def test_inline_markup_a_reader_does_not_see_does_not_hide_a_word(marked, compiled):
    """"Co-production was _not_ in place" read as praise: "_not_" was one word to every pattern. Emphasis
    markers touching a word, inline tags and character references are read as the reader sees them."""
    from lii_check.reading import find_evidence

    text = ("Learning was {n} embedded in everyday practice. Co-production was {n} in place and people with lived "
            "experience were {n} involved.")

    def read(word):
        report = parse_report(lines_of("Learning, improvement and innovation", "", "Score: 4", "", text.format(n=word)),
                              "r.md")
        return [s.text for s in counted_sentences(report)], [
            (e.theme, e.level, e.signal) for e in find_evidence(report, compiled).evidence]
    assert read(marked) == read("not")


def test_markup_is_left_alone_in_front_matter_and_where_it_touches_no_word():
    report = parse_report(lines_of("---", "held_out: true", "---", "Learning, improvement and innovation", "",
                                   "Score: 3", "", "Costs rose 2 * 3 times; staff said * and _ were used as bullets. "
                                   + FINDING), "r.md")
    assert "2 * 3 times" in counted_sentences(report)[0].text and "* and _ were" in counted_sentences(report)[0].text
    # Front matter is YAML and read as written: "*draft*" there is not emphasis to strip (stripped, this invalid
    # front matter would quietly pass as "note: draft").
    with pytest.raises(ReportError) as caught:
        parse_report(lines_of("---", "note: *draft*", "---", "Learning, improvement and innovation", "", "Score: 3", "",
                              FINDING), "r.md")
    assert caught.value.line == 2 and caught.value.message.startswith("the front matter (lines 1-3) is not valid YAML")


@pytest.mark.parametrize("heading", ["## Safeguarding", "# Partnerships and communities", "### Assessing needs"])
def test_another_statements_section_after_the_score_makes_the_file_unreadable(heading):
    # Read on, its findings counted as LII evidence and could flip the verdict without a word.
    text = lines_of("Learning, improvement and innovation", "", "Score: 3", "", FINDING, "", heading, "",
                    "Safeguarding enquiries were not completed and there was no learning from reviews.")
    with pytest.raises(ReportError) as caught:
        parse_report(text, "r.md")
    assert caught.value.line == 7
    assert caught.value.message == (f"line 7 starts the '{heading.lstrip('#').strip()}' section, another quality "
                                    "statement: a file must hold one LII section; cut the file at that heading")


def test_a_heading_that_only_mentions_another_statement_is_an_ordinary_heading():
    report = parse_report(lines_of("Learning, improvement and innovation", "", "Score: 3", "",
                                   "## Learning from safeguarding adults reviews", "", FINDING), "r.md")
    assert [s.heading for s in report.sections if s.heading] == ["Learning from safeguarding adults reviews"]


def test_a_score_like_line_with_only_a_dash_or_quote_beyond_ascii_is_not_called_a_lookalike():
    # fold() changes dashes and curly quotes too; only a letter that looks Latin earns the look-alike hint.
    from lii_check.parser import _near_score_line

    lines = ["Learning, improvement and innovation", "", "Score \u2014 3 \u201cgood\u201d we were told by the panel",
             "", FINDING]
    assert _near_score_line(lines) is None
    lines[2] = "\u0405core \u2014 3 \u201cgood\u201d we were told by the panel"  # a Cyrillic S as well
    assert _near_score_line(lines)[0] == 3


PLAIN_NEGATED = ("Learning wasn't embedded in everyday practice across every team.\n"
                 "Co-production with people who use services was not consistently strong.\n")


@pytest.mark.parametrize("disguise", [
    lambda t: t.replace("'", "â€™"),  # UTF-8 quotes read as Windows-1252 on the way
    lambda t: t.replace("'", "&rsquo;"), lambda t: t.replace("'", "&#8217;"), lambda t: t.replace("'", "&#x2019;"),
    lambda t: t.replace("'", "&apos;"), lambda t: t.replace("'", "&#39;"), lambda t: t.replace("'", "\\'"),
    lambda t: t.replace("not", "n\u034fot"), lambda t: t.replace("not", "no\ufe0ft"),
    lambda t: t.replace("not", "no\U000e0100t"), lambda t: t.replace("not", "n\u180bot"),
    lambda t: t.replace("not", "n\u3164ot"),  # invisible characters that are not format characters
    lambda t: t.replace("not", "\u0274\u1d0f\u1d1b"), lambda t: t.replace("not", "n\u0585t"),  # small capitals, Armenian
], ids=["mojibake", "rsquo", "dec", "hex", "apos", "dec39", "md-escape", "cgj", "vs16", "vs17", "mongolian",
        "hangul-filler", "small-capitals", "armenian"])
def test_a_negation_disguised_as_a_reader_would_not_notice_is_still_read(compiled, disguise):
    """Each of these showed a reader "wasn't" or "not" and lii-check praise: a report awarded 4 whose every sentence
    is negated passed as a consistent 4."""
    from lii_check.reading import find_evidence

    def levels(findings: str):
        report = parse_report("Learning, improvement and innovation\nScore: 4\n\n" + findings, "r.md")
        return sorted((e.theme, e.level) for e in find_evidence(report, compiled).evidence)

    disguised = disguise(PLAIN_NEGATED)
    assert disguised != PLAIN_NEGATED
    assert levels(disguised) == levels(PLAIN_NEGATED) and {"shortfall"} == {level for _, level in levels(PLAIN_NEGATED)}


# --- "Score" with its number under it: the line numbers it reports (mutants of the ninth session's sample) -----

def test_the_score_under_a_score_line_is_placed_on_its_own_line():
    report = parse_report(lines_of("# Learning, improvement and innovation", "", "Score", "3", "", FINDING), "r.md")
    assert (report.awarded_score, report.score_line) == (3, 4)  # line 4 (index 3): "index | 1" would say 3


def test_a_second_score_under_a_score_line_names_its_own_line_when_it_is_not_a_score():
    text = lines_of("# Learning, improvement and innovation", "", "Score: 3", "", FINDING, "", "Score", "", "7")
    with pytest.raises(ReportError) as got:
        parse_report(text, "r.md")
    assert got.value.line == 9  # the "7", not the "Score" above it, nor line 0


def test_a_second_bare_score_line_with_findings_under_it_is_findings_text():
    text = lines_of("# Learning, improvement and innovation", "", "Score: 3", "", FINDING, "", "Score", "",
                    "Staff described reflective supervision.")
    report = parse_report(text, "r.md")
    assert report.awarded_score == 3 and report.score_line == 3
