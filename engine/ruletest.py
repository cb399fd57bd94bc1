"""`lii-check rules test`: every rule's own examples, plus fixture reports annotated with findings.

Like Semgrep's and sqlfluff's rule tests: a signal lists sentences it must fire on and sentences
it must stay quiet on; an expectation lists small reports it must and must not flag; `todo`
examples record known gaps and are reported, never failed. Fixture folders may hold an
`expected.yaml` naming, per report, the evidence score and the rules that must / must not fire.
"""
from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path

import click
import yaml

from .check import check_reports
from .compiled import CompiledRulebook
from .reading import GENERAL, Judgement, clauses, judge, sentence_hits
from .parser import DESCRIPTORS, SCORE_RE, ReportError, parse_report, read_report
from .rulebook import Signal


@dataclass
class RuleOutcome:
    rule: str
    kind: str  # signal | expectation | language | fixture
    passed: int = 0
    false_alarms: list[str] = field(default_factory=list)  # quiet examples it fired on
    misses: list[str] = field(default_factory=list)  # fires examples it did not fire on
    todo: int = 0
    todo_now_passing: list[str] = field(default_factory=list)
    # An overlaid rulebook: the base's examples that pass on the base and fail here, with the overlay
    # entries that changed the rule (or the rulebook's language and scoring, when they changed the rule).
    broken_by_overlay: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.false_alarms and not self.misses


def judgements(sentence: str, theme: str, compiled: CompiledRulebook) -> list[Judgement]:
    """How each clause of one sentence reads for one theme."""
    sh = sentence_hits(sentence, compiled)
    return [judge(sh, start, end, theme, compiled) for start, end in clauses(sh)]


def signal_fires(signal: Signal, sentence: str, compiled: CompiledRulebook) -> bool:
    """Does the signal count, at its own level, anywhere in this sentence?"""
    theme = signal.theme or GENERAL
    return any(
        sig_id == signal.id and level == signal.level and not negated
        for j in judgements(sentence, theme, compiled)
        for level, _cue, sig_id, negated in j.graded
    )


def _language_fires(kind: str, sentence: str, compiled: CompiledRulebook) -> bool:
    for j in judgements(sentence, GENERAL, compiled):
        if kind == "negation" and any(negated for *_, negated in j.graded):
            return True
        if kind == "intention" and (j.level == "intention" or any(r.startswith("intention") for _, r in j.set_aside)):
            return True
        if kind == "hedging" and any(r.startswith("hedged") for _, r in j.set_aside):
            return True
    return False


def example_report(awarded: int, text: str, name: str):
    """An expectation example as a report: used as it is if it has a score line, else wrapped."""
    if any(SCORE_RE.match(line) for line in text.splitlines()):
        return parse_report(text, name)
    body = f"Score: {awarded}\n\n{awarded} - Evidence shows {DESCRIPTORS[awarded]}\n\n{text}\n"
    return parse_report(body, name)


def _run(outcome: RuleOutcome, fires: list, quiet: list, todo: list, test) -> None:
    for example in fires:
        if test(example):
            outcome.passed += 1
        else:
            outcome.misses.append(_short(example))
    for example in quiet:
        if test(example):
            outcome.false_alarms.append(_short(example))
        else:
            outcome.passed += 1
    for example in todo:
        outcome.todo += 1
        if test(example):
            outcome.todo_now_passing.append(_short(example))


def _short(example) -> str:
    text = example["text"] if isinstance(example, dict) else example
    text = " ".join(str(text).split())
    return text if len(text) <= 90 else text[:87] + "..."


def run_rule_tests(compiled: CompiledRulebook, fixture_dirs: list[Path] = (), engine: str = "auto",
                   compare_with_base: bool = True) -> list[RuleOutcome]:
    """Every example of every rule (an overlay's own examples included) and the fixture manifests. On an
    overlaid rulebook the base's examples are also run on the base, to say which of them the overlay breaks."""
    check_manifests(list(fixture_dirs), compiled)  # a broken manifest is found before minutes of rule tests
    outcomes = _rule_outcomes(compiled, engine)
    if compare_with_base and compiled.rulebook.base is not None:
        mark_broken(outcomes, compiled.rulebook, _base_failures(compiled.rulebook.base, engine))
    seen: set[Path] = set()  # a folder given twice, or inside another given: each manifest is tested once
    for folder in fixture_dirs:
        outcomes.extend(run_fixture_tests(folder, compiled, engine, seen))
    return outcomes


