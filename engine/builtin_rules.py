"""The findings lii-check raises itself, about inline suppression comments rather than report text.

They are rules like any other for the configuration (`disable`, `severity`) and for `rules list`, but
they have no rule file: nothing to give examples for, and a corpus without suppression comments is no
reason for `--strict` to fail. An unreadable report is not one of them: it was never checked, so it
fails the run whatever the configuration says.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the configuration imports this module, and must stay quick to import
    from .rulebook import Rulebook

SUPPRESSION_WITHOUT_REASON = "lii-check.suppression-without-reason"
UNUSED_SUPPRESSION = "lii-check.unused-suppression"
# The id the output formats give an unreadable report; named here so the configuration can refuse it.
UNREADABLE = "lii-check/unreadable"
OFF = "off"  # a built-in rule disabled in the configuration


@dataclass(frozen=True)
class BuiltinRule:
    id: str
    severity: str  # the default; the configuration may change it
    description: str
    explanation: str  # what it means and what to do, for `rules docs` and SARIF help


BUILTIN_RULES: dict[str, BuiltinRule] = {r.id: r for r in (
    BuiltinRule(SUPPRESSION_WITHOUT_REASON, "warning", "An inline suppression comment gives no reason.",
                "A report silences a rule with `<!-- lii-check-disable RULE -->` but says nothing about why. "
                "Write the reason after a colon, `<!-- lii-check-disable RULE: why this is accepted -->`, so a "
                "reviewer can judge it."),
    BuiltinRule(UNUSED_SUPPRESSION, "warning", "An inline suppression comment suppresses nothing.",
                "A report silences a rule that did not fire on it (or that does not exist). The comment is "
                "stale, and would hide the rule if it ever fired for another reason: remove it."),
)}


def with_builtin_overrides(rulebook: Rulebook, disable: tuple[str, ...] | list[str] = (),
                           severity: dict[str, str] | None = None) -> Rulebook:
    """The rulebook carrying the configuration's word on the built-in rules (the configuration wins)."""
    chosen = {rid: severity[rid] for rid in BUILTIN_RULES if rid in (severity or {})}
    chosen.update({rid: OFF for rid in BUILTIN_RULES if rid in disable})
    if not chosen:
        return rulebook
    return dataclasses.replace(rulebook, builtin_overrides=tuple(sorted(chosen.items())))


def builtin_severity(rulebook: Rulebook | None, rule_id: str) -> str | None:
    """The severity a built-in finding is raised with, or None when the configuration disables it."""
    chosen = dict(getattr(rulebook, "builtin_overrides", ()) or ())
    level = chosen.get(rule_id, BUILTIN_RULES[rule_id].severity)
    return None if level == OFF else level


def builtin_meta(rulebook: Rulebook | None) -> list[dict]:
    """The built-in rules as `rules list` and the output formats describe rules (disabled ones left out)."""
    out = []
    for rid, rule in sorted(BUILTIN_RULES.items()):
        level = builtin_severity(rulebook, rid)
        if level is not None:
            out.append({"id": rid, "theme": "consistency", "severity": level, "description": rule.description,
                        "framework": "lii-check"})
    return out


def refused_rule_ids(ids: list[str]) -> list[str]:
    """Why each of these configured rule ids can never be configured (the unreadable-report failure)."""
    return [f"'{rid}' cannot be disabled or given a severity: an unreadable report was never checked, so it "
            "always fails the run" for rid in ids if rid == UNREADABLE]


def known_rule_ids(rulebook: "Rulebook") -> list[str]:
    """Every rule id the configuration, a suppression or a fixture manifest may name: the rulebook's
    expectations, those an overlay switched off (still known ids), and the built-in rules."""
    return [e.id for e in rulebook.expectations()] + [name for name, _ in rulebook.disabled] + list(BUILTIN_RULES)


def no_such_rule(rule: str, known: list[str]) -> str:
    """What to say of a rule id that names no rule: the nearest id, or where to find them."""
    import difflib

    guess = difflib.get_close_matches(rule, known, n=1)
    return f"no rule called '{rule}': " + (f"did you mean '{guess[0]}'?" if guess else "see `lii-check rules list`")
