"""The command line: a thin layer over the pipeline. Exit codes: 0 consistent, 1 findings, 2 usage or rules."""
from __future__ import annotations

import errno
import io
import json
import os
import shutil
import signal
import sys
from pathlib import Path

import click

from . import __version__

# Imported lazily inside the commands, so `--version` and `--help` answer quickly:
# the matcher, the rulebook loader and the engines cost a few hundred milliseconds to import.
from .errors import WorkerLost
from .names import ENGINES, FAIL_ON, FORMATS, MAX_TIMEOUT, MIN_TIMEOUT, TIMEOUT_RANGE, VALIDATE_FORMATS

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what shells and CI runners expect after Ctrl-C (1 would read as findings)
EXIT_TERMINATED = 143  # 128 + SIGTERM: a CI runner cancelling the job, `timeout`, a container stopping
PROGRESS_THRESHOLD = 300  # reports; below this a run is quick enough not to need one


class Share(click.ParamType):
    """A share from 0 to 1, or a percentage written with its sign ("90%"): a threshold people think of in
    percent is taken as written, and a bare number above 1 is refused with the two ways to write it."""

    name = "share"

    def convert(self, value, param, ctx):  # type: ignore[override]
        if isinstance(value, float):
            return value
        text = str(value).strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            self.fail(f"'{value}' is not a share: write it as 0.9 or as 90%", param, ctx)
        if not 0 <= number <= 1:
            hint = f" (for {text.rstrip('%')}% write {float(text.rstrip('%')) / 100:g} or {text.rstrip('%')}%)" \
                if not text.endswith("%") and 1 < number <= 100 else ""
            self.fail(f"{value} is not a share from 0 to 1{hint}", param, ctx)
        return number


SHARE = Share()



class Seconds(click.ParamType):
    """A time budget in seconds, finite and within [0.1, MAX_TIMEOUT]: `nan` and `inf` parse as floats and
    slip past a range check, and a huge value overflows the interval timer mid-run."""

    name = "seconds"

    def convert(self, value, param, ctx):  # type: ignore[override]
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"'{value}' is not {TIMEOUT_RANGE}", param, ctx)
        if not MIN_TIMEOUT <= number <= MAX_TIMEOUT:  # False for nan too
            self.fail(f"'{value}' is not {TIMEOUT_RANGE}", param, ctx)
        return number


class NonEmptyPath(click.Path):
    """click.Path that refuses "": `--baseline "$BASELINE"` with the variable unset would otherwise be ignored
    or read as the current folder."""

    def convert(self, value, param, ctx):  # type: ignore[override]
        if isinstance(value, str) and value == "":
            from .discovery import EMPTY_PATH

            self.fail(EMPTY_PATH, param, ctx)
        return super().convert(value, param, ctx)


class UsageProblem(Exception):
    pass


class Terminated(BaseException):
    """SIGTERM, raised in the main process so that it unwinds like Ctrl-C: worker pool stopped, temporary
    files removed, one line said. A BaseException, so no `except Exception` on the way swallows it."""


_MAIN_PID: list[int] = []


def _on_sigterm(signum, frame) -> None:
    if not _MAIN_PID or os.getpid() != _MAIN_PID[0]:
        # A worker forked before it set its own handler (check._worker_init): stop as asked, quietly.
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return
    raise Terminated()


class OutputLost(Exception):
    """Standard output would not take what was written (closed, disk full): the run's answer is lost, and
    CI must hear of it. Not an OSError, so no `except OSError` meant for a file swallows it."""


class _GuardedStdout(io.TextIOWrapper):
    """sys.stdout, whose write failures other than a reader going away (`| head`: 141) become OutputLost."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputLost(_why_lost(exc)) from None

    def flush(self) -> None:
        try:
            super().flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputLost(_why_lost(exc)) from None


def _why_lost(exc: OSError) -> str:
    return "standard output is closed" if exc.errno == errno.EBADF else (exc.strerror or str(exc))


def _guard_stdout() -> None:
    """Put _GuardedStdout in place of sys.stdout; when the shell closed it (`>&-`, sys.stdout is None), give
    file descriptor 1 a read-only /dev/null first, so every write fails as on a closed stream and no file
    opened later (a spool, a worker's pipe) takes descriptor 1 and receives output meant for the user."""
    if sys.stdout is None:
        fd = os.open(os.devnull, os.O_RDONLY)
        if fd != 1:
            os.dup2(fd, 1)
            os.close(fd)
        buffer, encoding, line_buffering = open(1, "wb", closefd=False), "utf-8", False
    elif isinstance(sys.stdout, io.TextIOWrapper) and not isinstance(sys.stdout, _GuardedStdout):
        try:
            sys.stdout.fileno()
        except (OSError, ValueError, io.UnsupportedOperation):
            # Not a file descriptor (lii-check run inside another program, output captured in memory): the
            # caller owns that stream, and detaching its buffer would close it when the wrapper goes.
            return
        try:
            sys.stdout.flush()
        except OSError:
            pass
        encoding, line_buffering = sys.stdout.encoding, sys.stdout.line_buffering
        buffer = sys.stdout.detach()
    else:
        return
    sys.stdout = _GuardedStdout(buffer, encoding=encoding, errors="replace", line_buffering=line_buffering)


def _output_lost(exc: OutputLost) -> None:
    click.echo(f"lii-check: could not write the output: {exc}", err=True)
    # The final flush at exit would fail again (exit 120 and a Python message): give it /dev/null.
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, AttributeError, ValueError, io.UnsupportedOperation):
        pass
    sys.exit(EXIT_USAGE)


