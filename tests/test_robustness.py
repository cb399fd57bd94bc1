"""Mangled reports: every outcome is a reading or a plain ReportError, never another exception; a
ReportError points at a line of the file, and a reading's line numbers are true to the mangled text."""
import random
from pathlib import Path

from lii_check.check import analyse, check_reports
from lii_check.parser import LABEL_RE, SCORE_RE, UNNUMBERED_LABEL_RE, ReportError, _score_row, decode_report, parse_report

from parsed import counted_sentences

REPO = Path(__file__).resolve().parents[1]
# The band each descriptor names, written out here rather than imported: the oracle must not share the parser's table.
DESCRIPTOR_BANDS = {"an exceptional standard": 4, "a good standard": 3, "some shortfalls": 2, "significant shortfalls": 1}
JUNK = ["", "---", "Score:", "Score: 9", "## ", "# Learning from feedback", "\x00", "é", "<!-- lii-check-disable x -->",
        "3 – Evidence shows", "not not no never yet", ";;;;", "(((", "*" * 500, "\ufeff", "\r", "Score: 2 out of 4"]


def test_mutated_reports_never_crash(compiled):
    rng = random.Random(20261122)  # fixed seed: the same cases every run
    sources = sorted((REPO / "fixtures").rglob("*.txt")) + sorted((REPO / "fixtures").rglob("*.md"))
    readable, length = [], {}
    for case in range(150):
        lines = rng.choice(sources).read_text("utf-8").splitlines()
        for _ in range(rng.randint(1, 8)):
            action = rng.random()
            i = rng.randrange(len(lines) + 1)
            if action < 0.4 and lines:
                del lines[min(i, len(lines) - 1)]
            elif action < 0.8:
                lines.insert(i, rng.choice(JUNK))
            elif lines:
                j = min(i, len(lines) - 1)
                cut = rng.randrange(len(lines[j]) + 1)
                lines[j] = lines[j][:cut]
        data = "\n".join(lines).encode("utf-8", "surrogatepass")
        try:
            report = parse_report(decode_report(data), f"case{case}.md")
        except ReportError as exc:
            # Where the message names a line, it is a line of the file (1-based), as a QA lead would open it.
            assert exc.line is None or 1 <= exc.line <= len(lines) + 1, (case, exc.line, exc.message)
            continue
        # The score line really is the line that holds the awarded score, and every sentence starts
        # with the first word of a line number the parser gave it.
        line = lines[report.score_line - 1]
        row = _score_row(line.strip()) if line.strip().startswith("|") else None  # "| Score | 2 |"
        score, label = SCORE_RE.match(row or line), LABEL_RE.match(line)
        # A score line with no value ("Score") takes the number of the label line under it, or of a line holding
        # the number alone, as the published page copies it ("Score" / "3"), and points there; a label line with
        # no score line before it is the score line, its descriptor alone ("Evidence shows a good standard") too.
        descriptor = UNNUMBERED_LABEL_RE.match(line)
        value = (score.group("value").strip("* ") if score else label.group("n") if label else
                 str(DESCRIPTOR_BANDS[" ".join(descriptor.group("descriptor").lower().split())]) if descriptor
                 else line.strip())
        assert value[:1] == str(report.awarded_score), (case, line)
        for sentence in counted_sentences(report):
            # (as the line reads once emphasis marks are set aside: a list item "6. **Minor**: …" starts "Minor:")
            unmarked = str.maketrans("", "", "*_")
            assert sentence.text.split()[0].translate(unmarked) in lines[sentence.line - 1].translate(unmarked), (case, sentence)
        analyse(report, compiled)
        readable.append(report)
        length[report.path] = len(lines)
    assert len(readable) > 50  # most mutations still read: the test exercises the analysis too
    results, _ = check_reports(readable, compiled, "pure")
    assert [r.path for r in results] == [r.path for r in readable]
    for result in results:  # each finding's line is a line of its report
        assert all(f.line is None or 1 <= f.line <= length[result.path] for f in result.findings), result.path
