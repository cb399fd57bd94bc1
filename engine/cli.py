"""The command line: a thin layer over the pipeline. Exit codes: 0 consistent, 1 findings, 2 usage or rules."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from . import __version__

# Imported lazily inside the commands, so `--version` and `--help` answer quickly:
# the matcher, the rulebook loader and the engines cost a few hundred milliseconds to import.
FORMATS: tuple[str, ...] = ("table", "json", "sarif", "junit", "github", "markdown", "html")
FAIL_ON = ("error", "warning", "info", "never")
ENGINES = ("auto", "durable", "pure")

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


def _session(rules_dir: str | None = None, config_path: str | None = None, engine: str | None = None):
    """Configuration, rulebook and engine, resolved the same way for every subcommand; exit 2 with
    located messages when any of them is wrong."""
    from .session import SetupError, open_session

    try:
        return open_session(rules_dir, config_path, engine)
    except SetupError as exc:
        _setup_failed(exc)


def _setup_failed(exc) -> None:
    for line in exc.lines:
        click.echo(line if exc.summary else f"lii-check: {line}", err=True)
    if exc.summary:
        click.echo(f"lii-check: {exc.summary}", err=True)
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
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes reading reports in parallel; output is the same whatever the number.  "
                   "[default: the machine's cores]")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=None,
              help="Seconds one report may take before it is listed as unreadable and the run goes on.  [default: 30]")
def check(paths: tuple[str, ...], rules_dir: str | None, fmt: str | None, outputs: tuple[str, ...], fail_on: str | None,
          strict: bool | None, engine: str | None, baseline: str | None, config_path: str | None, color: str,
          jobs: int | None, timeout: float | None) -> None:
    """Check the reports under PATHS (files or folders, searched for .txt and .md)."""
    from .check import DEFAULT_BUDGET, NoReports, Options, check_stream, default_jobs, discover
    from .inference import EngineUnavailable
    from .run import Spool, Tally, entry_of

    session = _session(rules_dir, config_path, engine)
    config, rulebook = session.config, session.rulebook
    fmt = fmt or config.format or "table"
    fail_on = fail_on or config.fail_on or "error"
    strict = strict if strict is not None else bool(config.strict)
    try:
        targets = _outputs(outputs, list(paths))
        accepted = _load_baseline(baseline) if baseline else None
        files = discover(list(paths))
    except (UsageProblem, NoReports) as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    want_html = "html" in (fmt, *(f for f, _ in targets))
    options = Options(engine=session.engine, jobs=jobs or default_jobs(), budget=timeout or DEFAULT_BUDGET,
                      keep_text=want_html)
    use_color = _use_color(color) and fmt == "table"
    tally, spool, engines, matched = Tally(fail_on=fail_on), Spool(), set(), 0
    table_out = _TableStream(use_color) if fmt == "table" else None
    fragments = None
    if want_html:
        from .formats.html import FragmentSpool

        fragments = FragmentSpool()
    bar = None
    if len(files) > PROGRESS_THRESHOLD and sys.stderr.isatty():
        bar = click.progressbar(length=len(files), label="Checking reports", file=sys.stderr)
    try:
        for result in check_stream(files, session.compiled, options, engines):
            if accepted is not None:
                from .baseline import apply_baseline

                matched += apply_baseline([result], accepted)
            tally.add(result)
            entry = entry_of(result)
            spool.add(entry)
            if fragments is not None:
                fragments.add(entry, result)  # the HTML page shows the report text, which entries lack
            if table_out:
                table_out.report(entry)
            if bar:
                bar.update(1)
    except EngineUnavailable as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    finally:
        if bar:
            bar.render_finish()
    if accepted is not None:
        click.echo(f"lii-check: {matched} finding(s) accepted by the baseline {baseline}", err=True)
    used = "+".join(sorted(engines)) if engines else "none"
    summary = tally.summary(rulebook, strict)
    _emit(fmt, None, spool, rulebook, used, summary, table_out, fragments)
    for target_fmt, target in targets:
        try:
            _emit(target_fmt, target, spool, rulebook, used, summary, None, fragments)
        except OSError as exc:
            click.echo(f"lii-check: cannot write {target}: {exc.strerror or exc}", err=True)
            sys.exit(EXIT_USAGE)
    spool.close()
    if fragments is not None:
        fragments.close()
    sys.exit(summary["exit_code"])


class _TableStream:
    """The table, printed report by report as results arrive."""

    def __init__(self, color: bool):
        self.color = color
        self.previous_multiline: bool | None = None

    def report(self, entry: dict) -> None:
        from .formats import table

        block = table._report_block(entry, self.color)
        multiline = "\n" in block
        # Blank lines only next to a tabled (multi-line) report: one-liners stay together.
        if self.previous_multiline is not None and (multiline or self.previous_multiline):
            click.echo("")
        click.echo(block, color=self.color)
        self.previous_multiline = multiline

    def summary(self, summary: dict) -> None:
        from .formats import table

        if self.previous_multiline is not None:
            click.echo("")
        click.echo(table._summary({"summary": summary}), color=self.color)


def _emit(fmt: str, target: Path | None, spool, rulebook, engine: str, summary: dict, table_out, fragments=None) -> None:
    """Write one format to stdout (target None) or to a file, from the spooled entries."""
    from .run import document, header, write_json

    head = header(rulebook, engine)
    if target is None and table_out is not None:
        table_out.summary(summary)
        return
    if fmt == "json":
        if target is None:
            write_json(lambda text: click.echo(text, nl=False), head, spool.entries(), summary)
        else:
            with target.open("w", encoding="utf-8") as out:
                write_json(out.write, head, spool.entries(), summary)
        return
    from .document import rules_meta
    from .formats import render

    if fmt == "html" and fragments is not None:
        doc = document(head, spool.entries(), summary)
        if target is None:
            fragments.write(lambda text: click.echo(text, nl=False), doc, rules_meta(rulebook))
        else:
            with target.open("w", encoding="utf-8") as out:
                fragments.write(out.write, doc, rules_meta(rulebook))
        return
    text = render(fmt, document(head, spool.entries(), summary), rules_meta(rulebook))
    if target is None:
        click.echo(text, nl=False)
    else:
        target.write_text(text, encoding="utf-8")


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

    from .session import SetupError, load_settings, open_session

    try:
        config = load_settings(config_path)
        if config.rules or config.disable or config.severity:
            open_session(config=config)  # exit 2 with the problems if the rules or rule ids are wrong
    except SetupError as exc:
        _setup_failed(exc)
    click.echo(describe(config), nl=False if describe(config).endswith("\n") else True)


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file instead of searching for one.")
def calibrate(paths: tuple[str, ...], rules_dir: str | None, fmt: str, engine: str | None,
              config_path: str | None) -> None:
    """Measure the rulebook on a corpus whose awarded scores are trusted (nothing is written)."""
    from tabulate import tabulate  # noqa: F401 - used by _calibration_table

    from .calibrate import calibrate as run_calibration
    from .check import NoReports, discover
    from .parser import ReportError, read_report

    session = _session(rules_dir, config_path, engine)
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
    result = run_calibration(reports, session.compiled, session.engine)
    result["unreadable"] = unreadable
    if fmt == "json":
        click.echo(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        click.echo(_calibration_table(result), nl=False)
    sys.exit(EXIT_FINDINGS if unreadable else EXIT_OK)


def _calibration_table(result: dict) -> str:
    from tabulate import tabulate

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
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file instead of searching for one.")
def explain(report: str, rules_dir: str | None, fmt: str, engine: str | None, config_path: str | None) -> None:
    """Show the working for one report: evidence per theme, what was set aside and why, the score."""
    from .check import check_reports
    from .explain import explain_dict, explain_text
    from .parser import ReportError, read_report

    session = _session(rules_dir, config_path, engine)
    rulebook = session.rulebook
    try:
        parsed = read_report(Path(report), report)
    except ReportError as exc:
        where = f"{report}:{exc.line}" if exc.line else report
        click.echo(f"{where}: unreadable: {exc.message}", err=True)
        sys.exit(EXIT_FINDINGS)
    results, _ = check_reports([parsed], session.compiled, session.engine)
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
    from .rulebook import RulebookInvalid, load_rulebook

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
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--verbose", "-v", is_flag=True, help="List every rule, not only those with failures.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False), help="Use this configuration file instead of searching for one.")
def rules_test(directory: str | None, fixture_dirs: tuple[str, ...], fmt: str, engine: str | None, verbose: bool,
               config_path: str | None) -> None:
    """Run each rule's own examples (must fire / must not fire / todo) and annotated fixtures."""
    from tabulate import tabulate

    from .ruletest import run_rule_tests

    session = _session(directory, config_path, engine)
    outcomes = run_rule_tests(session.compiled, [Path(d) for d in fixture_dirs], session.engine)
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
    from tabulate import tabulate

    from .document import rules_meta

    rulebook = _session(directory).rulebook
    meta = sorted(rules_meta(rulebook), key=lambda m: m["id"])
    if fmt == "json":
        click.echo(json.dumps(meta, indent=2, ensure_ascii=False))
        return
    click.echo(tabulate([[m["id"], m["theme"], m["severity"], m["description"]] for m in meta],
                        headers=["id", "theme", "severity", "description"], tablefmt="simple",
                        maxcolwidths=[None, None, None, 70]))
