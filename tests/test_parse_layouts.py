"""The parser on every published LII layout, with exact values checked against the real text.

Layout files live in tests/data/layouts/ (synthetic test data, LF, UTF-8, no BOM). CRLF, BOM and
leading-blank-line variants are generated from them here, so every layout is also checked with
every encoding quirk, and line numbers must stay true to the file as a QA lead would open it.
"""
import datetime
from pathlib import Path

import pytest
import yaml

from lii_check.parser import ReportError, decode_report, parse_report, read_report, split_sentences

from parsed import counted_sentences, front_matter_of

REPO = Path(__file__).resolve().parents[1]
LAYOUTS = REPO / "tests" / "data" / "layouts"
SEEDS = REPO / "fixtures" / "seeds"
SYNTHETIC = REPO / "fixtures" / "synthetic"
TITLE = "Learning, improvement and innovation"
COMMITMENT = "The local authority commitment"
KEY = "Key findings for this quality statement"
CONTINUOUS = "Continuous learning, improvement and professional development"
FEEDBACK = "Learning from feedback"

# Per layout file: what the parser must find, all line numbers as in the file itself.
EXPECTED = {
    "score_colon_markdown.md": {
        "awarded": 4, "score_line": 9, "label": (4, "Evidence shows an exceptional standard", 11),
        "front_matter": {"synthetic": True, "authority": "Amberfield Council (fictional)",
                         "date": datetime.date(2024, 5, 14),
                         "note": "Synthetic test data for lii-check parser tests. Not a CQC publication."},
        "headings": [(COMMITMENT, 13), (KEY, 17), (CONTINUOUS, 19), (FEEDBACK, 32)],
        "commitment_line": 15,
        "sentences": [
            ("Staff told us supervision was regular and reflective, e.g. Care Act refresher sessions were built into it.", 23),
            ("Training compliance was 96% across all teams.", 23),
            ("Leaders had built a learning academy with the local university.", 25),
            ("Apprentices were supported to qualify and 28 of 30 stayed with the council.", 26),
            ("Partners said the academy was exceptional.", 27),
            ("Learning from complaints was analysed every quarter and changes were made.", 34),
            ("People told us the council listened and acted on what they said.", 34),
        ],
    },
    "score_heading_en_dash.md": {
        "awarded": 3, "score_line": 6, "label": (3, "Evidence shows a good standard", 8),
        "front_matter": {},
        "headings": [(COMMITMENT, 10), (KEY, 14), (CONTINUOUS, 16)],
        "commitment_line": 12,
        "sentences": [
            ("Most staff had regular supervision.", 20),
            ("Some teams, i.e. the hospital team, had gaps in reflective practice.", 20),
        ],
    },
    "pilot_indicative.txt": {
        "awarded": 3, "score_line": 10, "label": (3, "Evidence shows a good standard", 12),
        "front_matter": {"synthetic": True, "authority": "Brindlecombe County Council (fictional)",
                         "date": datetime.date(2023, 9, 1),
                         "note": "Synthetic test data for lii-check parser tests (2023 pilot layout). Not a CQC publication."},
        "headings": [(COMMITMENT, 14), (KEY, 18), (CONTINUOUS, 20), (FEEDBACK, 24)],
        "commitment_line": 16,
        "sentences": [
            ("The training offer was well used and staff said it met their needs.", 22),
            ("Dr. Patel, the principal social worker, led a monthly practice forum.", 22),
            ("Complaints were analysed for themes.", 26),
            ("Changes followed, e.g. Charging letters were rewritten in plain English.", 26),
        ],
    },
    "plain_hyphen_no_feedback.txt": {
        "awarded": 2, "score_line": 4, "label": (2, "Evidence shows some shortfalls", 6),
        "front_matter": {},
        "headings": [(COMMITMENT, 8), (KEY, 12), (CONTINUOUS, 14)],
        "commitment_line": 10,
        "sentences": [
            ("Supervision was irregular in two of four teams.", 16),
            ("Training records were incomplete.", 16),
            ("Learning from complaints was limited because complaints were counted but not analysed.", 18),
        ],
    },
}


def _variant(raw: bytes, kind: str) -> tuple[bytes, int]:
    """(bytes of the variant, how many lines it shifts everything down)."""
    if kind == "lf":
        return raw, 0
    if kind == "crlf":
        return raw.replace(b"\n", b"\r\n"), 0
    if kind == "bom":
        return b"\xef\xbb\xbf" + raw, 0
    if kind == "crlf_bom":
        return b"\xef\xbb\xbf" + raw.replace(b"\n", b"\r\n"), 0
    if kind == "leading_blank":
        return b"\n\n\n" + raw, 3
    raise AssertionError(kind)


