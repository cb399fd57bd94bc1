"""Mutation testing of lii-check's core with cosmic-ray: `python mutation/run.py [module ...]`.

cosmic-ray changes one operator or constant at a time in a module's source and runs that module's fast
tests (mutation/modules.toml); a mutant the tests do not notice "survives". cosmic-ray edits files in
place, so this never runs in your checkout: it copies the checkout (tracked and untracked, not ignored,
files) to a scratch folder and imports `lii_check` from there (the editable install is shadowed by
PYTHONPATH, so subprocesses the tests start, such as `lii-check` itself, run the mutated copy too).

A mutant that hangs past the timeout counts as killed. A surviving mutant counts as equivalent (no test
can tell it apart because it behaves the same) only when mutation/equivalent.toml lists it with a reason.

Run it before a release, not on every CI run; it is slow (see CONTRIBUTING.md for the figures) and CPU
bound, so start it with `nice -n 10` on a shared machine. Examples:

    python mutation/run.py                                 # every module of modules.toml
    python mutation/run.py engine/parser.py engine/scoring.py
    python mutation/run.py --report                        # summarise the last run again
    python mutation/run.py --sample 200 engine/reading.py  # a random (seeded) 200 of its mutants only
"""
from __future__ import annotations

import argparse
import ast
import fnmatch
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
PYTEST = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", "-p", "no:xdist",
          "-o", "addopts=", "-W", "ignore"]


def load_modules() -> dict[str, dict]:
    return tomllib.loads((HERE / "modules.toml").read_text("utf-8"))["modules"]


def load_equivalents() -> list[dict]:
    path = HERE / "equivalent.toml"
    entries = tomllib.loads(path.read_text("utf-8")).get("equivalent", []) if path.exists() else []
    for entry in entries:
        missing = {"module", "operator", "line", "reason"} - set(entry)
        if missing or not str(entry.get("reason", "")).strip():
            sys.exit(f"mutation/equivalent.toml: entry {entry} lacks {sorted(missing) or ['a reason']}")
    return entries


def snapshot(workdir: Path) -> Path:
    """Copy the checkout to workdir/tree and make `import lii_check` resolve there."""
    tree = workdir / "tree"
    if tree.exists():
        shutil.rmtree(tree)
    files = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO, check=True,
                           capture_output=True).stdout.decode().split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            target = tree / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    # The package layout of pyproject.toml: lii_check is engine/, lii_check.rules is rules/.
    shim = workdir / "shim"
    shutil.rmtree(shim, ignore_errors=True)
    shim.mkdir(parents=True)
    (shim / "lii_check").symlink_to(tree / "engine", target_is_directory=True)
    (tree / "engine" / "rules").symlink_to(tree / "rules", target_is_directory=True)
    return tree


