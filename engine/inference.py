"""Choosing the inference engine: durable_rules where it works, the pure evaluator elsewhere."""
from __future__ import annotations

import sys

from .evaluator import run_pure

ENGINES = ("auto", "durable", "pure")
_warned = False


class EngineUnavailable(Exception):
    pass


def fire(ruleset: dict[str, dict], batches: list[list[dict]], engine: str = "auto") -> tuple[list[list[tuple[str, int]]], str]:
    """Run the compiled ruleset over one batch of facts per report; return (fired pairs, engine used)."""
    global _warned
    if engine == "pure":
        return run_pure(ruleset, batches), "pure"
    from .inference_durable import durable_available, run_durable

    ok, reason = durable_available()
    if ok:
        return run_durable(ruleset, batches), "durable"
    if engine == "durable":
        raise EngineUnavailable(f"durable_rules is not available here: {reason}")
    if not _warned:
        print(f"lii-check: durable_rules is not available ({reason}); using the built-in evaluator, "
              "which gives the same findings.", file=sys.stderr)
        _warned = True
    return run_pure(ruleset, batches), "pure"
