"""Where the CPU of a check goes, phase by phase, in one process (not a test; figures only).

    python bench/phases.py [CORPUS] [--limit N]   # default: the 1,400-section bench corpus

Runs the pipeline of `lii-check check --jobs 1 --engine durable --format json` step by step over every
report of CORPUS and prints the CPU seconds of each step: parsing, the matcher's scan alone, the scan
with hits mapped to sentences, reading evidence (which includes that scan), scoring, facts, the
durable round trip (this process's side), findings, report entries and the JSON text. The scan is
timed twice on purpose (alone, then inside reading): the total leaves the repeats out. Use it to see
what dominates before optimising, and CPU time (not wall) on a shared machine.
"""
from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

from lii_check.check import apply_suppressions
from lii_check.compiler import report_facts
from lii_check.discovery import find_reports
from lii_check.document import report_dict
from lii_check.reading import _report_hits, find_evidence
from lii_check.findings import build_findings
from lii_check.inference import open_engine
from lii_check.matcher import fold
from lii_check.model import ReportResult
from lii_check.parser import read_report
from lii_check.run import _indented
from lii_check.scoring import assess
from lii_check.session import open_session

REPEATS = ("scan alone (repeat)", "scan + hits per sentence (repeat)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(Path(tempfile.gettempdir()) / "lii-check-bench" /
                                                          "sections-1400-seed-1"))
    parser.add_argument("--limit", type=int, default=None, help="only the first N reports")
    parser.add_argument("--max-bytes", type=int, default=1 << 20, help="the size limit per report (as in check)")
    args = parser.parse_args()
    spent: dict[str, float] = {}

    def phase(name: str, since: float) -> float:
        now = time.process_time()
        spent[name] = spent.get(name, 0.0) + now - since
        return now

    t = time.process_time()
    session = open_session()
    compiled, rulebook = session.compiled, session.rulebook
    t = phase("session (rulebook, matcher)", t)
    files = find_reports([args.corpus]).files[:args.limit]
    t = phase("discovery", t)
    reports = [read_report(f.path, f.display, max_bytes=args.max_bytes) for f in files]
    t = phase("parse", t)
    engine = compiled.matcher._engine
    for report in reports:
        sentences = [s for sec in report.sections for p in sec.paragraphs if not p.boilerplate for s in p.sentences]
        engine.raw("\n".join(fold(s.text) for s in sentences))
    t = phase(REPEATS[0], t)
    for report in reports:
        for _row in _report_hits(report, compiled):
            pass
    t = phase(REPEATS[1], t)
    readings = [find_evidence(r, compiled, keep_set_aside=False) for r in reports]  # as check does
    t = phase("reading evidence (with its scan)", t)
    assessments = [assess(reading, rulebook) for reading in readings]
    t = phase("scoring", t)
    facts = [report_facts(r, a, rulebook) for r, a in zip(reports, assessments)]
    t = phase("facts", t)
    rules = compiled.rules()
    with open_engine(rules.ruleset, "durable") as eng:
        t = time.process_time()
        fired = [pairs for i in range(0, len(facts), 32) for pairs in eng.fire(facts[i:i + 32])]
        t = phase("durable round trip (this side)", t)
    results = [apply_suppressions(ReportResult(r.path, r, a, build_findings(g, f, rules, r, a, rulebook)))
               for r, a, f, g in zip(reports, assessments, facts, fired)]
    t = phase("findings", t)
    entries = [report_dict(result) for result in results]
    t = phase("report entries", t)
    [_indented(json.loads(json.dumps(e, ensure_ascii=False)), 2) for e in entries]
    phase("JSON (spool and document)", t)
    print(f"{len(reports)} reports from {args.corpus}; CPU seconds per phase:")
    for name, seconds in spent.items():
        print(f"{seconds:8.3f}  {name}")
    print(f"{sum(v for k, v in spent.items() if k not in REPEATS):8.3f}  total (without the repeats)")


if __name__ == "__main__":
    main()
