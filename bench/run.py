"""The lii-check benchmark: end-to-end wall time, throughput and peak memory, as a user runs it.

Times the installed `lii-check` console script (found next to this interpreter, or given with
--lii-check) in a subprocess on distinct generated corpora (bench/corpus.py), with each engine and,
where the CLI has --jobs, each jobs value; ripgrep scanning the rulebook's own patterns over the same
files as a floor; `lii-check --version` and `--help`; and two pathological inputs (a 5 MB
single-line report and a 200 KB clause). Figures only: timings are never asserted in tests, and on
a shared machine they are indicative.

    /path/to/venv/bin/python bench/run.py                      # 1,400 sections, everything
    /path/to/venv/bin/python bench/run.py --sizes 1400,10000 --engines pure --json out.json
    /path/to/venv/bin/python bench/run.py --sizes 100000 --cases corpus,rg

Corpora are written under --corpus-dir (default: a folder in the system temp dir), never into the
repository, and reused when the seed, size and fixtures are unchanged.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import corpus as corpus_mod  # noqa: E402  (a sibling script, not an installed package)

CASES = ("corpus", "rg", "startup", "long")
LONG_INPUTS = (("5 MB single-line report", 5_000_000), ("200 KB clause", 200_000))
# Words that would cut the long line into clauses or sentences: it must stay one clause.
CLAUSE_WORDS = {"however", "but", "although", "though", "whereas", "while", "whilst", "despite", "yet"}
LOOK_AROUND = ("(?=", "(?!", "(?<=", "(?<!")
# lii-check's own exit codes: 0 consistent, 1 a finding or unreadable report. Anything else failed.
OK_CODES = (0, 1)


class BenchError(Exception):
    """Something the user must fix before the benchmark can run; printed without a traceback."""


@dataclass
class Run:
    case: str
    sections: int | None
    megabytes: float
    engine: str
    jobs: int | None
    command: list[str]
    wall_s: float | None = None
    cpu_s: float | None = None  # user + system time of the process tree: less sensitive to a busy machine
    sections_per_s: float | None = None
    peak_rss_mb: float | None = None
    tree_peak_rss_mb: float | None = None
    status: str = "ok"
    ratio_to_rg: float | None = None
    load_1min: float | None = None  # the machine's load average when the run started: other people's work
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------------------------------------
# Finding the CLI and what it supports


def find_cli(given: str | None) -> Path:
    if given:
        path = Path(given)
        if not path.is_file():
            raise BenchError(f"--lii-check {given}: no such file")
        return path
    beside = Path(sys.executable).parent / "lii-check"
    if beside.is_file():
        return beside
    raise BenchError(
        f"no lii-check console script next to {sys.executable}. Run the benchmark with the Python of the "
        "environment lii-check is installed in (e.g. python3 -m venv /tmp/venv && /tmp/venv/bin/pip install -e . "
        "&& /tmp/venv/bin/python bench/run.py), or name the script with --lii-check PATH."
    )


def cli_python(cli: Path) -> str:
    """The interpreter the console script runs on (its shebang), for exporting the rulebook's patterns."""
    first = cli.read_bytes().split(b"\n", 1)[0].decode("utf-8", "replace")
    if first.startswith("#!"):
        candidate = first[2:].strip().split()[0]
        if Path(candidate).is_file():
            return candidate
    return sys.executable


def supports_jobs(cli: Path) -> bool:
    result = subprocess.run([str(cli), "check", "--help"], capture_output=True, text=True, timeout=120)
    return "--jobs" in result.stdout


def cli_version(cli: Path) -> str:
    result = subprocess.run([str(cli), "--version"], capture_output=True, text=True, timeout=120)
    return (result.stdout or result.stderr).strip()


def parse_list(text: str, what: str) -> list[str]:
    items = [t.strip() for t in text.split(",") if t.strip()]
    if not items:
        raise BenchError(f"{what}: give at least one value")
    return items


def parse_sizes(text: str) -> list[int]:
    sizes = []
    for item in parse_list(text, "--sizes"):
        try:
            value = int(item.replace("_", ""))
        except ValueError:
            raise BenchError(f"--sizes: '{item}' is not a whole number of sections (e.g. --sizes 1400,10000)") from None
        if value < 1:
            raise BenchError(f"--sizes: {value} sections is not a corpus")
        sizes.append(value)
    return sizes