def _check(report, expected, shift=0):
    n = lambda line: line + shift  # noqa: E731
    assert report.title == TITLE
    assert report.awarded_score == expected["awarded"]
    assert report.score_line == n(expected["score_line"])
    score, text, line = expected["label"]
    assert (report.label_score, report.label_text, report.label_line) == (score, text, n(line))
    assert [(s.heading, s.line) for s in report.sections] == [(h, n(line)) for h, line in expected["headings"]]
    assert [(s.text, s.line) for s in counted_sentences(report)] == \
        [(t, n(line)) for t, line in expected["sentences"]]
    commitment = next(s for s in report.sections if s.heading == COMMITMENT)
    assert [(p.line, p.boilerplate) for p in commitment.paragraphs] == [(n(expected["commitment_line"]), True)]
    # Every other paragraph is evidence.
    assert all(not p.boilerplate for s in report.sections if s.heading != COMMITMENT for p in s.paragraphs)


def test_layout_files_are_marked_synthetic():
    files = sorted(p.name for p in LAYOUTS.iterdir() if p.suffix in (".md", ".txt"))
    assert files == sorted(EXPECTED)
    for name in files:
        raw = (LAYOUTS / name).read_bytes()
        assert b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf"), name  # variants are made here
        first = raw.decode("utf-8").splitlines()[0]
        assert front_matter_of(LAYOUTS / name).get("synthetic") is True or \
            (first.startswith("<!--") and "Synthetic test data" in first), name


@pytest.mark.parametrize("kind", ["lf", "crlf", "bom", "crlf_bom"])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_layout_with_line_endings_and_bom(tmp_path, name, kind):
    data, shift = _variant((LAYOUTS / name).read_bytes(), kind)
    target = tmp_path / name
    target.write_bytes(data)
    report = read_report(target)
    _check(report, EXPECTED[name], shift)
    assert front_matter_of(target) == EXPECTED[name]["front_matter"]
    assert report.path == str(target)


@pytest.mark.parametrize("name", ["score_heading_en_dash.md", "plain_hyphen_no_feedback.txt"])
def test_layout_with_leading_blank_lines(tmp_path, name):
    data, shift = _variant((LAYOUTS / name).read_bytes(), "leading_blank")
    (tmp_path / name).write_bytes(data)
    _check(read_report(tmp_path / name), EXPECTED[name], shift)


def test_parse_report_directly_on_crlf_and_bom_text():
    text = "\ufeff" + (LAYOUTS / "pilot_indicative.txt").read_text("utf-8").replace("\n", "\r\n")
    report = parse_report(text, "pilot.txt")
    _check(report, EXPECTED["pilot_indicative.txt"])
    assert front_matter_of(text)["date"] == datetime.date(2023, 9, 1)


@pytest.mark.parametrize("score_line, label_line, score, label_text", [
    ("Score: 4", "4 - Evidence shows an exceptional standard", 4, "Evidence shows an exceptional standard"),
    ("## Score 3", "3 - Evidence shows a good standard", 3, "Evidence shows a good standard"),
    ("Indicative score: 3", "3 - Evidence shows a good standard", 3, "Evidence shows a good standard"),
    ("Score: 2", "2 – Evidence shows some shortfalls", 2, "Evidence shows some shortfalls"),
    ("Score: 1", "1 — Evidence shows significant shortfalls", 1, "Evidence shows significant shortfalls"),
    ("# Score: 1", "1 - Evidence shows significant shortfalls", 1, "Evidence shows significant shortfalls"),
    ("**Score:** 3", "3 - Evidence shows a good standard", 3, "Evidence shows a good standard"),
])
def test_score_and_label_lines(score_line, label_line, score, label_text):
    text = (f"# {TITLE}\n\n{score_line}\n\n{label_line}\n\n## {KEY}\n\n"
            "Staff were supervised monthly. Training was effective.\n")
    r = parse_report(text, "inline.md")
    assert (r.title, r.awarded_score, r.score_line) == (TITLE, score, 3)
    assert (r.label_score, r.label_text, r.label_line) == (score, label_text, 5)
    assert [(s.heading, s.line) for s in r.sections] == [(KEY, 7)]
    assert [(s.text, s.line) for s in counted_sentences(r)] == [
        ("Staff were supervised monthly.", 9), ("Training was effective.", 9)]


def test_label_is_optional():
    r = parse_report(f"{TITLE}\n\nScore: 3\n\nStaff were supervised monthly.\n", "nolabel.txt")
    assert (r.awarded_score, r.score_line, r.label_score, r.label_text, r.label_line) == (3, 3, None, None, None)
    assert [(s.text, s.line) for s in counted_sentences(r)] == [("Staff were supervised monthly.", 5)]


