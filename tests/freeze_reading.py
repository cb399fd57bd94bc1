"""Write tests/data/frozen/reading.json: the evidence lii-check reads in every fixture.

Run after a deliberate change to how sentences are read (and say why in CHANGELOG.md):
    python tests/freeze_reading.py
test_compiled_matcher.py compares every run against this file, so an unintended change in reading
shows up as a failing test naming the report and the clause.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FROZEN = REPO / "tests" / "data" / "frozen" / "reading.json"


def fixture_reports() -> list[Path]:
    return sorted(p for p in (REPO / "fixtures").rglob("*")
                  if p.suffix in (".txt", ".md") and p.name != "README.md" and "sentences" not in p.parts)


def reading_of(path: Path, compiled) -> dict | None:
    from lii_check.reading import find_evidence
    from lii_check.parser import ReportError, read_report
    from lii_check.scoring import assess

    try:
        report = read_report(path, path.relative_to(REPO).as_posix())
    except ReportError:
        return None
    reading = find_evidence(report, compiled)
    assessment = assess(reading, compiled.rulebook)
    return {
        "evidence": [[e.theme, e.level, e.line, e.clause, e.cue, e.signal, e.source, e.impact, e.weight]
                     for e in reading.evidence],
        "set_aside": [[s.theme, s.line, s.cue, s.reason] for s in reading.set_aside],
        "mentions": reading.mentions,
        "index": assessment.index,
        "evidence_score": assessment.evidence_score,
    }


def main() -> None:
    from lii_check.compiled import compile_rulebook_once
    from lii_check.rulebook import load_rulebook

    compiled = compile_rulebook_once(load_rulebook())
    frozen = {}
    for path in fixture_reports():
        got = reading_of(path, compiled)
        if got is not None:
            frozen[path.relative_to(REPO).as_posix()] = got
    FROZEN.write_text(json.dumps(frozen, indent=0, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{FROZEN.relative_to(REPO)}: {len(frozen)} reports", file=sys.stderr)


if __name__ == "__main__":
    main()
