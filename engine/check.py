"""The pipeline: read reports, weigh their evidence, fire the rules, collect findings — as a stream.

Reports are handled in chunks, in input order, by `jobs` worker processes; each worker reads,
assesses and fires its chunk (durable_rules in its own long-lived child, see inference.py) and
hands back results that are rendered and dropped as they arrive, so memory does not grow with the
corpus, and the output is byte-identical whatever `jobs` is.
"""
from __future__ import annotations


import os
import signal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .compiled import CompiledRulebook
from .compiler import report_facts
from .discovery import NoReports, REPORT_SUFFIXES, ReportFile, discover  # noqa: F401 - re-exported
from .errors import WorkerLost
from .reading import find_evidence
from .findings import build_findings
from .model import Assessment, Finding, Report, ReportResult
from .parser import ReportError, read_report
from .rulebook import Rulebook
from .scoring import assess

CHUNK = 32  # reports per engine call: big enough to amortise the call, small enough to stream
DEFAULT_BUDGET = 30.0  # seconds one report may take before it is called unreadable


class _OverBudget(Exception):
    pass


def analyse(report: Report, compiled: CompiledRulebook, keep_set_aside: bool = True) -> Assessment:
    return assess(find_evidence(report, compiled, keep_set_aside), compiled.rulebook)


@dataclass
class Options:
    engine: str = "auto"
    jobs: int = 1
    budget: float | None = DEFAULT_BUDGET
    max_bytes: int | None = None
    keep_text: bool = False  # keep each report's text and evidence (for explain and the HTML view)


def _with_budget(seconds: float | None, work: Callable[[], object]) -> object:
    """Run `work`, raising _OverBudget after `seconds` (main thread of a process only; elsewhere no limit)."""
    if not seconds or not hasattr(signal, "setitimer"):
        return work()

    expired_at: list[bool] = []
    done: list[bool] = []

    def expired(_signum, _frame):
        if done:
            return  # an alarm pending when the work ended: nothing left to stop
        expired_at.append(True)
        # Raised inside code that swallows exceptions (a garbage-collector callback, a __del__), the exception
        # is lost: fire again shortly, until one lands where it stops the work (the finally below disarms it).
        signal.setitimer(signal.ITIMER_REAL, 0.05)
        raise _OverBudget()

    try:
        previous = signal.signal(signal.SIGALRM, expired)
    except ValueError:  # not the main thread
        return work()
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        result = work()
    finally:
        # An alarm can still land here, before `done` is set: then it is caught and the disarming done again,
        # so the timer never outlives this call to fire into whatever runs next.
        while True:
            try:
                done.append(True)
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, previous)
                break
            except _OverBudget:
                expired_at.append(True)
    if expired_at:
        # Every alarm's exception was lost and the work ran to its end (it finished within 0.05 s of one):
        # over its budget all the same.
        raise _OverBudget()
    return result


def _read_and_assess(item: ReportFile, compiled: CompiledRulebook, options: Options):
    """(report, assessment) or an unreadable ReportResult."""
    def work():
        report = read_report(item.path, item.display, **({"max_bytes": options.max_bytes} if options.max_bytes else {}))
        # What was set aside is shown only where the text is kept (explain, the HTML view).
        return report, analyse(report, compiled, keep_set_aside=options.keep_text)

    try:
        return _with_budget(options.budget, work)
    except ReportError as exc:
        return ReportResult(item.display, None, None, [], error=(exc.line, exc.message))
    except _OverBudget:
        return ReportResult(item.display, None, None, [], error=(
            None, f"reading this report took longer than the time budget of {options.budget:g} s "
                  "(--timeout); it was skipped"))


def _fire_chunk(pairs: list[tuple[Report, Assessment]], compiled: CompiledRulebook, engine) -> list[ReportResult]:
    rulebook = compiled.rulebook
    ruleset = compiled.rules()
    batches = [report_facts(r, a, rulebook) for r, a in pairs]
    fired = engine.fire(batches) if batches else []
    results = []
    for (report, assessment), facts, got in zip(pairs, batches, fired):
        findings = build_findings(got, facts, ruleset, report, assessment, rulebook)
        results.append(apply_suppressions(ReportResult(report.path, report, assessment, findings), rulebook))
    return results