class _DefaultToCheck(click.Group):
    """`lii-check corpus/` means `lii-check check corpus/`, like a linter."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h", "--version"):
            args = self._subcommand_first(args) or ["check", *args]
        elif len(args) == 1 and args[0] in self.commands and args[0] != "check" and os.path.lexists(args[0]):
            # A corpus folder named like a subcommand ("lii-check config" beside a folder "config") runs the
            # subcommand: said, so nobody takes its exit 0 for a checked folder. (Only when the name stands alone:
            # "lii-check rules test rules/" in a checkout with a rules folder is plainly the subcommand.)
            click.echo(f"lii-check: note: '{args[0]}' runs the {args[0]} command; to check the folder or file named "
                       f"'{args[0]}', write `lii-check check {args[0]}` or `lii-check ./{args[0]}`", err=True)
        return super().parse_args(ctx, args)

    def _subcommand_first(self, args: list[str]) -> list[str] | None:
        """`lii-check --config x.toml config`: options written before a subcommand. The subcommand's name
        would otherwise be taken for a report path ("config: no such file or folder"); it is moved to the
        front when it is not an option's value and no such path exists."""
        takes_value = {name for param in self.commands["check"].params if isinstance(param, click.Option)
                       and not param.is_flag for name in param.opts}
        for k, arg in enumerate(args):
            if k and args[k - 1] in takes_value:
                continue
            if arg == "--":
                return None
            if arg in self.commands and arg != "check" and not os.path.lexists(arg):
                return [arg, *args[:k], *args[k + 1:]]
            if not arg.startswith("-"):
                return None  # a path came first: this is `check`
        return None

    def invoke(self, ctx: click.Context):
        # Here rather than only in run(): click would turn Ctrl-C into "Aborted!" and exit 1 first.
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            _interrupted()
        except Terminated:
            _terminated()
        except BrokenPipeError:
            _stdout_closed()
        except OutputLost as exc:
            _output_lost(exc)


def _stdout_closed() -> None:
    # `lii-check … | head`: the reader went away. Quietly, with the shell's code for SIGPIPE (click's
    # own handling would exit 1, which CI reads as findings). devnull takes the final flush at exit.
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    sys.exit(EXIT_BROKEN_PIPE)


def _interrupted() -> None:
    click.echo("\nlii-check: interrupted; no output file is left half-written", err=True)
    sys.exit(EXIT_INTERRUPTED)


def _terminated() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_IGN)  # one line, however many times it is asked
    click.echo("lii-check: terminated; no output file is left half-written", err=True)
    sys.exit(EXIT_TERMINATED)


def _session(rules_dir: str | None = None, config_path: str | None = None, engine: str | None = None,
             reads: tuple | list = ()):
    """Configuration, rulebook and engine, resolved the same way for every subcommand; exit 2 with
    located messages when any of them is wrong. `reads`: the reports and folders the command reads. When
    the cache folder lies among them, beside a report named, or in the rules folder (XDG_CACHE_HOME or
    LII_CHECK_CACHE_DIR pointing there), this run does without the cache: lii-check never writes into what
    it reads."""
    from .cache import avoid
    from .session import SetupError, load_settings, open_session

    try:
        config = load_settings(config_path)
        # The rules folder is read too: the cache must not land in it (a folder a team keeps in git).
        avoid([str(p) for p in reads] + [str(f) for f in (rules_dir, config.rules) if f])
        session = open_session(rules_dir, config_path, engine, config=config)
    except SetupError as exc:
        _setup_failed(exc)
    if session.config.ignored:
        click.echo(f"lii-check: warning: {session.config.ignored}: its [tool.lii-check] table is not read: "
                   f"{session.config.source} in the same folder wins. Keep the settings in one of them.", err=True)
    return session


def _rule_folders(session, rules_dir: str | None) -> list[Path]:
    """Every folder the run's rules are read from: the --rules or configured folder, the folders of the
    files the rulebook was built from (an overlay's bases among them) and the bundled rules."""
    from .rule_docs import source_folders
    from .rulebook import bundled_rules_dir

    source = rules_dir or (str(session.config.rules) if session.config.rules else None)
    rulebook = session.rulebook
    folders = source_folders(rulebook, Path(source) if source else bundled_rules_dir())
    folders += [Path(f).resolve().parent for f in rulebook.overlay_files if Path(f).parent != Path(".")]
    return folders + [bundled_rules_dir().resolve()]


def _setup_failed(exc) -> None:
    for line in exc.lines:
        click.echo(line if exc.summary else f"lii-check: {line}", err=True)
    if exc.summary:
        click.echo(f"lii-check: {exc.summary}", err=True)
    sys.exit(EXIT_USAGE)


