"""The loaded rulebook: plain data, exactly what the YAML files say, each cue with its file and line."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

BUNDLED = "(bundled)"  # how output names the bundled rulebook
# The word a user writes for it: `extends: bundled` in an overlay, `rules diff --base bundled`.
BUNDLED_NAME = "bundled"
# What an expectation's message may quote, e.g. "The text reads as band {evidence}". "count" is the
# old name of two of them (messages.RENAMED_PLACEHOLDERS); it still works, with a warning.
PLACEHOLDERS = ("awarded", "evidence", "index", "label", "descriptor", "theme", "themes_with_significant",
                "cited", "count")


@dataclass(frozen=True)
class RuleProblem:
    file: str
    line: int
    col: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.message}"


class RulebookInvalid(Exception):
    def __init__(self, problems: list[RuleProblem]):
        super().__init__(f"{len(problems)} problem(s) in the rules")
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.col, p.message))


@dataclass(frozen=True)
class Cue:
    """One phrase or regular expression from a rule file, and where it was written."""

    text: str  # as written
    kind: str  # "phrase" or "regex"
    regex: str  # the regular expression it runs as (a phrase is turned into one)
    file: str
    line: int

    @property
    def origin(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class CueList:
    """A list of cues, and the cues that cancel them where they overlap ('unless': "not" unless "not only")."""

    cues: tuple[Cue, ...] = ()
    unless: tuple[Cue, ...] = ()

    def __iter__(self):
        return iter(self.cues)

    def __len__(self) -> int:
        return len(self.cues)


@dataclass
class Signal:
    id: str
    theme: str | None  # None: a language-wide signal that applies to every theme
    level: str
    description: str
    framework: str
    impact: bool
    cues: CueList
    examples: dict[str, list[str]]
    file: str
    line: int
    changes: tuple[str, ...] = ()  # file:line of each overlay entry that changed it
    overlay_examples: dict[str, list[str]] = field(default_factory=dict)  # the overlays' own, also in examples
    example_lines: dict[str, list[int]] = field(default_factory=dict)  # fires/quiet/todo -> line of each

    @property
    def key(self) -> str:
        """The signal's name across the rulebook: 'theme:id', or the bare id for a language signal."""
        return f"{self.theme}:{self.id}" if self.theme else self.id


@dataclass
class Expectation:
    id: str  # "<theme or consistency>.<id>"
    theme: str
    scope: str  # "theme" or "report"
    applies_to: tuple[int, ...]
    when: dict[str, Any]
    severity: str
    message: str
    description: str
    framework: str
    cite: tuple[str, ...]
    examples: dict[str, list[dict]]
    file: str
    line: int
    changes: tuple[str, ...] = ()  # file:line of each overlay entry that changed it
    overlay_examples: dict[str, list[dict]] = field(default_factory=dict)  # the overlays' own, also in examples


@dataclass
class Theme:
    id: str
    title: str
    framework: str
    weight: float
    description: str
    topic: CueList
    signals: list[Signal]
    expectations: list[Expectation]
    file: str
    changes: tuple[str, ...] = ()  # file:line of each overlay entry that changed its weight or topic


@dataclass
class Language:
    framework: str
    clause_breaks: CueList
    negation_window: int
    negation: CueList
    counter: CueList
    intention: CueList
    hedging: CueList
    counter_window: tuple[int, int]  # (words before, words after) a problem cue
    hedging_window: int
    attribution: dict[str, CueList]
    signals: list[Signal]
    examples: dict[str, dict[str, list[str]]]  # negation / intention / hedging -> fires/quiet/todo
    file: str


@dataclass
class Scoring:
    framework: str
    values: dict[str, float]
    prior_value: float
    prior_weight: float
    leaders_only_discount: float
    affirmation_weight: float
    absence_weight: float
    strong_share_bonus: float
    bands: dict[int, float]
    clear: dict[int, float]
    general_weight: float
    reasoning_strong: float  # the "why this band" lines' labels for a theme score
    reasoning_weak: float
    borderline_margin: float  # evidence-index distance from a band mark that is too close to call
    expectations: list[Expectation]
    file: str


@dataclass
class Rulebook:
    path: str
    themes: list[Theme]
    language: Language
    scoring: Scoring
    files: list[str] = field(default_factory=list)
    # Where things come from, for `rules list` and `explain` (overlay.py fills the last three).
    bundled_files: frozenset[str] = frozenset()  # display names of files read from the bundled rulebook
    base: str | None = None  # an overlay's base: BUNDLED or the folder it extends
    overlay_files: tuple[str, ...] = ()  # display names of every overlay file in the chain, base-most first
    disabled: tuple[tuple[str, str], ...] = ()  # (signal key or rule id, file:line of the overlay that disabled it)
    # (list: signal key, "topic:<theme>" or "language:<list>"; cue text; its regex; file:line of the overlay removing it)
    removed_cues: tuple[tuple[str, str, str, str], ...] = ()

    def origin(self, file: str, line: int) -> str:
        """Where a rule, signal or cue was written: 'bundled' or file:line."""
        return BUNDLED_NAME if file in self.bundled_files else f"{file}:{line}"
    # The configuration's severity for lii-check's own rules, (id, severity or "off"): builtin_rules.py.
    # A plain default (not a factory): rulebooks built before this field existed still construct.
    builtin_overrides: tuple[tuple[str, str], ...] = ()

    @property
    def framework(self) -> str:
        return self.scoring.framework

    def theme(self, theme_id: str) -> Theme | None:
        return next((t for t in self.themes if t.id == theme_id), None)

    def expectations(self) -> list[Expectation]:
        return [e for t in self.themes for e in t.expectations] + list(self.scoring.expectations)

    def signals(self) -> list[Signal]:
        return list(self.language.signals) + [s for t in self.themes for s in t.signals]
