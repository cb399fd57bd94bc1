"""Size of the HTML report and how fast Chromium shows it, for a large corpus (figures, never asserted).

Writes N synthetic reports into a temporary folder (copies of the bundled fixtures with their
paragraphs shuffled, each marked synthetic), runs ``lii-check --output html=...`` on them, then opens
the page in headless Chromium several times and prints the median first contentful paint,
DOMContentLoaded and load times, and how long opening one report view and filtering the list take.
Nothing is kept: the corpus and the page are deleted at the end.

    python bench/html_first_paint.py               # 1,400 reports, 3 loads
    python bench/html_first_paint.py --reports 300 --loads 5
"""
from __future__ import annotations

import argparse
import gzip
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from test_html_cdp import Browser, find_chromium  # noqa: E402

HEADING = re.compile(r"^\s*(#|---|\*\*\*|Score\b|Indicative score\b|\d\s*[-–—]\s*Evidence shows)", re.IGNORECASE)


def shuffled_copy(text: str, rng: random.Random, origin: str) -> str:
    """The report with its findings paragraphs in another order; headings and score lines stay put."""
    front = ""
    if text.startswith("---\n"):
        end = text.index("\n---", 4) + 4
        front, text = text[:end] + "\n", text[end:]
    blocks = re.split(r"\n\s*\n", text.strip("\n"))
    movable = [i for i, b in enumerate(blocks) if not HEADING.match(b) and len(b) > 120]
    order = movable[:]
    rng.shuffle(order)
    out = blocks[:]
    for i, j in zip(movable, order):
        out[i] = blocks[j]
    note = f"<!-- synthetic: paragraphs of {origin} shuffled for the HTML benchmark; not a CQC publication -->\n"
    return front + note + "\n\n".join(out) + "\n"


def make_corpus(folder: Path, n: int) -> None:
    sources = sorted(p for p in (REPO / "fixtures").rglob("*") if p.suffix in (".txt", ".md"))
    rng = random.Random(1400)
    for i in range(n):
        src = sources[i % len(sources)]
        text = shuffled_copy(src.read_text("utf-8"), rng, src.relative_to(REPO).as_posix())
        (folder / f"r{i:05d}{src.suffix}").write_text(text, encoding="utf-8")


TIMINGS = """new Promise(function(done){requestAnimationFrame(function(){setTimeout(function(){
  var p={};performance.getEntriesByType('paint').forEach(function(e){p[e.name]=e.startTime;});
  var n=performance.getEntriesByType('navigation')[0];
  done({fcp:p['first-contentful-paint'],fp:p['first-paint'],dcl:n.domContentLoadedEventEnd,load:n.loadEventEnd});
},50);});})"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1400)
    parser.add_argument("--loads", type=int, default=3)
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        sys.exit("no chromium: apt-get install chromium")
    with tempfile.TemporaryDirectory() as tmp:
        corpus, page = Path(tmp) / "corpus", Path(tmp) / "lii-report.html"
        corpus.mkdir()
        make_corpus(corpus, args.reports)
        started = time.perf_counter()
        run = subprocess.run([sys.executable, "-c", "from lii_check.cli import run; run()", "corpus",
                              "--format", "json", "--output", f"html={page}"],
                             cwd=tmp, capture_output=True, text=True)
        checked = time.perf_counter() - started
        if run.returncode not in (0, 1):
            sys.exit(f"lii-check failed ({run.returncode}): {run.stderr}")
        size = page.stat().st_size
        packed = len(gzip.compress(page.read_bytes(), 6))
        loads = []
        for _ in range(args.loads):
            browser = Browser(chromium, timeout=300)
            try:
                t0 = time.perf_counter()
                browser.open(page)
                wall = (time.perf_counter() - t0) * 1000
                timing = browser.js(TIMINGS)
                timing["wall"] = wall
                rid = browser.js("document.querySelector('#reports-table tbody tr:last-child a').hash")
                timing["report"] = browser.js(
                    f"(function(){{var t=performance.now();location.hash={rid!r};"
                    "document.body.offsetHeight;return performance.now()-t;})()")
                browser.js("location.hash='corpus'")
                timing["filter"] = browser.js(
                    "(function(){var s=document.getElementById('f-verdict'),t=performance.now();"
                    "s.value='inconsistent';s.dispatchEvent(new Event('change',{bubbles:true}));"
                    "document.body.offsetHeight;return performance.now()-t;})()")
                timing["problems"] = len(browser.problems())
                loads.append(timing)
            finally:
                browser.close()

    def med(key: str) -> str:
        values = [t[key] for t in loads if t.get(key) is not None]
        return f"{statistics.median(values):.0f} ms" if values else "n/a"

    print(f"reports: {args.reports}; lii-check run: {checked:.1f} s; HTML file: {size / 1e6:.1f} MB ({size} bytes), "
          f"{packed / 1e6:.1f} MB gzipped")
    print(f"Chromium {args.loads} loads (median): first contentful paint {med('fcp')}, first paint {med('fp')}, "
          f"DOMContentLoaded {med('dcl')}, load {med('load')}, navigate-to-load wall clock {med('wall')}")
    print(f"open the last report view: {med('report')}; filter the list by verdict: {med('filter')}; "
          f"console problems: {max(t['problems'] for t in loads)}")


if __name__ == "__main__":
    main()
