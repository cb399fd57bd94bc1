"""`lii-check rules diff`: what a rule change does to a corpus, before it merges.

Both rulebooks check the same files in this one process, through the same streaming pipeline as
`check` (check.check_stream), and each pair of results is compared as it arrives, then dropped:
only the reports that moved, the sentence readings that changed and a few counts are kept.

A report moved when, between the two rulebooks, its verdict, evidence score, evidence index as
printed (the rounded value of the result document) or the multiset of its findings keyed by
(rule id, severity) differs. A rule that fires in both at another severity is one finding changed.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from . import __version__
from .check import Options, check_stream
from .compiled import CompiledRulebook
from .discovery import ReportFile
from .document import report_dict
from .model import ReportResult
from .names import LEVELS, MOST_SERIOUS_FIRST

DIFF_SCHEMA_VERSION = 1
NOT_READ = "none"  # the level of a sentence the rulebook does not read as evidence for a theme


@dataclass(frozen=True)
class Side:
    """What one rulebook made of one report, as the result document prints it."""

    verdict: str
    evidence_score: int | None
    evidence_index: float | None
    findings: tuple[dict, ...]
    fired: tuple[str, ...]  # rule ids that fired, suppressed ones included (as check's summary counts them)
    readings: dict[tuple[int, str, str], str]  # (line, sentence, theme) -> level


def side_of(result: ReportResult) -> Side:
    entry = report_dict(result)
    readings: dict[tuple[int, str, str], str] = {}
    if result.assessment is not None:
        for e in result.assessment.evidence:
            key = (e.line, e.text, e.theme)
            held = readings.get(key)
            # Clauses of one sentence read differently: it reads as the most serious negative, else the
            # strongest positive (the rule reading.py applies within a clause).
            if held is None or MOST_SERIOUS_FIRST.index(e.level) < MOST_SERIOUS_FIRST.index(held):
                readings[key] = e.level
    return Side(
        verdict=entry["verdict"], evidence_score=entry["evidence_score"], evidence_index=entry["evidence_index"],
        findings=tuple(entry["findings"]),
        fired=tuple(f["rule"] for f in entry["findings"] + entry["suppressed"]),
        readings=readings,
    )


def finding_keys(side: Side) -> Counter:
    return Counter((f["rule"], f["severity"]) for f in side.findings)


def moved(before: Side, after: Side) -> bool:
    return (before.verdict != after.verdict or before.evidence_score != after.evidence_score
            or before.evidence_index != after.evidence_index or finding_keys(before) != finding_keys(after))


def _cited(finding: dict, severity: object) -> dict:
    return {"rule": finding["rule"], "severity": severity, "line": finding["line"], "evidence": finding["evidence"]}


def finding_changes(before: Side, after: Side) -> dict:
    """Findings added, removed and changed (same rule, another severity), by rule id.

    Findings that are the same (rule, severity) on both sides pair off first; what is left of a rule
    on both sides pairs up as changed, in severity order; the rest is added or removed."""
    added, removed, changed = [], [], []
    rules = sorted({f["rule"] for f in before.findings} | {f["rule"] for f in after.findings})
    for rule in rules:
        old = [f for f in before.findings if f["rule"] == rule]
        new = [f for f in after.findings if f["rule"] == rule]
        for f in list(old):
            twin = next((g for g in new if g["severity"] == f["severity"]), None)
            if twin is not None:
                old.remove(f)
                new.remove(twin)
        for f, g in zip(old, new):
            changed.append(_cited(g, {"before": f["severity"], "after": g["severity"]}))
        removed += [_cited(f, f["severity"]) for f in old[len(new):]]
        added += [_cited(g, g["severity"]) for g in new[len(old):]]
    return {"added": added, "removed": removed, "changed": changed}


def reading_changes(path: str, before: Side, after: Side) -> list[dict]:
    """Every (sentence, theme) read at another level, including read by one rulebook only."""
    out = []
    for key in sorted(set(before.readings) | set(after.readings)):
        old, new = before.readings.get(key, NOT_READ), after.readings.get(key, NOT_READ)
        if old != new:
            line, text, theme = key
            out.append({"path": path, "line": line, "theme": theme, "before": old, "after": new, "text": text})
    return out


def report_change(path: str, awarded: int | None, before: Side, after: Side) -> dict:
    return {
        "path": path,
        "awarded_score": awarded,
        "verdict": {"before": before.verdict, "after": after.verdict},
        "evidence_score": {"before": before.evidence_score, "after": after.evidence_score},
        "evidence_index": {"before": before.evidence_index, "after": after.evidence_index},
        "findings": finding_changes(before, after),
    }


@dataclass
class DiffTally:
    """The counts the summary needs, added to pair by pair."""

    reports: int = 0
    unreadable: int = 0  # unreadable with both rulebooks (the file, not the rules)
    moved: list[dict] = field(default_factory=list)
    sentences: list[dict] = field(default_factory=list)
    fired_before: Counter = field(default_factory=Counter)
    fired_after: Counter = field(default_factory=Counter)

    def add(self, result_before: ReportResult, result_after: ReportResult) -> None:
        if result_before.path != result_after.path:  # both streams follow the one file list
            raise RuntimeError(f"rules diff paired {result_before.path} with {result_after.path}")
        self.reports += 1
        before, after = side_of(result_before), side_of(result_after)
        self.unreadable += before.verdict == after.verdict == "unreadable"
        self.fired_before.update(before.fired)
        self.fired_after.update(after.fired)
        self.sentences += reading_changes(result_before.path, before, after)
        if moved(before, after):
            report = result_after.report or result_before.report
            self.moved.append(report_change(result_before.path, report.awarded_score if report else None,
                                            before, after))


def _direction_counts(moved_reports: list[dict]) -> dict:
    counts = {"evidence_score_up": 0, "evidence_score_down": 0, "evidence_index_up": 0, "evidence_index_down": 0,
              "newly_inconsistent": 0, "newly_consistent": 0, "newly_unreadable": 0, "newly_readable": 0,
              "findings_only": 0}
    for r in moved_reports:
        for name in ("evidence_score", "evidence_index"):
            old, new = r[name]["before"], r[name]["after"]
            if old is not None and new is not None and old != new:
                counts[f"{name}_{'up' if new > old else 'down'}"] += 1
        old, new = r["verdict"]["before"], r["verdict"]["after"]
        if old != new:
            if new == "unreadable":
                counts["newly_unreadable"] += 1
            elif old == "unreadable":
                counts["newly_readable"] += 1
            else:
                counts[f"newly_{new}"] += 1
        elif all(r[n]["before"] == r[n]["after"] for n in ("evidence_score", "evidence_index")):
            counts["findings_only"] += 1
    return counts


def _transitions(sentences: list[dict]) -> list[dict]:
    order = {level: i for i, level in enumerate((NOT_READ, *LEVELS))}
    counted = Counter((s["before"], s["after"]) for s in sentences)
    return [{"before": b, "after": a, "count": n}
            for (b, a), n in sorted(counted.items(), key=lambda kv: (-kv[1], order[kv[0][0]], order[kv[0][1]]))]


def summarise(tally: DiffTally, calibration: dict | None, fail_on_change: bool,
              not_searched: list[str] | tuple = ()) -> dict:
    rules = sorted(set(tally.fired_before) | set(tally.fired_after))
    return {
        "reports": tally.reports,
        "moved": len(tally.moved),
        "unreadable": tally.unreadable,
        "not_searched": list(not_searched),
        "directions": _direction_counts(tally.moved),
        "rules": [{"rule": r, "before": tally.fired_before[r], "after": tally.fired_after[r]}
                  for r in rules if tally.fired_before[r] != tally.fired_after[r]],
        "sentences": {"changed": len(tally.sentences), "reports": len({s["path"] for s in tally.sentences}),
                      "transitions": _transitions(tally.sentences)},
        "calibration": calibration,
        "fail_on_change": fail_on_change,
        "exit_code": 1 if fail_on_change and tally.moved else 0,
    }


def compare_stream(files: list[ReportFile], before: CompiledRulebook, after: CompiledRulebook,
                   options: Options, engines_used: set[str]) -> Iterator[tuple[ReportResult, ReportResult]]:
    """Each file checked with both rulebooks, in input order, in this process (options.jobs is 1).

    The two streams advance together, so at most a chunk of each side's results is ever held."""
    # keep_text: the sentence readings are the assessment's evidence, which check drops by default.
    options = Options(engine=options.engine, jobs=1, budget=options.budget, max_bytes=options.max_bytes,
                      keep_text=True)
    yield from zip(check_stream(files, before, options, engines_used),
                   check_stream(files, after, options, engines_used))


