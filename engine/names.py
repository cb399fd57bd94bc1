"""The words lii-check's options, rules and documents accept, each defined once.

Kept apart from the modules that use them so that the CLI can build its option choices without
importing the renderers, and so that a new format, engine or severity is added in one place.
"""
from __future__ import annotations

# How much a finding matters, most serious first; `--fail-on` takes one of them or "never".
SEVERITIES = ("error", "warning", "info")
FAIL_ON = SEVERITIES + ("never",)
# How the compiled rules are fired (engine/inference.py): durable_rules in a child process, the
# pure-Python evaluator of the same rules, or durable_rules with the evaluator as fallback.
ENGINES = ("auto", "durable", "pure")
# Output formats, in the order `--help` lists them (one renderer each in engine/formats/).
FORMATS = ("table", "concise", "json", "sarif", "junit", "github", "markdown", "html")
# Output formats of `rules validate` (engine/rule_validation.py), which lists problems in rule files.
VALIDATE_FORMATS = ("text", "json", "sarif", "github")
# A report's time budget in seconds (`--timeout`, `timeout` in the configuration): at least a tenth of a second,
# at most a day (already no limit; the interval timer overflows far above).
MIN_TIMEOUT, MAX_TIMEOUT = 0.1, 86_400.0
TIMEOUT_RANGE = f"a number of seconds from {MIN_TIMEOUT:g} to {MAX_TIMEOUT:g} (one day)"
# How a clause reads as evidence, strongest first; the first two count for a theme, the rest against.
LEVELS = ("strong", "good", "intention", "shortfall", "significant")
POSITIVE_LEVELS = LEVELS[:2]
NEGATIVE_LEVELS = LEVELS[2:]
# The levels by how much they tell about a score: the most serious problem first, then the strongest
# strength. Decides which sentences a finding cites and which level a clause read two ways shows.
MOST_SERIOUS_FIRST = ("significant", "shortfall", "intention", "strong", "good")


def severity_fails(severity: str | None, fail_on: str) -> bool:
    """Does a finding of ``severity`` fail a run with ``--fail-on fail_on``? Unreadable reports always
    fail, elsewhere; an unknown severity counts as a warning (documents from elsewhere may carry one)."""
    if fail_on == "never":
        return False
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return rank.get(severity or "", 1) <= rank.get(fail_on, 0)
