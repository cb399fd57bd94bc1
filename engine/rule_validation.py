"""`lii-check rules validate`: every problem in a rulebook, as text, JSON, SARIF or GitHub annotations.

Errors make the rulebook unusable (exit 2); warnings (an old placeholder name) leave it working.
The JSON shape is published as ``lii-check schema validate``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from . import __version__

SCHEMA_VERSION = 1
# One SARIF rule per kind of problem: what the schema and loader refuse, and what still works but is renamed.
INVALID_RULE_FILE = "lii-check.invalid-rule-file"
RENAMED_PLACEHOLDER = "lii-check.renamed-placeholder"
LEXICON_CLASH = "lii-check.lexicon-clash"
_PROBLEM_RULES = {
    INVALID_RULE_FILE: ("error", "A rule file lii-check cannot use.",
                        "The rule file breaks the rulebook schema or a rule the loader checks (an unknown key, "
                        "a missing key, a cue that cannot run in linear time, a duplicate id, marks that do not "
                        "rise). The message says what to change; until it is fixed nothing is checked."),
    RENAMED_PLACEHOLDER: ("warning", "A message quotes a placeholder by its old name.",
                          "The message of an expectation quotes a placeholder that has been renamed. The old "
                          "name still works; the message says which new name to write instead."),
    LEXICON_CLASH: ("warning", "Two cue lists meet on the same words.",
                    "A word is both a modifier (negation, hedging, intention, counter) and a signal cue, a "
                    "positive cue holds a negation word, cues of opposite polarity match the same words, or a "
                    "signal's own example reads as the opposite. The message names both places; keep the words "
                    "in one list, or add an `unless:`."),
}


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    col: int
    severity: str  # "error" or "warning"
    rule: str  # INVALID_RULE_FILE, RENAMED_PLACEHOLDER or LEXICON_CLASH
    message: str


@dataclass
class Validation:
    rules: str  # the folder as given, or "(bundled)"
    problems: list[Problem]
    counts: dict[str, int] | None  # files, themes, signals, expectations; None when the rules do not load
    base_warnings: int = 0  # lexicon warnings of an overlay's base that the overlay did not touch (not listed)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]


def validate_rules(directory: str | None) -> Validation:
    """Load the rulebook in ``directory`` (the bundled one when None) and collect every problem."""
    from .rulebook import BUNDLED, RulebookInvalid, bundled_rules_dir, load_rulebook
    from .rulebook.lexicon_check import check_lexicon
    from .rulebook.messages import renamed_placeholder_warnings

    label = directory if directory is not None else BUNDLED
    try:
        rulebook = load_rulebook(directory)
    except RulebookInvalid as exc:
        return Validation(label, [Problem(p.file, p.line, p.col, "error", INVALID_RULE_FILE, p.message)
                                  for p in exc.problems], None)
    # An expectation the schema accepts but the engines cannot run ("at most 1e21", "between 2 and 1") fails every
    # check that uses the rulebook: found here too, so a pre-commit `rules validate` catches it first.
    from .compiler import CompileError, compile_expectation

    unrunnable = []
    for expectation in rulebook.expectations():
        try:
            compile_expectation(expectation)
        except CompileError as exc:
            unrunnable.append(Problem(exc.file, exc.line, 1, "error", INVALID_RULE_FILE, exc.message))
    if unrunnable:
        return Validation(label, unrunnable, None)

    def lines_of(file: str) -> list[str] | None:
        path = Path(file)
        if rulebook.path == BUNDLED and not path.is_absolute():
            path = bundled_rules_dir() / file
        try:
            return path.read_text("utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError):
            return None

    warnings = [Problem(f, line, col, "warning", RENAMED_PLACEHOLDER, message)
                for f, line, col, message in renamed_placeholder_warnings(rulebook.expectations(), lines_of)]
    clashes = check_lexicon(rulebook)  # cue lists that contradict one another: reported, never fatal
    base_warnings = 0
    if rulebook.overlay_files:
        # A team validating its overlay answers for its own files: a clash wholly inside the base is the
        # base's to fix, and its bare bundled file names would annotate files the team's repository lacks.
        own = tuple(rulebook.overlay_files)
        mine = [c for c in clashes if c.here.startswith(own) or c.there.startswith(own)]
        base_warnings, clashes = len(clashes) - len(mine), mine
    for clash in clashes:
        file, _, line = clash.here.rpartition(":")
        warnings.append(Problem(file, int(line) if line.isdigit() else 1, 1, "warning", LEXICON_CLASH,
                                f"{clash.message} (other place: {clash.there})"))
    counts = {"files": len(rulebook.files), "themes": len(rulebook.themes), "signals": len(rulebook.signals()),
              "expectations": len(rulebook.expectations())}
    return Validation(rulebook.path, sorted(warnings, key=lambda p: (p.file, p.line, p.col, p.message)), counts,
                      base_warnings)


def exit_code(validation: Validation) -> int:
    return 2 if validation.errors else 0


def render(validation: Validation, fmt: str) -> str:
    """The problems in ``fmt`` (one of names.VALIDATE_FORMATS); every format ends in a newline."""
    return {"text": _text, "json": _json, "sarif": _sarif, "github": _github}[fmt](validation)


def summary_line(validation: Validation) -> str:
    from .formats._common import one_line

    if validation.counts is None:
        return f"{len(validation.errors)} problem(s) found."
    c = validation.counts
    tail = f"{len(validation.warnings)} warning(s)" if validation.warnings else "no problems"
    base = (f" (the rulebook it extends has {validation.base_warnings} warning(s) of its own, not shown here: "
            "validate that folder, or run `lii-check rules validate` for the bundled one, to see them)"
            ) if validation.base_warnings else ""
    files = f"{c['files']} file" + ("" if c['files'] == 1 else "s")
    return (f"{one_line(validation.rules)}: {files}, {c['themes']} themes, {c['signals']} signals, "
            f"{c['expectations']} expectations: {tail}.{base}")


def _text(validation: Validation) -> str:
    from .formats._common import one_line

    # Errors keep the plain "file:line:col: message" every editor's problem matcher reads. Names and
    # messages are made one line, as `check` shows report paths: a file named "x\n::error::…" must not start
    # a line that a CI runner reads as a command, nor an escape sequence drive the terminal.
    lines = [f"{one_line(p.file)}:{p.line}:{p.col}: {'warning: ' if p.severity == 'warning' else ''}"
             f"{one_line(p.message)}" for p in validation.problems]
    return "".join(line + "\n" for line in lines)


def document(validation: Validation) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "lii-check", "version": __version__},
        "rules": validation.rules,
        "valid": not validation.errors,
        "problems": [{"file": p.file, "line": p.line, "column": p.col, "severity": p.severity, "rule": p.rule,
                      "message": p.message} for p in validation.problems],
        "summary": {"errors": len(validation.errors), "warnings": len(validation.warnings),
                    **(validation.counts or {"files": None, "themes": None, "signals": None, "expectations": None})},
    }


def _json(validation: Validation) -> str:
    return json.dumps(document(validation), indent=2, ensure_ascii=False) + "\n"


def _github(validation: Validation) -> str:
    from .formats._common import clean
    from .formats.github import escape_data, escape_property

    lines = []
    for p in validation.problems:
        props = f"file={escape_property(clean(p.file))},line={p.line},col={p.col},title={escape_property(p.rule)}"
        lines.append(f"::{p.severity} {props}::{escape_data(clean(p.message))}")
    return "".join(line + "\n" for line in lines)


def _sarif(validation: Validation) -> str:
    from .formats.sarif import SCHEMA_URI, artifact_location, driver

    ids = sorted(_PROBLEM_RULES)
    rules = []
    for rid in ids:
        severity, short, full = _PROBLEM_RULES[rid]
        rules.append({
            "id": rid, "name": "".join(w.capitalize() for w in rid.split(".")[-1].split("-")),
            "shortDescription": {"text": short}, "fullDescription": {"text": full},
            "help": {"text": full + " Run `lii-check rules validate` to see every problem with its file and line.",
                     "markdown": full + " Run `lii-check rules validate` to see every problem with its file and line."},
            "defaultConfiguration": {"level": "error" if severity == "error" else "warning"},
        })
    results = [{
        "ruleId": p.rule, "ruleIndex": ids.index(p.rule),
        "level": "error" if p.severity == "error" else "warning",
        "message": {"text": p.message},
        "locations": [{"physicalLocation": {"artifactLocation": artifact_location(p.file),
                                            "region": {"startLine": max(1, p.line), "startColumn": max(1, p.col)}}}],
    } for p in validation.problems]
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [{
        "tool": {"driver": {**driver({"name": "lii-check", "version": __version__}), "rules": rules}},
        "invocations": [{"executionSuccessful": True, "exitCode": exit_code(validation)}],
        "results": results,
    }]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