def parse_jobs(text: str) -> list[int]:
    jobs: list[int] = []
    for item in parse_list(text, "--jobs"):
        value = (os.cpu_count() or 1) if item.upper() == "N" else None
        if value is None:
            try:
                value = int(item)
            except ValueError:
                raise BenchError(f"--jobs: '{item}' is not a number or N (the machine's cores)") from None
        if value < 1:
            raise BenchError(f"--jobs: {value} is not a number of workers")
        if value not in jobs:
            jobs.append(value)
    return jobs


# ---------------------------------------------------------------------------------------------
# Measuring


def load_average() -> float | None:
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def measured(command: list[str], timeout: float, stdout: Path | None = None) -> dict:
    """Run the command under bench/measure.py in a fresh process, so its peak RSS is its own."""
    load = load_average()
    helper = [sys.executable, str(BENCH / "measure.py"), "--timeout", str(timeout),
              *(["--stdout", str(stdout)] if stdout else []), "--", *command]
    result = subprocess.run(helper, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"the measuring helper failed: {result.stderr.strip()[-500:]}")
    return {**json.loads(result.stdout), "load_1min": load}


def finish(run: Run, figures: dict, ok_codes: tuple[int, ...] = OK_CODES) -> Run:
    run.wall_s = figures["wall_s"]
    run.cpu_s = figures["cpu_s"]
    run.peak_rss_mb = figures["peak_rss_mb"]
    run.tree_peak_rss_mb = figures["tree_peak_rss_mb"]
    run.load_1min = figures.get("load_1min")
    if figures["timed_out"]:
        run.status = f"timed out after {figures['wall_s']:.0f} s"
    elif figures["returncode"] not in ok_codes:
        run.status = f"failed (exit {figures['returncode']})"
        tail = figures["stderr_tail"].strip().splitlines()[-3:]
        run.notes.append(" | ".join(tail))
    elif run.sections and run.wall_s:
        run.sections_per_s = run.sections / run.wall_s
    return run


def export_patterns(cli: Path, folder: Path) -> tuple[Path, Path, dict[str, int]]:
    """Write the rulebook's patterns: those ripgrep's own engine takes, and those needing look-around."""
    result = subprocess.run([cli_python(cli), str(BENCH / "patterns.py")], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise BenchError(f"could not export the rulebook's patterns: {result.stderr.strip()[-800:]}")
    patterns = json.loads(result.stdout)
    plain = [p["pattern"] for p in patterns if not any(a in p["pattern"] for a in LOOK_AROUND)]
    around = [p["pattern"] for p in patterns if any(a in p["pattern"] for a in LOOK_AROUND)]
    families: dict[str, int] = {}
    for p in patterns:
        families[p["family"]] = families.get(p["family"], 0) + 1
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "patterns.txt").write_text("\n".join(plain) + "\n", "utf-8")
    (folder / "patterns-lookaround.txt").write_text("\n".join(around) + "\n", "utf-8")
    return folder / "patterns.txt", folder / "patterns-lookaround.txt", families


def rg_commands(rg: str, plain: Path, around: Path, target: Path) -> list[list[str]]:
    limits = ["--regex-size-limit", "1G", "--dfa-size-limit", "1G"]
    commands = [[rg, "-c", "-i", *limits, "-f", str(plain), str(target)]]
    if around.read_text("utf-8").strip():
        # ripgrep's own engine has no look-around; PCRE2 (with JIT) takes the few that need it.
        commands.append([rg, "-c", "-i", "--pcre2", "-f", str(around), str(target)])
    return commands


def time_rg(commands: list[list[str]], sections: int, megabytes: float, timeout: float) -> Run:
    run = Run("rg", sections, megabytes, "ripgrep", None, [" ".join(c) for c in commands])
    wall = 0.0
    peak = 0.0
    for command in commands:
        figures = measured(command, timeout)
        if figures["timed_out"] or figures["returncode"] not in (0, 1):
            return finish(run, figures, (0, 1))
        wall += figures["wall_s"]
        run.cpu_s = (run.cpu_s or 0.0) + figures["cpu_s"]
        peak = max(peak, figures["peak_rss_mb"])
        run.load_1min = figures["load_1min"] if run.load_1min is None else run.load_1min
    run.wall_s, run.peak_rss_mb = wall, peak
    run.sections_per_s = sections / wall if wall else None
    return run