def _base_failures(base: str, engine: str) -> set[tuple[str, str]]:
    from .compiled import compile_rulebook_once
    from .rulebook import BUNDLED, load_rulebook

    rulebook = load_rulebook(None if base == BUNDLED else base)
    return {(o.rule, text) for o in run_rule_tests(compile_rulebook_once(rulebook), (), engine, False)
            for text in o.false_alarms + o.misses}


def mark_broken(outcomes: list[RuleOutcome], rulebook, base_failures: set[tuple[str, str]]) -> None:
    """Tag each failure of a base example that passed on the base: the overlay broke it."""
    own: dict[str, set[str]] = {}
    changes: dict[str, tuple[str, ...]] = {}
    for signal in rulebook.signals():
        name = f"{signal.theme or 'language'}:{signal.id}"
        own[name] = {_short(x) for items in signal.overlay_examples.values() for x in items}
        changes[name] = signal.changes
    for exp in rulebook.expectations():
        own[exp.id] = {_short(x) for items in exp.overlay_examples.values() for x in items}
        changes[exp.id] = exp.changes
    # A rule the overlay did not touch is broken by a change elsewhere (a cue added to another signal or to
    # the language lists): name the overlay's changes, so the author knows where to look.
    everywhere = sorted({where for found in changes.values() for where in found}
                        | {str(f) for f in getattr(rulebook, "overlay_files", ())})
    more = f" and {len(everywhere) - 5} more" if len(everywhere) > 5 else ""
    elsewhere = "broken by a change elsewhere in the overlay" + (f": {', '.join(everywhere[:5])}{more}" if everywhere else "")
    for o in outcomes:
        for text in o.false_alarms + o.misses:
            if text not in own.get(o.rule, set()) and (o.rule, text) not in base_failures:
                own_changes = changes.get(o.rule, ())
                why = f"changed at {', '.join(own_changes)}" if own_changes else elsewhere
                o.broken_by_overlay.append(f"{text} (passes on the base; {why})")


# Openings an example is also read behind: hyperscan (the 0.9.1 wheel) missed "were modest" for
# `\b(?:was|were|remained) (?:relatively |very )?modest\b` whenever the match began 24 or more characters into the
# text, which a short example read alone never shows.
LONG_OPENINGS = ("In the assessment we found that, across the council as a whole, ", "x " * 40)


def reference_matcher(compiled: CompiledRulebook):
    """RE2 over the same cues, to check hyperscan's reading against; None when there is nothing to compare (the run's
    matcher is RE2 already, or RE2 is not installed)."""
    from .matcher import Matcher, available_engines

    if compiled.matcher.engine != "hyperscan" or "re2" not in available_engines():
        return None
    return Matcher(compiled.patterns, "re2")


def engine_disagreements(compiled: CompiledRulebook, reference, examples: list[str]) -> list[str]:
    """Each example that hyperscan and RE2 (`reference`) read differently, alone or behind a long opening, with the
    cue and the words they disagree on."""
    from .matcher import fold

    if reference is None:
        return []
    found = []
    for example in examples:
        for opening in ("",) + LONG_OPENINGS:
            text = fold(opening + example)
            by_hyperscan, by_re2 = set(compiled.matcher.scan(text)), set(reference.scan(text))
            for start, end, pid in sorted(by_hyperscan ^ by_re2):
                found.append(f"hyperscan and RE2, the two regular-expression engines lii-check runs cues with, read "
                             f"'{_short(example)}' differently{' after a long opening' if opening else ''}"
                             f" (cue '{compiled.patterns[pid].regex[:80]}' on '{text[start:end]}'): rewrite that cue more "
                             "simply (an optional group '(…)?' written as '(…)*' has avoided a known hyperscan fault)")
                break
            else:
                continue
            break
    return found