def check_chunk(items: list[ReportFile], compiled: CompiledRulebook, options: Options, engine) -> list[ReportResult]:
    """One chunk of files, in order: read, assess, fire, find."""
    slots: list[ReportResult | None] = []
    readable: list[tuple[Report, Assessment]] = []
    where: list[int] = []
    for item in items:
        got = _read_and_assess(item, compiled, options)
        if isinstance(got, ReportResult):
            slots.append(got)
        else:
            where.append(len(slots))
            slots.append(None)
            readable.append(got)
    for i, result in zip(where, _fire_chunk(readable, compiled, engine)):
        slots[i] = result
    if not options.keep_text:
        for result in slots:
            _lighten(result)
    return slots  # type: ignore[return-value]


def _lighten(result: ReportResult) -> None:
    """Drop what no output needs once findings are built, so streamed results stay small."""
    if result.report is not None:
        result.report.sections = []
    if result.assessment is not None:
        result.assessment.evidence = []
        result.assessment.set_aside = []


def check_reports(reports: list[Report], compiled: CompiledRulebook, engine: str = "auto") -> tuple[list[ReportResult], str]:
    """Assess parsed reports (in memory) and fire the compiled expectations over all of them."""
    from .inference import open_engine

    pairs = [(r, analyse(r, compiled)) for r in reports]
    with open_engine(compiled.rules().ruleset, engine) as eng:
        results = _fire_chunk(pairs, compiled, eng) if pairs else []
        return results, eng.name


def _why_unused(rule: str, rulebook: Rulebook | None) -> str:
    """Why a suppression suppressed nothing: the rule did not fire, or no rule has that id (then the
    nearest id, as a typo in the comment is the likelier cause)."""
    from .builtin_rules import known_rule_ids, no_such_rule

    if rulebook is None:
        return "the rule did not fire on this report (or no such rule exists). Remove the comment."
    known = known_rule_ids(rulebook)
    if rule == "*":
        return ("'*' is not a rule id. Name the one rule each comment accepts (`lii-check rules list` lists them), "
                "one comment per rule.")
    if rule in known:
        return "the rule did not fire on this report. Remove the comment."
    return no_such_rule(rule, known)


def apply_suppressions(result: ReportResult, rulebook: Rulebook | None = None) -> ReportResult:
    """Honour `<!-- lii-check-disable RULE: reason -->` comments in the report (and the configuration's
    severity for the built-in findings about them, which the rulebook carries)."""
    from .builtin_rules import SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION, builtin_severity

    without_reason, unused = (builtin_severity(rulebook, r) for r in (SUPPRESSION_WITHOUT_REASON, UNUSED_SUPPRESSION))
    report = result.report
    if report is None or not report.suppressions:
        return result
    kept: list[Finding] = []
    used: set[int] = set()
    for finding in result.findings:
        match = next((i for i, (_, rule, _) in enumerate(report.suppressions) if rule == finding.rule), None)
        if match is None:
            kept.append(finding)
        else:
            used.add(match)
            finding.suppressed_by = "inline"
            result.suppressed.append(finding)
    for i, (line, rule, reason) in enumerate(report.suppressions):
        if not rule:  # a comment that means to suppress but cannot be read as a suppression (parser.py)
            if unused:
                kept.append(Finding(UNUSED_SUPPRESSION, "consistency", unused,
                                    f"This comment is not a suppression lii-check can read, so it silences nothing: "
                                    f"'{reason}'. Write one rule per comment, closed on the same line: "
                                    f"<!-- lii-check-disable RULE: why this is accepted -->.", line))
            continue
        if not reason and without_reason:
            kept.append(Finding(SUPPRESSION_WITHOUT_REASON, "consistency", without_reason,
                                f"The suppression of '{rule}' gives no reason: write it as "
                                f"<!-- lii-check-disable {rule}: why this is accepted -->.", line))
        if i not in used and unused:
            kept.append(Finding(UNUSED_SUPPRESSION, "consistency", unused,
                                f"The suppression of '{rule}' suppresses nothing: {_why_unused(rule, rulebook)}", line))
    result.findings = kept
    return result