@pytest.mark.parametrize("statement_line", [TITLE, f"## {TITLE}", f"{TITLE}:", "LEARNING, IMPROVEMENT & INNOVATION"])
def test_the_statement_name_under_a_report_title_is_the_title_not_findings(statement_line):
    # CQC's pages open "<Council>: local authority assessment", then the quality statement's name.
    r = parse_report(f"Corran Fields (fictional): local authority assessment\n\n{statement_line}\n\nScore: 3\n\n"
                     "Staff were supervised monthly.\n", "titled.md")
    assert r.title == statement_line.lstrip("# ").rstrip(":") and r.awarded_score == 3
    assert [(s.text, s.line) for s in counted_sentences(r)] == [("Staff were supervised monthly.", 7)]
    with pytest.raises(ReportError) as caught:  # and another statement's name is still refused
        parse_report("Corran Fields (fictional): local authority assessment\n\nSafeguarding\n\nScore: 3\n\n"
                     "Staff were supervised monthly.\n", "other.md")
    assert caught.value.line == 3 and "this is the 'Safeguarding' section" in caught.value.message


@pytest.mark.parametrize("label_line, score, label_text", [
    ("3 - Evidence shows a good standard", 3, "Evidence shows a good standard"),
    ("## 2 – Evidence shows some shortfalls", 2, "Evidence shows some shortfalls"),
    ("Evidence shows an exceptional standard", 4, "Evidence shows an exceptional standard"),
])
def test_a_label_with_no_score_line_is_the_score(label_line, score, label_text):
    # Some copies of the page keep the label and lose the "Score" line: the label says the score as plainly.
    r = parse_report(f"# {TITLE}\n\n{label_line}\n\n## {KEY}\n\nStaff were supervised monthly.\n", "label.md")
    assert (r.title, r.awarded_score, r.score_line) == (TITLE, score, 3)
    assert (r.label_score, r.label_text, r.label_line) == (score, label_text, 3)
    assert [(s.text, s.line) for s in counted_sentences(r)] == [("Staff were supervised monthly.", 7)]
    # a score line after it that agrees changes nothing; one that disagrees makes the score uncertain
    same = parse_report(f"# {TITLE}\n\n{label_line}\n\nScore: {score}\n\nStaff were supervised monthly.\n", "l.md")
    assert (same.awarded_score, same.score_line) == (score, 3)
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\n{label_line}\n\nScore: {5 - score}\n\nStaff were supervised monthly.\n", "l.md")
    assert caught.value.line == 5 and "the label line and the score line disagree: line 3" in str(caught.value)
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\n7 - Evidence shows a good standard\n\nStaff were supervised monthly.\n", "l.md")
    assert caught.value.line == 3 and "outside 1-4" in str(caught.value)


@pytest.mark.parametrize("heading", [
    "## Learning from feedback", "### Learning from feedback", "# Learning from feedback",
    "Learning from feedback", "Learning from feedback:", "## Learning from feedback:", "LEARNING FROM FEEDBACK",
])
def test_feedback_heading_in_every_form(heading):
    text = (f"{TITLE}\n\nScore: 3\n\n{KEY}\n\nStaff were trained.\n\n{heading}\n\n"
            "Learning from complaints was analysed quarterly.\n")
    r = parse_report(text, "h.md")
    assert [(s.heading, s.line) for s in r.sections] == [(KEY, 5), (heading.lstrip("# ").rstrip(":"), 9)]
    assert r.sections[1].paragraphs[0].sentences[0].line == 11


def test_separators_end_paragraphs_and_are_never_text():
    text = f"# {TITLE}\n\nScore: 3\n\n---\nStaff were trained.\n***\nLeaders listened.\n___\n---\n"
    r = parse_report(text, "sep.md")
    assert [(p.line, [s.text for s in p.sentences]) for s in r.sections for p in s.paragraphs] == [
        (6, ["Staff were trained."]), (8, ["Leaders listened."])]


def test_learning_from_paragraph_in_seed_002_is_not_a_heading():
    r = read_report(SEEDS / "002_c7a78147fca09e56.txt")
    headings = [s.heading for s in r.sections]
    assert headings == [COMMITMENT, KEY, CONTINUOUS, FEEDBACK]
    feedback = r.sections[-1]
    assert feedback.line == 45
    para = next(p for p in feedback.paragraphs if p.line == 61)
    assert not para.boilerplate
    assert [(s.text, s.line) for s in para.sentences][:2] == [
        ("Learning from complaints was analysed and grouped thematically to track systemic issues.", 61),
        ("For instance, delays, communication failures, and financial misunderstandings were identified as key themes.", 61)]
    lines = (SEEDS / "002_c7a78147fca09e56.txt").read_text("utf-8").splitlines()
    assert lines[60].startswith("Learning from complaints was analysed")