def environment(workdir: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(workdir / "shim"), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def check_import(tree: Path, env: dict[str, str]) -> None:
    found = subprocess.run([sys.executable, "-c", "import lii_check, os; print(os.path.realpath(lii_check.__file__))"],
                           cwd=tree, env=env, capture_output=True, text=True)
    if not found.stdout.strip().startswith(str(tree.resolve())):
        sys.exit(f"lii_check imports from {found.stdout.strip() or found.stderr.strip()}, not the copy {tree}")


def expand_tests(tree: Path, patterns: list[str]) -> list[str]:
    out: list[str] = []
    for pattern in patterns:
        if "::" in pattern:  # one test (a pytest node id)
            out += [pattern] if (tree / pattern.split("::")[0]).exists() else []
            continue
        out += sorted(str(Path(p).relative_to(tree)) for p in glob.glob(str(tree / pattern)))
    return out


def run_module(module: str, spec: dict, tree: Path, env: dict[str, str], workdir: Path, resume: bool,
               sample: int | None = None) -> dict | None:
    if not (tree / module).exists():
        print(f"{module}: not in this checkout yet, skipped", flush=True)
        return None
    tests = expand_tests(tree, spec["tests"])
    if not tests:
        print(f"{module}: none of its tests {spec['tests']} exist yet, skipped", flush=True)
        return None
    command = PYTEST + [f"--deselect={d}" for d in spec.get("deselect", [])] + tests
    # lii-check's on-disk cache is keyed by what it was built from, not by the code that built it: a mutant
    # must neither read what another mutant wrote nor write into the user's cache. The unmutated run fills
    # a pristine cache; every mutant runs on a fresh copy of it.
    pristine = workdir / "cache" / module.replace("/", "_")
    shutil.rmtree(pristine, ignore_errors=True)
    pristine.mkdir(parents=True)
    started = time.monotonic()
    baseline = subprocess.run(command, cwd=tree, env={**env, "LII_CHECK_CACHE_DIR": str(pristine)},
                              capture_output=True, text=True)
    took = time.monotonic() - started
    if baseline.returncode != 0:
        sys.exit(f"{module}: its tests fail on the unmutated code; fix them first:\n{baseline.stdout[-3000:]}")
    command = [sys.executable, str(Path(__file__).resolve()), "--fresh-cache", str(pristine), "--"] + command
    timeout = max(float(spec.get("timeout", 30)), 4 * took)
    name = module.replace("/", "_").removesuffix(".py")
    config = workdir / f"{name}.toml"
    db = workdir / f"{name}.sqlite"
    config.write_text(
        "[cosmic-ray]\n"
        f"module-path = {json.dumps(module)}\n"
        f"timeout = {timeout:.1f}\n"
        "excluded-modules = []\n"
        f"test-command = {json.dumps(' '.join(command))}\n"
        "[cosmic-ray.distributor]\nname = \"local\"\n",
        "utf-8",
    )
    cosmic = [sys.executable, "-m", "cosmic_ray.cli"]
    if not (resume and db.exists()):
        db.unlink(missing_ok=True)
        subprocess.run(cosmic + ["init", str(config), str(db)], cwd=tree, env=env, check=True)
        skip_annotations(tree / module, db)
        if sample is not None:
            leave_out_of_sample(db, sample)
    print(f"{module}: tests {' '.join(tests)} take {took:.1f} s unmutated; timeout {timeout:.0f} s", flush=True)
    started = time.monotonic()
    subprocess.run(cosmic + ["exec", str(config), str(db)], cwd=tree, env=env, check=True)
    meta_path = workdir / f"{name}.json"
    earlier = json.loads(meta_path.read_text("utf-8")).get("seconds", 0) if resume and meta_path.exists() else 0
    meta = {"seconds": earlier + round(time.monotonic() - started), "tests": tests, "timeout": timeout}
    meta_path.write_text(json.dumps(meta), "utf-8")
    return meta


ANNOTATION = "type annotation: never evaluated (from __future__ import annotations)"


def annotation_spans(source: str) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Where the module's type annotations are; they are strings at run time, so mutating them changes nothing."""
    if "from __future__ import annotations" not in source:
        return []
    spans = []
    for node in ast.walk(ast.parse(source)):
        notes = []
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.returns is not None:
            notes.append(node.returns)
        if isinstance(node, ast.arg) and node.annotation is not None:
            notes.append(node.annotation)
        if isinstance(node, ast.AnnAssign):
            notes.append(node.annotation)
        spans += [((n.lineno, n.col_offset), (n.end_lineno, n.end_col_offset)) for n in notes]
    return spans


def skip_annotations(module: Path, db_path: Path) -> None:
    """Mark mutants inside type annotations as skipped before they cost a test run each."""
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    spans = annotation_spans(module.read_text("utf-8"))
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        for item in list(db.pending_work_items):
            start = tuple(item.mutations[0].start_pos)
            if any(lo <= start < hi for lo, hi in spans):
                db.set_result(item.job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=ANNOTATION))


NOT_SAMPLED = "not in the sample (--sample)"


def leave_out_of_sample(db_path: Path, size: int) -> None:
    """Run only a random (seeded, so repeatable) sample of the module's mutants; the rest count as not run."""
    import random

    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import WorkerOutcome, WorkResult

    with use_db(str(db_path), WorkDB.Mode.open) as db:
        # By what each mutant is (place and operator), not by its job id: cosmic-ray draws new ids for every
        # run, and a sample seeded over them was a different sample each time.
        items = sorted(db.pending_work_items, key=lambda item: [
            (str(m.module_path), m.start_pos, m.end_pos, m.operator_name, m.occurrence) for m in item.mutations])
        pending = [item.job_id for item in items]
        keep = set(random.Random(13).sample(pending, min(size, len(pending))))
        for job_id in pending:
            if job_id not in keep:
                db.set_result(job_id, WorkResult(worker_outcome=WorkerOutcome.SKIPPED, output=NOT_SAMPLED))