def time_startup(cli: Path, args: list[str], repeat: int) -> dict:
    walls = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = subprocess.run([str(cli), *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        walls.append(time.perf_counter() - start)
        if result.returncode != 0:
            return {"command": f"lii-check {' '.join(args)}", "status": f"failed (exit {result.returncode})"}
    return {"command": f"lii-check {' '.join(args)}", "runs": repeat, "median_ms": statistics.median(walls) * 1000,
            "min_ms": min(walls) * 1000, "max_ms": max(walls) * 1000, "status": "ok"}


def long_report(size: int, seed: int) -> str:
    """A synthetic report whose findings are one clause of `size` bytes: fixture words, no full stop."""
    sources = corpus_mod.load_sources()
    words = sorted(w for w in sources.vocabulary if w.isalpha() and w not in CLAUSE_WORDS)
    rng = random.Random(f"lii-check-bench-long:{seed}:{size}")
    header = (
        "---\nsynthetic: true\nnote: \"Synthetic benchmark input made by lii-check bench/run.py: one clause with "
        "no full stop, built from fixture words. Not a CQC publication.\"\n---\n\n"
        "# Learning, improvement and innovation\n\nScore: 3\n\n3 - Evidence shows a good standard\n\n"
        "## Key findings for this quality statement\n\n"
    )
    parts, length = ["Staff"], 5
    while length < size:
        word = rng.choice(words)
        parts.append(word)
        length += len(word) + 1
    return header + " ".join(parts) + "\n"


def unreadable_in(json_text: str) -> list[str] | None:
    """Reports lii-check could not read, from its JSON output; None when the output is not understood."""
    try:
        document = json.loads(json_text)
        return [f"{r['path']}: {(r.get('error') or {}).get('message', '')}"
                for r in document["reports"] if r.get("verdict") == "unreadable"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def verify_readable(cli: Path, paths: list[Path], engine: str) -> str | None:
    """Check a sample before timing: unreadable reports would time the wrong thing. Returns the engine used."""
    result = subprocess.run([str(cli), "check", "--format", "json", "--fail-on", "never", "--engine", engine,
                             *map(str, paths)], capture_output=True, text=True, timeout=600)
    if result.returncode not in OK_CODES:
        raise BenchError(f"lii-check --engine {engine} failed on a sample of the corpus (exit {result.returncode}): "
                         f"{result.stderr.strip()[-500:]}")
    bad = unreadable_in(result.stdout)
    if bad is None:
        raise BenchError(f"could not read lii-check's JSON output to check the corpus (exit {result.returncode}): "
                         f"{result.stderr.strip()[-500:]}")
    if bad:
        raise BenchError("lii-check cannot read generated reports, so timing them would be meaningless:\n  "
                         + "\n  ".join(bad[:5]))
    try:
        return json.loads(result.stdout).get("engine")
    except (ValueError, AttributeError):
        return None


# ---------------------------------------------------------------------------------------------
# Printing


def _f(value: float | None, digits: int = 2) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"


def corpus_table(runs: list[Run]) -> str:
    lines = ["| sections | MB | engine | jobs | wall s | CPU s | sections/s | peak RSS MB | tree RSS MB | × rg | load | status |",
             "| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in runs:
        lines.append(f"| {r.sections:,} | {r.megabytes:.1f} | {r.engine} | {r.jobs if r.jobs else '—'} | {_f(r.wall_s)} | {_f(r.cpu_s)} "
                     f"| {_f(r.sections_per_s, 0)} | {_f(r.peak_rss_mb, 0)} | {_f(r.tree_peak_rss_mb, 0)} "
                     f"| {_f(r.ratio_to_rg, 1)} | {_f(r.load_1min, 1)} | {r.status} |")
    return "\n".join(lines)


def startup_table(rows: list[dict]) -> str:
    lines = ["| command | median ms | min ms | max ms | status |", "| --- | ---: | ---: | ---: | --- |"]
    for row in rows:
        lines.append(f"| `{row['command']}` ({row.get('runs', 0)} runs) | {_f(row.get('median_ms'), 0)} "
                     f"| {_f(row.get('min_ms'), 0)} | {_f(row.get('max_ms'), 0)} | {row['status']} |")
    return "\n".join(lines)


def long_table(runs: list[Run]) -> str:
    lines = ["| input | MB | engine | wall s | CPU s | KB/s | peak RSS MB | load | status |",
             "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | --- |"]
    for r in runs:
        rate = r.megabytes * 1000 / r.wall_s if r.wall_s and r.status == "ok" else None
        lines.append(f"| {r.case} | {r.megabytes:.1f} | {r.engine} | {_f(r.wall_s)} | {_f(r.cpu_s)} | {_f(rate)} | {_f(r.peak_rss_mb, 0)} "
                     f"| {_f(r.load_1min, 1)} | {r.status} |")
    return "\n".join(lines)


def say(text: str = "") -> None:
    print(text, flush=True)


# ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--sizes", default="1400", help="corpus sizes in sections, comma-separated (1400,10000,100000)")
    parser.add_argument("--engines", default="durable,pure", help="lii-check --engine values to time")
    parser.add_argument("--jobs", default="1,2,N", help="--jobs values (N: the machine's cores), where the CLI has --jobs")
    parser.add_argument("--cases", default=",".join(CASES), help=f"what to run, from {','.join(CASES)}")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--corpus-dir", type=Path, default=Path(tempfile.gettempdir()) / "lii-check-bench",
                        help="where corpora are generated (outside the repository)")
    parser.add_argument("--lii-check", dest="cli", help="the lii-check console script to time")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds before one corpus run is stopped")
    parser.add_argument("--long-timeout", type=float, default=300, help="seconds before a long-input run is stopped")
    parser.add_argument("--startup-runs", type=int, default=10)
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    try:
        return bench(args)
    except BenchError as exc:
        print(f"bench: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("bench: interrupted", file=sys.stderr)
        return 130


@dataclass
class Setup:
    cli: Path
    version: str
    engines: list[str]
    jobs: list[int | None]
    jobs_supported: bool
    rg: str | None
    notes: list[str]


def prepare(args: argparse.Namespace, cases: list[str]) -> Setup:
    cli = find_cli(args.cli)
    notes: list[str] = []
    jobs_supported = supports_jobs(cli)
    jobs: list[int | None] = list(parse_jobs(args.jobs)) if jobs_supported else [None]
    if not jobs_supported:
        notes.append("lii-check check has no --jobs option: the jobs dimension is skipped")
    rg = shutil.which("rg")
    if "rg" in cases and not rg:
        notes.append("ripgrep (rg) is not installed: the ripgrep floor and the ratios are skipped "
                     "(install it, e.g. apt-get install ripgrep)")
    return Setup(cli, cli_version(cli), parse_list(args.engines, "--engines"), jobs, jobs_supported, rg, notes)


def bench_corpora(args: argparse.Namespace, cases: list[str], setup: Setup) -> tuple[list[dict], list[Run], list[Run], dict]:
    """Generate each corpus, time ripgrep over it, then lii-check with each engine and jobs value."""
    corpora: list[dict] = []
    runs: list[Run] = []
    rg_runs: list[Run] = []
    engines_used: dict[str, str | None] = {}
    rg = setup.rg if "rg" in cases else None
    if rg:
        plain, around, families = export_patterns(setup.cli, args.corpus_dir / "patterns")
        counts = ", ".join(f"{n} {k}" for k, n in sorted(families.items()))
        say(f"rulebook patterns for ripgrep: {sum(families.values())} ({counts}); "
            f"{len(around.read_text('utf-8').splitlines())} need look-around and run through --pcre2")
    for size in parse_sizes(args.sizes):
        folder = args.corpus_dir / f"sections-{size}-seed-{args.seed}"
        say(f"\ncorpus: {size:,} sections in {folder} ...")
        try:
            made = corpus_mod.generate(folder, size, args.seed)
        except (corpus_mod.CorpusError, OSError) as exc:
            raise BenchError(str(exc)) from None
        megabytes = made.bytes / 1e6
        corpora.append({"sections": size, "seed": args.seed, "megabytes": megabytes, "folder": str(folder),
                        "reused": made.reused})
        say(f"  {'reused' if made.reused else 'generated'}: {megabytes:.1f} MB")
        if "corpus" in cases and not engines_used:
            sample = sorted(folder.glob("part-*/s*.md"))
            for engine in setup.engines:
                engines_used[engine] = verify_readable(setup.cli, sample[:20] + sample[-1:], engine)
                if engines_used[engine] not in (None, engine):
                    setup.notes.append(f"--engine {engine} ran as '{engines_used[engine]}' on a sample of the corpus")
                    say(f"note: {setup.notes[-1]}")
        floor = None
        if rg:
            floor = time_rg(rg_commands(rg, plain, around, folder), size, megabytes, args.timeout)
            rg_runs.append(floor)
            say(f"  ripgrep: {_f(floor.wall_s)} s ({floor.status})")
        if "corpus" not in cases:
            continue
        for engine in setup.engines:
            for j in setup.jobs:
                command = [str(setup.cli), "check", "--format", "json", "--engine", engine, str(folder)]
                if j is not None:
                    command[2:2] = ["--jobs", str(j)]
                run = finish(Run("corpus", size, megabytes, engine, j, command), measured(command, args.timeout))
                if engines_used.get(engine) not in (None, engine):
                    run.notes.append(f"ran as engine '{engines_used[engine]}'")
                if floor and floor.wall_s and run.wall_s and run.status == "ok":
                    run.ratio_to_rg = run.wall_s / floor.wall_s
                runs.append(run)
                say(f"  {engine} jobs={j or '—'}: {_f(run.wall_s)} s, {_f(run.sections_per_s, 0)} sections/s, "
                    f"peak {_f(run.peak_rss_mb, 0)} MB ({run.status})" + "".join(f"\n    {n}" for n in run.notes))
    return corpora, runs, rg_runs, engines_used


def bench_long_inputs(args: argparse.Namespace, cli: Path) -> list[Run]:
    folder = args.corpus_dir / "long-inputs"
    folder.mkdir(parents=True, exist_ok=True)
    long_runs = []
    for label, size in LONG_INPUTS:
        path = folder / f"one-clause-{size}.md"
        text = long_report(size, args.seed)
        if not path.is_file() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8")
        # Above the default --max-bytes (1 MiB) on purpose: this measures reading, not the size guard.
        command = [str(cli), "check", "--format", "json", "--max-bytes", str(2 * size), str(path)]
        say(f"\n{label}: {path} ...")
        output = folder / f"one-clause-{size}.json"
        run = finish(Run(label, None, len(text.encode()) / 1e6, "default", None, command),
                     measured(command, args.long_timeout, output))
        if run.status == "ok":
            bad = unreadable_in(output.read_text("utf-8"))
            if bad is None or bad:
                run.status = "failed (not read as a report)"
                run.notes.append("; ".join(bad or ["the JSON output was not understood"]))
        long_runs.append(run)
        say(f"  {_f(run.wall_s)} s ({run.status})")
    return long_runs


def bench(args: argparse.Namespace) -> int:
    cases = parse_list(args.cases, "--cases")
    unknown = sorted(set(cases) - set(CASES))
    if unknown:
        raise BenchError(f"--cases: unknown {', '.join(unknown)}; choose from {', '.join(CASES)}")
    parse_sizes(args.sizes)  # usage errors before any work
    if args.json and not args.json.parent.is_dir():
        raise BenchError(f"--json {args.json}: the folder {args.json.parent} does not exist")
    setup = prepare(args, cases)
    say(f"lii-check benchmark: {setup.version} ({setup.cli}), Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, {platform.machine()}; shared machines give indicative figures")
    for note in setup.notes:
        say(f"note: {note}")
    args.corpus_dir.mkdir(parents=True, exist_ok=True)

    corpora, runs, rg_runs, engines_used = [], [], [], {}
    if "corpus" in cases or "rg" in cases:
        corpora, runs, rg_runs, engines_used = bench_corpora(args, cases, setup)
    startup = []
    if "startup" in cases:
        startup = [time_startup(setup.cli, ["--version"], args.startup_runs),
                   time_startup(setup.cli, ["--help"], args.startup_runs)]
    long_runs = bench_long_inputs(args, setup.cli) if "long" in cases else []

    say("")
    if runs or rg_runs:
        say(corpus_table(runs + rg_runs))
        say("")
    if startup:
        say(startup_table(startup))
        say("")
    if long_runs:
        say(long_table(long_runs))
        say("")
    say("peak RSS: the largest single process (getrusage of a fresh helper); tree RSS: all processes summed, "
        "sampled every 50 ms (needs psutil: pip install -e '.[bench]'). CPU s: user + system time of the "
        "process tree. × rg: lii-check wall / ripgrep wall "
        f"on the same files. load: the 1-minute load average when the run started ({os.cpu_count()} cores); "
        "well above the core count, the machine was busy with other work and the figures are high.")

    if args.json:
        document = {
            "generated_by": "bench/run.py",
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "machine": {"python": platform.python_version(), "cores": os.cpu_count(), "platform": platform.platform()},
            "lii_check": {"cli": str(setup.cli), "version": setup.version, "jobs_supported": setup.jobs_supported,
                          "engines_used": engines_used},
            "ripgrep": setup.rg,
            "notes": setup.notes,
            "corpora": corpora,
            "runs": [asdict(r) for r in runs],
            "ripgrep_runs": [asdict(r) for r in rg_runs],
            "startup": startup,
            "long_inputs": [asdict(r) for r in long_runs],
        }
        try:
            args.json.write_text(json.dumps(document, indent=2) + "\n", "utf-8")
        except OSError as exc:
            raise BenchError(f"--json {args.json}: cannot write it ({exc.strerror or exc})") from None
        say(f"figures written to {args.json}")
    failed = [r for r in runs + long_runs + rg_runs if r.status.startswith("failed")]
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
