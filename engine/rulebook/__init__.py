"""The rulebook: what the YAML files say (model), how they are read and checked (load), and the
plain-English messages for every mistake in them.

    model.py       the dataclasses: Rulebook, Theme, Signal, Expectation, Cue …
    load.py        load_rulebook(): reading a folder, schema checks, building the model
    cues.py        phrases → regexes; refusing what cannot run in linear time
    yamlsource.py  reading YAML so problems can be located (file:line:col)
    messages.py    JSON Schema errors → plain English with the fix
    overlay.py     overlay folders: a base (bundled or a folder) plus a team's changes
    origins.py     where each rule, signal and cue comes from, for `rules list` and `explain`
    migrate.py     `rules overlay --from`: a full copy of the bundled rulebook as the minimal overlay
"""
from .cues import phrase_pattern
from .load import bundled_rules_dir, load_rulebook, load_schema, with_overrides
from .model import (BUNDLED, BUNDLED_NAME, PLACEHOLDERS, Cue, CueList, Expectation, Language, RuleProblem, Rulebook,
                    RulebookInvalid, Scoring, Signal, Theme)

__all__ = [
    "BUNDLED", "BUNDLED_NAME", "PLACEHOLDERS", "Cue", "CueList", "Expectation", "Language", "RuleProblem", "Rulebook",
    "RulebookInvalid", "Scoring", "Signal", "Theme", "bundled_rules_dir", "load_rulebook", "load_schema",
    "phrase_pattern", "with_overrides",
]
