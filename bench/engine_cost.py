"""What the inference engine costs per run: child start-up, per report, per chunk size (not a test).

    python bench/engine_cost.py [REPORTS]    # default 1,400 reports' facts, from the fixtures

The facts come from the fixtures and their copies with every other awarded score (the engine's cost
depends on the number of reports and rules, not on the text). Prints wall and CPU seconds for the
parent and for the durable child separately.
"""
from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

from lii_check.calibrate import shifted
from lii_check.check import analyse, discover
from lii_check.compiler import compile_rulebook, report_facts
from lii_check.evaluator import run_pure
from lii_check.inference import open_engine
from lii_check.parser import read_report
from lii_check.rulebook import load_rulebook

REPO = Path(__file__).resolve().parents[1]


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main(count: int) -> None:
    rulebook = load_rulebook()
    reports = [read_report(f.path, f.display) for f in discover([str(REPO / "fixtures")])]
    assessed = [(r, analyse(r, rulebook)) for r in reports]
    ruleset = compile_rulebook(rulebook).ruleset
    batches = []
    for i in range(count):
        report, assessment = assessed[i % len(assessed)]
        band = (i // len(assessed)) % 4 + 1
        batches.append(report_facts(shifted(report, band), assessment, rulebook))
    print(f"{count} reports, {len(ruleset)} rules, {len(batches[0])} fact(s) of {len(batches[0][0])} fields per report")
    start = time.perf_counter()
    expected = run_pure(ruleset, batches)
    print(f"pure evaluator: {time.perf_counter() - start:.3f} s")
    for chunk in (count, 500, 250, 100):
        wall, cpu, child = time.perf_counter(), time.process_time(), _child_cpu()
        with open_engine(ruleset, "durable") as eng:
            opened = time.perf_counter()
            got = [pairs for i in range(0, count, chunk) for pairs in eng.fire(batches[i:i + chunk])]
        assert got == expected and eng.name == "durable"
        print(f"durable, chunks of {chunk:4}: wall {time.perf_counter() - wall:.3f} s (first answer after start-up "
              f"included; open {opened - wall:.3f} s), parent CPU {time.process_time() - cpu:.3f} s, "
              f"child CPU {_child_cpu() - child:.3f} s")
    for chunk in (250, 100):  # the streaming pipeline: submit a chunk, read the next one, then collect
        blocked, child = 0.0, _child_cpu()
        with open_engine(ruleset, "durable") as eng:
            got, pending = [], None
            for i in range(0, count, chunk):
                t = time.perf_counter()
                submitted = eng.submit(batches[i:i + chunk])
                got += pending.result() if pending else []
                blocked += time.perf_counter() - t
                time.sleep(0.0007 * chunk)  # stands in for reading the next chunk's evidence (~0.7 ms a report)
                pending = submitted
            t = time.perf_counter()
            got += pending.result()
            blocked += time.perf_counter() - t
        assert got == expected
        print(f"durable pipelined, chunks of {chunk}: the run waited {blocked:.3f} s for the engine in all, "
              f"child CPU {_child_cpu() - child:.3f} s")
    wall, child = time.perf_counter(), _child_cpu()
    with open_engine(ruleset, "durable") as eng:
        eng.fire(batches[:1])
    print(f"durable start-up (one report): wall {time.perf_counter() - wall:.3f} s, child CPU {_child_cpu() - child:.3f} s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1400)