def equivalent_entry(module: str, spec, source: list[str], equivalents: list[dict]) -> int | None:
    """The index of the mutation/equivalent.toml entry that lists this mutant, if any."""
    line = source[spec.start_pos[0] - 1].strip()
    before = next((s.strip() for s in reversed(source[: spec.start_pos[0] - 1]) if s.strip()), "")
    return next((i for i, e in enumerate(equivalents) if e["module"] == module
                 and fnmatch.fnmatchcase(spec.operator_name, e["operator"]) and e["line"].strip() == line
                 and e.get("after", before).strip() == before
                 and e.get("col", spec.start_pos[1]) == spec.start_pos[1]
                 and e.get("occurrence", spec.occurrence) == spec.occurrence), None)


def recheck(workdir: Path, modules: list[str], equivalents: list[dict]) -> Path:
    """Copy the checkout again and mark the last run's survivors pending, so that exec runs only them. Survivors
    listed as equivalent are left as they are: no test can kill them, and each would cost a full test run."""
    import sqlite3

    from cosmic_ray.work_db import WorkDB, use_db

    old = {m: (workdir / "tree" / m).read_bytes() for m in modules if (workdir / "tree" / m).exists()}
    tree = snapshot(workdir)
    for module, before in old.items():
        if (tree / module).read_bytes() != before:
            sys.exit(f"{module} changed since the last run: run it in full")
        db = workdir / f"{module.replace('/', '_').removesuffix('.py')}.sqlite"
        source = (tree / module).read_text("utf-8").splitlines()
        with use_db(str(db), WorkDB.Mode.open) as work:
            again = [item.job_id for item, result in work.completed_work_items
                     if result.test_outcome is not None and result.test_outcome.name == "SURVIVED"
                     and not (result.output or "").startswith("type annotation")
                     and equivalent_entry(module, item.mutations[0], source, equivalents) is None]
        with sqlite3.connect(db) as con:
            con.executemany("DELETE FROM work_results WHERE job_id = ?", [(job,) for job in again])
        print(f"{module}: {len(again)} survivors not listed as equivalent run again", flush=True)
    return tree


def summarise(module: str, workdir: Path, tree: Path, equivalents: list[dict]) -> dict | None:
    from cosmic_ray.work_db import WorkDB, use_db
    from cosmic_ray.work_item import TestOutcome

    name = module.replace("/", "_").removesuffix(".py")
    db_path = workdir / f"{name}.sqlite"
    if not db_path.exists():
        return None
    meta_path = workdir / f"{name}.json"
    meta = json.loads(meta_path.read_text("utf-8")) if meta_path.exists() else {}
    source = (tree / module).read_text("utf-8").splitlines()
    counts = dict(mutants=0, killed=0, timeouts=0, survived=0, equivalent=0, incompetent=0, pending=0, annotations=0)
    survivors: list[str] = []
    used = set()
    with use_db(str(db_path), WorkDB.Mode.open) as db:
        counts["mutants"] = db.num_work_items
        counts["pending"] = sum(1 for _ in db.pending_work_items)
        for item, result in db.completed_work_items:
            if result.output == ANNOTATION:
                counts["annotations"] += 1
            elif result.output == NOT_SAMPLED:
                counts["pending"] += 1
            elif result.test_outcome == TestOutcome.KILLED:
                counts["timeouts" if result.output == "timeout" else "killed"] += 1
            elif result.test_outcome == TestOutcome.INCOMPETENT or result.test_outcome is None:
                counts["incompetent"] += 1
            else:
                spec = item.mutations[0]
                line = source[spec.start_pos[0] - 1].strip()
                match = equivalent_entry(module, spec, source, equivalents)
                if match is not None:
                    counts["equivalent"] += 1
                    used.add(match)
                else:
                    counts["survived"] += 1
                    survivors.append(f"{module}:{spec.start_pos[0]}:{spec.start_pos[1]} {spec.operator_name} #{spec.occurrence}\n"
                                     f"    {line}\n{result.diff or ''}")
    (workdir / f"{name}.survivors.txt").write_text("\n".join(survivors), "utf-8")
    counts["mutants"] -= counts["annotations"]  # not code: reported apart, never counted as a mutant
    judged = counts["mutants"] - counts["equivalent"] - counts["pending"] - counts["incompetent"]
    counts["score"] = (counts["killed"] + counts["timeouts"]) / judged if judged else 0.0
    counts["seconds"] = meta.get("seconds")
    counts["stale_equivalents"] = [equivalents[i] for i, e in enumerate(equivalents)
                                   if e["module"] == module and i not in used]
    return counts