def _width() -> int:
    """Columns to fit human-readable output to: ``COLUMNS`` when set, else the terminal's width,
    else (a pipe or a file) 120; never below 60, the narrowest layout lii-check has."""
    from .formats import DEFAULT_WIDTH
    from .formats._common import MIN_WIDTH

    env = os.environ.get("COLUMNS", "").strip()
    if env.isdigit() and int(env) > 0:
        width = int(env)
    elif sys.stdout.isatty():
        width = shutil.get_terminal_size((DEFAULT_WIDTH, 24)).columns
    else:
        width = DEFAULT_WIDTH
    return max(MIN_WIDTH, width)


def _use_color(choice: str | None) -> bool:
    from .outputs import use_color

    return use_color(choice or "auto", sys.stdout.isatty(), os.environ)


def _echo_stdout(text: str, fmt: str, color: bool = False) -> None:
    """Print a rendered format on stdout in a form its encoding can carry (never an encoding crash)."""
    from .outputs import fit_stream

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


# Shared by the commands that read reports, so that check, explain and calibrate read the same files the same way.
_MAX_BYTES = click.option("--max-bytes", type=click.IntRange(min=1), default=None,
                          help="Report files larger than this are unreadable.  [default: 1048576]")
def _no_empty_pattern(_ctx, param, values: tuple[str, ...]) -> tuple[str, ...]:
    # "--exclude $PATTERN" with the variable unset: an empty pattern excludes nothing, so it was a silent no-op
    if any(not v.strip() for v in values):
        raise click.BadParameter("an empty pattern excludes nothing (is a variable unset?): give a glob such as "
                                 "'drafts/*'", param=param)
    return values


_EXCLUDE = click.option("--exclude", "excludes", multiple=True, metavar="GLOB", callback=_no_empty_pattern,
                        help="Leave out files and folders matching GLOB (repeatable), on top of the configured excludes.")


def _reading(config, max_bytes: int | None, excludes: tuple[str, ...] = ()) -> tuple[tuple[str, ...], int]:
    """The exclude patterns and the size limit a command reads reports with: the command line's, else the
    configuration's, else the defaults (as check has always done)."""
    from .discovery import DEFAULT_EXCLUDES
    from .parser import DEFAULT_MAX_BYTES

    exclude = (DEFAULT_EXCLUDES if config.exclude is None else config.exclude) + config.extend_exclude + excludes
    return exclude, max_bytes or config.max_bytes or DEFAULT_MAX_BYTES


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--rules", "rules_dir", type=NonEmptyPath(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), default=None, help="What to print on stdout.  [default: table]")
@click.option("--output", "outputs", multiple=True, metavar="FORMAT=FILE", help="Also write FORMAT to FILE (repeatable).")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default=None,
              help="The least severe finding that makes the exit code 1; unreadable reports always do.  [default: error]")
@click.option("--strict/--no-strict", default=None, help="Also fail when the corpus leaves a rule unexercised or a theme unmentioned (see the README).")
@click.option("--engine", type=click.Choice(ENGINES), default=None,
              help="durable: durable_rules only; pure: the built-in evaluator; auto: durable_rules where it works.  [default: auto]")
@click.option("--baseline", type=NonEmptyPath(dir_okay=False), help="JSON output of an earlier run: report only findings not in it.")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes reading reports in parallel, at most the machine's cores (a larger number "
                   "is lowered to it); output is the same whatever the number.  "
                   "[default: the machine's cores]")
@click.option("--timeout", type=Seconds(), default=None,
              help="Seconds one report may take before it is listed as unreadable and the run goes on (0.1 to 86400).  [default: 30]")
