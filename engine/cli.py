"""The command line: a thin layer over the pipeline. Exit codes: 0 consistent, 1 findings, 2 usage or rules."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click
from tabulate import tabulate

from . import __version__
from .calibrate import calibrate as run_calibration
from .check import NoReports, check_files, check_reports, discover
from .explain import explain_dict, explain_text
from .document import FAIL_ON, build_document, rules_meta
from .formats import FORMATS, render
from .inference import ENGINES, EngineUnavailable
from .parser import ReportError, read_report
from .rulebook import Rulebook, RulebookInvalid, load_rulebook, with_overrides
from .ruletest import run_rule_tests

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
PROGRESS_THRESHOLD = 300  # reports; below this a run is quick enough not to need one


class UsageProblem(Exception):
    pass


class _DefaultToCheck(click.Group):
    """`lii-check corpus/` means `lii-check check corpus/`, like a linter."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)


def _load_rules(rules_dir: str | None) -> Rulebook:
    try:
        return load_rulebook(rules_dir)
    except RulebookInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"lii-check: {len(exc.problems)} problem(s) in the rules; nothing was checked.", err=True)
        sys.exit(EXIT_USAGE)


def _use_color(choice: str | None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _outputs(values: tuple[str, ...], corpus: list[str]) -> list[tuple[str, Path]]:
    out = []
    roots = [Path(p).resolve() for p in corpus]
    for value in values:
        fmt, sep, file = value.partition("=")
        if not sep or not file or fmt not in FORMATS:
            raise UsageProblem(f"--output takes FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}; got '{value}'")
        target = Path(file).resolve()
        for root in roots:
            if target == root or (root.is_dir() and root in target.parents):
                raise UsageProblem(f"--output {value}: refusing to write into the corpus being checked ({root})")
        out.append((fmt, Path(file)))
    return out


@click.group(cls=_DefaultToCheck, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="lii-check")
def main() -> None:
    """Check that CQC 'Learning, improvement and innovation' report sections support their scores.

    \b
    lii-check corpus/             check every .txt and .md report under corpus/
    lii-check calibrate corpus/   measure the rulebook against trusted scores
    """


def _settings(config_path: str | None) -> "Config":
    from .config import ConfigError, load_config

    try:
        return load_config(Path(config_path) if config_path else None)
    except ConfigError as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _configured_rules(rules_dir: str | None, config) -> Rulebook:
    """The rulebook named by the flag, else by the configuration, with its rule overrides applied."""
    from .config import check_rule_ids

    rulebook = _load_rules(rules_dir or (str(config.rules) if config.rules else None))
    problems = check_rule_ids(config, [e.id for e in rulebook.expectations()])
    if problems:
        for problem in problems:
            click.echo(f"lii-check: {problem}", err=True)
        sys.exit(EXIT_USAGE)
    return with_overrides(rulebook, config.disable, config.severity)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="What to print on stdout.  [default: table]")