def run_with_fresh_cache(pristine: str, command: list[str]) -> int:
    """Run one mutant's tests with a private copy of the pristine cache, removed afterwards (beside the
    pristine one, so that the copy of a mutant killed for its timeout is left in the scratch folder)."""
    with tempfile.TemporaryDirectory(prefix="mutant-", dir=Path(pristine).parent) as scratch:
        cache = Path(scratch) / "cache"
        shutil.copytree(pristine, cache)
        return subprocess.run(command, env={**os.environ, "LII_CHECK_CACHE_DIR": str(cache)}).returncode


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--fresh-cache"]:  # how each mutant's test command is run (see run_module)
        return run_with_fresh_cache(argv[1], argv[3:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("modules", nargs="*", help="modules of mutation/modules.toml (default: all)")
    parser.add_argument("--workdir", default=str(Path(tempfile.gettempdir()) / f"lii-mutation-{os.getuid() if hasattr(os, 'getuid') else 'user'}"))
    parser.add_argument("--report", action="store_true", help="only summarise the last run in --workdir")
    parser.add_argument("--resume", action="store_true", help="continue an interrupted run of the same code")
    parser.add_argument("--sample", type=int, metavar="N",
                        help="run only N mutants of each module, picked at random (the rest are reported as not run)")
    parser.add_argument("--recheck", action="store_true",
                        help="run the last run's survivors (those not listed as equivalent) again against the current tests "
                             "(the modules' code unchanged)")
    args = parser.parse_args(argv)
    modules = load_modules()
    unknown = [m for m in args.modules if m not in modules]
    if unknown:
        parser.error(f"not in mutation/modules.toml: {', '.join(unknown)}")
    chosen = args.modules or list(modules)
    equivalents = load_equivalents()
    workdir = Path(args.workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    if args.recheck:
        tree = recheck(workdir, chosen, equivalents)
        now = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
        before = (workdir / "commit.txt").read_text("utf-8").split(" ")[0] if (workdir / "commit.txt").exists() else "?"
        (workdir / "commit.txt").write_text(f"{before} (survivors rechecked with the tests of {now.stdout.strip()})", "utf-8")
    elif args.report or args.resume:
        tree = workdir / "tree"
    else:
        tree = snapshot(workdir)
        commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True)
        (workdir / "commit.txt").write_text(commit.stdout.strip(), "utf-8")
    env = environment(workdir)
    if not args.report:
        check_import(tree, env)
        for module in chosen:
            run_module(module, modules[module], tree, env, workdir, args.resume or args.recheck, args.sample)
    commit = (workdir / "commit.txt").read_text("utf-8") if (workdir / "commit.txt").exists() else "?"
    print(f"\nMutation score at {commit} (survivors with diffs: {workdir}/*.survivors.txt)\n")
    print("| module | mutants | killed | timeouts | equivalent | survived | score | run time |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    total = dict(mutants=0, killed=0, timeouts=0, equivalent=0, survived=0, seconds=0, pending=0, incompetent=0)
    skipped = 0
    for module in chosen:
        c = summarise(module, workdir, tree, equivalents)
        if c is None:
            continue
        note = f" ({c['pending']} not run)" if c["pending"] else ""
        note += f" ({c['incompetent']} incompetent)" if c["incompetent"] else ""
        skipped += c["annotations"]
        print(f"| {module} | {c['mutants']} | {c['killed']} | {c['timeouts']} | {c['equivalent']} | {c['survived']} "
              f"| {c['score']:.0%}{note} | {c['seconds'] or '?'} s |")
        for key in total:
            total[key] += c[key] or 0
        for entry in c["stale_equivalents"] if not c["pending"] else []:
            print(f"  note: equivalent.toml entry no longer matches a survivor: {entry['line']!r}", file=sys.stderr)
    judged = total["mutants"] - total["equivalent"] - total["pending"] - total["incompetent"]
    if judged:
        print(f"| all | {total['mutants']} | {total['killed']} | {total['timeouts']} | {total['equivalent']} "
              f"| {total['survived']} | {(total['killed'] + total['timeouts']) / judged:.0%} | {total['seconds']} s |")
    print(f"\nNot counted: {skipped} changes inside type annotations ({ANNOTATION}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
