"""Mangled reports: every outcome is a reading or a plain ReportError, never another exception."""
import random
from pathlib import Path

from lii_check.check import analyse, check_reports
from lii_check.parser import ReportError, decode_report, parse_report

REPO = Path(__file__).resolve().parents[1]
JUNK = ["", "---", "Score:", "Score: 9", "## ", "# Learning from feedback", "\x00", "é", "<!-- lii-check-disable x -->",
        "3 – Evidence shows", "not not no never yet", ";;;;", "(((", "*" * 500, "\ufeff", "\r", "Score: 2 out of 4"]


def test_mutated_reports_never_crash(compiled):
    rng = random.Random(20261122)  # fixed seed: the same cases every run
    sources = sorted((REPO / "fixtures").rglob("*.txt")) + sorted((REPO / "fixtures").rglob("*.md"))
    readable = []
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
            assert exc.message and "Traceback" not in exc.message
            continue
        analyse(report, compiled)
        readable.append(report)
    assert len(readable) > 50  # most mutations still read: the test exercises the analysis too
    results, _ = check_reports(readable, compiled, "pure")
    assert all(r.verdict in ("consistent", "inconsistent") for r in results)