@click.option("--output", "outputs", multiple=True, metavar="FORMAT=FILE", help="Also write FORMAT to FILE (repeatable).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="The least severe finding that makes the exit code 1; unreadable reports always do.  [default: error]")
@click.option("--strict/--no-strict", default=None, help="Also fail when a rule never fired or a theme was never mentioned.")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="durable: durable_rules only; pure: the built-in evaluator; auto: durable_rules where it works.  [default: auto]")
@click.option("--baseline", type=click.Path(dir_okay=False), help="JSON output of an earlier run: report only findings not in it.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file instead of searching for one.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def check(paths: tuple[str, ...], rules_dir: str | None, fmt: str | None, outputs: tuple[str, ...], fail_on: str | None,
          strict: bool | None, engine: str | None, baseline: str | None, config_path: str | None, color: str) -> None:
    """Check the reports under PATHS (files or folders, searched for .txt and .md)."""
    config = _settings(config_path)
    fmt = fmt or config.format or "table"
    fail_on = fail_on or config.fail_on or "error"
    strict = strict if strict is not None else bool(config.strict)
    engine = engine or config.engine or "auto"
    try:
        targets = _outputs(outputs, list(paths))
        rulebook = _configured_rules(rules_dir, config)
        accepted = _load_baseline(baseline) if baseline else None
        files = discover(list(paths))
        if len(files) > PROGRESS_THRESHOLD and sys.stderr.isatty():
            with click.progressbar(length=len(files), label="Checking reports", file=sys.stderr) as bar:
                results, used = check_files(files, rulebook, engine, progress=lambda: bar.update(1))
        else:
            results, used = check_files(files, rulebook, engine)
    except (UsageProblem, NoReports, EngineUnavailable) as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if accepted is not None:
        from .baseline import apply_baseline

        matched = apply_baseline(results, accepted)
        click.echo(f"lii-check: {matched} finding(s) accepted by the baseline {baseline}", err=True)
    doc = build_document(results, rulebook, engine=used, fail_on=fail_on, strict=strict)
    meta = rules_meta(rulebook)
    use_color = _use_color(color) and fmt == "table"
    # color= stops click from stripping the codes when --color always is asked for off a terminal.
    click.echo(render(fmt, doc, meta, color=use_color, results=results), nl=False, color=use_color)
    for target_fmt, target in targets:
        try:
            target.write_text(render(target_fmt, doc, meta, results=results), encoding="utf-8")
        except OSError as exc:
            click.echo(f"lii-check: cannot write {target}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
    sys.exit(doc["summary"]["exit_code"])


def _load_baseline(path: str):
    from .baseline import BaselineError, load_baseline

    try:
        return load_baseline(Path(path))
    except BaselineError as exc:
        raise UsageProblem(str(exc)) from None


@main.command("config")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Show this file instead of searching for one.")
def show_config(config_path: str | None) -> None:
    """Show the effective configuration and the file it came from."""
    from .config import describe

    config = _settings(config_path)
    if config.rules or config.disable or config.severity:
        _configured_rules(None, config)  # exit 2 with the problems if the rules or rule ids are wrong
    click.echo(describe(config), nl=False if describe(config).endswith("\n") else True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
def calibrate(paths: tuple[str, ...], rules_dir: str | None, fmt: str, engine: str) -> None:
    """Measure the rulebook on a corpus whose awarded scores are trusted (nothing is written)."""
    rulebook = _load_rules(rules_dir)
    try:
        files = discover(list(paths))
    except NoReports as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    reports, unreadable = [], []
    for item in files:
        try:
            reports.append(read_report(item.path, item.display))
        except ReportError as exc:
            unreadable.append(f"{item.display}: {exc.message}")
    for line in unreadable:
        click.echo(f"lii-check: skipped unreadable report {line}", err=True)
    if not reports:
        click.echo("lii-check: no readable reports to calibrate on", err=True)
        sys.exit(EXIT_USAGE)
    result = run_calibration(reports, rulebook, engine)
    result["unreadable"] = unreadable
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_calibration_table(result), nl=False)
    sys.exit(EXIT_FINDINGS if unreadable else EXIT_OK)


def _calibration_table(result: dict) -> str:
    rows = [[f"awarded {a}", *[row[e] for e in ("1", "2", "3", "4")]] for a, row in result["confusion"].items()]
    out = ["Evidence score (columns) against awarded score (rows)",
           tabulate(rows, headers=["", "evidence 1", "evidence 2", "evidence 3", "evidence 4"], tablefmt="simple_grid"),
           "",
           f"Reports: {result['reports']}; evidence score equals awarded: {result['evidence_equals_awarded']:.0%}; "
           f"two or more bands away: {result['two_or_more_bands_away']}; "
           f"judged inconsistent as they stand: {result['inconsistent_share']:.0%}",
           ]
    for path in result["inconsistent_reports"]:
        out.append(f"  inconsistent as it stands: {path}")
    out += ["", "Shift test: every report re-scored to each other band (score and label lines changed, in memory)",
            tabulate([[size, v["copies"], v["caught"], f"{v['share']:.0%}"] for size, v in result["shift_test"].items()],
                     headers=["shift (bands)", "copies", "caught", "share caught"], tablefmt="simple_grid")]
    if result["caught_without_cited_sentences"]:
        out.append("Caught without citing any sentence: " + ", ".join(result["caught_without_cited_sentences"]))
    return "\n".join(out) + "\n"


def run() -> None:
    """Entry point that turns any unexpected failure into a one-line message, never a traceback."""
    try:
        main(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("lii-check: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users in CI
        click.echo(f"lii-check: internal error ({type(exc).__name__}: {exc}). Please report this.", err=True)
        sys.exit(EXIT_INTERNAL)


@main.command()
@click.argument("report", type=click.Path(dir_okay=False))
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
def explain(report: str, rules_dir: str | None, fmt: str, engine: str) -> None:
    """Show the working for one report: evidence per theme, what was set aside and why, the score."""
    rulebook = _load_rules(rules_dir)
    try:
        parsed = read_report(Path(report), report)
    except ReportError as exc:
        where = f"{report}:{exc.line}" if exc.line else report
        click.echo(f"{where}: unreadable: {exc.message}", err=True)
        sys.exit(EXIT_FINDINGS)
    results, _ = check_reports([parsed], rulebook, engine)
    if fmt == "json":
        click.echo(json.dumps(explain_dict(results[0], rulebook), indent=2, ensure_ascii=False))
    else:
        click.echo(explain_text(results[0], rulebook), nl=False)
    sys.exit(EXIT_FINDINGS if results[0].verdict != "consistent" else EXIT_OK)


@main.group()
def rules() -> None:
    """Work on a rulebook: validate it, run its tests, list its rules."""


@rules.command("validate")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
def rules_validate(directory: str | None) -> None:
    """Report every problem in every rule file at once (file:line:col: message). Exit 0 clean, 2 otherwise."""
    try:
        rulebook = load_rulebook(directory)
    except RulebookInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem))
        click.echo(f"{len(exc.problems)} problem(s) found.", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"{rulebook.path}: {len(rulebook.files)} files, {len(rulebook.themes)} themes, "
               f"{len(rulebook.signals())} signals, {len(rulebook.expectations())} expectations: no problems.")


@rules.command("test")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--fixtures", "fixture_dirs", multiple=True, type=click.Path(file_okay=False, exists=True),
              help="Also check the expected.yaml manifests under this folder (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default="auto", show_default=True)
@click.option("--verbose", "-v", is_flag=True, help="List every rule, not only those with failures.")
def rules_test(directory: str | None, fixture_dirs: tuple[str, ...], fmt: str, engine: str, verbose: bool) -> None:
    """Run each rule's own examples (must fire / must not fire / todo) and annotated fixtures."""
    rulebook = _load_rules(directory)
    outcomes = run_rule_tests(rulebook, [Path(d) for d in fixture_dirs], engine)
    failed = [o for o in outcomes if not o.ok]
    if fmt == "json":
        click.echo(json.dumps({
            "rules": [{"rule": o.rule, "kind": o.kind, "passed": o.passed, "false_alarms": o.false_alarms,
                       "misses": o.misses, "todo": o.todo, "todo_now_passing": o.todo_now_passing} for o in outcomes],
            "summary": {"rules": len(outcomes), "failed": len(failed),
                        "todo": sum(o.todo for o in outcomes)},
        }, indent=2, ensure_ascii=False))
    else:
        shown = outcomes if verbose else [o for o in outcomes if not o.ok or o.todo_now_passing]
        rows = [[o.rule, o.kind, o.passed, len(o.false_alarms), len(o.misses), o.todo,
                 "\n".join([f"false alarm: {x}" for x in o.false_alarms] + [f"miss: {x}" for x in o.misses]
                           + [f"todo now passes: {x}" for x in o.todo_now_passing])]
                for o in shown]
        if rows:
            click.echo(tabulate(rows, headers=["rule", "kind", "passed", "false alarms", "misses", "todo", "details"],
                                tablefmt="simple_grid", maxcolwidths=[None, None, None, None, None, None, 70]))
        passed = sum(o.passed for o in outcomes)
        click.echo(f"{len(outcomes) - len(failed)} passed, {len(failed)} failed "
                   f"({passed} examples passed, {sum(o.todo for o in outcomes)} todo)")
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


@rules.command("list")
@click.argument("directory", required=False, type=click.Path(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def rules_list(directory: str | None, fmt: str) -> None:
    """List the rulebook's expectations: id, theme, severity, description."""
    rulebook = _load_rules(directory)
    meta = sorted(rules_meta(rulebook), key=lambda m: m["id"])
    if fmt == "json":
        click.echo(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    click.echo(tabulate([[m["id"], m["theme"], m["severity"], m["description"]] for m in meta],
                        headers=["id", "theme", "severity", "description"], tablefmt="simple",
                        maxcolwidths=[None, None, None, 70]))
