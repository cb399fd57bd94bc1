"""The compiled rulebook: a loaded rulebook plus everything derived from it once per run.

Loading (rulebook/) says what the files say; compiling turns every cue into a pattern of one
matcher, indexes the signals and themes the hits point back to, and compiles the expectations into
the durable_rules ruleset. Derived data lives here, never written into the loaded rulebook, so two
rulebooks can never see each other's patterns.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .matcher import Matcher, Pattern, fold_regex
from .rulebook.model import CueList, Rulebook, Signal


@dataclass
class CompiledRulebook:
    rulebook: Rulebook
    matcher: Matcher
    patterns: list[Pattern]
    signal_of: dict[int, Signal]  # pid -> the signal a signal cue belongs to
    theme_order: dict[str, int]  # theme id -> position in the rulebook (themes are listed in this order)
    # pid -> (kind, payload) for reading.py: 0 signal (Signal), 1 topic (theme id), 2 clause break,
    # 3 attribution (source name), or a modifier list's name ("negation" …) with the cue's list order.
    route: list[tuple[object, object]] = field(default_factory=list)
    # The same as two flat lists, for the per-hit loop: kind_of[pid] is one of the KIND_* numbers below
    # (-1 for an `unless` cue) and payload_of[pid] its Signal, theme id, source name or list order.
    kind_of: list[int] = field(default_factory=list)
    payload_of: list[object] = field(default_factory=list)
    _ruleset: object = field(default=None, repr=False)

    @property
    def language(self):
        return self.rulebook.language

    def rules(self):
        """The expectations compiled for the inference engine (built on first use)."""
        if self._ruleset is None:
            from .compiler import compile_rulebook

            self._ruleset = compile_rulebook(self.rulebook)
        return self._ruleset


# Where reading.py files a hit: signals, topics, clause breaks, attributions, then the modifier lists.
KIND_SIGNAL, KIND_TOPIC, KIND_BREAK, KIND_SOURCE = 0, 1, 2, 3
MODIFIER_KINDS = {"negation": 4, "counter": 5, "hedging": 6, "intention": 7}


def compile_rulebook_patterns(rulebook: Rulebook) -> tuple[list[Pattern], dict[int, Signal]]:
    patterns: list[Pattern] = []
    signal_of: dict[int, Signal] = {}
    group = 0

    def add(family: str, owner: str, cues: CueList, signal: Signal | None = None) -> None:
        nonlocal group
        group += 1
        for order, cue in enumerate(cues.cues):
            pid = len(patterns)
            patterns.append(Pattern(pid, family, owner, order, group, False, fold_regex(cue.regex), cue))
            if signal is not None:
                signal_of[pid] = signal
        for order, cue in enumerate(cues.unless):
            patterns.append(Pattern(len(patterns), family, owner, order, group, True, fold_regex(cue.regex), cue))

    lang = rulebook.language
    add("break", "", lang.clause_breaks)
    add("negation", "", lang.negation)
    add("counter", "", lang.counter)
    add("hedging", "", lang.hedging)
    add("intention", "", lang.intention)
    for name in sorted(lang.attribution):
        add("attribution", name, lang.attribution[name])
    for signal in lang.signals:
        add("signal", signal.key, signal.cues, signal)
    for theme in rulebook.themes:
        add("topic", theme.id, theme.topic)
        for signal in theme.signals:
            add("signal", signal.key, signal.cues, signal)
    return patterns, signal_of


def compile_rulebook_once(rulebook: Rulebook, engine: str = "auto") -> CompiledRulebook:
    patterns, signal_of = compile_rulebook_patterns(rulebook)
    route: list[tuple[object, object]] = []
    for p in patterns:
        if p.unless:
            route.append((-1, None))  # removed by the matcher before anything reads it
        elif p.family == "signal":
            route.append((0, signal_of[p.pid]))
        elif p.family == "topic":
            route.append((1, p.owner))
        elif p.family == "break":
            route.append((2, None))
        elif p.family == "attribution":
            route.append((3, p.owner))
        else:
            route.append((p.family, p.order))
    kind_of = [MODIFIER_KINDS[kind] if isinstance(kind, str) else kind for kind, _ in route]
    return CompiledRulebook(
        rulebook=rulebook, matcher=Matcher(patterns, engine), patterns=patterns, signal_of=signal_of,
        theme_order={t.id: i for i, t in enumerate(rulebook.themes)}, route=route,
        kind_of=kind_of, payload_of=[payload for _, payload in route],
    )