@click.option("--verbose", "-v", is_flag=True, help="List the rules that never fired and the themes no report mentions.")
@_EXCLUDE
@_MAX_BYTES
@click.option("--update-baseline", is_flag=True, help="Write the --baseline file from this run's findings, then apply it.")
def check(paths: tuple[str, ...], rules_dir: str | None, fmt: str | None, outputs: tuple[str, ...], fail_on: str | None,
          strict: bool | None, engine: str | None, baseline: str | None, config_path: str | None, color: str,
          jobs: int | None, timeout: float | None, verbose: bool, excludes: tuple[str, ...] = (),
          max_bytes: int | None = None, update_baseline: bool = False) -> None:
    """Check the reports under PATHS (files or folders, searched for .txt and .md)."""
    from .check import DEFAULT_BUDGET, NoReports, Options, check_stream, default_jobs
    from .inference import EngineUnavailable
    from .outputs import (OutputProblem, baseline_target, parse_targets, refuse_inputs, refuse_report_folders,
                          refuse_rule_folders, refuse_second_document)
    from .document import Tally, report_dict
    from .run import Spool

    session = _session(rules_dir, config_path, engine, reads=paths)
    config, rulebook = session.config, session.rulebook
    fmt = fmt or config.format or "table"
    fail_on = fail_on or config.fail_on or "error"
    strict = strict if strict is not None else bool(config.strict)
    from .discovery import find_reports

    exclude, max_bytes = _reading(config, max_bytes, excludes)
    try:
        if update_baseline and not baseline:
            raise UsageProblem("--update-baseline needs --baseline FILE: the file to write")
        targets = parse_targets(outputs, FORMATS, paths)
        refuse_second_document(targets, fmt)
        # Every file this run will write, the baseline too, is checked before it reads a single report.
        writes = targets + ([baseline_target(baseline, paths, targets)] if update_baseline else [])
        refuse_rule_folders(writes, _rule_folders(session, rules_dir))
        refuse_inputs(writes, {"the configuration this run uses": config.source,
                               "the baseline this run reads": Path(baseline) if baseline and not update_baseline else None})
        accepted = _load_baseline(baseline) if baseline and not update_baseline else None
        found = find_reports(list(paths), exclude)
        files = found.files
        refuse_report_folders(writes, [f.path for f in files])
    except (UsageProblem, OutputProblem, NoReports) as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    want_html = "html" in (fmt, *(t.fmt for t in targets))
    options = Options(engine=session.engine, jobs=jobs or config.jobs or default_jobs(),
                      budget=timeout or config.timeout or DEFAULT_BUDGET,
                      max_bytes=max_bytes, keep_text=want_html)
    use_color = _use_color(color) and fmt == "table"
    from .baseline import Baseline, apply_baseline, finding_key
    from .model import ReportResult

    tally, spool, engines, matched, written = Tally(fail_on=fail_on), Spool(), set(), 0, []
    written_scores: dict[str, int] = {}
    table_out = _TableStream(use_color, _width(), verbose) if fmt == "table" else None
    fragments = None
    if want_html:
        from .formats.html import FragmentSpool

        fragments = FragmentSpool()
    bar = None
    if len(files) > PROGRESS_THRESHOLD and sys.stderr.isatty():
        bar = click.progressbar(length=len(files), label="Checking reports", file=sys.stderr)
    try:
        for result in check_stream(files, session.compiled, options, engines):
            if update_baseline:
                # Every finding of this run goes into the baseline it writes, so every one is accepted.
                written.append(ReportResult(result.path, None, None, list(result.findings)))
                if result.report is not None:
                    written_scores[result.path] = result.report.awarded_score
                matched += apply_baseline([result], Baseline(Path(baseline), frozenset(
                    finding_key(result.path, f) for f in result.findings)))
            elif accepted is not None:
                matched += apply_baseline([result], accepted)
            tally.add(result)
            entry = report_dict(result)
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
    if update_baseline:
        _write_baseline(baseline, written, written_scores)
    if accepted is not None or update_baseline:
        click.echo(f"lii-check: {matched} finding(s) accepted by the baseline {baseline}", err=True)
    used = "+".join(sorted(engines)) if engines else "none"
    summary = tally.summary(rulebook, strict, not_searched=found.notes())
    _write_outputs([(t, _render(t.fmt, spool, rulebook, used, summary, verbose, to_file=True, fragments=fragments))
                    for t in targets])
    if table_out is not None:
        table_out.summary(summary)
    elif fmt == "json":  # streamed: the document is never whole in memory
        from .document import header
        from .run import write_json

        write_json(lambda text: _echo_stdout(text, "json"), header(rulebook, used), spool.entries(), summary)
    else:
        _echo_stdout(_render(fmt, spool, rulebook, used, summary, verbose, to_file=False, fragments=fragments), fmt)
    spool.close()
    if fragments is not None:
        fragments.close()
    sys.exit(summary["exit_code"])


class _TableStream:
    """The table, printed report by report as results arrive (same bytes as ``render("table", ...)``)."""

    def __init__(self, color: bool, width: int, verbose: bool):
        self.color, self.width, self.verbose = color, width, verbose
        self.after_blank = True  # no blank line at the very start

    def _write(self, piece: str) -> None:
        from .formats.table import fold_blank_lines

        for text in fold_blank_lines([piece], self.after_blank):
            _echo_stdout(text, "table", self.color)
            self.after_blank = text.endswith("\n\n")

    def report(self, entry: dict) -> None:
        from .formats.table import report_block

        self._write(report_block(entry, self.width, self.color))

    def summary(self, summary: dict) -> None:
        from .formats.table import summary as run_summary

        self._write("\n" + run_summary(summary, self.width, self.color, self.verbose))


def _render(fmt: str, spool, rulebook, engine: str, summary: dict, verbose: bool, to_file: bool,
            fragments=None) -> str:
    """One format, whole, from the spooled entries (and, for the HTML page, the spooled report views)."""
    from .document import header
    from .run import document, write_json

    if fmt == "json":
        pieces: list[str] = []
        write_json(pieces.append, header(rulebook, engine), spool.entries(), summary)
        return "".join(pieces)
    from .document import rules_meta
    from .formats import DEFAULT_WIDTH, render

    if fmt == "html" and fragments is not None:
        pieces = []
        fragments.write(pieces.append, document(header(rulebook, engine), spool.entries(), summary),
                        rules_meta(rulebook))
        return "".join(pieces)
    # A file has no terminal: a table written to one gets the default width, the same every run.
    return render(fmt, document(header(rulebook, engine), spool.entries(), summary), rules_meta(rulebook),
                  width=DEFAULT_WIDTH if to_file else _width(), verbose=verbose)