def _rule_outcomes(compiled: CompiledRulebook, engine: str) -> list[RuleOutcome]:
    outcomes: list[RuleOutcome] = []
    rulebook = compiled.rulebook
    lang = rulebook.language
    reference = reference_matcher(compiled)
    for kind in ("negation", "intention", "hedging"):
        o = RuleOutcome(f"language.{kind}", "language")
        ex = lang.examples[kind]
        _run(o, ex["fires"], ex["quiet"], ex["todo"], lambda s, k=kind: _language_fires(k, s, compiled))
        o.misses.extend(engine_disagreements(compiled, reference, ex["fires"] + ex["quiet"]))
        outcomes.append(o)
    for signal in rulebook.signals():
        o = RuleOutcome(f"{signal.theme or 'language'}:{signal.id}", "signal")
        ex = signal.examples
        _run(o, ex["fires"], ex["quiet"], ex["todo"], lambda s, sig=signal: signal_fires(sig, s, compiled))
        o.misses.extend(engine_disagreements(compiled, reference, ex["fires"] + ex["quiet"]))
        outcomes.append(o)
    # Every expectation example becomes a small report; all are checked in one engine run.
    examples = [(exp, kind, ex) for exp in rulebook.expectations() for kind in ("fires", "quiet", "todo")
                for ex in exp.examples[kind]]
    # An example the parser refuses (say, a label that disagrees with its score) is a failed example of
    # its rule, reported with the reason, not an internal error of the whole run.
    unreadable: dict[int, str] = {}
    readable = []
    for n, (exp, _kind, ex) in enumerate(examples):
        try:
            readable.append((exp, ex, example_report(ex["awarded"], ex["text"], f"<example {n} of {exp.id}>")))
        except ReportError as exc:
            unreadable[id(ex)] = exc.message
    results = check_reports([r for _, _, r in readable], compiled, engine)[0] if readable else []
    fired = {id(ex): any(f.rule == exp.id for f in res.findings) for (exp, ex, _r), res in zip(readable, results)}
    for exp in rulebook.expectations():
        o = RuleOutcome(exp.id, "expectation")
        ex = exp.examples
        _run(o, *[[e for e in ex[k] if id(e) not in unreadable] for k in ("fires", "quiet", "todo")],
             lambda e: fired[id(e)])
        for e in ex["fires"] + ex["quiet"] + ex["todo"]:
            if id(e) in unreadable:
                o.misses.append(f"unreadable example: {unreadable[id(e)]} ({_short(e)})")
        outcomes.append(o)
    return outcomes


class ManifestInvalid(click.ClickException):
    """Fixture manifests that cannot be used: every problem, located, and exit 2 (a usage error, as a
    broken rule file is), before any fixture is run. A ClickException so the command line shows it
    without a change there."""

    exit_code = 2

    def __init__(self, problems: list[str]):
        super().__init__(f"{len(problems)} problem(s) in the fixture manifests")
        self.problems = problems

    def show(self, file=None) -> None:  # noqa: ANN001 - click's signature
        for problem in self.problems:
            click.echo(f"lii-check: {problem}", err=True)
        click.echo(f"lii-check: {self.message}; nothing was tested", err=True)


MANIFEST_NAME = "expected.yaml"
# What an entry may say, and what each value must be (true_band is the older name of evidence_score).
_BAND = "a band from 1 to 4"
_ENTRY_KEYS = {
    "file": "the report's path, relative to this manifest's folder",
    "verdict": "consistent, inconsistent or unreadable",
    "evidence_score": _BAND, "true_band": _BAND, "awarded_score": _BAND,
    "must_fire": "a list of rule ids", "must_not_fire": "a list of rule ids",
    "todo": "true or false", "hard_case": "a short label, or null", "why": "text",
}
_VERDICTS = ("consistent", "inconsistent", "unreadable")


def _value_problem(key: str, value: object) -> str | None:
    """Why this value cannot stand under this key; None when it can."""
    if key == "file":
        if not isinstance(value, str) or not value.strip():
            return f"'file' must be the report's path, relative to this manifest's folder, not {value!r}"
        if os.path.isabs(value) or value.startswith(("/", "\\")) or (len(value) > 1 and value[1] == ":"):
            return f"'file: {value}' is an absolute path: give the report's path relative to this manifest's folder"
        if os.path.normpath(value).split(os.sep)[0] == os.pardir:
            return f"'file: {value}' leaves the fixtures folder: keep each report beside or below its manifest"
        return None
    if key == "verdict":
        return None if value in _VERDICTS else f"'verdict' must be one of {', '.join(_VERDICTS)}, not {value!r}"
    if key in ("evidence_score", "true_band", "awarded_score"):
        ok = (isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4) or (
            key == "awarded_score" and value is None)
        return None if ok else f"'{key}' must be {_BAND}, not {value!r}"
    if key in ("must_fire", "must_not_fire"):
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            return (f"'{key}' must be a list of rule ids, one per line as '- rule.id' (or [rule.id]), "
                    f"not {value!r}")
        return None
    if key == "todo":
        return None if isinstance(value, bool) else f"'todo' must be true or false, not {value!r}"
    if key == "hard_case":
        return None if value is None or isinstance(value, str) else f"'hard_case' must be a short label, not {value!r}"
    return None if isinstance(value, str) else f"'why' must be text, not {value!r}"


