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
from .outputs import OutputProblem, Target, fit_stream, parse_targets, refuse_report_folders, use_color, write_all
from .parser import ReportError, read_report
from .rulebook import Rulebook, RulebookInvalid, load_rulebook, with_overrides
from .ruletest import run_rule_tests

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells and CI runners expect after Ctrl-C (1 would read as findings)
PROGRESS_THRESHOLD = 300  # reports; below this a run is quick enough not to need one


class UsageProblem(Exception):
    pass


class _DefaultToCheck(click.Group):
    """`lii-check corpus/` means `lii-check check corpus/`, like a linter."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = ["check", *args]
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context):
        # Here rather than only in run(): click would turn Ctrl-C into "Aborted!" and exit 1 first.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()
        except BrokenPipeError:
            _stdout_closed()


def _stdout_closed() -> None:
    # `lii-check … | head`: the reader went away. Quietly, with the shell's code for SIGPIPE (click's
    # own handling would exit 1, which CI reads as findings). devnull takes the final flush at exit.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(EXIT_BROKEN_PIPE)


def _interrupted() -> None:
    click.echo("\nlii-check: interrupted; no output file is left half-written", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _load_rules(rules_dir: str | None) -> Rulebook:
    try:
        return load_rulebook(rules_dir)
    except RulebookInvalid as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"lii-check: {len(exc.problems)} problem(s) in the rules; nothing was checked.", err=True)
        sys.exit(EXIT_USAGE)


def _use_color(choice: str | None) -> bool:
    return use_color(choice or "auto", sys.stdout.isatty(), os.environ)


def _echo_stdout(text: str, fmt: str, color: bool = False) -> None:
    """Print a rendered format on stdout in a form its encoding can carry (never an encoding crash)."""
    # color= stops click from stripping the codes when --color always is asked for off a terminal.
    click.echo(fit_stream(text, fmt, getattr(sys.stdout, "encoding", None)), nl=False, color=color)


def _echo_json(data: object) -> None:
    _echo_stdout(json.dumps(data, indent=2, ensure_ascii=False) + "\n", "json")


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
@click.option("--strict/--no-strict", default=None, help="Also fail when the corpus leaves a rule unexercised or a theme unmentioned (see the README).")
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
        targets = parse_targets(outputs, FORMATS, paths)
        rulebook = _configured_rules(rules_dir, config)
        accepted = _load_baseline(baseline) if baseline else None
        files = discover(list(paths))
        refuse_report_folders(targets, [f.path for f in files])
        if len(files) > PROGRESS_THRESHOLD and sys.stderr.isatty():
            with click.progressbar(length=len(files), label="Checking reports", file=sys.stderr) as bar:
                results, used = check_files(files, rulebook, engine, progress=lambda: bar.update(1))
        else:
            results, used = check_files(files, rulebook, engine)
    except (UsageProblem, OutputProblem, NoReports, EngineUnavailable) as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if accepted is not None:
        from .baseline import apply_baseline

        matched = apply_baseline(results, accepted)
        click.echo(f"lii-check: {matched} finding(s) accepted by the baseline {baseline}", err=True)
    doc = build_document(results, rulebook, engine=used, fail_on=fail_on, strict=strict)
    meta = rules_meta(rulebook)
    use_color = _use_color(color) and fmt == "table"
    _write_outputs(targets, doc, meta)
    _echo_stdout(render(fmt, doc, meta, color=use_color), fmt, use_color)
    sys.exit(doc["summary"]["exit_code"])


def _write_outputs(targets: list[Target], doc: dict, meta: list[dict]) -> None:
    try:
        write_all([(t, render(t.fmt, doc, meta)) for t in targets])
    except OSError as exc:
        # Checked writable before the run, so this is the disk filling up or the folder vanishing.
        click.echo(f"lii-check: cannot write {exc.filename or 'an output'}: {exc.strerror or exc}; "
                   "no output file was left half-written", err=True)
        sys.exit(EXIT_USAGE)


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
        _echo_json(result)
    else:
        _echo_stdout(_calibration_table(result), "table")
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
    # Text that the stream cannot encode becomes "?" rather than a crash, for anything printed
    # outside _echo_stdout (which keeps JSON and XML lossless).
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace" if stream is sys.stdout else "backslashreplace")
    try:
        code = main(standalone_mode=False)
    except SystemExit:
        raise
    except (KeyboardInterrupt, click.exceptions.Abort):
        _interrupted()
    except click.exceptions.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        _stdout_closed()
    except Exception as exc:  # noqa: BLE001 - last line of defence for users in CI
        click.echo(f"lii-check: internal error ({type(exc).__name__}: {exc}). Please report this.", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


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
        _echo_json(explain_dict(results[0], rulebook))
    else:
        _echo_stdout(explain_text(results[0], rulebook), "text")
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
        _echo_json({
            "rules": [{"rule": o.rule, "kind": o.kind, "passed": o.passed, "false_alarms": o.false_alarms,
                       "misses": o.misses, "todo": o.todo, "todo_now_passing": o.todo_now_passing} for o in outcomes],
            "summary": {"rules": len(outcomes), "failed": len(failed),
                        "todo": sum(o.todo for o in outcomes)},
        })
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
        _echo_json(meta)
        return
    click.echo(tabulate([[m["id"], m["theme"], m["severity"], m["description"]] for m in meta],
                        headers=["id", "theme", "severity", "description"], tablefmt="simple",
                        maxcolwidths=[None, None, None, 70]))
