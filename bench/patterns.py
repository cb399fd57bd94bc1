"""Every regular expression in the loaded rulebook, for the ripgrep floor of the benchmark.

Run with the interpreter that has lii-check installed; prints a JSON list of
{"family": ..., "pattern": ...}, one per distinct pattern, in a stable order:

    /path/to/venv/bin/python bench/patterns.py

The rulebook is walked rather than read attribute by attribute (themes' topic and signals, the
language's clause breaks, negation, counter, intention, hedging and attribution cues, ...), so
the export stays complete when the engine's model changes shape.
"""
from __future__ import annotations

import dataclasses
import json
import re
import sys
from typing import Any

# Derived data computed from the patterns themselves (combined alternations, per-clause hits).
SKIPPED_FIELDS = {"cache"}


def collect(obj: Any, family: str = "rulebook", seen: set[int] | None = None) -> list[tuple[str, str]]:
    """(family, pattern) for every compiled pattern reachable from obj."""
    seen = set() if seen is None else seen
    if id(obj) in seen or isinstance(obj, (str, bytes, int, float, bool, type(None))):
        return []
    seen.add(id(obj))
    if isinstance(obj, re.Pattern):
        return [(family, obj.pattern)]
    if type(obj).__name__ == "Cue":  # lii_check.rulebook.Cue: a phrase or regex with the regex it runs as
        return [(family, obj.regex)]
    found: list[tuple[str, str]] = []
    if dataclasses.is_dataclass(obj):
        for f in dataclasses.fields(obj):
            if f.name not in SKIPPED_FIELDS:
                found += collect(getattr(obj, f.name), f.name if f.name not in ("themes", "language", "patterns") else family, seen)
    elif isinstance(obj, dict):
        for key, value in obj.items():
            found += collect(value, family, seen)
    elif isinstance(obj, (list, tuple, set, frozenset)):
        for value in obj:
            found += collect(value, family, seen)
    elif hasattr(obj, "__dict__"):
        for name, value in vars(obj).items():
            if name not in SKIPPED_FIELDS and not name.startswith("_"):
                found += collect(value, name, seen)
    return found


def rulebook_patterns() -> list[dict[str, str]]:
    from lii_check.rulebook import load_rulebook

    unique: dict[str, str] = {}
    for family, pattern in collect(load_rulebook()):
        unique.setdefault(pattern, family)
    return [{"family": family, "pattern": pattern} for pattern, family in sorted(unique.items())]


if __name__ == "__main__":
    json.dump(rulebook_patterns(), sys.stdout)
    sys.stdout.write("\n")