def diff_document(pairs: Iterable[tuple[ReportResult, ReportResult]], base: dict, after: dict,
                  engines_used: set[str], calibrate=None, fail_on_change: bool = False,
                  not_searched: list[str] | tuple = ()) -> dict:
    """The `rules diff` result document (schema/diff.schema.json). ``calibrate`` is called after the
    pairs are consumed and returns calibrate's figures before and after, or None."""
    tally = DiffTally()
    for result_before, result_after in pairs:
        tally.add(result_before, result_after)
    calibration = calibrate() if calibrate is not None else None
    return {
        "schema_version": DIFF_SCHEMA_VERSION,
        "tool": {"name": "lii-check", "version": __version__},
        "base": base,
        "after": after,
        "engine": "+".join(sorted(engines_used)) or "none",
        "reports": sorted(tally.moved, key=lambda r: r["path"]),
        "sentences": sorted(tally.sentences, key=lambda s: (s["path"], s["line"], s["theme"], s["text"])),
        "summary": summarise(tally, calibration, fail_on_change, not_searched),
    }


CALIBRATION_FIGURES = ("reports", "evidence_equals_awarded", "two_or_more_bands_away", "inconsistent_share")


def calibration_figures(result: dict) -> dict:
    """The figures of `lii-check calibrate` that say how well a rulebook agrees with trusted scores."""
    return {**{k: result[k] for k in CALIBRATION_FIGURES},
            "shift_caught": {size: figures["share"] for size, figures in result["shift_test"].items()}}