def _write_outputs(contents: list) -> None:
    """Every --output file, all or none: each is written to a temporary file and renamed into place."""
    from .outputs import write_all

    try:
        write_all(contents)
    except OSError as exc:
        # Checked writable before the run, so this is the disk filling up or the folder vanishing.
        click.echo(f"lii-check: cannot write {exc.filename or 'an output'}: {exc.strerror or exc}; "
                   "no output file was left half-written", err=True)
        sys.exit(EXIT_USAGE)


def _write_baseline(path: str, results, scores: dict[str, int] | None = None):
    from .baseline import write_baseline

    try:
        write_baseline(Path(path), results, scores)
    except OSError as exc:
        click.echo(f"lii-check: cannot write the baseline {path}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"lii-check: wrote the baseline {path}", err=True)
    try:
        return _load_baseline(path)  # read back: what was written is what is applied
    except UsageProblem as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)


def _load_baseline(path: str):
    from .baseline import BaselineError, load_baseline

    try:
        return load_baseline(Path(path))
    except BaselineError as exc:
        raise UsageProblem(str(exc)) from None


@main.command("config")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Show this file instead of searching for one.")
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
@click.option("--rules", "rules_dir", type=NonEmptyPath(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
@click.option("--min-band-exact", type=SHARE, default=None,
              help="Fail (exit 1) when fewer reports than this share have an evidence score equal to their awarded score.")
@click.option("--max-false-flags", type=click.IntRange(min=0), default=None,
              help="Fail when more unmodified reports than this are judged inconsistent as they stand.")
@click.option("--min-detect", type=SHARE, default=None,
              help="Fail when fewer than this share of copies shifted by one band are caught.")
@_EXCLUDE
@_MAX_BYTES
def calibrate(paths: tuple[str, ...], rules_dir: str | None, fmt: str, engine: str | None,
              config_path: str | None, min_band_exact: float | None = None, max_false_flags: int | None = None,
              min_detect: float | None = None, excludes: tuple[str, ...] = (), max_bytes: int | None = None) -> None:
    """Measure the rulebook on a corpus whose awarded scores are trusted (nothing is written)."""
    from .calibrate import Gates, missed_gates
    from .calibrate import calibrate as run_calibration
    from .check import NoReports
    from .discovery import find_reports
    from .formats import tables
    from .formats._common import one_line
    from .parser import ReportError, read_report

    session = _session(rules_dir, config_path, engine, reads=paths)
    exclude, max_bytes = _reading(session.config, max_bytes, excludes)
    try:
        files = find_reports(list(paths), exclude).files  # the reports check would read, no others
    except NoReports as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    reports, unreadable = [], []
    for item in files:
        try:
            reports.append(read_report(item.path, item.display, max_bytes=max_bytes))
        except ReportError as exc:
            unreadable.append(f"{one_line(item.display)}: {one_line(exc.message)}")
    for line in unreadable:
        click.echo(f"lii-check: skipped unreadable report {line}", err=True)
    if not reports:
        click.echo("lii-check: no readable reports to calibrate on", err=True)
        sys.exit(EXIT_USAGE)
    result = run_calibration(reports, session.compiled, session.engine)
    result["unreadable"] = unreadable
    result["thresholds_missed"] = missed = missed_gates(result, Gates(min_band_exact, max_false_flags, min_detect))
    if fmt == "json":
        _echo_json(result)
    else:
        _echo_stdout(tables.calibration(result, _width()), "table")
    for line in missed:
        click.echo(f"lii-check: {line}", err=True)
    sys.exit(EXIT_FINDINGS if unreadable or missed else EXIT_OK)


def _codec(encoding: str | None) -> str | None:
    """The codec's own name ("ANSI_X3.4-1968", "US-ASCII" and "646" are all "ascii"); None if unknown."""
    import codecs

    try:
        return codecs.lookup(encoding or "").name
    except LookupError:
        return None


class _Neutralised:
    """stderr with escape sequences and control characters taken out of what is written (newlines, tabs and
    carriage returns kept). Messages quote what they are about: a configuration value, a path, a key, all of
    which a pull request can set, and an escape sequence in one would reach the terminal or CI log raw (retitle
    it, write the clipboard, reverse a line), as report text never does."""

    def __init__(self, stream) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        from .formats._common import clean

        self._stream.write(clean(text) if isinstance(text, str) else text)
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def run() -> None:
    """Entry point that turns any unexpected failure into a one-line message, never a traceback."""
    # Text that the stream cannot encode becomes "?" rather than a crash, for anything printed
    # outside _echo_stdout (which keeps JSON and XML lossless).
    _guard_stdout()
    _hold_closed_stderr()
    _MAIN_PID[:] = [os.getpid()]
    signal.signal(signal.SIGTERM, _on_sigterm)
    if hasattr(sys.stderr, "reconfigure"):
        # An ASCII stderr (LC_ALL=C) is one click calls misconfigured: it would write through a stream of its own
        # round sys.stderr.buffer, past the neutralising below. UTF-8 is what click would write there anyway.
        ascii_only = _codec(getattr(sys.stderr, "encoding", None)) == "ascii"
        sys.stderr.reconfigure(errors="backslashreplace", **({"encoding": "utf-8"} if ascii_only else {}))
    previous = sys.stderr
    if sys.stderr is not None and not isinstance(sys.stderr, _Neutralised):
        sys.stderr = _Neutralised(sys.stderr)
    try:
        _run_guarded()
    finally:
        sys.stderr = previous  # an in-process caller gets its own stream back, not one more wrapper each call


def _hold_closed_stderr() -> None:
    """`lii-check … 2>&-`: with descriptor 2 closed, the next file the run opened (its spool) took number 2, and an
    `--output FMT=/dev/stderr` was then written into the spool (exit 3). /dev/null holds the number instead, and an
    output to standard error is refused as closed (outputs.CLOSED_STREAMS)."""
    from .outputs import CLOSED_STREAMS

    try:
        os.fstat(2)
    except OSError:
        try:
            fd = os.open(os.devnull, os.O_WRONLY)
        except OSError:
            return
        if fd != 2:
            os.close(fd)
            return
        CLOSED_STREAMS.add(2)


def _run_guarded() -> None:
    if not any(a in ("--version", "--help", "-h") for a in sys.argv[1:]):
        try:
            os.getcwd()
        except FileNotFoundError:
            # Every command looks for a configuration upwards from here and shows paths relative to it: it ended in
            # an internal error (FileNotFoundError) instead.
            click.echo("lii-check: the current folder no longer exists (deleted or moved while a shell was in it): "
                       "change to an existing folder and run again", err=True)
            sys.exit(EXIT_USAGE)
    try:
        code = main(standalone_mode=False)
        sys.stdout.flush()
    except SystemExit:
        try:
            sys.stdout.flush()
        except OutputLost as exc:
            _output_lost(exc)
        except BrokenPipeError:
            _stdout_closed()
        raise
    except OutputLost as exc:
        _output_lost(exc)
    except (KeyboardInterrupt, click.exceptions.Abort):
        _interrupted()
    except Terminated:
        _terminated()
    except click.exceptions.ClickException as exc:
        try:
            exc.show()
        except OSError:  # stderr closed early ("… 2>&1 | head -1"): the exit code must still say "usage error"
            pass
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        _stdout_closed()
    except WorkerLost as exc:  # the machine killed a worker: said plainly, not as a bug to report
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_INTERNAL)
    except Exception as exc:  # noqa: BLE001 - last line of defence for users in CI
        click.echo(f"lii-check: internal error ({type(exc).__name__}: {exc}). Please report this.", err=True)
        sys.exit(EXIT_INTERNAL)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


@main.command()
@click.argument("report", type=NonEmptyPath(dir_okay=False))
@click.option("--rules", "rules_dir", type=NonEmptyPath(file_okay=False), help="Use this rulebook folder instead of the bundled one.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
@_MAX_BYTES
def explain(report: str, rules_dir: str | None, fmt: str, engine: str | None, config_path: str | None,
            max_bytes: int | None = None) -> None:
    """Show the working for one report: evidence per theme, what was set aside and why, the score."""
    from .check import check_reports
    from .discovery import shown_path
    from .explain import explain_dict
    from .formats import tables
    from .formats._common import one_line
    from .parser import ReportError, read_report

    if not os.path.lexists(report) and os.path.lexists(Path(report)):  # "report.md/" or "report.md/.": Path drops the tail
        from .discovery import file_named_as_folder

        click.echo(f"lii-check: {one_line(file_named_as_folder(report))}", err=True)  # as check says it
        sys.exit(EXIT_USAGE)
    if not os.path.lexists(report):
        # As for check: a path that names nothing is a mistake in the command (exit 2), not an unreadable report.
        click.echo(f"lii-check: {one_line(report)}: no such file", err=True)
        sys.exit(EXIT_USAGE)
    session = _session(rules_dir, config_path, engine, reads=[report])
    rulebook = session.rulebook
    shown = shown_path(report)  # as check shows it: a name that is not UTF-8 keeps its bytes as \xe9
    try:
        parsed = read_report(Path(report), shown, max_bytes=_reading(session.config, max_bytes)[1])
    except ReportError as exc:
        where = f"{one_line(shown)}:{exc.line}" if exc.line else one_line(shown)
        click.echo(f"{where}: unreadable: {one_line(exc.message)}", err=True)
        if fmt == "json":  # a program reading stdout gets a document, not nothing (`lii-check schema explain`)
            _echo_json({"path": shown, "verdict": "unreadable", "error": {"line": exc.line, "message": exc.message}})
        sys.exit(EXIT_FINDINGS)
    results, _ = check_reports([parsed], session.compiled, session.engine)
    explained = explain_dict(results[0], rulebook)
    if fmt == "json":
        _echo_json(explained)
    else:
        _echo_stdout(tables.explanation(explained, _width()), "table")
    sys.exit(EXIT_FINDINGS if results[0].verdict != "consistent" else EXIT_OK)


@main.command("schema")
@click.argument("document", type=click.Choice(["check", "explain", "diff", "rules", "overlay", "validate"]), default="check")
def schema(document: str) -> None:
    """Print the JSON Schema of a document lii-check writes (check, explain, diff for rules diff, validate for
    rules validate) or reads (rules, overlay)."""
    from importlib import resources

    name = {"check": "check", "explain": "explain", "diff": "diff", "rules": "rulebook", "overlay": "overlay",
            "validate": "validate"}[document]
    _echo_stdout((resources.files("lii_check") / "schema" / f"{name}.schema.json").read_text("utf-8"), "json")


@main.group()
def rules() -> None:
    """Work on a rulebook: validate it, run its tests, list its rules."""


@rules.command("validate")
@click.argument("directory", required=False, type=NonEmptyPath(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(VALIDATE_FORMATS), default="text", show_default=True,
              help="github: workflow commands that annotate a pull request's diff; sarif: for code scanning.")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
def rules_validate(directory: str | None, fmt: str, config_path: str | None = None) -> None:
    """Report every problem in every rule file at once (file:line:col: message). Exit 0 clean, 2 otherwise.
    DIRECTORY defaults to the configuration's `rules` folder, else the bundled rulebook."""
    from .rule_validation import exit_code, render, summary_line, validate_rules
    from .session import SetupError, load_settings

    if directory is None:
        # The folder `check` would use: a team's pre-commit hook (`lii-check rules validate`, no folder) must
        # validate the team's rules, not the bundled ones.
        try:
            configured = load_settings(config_path).rules
        except SetupError as exc:
            _setup_failed(exc)
        directory = str(configured) if configured else None
    from .cache import avoid

    avoid([directory] if directory else [])
    validation = validate_rules(directory)
    _echo_stdout(render(validation, fmt), "json" if fmt in ("json", "sarif") else "table")
    if fmt == "text" and not validation.errors:
        click.echo(summary_line(validation))
    else:
        click.echo(summary_line(validation), err=True)
    sys.exit(exit_code(validation))


@rules.command("test")
@click.argument("directory", required=False, type=NonEmptyPath(file_okay=False))
@click.option("--fixtures", "fixture_dirs", multiple=True, type=NonEmptyPath(file_okay=False, exists=True),
              help="Also check the expected.yaml manifests under this folder (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--verbose", "-v", is_flag=True, help="List every rule, not only those with failures.")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
@click.option("--sentences", "sentence_paths", multiple=True, type=NonEmptyPath(exists=True),
              help="Also measure how sentences are read against an annotated corpus (a folder of YAML, "
                   "e.g. fixtures/sentences; repeatable).")
@click.option("--min-level-accuracy", type=SHARE, default=None,
              help="With --sentences: fail (exit 1) when fewer sentences than this share are read at their level.")
@click.option("--min-polarity", type=SHARE, default=None,
              help="With --sentences: fail when fewer than this share are read as praise, criticism or neither as labelled.")
@click.option("--min-critical", type=SHARE, default=None,
              help="With --sentences: fail when fewer than this share of critical sentences are read as critical.")
def rules_test(directory: str | None, fixture_dirs: tuple[str, ...], fmt: str, engine: str | None, verbose: bool,
               config_path: str | None, sentence_paths: tuple[str, ...] = (), min_level_accuracy: float | None = None,
               min_polarity: float | None = None, min_critical: float | None = None) -> None:
    """Run each rule's own examples (must fire / must not fire / todo) and annotated fixtures."""
    from .formats import tables
    from .ruletest import run_rule_tests

    gates = [name for name, value in (("--min-level-accuracy", min_level_accuracy), ("--min-polarity", min_polarity),
                                      ("--min-critical", min_critical)) if value is not None]
    if gates and not sentence_paths:
        # A gate with nothing to measure would pass every time: a CI step that lost its --sentences must fail.
        raise click.UsageError(f"{' and '.join(gates)} {'measure' if len(gates) > 1 else 'measures'} the sentence "
                               "corpus given with --sentences, and none was given: add --sentences FOLDER (e.g. "
                               "fixtures/sentences)")
    if len(set(map(os.path.realpath, sentence_paths))) < len(sentence_paths):
        raise click.UsageError("the same --sentences folder is given twice: each sentence would be counted twice")
    session = _session(directory, config_path, engine, reads=[*fixture_dirs, *sentence_paths])
    outcomes = run_rule_tests(session.compiled, [Path(d) for d in fixture_dirs], session.engine)
    failed = [o for o in outcomes if not o.ok]
    result = {
        "rules": [{"rule": o.rule, "kind": o.kind, "passed": o.passed, "false_alarms": o.false_alarms,
                   "misses": o.misses, "todo": o.todo, "todo_now_passing": o.todo_now_passing,
                   **({"broken_by_overlay": o.broken_by_overlay} if o.broken_by_overlay else {})} for o in outcomes],
        "summary": {"rules": len(outcomes), "failed": len(failed), "todo": sum(o.todo for o in outcomes)},
    }
    short: list[str] = []
    if sentence_paths:
        from .sentences import SentenceCorpusError, below, measure_corpus

        try:
            result["sentences"] = measure_corpus([Path(p) for p in sentence_paths], session.compiled)
        except SentenceCorpusError as exc:
            click.echo(f"lii-check: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        short = below(result["sentences"]["all"], {"min_level_accuracy": min_level_accuracy,
                                                   "min_polarity": min_polarity, "min_critical": min_critical})
        result["summary"]["sentence_thresholds_missed"] = short
    if fmt == "json":
        _echo_json(result)
    else:
        text = tables.rule_tests(result, _width(), verbose)
        if "sentences" in result:
            text += tables.sentence_figures(result["sentences"], short, _width())
        _echo_stdout(text, "table")
    sys.exit(EXIT_FINDINGS if failed or short else EXIT_OK)


@rules.command("overlay")
@click.option("--from", "copy_dir", required=True, type=NonEmptyPath(), help="Your team's full copy of the bundled rulebook.")
@click.argument("out", type=NonEmptyPath())
def rules_overlay(copy_dir: str, out: str) -> None:
    """Write the minimal overlay over the bundled rulebook that builds what a full copy of it builds, into OUT/."""
    from .rulebook.migrate import MigrationProblem, write_overlay

    try:
        migration = write_overlay(Path(copy_dir), Path(out))
    except MigrationProblem as exc:
        for line in exc.lines + ["lii-check: no overlay was written"]:
            click.echo(line, err=True)
        sys.exit(EXIT_USAGE)
    for note in migration.notes:
        click.echo(f"lii-check: note: {note}", err=True)
    click.echo(f"wrote {Path(out) / 'overlay.yaml'}" + "".join(f", {Path(out) / p.name}" for p in migration.new_theme_files))


@rules.command("docs")
@click.argument("out", type=NonEmptyPath(file_okay=False))
@click.option("--rules", "rules_dir", type=NonEmptyPath(file_okay=False), help="Document this rulebook folder instead of the bundled one.")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
def rules_docs(out: str, rules_dir: str | None, config_path: str | None) -> None:
    """Write one Markdown page per theme, plus the shared and report-wide rules and an index, into OUT."""
    from .rule_docs import DocsProblem, write_pages
    from .rulebook import bundled_rules_dir

    session = _session(rules_dir, config_path)
    source = rules_dir or (str(session.config.rules) if session.config.rules else None)
    try:
        written = write_pages(session.rulebook, Path(source) if source else bundled_rules_dir(), Path(out))
    except DocsProblem as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    click.echo(f"lii-check: wrote {len(written)} pages into {out}", err=True)


@rules.command("list")
@click.argument("directory", required=False, type=NonEmptyPath(file_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--cues", is_flag=True, help="List every signal and cue list instead, each cue with where it comes from.")
def rules_list(directory: str | None, fmt: str, cues: bool = False) -> None:
    """List the rulebook's expectations: id, theme, severity, origin (bundled or file:line), description."""
    from .formats import tables
    from .rulebook.origins import cue_listing, rule_listing

    rulebook = _session(directory).rulebook
    rows = cue_listing(rulebook) if cues else rule_listing(rulebook)
    if fmt == "json":
        _echo_json(rows)
        return
    _echo_stdout((tables.cues_list if cues else tables.rules_list)(rows, _width()), "table")


@rules.command("diff")
@click.argument("paths", nargs=-1, required=True)
@click.option("--base", required=True, help="The rules before the change: a folder, bundled (the bundled rulebook), or REV / REV:PATH in git.")
@click.option("--rules", "rules_dir", type=NonEmptyPath(file_okay=False), help="The rules after the change.  [default: the configuration's, else the bundled ones]")
@click.option("--config", "config_path", type=NonEmptyPath(dir_okay=False), help="Use this configuration file instead of searching for one.")
@click.option("--engine", type=click.Choice(ENGINES), default=None, help="As for check.  [default: auto]")
@click.option("--format", "fmt", type=click.Choice(["table", "markdown", "json"]), default="table", show_default=True)
@click.option("--calibrate", "with_calibration", is_flag=True, help="Also show calibrate's figures before → after (a corpus with trusted scores).")
@click.option("--fail-on-change", is_flag=True, help="Exit 1 when any report moved.")
def rules_diff(paths: tuple[str, ...], base: str, rules_dir: str | None, config_path: str | None, engine: str | None,
               fmt: str, with_calibration: bool, fail_on_change: bool) -> None:
    """List the reports under PATHS whose verdict, evidence score, index or findings the rule change moves."""
    from .diff import run_diff
    from .diff_base import BaseProblem
    from .discovery import NoReports
    from .inference import EngineUnavailable

    if not base.strip():
        from .discovery import EMPTY_PATH

        raise click.BadParameter(EMPTY_PATH, param_hint="'--base'")  # not the current folder, as it was read
    session = _session(rules_dir, config_path, engine, reads=paths)
    try:
        doc = run_diff(session, base, rules_dir, list(paths), with_calibration, fail_on_change)
    except BaseProblem as exc:
        _setup_failed(exc)
    except (NoReports, EngineUnavailable) as exc:
        click.echo(f"lii-check: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    summary = doc["summary"]
    if summary["reports"] and summary["unreadable"] == summary["reports"]:
        # Nothing could be compared: "nothing moved" would pass a CI gate on a corpus of broken files.
        click.echo(f"lii-check: none of the {summary['reports']} report(s) could be read, so no rulebook change "
                   "was measured: `lii-check check` on the same paths says why each is unreadable", err=True)
        sys.exit(EXIT_USAGE)
    from .formats import diff_markdown, diff_table

    if fmt == "json":
        _echo_json(doc)
    else:
        _echo_stdout(diff_table.render(doc, _width()) if fmt == "table" else diff_markdown.render(doc), fmt)
    sys.exit(doc["summary"]["exit_code"])
