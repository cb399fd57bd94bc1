"""The parser on every layout CQC has published, on real and small synthetic texts."""
from pathlib import Path

import pytest
import yaml

from lii_check.parser import parse_report, read_report, split_sentences

from parsed import counted_sentences, front_matter_of

REPO = Path(__file__).resolve().parents[1]
BODY = "Staff told us supervision was regular, e.g. monthly. Training was effective.\n"


def _report(text, name="t.md"):
    return parse_report(text, name)


@pytest.mark.parametrize("score_line, label_line", [
    ("Score: 4", "4 - Evidence shows an exceptional standard"),
    ("## Score 4", "4 – Evidence shows an exceptional standard"),
    ("Indicative score: 4", "4 - Evidence shows an exceptional standard"),
    ("**Score:** 4", "## 4 - Evidence shows an exceptional standard"),
])
def test_score_and_label_layouts(score_line, label_line):
    r = _report(f"# Learning, improvement and innovation\n\n{score_line}\n\n{label_line}\n\n{BODY}")
    assert (r.awarded_score, r.score_line, r.label_score, r.label_line) == (4, 3, 4, 5)
    assert r.label_text == "Evidence shows an exceptional standard"
    assert r.title == "Learning, improvement and innovation"


def test_pilot_layout_with_colon_headings_crlf_bom_front_matter():
    text = ("\ufeff---\r\nauthority: Harrowmere (synthetic test data)\r\ndate: 2023-11-01\r\n---\r\n\r\n\r\n"
            "Learning, improvement and innovation\r\n\r\nIndicative score: 2\r\n\r\n"
            "2 - Evidence shows some shortfalls\r\n\r\nThe local authority commitment:\r\n\r\n"
            "We focus on continuous learning, innovation and improvement across our organisation.\r\n\r\n"
            "Key findings for this quality statement:\r\n\r\nSupervision was irregular.\r\n\r\n"
            "Learning from feedback:\r\n\r\nComplaints were not analysed.\r\n")
    r = _report(text)
    assert front_matter_of(text) == {"authority": "Harrowmere (synthetic test data)", "date": yaml.safe_load("2023-11-01")}
    assert (r.awarded_score, r.score_line, r.label_score) == (2, 9, 2)
    assert [s.heading for s in r.sections] == ["The local authority commitment", "Key findings for this quality statement",
                                               "Learning from feedback"]
    assert r.sections[0].paragraphs[0].boilerplate
    assert [(s.text, s.line) for s in counted_sentences(r)] == [
        ("Supervision was irregular.", 19), ("Complaints were not analysed.", 23)]


def test_markdown_headings_separators_and_absent_feedback_section():
    text = ("# Learning, improvement and innovation\n\nScore: 3\n\n3 - Evidence shows a good standard\n\n"
            "## Key findings for this quality statement\n\n### Continuous learning, improvement and professional development\n\n"
            "---\n\nStaff said training was good.\n\n---\n")
    r = _report(text)
    assert [s.heading for s in r.sections] == ["Key findings for this quality statement",
                                               "Continuous learning, improvement and professional development"]
    assert [s.text for s in counted_sentences(r)] == ["Staff said training was good."]


def test_learning_from_paragraph_is_not_a_heading():
    r = read_report(REPO / "fixtures/seeds/002_c7a78147fca09e56.txt")
    assert "Learning from complaints was analysed and grouped thematically to track systemic issues." not in \
        [s.heading for s in r.sections]
    sentence = next(s for s in counted_sentences(r) if s.text.startswith("Learning from complaints was analysed"))
    assert sentence.line == 61
    assert [s.heading for s in r.sections][-1] == "Learning from feedback"


def test_commitment_is_boilerplate_never_evidence():
    r = read_report(REPO / "fixtures/seeds/000_69a4ab76882569fd.txt")
    texts = [s.text for s in counted_sentences(r)]
    assert not any(t.startswith("We focus on continuous learning") for t in texts)
    commitment = next(s for s in r.sections if s.heading == "The local authority commitment")
    assert commitment.paragraphs[0].boilerplate and commitment.paragraphs[0].line == 11


def test_sentence_split_keeps_abbreviations_and_wrapped_lines():
    sentences = split_sentences([(10, "Training was offered, e.g. on the Care Act, and i.e. on safeguarding."),
                                 (11, "Supervision was regular. Staff"), (12, "felt supported.")])
    assert [(s.text, s.line) for s in sentences] == [
        ("Training was offered, e.g. on the Care Act, and i.e. on safeguarding.", 10),
        ("Supervision was regular.", 11), ("Staff felt supported.", 11)]


def test_every_fixture_parses_with_its_score():
    expected = {e["file"]: e["awarded_score"] for e in
                yaml.safe_load((REPO / "fixtures/synthetic/expected.yaml").read_text("utf-8"))}
    assert len(expected) == 20
    for name, score in expected.items():
        assert read_report(REPO / "fixtures/synthetic" / name).awarded_score == score, name
    seeds = {p.name: read_report(p).awarded_score for p in sorted((REPO / "fixtures/seeds").glob("*.txt"))}
    assert list(seeds.values()) == [4, 3, 3, 3, 3]
    assert read_report(REPO / "fixtures/seeds/004_bb262f5a777e266c.txt").score_line == 5  # "## Score 3"