def manifest_problems(manifest: Path, shown: str, known_rules: list[str]) -> list[str]:
    """Every problem of one fixture manifest as 'shown:line: what to fix'."""
    from .builtin_rules import no_such_rule
    from .rulebook.yamlsource import duplicate_keys
    from .safe_yaml import YamlProblem, load_yaml

    try:
        data, root = load_yaml(manifest.read_bytes().decode("utf-8-sig"))
    except (OSError, UnicodeDecodeError) as exc:
        return [f"{shown}:1: cannot read it ({getattr(exc, 'strerror', None) or exc}): it must be UTF-8 YAML"]
    except YamlProblem as exc:
        return [f"{shown}:{exc.line}: this is not valid YAML ({exc.message})"]
    if root is None or data == []:
        return [f"{shown}:1: the manifest lists no reports: add an entry per report ('- file: NAME' with "
                "'verdict:', 'evidence_score:', 'must_fire:' or 'must_not_fire:'), or delete the file"]
    if not isinstance(data, list):
        return [f"{shown}:{root.start_mark.line + 1}: the manifest must be a list of entries, each starting "
                "'- file: NAME'"]
    duplicates: list[tuple[int, int, str]] = []
    duplicate_keys(root, duplicates)
    problems = [f"{shown}:{line}: {message}" for line, _col, message in duplicates]
    listed: dict[str, int] = {}  # file -> the line of its first entry
    for entry, node in zip(data, root.value):
        line = node.start_mark.line + 1
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            if entry["file"] in listed:
                # Two entries for one report, perhaps contradicting each other: which one is the expectation?
                problems.append(f"{shown}:{line}: 'file: {entry['file']}' is listed again (first on line "
                                f"{listed[entry['file']]}): keep one entry per report")
            listed.setdefault(entry["file"], line)
        if not isinstance(entry, dict):
            problems.append(f"{shown}:{line}: each entry must be a block of 'key: value' lines starting with "
                            f"'file: NAME', not {entry!r}")
            continue
        lines = {k.value: k.start_mark.line + 1 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}
        if "file" not in entry:
            problems.append(f"{shown}:{line}: this entry has no 'file:': add the report's path, relative to this "
                            "manifest's folder")
        checks = [k for k in entry if k in ("verdict", "evidence_score", "true_band", "must_fire", "must_not_fire")]
        if "file" in entry and not checks:
            problems.append(f"{shown}:{line}: this entry checks nothing: add 'verdict:', 'evidence_score:', "
                            "'must_fire:' or 'must_not_fire:'")
        fire, not_fire = entry.get("must_fire"), entry.get("must_not_fire")
        both = ([r for r in fire if isinstance(r, str) and r in not_fire]
                if isinstance(fire, list) and isinstance(not_fire, list) else [])  # other types: _value_problem says
        for rule in dict.fromkeys(both):
            # asked to fire and not to fire: no run can pass, so it is the manifest to fix, not a failed test
            problems.append(f"{shown}:{lines.get('must_not_fire', line)}: '{rule}' is under both 'must_fire' and "
                            "'must_not_fire': keep it under the one you mean")
        for key, value in entry.items():
            at = lines.get(str(key), line)
            if key not in _ENTRY_KEYS:
                guess = difflib.get_close_matches(str(key), list(_ENTRY_KEYS), n=1)
                hint = f"did you mean '{guess[0]}'?" if guess else "allowed keys: " + ", ".join(_ENTRY_KEYS)
                problems.append(f"{shown}:{at}: unknown key '{key}': {hint}")
                continue
            problem = _value_problem(key, value)
            if problem:
                problems.append(f"{shown}:{at}: {problem}")
            elif key == "file" and not (manifest.parent / value).is_file():
                # The manifest is wrong, not the report: a usage error to fix, never a failed rule test.
                problems.append(f"{shown}:{at}: 'file: {value}' is not a file in {manifest.parent}{_nearest_file(manifest.parent, value)}")
            elif key in ("must_fire", "must_not_fire"):
                for rule in value:
                    if rule not in known_rules:
                        problems.append(f"{shown}:{at}: {no_such_rule(rule, known_rules)}")
    return sorted(problems, key=lambda p: int(p[len(shown) + 1:].split(":", 1)[0]))