def test_commitment_without_heading_is_still_boilerplate():
    text = (f"{TITLE}\n\nScore: 3\n\nWe focus on continuous learning, innovation and improvement across our "
            "organisation and the local system.\n\nStaff were trained.\n")
    r = parse_report(text, "c.txt")
    assert [(p.line, p.boilerplate) for s in r.sections for p in s.paragraphs] == [(5, True), (7, False)]
    assert [(s.text, s.line) for s in counted_sentences(r)] == [("Staff were trained.", 7)]


def test_sentence_splitting_abbreviations_and_hard_wraps():
    sentences = split_sentences([
        (40, "Training covered the Care Act, e.g. Section 42 enquiries, and"),
        (41, "mental capacity. Leaders, i.e. the DASS and PSW, reviewed it. Staff"),
        (42, "felt supported. Dr. Okafor led the forum."),
    ])
    assert [(s.text, s.line) for s in sentences] == [
        ("Training covered the Care Act, e.g. Section 42 enquiries, and mental capacity.", 40),
        ("Leaders, i.e. the DASS and PSW, reviewed it.", 41),
        ("Staff felt supported.", 41),  # the line of its first word
        ("Dr. Okafor led the forum.", 42),
    ]


def test_hard_wrapped_real_synthetic_fixture_gives_first_word_lines():
    r = read_report(SYNTHETIC / "s12_saltmarsh_heath.md")
    got = [(s.text, s.line) for s in counted_sentences(r)][:5]
    assert got == [
        ("A restructure of adult social care in 2023 had left Saltmarsh Heath's workforce unsettled and its "
         "learning arrangements fragmented.", 24),
        ("Several roles that used to lead on training and practice quality had been deleted, and their "
         "responsibilities had not been clearly reassigned.", 25),
        ("Staff were unsure who to approach about development, and leaders could not describe a coherent "
         "approach to building skills across the service.", 27),
        ("Supervision had lapsed for many practitioners.", 31),
        ("Policy required monthly supervision, but the council's own figures showed only 38% of staff had been "
         "supervised in the previous three months.", 31),
    ]
    commitment = next(s for s in r.sections if s.heading == COMMITMENT)
    assert [(p.line, p.boilerplate) for p in commitment.paragraphs] == [(15, True)]


SEED_SCORES = {
    "000_69a4ab76882569fd.txt": (4, "Evidence shows an exceptional standard", 39),
    "001_be58087aa61b4f94.txt": (3, "Evidence shows a good standard", 59),
    "002_c7a78147fca09e56.txt": (3, "Evidence shows a good standard", 45),
    "003_54c3d31a3b902f41.txt": (3, "Evidence shows a good standard", 39),
    "004_bb262f5a777e266c.txt": (3, "Evidence shows a good standard", 61),
}


@pytest.mark.parametrize("name", sorted(SEED_SCORES))
def test_every_real_seed(name):
    score, label, feedback_line = SEED_SCORES[name]
    path = SEEDS / name
    r = read_report(path)
    lines = path.read_text("utf-8").splitlines()
    assert (r.title, r.awarded_score, r.score_line, r.label_score, r.label_text, r.label_line) == \
        (TITLE, score, 5, score, label, 7)
    assert str(score) in lines[4] and "core" in lines[4]  # "Score: 4" or "## Score 3"
    assert [(s.heading, s.line) for s in r.sections] == [(COMMITMENT, 9), (KEY, 13), (CONTINUOUS, 15),
                                                         (FEEDBACK, feedback_line)]
    assert front_matter_of(path) == {}
    evidence = counted_sentences(r)
    assert evidence and not any(s.text.startswith("We focus on continuous learning") for s in evidence)
    assert r.sections[0].paragraphs[0].boilerplate and r.sections[0].paragraphs[0].line == 11
    for sentence in evidence:  # every sentence sits on a line that holds its opening words
        assert sentence.text[:30] in lines[sentence.line - 1], (name, sentence)


def test_seed_specific_layouts():
    assert read_report(SEEDS / "001_be58087aa61b4f94.txt").label_text == "Evidence shows a good standard"  # en dash
    assert "–" in (SEEDS / "001_be58087aa61b4f94.txt").read_text("utf-8").splitlines()[6]
    assert (SEEDS / "004_bb262f5a777e266c.txt").read_text("utf-8").splitlines()[4] == "## Score 3"
    assert read_report(SEEDS / "004_bb262f5a777e266c.txt").awarded_score == 3


def _manifest(folder):
    return {e["file"]: e for e in yaml.safe_load((folder / "expected.yaml").read_text("utf-8"))}