def calibrate_both(files: list[ReportFile], before: CompiledRulebook, after: CompiledRulebook, engine: str,
                   max_bytes: int | None = None) -> dict:
    """calibrate's figures with each rulebook, over the readable reports (unreadable ones are counted
    in the diff already and calibrate cannot use them)."""
    from .calibrate import calibrate
    from .parser import ReportError, read_report

    reports = []
    for item in files:
        try:
            reports.append(read_report(item.path, item.display, **({"max_bytes": max_bytes} if max_bytes else {})))
        except ReportError:
            continue
    if not reports:
        return {"before": None, "after": None}
    return {"before": calibration_figures(calibrate(reports, before, engine)),
            "after": calibration_figures(calibrate(reports, after, engine))}


def run_diff(session, base: str, rules_dir: str | None, paths: list[str], with_calibration: bool = False,
             fail_on_change: bool = False) -> dict:
    """The whole `rules diff` for the CLI: ``session`` is the after side, as `check` would open it.

    Raises diff_base.BaseProblem (the base does not load), discovery.NoReports, inference.EngineUnavailable."""
    from .diff_base import open_base_session
    from .discovery import DEFAULT_EXCLUDES, find_reports
    from .parser import DEFAULT_MAX_BYTES

    config = session.config
    after_dir = rules_dir or (str(config.rules) if config.rules else None)
    exclude = (DEFAULT_EXCLUDES if config.exclude is None else config.exclude) + config.extend_exclude
    found = find_reports(paths, exclude)  # first: a wrong path is said before the base is read and compiled
    files = found.files
    before, source = open_base_session(base, after_dir, config, session.engine)
    options = Options(engine=session.engine, max_bytes=config.max_bytes or DEFAULT_MAX_BYTES)
    engines: set[str] = set()
    calibrate = None
    if with_calibration:
        def calibrate() -> dict:
            return calibrate_both(files, before.compiled, session.compiled, session.engine, options.max_bytes)
    return diff_document(
        compare_stream(files, before.compiled, session.compiled, options, engines),
        base={"rulebook": source.label, "commit": source.commit}, after={"rulebook": session.rulebook.path},
        engines_used=engines, calibrate=calibrate, fail_on_change=fail_on_change, not_searched=found.notes())