def _nearest_file(folder: Path, name: str) -> str:
    try:
        present = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()
                         and p.name != MANIFEST_NAME)
    except OSError:
        return ""
    guess = difflib.get_close_matches(name, present, n=1)
    return f": did you mean '{guess[0]}'?" if guess else ": check the name, or remove the entry"


def check_manifests(folders: list[Path], compiled: CompiledRulebook) -> None:
    """Raise ManifestInvalid with every problem of every manifest under these folders."""
    from .builtin_rules import known_rule_ids

    known = known_rule_ids(compiled.rulebook)
    problems: list[str] = []
    for folder in folders:
        manifests = sorted(folder.rglob(MANIFEST_NAME))
        if not manifests:
            # A folder given to test with nothing to test in it would report "all passed" as if it had been
            # tested: the wrong folder, or a manifest named expected.yml.
            near = sorted(p for p in folder.rglob("expected.y*ml") if p.name != MANIFEST_NAME)
            hint = f" ({near[0]} is not read: rename it to {MANIFEST_NAME})" if near else ""
            problems.append(f"{folder}: no {MANIFEST_NAME} in this folder or below it, so there is nothing to test "
                            f"here{hint}: give a folder of reports with an {MANIFEST_NAME} (the README's section on "
                            "working on rules says what it holds)")
        for manifest in manifests:
            problems.extend(manifest_problems(manifest, str(manifest), known))
    if problems:
        raise ManifestInvalid(problems)


def run_fixture_tests(folder: Path, compiled: CompiledRulebook, engine: str = "auto",
                      seen: set[Path] | None = None) -> list[RuleOutcome]:
    """Check every `expected.yaml` under folder: evidence score, verdict, must_fire, must_not_fire. `seen`: the
    real paths of manifests tested already (under another folder of the same run), skipped here and added to."""
    check_manifests([folder], compiled)
    seen = set() if seen is None else seen
    entries: list[tuple[RuleOutcome, dict, object]] = []
    outcomes: list[RuleOutcome] = []
    for manifest in sorted(folder.rglob(MANIFEST_NAME)):
        if manifest.resolve() in seen:
            continue
        seen.add(manifest.resolve())
        for entry in yaml.safe_load(manifest.read_text("utf-8-sig")) or []:
            path = manifest.parent / entry["file"]
            o = RuleOutcome(f"fixture:{path.relative_to(folder).as_posix()}", "fixture")
            outcomes.append(o)
            try:
                entries.append((o, entry, read_report(path, str(path))))
            except (ReportError, OSError) as exc:
                o.misses.append(f"unreadable: {getattr(exc, 'message', exc)}")
    results = check_reports([r for _, _, r in entries], compiled, engine)[0] if entries else []
    for (o, entry, _report), result in zip(entries, results):
        fired = {f.rule for f in result.findings}
        checks = []
        if "verdict" in entry:
            checks.append((result.verdict == entry["verdict"], f"verdict {result.verdict}, expected {entry['verdict']}"))
        expected_score = entry.get("evidence_score", entry.get("true_band"))
        if expected_score is not None:
            got = result.assessment.evidence_score
            checks.append((got == expected_score, f"evidence score {got}, expected {expected_score}"))
        for rule in entry.get("must_fire", []):
            checks.append((rule in fired, f"{rule} did not fire"))
        for rule in entry.get("must_not_fire", []):
            checks.append((rule not in fired, f"{rule} fired"))
        if entry.get("todo"):
            # A known gap, recorded in the manifest: reported, never failed.
            o.todo += 1
            if all(ok for ok, _ in checks):
                o.todo_now_passing.append(o.rule)
            continue
        for ok, why in checks:
            if ok:
                o.passed += 1
            elif why.endswith(" fired"):
                o.false_alarms.append(why)
            else:
                o.misses.append(why)
    return outcomes
