"""Speed and memory of lii-check, printed as figures (never asserted in tests).

Builds a corpus of N copies of the bundled fixtures in a temporary folder and times the full
pipeline (read, analyse, fire rules, render JSON) with each engine, reporting peak memory too.

    python bench/bench.py            # 500 reports
    python bench/bench.py --reports 2000
"""
from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

from lii_check.check import check_files, discover
from lii_check.document import build_document
from lii_check.formats import render
from lii_check.rulebook import load_rulebook

REPO = Path(__file__).resolve().parents[1]


def make_corpus(folder: Path, n: int) -> None:
    sources = sorted(p for p in (REPO / "fixtures").rglob("*") if p.suffix in (".txt", ".md"))
    for i in range(n):
        src = sources[i % len(sources)]
        shutil.copy(src, folder / f"r{i:05d}{src.suffix}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(Path(tmp), args.reports)
        files = discover([tmp])
        print(f"lii-check benchmark: {len(files)} reports, Python {sys.version.split()[0]}")
        for engine in ("pure", "durable"):
            rulebook = load_rulebook()  # a fresh rulebook: no cached clause readings from the last run
            start = time.perf_counter()
            results, used = check_files(files, rulebook, engine if engine == "pure" else "auto")
            doc = build_document(results, rulebook, engine=used)
            render("json", doc, [])
            seconds = time.perf_counter() - start
            print(f"  engine {used:8} {seconds:7.2f} s  {seconds / len(files) * 1000:6.1f} ms/report  "
                  f"{len(files) / seconds:6.1f} reports/s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  peak memory (whole run): {peak:.0f} MiB")


if __name__ == "__main__":
    main()
