"""One way to set up a run, for every subcommand: configuration, rulebook, overrides, compiled matcher.

`check`, `explain`, `calibrate` and `rules test` all start here, so a rule disabled in the
configuration is disabled everywhere, and `--rules` means the same thing everywhere.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .builtin_rules import known_rule_ids, with_builtin_overrides
from .compiled import CompiledRulebook, compile_rulebook_once
from .config import Config, ConfigError, check_rule_ids, load_config
from .rulebook import Rulebook, RulebookInvalid, load_rulebook, with_overrides


class SetupError(Exception):
    """Why a run cannot start: one or more plain lines, already located (file:line: message)."""

    def __init__(self, lines: list[str], summary: str | None = None):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.summary = summary


@dataclass
class Session:
    config: Config
    rulebook: Rulebook  # with the configuration's disable/severity applied
    compiled: CompiledRulebook
    engine: str  # auto | durable | pure, as asked for


def load_settings(config_path: str | None) -> Config:
    try:
        return load_config(Path(config_path) if config_path else None)
    except ConfigError as exc:
        raise SetupError([str(exc)]) from None


def load_rules(rules_dir: str | Path | None) -> Rulebook:
    try:
        return load_rulebook(rules_dir)
    except RulebookInvalid as exc:
        raise SetupError([str(p) for p in exc.problems],
                         f"{len(exc.problems)} problem(s) in the rules; nothing was done: fix them and run again.") from None


def open_session(rules_dir: str | None = None, config_path: str | None = None, engine: str | None = None,
                 config: Config | None = None) -> Session:
    """The rulebook named by the flag, else by the configuration, else the bundled one, with the
    configuration's rule overrides applied (the configuration wins over the rule files)."""
    config = config if config is not None else load_settings(config_path)
    if not rules_dir and config.rules and not config.rules.is_dir():
        raise SetupError([f"{config.where('rules')}: 'rules' names {config.rules}, which is not a folder: give the "
                          "path of a rulebook folder, relative to this file"])
    rulebook = load_rules(rules_dir or (str(config.rules) if config.rules else None))
    problems = check_rule_ids(config, known_rule_ids(rulebook))
    if problems:
        raise SetupError(problems)
    rulebook = with_overrides(rulebook, config.disable, config.severity)
    rulebook = with_builtin_overrides(rulebook, config.disable, config.severity)
    from .compiler import CompileError

    try:
        compiled = compile_rulebook_once(rulebook)
        compiled.rules()  # an expectation the engines cannot run is a rules problem, found now
    except RuntimeError as exc:  # no linear-time regex engine installed
        raise SetupError([str(exc)]) from None
    except CompileError as exc:
        raise SetupError([f"{exc.file}:{exc.line}:1: {exc.message}"],
                         "1 problem(s) in the rules; nothing was done: fix them and run again.") from None
    return Session(config=config, rulebook=rulebook, compiled=compiled, engine=engine or config.engine or "auto")