@pytest.mark.parametrize("name", sorted(_manifest(SYNTHETIC)))
def test_every_synthetic_fixture(name):
    entry = _manifest(SYNTHETIC)[name]
    r = read_report(SYNTHETIC / name)
    lines = (SYNTHETIC / name).read_text("utf-8").splitlines()
    assert r.awarded_score == entry["awarded_score"] == entry["true_band"]
    assert r.label_score == entry["awarded_score"]
    assert front_matter_of(SYNTHETIC / name)["synthetic"] is True
    score_text = lines[r.score_line - 1]
    assert score_text.lower().lstrip("# ").startswith(("score", "indicative score")), score_text
    assert score_text.rstrip().endswith(str(entry["awarded_score"]))
    assert r.title == TITLE
    headings = [s.heading for s in r.sections]
    assert headings[:2] == [COMMITMENT, KEY]
    if "no separate \"Learning from feedback\" section" in entry["why"]:
        assert FEEDBACK not in headings
    else:
        assert headings[-1] == FEEDBACK
    assert counted_sentences(r)
    assert not any(s.text.startswith("We focus on continuous learning") for s in counted_sentences(r))


def test_pilot_synthetic_fixtures_use_indicative_score():
    pilots = [n for n in sorted(_manifest(SYNTHETIC)) if "Pilot-layout" in _manifest(SYNTHETIC)[n]["why"]]
    assert pilots == ["s05_fenmarsh.txt", "s08_brackenridge.md", "s14_dunsmere_coldharbour.md"]
    for name in pilots:
        r = read_report(SYNTHETIC / name)
        assert (SYNTHETIC / name).read_text("utf-8").splitlines()[r.score_line - 1].startswith("Indicative score: ")


@pytest.mark.parametrize("name", sorted(_manifest(REPO / "fixtures" / "shifted")))
def test_shifted_fixtures_parse_with_their_wrong_scores(name):
    r = read_report(REPO / "fixtures" / "shifted" / name)
    expected = {"seed000_relabelled_2.txt": (2, "Evidence shows some shortfalls"),
                "seed002_relabelled_1.txt": (1, "Evidence shows significant shortfalls")}[name]
    assert (r.awarded_score, r.label_score, r.label_text) == (expected[0], expected[0], expected[1])
    assert (r.score_line, r.label_line) == (10, 12)  # five lines of front matter push everything down
    assert front_matter_of(REPO / "fixtures" / "shifted" / name)["synthetic"] is True


def test_unreadable_texts_raise_report_error_with_line():
    with pytest.raises(ReportError) as info:
        parse_report(f"{TITLE}\n\nScore: 3\n\n7 - Evidence shows a good standard\n\nStaff were trained.\n", "x.md")
    assert info.value.line == 5 and "outside 1-4" in info.value.message


# --- the score and its label on one line, and the score in a Markdown table ------------------------------

FINDINGS = "## Key findings for this quality statement\n\nStaff told us supervision was regular and reflective.\n"


@pytest.mark.parametrize("score_line, awarded, label", [
    ("Score: 3 - Evidence shows a good standard", 3, "Evidence shows a good standard"),
    ("**Score:** 2 – Evidence shows some shortfalls", 2, "Evidence shows some shortfalls"),
    # longer than a plain score line may be: the label makes it one
    ("Score: 4 - Outstanding: Evidence shows an exceptional standard", 4, "Outstanding: Evidence shows an exceptional standard"),
    ("| Score | 3 |", 3, None),
    ("| **Score** | **3** | Evidence shows a good standard |", 3, "Evidence shows a good standard"),
    ("|Indicative score|2|", 2, None),
])
def test_a_score_with_its_label_on_one_line_or_in_a_table_row_is_read(score_line, awarded, label):
    report = parse_report(f"# {TITLE}\n\n{score_line}\n\n{FINDINGS}", "r.md")
    assert (report.awarded_score, report.score_line) == (awarded, 3)
    assert (report.label_text, report.label_line) == ((label, 3) if label else (None, None))
    assert [s.text for s in counted_sentences(report)] == ["Staff told us supervision was regular and reflective."]


@pytest.mark.parametrize("score_line", ["Score: 3 - Evidence shows significant shortfalls", "Score: 3 - Inadequate"])
def test_a_score_line_whose_own_words_give_another_band_is_unreadable(score_line):
    """Read as its number it passed as a 3 with a wording warning; its words say 1 as plainly: the score is uncertain,
    as when two lines disagree."""
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\n{score_line}\n\n{FINDINGS}", "r.md")
    assert caught.value.line == 3
    assert str(caught.value).startswith("the score line gives 3 but its words, ") and "are CQC's words for a score of 1, so the awarded score is uncertain: correct the number or the words" in str(caught.value)


def test_a_second_score_written_with_its_number_under_it_is_a_second_score():
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\nScore: 3\n\n{FINDINGS}\nScore\n\n1\n", "r.md")
    assert "two score lines disagree: line 3 'Score: 3' and line 11 '1'" in str(caught.value)
    again = parse_report(f"# {TITLE}\n\nScore: 3\n\n{FINDINGS}\nScore\n\n3\n", "r.md")  # the same score again
    assert again.awarded_score == 3 and "3" not in [s.text for s in counted_sentences(again)]