# ------------------------------------------------------------------------------------------------
# Streaming over many files, in worker processes

_WORKER: dict = {}


def _worker_init(compiled: CompiledRulebook, options: Options) -> None:
    from .inference import open_engine

    # Ctrl-C is the parent's to handle: workers just stop when it tells them to.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # SIGTERM is how the pool stops its workers (and how the parent's handler ends them): die at once, with
    # no Python traceback from a pipe the parent has already closed.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _WORKER["compiled"] = compiled
    _WORKER["options"] = options
    # Entered for the worker's whole life and never exited: when the pool ends the worker, its durable
    # child reads end-of-file on its pipe and exits too.
    _WORKER["engine"] = open_engine(compiled.rules().ruleset, options.engine).__enter__()


def _worker_chunk(items: list[ReportFile]) -> tuple[list[ReportResult], str]:
    engine = _WORKER["engine"]
    return check_chunk(items, _WORKER["compiled"], _WORKER["options"], engine), engine.name


def _chunks(files: Iterable[ReportFile], size: int) -> Iterator[list[ReportFile]]:
    chunk: list[ReportFile] = []
    for item in files:
        chunk.append(item)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:
        return max(1, os.cpu_count() or 1)


def check_stream(files: list[ReportFile], compiled: CompiledRulebook, options: Options,
                 engines_used: set[str]) -> Iterator[ReportResult]:
    """Results in input order, as they are ready. `engines_used` collects the engines that fired rules."""
    # Never more workers than chunks, nor than cores: each worker holds a copy of the compiled rulebook and
    # its own durable child, and past the cores more only costs memory and start-up.
    jobs = max(1, min(options.jobs, default_jobs(), (len(files) + CHUNK - 1) // CHUNK or 1))
    import multiprocessing

    if "fork" not in multiprocessing.get_all_start_methods():
        jobs = 1  # workers inherit the compiled matcher by forking; elsewhere one process does it all
    if jobs == 1:
        from .inference import open_engine

        with open_engine(compiled.rules().ruleset, options.engine) as engine:
            for chunk in _chunks(files, CHUNK):
                results = check_chunk(chunk, compiled, options, engine)
                if any(r.error is None for r in results):
                    engines_used.add(engine.name)
                yield from results
        return
    context = multiprocessing.get_context("fork")
    compiled.rules()  # compiled once here, inherited by the forked workers
    with context.Pool(jobs, initializer=_worker_init, initargs=(compiled, options)) as pool:
        workers = _worker_ids(pool)
        ordered = pool.imap(_worker_chunk, _chunks(files, CHUNK))
        while True:
            # Waited for a second at a time, not for ever: a worker killed mid-chunk (out of memory, kill -9) is
            # replaced by the pool but its chunk never comes back, and a wait without end also kept the SIGTERM
            # handler from running, so `timeout` could not stop the run.
            try:
                results, name = ordered.next(timeout=1.0)
            except StopIteration:
                break
            except multiprocessing.TimeoutError:
                if _worker_ids(pool) != workers:
                    raise WorkerLost("a worker process stopped while checking reports (killed, perhaps for lack of "
                                     "memory), so its reports would never be read; the run stopped there and its "
                                     "output is incomplete: run again; if it stops again, run with --jobs 1, which "
                                     "uses less memory and whose output ends at the report it could not finish") from None
                continue
            if any(r.error is None for r in results):
                engines_used.add(name)
            yield from results


def _worker_ids(pool) -> set[int]:
    """The pool's worker processes. Workers never stop on their own (no maxtasksperchild), so a change means one
    died and the pool replaced it. (multiprocessing has no public way to ask; `_pool` is its list.)"""
    return {process.pid for process in getattr(pool, "_pool", ())}