@pytest.mark.parametrize("second", ["Score: 1 - Evidence shows significant shortfalls", "| Score | 1 |"])
def test_a_second_score_in_either_form_that_disagrees_is_unreadable(second):
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\nScore: 3\n\n{FINDINGS}\n{second}\n", "r.md")
    assert caught.value.line == 9 and "two score lines disagree: line 3 'Score: 3' and line 9" in str(caught.value)


def test_a_table_whose_first_cell_is_score_but_holds_no_number_is_text():
    # A key to the bands ("| Score | Meaning |") is not a score line, and a long sentence opening "Score" is text.
    text = (f"# {TITLE}\n\nScore: 3\n\n{FINDINGS}\n| Score | Meaning |\n|---|---|\n| 4 | Evidence shows an exceptional standard |\n\n"
            "Score cards were used in every team to track how learning from complaints changed practice over time.\n")
    report = parse_report(text, "r.md")
    assert report.awarded_score == 3 and report.score_line == 3
    # The key before the score line is not taken for the score either.
    before = parse_report(f"# {TITLE}\n\n| Score | Meaning |\n|---|---|\n\nScore: 2\n\n{FINDINGS}", "r.md")
    assert (before.awarded_score, before.score_line) == (2, 6)
    assert "Score cards were used in every team to track how learning from complaints changed practice over time." in \
        [s.text for s in counted_sentences(report)]


@pytest.mark.parametrize("label", [
    "1 - Evidence\u00a0shows significant shortfalls",  # a non-breaking space, as copied from a web page
    "1 - Evidence  shows significant shortfalls",
    "1: Evidence shows significant shortfalls",
    "1 (Evidence shows significant shortfalls)",
    "1 - Inadequate",
    "**1 – Inadequate: Evidence shows significant shortfalls**",
])
def test_every_form_of_a_label_that_disagrees_with_the_score_is_caught(label):
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\nScore: 3\n\n{label}\n\n{FINDINGS}", "r.md")
    assert caught.value.line == 5 and "the score line and the label line disagree" in str(caught.value)


@pytest.mark.parametrize("label, text", [
    ("3 (Evidence shows a good standard)", "Evidence shows a good standard"),
    ("3 - Good", "Good"),
    ("3\u00a0-\u00a0Evidence\u00a0shows\u00a0a\u00a0good\u00a0standard", "Evidence shows a good standard"),
])
def test_a_label_in_another_form_that_agrees_is_the_label_not_findings(label, text):
    report = parse_report(f"# {TITLE}\n\nScore: 3\n\n{label}\n\n{FINDINGS}", "r.md")
    assert (report.label_score, report.label_text, report.label_line) == (3, text, 5)
    assert [s.text for s in counted_sentences(report)] == ["Staff told us supervision was regular and reflective."]


def test_non_breaking_spaces_throughout_change_nothing_but_the_bytes():
    seed = (SEEDS / "003_54c3d31a3b902f41.txt").read_text("utf-8")
    plain, spaced = parse_report(seed, "s.txt"), parse_report(seed.replace(" ", "\u00a0"), "s.txt")
    assert (spaced.awarded_score, spaced.label_score, spaced.label_line) == (plain.awarded_score, plain.label_score, plain.label_line)
    # the commitment paragraph is still boilerplate, so the counted sentences are the same ones
    assert [" ".join(s.text.split()) for s in counted_sentences(spaced)] == [s.text for s in counted_sentences(plain)]


@pytest.mark.parametrize("label, wrong", [("3 - Good", 0), ("3 - Evidence shows a good level", 1),
                                          ("3 (Evidence shows a good standard)", 0), ("3: Evidence shows strength", 1)])
def test_the_wording_of_a_label_in_any_form_is_checked_against_its_band(label, wrong):
    from lii_check.measures import _label_wording_wrong

    assert _label_wording_wrong(parse_report(f"# {TITLE}\n\nScore: 3\n\n{label}\n\n{FINDINGS}", "r.md")) == wrong


@pytest.mark.parametrize("label", ["3 - Inadequate", "3: Evidence shows some shortfalls"])
def test_a_label_line_whose_words_give_another_band_than_its_number_is_unreadable(label):
    with pytest.raises(ReportError) as caught:
        parse_report(f"# {TITLE}\n\nScore: 3\n\n{label}\n\n{FINDINGS}", "r.md")
    assert caught.value.line == 5 and str(caught.value).startswith("the label gives 3 but its words")


@pytest.mark.parametrize("title", ["# Safeguarding", "Safeguarding", "## Partnerships & communities",
                                   "# Care provision, integration and continuity:"])
def test_a_section_of_another_quality_statement_is_refused_naming_it(title):
    with pytest.raises(ReportError) as caught:
        parse_report(f"{title}\n\nScore: 3\n\n{FINDINGS}", "r.md")
    assert caught.value.line == 1
    assert "section, not 'Learning, improvement and innovation', the only quality statement lii-check checks: leave " \
        "the file out with --exclude NAME, or under 'exclude' in the configuration" in str(caught.value)


def test_a_score_in_a_table_of_another_shape_gets_a_hint():
    text = f"# {TITLE}\n\n| Quality statement | Score |\n|---|---|\n| {TITLE} | 3 |\n\n{FINDINGS}"
    with pytest.raises(ReportError) as caught:
        parse_report(text, "r.md")
    assert str(caught.value).endswith("(the table row on line 3 is not read as the score: only a row '| Score | 3 |', "
                                      "the score a digit from 1 to 4, is)")
    with pytest.raises(ReportError) as worded:  # a score row whose score is a word
        parse_report(f"# {TITLE}\n\n| Score | four |\n\n{FINDINGS}", "r.md")
    assert "(the table row on line 3 is not read as the score" in str(worded.value)
    with pytest.raises(ReportError) as plain:
        parse_report(f"# {TITLE}\n\n{FINDINGS}", "r.md")
    assert "table" not in str(plain.value)


LIST_REPORT = """Learning, improvement and innovation
Score: 2

## Key findings for this quality statement

What was working:

- A new induction programme had run twice and staff rated it well
- Leaders had introduced practice standards.
• The council funded two apprenticeships,
  with the first due to qualify in 2026
1. Case discussions ran weekly in one team
(b) Peer review last took place in 2021

Staff told us the following had changed since the survey: nothing they could name.
- an item after prose
"""


def test_each_list_item_is_its_own_sentence_at_its_own_line_without_its_marker():
    report = parse_report(LIST_REPORT, "lists.txt")
    sentences = [(s.text, s.line) for sec in report.sections for p in sec.paragraphs for s in p.sentences]
    assert sentences == [
        ("A new induction programme had run twice and staff rated it well", 8),
        ("Leaders had introduced practice standards.", 9),
        ("The council funded two apprenticeships, with the first due to qualify in 2026", 10),  # a wrapped item
        ("Case discussions ran weekly in one team", 12),
        ("Peer review last took place in 2021", 13),
        ("Staff told us the following had changed since the survey: nothing they could name.", 15),
        ("an item after prose", 16),
    ]
    # The short line over the list is the list's heading, not a finding; a long one ending in a colon is prose.
    assert [(s.heading, s.line) for s in report.sections if s.heading] == [
        ("Key findings for this quality statement", 4), ("What was working", 6)]


def test_a_marker_must_be_followed_by_a_space_even_after_a_full_stop():
    # After a full stop a marker starts an item ("- Staff…"); without its space it is text: "-hyphen-led", "1.5".
    assert _read("Staff were supported.\n1.5 posts were vacant.\nLeaders agreed.\n-hyphen-led work went on.\n") == [
        ("Staff were supported.", 4), ("1.5 posts were vacant.", 5), ("Leaders agreed. -hyphen-led work went on.", 6)]


@pytest.mark.parametrize("line", ["-hyphen-led word", "o'clock meetings ran late", "1.5 posts were vacant",
                                  "2023 saw a new strategy", "iv", "- though not in every team", "– a dash, as",
                                  "o as the first letter"])
def test_a_line_that_only_starts_like_a_list_marker_is_prose(line):
    """Not a list item: no marker and a space, or a line carrying on a sentence broken mid-way."""
    report = parse_report(f"Learning, improvement and innovation\nScore: 3\n\nStaff were supported and\n{line}\n",
                          "prose.txt")
    [sentence] = [s for sec in report.sections for p in sec.paragraphs for s in p.sentences]
    assert sentence.text == f"Staff were supported and {line}"


PDF_COPY = """Learning, improvement and innovation
Score: 2

Records provided by the council showed that 61% of staff had received supervision in line with

Page 14 of 38
Brindlemoor Borough Council – Adult social care assessment

policy. Staff could not describe any improve-
ments to co-
production since the review.1 The ﬁrst cohort of apprentices had qualiﬁed.

Page 15 of 38
Brindlemoor Borough Council – Adult social care assessment

Staff said the Skills for Care data (opens in a new tab) was not used.[^2]

Was this page helpful?
Yes
No
Back to top

Notes
1 Council workforce return, March 2024.
[^2]: Staff survey, 2024.
"""


def test_a_pdf_or_web_copy_reads_as_its_sentences():
    """Page furniture inside a sentence, a word broken at a line end, ligatures, footnote marks, link notes and a
    page's controls: what a reader skips, the parser skips, and every sentence keeps its first line."""
    report = parse_report(PDF_COPY, "copy.txt")
    read = [(s.text, s.line) for sec in report.sections for p in sec.paragraphs if not p.boilerplate
            for s in p.sentences]
    assert read == [
        ("Records provided by the council showed that 61% of staff had received supervision in line with policy.", 4),
        ("Staff could not describe any improvements to co-production since the review.", 9),
        ("The first cohort of apprentices had qualified.", 11),
        ("Staff said the Skills for Care data was not used.", 16),
    ]
    [notes] = [sec for sec in report.sections if sec.heading == "Notes"]  # kept, numbered, never evidence
    assert all(p.boilerplate for p in notes.paragraphs)
    assert " ".join(s.text for p in notes.paragraphs for s in p.sentences) == \
        "1 Council workforce return, March 2024. [^2]: Staff survey, 2024."


def test_a_new_paragraph_after_a_blank_line_is_not_joined_to_the_last():
    report = parse_report("Learning, improvement and innovation\nScore: 3\n\nStaff felt supported\n\n"
                          "Leaders listened.\n\nmost teams met weekly.\n", "gap.txt")
    assert [[s.text for s in p.sentences] for sec in report.sections for p in sec.paragraphs] == [
        ["Staff felt supported"], ["Leaders listened."], ["most teams met weekly."]]


@pytest.mark.parametrize("lines", [
    ["Average caseloads > 40 in every team, so supervision was often cancelled."],  # one ">" is text, not a trail
    ["Next to nothing had been done about training", "since the last review."],  # "Next" without a colon
    ["- Supervision was often cancelled", "- Supervision was often cancelled"],  # a list item said twice
    ["## Note", "", "Supervision was often cancelled and nobody recorded why."],  # findings under a "Note" heading
    ["Note:", "- Supervision was often cancelled and nobody recorded why."],  # a lead-in called "Note"
])
def test_findings_that_only_look_like_page_furniture_or_notes_are_read(lines):
    text = "Learning, improvement and innovation\nScore: 4\n\n" + "\n".join(lines) + "\n"
    read = " ".join(s.text for sec in parse_report(text, "f.md").sections for p in sec.paragraphs
                    if not p.boilerplate for s in p.sentences)
    assert "cancelled" in read or "Next to nothing" in read or "caseloads" in read, read


def _read(findings: str, score: str = "Score: 3") -> list[tuple[str, int]]:
    report = parse_report(f"Learning, improvement and innovation\n{score}\n\n{findings}", "r.md")
    return [(s.text, s.line) for sec in report.sections for p in sec.paragraphs if not p.boilerplate for s in p.sentences]


def test_a_list_under_its_speaker_stays_with_the_speaker():
    # "Leaders told us:" made a heading, its items lost who said them: leaders' claims read as the inspectors' findings.
    read = _read("Leaders told us:\n- learning was embedded across every team\n- the training offer was excellent\n")
    assert read == [("Leaders told us: - learning was embedded across every team - the training offer was excellent", 4)]


def test_a_lead_in_named_like_another_quality_statement_is_a_list_heading_not_another_section():
    read = _read("Safeguarding:\n- learning from reviews was shared with all teams\n")
    assert read == [("learning from reviews was shared with all teams", 5)]


def test_list_items_separated_by_blank_lines_stay_items():
    read = _read("Their priorities were\n\na) reducing the waiting list\n\nb) restarting case audits\n")
    assert [text for text, _ in read] == ["Their priorities were", "reducing the waiting list", "restarting case audits"]


def test_numbers_that_only_look_like_footnote_marks_are_kept():
    assert _read("Learning from s.42 enquiries was shared. Staff said the year,12 new starters settled.\n") == [
        ("Learning from s.42 enquiries was shared.", 4), ("Staff said the year,12 new starters settled.", 4)]
    assert parse_report("Learning, improvement and innovation\nScore:3\n\nStaff were supported.\n", "r.md").awarded_score == 3


def test_the_stock_commitment_split_by_a_page_break_is_still_set_aside():
    stock = ("We focus on continuous learning, innovation and improvement across our organisation and the local system.",
             "We encourage creative ways of delivering equality of experience, outcome and quality of life for people. "
             "We actively contribute to safe, effective practice and research.")
    assert _read(f"{stock[0]}\n\n{stock[1]}\n\nStaff were supported.\n") == [("Staff were supported.", 8)]


def test_unicode_line_separators_in_a_file_with_line_ends_keep_its_line_numbers():
    text = "Learning, improvement and innovation\nScore: 3\n\nTraining was good\u2029and shared\u2028widely.\n\nSupervision lapsed.\n"
    report = parse_report(decode_report(text.encode("utf-8")), "r.md")
    assert [(s.text, s.line) for sec in report.sections for p in sec.paragraphs for s in p.sentences] == [
        ("Training was good and shared widely.", 4), ("Supervision lapsed.", 6)]
